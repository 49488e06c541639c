//! The end-to-end harness: [`TestSuite::start`] runs the whole suite in this process on
//! ephemeral ports, on SQLite by default or on PostgreSQL when `TEST_DATABASE_URL` names a
//! server (each suite in fresh databases, dropped afterwards). Tests talk HTTP only.

use std::time::Duration;

use awc::http::StatusCode;
use awc::http::header::HeaderMap;
use diesel::RunQueryDsl;
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

/// What a test reads from a JSON body: a missing or mistyped field fails the test where it is
/// read, naming the field and showing the value, rather than going on with `""` or `[]` into a
/// later, confusing failure (a 404 for a path with an empty id).
pub trait Fields {
    /// The string at `key`.
    fn str_at(&self, key: &str) -> &str;
    /// The array at `key`.
    fn array_at(&self, key: &str) -> &Vec<Value>;
}

impl Fields for Value {
    #[track_caller]
    fn str_at(&self, key: &str) -> &str {
        self[key]
            .as_str()
            .unwrap_or_else(|| panic!("no string `{key}` in {self}"))
    }

    #[track_caller]
    fn array_at(&self, key: &str) -> &Vec<Value> {
        self[key]
            .as_array()
            .unwrap_or_else(|| panic!("no array `{key}` in {self}"))
    }
}

/// The body of a 201, or a failed test naming what came instead.
pub async fn created(r: Reply) -> Value {
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "expected 201, got {}: {}",
        r.status,
        r.text()
    );
    r.json()
}

/// The body of a 200, or a failed test naming what came instead.
pub async fn ok(r: Reply) -> Value {
    assert_eq!(r.status, StatusCode::OK, "expected 200, got {}: {}", r.status, r.text());
    r.json()
}

/// PostgreSQL databases made for one suite, dropped with it: each a clone of the template that
/// holds its service's migrated schema (the `test-db` crate), so the services start on it with
/// nothing left to migrate.
struct PgDatabases(Vec<test_db::PgDatabase>);

impl PgDatabases {
    fn create(server_url: &str) -> Self {
        let sets: [(&str, test_db::MigrationsFn); 4] = [
            ("gateway", || gateway::db::MIGRATIONS),
            ("members", || members_service::db::MIGRATIONS),
            ("meetings", || meetings_service::db::MIGRATIONS),
            ("documents", || documents_service::db::MIGRATIONS),
        ];
        Self(
            sets.into_iter()
                .map(|(service, m)| test_db::PgDatabase::create(server_url, &format!("e2e_{service}"), Some(m)))
                .collect(),
        )
    }

    fn url(&self, i: usize) -> String {
        self.0[i].url()
    }
}

pub struct TestSuite {
    pub suite: Suite,
    pub url: String,
    pub client: awc::Client,
    /// The gateway's private key (PKCS#8 PEM), so tests can forge tokens it would sign.
    pub signing_key_pem: String,
    pub backend: &'static str,
    /// The settings the services run with (key, URLs and addresses resolved), so that a test
    /// can stop one and start it again the same way ([`TestSuite::restart_service`]).
    pub settings: SuiteSettings,
    /// Why this test may stop with work still queued ([`TestSuite::leaves_work_queued`]).
    undrained_ok: std::cell::RefCell<Option<String>>,
    /// Connections to the services' databases, for [`TestSuite::drained`].
    queue_dbs: std::sync::OnceLock<Vec<(&'static str, service_kit::Db)>>,
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
                let dbs = PgDatabases::create(&url);
                settings.gateway.database_url = dbs.url(0);
                settings.members.service.database_url = dbs.url(1);
                settings.meetings.service.database_url = dbs.url(2);
                settings.documents.service.database_url = dbs.url(3);
                dbs
            });
        adjust(&mut settings);
        let pre = settings.clone();
        let suite = Suite::start(settings)
            .await
            .unwrap_or_else(|e| panic!("the suite did not start: {e}"));
        let url = suite.url();
        let settings = resolved_settings(pre, &suite);
        Self {
            suite,
            url,
            // Idle connections are dropped before the server's 5 s keep-alive ends, so a request
            // never goes out on a connection the server is closing at that moment.
            client: awc::Client::builder()
                .connector(awc::Connector::new().conn_keep_alive(Duration::from_secs(2)))
                .timeout(Duration::from_secs(60))
                .finish(),
            signing_key_pem: pem,
            backend: if pg.is_some() { "postgres" } else { "sqlite" },
            settings,
            undrained_ok: std::cell::RefCell::new(None),
            queue_dbs: std::sync::OnceLock::new(),
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
        r.json().str_at("access_token").to_owned()
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

    /// Stops the suite, after checking that the test left no work queued: every outbox, the
    /// documents inbox, mail deliveries and batches must drain (see [`TestSuite::drained`]),
    /// unless the test said why it may not ([`TestSuite::leaves_work_queued`]). Dead letters are
    /// not queued work.
    #[track_caller]
    pub fn stop(self) -> impl std::future::Future<Output = ()> {
        let caller = std::panic::Location::caller();
        async move {
            if self.undrained_ok.borrow().is_none() {
                self.wait_drained(Duration::from_secs(30), caller).await;
            }
            self.suite.stop().await;
        }
    }

    /// Lets this test stop with work still queued, for `reason` (e.g. a service it leaves down).
    pub fn leaves_work_queued(&self, reason: &str) {
        *self.undrained_ok.borrow_mut() = Some(reason.to_owned());
    }

    /// Waits (at most 30 s) until every queue of the suite is drained: no outbox event of
    /// members- or meetings-service undelivered, no event in documents-service's inbox
    /// unprocessed, no mail delivery queued or being sent, no batch running. Dead letters
    /// (outbox and inbox `dead_at`) and failed deliveries are done, not queued. Panics with
    /// what is still queued after the deadline.
    #[track_caller]
    pub fn drained(&self) -> impl std::future::Future<Output = ()> + '_ {
        self.drained_within(Duration::from_secs(30))
    }

    /// [`TestSuite::drained`] with its own deadline.
    #[track_caller]
    pub fn drained_within(&self, limit: Duration) -> impl std::future::Future<Output = ()> + '_ {
        self.wait_drained(limit, std::panic::Location::caller())
    }

    async fn wait_drained(&self, limit: Duration, caller: &'static std::panic::Location<'static>) {
        let deadline = std::time::Instant::now() + limit;
        let mut previous: Option<Vec<i64>> = None;
        loop {
            let scan = self.scan_queues().await;
            if scan.pending.is_empty() {
                // Work handed from one queue to another between two reads of one scan would
                // go unseen; two empty scans with the same rows in every table are quiet.
                if previous.as_ref() == Some(&scan.rows) {
                    return;
                }
                previous = Some(scan.rows);
            } else {
                previous = None;
                if std::time::Instant::now() >= deadline {
                    panic!(
                        "{caller}: the suite's queues did not drain within {limit:?}; still queued:\n  {}",
                        scan.pending.join("\n  ")
                    );
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What is queued in every queue now, and how many rows each queue's table has.
    async fn scan_queues(&self) -> QueueScan {
        let dbs = self
            .queue_dbs
            .get_or_init(|| {
                [
                    ("members", &self.settings.members.service.database_url),
                    ("meetings", &self.settings.meetings.service.database_url),
                    ("documents", &self.settings.documents.service.database_url),
                ]
                .into_iter()
                .map(|(name, url)| {
                    let db = service_kit::Db::connect(url, 1)
                        .unwrap_or_else(|e| panic!("cannot open {name}'s database {url}: {e}"));
                    (name, db)
                })
                .collect()
            })
            .clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut scan = QueueScan::default();
            for (service, table, queued) in QUEUES {
                let db = dbs
                    .iter()
                    .find(|(n, _)| *n == service)
                    .map(|(_, db)| db)
                    .unwrap_or_else(|| panic!("no database for {service}"));
                let mut conn = db.get().unwrap_or_else(|e| panic!("{service}'s database: {e:?}"));
                let rows: Vec<QueuedRow> = diesel::sql_query(format!("{queued} LIMIT 20"))
                    .load(&mut **conn)
                    .unwrap_or_else(|e| panic!("reading {service}'s {table}: {e}"));
                scan.pending
                    .extend(rows.into_iter().map(|r| format!("{service} {table}: {}", r.what)));
                let count: Vec<RowCount> = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                    .load(&mut **conn)
                    .unwrap_or_else(|e| panic!("counting {service}'s {table}: {e}"));
                scan.rows.push(count.first().map_or(0, |c| c.n));
            }
            scan
        })
        .await
        .unwrap_or_else(|e| panic!("scanning the queues failed: {e}"))
    }
}

/// The suite's queues: (service, table, a query of the rows still queued as one text `what`).
/// Written for both backends (`||`, `CAST … AS TEXT`, `COALESCE`).
const QUEUES: [(&str, &str, &str); 5] = [
    ("members", "outbox_events", OUTBOX_QUEUED),
    ("meetings", "outbox_events", OUTBOX_QUEUED),
    (
        "documents",
        "inbox_events",
        "SELECT 'event ' || event_id || ' ' || kind || ' from ' || source || ', attempts ' || CAST(attempts AS TEXT) \
         || ', next ' || COALESCE(CAST(next_attempt_at AS TEXT), 'now') || COALESCE(', last error: ' || last_error, '') AS what \
         FROM inbox_events WHERE processed_at IS NULL AND dead_at IS NULL ORDER BY id",
    ),
    (
        "documents",
        "deliveries",
        "SELECT 'delivery ' || CAST(id AS TEXT) || ' of document ' || CAST(document_id AS TEXT) || ' to ' || recipient \
         || ', attempts ' || CAST(attempts AS TEXT) || ', next ' || CAST(next_attempt_at AS TEXT) \
         || COALESCE(', sending since ' || CAST(sending_since AS TEXT), '') || COALESCE(', last error: ' || last_error, '') AS what \
         FROM deliveries WHERE status = 'queued' ORDER BY id",
    ),
    (
        "documents",
        "batches",
        "SELECT 'batch ' || CAST(id AS TEXT) || ' ' || kind || ', ' || CAST(issued + existing + failed AS TEXT) || ' of ' \
         || CAST(total AS TEXT) || ' done' AS what FROM batches WHERE status = 'running' ORDER BY id",
    ),
];

const OUTBOX_QUEUED: &str = "SELECT 'event ' || event_id || ' ' || kind || ' to ' || destination || ', attempts ' \
    || CAST(attempts AS TEXT) || ', next ' || CAST(next_attempt_at AS TEXT) || COALESCE(', last error: ' || last_error, '') AS what \
    FROM outbox_events WHERE delivered_at IS NULL AND dead_at IS NULL ORDER BY id";

#[derive(Default)]
struct QueueScan {
    pending: Vec<String>,
    rows: Vec<i64>,
}

#[derive(diesel::QueryableByName)]
struct QueuedRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    what: String,
}

#[derive(diesel::QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn rand_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    let seed = uuid::Uuid::new_v4();
    let seed2 = uuid::Uuid::new_v4();
    out[..16].copy_from_slice(seed.as_bytes());
    out[16..].copy_from_slice(seed2.as_bytes());
    out
}

/// A real SMTP server for tests: Debian's python3-aiosmtpd writing every message into a
/// Maildir, read back with Python's `email` package (MIME decoding done by a real parser).
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

/// One received message.
#[derive(Debug, serde::Deserialize)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    /// (file name, content type, bytes)
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

const PYTHON: &str = "/usr/bin/python3";

const HANDLER: &str = r#"
from aiosmtpd.handlers import Mailbox
seen = {}
class Sink(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("flaky"):
            seen[address] = seen.get(address, 0) + 1
            if seen[address] == 1:
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
"#;

impl SmtpSink {
    pub fn start() -> Self {
        assert!(
            std::path::Path::new(PYTHON).exists(),
            "{PYTHON} is missing: apt-get install python3-aiosmtpd (CI installs it)"
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        // A Maildir handler that, like real servers, refuses some recipients: `bounce…` for
        // good (550), `flaky…` once (451) and then accepts.
        std::fs::write(dir.path().join("sink_handler.py"), HANDLER).unwrap_or_else(|e| panic!("{e}"));
        let mut child = std::process::Command::new(PYTHON)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "sink_handler.Sink",
            ])
            .arg(dir.path().join("maildir"))
            .env("PYTHONPATH", dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start aiosmtpd (apt-get install python3-aiosmtpd): {e}"));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { port, dir, child };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start; is python3-aiosmtpd installed?");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        const SCRIPT: &str = r#"
import sys, json, mailbox, base64
from email import policy
out = []
for key, raw in mailbox.Maildir(sys.argv[1], factory=None, create=True).items():
    m = mailbox.MaildirMessage(raw)
    from email import message_from_bytes
    msg = message_from_bytes(raw.as_bytes(), policy=policy.default)
    text = ""
    atts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_filename():
            atts.append([part.get_filename(), part.get_content_type(), list(part.get_payload(decode=True))])
        elif part.get_content_type() == "text/plain":
            text += part.get_content()
    out.append({"to": str(msg["To"]), "subject": str(msg["Subject"]), "message_id": str(msg["Message-ID"]), "text": text, "attachments": atts})
print(json.dumps(out))
"#;
        let out = std::process::Command::new(PYTHON)
            .args(["-c", SCRIPT])
            .arg(self.dir.path().join("maildir"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Text of a PDF by poppler's pdftotext (Debian poppler-utils; CI installs it).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext is missing (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// [`pdf_text`] without any whitespace, so words broken across lines still match.
pub fn pdf_text_compact(pdf: &[u8]) -> String {
    pdf_text(pdf).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Polls `f` every 100 ms until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// `settings` as [`Suite::start`] resolved them for the running `suite`: the gateway's public
/// key, the gateway's and the services' URLs, and each service bound to the address it got.
fn resolved_settings(mut settings: SuiteSettings, suite: &Suite) -> SuiteSettings {
    let keys = gateway::load_keys(&settings.gateway).unwrap_or_else(|e| panic!("keys: {e}"));
    let gateway_url = suite.url();
    let handles = [
        ("members", suite.members.as_ref()),
        ("meetings", suite.meetings.as_ref()),
        ("documents", suite.documents.as_ref()),
    ];
    let peers: std::collections::HashMap<String, String> = handles
        .iter()
        .filter_map(|(n, h)| h.map(|h| ((*n).to_owned(), h.url())))
        .collect();
    for (name, s) in [
        ("members", &mut settings.members.service),
        ("meetings", &mut settings.meetings.service),
        ("documents", &mut settings.documents.service),
    ] {
        if let Some(h) = handles.iter().find(|(n, _)| *n == name).and_then(|(_, h)| *h) {
            s.bind = h.addr.to_string();
        }
        s.listener = None;
        s.auth = service_kit::config::AuthSettings {
            issuer: settings.gateway.issuer.clone(),
            audience: settings.gateway.audience.clone(),
            public_key_pem: keys.public_pem.clone(),
        };
        s.gateway_url = gateway_url.clone();
        s.peers = peers.clone();
    }
    if settings.documents.config.public_url.is_empty() {
        settings.documents.config.public_url = gateway_url;
    }
    settings
}

impl TestSuite {
    /// Stops one service (`members`, `meetings` or `documents`); the gateway answers 503 for it
    /// until [`TestSuite::start_service`].
    pub async fn stop_service(&mut self, name: &str) {
        assert!(self.suite.stop_service(name).await.is_some(), "{name} was not running");
    }

    /// Starts a stopped service again with the same settings, database and address.
    pub async fn start_service(&mut self, name: &str) {
        self.suite
            .start_service(name, &self.settings)
            .await
            .unwrap_or_else(|e| panic!("{name} did not start again: {e}"));
    }

    /// Stops a service and starts it again.
    pub async fn restart_service(&mut self, name: &str) {
        self.stop_service(name).await;
        self.start_service(name).await;
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(
            "PUT",
            path,
            token,
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }
}

/// The path segment after the first `prefix` (e.g. `/r/`) in a mail's text: a personal link's
/// token (letters, digits, `-`, `_`).
pub fn link_after(text: &str, prefix: &str) -> Option<String> {
    let at = text.find(prefix)? + prefix.len();
    let link: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!link.is_empty()).then_some(link)
}
