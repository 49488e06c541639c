//! `POST /token` (password and client-credentials grants), `GET /me`, `GET /jwks`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::{ApiError, Caller, Code, Db, Problem, Role};
use utoipa::ToSchema;

use crate::db::login_failures;
use crate::db::models::{AccountRow, ClientRow};
use crate::db::schema::{accounts, api_clients};
use crate::keys::Jwks;
use crate::passwords;
use crate::proxy::{self, ProxyConfig};
use crate::throttle::{Failure, LoginThrottle, NameRecord};
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

pub struct AuthState {
    pub issuer: TokenIssuer,
    pub throttle: LoginThrottle,
    /// Where the one-process suite keeps the generated bootstrap password
    /// ([`crate::BOOTSTRAP_FILE`]); removed when that account's password changes.
    pub bootstrap_file: std::path::PathBuf,
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
    let subject = match form.grant_type.as_str() {
        "password" => password_grant(&req, form, &db, &state).await?,
        "client_credentials" => client_grant(&req, form, &db, &state).await?,
        other => {
            return Err(ApiError::bad_request(
                Code::UnsupportedGrantType,
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

fn too_many(wait: u64, detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        Code::RateLimited,
        format!("{detail}; try again in {wait} s"),
    )
    .with_header(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait.to_string()).unwrap_or(HeaderValue::from_static("30")),
    )
}

/// The answer to failed credentials: 401 `plain`, or 429 once the name is locked or the address
/// is slowed (see [`crate::throttle`]), after the address's delay. The name's failure is counted
/// in the database, so every replica sees it.
async fn refuse(db: &Db, throttle: &LoginThrottle, name: &str, address: &str, plain: ApiError) -> ApiError {
    let key = name.to_owned();
    let record = match db
        .run(move |c| Ok(login_failures::record_failure(c, &key, Utc::now().naive_utc())?))
        .await
    {
        Ok(record) => record,
        // Not counted: say so rather than answer as if it were.
        Err(e) => return e,
    };
    match throttle.failed(&record, address) {
        Failure::Plain => plain,
        Failure::Limited {
            delay,
            retry_after_secs,
        } => {
            if !delay.is_zero() {
                actix_web::rt::time::sleep(delay).await;
            }
            too_many(retry_after_secs, "too many failed logins from this address")
        }
    }
}

/// The name's recent failures, if any (see [`crate::throttle`]).
async fn failures(db: &Db, name: &str) -> Result<Option<NameRecord>, ApiError> {
    let key = name.to_owned();
    db.run(move |c| Ok(login_failures::find(c, &key)?)).await
}

fn locked(record: Option<NameRecord>) -> Option<u64> {
    record.and_then(|r| r.locked_for(Utc::now().naive_utc()))
}

/// A right password or secret: the name's failures, if it had any, are forgotten.
async fn succeeded(db: &Db, name: &str, record: Option<NameRecord>) -> Result<(), ApiError> {
    if record.is_none() {
        return Ok(());
    }
    let key = name.to_owned();
    db.run(move |c| Ok(login_failures::clear(c, &key)?)).await
}

async fn password_grant(
    req: &HttpRequest,
    form: TokenRequest,
    db: &Db,
    state: &AuthState,
) -> Result<Subject, ApiError> {
    let username = required(form.username, "username")?;
    let password = required(form.password, "password")?;
    let name_key = format!("user:{}", username.to_lowercase());
    // A locked name is refused whatever the password: people's passwords can be guessed.
    let record = failures(db, &name_key).await?;
    if let Some(wait) = locked(record) {
        return Err(too_many(wait, "too many failed logins for this user name"));
    }
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
            succeeded(db, &name_key, record).await?;
            let role: Role = r.role.parse().map_err(ApiError::internal)?;
            Ok(Subject {
                sub: format!("account:{}", r.id),
                role,
                scope: r.scope,
                scopes: Vec::new(),
                name: Some(r.display_name),
                token_version: r.token_version,
            })
        }
        Some(_) => Err(ApiError::unauthorized(
            Code::AccountDisabled,
            "this account is disabled",
        )),
        None => Err(refuse(
            db,
            &state.throttle,
            &name_key,
            &peer(req),
            ApiError::unauthorized(Code::InvalidCredentials, "wrong user name or password"),
        )
        .await),
    }
}

async fn client_grant(req: &HttpRequest, form: TokenRequest, db: &Db, state: &AuthState) -> Result<Subject, ApiError> {
    let client_id = required(form.client_id, "client_id")?;
    let secret = required(form.client_secret, "client_secret")?;
    let name_key = format!("client:{client_id}");
    // A locked client id is still checked: its right secret passes (see crate::throttle).
    let record = failures(db, &name_key).await?;
    let locked = locked(record);
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
        let plain = match locked {
            Some(wait) => too_many(wait, "too many failed attempts for this client id"),
            None => ApiError::unauthorized(Code::InvalidClient, "wrong client id or secret"),
        };
        return Err(refuse(db, &state.throttle, &name_key, &peer(req), plain).await);
    };
    if client.disabled {
        return Err(ApiError::unauthorized(Code::ClientDisabled, "this client is disabled"));
    }
    succeeded(db, &name_key, record).await?;
    let granted: Vec<String> = client.scopes.split_whitespace().map(str::to_owned).collect();
    let scopes = match form.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => granted,
        Some(asked) => {
            let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
            if let Some(extra) = asked.iter().find(|s| !granted.contains(s)) {
                return Err(ApiError::bad_request(
                    Code::InvalidScope,
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
        token_version: client.token_version,
    })
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
