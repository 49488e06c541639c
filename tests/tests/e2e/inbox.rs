//! Service-to-service events: documents-service's `POST /internal/v1/events`, reachable only
//! directly (never through the gateway), only with a service token carrying scope `internal`,
//! idempotent on `event_id`; and an outbox worker delivering into it through the running suite.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use awc::http::StatusCode;
use diesel::connection::SimpleConnection;
use e2e_tests::{Fields, TestSuite};
use gateway::ServiceClientSeed;
use serde_json::{Value, json};
use service_kit::Db;
use service_kit::config::ServiceClient;
use service_kit::db::write_tx;
use service_kit::outbox::{self, OutboxConfig, spawn_worker};
use service_kit::service_token::ServiceTokens;

/// The suite, and the service clients it generated for its own services.
async fn start() -> (TestSuite, Vec<ServiceClientSeed>) {
    let mut seeds = Vec::new();
    let s = TestSuite::start_with(|settings| seeds = settings.gateway.service_clients.clone()).await;
    assert_eq!(
        seeds.iter().map(|c| c.client_id.as_str()).collect::<Vec<_>>(),
        ["members-service", "meetings-service", "documents-service"]
    );
    (s, seeds)
}

fn seed<'a>(seeds: &'a [ServiceClientSeed], id: &str) -> &'a ServiceClientSeed {
    seeds
        .iter()
        .find(|c| c.client_id == id)
        .unwrap_or_else(|| panic!("no seeded client {id}"))
}

async fn client_token(s: &TestSuite, client_id: &str, secret: &str) -> (String, Value) {
    let r = s
        .post(
            "/api/v1/auth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "token for {client_id}: {}", r.text());
    let body = r.json();
    (body.str_at("access_token").to_owned(), body)
}

fn documents_inbox(s: &TestSuite) -> String {
    let base = s
        .suite
        .documents
        .as_ref()
        .map(|h| h.url())
        .expect("documents-service is running");
    format!("{base}{}", outbox::EVENTS_PATH)
}

fn envelope() -> Value {
    json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "kind": "certificate.issue",
        "source": "members",
        "occurred_at": "2026-11-24T08:30:00.123Z",
        "payload": {"appointment_id": 7, "person_name": "张三"}
    })
}

#[actix_rt::test]
async fn a_service_token_with_scope_internal_posts_events_directly_and_duplicates_are_absorbed() {
    let (s, seeds) = start().await;
    let members = seed(&seeds, "members-service");
    let (token, body) = client_token(&s, &members.client_id, &members.secret).await;
    assert_eq!(body["scope"], "internal");
    let inbox = documents_inbox(&s);

    let event = envelope();
    let first = s.post(&inbox, Some(&token), event.clone()).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    assert_eq!(first.json()["status"], "accepted");
    assert_eq!(first.json()["event_id"], event["event_id"]);
    let again = s.post(&inbox, Some(&token), event.clone()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["status"], "duplicate");
    // Another service's token works too (meetings-service also has members:read).
    let meetings = seed(&seeds, "meetings-service");
    let (meetings_token, body) = client_token(&s, &meetings.client_id, &meetings.secret).await;
    assert_eq!(body["scope"], "internal members:read");
    let r = s.post(&inbox, Some(&meetings_token), event.clone()).await;
    assert_eq!(r.json()["status"], "duplicate", "{}", r.text());
    let r = s.post(&inbox, Some(&meetings_token), envelope()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());

    // Bad envelopes: 422 naming every bad field; not JSON: 400.
    let r = s
        .post(
            &inbox,
            Some(&token),
            json!({"event_id": "not-a-uuid", "kind": "Bad Kind", "occurred_at": "yesterday", "payload": 3}),
        )
        .await;
    let p = r.problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["event_id", "source", "kind", "occurred_at", "payload"]);
    let r = s
        .send(
            "POST",
            &inbox,
            Some(&token),
            Some(("application/json", b"{not json".to_vec())),
        )
        .await;
    r.problem(400, "malformed_json");
    s.stop().await;
}

#[actix_rt::test]
async fn tokens_without_scope_internal_are_refused() {
    let (s, _) = start().await;
    let inbox = documents_inbox(&s);
    s.post(&inbox, None, envelope()).await.problem(401, "token_missing");

    // The admin may do everything on the public API, but is not a service.
    let admin = s.admin_token().await;
    s.post(&inbox, Some(&admin), envelope()).await.problem(403, "forbidden");

    // A system with other scopes is refused; one an admin gave `internal` is let in.
    for (scopes, expected) in [
        (json!(["documents:read", "documents:write"]), 403),
        (json!(["internal"]), 202),
    ] {
        let r = s
            .post(
                "/api/v1/auth/clients",
                Some(&admin),
                json!({"name": "外部系统", "scopes": scopes}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let client = r.json();
        let (token, _) = client_token(&s, client.str_at("client_id"), client.str_at("client_secret")).await;
        let r = s.post(&inbox, Some(&token), envelope()).await;
        if expected == 403 {
            r.problem(403, "forbidden");
        } else {
            assert_eq!(r.status.as_u16(), expected, "{}", r.text());
        }
    }
    // Unknown scopes are still refused at client creation.
    let r = s
        .post(
            "/api/v1/auth/clients",
            Some(&admin),
            json!({"name": "x", "scopes": ["internal:all"]}),
        )
        .await;
    r.problem(422, "validation_failed");
    s.stop().await;
}

#[actix_rt::test]
async fn the_gateway_never_exposes_the_inbox() {
    let (s, seeds) = start().await;
    let members = seed(&seeds, "members-service");
    let (token, _) = client_token(&s, &members.client_id, &members.secret).await;
    let admin = s.admin_token().await;
    for t in [&token, &admin] {
        s.post("/internal/v1/events", Some(t), envelope())
            .await
            .problem(404, "route_not_found");
        // Under a service prefix the gateway forwards the whole path, which documents-service
        // does not have.
        s.post("/api/v1/documents/internal/v1/events", Some(t), envelope())
            .await
            .problem(404, "route_not_found");
    }
    // Not in the public contract either.
    let doc = s.get("/api-docs/openapi.json", None).await.json();
    let paths: Vec<&String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().collect())
        .expect("the contract has paths");
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|p| !p.contains("internal")), "{paths:?}");
    s.stop().await;
}

#[actix_rt::test]
async fn an_outbox_worker_delivers_into_the_documents_inbox_exactly_once() {
    let (s, seeds) = start().await;
    let members = seed(&seeds, "members-service");

    // A producer's database with the outbox table, as members-service will have.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("producer.db").display()), 2)
        .unwrap_or_else(|e| panic!("{e}"));
    db.get()
        .unwrap_or_else(|e| panic!("{e}"))
        .batch_execute(&outbox::ddl(service_kit::db::Backend::Sqlite))
        .unwrap_or_else(|e| panic!("{e}"));
    let tokens = ServiceTokens::new(
        &s.url,
        Some(ServiceClient {
            client_id: members.client_id.clone(),
            client_secret: members.secret.clone(),
        }),
    );
    let documents = s
        .suite
        .documents
        .as_ref()
        .map(|h| h.url())
        .expect("documents-service is running");
    let mut cfg = OutboxConfig::new("members", HashMap::from([("documents".to_owned(), documents)]), tokens);
    cfg.poll_interval = Duration::from_millis(50);
    let worker = spawn_worker(db.clone(), cfg);

    let payload = json!({"appointment_id": 9, "person_name": "李四"});
    let event_id = write_tx(&mut db.get().unwrap_or_else(|e| panic!("{e}")), |c| {
        outbox::enqueue(c, "documents", "certificate.issue", &payload)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    worker.wake();
    let deadline = Instant::now() + Duration::from_secs(15);
    let row = loop {
        let row = outbox::find(&mut db.get().unwrap_or_else(|e| panic!("{e}")), &event_id)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no row"));
        if row.delivered_at.is_some() {
            break row;
        }
        assert!(Instant::now() < deadline, "not delivered: {row:?}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(row.attempts, 1, "{row:?}");
    worker.stop().await;

    // documents-service stored it: the same event again is a duplicate.
    let (token, _) = client_token(&s, &members.client_id, &members.secret).await;
    let again = json!({
        "event_id": event_id, "kind": "certificate.issue", "source": "members",
        "occurred_at": row.created_at.and_utc().to_rfc3339(), "payload": payload
    });
    let r = s.post(&documents_inbox(&s), Some(&token), again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "duplicate");
    s.stop().await;
}

/// The dead letter `event_id` as `GET /api/v1/documents/failed-events` lists it, if it does.
async fn listed_failed(s: &TestSuite, admin: &str, event_id: &str) -> Option<Value> {
    let page = s.get("/api/v1/documents/failed-events", Some(admin)).await.json();
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["event_id"] == event_id)
        .cloned()
}

/// Issue 9, point 5: an event that fails for a reason that will not go away is parked after a
/// few tries (not retried forever), listed for admins with its reason, and replayable.
#[actix_rt::test]
async fn an_event_that_cannot_be_processed_is_parked_listed_and_replayable() {
    let (s, seeds) = start().await;
    let members = seed(&seeds, "members-service");
    let (token, _) = client_token(&s, &members.client_id, &members.secret).await;
    let admin = s.admin_token().await;
    let mut poison = envelope();
    poison["kind"] = json!("certificate.unheard_of");
    let event_id = poison.str_at("event_id").to_owned();
    let r = s.post(&documents_inbox(&s), Some(&token), poison).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());

    let failed = "/api/v1/documents/failed-events";
    let parked = e2e_tests::eventually(60, "the event parked as a dead letter", || {
        listed_failed(&s, &admin, &event_id)
    })
    .await;
    assert_eq!(parked["attempts"], 3, "{parked}");
    assert_eq!(parked["source"], "members");
    assert!(parked.str_at("last_error").starts_with("unknown_event"), "{parked}");
    // Replayed: tried again at once (and, still unknown, parked again after three more tries).
    let r = s
        .post(&format!("{failed}/{event_id}/replay"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert_eq!(
        listed_failed(&s, &admin, &event_id).await,
        None,
        "a replayed event is no longer listed until it fails again"
    );
    s.post(&format!("{failed}/{event_id}/replay"), Some(&admin), json!({}))
        .await
        .problem(409, "event_not_failed");
    e2e_tests::eventually(60, "parked again", || listed_failed(&s, &admin, &event_id)).await;
    s.post(
        &format!("{failed}/{}/replay", uuid::Uuid::new_v4()),
        Some(&admin),
        json!({}),
    )
    .await
    .problem(404, "not_found");
    s.get(failed, None).await.problem(401, "token_missing");
    // The producers' own dead letters (their outboxes) have the same routes; none here.
    for service in ["members", "meetings"] {
        let page = s
            .get(&format!("/api/v1/{service}/failed-events"), Some(&admin))
            .await
            .json();
        assert_eq!(page["items"], json!([]), "{service}: {page}");
    }
    s.stop().await;
}
