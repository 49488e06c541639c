//! Serial numbers and verification tokens of issued documents.
//!
//! A serial is readable and per kind and year: `JGLM-PS-2026-000123` (联盟 prefix, kind code,
//! year, sequence). The database keeps (kind, year, seq) and the serial unique, so two
//! concurrent issues can never share one. The verification token is separate and random, so a
//! serial printed on paper does not let anyone enumerate verification answers.

use super::kinds::DocumentKind;

pub const PREFIX: &str = "JGLM";

/// Two-letter code of each kind (pinyin initials of the Chinese name).
pub fn kind_code(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::AppointmentCertificate => "PS",  // 聘书
        DocumentKind::DismissalNotice => "JP",         // 解聘通知书
        DocumentKind::LapseNotice => "JM",             // 任期届满通知
        DocumentKind::ResignationAcceptance => "CP",   // 辞聘确认函
        DocumentKind::CommendationCertificate => "RY", // 荣誉证书
        DocumentKind::MeetingNotice => "HY",           // 会议通知
        DocumentKind::Roster => "MC",                  // 成员名册
        DocumentKind::SignInSheet => "QD",             // 签到表
    }
}

pub fn serial(kind: DocumentKind, year: i32, seq: i32) -> String {
    format!("{PREFIX}-{}-{year}-{seq:06}", kind_code(kind))
}

/// A URL-safe token with 192 bits of randomness.
pub fn verify_token() -> String {
    use base64::Engine;
    let bytes: [u8; 24] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// True when `s` has the shape of a token this service makes (used to answer 404 fast).
pub fn looks_like_token(s: &str) -> bool {
    s.len() == 32 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_readable_per_kind_and_year() {
        assert_eq!(
            serial(DocumentKind::AppointmentCertificate, 2026, 123),
            "JGLM-PS-2026-000123"
        );
        assert_eq!(serial(DocumentKind::DismissalNotice, 2027, 1), "JGLM-JP-2027-000001");
        let codes: std::collections::BTreeSet<_> = DocumentKind::ALL.iter().map(|k| kind_code(*k)).collect();
        assert_eq!(codes.len(), DocumentKind::ALL.len());
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = verify_token();
        let b = verify_token();
        assert_ne!(a, b);
        assert!(looks_like_token(&a), "{a}");
        assert!(!looks_like_token("JGLM-PS-2026-000123"));
    }
}
