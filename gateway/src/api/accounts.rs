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

/// 账号：一个登录本系统的人（秘书处工作人员、协作组秘书、单位联系人或成员本人）。
/// An account: a person who logs in (secretariat staff, group secretary, unit contact or member).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// 账号编号。The account's id.
    pub id: i64,
    /// 登录用户名，如 `wangfang`。The user name to log in with, e.g. `wangfang`.
    pub username: String,
    /// 显示的姓名，如 王芳。The name shown, e.g. 王芳.
    pub display_name: String,
    // A string in the contract, as it always was.
    /// 角色：`admin`（秘书处管理员）、`group_secretary`（协作组秘书）、`unit_contact`（单位联系人）、
    /// `member`（成员本人）。The role: admin, group_secretary, unit_contact or member.
    #[schema(value_type = String)]
    pub role: Role,
    /// 有范围的角色所属的单位、协作组或人员：`unit:<id>`、`group:<id>` 或 `person:<id>`；管理员为空。
    /// `unit:<id>`, `group:<id>` or `person:<id>` for scoped roles; none for admins.
    pub scope: Option<String>,
    /// 已停用的账号不能登录。A disabled account cannot log in.
    pub disabled: bool,
    /// 创建时间（UTC）。When it was created (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    /// 最后修改时间（UTC）。When it was last changed (UTC).
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

/// 新账号。示例为秘书处工作人员王芳的管理员账号（管理员不带 `scope`）。
/// A new account; the example is an admin account for 王芳 of the secretariat (admins have no `scope`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "wangfang", "display_name": "王芳", "password": "Mishuchu-2025-chun", "role": "admin"}))]
pub struct NewAccount {
    /// 登录用户名：3–64 个字母、数字或 `.` `_` `@` `-`，不可重复。
    /// The user name: 3–64 letters, digits, `.`, `_`, `@` or `-`; unique.
    #[schema(pattern = "^[A-Za-z0-9._@-]{3,64}$")]
    pub username: String,
    /// 显示的姓名，1–100 个字符。The name shown, 1–100 characters.
    #[schema(max_length = 100, pattern = r"\S")]
    pub display_name: String,
    /// 初始密码，10–256 个字符。The first password, 10–256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// 角色：admin（秘书处管理员）、group_secretary（协作组秘书）、unit_contact（单位联系人）或 member（成员本人）。
    /// admin, group_secretary, unit_contact or member.
    #[schema(value_type = crate::domain::accounts::AccountRole)]
    pub role: String,
    /// 范围须与角色相符：admin 不带；group_secretary 为 `group:<id>`，unit_contact 为 `unit:<id>`，
    /// member 为 `person:<id>`。Must fit the role: none for admin, `group:<id>` for group_secretary,
    /// `unit:<id>` for unit_contact, `person:<id>` for member.
    pub scope: Option<String>,
}

/// 修改账号：只改给出的字段，未给出的保持不变。
/// A change to an account: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "王芳", "password": "Mishuchu-2025-qiu"}))]
pub struct AccountPatch {
    /// 新的显示姓名，1–100 个字符。The new name shown, 1–100 characters.
    #[schema(max_length = 100, pattern = r"\S")]
    pub display_name: Option<String>,
    /// 新密码，10–256 个字符；该账号已签发的令牌随即失效。
    /// A new password, 10–256 characters; the account's tokens issued so far stop working.
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// 新角色（范围须与之相符）。A new role (the scope must fit it).
    #[schema(value_type = Option<crate::domain::accounts::AccountRole>)]
    pub role: Option<String>,
    /// 新范围；`null` 清除范围（仅管理员没有范围）。`null` clears the scope (admins only have none).
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub scope: Option<Option<String>>,
    /// `true` 停用账号，`false` 重新启用。`true` disables the account, `false` enables it again.
    pub disabled: Option<bool>,
}

/// 账号列表 · List accounts.
///
/// 按编号顺序分页列出全部账号（每页 `limit` 条，用上一页的 `next_cursor` 翻页）。
///
/// All accounts, a page at a time in id order (`limit` per page, `next_cursor` for the next).
#[utoipa::path(get, path = "/api/v1/auth/accounts", tag = "auth", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<Account>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, q: web::Query<PageQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let page = use_case::list(&db, q.window()?).await?;
    Ok(HttpResponse::Ok().json(page.map(Account::from)))
}

/// 新建账号 · Create an account.
///
/// 为秘书处工作人员、协作组秘书、单位联系人或成员本人开设登录账号；角色与范围须相符，用户名不可重复。
///
/// Opens a login for secretariat staff, a group secretary, a unit contact or a member; the role
/// and scope must fit, and the user name must be free.
#[utoipa::path(post, path = "/api/v1/auth/accounts", tag = "auth", request_body = NewAccount,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Account),
        (status = 409, description = "用户名已被占用 · User name taken", body = Problem, content_type = "application/problem+json"),
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

/// 查看账号 · One account.
///
/// 按编号读取一个账号（不含密码）。
///
/// One account by its id (never its password).
#[utoipa::path(get, path = "/api/v1/auth/accounts/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Account), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let row = use_case::get(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Account::from(row)))
}

/// 修改账号 · Change an account: name, password, role and scope, or disable it.
///
/// 可改显示姓名、密码、角色与范围，或停用、重新启用账号。改密码、角色或范围，以及停用、重新启用，都会吊销该账号
/// 此前签发的令牌（此后答 401 `token_revoked`），本人须重新登录。不能停用或降级最后一个启用的管理员账号（409）。
///
/// A new password, role or scope, disabling and enabling again end the account's tokens issued
/// so far (401 `token_revoked` from then on); the person logs in again.
#[utoipa::path(patch, path = "/api/v1/auth/accounts/{id}", tag = "auth", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = AccountPatch,
    responses((status = 200, body = Account),
        (status = 409, description = "将不再有启用的管理员账号 · Would leave no enabled admin", body = Problem, content_type = "application/problem+json"),
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
