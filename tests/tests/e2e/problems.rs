//! Bad input always gets problem+json with a stable code: never plain text, never a 500.

use awc::http::StatusCode;
use e2e_tests::TestSuite;
use serde_json::json;

#[actix_rt::test]
async fn malformed_wrong_typed_oversized_and_wrongly_typed_bodies_are_problems() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    let accounts = "/api/v1/auth/accounts";
    let send = |ctype: &'static str, body: Vec<u8>| s.send("POST", accounts, Some(&admin), Some((ctype, body)));

    send("application/json", b"{\"username\": ".to_vec())
        .await
        .problem(400, "malformed_json");
    send("application/json", b"not json at all".to_vec())
        .await
        .problem(400, "malformed_json");
    let wrong_type = json!({"username": 42, "display_name": "x", "password": "xxxxxxxxxxxx", "role": "admin"});
    send("application/json", wrong_type.to_string().into_bytes())
        .await
        .problem(422, "invalid_body");
    let unknown_field =
        json!({"username": "abc", "display_name": "x", "password": "xxxxxxxxxxxx", "role": "admin", "is_root": true});
    send("application/json", unknown_field.to_string().into_bytes())
        .await
        .problem(422, "invalid_body");
    send("text/plain", b"hello".to_vec())
        .await
        .problem(415, "unsupported_media_type");
    let huge = json!({"username": "a".repeat(300 * 1024)});
    send("application/json", huge.to_string().into_bytes())
        .await
        .problem(413, "payload_too_large");
    // The token endpoint reads raw bytes with its own, smaller limit.
    let big_form = format!("grant_type=password&username={}", "a".repeat(100 * 1024));
    s.send(
        "POST",
        "/api/v1/auth/token",
        None,
        Some(("application/x-www-form-urlencoded", big_form.into_bytes())),
    )
    .await
    .problem(413, "payload_too_large");
    s.stop().await;
}

#[actix_rt::test]
async fn unknown_routes_methods_and_bad_parameters_are_problems() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    s.get("/nowhere", None).await.problem(404, "route_not_found");
    s.get("/api/v1/unknown-service/x", Some(&admin))
        .await
        .problem(404, "route_not_found");
    // Unknown routes inside a service, reached through the proxy.
    s.get("/api/v1/members/nothing-here", Some(&admin))
        .await
        .problem(404, "route_not_found");
    s.get("/api/v1/meetings/nothing-here", Some(&admin))
        .await
        .problem(404, "route_not_found");
    let r = s.send("DELETE", "/api/v1/members/bodies", Some(&admin), None).await;
    r.problem(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    s.send("PUT", "/api/v1/auth/me", Some(&admin), None)
        .await
        .problem(405, "method_not_allowed");
    s.get("/api/v1/members/bodies/abc", Some(&admin))
        .await
        .problem(400, "invalid_path");
    s.get("/api/v1/members/bodies/999", Some(&admin))
        .await
        .problem(404, "not_found");
    s.get("/api/v1/members/bodies?kind=secretariat", Some(&admin))
        .await
        .problem(400, "invalid_query");
    s.get("/api/v1/members/bodies?limit=0", Some(&admin))
        .await
        .problem(400, "invalid_limit");
    s.get("/api/v1/members/bodies?cursor=zzz", Some(&admin))
        .await
        .problem(400, "invalid_cursor");
    s.get("/api/v1/auth/accounts/1?limit=x", Some(&admin)).await;
    let ok = s.get("/api/v1/members/bodies?kind=council", Some(&admin)).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["items"].as_array().map(Vec::len), Some(1));
    s.stop().await;
}
