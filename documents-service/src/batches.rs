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
use diesel::prelude::*;
use service_kit::db::write_tx;
use service_kit::queue::{Heartbeat, Holder, Queue};
use service_kit::{ApiError, Db, DbConn};
use tokio::sync::Notify;

use crate::db::schema::{batch_items, batches, documents};
use crate::domain::kinds::DocumentKind;
use crate::inbox_processing::appointment_request;
use crate::issuing::{
    DocumentRenderer, Prepared, existing_for_event, prepare, render_prepared, reserve_serials, store,
};

/// Items rendered and stored together; progress moves in these steps.
pub const CHUNK: i64 = 32;

/// Wakes the worker when a batch is created, so it starts at once instead of at its next poll.
#[derive(Debug, Clone, Default)]
pub struct BatchWaker(Arc<Notify>);

impl BatchWaker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
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

#[derive(Debug, Clone, Queryable)]
struct Item {
    id: i64,
    appointment_id: i64,
    facts: String,
}

/// What became of one item of a chunk.
enum Outcome {
    Existing(i64),
    Rendered(Box<Prepared>, Vec<u8>),
    Failed(String),
}

/// Running batches; a claim covers one chunk, so replicas take turns chunk by chunk.
pub const QUEUE: Queue = Queue::new("batches", "status = 'running'", "id");

fn claim(c: &mut DbConn, holder: &Holder, lease: Duration) -> Result<Option<(i64, bool, bool)>, ApiError> {
    let Some(id) = QUEUE.claim(c, holder, 1, lease)?.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(
        batches::table
            .find(id)
            .select((batches::id, batches::send_mail, batches::reissue))
            .first(c)?,
    ))
}

/// Clears this holder's claim on a batch (the end of a chunk).
fn release(c: &mut DbConn, holder: &Holder, batch_id: i64) -> Result<(), ApiError> {
    QUEUE.release(c, holder, &[batch_id]).map(|_| ())
}

impl BatchRunner {
    /// Works one chunk of one batch; `false` when there was nothing to do.
    pub fn run_once(&self) -> Result<bool, ApiError> {
        let mut conn = self.db.get()?;
        let Some((batch_id, send_mail, reissue)) = claim(&mut conn, &self.holder, self.lease)? else {
            return Ok(false);
        };
        let _beat = Heartbeat::start(self.db.clone(), QUEUE, self.holder.clone(), vec![batch_id], self.lease);
        let items: Vec<Item> = batch_items::table
            .filter(batch_items::batch_id.eq(batch_id))
            .filter(batch_items::status.eq("pending"))
            .order(batch_items::id)
            .limit(CHUNK)
            .select((batch_items::id, batch_items::appointment_id, batch_items::facts))
            .load(&mut *conn)?;
        if items.is_empty() {
            let finished = write_tx(&mut conn, |c| {
                if !QUEUE.holds(c, &self.holder, batch_id)? {
                    return Ok::<bool, ApiError>(false);
                }
                diesel::update(batches::table.find(batch_id))
                    .set((
                        batches::status.eq("finished"),
                        batches::finished_at.eq(Some(Utc::now().naive_utc())),
                    ))
                    .execute(c)?;
                release(c, &self.holder, batch_id)?;
                Ok(true)
            })?;
            if finished {
                tracing::info!(batch_id, "batch finished");
            }
            return Ok(true);
        }
        let outcomes = self.work(&mut conn, batch_id, send_mail, reissue, &items)?;
        self.save(&mut conn, batch_id, &items, outcomes)?;
        Ok(true)
    }

    /// Decides, prepares and renders the chunk; nothing is written but the serial counter.
    fn work(
        &self,
        conn: &mut DbConn,
        batch_id: i64,
        send_mail: bool,
        reissue: bool,
        items: &[Item],
    ) -> Result<Vec<Outcome>, ApiError> {
        let today = (self.today)();
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
        let mut requests = Vec::new();
        for (i, item) in items.iter().enumerate() {
            // Stored from members-service's answer when the batch was made; one that cannot be
            // read fails alone, with the reason, instead of printing a blank certificate.
            let facts: AppointmentFacts = match serde_json::from_str(&item.facts) {
                Ok(f) => f,
                Err(e) => {
                    outcomes.push(Some(Outcome::Failed(format!(
                        "the appointment's facts cannot be read: {e}"
                    ))));
                    continue;
                }
            };
            let recipients = if send_mail {
                facts.person_email.clone().into_iter().collect()
            } else {
                Vec::new()
            };
            let key = format!("batch:{batch_id}:{}", item.appointment_id);
            // A reissued certificate supersedes the valid one of the same appointment (`store`).
            let req = appointment_request(&key, DocumentKind::AppointmentCertificate, &facts, recipients);
            let subject = format!("appointment:{}", item.appointment_id);
            // Done before a crash, or (without reissue) certified already: nothing to render.
            let done = existing_for_event(conn, &req)?.map(|d| d.id);
            let valid: Option<i64> = if done.is_none() && !reissue {
                documents::table
                    .filter(documents::subject_key.eq(&subject))
                    .filter(documents::kind.eq(DocumentKind::AppointmentCertificate.as_str()))
                    .filter(documents::status.eq("valid"))
                    .select(documents::id)
                    .first(conn)
                    .optional()?
            } else {
                None
            };
            match done.or(valid) {
                Some(id) => outcomes.push(Some(Outcome::Existing(id))),
                None => {
                    outcomes.push(None);
                    requests.push((i, req));
                }
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
    fn save(&self, conn: &mut DbConn, batch_id: i64, items: &[Item], outcomes: Vec<Outcome>) -> Result<(), ApiError> {
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
                let (status, document_id, error) = match outcome {
                    Outcome::Existing(id) => ("existing", Some(id), None),
                    Outcome::Rendered(p, pdf) => match c.transaction(|c| store(c, &p, &pdf)) {
                        Ok(doc) => ("issued", Some(doc.id), None),
                        Err(e) => {
                            tracing::warn!(item = item.id, error = %e, "batch item not stored");
                            ("failed", None, Some(e.to_string()))
                        }
                    },
                    Outcome::Failed(e) => ("failed", None, Some(e)),
                };
                match status {
                    "issued" => issued += 1,
                    "existing" => existing += 1,
                    _ => failed += 1,
                }
                diesel::update(batch_items::table.find(item.id))
                    .set((
                        batch_items::status.eq(status),
                        batch_items::document_id.eq(document_id),
                        batch_items::error.eq(error),
                    ))
                    .execute(c)?;
            }
            diesel::update(batches::table.find(batch_id))
                .set((
                    batches::issued.eq(batches::issued + issued),
                    batches::existing.eq(batches::existing + existing),
                    batches::failed.eq(batches::failed + failed),
                ))
                .execute(c)?;
            // The claim covers one chunk; the next pass (of any replica) takes the batch again.
            release(c, &self.holder, batch_id)?;
            Ok(())
        })
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
            tokio::select! {
                _ = waker.0.notified() => {}
                _ = actix_web::rt::time::sleep(poll) => {}
            }
        }
    })
}
