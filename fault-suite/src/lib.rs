//! The fault suite's harness: the four service binaries started as real child processes
//! ([`procs::Suite`]), real PostgreSQL (fresh databases on the shared server, or a cluster of
//! its own that a test may stop: [`pg::OwnCluster`]), a real SMTP server that can refuse on
//! command ([`smtp::SmtpSink`]), the API calls the scenarios make ([`alliance`]), and raw
//! HTTP/1.1 from any loopback address for clients no library would be ([`raw`]).
//!
//! It talks to the processes over HTTP and to PostgreSQL (psql) and SMTP only, so a test sees
//! exactly what an operator would. Every wait is a poll with a deadline ([`eventually`]).
//! The binaries are the debug ones next to the test executable: run `cargo build --bins` first.

pub mod alliance;
pub mod http;
pub mod pg;
pub mod procs;
pub mod raw;
pub mod smtp;

use std::future::Future;
use std::time::{Duration, Instant};

/// `FAULT_LONG=1` runs the long variants with the figures of issue #9.
pub fn long() -> bool {
    std::env::var("FAULT_LONG").is_ok_and(|v| v == "1")
}

/// `short` normally, `long` with `FAULT_LONG=1`.
pub fn pick<T>(short: T, long_value: T) -> T {
    if long() { long_value } else { short }
}

/// How long a scenario keeps waiting, past a promise's deadline that was missed, only to
/// measure how late the work finishes (`FAULT_SETTLE_SECS`, default 360: longer than the
/// 300 s batch lease of the code before issue #9's fixes).
pub fn settle_secs() -> f64 {
    std::env::var("FAULT_SETTLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(360.0)
}

/// Free TCP ports on 127.0.0.1, all distinct: every listener is held until all are chosen, so
/// the system cannot hand out the same port twice.
pub fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound listener has an address").port())
        .collect()
}

/// A short random tag (database names, e-mail addresses) without a uuid dependency.
pub fn random_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:x}", std::process::id(), nanos & 0xff_ffff_ffff)
}

/// Seconds since the epoch (to compare with the SMTP sink's timestamps).
pub fn epoch_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// Polls `f` every `every` until it returns `Some`, for at most `secs` seconds; `None` when the
/// deadline passed (the caller decides whether that fails the test).
pub async fn poll<T, F, Fut>(secs: f64, every: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        actix_rt::time::sleep(every).await;
    }
}

/// [`poll`] every 200 ms that fails the test naming `what` when the deadline passes.
pub async fn eventually<T, F, Fut>(secs: f64, what: &str, f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    match poll(secs, Duration::from_millis(200), f).await {
        Some(v) => v,
        None => panic!("timed out after {secs} s waiting for {what}"),
    }
}

/// Collects a scenario's checks so that one run reports every broken promise with its counts,
/// not only the first; [`Checks::finish`] fails the test if any did not hold.
pub struct Checks {
    scenario: String,
    failed: Vec<String>,
}

impl Checks {
    pub fn new(scenario: &str) -> Self {
        Self {
            scenario: scenario.to_owned(),
            failed: Vec::new(),
        }
    }

    /// Prints a figure for the record (docs/reliability.md).
    pub fn figure(&self, what: &str, value: impl std::fmt::Display) {
        eprintln!("[{}] {what}: {value}", self.scenario);
    }

    /// Records whether `ok` held, with `what` naming the promise and its counts.
    pub fn check(&mut self, ok: bool, what: impl Into<String>) {
        let what = what.into();
        eprintln!("[{}] {} {what}", self.scenario, if ok { "PASS" } else { "FAIL" });
        if !ok {
            self.failed.push(what);
        }
    }

    /// Panics listing every check that failed.
    pub fn finish(self) {
        assert!(
            self.failed.is_empty(),
            "[{}] {} check(s) failed:\n  - {}",
            self.scenario,
            self.failed.len(),
            self.failed.join("\n  - ")
        );
        eprintln!("[{}] all checks passed", self.scenario);
    }
}
