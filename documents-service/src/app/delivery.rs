//! The durable mail queue. Deliveries are rows worked through `service_kit::queue`: a worker
//! claims due ones (exclusive, short leases renewed while it sends), sends each, and records
//! every attempt.
//!
//! Exactly once, as far as SMTP allows: an attempt is written as `sending` (and the delivery's
//! `sending_since` set) *before* the SMTP transaction and its outcome after it. A crash in
//! between leaves the attempt visible; the next worker marks it `interrupted` and sends again
//! with the same Message-ID. That is the one case in which a receiving server may see one
//! message twice (with one Message-ID).
//!
//! Transient failures (4xx answers, an unreachable relay) are retried on a schedule measured in
//! days ([`DEFAULT_RETRY`]: 1 min doubling to 1 h, for 3 days); a permanent failure (5xx), or
//! the end of the schedule, ends the delivery as `failed`: listed, counted on `/metrics`, and
//! retried by hand with `POST /api/v1/documents/deliveries/{id}/retry`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use prometheus::{IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};
use service_kit::db::write_tx;
use service_kit::pagination::{Page, Window};
use service_kit::queue::{Heartbeat, Holder, Next, Queue, RetryPolicy, Wake};
use service_kit::{ApiError, Code, Db, DbConn};

use crate::db::models::{AttemptRow, DeliveryRow, DeliveryUpdate, DocumentMeta};
use crate::db::{deliveries, documents, inbox};
use crate::domain::invitation::Invitation;
use crate::domain::states::{self, AttemptOutcome, DeliveryStatus};
use crate::mail::{DocumentMail, Mailer, SendError, label_of};
use service_kit::calendar::Party;

pub const QUEUE: Queue = Queue::new(
    "deliveries",
    "status = 'queued' AND next_attempt_at <= $1",
    "next_attempt_at, id",
);

/// Mail servers retry for days (Postfix gives up after 5); so do we, for 3.
pub const DEFAULT_RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(60),
    cap: Duration::from_secs(3600),
    give_up_after: Some(Duration::from_secs(3 * 86_400)),
    max_attempts: None,
};

/// Deliveries sent per pass, each in its own attempt.
const PASS: i64 = 10;

/// `documents_deliveries{status}` (queued, sending, failed),
/// `documents_delivery_attempts_total{outcome}` (sent, retry, failed, interrupted), and the
/// inbox's dead letters `documents_inbox_dead_letters`.
#[derive(Clone)]
pub struct DeliveryMetrics {
    by_status: IntGaugeVec,
    attempts: IntCounterVec,
    inbox_dead: IntGauge,
}

impl DeliveryMetrics {
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let m = Self {
            by_status: IntGaugeVec::new(
                Opts::new(
                    "documents_deliveries",
                    "E-mail deliveries by status (queued, sending, failed); sent ones are not counted",
                ),
                &["status"],
            )?,
            attempts: IntCounterVec::new(
                Opts::new(
                    "documents_delivery_attempts_total",
                    "E-mail delivery attempts by outcome",
                ),
                &["outcome"],
            )?,
            inbox_dead: IntGauge::new(
                "documents_inbox_dead_letters",
                "Received events parked after failing for a lasting reason (GET /api/v1/documents/failed-events)",
            )?,
        };
        registry.register(Box::new(m.inbox_dead.clone()))?;
        registry.register(Box::new(m.by_status.clone()))?;
        registry.register(Box::new(m.attempts.clone()))?;
        Ok(m)
    }

    fn refresh(&self, conn: &mut DbConn) -> Result<(), ApiError> {
        self.by_status
            .with_label_values(&[DeliveryStatus::Queued.as_str()])
            .set(deliveries::count(conn, DeliveryStatus::Queued, false)?);
        self.by_status
            .with_label_values(&[DeliveryStatus::Sending.as_str()])
            .set(deliveries::count(conn, DeliveryStatus::Queued, true)?);
        self.by_status
            .with_label_values(&[DeliveryStatus::Failed.as_str()])
            .set(deliveries::count(conn, DeliveryStatus::Failed, false)?);
        self.inbox_dead.set(inbox::count_dead(conn)?);
        Ok(())
    }
}

/// Everything the worker needs.
pub struct DeliveryWorker {
    pub db: Db,
    pub mailer: Arc<Mailer>,
    pub base_url: String,
    pub schedule: Schedule,
    pub holder: Holder,
    pub lease: Duration,
    pub metrics: Option<DeliveryMetrics>,
}

/// Starts an attempt: the claim must still be ours; an attempt a crash left `sending` is
/// closed as `interrupted`; the new one is written as `sending` before any byte goes out.
fn begin_attempt(conn: &mut DbConn, holder: &Holder, id: i64) -> Result<Option<(DeliveryRow, i64)>, ApiError> {
    write_tx(conn, |c| {
        if !QUEUE.holds(c, holder, id)? {
            return Ok(None);
        }
        let d = deliveries::get(c, id)?;
        if d.status != DeliveryStatus::Queued {
            return Ok(None);
        }
        let now = Utc::now().naive_utc();
        let interrupted = deliveries::interrupt_attempts(
            c,
            id,
            "the worker stopped during the SMTP transaction; sent again with the same Message-ID",
        )?;
        if interrupted > 0 {
            tracing::warn!(
                delivery = id,
                "an interrupted attempt is sent again with the same Message-ID"
            );
        }
        let attempt = deliveries::begin_attempt(c, id, now)?;
        let change = DeliveryUpdate {
            attempts: Some(d.attempts.saturating_add(1)),
            sending_since: Some(Some(now)),
            ..DeliveryUpdate::default()
        };
        deliveries::update(c, id, &change)?;
        Ok(Some((d, attempt)))
    })
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum After {
    Sent,
    Failed(String),
    RetryAt(NaiveDateTime, String),
}

fn after(schedule: Schedule, d: &DeliveryRow, result: &Result<(), SendError>, now: NaiveDateTime) -> After {
    let attempts = d.attempts.saturating_add(1);
    match result {
        Ok(()) => After::Sent,
        Err(e) if e.permanent => After::Failed(e.detail.clone()),
        Err(e) if schedule.max_attempts > 0 && attempts >= schedule.max_attempts => {
            After::Failed(format!("{} (after {attempts} attempts)", e.detail))
        }
        Err(e) => match schedule
            .retry
            .after_failure(attempts, d.queued_at.unwrap_or(d.created_at), now)
        {
            Next::RetryAt(t) => After::RetryAt(t, e.detail.clone()),
            Next::GiveUp => After::Failed(format!("{} (retried until the schedule ended)", e.detail)),
        },
    }
}

/// When a delivery is given up.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// 0: no count limit.
    pub max_attempts: i32,
    pub retry: RetryPolicy,
}

fn record(
    conn: &mut DbConn,
    holder: &Holder,
    schedule: Schedule,
    d: &DeliveryRow,
    attempt: i64,
    result: &Result<(), SendError>,
) -> Result<AttemptOutcome, ApiError> {
    let now = Utc::now().naive_utc();
    let next = after(schedule, d, result, now);
    let (outcome, detail, next_at) = match &next {
        After::Sent => (AttemptOutcome::Sent, String::new(), now),
        After::Failed(e) => (AttemptOutcome::Failed, e.clone(), now),
        After::RetryAt(t, e) => (AttemptOutcome::Retry, e.clone(), *t),
    };
    let status = states::delivery_status_after(outcome);
    write_tx(conn, |c| {
        // The attempt row is ours whatever became of the claim: its outcome is a fact.
        deliveries::finish_attempt(c, attempt, outcome, &detail)?;
        if !QUEUE.holds(c, holder, d.id)? {
            tracing::warn!(
                delivery = d.id,
                "the claim was taken over during the attempt; its outcome is kept"
            );
            return Ok::<(), ApiError>(());
        }
        let change = DeliveryUpdate {
            status: Some(status),
            next_attempt_at: Some(next_at),
            claimed_by: Some(None),
            claimed_until: Some(None),
            sending_since: Some(None),
            last_error: Some((!detail.is_empty()).then_some(detail.clone())),
            sent_at: Some((status == DeliveryStatus::Sent).then_some(now)),
            ..DeliveryUpdate::default()
        };
        deliveries::update(c, d.id, &change)
    })?;
    match status {
        DeliveryStatus::Failed => {
            tracing::warn!(delivery = d.id, recipient = %d.recipient, error = %detail, "delivery failed")
        }
        DeliveryStatus::Queued => {
            tracing::info!(delivery = d.id, retry_at = %next_at, error = %detail, "delivery will be retried")
        }
        _ => {}
    }
    Ok(outcome)
}

impl DeliveryWorker {
    /// One pass: claim, send, record. Returns how many were attempted.
    pub async fn run_once(&self) -> Result<usize, ApiError> {
        let (holder, lease) = (self.holder.clone(), self.lease);
        let ids = self.db.run(move |c| QUEUE.claim(c, &holder, PASS, lease)).await?;
        if ids.is_empty() {
            return Ok(0);
        }
        let _beat = Heartbeat::start(self.db.clone(), QUEUE, self.holder.clone(), ids.clone(), self.lease);
        let mut attempted = 0;
        for id in ids {
            let holder = self.holder.clone();
            let Some((d, attempt)) = self.db.run(move |c| begin_attempt(c, &holder, id)).await? else {
                continue;
            };
            attempted += 1;
            let result = self.send(&d).await;
            let (holder, schedule) = (self.holder.clone(), self.schedule);
            let outcome = self
                .db
                .run(move |c| record(c, &holder, schedule, &d, attempt, &result))
                .await?;
            if let Some(m) = &self.metrics {
                m.attempts.with_label_values(&[outcome.as_str()]).inc();
            }
        }
        Ok(attempted)
    }

    async fn send(&self, d: &DeliveryRow) -> Result<(), SendError> {
        let doc_id = d.document_id;
        let doc = self
            .db
            .run(move |c| documents::for_mail(c, doc_id))
            .await
            .map_err(|e| SendError {
                permanent: false,
                detail: format!("cannot read the document: {e}"),
            })?;
        let verify_url = format!("{}/v/{}", self.base_url.trim_end_matches('/'), doc.verify_token);
        let data: serde_json::Value = serde_json::from_str(&doc.data).unwrap_or_default();
        // A meeting notice's invitation, for this recipient (issue 13).
        let invitation = data
            .get("invitation")
            .and_then(|v| serde_json::from_value::<Invitation>(v.clone()).ok());
        let reply_url = data.get("reply_url").and_then(serde_json::Value::as_str);
        let feed_url = data.get("feed_url").and_then(serde_json::Value::as_str);
        let ics = invitation.as_ref().map(|i| {
            let attendee = Party {
                name: &doc.person_name,
                email: &d.recipient,
            };
            (
                i.ics(
                    reply_url.unwrap_or(&verify_url),
                    self.mailer.from_address(),
                    attendee,
                    doc.issued_at,
                ),
                i.method(),
            )
        });
        let label = label_of(doc.kind, &data);
        let message = self.mailer.document_message(&DocumentMail {
            label: &label,
            serial: &doc.serial,
            person_name: &doc.person_name,
            recipient: &d.recipient,
            message_id: &d.message_id,
            verify_url: &verify_url,
            pdf: &doc.pdf,
            credential: doc.credential.as_deref(),
            calendar: ics.as_ref().map(|(text, method)| (text.as_str(), *method)),
            reply_url,
            feed_url,
        })?;
        self.mailer.send(message).await
    }

    async fn refresh_metrics(&self) {
        if let Some(m) = self.metrics.clone() {
            let r = self.db.run(move |c| m.refresh(c)).await;
            if let Err(e) = r {
                tracing::warn!(error = %e, "cannot count deliveries");
            }
        }
    }
}

/// Sends queued deliveries until the server stops. First releases what this worker's earlier
/// life (a crash, `kill -9`) still held, so that mail waits seconds, not a lease.
pub fn spawn_worker(worker: DeliveryWorker, poll: Duration, wake: Wake) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let holder = worker.holder.clone();
        match worker.db.run(move |c| QUEUE.release_earlier(c, &holder)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "deliveries of an earlier run released"),
            Err(e) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
        }
        let mut idle_passes = 0u32;
        loop {
            match worker.run_once().await {
                Ok(n) if n > 0 => {
                    worker.refresh_metrics().await;
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "delivery pass failed; will retry"),
            }
            // Gauges every ~5 s when idle.
            idle_passes += 1;
            if idle_passes % 16 == 1 {
                worker.refresh_metrics().await;
            }
            wake.wait(poll).await;
        }
    })
}

/// Queues a failed delivery again at once, its retry schedule started anew (`attempts` counts
/// the attempts of this round; the history keeps all of them). `None` when there is no such
/// delivery; 409 when it has not failed.
pub fn retry_failed(conn: &mut DbConn, id: i64) -> Result<Option<(DeliveryRow, String)>, ApiError> {
    write_tx(conn, |c| {
        let Some(d) = deliveries::find(c, id)? else {
            return Ok(None);
        };
        if d.status != DeliveryStatus::Failed {
            return Err(ApiError::conflict(
                Code::DeliveryNotFailed,
                format!("delivery {id} is {}; only a failed delivery can be retried", d.status),
            ));
        }
        let now = Utc::now().naive_utc();
        let change = DeliveryUpdate {
            status: Some(DeliveryStatus::Queued),
            attempts: Some(0),
            next_attempt_at: Some(now),
            queued_at: Some(Some(now)),
            claimed_by: Some(None),
            claimed_until: Some(None),
            ..DeliveryUpdate::default()
        };
        deliveries::update(c, id, &change)?;
        let d = deliveries::get(c, id)?;
        let serial = documents::serial_of(c, d.document_id)?;
        Ok(Some((d, serial)))
    })
}

/// A page of deliveries across all documents with their documents' serials (`status`: as shown).
pub fn list(
    c: &mut DbConn,
    status: Option<DeliveryStatus>,
    w: Window,
) -> Result<Page<(DeliveryRow, String)>, ApiError> {
    deliveries::list(c, status, w)
}

/// A delivery with every attempt of it, in order.
pub type DeliveryWithAttempts = (DeliveryRow, Vec<AttemptRow>);

/// A document's deliveries with their attempts; 404 for an unknown serial. The document comes
/// along, so the caller can check who may read it.
pub fn of_document(c: &mut DbConn, serial: &str) -> Result<(DocumentMeta, Vec<DeliveryWithAttempts>), ApiError> {
    let meta = documents::by_serial(c, serial)?;
    let rows = deliveries::of_document(c, meta.id)?;
    Ok((meta, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    fn row(attempts: i32, queued: &str) -> DeliveryRow {
        DeliveryRow {
            id: 1,
            document_id: 1,
            recipient: "a@example.cn".into(),
            message_id: "<m@jglm>".into(),
            status: DeliveryStatus::Queued,
            attempts,
            next_attempt_at: t(queued),
            claimed_until: None,
            last_error: None,
            sent_at: None,
            created_at: t(queued),
            sending_since: None,
            queued_at: Some(t(queued)),
        }
    }

    fn transient() -> Result<(), SendError> {
        Err(SendError {
            permanent: false,
            detail: "451 try later".into(),
        })
    }

    #[test]
    fn a_short_outage_is_outlasted_and_the_schedule_ends_after_days() {
        let schedule = Schedule {
            max_attempts: 0,
            retry: DEFAULT_RETRY,
        };
        // Two and a half minutes of 451 (issue 9, point 1) cost three attempts, not the delivery.
        let d = row(3, "2026-12-01 08:00:00");
        assert!(matches!(
            after(schedule, &d, &transient(), t("2026-12-01 08:02:30")),
            After::RetryAt(..)
        ));
        // Days later it is still tried …
        let d = row(60, "2026-12-01 08:00:00");
        assert!(matches!(
            after(schedule, &d, &transient(), t("2026-12-03 08:00:00")),
            After::RetryAt(..)
        ));
        // … until three days have passed.
        assert!(matches!(
            after(schedule, &d, &transient(), t("2026-12-04 07:30:00")),
            After::Failed(_)
        ));
        let permanent = Err(SendError {
            permanent: true,
            detail: "550 no such user".into(),
        });
        assert!(matches!(
            after(
                schedule,
                &row(0, "2026-12-01 08:00:00"),
                &permanent,
                t("2026-12-01 08:00:00")
            ),
            After::Failed(_)
        ));
        // A count limit, when configured, ends it sooner.
        let counted = Schedule {
            max_attempts: 4,
            ..schedule
        };
        assert!(matches!(
            after(
                counted,
                &row(3, "2026-12-01 08:00:00"),
                &transient(),
                t("2026-12-01 08:05:00")
            ),
            After::Failed(_)
        ));
        assert_eq!(
            after(
                schedule,
                &row(0, "2026-12-01 08:00:00"),
                &Ok(()),
                t("2026-12-01 08:00:00")
            ),
            After::Sent
        );
    }
}
