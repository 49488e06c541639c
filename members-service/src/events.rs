//! Events for other services, written to the outbox in the same transaction as the change
//! that causes them (the kit's worker delivers them to documents-service).

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use service_kit::{ApiError, DbConn};

use crate::db::models::AppointmentRow;
use crate::db::schema::{bodies, people, terms, units};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::people::TitleLevel;
use crate::domain::posts::Post;

pub const DOCUMENTS: &str = "documents";
pub const MEETINGS: &str = "meetings";

/// What documents-service needs to render and send an appointment's papers, without calling back.
#[derive(Debug, Serialize)]
pub struct AppointmentFacts {
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: Option<String>,
    /// 职务, e.g. 副校长
    pub job_post: String,
    /// 职称级别 in Chinese, e.g. 正高级
    pub title_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_contact_email: Option<String>,
    pub body_id: i64,
    pub body_name: String,
    pub post: String,
    pub post_label: String,
    pub term_number: i32,
    pub term_starts_on: NaiveDate,
    pub term_ends_on: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub previous_appointment_id: Option<i64>,
}

pub fn facts(conn: &mut DbConn, a: &AppointmentRow) -> Result<AppointmentFacts, ApiError> {
    let (person_name, person_email, job_post, title_level): (String, Option<String>, String, String) = people::table
        .find(a.person_id)
        .select((people::name, people::email, people::job_post, people::title_level))
        .first(conn)?;
    let (unit_name, unit_contact_email): (String, Option<String>) = units::table
        .find(a.unit_id)
        .select((units::name, units::contact_email))
        .first(conn)?;
    let body_name: String = bodies::table.find(a.body_id).select(bodies::name).first(conn)?;
    let (term_number, term_starts_on, term_ends_on): (i32, NaiveDate, NaiveDate) = terms::table
        .find(a.term_id)
        .select((terms::number, terms::starts_on, terms::ends_on))
        .first(conn)?;
    Ok(AppointmentFacts {
        appointment_id: a.id,
        person_id: a.person_id,
        person_name,
        person_email,
        job_post,
        title_label: TitleLevel::parse(&title_level)
            .map(|t| t.label_zh())
            .unwrap_or_default()
            .to_owned(),
        unit_id: a.unit_id,
        unit_name,
        unit_contact_email,
        body_id: a.body_id,
        body_name,
        post_label: Post::parse(&a.post)
            .map(|p| p.label_zh())
            .unwrap_or_default()
            .to_owned(),
        post: a.post.clone(),
        term_number,
        term_starts_on,
        term_ends_on,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        status: a.status.clone(),
        ended_on: a.ended_on,
        end_reason: a.end_reason.clone(),
        previous_appointment_id: a.previous_appointment_id,
    })
}

fn emit(conn: &mut DbConn, kind: &str, payload: serde_json::Value) -> Result<String, ApiError> {
    service_kit::outbox::enqueue(conn, DOCUMENTS, kind, &payload)
}

/// The body's people changed: meetings-service reads the invitees of its coming activities again.
fn members_changed(conn: &mut DbConn, a: &AppointmentRow) -> Result<(), ApiError> {
    service_kit::outbox::enqueue(
        conn,
        MEETINGS,
        "body.members_changed",
        &json!({"body_id": a.body_id, "appointment_id": a.id}),
    )?;
    Ok(())
}

/// An appointment was made (or renewed): issue and mail its 聘书; a renewal supersedes the
/// previous certificate.
pub fn appointment_made(conn: &mut DbConn, a: &AppointmentRow) -> Result<(), ApiError> {
    let f = facts(conn, a)?;
    emit(
        conn,
        "certificate.issue",
        json!({"document_kind": "appointment_certificate", "appointment": f}),
    )?;
    members_changed(conn, a)
}

/// An appointment ended: R14 notices, and revocation of the certificate for early ends.
pub fn appointment_ended(conn: &mut DbConn, a: &AppointmentRow, status: AppointmentStatus) -> Result<(), ApiError> {
    let f = facts(conn, a)?;
    let notice = match status {
        AppointmentStatus::Dismissed => Some("dismissal_notice"),
        AppointmentStatus::Resigned => Some("resignation_acceptance"),
        AppointmentStatus::Lapsed => Some("lapse_notice"),
        _ => None,
    };
    if status.is_early_end() {
        emit(conn, "certificate.revoke", json!({"appointment": f}))?;
    }
    if let Some(kind) = notice {
        emit(conn, "notice.send", json!({"document_kind": kind, "appointment": f}))?;
    }
    members_changed(conn, a)
}

/// A term-end reminder to a holder (and the secretariat).
pub fn term_end_reminder(conn: &mut DbConn, a: &AppointmentRow, days_before: u32) -> Result<(), ApiError> {
    let f = facts(conn, a)?;
    emit(
        conn,
        "reminder.term_end",
        json!({"days_before": days_before, "appointment": f}),
    )?;
    Ok(())
}
