//! What documents are and when they are issued, free of I/O ("Documents" in ../shared/DOMAIN.md).

pub mod kinds;
pub mod serials;
