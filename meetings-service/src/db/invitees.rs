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

/// Replaces the activity's invitees (only while no attendance is recorded) by their difference:
/// those no longer invited deleted, the others updated in place, the new ones inserted. An
/// invitee who stays keeps their row, so attendance being recorded for them meanwhile (its
/// foreign key is the invitation) never meets a row deleted and made again: that was a 409
/// `reference_violation` when a people change of the body refreshed the list at that moment.
pub fn replace(c: &mut DbConn, activity_id: i64, rows: &[NewInviteeRow]) -> Result<(), ApiError> {
    let kept: Vec<i64> = rows.iter().map(|r| r.appointment_id).collect();
    diesel::delete(
        t::table
            .filter(t::activity_id.eq(activity_id))
            .filter(t::appointment_id.ne_all(&kept)),
    )
    .execute(c)?;
    for r in rows {
        let mine = t::table
            .filter(t::activity_id.eq(activity_id))
            .filter(t::appointment_id.eq(r.appointment_id));
        if diesel::update(mine).set(r).execute(c)? == 0 {
            diesel::insert_into(t::table).values(r).execute(c)?;
        }
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};
    use test_db::test_databases;

    use super::*;
    use crate::db::models::{NewActivityRow, NewAttendanceRow};
    use crate::db::{MIGRATIONS, attendance};
    use crate::domain::attendance::AttendanceStatus;

    fn invitee(activity_id: i64, appointment_id: i64, name: &str) -> NewInviteeRow {
        NewInviteeRow::for_test(activity_id, appointment_id, name, None)
    }

    /// The list read again while attendance is being recorded (R13's absences are recorded per
    /// invitation): the people who stay keep their invitation rows, so a record that points at
    /// one stays valid, and only the difference is deleted or added.
    #[test]
    fn replacing_the_invitees_keeps_the_rows_of_those_who_stay() {
        for t in test_databases("meetings_invitees", || MIGRATIONS) {
            let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let c = &mut conn;
            let now = Utc::now().naive_utc();
            let activity = crate::db::activities::insert(
                c,
                &NewActivityRow::for_test(
                    3,
                    ActivityKind::Plenary,
                    "全体会议",
                    NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default(),
                    ActivityStatus::Scheduled,
                ),
            )
            .unwrap_or_else(|e| panic!("{:?}: {e}", t.backend));
            let a = activity.id;
            replace(c, a, &[invitee(a, 1, "王志刚"), invitee(a, 2, "李建国")])
                .unwrap_or_else(|e| panic!("{:?}: {e}", t.backend));
            let before = of_activity(c, a).unwrap_or_else(|e| panic!("{e}"));
            // Attendance of 王志刚 recorded between the refresh's check and its write.
            attendance::insert(
                c,
                &NewAttendanceRow {
                    activity_id: a,
                    appointment_id: 1,
                    status: AttendanceStatus::Absent,
                    reason: None,
                    recorded_by: "test",
                    recorded_at: now,
                    updated_at: now,
                },
            )
            .unwrap_or_else(|e| panic!("{:?}: {e}", t.backend));

            replace(c, a, &[invitee(a, 1, "王志刚（更名）"), invitee(a, 3, "张晓燕")])
                .unwrap_or_else(|e| panic!("{:?}: the refresh failed: {e}", t.backend));
            let after = of_activity(c, a).unwrap_or_else(|e| panic!("{e}"));
            let ids: Vec<i64> = after.iter().map(|r| r.appointment_id).collect();
            assert_eq!(ids, vec![1, 3], "{:?}", t.backend);
            assert_eq!(
                after[0].id, before[0].id,
                "{:?}: the row of one who stays is kept",
                t.backend
            );
            assert_eq!(after[0].person_name, "王志刚（更名）", "{:?}", t.backend);
            assert_eq!(
                attendance::count_of_activity(c, a).unwrap_or_else(|e| panic!("{e}")),
                1,
                "{:?}",
                t.backend
            );
        }
    }
}
