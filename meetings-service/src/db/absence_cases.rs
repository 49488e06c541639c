//! Queries of `absence_cases`: the dismissal cases this service asked for (R13), one open per
//! appointment and work year (a partial unique index).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use service_kit::{ApiError, DbConn};

use super::models::{AbsenceCaseRow, NewAbsenceCaseRow};
use super::schema::absence_cases as t;
use crate::domain::absence::CaseStatus;

/// Serialises evaluations of one appointment on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already
/// serialises every write transaction): two absences recorded at once both see each other.
pub fn lock_appointment(c: &mut DbConn, appointment_id: i64) -> Result<(), ApiError> {
    if let DbConn::Pg(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>((8082_i64 << 32) ^ appointment_id)
            .execute(pg)?;
    }
    Ok(())
}

/// The open cases of these appointments.
pub fn open_of(c: &mut DbConn, appointment_ids: &[i64]) -> Result<Vec<AbsenceCaseRow>, ApiError> {
    Ok(t::table
        .filter(t::appointment_id.eq_any(appointment_ids))
        .filter(t::status.eq(CaseStatus::Open))
        .select(AbsenceCaseRow::as_select())
        .load(c)?)
}

pub fn insert(c: &mut DbConn, row: &NewAbsenceCaseRow<'_>) -> Result<(), ApiError> {
    diesel::insert_into(t::table).values(row).execute(c)?;
    Ok(())
}

/// Withdraws the open case of the appointment and work year.
pub fn withdraw(
    c: &mut DbConn,
    appointment_id: i64,
    work_year: i32,
    event_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(
        t::table
            .filter(t::appointment_id.eq(appointment_id))
            .filter(t::work_year.eq(work_year))
            .filter(t::status.eq(CaseStatus::Open)),
    )
    .set((
        t::status.eq(CaseStatus::Withdrawn),
        t::withdraw_event_id.eq(Some(event_id)),
        t::withdrawn_at.eq(Some(now)),
    ))
    .execute(c)?;
    Ok(())
}
