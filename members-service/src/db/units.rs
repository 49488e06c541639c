//! Queries of units.

use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{NewUnitRow, UnitChanges, UnitRow};
use super::schema::{appointments, bodies, people, units};
use super::{like_pattern, lower};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::bodies::BodyKind;
use crate::domain::people::UnitKind;

/// What a unit list asks for.
#[derive(Debug, Default)]
pub struct UnitQuery {
    pub kind: Option<UnitKind>,
    pub council_member: Option<bool>,
    pub q: Option<String>,
}

pub fn find(c: &mut DbConn, id: i64) -> Result<UnitRow, ApiError> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(c)
        .found(|| format!("no unit {id}"))
}

/// Unit ids among `ids` that are council member units now (理事单位: one of their people holds
/// an active council post).
pub fn council_member_units(c: &mut DbConn, ids: &[i64]) -> Result<Vec<i64>, ApiError> {
    Ok(appointments::table
        .inner_join(people::table)
        .inner_join(bodies::table)
        .filter(bodies::kind.eq(BodyKind::Council))
        .filter(appointments::status.eq(AppointmentStatus::Active))
        .filter(people::unit_id.eq_any(ids))
        .select(people::unit_id)
        .distinct()
        .load(c)?)
}

pub fn list(c: &mut DbConn, f: &UnitQuery, w: Window) -> Result<Page<UnitRow>, ApiError> {
    let mut q = units::table
        .filter(units::id.gt(w.after))
        .order(units::id)
        .limit(w.fetch())
        .select(UnitRow::as_select())
        .into_boxed();
    if let Some(k) = f.kind {
        q = q.filter(units::kind.eq(k));
    }
    if let Some(text) = f.q.as_deref().filter(|t| !t.trim().is_empty()) {
        q = q.filter(lower(units::name).like(like_pattern(text)).escape('\\'));
    }
    if let Some(member) = f.council_member {
        let sub = appointments::table
            .inner_join(people::table)
            .inner_join(bodies::table)
            .filter(bodies::kind.eq(BodyKind::Council))
            .filter(appointments::status.eq(AppointmentStatus::Active))
            .select(people::unit_id);
        q = if member {
            q.filter(units::id.eq_any(sub))
        } else {
            q.filter(units::id.ne_all(sub))
        };
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

pub fn name_taken(c: &mut DbConn, name: &str) -> Result<bool, ApiError> {
    let n: i64 = units::table.filter(units::name.eq(name)).count().get_result(c)?;
    Ok(n > 0)
}

pub fn insert(c: &mut DbConn, row: &NewUnitRow) -> Result<UnitRow, ApiError> {
    Ok(diesel::insert_into(units::table)
        .values(row)
        .returning(units::all_columns)
        .get_result(c)?)
}

/// One statement for the whole change.
pub fn update(c: &mut DbConn, id: i64, changes: &UnitChanges) -> Result<UnitRow, ApiError> {
    diesel::update(units::table.find(id)).set(changes).execute(c)?;
    find(c, id)
}

pub fn by_names(c: &mut DbConn, names: &[String]) -> Result<Vec<UnitRow>, ApiError> {
    Ok(units::table
        .filter(units::name.eq_any(names))
        .select(UnitRow::as_select())
        .load(c)?)
}

/// `(id, name)` of the units asked for.
pub fn names(c: &mut DbConn, ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(units::table
        .filter(units::id.eq_any(ids))
        .select((units::id, units::name))
        .load(c)?)
}
