//! Rows of members-service's tables, with separate insert forms.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = units)]
pub struct NewUnitRow {
    pub name: String,
    pub kind: String,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = people)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub job_post: String,
    pub title_level: String,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub specialty: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = people)]
pub struct NewPersonRow {
    pub name: String,
    pub unit_id: i64,
    pub job_post: String,
    pub title_level: String,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub specialty: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = bodies)]
pub struct BodyRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub specialty: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = terms)]
pub struct TermRow {
    pub id: i64,
    pub body_id: i64,
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub lapse_processed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = appointments)]
pub struct AppointmentRow {
    pub id: i64,
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub post: String,
    pub status: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub dismissal_ground: Option<String>,
    pub source: String,
    pub source_id: Option<i64>,
    pub previous_appointment_id: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = appointments)]
pub struct NewAppointmentRow {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub post: String,
    pub status: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub source: String,
    pub source_id: Option<i64>,
    pub previous_appointment_id: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = nominations)]
pub struct NominationRow {
    pub id: i64,
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: String,
    pub reason: String,
    pub exception_reason: Option<String>,
    pub issues: String,
    pub status: String,
    pub appointment_id: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: i64,
    pub body_id: i64,
    pub term_id: i64,
    pub unit_id: i64,
    pub person_id: i64,
    pub post: String,
    pub status: String,
    pub statement: String,
    pub exception_reason: Option<String>,
    pub issues: String,
    pub exception_accepted_by: Option<String>,
    pub exception_accepted_at: Option<NaiveDateTime>,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub abstentions: Option<i32>,
    pub voters_present: Option<i32>,
    pub threshold: Option<String>,
    pub appointment_id: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = application_transitions)]
pub struct TransitionRow {
    pub id: i64,
    pub application_id: i64,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub actor: String,
    pub reason: String,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = resignations)]
pub struct ResignationRow {
    pub id: i64,
    pub appointment_id: i64,
    pub reason: String,
    pub status: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = dismissal_cases)]
pub struct DismissalCaseRow {
    pub id: i64,
    pub appointment_id: i64,
    pub event_id: String,
    pub work_year: i32,
    pub absences: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
}
