//! The durable mail queue: deliveries are rows; a worker claims due ones (a lease, so two
//! replicas never send the same one at once), sends them, and records every attempt.
//! Transient failures retry with exponential backoff; a permanent failure, or the last of
//! `max_attempts`, ends the delivery as `failed` — reported, not retried forever.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use service_kit::db::write_tx;
use service_kit::{ApiError, Db, DbConn};

use crate::db::models::DeliveryRow;
use crate::db::schema::{deliveries, delivery_attempts, documents};
use crate::domain::kinds::DocumentKind;
use crate::mail::{DocumentMail, Mailer};

const LEASE_SECS: i64 = 120;

/// Backoff after `attempts` failures: 2 s doubling, at most one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = 2i64.saturating_mul(1i64 << attempts.clamp(0, 11)).min(3600);
    chrono::Duration::seconds(secs)
}

fn claim(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> Result<Vec<DeliveryRow>, ApiError> {
    write_tx(conn, |c| {
        let lease_free = deliveries::claimed_until
            .is_null()
            .or(deliveries::claimed_until.lt(now));
        let base = deliveries::table
            .filter(deliveries::status.eq("queued"))
            .filter(deliveries::next_attempt_at.le(now))
            .filter(lease_free)
            .order(deliveries::id)
            .limit(limit);
        let rows: Vec<DeliveryRow> = match c {
            DbConn::Pg(pg) => base
                .select(DeliveryRow::as_select())
                .for_update()
                .skip_locked()
                .load(pg)?,
            DbConn::Sqlite(lite) => base.select(DeliveryRow::as_select()).load(lite)?,
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
            .set(deliveries::claimed_until.eq(Some(now + chrono::Duration::seconds(LEASE_SECS))))
            .execute(c)?;
        Ok(rows)
    })
}

type DocFields = (String, String, String, String, Vec<u8>);

fn record(
    conn: &mut DbConn,
    d: &DeliveryRow,
    result: &Result<(), crate::mail::SendError>,
    max: i32,
) -> Result<(), ApiError> {
    let now = Utc::now().naive_utc();
    let attempts = d.attempts + 1;
    let (status, outcome, detail, next) = match result {
        Ok(()) => ("sent", "sent", String::new(), now),
        Err(e) if e.permanent || attempts >= max => ("failed", "failed", e.detail.clone(), now),
        Err(e) => ("queued", "retry", e.detail.clone(), now + backoff(attempts)),
    };
    write_tx(conn, |c| {
        diesel::insert_into(delivery_attempts::table)
            .values((
                delivery_attempts::delivery_id.eq(d.id),
                delivery_attempts::at.eq(now),
                delivery_attempts::outcome.eq(outcome),
                delivery_attempts::detail.eq(&detail),
            ))
            .execute(c)?;
        diesel::update(deliveries::table.find(d.id))
            .set((
                deliveries::status.eq(status),
                deliveries::attempts.eq(attempts),
                deliveries::next_attempt_at.eq(next),
                deliveries::claimed_until.eq(None::<NaiveDateTime>),
                deliveries::last_error.eq((!detail.is_empty()).then_some(detail.clone())),
                deliveries::sent_at.eq((status == "sent").then_some(now)),
            ))
            .execute(c)?;
        Ok::<(), ApiError>(())
    })?;
    match status {
        "failed" => {
            tracing::warn!(delivery = d.id, recipient = %d.recipient, error = %detail, "delivery failed for good")
        }
        "queued" => tracing::info!(delivery = d.id, attempts, error = %detail, "delivery will be retried"),
        _ => {}
    }
    Ok(())
}

/// One pass: claim, send, record. Returns how many were attempted.
pub async fn run_once(db: &Db, mailer: &Mailer, base_url: &str, max_attempts: i32) -> Result<usize, ApiError> {
    let due = db.run(|c| claim(c, Utc::now().naive_utc(), 10)).await?;
    let n = due.len();
    for d in due {
        let doc_id = d.document_id;
        let doc: DocFields = db
            .run(move |c| {
                Ok(documents::table
                    .find(doc_id)
                    .select((
                        documents::serial,
                        documents::kind,
                        documents::person_name,
                        documents::verify_token,
                        documents::pdf,
                    ))
                    .first(c)?)
            })
            .await?;
        let kind = DocumentKind::parse(&doc.1).unwrap_or(DocumentKind::AppointmentCertificate);
        let verify_url = format!("{}/api/v1/documents/verify/{}", base_url.trim_end_matches('/'), doc.3);
        let result = match mailer.document_message(&DocumentMail {
            kind,
            serial: &doc.0,
            person_name: &doc.2,
            recipient: &d.recipient,
            message_id: &d.message_id,
            verify_url: &verify_url,
            pdf: &doc.4,
        }) {
            Ok(message) => mailer.send(message).await,
            Err(e) => Err(e),
        };
        db.run(move |c| record(c, &d, &result, max_attempts)).await?;
    }
    Ok(n)
}

/// Sends queued deliveries until the server stops.
pub fn spawn_worker(
    db: Db,
    mailer: Arc<Mailer>,
    base_url: String,
    max_attempts: i32,
    poll: Duration,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        loop {
            match run_once(&db, &mailer, &base_url, max_attempts).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "delivery pass failed; will retry"),
            }
            actix_web::rt::time::sleep(poll).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0).num_seconds(), 2);
        assert_eq!(backoff(1).num_seconds(), 4);
        assert_eq!(backoff(5).num_seconds(), 64);
        assert_eq!(backoff(20).num_seconds(), 3600);
    }
}
