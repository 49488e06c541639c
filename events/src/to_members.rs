//! Events members-service handles, all from meetings-service.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Event;

/// 计入 R13 的一次无故缺席。One unexcused absence that counts towards R13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CountedAbsence {
    /// 活动编号。The activity's id.
    pub activity_id: i64,
    /// 举行日期。The day it was held.
    pub held_on: NaiveDate,
    /// 活动标题。The activity's title.
    pub title: String,
}

/// `dismissal_case.open`：R13，一个工作年度内第二次无故缺席，立解聘案。
/// `dismissal_case.open`: R13, the second unexcused absence in a work year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DismissalCaseOpen {
    /// 聘任编号。The appointment's id.
    pub appointment_id: i64,
    /// 工作年度的起始年份。The work year's first calendar year.
    pub work_year: i32,
    /// 计入的缺席。The absences counted.
    pub absences: Vec<CountedAbsence>,
}

/// `dismissal_case.withdraw`：出勤更正或活动取消使缺席次数少于两次，撤销解聘案。
/// `dismissal_case.withdraw`: a correction or cancellation brought the count below two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DismissalCaseWithdraw {
    /// 聘任编号。The appointment's id.
    pub appointment_id: i64,
    /// 工作年度的起始年份。The work year's first calendar year.
    pub work_year: i32,
    /// 撤销的原因。Why the case is withdrawn.
    pub reason: String,
}

/// 当选门槛：“超过出席人数的 分子/分母”。"More than numerator/denominator of those present".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = EventThreshold)]
pub struct Threshold {
    /// 分子。The numerator.
    pub numerator: u32,
    /// 分母。The denominator.
    pub denominator: u32,
}

/// 一位候选人的得票。One candidate's votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CandidateResult {
    /// 候选申请编号。The application's id.
    pub application_id: i64,
    /// 赞成票。Votes for.
    pub votes_for: u32,
    /// 反对票。Votes against.
    pub votes_against: u32,
    /// 弃权票。Abstentions.
    pub abstentions: u32,
}

/// `election.results`：R10、R19，全体会议上登记的选举票数。`election.results`: R10, R19, the votes recorded at a plenary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ElectionResults {
    /// 活动（全体会议）编号。The activity's (plenary's) id.
    pub activity_id: i64,
    /// 举行全体会议的机构；其他机构的申请跳过不计。The body whose plenary it was; an application for another body is skipped.
    pub body_id: i64,
    /// 会议标题。The meeting's title.
    pub title: String,
    /// 举行日期。The day it was held.
    pub held_on: NaiveDate,
    /// 出席的投票人数。Voters present.
    pub voters_present: u32,
    /// 为 null 时：超过出席人数的半数（R10）。null: more than half of those present (R10).
    pub threshold: Option<Threshold>,
    /// 各候选人的得票。Each candidate's votes.
    pub results: Vec<CandidateResult>,
}

/// 成员服务处理的全部事件（`kind` 与其 `payload`）。Every event members-service handles.
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
