//! Queries of the event inbox.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::queue::Holder;
use service_kit::{ApiError, DbConn, per_backend};

use super::models::{DeadLetter, InboxEvent, InboxUpdate, NewInboxEvent};
use super::schema::inbox_events as t;

/// Stores an event unless one with its `event_id` is stored already; whether it was new.
pub fn insert_new(c: &mut DbConn, row: &NewInboxEvent) -> Result<bool, ApiError> {
    let n = per_backend!(c, |conn| diesel::insert_into(t::table)
        .values(row)
        .on_conflict(t::event_id)
        .do_nothing()
        .execute(conn))?;
    Ok(n > 0)
}

pub fn get(c: &mut DbConn, id: i64) -> Result<InboxEvent, ApiError> {
    t::table
        .find(id)
        .select(InboxEvent::as_select())
        .first(c)
        .found(|| format!("no inbox event {id}"))
}

/// One statement for every change of an event.
pub fn update(c: &mut DbConn, id: i64, change: &InboxUpdate) -> Result<(), ApiError> {
    diesel::update(t::table.find(id)).set(change).execute(c)?;
    Ok(())
}

/// As [`update`], only while `holder` still holds the event's claim.
pub fn update_held(c: &mut DbConn, id: i64, holder: &Holder, change: &InboxUpdate) -> Result<(), ApiError> {
    diesel::update(t::table.find(id).filter(t::claimed_by.eq(holder.token())))
        .set(change)
        .execute(c)?;
    Ok(())
}

/// When the event with this `event_id` was parked: `None` when there is no such event,
/// `Some(None)` when it is not a dead letter.
pub fn dead_at(c: &mut DbConn, event_id: &str) -> Result<Option<Option<NaiveDateTime>>, ApiError> {
    Ok(t::table
        .filter(t::event_id.eq(event_id))
        .select(t::dead_at)
        .first(c)
        .optional()?)
}

pub fn update_by_event_id(c: &mut DbConn, event_id: &str, change: &InboxUpdate) -> Result<(), ApiError> {
    diesel::update(t::table.filter(t::event_id.eq(event_id)))
        .set(change)
        .execute(c)?;
    Ok(())
}

/// A page of dead letters, in id order.
pub fn dead_letters(c: &mut DbConn, w: Window) -> Result<Page<DeadLetter>, ApiError> {
    let rows = t::table
        .filter(t::dead_at.is_not_null())
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select(DeadLetter::as_select())
        .load(c)?;
    Ok(w.page(rows, |r| r.id))
}

pub fn count_dead(c: &mut DbConn) -> Result<i64, ApiError> {
    Ok(t::table.filter(t::dead_at.is_not_null()).count().get_result(c)?)
}
