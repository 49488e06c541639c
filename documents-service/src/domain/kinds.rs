//! The documents the alliance issues.

pub use alliance_events::vocab::DocumentKind;

/// The body a list of its people is about (a 成员名册, `roster:body:{id}:{date}`, or a 签到表,
/// `sign_in:body:{id}:activity:{id}`), so that the body's group secretary may read it.
pub fn list_of_body(kind: DocumentKind, subject_key: &str) -> Option<i64> {
    let prefix = match kind {
        DocumentKind::Roster => "roster:body:",
        DocumentKind::SignInSheet => "sign_in:body:",
        _ => return None,
    };
    subject_key.strip_prefix(prefix)?.split(':').next()?.parse().ok()
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

    #[test]
    fn a_list_names_its_body() {
        assert_eq!(
            list_of_body(DocumentKind::Roster, "roster:body:12:2026-11-27"),
            Some(12)
        );
        assert_eq!(
            list_of_body(DocumentKind::SignInSheet, "sign_in:body:3:activity:9"),
            Some(3)
        );
        assert_eq!(
            list_of_body(DocumentKind::MeetingNotice, "roster:body:12:2026-11-27"),
            None
        );
        assert_eq!(list_of_body(DocumentKind::Roster, "roster:body:x"), None);
    }
}
