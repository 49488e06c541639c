//! Admin management of API clients (other systems): `GET/POST /clients`, `GET/PATCH /clients/{id}`.
//! The secret is shown once, when created or rotated; only its hash is stored.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::auth::TokenVerifier;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem, Role};
use utoipa::ToSchema;

use super::validate;
use crate::db::models::{ClientChanges, ClientRow, NewClientRow};
use crate::db::schema::api_clients;
use crate::{passwords, revocations};

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
            scopes: r.scopes.split_whitespace().map(str::to_owned).collect(),
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
    #[schema(value_type = Vec<crate::api::validate::ClientScope>)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiClientPatch {
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(value_type = Option<Vec<crate::api::validate::ClientScope>>)]
    pub scopes: Option<Vec<String>>,
    pub disabled: Option<bool>,
    /// Issue a new secret (returned once); the old one stops working.
    #[serde(default)]
    pub rotate_secret: bool,
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        errors.push(FieldError::new("name", Code::InvalidName, "1–100 characters"));
    }
}

/// List API clients.
#[utoipa::path(get, path = "/api/v1/auth/clients", tag = "auth", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<ApiClient>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, q: web::Query<PageQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let (limit, after) = (q.limit()?, q.after_id()?);
    let rows = db
        .run(move |c| {
            Ok(api_clients::table
                .filter(api_clients::id.gt(after))
                .order(api_clients::id)
                .limit(limit + 1)
                .select(ClientRow::as_select())
                .load(c)?)
        })
        .await?;
    let page = Page::from_rows(rows.into_iter().map(ApiClient::from).collect(), limit, |a| a.id);
    Ok(HttpResponse::Ok().json(page))
}

/// Register another system; the answer carries its secret, shown this once.
#[utoipa::path(post, path = "/api/v1/auth/clients", tag = "auth", request_body = NewApiClient,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = ApiClient), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewApiClient>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    check_name(&body.name, &mut errors);
    validate::client_scopes(&body.scopes, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let client_id = format!("cl_{}", passwords::random_secret(16).to_lowercase());
    let secret = passwords::random_secret(40);
    let hash = passwords::hash_off_thread(secret.clone()).await?;
    let cid = client_id.clone();
    let row = db
        .write(move |c| {
            let now = Utc::now().naive_utc();
            diesel::insert_into(api_clients::table)
                .values(&NewClientRow {
                    client_id: cid.clone(),
                    name: body.name.trim().to_owned(),
                    secret_hash: hash,
                    scopes: body.scopes.join(" "),
                    disabled: false,
                    created_at: now,
                    updated_at: now,
                })
                .execute(c)?;
            Ok(api_clients::table
                .filter(api_clients::client_id.eq(&cid))
                .select(ClientRow::as_select())
                .first(c)?)
        })
        .await?;
    let mut out = ApiClient::from(row);
    out.client_secret = Some(secret);
    Ok(HttpResponse::Created().json(out))
}

fn find(c: &mut DbConn, id: i64) -> Result<ClientRow, ApiError> {
    api_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no API client {id}")))
}

/// One API client (without its secret).
#[utoipa::path(get, path = "/api/v1/auth/clients/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = ApiClient), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let row = db.run(move |c| find(c, id)).await?;
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
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut errors = Vec::new();
    if let Some(n) = &patch.name {
        check_name(n, &mut errors);
    }
    if let Some(s) = &patch.scopes {
        validate::client_scopes(s, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let secret = patch.rotate_secret.then(|| passwords::random_secret(40));
    let secret_hash = match secret.clone() {
        Some(s) => Some(passwords::hash_off_thread(s).await?),
        None => None,
    };
    let row = db
        .write(move |c| {
            let current = find(c, id)?;
            let scopes = patch.scopes.map(|s| s.join(" "));
            // Tokens carry the scopes; a new secret or a disable must end the old tokens too.
            // Re-enabling raises the version as well (see accounts::update).
            let revoke = secret_hash.is_some()
                || scopes.as_ref().is_some_and(|s| *s != current.scopes)
                || patch.disabled.is_some_and(|d| d != current.disabled);
            let changes = ClientChanges {
                name: patch.name.map(|n| n.trim().to_owned()),
                secret_hash,
                scopes,
                disabled: patch.disabled,
                updated_at: Some(Utc::now().naive_utc()),
            };
            diesel::update(api_clients::table.find(id)).set(&changes).execute(c)?;
            if revoke {
                revocations::bump_client(c, id)?;
            }
            find(c, id)
        })
        .await?;
    // At once on this replica; the others and the services follow within seconds.
    verifier.revocations().apply([revocations::client_state(&row)]);
    let mut out = ApiClient::from(row);
    out.client_secret = secret;
    Ok(HttpResponse::Ok().json(out))
}
