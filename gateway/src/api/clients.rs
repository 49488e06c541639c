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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiClient {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub disabled: bool,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "省人社厅数据交换", "scopes": ["members:read"]}))]
pub struct NewApiClient {
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = Vec<crate::domain::clients::ClientScope>)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiClientPatch {
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(value_type = Option<Vec<crate::domain::clients::ClientScope>>)]
    pub scopes: Option<Vec<String>>,
    pub disabled: Option<bool>,
    /// Issue a new secret (returned once); the old one stops working.
    #[serde(default)]
    pub rotate_secret: bool,
}

/// List API clients.
#[utoipa::path(get, path = "/api/v1/auth/clients", tag = "auth", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<ApiClient>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, q: web::Query<PageQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let page = use_case::list(&db, q.window()?).await?;
    Ok(HttpResponse::Ok().json(page.map(ApiClient::from)))
}

/// Register another system; the answer carries its secret, shown this once.
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

/// One API client (without its secret).
#[utoipa::path(get, path = "/api/v1/auth/clients/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = ApiClient), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let row = use_case::get(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ApiClient::from(row)))
}

/// Rename, change scopes, disable, or rotate the secret of an API client.
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
