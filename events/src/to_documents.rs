//! Events documents-service handles: documents to issue, revoke or send.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Event;
use crate::facts::{ActivityFacts, AppointmentFacts, CommendationFacts, InviteeFacts, NoticeOccasion};

/// `certificate.issue`：要签发并寄送的证书。`certificate.issue`: a certificate to issue and mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "document_kind", rename_all = "snake_case")]
// A message read once per event: boxing the larger variant would buy nothing but an indirection.
#[allow(clippy::large_enum_variant)]
pub enum CertificateIssue {
    /// 新聘或续聘的聘书（续聘的聘书取代上一份）。聘书 of an appointment made or renewed (a renewal supersedes the previous one).
    AppointmentCertificate {
        /// 聘任。The appointment.
        appointment: AppointmentFacts,
    },
    /// 褒奖的荣誉证书（R16）。荣誉证书 of a commendation (R16).
    CommendationCertificate {
        /// 褒奖。The commendation.
        commendation: CommendationFacts,
    },
}

/// `certificate.revoke`：聘任提前结束，其聘书作废。`certificate.revoke`: an appointment ended early; its 聘书 is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateRevoke {
    /// 提前结束的聘任。The appointment that ended early.
    pub appointment: AppointmentFacts,
}

/// `notice.send`：要签发并寄送的通知。`notice.send`: a notice to issue and mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "document_kind", rename_all = "snake_case")]
pub enum NoticeSend {
    /// 解聘通知（R14），发给本人及其单位联系人。R14: to the person and their unit's contact.
    DismissalNotice {
        /// 被解聘的聘任。The appointment dismissed.
        appointment: AppointmentFacts,
    },
    /// 同意辞聘的通知。The acceptance of a resignation.
    ResignationAcceptance {
        /// 辞聘的聘任。The appointment resigned.
        appointment: AppointmentFacts,
    },
    /// 任期届满解聘的通知（R6）。R6: the term ended.
    LapseNotice {
        /// 届满的聘任。The appointment that lapsed.
        appointment: AppointmentFacts,
    },
    /// 发给一位受邀者的会议通知：邀请、变更（会议变更通知）或取消（会议取消通知），各附日历对象。
    /// 会议通知 to one invitee: the invitation, a change (会议变更通知) or the cancellation
    /// (会议取消通知), each with its calendar object.
    MeetingNotice {
        /// 会议。The meeting.
        activity: ActivityFacts,
        /// 受邀者。The invitee.
        invitee: InviteeFacts,
        /// 发出缘由（默认 `invitation`）。Why it is sent (`invitation` by default).
        #[serde(default)]
        occasion: NoticeOccasion,
    },
}

/// `reminder.term_end`：任职者的任期将在 `days_before` 天后届满。`reminder.term_end`: a holder's term ends in `days_before` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TermEndReminder {
    /// 距届满的天数。Days until the term ends.
    pub days_before: u32,
    /// 即将届满的聘任。The appointment whose term ends.
    pub appointment: AppointmentFacts,
}

/// 文书服务处理的全部事件（`kind` 与其 `payload`）。Every event documents-service handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "payload")]
pub enum ToDocuments {
    #[serde(rename = "certificate.issue")]
    CertificateIssue(CertificateIssue),
    #[serde(rename = "certificate.revoke")]
    CertificateRevoke(CertificateRevoke),
    #[serde(rename = "notice.send")]
    NoticeSend(NoticeSend),
    #[serde(rename = "reminder.term_end")]
    TermEndReminder(TermEndReminder),
}

impl Event for ToDocuments {
    const DESTINATION: &'static str = "documents";
    const KINDS: &'static [&'static str] = &[
        "certificate.issue",
        "certificate.revoke",
        "notice.send",
        "reminder.term_end",
    ];

    fn kind(&self) -> &'static str {
        match self {
            Self::CertificateIssue(_) => "certificate.issue",
            Self::CertificateRevoke(_) => "certificate.revoke",
            Self::NoticeSend(_) => "notice.send",
            Self::TermEndReminder(_) => "reminder.term_end",
        }
    }
}
