//! Queries on `accounts`.

use diesel::prelude::*;
use service_kit::db::{DbConn, Found};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Role};

use super::models::{AccountChanges, AccountRow, NewAccountRow};
use super::schema::accounts as t;

/// The account, or 404.
pub fn find(c: &mut DbConn, id: i64) -> Result<AccountRow, ApiError> {
    t::table
        .find(id)
        .select(AccountRow::as_select())
        .first(c)
        .found(|| format!("no account {id}"))
}

pub fn find_by_username(c: &mut DbConn, username: &str) -> QueryResult<Option<AccountRow>> {
    t::table
        .filter(t::username.eq(username))
        .select(AccountRow::as_select())
        .first(c)
        .optional()
}

/// The stored password hash of `username`, if the account exists.
pub fn password_hash_of(c: &mut DbConn, username: &str) -> QueryResult<Option<String>> {
    t::table
        .filter(t::username.eq(username))
        .select(t::password_hash)
        .first(c)
        .optional()
}

pub fn list(c: &mut DbConn, w: Window) -> QueryResult<Page<AccountRow>> {
    let rows = t::table
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select(AccountRow::as_select())
        .load(c)?;
    Ok(w.page(rows, |r| r.id))
}

pub fn count(c: &mut DbConn) -> QueryResult<i64> {
    t::table.count().get_result(c)
}

pub fn username_taken(c: &mut DbConn, username: &str) -> QueryResult<bool> {
    let n: i64 = t::table.filter(t::username.eq(username)).count().get_result(c)?;
    Ok(n > 0)
}

/// Enabled accounts with the admin role.
pub fn count_enabled_admins(c: &mut DbConn) -> QueryResult<i64> {
    t::table
        .filter(t::role.eq(Role::Admin))
        .filter(t::disabled.eq(false))
        .count()
        .get_result(c)
}

/// Inserts the account and reads it back (by its unique user name).
pub fn insert(c: &mut DbConn, new: &NewAccountRow) -> QueryResult<AccountRow> {
    diesel::insert_into(t::table).values(new).execute(c)?;
    t::table
        .filter(t::username.eq(&new.username))
        .select(AccountRow::as_select())
        .first(c)
}

/// The changed fields, in one statement.
pub fn update(c: &mut DbConn, id: i64, changes: &AccountChanges) -> QueryResult<usize> {
    diesel::update(t::table.find(id)).set(changes).execute(c)
}
