//! What documents are and when they are issued, free of I/O ("Documents" in ../shared/DOMAIN.md).

pub mod batches;
pub mod credentials;
pub mod dates;
pub mod invitation;
pub mod kinds;
pub mod mail;
pub mod requests;
pub mod serials;
pub mod sign_in;
pub mod states;
pub mod status_list;
pub mod verification;
