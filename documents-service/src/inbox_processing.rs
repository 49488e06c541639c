//! Turns received events into documents: a 聘书 on appointment (replacing the previous one on
//! renewal), a notice on dismissal, lapse and resignation, revocation on an early end, a
//! 荣誉证书 on commendation. Each event is handled once, in one transaction with its mark;
//! a failing event stays unprocessed with its error and attempts, visible, and is retried;
//! one that fails for a lasting reason is parked as a dead letter, listed and replayable.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use service_kit::db::write_tx;
use service_kit::queue::{DEFAULT_LEASE, Heartbeat, Holder, Queue, RetryPolicy};
use service_kit::{ApiError, Code, Db, DbConn};

use alliance_events::{
    ActivityFacts, AppointmentFacts, CertificateIssue, CommendationFacts, Event, InviteeFacts, NoticeSend, ToDocuments,
};

use crate::db::schema::inbox_events;
use crate::domain::kinds::DocumentKind;
use crate::issuing::{DocumentRenderer, IssueRequest, chinese_date, issue, revoke, small_number_zh};

/// Received events not yet handled, nor parked, and due.
pub const QUEUE: Queue = Queue::new(
    "inbox_events",
    "processed_at IS NULL AND dead_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $1)",
    "id",
);

/// Attempts after which an event that fails for a lasting reason is parked.
pub const DEAD_AFTER: i32 = 3;

/// Between attempts: 2 s doubling, at most an hour; a transient cause is retried as long as it lasts.
const RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(2),
    cap: Duration::from_secs(3600),
    give_up_after: None,
    max_attempts: None,
};

pub const ISSUER: &str = "机械行业技工院校高水平专业建设联盟";

pub struct Processor {
    pub renderer: Arc<dyn DocumentRenderer>,
    pub public_base_url: String,
    pub today: fn() -> NaiveDate,
}

/// Template data of an appointment's documents, from the facts members-service sent.
fn appointment_data(a: &AppointmentFacts) -> Value {
    let zh = |d: Option<NaiveDate>| d.map(chinese_date).unwrap_or_default();
    json!({
        "issuer": ISSUER,
        "person_name": a.person_name,
        "unit_name": a.unit_name,
        "body_name": format!("{ISSUER}{}", a.body_name),
        "post_label": a.post_label,
        "term_label": term_label(a),
        "term_starts_on_zh": chinese_date(a.term_starts_on),
        "term_ends_on_zh": chinese_date(a.term_ends_on),
        "starts_on_zh": chinese_date(a.starts_on),
        "ends_on_zh": chinese_date(a.ends_on),
        "effective_on_zh": zh(a.ended_on),
        "requested_on_zh": zh(a.ended_on),
        "reason": a.end_reason.as_deref().unwrap_or_default(),
    })
}

fn term_label(a: &AppointmentFacts) -> String {
    format!("第{}届", small_number_zh(i64::from(a.term_number)))
}

/// The request for a document about an appointment (`a`: the appointment facts members-service
/// sends), idempotent on `event_id`.
pub fn appointment_request(
    event_id: &str,
    kind: DocumentKind,
    a: &AppointmentFacts,
    recipients: Vec<String>,
) -> IssueRequest {
    IssueRequest {
        kind,
        subject_key: format!("appointment:{}", a.appointment_id),
        person_name: a.person_name.clone(),
        post_label: a.post_label.clone(),
        body_name: a.body_name.clone(),
        term_label: term_label(a),
        person_id: Some(a.person_id),
        appointment_id: Some(a.appointment_id),
        source_event_id: Some(event_id.to_owned()),
        data: appointment_data(a),
        recipients,
        supersedes_subject: a.previous_appointment_id.map(|p| format!("appointment:{p}")),
    }
}

/// 星期一 … 星期日
fn weekday_zh(d: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][d.weekday().num_days_from_monday() as usize]
}

/// A 会议通知 to one invitee, from meetings-service's `notice.send` event.
fn meeting_notice_request(event_id: &str, act: &ActivityFacts, inv: &InviteeFacts) -> IssueRequest {
    let time = act.starts_at.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let starts_at_zh = format!(
        "{}（{}）{}",
        chinese_date(act.held_on),
        weekday_zh(act.held_on),
        time.map(|t| format!(" {t}")).unwrap_or_default()
    );
    let reply_by = act.reply_by.unwrap_or(act.held_on - chrono::Duration::days(3));
    let meeting_name = format!("{ISSUER}{}{}", act.body_name, act.title);
    let agenda: Vec<&str> = act
        .agenda
        .iter()
        .map(String::as_str)
        .filter(|t| !t.trim().is_empty())
        .collect();
    let agenda = if agenda.is_empty() {
        vec!["会议议程另行通知"]
    } else {
        agenda
    };
    let contact = act.contact_name.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let mut data = json!({
        "issuer": ISSUER,
        "person_name": inv.person_name,
        "title": format!("关于召开{meeting_name}的通知"),
        "meeting_name": meeting_name,
        "starts_at_zh": starts_at_zh,
        "location": act.place,
        "agenda": agenda,
        "attendees": format!("{ISSUER}{}全体成员", act.body_name),
        "reply_by_zh": chinese_date(reply_by),
        "contact_name": contact.unwrap_or("技工联盟秘书处"),
        "contact_phone": act.contact_phone.as_deref().unwrap_or_default(),
    });
    let purpose = act.description.trim().trim_end_matches(['。', '，', '.', ',']);
    if let (Value::Object(m), false) = (&mut data, purpose.is_empty()) {
        m.insert("purpose".into(), json!(purpose));
    }
    IssueRequest {
        kind: DocumentKind::MeetingNotice,
        subject_key: format!("activity:{}:appointment:{}", act.activity_id, inv.appointment_id),
        person_name: inv.person_name.clone(),
        post_label: inv.post_label.clone(),
        body_name: act.body_name.clone(),
        term_label: String::new(),
        person_id: Some(inv.person_id),
        appointment_id: Some(inv.appointment_id),
        source_event_id: Some(event_id.to_owned()),
        data,
        recipients: inv.person_email.clone().into_iter().collect(),
        supersedes_subject: None,
    }
}

/// A 荣誉证书 of a commendation (R16).
fn commendation_request(event_id: &str, m: &CommendationFacts) -> IssueRequest {
    IssueRequest {
        kind: DocumentKind::CommendationCertificate,
        subject_key: format!("commendation:{}", m.commendation_id),
        person_name: m.recipient_name.clone(),
        post_label: String::new(),
        body_name: String::new(),
        term_label: String::new(),
        person_id: m.person_id,
        appointment_id: None,
        source_event_id: Some(event_id.to_owned()),
        data: json!({"issuer": ISSUER, "person_name": m.recipient_name, "recipient_name": m.recipient_name,
            "recipient_is_unit": m.person_id.is_none(),
            "unit_name": m.unit_name, "citation": m.citation,
            "year_label": format!("{}年度", m.year),
            "honor_title": "先进成员"}),
        recipients: m.recipient_email.clone().into_iter().collect(),
        supersedes_subject: None,
    }
}

/// The documents-side meaning of an event: what to issue or revoke, or nothing to print.
enum Work {
    Issue(Box<IssueRequest>),
    Revoke { subject: String, reason: String },
    Nothing,
}

fn work_for(event_id: &str, event: &ToDocuments) -> Work {
    let person = |a: &AppointmentFacts| a.person_email.clone().into_iter().collect::<Vec<_>>();
    match event {
        ToDocuments::CertificateIssue(CertificateIssue::AppointmentCertificate { appointment: a }) => {
            Work::Issue(Box::new(appointment_request(
                event_id,
                DocumentKind::AppointmentCertificate,
                a,
                person(a),
            )))
        }
        ToDocuments::CertificateIssue(CertificateIssue::CommendationCertificate { commendation }) => {
            Work::Issue(Box::new(commendation_request(event_id, commendation)))
        }
        ToDocuments::CertificateRevoke(r) => Work::Revoke {
            subject: format!("appointment:{}", r.appointment.appointment_id),
            reason: format!(
                "{}（{}）",
                r.appointment.status,
                r.appointment.end_reason.as_deref().unwrap_or_default()
            ),
        },
        ToDocuments::NoticeSend(NoticeSend::MeetingNotice { activity, invitee }) => {
            Work::Issue(Box::new(meeting_notice_request(event_id, activity, invitee)))
        }
        ToDocuments::NoticeSend(NoticeSend::DismissalNotice { appointment: a }) => {
            // R14: a dismissal notice goes to the person and to their unit's contact.
            let mut recipients = person(a);
            recipients.extend(a.unit_contact_email.clone());
            Work::Issue(Box::new(appointment_request(
                event_id,
                DocumentKind::DismissalNotice,
                a,
                recipients,
            )))
        }
        ToDocuments::NoticeSend(NoticeSend::ResignationAcceptance { appointment: a }) => Work::Issue(Box::new(
            appointment_request(event_id, DocumentKind::ResignationAcceptance, a, person(a)),
        )),
        ToDocuments::NoticeSend(NoticeSend::LapseNotice { appointment: a }) => Work::Issue(Box::new(
            appointment_request(event_id, DocumentKind::LapseNotice, a, person(a)),
        )),
        // Recorded by members-service; the e-mail itself needs no document.
        ToDocuments::TermEndReminder(_) => Work::Nothing,
    }
}

impl Processor {
    /// Handles one event inside the caller's transaction. An event that does not match its
    /// kind's definition (`alliance_events`) is refused with 422 `invalid_event`, and so parked
    /// after a few tries: nothing is printed from a guess.
    pub fn handle(&self, c: &mut DbConn, event_id: &str, kind: &str, payload: &Value) -> Result<(), ApiError> {
        let event = ToDocuments::parse(kind, payload)?;
        match work_for(event_id, &event) {
            Work::Issue(req) => {
                issue(c, &*self.renderer, &self.public_base_url, (self.today)(), *req)?;
            }
            Work::Revoke { subject, reason } => {
                revoke(c, DocumentKind::AppointmentCertificate, &subject, &reason)?;
            }
            Work::Nothing => tracing::info!(event_id, kind, "event received; nothing to print"),
        }
        Ok(())
    }

    /// One pass: claims due events (exclusive across replicas, leases renewed while it
    /// works), handles each in one transaction with its mark, and parks as a dead letter an
    /// event that failed [`DEAD_AFTER`] times for a reason that will not go away. Returns how
    /// many were handled.
    pub fn run_once(&self, db: &Db, holder: &Holder, lease: Duration) -> Result<usize, ApiError> {
        let mut conn = db.get()?;
        let ids = QUEUE.claim(&mut conn, holder, 20, lease)?;
        if ids.is_empty() {
            return Ok(0);
        }
        let _beat = Heartbeat::start(db.clone(), QUEUE, holder.clone(), ids.clone(), lease);
        let mut handled = 0;
        for id in ids {
            let (event_id, kind, payload, attempts): (String, String, String, i32) = inbox_events::table
                .find(id)
                .select((
                    inbox_events::event_id,
                    inbox_events::kind,
                    inbox_events::payload,
                    inbox_events::attempts,
                ))
                .first(&mut *conn)?;
            let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            let result = write_tx(&mut conn, |c| {
                // A claim taken over (this worker stalled past its lease) is not ours to finish.
                if !QUEUE.holds(c, holder, id)? {
                    return Ok(false);
                }
                self.handle(c, &event_id, &kind, &payload)?;
                diesel::update(inbox_events::table.find(id))
                    .set((
                        inbox_events::processed_at.eq(Some(Utc::now().naive_utc())),
                        inbox_events::claimed_by.eq(None::<String>),
                        inbox_events::claimed_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(c)?;
                Ok::<bool, ApiError>(true)
            });
            match result {
                Ok(true) => handled += 1,
                Ok(false) => {}
                Err(e) => {
                    let attempts = attempts.saturating_add(1);
                    let now = Utc::now().naive_utc();
                    let dead = lasting(&e) && attempts >= DEAD_AFTER;
                    if dead {
                        tracing::error!(event_id, kind, attempts, error = %e,
                            "event parked as a dead letter (GET /api/v1/documents/failed-events; replay after a fix)");
                    } else {
                        tracing::warn!(event_id, kind, attempts, error = %e, "event not processed; will retry");
                    }
                    let wait = chrono::Duration::from_std(RETRY.delay(attempts)).unwrap_or(chrono::Duration::hours(1));
                    diesel::update(
                        inbox_events::table
                            .find(id)
                            .filter(inbox_events::claimed_by.eq(holder.token())),
                    )
                    .set((
                        inbox_events::attempts.eq(attempts),
                        inbox_events::last_error.eq(Some(format!("{}: {e}", e.code()))),
                        inbox_events::next_attempt_at.eq(Some(now + wait)),
                        inbox_events::dead_at.eq(dead.then_some(now)),
                        inbox_events::claimed_by.eq(None::<String>),
                        inbox_events::claimed_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(&mut *conn)?;
                }
            }
        }
        Ok(handled)
    }
}

/// Whether an event's failure will come back however often it is tried: the event itself is
/// wrong (a 4xx: bad or missing data, a character no font has, an unknown kind), as opposed to
/// the database or the renderer failing for now.
fn lasting(e: &ApiError) -> bool {
    let s = e.status();
    s.is_client_error() && !matches!(s.as_u16(), 408 | 409 | 429)
}

/// Replays a dead letter after a fix: it is tried again at once, its count started anew.
/// `None` when there is no such event; 409 when it is not a dead letter.
pub fn replay(conn: &mut DbConn, event_id: &str) -> Result<Option<()>, ApiError> {
    write_tx(conn, |c| {
        let dead: Option<Option<NaiveDateTime>> = inbox_events::table
            .filter(inbox_events::event_id.eq(event_id))
            .select(inbox_events::dead_at)
            .first(c)
            .optional()?;
        match dead {
            None => Ok(None),
            Some(None) => Err(ApiError::conflict(
                Code::EventNotFailed,
                format!("event {event_id} is not a dead letter; only those can be replayed"),
            )),
            Some(Some(_)) => {
                diesel::update(inbox_events::table.filter(inbox_events::event_id.eq(event_id)))
                    .set((
                        inbox_events::dead_at.eq(None::<NaiveDateTime>),
                        inbox_events::attempts.eq(0),
                        inbox_events::next_attempt_at.eq(Some(Utc::now().naive_utc())),
                    ))
                    .execute(c)?;
                Ok(Some(()))
            }
        }
    })
}

/// Handles received events until the service stops; first releases what this worker's earlier
/// life still held.
pub fn spawn_worker(
    db: Db,
    processor: Arc<Processor>,
    holder: Holder,
    poll: Duration,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let h = holder.clone();
        match db.run(move |c| QUEUE.release_earlier(c, &h)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "inbox events of an earlier run released"),
            Err(e) => tracing::warn!(error = %e, "cannot release earlier claims; they lapse with their lease"),
        }
        loop {
            let (db2, p, h) = (db.clone(), processor.clone(), holder.clone());
            match tokio::task::spawn_blocking(move || p.run_once(&db2, &h, DEFAULT_LEASE)).await {
                Ok(Ok(n)) if n > 0 => continue,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = ?e, "inbox pass failed; will retry"),
                Err(e) => tracing::warn!(error = %e, "inbox pass panicked; will retry"),
            }
            actix_web::rt::time::sleep(poll).await;
        }
    })
}
