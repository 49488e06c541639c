use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::Role;

use super::schema::{accounts, api_clients};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub scope: Option<String>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// See the migration `token_version`: tokens issued with an older version are refused.
    pub token_version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccountRow {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub scope: Option<String>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub scope: Option<Option<String>>,
    pub disabled: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
pub struct ClientRow {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// See the migration `token_version`: tokens issued with an older version are refused.
    pub token_version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_clients)]
pub struct NewClientRow {
    pub client_id: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = api_clients)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub secret_hash: Option<String>,
    pub scopes: Option<String>,
    pub disabled: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}
