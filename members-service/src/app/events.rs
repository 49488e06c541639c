//! Events for other services, written to the outbox in the same transaction as the change
//! that causes them (the kit's worker delivers them to documents-service).

use alliance_events::{
    BodyMembersChanged, CertificateIssue, CertificateRevoke, NoticeSend, TermEndReminder, ToDocuments, ToMeetings,
};
use service_kit::{ApiError, DbConn};

use crate::db::models::AppointmentRow;
use crate::db::{bodies, people, terms, units};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::hanzi;

pub const DOCUMENTS: &str = "documents";
pub const MEETINGS: &str = "meetings";

/// What documents-service needs to render and send an appointment's papers, without calling back
/// (defined once, with the events, in `alliance_events`).
pub use alliance_events::AppointmentFacts;

pub fn facts(c: &mut DbConn, a: &AppointmentRow) -> Result<AppointmentFacts, ApiError> {
    let person = people::find(c, a.person_id)?;
    let unit = units::find(c, a.unit_id)?;
    let body = bodies::find(c, a.body_id)?;
    let term = terms::find(c, a.term_id)?;
    Ok(AppointmentFacts {
        appointment_id: a.id,
        person_id: a.person_id,
        person_stroke_key: hanzi::stroke_key(&person.name),
        person_pinyin_key: hanzi::pinyin_key(&person.name),
        person_name: person.name,
        person_email: person.email,
        job_post: person.job_post,
        title_label: person.title_level.label_zh().to_owned(),
        unit_id: a.unit_id,
        unit_name: unit.name,
        unit_contact_email: unit.contact_email,
        body_id: a.body_id,
        body_name: body.name,
        post_label: a.post.label_zh().to_owned(),
        post: a.post.as_str().to_owned(),
        term_number: term.number,
        term_starts_on: term.starts_on,
        term_ends_on: term.ends_on,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        status: a.status,
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
