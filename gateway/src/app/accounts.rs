//! Accounts (people): list, create, read and change them; a change that ends the account's
//! tokens raises its version (see [`crate::app::revocations`]).

use std::path::Path;

use chrono::Utc;
use service_kit::pagination::{Page, Window};
use service_kit::revocation::Revocations;
use service_kit::{ApiError, Code, Db, FieldError};

use super::checked;
use crate::app::bootstrap::forget_bootstrap_password;
use crate::db::models::{AccountChanges, AccountRow, NewAccountRow};
use crate::db::{accounts, revocations};
use crate::domain::accounts::{self as rules, Standing};
use crate::passwords;

/// A new account as asked for (checked here).
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub scope: Option<String>,
}

/// The fields to change; `None` leaves one as it is (`scope: Some(None)` clears it).
#[derive(Default)]
pub struct AccountEdit {
    pub display_name: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    pub scope: Option<Option<String>>,
    pub disabled: Option<bool>,
}

pub async fn list(db: &Db, w: Window) -> Result<Page<AccountRow>, ApiError> {
    db.run(move |c| Ok(accounts::list(c, w)?)).await
}

pub async fn get(db: &Db, id: i64) -> Result<AccountRow, ApiError> {
    db.run(move |c| accounts::find(c, id)).await
}

/// 422 for a field that breaks its rule, 409 `username_taken`.
pub async fn create(db: &Db, new: NewAccount) -> Result<AccountRow, ApiError> {
    let mut errors = Vec::new();
    rules::username(&new.username, &mut errors);
    rules::display_name(&new.display_name, &mut errors);
    rules::password(&new.password, &mut errors);
    let role = rules::role_and_scope(&new.role, new.scope.as_deref(), &mut errors);
    checked(errors)?;
    let Some(role) = role else {
        return Err(ApiError::internal("a role without an error was not parsed"));
    };
    let password_hash = passwords::hash_off_thread(new.password.clone()).await?;
    db.write(move |c| {
        if accounts::username_taken(c, &new.username)? {
            return Err(ApiError::conflict(
                Code::UsernameTaken,
                format!("user name {} is taken", new.username),
            ));
        }
        let now = Utc::now().naive_utc();
        let row = NewAccountRow {
            username: new.username.clone(),
            display_name: new.display_name.trim().to_owned(),
            password_hash,
            role,
            scope: new.scope,
            disabled: false,
            created_at: now,
            updated_at: now,
        };
        Ok(accounts::insert(c, &row)?)
    })
    .await
}

/// 422 for a field that breaks its rule, 409 `last_admin` when no enabled admin would remain.
/// The account's tokens end when [`rules::ends_tokens`] says so, on this replica at once
/// (`revoked`); a new password also removes the stale bootstrap password file.
pub async fn update(
    db: &Db,
    revoked: &Revocations,
    bootstrap_file: &Path,
    id: i64,
    edit: AccountEdit,
) -> Result<AccountRow, ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(n) = &edit.display_name {
        rules::display_name(n, &mut errors);
    }
    if let Some(p) = &edit.password {
        rules::password(p, &mut errors);
    }
    checked(errors)?;
    let password_hash = match edit.password.clone() {
        Some(p) => Some(passwords::hash_off_thread(p).await?),
        None => None,
    };
    let password_changed = password_hash.is_some();
    let row = db.write(move |c| apply_edit(c, id, edit, password_hash)).await?;
    // At once on this replica; the others and the services follow within seconds.
    revoked.apply([revocations::account_state(&row)]);
    if password_changed {
        forget_bootstrap_password(bootstrap_file, &row.username);
    }
    Ok(row)
}

/// The edit, inside the write transaction.
fn apply_edit(
    c: &mut service_kit::DbConn,
    id: i64,
    edit: AccountEdit,
    password_hash: Option<String>,
) -> Result<AccountRow, ApiError> {
    let current = accounts::find(c, id)?;
    let role_text = edit.role.clone().unwrap_or_else(|| current.role.as_str().to_owned());
    let scope = edit.scope.clone().unwrap_or_else(|| current.scope.clone());
    let mut errors = Vec::new();
    let role = rules::role_and_scope(&role_text, scope.as_deref(), &mut errors);
    checked(errors)?;
    let Some(role) = role else {
        return Err(ApiError::internal("a role without an error was not parsed"));
    };
    let was = Standing {
        role: current.role,
        scope: current.scope.clone(),
        disabled: current.disabled,
    };
    let next = Standing {
        role,
        scope,
        disabled: edit.disabled.unwrap_or(current.disabled),
    };
    if rules::removes_an_admin(&was, &next) && accounts::count_enabled_admins(c)? <= 1 {
        return Err(ApiError::conflict(
            Code::LastAdmin,
            "at least one enabled admin account must remain",
        ));
    }
    let revoke = rules::ends_tokens(&was, &next, password_hash.is_some());
    let changes = AccountChanges {
        display_name: edit.display_name.map(|n| n.trim().to_owned()),
        password_hash,
        role: edit.role.is_some().then_some(role),
        scope: edit.scope,
        disabled: edit.disabled,
        updated_at: Some(Utc::now().naive_utc()),
    };
    accounts::update(c, id, &changes)?;
    if revoke {
        revocations::bump_account(c, id)?;
    }
    accounts::find(c, id)
}
