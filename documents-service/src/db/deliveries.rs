//! Queries of the mail queue: deliveries and their attempts.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{AttemptRow, DeliveryRow, DeliveryUpdate, NewDelivery};
use super::schema::{deliveries as t, delivery_attempts as a, documents};
use crate::domain::states::{AttemptOutcome, DeliveryStatus};

pub fn find(c: &mut DbConn, id: i64) -> Result<Option<DeliveryRow>, ApiError> {
    Ok(t::table.find(id).select(DeliveryRow::as_select()).first(c).optional()?)
}

pub fn get(c: &mut DbConn, id: i64) -> Result<DeliveryRow, ApiError> {
    t::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(c)
        .found(|| format!("no delivery {id}"))
}

/// A page of deliveries across all documents, each with its document's serial, in id order.
/// `status` is the status shown: sending is a queued delivery whose SMTP transaction began.
pub fn list(
    c: &mut DbConn,
    status: Option<DeliveryStatus>,
    w: Window,
) -> Result<Page<(DeliveryRow, String)>, ApiError> {
    let mut q = t::table
        .inner_join(documents::table)
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select((DeliveryRow::as_select(), documents::serial))
        .into_boxed();
    q = match status {
        None => q,
        Some(s @ (DeliveryStatus::Sent | DeliveryStatus::Failed)) => q.filter(t::status.eq(s)),
        Some(DeliveryStatus::Sending) => q
            .filter(t::status.eq(DeliveryStatus::Queued))
            .filter(t::sending_since.is_not_null()),
        Some(DeliveryStatus::Queued) => q
            .filter(t::status.eq(DeliveryStatus::Queued))
            .filter(t::sending_since.is_null()),
    };
    Ok(w.page(q.load(c)?, |(d, _)| d.id))
}

/// The deliveries of one document, with every attempt of each, in order.
pub fn of_document(c: &mut DbConn, document_id: i64) -> Result<Vec<(DeliveryRow, Vec<AttemptRow>)>, ApiError> {
    let rows: Vec<DeliveryRow> = t::table
        .filter(t::document_id.eq(document_id))
        .order(t::id)
        .select(DeliveryRow::as_select())
        .load(c)?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let attempts: Vec<AttemptRow> = a::table
        .filter(a::delivery_id.eq_any(ids))
        .order(a::id)
        .select(AttemptRow::as_select())
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|d| {
            let history = attempts.iter().filter(|x| x.delivery_id == d.id).cloned().collect();
            (d, history)
        })
        .collect())
}

/// Deliveries in `status` (`sending`: only those whose SMTP transaction began).
pub fn count(c: &mut DbConn, status: DeliveryStatus, sending: bool) -> Result<i64, ApiError> {
    let q = t::table.filter(t::status.eq(status)).into_boxed();
    let q = if sending {
        q.filter(t::sending_since.is_not_null())
    } else {
        q
    };
    Ok(q.count().get_result(c)?)
}

pub fn insert(c: &mut DbConn, new: &NewDelivery) -> Result<(), ApiError> {
    diesel::insert_into(t::table).values(new).execute(c)?;
    Ok(())
}

/// One statement for every change of a delivery.
pub fn update(c: &mut DbConn, id: i64, change: &DeliveryUpdate) -> Result<(), ApiError> {
    diesel::update(t::table.find(id)).set(change).execute(c)?;
    Ok(())
}

/// Closes the attempts of a delivery that a crash left `sending` as interrupted.
pub fn interrupt_attempts(c: &mut DbConn, delivery_id: i64, detail: &str) -> Result<usize, ApiError> {
    Ok(diesel::update(
        a::table
            .filter(a::delivery_id.eq(delivery_id))
            .filter(a::outcome.eq(AttemptOutcome::Sending)),
    )
    .set((a::outcome.eq(AttemptOutcome::Interrupted), a::detail.eq(detail)))
    .execute(c)?)
}

/// Writes a new attempt as `sending` and returns its id.
pub fn begin_attempt(c: &mut DbConn, delivery_id: i64, at: NaiveDateTime) -> Result<i64, ApiError> {
    diesel::insert_into(a::table)
        .values((
            a::delivery_id.eq(delivery_id),
            a::at.eq(at),
            a::outcome.eq(AttemptOutcome::Sending),
            a::detail.eq(""),
        ))
        .execute(c)?;
    a::table
        .filter(a::delivery_id.eq(delivery_id))
        .select(diesel::dsl::max(a::id))
        .first::<Option<i64>>(c)?
        .ok_or_else(|| ApiError::internal("the attempt just written is gone"))
}

pub fn finish_attempt(c: &mut DbConn, attempt: i64, outcome: AttemptOutcome, detail: &str) -> Result<(), ApiError> {
    diesel::update(a::table.find(attempt))
        .set((a::outcome.eq(outcome), a::detail.eq(detail)))
        .execute(c)?;
    Ok(())
}
