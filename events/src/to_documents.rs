//! Events documents-service handles: documents to issue, revoke or send.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Event;
use crate::facts::{ActivityFacts, AppointmentFacts, CommendationFacts, InviteeFacts, NoticeOccasion};

/// `certificate.issue`: a certificate to issue and mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "document_kind", rename_all = "snake_case")]
pub enum CertificateIssue {
    /// 聘书 of an appointment made or renewed (a renewal supersedes the previous one).
    AppointmentCertificate { appointment: AppointmentFacts },
    /// 荣誉证书 of a commendation (R16).
    CommendationCertificate { commendation: CommendationFacts },
}

/// `certificate.revoke`: an appointment ended early; its 聘书 is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateRevoke {
    pub appointment: AppointmentFacts,
}

/// `notice.send`: a notice to issue and mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "document_kind", rename_all = "snake_case")]
pub enum NoticeSend {
    /// R14: to the person and their unit's contact.
    DismissalNotice {
        appointment: AppointmentFacts,
    },
    ResignationAcceptance {
        appointment: AppointmentFacts,
    },
    /// R6: the term ended.
    LapseNotice {
        appointment: AppointmentFacts,
    },
    /// 会议通知 to one invitee: the invitation, a change (会议变更通知) or the cancellation
    /// (会议取消通知), each with its calendar object.
    MeetingNotice {
        activity: ActivityFacts,
        invitee: InviteeFacts,
        #[serde(default)]
        occasion: NoticeOccasion,
    },
}

/// `reminder.term_end`: a holder's term ends in `days_before` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TermEndReminder {
    pub days_before: u32,
    pub appointment: AppointmentFacts,
}

/// Every event documents-service handles.
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
