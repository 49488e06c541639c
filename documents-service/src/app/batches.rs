//! Batches: certificates for many appointments at once (e.g. a whole council at the start of a
//! term), issued by a background worker so the request returns at once and progress is visible.
//!
//! Workers (one more than the cores, in every replica) each claim the next chunk of pending
//! items of any running batch (a claim through `service_kit::queue`, renewed while it works,
//! so no two workers take the same item and a crashed one's chunk is free again within one
//! lease): a worker reserves its chunk's serials in one short transaction, checks glyphs and
//! renders the PDFs with no transaction open, and stores the chunk (documents, deliveries,
//! item states, batch counters, the batch's end) in one write transaction. While one worker
//! stores, the others render, so the cores stay busy and replicas share a batch chunk by
//! chunk. A crash loses at most the chunks in hand, which are done again (a serial reserved
//! for them is then skipped: serials may have gaps, never duplicates). Each item is
//! idempotent on its source key `batch:{batch}:{appointment}`.

use std::collections::btree_map::BTreeMap;
use std::collections::hash_map::{Entry, HashMap};
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
    IssueRequest, Prepared, Press, existing_for_event, prepare, render_prepared, reserve_serials, store_alone,
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
    pub press: Press,
    pub today: fn() -> NaiveDate,
    /// This instance in claims.
    pub holder: Holder,
    /// Renewed while a chunk is worked, so a crashed replica's chunk is free within one lease.
    pub lease: Duration,
    /// Woken after a chunk with mail is stored: its deliveries are queued, send them now.
    pub mail: Wake,
    /// The batch workers' own: a worker that claimed a full chunk wakes another for the next.
    pub waker: BatchWaker,
}

/// What became of one item of a chunk.
enum Outcome {
    Existing(i64),
    Rendered(Box<Prepared>, Vec<u8>),
    Failed(String),
}

/// Pending items of running batches. A worker claims the next [`CHUNK`] of them, whatever
/// their batch, so every worker of every replica works a different chunk of a batch at once.
pub const ITEMS: Queue = Queue::new("batch_items", "status = 'pending'", "id");

impl BatchRunner {
    /// Claims, renders and stores one chunk; `false` when no item was waiting.
    pub fn run_once(&self) -> Result<bool, ApiError> {
        let mut conn = self.db.get()?;
        let ids = ITEMS.claim(&mut conn, &self.holder, CHUNK, self.lease)?;
        if ids.is_empty() {
            return Ok(false);
        }
        if ids.len() as i64 == CHUNK {
            // There may be more: a resting worker takes the next chunk while this one renders.
            self.waker.wake();
        }
        let _beat = Heartbeat::start(self.db.clone(), ITEMS, self.holder.clone(), ids.clone(), self.lease);
        let items = batches::pending_of(&mut conn, &ids)?;
        let mut owners: HashMap<i64, BatchRow> = HashMap::new();
        for item in &items {
            if let Entry::Vacant(e) = owners.entry(item.batch_id) {
                e.insert(batches::find(&mut conn, item.batch_id)?);
            }
        }
        let outcomes = self.work(&mut conn, &owners, &items)?;
        let mail = items
            .iter()
            .any(|i| owners.get(&i.batch_id).is_some_and(|b| b.send_mail));
        self.save(&mut conn, &items, outcomes)?;
        if mail {
            self.mail.wake();
        }
        Ok(true)
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

    /// Decides, prepares and renders the chunk on this thread (the other workers render the
    /// other chunks); nothing is written but the serial counter.
    fn work(
        &self,
        conn: &mut DbConn,
        owners: &HashMap<i64, BatchRow>,
        items: &[PendingItem],
    ) -> Result<Vec<Outcome>, ApiError> {
        let today = (self.today)();
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
        let mut requests = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let batch = owners
                .get(&item.batch_id)
                .ok_or_else(|| ApiError::internal(format!("batch {} not loaded", item.batch_id)))?;
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
            let first = reserve_serials(conn, DocumentKind::AppointmentCertificate, today.year(), n)?;
            for ((i, req), seq) in requests.into_iter().zip(first..) {
                let p = match prepare(req, &self.press, today, seq) {
                    Ok(p) => p,
                    Err(e) => {
                        outcomes[i] = Some(Outcome::Failed(e.to_string()));
                        continue;
                    }
                };
                outcomes[i] = Some(match render_prepared(&*self.press.renderer, &p) {
                    Ok(pdf) => Outcome::Rendered(Box::new(p), pdf),
                    Err(e) => {
                        self.press.tally.add("failed", 1);
                        tracing::warn!(serial = %p.serial, error = %e, "batch item not rendered");
                        Outcome::Failed(e.to_string())
                    }
                });
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::Failed("not rendered".into())))
            .collect())
    }

    /// Stores the chunk in one transaction: each document in a savepoint, so one bad item
    /// fails alone; then each batch's counts, and its end when nothing of it is pending. An
    /// item whose claim was taken over meanwhile (this worker stalled past its lease) is left
    /// to the new holder: only its result counts.
    fn save(&self, conn: &mut DbConn, items: &[PendingItem], outcomes: Vec<Outcome>) -> Result<(), ApiError> {
        let rendered = outcomes.iter().filter(|o| matches!(o, Outcome::Rendered(..))).count() as u64;
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        let result = write_tx(conn, |c| {
            let held = ITEMS.held(c, &self.holder, &ids)?;
            if held.len() < ids.len() {
                tracing::warn!(
                    lost = ids.len() - held.len(),
                    "batch items taken over during a chunk; they are left to the new holder"
                );
            }
            // Per batch, in id order (the order rows are locked in): issued, existing, failed.
            let mut counts: BTreeMap<i64, (i32, i32, i32)> = BTreeMap::new();
            let mut stored = 0u64;
            for (item, outcome) in items.iter().zip(outcomes) {
                if held.binary_search(&item.id).is_err() {
                    continue;
                }
                let outcome = match outcome {
                    Outcome::Existing(id) => ItemOutcome {
                        status: BatchItemStatus::Existing,
                        document_id: Some(id),
                        error: None,
                    },
                    Outcome::Rendered(p, pdf) => match store_alone(c, &p, &pdf) {
                        Ok(doc) => {
                            stored += 1;
                            ItemOutcome {
                                status: BatchItemStatus::Issued,
                                document_id: Some(doc.id),
                                error: None,
                            }
                        }
                        Err(e) => {
                            tracing::warn!(item = item.id, error = %e, "batch item not stored");
                            failed_item(e.to_string())
                        }
                    },
                    Outcome::Failed(e) => failed_item(e),
                };
                let n = counts.entry(item.batch_id).or_default();
                match outcome.status {
                    BatchItemStatus::Issued => n.0 += 1,
                    BatchItemStatus::Existing => n.1 += 1,
                    BatchItemStatus::Failed | BatchItemStatus::Pending => n.2 += 1,
                }
                batches::set_item(c, item.id, &outcome)?;
            }
            let now = Utc::now().naive_utc();
            for (batch_id, (issued, existing, failed)) in counts {
                batches::add_counts(c, batch_id, issued, existing, failed)?;
                if batches::finish_if_done(c, batch_id, now)? {
                    tracing::info!(batch_id, "batch finished");
                }
            }
            Ok(stored)
        });
        // A rolled-back chunk stored nothing: its renders are discarded, done again later.
        let stored = *result.as_ref().unwrap_or(&0);
        self.press.tally.add("stored", stored);
        self.press.tally.add("discarded", rendered.saturating_sub(stored));
        result.map(|_| ())
    }
}

fn failed_item(error: String) -> ItemOutcome {
    ItemOutcome {
        status: BatchItemStatus::Failed,
        document_id: None,
        error: Some(error),
    }
}

/// Runs `workers` batch workers until the service stops: each works a chunk at a time, at
/// once when woken (a worker that found work wakes the next), else every `poll`. One
/// more worker than cores keeps the cores rendering while a chunk is being stored.
pub fn spawn_workers(runner: Arc<BatchRunner>, poll: Duration, workers: usize) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let r = runner.clone();
        match tokio::task::spawn_blocking(move || {
            let mut c = r.db.get()?;
            ITEMS.release_earlier(&mut c, &r.holder)
        })
        .await
        {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(released = n, "batch items of an earlier run released"),
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
            Err(e) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
        }
        let loops: Vec<_> = (0..workers.max(1))
            .map(|_| actix_web::rt::spawn(work_loop(runner.clone(), poll)))
            .collect();
        for l in loops {
            let _ = l.await;
        }
    })
}

async fn work_loop(runner: Arc<BatchRunner>, poll: Duration) {
    loop {
        let r = runner.clone();
        match tokio::task::spawn_blocking(move || r.run_once()).await {
            Ok(Ok(true)) => continue,
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::warn!(error = ?e, "batch pass failed; will retry"),
            Err(e) => tracing::warn!(error = %e, "batch pass panicked; will retry"),
        }
        runner.waker.0.wait(poll).await;
    }
}
