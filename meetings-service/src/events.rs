//! Events for other services, written to the outbox in the same transaction as the change that
//! causes them: dismissal cases (R13) and election results (R10, R19) to members-service, meeting
//! notices to documents-service.

use serde_json::json;
use service_kit::outbox::enqueue;
use service_kit::{ApiError, DbConn};

use crate::db::models::{ActivityRow, InviteeRow};
use crate::domain::absence::CountedAbsence;
use crate::domain::activities::ActivityKind;
use crate::domain::agenda::AgendaItem;

pub const MEMBERS: &str = "members";
pub const DOCUMENTS: &str = "documents";

pub const CASE_OPEN: &str = "dismissal_case.open";
pub const CASE_WITHDRAW: &str = "dismissal_case.withdraw";
pub const NOTICE_SEND: &str = "notice.send";
pub const ELECTION_RESULTS: &str = "election.results";

/// R13: the second unexcused absence in a work year; returns the event id.
pub fn open_case(
    c: &mut DbConn,
    appointment_id: i64,
    work_year: i32,
    absences: &[CountedAbsence],
) -> Result<String, ApiError> {
    enqueue(
        c,
        MEMBERS,
        CASE_OPEN,
        &json!({"appointment_id": appointment_id, "work_year": work_year, "absences": absences}),
    )
}

/// R13: a correction or cancellation brought the count below two while the case was open.
pub fn withdraw_case(c: &mut DbConn, appointment_id: i64, work_year: i32, reason: &str) -> Result<String, ApiError> {
    enqueue(
        c,
        MEMBERS,
        CASE_WITHDRAW,
        &json!({"appointment_id": appointment_id, "work_year": work_year, "reason": reason}),
    )
}

/// R10, R19: the results recorded at a plenary, for members-service's applications; returns the
/// event id.
pub fn election_results(c: &mut DbConn, payload: &serde_json::Value) -> Result<String, ApiError> {
    enqueue(c, MEMBERS, ELECTION_RESULTS, payload)
}

/// The 会议通知 for one invitee (only those with an e-mail address get one).
pub fn meeting_notice(c: &mut DbConn, a: &ActivityRow, invitee: &InviteeRow) -> Result<Option<String>, ApiError> {
    if invitee.person_email.as_deref().is_none_or(|e| e.trim().is_empty()) {
        return Ok(None);
    }
    let kind = ActivityKind::parse(&a.kind);
    let agenda: Vec<AgendaItem> = serde_json::from_str(&a.agenda).unwrap_or_default();
    let payload = json!({
        "document_kind": "meeting_notice",
        "activity": {
            "activity_id": a.id,
            "body_id": a.body_id,
            "body_name": a.body_name,
            "kind": a.kind,
            "kind_label": kind.map(|k| k.label_zh()).unwrap_or_default(),
            "title": a.title,
            "held_on": a.held_on,
            "starts_at": a.starts_at,
            "place": a.place,
            "description": a.description,
            "agenda": agenda.iter().map(AgendaItem::line).collect::<Vec<_>>(),
            "reply_by": a.reply_by,
            "contact_name": a.contact_name,
            "contact_phone": a.contact_phone,
        },
        "invitee": {
            "appointment_id": invitee.appointment_id,
            "person_id": invitee.person_id,
            "person_name": invitee.person_name,
            "person_email": invitee.person_email,
            "unit_name": invitee.unit_name,
            "post_label": invitee.post_label,
        },
    });
    enqueue(c, DOCUMENTS, NOTICE_SEND, &payload).map(Some)
}
