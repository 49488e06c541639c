//! The application layer: one function per use case, called by one handler in `api/` (and by
//! the jobs and the inbox). It orchestrates — loads through `db/`, applies the charter's rules
//! from `domain/`, writes through `db/` and enqueues events, in the caller's transaction — and
//! knows nothing of HTTP. The response types that need several tables are built here.

pub mod access;
pub mod applications;
pub mod appointing;
pub mod appointments;
pub mod audit;
pub mod bodies;
pub mod dismissal_cases;
pub mod edge;
pub mod elections;
pub mod events;
pub mod facts;
pub mod import;
pub mod jobs;
pub mod nominations;
pub mod people;
pub mod recognition;
pub mod units;
