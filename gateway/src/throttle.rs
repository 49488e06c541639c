//! Failed logins are limited per user name (or client id) and per address, separately, so that
//! one address's failures never lock anyone else out (issue 9, point 8):
//!
//! - **a name** with [`NAME_FREE_FAILURES`] failures (from anywhere) is locked for 30 s, doubling
//!   with each further failure up to 15 min. A locked account name is refused whatever the
//!   password; a locked client id still accepts its right secret (client secrets are long and
//!   random, so the lock protects nothing there, and it must not let anyone who knows a service's
//!   client id cut that service off) and answers 429 to wrong ones.
//! - **an address** with [`ADDRESS_FREE_FAILURES`] failures (for any names) is *slowed*: its
//!   credentials are still checked and a right password for a name that is not locked passes at
//!   once, but each failure is answered 429 after a delay growing with the address's failures.
//!   Behind a NAT or a load balancer that address is everyone, so it is never locked.
//!
//! State is per gateway replica and in memory; a lock ends with a restart.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Failures of one name before it is locked.
pub const NAME_FREE_FAILURES: u32 = 5;
/// Failures from one address (any names) before its failures are slowed down.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
const BASE_LOCK: Duration = Duration::from_secs(30);
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
const BASE_DELAY: Duration = Duration::from_millis(500);
/// Short enough not to hold connections for long (an attacker opens many anyway).
const MAX_DELAY: Duration = Duration::from_secs(4);
/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Entries kept per map before stale (then unlocked) ones are dropped, under a spray of names.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    names: HashMap<String, Entry>,
    addresses: HashMap<String, Entry>,
}

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

impl Entry {
    fn fresh(now: Instant) -> Self {
        Self {
            failures: 0,
            last: now,
            locked_until: None,
        }
    }

    /// Failures still counted at `now`.
    fn failures_at(&self, now: Instant) -> u32 {
        if now.duration_since(self.last) > WINDOW {
            0
        } else {
            self.failures
        }
    }

    fn record(&mut self, now: Instant) {
        self.failures = self.failures_at(now).saturating_add(1);
        self.last = now;
    }
}

/// What to answer to a failed check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 401: wrong credentials, nothing limited yet.
    Plain,
    /// 429 with `Retry-After: retry_after_secs`, sent after waiting `delay` (zero when only the
    /// name is locked).
    Limited { delay: Duration, retry_after_secs: u64 },
}

impl LoginThrottle {
    /// Recovers from a poisoned lock: the maps stay consistent after any panic (each update is a
    /// single insert), and failing open would turn the throttle off.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Seconds until `name` (`user:<name>` or `client:<id>`) is unlocked, if it is locked.
    pub fn name_locked(&self, name: &str) -> Option<u64> {
        self.name_locked_at(name, Instant::now())
    }

    fn name_locked_at(&self, name: &str, now: Instant) -> Option<u64> {
        let state = self.state();
        let until = state.names.get(name)?.locked_until?;
        (until > now).then(|| until.duration_since(now).as_secs().max(1))
    }

    /// Records a failed check of `name` from `address`, and says how to answer it.
    pub fn failed(&self, name: &str, address: &str) -> Failure {
        self.failed_at(name, address, Instant::now())
    }

    fn failed_at(&self, name: &str, address: &str, now: Instant) -> Failure {
        let mut guard = self.state();
        let state = &mut *guard;
        for map in [&mut state.names, &mut state.addresses] {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| now.duration_since(e.last) < WINDOW);
            }
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| e.locked_until.is_some_and(|u| u > now));
            }
        }

        let entry = state.names.entry(name.to_owned()).or_insert_with(|| Entry::fresh(now));
        entry.record(now);
        let name_lock = (entry.failures >= NAME_FREE_FAILURES).then(|| {
            let doublings = (entry.failures - NAME_FREE_FAILURES).min(10);
            let lock = BASE_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK);
            entry.locked_until = Some(now + lock);
            lock
        });

        let entry = state
            .addresses
            .entry(address.to_owned())
            .or_insert_with(|| Entry::fresh(now));
        entry.record(now);
        let slowed = entry.failures > ADDRESS_FREE_FAILURES;
        let delay = if slowed {
            // 0.5 s, doubling every 10 further failures, at most 4 s.
            let doublings = ((entry.failures - ADDRESS_FREE_FAILURES - 1) / 10).min(8);
            BASE_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
        } else {
            Duration::ZERO
        };

        match (name_lock, slowed) {
            // The failure that starts a lock is still answered 401: the next attempt gets 429.
            (_, false) => Failure::Plain,
            (lock, true) => Failure::Limited {
                delay,
                retry_after_secs: lock.unwrap_or(delay).as_secs().max(1),
            },
        }
    }

    /// A right password or secret: the name's failures are forgotten. The address's are not, so
    /// that a user behind the same NAT does not wipe out an attacker's record.
    pub fn succeeded(&self, name: &str) {
        self.state().names.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue 9, point 8: a name is locked after five failures, and a success clears it.
    #[test]
    fn a_name_locks_after_five_failures_and_success_clears_it() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..NAME_FREE_FAILURES {
            assert_eq!(t.name_locked_at("user:alice", now), None, "locked after {i} failures");
            assert_eq!(t.failed_at("user:alice", "10.0.0.1", now), Failure::Plain);
        }
        assert!(matches!(t.name_locked_at("user:alice", now), Some(s) if (1..=30).contains(&s)));
        // The lock ends after its 30 s; the next failure locks for twice as long.
        let later = now + Duration::from_secs(31);
        assert_eq!(t.name_locked_at("user:alice", later), None);
        t.failed_at("user:alice", "10.0.0.1", later);
        assert!(matches!(t.name_locked_at("user:alice", later), Some(s) if (31..=60).contains(&s)));
        t.succeeded("user:alice");
        assert_eq!(t.name_locked_at("user:alice", later), None);
    }

    // issue 9, point 8: failures for one name (an unknown one, say) never lock another name
    // from the same address.
    #[test]
    fn failures_for_one_name_do_not_lock_another_from_the_same_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..10 {
            t.failed_at("user:nobody", "10.0.0.1", now);
        }
        assert!(t.name_locked_at("user:nobody", now).is_some());
        assert_eq!(t.name_locked_at("user:admin", now), None);
        assert_eq!(t.name_locked_at("client:members-service", now), None);
    }

    // issue 9, point 8: an address failing for many names is slowed (429 after a delay) but
    // never locks a name it has not failed for five times.
    #[test]
    fn an_address_failing_for_many_names_is_slowed_not_locked() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..ADDRESS_FREE_FAILURES {
            assert_eq!(t.failed_at(&format!("user:u{i}"), "10.0.0.9", now), Failure::Plain);
        }
        let Failure::Limited {
            delay,
            retry_after_secs,
        } = t.failed_at("user:next", "10.0.0.9", now)
        else {
            panic!("the 21st failure from one address is not limited");
        };
        assert_eq!(delay, BASE_DELAY);
        assert_eq!(retry_after_secs, 1);
        assert_eq!(t.name_locked_at("user:next", now), None);
        // Another address is unaffected.
        assert_eq!(t.failed_at("user:x", "10.0.0.10", now), Failure::Plain);
        // The delay grows, and stays bounded.
        let mut last = delay;
        for i in 0..200 {
            if let Failure::Limited { delay, .. } = t.failed_at(&format!("user:v{i}"), "10.0.0.9", now) {
                assert!(delay >= last && delay <= MAX_DELAY);
                last = delay;
            }
        }
        assert_eq!(last, MAX_DELAY);
        // Forgotten after the window.
        let later = now + WINDOW + Duration::from_secs(1);
        assert_eq!(t.failed_at("user:y", "10.0.0.9", later), Failure::Plain);
    }

    // issue 9, point 12: a panic while the lock is held must not switch the throttle off.
    #[test]
    fn a_poisoned_lock_keeps_the_throttle_working() {
        let t = std::sync::Arc::new(LoginThrottle::default());
        let now = Instant::now();
        for _ in 0..NAME_FREE_FAILURES {
            t.failed_at("user:alice", "10.0.0.1", now);
        }
        let t2 = t.clone();
        let poisoned = std::thread::spawn(move || {
            let _guard = t2.state.lock();
            panic!("poison the throttle's lock");
        })
        .join();
        assert!(poisoned.is_err());
        assert!(t.state.is_poisoned());
        assert!(t.name_locked_at("user:alice", now).is_some());
        t.failed_at("user:bob", "10.0.0.1", now);
        t.succeeded("user:alice");
        assert_eq!(t.name_locked_at("user:alice", now), None);
    }
}
