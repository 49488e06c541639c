//! Admin management of accounts: `GET/POST /accounts`, `GET/PATCH /accounts/{id}`.

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
use crate::api::token::AuthState;
use crate::db::models::{AccountChanges, AccountRow, NewAccountRow};
use crate::db::schema::accounts;
use crate::{passwords, revocations};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
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
    #[schema(value_type = crate::api::validate::AccountRole)]
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
    #[schema(value_type = Option<crate::api::validate::AccountRole>)]
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
    let (limit, after) = (q.limit()?, q.after_id()?);
    let rows = db
        .run(move |c| {
            Ok(accounts::table
                .filter(accounts::id.gt(after))
                .order(accounts::id)
                .limit(limit + 1)
                .select(AccountRow::as_select())
                .load(c)?)
        })
        .await?;
    let page = Page::from_rows(rows.into_iter().map(Account::from).collect(), limit, |a| a.id);
    Ok(HttpResponse::Ok().json(page))
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
    let mut errors = Vec::new();
    validate::username(&body.username, &mut errors);
    validate::display_name(&body.display_name, &mut errors);
    validate::password(&body.password, &mut errors);
    validate::role_and_scope(&body.role, body.scope.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let password_hash = passwords::hash_off_thread(body.password.clone()).await?;
    let row = db
        .write(move |c| {
            let now = Utc::now().naive_utc();
            let taken: i64 = accounts::table
                .filter(accounts::username.eq(&body.username))
                .count()
                .get_result(c)?;
            if taken > 0 {
                return Err(ApiError::conflict(
                    Code::UsernameTaken,
                    format!("user name {} is taken", body.username),
                ));
            }
            let new = NewAccountRow {
                username: body.username.clone(),
                display_name: body.display_name.trim().to_owned(),
                password_hash,
                role: body.role,
                scope: body.scope,
                disabled: false,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(accounts::table).values(&new).execute(c)?;
            Ok(accounts::table
                .filter(accounts::username.eq(&body.username))
                .select(AccountRow::as_select())
                .first(c)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(Account::from(row)))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/auth/accounts/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Account), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let row = db.run(move |c| find(c, id)).await?;
    Ok(HttpResponse::Ok().json(Account::from(row)))
}

fn find(c: &mut DbConn, id: i64) -> Result<AccountRow, ApiError> {
    accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no account {id}")))
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
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(n) = &patch.display_name {
        validate::display_name(n, &mut errors);
    }
    if let Some(p) = &patch.password {
        validate::password(p, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let password_hash = match patch.password.clone() {
        Some(p) => Some(passwords::hash_off_thread(p).await?),
        None => None,
    };
    let password_changed = password_hash.is_some();
    let row = db
        .write(move |c| {
            let current = find(c, id)?;
            let role = patch.role.clone().unwrap_or_else(|| current.role.clone());
            let scope = patch.scope.clone().unwrap_or_else(|| current.scope.clone());
            let mut errors = Vec::new();
            validate::role_and_scope(&role, scope.as_deref(), &mut errors);
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            let stays_admin = role == "admin" && !patch.disabled.unwrap_or(current.disabled);
            if current.role == "admin" && !current.disabled && !stays_admin {
                let admins: i64 = accounts::table
                    .filter(accounts::role.eq("admin"))
                    .filter(accounts::disabled.eq(false))
                    .count()
                    .get_result(c)?;
                if admins <= 1 {
                    return Err(ApiError::conflict(
                        Code::LastAdmin,
                        "at least one enabled admin account must remain",
                    ));
                }
            }
            // Tokens carry the role and scope, and must not outlive a disable or a new password:
            // all of these end the tokens issued so far. Re-enabling raises the version too, so
            // that a new token is told apart from the ones the disable ended.
            let revoke = password_hash.is_some()
                || role != current.role
                || scope != current.scope
                || patch.disabled.is_some_and(|d| d != current.disabled);
            let changes = AccountChanges {
                display_name: patch.display_name.map(|n| n.trim().to_owned()),
                password_hash,
                role: patch.role,
                scope: patch.scope,
                disabled: patch.disabled,
                updated_at: Some(Utc::now().naive_utc()),
            };
            diesel::update(accounts::table.find(id)).set(&changes).execute(c)?;
            if revoke {
                revocations::bump_account(c, id)?;
            }
            find(c, id)
        })
        .await?;
    // At once on this replica; the others and the services follow within seconds.
    verifier.revocations().apply([revocations::account_state(&row)]);
    if password_changed {
        crate::forget_bootstrap_password(&auth.bootstrap_file, &row.username);
    }
    Ok(HttpResponse::Ok().json(Account::from(row)))
}
