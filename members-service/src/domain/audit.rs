//! What the audit log records a change as (every change is audited: who, when, before/after,
//! why).

use super::applications::ApplicationAction;
use super::appointments::{AppointmentStatus, DismissalCaseStatus, ResignationStatus};

alliance_events::vocabulary! {
    /// 对被审计记录所做的操作。What was done to the audited record.
    pub enum AuditAction {
        Create = "create" => "新建",
        Update = "update" => "修改",
        /// 申报的各步操作（R7）。An application's steps (R7).
        StartReview = "start_review" => "开始审核",
        Reject = "reject" => "审核不通过",
        Approve = "approve" => "审核通过",
        RecordElection = "record_election" => "登记选举结果",
        /// 提名或申报产生了聘任。A nomination or application led to its appointment.
        Appoint = "appoint" => "聘任",
        /// 申报撤回，或缺席更正后解聘案撤销。An application withdrawn, or a dismissal case withdrawn after a correction.
        Withdraw = "withdraw" => "撤回",
        /// 辞聘申请已审批（R11）。A resignation request decided (R11).
        Approved = "approved" => "同意辞聘",
        Refused = "refused" => "不同意辞聘",
        /// 解聘案已处理（R13）。A dismissal case decided (R13).
        Confirmed = "confirmed" => "确认解聘",
        Dropped = "dropped" => "不予解聘",
        /// 聘任的结束与生效（R5、R6、R11–R13）。An appointment's ends and starts (R5, R6, R11–R13).
        Resigned = "resigned" => "辞聘",
        Dismissed = "dismissed" => "解聘",
        Complete = "complete" => "任期届满（已续聘）",
        Lapse = "lapse" => "任期届满解聘",
        Activate = "activate" => "续聘生效",
        /// 届满作业处理完一届（R6）。A term closed by the lapse job (R6).
        Close = "close" => "任期结束处理",
        RemindTermEnd = "remind_term_end" => "任期届满提醒",
    }
}

impl From<ApplicationAction> for AuditAction {
    fn from(a: ApplicationAction) -> Self {
        match a {
            ApplicationAction::StartReview => AuditAction::StartReview,
            ApplicationAction::Reject => AuditAction::Reject,
            ApplicationAction::Approve => AuditAction::Approve,
            ApplicationAction::RecordElection => AuditAction::RecordElection,
            ApplicationAction::Appoint => AuditAction::Appoint,
            ApplicationAction::Withdraw => AuditAction::Withdraw,
        }
    }
}

impl AuditAction {
    /// An appointment ended early as `status` (R11–R13): resigned, else dismissed.
    pub fn ended_as(status: AppointmentStatus) -> Self {
        match status {
            AppointmentStatus::Resigned => AuditAction::Resigned,
            _ => AuditAction::Dismissed,
        }
    }

    /// A resignation request decided as `status`.
    pub fn resignation(status: ResignationStatus) -> Self {
        match status {
            ResignationStatus::Approved => AuditAction::Approved,
            _ => AuditAction::Refused,
        }
    }

    /// A dismissal case decided as `status`.
    pub fn case(status: DismissalCaseStatus) -> Self {
        match status {
            DismissalCaseStatus::Confirmed => AuditAction::Confirmed,
            DismissalCaseStatus::Withdrawn => AuditAction::Withdraw,
            _ => AuditAction::Dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_recorded_with_the_wire_value_of_their_outcome() {
        // The audit log has always stored these as the outcome's own wire value.
        assert_eq!(
            AuditAction::ended_as(AppointmentStatus::Dismissed).as_str(),
            "dismissed"
        );
        assert_eq!(AuditAction::ended_as(AppointmentStatus::Resigned).as_str(), "resigned");
        assert_eq!(AuditAction::resignation(ResignationStatus::Refused).as_str(), "refused");
        assert_eq!(AuditAction::case(DismissalCaseStatus::Dropped).as_str(), "dropped");
        for a in ApplicationAction::ALL {
            assert_eq!(AuditAction::from(a).as_str(), a.as_str());
        }
    }
}
