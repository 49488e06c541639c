//! Attendance (R18) and the two-absences rule (R13): recording an invitee's attendance (a
//! first record or an audited correction) and evaluating R13 again in the same transaction;
//! reading an activity's attendance, a person's history and the statistics.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use service_kit::clock::today;
use service_kit::{ApiError, Code, Db, DbConn, FieldError};

use super::{Ctx, absence};
use crate::db::invitees::{HeldInvitation, InvitedTo};
use crate::db::models::{
    AbsenceCaseRow, ActivityRow, AttendanceChange, AttendanceRow, CorrectionRow, InviteeRow, NewAttendanceRow,
    NewCorrectionRow,
};
use crate::db::{absence_cases, activities, attendance, invitees, replies};
use crate::domain::absence::AppointmentSpan;
use crate::domain::activities::ActivityStatus;
use crate::domain::attendance::{self as rule, AttendanceInput, AttendanceStatus, Recorded, Recording};
use crate::domain::replies::{ReplyAnswer, attendance_with_reply};
use crate::domain::work_year::WorkYearStart;
use crate::members;

/// An invitee with their record (if any) and its corrections, oldest first.
#[derive(Debug, Clone)]
pub struct InviteeAttendance {
    pub invitee: InviteeRow,
    pub record: Option<AttendanceRow>,
    pub corrections: Vec<CorrectionRow>,
}

/// What recording did: the first record (`created`), or a correction or nothing.
#[derive(Debug, Clone)]
pub struct RecordOutcome {
    pub created: bool,
    pub attendance: InviteeAttendance,
}

fn check_open_for_attendance(a: &ActivityRow) -> Result<(), ApiError> {
    if a.status == ActivityStatus::Cancelled {
        return Err(ApiError::conflict(
            Code::ActivityCancelled,
            format!("activity {} is cancelled; it has no attendance", a.id),
        ));
    }
    if a.held_on > today() {
        return Err(ApiError::conflict(
            Code::ActivityNotHeldYet,
            format!(
                "activity {} is on {}; attendance is recorded from that day",
                a.id, a.held_on
            ),
        ));
    }
    Ok(())
}

/// Writes what [`rule::record`] decided; the reason R13 is evaluated again, if anything changed.
fn write_recording(
    c: &mut DbConn,
    (id, appointment_id): (i64, i64),
    existing: Option<&AttendanceRow>,
    recording: &Recording,
    by: &str,
) -> Result<Option<String>, ApiError> {
    let now = Utc::now().naive_utc();
    match recording {
        Recording::Unchanged(_) => Ok(None),
        Recording::First(r) => {
            let row = NewAttendanceRow {
                activity_id: id,
                appointment_id,
                status: r.status,
                reason: r.reason.as_deref(),
                recorded_by: by,
                recorded_at: now,
                updated_at: now,
            };
            attendance::insert(c, &row)?;
            Ok(Some("出勤记录".to_owned()))
        }
        Recording::Correction { before, after, why } => {
            let row = existing.ok_or_else(|| ApiError::internal("correction without a record"))?;
            let change = AttendanceChange {
                status: after.status,
                reason: after.reason.as_deref(),
                updated_at: now,
            };
            let audit = NewCorrectionRow {
                attendance_id: row.id,
                before_status: before.status,
                before_reason: before.reason.as_deref(),
                after_status: after.status,
                after_reason: after.reason.as_deref(),
                why,
                corrected_by: by,
                corrected_at: now,
            };
            attendance::correct(c, row.id, &change, &audit)?;
            Ok(Some(format!("出勤记录更正：{why}")))
        }
    }
}

/// The transaction of [`record`]: the record or correction, the activity held, R13 again.
/// Whether it created the record, whether events were enqueued, and the invitee's attendance.
fn record_tx(
    c: &mut DbConn,
    (id, appointment_id): (i64, i64),
    input: &AttendanceInput,
    by: &str,
    span: Option<AppointmentSpan>,
    work_year: WorkYearStart,
) -> Result<(bool, bool, InviteeAttendance), ApiError> {
    absence::lock_appointment(c, appointment_id)?;
    let a = activities::find(c, id)?;
    check_open_for_attendance(&a)?;
    let invitee = invitees::find(c, id, appointment_id)?;
    let existing = attendance::find(c, id, appointment_id)?;
    let current = existing.as_ref().map(|r| Recorded {
        status: r.status,
        reason: r.reason.clone(),
    });
    // R18: a first record of an absence for someone who asked for leave from the notice is
    // that excused absence, with their reason (issue 13).
    let (status, reason) = if existing.is_none() {
        let reply = replies::find(c, id, appointment_id)?;
        attendance_with_reply(
            input.status,
            input.reason.clone(),
            reply.as_ref().map(replies::as_answer).as_ref(),
        )
    } else {
        (input.status, input.reason.clone())
    };
    let recording = rule::record(
        current.as_ref(),
        status,
        reason.as_deref(),
        input.correction_reason.as_deref(),
    )
    .map_err(|errs| {
        ApiError::validation(
            errs.into_iter()
                .map(|e| FieldError::new(e.field, e.code, e.message))
                .collect(),
        )
    })?;
    let created = matches!(recording, Recording::First(_));
    let why = write_recording(c, (id, appointment_id), existing.as_ref(), &recording, by)?;
    let mut emitted = false;
    if let Some(why) = why {
        activities::mark_held(c, id, Utc::now().naive_utc())?;
        emitted = absence::reevaluate(c, appointment_id, span, work_year, &why)?.emitted();
    }
    let record = attendance::find(c, id, appointment_id)?;
    let corrections = match &record {
        Some(r) => attendance::corrections_of(c, &[r.id])?,
        None => Vec::new(),
    };
    Ok((
        created,
        emitted,
        InviteeAttendance {
            invitee,
            record,
            corrections,
        },
    ))
}

/// Records an invitee's attendance (R18) and evaluates R13 again; `authorize` decides once the
/// activity is known.
pub async fn record(
    Ctx {
        db,
        peers,
        waker,
        work_year,
    }: Ctx<'_>,
    (id, appointment_id): (i64, i64),
    authorize: impl FnOnce(&ActivityRow) -> Result<(), ApiError>,
    recorded_by: String,
    input: AttendanceInput,
) -> Result<RecordOutcome, ApiError> {
    let a = db.run(move |c| activities::find(c, id)).await?;
    authorize(&a)?;
    check_open_for_attendance(&a)?;
    db.run(move |c| invitees::find(c, id, appointment_id)).await?;
    // The appointment may have ended since the invitation; its current dates decide whether an
    // absence counts (R13). When members-service cannot say, the invitation's snapshot does.
    let span: Option<AppointmentSpan> = match members::appointment(peers, appointment_id).await {
        Ok(f) => f.as_ref().map(members::span),
        Err(e) => {
            tracing::warn!(appointment_id, error = %e, "members-service unreachable; R13 uses the invitation's dates");
            None
        }
    };
    let (created, emitted, attendance) = db
        .write(move |c| record_tx(c, (id, appointment_id), &input, &recorded_by, span, work_year))
        .await?;
    if emitted {
        waker.wake();
    }
    Ok(RecordOutcome { created, attendance })
}

/// Every invitee of an activity with their attendance and its corrections.
pub async fn of_activity(db: &Db, id: i64) -> Result<Vec<InviteeAttendance>, ApiError> {
    db.run(move |c| {
        activities::find(c, id)?;
        let list = invitees::of_activity(c, id)?;
        let records = attendance::of_activity(c, id)?;
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        let mut corrections: BTreeMap<i64, Vec<CorrectionRow>> = BTreeMap::new();
        for r in attendance::corrections_of(c, &ids)? {
            corrections.entry(r.attendance_id).or_default().push(r);
        }
        Ok(list
            .into_iter()
            .map(|invitee| {
                let record = records
                    .iter()
                    .find(|r| r.appointment_id == invitee.appointment_id)
                    .cloned();
                let corrections = record
                    .as_ref()
                    .and_then(|r| corrections.remove(&r.id))
                    .unwrap_or_default();
                InviteeAttendance {
                    invitee,
                    record,
                    corrections,
                }
            })
            .collect())
    })
    .await
}

/// A person's invitations (of one body only, if given), their records and the open cases.
#[derive(Debug, Clone)]
pub struct PersonHistory {
    pub invitations: Vec<(InviteeRow, InvitedTo)>,
    pub records: Vec<AttendanceRow>,
    pub open_cases: Vec<AbsenceCaseRow>,
}

///
/// Each appointment id is sent once (it was sent once per invitation, issue 11). The work year
/// is picked in Rust, not SQL: a prepared statement's generic plan guesses a date range at 0.5 %
/// of the activities and then reads every activity of the range (12 ms instead of 1.8 ms on the
/// bench data).
pub async fn person_history(db: &Db, person_id: i64, only_body: Option<i64>) -> Result<PersonHistory, ApiError> {
    db.run(move |c| {
        let invitations = invitees::of_person(c, person_id, only_body)?;
        let mut appointment_ids: Vec<i64> = invitations.iter().map(|(i, _)| i.appointment_id).collect();
        appointment_ids.sort_unstable();
        appointment_ids.dedup();
        Ok(PersonHistory {
            records: attendance::of_appointments(c, &appointment_ids)?,
            open_cases: absence_cases::open_of(c, &appointment_ids)?,
            invitations,
        })
    })
    .await
}

/// Invitations to the activities held between `from` and `to` (of one body, if given), and
/// (activity id, appointment id, status) of their records.
/// What the statistics count: the invitations to held activities, their attendance marks and
/// the replies to their notices, each as (activity, appointment, value).
#[derive(Debug, Clone)]
pub struct Held {
    pub invitations: Vec<HeldInvitation>,
    pub marks: Vec<(i64, i64, AttendanceStatus)>,
    pub replies: Vec<(i64, i64, ReplyAnswer)>,
}

pub async fn held_between(db: &Db, from: NaiveDate, to: NaiveDate, body_id: Option<i64>) -> Result<Held, ApiError> {
    db.run(move |c| {
        let invitations = invitees::at_held(c, from, to, body_id)?;
        let activity_ids: Vec<i64> = invitations.iter().map(|r| r.activity_id).collect();
        let marks = attendance::marks_of_activities(c, &activity_ids)?;
        let replies = replies::answers_of_activities(c, &activity_ids)?;
        Ok(Held {
            invitations,
            marks,
            replies,
        })
    })
    .await
}
