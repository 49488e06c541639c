//! Errors as `application/problem+json` (RFC 9457) with a stable machine `code`.
//!
//! Every failure a client can see goes through [`ApiError`]; the internal cause is kept for
//! the logs and never shown. Actix's own extractor failures, unknown routes and methods are
//! turned into the same shape by [`extractor_configs`] and [`plain_errors_to_problems`].

use std::fmt;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, ResponseError, error, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod code;
pub use code::Code;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// 所有错误应答的正文（`application/problem+json`，RFC 9457）。The body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:jglm:problem:validation_failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "1 field is invalid",
    "code": "validation_failed",
    "errors": [{"field": "email", "code": "invalid_email", "message": "not an e-mail address"}]
}))]
pub struct Problem {
    /// 错误类别的 URI：`urn:jglm:problem:<code>`。A URI naming the problem kind: `urn:jglm:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// 状态码的简短标题（英文），如 `Not found`。A short title of the status (in English), e.g. `Not found`.
    pub title: String,
    /// HTTP 状态码。The HTTP status code.
    pub status: u16,
    /// 这一次错误的具体说明（英文），供人阅读。What went wrong this time (in English), for people.
    pub detail: String,
    /// 稳定的机器可读代码；程序据此判断，不要解析 `detail`。
    /// Stable machine-readable code; clients branch on this, never on `detail`.
    pub code: Code,
    /// 逐字段的校验错误（问题出在请求的字段时）。Per-field validation errors, when the problem is about the request's fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// 一个字段的校验错误。One field's validation error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// 字段名或 JSON 路径，如 `email`、`members[2].name`。The field's name or JSON path, e.g. `email` or `members[2].name`.
    pub field: String,
    /// 该字段错误的稳定代码。The field error's stable code.
    pub code: Code,
    /// 说明（英文），供人阅读。What is wrong (in English), for people.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// The one error type handlers return (boxed, so `Result<T, ApiError>` stays small).
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    code: Code,
    detail: String,
    errors: Vec<FieldError>,
    /// Extra headers (e.g. `WWW-Authenticate`, `Retry-After`).
    headers: Vec<(header::HeaderName, HeaderValue)>,
    /// Kept for the logs only.
    cause: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: Code, detail: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            cause: None,
        }))
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> Code {
        self.0.code
    }

    pub fn bad_request(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn unauthorized(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, Code::Forbidden, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, Code::NotFound, detail)
    }
    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    pub fn unprocessable(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }
    /// 422 with one entry per bad field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields are invalid"),
        };
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, Code::ValidationFailed, detail);
        e.0.errors = errors;
        e
    }
    pub fn unavailable(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
    }
    /// A 500 whose cause goes to the log, not to the client.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            "an unexpected error occurred; it has been logged",
        )
        .with_cause(cause)
    }

    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.0.headers.push((name, value));
        self
    }

    /// Adds per-field entries to any problem (e.g. a 422 with a rule-specific code).
    pub fn with_field_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors.extend(errors);
        self
    }

    pub fn with_cause(mut self, cause: impl fmt::Display) -> Self {
        self.0.cause = Some(cause.to_string());
        self
    }

    pub fn problem(&self) -> Problem {
        let e = &self.0;
        Problem {
            type_uri: format!("urn:jglm:problem:{}", e.code),
            title: title_for(e.status).to_owned(),
            status: e.status.as_u16(),
            detail: e.detail.clone(),
            code: e.code,
            errors: e.errors.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.0.status.as_u16(), self.0.code, self.0.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let e = &self.0;
        if e.status.is_server_error() {
            tracing::error!(code = %e.code, cause = ?e.cause, "request failed: {}", e.detail);
        } else if let Some(cause) = &e.cause {
            tracing::debug!(code = %e.code, cause = %cause, "request refused");
        }
        let mut builder = HttpResponse::build(e.status);
        for (name, value) in &e.headers {
            builder.insert_header((name.clone(), value.clone()));
        }
        builder
            .content_type(PROBLEM_JSON)
            .body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        406 => "Not acceptable",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Unprocessable content",
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

fn code_for(status: StatusCode) -> Code {
    match status.as_u16() {
        400 => Code::BadRequest,
        401 => Code::Unauthorized,
        403 => Code::Forbidden,
        404 => Code::RouteNotFound,
        405 => Code::MethodNotAllowed,
        406 => Code::NotAcceptable,
        413 => Code::PayloadTooLarge,
        415 => Code::UnsupportedMediaType,
        429 => Code::RateLimited,
        502 => Code::BadGateway,
        503 => Code::ServiceUnavailable,
        504 => Code::GatewayTimeout,
        s if s >= 500 => Code::Internal,
        _ => Code::Error,
    }
}

/// Largest JSON body a service accepts unless a handler sets its own limit.
pub const DEFAULT_JSON_LIMIT: usize = 256 * 1024;

/// Extractor configurations whose failures are problem+json.
pub fn extractor_configs(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config(DEFAULT_JSON_LIMIT))
        .app_data(web::PathConfig::default().error_handler(|err, _req| {
            ApiError::bad_request(Code::InvalidPath, format!("invalid path parameter: {err}")).into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|err, _req| {
            ApiError::bad_request(Code::InvalidQuery, format!("invalid query parameter: {err}")).into()
        }))
        .app_data(web::PayloadConfig::default().limit(DEFAULT_JSON_LIMIT));
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(json_error)
}

fn json_error(err: error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use error::JsonPayloadError as J;
    let api = match &err {
        J::Overflow { limit } | J::OverflowKnownLength { limit, .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::PayloadTooLarge,
            format!("the request body is larger than {limit} bytes"),
        ),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::UnsupportedMediaType,
            "the request body must be JSON (Content-Type: application/json)",
        ),
        J::Deserialize(de) if de.is_data() => ApiError::unprocessable(
            Code::InvalidBody,
            format!("the JSON body does not fit the schema: {de}"),
        ),
        J::Deserialize(de) => ApiError::bad_request(Code::MalformedJson, format!("the body is not valid JSON: {de}")),
        other => ApiError::bad_request(
            Code::InvalidBody,
            format!("the request body could not be read: {other}"),
        ),
    };
    api.into()
}

/// Unknown routes: a problem+json 404.
pub async fn route_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        Code::RouteNotFound,
        format!("no route for {} {}", req.method(), req.path()),
    ))
}

/// Rewrites every error response that is not already problem+json (actix's 405 for a known
/// path with another method, payload errors raised before a handler, …) into one. An HTML page
/// a handler rendered on purpose for a browser (the public verification pages) stays as it is.
pub fn plain_errors_to_problems<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(rewrite_plain_error)
}

fn rewrite_plain_error<B: 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("text/html"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{} is not allowed on {}", res.request().method(), res.request().path())
        }
        StatusCode::NOT_FOUND => format!("no route for {} {}", res.request().method(), res.request().path()),
        _ => title_for(status).to_owned(),
    };
    let api = ApiError::new(status, code_for(status), detail);
    let (req, old) = res.into_parts();
    let mut new = api.error_response();
    // Keep headers such as Allow or WWW-Authenticate that the original response carried.
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let res = ServiceResponse::new(req, new).map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(res))
}

/// An event a consumer cannot read: 422, so that the sender's outbox (or the receiver's inbox)
/// parks it as a dead letter with this reason after a few tries instead of retrying forever.
impl From<alliance_events::EventError> for ApiError {
    fn from(e: alliance_events::EventError) -> Self {
        let code = match e {
            alliance_events::EventError::UnknownKind { .. } => Code::UnknownEvent,
            alliance_events::EventError::InvalidPayload { .. } => Code::InvalidEvent,
        };
        ApiError::unprocessable(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_detail_names_the_single_field() {
        let e = ApiError::validation(vec![FieldError::new(
            "email",
            Code::InvalidEmail,
            "not an e-mail address",
        )]);
        let p = e.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.code, "validation_failed");
        assert_eq!(p.type_uri, "urn:jglm:problem:validation_failed");
        assert!(p.detail.contains("email"));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal("connection reset by peer at 10.0.0.3");
        let body = serde_json::to_string(&e.problem()).unwrap_or_default();
        assert!(!body.contains("10.0.0.3"));
        assert_eq!(e.problem().code, "internal");
    }
}
