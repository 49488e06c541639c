//! One way to work a queue table, shared by every queue of the suite (outbox delivery, inbox
//! processing, mail deliveries, batch chunks): claim, renew, release, back off, give up.
//!
//! A queue is a table with `id`, `claimed_by` (`TEXT NULL`) and `claimed_until`
//! (`TIMESTAMP NULL`) plus its own columns; [`Queue::waiting`] says in SQL which rows wait for
//! work. The rules:
//!
//! - **Claims are exclusive and conditional.** [`Queue::claim`] is one `UPDATE … WHERE id IN
//!   (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id` on PostgreSQL, and the same statement inside
//!   `BEGIN IMMEDIATE` on SQLite, so two workers (two replicas) never take the same row.
//! - **Every claim names its holder**: a [`Holder`] is the worker's stable identity (service,
//!   host and address) plus a token new at each start. A restarted process releases the claims
//!   of its earlier life at once ([`Queue::release_earlier`]) instead of waiting for their
//!   leases, and a worker whose lease was taken over cannot record a result
//!   ([`Queue::holds`] inside the recording transaction).
//! - **Leases are short and renewed** while work goes on ([`Heartbeat`]), so a crash of another
//!   replica costs seconds, not minutes.
//! - **Retries back off and end** ([`RetryPolicy`]): exponential with jitter up to a cap, and a
//!   give-up age or attempt count after which the queue parks the row (a dead letter, kept and
//!   visible) instead of trying forever.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use crate::db::{Db, DbConn, write_tx};
use crate::problem::ApiError;

/// Wakes a queue's worker when there is work for it, so that it starts at once instead of at
/// its next poll (issue 11: an event waited up to 300 ms in the inbox, a mail as long again).
/// Cheap to clone; a wake while the worker is busy is kept for its next wait.
#[derive(Clone, Default)]
pub struct Wake(Arc<tokio::sync::Notify>);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Returns when woken, or after `poll` (the fallback: work from another replica, retries
    /// that came due).
    pub async fn wait(&self, poll: Duration) {
        tokio::select! {
            _ = self.0.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

impl std::fmt::Debug for Wake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wake")
    }
}

/// Lease of a claim unless a queue says otherwise; renewed every third of it while work goes on.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(15);

/// A worker's identity in claims: `worker` is stable across restarts of the same instance
/// (e.g. `documents-service@host:8083`), `token` is `worker#<random>`, new at every start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    worker: Arc<str>,
    token: Arc<str>,
}

impl Holder {
    pub fn new(worker: &str) -> Self {
        let worker = if worker.trim().is_empty() {
            "worker"
        } else {
            worker.trim()
        };
        let life = &uuid::Uuid::new_v4().simple().to_string()[..12];
        Self {
            worker: Arc::from(worker),
            token: Arc::from(format!("{worker}#{life}")),
        }
    }

    /// The identity of service `name` listening on `addr`, on this host.
    pub fn for_service(name: &str, addr: &str) -> Self {
        match addr.rsplit(':').next().unwrap_or(addr) {
            // Not bound yet: no stable identity to claim by, so one of its own.
            "0" | "" => Self::new(&format!("{name}@{}:{}", host_name(), uuid::Uuid::new_v4().simple())),
            port => Self::new(&format!("{name}@{}:{port}", host_name())),
        }
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// What `claimed_by` holds for this life's claims.
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// The host's name (`HOSTNAME`, else `/etc/hostname`, else `localhost`): replicas on different
/// hosts get different worker identities even when they listen on the same port.
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A queue table. `waiting` is an SQL condition over the table's own columns that may use `$1`
/// for "now" (e.g. `delivered_at IS NULL AND next_attempt_at <= $1`); `order` the claim order.
/// Both are constants of the code, never user input.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    pub table: &'static str,
    pub waiting: &'static str,
    pub order: &'static str,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// `$n` placeholders work on PostgreSQL; on SQLite they would be *named* parameters numbered by
/// first appearance, so they are written `?n` there.
fn placeholders(conn: &DbConn, sql: &str) -> String {
    match conn {
        DbConn::Pg(_) => sql.to_owned(),
        DbConn::Sqlite(_) => sql.replace('$', "?"),
    }
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(1))
}

impl Queue {
    pub const fn new(table: &'static str, waiting: &'static str, order: &'static str) -> Self {
        Self { table, waiting, order }
    }

    /// Claims up to `limit` waiting rows that no live lease holds, for `lease`; returns their
    /// ids in claim order. A cheap read first, so that an idle worker does not take SQLite's
    /// write lock on every poll.
    pub fn claim(&self, conn: &mut DbConn, holder: &Holder, limit: i64, lease: Duration) -> Result<Vec<i64>, ApiError> {
        let now = Utc::now().naive_utc();
        let free = "(claimed_until IS NULL OR claimed_until < $1)";
        let probe = placeholders(
            conn,
            &format!(
                "SELECT id FROM {} WHERE ({}) AND {free} LIMIT 1",
                self.table, self.waiting
            ),
        );
        let any: Vec<IdRow> = diesel::sql_query(probe).bind::<Timestamp, _>(now).load(conn)?;
        if any.is_empty() {
            return Ok(Vec::new());
        }
        let lock = match conn {
            DbConn::Pg(_) => " FOR UPDATE SKIP LOCKED",
            DbConn::Sqlite(_) => "",
        };
        let sql = placeholders(
            conn,
            &format!(
                "UPDATE {t} SET claimed_by = $2, claimed_until = $3 WHERE id IN \
                 (SELECT id FROM {t} WHERE ({w}) AND {free} ORDER BY {o} LIMIT $4{lock}) RETURNING id",
                t = self.table,
                w = self.waiting,
                o = self.order,
            ),
        );
        let until = now + chrono_of(lease);
        let token = holder.token().to_owned();
        let mut ids: Vec<i64> = write_tx(conn, |c| {
            diesel::sql_query(sql)
                .bind::<Timestamp, _>(now)
                .bind::<Text, _>(token)
                .bind::<Timestamp, _>(until)
                .bind::<BigInt, _>(limit.max(1))
                .load::<IdRow>(c)
        })?
        .into_iter()
        .map(|r| r.id)
        .collect();
        // RETURNING gives no order; callers work rows in claim order.
        ids.sort_unstable();
        Ok(ids)
    }

    /// Extends this holder's claims on `ids` to now + `lease`; returns how many it still held.
    pub fn renew(&self, conn: &mut DbConn, holder: &Holder, ids: &[i64], lease: Duration) -> Result<usize, ApiError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let sql = placeholders(
            conn,
            &format!(
                "UPDATE {} SET claimed_until = $1 WHERE claimed_by = $2 AND id IN ({})",
                self.table,
                id_list(ids)
            ),
        );
        let until = Utc::now().naive_utc() + chrono_of(lease);
        Ok(diesel::sql_query(sql)
            .bind::<Timestamp, _>(until)
            .bind::<Text, _>(holder.token())
            .execute(conn)?)
    }

    /// Gives `ids` back without counting an attempt (e.g. at shutdown).
    pub fn release(&self, conn: &mut DbConn, holder: &Holder, ids: &[i64]) -> Result<usize, ApiError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let sql = placeholders(
            conn,
            &format!(
                "UPDATE {} SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND id IN ({})",
                self.table,
                id_list(ids)
            ),
        );
        Ok(diesel::sql_query(sql).bind::<Text, _>(holder.token()).execute(conn)?)
    }

    /// Releases the claims that this worker's earlier lives left behind (a crash, `kill -9`):
    /// call once at start, before the worker claims anything.
    pub fn release_earlier(&self, conn: &mut DbConn, holder: &Holder) -> Result<usize, ApiError> {
        let prefix = format!("{}#", holder.worker());
        let len = i32::try_from(prefix.chars().count()).map_err(ApiError::internal)?;
        let sql = placeholders(
            conn,
            &format!(
                "UPDATE {} SET claimed_by = NULL, claimed_until = NULL \
                 WHERE substr(claimed_by, 1, $1) = $2 AND claimed_by <> $3",
                self.table
            ),
        );
        Ok(diesel::sql_query(sql)
            .bind::<Integer, _>(len)
            .bind::<Text, _>(prefix)
            .bind::<Text, _>(holder.token())
            .execute(conn)?)
    }

    /// Whether `holder` still holds row `id`. Call inside the transaction that records the
    /// row's result: on PostgreSQL the row is locked until it commits, on SQLite the write
    /// transaction serialises, so a worker whose claim was taken over records nothing.
    pub fn holds(&self, conn: &mut DbConn, holder: &Holder, id: i64) -> Result<bool, ApiError> {
        let lock = match conn {
            DbConn::Pg(_) => " FOR UPDATE",
            DbConn::Sqlite(_) => "",
        };
        let sql = placeholders(
            conn,
            &format!("SELECT id FROM {} WHERE id = $1 AND claimed_by = $2{lock}", self.table),
        );
        let rows: Vec<IdRow> = diesel::sql_query(sql)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(holder.token())
            .load(conn)?;
        Ok(!rows.is_empty())
    }

    /// Which of `ids` `holder` still holds, in one statement ([`Queue::holds`] for many rows:
    /// the same locking, so call it inside the recording transaction).
    pub fn held(&self, conn: &mut DbConn, holder: &Holder, ids: &[i64]) -> Result<Vec<i64>, ApiError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let lock = match conn {
            DbConn::Pg(_) => " ORDER BY id FOR UPDATE",
            DbConn::Sqlite(_) => "",
        };
        let sql = placeholders(
            conn,
            &format!(
                "SELECT id FROM {} WHERE claimed_by = $1 AND id IN ({}){lock}",
                self.table,
                id_list(ids)
            ),
        );
        let mut held: Vec<i64> = diesel::sql_query(sql)
            .bind::<Text, _>(holder.token())
            .load::<IdRow>(conn)?
            .into_iter()
            .map(|r| r.id)
            .collect();
        held.sort_unstable();
        Ok(held)
    }

    /// Rows claimed now (by anyone) and waiting rows, for gauges and tests.
    pub fn counts(&self, conn: &mut DbConn) -> Result<QueueCounts, ApiError> {
        #[derive(QueryableByName)]
        struct Counts {
            #[diesel(sql_type = BigInt)]
            waiting: i64,
            #[diesel(sql_type = BigInt)]
            claimed: i64,
        }
        let sql = placeholders(
            conn,
            &format!(
                "SELECT \
                 (SELECT count(*) FROM {t} WHERE ({w})) AS waiting, \
                 (SELECT count(*) FROM {t} WHERE claimed_until IS NOT NULL AND claimed_until >= $1) AS claimed",
                t = self.table,
                w = self.waiting,
            ),
        );
        let c: Counts = diesel::sql_query(sql)
            .bind::<Timestamp, _>(Utc::now().naive_utc())
            .get_result(conn)?;
        Ok(QueueCounts {
            waiting: c.waiting,
            claimed: c.claimed,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCounts {
    /// Rows the `waiting` condition selects now (due ones, claimed or not).
    pub waiting: i64,
    /// Rows under a live lease.
    pub claimed: i64,
}

/// How long to wait before the next attempt, and when to stop trying.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Wait after the first failed attempt, doubled after each further one …
    pub base: Duration,
    /// … up to this.
    pub cap: Duration,
    /// Give up once the first attempt is this old (a transient cause that lasts longer is
    /// taken as lasting).
    pub give_up_after: Option<Duration>,
    /// Give up after this many attempts.
    pub max_attempts: Option<i32>,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time (UTC).
    RetryAt(NaiveDateTime),
    /// Stop: park the row as a dead letter.
    GiveUp,
}

impl RetryPolicy {
    /// The plain delay after `attempts` failed attempts: base · 2^(attempts−1), capped,
    /// ±10 % jitter so that many rows failed together do not come back at one instant.
    pub fn delay(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
        let plain = self.base.saturating_mul(1u32 << exp).min(self.cap);
        plain.mul_f64(0.9 + rand::random::<f64>() * 0.2)
    }

    /// After `attempts` attempts (the failed one included), the first made at `first`.
    pub fn after_failure(&self, attempts: i32, first: NaiveDateTime, now: NaiveDateTime) -> Next {
        if self.max_attempts.is_some_and(|max| attempts >= max) {
            return Next::GiveUp;
        }
        let next = now + chrono_of(self.delay(attempts));
        if let Some(limit) = self.give_up_after
            && next - first > chrono_of(limit)
        {
            return Next::GiveUp;
        }
        Next::RetryAt(next)
    }
}

/// Renews a holder's claims every third of the lease until dropped, from a thread of its own,
/// so that long work (rendering a chunk, an SMTP transaction) never loses its claim while the
/// worker is alive, and a dead worker's claims lapse within one lease.
pub struct Heartbeat {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    pub fn start(db: Db, queue: Queue, holder: Holder, ids: Vec<i64>, lease: Duration) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let every = (lease / 3).max(Duration::from_millis(50));
        let thread = std::thread::Builder::new()
            .name(format!("lease-{}", queue.table))
            .spawn(move || {
                loop {
                    match stopped.recv_timeout(every) {
                        Err(RecvTimeoutError::Timeout) => {}
                        // Stopped, or the owner is gone.
                        _ => return,
                    }
                    let renewed = db.get().and_then(|mut c| queue.renew(&mut c, &holder, &ids, lease));
                    if let Err(e) = renewed {
                        tracing::warn!(table = queue.table, error = %e, "cannot renew a lease");
                    }
                }
            })
            .ok();
        Self {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn holders_of_one_worker_differ_per_life_and_share_the_worker() {
        let a = Holder::new("documents-service@h:8083");
        let b = Holder::new("documents-service@h:8083");
        assert_eq!(a.worker(), b.worker());
        assert_ne!(a.token(), b.token());
        assert!(a.token().starts_with("documents-service@h:8083#"));
        assert!(
            Holder::for_service("members-service", "127.0.0.1:8081")
                .worker()
                .ends_with(":8081")
        );
    }

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap_and_give_up_by_age() {
        let p = RetryPolicy {
            base: Duration::from_secs(60),
            cap: Duration::from_secs(3600),
            give_up_after: Some(Duration::from_secs(3 * 86_400)),
            max_attempts: None,
        };
        let within = |d: Duration, secs: f64| (secs * 0.9..=secs * 1.1 + 1e-9).contains(&d.as_secs_f64());
        for _ in 0..50 {
            assert!(within(p.delay(1), 60.0));
            assert!(within(p.delay(2), 120.0));
            assert!(within(p.delay(6), 1920.0));
            assert!(within(p.delay(7), 3600.0));
            assert!(within(p.delay(500), 3600.0));
        }
        let first = t("2026-12-01 08:00:00");
        assert!(matches!(
            p.after_failure(3, first, t("2026-12-01 08:10:00")),
            Next::RetryAt(_)
        ));
        // An outage of two days is outlasted …
        assert!(matches!(
            p.after_failure(60, first, t("2026-12-03 08:00:00")),
            Next::RetryAt(_)
        ));
        // … three days is not.
        assert_eq!(p.after_failure(80, first, t("2026-12-04 07:30:00")), Next::GiveUp);
        let counted = RetryPolicy {
            max_attempts: Some(3),
            give_up_after: None,
            ..p
        };
        assert!(matches!(counted.after_failure(2, first, first), Next::RetryAt(_)));
        assert_eq!(counted.after_failure(3, first, first), Next::GiveUp);
    }
}
