//! Work years (工作年度, R13): the period in which unexcused absences are counted. A calendar
//! year by default; a deployment may start it on another day (`MEETINGS_WORK_YEAR_START=09-01`).
//! A work year is named by the calendar year in which it starts.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// The first day of every work year, as month and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkYearStart {
    month: u32,
    day: u32,
}

impl Default for WorkYearStart {
    /// 1 January: the calendar year (the charter's default).
    fn default() -> Self {
        Self::CALENDAR
    }
}

impl WorkYearStart {
    /// 1 January.
    pub const CALENDAR: WorkYearStart = WorkYearStart { month: 1, day: 1 };

    /// `month`/`day` must be a day that every year has (29 February is refused).
    pub fn new(month: u32, day: u32) -> Result<Self, String> {
        if month == 2 && day == 29 {
            return Err("a work year cannot start on 29 February (not every year has it)".into());
        }
        NaiveDate::from_ymd_opt(2001, month, day)
            .map(|_| Self { month, day })
            .ok_or_else(|| format!("{month:02}-{day:02} is not a day of the year"))
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// The work year `date` falls in.
    pub fn work_year_of(self, date: NaiveDate) -> i32 {
        if (date.month(), date.day()) >= (self.month, self.day) {
            date.year()
        } else {
            date.year() - 1
        }
    }

    /// First and last day of work year `year`.
    pub fn bounds(self, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        let first = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        let next = NaiveDate::from_ymd_opt(year.checked_add(1)?, self.month, self.day)?;
        Some((first, next.pred_opt()?))
    }
}

impl fmt::Display for WorkYearStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl FromStr for WorkYearStart {
    type Err = String;

    /// `MM-DD`, e.g. `01-01` or `9-1`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (m, d) = s.trim().split_once('-').ok_or_else(|| format!("{s:?} is not MM-DD"))?;
        let month = m.parse().map_err(|_| format!("{s:?} is not MM-DD"))?;
        let day = d.parse().map_err(|_| format!("{s:?} is not MM-DD"))?;
        Self::new(month, day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn r13_work_year_is_the_calendar_year_by_default() {
        let w = WorkYearStart::default();
        assert_eq!(w.work_year_of(d(2026, 1, 1)), 2026);
        assert_eq!(w.work_year_of(d(2026, 12, 31)), 2026);
        assert_eq!(w.bounds(2026), Some((d(2026, 1, 1), d(2026, 12, 31))));
    }

    #[test]
    fn r13_work_year_start_is_configurable() {
        let w: WorkYearStart = "09-01".parse().unwrap_or_default();
        assert_eq!(w, WorkYearStart { month: 9, day: 1 });
        assert_eq!(w.work_year_of(d(2026, 8, 31)), 2025);
        assert_eq!(w.work_year_of(d(2026, 9, 1)), 2026);
        assert_eq!(w.work_year_of(d(2027, 2, 28)), 2026);
        assert_eq!(w.bounds(2026), Some((d(2026, 9, 1), d(2027, 8, 31))));
        assert_eq!(w.to_string(), "09-01");
    }

    #[test]
    fn r13_impossible_work_year_starts_are_refused() {
        for bad in ["02-29", "13-01", "04-31", "x", "1/1", "00-10"] {
            assert!(bad.parse::<WorkYearStart>().is_err(), "{bad}");
        }
    }

    #[test]
    fn r13_every_date_falls_in_the_bounds_of_its_work_year() {
        let w = WorkYearStart::new(3, 15).unwrap_or_default();
        let mut day = d(2023, 1, 1);
        while day < d(2029, 1, 1) {
            let y = w.work_year_of(day);
            let (first, last) = w.bounds(y).unwrap_or_default();
            assert!(first <= day && day <= last, "{day} in {y}");
            day = day.succ_opt().unwrap_or(day);
        }
    }
}
