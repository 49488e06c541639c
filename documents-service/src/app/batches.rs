//! Batches: certificates for many appointments at once (e.g. a whole council at the start of a
//! term), issued by a background worker so the request returns at once and progress is visible.
//!
//! The worker takes a batch for one chunk of its pending items at a time (a claim through
//! `service_kit::queue`, renewed while it works, so two replicas never work on the same batch
//! at once, and a crashed one's chunk is free again within one lease): it reserves the chunk's serials in one short
//! transaction, checks glyphs and renders the PDFs on all cores outside any transaction, and
//! stores the chunk (documents, deliveries, item states, batch counters) in one write
//! transaction. A crash loses at most the chunk in hand, which is done again (a serial
//! reserved for it is then skipped: serials may have gaps, never duplicates). Each item is
//! idempotent on its source key `batch:{batch}:{appointment}`.

use std::sync::Arc;
use std::time::Duration;

use alliance_events::AppointmentFacts;
use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;
use service_kit::db::write_tx;
use service_kit::pagination::{Page, Window};
use service_kit::peer::Peers;
use service_kit::queue::{Heartbeat, Holder, Queue, Wake};
use service_kit::{ApiError, Code, Db, DbConn};

use super::inbox::appointment_request;
use super::issuing::{
    DocumentRenderer, IssueRequest, Prepared, existing_for_event, prepare, render_prepared, reserve_serials,
    store_alone,
};
use crate::db::models::{BatchRow, ItemOutcome, NewBatch, PendingItem};
use crate::db::{batches, documents};
use crate::domain::batches::{NotCertifiable, certifiable, list_ids};
use crate::domain::kinds::DocumentKind;
use crate::domain::states::{BatchItemStatus, BatchStatus};

/// Items rendered and stored together; progress moves in these steps.
pub const CHUNK: i64 = 32;
/// Failed items listed with a batch.
const FAILURES_SHOWN: i64 = 100;

/// Wakes the worker when a batch is created, so it starts at once instead of at its next poll.
#[derive(Debug, Clone, Default)]
pub struct BatchWaker(Wake);

impl BatchWaker {
    pub fn wake(&self) {
        self.0.wake();
    }
}

/// What a batch is asked for: exactly one of `appointment_ids` and `body_id` (checked by the API).
#[derive(Debug, Clone)]
pub struct Order {
    pub appointment_ids: Option<Vec<i64>>,
    pub body_id: Option<i64>,
    pub send_mail: bool,
    pub reissue: bool,
    pub requested_by: String,
    pub idempotency_key: Option<String>,
}

/// A batch with its first failed items (appointment id, error).
#[derive(Debug, Clone)]
pub struct BatchState {
    pub row: BatchRow,
    pub failures: Vec<(i64, String)>,
}

/// A batch and its first failures, or 404.
pub fn load(c: &mut DbConn, id: i64) -> Result<BatchState, ApiError> {
    let row = batches::find(c, id)?;
    let failures = batches::failures(c, id, FAILURES_SHOWN)?
        .into_iter()
        .map(|(appointment, error)| (appointment, error.unwrap_or_default()))
        .collect();
    Ok(BatchState { row, failures })
}

/// A page of batches (without their failures).
pub fn list(c: &mut DbConn, status: Option<BatchStatus>, w: Window) -> Result<Page<BatchRow>, ApiError> {
    batches::list(c, status, w)
}

#[derive(Deserialize)]
struct FactsAnswer {
    items: Vec<AppointmentFacts>,
}

/// The appointments' facts from members-service; every named appointment must exist and be active.
async fn fetch_facts(peers: &Peers, order: &Order) -> Result<Vec<AppointmentFacts>, ApiError> {
    let path = match (&order.appointment_ids, order.body_id) {
        (Some(ids), _) => format!("/internal/v1/appointment-facts?ids={}", list_ids(ids).replace(' ', "")),
        (None, Some(body)) => format!("/internal/v1/appointment-facts?body_id={body}"),
        (None, None) => return Ok(Vec::new()),
    };
    let answer: FactsAnswer = peers.get_json("members", &path).await?;
    certifiable(order.appointment_ids.as_deref(), answer.items).map_err(|e| match e {
        NotCertifiable::Missing(ids) => ApiError::unprocessable(
            Code::AppointmentsNotFound,
            format!("no such appointments: {}", list_ids(&ids)),
        ),
        NotCertifiable::Inactive(ids) => ApiError::unprocessable(
            Code::AppointmentsNotActive,
            format!(
                "only active appointments get a certificate; not active: {}",
                list_ids(&ids)
            ),
        ),
        NotCertifiable::Empty => {
            ApiError::unprocessable(Code::NoAppointments, "the body has no active appointments to certify")
        }
    })
}

/// Makes a batch, or returns the one made earlier with the same idempotency key; `true` when
/// it is new (the worker is then woken).
pub async fn create(db: &Db, peers: &Peers, waker: &BatchWaker, order: Order) -> Result<(BatchState, bool), ApiError> {
    if let Some(k) = order.idempotency_key.clone() {
        let earlier = db
            .run(move |c| batches::by_key(c, &k)?.map(|id| load(c, id)).transpose())
            .await?;
        if let Some(batch) = earlier {
            return Ok((batch, false));
        }
    }
    let facts = fetch_facts(peers, &order).await?;
    let made = db
        .write(move |c| {
            // A concurrent request with the same key may have won the race.
            if let Some(k) = &order.idempotency_key
                && let Some(id) = batches::by_key(c, k)?
            {
                return Ok((load(c, id)?, false));
            }
            let items = facts
                .iter()
                .map(|f| Ok((f.appointment_id, serde_json::to_string(f).map_err(ApiError::internal)?)))
                .collect::<Result<Vec<_>, ApiError>>()?;
            let new = NewBatch {
                kind: DocumentKind::AppointmentCertificate,
                status: BatchStatus::Running,
                send_mail: order.send_mail,
                reissue: order.reissue,
                total: i32::try_from(facts.len()).map_err(ApiError::internal)?,
                requested_by: &order.requested_by,
                idempotency_key: order.idempotency_key.as_deref(),
                created_at: Utc::now().naive_utc(),
            };
            let id = batches::insert(c, &new, items)?;
            Ok((load(c, id)?, true))
        })
        .await?;
    if made.1 {
        waker.wake();
    }
    Ok(made)
}

pub struct BatchRunner {
    pub db: Db,
    pub renderer: Arc<dyn DocumentRenderer>,
    pub public_base_url: String,
    pub today: fn() -> NaiveDate,
    /// Rendering threads (the machine's cores by default).
    pub threads: usize,
    /// This instance in claims.
    pub holder: Holder,
    /// Renewed while a chunk is worked, so a crashed replica's chunk is free within one lease.
    pub lease: Duration,
}

/// What became of one item of a chunk.
enum Outcome {
    Existing(i64),
    Rendered(Box<Prepared>, Vec<u8>),
    Failed(String),
}

/// Running batches; a claim covers one chunk, so replicas take turns chunk by chunk.
pub const QUEUE: Queue = Queue::new("batches", "status = 'running'", "id");

fn claim(c: &mut DbConn, holder: &Holder, lease: Duration) -> Result<Option<BatchRow>, ApiError> {
    match QUEUE.claim(c, holder, 1, lease)?.into_iter().next() {
        Some(id) => Ok(Some(batches::find(c, id)?)),
        None => Ok(None),
    }
}

/// Clears this holder's claim on a batch (the end of a chunk).
fn release(c: &mut DbConn, holder: &Holder, batch_id: i64) -> Result<(), ApiError> {
    QUEUE.release(c, holder, &[batch_id]).map(|_| ())
}

impl BatchRunner {
    /// Works one chunk of one batch; `false` when there was nothing to do.
    pub fn run_once(&self) -> Result<bool, ApiError> {
        let mut conn = self.db.get()?;
        let Some(batch) = claim(&mut conn, &self.holder, self.lease)? else {
            return Ok(false);
        };
        let _beat = Heartbeat::start(self.db.clone(), QUEUE, self.holder.clone(), vec![batch.id], self.lease);
        let items = batches::pending(&mut conn, batch.id, CHUNK)?;
        if items.is_empty() {
            self.finish(&mut conn, batch.id)?;
            return Ok(true);
        }
        let outcomes = self.work(&mut conn, &batch, &items)?;
        self.save(&mut conn, batch.id, &items, outcomes)?;
        Ok(true)
    }

    /// Marks a batch without pending items finished (if the claim is still ours).
    fn finish(&self, conn: &mut DbConn, batch_id: i64) -> Result<(), ApiError> {
        let finished = write_tx(conn, |c| {
            if !QUEUE.holds(c, &self.holder, batch_id)? {
                return Ok::<bool, ApiError>(false);
            }
            batches::finish(c, batch_id, Utc::now().naive_utc())?;
            release(c, &self.holder, batch_id)?;
            Ok(true)
        })?;
        if finished {
            tracing::info!(batch_id, "batch finished");
        }
        Ok(())
    }

    /// What to do for one item: `Ok(req)` to issue, `Err(outcome)` when it is decided already.
    fn decide(
        &self,
        conn: &mut DbConn,
        batch: &BatchRow,
        item: &PendingItem,
    ) -> Result<Result<IssueRequest, Outcome>, ApiError> {
        // Stored from members-service's answer when the batch was made; one that cannot be
        // read fails alone, with the reason, instead of printing a blank certificate.
        let facts: AppointmentFacts = match serde_json::from_str(&item.facts) {
            Ok(f) => f,
            Err(e) => {
                return Ok(Err(Outcome::Failed(format!(
                    "the appointment's facts cannot be read: {e}"
                ))));
            }
        };
        let recipients = if batch.send_mail {
            facts.person_email.clone().into_iter().collect()
        } else {
            Vec::new()
        };
        let key = format!("batch:{}:{}", batch.id, item.appointment_id);
        // A reissued certificate supersedes the valid one of the same appointment (`store`).
        let req = appointment_request(&key, DocumentKind::AppointmentCertificate, &facts, recipients);
        let subject = format!("appointment:{}", item.appointment_id);
        // Done before a crash, or (without reissue) certified already: nothing to render.
        let done = existing_for_event(conn, &req)?.map(|d| d.id);
        let valid = if done.is_none() && !batch.reissue {
            documents::valid_about(conn, &subject, DocumentKind::AppointmentCertificate)?
        } else {
            None
        };
        Ok(match done.or(valid) {
            Some(id) => Err(Outcome::Existing(id)),
            None => Ok(req),
        })
    }

    /// Decides, prepares and renders the chunk; nothing is written but the serial counter.
    fn work(&self, conn: &mut DbConn, batch: &BatchRow, items: &[PendingItem]) -> Result<Vec<Outcome>, ApiError> {
        let today = (self.today)();
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
        let mut requests = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match self.decide(conn, batch, item)? {
                Ok(req) => {
                    outcomes.push(None);
                    requests.push((i, req));
                }
                Err(outcome) => outcomes.push(Some(outcome)),
            }
        }
        if !requests.is_empty() {
            let n = i32::try_from(requests.len()).map_err(ApiError::internal)?;
            let first = write_tx(conn, |c| {
                reserve_serials(c, DocumentKind::AppointmentCertificate, today.year(), n)
            })?;
            let prepared: Vec<(usize, Prepared)> = requests
                .into_iter()
                .zip(first..)
                .map(|((i, req), seq)| (i, prepare(req, &self.public_base_url, today, seq)))
                .collect();
            for (i, outcome) in self.render_all(prepared) {
                outcomes[i] = Some(outcome);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::Failed("not rendered".into())))
            .collect())
    }

    /// Renders on `threads` threads; typst's layout is single-threaded per document, so the
    /// documents are spread over the cores.
    fn render_all(&self, prepared: Vec<(usize, Prepared)>) -> Vec<(usize, Outcome)> {
        let threads = self.threads.clamp(1, prepared.len().max(1));
        let per = prepared.len().div_ceil(threads);
        let renderer = &*self.renderer;
        let mut parts: Vec<Vec<(usize, Prepared)>> = Vec::new();
        let mut rest = prepared;
        while rest.len() > per {
            let tail = rest.split_off(per);
            parts.push(rest);
            rest = tail;
        }
        parts.push(rest);
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    scope.spawn(move || {
                        part.into_iter()
                            .map(|(i, p)| match render_prepared(renderer, &p) {
                                Ok(pdf) => (i, Outcome::Rendered(Box::new(p), pdf)),
                                Err(e) => {
                                    tracing::warn!(serial = %p.serial, error = %e, "batch item not rendered");
                                    (i, Outcome::Failed(e.to_string()))
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    // A panicked thread's items stay unrendered and are reported as failed.
                    h.join().unwrap_or_default()
                })
                .collect()
        })
    }

    /// Stores the chunk in one transaction: each document in a savepoint, so one bad item
    /// fails alone. Nothing is stored when the claim was taken over meanwhile (this worker
    /// stalled past its lease): the other worker does the chunk, and only its result counts.
    fn save(
        &self,
        conn: &mut DbConn,
        batch_id: i64,
        items: &[PendingItem],
        outcomes: Vec<Outcome>,
    ) -> Result<(), ApiError> {
        write_tx(conn, |c| {
            if !QUEUE.holds(c, &self.holder, batch_id)? {
                tracing::warn!(
                    batch_id,
                    "the batch was taken over during a chunk; the chunk is left to the new holder"
                );
                return Ok(());
            }
            let (mut issued, mut existing, mut failed) = (0, 0, 0);
            for (item, outcome) in items.iter().zip(outcomes) {
                let outcome = match outcome {
                    Outcome::Existing(id) => ItemOutcome {
                        status: BatchItemStatus::Existing,
                        document_id: Some(id),
                        error: None,
                    },
                    Outcome::Rendered(p, pdf) => match store_alone(c, &p, &pdf) {
                        Ok(doc) => ItemOutcome {
                            status: BatchItemStatus::Issued,
                            document_id: Some(doc.id),
                            error: None,
                        },
                        Err(e) => {
                            tracing::warn!(item = item.id, error = %e, "batch item not stored");
                            failed_item(e.to_string())
                        }
                    },
                    Outcome::Failed(e) => failed_item(e),
                };
                match outcome.status {
                    BatchItemStatus::Issued => issued += 1,
                    BatchItemStatus::Existing => existing += 1,
                    BatchItemStatus::Failed | BatchItemStatus::Pending => failed += 1,
                }
                batches::set_item(c, item.id, &outcome)?;
            }
            batches::add_counts(c, batch_id, issued, existing, failed)?;
            // The claim covers one chunk; the next pass (of any replica) takes the batch again.
            release(c, &self.holder, batch_id)?;
            Ok(())
        })
    }
}

fn failed_item(error: String) -> ItemOutcome {
    ItemOutcome {
        status: BatchItemStatus::Failed,
        document_id: None,
        error: Some(error),
    }
}

/// Runs batches until the service stops: at once when woken, else every `poll`.
pub fn spawn_worker(
    runner: Arc<BatchRunner>,
    waker: BatchWaker,
    poll: Duration,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let r = runner.clone();
        match tokio::task::spawn_blocking(move || {
            let mut c = r.db.get()?;
            QUEUE.release_earlier(&mut c, &r.holder)
        })
        .await
        {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(released = n, "batches of an earlier run released"),
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
            Err(e) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
        }
        loop {
            let r = runner.clone();
            match tokio::task::spawn_blocking(move || r.run_once()).await {
                Ok(Ok(true)) => continue,
                Ok(Ok(false)) => {}
                Ok(Err(e)) => tracing::warn!(error = ?e, "batch pass failed; will retry"),
                Err(e) => tracing::warn!(error = %e, "batch pass panicked; will retry"),
            }
            waker.0.wait(poll).await;
        }
    })
}
