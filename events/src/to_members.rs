//! Events members-service handles, all from meetings-service.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Event;

/// One unexcused absence that counts towards R13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CountedAbsence {
    pub activity_id: i64,
    pub held_on: NaiveDate,
    pub title: String,
}

/// `dismissal_case.open`: R13, the second unexcused absence in a work year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DismissalCaseOpen {
    pub appointment_id: i64,
    /// The work year's first calendar year.
    pub work_year: i32,
    pub absences: Vec<CountedAbsence>,
}

/// `dismissal_case.withdraw`: a correction or cancellation brought the count below two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DismissalCaseWithdraw {
    pub appointment_id: i64,
    pub work_year: i32,
    pub reason: String,
}

/// "More than numerator/denominator of those present".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = EventThreshold)]
pub struct Threshold {
    pub numerator: u32,
    pub denominator: u32,
}

/// One candidate's votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CandidateResult {
    pub application_id: i64,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// `election.results`: R10, R19, the votes recorded at a plenary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ElectionResults {
    pub activity_id: i64,
    /// The body whose plenary it was; an application for another body is skipped.
    pub body_id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub voters_present: u32,
    /// null: more than half of those present (R10).
    pub threshold: Option<Threshold>,
    pub results: Vec<CandidateResult>,
}

/// Every event members-service handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "payload")]
pub enum ToMembers {
    #[serde(rename = "dismissal_case.open")]
    DismissalCaseOpen(DismissalCaseOpen),
    #[serde(rename = "dismissal_case.withdraw")]
    DismissalCaseWithdraw(DismissalCaseWithdraw),
    #[serde(rename = "election.results")]
    ElectionResults(ElectionResults),
}

impl Event for ToMembers {
    const DESTINATION: &'static str = "members";
    const KINDS: &'static [&'static str] = &["dismissal_case.open", "dismissal_case.withdraw", "election.results"];

    fn kind(&self) -> &'static str {
        match self {
            Self::DismissalCaseOpen(_) => "dismissal_case.open",
            Self::DismissalCaseWithdraw(_) => "dismissal_case.withdraw",
            Self::ElectionResults(_) => "election.results",
        }
    }
}
