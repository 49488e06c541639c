//! Queries of batches and their items.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{BatchRow, ItemOutcome, NewBatch, NewBatchItem, PendingItem};
use super::schema::{batch_items as i, batches as t};
use crate::domain::states::{BatchItemStatus, BatchStatus};

pub fn find(c: &mut DbConn, id: i64) -> Result<BatchRow, ApiError> {
    t::table
        .find(id)
        .select(BatchRow::as_select())
        .first(c)
        .found(|| format!("no batch {id}"))
}

/// The batch made with this idempotency key, if any.
pub fn by_key(c: &mut DbConn, key: &str) -> Result<Option<i64>, ApiError> {
    Ok(t::table
        .filter(t::idempotency_key.eq(key))
        .select(t::id)
        .first(c)
        .optional()?)
}

/// The first `n` failed items of a batch: (appointment id, error).
pub fn failures(c: &mut DbConn, batch_id: i64, n: i64) -> Result<Vec<(i64, Option<String>)>, ApiError> {
    Ok(i::table
        .filter(i::batch_id.eq(batch_id))
        .filter(i::status.eq(BatchItemStatus::Failed))
        .order(i::id)
        .limit(n)
        .select((i::appointment_id, i::error))
        .load(c)?)
}

/// A page of batches, in id order.
pub fn list(c: &mut DbConn, status: Option<BatchStatus>, w: Window) -> Result<Page<BatchRow>, ApiError> {
    let mut q = t::table
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select(BatchRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(t::status.eq(s));
    }
    Ok(w.page(q.load(c)?, |b| b.id))
}

/// Stores a batch and its items (`items`: appointment id and facts as JSON); returns its id.
pub fn insert(c: &mut DbConn, new: &NewBatch, items: Vec<(i64, String)>) -> Result<i64, ApiError> {
    let id: i64 = diesel::insert_into(t::table)
        .values(new)
        .returning(t::id)
        .get_result(c)?;
    for (appointment_id, facts) in items {
        let item = NewBatchItem {
            batch_id: id,
            appointment_id,
            facts,
            status: BatchItemStatus::Pending,
        };
        diesel::insert_into(i::table).values(&item).execute(c)?;
    }
    Ok(id)
}

/// The pending items among `ids` (a worker's claimed chunk), in id order.
pub fn pending_of(c: &mut DbConn, ids: &[i64]) -> Result<Vec<PendingItem>, ApiError> {
    Ok(i::table
        .filter(i::id.eq_any(ids))
        .filter(i::status.eq(BatchItemStatus::Pending))
        .order(i::id)
        .select(PendingItem::as_select())
        .load(c)?)
}

/// Marks the batch finished when none of its items is pending any more; whether it did. Call
/// after [`add_counts`] in the same transaction: that update locks the batch's row, so of two
/// workers storing a batch's last chunks at once the later one sees the other's items done.
pub fn finish_if_done(c: &mut DbConn, id: i64, at: NaiveDateTime) -> Result<bool, ApiError> {
    let pending = i::table
        .filter(i::batch_id.eq(id))
        .filter(i::status.eq(BatchItemStatus::Pending));
    let n = diesel::update(t::table.find(id))
        .filter(t::status.eq(BatchStatus::Running))
        .filter(diesel::dsl::not(diesel::dsl::exists(pending)))
        .set((t::status.eq(BatchStatus::Finished), t::finished_at.eq(Some(at))))
        .execute(c)?;
    Ok(n > 0)
}

/// Records an item's outcome and ends its claim.
pub fn set_item(c: &mut DbConn, item: i64, outcome: &ItemOutcome) -> Result<(), ApiError> {
    diesel::update(i::table.find(item))
        .set((
            outcome,
            i::claimed_by.eq(None::<String>),
            i::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)?;
    Ok(())
}

/// Adds a chunk's counts to the batch's.
pub fn add_counts(c: &mut DbConn, id: i64, issued: i32, existing: i32, failed: i32) -> Result<(), ApiError> {
    diesel::update(t::table.find(id))
        .set((
            t::issued.eq(t::issued + issued),
            t::existing.eq(t::existing + existing),
            t::failed.eq(t::failed + failed),
        ))
        .execute(c)?;
    Ok(())
}
