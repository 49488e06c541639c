//! The application layer: one function per use case, called by one handler in `api/`. It
//! orchestrates — loads through `db/`, applies the charter's rules from `domain/`, writes
//! through `db/` and enqueues events, in one transaction — and knows nothing of HTTP.

pub mod absence;
pub mod activities;
pub mod annual;
pub mod attendance;
pub mod calendar;
pub mod elections;
pub mod reminders;
pub mod replies;

use service_kit::peer::Peers;
use service_kit::{Db, OutboxWaker};

use crate::domain::work_year::WorkYearStart;

/// What the use cases that write and call other services need of the running service.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub peers: &'a Peers,
    /// Woken after a commit that enqueued events, so they leave at once.
    pub waker: &'a OutboxWaker,
    /// The first day of a work year (R13).
    pub work_year: WorkYearStart,
}
