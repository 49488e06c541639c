//! Dates and numbers the way Chinese certificates and notices write them: 二〇二六年十一月二十四日,
//! 第十二届. A date is parsed once at the edge (a `NaiveDate` from JSON or the clock) and
//! printed through [`ChineseDate`], so no document formats or parses date strings itself.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use alliance_events::numerals::{DIGITS, count};
pub use alliance_events::numerals::{small_number_zh, term_label};

/// A date as documents print it: the year digit by digit (二〇二六), the month and day counted
/// (十一, 二十四).
///
/// ```
/// use chrono::NaiveDate;
/// use documents_service::domain::dates::ChineseDate;
/// let date = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a valid date");
/// assert_eq!(ChineseDate::from(date).to_string(), "二〇二六年十一月二十四日");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChineseDate(NaiveDate);

impl ChineseDate {
    pub fn new(date: NaiveDate) -> Self {
        Self(date)
    }

    /// Parses an ISO date (`2026-11-24`); `None` for anything else.
    pub fn parse_iso(iso: &str) -> Option<Self> {
        NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok().map(Self)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// 星期一 … 星期日
    pub fn weekday(self) -> &'static str {
        const DAYS: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];
        DAYS[self.0.weekday().num_days_from_monday() as usize]
    }

    /// The year and month as a roster's term column writes them: `2026.01`.
    pub fn year_month(self) -> String {
        self.0.format("%Y.%m").to_string()
    }
}

impl From<NaiveDate> for ChineseDate {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

impl fmt::Display for ChineseDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for digit in self.0.year().to_string().chars() {
            // Years before 1 do not occur in these documents; a sign would be kept as is.
            let c = digit.to_digit(10).map_or(digit, |d| DIGITS[d as usize]);
            fmt::Write::write_char(f, c)?;
        }
        write!(f, "年{}月{}日", count(self.0.month()), count(self.0.day()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> ChineseDate {
        ChineseDate::new(NaiveDate::from_ymd_opt(y, m, day).expect("a valid test date"))
    }

    #[test]
    fn writes_the_year_digit_by_digit_with_ling() {
        assert_eq!(d(2026, 11, 24).to_string(), "二〇二六年十一月二十四日");
        assert_eq!(d(2000, 1, 1).to_string(), "二〇〇〇年一月一日");
        assert_eq!(d(2030, 11, 23).to_string(), "二〇三〇年十一月二十三日");
        assert_eq!(d(1999, 9, 9).to_string(), "一九九九年九月九日");
    }

    #[test]
    fn counts_months_and_days_in_chinese() {
        assert_eq!(d(2026, 10, 10).to_string(), "二〇二六年十月十日");
        assert_eq!(d(2026, 12, 31).to_string(), "二〇二六年十二月三十一日");
        assert_eq!(d(2026, 2, 20).to_string(), "二〇二六年二月二十日");
        assert_eq!(d(2026, 3, 19).to_string(), "二〇二六年三月十九日");
        assert_eq!(d(2028, 2, 29).to_string(), "二〇二八年二月二十九日");
        assert_eq!(d(2026, 4, 30).to_string(), "二〇二六年四月三十日");
    }

    #[test]
    fn every_day_of_a_year_is_well_formed() {
        let mut day = d(2026, 1, 1).date();
        while day.year() == 2026 {
            let s = ChineseDate::new(day).to_string();
            assert!(s.starts_with("二〇二六年") && s.ends_with('日'), "{s}");
            assert!(s.chars().all(|c| "〇一二三四五六七八九十年月日".contains(c)), "{s}");
            assert!(!s.contains("十〇") && !s.contains("一十"), "{s}");
            day = day.succ_opt().expect("a next day");
        }
    }

    #[test]
    fn parses_iso_dates_and_refuses_others() {
        assert_eq!(ChineseDate::parse_iso("2026-11-24"), Some(d(2026, 11, 24)));
        assert_eq!(ChineseDate::parse_iso("2026-02-30"), None);
        assert_eq!(ChineseDate::parse_iso("24.11.2026"), None);
    }

    #[test]
    fn weekdays_and_roster_months() {
        assert_eq!(d(2026, 11, 24).weekday(), "星期二");
        assert_eq!(d(2026, 11, 29).weekday(), "星期日");
        assert_eq!(d(2026, 1, 1).year_month(), "2026.01");
        assert_eq!(d(2029, 12, 31).year_month(), "2029.12");
    }

    #[test]
    fn term_numbers_in_chinese() {
        assert_eq!(small_number_zh(1), "一");
        assert_eq!(small_number_zh(10), "十");
        assert_eq!(small_number_zh(12), "十二");
        assert_eq!(small_number_zh(20), "二十");
        assert_eq!(small_number_zh(23), "二十三");
        assert_eq!(small_number_zh(100), "100");
        assert_eq!(term_label(2), "第二届");
    }
}
