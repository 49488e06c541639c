//! Queries of dismissal cases for absence (R13).

use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{CaseDecision, DismissalCaseRow, NewDismissalCaseRow};
use super::schema::dismissal_cases;
use crate::domain::appointments::DismissalCaseStatus;

pub fn find(c: &mut DbConn, id: i64) -> Result<DismissalCaseRow, ApiError> {
    dismissal_cases::table
        .find(id)
        .select(DismissalCaseRow::as_select())
        .first(c)
        .found(|| format!("no dismissal case {id}"))
}

pub fn by_event(c: &mut DbConn, event_id: &str) -> Result<Option<DismissalCaseRow>, ApiError> {
    Ok(dismissal_cases::table
        .filter(dismissal_cases::event_id.eq(event_id))
        .select(DismissalCaseRow::as_select())
        .first(c)
        .optional()?)
}

/// The open case of an appointment and work year, if any.
pub fn open_for(c: &mut DbConn, appointment_id: i64, work_year: i32) -> Result<Option<DismissalCaseRow>, ApiError> {
    Ok(dismissal_cases::table
        .filter(dismissal_cases::appointment_id.eq(appointment_id))
        .filter(dismissal_cases::work_year.eq(work_year))
        .filter(dismissal_cases::status.eq(DismissalCaseStatus::Open))
        .select(DismissalCaseRow::as_select())
        .first(c)
        .optional()?)
}

pub fn list(
    c: &mut DbConn,
    status: Option<DismissalCaseStatus>,
    appointment_id: Option<i64>,
    w: Window,
) -> Result<Page<DismissalCaseRow>, ApiError> {
    let mut q = dismissal_cases::table
        .filter(dismissal_cases::id.gt(w.after))
        .order(dismissal_cases::id)
        .limit(w.fetch())
        .select(DismissalCaseRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(dismissal_cases::status.eq(s));
    }
    if let Some(a) = appointment_id {
        q = q.filter(dismissal_cases::appointment_id.eq(a));
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

pub fn insert(c: &mut DbConn, row: &NewDismissalCaseRow<'_>) -> Result<DismissalCaseRow, ApiError> {
    Ok(diesel::insert_into(dismissal_cases::table)
        .values(row)
        .returning(dismissal_cases::all_columns)
        .get_result(c)?)
}

/// One statement for the decision; the row after it.
pub fn decide(c: &mut DbConn, id: i64, d: &CaseDecision<'_>) -> Result<DismissalCaseRow, ApiError> {
    diesel::update(dismissal_cases::table.find(id)).set(d).execute(c)?;
    find(c, id)
}
