//! Who may see and do what ("Access" in ../shared/DOMAIN.md): the rules live in
//! [`crate::app::access`], where the use cases check them once a record is loaded; handlers
//! check the same rules before a lookup.

pub use crate::app::access::*;
