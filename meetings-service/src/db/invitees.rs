//! Queries of `invitees`: the appointees invited to an activity, as snapshotted with it.

use chrono::NaiveDate;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::{ApiError, DbConn};

use super::models::{InviteeRow, NewInviteeRow};
use super::schema::{activities, invitees as t};
use crate::domain::absence::AppointmentSpan;
use crate::domain::activities::{ActivityKind, ActivityStatus};

/// The activity's invitees by appointment.
pub fn of_activity(c: &mut DbConn, activity_id: i64) -> Result<Vec<InviteeRow>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .order(t::appointment_id)
        .select(InviteeRow::as_select())
        .load(c)?)
}

/// The invitation of `appointment_id` to the activity, or 404.
pub fn find(c: &mut DbConn, activity_id: i64, appointment_id: i64) -> Result<InviteeRow, ApiError> {
    t::table
        .filter(t::activity_id.eq(activity_id))
        .filter(t::appointment_id.eq(appointment_id))
        .select(InviteeRow::as_select())
        .first(c)
        .found(|| format!("appointment {appointment_id} is not an invitee of activity {activity_id}"))
}

/// Replaces the activity's invitees (only while no attendance is recorded).
pub fn replace(c: &mut DbConn, activity_id: i64, rows: &[NewInviteeRow]) -> Result<(), ApiError> {
    diesel::delete(t::table.filter(t::activity_id.eq(activity_id))).execute(c)?;
    for r in rows {
        diesel::insert_into(t::table).values(r).execute(c)?;
    }
    Ok(())
}

/// The appointment's dates as last snapshotted with an invitation.
pub fn snapshot_span(c: &mut DbConn, appointment_id: i64) -> Result<Option<AppointmentSpan>, ApiError> {
    let row: Option<(NaiveDate, NaiveDate, Option<NaiveDate>)> = t::table
        .filter(t::appointment_id.eq(appointment_id))
        .order(t::id.desc())
        .select((
            t::appointment_starts_on,
            t::appointment_ends_on,
            t::appointment_ended_on,
        ))
        .first(c)
        .optional()?;
    Ok(row.map(|(starts_on, ends_on, ended_on)| AppointmentSpan {
        starts_on,
        ends_on,
        ended_on,
    }))
}

/// What a person's record shows of the activity an invitation is to.
#[derive(Debug, Clone, Queryable)]
pub struct InvitedTo {
    pub body_id: i64,
    pub body_name: String,
    pub title: String,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub status: ActivityStatus,
}

/// Every invitation of a person (of one body only, if given), by date of the activity.
pub fn of_person(
    c: &mut DbConn,
    person_id: i64,
    only_body: Option<i64>,
) -> Result<Vec<(InviteeRow, InvitedTo)>, ApiError> {
    let mut q = t::table
        .inner_join(activities::table)
        .filter(t::person_id.eq(person_id))
        .order((activities::held_on, activities::id))
        .select((
            InviteeRow::as_select(),
            (
                activities::body_id,
                activities::body_name,
                activities::title,
                activities::kind,
                activities::held_on,
                activities::status,
            ),
        ))
        .into_boxed();
    if let Some(b) = only_body {
        q = q.filter(activities::body_id.eq(b));
    }
    Ok(q.load(c)?)
}

/// One invitation to a held activity, for the statistics.
#[derive(Debug, Clone, Queryable)]
pub struct HeldInvitation {
    pub activity_id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub unit_name: String,
    pub post_label: String,
}

/// Invitations to activities held between `from` and `to` (of one body, if given), by body and
/// appointment.
pub fn at_held(
    c: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    body_id: Option<i64>,
) -> Result<Vec<HeldInvitation>, ApiError> {
    let mut q = t::table
        .inner_join(activities::table)
        .filter(activities::status.eq(ActivityStatus::Held))
        .filter(activities::held_on.ge(from))
        .filter(activities::held_on.le(to))
        .order((activities::body_id, t::appointment_id))
        .select((
            activities::id,
            activities::body_id,
            activities::body_name,
            t::appointment_id,
            t::person_id,
            t::person_name,
            t::unit_name,
            t::post_label,
        ))
        .into_boxed();
    if let Some(b) = body_id {
        q = q.filter(activities::body_id.eq(b));
    }
    Ok(q.load(c)?)
}
