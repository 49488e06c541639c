//! Admin management of API clients (other systems): `GET/POST /clients`, `GET/PATCH /clients/{id}`.
//! The secret is shown once, when created or rotated; only its hash is stored.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::auth::TokenVerifier;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::ToSchema;

use crate::app::clients::{self as use_case, ClientEdit};
use crate::db::models::ClientRow;
use crate::domain::clients::scopes_of;

/// 接入系统（API 客户端）：以 `client_credentials` 方式取令牌的其他系统。
/// An API client: another system that gets its tokens with `client_credentials`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiClient {
    /// 编号。The id.
    pub id: i64,
    /// 取令牌时用的 `client_id`。The `client_id` to get tokens with.
    pub client_id: String,
    /// 系统名称，如 某职业院校教务系统。The system's name.
    pub name: String,
    /// 授予的授权范围，如 `members:read`。The scopes granted, e.g. `members:read`.
    pub scopes: Vec<String>,
    /// 已停用的接入系统取不到令牌。A disabled client gets no token.
    pub disabled: bool,
    /// 创建时间（UTC）。When it was created (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    /// 最后修改时间（UTC）。When it was last changed (UTC).
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
    /// 密钥，仅在新建或更换密钥的应答中出现这一次，请立即妥善保存。
    /// Present only in the answer to a create or a secret rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl From<ClientRow> for ApiClient {
    fn from(r: ClientRow) -> Self {
        Self {
            id: r.id,
            client_id: r.client_id,
            name: r.name,
            scopes: scopes_of(&r.scopes),
            disabled: r.disabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
            client_secret: None,
        }
    }
}

/// 新的接入系统（API 客户端）。A new API client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "某职业院校教务系统", "scopes": ["members:read", "meetings:read"]}))]
pub struct NewApiClient {
    /// 系统名称，1–100 个字符。The system's name, 1–100 characters.
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: String,
    /// 授予的授权范围。The scopes to grant.
    #[schema(value_type = Vec<crate::domain::clients::ClientScope>)]
    pub scopes: Vec<String>,
}

/// 修改接入系统：只改给出的字段。A change to an API client: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scopes": ["members:read", "meetings:read", "documents:read"], "rotate_secret": true}))]
pub struct ApiClientPatch {
    /// 新名称，1–100 个字符。A new name, 1–100 characters.
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// 新的授权范围（替换原有的全部范围）。New scopes (they replace all the current ones).
    #[schema(value_type = Option<Vec<crate::domain::clients::ClientScope>>)]
    pub scopes: Option<Vec<String>>,
    /// `true` 停用，`false` 重新启用。`true` disables the client, `false` enables it again.
    pub disabled: Option<bool>,
    /// 更换密钥：新密钥只在本次应答中出现一次，旧密钥随即失效。
    /// Issue a new secret (returned once); the old one stops working.
    #[serde(default)]
    pub rotate_secret: bool,
}

/// 接入系统列表 · List API clients.
///
/// 按编号顺序分页列出全部接入系统（API 客户端），不含密钥。
///
/// All API clients, a page at a time in id order, without their secrets.
#[utoipa::path(get, path = "/api/v1/auth/clients", tag = "auth", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<ApiClient>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, q: web::Query<PageQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let page = use_case::list(&db, q.window()?).await?;
    Ok(HttpResponse::Ok().json(page.map(ApiClient::from)))
}

/// 登记接入系统 · Register another system; the answer carries its secret, shown this once.
///
/// 为其他系统（如某职业院校教务系统）登记一个 API 客户端并授予授权范围。应答中的 `client_id` 与
/// `client_secret` 用于 `POST /api/v1/auth/token`（`grant_type=client_credentials`）取令牌；密钥只显示这一次，
/// 本系统只保存其散列值。
///
/// Registers an API client for another system with its scopes. The `client_id` and
/// `client_secret` in the answer get tokens at `POST /api/v1/auth/token`
/// (`grant_type=client_credentials`); only the secret's hash is stored.
#[utoipa::path(post, path = "/api/v1/auth/clients", tag = "auth", request_body = NewApiClient,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = ApiClient), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewApiClient>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let body = body.into_inner();
    let (row, secret) = use_case::create(&db, body.name, body.scopes).await?;
    let mut out = ApiClient::from(row);
    out.client_secret = Some(secret);
    Ok(HttpResponse::Created().json(out))
}

/// 查看接入系统 · One API client (without its secret).
///
/// 按编号读取一个接入系统（API 客户端），不含密钥。
///
/// One API client by its id, without its secret.
#[utoipa::path(get, path = "/api/v1/auth/clients/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = ApiClient), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let row = use_case::get(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ApiClient::from(row)))
}

/// 修改接入系统 · Rename, change scopes, disable, or rotate the secret of an API client.
///
/// 可改名称、授权范围，停用或重新启用，或更换密钥（新密钥只在本次应答中出现）。改授权范围、换密钥以及停用、
/// 重新启用，都会吊销该接入系统此前签发的令牌（此后答 401 `token_revoked`），它须重新取令牌。
///
/// New scopes, a new secret, disabling and enabling again end the client's tokens issued so far
/// (401 `token_revoked` from then on); the client gets a new one.
#[utoipa::path(patch, path = "/api/v1/auth/clients/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = ApiClientPatch,
    responses((status = 200, body = ApiClient), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body: Json<ApiClientPatch>,
    db: web::Data<Db>,
    verifier: web::Data<TokenVerifier>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let patch = body.into_inner();
    let edit = ClientEdit {
        name: patch.name,
        scopes: patch.scopes,
        disabled: patch.disabled,
        rotate_secret: patch.rotate_secret,
    };
    let (row, secret) = use_case::update(&db, verifier.revocations(), id.into_inner(), edit).await?;
    let mut out = ApiClient::from(row);
    out.client_secret = secret;
    Ok(HttpResponse::Ok().json(out))
}
