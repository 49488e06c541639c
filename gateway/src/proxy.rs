//! Reverse proxy of `/api/v1/{members,meetings,documents}/*` to the services: bodies streamed
//! both ways, status and headers kept, `X-Request-Id` added. `/internal/*` is never forwarded.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use awc::error::SendRequestError;
use service_kit::ApiError;
use service_kit::telemetry::REQUEST_ID;

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

pub struct ProxyConfig {
    pub upstreams: Upstreams,
    pub timeout: Duration,
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded, nor is Host.
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

/// A request id we accept from a client, or a new one.
pub fn request_id(req: &HttpRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

pub async fn forward(
    req: HttpRequest,
    payload: web::Payload,
    config: web::Data<ProxyConfig>,
    client: web::Data<awc::Client>,
) -> Result<HttpResponse, ApiError> {
    let service = req.match_info().get("service").unwrap_or_default();
    let Some((name, base)) = config.upstreams.base(service) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "route_not_found",
            format!("no route for {} {}", req.method(), req.path()),
        ));
    };
    if !is_safe_path(req.uri().path()) {
        return Err(ApiError::bad_request(
            "invalid_path",
            "the path has dot segments or encoded separators",
        ));
    }
    let target = format!(
        "{}{}",
        base.trim_end_matches('/'),
        req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let rid = request_id(&req);
    let mut upstream = client.request(req.method().clone(), &target).timeout(config.timeout);
    copy_headers(req.headers(), upstream.headers_mut());
    let headers = upstream.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rid) {
        headers.insert(REQUEST_ID, v);
    }
    if let Some(peer) = req.peer_addr()
        && let Ok(v) = HeaderValue::from_str(&peer.ip().to_string())
    {
        headers.insert(HeaderName::from_static("x-forwarded-for"), v);
    }
    if let Ok(v) = HeaderValue::from_str(req.connection_info().host()) {
        headers.insert(HeaderName::from_static("x-forwarded-host"), v);
    }
    if let Ok(v) = HeaderValue::from_str(req.connection_info().scheme()) {
        headers.insert(HeaderName::from_static("x-forwarded-proto"), v);
    }

    let res = upstream
        .send_stream(payload)
        .await
        .map_err(|e| upstream_error(name, e))?;

    let mut out = HttpResponse::build(res.status());
    for (k, v) in res.headers() {
        if !is_hop_by_hop(k) && k != header::CONTENT_LENGTH {
            out.append_header((k.clone(), v.clone()));
        }
    }
    if !res.headers().contains_key(&REQUEST_ID)
        && let Ok(v) = HeaderValue::from_str(&rid)
    {
        out.insert_header((REQUEST_ID, v));
    }
    let length = res
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = length {
        out.no_chunking(n);
    }
    Ok(out.streaming(res))
}

fn copy_headers(from: &HeaderMap, to: &mut awc::http::header::HeaderMap) {
    for (k, v) in from {
        if !is_hop_by_hop(k) && k != REQUEST_ID {
            to.append(k.clone(), v.clone());
        }
    }
}

fn upstream_error(name: &str, e: SendRequestError) -> ApiError {
    match e {
        SendRequestError::Timeout => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream_timeout",
            format!("{name} did not answer in time"),
        ),
        SendRequestError::Connect(c) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream_unavailable",
            format!("{name} is not reachable"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
        .with_cause(c),
        other => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "bad_gateway",
            format!("{name} gave no valid answer"),
        )
        .with_cause(other),
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
}
