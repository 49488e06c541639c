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

/// 取令牌的请求（OAuth 2.0 方式），JSON 或表单均可。
/// A token request (OAuth 2.0 style), as JSON or as a form.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "…"}))]
pub struct TokenRequest {
    /// 人员用 `password`，其他系统用 `client_credentials`。`password` for people, `client_credentials` for systems.
    pub grant_type: String,
    /// 用户名（`password` 方式）。The user name (`password` grant).
    pub username: Option<String>,
    /// 密码（`password` 方式）。The password (`password` grant).
    pub password: Option<String>,
    /// 接入系统的 `client_id`（`client_credentials` 方式）。The API client's id (`client_credentials` grant).
    pub client_id: Option<String>,
    /// 接入系统的密钥（`client_credentials` 方式）。The API client's secret (`client_credentials` grant).
    pub client_secret: Option<String>,
    /// 所要的授权范围，空格分隔，须为该接入系统已获授予的子集（仅 `client_credentials`）。
    /// Space-separated subset of the client's scopes (client credentials only).
    pub scope: Option<String>,
}

/// `POST /auth/token` 接受的两种方式：人员用 `password`（用户名与密码），其他系统用 `client_credentials`
/// （`client_id` 与密钥）；其他 `grant_type` 或缺少字段答 400。
/// The two grants `POST /auth/token` takes, as documented (the handler reads [`TokenRequest`]
/// and answers 400 for another `grant_type` or a missing or empty field of its grant).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "…"}))]
pub enum TokenGrant {
    /// 人员：用户名与密码。People: a user name and its password.
    Password {
        /// 用户名。The user name.
        #[schema(min_length = 1)]
        username: String,
        /// 密码。The password.
        #[schema(min_length = 1)]
        password: String,
    },
    /// 其他系统：接入系统的 `client_id` 与密钥。Systems: an API client's id and secret.
    ClientCredentials {
        /// 接入系统的 `client_id`。The API client's id.
        #[schema(min_length = 1)]
        client_id: String,
        /// 接入系统的密钥。The API client's secret.
        #[schema(min_length = 1)]
        client_secret: String,
        /// 所要的授权范围，空格分隔，须为已授予范围的子集；不填则得到全部已授予范围。
        /// Space-separated subset of the client's scopes.
        scope: Option<String>,
    },
}

/// 签发的令牌。The token issued.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// EdDSA 签名的 JWT 令牌；请求时放在 `Authorization: Bearer <token>` 中发送。
    /// An EdDSA-signed JWT; send it as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// 总是 `Bearer`。Always `Bearer`.
    pub token_type: String,
    /// 令牌还有多少秒过期。Seconds until the token expires.
    pub expires_in: i64,
    /// 令牌过期的时刻（RFC 3339，UTC）；过期后请重新取令牌。When the token expires (RFC 3339, UTC); then get a new one.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: String,
    /// 令牌所带的授权范围，空格分隔（接入系统）。The token's scopes, space-separated (API clients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// 令牌所载明的调用者身份。The caller's identity as the token states it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// 令牌的主体（账号或接入系统）。The token's subject (an account or an API client).
    pub subject: String,
    /// 角色。The role.
    pub role: Role,
    /// 有范围的角色所属的单位、协作组或人员，如 `unit:12`。The unit, group or person of a scoped role, e.g. `unit:12`.
    pub scope: Option<String>,
    /// 授权范围（接入系统）。The scopes (API clients).
    pub scopes: Vec<String>,
    /// 显示的姓名或系统名称。The name shown, or the system's name.
    pub name: Option<String>,
}

/// 取令牌（登录） · Issue a token.
///
/// 人员以 `grant_type=password` 提交用户名和密码，其他系统（接入系统）以 `grant_type=client_credentials` 提交
/// `client_id` 与密钥，可用 JSON 或表单。应答中的 `access_token` 放在 `Authorization: Bearer <token>` 中发送，
/// `expires_in` 秒后过期。多次登录失败后答 429，按 `Retry-After` 等待后再试。
///
/// People send `grant_type=password` with a user name and password, other systems (API clients)
/// `grant_type=client_credentials` with their id and secret, as JSON or as a form. Send the
/// `access_token` as `Authorization: Bearer <token>`; it expires after `expires_in` seconds.
/// After repeated failed logins the answer is 429; wait as `Retry-After` says.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    extensions(("x-roles" = json!(["public"]))),
    request_body(content(
        (TokenGrant = "application/json"),
        (TokenGrant = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, description = "短期有效的令牌 · A short-lived bearer token", body = TokenResponse),
        (status = 400, description = "不支持的方式或缺少字段 · Unknown grant or missing fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "用户名、密码或密钥不对 · Wrong credentials", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "登录失败次数过多，见 Retry-After · Too many failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
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
            expires_at: (chrono::Utc::now() + chrono::Duration::seconds(issued.expires_in))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
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

/// 当前身份 · The caller's identity, role and scopes.
///
/// 返回所带令牌载明的身份：主体、角色、范围与授权范围。可用来确认登录是否成功、以谁的身份在操作。
///
/// What the token sent states: subject, role, scope and scopes; a quick check of who is logged in.
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses(
        (status = 200, body = Me),
        (status = 401, description = "未提供有效令牌 · No valid token", body = Problem, content_type = "application/problem+json"),
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

/// 验签公钥 · The public key(s) tokens are signed with (JWKS).
///
/// 令牌签名所用的公钥（JWKS 格式），供其他系统自行验证令牌；无需令牌即可读取。
///
/// The public keys in JWKS form, for other systems that verify tokens themselves; no token needed.
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
