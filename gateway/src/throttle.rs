//! Failed logins are limited: after a few failures for one user name (or from one address),
//! further attempts are refused for a growing period, whatever the password.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before a lock starts.
const FREE_FAILURES: u32 = 5;
const BASE_LOCK: Duration = Duration::from_secs(30);
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

impl LoginThrottle {
    /// `Err(seconds to wait)` while any of `keys` is locked.
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(map) = self.entries.lock() else { return Ok(()) };
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k))
            .filter_map(|e| e.locked_until)
            .filter(|until| *until > now)
            .map(|until| until.duration_since(now).as_secs().max(1))
            .max();
        match wait {
            Some(s) => Err(s),
            None => Ok(()),
        }
    }

    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let Ok(mut map) = self.entries.lock() else { return };
        if map.len() > 100_000 {
            // Bound memory under a spray of user names: drop what is stale.
            map.retain(|_, e| now.duration_since(e.last) < WINDOW);
        }
        for k in keys {
            let e = map.entry(k.clone()).or_insert(Entry {
                failures: 0,
                last: now,
                locked_until: None,
            });
            if now.duration_since(e.last) > WINDOW {
                e.failures = 0;
            }
            e.failures += 1;
            e.last = now;
            if e.failures >= FREE_FAILURES {
                let doublings = (e.failures - FREE_FAILURES).min(10);
                let lock = BASE_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK);
                e.locked_until = Some(now + lock);
            }
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        if let Ok(mut map) = self.entries.lock() {
            for k in keys {
                map.remove(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_failures_and_success_clears() {
        let t = LoginThrottle::default();
        let keys = vec!["user:alice".to_owned()];
        for _ in 0..4 {
            t.failed(&keys);
            assert!(t.check(&keys).is_ok());
        }
        t.failed(&keys);
        assert!(matches!(t.check(&keys), Err(s) if (1..=30).contains(&s)));
        t.succeeded(&keys);
        assert!(t.check(&keys).is_ok());
    }
}
