//! Rows of members-service's tables, with separate insert forms and update forms (one
//! `UPDATE` per change). Every state and kind column is its `vocabulary!` enum.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::*;
use crate::domain::applications::{ApplicationAction, ApplicationStatus, NominationStatus};
use crate::domain::appointments::{
    AppointmentSource, AppointmentStatus, DismissalCaseStatus, DismissalGround, ResignationStatus,
};
use crate::domain::assessments::AssessmentResult;
use crate::domain::audit::AuditAction;
use crate::domain::bodies::BodyKind;
use crate::domain::people::{TitleLevel, UnitKind};
use crate::domain::posts::Post;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
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
    pub kind: UnitKind,
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
    pub title_level: TitleLevel,
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
    pub title_level: TitleLevel,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub specialty: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sort_strokes: String,
    pub sort_pinyin: String,
    pub spelling: String,
    pub name_keys_version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = bodies)]
pub struct BodyRow {
    pub id: i64,
    pub kind: BodyKind,
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
    pub post: Post,
    pub status: AppointmentStatus,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub dismissal_ground: Option<DismissalGround>,
    pub source: AppointmentSource,
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
    pub post: Post,
    pub status: AppointmentStatus,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub source: AppointmentSource,
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
    pub post: Post,
    pub reason: String,
    pub exception_reason: Option<String>,
    pub issues: String,
    pub status: NominationStatus,
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
    pub post: Post,
    pub status: ApplicationStatus,
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
    pub action: ApplicationAction,
    pub from_status: ApplicationStatus,
    pub to_status: ApplicationStatus,
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
    pub status: ResignationStatus,
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
    pub status: DismissalCaseStatus,
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
    pub action: AuditAction,
    pub entity: String,
    pub entity_id: i64,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    pub id: i64,
    pub appointment_id: i64,
    pub year: i32,
    pub result: AssessmentResult,
    pub comment: String,
    pub assessed_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = commendations)]
pub struct CommendationRow {
    pub id: i64,
    pub year: i32,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub citation: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = commendations)]
pub struct NewCommendationRow<'a> {
    pub year: i32,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub citation: &'a str,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = bodies)]
pub struct NewBodyRow<'a> {
    pub kind: BodyKind,
    pub name: &'a str,
    pub specialty: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = terms)]
pub struct NewTermRow {
    pub body_id: i64,
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = nominations)]
pub struct NewNominationRow<'a> {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub reason: &'a str,
    pub exception_reason: Option<&'a str>,
    pub issues: String,
    pub status: NominationStatus,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = applications)]
pub struct NewApplicationRow<'a> {
    pub body_id: i64,
    pub term_id: i64,
    pub unit_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub status: ApplicationStatus,
    pub statement: &'a str,
    pub exception_reason: Option<&'a str>,
    pub issues: String,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = application_transitions)]
pub struct NewTransitionRow<'a> {
    pub application_id: i64,
    pub action: ApplicationAction,
    pub from_status: ApplicationStatus,
    pub to_status: ApplicationStatus,
    pub actor: &'a str,
    pub reason: &'a str,
    pub at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = resignations)]
pub struct NewResignationRow<'a> {
    pub appointment_id: i64,
    pub reason: &'a str,
    pub status: ResignationStatus,
    pub requested_by: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = dismissal_cases)]
pub struct NewDismissalCaseRow<'a> {
    pub appointment_id: i64,
    pub event_id: &'a str,
    pub work_year: i32,
    pub absences: String,
    pub status: DismissalCaseStatus,
    pub created_at: NaiveDateTime,
}

// ----- update forms: `None` leaves a column as it is (`Some(None)` sets NULL)

/// A change of a unit.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = units)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub address: Option<Option<String>>,
    pub contact_name: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Every changeable field of a person (an update writes the whole validated record).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = people, treat_none_as_null = true)]
pub struct PersonChanges {
    pub name: String,
    pub unit_id: i64,
    pub job_post: String,
    pub title_level: TitleLevel,
    pub specialty: String,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub updated_at: NaiveDateTime,
    pub sort_strokes: String,
    pub sort_pinyin: String,
    pub spelling: String,
    pub name_keys_version: i32,
}

/// An appointment's status change: an end (with its date and reason) or an activation.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = appointments)]
pub struct AppointmentChanges<'a> {
    pub status: AppointmentStatus,
    pub ended_on: Option<Option<NaiveDate>>,
    pub end_reason: Option<Option<&'a str>>,
    pub dismissal_ground: Option<Option<DismissalGround>>,
    pub updated_at: NaiveDateTime,
}

/// A step of an application (R7): its status and what the step recorded.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = applications)]
pub struct ApplicationChanges {
    pub status: Option<ApplicationStatus>,
    pub exception_accepted_by: Option<Option<String>>,
    pub exception_accepted_at: Option<Option<NaiveDateTime>>,
    pub votes_for: Option<Option<i32>>,
    pub votes_against: Option<Option<i32>>,
    pub abstentions: Option<Option<i32>>,
    pub voters_present: Option<Option<i32>>,
    pub threshold: Option<Option<String>>,
    pub appointment_id: Option<Option<i64>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A decision on a request or case: its new status, who, when and why.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = resignations)]
pub struct ResignationDecision<'a> {
    pub status: ResignationStatus,
    pub decided_by: Option<&'a str>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<&'a str>,
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = dismissal_cases)]
pub struct CaseDecision<'a> {
    pub status: DismissalCaseStatus,
    pub decided_by: Option<&'a str>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<&'a str>,
}
