//! Serials stay unique and gap-free under concurrency, on SQLite and (with `TEST_DATABASE_URL`)
//! PostgreSQL: eight threads issue certificates one by one while another reserves ranges the
//! way a batch does; a reissue supersedes the earlier certificate of the same appointment.

use std::sync::Arc;

use alliance_events::AppointmentFacts;
use chrono::NaiveDate;
use diesel::prelude::*;
use documents_service::app::credentials::CredentialIssuer;
use documents_service::app::issuing::{DocumentRenderer, Issued, Press, RenderTally, issue, reserve_serials};
use documents_service::db::schema::documents;
use documents_service::domain::kinds::DocumentKind;
use documents_service::domain::requests::appointment_request;
use documents_service::render::Renderer;
use serde_json::json;
use test_db::test_databases;

fn facts(i: i64) -> AppointmentFacts {
    serde_json::from_value(json!({"appointment_id": i, "person_id": i, "person_name": format!("王志刚{i}"),
        "person_email": null, "job_post": "教师", "title_label": "正高级", "unit_id": 1, "unit_name": "浙江机电技师学院",
        "unit_contact_email": null, "body_id": 2, "body_name": "专家委员会", "post": "expert", "post_label": "委员",
        "term_number": 1, "term_starts_on": "2026-01-01", "term_ends_on": "2029-12-31", "starts_on": "2026-01-01",
        "ends_on": "2029-12-31", "status": "active", "ended_on": null, "end_reason": null,
        "previous_appointment_id": null}))
    .unwrap_or_else(|e| panic!("facts: {e}"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
}

fn press(renderer: &Arc<dyn DocumentRenderer>) -> Press {
    Press {
        renderer: renderer.clone(),
        public_base_url: "https://jglm.example.cn".into(),
        tally: RenderTally::default(),
        credentials: Arc::new(
            CredentialIssuer::ephemeral("https://jglm.example.cn").unwrap_or_else(|e| panic!("key: {e}")),
        ),
    }
}

#[test]
fn serials_are_unique_and_consecutive_when_issued_concurrently_and_reserved_in_ranges() {
    let renderer: Arc<dyn DocumentRenderer> = Arc::new(Renderer::new(None).unwrap_or_else(|e| panic!("renderer: {e}")));
    for t in test_databases("serials", || documents_service::db::MIGRATIONS) {
        std::thread::scope(|scope| {
            for worker in 0..8i64 {
                let (db, renderer) = (&t.db, &renderer);
                scope.spawn(move || {
                    let mut conn = db.get().unwrap_or_else(|e| panic!("{e}"));
                    for k in 0..5 {
                        let id = worker * 100 + k;
                        let req = appointment_request(
                            &format!("event-{id}"),
                            DocumentKind::AppointmentCertificate,
                            &facts(id),
                            vec![],
                        );
                        issue(&mut conn, &press(renderer), today(), req, |_| Ok(true))
                            .unwrap_or_else(|e| panic!("issue on {:?}: {e}", t.backend));
                    }
                });
            }
            // A batch reserving ranges meanwhile (as the batch worker does before rendering).
            let db = &t.db;
            scope.spawn(move || {
                let mut conn = db.get().unwrap_or_else(|e| panic!("{e}"));
                for _ in 0..4 {
                    reserve_serials(&mut conn, DocumentKind::AppointmentCertificate, 2026, 10)
                        .unwrap_or_else(|e| panic!("reserve on {:?}: {e}", t.backend));
                }
            });
        });
        let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
        let mut seqs: Vec<i32> = documents::table
            .select(documents::seq)
            .load(&mut **conn)
            .unwrap_or_else(|e| panic!("{e}"));
        seqs.sort_unstable();
        assert_eq!(seqs.len(), 40, "{:?}", t.backend);
        let mut deduped = seqs.clone();
        deduped.dedup();
        assert_eq!(deduped, seqs, "a serial issued twice on {:?}", t.backend);
        // The 40 reserved numbers went to the "batch": next is 81 whatever the interleaving.
        let next =
            reserve_serials(&mut conn, DocumentKind::AppointmentCertificate, 2026, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(next, 81, "{:?}", t.backend);

        // Reissuing for appointment 0 supersedes its earlier certificate.
        let req = appointment_request("event-again", DocumentKind::AppointmentCertificate, &facts(0), vec![]);
        let again = match issue(&mut conn, &press(&renderer), today(), req, |_| Ok(true)) {
            Ok(Issued::New(d)) => d,
            other => panic!("a reissue stores a new document, not {other:?}"),
        };
        let states: Vec<(i64, String)> = documents::table
            .filter(documents::subject_key.eq("appointment:0"))
            .order(documents::id)
            .select((documents::id, documents::status))
            .load(&mut **conn)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(states.len(), 2);
        assert_eq!(states[0].1, "superseded");
        assert_eq!(states[1], (again.id, "valid".to_owned()));
    }
}

/// Issue 12: replicas sign credentials with one key. The first to start stores it in the shared
/// database; any other, started before or after, reads the same one.
#[test]
fn every_replica_signs_credentials_with_the_key_in_the_database() {
    for t in test_databases("signing_keys", || documents_service::db::MIGRATIONS) {
        let kids: Vec<String> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
                        let issuer = CredentialIssuer::from_database(&mut conn, "https://jglm.example.cn")
                            .unwrap_or_else(|e| panic!("key on {:?}: {e}", t.backend));
                        issuer.jwks().keys[0].kid.clone()
                    })
                })
                .collect();
            starts
                .into_iter()
                .map(|s| s.join().unwrap_or_else(|_| panic!("a start panicked")))
                .collect()
        });
        assert!(kids.windows(2).all(|w| w[0] == w[1]), "{:?}: {kids:?}", t.backend);
    }
}
