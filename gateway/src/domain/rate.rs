//! Requests per address on the public verification routes (issue 12): a token bucket per
//! address, so a person scanning a few QR codes is never slowed while a script walking tokens
//! is held to a steady rate. Each replica counts its own addresses (the limit is per replica);
//! the rule is free of I/O, the caller passes the time.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Addresses kept before idle ones (full buckets, which carry no state worth keeping) are dropped.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// `per_minute` requests a minute per address, with bursts of `burst`; 0 per minute = no limit.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, b: Bucket, now: Instant) -> f64 {
        let rate = f64::from(self.per_minute) / 60.0;
        (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate).min(f64::from(self.burst))
    }

    /// Takes one request's token for `ip` at `now`, or says how long until one is free. A
    /// request without a known address (not TCP) is not limited.
    pub fn check(&self, ip: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let Some(ip) = ip.filter(|_| self.per_minute > 0) else {
            return Ok(());
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_ENTRIES && !buckets.contains_key(&ip) {
            let full = f64::from(self.burst);
            buckets.retain(|_, b| self.refill(*b, now) < full);
        }
        let full = Bucket {
            tokens: f64::from(self.burst),
            at: now,
        };
        let bucket = buckets.entry(ip).or_insert(full);
        let tokens = self.refill(*bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            let rate = f64::from(self.per_minute) / 60.0;
            Err(Duration::from_secs_f64((1.0 - tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn a_burst_passes_then_the_address_waits_for_its_rate() {
        let limiter = RateLimiter::new(60, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(ip("192.0.2.1"), t0), Ok(()));
        }
        let wait = limiter.check(ip("192.0.2.1"), t0).expect_err("the fourth waits");
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another address is not affected.
        assert_eq!(limiter.check(ip("192.0.2.2"), t0), Ok(()));
        // One a second at 60 a minute.
        assert_eq!(limiter.check(ip("192.0.2.1"), t0 + Duration::from_millis(1000)), Ok(()));
        assert!(
            limiter
                .check(ip("192.0.2.1"), t0 + Duration::from_millis(1100))
                .is_err()
        );
        // A refused request does not spend what was refilled.
        assert_eq!(limiter.check(ip("192.0.2.1"), t0 + Duration::from_millis(2000)), Ok(()));
    }

    #[test]
    fn zero_means_no_limit_and_unknown_addresses_pass() {
        let off = RateLimiter::new(0, 1);
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(off.check(ip("192.0.2.1"), now), Ok(()));
        }
        let on = RateLimiter::new(1, 1);
        for _ in 0..10 {
            assert_eq!(on.check(None, now), Ok(()));
        }
    }
}
