//! Queries of terms (届) and of the term-end reminders sent.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::{ApiError, DbConn};

use super::models::{NewTermRow, TermRow};
use super::schema::{term_reminders, terms};

pub fn find(c: &mut DbConn, id: i64) -> Result<TermRow, ApiError> {
    terms::table
        .find(id)
        .select(TermRow::as_select())
        .first(c)
        .found(|| format!("no term {id}"))
}

/// A body's terms, oldest first.
pub fn of_body(c: &mut DbConn, body_id: i64) -> Result<Vec<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::body_id.eq(body_id))
        .order(terms::number)
        .select(TermRow::as_select())
        .load(c)?)
}

pub fn latest(c: &mut DbConn, body_id: i64) -> Result<Option<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::body_id.eq(body_id))
        .order(terms::number.desc())
        .select(TermRow::as_select())
        .first(c)
        .optional()?)
}

pub fn by_number(c: &mut DbConn, body_id: i64, number: i32) -> Result<Option<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::body_id.eq(body_id))
        .filter(terms::number.eq(number))
        .select(TermRow::as_select())
        .first(c)
        .optional()?)
}

/// The body's term that contains `on`.
pub fn on(c: &mut DbConn, body_id: i64, on: NaiveDate) -> Result<Option<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::body_id.eq(body_id))
        .filter(terms::starts_on.le(on))
        .filter(terms::ends_on.ge(on))
        .select(TermRow::as_select())
        .first(c)
        .optional()?)
}

/// Every body's terms that contain `on`.
pub fn running_on(c: &mut DbConn, on: NaiveDate) -> Result<Vec<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::starts_on.le(on))
        .filter(terms::ends_on.ge(on))
        .select(TermRow::as_select())
        .load(c)?)
}

pub fn insert(c: &mut DbConn, row: &NewTermRow) -> Result<TermRow, ApiError> {
    Ok(diesel::insert_into(terms::table)
        .values(row)
        .returning(terms::all_columns)
        .get_result(c)?)
}

/// Ended terms not yet closed by the lapse job (R6), the earliest first.
pub fn due_for_close(c: &mut DbConn, today: NaiveDate) -> Result<Vec<i64>, ApiError> {
    Ok(terms::table
        .filter(terms::ends_on.lt(today))
        .filter(terms::lapse_processed_at.is_null())
        .order(terms::ends_on)
        .select(terms::id)
        .load(c)?)
}

/// Locks the term row so a second replica skips it, then re-checks it is still unprocessed.
pub fn lock_unprocessed(c: &mut DbConn, term_id: i64) -> Result<Option<TermRow>, ApiError> {
    let q = terms::table
        .filter(terms::id.eq(term_id))
        .filter(terms::lapse_processed_at.is_null());
    Ok(match c {
        DbConn::Pg(pg) => q
            .select(TermRow::as_select())
            .for_update()
            .skip_locked()
            .first(pg)
            .optional()?,
        DbConn::Sqlite(lite) => q.select(TermRow::as_select()).first(lite).optional()?,
    })
}

pub fn mark_closed(c: &mut DbConn, term_id: i64) -> Result<(), ApiError> {
    diesel::update(terms::table.find(term_id))
        .set(terms::lapse_processed_at.eq(Some(Utc::now().naive_utc())))
        .execute(c)?;
    Ok(())
}

/// Records a term-end reminder unless it was sent already; whether it is new.
pub fn record_reminder(c: &mut DbConn, term_id: i64, appointment_id: i64, days: u32) -> Result<bool, ApiError> {
    let days = i32::try_from(days).unwrap_or(i32::MAX);
    let sent: i64 = term_reminders::table
        .filter(term_reminders::term_id.eq(term_id))
        .filter(term_reminders::appointment_id.eq(appointment_id))
        .filter(term_reminders::days_before.eq(days))
        .count()
        .get_result(c)?;
    if sent > 0 {
        return Ok(false);
    }
    diesel::insert_into(term_reminders::table)
        .values((
            term_reminders::term_id.eq(term_id),
            term_reminders::appointment_id.eq(appointment_id),
            term_reminders::days_before.eq(days),
            term_reminders::sent_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
    Ok(true)
}
