//! Admin management of accounts: `GET/POST /accounts`, `GET/PATCH /accounts/{id}`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::auth::TokenVerifier;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::ToSchema;

use crate::app::AuthState;
use crate::app::accounts::{self as use_case, AccountEdit};
use crate::db::models::AccountRow;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    // A string in the contract, as it always was.
    #[schema(value_type = String)]
    pub role: Role,
    /// `unit:<id>`, `group:<id>` or `person:<id>` for scoped roles.
    pub scope: Option<String>,
    pub disabled: bool,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Self {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            scope: r.scope,
            disabled: r.disabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "zhang.wei", "display_name": "张伟", "password": "a long passphrase", "role": "unit_contact", "scope": "unit:12"}))]
pub struct NewAccount {
    #[schema(pattern = "^[A-Za-z0-9._@-]{3,64}$")]
    pub username: String,
    #[schema(max_length = 100, pattern = r"\S")]
    pub display_name: String,
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// admin, group_secretary, unit_contact or member.
    #[schema(value_type = crate::domain::accounts::AccountRole)]
    pub role: String,
    pub scope: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[schema(max_length = 100, pattern = r"\S")]
    pub display_name: Option<String>,
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    #[schema(value_type = Option<crate::domain::accounts::AccountRole>)]
    pub role: Option<String>,
    /// `null` clears the scope (admins only have none).
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub scope: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// List accounts.
#[utoipa::path(get, path = "/api/v1/auth/accounts", tag = "auth", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<Account>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, q: web::Query<PageQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let page = use_case::list(&db, q.window()?).await?;
    Ok(HttpResponse::Ok().json(page.map(Account::from)))
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/auth/accounts", tag = "auth", request_body = NewAccount,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Account),
        (status = 409, description = "User name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewAccount>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let body = body.into_inner();
    let new = use_case::NewAccount {
        username: body.username,
        display_name: body.display_name,
        password: body.password,
        role: body.role,
        scope: body.scope,
    };
    let row = use_case::create(&db, new).await?;
    Ok(HttpResponse::Created().json(Account::from(row)))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/auth/accounts/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Account), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let row = use_case::get(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Account::from(row)))
}

/// Change an account: name, password, role and scope, or disable it.
///
/// A new password, role or scope, disabling and enabling again end the account's tokens issued
/// so far (401 `token_revoked` from then on); the person logs in again.
#[utoipa::path(patch, path = "/api/v1/auth/accounts/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = AccountPatch,
    responses((status = 200, body = Account),
        (status = 409, description = "Would leave no enabled admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body: Json<AccountPatch>,
    db: web::Data<Db>,
    verifier: web::Data<TokenVerifier>,
    auth: web::Data<AuthState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let patch = body.into_inner();
    let edit = AccountEdit {
        display_name: patch.display_name,
        password: patch.password,
        role: patch.role,
        scope: patch.scope,
        disabled: patch.disabled,
    };
    let row = use_case::update(&db, verifier.revocations(), &auth.bootstrap_file, id.into_inner(), edit).await?;
    Ok(HttpResponse::Ok().json(Account::from(row)))
}
