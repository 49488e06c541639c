//! Queries of bodies (the council, the expert committee, the groups).

use chrono::Utc;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{BodyRow, NewBodyRow};
use super::schema::bodies;
use crate::domain::bodies::BodyKind;

pub fn find(c: &mut DbConn, id: i64) -> Result<BodyRow, ApiError> {
    bodies::table
        .find(id)
        .select(BodyRow::as_select())
        .first(c)
        .found(|| format!("no body {id}"))
}

pub fn list(c: &mut DbConn, kind: Option<BodyKind>, w: Window) -> Result<Page<BodyRow>, ApiError> {
    let mut q = bodies::table
        .filter(bodies::id.gt(w.after))
        .order(bodies::id)
        .limit(w.fetch())
        .select(BodyRow::as_select())
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(bodies::kind.eq(k));
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

pub fn name_taken(c: &mut DbConn, name: &str) -> Result<bool, ApiError> {
    let n: i64 = bodies::table.filter(bodies::name.eq(name)).count().get_result(c)?;
    Ok(n > 0)
}

/// A new collaboration group (专业建设协作组).
pub fn insert_group(c: &mut DbConn, name: &str, specialty: &str) -> Result<BodyRow, ApiError> {
    let now = Utc::now().naive_utc();
    Ok(diesel::insert_into(bodies::table)
        .values(&NewBodyRow {
            kind: BodyKind::Group,
            name,
            specialty: Some(specialty),
            created_at: now,
            updated_at: now,
        })
        .returning(bodies::all_columns)
        .get_result(c)?)
}

/// The one body of a kind that has exactly one (the council, the expert committee).
pub fn id_of_kind(c: &mut DbConn, kind: BodyKind) -> Result<i64, ApiError> {
    Ok(bodies::table
        .filter(bodies::kind.eq(kind))
        .select(bodies::id)
        .first(c)?)
}
