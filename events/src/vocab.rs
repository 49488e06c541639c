//! The enums whose values cross service boundaries: named in the events (an activity's kind
//! and agenda in a meeting notice, the documents issued) and labelled in members-service's
//! `GET /labels`, which cannot depend on the services that own them. Each has its values
//! (`ALL`, `as_str`, `parse`) and its Chinese label (`label_zh`) beside it; the owning service
//! re-exports it from its `domain/` (or `api/`), where its rules stay.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ----- meetings-service: activities (活动) of a body (第十二条, 第十三条)

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 全体会议
    Plenary,
    /// 理事长会议
    ChairMeeting,
    /// 专题会议
    Thematic,
    /// 培训
    Training,
    /// 竞赛
    Competition,
    /// 交流
    Exchange,
    /// 其他活动
    Other,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 7] = [
        ActivityKind::Plenary,
        ActivityKind::ChairMeeting,
        ActivityKind::Thematic,
        ActivityKind::Training,
        ActivityKind::Competition,
        ActivityKind::Exchange,
        ActivityKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Plenary => "plenary",
            ActivityKind::ChairMeeting => "chair_meeting",
            ActivityKind::Thematic => "thematic",
            ActivityKind::Training => "training",
            ActivityKind::Competition => "competition",
            ActivityKind::Exchange => "exchange",
            ActivityKind::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ActivityKind::Plenary => "全体会议",
            ActivityKind::ChairMeeting => "理事长会议",
            ActivityKind::Thematic => "专题会议",
            ActivityKind::Training => "培训",
            ActivityKind::Competition => "竞赛",
            ActivityKind::Exchange => "交流",
            ActivityKind::Other => "其他活动",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

// ----- meetings-service: a plenary's agenda items (议程, R19)

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgendaItemKind {
    /// 审议年度工作报告
    WorkReportReview,
    /// 发布下一年度工作计划
    WorkPlanPublication,
    /// 调整、增补
    MembershipAdjustment,
    /// 选举
    Election,
    /// 其他事项
    Other,
}

impl AgendaItemKind {
    pub const ALL: [AgendaItemKind; 5] = [
        AgendaItemKind::WorkReportReview,
        AgendaItemKind::WorkPlanPublication,
        AgendaItemKind::MembershipAdjustment,
        AgendaItemKind::Election,
        AgendaItemKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgendaItemKind::WorkReportReview => "work_report_review",
            AgendaItemKind::WorkPlanPublication => "work_plan_publication",
            AgendaItemKind::MembershipAdjustment => "membership_adjustment",
            AgendaItemKind::Election => "election",
            AgendaItemKind::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AgendaItemKind::WorkReportReview => "审议年度工作报告",
            AgendaItemKind::WorkPlanPublication => "发布下一年度工作计划",
            AgendaItemKind::MembershipAdjustment => "调整、增补",
            AgendaItemKind::Election => "选举",
            AgendaItemKind::Other => "其他事项",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

// ----- meetings-service: attendance per invitee (R18)

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// 出席
    Present,
    /// 请假: an excused absence, with a reason; never counts towards R13.
    Excused,
    /// 缺席: an unexcused absence (无故不参加); two in a work year open a dismissal case (R13).
    Absent,
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 3] = [
        AttendanceStatus::Present,
        AttendanceStatus::Excused,
        AttendanceStatus::Absent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Excused => "excused",
            AttendanceStatus::Absent => "absent",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "出席",
            AttendanceStatus::Excused => "请假",
            AttendanceStatus::Absent => "缺席",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

// ----- documents-service: the documents the alliance issues

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 聘书
    AppointmentCertificate,
    /// 解聘通知书
    DismissalNotice,
    /// 任期届满通知
    LapseNotice,
    /// 辞聘确认函
    ResignationAcceptance,
    /// 荣誉证书
    CommendationCertificate,
    /// 会议通知
    MeetingNotice,
    /// 成员名册
    Roster,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::AppointmentCertificate,
        DocumentKind::DismissalNotice,
        DocumentKind::LapseNotice,
        DocumentKind::ResignationAcceptance,
        DocumentKind::CommendationCertificate,
        DocumentKind::MeetingNotice,
        DocumentKind::Roster,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::AppointmentCertificate => "appointment_certificate",
            DocumentKind::DismissalNotice => "dismissal_notice",
            DocumentKind::LapseNotice => "lapse_notice",
            DocumentKind::ResignationAcceptance => "resignation_acceptance",
            DocumentKind::CommendationCertificate => "commendation_certificate",
            DocumentKind::MeetingNotice => "meeting_notice",
            DocumentKind::Roster => "roster",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DocumentKind::AppointmentCertificate => "聘书",
            DocumentKind::DismissalNotice => "解聘通知书",
            DocumentKind::LapseNotice => "任期届满通知",
            DocumentKind::ResignationAcceptance => "辞聘确认函",
            DocumentKind::CommendationCertificate => "荣誉证书",
            DocumentKind::MeetingNotice => "会议通知",
            DocumentKind::Roster => "成员名册",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

// ----- documents-service: mail deliveries

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Queued,
    /// An SMTP transaction began and its outcome is not recorded yet: in progress, or its
    /// worker stopped in the middle (it is then sent again with the same Message-ID).
    Sending,
    Sent,
    /// Refused for good (5xx) or retried until the schedule ended; can be retried by hand.
    Failed,
}
impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "待发送",
            DeliveryStatus::Sending => "发送中",
            DeliveryStatus::Sent => "已发送",
            DeliveryStatus::Failed => "发送失败",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each enum's `as_str` is its serde name, so `/labels` keys are the values the API sends.
    #[test]
    fn labels_are_keyed_by_the_wire_values() {
        fn check<T: Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str, label: fn(T) -> &'static str) {
            for v in all {
                assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::Value::from(as_str(*v))));
                assert!(!label(*v).is_empty());
            }
        }
        check(&ActivityKind::ALL, ActivityKind::as_str, ActivityKind::label_zh);
        check(&AgendaItemKind::ALL, AgendaItemKind::as_str, AgendaItemKind::label_zh);
        check(
            &AttendanceStatus::ALL,
            AttendanceStatus::as_str,
            AttendanceStatus::label_zh,
        );
        check(&DocumentKind::ALL, DocumentKind::as_str, DocumentKind::label_zh);
        check(&DeliveryStatus::ALL, DeliveryStatus::as_str, DeliveryStatus::label_zh);
    }
}
