//! Queries of annual assessments (R15) and commendations (R16).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{AssessmentRow, CommendationRow, NewCommendationRow};
use super::schema::{assessments, commendations};
use crate::domain::assessments::AssessmentResult;

/// The year's assessment of an appointment, or 404.
pub fn find_assessment(c: &mut DbConn, appointment_id: i64, year: i32) -> Result<AssessmentRow, ApiError> {
    assessments::table
        .filter(assessments::appointment_id.eq(appointment_id))
        .filter(assessments::year.eq(year))
        .select(AssessmentRow::as_select())
        .first(c)
        .found(|| format!("no assessment of appointment {appointment_id} for {year}"))
}

pub fn assessment(c: &mut DbConn, appointment_id: i64, year: i32) -> Result<Option<AssessmentRow>, ApiError> {
    Ok(assessments::table
        .filter(assessments::appointment_id.eq(appointment_id))
        .filter(assessments::year.eq(year))
        .select(AssessmentRow::as_select())
        .first(c)
        .optional()?)
}

/// The year's result of an appointment, as it is now recorded.
pub struct AssessmentWrite<'a> {
    pub appointment_id: i64,
    pub year: i32,
    pub result: AssessmentResult,
    pub comment: &'a str,
    pub assessed_by: &'a str,
    pub at: NaiveDateTime,
}

/// Records the result: a correction of `existing` in one statement, or a new row.
pub fn put_assessment(c: &mut DbConn, existing: Option<i64>, a: &AssessmentWrite<'_>) -> Result<(), ApiError> {
    match existing {
        Some(row_id) => diesel::update(assessments::table.find(row_id))
            .set((
                assessments::result.eq(a.result),
                assessments::comment.eq(a.comment),
                assessments::assessed_by.eq(a.assessed_by),
                assessments::updated_at.eq(a.at),
            ))
            .execute(c)?,
        None => diesel::insert_into(assessments::table)
            .values((
                assessments::appointment_id.eq(a.appointment_id),
                assessments::year.eq(a.year),
                assessments::result.eq(a.result),
                assessments::comment.eq(a.comment),
                assessments::assessed_by.eq(a.assessed_by),
                assessments::created_at.eq(a.at),
                assessments::updated_at.eq(a.at),
            ))
            .execute(c)?,
    };
    Ok(())
}

pub fn commendations(c: &mut DbConn, w: Window) -> Result<Page<CommendationRow>, ApiError> {
    let rows = commendations::table
        .filter(commendations::id.gt(w.after))
        .order(commendations::id)
        .limit(w.fetch())
        .select(CommendationRow::as_select())
        .load(c)?;
    Ok(w.page(rows, |r| r.id))
}

pub fn insert_commendation(c: &mut DbConn, row: &NewCommendationRow<'_>) -> Result<CommendationRow, ApiError> {
    Ok(diesel::insert_into(commendations::table)
        .values(row)
        .returning(commendations::all_columns)
        .get_result(c)?)
}
