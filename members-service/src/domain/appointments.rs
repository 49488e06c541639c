//! Appointment statuses and how an appointment ends (R6, R11, R12, R13, R14).
//! Nothing is deleted: an ended appointment keeps its status, date and reason.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// 在任
    Active,
    /// Created by renewal, starts with the next term (待生效).
    Pending,
    /// The term ended and the holder was renewed (任期届满，已续聘).
    Completed,
    /// The term ended without renewal (逾期不续聘，自行解聘), R6.
    Lapsed,
    /// 辞聘, R11.
    Resigned,
    /// 解聘, R12 or R13.
    Dismissed,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] = [
        AppointmentStatus::Active,
        AppointmentStatus::Pending,
        AppointmentStatus::Completed,
        AppointmentStatus::Lapsed,
        AppointmentStatus::Resigned,
        AppointmentStatus::Dismissed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Active => "active",
            AppointmentStatus::Pending => "pending",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Lapsed => "lapsed",
            AppointmentStatus::Resigned => "resigned",
            AppointmentStatus::Dismissed => "dismissed",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            AppointmentStatus::Active => "在任",
            AppointmentStatus::Pending => "待生效",
            AppointmentStatus::Completed => "任期届满（已续聘）",
            AppointmentStatus::Lapsed => "任期届满解聘",
            AppointmentStatus::Resigned => "辞聘",
            AppointmentStatus::Dismissed => "解聘",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Ended before its term's end: the certificate is revoked (R14, "Documents").
    pub fn is_early_end(self) -> bool {
        matches!(self, AppointmentStatus::Resigned | AppointmentStatus::Dismissed)
    }
}

/// Why a dismissal happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DismissalGround {
    /// R12: 从事有损工作秩序、组织原则、社会信誉行为
    Conduct,
    /// R13: 每工作年度无故两次不参加活动
    Absence,
}

impl DismissalGround {
    pub const ALL: [DismissalGround; 2] = [DismissalGround::Conduct, DismissalGround::Absence];

    pub fn as_str(self) -> &'static str {
        match self {
            DismissalGround::Conduct => "conduct",
            DismissalGround::Absence => "absence",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            DismissalGround::Conduct => "从事有损工作秩序、组织原则、社会信誉行为",
            DismissalGround::Absence => "每工作年度无故两次不参加活动",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndError {
    /// Only active appointments can end early; the status says what it already is.
    NotActive(AppointmentStatus),
    /// A dismissal or an accepted resignation must state its reason.
    ReasonRequired,
}

/// R11/R12/R13: checks an early end of an appointment with `status`.
pub fn check_early_end(status: AppointmentStatus, reason: &str) -> Result<(), EndError> {
    if status != AppointmentStatus::Active {
        return Err(EndError::NotActive(status));
    }
    if reason.trim().is_empty() {
        return Err(EndError::ReasonRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r11_r12_only_active_appointments_end_early_and_with_a_reason() {
        assert_eq!(check_early_end(AppointmentStatus::Active, "因工作调动"), Ok(()));
        assert_eq!(
            check_early_end(AppointmentStatus::Active, "  "),
            Err(EndError::ReasonRequired)
        );
        for s in [
            AppointmentStatus::Lapsed,
            AppointmentStatus::Dismissed,
            AppointmentStatus::Resigned,
        ] {
            assert_eq!(check_early_end(s, "x"), Err(EndError::NotActive(s)));
        }
    }

    #[test]
    fn r14_early_ends_revoke_certificates_term_ends_do_not() {
        assert!(AppointmentStatus::Resigned.is_early_end());
        assert!(AppointmentStatus::Dismissed.is_early_end());
        assert!(!AppointmentStatus::Lapsed.is_early_end());
        assert!(!AppointmentStatus::Completed.is_early_end());
    }
}
