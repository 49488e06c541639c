//! R9 (第六条): council members have, in principle, an associate-senior title or above
//! (原则上具有副高及以上专业技术职称) and are generally not over 60 (年龄一般不超过60周岁) on the
//! appointment date. Both are "in principle": a failing candidate needs a written exception
//! reason that a reviewer accepts explicitly.

use chrono::{Datelike, NaiveDate};

use super::people::TitleLevel;

pub const MAX_AGE: u32 = 60;

alliance_events::vocabulary! {
    /// 候选人原则上不符合第六条的资格问题（R9）。A way a candidate fails 第六条 in principle (R9).
    pub enum EligibilityIssue {
        /// 职称低于副高级（或未登记）。Title below associate_senior (or none recorded).
        TitleBelowAssociateSenior = "title_below_associate_senior" => "职称低于副高级",
        /// 聘任日年龄超过60周岁。Over 60 on the appointment date.
        OverAgeLimit = "over_age_limit" => "年龄超过60周岁",
        /// 未登记出生日期，无法核对年龄。No date of birth recorded, so age cannot be checked.
        AgeUnknown = "age_unknown" => "出生日期未登记",
    }
}

impl EligibilityIssue {
    /// The issues stored as one comma-separated text (`nominations.issues`, `applications.issues`).
    pub fn join(issues: &[EligibilityIssue]) -> String {
        issues.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The issues of a stored text; values no longer known are left out.
    pub fn split(s: &str) -> Vec<EligibilityIssue> {
        s.split(',').filter_map(EligibilityIssue::parse).collect()
    }
}

/// Full years of age on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// Issues that need an exception for a council post (empty = eligible).
pub fn council_issues(
    title: TitleLevel,
    birth: Option<NaiveDate>,
    appointment_date: NaiveDate,
) -> Vec<EligibilityIssue> {
    let mut issues = Vec::new();
    if !title.is_associate_senior_or_above() {
        issues.push(EligibilityIssue::TitleBelowAssociateSenior);
    }
    match birth {
        None => issues.push(EligibilityIssue::AgeUnknown),
        Some(b) if age_on(b, appointment_date) > MAX_AGE => issues.push(EligibilityIssue::OverAgeLimit),
        Some(_) => {}
    }
    issues
}

/// R9's verdict on a candidacy given its exception reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Eligible,
    /// Needs a reviewer to accept the exception explicitly.
    ExceptionRequested(Vec<EligibilityIssue>),
    /// Refused: issues without a written reason.
    Refused(Vec<EligibilityIssue>),
}

pub fn judge(issues: Vec<EligibilityIssue>, exception_reason: Option<&str>) -> Verdict {
    if issues.is_empty() {
        return Verdict::Eligible;
    }
    match exception_reason.map(str::trim) {
        Some(r) if !r.is_empty() => Verdict::ExceptionRequested(issues),
        _ => Verdict::Refused(issues),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn r9_age_exactly_60_on_the_appointment_date_is_eligible() {
        // Born 1966-05-10: 60 on 2026-05-10, 61 on 2027-05-10.
        let birth = d(1966, 5, 10);
        assert_eq!(age_on(birth, d(2026, 5, 10)), 60);
        assert!(council_issues(TitleLevel::Senior, Some(birth), d(2026, 5, 10)).is_empty());
        assert!(council_issues(TitleLevel::Senior, Some(birth), d(2027, 5, 9)).is_empty());
        assert_eq!(
            council_issues(TitleLevel::Senior, Some(birth), d(2027, 5, 10)),
            vec![EligibilityIssue::OverAgeLimit]
        );
    }

    #[test]
    fn r9_age_counts_leap_day_births() {
        assert_eq!(age_on(d(1964, 2, 29), d(2024, 2, 28)), 59);
        assert_eq!(age_on(d(1964, 2, 29), d(2024, 2, 29)), 60);
    }

    #[test]
    fn r9_title_must_be_associate_senior_or_above() {
        let birth = Some(d(1980, 1, 1));
        let on = d(2026, 1, 1);
        assert!(council_issues(TitleLevel::AssociateSenior, birth, on).is_empty());
        assert!(council_issues(TitleLevel::Senior, birth, on).is_empty());
        for low in [TitleLevel::Intermediate, TitleLevel::Junior, TitleLevel::None] {
            assert_eq!(
                council_issues(low, birth, on),
                vec![EligibilityIssue::TitleBelowAssociateSenior]
            );
        }
    }

    #[test]
    fn r9_failing_candidates_need_a_written_reason() {
        let issues = vec![EligibilityIssue::OverAgeLimit];
        assert_eq!(judge(issues.clone(), None), Verdict::Refused(issues.clone()));
        assert_eq!(judge(issues.clone(), Some("   ")), Verdict::Refused(issues.clone()));
        assert_eq!(
            judge(issues.clone(), Some("行业资深专家，身体健康")),
            Verdict::ExceptionRequested(issues)
        );
        assert_eq!(judge(vec![], None), Verdict::Eligible);
    }
}
