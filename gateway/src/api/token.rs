//! `POST /token` (password and client-credentials grants), `GET /me`, `GET /jwks`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::ToSchema;

use crate::db::models::{AccountRow, ClientRow};
use crate::db::schema::{accounts, api_clients};
use crate::keys::Jwks;
use crate::passwords;
use crate::throttle::LoginThrottle;
use crate::tokens::{Subject, TokenIssuer};

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

pub struct AuthState {
    pub issuer: TokenIssuer,
    pub throttle: LoginThrottle,
}

/// Issue a token.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded")
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
    let subject = match form.grant_type.as_str() {
        "password" => password_grant(&req, form, &db, &state).await?,
        "client_credentials" => client_grant(&req, form, &db, &state).await?,
        other => {
            return Err(ApiError::bad_request(
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported; use password or client_credentials"),
            ));
        }
    };
    let scope = (!subject.scopes.is_empty()).then(|| subject.scopes.join(" "));
    let (token, expires_in) = state.issuer.issue(subject)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in,
            scope,
        }))
}

fn parse_body(req: &HttpRequest, body: &[u8]) -> Result<TokenRequest, ApiError> {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctype.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::bad_request("invalid_body", format!("the form could not be read: {e}")))
    } else if ctype.starts_with("application/json") {
        serde_json::from_slice(body).map_err(|e| {
            if e.is_data() {
                ApiError::unprocessable("invalid_body", format!("the JSON body does not fit the schema: {e}"))
            } else {
                ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
            }
        })
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/json or application/x-www-form-urlencoded",
        ))
    }
}

fn required(v: Option<String>, field: &str) -> Result<String, ApiError> {
    v.filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("invalid_request", format!("{field} is required for this grant")))
}

fn peer(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default()
}

fn too_many(wait: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many failed attempts; try again in {wait} s"),
    )
    .with_header(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait.to_string()).unwrap_or(HeaderValue::from_static("30")),
    )
}

async fn password_grant(
    req: &HttpRequest,
    form: TokenRequest,
    db: &Db,
    state: &AuthState,
) -> Result<Subject, ApiError> {
    let username = required(form.username, "username")?;
    let password = required(form.password, "password")?;
    let keys = vec![format!("user:{}", username.to_lowercase()), format!("ip:{}", peer(req))];
    state.throttle.check(&keys).map_err(too_many)?;
    let name = username.clone();
    let row = db
        .run(move |c| {
            let row = accounts::table
                .filter(accounts::username.eq(&name))
                .select(AccountRow::as_select())
                .first(c)
                .optional()?;
            // Verify on the blocking pool too: argon2 is deliberately slow.
            Ok(match row {
                Some(r) if passwords::verify(&password, &r.password_hash) => Some(r),
                Some(_) => None,
                None => {
                    passwords::verify_dummy(&password);
                    None
                }
            })
        })
        .await?;
    match row {
        Some(r) if !r.disabled => {
            state.throttle.succeeded(&keys[..1]);
            let role: Role = r.role.parse().map_err(ApiError::internal)?;
            Ok(Subject {
                sub: format!("account:{}", r.id),
                role,
                scope: r.scope,
                scopes: Vec::new(),
                name: Some(r.display_name),
            })
        }
        Some(_) => Err(ApiError::unauthorized("account_disabled", "this account is disabled")),
        None => {
            state.throttle.failed(&keys);
            Err(ApiError::unauthorized(
                "invalid_credentials",
                "wrong user name or password",
            ))
        }
    }
}

async fn client_grant(req: &HttpRequest, form: TokenRequest, db: &Db, state: &AuthState) -> Result<Subject, ApiError> {
    let client_id = required(form.client_id, "client_id")?;
    let secret = required(form.client_secret, "client_secret")?;
    let keys = vec![format!("client:{client_id}"), format!("ip:{}", peer(req))];
    state.throttle.check(&keys).map_err(too_many)?;
    let id = client_id.clone();
    let row = db
        .run(move |c| {
            let row = api_clients::table
                .filter(api_clients::client_id.eq(&id))
                .select(ClientRow::as_select())
                .first(c)
                .optional()?;
            Ok(match row {
                Some(r) if passwords::verify(&secret, &r.secret_hash) => Some(r),
                Some(_) => None,
                None => {
                    passwords::verify_dummy(&secret);
                    None
                }
            })
        })
        .await?;
    let Some(client) = row else {
        state.throttle.failed(&keys);
        return Err(ApiError::unauthorized("invalid_client", "wrong client id or secret"));
    };
    if client.disabled {
        return Err(ApiError::unauthorized("client_disabled", "this client is disabled"));
    }
    state.throttle.succeeded(&keys[..1]);
    let granted: Vec<String> = client.scopes.split_whitespace().map(str::to_owned).collect();
    let scopes = match form.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => granted,
        Some(asked) => {
            let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
            if let Some(extra) = asked.iter().find(|s| !granted.contains(s)) {
                return Err(ApiError::bad_request(
                    "invalid_scope",
                    format!("scope {extra:?} was not granted to this client"),
                ));
            }
            asked
        }
    };
    Ok(Subject {
        sub: format!("client:{}", client.client_id),
        role: Role::Service,
        scope: None,
        scopes,
        name: Some(client.name),
    })
}

/// The caller's identity, role and scopes.
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
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
    responses((status = 200, body = Jwks)),
    security(())
)]
pub async fn jwks(state: web::Data<AuthState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.issuer.keys.jwks())
}
