//! Calendar dates as the charter counts them: in the alliance's time zone, China Standard Time
//! (UTC+8) unless `ALLIANCE_UTC_OFFSET_HOURS` says otherwise. Timestamps are stored in UTC.
//!
//! The offset is one setting for the whole process: read with the service's settings at start
//! ([`crate::config::ServiceSettings::utc_offset_hours`]) and installed by [`set_offset_hours`],
//! never read from the environment on a call.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

/// China Standard Time.
pub const DEFAULT_OFFSET_HOURS: i64 = 8;

static OFFSET_HOURS: AtomicI64 = AtomicI64::new(DEFAULT_OFFSET_HOURS);

/// Installs the alliance's offset from UTC (done by each service's `start`).
pub fn set_offset_hours(hours: i64) {
    OFFSET_HOURS.store(hours, Ordering::Relaxed);
}

/// The alliance's offset from UTC, in hours.
pub fn offset_hours() -> i64 {
    OFFSET_HOURS.load(Ordering::Relaxed)
}

/// Today's date in the alliance's time zone.
pub fn today() -> NaiveDate {
    local(Utc::now().naive_utc()).date()
}

/// A UTC timestamp as wall-clock time in the alliance's time zone.
pub fn local(utc: NaiveDateTime) -> NaiveDateTime {
    utc + Duration::hours(offset_hours())
}
