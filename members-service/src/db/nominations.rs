//! Queries of the Center's nominations.

use chrono::Utc;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{NewNominationRow, NominationRow};
use super::schema::nominations;
use crate::domain::applications::NominationStatus;

pub fn find(c: &mut DbConn, id: i64) -> Result<NominationRow, ApiError> {
    nominations::table
        .find(id)
        .select(NominationRow::as_select())
        .first(c)
        .found(|| format!("no nomination {id}"))
}

pub fn list(
    c: &mut DbConn,
    body_id: Option<i64>,
    status: Option<NominationStatus>,
    w: Window,
) -> Result<Page<NominationRow>, ApiError> {
    let mut q = nominations::table
        .filter(nominations::id.gt(w.after))
        .order(nominations::id)
        .limit(w.fetch())
        .select(NominationRow::as_select())
        .into_boxed();
    if let Some(b) = body_id {
        q = q.filter(nominations::body_id.eq(b));
    }
    if let Some(s) = status {
        q = q.filter(nominations::status.eq(s));
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

pub fn insert(c: &mut DbConn, row: &NewNominationRow<'_>) -> Result<NominationRow, ApiError> {
    Ok(diesel::insert_into(nominations::table)
        .values(row)
        .returning(nominations::all_columns)
        .get_result(c)?)
}

/// The nominee was appointed: one statement.
pub fn mark_appointed(c: &mut DbConn, id: i64, appointment_id: i64) -> Result<NominationRow, ApiError> {
    diesel::update(nominations::table.find(id))
        .set((
            nominations::status.eq(NominationStatus::Appointed),
            nominations::appointment_id.eq(Some(appointment_id)),
            nominations::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
    find(c, id)
}
