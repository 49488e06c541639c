//! Reverse proxy of `/api/v1/{members,meetings,documents}/*` to the services: bodies streamed
//! both ways, status and headers kept, `X-Request-Id` added. `/internal/*` is never forwarded.
//!
//! No one client may stall the others:
//! - each client address has at most [`ClientLimits::max_in_flight`] requests at the services at
//!   once (429 `too_many_requests` beyond), the address taken from `X-Forwarded-For` only when
//!   the connection comes from a configured trusted proxy;
//! - a request body must keep arriving (the kit's body deadline: 408 `request_timeout`);
//! - a request with a body goes to the service on a connection of its own that reads the answer
//!   while the body is still being forwarded: when the service answers before the body is
//!   complete (an error, or a route that does not read bodies), the client gets that answer at
//!   once and forwarding stops. awc, which carries the requests without a body (pooled), reads
//!   an answer only after the whole body has gone out, so it cannot do this.

use service_kit::Code;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse, web};
use awc::error::SendRequestError;
use futures_util::StreamExt;
use service_kit::ApiError;
use service_kit::telemetry::REQUEST_ID;

pub use crate::domain::rate::RateLimiter;
use tokio::net::TcpStream;

/// Where each service lives.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub members: String,
    pub meetings: String,
    pub documents: String,
}

impl Upstreams {
    fn base(&self, service: &str) -> Option<(&'static str, &str)> {
        match service {
            "members" => Some(("members-service", &self.members)),
            "meetings" => Some(("meetings-service", &self.meetings)),
            "documents" => Some(("documents-service", &self.documents)),
            _ => None,
        }
    }
}

/// How much of the services one client may hold, and how the gateway tells clients apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLimits {
    /// A request body must keep arriving: this long without a byte is 408 `request_timeout`
    /// (`GATEWAY_BODY_TIMEOUT_SECS`).
    pub body_timeout: Duration,
    /// Requests of one client address at the services at once; 0 = no cap
    /// (`GATEWAY_MAX_REQUESTS_PER_CLIENT`).
    pub max_in_flight: usize,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client
    /// (`GATEWAY_TRUSTED_PROXIES`); from anyone else the header is ignored.
    pub trusted_proxies: Vec<IpNet>,
    /// Public verification requests (pages, file checks) per address and minute; 0 = no limit
    /// (`GATEWAY_VERIFY_PER_MINUTE`). Bursts of [`VERIFY_BURST`] pass at once.
    pub verify_per_minute: u32,
}

/// Verification requests one address may make at once before its rate applies.
pub const VERIFY_BURST: u32 = 20;

impl Default for ClientLimits {
    fn default() -> Self {
        Self {
            body_timeout: Duration::from_secs(10),
            max_in_flight: 64,
            trusted_proxies: Vec::new(),
            verify_per_minute: 60,
        }
    }
}

/// An address or a CIDR range (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (full, rest) = (usize::from(bits / 8), bits % 8);
    a[..full] == b[..full] && (rest == 0 || (a[full] ^ b[full]) >> (8 - rest) == 0)
}

impl std::str::FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?} has an invalid prefix length"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// `GATEWAY_TRUSTED_PROXIES`: addresses or CIDR ranges separated by commas.
pub fn parse_trusted_proxies(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::parse)
        .collect()
}

/// The client's address: the connection's peer, unless that is a trusted proxy; then the
/// nearest address in `X-Forwarded-For` that is not one (read right to left, since only the
/// entries our own proxies appended can be believed).
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            // A garbled entry: what lies beyond it cannot be trusted; the last proxy stands in.
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    Some(client)
}

/// Requests in flight at the services per client address.
#[derive(Debug, Default)]
pub struct ClientLimiter {
    max: usize,
    in_flight: Mutex<HashMap<IpAddr, usize>>,
}

/// One request's place in its client's share; given back when dropped.
pub struct ClientPermit {
    limiter: Arc<ClientLimiter>,
    ip: Option<IpAddr>,
}

impl ClientLimiter {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// A place for `ip`, or `None` when it already has `max` requests in flight. A request
    /// without a known address (not TCP) is not counted.
    pub fn try_acquire(self: &Arc<Self>, ip: Option<IpAddr>) -> Option<ClientPermit> {
        let permit = |ip| ClientPermit {
            limiter: self.clone(),
            ip,
        };
        let Some(addr) = ip.filter(|_| self.max > 0) else {
            return Some(permit(None));
        };
        // The counts stay consistent even if a holder panicked: each change is one statement.
        let mut map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(addr).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(permit(Some(addr)))
    }

    pub fn in_flight(&self, ip: IpAddr) -> usize {
        let map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for ClientPermit {
    fn drop(&mut self) {
        let Some(ip) = self.ip else { return };
        let mut map = self.limiter.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&ip);
            }
        }
    }
}

pub struct ProxyConfig {
    pub upstreams: Upstreams,
    pub timeout: Duration,
    pub limiter: Arc<ClientLimiter>,
    pub trusted_proxies: Vec<IpNet>,
    pub verify_rate: RateLimiter,
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded, nor is Host; `Expect` was answered
/// by the gateway itself (its server sends `100 Continue`).
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "expect"
    )
}

/// Refuses paths that could climb out of the service's public prefix once decoded.
fn is_safe_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !lower.contains("%2e")
        && !lower.contains("%2f")
        && !lower.contains("%5c")
        && !lower.contains('\\')
        && path.split('/').all(|seg| seg != ".." && seg != ".")
}

/// The request's id: the one the kit's telemetry gave it (the client's, when sane, or a new
/// one), so that the gateway's log, the service's log and the answer's `X-Request-Id` agree.
pub fn request_id(req: &HttpRequest) -> String {
    use actix_web::HttpMessage as _;
    req.extensions()
        .get::<service_kit::telemetry::RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// How the client's request body is framed (actix has decoded it; we frame it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestBody {
    None,
    Length(u64),
    Chunked,
}

fn request_body(req: &HttpRequest) -> RequestBody {
    if req.headers().contains_key(header::TRANSFER_ENCODING) {
        return RequestBody::Chunked;
    }
    match req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(0) | None => RequestBody::None,
        Some(n) => RequestBody::Length(n),
    }
}

/// The headers sent on to the service: the client's end-to-end headers, the request id and
/// the `X-Forwarded-*` the gateway vouches for.
fn upstream_headers(req: &HttpRequest, rid: &str, client_addr: Option<IpAddr>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (k, v) in req.headers() {
        if !is_hop_by_hop(k) && k != REQUEST_ID && k != header::CONTENT_LENGTH {
            headers.append(k.clone(), v.clone());
        }
    }
    if let Ok(v) = HeaderValue::from_str(rid) {
        headers.insert(REQUEST_ID, v);
    }
    if let Some(ip) = client_addr
        && let Ok(v) = HeaderValue::from_str(&ip.to_string())
    {
        headers.insert(HeaderName::from_static("x-forwarded-for"), v);
    }
    if let Ok(v) = HeaderValue::from_str(req.connection_info().host()) {
        headers.insert(HeaderName::from_static("x-forwarded-host"), v);
    }
    if let Ok(v) = HeaderValue::from_str(req.connection_info().scheme()) {
        headers.insert(HeaderName::from_static("x-forwarded-proto"), v);
    }
    headers
}

/// A place among the client's requests in flight, or 429 when it has its cap already.
fn permit(config: &ProxyConfig, client_addr: Option<IpAddr>) -> Result<ClientPermit, ApiError> {
    config.limiter.try_acquire(client_addr).ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            Code::TooManyRequests,
            format!(
                "this address already has {} requests in progress; wait for one to finish",
                config.limiter.max
            ),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("1"))
    })
}

pub async fn forward(
    req: HttpRequest,
    payload: web::Payload,
    config: web::Data<ProxyConfig>,
    client: web::Data<awc::Client>,
) -> Result<HttpResponse, ApiError> {
    let service = req.match_info().get("service").unwrap_or_default().to_owned();
    forward_to(&service, req, payload, config, client).await
}

/// 429 with `Retry-After` once an address exceeds the rate of the public pages (verification
/// and meeting replies share one bucket per address).
fn within_public_rate(req: &HttpRequest, config: &ProxyConfig) -> Result<(), ApiError> {
    let addr = client_ip(req, &config.trusted_proxies);
    config.verify_rate.check(addr, Instant::now()).map_err(|wait| {
        let secs = wait.as_secs().max(1);
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            Code::RateLimited,
            format!("too many requests to the public pages (verification, meeting replies, calendar feeds) from this address; retry in {secs} s"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(secs))
    })
}

/// The public routes, forwarded as they are once the address is within the public rate: the
/// verification pages and checks (`/v`, `/v/{token}`, `/api/v1/documents/verify…`) to
/// documents-service, and the reply pages of meeting notices (`/r/{link}`, issue 13: the
/// signed link is the credential) and the personal calendar feeds (`/c/{link}`) to
/// meetings-service.
pub async fn forward_public(
    req: HttpRequest,
    payload: web::Payload,
    config: web::Data<ProxyConfig>,
    client: web::Data<awc::Client>,
) -> Result<HttpResponse, ApiError> {
    within_public_rate(&req, &config)?;
    let meetings = req.path().starts_with("/r/") || req.path().starts_with("/c/");
    let service = if meetings { "meetings" } else { "documents" };
    forward_to(service, req, payload, config, client).await
}

async fn forward_to(
    service: &str,
    req: HttpRequest,
    payload: web::Payload,
    config: web::Data<ProxyConfig>,
    client: web::Data<awc::Client>,
) -> Result<HttpResponse, ApiError> {
    let Some((name, base)) = config.upstreams.base(service) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            Code::RouteNotFound,
            format!("no route for {} {}", req.method(), req.path()),
        ));
    };
    if !is_safe_path(req.uri().path()) {
        return Err(ApiError::bad_request(
            Code::InvalidPath,
            "the path has dot segments or encoded separators",
        ));
    }
    let client_addr = client_ip(&req, &config.trusted_proxies);
    let permit = permit(&config, client_addr)?;
    let target = format!(
        "{}{}",
        base.trim_end_matches('/'),
        req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let rid = request_id(&req);
    let headers = upstream_headers(&req, &rid, client_addr);

    let body = request_body(&req);
    let uri: Uri = target
        .parse()
        .map_err(|e| ApiError::internal(format!("upstream URL {target}: {e}")))?;
    if body != RequestBody::None && uri.scheme_str() == Some("http") {
        let exchange = Exchange {
            name,
            uri: &uri,
            method: req.method(),
            headers: &headers,
            body,
            timeout: config.timeout,
        };
        let (head, upstream_body) = exchange.run(payload).await?;
        let mut out = respond(head.status, &head.headers, &rid, head.length);
        return Ok(out.streaming(upstream_body.into_stream(permit)));
    }

    let mut upstream = client.request(req.method().clone(), &target).timeout(config.timeout);
    for (k, v) in &headers {
        upstream.headers_mut().append(k.clone(), v.clone());
    }
    let res = if body == RequestBody::None {
        upstream.send().await
    } else {
        // Not plain HTTP: awc forwards the body and reads the answer afterwards.
        upstream.send_stream(payload).await
    }
    .map_err(|e| upstream_error(name, e))?;
    let length = res
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let list: Vec<(HeaderName, HeaderValue)> = res.headers().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut out = respond(res.status(), &list, &rid, length);
    // The permit lives as long as the answer streams.
    Ok(out.streaming(res.map(move |chunk| {
        let _held = &permit;
        chunk
    })))
}

/// The client's response head: the service's status and end-to-end headers, the request id.
fn respond(
    status: StatusCode,
    headers: &[(HeaderName, HeaderValue)],
    rid: &str,
    length: Option<u64>,
) -> actix_web::HttpResponseBuilder {
    let mut out = HttpResponse::build(status);
    let mut has_rid = false;
    for (k, v) in headers {
        if !is_hop_by_hop(k) && k != header::CONTENT_LENGTH {
            has_rid |= k == REQUEST_ID;
            out.append_header((k.clone(), v.clone()));
        }
    }
    if !has_rid && let Ok(v) = HeaderValue::from_str(rid) {
        out.insert_header((REQUEST_ID, v));
    }
    if let Some(n) = length {
        out.no_chunking(n);
    }
    out
}

fn upstream_error(name: &str, e: SendRequestError) -> ApiError {
    match e {
        SendRequestError::Timeout => timeout_error(name),
        SendRequestError::Connect(c) => unavailable(name, c),
        other => bad_gateway(name, other),
    }
}

fn timeout_error(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::GATEWAY_TIMEOUT,
        Code::UpstreamTimeout,
        format!("{name} did not answer in time"),
    )
}

fn unavailable(name: &str, cause: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        Code::UpstreamUnavailable,
        format!("{name} is not reachable"),
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    .with_cause(cause)
}

fn bad_gateway(name: &str, cause: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        Code::BadGateway,
        format!("{name} gave no valid answer"),
    )
    .with_cause(cause)
}

/// Largest response head accepted from a service.
const MAX_HEAD: usize = 64 * 1024;

/// One request with a body, on a connection of its own (`Connection: close`), the body
/// forwarded while the answer is awaited.
struct Exchange<'a> {
    name: &'static str,
    uri: &'a Uri,
    method: &'a Method,
    headers: &'a HeaderMap,
    body: RequestBody,
    timeout: Duration,
}

/// What went wrong while forwarding the client's body.
enum PumpError {
    /// The client's body failed (ended early, or stopped arriving: the kit's body deadline
    /// turns that into 408).
    Client,
    /// The service stopped taking the body; its answer may still come.
    Upstream,
    /// The service took nothing for `timeout`.
    Stalled,
}

impl Exchange<'_> {
    fn head_bytes(&self, authority: &str) -> Vec<u8> {
        let mut head = String::with_capacity(512);
        let path = self.uri.path_and_query().map_or("/", |p| p.as_str());
        let _ = write!(head, "{} {path} HTTP/1.1\r\nhost: {authority}\r\n", self.method);
        let mut bytes = head.into_bytes();
        for (k, v) in self.headers {
            bytes.extend_from_slice(k.as_str().as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(v.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        match self.body {
            RequestBody::Length(n) => bytes.extend_from_slice(format!("content-length: {n}\r\n").as_bytes()),
            RequestBody::Chunked => bytes.extend_from_slice(b"transfer-encoding: chunked\r\n"),
            RequestBody::None => {}
        }
        bytes.extend_from_slice(b"connection: close\r\n\r\n");
        bytes
    }

    async fn run(self, mut payload: web::Payload) -> Result<(ResponseHead, UpstreamBody), ApiError> {
        let name = self.name;
        let authority = self
            .uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| ApiError::internal(format!("upstream URL {} has no host", self.uri)))?;
        let addr = match self.uri.port_u16() {
            Some(_) => authority.clone(),
            None => format!("{authority}:80"),
        };
        let io = match tokio::time::timeout(self.timeout, TcpStream::connect(&addr)).await {
            Ok(Ok(io)) => io,
            Ok(Err(e)) => return Err(unavailable(name, e)),
            Err(_) => return Err(timeout_error(name)),
        };
        let _ = io.set_nodelay(true);
        let stalled = |r: Result<io::Result<()>, _>| match r {
            Ok(r) => r.map_err(|e| bad_gateway(name, e)),
            Err(_) => Err(timeout_error(name)),
        };
        stalled(tokio::time::timeout(self.timeout, write_all(&io, &self.head_bytes(&authority))).await)?;

        let mut buf = BytesMut::with_capacity(8 * 1024);
        let head_only = self.method == Method::HEAD;
        let timeout = self.timeout;
        let body = self.body;
        let head = {
            let pump = pump(&io, &mut payload, body, timeout);
            let read = read_head(&io, &mut buf, head_only);
            tokio::pin!(pump, read);
            // No deadline for the answer while the body is still coming: the body has its own.
            let deadline = tokio::time::sleep(Duration::from_secs(365 * 24 * 3600));
            tokio::pin!(deadline);
            let mut pumping = true;
            loop {
                tokio::select! {
                    biased;
                    head = &mut read => break head.map_err(|e| bad_gateway(name, e))?,
                    done = &mut pump, if pumping => {
                        pumping = false;
                        match done {
                            Ok(()) | Err(PumpError::Upstream) => {
                                deadline.as_mut().reset(tokio::time::Instant::now() + timeout);
                            }
                            Err(PumpError::Stalled) => return Err(timeout_error(name)),
                            Err(PumpError::Client) => {
                                return Err(ApiError::bad_request(
                                    Code::IncompleteBody,
                                    "the request body ended before its announced length",
                                ));
                            }
                        }
                    }
                    () = &mut deadline => return Err(timeout_error(name)),
                }
            }
            // Leaving this block drops the pump: a body the service has answered is not
            // forwarded any further.
        };
        let body = UpstreamBody {
            io,
            buf,
            framing: head.framing,
            timeout,
        };
        Ok((head, body))
    }
}

/// Forwards the client's body; the kit wraps `payload` with the body deadline.
async fn pump(
    io: &TcpStream,
    payload: &mut web::Payload,
    body: RequestBody,
    timeout: Duration,
) -> Result<(), PumpError> {
    let send = |data: Vec<u8>| async move {
        match tokio::time::timeout(timeout, write_all(io, &data)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(PumpError::Upstream),
            Err(_) => Err(PumpError::Stalled),
        }
    };
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| PumpError::Client)?;
        if chunk.is_empty() {
            continue;
        }
        let data = match body {
            RequestBody::Chunked => {
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                framed
            }
            _ => chunk.to_vec(),
        };
        send(data).await?;
    }
    if body == RequestBody::Chunked {
        send(b"0\r\n\r\n".to_vec()).await?;
    }
    Ok(())
}

async fn write_all(io: &TcpStream, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        io.writable().await?;
        match io.try_write(data) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads what the connection has into `buf`; 0 at the end.
async fn read_some(io: &TcpStream, buf: &mut BytesMut) -> io::Result<usize> {
    let mut chunk = [0u8; 8 * 1024];
    loop {
        io.readable().await?;
        match io.try_read(&mut chunk) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

async fn read_head(io: &TcpStream, buf: &mut BytesMut, head_only: bool) -> Result<ResponseHead, String> {
    loop {
        while let Some(head) = parse_head(buf, head_only)? {
            match head {
                Parsed::Interim => continue,
                Parsed::Final(head) => return Ok(head),
            }
        }
        if read_some(io, buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("the connection closed before an answer".into());
        }
    }
}

/// A service's response head.
#[derive(Debug)]
struct ResponseHead {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    framing: Framing,
    /// `Content-Length`, when the body has one (kept for the client).
    length: Option<u64>,
}

#[derive(Debug)]
enum Parsed {
    /// A 1xx answer, skipped.
    Interim,
    Final(ResponseHead),
}

/// How a response body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked(Chunk),
    Close,
}

/// Where a chunked body's decoder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size,
    Data(u64),
    DataEnd,
    Trailer,
    Done,
}

/// Takes one response head off the front of `buf`, if it is all there.
fn parse_head(buf: &mut BytesMut, head_only: bool) -> Result<Option<Parsed>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEAD {
            Err("the response head is too large".into())
        } else {
            Ok(None)
        };
    };
    let raw = buf.split_to(end + 4);
    let text = &raw[..end];
    let mut lines = text.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, |b| *b == b' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with(b"HTTP/1.") {
        return Err("not an HTTP/1 response".into());
    }
    let status = parts
        .next()
        .and_then(|s| StatusCode::from_bytes(s).ok())
        .ok_or("the response has no valid status")?;
    let mut headers = Vec::new();
    for line in lines {
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err("folded header lines are not accepted".into());
        }
        let colon = line
            .iter()
            .position(|b| *b == b':')
            .ok_or("a header line has no colon")?;
        let name = HeaderName::from_bytes(&line[..colon]).map_err(|_| "invalid header name")?;
        let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii()).map_err(|_| "invalid header value")?;
        headers.push((name, value));
    }
    if status.is_informational() {
        if status == StatusCode::SWITCHING_PROTOCOLS {
            return Err("protocol upgrades are not proxied".into());
        }
        return Ok(Some(Parsed::Interim));
    }
    let chunked = headers.iter().any(|(k, v)| {
        k == header::TRANSFER_ENCODING && v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("chunked"))
    });
    let mut length = None;
    for (k, v) in &headers {
        if k == header::CONTENT_LENGTH {
            let n = v
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or("invalid Content-Length")?;
            if length.is_some_and(|l| l != n) {
                return Err("conflicting Content-Length headers".into());
            }
            length = Some(n);
        }
    }
    let framing = if head_only || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        Framing::Empty
    } else if chunked {
        length = None;
        Framing::Chunked(Chunk::Size)
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::Close
    };
    Ok(Some(Parsed::Final(ResponseHead {
        status,
        headers,
        framing,
        length,
    })))
}

/// The next piece of a chunked body from `buf`: `Ok(None)` when more input is needed or the
/// body is done (`state == Chunk::Done`).
fn decode_chunked(buf: &mut BytesMut, state: &mut Chunk) -> Result<Option<Bytes>, String> {
    loop {
        match *state {
            Chunk::Size | Chunk::Trailer => {
                let Some(pos) = buf.windows(2).position(|w| w == b"\r\n") else {
                    return if buf.len() > 4096 {
                        Err("a chunk line is too long".into())
                    } else {
                        Ok(None)
                    };
                };
                let line = buf.split_to(pos + 2);
                if *state == Chunk::Trailer {
                    if pos == 0 {
                        *state = Chunk::Done;
                    }
                    continue;
                }
                let size = line[..pos].split(|b| *b == b';').next().unwrap_or_default();
                let size = std::str::from_utf8(size)
                    .ok()
                    .and_then(|s| u64::from_str_radix(s.trim(), 16).ok())
                    .ok_or("invalid chunk size")?;
                *state = if size == 0 { Chunk::Trailer } else { Chunk::Data(size) };
            }
            Chunk::Data(left) => {
                if buf.is_empty() {
                    return Ok(None);
                }
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                let data = buf.split_to(take).freeze();
                let left = left - take as u64;
                *state = if left == 0 { Chunk::DataEnd } else { Chunk::Data(left) };
                return Ok(Some(data));
            }
            Chunk::DataEnd => {
                if buf.len() < 2 {
                    return Ok(None);
                }
                if &buf[..2] != b"\r\n" {
                    return Err("a chunk does not end with CRLF".into());
                }
                let _ = buf.split_to(2);
                *state = Chunk::Size;
            }
            Chunk::Done => return Ok(None),
        }
    }
}

/// The rest of a service's answer, read from its connection.
struct UpstreamBody {
    io: TcpStream,
    buf: BytesMut,
    framing: Framing,
    /// Longest wait for the next bytes.
    timeout: Duration,
}

impl UpstreamBody {
    async fn next_chunk(&mut self) -> Option<io::Result<Bytes>> {
        let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidData, e);
        loop {
            match &mut self.framing {
                Framing::Empty | Framing::Length(0) | Framing::Chunked(Chunk::Done) => return None,
                Framing::Length(left) => {
                    if !self.buf.is_empty() {
                        let take = usize::try_from(*left).unwrap_or(usize::MAX).min(self.buf.len());
                        *left -= take as u64;
                        return Some(Ok(self.buf.split_to(take).freeze()));
                    }
                }
                Framing::Chunked(state) => match decode_chunked(&mut self.buf, state) {
                    Ok(Some(data)) => return Some(Ok(data)),
                    Ok(None) if *state == Chunk::Done => return None,
                    Ok(None) => {}
                    Err(e) => return Some(Err(invalid(e))),
                },
                Framing::Close => {
                    if !self.buf.is_empty() {
                        return Some(Ok(self.buf.split().freeze()));
                    }
                }
            }
            match tokio::time::timeout(self.timeout, read_some(&self.io, &mut self.buf)).await {
                Ok(Ok(0)) if self.framing == Framing::Close => return None,
                Ok(Ok(0)) => return Some(Err(io::ErrorKind::UnexpectedEof.into())),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Some(Err(e)),
                Err(_) => return Some(Err(io::ErrorKind::TimedOut.into())),
            }
        }
    }

    /// The body as a stream; `permit` is held until it ends.
    fn into_stream(self, permit: ClientPermit) -> impl futures_util::Stream<Item = io::Result<Bytes>> + 'static {
        futures_util::stream::unfold((self, permit), |(mut body, permit)| async move {
            let item = body.next_chunk().await?;
            Some((item, (body, permit)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_and_encoded_separators_are_refused() {
        assert!(is_safe_path("/api/v1/members/bodies/1"));
        assert!(!is_safe_path("/api/v1/members/../../internal/v1/x"));
        assert!(!is_safe_path("/api/v1/members/%2e%2e/internal"));
        assert!(!is_safe_path("/api/v1/members/a%2Fb"));
    }

    fn head(raw: &str, head_only: bool) -> Result<Option<Parsed>, String> {
        parse_head(&mut BytesMut::from(raw.as_bytes()), head_only)
    }

    #[test]
    fn response_heads_parse_with_their_framing() {
        let Ok(Some(Parsed::Final(h))) = head(
            "HTTP/1.1 201 Created\r\ncontent-length: 5\r\nx-a: b\r\n\r\nhello",
            false,
        ) else {
            panic!("not parsed")
        };
        assert_eq!(
            (h.status.as_u16(), h.framing, h.length),
            (201, Framing::Length(5), Some(5))
        );
        assert!(h.headers.iter().any(|(k, v)| k == "x-a" && v == "b"));
        let Ok(Some(Parsed::Final(h))) = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false) else {
            panic!("not parsed")
        };
        assert_eq!(h.framing, Framing::Chunked(Chunk::Size));
        let Ok(Some(Parsed::Final(h))) = head("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n", true) else {
            panic!("not parsed")
        };
        assert_eq!((h.framing, h.length), (Framing::Empty, Some(9)), "HEAD has no body");
        assert!(matches!(
            head("HTTP/1.1 100 Continue\r\n\r\n", false),
            Ok(Some(Parsed::Interim))
        ));
        assert!(matches!(head("HTTP/1.1 200 OK\r\ncontent-le", false), Ok(None)));
        assert!(
            head(
                "HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
                false
            )
            .is_err()
        );
        assert!(head("HTTP/1.1 200 OK\r\nx: a\r\n folded\r\n\r\n", false).is_err());
        assert!(head("SMTP 220 hi\r\n\r\n", false).is_err());
    }

    #[test]
    fn chunked_bodies_decode_across_reads() {
        let mut state = Chunk::Size;
        let mut buf = BytesMut::from(&b"5;ext=1\r\nhel"[..]);
        let mut out = Vec::new();
        let feed = |buf: &mut BytesMut, state: &mut Chunk, out: &mut Vec<u8>| {
            while let Ok(Some(data)) = decode_chunked(buf, state) {
                out.extend_from_slice(&data);
            }
        };
        feed(&mut buf, &mut state, &mut out);
        buf.extend_from_slice(b"lo\r\n6\r\n world\r\n0\r\n");
        feed(&mut buf, &mut state, &mut out);
        assert_eq!(state, Chunk::Trailer);
        buf.extend_from_slice(b"x-trailer: 1\r\n\r\n");
        feed(&mut buf, &mut state, &mut out);
        assert_eq!((out.as_slice(), state), (&b"hello world"[..], Chunk::Done));
        let mut bad = BytesMut::from(&b"zz\r\n"[..]);
        assert!(decode_chunked(&mut bad, &mut Chunk::Size).is_err());
    }

    #[test]
    fn trusted_proxies_parse_and_match() -> Result<(), String> {
        let nets = parse_trusted_proxies("10.0.0.0/8, 192.0.2.7 ,fd00::/8")?;
        let ip = |s: &str| s.parse::<IpAddr>().map_err(|e| e.to_string());
        assert!(nets[0].contains(ip("10.200.1.1")?));
        assert!(!nets[0].contains(ip("11.0.0.1")?));
        assert!(nets[1].contains(ip("192.0.2.7")?) && !nets[1].contains(ip("192.0.2.8")?));
        assert!(nets[1].contains(ip("::ffff:192.0.2.7")?), "IPv4-mapped addresses match");
        assert!(nets[2].contains(ip("fd12::1")?) && !nets[2].contains(ip("fe80::1")?));
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("proxy.example").is_err());
        assert_eq!(parse_trusted_proxies(" ")?, Vec::new());
        Ok(())
    }

    fn request(peer: &str, xff: Option<&str>) -> HttpRequest {
        let mut req = actix_web::test::TestRequest::default();
        if let Ok(addr) = peer.parse() {
            req = req.peer_addr(addr);
        }
        if let Some(v) = xff {
            req = req.insert_header(("x-forwarded-for", v));
        }
        req.to_http_request()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() -> Result<(), String> {
        let trusted = parse_trusted_proxies("10.0.0.0/8")?;
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // Issue 9 point 7: X-Forwarded-For is not trusted unless configured.
        assert_eq!(
            client_ip(&request("198.51.100.4:1000", Some("203.0.113.9")), &[]),
            ip("198.51.100.4")
        );
        assert_eq!(
            client_ip(&request("198.51.100.4:1000", Some("203.0.113.9")), &trusted),
            ip("198.51.100.4"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            client_ip(
                &request("10.0.0.2:1000", Some("6.6.6.6, 203.0.113.9, 10.0.0.3")),
                &trusted
            ),
            ip("203.0.113.9"),
            "the nearest untrusted hop, not what the client wrote first"
        );
        assert_eq!(client_ip(&request("10.0.0.2:1000", None), &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_ip(&request("10.0.0.2:1000", Some("garbage, 10.0.0.3")), &trusted),
            ip("10.0.0.3")
        );
        Ok(())
    }

    #[test]
    fn each_address_gets_its_share_and_gives_it_back() {
        let limiter = ClientLimiter::new(2);
        let a = "192.0.2.1".parse().ok();
        let b = "192.0.2.2".parse().ok();
        let first = limiter.try_acquire(a);
        let second = limiter.try_acquire(a);
        assert!(first.is_some() && second.is_some());
        assert!(
            limiter.try_acquire(a).is_none(),
            "a third request of the same address waits"
        );
        assert!(limiter.try_acquire(b).is_some(), "another address is not affected");
        drop(first);
        assert!(limiter.try_acquire(a).is_some());
        drop(second);
        assert_eq!(a.map(|ip| limiter.in_flight(ip)), Some(0));
        let unlimited = ClientLimiter::new(0);
        let held: Vec<_> = (0..100).filter_map(|_| unlimited.try_acquire(a)).collect();
        assert_eq!(held.len(), 100);
    }
}
