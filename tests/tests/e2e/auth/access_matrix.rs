//! issue 9: the token refusal matrix and per-role access for EVERY operation, generated from the
//! contract the gateway serves. Each operation declares who may call it (`x-roles`, see
//! `openapi::ROLES_EXTENSION`); this test calls each one
//!
//! - (a) with no token, an expired one, a forged signature, the wrong algorithm (HS256 with the
//!   public key, `alg: none`) and a revoked token: 401 problem+json with the matching code
//!   (public operations excepted);
//! - (b) as every caller its `x-roles` does not list (the four people's roles, service clients
//!   with no scope and with each scope the contract knows): 403 problem+json `forbidden`, before
//!   the body is validated or the record looked up (the ids and bodies sent name nothing that
//!   exists, and their texts are empty, so a handler that checks those first answers 404 or 422);
//! - (c) as every caller it lists without a qualifier (admin at least): neither 401 nor 403;
//!   callers it lists as `…:own_*` only must not get 401 (whether they get 403 depends on the
//!   record).
//!
//! Path and query parameters and bodies are made from the operation's schemas. The refusals are
//! all tried before any allowed call, so nothing an allowed call creates can hide a wrong order.

use awc::http::StatusCode;
use e2e_tests::{Fields, Reply, TestSuite};
use openapi::Allowed;
use serde_json::{Value, json};

/// One operation of the contract, ready to send.
struct Operation {
    method: String,
    template: String,
    url: String,
    body: Option<(String, Vec<u8>)>,
    allowed: Vec<Allowed>,
}

impl Operation {
    fn public(&self) -> bool {
        self.allowed.contains(&Allowed::Public)
    }

    fn name(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.template)
    }
}

/// A caller with a real token: a person's account or an API client, made through the API.
struct Who {
    label: String,
    role: &'static str,
    scopes: Vec<String>,
    token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Listed without a qualifier: never 401 or 403.
    Allowed,
    /// Listed as `…:own_*`: never 401; 403 or not depends on the record.
    Own,
    /// Not listed: 403.
    Refused,
}

fn expect(allowed: &[Allowed], who: &Who) -> Expect {
    let mut own = false;
    for a in allowed {
        match a {
            Allowed::Role(r) if *r == who.role => return Expect::Allowed,
            Allowed::ServiceScope(s) if who.role == "service" && who.scopes.contains(s) => return Expect::Allowed,
            Allowed::Internal if who.role == "service" && who.scopes.iter().any(|s| s == "internal") => {
                return Expect::Allowed;
            }
            Allowed::Own(r, _) if *r == who.role => own = true,
            _ => {}
        }
    }
    if own { Expect::Own } else { Expect::Refused }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

fn first_type(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t.as_str()),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn sample_integer(name: &str, schema: &Value) -> i64 {
    let v = if name.contains("year") { 2026 } else { 1 };
    let min = schema["minimum"].as_i64().unwrap_or(i64::MIN);
    let max = schema["maximum"].as_i64().unwrap_or(i64::MAX);
    v.clamp(min, max)
}

/// The least value of `schema` that deserializes: required properties only, empty texts (so a
/// handler validating before it authorises answers 422 instead of 403), dates in 2026, ids 1.
fn sample(doc: &Value, schema: &Value, name: &str, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > 10 {
        return Value::Null;
    }
    if let Some(v) = schema.get("const") {
        return v.clone();
    }
    if let Some(v) = schema["enum"].as_array().and_then(|e| e.iter().find(|v| !v.is_null())) {
        return v.clone();
    }
    // An object's required properties, with what its `allOf` conditions add (the first choice of
    // each `oneOf`/`anyOf` among them; `if`/`then` parts add nothing).
    if schema.get("properties").is_some() || schema.get("allOf").is_some() {
        let mut out = serde_json::Map::new();
        for field in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.insert(
                field.to_owned(),
                sample(doc, &schema["properties"][field], field, depth + 1),
            );
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            if let Value::Object(o) = sample(doc, part, name, depth + 1) {
                out.extend(o);
            }
        }
        return Value::Object(out);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(variant) = schema[key]
            .as_array()
            .and_then(|vs| vs.iter().find(|v| first_type(resolve(doc, v)) != Some("null")))
        {
            return sample(doc, variant, name, depth + 1);
        }
    }
    match first_type(schema) {
        Some("object") => json!({}),
        Some("array") => {
            let n = schema["minItems"].as_u64().unwrap_or(0);
            Value::Array((0..n).map(|_| sample(doc, &schema["items"], name, depth + 1)).collect())
        }
        Some("string") => match schema["format"].as_str() {
            Some("date") => json!("2026-01-01"),
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            _ => json!(""),
        },
        Some("integer") => json!(sample_integer(name, schema)),
        Some("number") => json!(1),
        Some("boolean") => json!(false),
        _ => Value::Null,
    }
}

/// A path or query parameter's value: ids 1, years 2026, event ids a UUID that names nothing.
fn sample_parameter(name: &str, schema: &Value) -> String {
    match first_type(schema) {
        Some("integer") => sample_integer(name, schema).to_string(),
        Some("boolean") => "false".into(),
        _ if schema["pattern"].as_str().is_some_and(|p| p.contains("{12}")) => {
            "00000000-0000-4000-8000-000000000001".into()
        }
        _ if name == "serial" => "JGLM-PS-2026-999999".into(),
        _ => "x".into(),
    }
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let allowed: Vec<Allowed> = op[openapi::ROLES_EXTENSION]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    Allowed::parse(e.as_str().unwrap_or_else(|| panic!("a role that is not a string: {e}")))
                        .unwrap_or_else(|err| panic!("{method} {template}: {err}"))
                })
                .collect();
            assert!(
                !allowed.is_empty(),
                "{method} {template} does not say who may call it ({})",
                openapi::ROLES_EXTENSION
            );
            let mut url = template.clone();
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let p = resolve(doc, p);
                let name = p.str_at("name");
                let value = sample_parameter(name, &p["schema"]);
                match p["in"].as_str() {
                    Some("path") => url = url.replace(&format!("{{{name}}}"), &value),
                    Some("query") if p["required"] == true => query.push(format!("{name}={value}")),
                    _ => {}
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.iter().next())
                .map(|(ctype, media)| {
                    let bytes = if ctype == "application/json" {
                        sample(doc, &media["schema"], "", 0).to_string().into_bytes()
                    } else {
                        Vec::new()
                    };
                    (ctype.clone(), bytes)
                });
            out.push(Operation {
                method: method.clone(),
                template: template.clone(),
                url,
                body,
                allowed,
            });
        }
    }
    out
}

async fn call(s: &TestSuite, op: &Operation, token: Option<&str>) -> Reply {
    let body = op.body.as_ref().map(|(ctype, bytes)| (ctype.as_str(), bytes.clone()));
    s.send(&op.method.to_uppercase(), &op.url, token, body).await
}

/// `Ok` when `r` is a problem+json with this status and code.
fn is_problem(r: &Reply, status: u16, code: &str) -> Result<(), String> {
    let body = r.json();
    if r.status.as_u16() == status
        && r.header("content-type").as_deref() == Some("application/problem+json")
        && body["code"] == code
        && body["status"] == status
    {
        Ok(())
    } else {
        Err(format!(
            "expected {status} problem+json `{code}`, got {} {}: {}",
            r.status,
            r.header("content-type").unwrap_or_default(),
            r.text().chars().take(300).collect::<String>()
        ))
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
}

/// The tokens every secured operation must refuse with 401, with the code each gets.
async fn bad_tokens(s: &TestSuite, admin: &str) -> Vec<(&'static str, Option<String>, &'static str)> {
    let now = chrono::Utc::now().timestamp();
    let mut expired = s.admin_claims();
    expired["exp"] = json!(now - 120);
    expired["iat"] = json!(now - 1000);
    expired["nbf"] = json!(now - 1000);

    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let other_pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
        other
            .to_pkcs8_pem(LineEnding::LF)
            .map(|z| z.to_string())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        &s.admin_claims(),
        &jsonwebtoken::EncodingKey::from_ed_pem(other_pem.as_bytes()).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &s.admin_claims(),
        &jsonwebtoken::EncodingKey::from_secret(s.suite.gateway.public_key_pem.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&s.admin_claims().to_string())
    );

    // Revoked: an admin's token whose account was disabled since (refused by the gateway at once).
    let password = "a-long-enough-password";
    let username = format!("revoked-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let account = s
        .post(
            "/api/v1/auth/accounts",
            Some(admin),
            json!({"username": username, "display_name": "撤销", "password": password, "role": "admin"}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text());
    let revoked = s.login(&username, password).await;
    let disabled = s
        .patch(
            &format!("/api/v1/auth/accounts/{}", account.json()["id"]),
            Some(admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text());

    vec![
        ("no token", None, "token_missing"),
        ("expired", Some(s.sign(&expired)), "token_expired"),
        ("forged signature", Some(forged), "token_invalid"),
        ("HS256 with the public key", Some(hs256), "token_invalid"),
        ("alg none", Some(none), "token_invalid"),
        ("revoked", Some(revoked), "token_revoked"),
    ]
}

/// The four people's roles, and a service client with no scope and one with each scope.
async fn callers(s: &TestSuite, doc: &Value, admin: &str) -> Vec<Who> {
    let mut out = vec![Who {
        label: "admin".into(),
        role: "admin",
        scopes: vec![],
        token: admin.to_owned(),
    }];
    for (role, scope) in [
        ("group_secretary", "group:4"),
        ("unit_contact", "unit:3"),
        ("member", "person:1"),
    ] {
        out.push(Who {
            label: format!("{role} ({scope})"),
            role,
            scopes: vec![],
            token: s.token_for(role, Some(scope)).await,
        });
    }
    let known: Vec<String> = doc["components"]["schemas"]["ClientScope"]["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(
        known.len() >= 7,
        "the contract's ClientScope lists too few scopes: {known:?}"
    );
    let mut grants: Vec<Vec<String>> = vec![vec![]];
    grants.extend(known.into_iter().map(|s| vec![s]));
    for scopes in grants {
        let label = match scopes.first() {
            Some(s) => format!("service [{s}]"),
            None => "service [no scope]".into(),
        };
        let created = s
            .post(
                "/api/v1/auth/clients",
                Some(admin),
                json!({"name": format!("矩阵 {label}"), "scopes": scopes}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{label}: {}", created.text());
        let c = created.json();
        let t = s
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "client_credentials", "client_id": c["client_id"], "client_secret": c["client_secret"]}),
            )
            .await;
        assert_eq!(t.status, StatusCode::OK, "{label}: {}", t.text());
        out.push(Who {
            label,
            role: "service",
            scopes,
            token: t.json().str_at("access_token").to_owned(),
        });
    }
    out
}

#[actix_rt::test]
async fn every_operation_refuses_bad_tokens_and_the_roles_it_does_not_list() {
    let s = TestSuite::start().await;
    let contract = s.get("/api-docs/openapi.json", None).await;
    assert_eq!(contract.status, StatusCode::OK);
    let doc = contract.json();
    let ops = operations(&doc);
    assert!(ops.len() >= 80, "only {} operations in the contract", ops.len());
    let admin = s.admin_token().await;
    let bad = bad_tokens(&s, &admin).await;
    let who = callers(&s, &doc, &admin).await;

    let mut failures: Vec<String> = Vec::new();
    let (mut refusals, mut forbidden, mut allowed, mut own) = (0, 0, 0, 0);
    let mut later: Vec<(&Operation, &Who, Expect)> = Vec::new();

    // (a) and (b): every refusal, before anything an allowed call might create.
    for op in &ops {
        if op.public() {
            continue;
        }
        for (what, token, code) in &bad {
            refusals += 1;
            let r = call(&s, op, token.as_deref()).await;
            if let Err(e) = is_problem(&r, 401, code) {
                failures.push(format!("{} with {what}: {e}", op.name()));
            }
        }
        for w in &who {
            match expect(&op.allowed, w) {
                Expect::Refused => {
                    forbidden += 1;
                    let r = call(&s, op, Some(&w.token)).await;
                    if let Err(e) = is_problem(&r, 403, "forbidden") {
                        failures.push(format!("{} as {}: {e}", op.name(), w.label));
                    }
                }
                e => later.push((op, w, e)),
            }
        }
    }
    // (c): the callers each operation lists.
    for (op, w, e) in later {
        let r = call(&s, op, Some(&w.token)).await;
        let status = r.status.as_u16();
        let refused = match e {
            Expect::Allowed => {
                allowed += 1;
                status == 401 || status == 403
            }
            _ => {
                own += 1;
                status == 401
            }
        };
        if refused {
            failures.push(format!(
                "{} as {} (listed{}): refused with {status}: {}",
                op.name(),
                w.label,
                if e == Expect::Own { " for their own records" } else { "" },
                r.text().chars().take(300).collect::<String>()
            ));
        }
    }
    // Public operations need no token.
    let public: Vec<&Operation> = ops.iter().filter(|o| o.public()).collect();
    for op in &public {
        let r = call(&s, op, None).await;
        // A public operation's answer may have no problem code at all (a 200).
        let code = r.json()["code"].as_str().map(str::to_owned).unwrap_or_default();
        if r.status.as_u16() == 403 || code.starts_with("token_") {
            failures.push(format!("{} (public) without a token: {} {code}", op.name(), r.status));
        }
    }

    println!(
        "access matrix: {} operations ({} public, {} with a token) x {} bad tokens = {refusals} refusals (401); \
         {} callers ({}) = {forbidden} refused (403), {allowed} allowed (not 401/403), {own} own-records-only (not 401); \
         {} public calls without a token",
        ops.len(),
        public.len(),
        ops.len() - public.len(),
        bad.len(),
        who.len(),
        who.iter().map(|w| w.label.as_str()).collect::<Vec<_>>().join(", "),
        public.len()
    );
    assert!(
        failures.is_empty(),
        "{} of the access matrix's expectations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    s.stop().await;
}
