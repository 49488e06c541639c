//! Queries of `attendance` and `attendance_corrections` (R18).

use chrono::NaiveDate;
use diesel::prelude::*;
use service_kit::{ApiError, DbConn};

use super::models::{AttendanceChange, AttendanceRow, CorrectionRow, NewAttendanceRow, NewCorrectionRow};
use super::schema::{activities, attendance as t, attendance_corrections as corr};
use crate::domain::absence::AttendanceFact;
use crate::domain::activities::ActivityStatus;
use crate::domain::attendance::AttendanceStatus;

/// How many records the activity has (none: its date and invitees may still change).
pub fn count_of_activity(c: &mut DbConn, activity_id: i64) -> Result<i64, ApiError> {
    Ok(t::table.filter(t::activity_id.eq(activity_id)).count().get_result(c)?)
}

/// The activity's records.
pub fn of_activity(c: &mut DbConn, activity_id: i64) -> Result<Vec<AttendanceRow>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .select(AttendanceRow::as_select())
        .load(c)?)
}

/// The appointments with a record at the activity.
pub fn appointments_of_activity(c: &mut DbConn, activity_id: i64) -> Result<Vec<i64>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .select(t::appointment_id)
        .load(c)?)
}

/// (appointment id, status) of every record at the activity.
pub fn marks_of_activity(c: &mut DbConn, activity_id: i64) -> Result<Vec<(i64, AttendanceStatus)>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .select((t::appointment_id, t::status))
        .load(c)?)
}

/// (activity id, appointment id, status) of every record at these activities.
pub fn marks_of_activities(
    c: &mut DbConn,
    activity_ids: &[i64],
) -> Result<Vec<(i64, i64, AttendanceStatus)>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq_any(activity_ids))
        .select((t::activity_id, t::appointment_id, t::status))
        .load(c)?)
}

/// Every record of these appointments.
pub fn of_appointments(c: &mut DbConn, appointment_ids: &[i64]) -> Result<Vec<AttendanceRow>, ApiError> {
    Ok(t::table
        .filter(t::appointment_id.eq_any(appointment_ids))
        .select(AttendanceRow::as_select())
        .load(c)?)
}

/// The record of one invitee at one activity.
pub fn find(c: &mut DbConn, activity_id: i64, appointment_id: i64) -> Result<Option<AttendanceRow>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .filter(t::appointment_id.eq(appointment_id))
        .select(AttendanceRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert(c: &mut DbConn, row: &NewAttendanceRow<'_>) -> Result<(), ApiError> {
    diesel::insert_into(t::table).values(row).execute(c)?;
    Ok(())
}

/// A correction: the record changed in one UPDATE, and its audit row.
pub fn correct(
    c: &mut DbConn,
    id: i64,
    change: &AttendanceChange<'_>,
    audit: &NewCorrectionRow<'_>,
) -> Result<(), ApiError> {
    diesel::update(t::table.find(id)).set(change).execute(c)?;
    diesel::insert_into(corr::table).values(audit).execute(c)?;
    Ok(())
}

/// The corrections of these records, oldest first.
pub fn corrections_of(c: &mut DbConn, attendance_ids: &[i64]) -> Result<Vec<CorrectionRow>, ApiError> {
    Ok(corr::table
        .filter(corr::attendance_id.eq_any(attendance_ids))
        .order(corr::id)
        .select(CorrectionRow::as_select())
        .load(c)?)
}

/// Every attendance record of the appointment with what R13 needs of its activity.
pub fn facts(c: &mut DbConn, appointment_id: i64) -> Result<Vec<AttendanceFact>, ApiError> {
    let rows: Vec<(i64, NaiveDate, String, ActivityStatus, AttendanceStatus)> = t::table
        .inner_join(activities::table)
        .filter(t::appointment_id.eq(appointment_id))
        .select((
            activities::id,
            activities::held_on,
            activities::title,
            activities::status,
            t::status,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(
            |(activity_id, held_on, title, activity_status, status)| AttendanceFact {
                activity_id,
                held_on,
                title,
                activity_cancelled: activity_status == ActivityStatus::Cancelled,
                status,
            },
        )
        .collect())
}
