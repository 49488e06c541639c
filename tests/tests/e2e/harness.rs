//! The harness itself: [`TestSuite::drained`] waits for queued work and fails a test that
//! leaves some, as [`TestSuite::stop`] does unless the test says why it may.

use std::time::Duration;

use e2e_tests::{Fields, TestSuite, ok};
use serde_json::json;
use service_kit::Db;
use service_kit::db::write_tx;
use service_kit::outbox;

/// A certificate to issue, as members-service sends it.
fn certificate(appointment_id: i64) -> serde_json::Value {
    json!({"document_kind": "appointment_certificate", "appointment": {
        "appointment_id": appointment_id, "person_id": 5, "person_name": "赵喆", "person_email": "zhao@example.cn",
        "job_post": "教务处处长", "title_label": "副高级", "unit_id": 2, "unit_name": "杭州技师学院", "unit_contact_email": null,
        "body_id": 1, "body_name": "理事会", "post": "council_member", "post_label": "理事", "term_number": 2,
        "term_starts_on": "2026-01-01", "term_ends_on": "2029-12-31", "starts_on": "2026-11-24", "ends_on": "2029-12-31",
        "status": "active", "ended_on": null, "end_reason": null, "previous_appointment_id": null}})
}

/// A suite with documents-service stopped and an event for it in members-service's outbox.
async fn an_event_queued_for_a_stopped_service() -> TestSuite {
    let mut s = TestSuite::start().await;
    s.stop_service("documents").await;
    let db = Db::connect(&s.settings.members.service.database_url, 1).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = db.get().unwrap_or_else(|e| panic!("{e:?}"));
    write_tx(&mut conn, |c| {
        outbox::enqueue(c, "documents", "certificate.issue", &certificate(1))
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    s
}

#[actix_rt::test]
#[should_panic(expected = "still queued:\n  members outbox_events: event ")]
async fn work_left_queued_fails_the_test_naming_it() {
    let s = an_event_queued_for_a_stopped_service().await;
    s.drained_within(Duration::from_secs(1)).await;
}

#[actix_rt::test]
async fn drained_waits_for_the_work_and_a_test_may_say_why_it_leaves_some() {
    let mut s = an_event_queued_for_a_stopped_service().await;
    s.start_service("documents").await;
    // Delivered, processed into a certificate, and its mail sent.
    s.drained().await;
    let admin = s.admin_token().await;
    let docs = ok(s.get("/api/v1/documents?appointment_id=1", Some(&admin)).await).await;
    assert_eq!(docs.array_at("items").len(), 1, "{docs}");
    s.stop_service("documents").await;
    let db = Db::connect(&s.settings.members.service.database_url, 1).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = db.get().unwrap_or_else(|e| panic!("{e:?}"));
    write_tx(&mut conn, |c| {
        outbox::enqueue(c, "documents", "certificate.issue", &certificate(2))
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    s.leaves_work_queued("documents-service is left stopped");
    s.stop().await;
}
