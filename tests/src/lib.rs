//! The end-to-end harness: [`TestSuite::start`] runs the whole suite in this process on
//! ephemeral ports, on SQLite by default or on PostgreSQL when `TEST_DATABASE_URL` names a
//! server (each suite in fresh databases, dropped afterwards). Tests talk HTTP only.

use std::time::Duration;

use awc::http::StatusCode;
use awc::http::header::HeaderMap;
use diesel::{Connection, PgConnection, RunQueryDsl};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use serde_json::{Value, json};

pub use alliance_suite::{Suite, SuiteSettings};

pub const ADMIN_PASSWORD: &str = "bootstrap-admin-passphrase";

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
    /// Asserts a problem+json body with this status and code, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "not problem+json: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["code"], code, "unexpected code in {body}");
        assert_eq!(body["status"], status);
        assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
        body
    }
}

/// PostgreSQL databases made for one suite, dropped with it.
struct PgDatabases {
    admin_url: String,
    names: Vec<String>,
}

impl PgDatabases {
    fn create(server_url: &str, services: &[&str]) -> Self {
        let mut conn = PgConnection::establish(server_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL={server_url} is not reachable: {e}"));
        let run = uuid::Uuid::new_v4().simple().to_string();
        let names: Vec<String> = services.iter().map(|s| format!("jglm_t_{}_{s}", &run[..12])).collect();
        for n in &names {
            diesel::sql_query(format!("CREATE DATABASE {n}"))
                .execute(&mut conn)
                .unwrap_or_else(|e| panic!("cannot create database {n}: {e}"));
        }
        Self {
            admin_url: server_url.to_owned(),
            names,
        }
    }

    fn url(&self, i: usize) -> String {
        // Replace the database name at the end of the server URL.
        let base = match self.admin_url.rsplit_once('/') {
            Some((head, _)) if head.contains("://") && head.len() > "postgres://".len() => head.to_owned(),
            _ => self.admin_url.trim_end_matches('/').to_owned(),
        };
        format!("{base}/{}", self.names[i])
    }
}

impl Drop for PgDatabases {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            for n in &self.names {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

pub struct TestSuite {
    pub suite: Suite,
    pub url: String,
    pub client: awc::Client,
    /// The gateway's private key (PKCS#8 PEM), so tests can forge tokens it would sign.
    pub signing_key_pem: String,
    pub backend: &'static str,
    _pg: Option<PgDatabases>,
    _dir: tempfile::TempDir,
}

impl TestSuite {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the suite after `adjust` has changed its settings.
    pub async fn start_with(adjust: impl FnOnce(&mut SuiteSettings)) -> Self {
        service_kit::telemetry::init_with("warn");
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
        let key = SigningKey::from_bytes(&rand_bytes());
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|z| z.to_string())
            .unwrap_or_else(|e| panic!("cannot encode key: {e}"));
        let mut settings = SuiteSettings::local(
            dir.path().to_owned(),
            None,
            Some(pem.clone()),
            Some(ADMIN_PASSWORD.into()),
        );
        let pg = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(|url| {
                let dbs = PgDatabases::create(&url, &["gateway", "members", "meetings", "documents"]);
                settings.gateway.database_url = dbs.url(0);
                settings.members.database_url = dbs.url(1);
                settings.meetings.database_url = dbs.url(2);
                settings.documents.database_url = dbs.url(3);
                dbs
            });
        adjust(&mut settings);
        let suite = Suite::start(settings)
            .await
            .unwrap_or_else(|e| panic!("the suite did not start: {e}"));
        let url = suite.url();
        Self {
            suite,
            url,
            client: awc::Client::builder().timeout(Duration::from_secs(60)).finish(),
            signing_key_pem: pem,
            backend: if pg.is_some() { "postgres" } else { "sqlite" },
            _pg: pg,
            _dir: dir,
        }
    }

    pub async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<(&str, Vec<u8>)>) -> Reply {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.url)
        };
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap_or(awc::http::Method::GET);
        let mut req = self.client.request(method, url);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        let result = match body {
            Some((ctype, bytes)) => req.insert_header(("content-type", ctype)).send_body(bytes).await,
            None => req.send().await,
        };
        let mut res = result.unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
        let body = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .unwrap_or_else(|e| panic!("reading the body of {path} failed: {e}"));
        Reply {
            status: res.status(),
            headers: res.headers().clone(),
            body: body.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(
            "POST",
            path,
            token,
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(
            "PATCH",
            path,
            token,
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }

    /// A token for `username` through the password grant.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "password", "username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login of {username} failed: {}", r.text());
        r.json()["access_token"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates an account with `role` and `scope` and returns a token for it.
    pub async fn token_for(&self, role: &str, scope: Option<&str>) -> String {
        let admin = self.admin_token().await;
        let username = format!("{role}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let password = "a-long-enough-password";
        let r = self
            .post(
                "/api/v1/auth/accounts",
                Some(&admin),
                json!({"username": username, "display_name": "测试用户", "password": password, "role": role, "scope": scope}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "account creation failed: {}", r.text());
        self.login(&username, password).await
    }

    /// Signs arbitrary claims with the gateway's real key (EdDSA).
    pub fn sign(&self, claims: &Value) -> String {
        let key = jsonwebtoken::EncodingKey::from_ed_pem(self.signing_key_pem.as_bytes())
            .unwrap_or_else(|e| panic!("bad test key: {e}"));
        jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA), claims, &key)
            .unwrap_or_else(|e| panic!("cannot sign: {e}"))
    }

    /// Claims the gateway would put in an admin token, valid now.
    pub fn admin_claims(&self) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": "jglm-gateway", "aud": "jglm-api", "sub": "account:1",
            "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::new_v4().to_string(),
            "role": "admin"
        })
    }

    pub async fn stop(self) {
        self.suite.stop().await;
    }
}

fn rand_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    let seed = uuid::Uuid::new_v4();
    let seed2 = uuid::Uuid::new_v4();
    out[..16].copy_from_slice(seed.as_bytes());
    out[16..].copy_from_slice(seed2.as_bytes());
    out
}
