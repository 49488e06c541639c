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
//! A name's failures and lock are kept in the gateway's database (`login_failures`, see
//! [`crate::db::login_failures`]), so every replica counts the same failures and honours the
//! same lock: replicas do not multiply an attacker's guesses. An address's failures only slow it
//! down and are kept in each replica's memory. This module holds the rules, free of I/O.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

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
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses kept before stale (then unslowed) ones are dropped, under a spray of addresses.
const MAX_ENTRIES: usize = 100_000;

/// A name's failed logins, as stored (UTC times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRecord {
    pub failures: u32,
    pub last_failed_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl NameRecord {
    /// The record after one more failure at `now`: failures older than [`WINDOW`] are
    /// forgotten; from the [`NAME_FREE_FAILURES`]th on, the name is locked for 30 s, doubling with
    /// each further failure up to 15 min.
    pub fn after_failure(previous: Option<NameRecord>, now: NaiveDateTime) -> NameRecord {
        let counted = previous
            .filter(|p| now.signed_duration_since(p.last_failed_at) <= chrono(WINDOW))
            .map_or(0, |p| p.failures);
        let failures = counted.saturating_add(1);
        let locked_until = (failures >= NAME_FREE_FAILURES).then(|| {
            let doublings = (failures - NAME_FREE_FAILURES).min(10);
            now + chrono(BASE_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK))
        });
        NameRecord {
            failures,
            last_failed_at: now,
            locked_until: locked_until.or(previous.and_then(|p| p.locked_until).filter(|u| *u > now)),
        }
    }

    /// Whole seconds (at least 1) until the name is unlocked, if it is locked at `now`.
    pub fn locked_for(&self, now: NaiveDateTime) -> Option<u64> {
        let until = self.locked_until?;
        (until > now).then(|| {
            let secs = until.signed_duration_since(now).num_seconds();
            u64::try_from(secs).unwrap_or(0).max(1)
        })
    }
}

/// Failures per address, in this replica's memory.
#[derive(Default)]
pub struct LoginThrottle {
    addresses: Mutex<HashMap<String, Entry>>,
}

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
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
    /// Recovers from a poisoned lock: the map stays consistent after any panic (each update is a
    /// single insert), and failing open would turn the throttle off.
    fn addresses(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.addresses.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a failed check from `address` whose name's record is now `name`, and says how to
    /// answer it.
    pub fn failed(&self, name: &NameRecord, address: &str) -> Failure {
        self.failed_at(name, address, Instant::now())
    }

    fn failed_at(&self, name: &NameRecord, address: &str, now: Instant) -> Failure {
        let failures = {
            let mut map = self.addresses();
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| now.duration_since(e.last) < WINDOW);
            }
            let entry = map
                .entry(address.to_owned())
                .or_insert(Entry { failures: 0, last: now });
            let counted = if now.duration_since(entry.last) > WINDOW {
                0
            } else {
                entry.failures
            };
            entry.failures = counted.saturating_add(1);
            entry.last = now;
            entry.failures
        };
        if failures <= ADDRESS_FREE_FAILURES {
            // The failure that starts a name's lock is still answered 401: the next attempt gets 429.
            return Failure::Plain;
        }
        // 0.5 s, doubling every 10 further failures, at most 4 s.
        let doublings = ((failures - ADDRESS_FREE_FAILURES - 1) / 10).min(8);
        let delay = BASE_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY);
        let lock = name.locked_until.map(|u| {
            let secs = u.signed_duration_since(name.last_failed_at).num_seconds();
            Duration::from_secs(u64::try_from(secs).unwrap_or(0))
        });
        Failure::Limited {
            delay,
            retry_after_secs: lock.unwrap_or(delay).as_secs().max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .map(|t| t.naive_utc())
            .expect("a valid time")
    }

    fn fail(times: u32, from: Option<NameRecord>, now: NaiveDateTime) -> NameRecord {
        (0..times)
            .fold(from, |r, _| Some(NameRecord::after_failure(r, now)))
            .expect("one failure at least")
    }

    // issue 9, point 8: a name is locked after five failures, for 30 s, then twice as long.
    #[test]
    fn a_name_locks_after_five_failures_then_doubles() {
        let four = fail(NAME_FREE_FAILURES - 1, None, at(0));
        assert_eq!(four.locked_for(at(0)), None, "locked after four failures");
        let five = NameRecord::after_failure(Some(four), at(0));
        assert_eq!(five.locked_for(at(0)), Some(30));
        // The lock ends after its 30 s; the next failure locks for twice as long.
        assert_eq!(five.locked_for(at(31)), None);
        let six = NameRecord::after_failure(Some(five), at(31));
        assert_eq!(six.locked_for(at(31)), Some(60));
        // Bounded at 15 min however many failures.
        let many = fail(40, Some(six), at(40));
        assert_eq!(many.locked_for(at(40)), Some(15 * 60));
    }

    // issue 9, point 8: failures older than the window are forgotten.
    #[test]
    fn old_failures_are_forgotten() {
        let four = fail(NAME_FREE_FAILURES - 1, None, at(0));
        let later = at(i64::try_from(WINDOW.as_secs()).expect("small") + 1);
        let next = NameRecord::after_failure(Some(four), later);
        assert_eq!(next.failures, 1);
        assert_eq!(next.locked_for(later), None);
    }

    // issue 9, point 8: an address failing for many names is slowed (429 after a delay); another
    // address is not.
    #[test]
    fn an_address_failing_for_many_names_is_slowed() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let one = NameRecord::after_failure(None, at(0));
        for _ in 0..ADDRESS_FREE_FAILURES {
            assert_eq!(t.failed_at(&one, "10.0.0.9", now), Failure::Plain);
        }
        let Failure::Limited {
            delay,
            retry_after_secs,
        } = t.failed_at(&one, "10.0.0.9", now)
        else {
            panic!("the 21st failure from one address is not limited");
        };
        assert_eq!(delay, BASE_DELAY);
        assert_eq!(retry_after_secs, 1);
        // Another address is unaffected.
        assert_eq!(t.failed_at(&one, "10.0.0.10", now), Failure::Plain);
        // The delay grows, and stays bounded.
        let mut last = delay;
        for _ in 0..200 {
            if let Failure::Limited { delay, .. } = t.failed_at(&one, "10.0.0.9", now) {
                assert!(delay >= last && delay <= MAX_DELAY);
                last = delay;
            }
        }
        assert_eq!(last, MAX_DELAY);
        // A slowed address failing for a locked name is told the lock's length.
        let locked = fail(NAME_FREE_FAILURES, None, at(0));
        assert!(matches!(
            t.failed_at(&locked, "10.0.0.9", now),
            Failure::Limited {
                retry_after_secs: 30,
                ..
            }
        ));
        // Forgotten after the window.
        let later = now + WINDOW + Duration::from_secs(1);
        assert_eq!(t.failed_at(&one, "10.0.0.9", later), Failure::Plain);
    }

    // issue 9, point 12: a panic while the lock is held must not switch the throttle off.
    #[test]
    fn a_poisoned_lock_keeps_the_throttle_working() {
        let t = std::sync::Arc::new(LoginThrottle::default());
        let now = Instant::now();
        let one = NameRecord::after_failure(None, at(0));
        for _ in 0..ADDRESS_FREE_FAILURES {
            t.failed_at(&one, "10.0.0.1", now);
        }
        let t2 = t.clone();
        let poisoned = std::thread::spawn(move || {
            let _guard = t2.addresses.lock();
            panic!("poison the throttle's lock");
        })
        .join();
        assert!(poisoned.is_err());
        assert!(t.addresses.is_poisoned());
        assert!(matches!(t.failed_at(&one, "10.0.0.1", now), Failure::Limited { .. }));
    }
}
