//! Events for other services, written to the outbox in the same transaction as the change
//! that causes them (the kit's worker delivers them to documents-service).

use alliance_events::{
    BodyMembersChanged, CertificateIssue, CertificateRevoke, NoticeSend, TermEndReminder, ToDocuments, ToMeetings,
};
use chrono::NaiveDate;
use diesel::prelude::*;
use service_kit::{ApiError, DbConn};

use crate::db::models::AppointmentRow;
use crate::db::schema::{bodies, people, terms, units};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::people::TitleLevel;
use crate::domain::posts::Post;

pub const DOCUMENTS: &str = "documents";
pub const MEETINGS: &str = "meetings";

/// What documents-service needs to render and send an appointment's papers, without calling back
/// (defined once, with the events, in `alliance_events`).
pub use alliance_events::AppointmentFacts;

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

fn emit(conn: &mut DbConn, event: ToDocuments) -> Result<String, ApiError> {
    service_kit::outbox::enqueue_event(conn, &event)
}

/// The body's people changed: meetings-service reads the invitees of its coming activities again.
fn members_changed(conn: &mut DbConn, a: &AppointmentRow) -> Result<(), ApiError> {
    let event = ToMeetings::BodyMembersChanged(BodyMembersChanged {
        body_id: a.body_id,
        appointment_id: a.id,
    });
    service_kit::outbox::enqueue_event(conn, &event)?;
    Ok(())
}

/// An appointment was made (or renewed): issue and mail its 聘书; a renewal supersedes the
/// previous certificate.
pub fn appointment_made(conn: &mut DbConn, a: &AppointmentRow) -> Result<(), ApiError> {
    let appointment = facts(conn, a)?;
    emit(
        conn,
        ToDocuments::CertificateIssue(CertificateIssue::AppointmentCertificate { appointment }),
    )?;
    members_changed(conn, a)
}

/// An appointment ended: R14 notices, and revocation of the certificate for early ends.
pub fn appointment_ended(conn: &mut DbConn, a: &AppointmentRow, status: AppointmentStatus) -> Result<(), ApiError> {
    let appointment = facts(conn, a)?;
    if status.is_early_end() {
        emit(
            conn,
            ToDocuments::CertificateRevoke(CertificateRevoke {
                appointment: appointment.clone(),
            }),
        )?;
    }
    let notice = match status {
        AppointmentStatus::Dismissed => Some(NoticeSend::DismissalNotice { appointment }),
        AppointmentStatus::Resigned => Some(NoticeSend::ResignationAcceptance { appointment }),
        AppointmentStatus::Lapsed => Some(NoticeSend::LapseNotice { appointment }),
        _ => None,
    };
    if let Some(notice) = notice {
        emit(conn, ToDocuments::NoticeSend(notice))?;
    }
    members_changed(conn, a)
}

/// A term-end reminder to a holder (and the secretariat).
pub fn term_end_reminder(conn: &mut DbConn, a: &AppointmentRow, days_before: u32) -> Result<(), ApiError> {
    let appointment = facts(conn, a)?;
    emit(
        conn,
        ToDocuments::TermEndReminder(TermEndReminder {
            days_before,
            appointment,
        }),
    )?;
    Ok(())
}
