//! Queries of `election_rounds` and `election_results` (R10, R19): one round per activity.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use service_kit::{ApiError, DbConn};

use super::models::{ElectionResultRow, ElectionRoundRow, NewElectionResultRow};
use super::schema::{election_results, election_rounds};

pub fn round_of(c: &mut DbConn, activity_id: i64) -> Result<Option<ElectionRoundRow>, ApiError> {
    Ok(election_rounds::table
        .find(activity_id)
        .select(ElectionRoundRow::as_select())
        .first(c)
        .optional()?)
}

/// The round's results, in the order recorded.
pub fn results_of(c: &mut DbConn, activity_id: i64) -> Result<Vec<ElectionResultRow>, ApiError> {
    Ok(election_results::table
        .filter(election_results::activity_id.eq(activity_id))
        .order(election_results::id)
        .select(ElectionResultRow::as_select())
        .load(c)?)
}

/// Inserts the round and its results; `Ok(false)` when the activity has a round already (two
/// concurrent recordings: its one round row lets only one through).
pub fn insert(c: &mut DbConn, round: &ElectionRoundRow, results: &[NewElectionResultRow]) -> Result<bool, ApiError> {
    match diesel::insert_into(election_rounds::table).values(round).execute(c) {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => return Ok(false),
        other => other?,
    };
    for r in results {
        diesel::insert_into(election_results::table).values(r).execute(c)?;
    }
    Ok(true)
}
