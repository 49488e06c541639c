//! The documents the alliance issues.

pub use alliance_events::vocab::DocumentKind;

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
