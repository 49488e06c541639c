//! Rows of meetings-service's tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    pub id: i64,
    pub body_id: i64,
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub description: String,
    pub status: String,
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
}

#[derive(Debug, Insertable)]
#[diesel(table_name = activities)]
pub struct NewActivityRow {
    pub body_id: i64,
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub description: String,
    pub status: String,
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

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = invitees)]
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
    pub status: String,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = attendance_corrections)]
pub struct CorrectionRow {
    pub id: i64,
    pub attendance_id: i64,
    pub before_status: String,
    pub before_reason: Option<String>,
    pub after_status: String,
    pub after_reason: Option<String>,
    pub why: String,
    pub corrected_by: String,
    pub corrected_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = absence_cases)]
pub struct AbsenceCaseRow {
    pub id: i64,
    pub appointment_id: i64,
    pub work_year: i32,
    pub status: String,
    pub absences: String,
    pub open_event_id: String,
    pub withdraw_event_id: Option<String>,
    pub opened_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = annual_documents)]
pub struct AnnualDocumentRow {
    pub id: i64,
    pub body_id: i64,
    pub kind: String,
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
