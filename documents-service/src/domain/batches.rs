//! Which appointments a batch certifies: every named one must exist and be active; a body's
//! active appointments, each once.

use alliance_events::AppointmentFacts;
use alliance_events::vocab::AppointmentStatus;

/// Why the appointments asked for cannot be certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCertifiable {
    /// Named appointments members-service does not know.
    Missing(Vec<i64>),
    /// Named appointments that are not active.
    Inactive(Vec<i64>),
    /// Nothing to certify (a body without active appointments).
    Empty,
}

/// `1, 2, 3`
pub fn list_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// The facts to certify, in appointment order, each appointment once. `named`: the ids the
/// batch names (none for a whole body, whose facts are active ones already).
pub fn certifiable(
    named: Option<&[i64]>,
    mut facts: Vec<AppointmentFacts>,
) -> Result<Vec<AppointmentFacts>, NotCertifiable> {
    let id_of = |f: &AppointmentFacts| f.appointment_id;
    if let Some(ids) = named {
        let mut missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !facts.iter().any(|f| id_of(f) == *id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            return Err(NotCertifiable::Missing(missing));
        }
        let inactive: Vec<i64> = facts
            .iter()
            .filter(|f| f.status != AppointmentStatus::Active)
            .map(id_of)
            .collect();
        if !inactive.is_empty() {
            return Err(NotCertifiable::Inactive(inactive));
        }
    }
    facts.sort_by_key(id_of);
    facts.dedup_by_key(|f| id_of(f));
    if facts.is_empty() {
        return Err(NotCertifiable::Empty);
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: i64, status: &str) -> AppointmentFacts {
        serde_json::from_value(serde_json::json!({"appointment_id": id, "person_id": id, "person_name": "王志刚",
            "person_email": null, "job_post": "教师", "title_label": "正高级", "unit_id": 1, "unit_name": "浙江机电技师学院",
            "unit_contact_email": null, "body_id": 2, "body_name": "专家委员会", "post": "expert", "post_label": "委员",
            "term_number": 1, "term_starts_on": "2026-01-01", "term_ends_on": "2029-12-31", "starts_on": "2026-01-01",
            "ends_on": "2029-12-31", "status": status, "ended_on": null, "end_reason": null,
            "previous_appointment_id": null}))
        .unwrap_or_else(|e| panic!("facts: {e}"))
    }

    #[test]
    fn named_appointments_must_exist_and_be_active() {
        let got = certifiable(Some(&[3, 1, 9, 9]), vec![facts(1, "active"), facts(3, "active")]);
        assert_eq!(got.err(), Some(NotCertifiable::Missing(vec![9])));
        let got = certifiable(Some(&[1, 3]), vec![facts(1, "active"), facts(3, "dismissed")]);
        assert_eq!(got.err(), Some(NotCertifiable::Inactive(vec![3])));
        assert_eq!(list_ids(&[1, 3]), "1, 3");
    }

    #[test]
    fn each_appointment_once_in_order_and_never_none() {
        let got = certifiable(
            Some(&[3, 1, 3]),
            vec![facts(3, "active"), facts(1, "active"), facts(3, "active")],
        );
        let ids: Vec<i64> = got.unwrap_or_default().iter().map(|f| f.appointment_id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(certifiable(None, vec![]).err(), Some(NotCertifiable::Empty));
    }
}
