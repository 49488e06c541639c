//! Logs carrying the gateway's `X-Request-Id`, and Prometheus metrics per service.

use std::sync::Once;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions (set by [`observe`]); the
/// [`Caller`](crate::Caller) extractor copies it so audit records can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The served request's id while its handler runs, for calls to peers made on its behalf.
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request this task is serving (inside [`observe`]), if any; background work
/// (outbox, schedulers) has none.
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
}

/// A request id as received: a sane token (no control characters, at most 128 bytes), else none.
pub fn sane_request_id(value: &str) -> Option<&str> {
    (!value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic())).then_some(value)
}

static INIT: Once = Once::new();

/// Installs the log subscriber once per process (`RUST_LOG`, default `info`; `LOG_FORMAT=json`
/// for JSON lines). Safe to call from every service started in one process.
pub fn init() {
    init_with("info");
}

/// Like [`init`] with another default level when `RUST_LOG` is unset (tests use `warn`).
pub fn init_with(default_filter: &str) {
    INIT.call_once(|| {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
        let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
        let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
        let _ = if json {
            builder.json().try_init()
        } else {
            builder.try_init()
        };
    });
}

/// A service's Prometheus metrics (one registry per service, so several can share a process).
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
}

impl Metrics {
    pub fn new(service: &str) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(None, Some([("service".to_owned(), service.to_owned())].into()))?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route"),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self {
            registry,
            requests,
            duration,
        })
    }

    /// The registry, for services that add metrics of their own.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// `GET /metrics` in the Prometheus text format.
pub async fn metrics_endpoint(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}

/// Middleware: takes the request id from the gateway (or makes one), runs the request inside a
/// span that carries it, logs the outcome, counts it and echoes the id in the response.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(sane_request_id)
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %request_id, %method, %path);
    let started = Instant::now();
    let result = CURRENT_REQUEST_ID
        .scope(request_id.clone(), next.call(req).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let _guard = span.enter();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
            if let Some(m) = &metrics {
                m.requests
                    .with_label_values(&[&method, &route, &status.to_string()])
                    .inc();
                m.duration
                    .with_label_values(&[&method, &route])
                    .observe(elapsed.as_secs_f64());
            }
            tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "handled");
            if let Ok(v) = HeaderValue::from_str(&request_id) {
                res.headers_mut().insert(REQUEST_ID, v);
            }
            Ok(res)
        }
        Err(e) => {
            tracing::warn!(error = %e, "request failed before a response");
            Err(e)
        }
    }
}
