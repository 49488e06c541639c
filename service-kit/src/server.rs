//! The parts of starting a service that all four share: database and migrations, app data,
//! health and metrics routes, error shaping, and a handle to the running server.

use std::cell::Cell;
use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::middleware::{Next, from_fn};
use actix_web::web::Bytes;
use actix_web::{App, HttpMessage, HttpServer, ResponseError, web};
use futures_util::Stream;

use crate::auth::{TokenVerifier, service_verifier};
use crate::config::{HttpLimits, PreBound, ServiceSettings};
use crate::db::{Db, DbSetupError, Migrations};
use crate::health::{ServiceName, healthz, readyz};
use crate::outbox::{OutboxConfig, OutboxMetrics, OutboxWaker, OutboxWorker, spawn_worker};
use crate::problem::{ApiError, Code, extractor_configs, plain_errors_to_problems, route_not_found};
use crate::service_token::ServiceTokens;
use crate::telemetry::{Metrics, metrics_endpoint, observe};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbSetupError),
    #[error("cannot bind {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("auth setup: {0}")]
    Auth(String),
    #[error("metrics setup: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("{0}")]
    Other(String),
}

/// What every service's app carries: its name, database, token verifier, metrics and the
/// handle that wakes its outbox worker.
#[derive(Clone)]
pub struct Kit {
    pub name: String,
    pub db: web::Data<Db>,
    pub verifier: web::Data<TokenVerifier>,
    pub metrics: web::Data<Metrics>,
    /// Registered as app data: handlers call `wake()` after committing an outbox event.
    pub outbox_waker: web::Data<OutboxWaker>,
    /// The socket from the settings, if one was bound beforehand; [`serve`] uses it.
    pub listener: Option<PreBound>,
    /// The HTTP server's timeouts (request head, request body, keep-alive).
    pub http: HttpLimits,
    /// This instance's identity in queue claims (`service_kit::queue`): stable across
    /// restarts on the same host and address, new token per start.
    pub holder: crate::queue::Holder,
}

impl Kit {
    /// Connects to the database, runs this backend's migrations, loads the gateway's key, and
    /// installs the alliance's time zone for [`crate::clock`].
    pub fn start(name: &str, settings: &ServiceSettings, migrations: Migrations) -> Result<Self, StartError> {
        crate::clock::set_offset_hours(settings.utc_offset_hours);
        let db = Db::connect(&settings.database_url, settings.db_pool_size)?;
        db.migrate(migrations)?;
        let addr = settings
            .listener
            .as_ref()
            .map_or_else(|| settings.bind.clone(), |l| l.local_addr().to_string());
        Ok(Self {
            holder: crate::queue::Holder::for_service(name, &addr),
            name: name.to_owned(),
            verifier: service_verifier(settings).map_err(StartError::Auth)?,
            metrics: web::Data::new(Metrics::new(name)?),
            outbox_waker: web::Data::new(db.outbox_waker()),
            listener: settings.listener.clone(),
            http: settings.http,
            db: web::Data::new(db),
        })
    }

    /// Starts this service's outbox delivery worker on the current actix runtime: events go to
    /// `settings.peers` with a token from `settings.gateway_url` for `settings.service_client`;
    /// the source name is the service name without `-service`. Its metrics join this kit's
    /// registry, and the kit's [`OutboxWaker`] wakes it. Keep the worker alive with
    /// [`ServiceHandle::with_outbox`].
    pub fn spawn_outbox(&self, settings: &ServiceSettings) -> Result<OutboxWorker, StartError> {
        let tokens = ServiceTokens::new(&settings.gateway_url, settings.service_client.clone());
        let source = self.name.strip_suffix("-service").unwrap_or(&self.name);
        let mut config = OutboxConfig::new(source, settings.peers.clone(), tokens);
        config.metrics = Some(OutboxMetrics::register(self.metrics.registry())?);
        config.waker = self.outbox_waker.get_ref().clone();
        config.holder = self.holder.clone();
        Ok(spawn_worker(self.db.get_ref().clone(), config))
    }

    /// App data, extractor error shapes, `/healthz`, `/readyz`, `/metrics` and the problem+json 404.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.db.clone())
            .app_data(self.verifier.clone())
            .app_data(self.metrics.clone())
            .app_data(self.outbox_waker.clone())
            .app_data(web::Data::new(ServiceName(self.name.clone())))
            .app_data(web::Data::new(self.http))
            .configure(extractor_configs)
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(metrics_endpoint))
            .default_service(web::to(route_not_found));
    }
}

/// Starts the HTTP server of a service: the kit's routes and middleware around `routes`, which
/// runs once per worker (so per-worker state such as an HTTP client can be made there). Serves
/// on the kit's pre-bound socket when the settings carried one, else binds `bind_addr`.
pub fn serve<F>(kit: Kit, bind_addr: &str, workers: usize, routes: F) -> Result<ServiceHandle, StartError>
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let listener = match &kit.listener {
        Some(pre) => pre.take().ok_or_else(|| StartError::Bind {
            addr: pre.local_addr().to_string(),
            source: std::io::Error::other("the pre-bound socket is already in use by another server"),
        })?,
        None => bind(bind_addr)?.0,
    };
    serve_on(kit, listener, workers, routes)
}

/// Like [`serve`], on a socket bound beforehand.
pub fn serve_on<F>(kit: Kit, listener: TcpListener, workers: usize, routes: F) -> Result<ServiceHandle, StartError>
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: "pre-bound socket".into(),
        source,
    })?;
    let name = kit.name.clone();
    let limits = kit.http;
    let server = HttpServer::new(move || {
        let kit = kit.clone();
        App::new()
            .configure(|cfg| kit.configure(cfg))
            .configure(routes.clone())
            .wrap(from_fn(body_deadline))
            .wrap(from_fn(crate::query::integral_query))
            .wrap(plain_errors_to_problems())
            .wrap(from_fn(observe))
    })
    .workers(workers.max(1))
    // A client gets this long for a request's head; the body has its own deadline
    // (`body_deadline`), since actix has none for bodies.
    .client_request_timeout(limits.head_timeout)
    .keep_alive(limits.keep_alive)
    .client_disconnect_timeout(Duration::from_secs(1))
    .listen(listener)
    .map_err(|source| StartError::Bind {
        addr: addr.to_string(),
        source,
    })?
    .run();
    Ok(ServiceHandle::spawn(&name, server, addr))
}

/// Middleware: a request body must keep arriving. While a handler waits for body bytes, more
/// than `HttpLimits::body_timeout` without one ends the body with an error and the request
/// with 408 `request_timeout` (connection closed: what is left of the body is unknown), so a
/// client that sends headers and then nothing holds no handler for long.
async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        req.set_payload(payload);
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    let timeout = req
        .app_data::<web::Data<HttpLimits>>()
        .map_or(HttpLimits::default().body_timeout, |l| l.body_timeout);
    let fired = Rc::new(Cell::new(false));
    let body: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(BodyDeadline {
        inner: payload,
        timeout,
        sleep: None,
        waiting: false,
        done: false,
        fired: fired.clone(),
    });
    req.set_payload(Payload::from(body));
    // (The request must not be cloned here: routing needs it unshared.)
    let result = next.call(req).await;
    if !fired.get() {
        return result.map(ServiceResponse::map_into_left_body);
    }
    let problem = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        Code::RequestTimeout,
        format!("the request body stopped arriving for {} s", timeout.as_secs()),
    );
    let mut res = problem.error_response();
    res.head_mut().set_connection_type(ConnectionType::Close);
    match result {
        Ok(handled) => Ok(handled.into_response(res).map_into_right_body()),
        Err(_) => Err(problem.into()),
    }
}

/// A request body that fails once no byte has come for `timeout` while its reader waits. The
/// clock runs only while the reader waits, so a handler that reads the body late is not cut off.
struct BodyDeadline {
    inner: Payload,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    waiting: bool,
    done: bool,
    fired: Rc<Cell<bool>>,
}

impl Stream for BodyDeadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            this.waiting = false;
            this.done = !matches!(item, Some(Ok(_)));
            return Poll::Ready(item);
        }
        let deadline = tokio::time::Instant::now() + this.timeout;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if !this.waiting {
            this.waiting = true;
            sleep.as_mut().reset(deadline);
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                this.fired.set(true);
                this.done = true;
                Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body stopped arriving",
                )))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Connections the kernel keeps waiting for `accept` (capped by `net.core.somaxconn`), as
/// actix's own `bind`: std's `TcpListener::bind` queues 128, which hundreds of clients
/// connecting at once overflow, and each dropped handshake costs its client a second
/// (issue 9: 300 slow clients must not move a normal request beyond 1 s; `slow_clients`
/// fault test).
pub const BACKLOG: i32 = 2048;

/// A listening socket on `addr` (the first of its addresses that binds) with [`BACKLOG`];
/// otherwise as std's `TcpListener::bind` (`SO_REUSEADDR`, close-on-exec).
pub fn listen(addr: &str) -> std::io::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        let socket = socket2::Socket::new(socket2::Domain::for_address(a), socket2::Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        match socket.bind(&a.into()).and_then(|()| socket.listen(BACKLOG)) {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to bind")))
}

/// Binds `addr` (port 0 picks a free port) and reports the address actually bound.
pub fn bind(addr: &str) -> Result<(TcpListener, SocketAddr), StartError> {
    let listener = listen(addr).map_err(|source| StartError::Bind {
        addr: addr.to_owned(),
        source,
    })?;
    let local = listener.local_addr().map_err(|source| StartError::Bind {
        addr: addr.to_owned(),
        source,
    })?;
    Ok((listener, local))
}

/// A running service: where it listens, and how to stop it.
pub struct ServiceHandle {
    pub name: String,
    pub addr: SocketAddr,
    handle: ServerHandle,
    task: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    outbox: Option<OutboxWorker>,
    /// Background tasks (schedulers) that live and die with the server.
    tasks: Vec<actix_web::rt::task::JoinHandle<()>>,
}

impl ServiceHandle {
    /// Spawns `server` on the current actix runtime.
    pub fn spawn(name: &str, server: Server, addr: SocketAddr) -> Self {
        let handle = server.handle();
        let task = actix_web::rt::spawn(server);
        tracing::info!(service = name, %addr, "listening");
        Self {
            name: name.to_owned(),
            addr,
            handle,
            task,
            outbox: None,
            tasks: Vec::new(),
        }
    }

    /// Keeps a background task (e.g. a scheduler) as long as the server; aborted with it.
    pub fn with_task(mut self, task: actix_web::rt::task::JoinHandle<()>) -> Self {
        self.tasks.push(task);
        self
    }

    /// Keeps `worker` running as long as the server, and stops it with the server.
    pub fn with_outbox(mut self, worker: OutboxWorker) -> Self {
        self.outbox = Some(worker);
        self
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, finishes in-flight requests, then stops the outbox worker
    /// (after its current batch; undelivered events stay in the table).
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
        for t in &self.tasks {
            t.abort();
        }
        if let Some(w) = self.outbox {
            w.stop().await;
        }
    }

    /// Waits until the server ends (on SIGINT/SIGTERM, or after `stop`); the outbox worker runs
    /// until then.
    pub async fn wait(self) -> std::io::Result<()> {
        let result = self.task.await.map_err(std::io::Error::other)?;
        for t in &self.tasks {
            t.abort();
        }
        if let Some(w) = self.outbox {
            w.stop().await;
        }
        result
    }
}

/// The body of every service's `main`: logs, settings from the environment, start, wait.
pub async fn run_main<S, E, F, Fut>(
    name: &str,
    settings: impl FnOnce() -> Result<S, E>,
    start: F,
) -> std::process::ExitCode
where
    E: std::fmt::Display,
    F: FnOnce(S) -> Fut,
    Fut: std::future::Future<Output = Result<ServiceHandle, StartError>>,
{
    crate::telemetry::init();
    crate::alloc::start_sweeper();
    let settings = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{name}: configuration: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let handle = match start(settings).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{name}: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{name} listening on {}", handle.url());
    match handle.wait().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use actix_web::{App, HttpResponse, test};

    use super::*;

    /// A handler that waits `delay` before it reads the whole body.
    async fn read_late(delay: web::Data<Duration>, mut body: web::Payload) -> HttpResponse {
        use futures_util::StreamExt;
        tokio::time::sleep(**delay).await;
        let mut n = 0;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(c) => n += c.len(),
                Err(_) => return HttpResponse::BadRequest().finish(),
            }
        }
        HttpResponse::Ok().body(n.to_string())
    }

    async fn call(delay: Duration, payload: Payload) -> (u16, Vec<u8>, Duration) {
        let limits = HttpLimits {
            body_timeout: Duration::from_millis(300),
            ..HttpLimits::default()
        };
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(limits))
                .app_data(web::Data::new(delay))
                .route("/", web::post().to(read_late))
                .wrap(from_fn(body_deadline)),
        )
        .await;
        let (req, _) = test::TestRequest::post().uri("/").to_request().replace_payload(payload);
        let started = Instant::now();
        let res = test::call_service(&app, req).await;
        let status = res.status().as_u16();
        let body = test::read_body(res).await.to_vec();
        (status, body, started.elapsed())
    }

    fn never_ending() -> Payload {
        let first = futures_util::stream::iter([Ok::<_, PayloadError>(Bytes::from_static(b"{"))]);
        let body: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(futures_util::StreamExt::chain(first, futures_util::stream::pending()));
        Payload::from(body)
    }

    // Issue 9 point 7: a body that stops arriving ends in 408 request_timeout, counted from when
    // the handler waits for it (a handler that reads late is not cut off early).
    #[actix_rt::test]
    async fn a_body_that_stops_arriving_is_408_after_the_wait() {
        let (status, body, took) = tokio::time::timeout(
            Duration::from_secs(10),
            call(Duration::from_millis(400), never_ending()),
        )
        .await
        .unwrap_or_else(|_| panic!("no answer: the body deadline did not fire"));
        assert_eq!(status, 408);
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(problem["code"], "request_timeout");
        assert!(
            took >= Duration::from_millis(700),
            "400 ms late, then 300 ms of waiting: {took:?}"
        );
    }

    #[actix_rt::test]
    async fn a_complete_body_read_late_is_not_cut_off() {
        let body: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(futures_util::stream::iter([Ok(Bytes::from_static(b"hello"))]));
        let (status, body, _) = call(Duration::from_millis(500), Payload::from(body)).await;
        assert_eq!((status, body.as_slice()), (200, &b"5"[..]));
    }
}
