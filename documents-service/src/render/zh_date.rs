//! Dates written the way Chinese certificates and notices write them: 二〇二六年十一月二十四日.

use chrono::NaiveDate;

use crate::domain::dates::ChineseDate;

/// The year digit by digit (二〇二六), the month and day as numbers (十一, 二十四): a
/// [`ChineseDate`] written out, for template data.
///
/// ```
/// use chrono::NaiveDate;
/// use documents_service::render::zh_date;
/// let date = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a valid date");
/// assert_eq!(zh_date(date), "二〇二六年十一月二十四日");
/// ```
pub fn zh_date(date: NaiveDate) -> String {
    ChineseDate::new(date).to_string()
}

/// Parses an ISO date (`2026-11-24`) and writes it with [`zh_date`].
pub fn zh_date_iso(iso: &str) -> Option<String> {
    ChineseDate::parse_iso(iso).map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a valid test date")
    }

    #[test]
    fn writes_the_year_digit_by_digit_with_ling() {
        assert_eq!(zh_date(d(2026, 11, 24)), "二〇二六年十一月二十四日");
        assert_eq!(zh_date(d(2000, 1, 1)), "二〇〇〇年一月一日");
        assert_eq!(zh_date(d(2030, 11, 23)), "二〇三〇年十一月二十三日");
        assert_eq!(zh_date(d(1999, 9, 9)), "一九九九年九月九日");
    }

    #[test]
    fn counts_months_and_days_in_chinese() {
        assert_eq!(zh_date(d(2026, 10, 10)), "二〇二六年十月十日");
        assert_eq!(zh_date(d(2026, 12, 31)), "二〇二六年十二月三十一日");
        assert_eq!(zh_date(d(2026, 2, 20)), "二〇二六年二月二十日");
        assert_eq!(zh_date(d(2026, 3, 19)), "二〇二六年三月十九日");
        assert_eq!(zh_date(d(2028, 2, 29)), "二〇二八年二月二十九日");
        assert_eq!(zh_date(d(2026, 4, 30)), "二〇二六年四月三十日");
    }

    #[test]
    fn every_day_of_a_year_is_well_formed() {
        let mut day = d(2026, 1, 1);
        while day.year() == 2026 {
            let s = zh_date(day);
            assert!(s.starts_with("二〇二六年") && s.ends_with('日'), "{s}");
            assert!(s.chars().all(|c| "〇一二三四五六七八九十年月日".contains(c)), "{s}");
            assert!(!s.contains("十〇") && !s.contains("一十"), "{s}");
            day = day.succ_opt().expect("a next day");
        }
    }

    #[test]
    fn parses_iso_dates_and_refuses_others() {
        assert_eq!(zh_date_iso("2026-11-24").as_deref(), Some("二〇二六年十一月二十四日"));
        assert_eq!(zh_date_iso("2026-02-30"), None);
        assert_eq!(zh_date_iso("24.11.2026"), None);
    }
}
