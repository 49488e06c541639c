//! Queries of resignation requests (R11).

use diesel::prelude::*;
use service_kit::{ApiError, DbConn};

use super::models::{NewResignationRow, ResignationDecision, ResignationRow};
use super::schema::resignations;
use crate::domain::appointments::ResignationStatus;

/// The open request of an appointment, if any.
pub fn open_for(c: &mut DbConn, appointment_id: i64) -> Result<Option<ResignationRow>, ApiError> {
    Ok(resignations::table
        .filter(resignations::appointment_id.eq(appointment_id))
        .filter(resignations::status.eq(ResignationStatus::Requested))
        .select(ResignationRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert(c: &mut DbConn, row: &NewResignationRow<'_>) -> Result<ResignationRow, ApiError> {
    Ok(diesel::insert_into(resignations::table)
        .values(row)
        .returning(resignations::all_columns)
        .get_result(c)?)
}

pub fn decide(c: &mut DbConn, id: i64, d: &ResignationDecision<'_>) -> Result<(), ApiError> {
    diesel::update(resignations::table.find(id)).set(d).execute(c)?;
    Ok(())
}
