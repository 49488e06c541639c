//! The charter's rules as plain Rust, free of I/O. See ../shared/DOMAIN.md for rule ids.

pub mod bodies;
