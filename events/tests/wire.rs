//! The events' wire format: what producers wrote before these types existed still parses, a
//! payload round-trips, and a missing or mistyped field is refused by name, never defaulted.

use alliance_events::{
    CertificateIssue, Event, EventError, NoticeOccasion, NoticeSend, ToDocuments, ToMeetings, ToMembers,
};
use serde_json::{Value, json};

fn appointment() -> Value {
    json!({
        "appointment_id": 7, "person_id": 3, "person_name": "王志刚", "person_email": "wang@example.cn",
        "job_post": "副校长", "title_label": "正高级", "unit_id": 2, "unit_name": "天津市机电工艺技师学院",
        "unit_contact_email": null, "body_id": 1, "body_name": "理事会", "post": "council_member",
        "post_label": "理事", "term_number": 1, "term_starts_on": "2026-01-01", "term_ends_on": "2029-12-31",
        "starts_on": "2026-03-01", "ends_on": "2029-12-31", "status": "active", "ended_on": null,
        "end_reason": null, "previous_appointment_id": null
    })
}

#[test]
fn a_certificate_issue_as_members_service_wrote_it_parses_and_round_trips() {
    let payload = json!({"document_kind": "appointment_certificate", "appointment": appointment()});
    let event = ToDocuments::parse("certificate.issue", &payload).expect("parses");
    let ToDocuments::CertificateIssue(CertificateIssue::AppointmentCertificate { appointment }) = &event else {
        panic!("not an appointment certificate: {event:?}");
    };
    assert_eq!(appointment.person_name, "王志刚");
    assert_eq!(appointment.previous_appointment_id, None);
    assert_eq!(event.kind(), "certificate.issue");
    assert_eq!(event.payload(), payload);
}

/// Issue 14: members-service now writes the name's sort keys (the 成员名册's order); an event
/// with them round-trips, and one without them (above) is read with empty keys.
#[test]
fn a_certificate_issue_with_the_name_keys_round_trips() {
    let mut a = appointment();
    a["person_stroke_key"] = json!("04,1121/07,4135215");
    a["person_pinyin_key"] = json!("wang2/zhi4/gang1");
    let payload = json!({"document_kind": "appointment_certificate", "appointment": a});
    let event = ToDocuments::parse("certificate.issue", &payload).expect("parses");
    let ToDocuments::CertificateIssue(CertificateIssue::AppointmentCertificate { appointment }) = &event else {
        panic!("not an appointment certificate: {event:?}");
    };
    assert_eq!(appointment.person_stroke_key, "04,1121/07,4135215");
    assert_eq!(event.payload(), payload);
}

#[test]
fn a_meeting_notice_as_meetings_service_wrote_it_parses() {
    let payload = json!({
        "document_kind": "meeting_notice",
        "activity": {"activity_id": 4, "body_id": 1, "body_name": "理事会", "kind": "plenary", "kind_label": "全体会议",
            "title": "第一次全体会议", "held_on": "2026-05-20", "starts_at": "09:30", "place": "天津",
            "description": "", "agenda": ["审议工作报告"], "reply_by": null, "contact_name": null, "contact_phone": null},
        "invitee": {"appointment_id": 7, "person_id": 3, "person_name": "王志刚", "person_email": null,
            "unit_name": "天津市机电工艺技师学院", "post_label": "理事"}
    });
    let event = ToDocuments::parse("notice.send", &payload).expect("parses");
    let ToDocuments::NoticeSend(NoticeSend::MeetingNotice { activity, occasion, .. }) = &event else {
        panic!("not a meeting notice: {event:?}");
    };
    // Written before invitations carried a SEQUENCE: the first invitation, sequence 0.
    assert_eq!((*occasion, activity.sequence), (NoticeOccasion::Invitation, 0));
    let mut now = payload.clone();
    now["activity"]["uid"] = json!("");
    now["activity"]["sequence"] = json!(0);
    now["activity"]["cancel_reason"] = json!(null);
    now["occasion"] = json!("invitation");
    now["invitee"]["reply_link"] = json!(null);
    now["invitee"]["feed_link"] = json!(null);
    assert_eq!(event.payload(), now);
    // A cancellation round-trips.
    now["activity"]["uid"] = json!("activity-4-20260501T080000@jglm.alliance");
    now["activity"]["sequence"] = json!(3);
    now["activity"]["cancel_reason"] = json!("场地调整");
    now["occasion"] = json!("cancellation");
    let cancel = ToDocuments::parse("notice.send", &now).expect("parses");
    assert!(matches!(
        &cancel,
        ToDocuments::NoticeSend(NoticeSend::MeetingNotice { occasion: NoticeOccasion::Cancellation, activity, .. })
            if activity.sequence == 3
    ));
    assert_eq!(cancel.payload(), now);
}

#[test]
fn fields_a_newer_producer_adds_are_ignored() {
    let mut a = appointment();
    a["nickname"] = json!("老王");
    let payload = json!({"appointment": a, "reason_code": 3});
    assert!(ToDocuments::parse("certificate.revoke", &payload).is_ok());
}

// issue 10: a missing field is refused, naming it, instead of printing a blank certificate.
#[test]
fn a_missing_or_mistyped_field_is_refused_by_name() {
    let mut a = appointment();
    a.as_object_mut().expect("an object").remove("person_name");
    let err = ToDocuments::parse(
        "certificate.issue",
        &json!({"document_kind": "appointment_certificate", "appointment": a}),
    )
    .expect_err("a certificate without a name");
    assert!(
        matches!(&err, EventError::InvalidPayload { reason, .. } if reason.contains("person_name")),
        "{err}"
    );

    let mut a = appointment();
    a["appointment_id"] = json!("7");
    let err = ToDocuments::parse("certificate.revoke", &json!({"appointment": a})).expect_err("a string id");
    assert!(matches!(err, EventError::InvalidPayload { .. }), "{err}");

    let err = ToDocuments::parse(
        "notice.send",
        &json!({"document_kind": "birthday_card", "appointment": appointment()}),
    )
    .expect_err("an unknown document kind");
    assert!(err.to_string().contains("birthday_card"), "{err}");
}

#[test]
fn an_unknown_kind_is_refused_for_its_destination() {
    let err = ToMembers::parse("certificate.issue", &json!({})).expect_err("not for members");
    assert_eq!(
        err,
        EventError::UnknownKind {
            kind: "certificate.issue".into(),
            destination: "members"
        }
    );
}

#[test]
fn the_events_to_members_and_meetings_parse_as_their_producers_wrote_them() {
    let open = json!({"appointment_id": 7, "work_year": 2026,
        "absences": [{"activity_id": 4, "held_on": "2026-05-20", "title": "第一次全体会议"}]});
    assert_eq!(
        ToMembers::parse("dismissal_case.open", &open)
            .expect("parses")
            .payload(),
        open
    );
    let results = json!({"activity_id": 4, "body_id": 1, "title": "第一次全体会议", "held_on": "2026-05-20",
        "voters_present": 30, "threshold": null,
        "results": [{"application_id": 9, "votes_for": 20, "votes_against": 5, "abstentions": 5}]});
    assert_eq!(
        ToMembers::parse("election.results", &results)
            .expect("parses")
            .payload(),
        results
    );
    let changed = json!({"body_id": 1, "appointment_id": 7});
    assert_eq!(
        ToMeetings::parse("body.members_changed", &changed)
            .expect("parses")
            .payload(),
        changed
    );
}

#[test]
fn the_contract_names_every_destination() {
    let doc = serde_json::to_value(alliance_events::schema()).expect("serialises");
    for name in [
        "ToDocuments",
        "ToMembers",
        "ToMeetings",
        "AppointmentFacts",
        "ActivityFacts",
    ] {
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{name} is not in the events' contract"
        );
    }
}
