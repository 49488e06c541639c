//! `POST /token` (password and client-credentials grants), `GET /me`, `GET /jwks`.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use service_kit::{ApiError, Caller, Code, Db, Problem, Role};
use utoipa::ToSchema;

use crate::app::AuthState;
use crate::app::login::{self, Grant};
use crate::keys::Jwks;
use crate::proxy::{self, ProxyConfig};

/// A token request (OAuth 2.0 style), as JSON or as a form.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "…"}))]
pub struct TokenRequest {
    /// `password` for people, `client_credentials` for systems.
    pub grant_type: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated subset of the client's scopes (client credentials only).
    pub scope: Option<String>,
}

/// The two grants `POST /auth/token` takes, as documented (the handler reads [`TokenRequest`]
/// and answers 400 for another `grant_type` or a missing or empty field of its grant).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "…"}))]
pub enum TokenGrant {
    /// People: a user name and its password.
    Password {
        #[schema(min_length = 1)]
        username: String,
        #[schema(min_length = 1)]
        password: String,
    },
    /// Systems: an API client's id and secret.
    ClientCredentials {
        #[schema(min_length = 1)]
        client_id: String,
        #[schema(min_length = 1)]
        client_secret: String,
        /// Space-separated subset of the client's scopes.
        scope: Option<String>,
    },
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// An EdDSA-signed JWT; send it as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// The caller's identity as the token states it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub subject: String,
    pub role: Role,
    pub scope: Option<String>,
    pub scopes: Vec<String>,
    pub name: Option<String>,
}

/// Issue a token.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    extensions(("x-roles" = json!(["public"]))),
    request_body(content(
        (TokenGrant = "application/json"),
        (TokenGrant = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, description = "A short-lived bearer token", body = TokenResponse),
        (status = 400, description = "Unknown grant or missing fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
pub async fn issue(
    req: HttpRequest,
    body: web::Bytes,
    db: web::Data<Db>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, ApiError> {
    let form: TokenRequest = parse_body(&req, &body)?;
    let grant = grant(form)?;
    let issued = login::issue(&db, &state, &peer(&req), grant).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in,
            scope: issued.scope,
        }))
}

/// The grant asked for, with its fields: 400 for another `grant_type` or a missing field.
fn grant(form: TokenRequest) -> Result<Grant, ApiError> {
    match form.grant_type.as_str() {
        "password" => Ok(Grant::Password {
            username: required(form.username, "username")?,
            password: required(form.password, "password")?,
        }),
        "client_credentials" => Ok(Grant::ClientCredentials {
            client_id: required(form.client_id, "client_id")?,
            client_secret: required(form.client_secret, "client_secret")?,
            scope: form.scope,
        }),
        other => Err(ApiError::bad_request(
            Code::UnsupportedGrantType,
            format!("grant_type {other:?} is not supported; use password or client_credentials"),
        )),
    }
}

fn parse_body(req: &HttpRequest, body: &[u8]) -> Result<TokenRequest, ApiError> {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctype.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::bad_request(Code::InvalidBody, format!("the form could not be read: {e}")))
    } else if ctype.starts_with("application/json") {
        service_kit::json::from_slice(body)
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::UnsupportedMediaType,
            "send application/json or application/x-www-form-urlencoded",
        ))
    }
}

fn required(v: Option<String>, field: &str) -> Result<String, ApiError> {
    v.filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request(Code::InvalidRequest, format!("{field} is required for this grant")))
}

/// The client's address for the throttle: behind a trusted proxy (`GATEWAY_TRUSTED_PROXIES`),
/// the address it forwarded for, so that one client's failures do not slow everyone behind it.
fn peer(req: &HttpRequest) -> String {
    let trusted = req
        .app_data::<web::Data<ProxyConfig>>()
        .map(|p| p.trusted_proxies.as_slice())
        .unwrap_or_default();
    proxy::client_ip(req, trusted)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// The caller's identity, role and scopes.
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses(
        (status = 200, body = Me),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        subject: caller.subject,
        role: caller.role,
        scope: caller.scope.map(|s| s.to_string()),
        scopes: caller.scopes,
        name: caller.name,
    })
}

/// The public key(s) tokens are signed with (JWKS).
#[utoipa::path(
    get, path = "/api/v1/auth/jwks", tag = "auth",
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, body = Jwks)),
    security(())
)]
pub async fn jwks(state: web::Data<AuthState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.issuer.keys.jwks())
}
