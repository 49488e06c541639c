//! R15 annual work assessment (年度工作考核) and R16 commendation (褒奖).

alliance_events::vocabulary! {
    /// 年度工作考核结果（R15）。An annual assessment result (R15).
    pub enum AssessmentResult {
        /// 优秀。Excellent.
        Excellent = "excellent" => "优秀",
        /// 合格。Competent.
        Competent = "competent" => "合格",
        /// 基本合格。Basically competent.
        BasicallyCompetent = "basically_competent" => "基本合格",
        /// 不合格。Incompetent.
        Incompetent = "incompetent" => "不合格",
    }
}

/// R15: an appointment is assessed for a work year it was active in (calendar years by default).
pub fn assessable(year: i32, starts_on: chrono::NaiveDate, ended_or_ends_on: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    starts_on.year() <= year && year <= ended_or_ends_on.year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn r15_results_round_trip_with_labels() {
        for r in AssessmentResult::ALL {
            assert_eq!(AssessmentResult::parse(r.as_str()), Some(r));
        }
        assert_eq!(AssessmentResult::BasicallyCompetent.label_zh(), "基本合格");
    }

    #[test]
    fn r15_only_years_the_appointment_ran_in() {
        let s = NaiveDate::from_ymd_opt(2023, 4, 1).unwrap_or_default();
        let e = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default();
        assert!(!assessable(2022, s, e));
        assert!(assessable(2023, s, e));
        assert!(assessable(2027, s, e));
        assert!(!assessable(2028, s, e));
    }
}
