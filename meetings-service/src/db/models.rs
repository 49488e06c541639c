//! Rows of meetings-service's tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::*;
use crate::domain::absence::CaseStatus;
use crate::domain::activities::{ActivityKind, ActivityStatus};
use crate::domain::annual::AnnualDocumentKind;
use crate::domain::attendance::AttendanceStatus;
use crate::domain::replies::ReplyAnswer;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    pub id: i64,
    pub body_id: i64,
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub description: String,
    pub status: ActivityStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub body_name: String,
    pub starts_at: Option<String>,
    pub agenda: String,
    pub reply_by: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub send_notices: bool,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub created_by: String,
    pub invitees_fetched_at: Option<NaiveDateTime>,
    pub idempotency_key: Option<String>,
    /// The invitation's version (iCalendar SEQUENCE): raised on each change of date, time or
    /// place and on cancellation.
    pub sequence: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = activities)]
pub struct NewActivityRow {
    pub body_id: i64,
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub description: String,
    pub status: ActivityStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub body_name: String,
    pub starts_at: Option<String>,
    pub agenda: String,
    pub reply_by: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub send_notices: bool,
    pub created_by: String,
    pub invitees_fetched_at: Option<NaiveDateTime>,
    pub idempotency_key: Option<String>,
}

/// An invitation for tests: a 委员 of 天津市机电工艺技师学院 appointed for 2026–2029.
#[cfg(test)]
impl NewInviteeRow {
    pub fn for_test(activity_id: i64, appointment_id: i64, name: &str, email: Option<&str>) -> Self {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        Self {
            activity_id,
            appointment_id,
            person_id: appointment_id + 100,
            person_name: name.into(),
            person_email: email.map(str::to_owned),
            unit_id: 1,
            unit_name: "天津市机电工艺技师学院".into(),
            post: "member".into(),
            post_label: "委员".into(),
            appointment_starts_on: day(2026, 1, 1),
            appointment_ends_on: day(2029, 12, 31),
            appointment_ended_on: None,
        }
    }
}

/// An activity row for tests: the given body, kind, title, date and status, the rest empty.
#[cfg(test)]
impl NewActivityRow {
    pub fn for_test(body_id: i64, kind: ActivityKind, title: &str, held_on: NaiveDate, status: ActivityStatus) -> Self {
        let now = chrono::Utc::now().naive_utc();
        Self {
            body_id,
            kind,
            title: title.into(),
            held_on,
            place: "北京".into(),
            description: String::new(),
            status,
            created_at: now,
            updated_at: now,
            body_name: "数控技术专业建设协作组".into(),
            starts_at: None,
            agenda: "[]".into(),
            reply_by: None,
            contact_name: None,
            contact_phone: None,
            send_notices: false,
            created_by: "test".into(),
            invitees_fetched_at: None,
            idempotency_key: None,
        }
    }
}

/// A change of an activity, written in one UPDATE: `None` leaves a column as it is, and for
/// a nullable column `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = activities)]
pub struct ActivityChanges {
    pub title: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub description: Option<String>,
    pub starts_at: Option<Option<String>>,
    pub agenda: Option<String>,
    pub reply_by: Option<Option<NaiveDate>>,
    pub contact_name: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub status: Option<ActivityStatus>,
    pub cancelled_at: Option<Option<NaiveDateTime>>,
    pub cancel_reason: Option<Option<String>>,
    pub body_name: Option<String>,
    pub invitees_fetched_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub sequence: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = invitees)]
pub struct InviteeRow {
    pub id: i64,
    pub activity_id: i64,
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub post: String,
    pub post_label: String,
    pub appointment_starts_on: NaiveDate,
    pub appointment_ends_on: NaiveDate,
    pub appointment_ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = invitees, treat_none_as_null = true)]
pub struct NewInviteeRow {
    pub activity_id: i64,
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub post: String,
    pub post_label: String,
    pub appointment_starts_on: NaiveDate,
    pub appointment_ends_on: NaiveDate,
    pub appointment_ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = attendance)]
pub struct AttendanceRow {
    pub id: i64,
    pub activity_id: i64,
    pub appointment_id: i64,
    pub status: AttendanceStatus,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attendance)]
pub struct NewAttendanceRow<'a> {
    pub activity_id: i64,
    pub appointment_id: i64,
    pub status: AttendanceStatus,
    pub reason: Option<&'a str>,
    pub recorded_by: &'a str,
    pub recorded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A correction of an attendance record (its status and reason), in one UPDATE.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = attendance, treat_none_as_null = true)]
pub struct AttendanceChange<'a> {
    pub status: AttendanceStatus,
    pub reason: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = attendance_corrections)]
pub struct CorrectionRow {
    pub id: i64,
    pub attendance_id: i64,
    pub before_status: AttendanceStatus,
    pub before_reason: Option<String>,
    pub after_status: AttendanceStatus,
    pub after_reason: Option<String>,
    pub why: String,
    pub corrected_by: String,
    pub corrected_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attendance_corrections)]
pub struct NewCorrectionRow<'a> {
    pub attendance_id: i64,
    pub before_status: AttendanceStatus,
    pub before_reason: Option<&'a str>,
    pub after_status: AttendanceStatus,
    pub after_reason: Option<&'a str>,
    pub why: &'a str,
    pub corrected_by: &'a str,
    pub corrected_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = absence_cases)]
pub struct AbsenceCaseRow {
    pub id: i64,
    pub appointment_id: i64,
    pub work_year: i32,
    pub status: CaseStatus,
    pub absences: String,
    pub open_event_id: String,
    pub withdraw_event_id: Option<String>,
    pub opened_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = absence_cases)]
pub struct NewAbsenceCaseRow<'a> {
    pub appointment_id: i64,
    pub work_year: i32,
    pub status: CaseStatus,
    pub absences: String,
    pub open_event_id: &'a str,
    pub opened_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = annual_documents)]
pub struct AnnualDocumentRow {
    pub id: i64,
    pub body_id: i64,
    pub kind: AnnualDocumentKind,
    pub year: i32,
    pub title: String,
    pub text: String,
    pub file_name: Option<String>,
    pub file_content_type: Option<String>,
    pub file_base64: Option<String>,
    pub file_size: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = annual_documents)]
pub struct NewAnnualDocumentRow {
    pub body_id: i64,
    pub kind: AnnualDocumentKind,
    pub year: i32,
    pub title: String,
    pub text: String,
    pub file_name: Option<String>,
    pub file_content_type: Option<String>,
    pub file_base64: Option<String>,
    pub file_size: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = election_rounds)]
pub struct ElectionRoundRow {
    pub activity_id: i64,
    pub voters_present: i32,
    pub threshold_numerator: Option<i32>,
    pub threshold_denominator: Option<i32>,
    pub event_id: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = election_results)]
pub struct ElectionResultRow {
    pub id: i64,
    pub activity_id: i64,
    pub application_id: i64,
    pub votes_for: i32,
    pub votes_against: i32,
    pub abstentions: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = election_results)]
pub struct NewElectionResultRow {
    pub activity_id: i64,
    pub application_id: i64,
    pub votes_for: i32,
    pub votes_against: i32,
    pub abstentions: i32,
}

/// An invitee's answer to a meeting notice (回执, issue 13).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = replies)]
pub struct ReplyRow {
    pub id: i64,
    pub activity_id: i64,
    pub appointment_id: i64,
    pub person_id: i64,
    pub answer: ReplyAnswer,
    pub reason: Option<String>,
    pub answered_at: NaiveDateTime,
    /// How many times the answer was changed after the first.
    pub changes: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = reply_history)]
pub struct NewReplyHistory {
    pub activity_id: i64,
    pub appointment_id: i64,
    pub answer: ReplyAnswer,
    pub reason: Option<String>,
    pub answered_at: NaiveDateTime,
}
