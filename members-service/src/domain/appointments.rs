//! Appointment statuses and how an appointment ends (R6, R11, R12, R13, R14).
//! Nothing is deleted: an ended appointment keeps its status, date and reason.

// Declared in the shared vocabulary: the appointment facts other services read carry it.
pub use alliance_events::vocab::AppointmentStatus;

alliance_events::vocabulary! {
    /// 解聘的依据。Why a dismissal happened.
    pub enum DismissalGround {
        /// R12：从事有损工作秩序、组织原则、社会信誉行为。R12: conduct.
        Conduct = "conduct" => "从事有损工作秩序、组织原则、社会信誉行为",
        /// R13：每工作年度无故两次不参加活动。R13: two unexcused absences in a work year.
        Absence = "absence" => "每工作年度无故两次不参加活动",
    }
}

alliance_events::vocabulary! {
    /// 聘任的来源。How an appointment came about.
    pub enum AppointmentSource {
        /// 由中心提名聘任。From a Center nomination (提名).
        Nomination = "nomination" => "提名聘任",
        /// 由单位申报聘任。From a unit application (申报).
        Application = "application" => "申报聘任",
        /// 续聘到下一届（连聘连任，R5）。Renewal into the next term (连聘连任, R5).
        Renewal = "renewal" => "连聘连任",
    }
}

alliance_events::vocabulary! {
    /// 辞聘申请所处的状态（R11）。Where a resignation request (辞聘申请, R11) stands.
    pub enum ResignationStatus {
        Requested = "requested" => "待审批",
        Approved = "approved" => "同意辞聘",
        Refused = "refused" => "不同意辞聘",
    }
}

alliance_events::vocabulary! {
    /// 因缺席而立的解聘案所处的状态（R13）。Where a dismissal case for absence (R13) stands.
    pub enum DismissalCaseStatus {
        /// 待中心处理。Waiting for the Center.
        Open = "open" => "待处理",
        /// 中心已确认解聘。The Center dismissed the holder.
        Confirmed = "confirmed" => "已解聘",
        /// 中心决定不予解聘。The Center dropped the case.
        Dropped = "dropped" => "不予解聘",
        /// 一次缺席已更正为请假，案件撤销。An absence was corrected to excused.
        Withdrawn = "withdrawn" => "已撤销",
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
