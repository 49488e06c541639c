//! Queries on `api_clients`.

use diesel::prelude::*;
use service_kit::ApiError;
use service_kit::db::{DbConn, Found};
use service_kit::pagination::{Page, Window};

use super::models::{ClientChanges, ClientRow, NewClientRow};
use super::schema::api_clients as t;

/// The client, or 404.
pub fn find(c: &mut DbConn, id: i64) -> Result<ClientRow, ApiError> {
    t::table
        .find(id)
        .select(ClientRow::as_select())
        .first(c)
        .found(|| format!("no API client {id}"))
}

pub fn find_by_client_id(c: &mut DbConn, client_id: &str) -> QueryResult<Option<ClientRow>> {
    t::table
        .filter(t::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .first(c)
        .optional()
}

pub fn list(c: &mut DbConn, w: Window) -> QueryResult<Page<ClientRow>> {
    let rows = t::table
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select(ClientRow::as_select())
        .load(c)?;
    Ok(w.page(rows, |r| r.id))
}

/// Inserts the client and reads it back (by its unique client id).
pub fn insert(c: &mut DbConn, new: &NewClientRow) -> QueryResult<ClientRow> {
    diesel::insert_into(t::table).values(new).execute(c)?;
    t::table
        .filter(t::client_id.eq(&new.client_id))
        .select(ClientRow::as_select())
        .first(c)
}

/// The changed fields, in one statement.
pub fn update(c: &mut DbConn, id: i64, changes: &ClientChanges) -> QueryResult<usize> {
    diesel::update(t::table.find(id)).set(changes).execute(c)
}
