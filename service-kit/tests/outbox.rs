//! The outbox against real databases, a real gateway for the service tokens, and a real HTTP
//! receiver that verifies those tokens. Every scenario runs on SQLite (a temp file) and, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, again in a fresh database there.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use gateway::{GatewaySettings, KeySource, ServiceClientSeed};
use serde_json::{Value, json};
use service_kit::auth::{TokenVerifier, verifier_data};
use service_kit::config::{AuthSettings, ServiceClient};
use service_kit::db::{Backend, write_tx};
use service_kit::outbox::{
    self, EventEnvelope, OutboxConfig, OutboxMetrics, OutboxRow, OutboxWorker, outbox_events, spawn_worker,
};
use service_kit::service_token::ServiceTokens;
use service_kit::{ApiError, Caller, Code, Db};

const CLIENT_ID: &str = "members-service";
const CLIENT_SECRET: &str = "outbox-test-secret-0123456789";

// ---------------------------------------------------------------- databases

/// A fresh database; dropped (PostgreSQL: `DROP DATABASE … WITH (FORCE)`) with this value.
struct TestDb {
    url: String,
    backend: Backend,
    db: Db,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<test_db::PgDatabase>,
}

impl TestDb {
    fn label(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }

    /// Another pool on the same database: a second replica.
    fn another_pool(&self) -> Db {
        Db::connect(&self.url, 4).unwrap_or_else(|e| panic!("second pool: {e}"))
    }

    fn conn(&self) -> service_kit::db::PooledConn {
        self.db.get().unwrap_or_else(|e| panic!("no connection: {e}"))
    }

    fn row(&self, event_id: &str) -> OutboxRow {
        outbox::find(&mut self.conn(), event_id)
            .unwrap_or_else(|e| panic!("find: {e}"))
            .unwrap_or_else(|| panic!("no outbox row {event_id}"))
    }

    fn count(&self) -> i64 {
        outbox_events::table
            .count()
            .get_result(&mut **self.conn())
            .unwrap_or_else(|e| panic!("count: {e}"))
    }

    fn pending(&self) -> i64 {
        outbox::pending_count(&mut self.conn()).unwrap_or_else(|e| panic!("pending: {e}"))
    }

    /// Enqueues events in one committed transaction.
    fn commit(&self, events: &[(&str, &str, Value)]) -> Vec<String> {
        write_tx(&mut self.conn(), |c| {
            events
                .iter()
                .map(|(dest, kind, payload)| outbox::enqueue(c, dest, kind, payload))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .unwrap_or_else(|e| panic!("enqueue: {e}"))
    }
}

fn with_table(url: String, dir: Option<tempfile::TempDir>, pg: Option<test_db::PgDatabase>) -> TestDb {
    let db = Db::connect(&url, 4).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    let backend = db.backend();
    db.get()
        .unwrap_or_else(|e| panic!("no connection: {e}"))
        .batch_execute(&outbox::ddl(backend))
        .unwrap_or_else(|e| panic!("DDL failed on {backend:?}: {e}"));
    TestDb {
        url,
        backend,
        db,
        _dir: dir,
        _pg: pg,
    }
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set.
fn databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let url = format!("sqlite://{}", dir.path().join("outbox.db").display());
    let mut out = vec![with_table(url, Some(dir), None)];
    if let Some(server_url) = test_db::pg_server() {
        let pg = test_db::PgDatabase::create(&server_url, "outbox", None);
        out.push(with_table(pg.url(), None, Some(pg)));
    }
    out
}

// ---------------------------------------------------------------- the gateway

/// The real gateway, with one seeded service client, on a temp SQLite database.
struct TestGateway {
    gateway: gateway::Gateway,
    public_key_pem: String,
    _dir: tempfile::TempDir,
}

impl TestGateway {
    async fn start() -> Self {
        service_kit::telemetry::init_with("warn");
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
        let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|z| z.to_string())
            .unwrap_or_else(|e| panic!("key: {e}"));
        let settings = GatewaySettings {
            bind: "127.0.0.1:0".into(),
            database_url: format!("sqlite://{}", dir.path().join("gateway.db").display()),
            db_pool_size: 2,
            workers: 1,
            data_dir: dir.path().to_owned(),
            issuer: AuthSettings::DEFAULT_ISSUER.into(),
            audience: AuthSettings::DEFAULT_AUDIENCE.into(),
            token_ttl_secs: 900,
            key: KeySource::Pem(pem),
            upstreams: gateway::proxy::Upstreams {
                members: String::new(),
                meetings: String::new(),
                documents: String::new(),
            },
            upstream_timeout: Duration::from_secs(5),
            admin_username: "admin".into(),
            admin_password: Some("outbox-test-admin-password".into()),
            service_clients: vec![ServiceClientSeed::for_service(CLIENT_ID, CLIENT_SECRET)],
            limits: Default::default(),
        };
        let gateway = gateway::start(settings)
            .await
            .unwrap_or_else(|e| panic!("gateway: {e}"));
        let public_key_pem = gateway.public_key_pem.clone();
        Self {
            gateway,
            public_key_pem,
            _dir: dir,
        }
    }

    fn tokens(&self) -> ServiceTokens {
        ServiceTokens::new(
            &self.gateway.service.url(),
            Some(ServiceClient {
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
            }),
        )
    }

    fn auth(&self) -> AuthSettings {
        AuthSettings {
            issuer: AuthSettings::DEFAULT_ISSUER.into(),
            audience: AuthSettings::DEFAULT_AUDIENCE.into(),
            public_key_pem: self.public_key_pem.clone(),
        }
    }

    async fn stop(self) {
        self.gateway.service.stop().await;
    }
}

// ---------------------------------------------------------------- the receiver

#[derive(Debug, Clone)]
struct Delivery {
    envelope: EventEnvelope,
    authorization: String,
    /// The token verified with the gateway's key and had role service with scope internal.
    internal_caller: bool,
    status: u16,
    at: Instant,
}

type Script = dyn Fn(&EventEnvelope, usize) -> u16 + Send + Sync;

struct ReceiverState {
    deliveries: Mutex<Vec<Delivery>>,
    /// The status to answer for the n-th delivery (0-based) of an event.
    script: Box<Script>,
    delay: Duration,
}

/// A stand-in for a receiving service at `/internal/v1/events` that verifies tokens like the
/// real services do.
struct Receiver {
    url: String,
    state: Arc<ReceiverState>,
    handle: ServerHandle,
}

impl Receiver {
    async fn start(
        auth: &AuthSettings,
        delay: Duration,
        script: impl Fn(&EventEnvelope, usize) -> u16 + Send + Sync + 'static,
    ) -> Self {
        let state = Arc::new(ReceiverState {
            deliveries: Mutex::new(Vec::new()),
            script: Box::new(script),
            delay,
        });
        let verifier = verifier_data(auth).unwrap_or_else(|e| panic!("verifier: {e}"));
        let data = web::Data::from(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(verifier.clone())
                .app_data(data.clone())
                .route(outbox::EVENTS_PATH, web::post().to(receive))
        })
        .workers(2)
        .bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("bind: {e}"));
        let url = format!("http://{}", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self { url, state, handle }
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.state.deliveries.lock().map(|d| d.clone()).unwrap_or_default()
    }

    fn of(&self, event_id: &str) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(|d| d.envelope.event_id == event_id)
            .collect()
    }

    /// Deliveries the receiver accepted (2xx or 409), per event id.
    fn accepted_per_event(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for d in self
            .deliveries()
            .into_iter()
            .filter(|d| d.status < 300 || d.status == 409)
        {
            *m.entry(d.envelope.event_id).or_insert(0) += 1;
        }
        m
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

async fn receive(
    req: HttpRequest,
    body: web::Json<EventEnvelope>,
    state: web::Data<ReceiverState>,
    verifier: web::Data<TokenVerifier>,
) -> HttpResponse {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let caller: Option<Caller> = authorization
        .strip_prefix("Bearer ")
        .and_then(|t| verifier.verify(t).ok());
    let internal_caller = caller.is_some_and(|c| c.require_internal().is_ok());
    let envelope = body.into_inner();
    let nth = state
        .deliveries
        .lock()
        .map(|d| d.iter().filter(|x| x.envelope.event_id == envelope.event_id).count())
        .unwrap_or(0);
    let status = if internal_caller {
        (state.script)(&envelope, nth)
    } else {
        401
    };
    if !state.delay.is_zero() {
        actix_web::rt::time::sleep(state.delay).await;
    }
    if let Ok(mut d) = state.deliveries.lock() {
        d.push(Delivery {
            envelope,
            authorization,
            internal_caller,
            status,
            at: Instant::now(),
        });
    }
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .json(json!({"status": status}))
}

// ---------------------------------------------------------------- helpers

fn fast_config(receiver: &Receiver, tokens: ServiceTokens) -> (OutboxConfig, OutboxMetrics) {
    let metrics = OutboxMetrics::register(&prometheus::Registry::new()).unwrap_or_else(|e| panic!("metrics: {e}"));
    let mut cfg = OutboxConfig::new(
        "members",
        HashMap::from([("documents".to_owned(), receiver.url.clone())]),
        tokens,
    );
    cfg.poll_interval = Duration::from_millis(20);
    cfg.backoff_base = Duration::from_millis(60);
    cfg.backoff_cap = Duration::from_millis(400);
    cfg.batch_size = 5;
    cfg.metrics = Some(metrics.clone());
    (cfg, metrics)
}

/// Waits until `cond` holds, or fails after `secs` seconds with `what`.
async fn eventually(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn settle() {
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;
}

fn always(status: u16) -> impl Fn(&EventEnvelope, usize) -> u16 + Send + Sync + 'static {
    move |_, _| status
}

// ---------------------------------------------------------------- tests

#[actix_rt::test]
async fn rolled_back_events_are_never_sent_and_committed_ones_arrive_once_with_the_token() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, always(202)).await;
        let (cfg, metrics) = fast_config(&receiver, gw.tokens());
        let worker = spawn_worker(t.db.clone(), cfg);

        // Enqueued in a transaction that then fails: gone with it.
        let rolled_back: Result<String, ApiError> = write_tx(&mut t.conn(), |c| {
            let id = outbox::enqueue(c, "documents", "certificate.issue", &json!({"appointment_id": 1}))?;
            Err(ApiError::conflict(Code::Conflict, format!("rolled back {id}")))
        });
        assert!(rolled_back.is_err());
        // Outside any transaction: refused, so a producer cannot lose atomicity by mistake.
        let outside = outbox::enqueue(&mut t.conn(), "documents", "certificate.issue", &json!({}));
        assert_eq!(outside.err().map(|e| e.status().as_u16()), Some(500), "{}", t.label());
        assert_eq!(t.count(), 0, "{}", t.label());

        let payload = json!({"appointment_id": 42, "name": "张三"});
        let ids = t.commit(&[("documents", "certificate.issue", payload.clone())]);
        worker.wake();
        eventually(10, "the committed event", || receiver.accepted_per_event().len() == 1).await;
        settle().await;

        let got = receiver.deliveries();
        assert_eq!(got.len(), 1, "{}: {got:?}", t.label());
        let d = &got[0];
        assert_eq!(d.envelope.event_id, ids[0]);
        assert_eq!(d.envelope.kind, "certificate.issue");
        assert_eq!(d.envelope.source, "members");
        assert_eq!(d.envelope.payload, payload);
        assert!((chrono::Utc::now() - d.envelope.occurred_at).num_seconds().abs() < 60);
        assert!(d.authorization.starts_with("Bearer ey"), "{}", d.authorization);
        assert!(
            d.internal_caller,
            "the token must verify and carry role service + scope internal"
        );

        let row = t.row(&ids[0]);
        assert!(row.delivered_at.is_some(), "{}: {row:?}", t.label());
        assert_eq!(row.attempts, 1);
        assert_eq!(row.claimed_until, None);
        assert_eq!(t.pending(), 0);
        assert_eq!(t.count(), 1, "{}: the rolled-back event must not exist", t.label());
        assert_eq!(metrics.delivered("documents"), 1);

        // A second event reuses the cached token.
        let more = t.commit(&[("documents", "notice.send", json!({"n": 2}))]);
        worker.wake();
        eventually(10, "the second event", || receiver.of(&more[0]).len() == 1).await;
        let tokens: HashSet<String> = receiver.deliveries().into_iter().map(|d| d.authorization).collect();
        assert_eq!(
            tokens.len(),
            1,
            "{}: the token is cached, not fetched per event",
            t.label()
        );
        eventually(10, "pending gauge back to 0", || t.pending() == 0).await;

        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

/// Issue 11: an event goes out when its transaction commits, not at the next poll. The worker
/// polls once an hour here, so only a wake can deliver: in this process, [`Db::write`] wakes the
/// database's worker after work that wrote events; on PostgreSQL, an event committed through
/// another pool (another replica) reaches the worker by `NOTIFY` at commit and its `LISTEN`.
#[actix_rt::test]
async fn a_committed_event_wakes_its_worker_at_once_in_this_process_and_from_another_replica() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, always(202)).await;
        let (mut cfg, _) = fast_config(&receiver, gw.tokens());
        cfg.poll_interval = Duration::from_secs(3600);
        cfg.waker = t.db.outbox_waker();
        // One event before the start: delivered by the first pass, after which the worker waits.
        let first = t.commit(&[("documents", "notice.send", json!({"n": 0}))]);
        let worker = spawn_worker(t.db.clone(), cfg);
        eventually(10, "the first pass", || receiver.of(&first[0]).len() == 1).await;

        let here =
            t.db.write(|c| outbox::enqueue(c, "documents", "notice.send", &json!({"n": 1})))
                .await
                .unwrap_or_else(|e| panic!("enqueue: {e}"));
        eventually(
            10,
            &format!("{}: the event committed in this process", t.label()),
            || receiver.of(&here).len() == 1,
        )
        .await;

        if t.backend == Backend::Postgres {
            let replica = t.another_pool();
            let there = replica
                .write(|c| outbox::enqueue(c, "documents", "notice.send", &json!({"n": 2})))
                .await
                .unwrap_or_else(|e| panic!("enqueue: {e}"));
            eventually(10, "postgres: the event committed by another replica", || {
                receiver.of(&there).len() == 1
            })
            .await;
        }
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

#[actix_rt::test]
async fn a_failing_receiver_gets_the_event_again_after_a_growing_backoff() {
    let gw = TestGateway::start().await;
    for t in databases() {
        // 503 twice, then accepted.
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, |_, nth| if nth < 2 { 503 } else { 202 }).await;
        let (cfg, metrics) = fast_config(&receiver, gw.tokens());
        let worker = spawn_worker(t.db.clone(), cfg);
        let ids = t.commit(&[("documents", "certificate.issue", json!({"appointment_id": 7}))]);
        worker.wake();
        eventually(10, "delivery on the third attempt", || {
            t.row(&ids[0]).delivered_at.is_some()
        })
        .await;
        settle().await;

        let got = receiver.of(&ids[0]);
        let statuses: Vec<u16> = got.iter().map(|d| d.status).collect();
        assert_eq!(statuses, [503, 503, 202], "{}", t.label());
        // Backoff 60 ms then 120 ms (±10 %), measured at the receiver.
        let gap1 = got[1].at - got[0].at;
        let gap2 = got[2].at - got[1].at;
        assert!(
            gap1 >= Duration::from_millis(50),
            "{}: first retry after {gap1:?}",
            t.label()
        );
        assert!(
            gap2 >= Duration::from_millis(100),
            "{}: second retry after {gap2:?}",
            t.label()
        );

        let row = t.row(&ids[0]);
        assert_eq!(row.attempts, 3, "{}: {row:?}", t.label());
        assert!(row.last_error.as_deref().is_some_and(|e| e.contains("503")), "{row:?}");
        assert_eq!(metrics.failed_attempts("documents"), 2);
        assert_eq!(metrics.delivered("documents"), 1);
        assert_eq!(receiver.accepted_per_event().get(&ids[0]), Some(&1));
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

#[actix_rt::test]
async fn two_workers_on_one_database_never_deliver_the_same_event_twice() {
    let gw = TestGateway::start().await;
    for t in databases() {
        // A slow receiver, so that both workers hold claims at the same time.
        let receiver = Receiver::start(&gw.auth(), Duration::from_millis(25), always(202)).await;
        let (mut cfg_a, metrics_a) = fast_config(&receiver, gw.tokens());
        let (mut cfg_b, metrics_b) = fast_config(&receiver, gw.tokens());
        // Two replicas have two identities (their host and port). With one, the second
        // worker's start would release the first one's claims as a restart's own, and under a
        // loaded machine it ran late enough to do so: 5 events went out twice.
        cfg_a.holder = service_kit::queue::Holder::new("members-service@replica-a:8081");
        cfg_b.holder = service_kit::queue::Holder::new("members-service@replica-b:8081");
        let a = spawn_worker(t.db.clone(), cfg_a);
        let b = spawn_worker(t.another_pool(), cfg_b);

        let events: Vec<(&str, &str, Value)> = (0..50)
            .map(|i| ("documents", "certificate.issue", json!({"n": i})))
            .collect();
        let ids = t.commit(&events);
        a.wake();
        b.wake();
        eventually(30, "all 50 events", || receiver.accepted_per_event().len() == 50).await;
        eventually(10, "all recorded as delivered", || t.pending() == 0).await;
        settle().await;

        let per_event = receiver.accepted_per_event();
        let twice: Vec<_> = per_event.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "{}: delivered more than once: {twice:?}", t.label());
        assert_eq!(receiver.deliveries().len(), 50, "{}", t.label());
        let expected: HashSet<&String> = ids.iter().collect();
        assert_eq!(per_event.keys().collect::<HashSet<_>>(), expected);
        let (da, db) = (metrics_a.delivered("documents"), metrics_b.delivered("documents"));
        assert_eq!(da + db, 50, "{}", t.label());
        assert!(
            da > 0 && db > 0,
            "{}: both workers should have delivered ({da} + {db})",
            t.label()
        );
        stop_all([a, b]).await;
        receiver.stop().await;
    }
    gw.stop().await;
}

async fn stop_all(workers: impl IntoIterator<Item = OutboxWorker>) {
    for w in workers {
        w.stop().await;
    }
}

/// Issue 9, point 5: a refused event is tried again a few times (the receiver may be
/// mid-deploy), then parked as a dead letter, visible with its error, and replayable.
#[actix_rt::test]
async fn a_refused_event_is_parked_as_a_dead_letter_after_a_few_refusals_and_can_be_replayed() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, |e: &EventEnvelope, nth| {
            match e.kind.as_str() {
                // Refused three times, accepted once replayed (the receiver was fixed).
                "broken.kind" if nth < 3 => 400,
                "already.there" => 409,
                _ => 202,
            }
        })
        .await;
        let (mut cfg, metrics) = fast_config(&receiver, gw.tokens());
        cfg.rejected_retry = Duration::from_millis(100);
        cfg.dead_after = 3;
        let worker = spawn_worker(t.db.clone(), cfg);
        let ids = t.commit(&[
            ("documents", "broken.kind", json!({})),
            ("documents", "already.there", json!({})),
        ]);
        worker.wake();
        eventually(10, "parked", || t.row(&ids[0]).dead_at.is_some()).await;
        settle().await;

        let row = t.row(&ids[0]);
        assert_eq!(row.delivered_at, None, "{}: {row:?}", t.label());
        assert_eq!(row.attempts, 3);
        assert!(
            row.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("refused 3:") && e.contains("400")),
            "{}: {row:?}",
            t.label()
        );
        assert_eq!(receiver.of(&ids[0]).len(), 3, "{}: not retried once parked", t.label());
        assert_eq!(metrics.rejected("documents"), 3);
        // 409: the receiver already has it, which counts as delivered.
        assert!(t.row(&ids[1]).delivered_at.is_some(), "{}", t.label());
        assert_eq!(t.pending(), 0, "a dead letter is not pending");
        let dead = outbox::dead_letters(&mut t.conn(), 0, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            dead.iter().map(|r| r.event_id.clone()).collect::<Vec<_>>(),
            vec![ids[0].clone()]
        );
        assert!(matches!(outbox::replay(&mut t.conn(), &ids[1]), Err(e) if e.code() == "event_not_failed"));
        assert!(matches!(outbox::replay(&mut t.conn(), "no-such-event"), Ok(None)));
        // Replayed after the fix: delivered at once.
        assert!(
            outbox::replay(&mut t.conn(), &ids[0])
                .unwrap_or_else(|e| panic!("{e}"))
                .is_some()
        );
        eventually(10, "delivered after the replay", || {
            t.row(&ids[0]).delivered_at.is_some()
        })
        .await;
        assert_eq!(receiver.of(&ids[0]).len(), 4);
        assert_eq!(t.count(), 2, "nothing is deleted");
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

/// Issue 9, point 3: a worker's earlier life (killed with its claims held under a long lease)
/// does not delay delivery: the restarted worker releases them at once.
#[actix_rt::test]
async fn a_restarted_worker_delivers_what_its_killed_predecessor_had_claimed_at_once() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, always(202)).await;
        let ids = t.commit(&[("documents", "a.kind", json!({})), ("documents", "b.kind", json!({}))]);
        let predecessor = service_kit::queue::Holder::new("members-service@host:8081");
        let claimed =
            outbox::claim(&mut t.conn(), &predecessor, 10, Duration::from_secs(3600)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claimed.len(), 2);
        // The same instance starts again (same worker identity, new life).
        let (mut cfg, _) = fast_config(&receiver, gw.tokens());
        cfg.holder = service_kit::queue::Holder::new("members-service@host:8081");
        let started = Instant::now();
        let worker = spawn_worker(t.db.clone(), cfg);
        eventually(10, "both delivered", || {
            ids.iter().all(|id| t.row(id).delivered_at.is_some())
        })
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{}: {:?}",
            t.label(),
            started.elapsed()
        );
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

#[actix_rt::test]
async fn a_401_makes_the_worker_fetch_a_new_token_and_try_again_at_once() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, |_, nth| if nth == 0 { 401 } else { 202 }).await;
        let (cfg, _) = fast_config(&receiver, gw.tokens());
        let worker = spawn_worker(t.db.clone(), cfg);
        let ids = t.commit(&[("documents", "certificate.issue", json!({}))]);
        worker.wake();
        eventually(10, "delivered", || t.row(&ids[0]).delivered_at.is_some()).await;
        let got = receiver.of(&ids[0]);
        assert_eq!(
            got.iter().map(|d| d.status).collect::<Vec<_>>(),
            [401, 202],
            "{}",
            t.label()
        );
        assert_ne!(got[0].authorization, got[1].authorization, "a new token was fetched");
        assert_eq!(
            t.row(&ids[0]).attempts,
            1,
            "{}: one attempt, retried within it",
            t.label()
        );
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

#[actix_rt::test]
async fn without_a_token_or_a_destination_events_wait_and_say_why() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, always(202)).await;
        // No credentials at all.
        let (cfg, metrics) = fast_config(&receiver, ServiceTokens::new(&gw.gateway.service.url(), None));
        let worker = spawn_worker(t.db.clone(), cfg);
        let ids = t.commit(&[
            ("documents", "certificate.issue", json!({})),
            ("nowhere", "certificate.issue", json!({})),
        ]);
        worker.wake();
        eventually(10, "first failure recorded", || t.row(&ids[0]).attempts >= 1).await;
        let row = t.row(&ids[0]);
        assert!(
            row.last_error
                .as_deref()
                .is_some_and(|e| e.contains("no service client")),
            "{row:?}"
        );
        assert_eq!(row.delivered_at, None);
        assert!(metrics.failed_attempts("documents") >= 1);
        worker.stop().await;

        // With credentials the waiting event goes out; the unknown destination keeps waiting.
        let (cfg, _) = fast_config(&receiver, gw.tokens());
        let worker = spawn_worker(t.db.clone(), cfg);
        eventually(10, "delivered once a token is available", || {
            t.row(&ids[0]).delivered_at.is_some()
        })
        .await;
        let lost = t.row(&ids[1]);
        assert_eq!(lost.delivered_at, None);
        assert!(
            lost.last_error.as_deref().is_some_and(|e| e.contains("nowhere")),
            "{lost:?}"
        );
        assert_eq!(receiver.deliveries().len(), 1, "{}", t.label());
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

#[actix_rt::test]
async fn a_stopped_worker_leaves_events_for_the_next_one() {
    let gw = TestGateway::start().await;
    for t in databases() {
        let receiver = Receiver::start(&gw.auth(), Duration::ZERO, always(202)).await;
        let (cfg, _) = fast_config(&receiver, gw.tokens());
        spawn_worker(t.db.clone(), cfg).stop().await;
        let ids = t.commit(&[("documents", "certificate.issue", json!({}))]);
        settle().await;
        assert!(receiver.deliveries().is_empty(), "{}", t.label());
        assert_eq!(t.pending(), 1);
        // Dropping a worker stops it too.
        let (cfg, _) = fast_config(&receiver, gw.tokens());
        drop(spawn_worker(t.db.clone(), cfg));
        settle().await;
        let (cfg, _) = fast_config(&receiver, gw.tokens());
        let worker = spawn_worker(t.db.clone(), cfg);
        eventually(10, "delivered by the next worker", || {
            t.row(&ids[0]).delivered_at.is_some()
        })
        .await;
        assert_eq!(receiver.deliveries().len(), 1, "{}", t.label());
        worker.stop().await;
        receiver.stop().await;
    }
    gw.stop().await;
}

#[test]
fn the_producing_services_migrations_hold_exactly_the_outbox_ddl() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for service in ["members-service", "meetings-service"] {
        for (backend, ddl) in [("postgres", outbox::POSTGRES_DDL), ("sqlite", outbox::SQLITE_DDL)] {
            let dir = root
                .join(service)
                .join("migrations")
                .join(backend)
                .join("2026-11-24-000100_outbox");
            let up = std::fs::read_to_string(dir.join("up.sql")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            assert_eq!(up, ddl, "{} differs from service_kit::outbox", dir.display());
            let down = std::fs::read_to_string(dir.join("down.sql")).unwrap_or_default();
            assert_eq!(down, outbox::DOWN_DDL, "{}", dir.display());
            let dir = root
                .join(service)
                .join("migrations")
                .join(backend)
                .join("2026-12-01-000900_outbox_claims");
            let up = std::fs::read_to_string(dir.join("up.sql")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            assert_eq!(
                up,
                outbox::CLAIMS_DDL,
                "{} differs from service_kit::outbox",
                dir.display()
            );
            let down = std::fs::read_to_string(dir.join("down.sql")).unwrap_or_default();
            assert_eq!(down, outbox::CLAIMS_DOWN_DDL, "{}", dir.display());
        }
    }
}
