//! The gateway's reverse proxy: request ids, a stopped or slow service, `/internal` never reachable.

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use awc::http::StatusCode;
use e2e_tests::{Fields, TestSuite};

#[actix_rt::test]
async fn request_ids_are_set_and_kept_across_the_hop() {
    let s = TestSuite::start().await;
    let token = s.admin_token().await;
    let r = s.get("/api/v1/members/bodies", Some(&token)).await;
    let generated = r.header("x-request-id").expect("the gateway generates an x-request-id");
    assert_eq!(generated.len(), 36, "a UUID request id is generated: {generated:?}");

    let res = s
        .client
        .get(format!("{}/api/v1/members/bodies", s.url))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("x-request-id", "trace-abc-123"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        res.headers().get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("trace-abc-123")
    );
    s.stop().await;
}

#[actix_rt::test]
async fn a_stopped_service_gives_503_problem_and_the_others_keep_working() {
    let mut s = TestSuite::start().await;
    let token = s.admin_token().await;
    assert_eq!(
        s.get("/api/v1/members/bodies", Some(&token)).await.status,
        StatusCode::OK
    );
    if let Some(members) = s.suite.members.take() {
        members.stop().await;
    }
    let r = s.get("/api/v1/members/bodies", Some(&token)).await;
    let p = r.problem(503, "upstream_unavailable");
    assert!(p.str_at("detail").contains("members-service"));
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        s.get("/api/v1/meetings/activities", Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(s.get("/api/v1/auth/me", Some(&token)).await.status, StatusCode::OK);
    s.stop().await;
}

#[actix_rt::test]
async fn a_slow_service_gives_504_after_the_configured_timeout() {
    // A stand-in upstream that answers too late.
    let slow = HttpServer::new(|| {
        App::new().default_service(web::to(|| async {
            actix_web::rt::time::sleep(Duration::from_secs(5)).await;
            HttpResponse::Ok().finish()
        }))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap_or_else(|e| panic!("{e}"));
    let addr = slow.addrs()[0];
    let server = slow.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let s = TestSuite::start().await;
    // A second gateway, with a short timeout, whose documents route leads to the slow server.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut gw_settings = e2e_tests::SuiteSettings::local(
        dir.path().to_owned(),
        None,
        Some(s.signing_key_pem.clone()),
        Some("another-admin-passphrase".into()),
    )
    .gateway;
    gw_settings.upstreams.documents = format!("http://{addr}");
    gw_settings.upstream_timeout = Duration::from_millis(500);
    let gw = gateway::start(gw_settings).await.unwrap_or_else(|e| panic!("{e}"));
    let token = s.admin_token().await;
    let started = std::time::Instant::now();
    let r = s
        .get(&format!("{}/api/v1/documents", gw.service.url()), Some(&token))
        .await;
    r.problem(504, "upstream_timeout");
    assert!(started.elapsed() < Duration::from_secs(4));
    gw.service.stop().await;
    handle.stop(false).await;
    s.stop().await;
}

#[actix_rt::test]
async fn internal_routes_are_never_reachable_through_the_gateway() {
    let s = TestSuite::start().await;
    let token = s.admin_token().await;
    for path in [
        "/internal/v1/events",
        "/api/v1/members/%2e%2e/%2e%2e/internal/v1/events",
        "/api/v1/members/..%2F..%2Finternal/v1/events",
        "/api/v1/internal/v1/events",
    ] {
        let r = s.get(path, Some(&token)).await;
        assert!(matches!(r.status.as_u16(), 400 | 404), "{path} gave {}", r.status);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    }
    s.stop().await;
}

#[actix_rt::test]
async fn health_readiness_and_metrics_answer_on_every_service() {
    let s = TestSuite::start().await;
    let services = [
        s.suite.gateway.service.url(),
        s.suite
            .members
            .as_ref()
            .map(|h| h.url())
            .expect("members-service is running"),
        s.suite
            .meetings
            .as_ref()
            .map(|h| h.url())
            .expect("meetings-service is running"),
        s.suite
            .documents
            .as_ref()
            .map(|h| h.url())
            .expect("documents-service is running"),
    ];
    for base in services {
        let h = s.get(&format!("{base}/healthz"), None).await;
        assert_eq!(h.json()["status"], "ok", "{base}");
        let r = s.get(&format!("{base}/readyz"), None).await;
        assert_eq!(r.json()["status"], "ready", "{base}");
        let m = s.get(&format!("{base}/metrics"), None).await;
        assert!(m.text().contains("http_requests_total"), "{base}");
    }
    s.stop().await;
}

#[actix_rt::test]
async fn the_gateway_serves_the_committed_contract_and_swagger_ui_offline() {
    let s = TestSuite::start().await;
    let doc = s.get("/api-docs/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.text(), openapi::merged_json());
    let ui = s.get("/swagger-ui/", None).await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(ui.text().contains("swagger-ui"));
    let init = s.get("/swagger-ui/swagger-initializer.js", None).await;
    assert!(init.text().contains("/api-docs/openapi.json"));
    s.stop().await;
}
