//! Queries of unit applications and their recorded transitions (R7).

use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::Only;
use super::models::{ApplicationChanges, ApplicationRow, NewApplicationRow, NewTransitionRow, TransitionRow};
use super::schema::{application_transitions, applications};
use crate::domain::applications::ApplicationStatus;

/// What an application list asks for.
#[derive(Debug, Default)]
pub struct ApplicationQuery {
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<ApplicationStatus>,
}

pub fn find(c: &mut DbConn, id: i64) -> Result<ApplicationRow, ApiError> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(c)
        .found(|| format!("no application {id}"))
}

pub fn find_optional(c: &mut DbConn, id: i64) -> Result<Option<ApplicationRow>, ApiError> {
    Ok(applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(c)
        .optional()?)
}

pub fn list(c: &mut DbConn, only: Only, f: &ApplicationQuery, w: Window) -> Result<Page<ApplicationRow>, ApiError> {
    let mut q = applications::table
        .filter(applications::id.gt(w.after))
        .order(applications::id)
        .limit(w.fetch())
        .select(ApplicationRow::as_select())
        .into_boxed();
    if let Some(v) = only.unit_id {
        q = q.filter(applications::unit_id.eq(v));
    }
    if let Some(v) = only.body_id {
        q = q.filter(applications::body_id.eq(v));
    }
    if let Some(v) = only.person_id {
        q = q.filter(applications::person_id.eq(v));
    }
    if let Some(v) = f.body_id {
        q = q.filter(applications::body_id.eq(v));
    }
    if let Some(v) = f.term_id {
        q = q.filter(applications::term_id.eq(v));
    }
    if let Some(v) = f.unit_id {
        q = q.filter(applications::unit_id.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(applications::status.eq(v));
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

pub fn insert(c: &mut DbConn, row: &NewApplicationRow<'_>) -> Result<ApplicationRow, ApiError> {
    Ok(diesel::insert_into(applications::table)
        .values(row)
        .returning(applications::all_columns)
        .get_result(c)?)
}

/// One statement for everything a step changes; the row after it.
pub fn update(c: &mut DbConn, id: i64, changes: &ApplicationChanges) -> Result<ApplicationRow, ApiError> {
    diesel::update(applications::table.find(id)).set(changes).execute(c)?;
    find(c, id)
}

/// An application's transitions, in order.
pub fn transitions(c: &mut DbConn, id: i64) -> Result<Vec<TransitionRow>, ApiError> {
    Ok(application_transitions::table
        .filter(application_transitions::application_id.eq(id))
        .order(application_transitions::id)
        .select(TransitionRow::as_select())
        .load(c)?)
}

pub fn insert_transition(c: &mut DbConn, row: &NewTransitionRow<'_>) -> Result<(), ApiError> {
    diesel::insert_into(application_transitions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}
