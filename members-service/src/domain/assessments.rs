//! R15 annual work assessment (年度工作考核) and R16 commendation (褒奖).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentResult {
    /// 优秀
    Excellent,
    /// 合格
    Competent,
    /// 基本合格
    BasicallyCompetent,
    /// 不合格
    Incompetent,
}

impl AssessmentResult {
    pub const ALL: [AssessmentResult; 4] = [
        AssessmentResult::Excellent,
        AssessmentResult::Competent,
        AssessmentResult::BasicallyCompetent,
        AssessmentResult::Incompetent,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentResult::Excellent => "excellent",
            AssessmentResult::Competent => "competent",
            AssessmentResult::BasicallyCompetent => "basically_competent",
            AssessmentResult::Incompetent => "incompetent",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            AssessmentResult::Excellent => "优秀",
            AssessmentResult::Competent => "合格",
            AssessmentResult::BasicallyCompetent => "基本合格",
            AssessmentResult::Incompetent => "不合格",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
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
