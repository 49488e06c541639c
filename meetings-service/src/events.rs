//! Events for other services, written to the outbox in the same transaction as the change that
//! causes them: dismissal cases (R13) and election results (R10, R19) to members-service, meeting
//! notices to documents-service.

use alliance_events::{
    ActivityFacts, DismissalCaseOpen, DismissalCaseWithdraw, ElectionResults, InviteeFacts, NoticeOccasion, NoticeSend,
    ToDocuments, ToMembers,
};
use service_kit::outbox::enqueue_event;
use service_kit::{ApiError, DbConn};

use crate::db::models::{ActivityRow, InviteeRow};
use crate::domain::absence::CountedAbsence;
use crate::domain::agenda::AgendaItem;

pub const MEMBERS: &str = "members";
pub const DOCUMENTS: &str = "documents";

/// R13: the second unexcused absence in a work year; returns the event id.
pub fn open_case(
    c: &mut DbConn,
    appointment_id: i64,
    work_year: i32,
    absences: &[CountedAbsence],
) -> Result<String, ApiError> {
    let event = ToMembers::DismissalCaseOpen(DismissalCaseOpen {
        appointment_id,
        work_year,
        absences: absences
            .iter()
            .map(|a| alliance_events::CountedAbsence {
                activity_id: a.activity_id,
                held_on: a.held_on,
                title: a.title.clone(),
            })
            .collect(),
    });
    enqueue_event(c, &event)
}

/// R13: a correction or cancellation brought the count below two while the case was open.
pub fn withdraw_case(c: &mut DbConn, appointment_id: i64, work_year: i32, reason: &str) -> Result<String, ApiError> {
    let event = ToMembers::DismissalCaseWithdraw(DismissalCaseWithdraw {
        appointment_id,
        work_year,
        reason: reason.to_owned(),
    });
    enqueue_event(c, &event)
}

/// R10, R19: the results recorded at a plenary, for members-service's applications; returns the
/// event id.
pub fn election_results(c: &mut DbConn, results: ElectionResults) -> Result<String, ApiError> {
    let event = ToMembers::ElectionResults(results);
    enqueue_event(c, &event)
}

/// An activity as documents print it (its notices, its 签到表).
pub fn activity_facts(a: &ActivityRow) -> Result<ActivityFacts, ApiError> {
    let agenda: Vec<AgendaItem> = serde_json::from_str(&a.agenda).map_err(ApiError::internal)?;
    Ok(ActivityFacts {
        activity_id: a.id,
        body_id: a.body_id,
        body_name: a.body_name.clone(),
        kind: a.kind.as_str().to_owned(),
        kind_label: a.kind.label_zh().to_owned(),
        title: a.title.clone(),
        held_on: a.held_on,
        starts_at: a.starts_at.clone(),
        place: a.place.clone(),
        description: a.description.clone(),
        agenda: agenda.iter().map(AgendaItem::line).collect(),
        reply_by: a.reply_by,
        contact_name: a.contact_name.clone(),
        contact_phone: a.contact_phone.clone(),
        uid: service_kit::calendar::uid(a.id, a.created_at),
        sequence: a.sequence,
        cancel_reason: a.cancel_reason.clone(),
    })
}

/// The 会议通知 (or its change, cancellation or reminder) for one invitee, with their reply
/// and feed links (only those with an e-mail address get one).
pub fn meeting_notice(
    c: &mut DbConn,
    a: &ActivityRow,
    invitee: &InviteeRow,
    occasion: NoticeOccasion,
    (reply_link, feed_link): (Option<String>, Option<String>),
) -> Result<Option<String>, ApiError> {
    if invitee.person_email.as_deref().is_none_or(|e| e.trim().is_empty()) {
        return Ok(None);
    }
    let event = ToDocuments::NoticeSend(NoticeSend::MeetingNotice {
        activity: activity_facts(a)?,
        invitee: InviteeFacts {
            appointment_id: invitee.appointment_id,
            person_id: invitee.person_id,
            person_name: invitee.person_name.clone(),
            person_email: invitee.person_email.clone(),
            unit_name: invitee.unit_name.clone(),
            post_label: invitee.post_label.clone(),
            reply_link,
            feed_link,
        },
        occasion,
    });
    enqueue_event(c, &event).map(Some)
}
