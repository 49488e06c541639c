//! Calendar dates as the charter counts them: in China Standard Time (UTC+8) unless
//! `ALLIANCE_UTC_OFFSET_HOURS` says otherwise. Timestamps are stored in UTC.

use chrono::{Duration, NaiveDate, Utc};

pub fn offset_hours() -> i64 {
    crate::config::parse_or("ALLIANCE_UTC_OFFSET_HOURS", 8).unwrap_or(8)
}

/// Today's date in the alliance's time zone.
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(offset_hours())).date_naive()
}
