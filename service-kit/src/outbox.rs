//! The transactional outbox every producing service shares.
//!
//! A side effect that must not be lost (issue a certificate, send a notice, open a dismissal
//! case) is written with [`enqueue`] into `outbox_events` inside the same transaction as the
//! change that causes it. A worker ([`spawn_worker`], or [`crate::Kit::spawn_outbox`]) claims due
//! rows and POSTs each to `{base URL of its destination}/internal/v1/events` as an
//! [`EventEnvelope`] with the service's own bearer token:
//!
//! - 2xx or 409 (the receiver already has it): delivered; `delivered_at` is set.
//! - 408, 429, 5xx, network errors, no token: `attempts + 1`, retried after an exponential
//!   backoff with a little jitter (default 1 s doubling, capped at 5 min; a `Retry-After` is
//!   honoured up to the cap). A 401 first makes the worker fetch a new token and try once more.
//! - any other 4xx: the event is a bug in the producer or the receiver. It is tried again after
//!   a pause (default 1 min, in case the receiver was mid-deploy), and after a few refusals
//!   (default 3) parked as a dead letter: kept with its error, counted as
//!   `outbox_dead_letters`, listed by [`dead_letters`] and sent again by [`replay`].
//!
//! Rows are never deleted. Claims go through [`crate::queue`]: exclusive (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), named after the worker, short and
//! renewed while a batch is delivered, released at once when the worker's process starts again.
//! Two workers (two replicas) therefore never deliver the same row at the same time; a crash
//! between the receiver's answer and recording it means one more delivery, which receivers
//! absorb because they are idempotent on `event_id`.

use crate::problem::Code;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use awc::http::StatusCode;
use awc::http::header::{self, HeaderName};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::{Connection, TransactionManager};
use diesel::prelude::*;
use prometheus::{IntCounterVec, IntGauge, Opts, Registry};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use crate::db::{Backend, Db, DbConn, write_tx};
use crate::problem::ApiError;
use crate::queue::{Heartbeat, Holder, Queue, Wake};
use crate::service_token::ServiceTokens;

/// Where every service receives events.
pub const EVENTS_PATH: &str = "/internal/v1/events";

/// The table on PostgreSQL; producing services put exactly this in a migration of their own.
pub const POSTGRES_DDL: &str = "\
-- Transactional outbox (service_kit::outbox): events written in the same transaction as the
-- change that causes them, delivered to other services by the outbox worker. Never deleted.
CREATE TABLE outbox_events (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    delivered_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, id) WHERE delivered_at IS NULL;
";

/// The table on SQLite; producing services put exactly this in a migration of their own.
pub const SQLITE_DDL: &str = "\
-- Transactional outbox (service_kit::outbox): events written in the same transaction as the
-- change that causes them, delivered to other services by the outbox worker. Never deleted.
CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    delivered_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, id) WHERE delivered_at IS NULL;
";

/// The migration's `down.sql`.
pub const DOWN_DDL: &str = "DROP TABLE outbox_events;\n";

/// The second migration, the same on both backends: claims through `service_kit::queue`, and
/// dead letters.
pub const CLAIMS_DDL: &str = "\
-- Claims name their holder (service_kit::queue): a restarted worker releases its earlier
-- life's claims at once, and a worker whose claim was taken over records nothing.
ALTER TABLE outbox_events ADD COLUMN claimed_by TEXT;
-- A dead letter: the receiver refused the event several times (a 4xx other than 408/409/429).
-- Kept, listed (GET /api/v1/<service>/failed-events) and replayable after a fix.
ALTER TABLE outbox_events ADD COLUMN dead_at TIMESTAMP;
";

/// The second migration's `down.sql`.
pub const CLAIMS_DOWN_DDL: &str =
    "ALTER TABLE outbox_events DROP COLUMN dead_at;\nALTER TABLE outbox_events DROP COLUMN claimed_by;\n";

/// The whole DDL for `backend` (both migrations), for tests that make the table themselves.
pub fn ddl(backend: Backend) -> String {
    let create = match backend {
        Backend::Postgres => POSTGRES_DDL,
        Backend::Sqlite => SQLITE_DDL,
    };
    format!("{create}{CLAIMS_DDL}")
}

/// Undelivered events, neither parked nor waiting for a retry.
pub const QUEUE: Queue = Queue::new(
    "outbox_events",
    "delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $1",
    "next_attempt_at, id",
);

diesel::table! {
    outbox_events (id) {
        id -> BigInt,
        event_id -> Text,
        destination -> Text,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        dead_at -> Nullable<Timestamp>,
    }
}

/// One row of `outbox_events`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox_events)]
pub struct OutboxRow {
    pub id: i64,
    pub event_id: String,
    pub destination: String,
    pub kind: String,
    /// JSON text.
    pub payload: String,
    pub created_at: NaiveDateTime,
    /// Delivery attempts made so far, the successful one included.
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub claimed_by: Option<String>,
    /// Set when the event was parked as a dead letter.
    pub dead_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = outbox_events)]
struct NewOutboxRow<'a> {
    event_id: &'a str,
    destination: &'a str,
    kind: &'a str,
    payload: &'a str,
    created_at: NaiveDateTime,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
}

/// The body of `POST /internal/v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// A UUID; the receiver's idempotency key.
    pub event_id: String,
    /// What happened or what to do, e.g. `certificate.issue`.
    pub kind: String,
    /// The producing service, e.g. `members`.
    pub source: String,
    /// When the event was written (RFC 3339, UTC).
    pub occurred_at: DateTime<Utc>,
    pub payload: Value,
}

/// Writes one typed event (see `alliance_events`) for the destination its type names; like
/// [`enqueue`], inside the transaction of the change that causes it.
pub fn enqueue_event<E: alliance_events::Event>(conn: &mut DbConn, event: &E) -> Result<String, ApiError> {
    enqueue(conn, E::DESTINATION, event.kind(), &event.payload())
}

/// Writes one event for `destination` (a service name such as `documents`). Call it inside the
/// transaction of the change that causes the event ([`Db::write`] / [`write_tx`]): if that
/// transaction rolls back, the event is gone with it. Returns the new event id.
pub fn enqueue(conn: &mut DbConn, destination: &str, kind: &str, payload: &Value) -> Result<String, ApiError> {
    if destination.trim().is_empty() || kind.trim().is_empty() {
        return Err(ApiError::internal("outbox::enqueue needs a destination and a kind"));
    }
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(ApiError::internal)?;
    if depth.is_none() {
        return Err(ApiError::internal(
            "outbox::enqueue must run inside the caller's transaction (Db::write or write_tx)",
        ));
    }
    let event_id = uuid::Uuid::new_v4().to_string();
    let payload = serde_json::to_string(payload).map_err(ApiError::internal)?;
    let now = Utc::now().naive_utc();
    diesel::insert_into(outbox_events::table)
        .values(&NewOutboxRow {
            event_id: &event_id,
            destination,
            kind,
            payload: &payload,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
        })
        .execute(conn)?;
    // Delivered at commit to every replica's listener (see `listen`); nothing on SQLite,
    // whose writers are all in this process.
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    EVENTS_WRITTEN.with(|n| n.set(n.get().wrapping_add(1)));
    Ok(event_id)
}

thread_local! {
    /// Events this thread has enqueued; [`Db::run`] compares it before and after its work.
    static EVENTS_WRITTEN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many events this thread has enqueued so far.
pub(crate) fn events_written() -> u64 {
    EVENTS_WRITTEN.with(std::cell::Cell::get)
}

/// The PostgreSQL channel a committed event is announced on (each service has its own database).
const CHANNEL: &str = "alliance_outbox";

/// Events not delivered yet and not parked (waiting or failing).
pub fn pending_count(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(outbox_events::table
        .filter(outbox_events::delivered_at.is_null())
        .filter(outbox_events::dead_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Events parked as dead letters.
pub fn dead_count(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(outbox_events::table
        .filter(outbox_events::dead_at.is_not_null())
        .count()
        .get_result(conn)?)
}

/// One event by its id, for inspection.
pub fn find(conn: &mut DbConn, event_id: &str) -> Result<Option<OutboxRow>, ApiError> {
    Ok(outbox_events::table
        .filter(outbox_events::event_id.eq(event_id))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?)
}

/// Wakes a worker so that an event committed just now goes out without waiting for the next
/// poll ([`Db::run`] does it after work that enqueued events). Cheap to clone; a wake with no
/// worker running does nothing. Its own type (over [`Wake`]) so that it is app data of its own.
#[derive(Clone, Default, Debug)]
pub struct OutboxWaker(Wake);

impl OutboxWaker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Call after the transaction that enqueued an event has committed.
    pub fn wake(&self) {
        self.0.wake();
    }
}

/// `outbox_pending`, `outbox_oldest_pending_age_seconds`, and per destination
/// `outbox_delivered_total`, `outbox_failed_attempts_total`, `outbox_rejected_total`.
#[derive(Clone)]
pub struct OutboxMetrics {
    pending: IntGauge,
    dead: IntGauge,
    oldest_age: IntGauge,
    delivered: IntCounterVec,
    failed: IntCounterVec,
    rejected: IntCounterVec,
}

impl OutboxMetrics {
    /// Registers the outbox metrics in a service's registry (`metrics.registry()`).
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let m = Self::unregistered()?;
        registry.register(Box::new(m.pending.clone()))?;
        registry.register(Box::new(m.dead.clone()))?;
        registry.register(Box::new(m.oldest_age.clone()))?;
        registry.register(Box::new(m.delivered.clone()))?;
        registry.register(Box::new(m.failed.clone()))?;
        registry.register(Box::new(m.rejected.clone()))?;
        Ok(m)
    }

    fn unregistered() -> Result<Self, prometheus::Error> {
        let by_destination = |name: &str, help: &str| IntCounterVec::new(Opts::new(name, help), &["destination"]);
        Ok(Self {
            pending: IntGauge::new("outbox_pending", "Outbox events not delivered yet (dead letters apart)")?,
            dead: IntGauge::new(
                "outbox_dead_letters",
                "Outbox events parked after repeated refusals by their receiver",
            )?,
            oldest_age: IntGauge::new(
                "outbox_oldest_pending_age_seconds",
                "Age of the oldest undelivered outbox event (0 when none)",
            )?,
            delivered: by_destination("outbox_delivered_total", "Outbox events delivered")?,
            failed: by_destination(
                "outbox_failed_attempts_total",
                "Outbox delivery attempts that failed and will be retried",
            )?,
            rejected: by_destination(
                "outbox_rejected_total",
                "Outbox delivery attempts the receiver refused with a 4xx (a bug; the event is kept)",
            )?,
        })
    }

    pub fn delivered(&self, destination: &str) -> u64 {
        self.delivered.with_label_values(&[destination]).get()
    }

    pub fn failed_attempts(&self, destination: &str) -> u64 {
        self.failed.with_label_values(&[destination]).get()
    }

    pub fn rejected(&self, destination: &str) -> u64 {
        self.rejected.with_label_values(&[destination]).get()
    }

    pub fn pending(&self) -> i64 {
        self.pending.get()
    }

    pub fn dead_letters(&self) -> i64 {
        self.dead.get()
    }
}

/// How a worker delivers.
#[derive(Clone)]
pub struct OutboxConfig {
    /// This service's name as receivers see it (`source` of the envelope), e.g. `members`.
    pub source: String,
    /// Base URLs by destination name, e.g. `documents` → `http://127.0.0.1:8083`.
    pub destinations: HashMap<String, String>,
    pub tokens: ServiceTokens,
    /// How often to look for due events when not woken (default 200 ms).
    pub poll_interval: Duration,
    /// First retry delay, doubled per failed attempt (default 1 s) …
    pub backoff_base: Duration,
    /// … up to this (default 5 min).
    pub backoff_cap: Duration,
    /// Pause before trying again an event a receiver refused with a 4xx (default 1 min) …
    pub rejected_retry: Duration,
    /// … and refusals after which it is parked as a dead letter (default 3).
    pub dead_after: i32,
    /// Events claimed and delivered at once (default 32).
    pub batch_size: usize,
    /// How long a claim lasts; renewed every third of it while a batch is delivered, so a
    /// crashed worker's events go out again within about this (default 15 s).
    pub lease: Duration,
    /// This worker in claims; the kit gives each service instance its own.
    pub holder: Holder,
    /// Timeout of one delivery (default 10 s).
    pub request_timeout: Duration,
    /// Registered metrics, if any.
    pub metrics: Option<OutboxMetrics>,
    /// What wakes this worker; share it with the handlers.
    pub waker: OutboxWaker,
}

impl OutboxConfig {
    pub fn new(source: &str, destinations: HashMap<String, String>, tokens: ServiceTokens) -> Self {
        Self {
            source: source.to_owned(),
            destinations,
            tokens,
            poll_interval: Duration::from_millis(200),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(300),
            rejected_retry: Duration::from_secs(60),
            dead_after: 3,
            batch_size: 32,
            lease: crate::queue::DEFAULT_LEASE,
            holder: Holder::new(source),
            request_timeout: Duration::from_secs(10),
            metrics: None,
            waker: OutboxWaker::new(),
        }
    }

    /// The delay before attempt `attempts + 1`, after `attempts` failed ones: base · 2^(n−1),
    /// capped, ±10 % jitter so that many failed events do not come back at the same instant.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
        let plain = self.backoff_base.saturating_mul(1u32 << exp).min(self.backoff_cap);
        let jitter = 0.9 + rand::random::<f64>() * 0.2;
        plain.mul_f64(jitter)
    }
}

impl std::fmt::Debug for OutboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxConfig")
            .field("source", &self.source)
            .field("destinations", &self.destinations)
            .field("tokens", &self.tokens)
            .field("poll_interval", &self.poll_interval)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_cap", &self.backoff_cap)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

/// A running delivery worker. It stops with [`OutboxWorker::stop`], or when dropped (after
/// its current batch).
pub struct OutboxWorker {
    waker: OutboxWaker,
    stop: watch::Sender<bool>,
    task: actix_web::rt::task::JoinHandle<()>,
}

impl OutboxWorker {
    pub fn waker(&self) -> OutboxWaker {
        self.waker.clone()
    }

    pub fn wake(&self) {
        self.waker.wake();
    }

    /// Stops after the current batch; undelivered events stay for the next start.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts a delivery worker on the current actix runtime (it uses awc, which is not `Send`).
pub fn spawn_worker(db: Db, config: OutboxConfig) -> OutboxWorker {
    let (stop, stop_rx) = watch::channel(false);
    let waker = config.waker.clone();
    listen(&db, waker.clone(), stop_rx.clone());
    let task = actix_web::rt::spawn(run(db, Arc::new(config), stop_rx));
    OutboxWorker { waker, stop, task }
}

/// How often the listening connection is read: diesel's libpq connection offers only a
/// read that does not wait, so it is read this often (one cheap syscall, no query).
const LISTEN_EVERY: Duration = Duration::from_millis(10);
/// The pause before connecting again after the listening connection was lost.
const LISTEN_RECONNECT: Duration = Duration::from_secs(1);

/// On PostgreSQL, wakes the worker when any process (another replica) commits an event:
/// `LISTEN` on a connection of its own, on a thread of its own, until the worker stops.
/// Polling stays as the fallback while the connection is down.
fn listen(db: &Db, waker: OutboxWaker, stop: watch::Receiver<bool>) {
    if db.backend() != Backend::Postgres {
        return;
    }
    let db = db.clone();
    let spawned = std::thread::Builder::new().name("outbox-listen".into()).spawn(move || {
        let mut conn: Option<diesel::PgConnection> = None;
        while !stopping(&stop) {
            let Some(c) = conn.as_mut() else {
                conn = listening(&db);
                if conn.is_some() {
                    // Events committed while it was down are found by this pass.
                    waker.wake();
                } else {
                    std::thread::sleep(LISTEN_RECONNECT);
                }
                continue;
            };
            let (mut heard, mut lost) = (false, false);
            for n in c.notifications_iter() {
                match n {
                    Ok(_) => heard = true,
                    Err(_) => {
                        lost = true;
                        break;
                    }
                }
            }
            if heard {
                waker.wake();
            }
            if lost {
                tracing::warn!("outbox: the LISTEN connection was lost; connecting again");
                conn = None;
            }
            std::thread::sleep(LISTEN_EVERY);
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "outbox: cannot start the LISTEN thread; polling only");
    }
}

fn listening(db: &Db) -> Option<diesel::PgConnection> {
    let mut c = db.listener_connection()?.ok()?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut c).ok()?;
    Some(c)
}

/// Refresh the gauges at least this often when idle.
const STATS_EVERY: Duration = Duration::from_secs(5);

fn stopping(stop: &watch::Receiver<bool>) -> bool {
    stop.has_changed().is_err() || *stop.borrow()
}

async fn run(db: Db, cfg: Arc<OutboxConfig>, mut stop: watch::Receiver<bool>) {
    let holder = cfg.holder.clone();
    match db.run(move |c| QUEUE.release_earlier(c, &holder)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(released = n, "outbox: events claimed by an earlier run released"),
        Err(e) => tracing::warn!(error = %e, "outbox: cannot release earlier claims; they lapse with their lease"),
    }
    let http = awc::Client::builder()
        .disable_redirects()
        .timeout(cfg.request_timeout)
        .finish();
    let mut stats_at: Option<Instant> = None;
    tracing::debug!(source = %cfg.source, "outbox worker started");
    loop {
        let mut worked = false;
        // Drain: keep claiming while batches come back full.
        loop {
            if stopping(&stop) {
                return;
            }
            let batch = match claim_due(&db, &cfg).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: cannot claim events");
                    break;
                }
            };
            if batch.is_empty() {
                break;
            }
            worked = true;
            let full = batch.len() >= cfg.batch_size.max(1);
            deliver_batch(&db, &cfg, &http, batch).await;
            if !full {
                break;
            }
        }
        if worked || stats_at.is_none_or(|t| t.elapsed() >= STATS_EVERY) {
            refresh_stats(&db, &cfg).await;
            stats_at = Some(Instant::now());
        }
        tokio::select! {
            // A stop request, or the worker's owner is gone.
            _ = stop.changed() => return,
            _ = cfg.waker.0.wait(cfg.poll_interval) => {}
        }
    }
}

async fn refresh_stats(db: &Db, cfg: &OutboxConfig) {
    let Some(metrics) = cfg.metrics.clone() else {
        return;
    };
    let stats = db
        .run(|c| {
            let (count, oldest): (i64, Option<NaiveDateTime>) = outbox_events::table
                .filter(outbox_events::delivered_at.is_null())
                .filter(outbox_events::dead_at.is_null())
                .select((diesel::dsl::count_star(), diesel::dsl::min(outbox_events::created_at)))
                .first(c)?;
            Ok((count, oldest, dead_count(c)?))
        })
        .await;
    match stats {
        Ok((count, oldest, dead)) => {
            metrics.pending.set(count);
            metrics.dead.set(dead);
            let age = oldest.map_or(0, |t| (Utc::now().naive_utc() - t).num_seconds().max(0));
            metrics.oldest_age.set(age);
        }
        Err(e) => tracing::warn!(error = %e, "outbox: cannot count pending events"),
    }
}

async fn claim_due(db: &Db, cfg: &OutboxConfig) -> Result<Vec<OutboxRow>, ApiError> {
    let limit = i64::try_from(cfg.batch_size.max(1)).unwrap_or(32);
    let (holder, lease) = (cfg.holder.clone(), cfg.lease);
    db.run(move |c| claim(c, &holder, limit, lease)).await
}

/// Claims up to `limit` due events for `holder` (see [`crate::queue`]).
pub fn claim(conn: &mut DbConn, holder: &Holder, limit: i64, lease: Duration) -> Result<Vec<OutboxRow>, ApiError> {
    let ids = QUEUE.claim(conn, holder, limit, lease)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(outbox_events::table
        .filter(outbox_events::id.eq_any(&ids))
        .order(outbox_events::id)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Delivered,
    /// Try again after the backoff (or the receiver's `Retry-After`, up to the cap).
    Retry {
        error: String,
        retry_after: Option<Duration>,
    },
    /// The receiver refused the event itself: keep it, visible, and wait long.
    Rejected(String),
}

async fn deliver_batch(db: &Db, cfg: &Arc<OutboxConfig>, http: &awc::Client, batch: Vec<OutboxRow>) {
    let _beat = Heartbeat::start(
        db.clone(),
        QUEUE,
        cfg.holder.clone(),
        batch.iter().map(|r| r.id).collect(),
        cfg.lease,
    );
    let token = cfg.tokens.get(http).await.map_err(|e| e.to_string());
    if let Err(e) = &token {
        tracing::warn!(error = %e, "outbox: no service token; events wait");
    }
    let outcomes = futures_util::future::join_all(
        batch
            .iter()
            .map(|row| deliver(cfg, http, row, token.as_deref().map_err(String::as_str))),
    )
    .await;
    if let Some(m) = &cfg.metrics {
        for (row, outcome) in batch.iter().zip(&outcomes) {
            let counter = match outcome {
                Outcome::Delivered => &m.delivered,
                Outcome::Retry { .. } => &m.failed,
                Outcome::Rejected(_) => &m.rejected,
            };
            counter.with_label_values(&[&row.destination]).inc();
        }
    }
    let cfg2 = Arc::clone(cfg);
    let results: Vec<(OutboxRow, Outcome)> = batch.into_iter().zip(outcomes).collect();
    if let Err(e) = db.run(move |c| record(c, &cfg2, &results)).await {
        // The claims lapse after the lease and the events go out again; receivers are idempotent.
        tracing::error!(error = %e, "outbox: cannot record delivery results");
    }
}

fn record(conn: &mut DbConn, cfg: &OutboxConfig, results: &[(OutboxRow, Outcome)]) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let now = Utc::now().naive_utc();
        for (row, outcome) in results {
            let attempts = row.attempts.saturating_add(1);
            // Only while the claim is still ours: a worker that stalled past its lease records
            // nothing over the one that took the event over.
            let target = outbox_events::table
                .filter(outbox_events::id.eq(row.id))
                .filter(outbox_events::delivered_at.is_null())
                .filter(outbox_events::claimed_by.eq(cfg.holder.token()));
            match outcome {
                Outcome::Delivered => {
                    diesel::update(target)
                        .set((
                            outbox_events::attempts.eq(attempts),
                            outbox_events::delivered_at.eq(Some(now)),
                            outbox_events::claimed_by.eq(None::<String>),
                            outbox_events::claimed_until.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                }
                Outcome::Retry { error, retry_after } => {
                    let mut wait = cfg.backoff(attempts);
                    if let Some(asked) = retry_after {
                        wait = wait.max((*asked).min(cfg.backoff_cap));
                    }
                    tracing::warn!(event_id = %row.event_id, destination = %row.destination, attempts,
                        retry_in_ms = wait.as_millis() as u64, error = %error, "outbox: delivery failed; will retry");
                    diesel::update(target)
                        .set((
                            outbox_events::attempts.eq(attempts),
                            outbox_events::next_attempt_at.eq(now + to_chrono(wait)),
                            outbox_events::claimed_by.eq(None::<String>),
                            outbox_events::claimed_until.eq(None::<NaiveDateTime>),
                            outbox_events::last_error.eq(Some(truncate(error, 1000))),
                        ))
                        .execute(conn)?;
                }
                Outcome::Rejected(error) => {
                    let refusals = rejections(row) + 1;
                    let dead = refusals >= cfg.dead_after.max(1);
                    if dead {
                        tracing::error!(event_id = %row.event_id, destination = %row.destination, kind = %row.kind,
                            error = %error, refusals, "outbox: the receiver refused the event again; parked as a dead letter");
                    } else {
                        tracing::error!(event_id = %row.event_id, destination = %row.destination, kind = %row.kind,
                            error = %error, refusals, "outbox: the receiver refused the event; it is tried again after a pause");
                    }
                    diesel::update(target)
                        .set((
                            outbox_events::attempts.eq(attempts),
                            outbox_events::next_attempt_at.eq(now + to_chrono(cfg.rejected_retry)),
                            outbox_events::claimed_by.eq(None::<String>),
                            outbox_events::claimed_until.eq(None::<NaiveDateTime>),
                            outbox_events::last_error
                                .eq(Some(truncate(&format!("{REFUSED}{refusals}: {error}"), 1000))),
                            outbox_events::dead_at.eq(dead.then_some(now)),
                        ))
                        .execute(conn)?;
                }
            }
        }
        Ok(())
    })
}

/// How `last_error` starts when the receiver refused the event: `refused 2: POST …`.
const REFUSED: &str = "refused ";

/// Refusals in a row so far, read back from `last_error` (a transient failure in between
/// starts the count again, as it says nothing about the event itself).
fn rejections(row: &OutboxRow) -> i32 {
    row.last_error
        .as_deref()
        .and_then(|e| e.strip_prefix(REFUSED))
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Dead letters (events their receiver refused again and again), oldest first, after id
/// `after`; at most `limit + 1`, for [`crate::pagination::Page::from_rows`].
pub fn dead_letters(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<OutboxRow>, ApiError> {
    Ok(outbox_events::table
        .filter(outbox_events::dead_at.is_not_null())
        .filter(outbox_events::id.gt(after))
        .order(outbox_events::id)
        .limit(limit + 1)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Sends a dead letter again at once (after the receiver was fixed). `None` when there is no
/// such event; 409 `event_not_failed` when it is not a dead letter.
pub fn replay(conn: &mut DbConn, event_id: &str) -> Result<Option<OutboxRow>, ApiError> {
    write_tx(conn, |c| {
        let Some(row) = find(c, event_id)? else {
            return Ok(None);
        };
        if row.dead_at.is_none() {
            return Err(ApiError::conflict(
                Code::EventNotFailed,
                format!("event {event_id} is not a dead letter; only those can be replayed"),
            ));
        }
        diesel::update(outbox_events::table.filter(outbox_events::id.eq(row.id)))
            .set((
                outbox_events::dead_at.eq(None::<NaiveDateTime>),
                outbox_events::next_attempt_at.eq(Utc::now().naive_utc()),
                outbox_events::last_error.eq(row.last_error.as_ref().map(|e| format!("replayed after: {e}"))),
            ))
            .execute(c)?;
        find(c, event_id)
    })
}

/// 投递失败、已停止重试的事件（死信），由发出事件的服务的 `failed-events` 接口列出。
/// A dead letter as the `failed-events` routes of the producing services show it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"event_id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "destination": "documents",
    "kind": "certificate.issue", "attempts": 3, "last_error": "refused 3: POST http://127.0.0.1:8083/internal/v1/events: 422 (refused) …",
    "created_at": "2026-12-01T08:00:00.000Z", "failed_at": "2026-12-01T08:02:00.000Z"}))]
pub struct UndeliveredEvent {
    /// 事件编号（UUID）。The event's id (a UUID).
    pub event_id: String,
    /// 接收的服务。The receiving service.
    pub destination: String,
    /// 事件类型，如 `certificate.issue`。The event's kind, e.g. `certificate.issue`.
    pub kind: String,
    /// 已尝试投递的次数。Delivery attempts so far.
    pub attempts: i32,
    /// 接收方最后一次的应答。The receiver's last answer.
    pub last_error: Option<String>,
    /// 事件写入时间（UTC）。When the event was written (UTC).
    #[serde(with = "crate::utc")]
    pub created_at: NaiveDateTime,
    /// 转为死信的时间（重放后不再出现）。When it was parked (absent once replayed).
    #[serde(with = "crate::utc::option")]
    pub failed_at: Option<NaiveDateTime>,
}

impl From<OutboxRow> for UndeliveredEvent {
    fn from(r: OutboxRow) -> Self {
        Self {
            event_id: r.event_id,
            destination: r.destination,
            kind: r.kind,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            failed_at: r.dead_at,
        }
    }
}

/// `GET /api/v1/<service>/failed-events` of a producing service: its dead letters. Admins only.
pub async fn failed_events_page(
    caller: &crate::Caller,
    page: &crate::pagination::PageQuery,
    db: &Db,
) -> Result<crate::pagination::Page<UndeliveredEvent>, ApiError> {
    caller.require(&[crate::Role::Admin])?;
    let (limit, after) = (page.limit()?, page.after_id()?);
    let rows = db.run(move |c| dead_letters(c, after, limit)).await?;
    let page = crate::pagination::Page::from_rows(rows, limit, |r| r.id);
    Ok(crate::pagination::Page {
        items: page.items.into_iter().map(UndeliveredEvent::from).collect(),
        next_cursor: page.next_cursor,
    })
}

/// `POST /api/v1/<service>/failed-events/{event_id}/replay`: sends a dead letter again at once.
/// Admins only; 404 for an unknown event, 409 for one that is not a dead letter.
pub async fn replay_failed(caller: &crate::Caller, event_id: String, db: &Db) -> Result<UndeliveredEvent, ApiError> {
    caller.require(&[crate::Role::Admin])?;
    let id = event_id.clone();
    let row = db
        .run(move |c| replay(c, &id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no event {event_id}")))?;
    tracing::info!(event_id = %row.event_id, by = %caller.subject, "outbox: dead letter replayed");
    Ok(row.into())
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(1))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

async fn deliver(cfg: &OutboxConfig, http: &awc::Client, row: &OutboxRow, token: Result<&str, &str>) -> Outcome {
    let retry = |error: String| Outcome::Retry {
        error,
        retry_after: None,
    };
    let Some(base) = cfg.destinations.get(&row.destination) else {
        return retry(format!(
            "no base URL is configured for destination {:?}",
            row.destination
        ));
    };
    let token = match token {
        Ok(t) => t.to_owned(),
        Err(e) => return retry(format!("cannot get a service token: {e}")),
    };
    let payload: Value = match serde_json::from_str(&row.payload) {
        Ok(v) => v,
        Err(e) => return Outcome::Rejected(format!("the stored payload is not JSON: {e}")),
    };
    let envelope = EventEnvelope {
        event_id: row.event_id.clone(),
        kind: row.kind.clone(),
        source: cfg.source.clone(),
        occurred_at: row.created_at.and_utc(),
        payload,
    };
    let url = format!("{}{EVENTS_PATH}", base.trim_end_matches('/'));
    let first = post(cfg, http, &url, &token, &envelope).await;
    if matches!(&first, Answer::Status(s, ..) if *s == StatusCode::UNAUTHORIZED) {
        // The token may have expired early or the key rotated: one more try with a fresh one.
        cfg.tokens.invalidate(&token).await;
        let second = match cfg.tokens.get(http).await {
            Ok(fresh) => post(cfg, http, &url, &fresh, &envelope).await,
            Err(e) => return retry(format!("401 from {url}, and no new service token: {e}")),
        };
        return classify(&url, second);
    }
    classify(&url, first)
}

enum Answer {
    Status(StatusCode, String, Option<Duration>),
    Failed(String),
}

async fn post(cfg: &OutboxConfig, http: &awc::Client, url: &str, token: &str, envelope: &EventEnvelope) -> Answer {
    let sent = http
        .post(url)
        .timeout(cfg.request_timeout)
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .insert_header((HeaderName::from_static("idempotency-key"), envelope.event_id.as_str()))
        .insert_header((crate::telemetry::REQUEST_ID, envelope.event_id.as_str()))
        .send_json(envelope)
        .await;
    match sent {
        Ok(mut res) => {
            let status = res.status();
            let retry_after = res
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = if status.is_success() {
                String::new()
            } else {
                res.body()
                    .limit(16 * 1024)
                    .await
                    .map(|b| String::from_utf8_lossy(&b).chars().take(500).collect())
                    .unwrap_or_default()
            };
            Answer::Status(status, body, retry_after)
        }
        Err(e) => Answer::Failed(e.to_string()),
    }
}

fn classify(url: &str, answer: Answer) -> Outcome {
    match answer {
        Answer::Failed(e) => Outcome::Retry {
            error: format!("POST {url}: {e}"),
            retry_after: None,
        },
        Answer::Status(s, ..) if s.is_success() || s == StatusCode::CONFLICT => Outcome::Delivered,
        Answer::Status(s, body, retry_after)
            if s == StatusCode::REQUEST_TIMEOUT
                || s == StatusCode::TOO_MANY_REQUESTS
                || s == StatusCode::UNAUTHORIZED
                || !s.is_client_error() =>
        {
            Outcome::Retry {
                error: format!("POST {url}: {} {body}", s.as_u16()),
                retry_after,
            }
        }
        Answer::Status(s, body, _) => Outcome::Rejected(format!("POST {url}: {} (refused) {body}", s.as_u16())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OutboxConfig {
        OutboxConfig::new(
            "members",
            HashMap::new(),
            ServiceTokens::new("http://127.0.0.1:1", None),
        )
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap_with_a_little_jitter() {
        let cfg = config();
        let within = |d: Duration, secs: f64| {
            let s = d.as_secs_f64();
            s >= secs * 0.9 - 1e-9 && s <= secs * 1.1 + 1e-9
        };
        for _ in 0..50 {
            assert!(within(cfg.backoff(1), 1.0));
            assert!(within(cfg.backoff(2), 2.0));
            assert!(within(cfg.backoff(3), 4.0));
            assert!(within(cfg.backoff(9), 256.0));
            assert!(within(cfg.backoff(10), 300.0));
            assert!(within(cfg.backoff(1000), 300.0));
            assert!(within(cfg.backoff(0), 1.0));
        }
    }

    #[test]
    fn answers_are_classified_as_the_contract_says() {
        let s = |code: u16| {
            Answer::Status(
                StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT),
                "x".into(),
                None,
            )
        };
        for ok in [200, 201, 202, 204, 409] {
            assert_eq!(classify("u", s(ok)), Outcome::Delivered, "{ok}");
        }
        for again in [408, 429, 401, 500, 502, 503, 504] {
            assert!(matches!(classify("u", s(again)), Outcome::Retry { .. }), "{again}");
        }
        for bug in [400, 403, 404, 405, 410, 413, 415, 422] {
            assert!(matches!(classify("u", s(bug)), Outcome::Rejected(_)), "{bug}");
        }
        assert!(matches!(
            classify("u", Answer::Failed("refused".into())),
            Outcome::Retry { .. }
        ));
    }

    #[test]
    fn the_ddl_has_every_column_of_the_schema() {
        for ddl in [POSTGRES_DDL, SQLITE_DDL] {
            for col in [
                "event_id TEXT NOT NULL UNIQUE",
                "destination",
                "kind",
                "payload",
                "created_at",
                "attempts",
                "next_attempt_at",
                "claimed_until",
                "delivered_at",
                "last_error",
                "WHERE delivered_at IS NULL",
            ] {
                assert!(ddl.contains(col), "{col} missing");
            }
        }
    }
}
