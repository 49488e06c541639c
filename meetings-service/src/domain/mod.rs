//! The charter's meeting rules as plain Rust, free of I/O (R13, R18, R19 in ../shared/DOMAIN.md).

pub mod activities;
