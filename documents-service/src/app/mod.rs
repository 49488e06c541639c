//! The application layer: one function per use case, called by one handler in `api/`. It
//! orchestrates — loads through `db/`, applies the charter's rules from `domain/`, writes
//! through `db/` and enqueues events, in one transaction — and knows nothing of HTTP.

pub mod batches;
pub mod credentials;
pub mod delivery;
pub mod documents;
pub mod inbox;
pub mod issuing;
pub mod previews;
pub mod rosters;
pub mod sign_in_sheets;
