//! The facts of appointments for the other services (`GET /internal/v1/appointment-facts`).

use service_kit::{ApiError, DbConn};

use super::events::{AppointmentFacts, facts};
use crate::db::appointments::{self, FactsQuery};

/// At most this many appointments per facts request.
pub const MAX_FACTS: usize = 5000;

/// The facts of the appointments asked for, in id order.
pub fn appointment_facts(c: &mut DbConn, q: &FactsQuery) -> Result<Vec<AppointmentFacts>, ApiError> {
    let rows = appointments::for_facts(c, q, MAX_FACTS as i64)?;
    rows.iter().map(|a| facts(c, a)).collect()
}
