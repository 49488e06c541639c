//! Queries of `activities`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{ActivityChanges, ActivityRow, NewActivityRow};
use super::schema::activities as t;
use crate::domain::activities::{ActivityKind, ActivityStatus};

/// The activity, or 404 `not_found`.
pub fn find(c: &mut DbConn, id: i64) -> Result<ActivityRow, ApiError> {
    t::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(c)
        .found(|| format!("no activity {id}"))
}

/// The activity made earlier with this `Idempotency-Key`.
pub fn by_key(c: &mut DbConn, key: &str) -> Result<Option<ActivityRow>, ApiError> {
    Ok(t::table
        .filter(t::idempotency_key.eq(key))
        .select(ActivityRow::as_select())
        .first(c)
        .optional()?)
}

/// What a list of activities is filtered by.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub body_id: Option<i64>,
    pub kind: Option<ActivityKind>,
    /// First and last day held on (a work year).
    pub held_between: Option<(NaiveDate, NaiveDate)>,
    pub status: Option<ActivityStatus>,
}

/// One page of activities in id order.
pub fn list(c: &mut DbConn, f: Filter, w: Window) -> Result<Page<ActivityRow>, ApiError> {
    let mut q = t::table
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select(ActivityRow::as_select())
        .into_boxed();
    if let Some(b) = f.body_id {
        q = q.filter(t::body_id.eq(b));
    }
    if let Some(k) = f.kind {
        q = q.filter(t::kind.eq(k));
    }
    if let Some((first, last)) = f.held_between {
        q = q.filter(t::held_on.ge(first)).filter(t::held_on.le(last));
    }
    if let Some(s) = f.status {
        q = q.filter(t::status.eq(s));
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

/// Ids of the body's activities on or after `from` that are not cancelled, in id order.
pub fn ahead_of_body(c: &mut DbConn, body_id: i64, from: NaiveDate) -> Result<Vec<i64>, ApiError> {
    Ok(t::table
        .filter(t::body_id.eq(body_id))
        .filter(t::held_on.ge(from))
        .filter(t::status.ne(ActivityStatus::Cancelled))
        .order(t::id)
        .select(t::id)
        .load(c)?)
}

/// The body's activities held on or after `from`, by date, at most `limit` (a calendar feed).
pub fn of_body_since(c: &mut DbConn, body_id: i64, from: NaiveDate, limit: i64) -> Result<Vec<ActivityRow>, ApiError> {
    Ok(t::table
        .filter(t::body_id.eq(body_id))
        .filter(t::held_on.ge(from))
        .order((t::held_on, t::id))
        .limit(limit)
        .select(ActivityRow::as_select())
        .load(c)?)
}

/// Ids of the scheduled activities with notices held after `after` and on or before `until`:
/// those a reminder may be due for.
pub fn with_notices_between(c: &mut DbConn, after: NaiveDate, until: NaiveDate) -> Result<Vec<i64>, ApiError> {
    Ok(t::table
        .filter(t::status.eq(ActivityStatus::Scheduled))
        .filter(t::send_notices.eq(true))
        .filter(t::held_on.gt(after))
        .filter(t::held_on.le(until))
        .order(t::id)
        .select(t::id)
        .load(c)?)
}

/// The activities person `person_id` is invited to, held on or after `from`, by date, at most
/// `limit` (their calendar feed).
pub fn of_person_since(
    c: &mut DbConn,
    person_id: i64,
    from: NaiveDate,
    limit: i64,
) -> Result<Vec<ActivityRow>, ApiError> {
    use super::schema::invitees;
    let ids: Vec<i64> = invitees::table
        .filter(invitees::person_id.eq(person_id))
        .select(invitees::activity_id)
        .distinct()
        .load(c)?;
    Ok(t::table
        .filter(t::id.eq_any(ids))
        .filter(t::held_on.ge(from))
        .order((t::held_on, t::id))
        .limit(limit)
        .select(ActivityRow::as_select())
        .load(c)?)
}

pub fn insert(c: &mut DbConn, row: &NewActivityRow) -> Result<ActivityRow, ApiError> {
    Ok(diesel::insert_into(t::table)
        .values(row)
        .returning(t::all_columns)
        .get_result(c)?)
}

/// Applies `changes` in one UPDATE.
pub fn update(c: &mut DbConn, id: i64, changes: &ActivityChanges) -> Result<(), ApiError> {
    diesel::update(t::table.find(id)).set(changes).execute(c)?;
    Ok(())
}

/// Marks a scheduled activity held (its first attendance is recorded).
pub fn mark_held(c: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(t::table.find(id).filter(t::status.eq(ActivityStatus::Scheduled)))
        .set((t::status.eq(ActivityStatus::Held), t::updated_at.eq(now)))
        .execute(c)?;
    Ok(())
}
