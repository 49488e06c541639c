//! The documents the alliance issues.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_with_the_charter_labels() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(DocumentKind::AppointmentCertificate.label_zh(), "聘书");
    }
}
