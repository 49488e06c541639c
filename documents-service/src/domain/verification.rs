//! What a public verification says of a document (issue 12): its standing in one word, and why
//! a document stopped being valid, by class only — the free text of an appointment's end reason
//! is the secretariat's and never shown to the public.

use alliance_events::vocab::AppointmentStatus;

use super::states::DocumentStatus;

/// Why a revoked document was revoked, as the public may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationClass {
    /// 辞聘 (R11).
    Resigned,
    /// 解聘 (R12, R13).
    Dismissed,
    /// 任期届满 without renewal (R6).
    Lapsed,
    /// Revoked for a reason the service does not classify (kept for old rows).
    Other,
}

impl RevocationClass {
    /// The class of a stored revocation reason. Revocations are written as
    /// `"{appointment status}（{the secretariat's note}）"` (see `requests::work_for`).
    pub fn of_reason(reason: &str) -> Self {
        let status = reason.split('（').next().unwrap_or_default().trim();
        match AppointmentStatus::parse(status) {
            Some(AppointmentStatus::Resigned) => Self::Resigned,
            Some(AppointmentStatus::Dismissed) => Self::Dismissed,
            Some(AppointmentStatus::Lapsed) => Self::Lapsed,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resigned => "resigned",
            Self::Dismissed => "dismissed",
            Self::Lapsed => "lapsed",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Resigned => "辞聘",
            Self::Dismissed => "解聘",
            Self::Lapsed => "任期届满",
            Self::Other => "已撤销",
        }
    }
}

/// The one word a verification page shows in large type.
pub fn status_label_zh(status: DocumentStatus) -> &'static str {
    match status {
        DocumentStatus::Valid => "有效",
        DocumentStatus::Revoked => "已撤销",
        DocumentStatus::Superseded => "已被替代",
    }
}

/// The class of reason shown for a superseded document.
pub const SUPERSEDED_LABEL: &str = "被新证书替代";

/// What an uploaded file that matches no issued document is told (issue 12).
pub const NO_MATCH_ZH: &str = "未找到与该文件一致的签发记录";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_comes_from_the_status_never_from_the_note() {
        assert_eq!(
            RevocationClass::of_reason("dismissed（两次无故缺席）"),
            RevocationClass::Dismissed
        );
        assert_eq!(RevocationClass::of_reason("resigned（）"), RevocationClass::Resigned);
        assert_eq!(RevocationClass::of_reason("lapsed"), RevocationClass::Lapsed);
        // A note that names another class does not change it.
        assert_eq!(
            RevocationClass::of_reason("resigned（dismissed）"),
            RevocationClass::Resigned
        );
        assert_eq!(RevocationClass::of_reason("active（）"), RevocationClass::Other);
        assert_eq!(RevocationClass::of_reason(""), RevocationClass::Other);
        assert_eq!(RevocationClass::Lapsed.label_zh(), "任期届满");
    }

    #[test]
    fn every_status_has_its_word() {
        let words: Vec<_> = DocumentStatus::ALL.iter().map(|s| status_label_zh(*s)).collect();
        assert_eq!(words, ["有效", "已撤销", "已被替代"]);
    }
}
