//! The charter's meeting rules as plain Rust, free of I/O (R13, R18, R19 in ../shared/DOMAIN.md).

pub mod absence;
pub mod activities;
pub mod agenda;
pub mod annual;
pub mod attendance;
pub mod elections;
pub mod replies;
pub mod work_year;
