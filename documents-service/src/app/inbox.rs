//! Turns received events into documents: a 聘书 on appointment (replacing the previous one on
//! renewal), a notice on dismissal, lapse and resignation, revocation on an early end, a
//! 荣誉证书 on commendation. Each event is handled once, its mark stored in the transaction
//! that stores its work (a document is rendered before that transaction, see `issuing`);
//! a failing event stays unprocessed with its error and attempts, visible, and is retried;
//! one that fails for a lasting reason is parked as a dead letter, listed and replayable.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;
use service_kit::db::write_tx;
use service_kit::pagination::{Page, Window};
use service_kit::queue::{DEFAULT_LEASE, Heartbeat, Holder, Queue, RetryPolicy, Wake};
use service_kit::{ApiError, Code, Db, DbConn};

use alliance_events::{Event, ToDocuments};

use super::issuing::{Issued, Press, issue, revoke};
use crate::db::inbox;
use crate::db::models::{DeadLetter, InboxEvent, InboxUpdate, NewInboxEvent};
use crate::domain::kinds::DocumentKind;
pub use crate::domain::requests::{ISSUER, appointment_request};
use crate::domain::requests::{Work, work_for};

/// Received events not yet handled, nor parked, and due.
pub const QUEUE: Queue = Queue::new(
    "inbox_events",
    "processed_at IS NULL AND dead_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $1)",
    "id",
);

/// Attempts after which an event that fails for a lasting reason is parked.
pub const DEAD_AFTER: i32 = 3;

/// Between attempts: 2 s doubling, at most an hour; a transient cause is retried as long as it lasts.
const RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(2),
    cap: Duration::from_secs(3600),
    give_up_after: None,
    max_attempts: None,
};

pub struct Processor {
    pub press: Press,
    pub today: fn() -> NaiveDate,
    /// Woken after a pass that handled events: their mail is queued, send it now.
    pub mail: Wake,
}

/// What the inbox handler wakes when it has stored an event (app data of its own type).
#[derive(Clone, Default)]
pub struct InboxWake(pub Wake);

impl Processor {
    /// Handles one event and marks it handled, if `holder` still holds its claim (`false`
    /// when it does not: nothing is stored then). An event that does not match its kind's
    /// definition (`alliance_events`) is refused with 422 `invalid_event`, and so parked after
    /// a few tries: nothing is printed from a guess.
    pub fn handle(&self, conn: &mut DbConn, holder: &Holder, id: i64, event: &InboxEvent) -> Result<bool, ApiError> {
        let payload: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
        let parsed = ToDocuments::parse(&event.kind, &payload)?;
        // Runs in the transaction that stores the event's work. A claim taken over (this
        // worker stalled past its lease) is not ours to finish.
        let mark = |c: &mut DbConn| -> Result<bool, ApiError> {
            if !QUEUE.holds(c, holder, id)? {
                return Ok(false);
            }
            let done = InboxUpdate {
                processed_at: Some(Some(Utc::now().naive_utc())),
                claimed_by: Some(None),
                claimed_until: Some(None),
                ..InboxUpdate::default()
            };
            inbox::update(c, id, &done)?;
            Ok(true)
        };
        match work_for(&event.event_id, &parsed) {
            Work::Issue(req) => {
                let issued = issue(conn, &self.press, (self.today)(), *req, mark)?;
                Ok(!matches!(issued, Issued::NotOurs))
            }
            Work::Revoke { subject, reason } => write_tx(conn, |c| {
                if !mark(c)? {
                    return Ok(false);
                }
                revoke(c, DocumentKind::AppointmentCertificate, &subject, &reason)?;
                Ok(true)
            }),
            Work::Nothing => {
                tracing::info!(
                    event_id = event.event_id,
                    kind = event.kind,
                    "event received; nothing to print"
                );
                write_tx(conn, mark)
            }
        }
    }

    /// One pass: claims due events (exclusive across replicas, leases renewed while it
    /// works), handles each, and parks as a dead letter an event that failed [`DEAD_AFTER`]
    /// times for a reason that will not go away. Returns how many were handled.
    pub fn run_once(&self, db: &Db, holder: &Holder, lease: Duration) -> Result<usize, ApiError> {
        let mut conn = db.get()?;
        let ids = QUEUE.claim(&mut conn, holder, 20, lease)?;
        if ids.is_empty() {
            return Ok(0);
        }
        let _beat = Heartbeat::start(db.clone(), QUEUE, holder.clone(), ids.clone(), lease);
        let mut handled = 0;
        for id in ids {
            let event = inbox::get(&mut conn, id)?;
            match self.handle(&mut conn, holder, id, &event) {
                Ok(true) => handled += 1,
                Ok(false) => {}
                Err(e) => failed(&mut conn, holder, id, &event, &e)?,
            }
        }
        Ok(handled)
    }
}

/// Records a failed attempt (the claim released), parking the event as a dead letter when it
/// failed [`DEAD_AFTER`] times for a lasting reason.
fn failed(conn: &mut DbConn, holder: &Holder, id: i64, event: &InboxEvent, e: &ApiError) -> Result<(), ApiError> {
    let (event_id, kind) = (&event.event_id, &event.kind);
    let attempts = event.attempts.saturating_add(1);
    let now = Utc::now().naive_utc();
    let dead = lasting(e) && attempts >= DEAD_AFTER;
    if dead {
        tracing::error!(event_id, kind, attempts, error = %e,
            "event parked as a dead letter (GET /api/v1/documents/failed-events; replay after a fix)");
    } else {
        tracing::warn!(event_id, kind, attempts, error = %e, "event not processed; will retry");
    }
    let wait = chrono::Duration::from_std(RETRY.delay(attempts)).unwrap_or(chrono::Duration::hours(1));
    let change = InboxUpdate {
        attempts: Some(attempts),
        last_error: Some(Some(format!("{}: {e}", e.code()))),
        next_attempt_at: Some(Some(now + wait)),
        dead_at: Some(dead.then_some(now)),
        claimed_by: Some(None),
        claimed_until: Some(None),
        ..InboxUpdate::default()
    };
    inbox::update_held(conn, id, holder, &change)
}

/// Whether an event's failure will come back however often it is tried: the event itself is
/// wrong (a 4xx: bad or missing data, a character no font has, an unknown kind), as opposed to
/// the database or the renderer failing for now.
fn lasting(e: &ApiError) -> bool {
    let s = e.status();
    s.is_client_error() && !matches!(s.as_u16(), 408 | 409 | 429)
}

/// Replays a dead letter after a fix: it is tried again at once, its count started anew.
/// `None` when there is no such event; 409 when it is not a dead letter.
pub fn replay(conn: &mut DbConn, event_id: &str) -> Result<Option<()>, ApiError> {
    write_tx(conn, |c| match inbox::dead_at(c, event_id)? {
        None => Ok(None),
        Some(None) => Err(ApiError::conflict(
            Code::EventNotFailed,
            format!("event {event_id} is not a dead letter; only those can be replayed"),
        )),
        Some(Some(_)) => {
            let again = InboxUpdate {
                dead_at: Some(None),
                attempts: Some(0),
                next_attempt_at: Some(Some(Utc::now().naive_utc())),
                ..InboxUpdate::default()
            };
            inbox::update_by_event_id(c, event_id, &again)?;
            Ok(Some(()))
        }
    })
}

/// A page of dead letters.
pub fn dead_letters(c: &mut DbConn, w: Window) -> Result<Page<DeadLetter>, ApiError> {
    inbox::dead_letters(c, w)
}

/// An event's envelope once checked (`api::inbox` parses it).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub event_id: String,
    pub source: String,
    pub kind: String,
    pub occurred_at: NaiveDateTime,
    pub payload: Value,
}

/// Stores a received event unless it was received before; `true` when it is new.
pub async fn receive(db: &Db, envelope: Envelope) -> Result<bool, ApiError> {
    let payload = serde_json::to_string(&envelope.payload).map_err(ApiError::internal)?;
    db.write(move |c| {
        let row = NewInboxEvent {
            event_id: &envelope.event_id,
            source: &envelope.source,
            kind: &envelope.kind,
            payload: &payload,
            occurred_at: envelope.occurred_at,
            received_at: Utc::now().naive_utc(),
            attempts: 0,
        };
        inbox::insert_new(c, &row)
    })
    .await
}

/// Handles received events until the service stops; first releases what this worker's earlier
/// life still held.
pub fn spawn_worker(
    db: Db,
    processor: Arc<Processor>,
    holder: Holder,
    poll: Duration,
    wake: InboxWake,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let h = holder.clone();
        match db.run(move |c| QUEUE.release_earlier(c, &h)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "inbox events of an earlier run released"),
            Err(e) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
        }
        loop {
            let (db2, p, h) = (db.clone(), processor.clone(), holder.clone());
            let mail = processor.mail.clone();
            match tokio::task::spawn_blocking(move || p.run_once(&db2, &h, DEFAULT_LEASE)).await {
                Ok(Ok(n)) if n > 0 => {
                    mail.wake();
                    continue;
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = ?e, "inbox pass failed; will retry"),
                Err(e) => tracing::warn!(error = %e, "inbox pass panicked; will retry"),
            }
            wake.0.wait(poll).await;
        }
    })
}
