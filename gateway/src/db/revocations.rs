//! Token versions of accounts and clients (see [`crate::app::revocations`]).

use diesel::prelude::*;
use service_kit::DbConn;
use service_kit::revocation::SubjectState;

use super::models::{AccountRow, ClientRow};
use super::schema::{accounts, api_clients};

pub fn account_state(row: &AccountRow) -> SubjectState {
    SubjectState {
        subject: format!("account:{}", row.id),
        token_version: row.token_version,
        disabled: row.disabled,
    }
}

pub fn client_state(row: &ClientRow) -> SubjectState {
    SubjectState {
        subject: format!("client:{}", row.client_id),
        token_version: row.token_version,
        disabled: row.disabled,
    }
}

/// Every subject whose tokens are limited: disabled, or with a version above 0.
pub fn load(conn: &mut DbConn) -> QueryResult<Vec<SubjectState>> {
    let people: Vec<(i64, i64, bool)> = accounts::table
        .filter(accounts::token_version.gt(0).or(accounts::disabled.eq(true)))
        .select((accounts::id, accounts::token_version, accounts::disabled))
        .load(conn)?;
    let systems: Vec<(String, i64, bool)> = api_clients::table
        .filter(api_clients::token_version.gt(0).or(api_clients::disabled.eq(true)))
        .select((
            api_clients::client_id,
            api_clients::token_version,
            api_clients::disabled,
        ))
        .load(conn)?;
    let people = people.into_iter().map(|(id, token_version, disabled)| SubjectState {
        subject: format!("account:{id}"),
        token_version,
        disabled,
    });
    let systems = systems.into_iter().map(|(id, token_version, disabled)| SubjectState {
        subject: format!("client:{id}"),
        token_version,
        disabled,
    });
    Ok(people.chain(systems).collect())
}

/// Raises the account's version: its tokens issued so far stop working.
pub fn bump_account(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set(accounts::token_version.eq(accounts::token_version + 1))
        .execute(conn)
}

/// Raises the client's version: its tokens issued so far stop working.
pub fn bump_client(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(api_clients::table.find(id))
        .set(api_clients::token_version.eq(api_clients::token_version + 1))
        .execute(conn)
}
