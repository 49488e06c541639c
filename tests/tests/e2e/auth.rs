//! Tokens through the gateway: issue, and the refusal matrix (missing, expired, forged,
//! wrong algorithm, wrong issuer/audience, role too low), accounts and API clients.

use awc::http::StatusCode;
use e2e_tests::{ADMIN_PASSWORD, Fields, TestSuite};
use serde_json::json;

// A submodule (tests/tests/e2e/auth/access_matrix.rs) rather than another binary to link.
mod access_matrix;

#[actix_rt::test]
async fn password_grant_gives_a_token_that_every_service_accepts() {
    let s = TestSuite::start().await;
    let token = s.admin_token().await;
    let me = s.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["role"], "admin");
    assert_eq!(me.json()["subject"], "account:1");
    for path in [
        "/api/v1/members/bodies",
        "/api/v1/meetings/activities",
        "/api/v1/documents",
    ] {
        let r = s.get(path, Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        assert!(r.json()["items"].is_array());
    }
    // The form encoding of OAuth clients works too.
    let form = format!("grant_type=password&username=admin&password={ADMIN_PASSWORD}");
    let r = s
        .send(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["token_type"], "Bearer");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    s.stop().await;
}

#[actix_rt::test]
async fn the_members_service_lists_the_council_and_expert_committee_from_first_start() {
    let s = TestSuite::start().await;
    let token = s.admin_token().await;
    let r = s.get("/api/v1/members/bodies", Some(&token)).await;
    let body = r.json();
    let kinds: Vec<&str> = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["council", "expert_committee"]);
    assert_eq!(body["items"][0]["name"], "理事会");
    assert_eq!(body["items"][1]["kind_label"], "专家委员会");
    s.stop().await;
}

#[actix_rt::test]
async fn tokens_that_must_be_refused_are_refused() {
    let s = TestSuite::start().await;
    let path = "/api/v1/members/bodies";
    let now = chrono::Utc::now().timestamp();

    s.get(path, None).await.problem(401, "token_missing");
    let r = s.send("GET", path, Some(""), None).await;
    assert_eq!(r.status.as_u16(), 401);
    s.get(path, Some("not.a.jwt")).await.problem(401, "token_invalid");

    // Expired (beyond the 30 s leeway).
    let mut c = s.admin_claims();
    c["exp"] = json!(now - 120);
    c["iat"] = json!(now - 1000);
    c["nbf"] = json!(now - 1000);
    let r = s.get(path, Some(&s.sign(&c))).await;
    r.problem(401, "token_expired");
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));

    // Wrong issuer and wrong audience.
    let mut c = s.admin_claims();
    c["iss"] = json!("someone-else");
    s.get(path, Some(&s.sign(&c))).await.problem(401, "token_invalid");
    let mut c = s.admin_claims();
    c["aud"] = json!("another-api");
    s.get(path, Some(&s.sign(&c))).await.problem(401, "token_invalid");

    // Signed by another Ed25519 key (forged).
    let other = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let other_pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
        other
            .to_pkcs8_pem(LineEnding::LF)
            .map(|z| z.to_string())
            .unwrap_or_else(|e| panic!("cannot encode the other key: {e}"))
    };
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        &s.admin_claims(),
        &jsonwebtoken::EncodingKey::from_ed_pem(other_pem.as_bytes()).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    s.get(path, Some(&forged)).await.problem(401, "token_invalid");

    // A valid token whose payload was edited (signature no longer matches).
    let good = s.sign(&s.admin_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let mut member = s.admin_claims();
    member["role"] = json!("admin");
    member["sub"] = json!("account:999");
    let edited = format!("{}.{}.{}", parts[0], b64(&member.to_string()), parts[2]);
    s.get(path, Some(&edited)).await.problem(401, "token_invalid");

    // alg: none.
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&s.admin_claims().to_string())
    );
    s.get(path, Some(&none)).await.problem(401, "token_invalid");

    // HS256 "signed" with the gateway's public key as the HMAC secret (key confusion).
    let jwks = s.get("/api/v1/auth/jwks", None).await.json();
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    let public_pem = s.suite.gateway.public_key_pem.clone();
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &s.admin_claims(),
        &jsonwebtoken::EncodingKey::from_secret(public_pem.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    s.get(path, Some(&hs)).await.problem(401, "token_invalid");

    // The real key with valid claims passes: the matrix above fails for the right reason.
    assert_eq!(s.get(path, Some(&good)).await.status, StatusCode::OK);
    s.stop().await;
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
}

#[actix_rt::test]
async fn roles_too_low_get_403() {
    let s = TestSuite::start().await;
    let member = s.token_for("member", Some("person:1")).await;
    let unit = s.token_for("unit_contact", Some("unit:3")).await;
    let secretary = s.token_for("group_secretary", Some("group:4")).await;
    s.get("/api/v1/documents", Some(&secretary))
        .await
        .problem(403, "forbidden");
    // A member may list documents, but only their own.
    let own = s.get("/api/v1/documents", Some(&member)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["items"].as_array().map(Vec::len), Some(0));
    s.get("/api/v1/auth/accounts", Some(&unit))
        .await
        .problem(403, "forbidden");
    s.post(
        "/api/v1/auth/clients",
        Some(&member),
        json!({"name": "x", "scopes": []}),
    )
    .await
    .problem(403, "forbidden");
    let me = s.get("/api/v1/auth/me", Some(&unit)).await.json();
    assert_eq!(me["role"], "unit_contact");
    assert_eq!(me["scope"], "unit:3");
    // Every authenticated role may read the bodies.
    assert_eq!(
        s.get("/api/v1/members/bodies", Some(&member)).await.status,
        StatusCode::OK
    );
    s.stop().await;
}

#[actix_rt::test]
async fn client_credentials_carry_only_granted_scopes() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    let created = s
        .post(
            "/api/v1/auth/clients",
            Some(&admin),
            json!({"name": "档案系统", "scopes": ["documents:read"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let c = created.json();
    let (id, secret) = (c.str_at("client_id"), c.str_at("client_secret"));
    assert!(secret.len() >= 32);
    // The secret is never shown again.
    let again = s
        .get(&format!("/api/v1/auth/clients/{}", c["id"]), Some(&admin))
        .await
        .json();
    assert!(again.get("client_secret").is_none());

    let grant = |scope: Option<&str>| {
        let mut b = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
        if let Some(sc) = scope {
            b["scope"] = json!(sc);
        }
        b
    };
    let r = s.post("/api/v1/auth/token", None, grant(None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["scope"], "documents:read");
    let token = r.json().str_at("access_token").to_owned();
    assert_eq!(s.get("/api/v1/documents", Some(&token)).await.status, StatusCode::OK);
    let me = s.get("/api/v1/auth/me", Some(&token)).await.json();
    assert_eq!(me["role"], "service");

    s.post("/api/v1/auth/token", None, grant(Some("members:write")))
        .await
        .problem(400, "invalid_scope");
    let mut wrong = grant(None);
    wrong["client_secret"] = json!("nope");
    s.post("/api/v1/auth/token", None, wrong)
        .await
        .problem(401, "invalid_client");

    // A client without the scope is refused by the service.
    let other = s
        .post(
            "/api/v1/auth/clients",
            Some(&admin),
            json!({"name": "统计", "scopes": ["meetings:read"]}),
        )
        .await
        .json();
    let t = s
        .post(
            "/api/v1/auth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": other["client_id"], "client_secret": other["client_secret"]}),
        )
        .await
        .json();
    s.get("/api/v1/documents", t["access_token"].as_str())
        .await
        .problem(403, "forbidden");

    // Disabled clients get no token.
    s.patch(
        &format!("/api/v1/auth/clients/{}", c["id"]),
        Some(&admin),
        json!({"disabled": true}),
    )
    .await;
    s.post("/api/v1/auth/token", None, grant(None))
        .await
        .problem(401, "client_disabled");
    s.post(
        "/api/v1/auth/clients",
        Some(&admin),
        json!({"name": "x", "scopes": ["root"]}),
    )
    .await
    .problem(422, "validation_failed");
    s.stop().await;
}

#[actix_rt::test]
async fn wrong_passwords_and_unknown_grants_are_refused_and_repeated_failures_are_limited() {
    let s = TestSuite::start().await;
    let bad = json!({"grant_type": "password", "username": "admin", "password": "wrong-password"});
    s.post("/api/v1/auth/token", None, json!({"grant_type": "implicit"}))
        .await
        .problem(400, "unsupported_grant_type");
    s.post(
        "/api/v1/auth/token",
        None,
        json!({"grant_type": "password", "username": "admin"}),
    )
    .await
    .problem(400, "invalid_request");
    for _ in 0..5 {
        s.post("/api/v1/auth/token", None, bad.clone())
            .await
            .problem(401, "invalid_credentials");
    }
    // Locked now, even with the right password.
    let r = s
        .post(
            "/api/v1/auth/token",
            None,
            json!({"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD}),
        )
        .await;
    r.problem(429, "rate_limited");
    assert!(
        r.header("retry-after")
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n >= 1)
    );
    s.stop().await;
}

#[actix_rt::test]
async fn accounts_are_validated_unique_and_the_last_admin_stays() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    let r = s
        .post(
            "/api/v1/auth/accounts",
            Some(&admin),
            json!({"username": "x", "display_name": "", "password": "short", "role": "unit_contact", "scope": "group:1"}),
        )
        .await;
    let p = r.problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "display_name", "password", "scope"]);

    let ok = json!({"username": "li.na", "display_name": "李娜", "password": "a-long-enough-password", "role": "group_secretary", "scope": "group:4"});
    assert_eq!(
        s.post("/api/v1/auth/accounts", Some(&admin), ok.clone()).await.status,
        StatusCode::CREATED
    );
    s.post("/api/v1/auth/accounts", Some(&admin), ok)
        .await
        .problem(409, "username_taken");

    s.patch("/api/v1/auth/accounts/1", Some(&admin), json!({"disabled": true}))
        .await
        .problem(409, "last_admin");
    let list = s.get("/api/v1/auth/accounts?limit=1", Some(&admin)).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let next = list.str_at("next_cursor").to_owned();
    let page2 = s
        .get(&format!("/api/v1/auth/accounts?limit=1&cursor={next}"), Some(&admin))
        .await
        .json();
    assert_eq!(page2["items"][0]["username"], "li.na");
    assert!(page2.get("next_cursor").is_none());

    // A disabled account cannot log in.
    let id = page2["items"][0]["id"].clone();
    s.patch(
        &format!("/api/v1/auth/accounts/{id}"),
        Some(&admin),
        json!({"disabled": true}),
    )
    .await;
    s.post(
        "/api/v1/auth/token",
        None,
        json!({"grant_type": "password", "username": "li.na", "password": "a-long-enough-password"}),
    )
    .await
    .problem(401, "account_disabled");
    s.stop().await;
}

fn password(username: &str, password: &str) -> serde_json::Value {
    json!({"grant_type": "password", "username": username, "password": password})
}

fn client(id: &str, secret: &str) -> serde_json::Value {
    json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret})
}

/// issue 9, point 8 (G): failures lock the name they were made for, never the address. Five
/// wrong passwords for a user that does not exist used to lock the admin and the suite's own
/// services out of that address.
#[actix_rt::test]
async fn failed_logins_lock_their_name_and_only_slow_the_address() {
    let s = TestSuite::start().await;
    let token = "/api/v1/auth/token";
    for _ in 0..5 {
        s.post(token, None, password("ghost", "wrong-password"))
            .await
            .problem(401, "invalid_credentials");
    }
    let r = s.post(token, None, password("ghost", "wrong-password")).await;
    r.problem(429, "rate_limited");
    assert!(
        r.header("retry-after")
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n >= 1)
    );
    // Same address: the admin and a service client are not locked.
    assert_eq!(
        s.post(token, None, password("admin", ADMIN_PASSWORD)).await.status,
        StatusCode::OK
    );
    let seed = s
        .settings
        .gateway
        .service_clients
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("the suite has no service clients"));
    assert_eq!(
        s.post(token, None, client(&seed.client_id, &seed.secret)).await.status,
        StatusCode::OK
    );

    // Someone who knows a service's client id fails for it until it is locked: wrong secrets get
    // 429, the service's right secret still gets its token.
    for _ in 0..5 {
        s.post(token, None, client(&seed.client_id, "not-the-secret-at-all"))
            .await
            .problem(401, "invalid_client");
    }
    s.post(token, None, client(&seed.client_id, "not-the-secret-at-all"))
        .await
        .problem(429, "rate_limited");
    let r = s.post(token, None, client(&seed.client_id, &seed.secret)).await;
    assert_eq!(r.status, StatusCode::OK, "a service was locked out: {}", r.text());

    // An address failing for many names is slowed: its failures get 429 with Retry-After...
    let mut limited = None;
    for i in 0..30 {
        let r = s
            .post(token, None, password(&format!("spray-{i}"), "wrong-password"))
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
        r.problem(401, "invalid_credentials");
    }
    let r = limited.unwrap_or_else(|| panic!("30 more failures from one address were never limited"));
    r.problem(429, "rate_limited");
    assert!(r.header("retry-after").is_some());
    // ...while a right password for a name that is not locked still passes from it.
    assert_eq!(
        s.post(token, None, password("admin", ADMIN_PASSWORD)).await.status,
        StatusCode::OK
    );
    s.stop().await;
}

/// Polls `url` with `token` until it answers 401 `token_revoked` (the services' lists follow the
/// gateway's every 2 s).
async fn refused_within(s: &TestSuite, secs: u64, url: &str, token: &str) {
    e2e_tests::eventually(secs, &format!("{url} to refuse a revoked token"), || async {
        let r = s.get(url, Some(token)).await;
        (r.status == StatusCode::UNAUTHORIZED && r.json()["code"] == "token_revoked").then_some(())
    })
    .await;
    s.get(url, Some(token)).await.problem(401, "token_revoked");
}

fn service_url(s: &TestSuite, name: &str) -> String {
    let handle = match name {
        "members" => s.suite.members.as_ref(),
        "meetings" => s.suite.meetings.as_ref(),
        _ => s.suite.documents.as_ref(),
    };
    handle
        .map(|h| h.url())
        .unwrap_or_else(|| panic!("{name} is not running"))
}

/// issue 9, point 9 (H): a disabled account's token is refused by the gateway at once and by
/// every service within seconds, not when it expires; re-enabling does not revive it; a new
/// password ends the tokens issued before.
#[actix_rt::test]
async fn disabling_an_account_or_changing_its_password_ends_its_tokens() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    let pw = "a-long-enough-password";
    let account = s
        .post(
            "/api/v1/auth/accounts",
            Some(&admin),
            json!({"username": "wang.fang", "display_name": "王芳", "password": pw, "role": "group_secretary", "scope": "group:4"}),
        )
        .await
        .json();
    let path = format!("/api/v1/auth/accounts/{}", account["id"]);
    let token = s.login("wang.fang", pw).await;
    let bodies = "/api/v1/members/bodies";
    let direct = format!("{}{bodies}", service_url(&s, "members"));
    assert_eq!(s.get(bodies, Some(&token)).await.status, StatusCode::OK);
    assert_eq!(s.get(&direct, Some(&token)).await.status, StatusCode::OK);

    assert_eq!(
        s.patch(&path, Some(&admin), json!({"disabled": true})).await.status,
        StatusCode::OK
    );
    // The gateway: at once, on its own routes and on forwarded ones.
    s.get(bodies, Some(&token)).await.problem(401, "token_revoked");
    s.get("/api/v1/auth/me", Some(&token))
        .await
        .problem(401, "token_revoked");
    // Public reads need no token, so a stale one sent along does not turn them into a 401.
    for public in [
        "/api/v1/documents/issuer",
        "/api/v1/documents/issuer/jwks",
        "/api/v1/auth/jwks",
    ] {
        assert_eq!(s.get(public, Some(&token)).await.status, StatusCode::OK, "{public}");
    }
    // Each service, called directly (the private network): within a few seconds.
    refused_within(&s, 10, &direct, &token).await;
    refused_within(
        &s,
        10,
        &format!("{}/api/v1/meetings/activities", service_url(&s, "meetings")),
        &token,
    )
    .await;

    // Re-enabled: a new login works, the old token stays dead.
    assert_eq!(
        s.patch(&path, Some(&admin), json!({"disabled": false})).await.status,
        StatusCode::OK
    );
    let fresh = s.login("wang.fang", pw).await;
    assert_eq!(s.get(bodies, Some(&fresh)).await.status, StatusCode::OK);
    s.get(bodies, Some(&token)).await.problem(401, "token_revoked");
    assert_eq!(s.get(&direct, Some(&fresh)).await.status, StatusCode::OK);

    // A new password ends the tokens issued with the old one; the new one logs in.
    assert_eq!(
        s.patch(&path, Some(&admin), json!({"password": "another-long-password"}))
            .await
            .status,
        StatusCode::OK
    );
    s.get(bodies, Some(&fresh)).await.problem(401, "token_revoked");
    refused_within(&s, 10, &direct, &fresh).await;
    s.post("/api/v1/auth/token", None, password("wang.fang", pw))
        .await
        .problem(401, "invalid_credentials");
    let newest = s.login("wang.fang", "another-long-password").await;
    assert_eq!(s.get(&direct, Some(&newest)).await.status, StatusCode::OK);
    // Other accounts' tokens were never affected.
    assert_eq!(s.get(&direct, Some(&admin)).await.status, StatusCode::OK);
    s.stop().await;
}

/// issue 9, point 9 (H): the same for API clients, and a rotated secret ends the old tokens.
#[actix_rt::test]
async fn disabling_a_client_or_rotating_its_secret_ends_its_tokens() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    let c = s
        .post(
            "/api/v1/auth/clients",
            Some(&admin),
            json!({"name": "档案系统", "scopes": ["documents:read"]}),
        )
        .await
        .json();
    let (id, secret) = (c.str_at("client_id").to_owned(), c.str_at("client_secret").to_owned());
    let path = format!("/api/v1/auth/clients/{}", c["id"]);
    let grant = |secret: &str| client(&id, secret);
    let token = s
        .post("/api/v1/auth/token", None, grant(&secret))
        .await
        .json()
        .str_at("access_token")
        .to_owned();
    let docs = "/api/v1/documents";
    let direct = format!("{}{docs}", service_url(&s, "documents"));
    assert_eq!(s.get(docs, Some(&token)).await.status, StatusCode::OK);
    assert_eq!(s.get(&direct, Some(&token)).await.status, StatusCode::OK);

    s.patch(&path, Some(&admin), json!({"disabled": true})).await;
    s.get(docs, Some(&token)).await.problem(401, "token_revoked");
    refused_within(&s, 10, &direct, &token).await;

    s.patch(&path, Some(&admin), json!({"disabled": false})).await;
    let fresh = s
        .post("/api/v1/auth/token", None, grant(&secret))
        .await
        .json()
        .str_at("access_token")
        .to_owned();
    assert_eq!(s.get(docs, Some(&fresh)).await.status, StatusCode::OK);
    s.get(docs, Some(&token)).await.problem(401, "token_revoked");

    let rotated = s
        .patch(&path, Some(&admin), json!({"rotate_secret": true}))
        .await
        .json();
    let new_secret = rotated.str_at("client_secret").to_owned();
    s.get(docs, Some(&fresh)).await.problem(401, "token_revoked");
    refused_within(&s, 10, &direct, &fresh).await;
    s.post("/api/v1/auth/token", None, grant(&secret))
        .await
        .problem(401, "invalid_client");
    let newest = s
        .post("/api/v1/auth/token", None, grant(&new_secret))
        .await
        .json()
        .str_at("access_token")
        .to_owned();
    assert_eq!(s.get(&direct, Some(&newest)).await.status, StatusCode::OK);
    s.stop().await;
}

/// issue 9, point 9 (H): the gateway's list is for the suite's own services only.
#[actix_rt::test]
async fn the_revocation_list_is_readable_with_a_service_token_only() {
    let s = TestSuite::start().await;
    let admin = s.admin_token().await;
    let list = "/internal/v1/revocations";
    s.get(list, None).await.problem(401, "token_missing");
    s.get(list, Some(&admin)).await.problem(403, "forbidden");
    let seed = s
        .settings
        .gateway
        .service_clients
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("the suite has no service clients"));
    let service = s
        .post("/api/v1/auth/token", None, client(&seed.client_id, &seed.secret))
        .await
        .json()
        .str_at("access_token")
        .to_owned();
    let member = s
        .post(
            "/api/v1/auth/accounts",
            Some(&admin),
            json!({"username": "zhao.lei", "display_name": "赵磊", "password": "a-long-enough-password", "role": "member", "scope": "person:1"}),
        )
        .await
        .json();
    s.patch(
        &format!("/api/v1/auth/accounts/{}", member["id"]),
        Some(&admin),
        json!({"disabled": true}),
    )
    .await;
    let body = s.get(list, Some(&service)).await;
    assert_eq!(body.status, StatusCode::OK, "{}", body.text());
    let subjects = body.json()["subjects"].clone();
    let entry = subjects
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["subject"] == format!("account:{}", member["id"]))
        .cloned()
        .unwrap_or_else(|| panic!("the disabled account is not listed: {subjects}"));
    assert_eq!(entry["disabled"], true);
    assert_eq!(entry["token_version"], 1);
    s.stop().await;
}

/// issue 9, point 12: the bootstrap password file never shows a stale password: it is removed
/// when the password changes, and at start when it no longer opens the account.
#[actix_rt::test]
async fn the_bootstrap_password_file_goes_when_the_password_changes() {
    let mut stale_file = None;
    let s = TestSuite::start_with(|settings| {
        let file = settings.gateway.data_dir.join(gateway::BOOTSTRAP_FILE);
        std::fs::write(&file, "admin an-old-password\n").unwrap_or_else(|e| panic!("{e}"));
        stale_file = Some(file);
    })
    .await;
    let file = stale_file.unwrap_or_else(|| panic!("no data folder"));
    assert!(!file.exists(), "a stale bootstrap file survived the start");

    std::fs::write(&file, format!("admin {ADMIN_PASSWORD}\n")).unwrap_or_else(|e| panic!("{e}"));
    let admin = s.admin_token().await;
    // Another account's password change leaves it alone.
    let other = s
        .post(
            "/api/v1/auth/accounts",
            Some(&admin),
            json!({"username": "sun.li", "display_name": "孙丽", "password": "a-long-enough-password", "role": "member", "scope": "person:1"}),
        )
        .await
        .json();
    s.patch(
        &format!("/api/v1/auth/accounts/{}", other["id"]),
        Some(&admin),
        json!({"password": "another-long-password"}),
    )
    .await;
    assert!(file.exists());
    let r = s
        .patch(
            "/api/v1/auth/accounts/1",
            Some(&admin),
            json!({"password": "the-admins-own-choice"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(!file.exists(), "the bootstrap file still shows the old password");
    s.stop().await;
}
