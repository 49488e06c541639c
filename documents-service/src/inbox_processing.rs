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
use service_kit::{ApiError, Db, DbConn};

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

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn zh(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(chinese_date)
        .unwrap_or_default()
}

/// Template data of an appointment's documents, from the facts members-service sent.
fn appointment_data(a: &Value, extra: Value) -> Value {
    let mut data = json!({
        "issuer": ISSUER,
        "person_name": s(a, "person_name"),
        "unit_name": s(a, "unit_name"),
        "body_name": format!("{ISSUER}{}", s(a, "body_name")),
        "post_label": s(a, "post_label"),
        "term_label": term_label(a),
        "term_starts_on_zh": zh(a, "term_starts_on"),
        "term_ends_on_zh": zh(a, "term_ends_on"),
        "starts_on_zh": zh(a, "starts_on"),
        "ends_on_zh": zh(a, "ends_on"),
        "effective_on_zh": zh(a, "ended_on"),
        "requested_on_zh": zh(a, "ended_on"),
        "reason": s(a, "end_reason"),
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    data
}

fn term_label(a: &Value) -> String {
    format!(
        "第{}届",
        small_number_zh(a.get("term_number").and_then(Value::as_i64).unwrap_or(0))
    )
}

/// The request for a document about an appointment (`a`: the appointment facts members-service
/// sends), idempotent on `event_id`.
pub fn appointment_request(event_id: &str, kind: DocumentKind, a: &Value, recipients: Vec<String>) -> IssueRequest {
    let id = a.get("appointment_id").and_then(Value::as_i64);
    IssueRequest {
        kind,
        subject_key: format!("appointment:{}", id.unwrap_or(0)),
        person_name: s(a, "person_name").to_owned(),
        post_label: s(a, "post_label").to_owned(),
        body_name: s(a, "body_name").to_owned(),
        term_label: term_label(a),
        person_id: a.get("person_id").and_then(Value::as_i64),
        appointment_id: id,
        source_event_id: Some(event_id.to_owned()),
        data: appointment_data(a, json!({})),
        recipients,
        supersedes_subject: a
            .get("previous_appointment_id")
            .and_then(Value::as_i64)
            .map(|p| format!("appointment:{p}")),
    }
}

/// 星期一 … 星期日
fn weekday_zh(d: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][d.weekday().num_days_from_monday() as usize]
}

/// A 会议通知 to one invitee, from meetings-service's `notice.send` event
/// (`{"activity": {...}, "invitee": {...}}`).
fn meeting_notice_request(event_id: &str, payload: &Value) -> IssueRequest {
    let act = payload.get("activity").cloned().unwrap_or(Value::Null);
    let inv = payload.get("invitee").cloned().unwrap_or(Value::Null);
    let date = NaiveDate::parse_from_str(s(&act, "held_on"), "%Y-%m-%d").ok();
    let starts_at_zh = match date {
        Some(d) => {
            let time = s(&act, "starts_at");
            let time = if time.is_empty() {
                String::new()
            } else {
                format!(" {time}")
            };
            format!("{}（{}）{time}", chinese_date(d), weekday_zh(d))
        }
        None => String::new(),
    };
    let reply_by = NaiveDate::parse_from_str(s(&act, "reply_by"), "%Y-%m-%d")
        .ok()
        .or_else(|| date.map(|d| d - chrono::Duration::days(3)));
    let body_name = s(&act, "body_name");
    let meeting_name = format!("{ISSUER}{body_name}{}", s(&act, "title"));
    let agenda: Vec<Value> = act
        .get("agenda")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|v| v.as_str().is_some_and(|t| !t.trim().is_empty()))
                .cloned()
                .collect()
        })
        .filter(|a: &Vec<Value>| !a.is_empty())
        .unwrap_or_else(|| vec![json!("会议议程另行通知")]);
    let contact = s(&act, "contact_name");
    let mut data = json!({
        "issuer": ISSUER,
        "person_name": s(&inv, "person_name"),
        "title": format!("关于召开{meeting_name}的通知"),
        "meeting_name": meeting_name,
        "starts_at_zh": starts_at_zh,
        "location": s(&act, "place"),
        "agenda": agenda,
        "attendees": format!("{ISSUER}{body_name}全体成员"),
        "reply_by_zh": reply_by.map(chinese_date).unwrap_or_default(),
        "contact_name": if contact.is_empty() { "技工联盟秘书处" } else { contact },
        "contact_phone": s(&act, "contact_phone"),
    });
    let purpose = s(&act, "description").trim().trim_end_matches(['。', '，', '.', ',']);
    if let (Value::Object(m), false) = (&mut data, purpose.is_empty()) {
        m.insert("purpose".into(), json!(purpose));
    }
    let activity_id = act.get("activity_id").and_then(Value::as_i64).unwrap_or(0);
    let appointment_id = inv.get("appointment_id").and_then(Value::as_i64);
    IssueRequest {
        kind: DocumentKind::MeetingNotice,
        subject_key: format!("activity:{activity_id}:appointment:{}", appointment_id.unwrap_or(0)),
        person_name: s(&inv, "person_name").to_owned(),
        post_label: s(&inv, "post_label").to_owned(),
        body_name: body_name.to_owned(),
        term_label: String::new(),
        person_id: inv.get("person_id").and_then(Value::as_i64),
        appointment_id,
        source_event_id: Some(event_id.to_owned()),
        data,
        recipients: inv
            .get("person_email")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect(),
        supersedes_subject: None,
    }
}

impl Processor {
    /// Handles one event inside the caller's transaction.
    pub fn handle(&self, c: &mut DbConn, event_id: &str, kind: &str, payload: &Value) -> Result<(), ApiError> {
        let today = (self.today)();
        let doc_kind = payload
            .get("document_kind")
            .and_then(Value::as_str)
            .and_then(DocumentKind::parse);
        let a = payload.get("appointment").cloned().unwrap_or(Value::Null);
        let person_email: Vec<String> = a
            .get("person_email")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect();
        match (kind, doc_kind) {
            ("certificate.issue", Some(DocumentKind::AppointmentCertificate)) => {
                issue(
                    c,
                    &*self.renderer,
                    &self.public_base_url,
                    today,
                    appointment_request(event_id, DocumentKind::AppointmentCertificate, &a, person_email),
                )?;
            }
            ("certificate.issue", Some(DocumentKind::CommendationCertificate)) => {
                let m = payload.get("commendation").cloned().unwrap_or(Value::Null);
                let recipients = m
                    .get("recipient_email")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .into_iter()
                    .collect();
                let id = m.get("commendation_id").and_then(Value::as_i64).unwrap_or(0);
                issue(
                    c,
                    &*self.renderer,
                    &self.public_base_url,
                    today,
                    IssueRequest {
                        kind: DocumentKind::CommendationCertificate,
                        subject_key: format!("commendation:{id}"),
                        person_name: s(&m, "recipient_name").to_owned(),
                        post_label: String::new(),
                        body_name: String::new(),
                        term_label: String::new(),
                        person_id: m.get("person_id").and_then(Value::as_i64),
                        appointment_id: None,
                        source_event_id: Some(event_id.to_owned()),
                        data: json!({"issuer": ISSUER, "person_name": s(&m, "recipient_name"), "recipient_name": s(&m, "recipient_name"),
                            "recipient_is_unit": m.get("person_id").is_none_or(Value::is_null),
                            "unit_name": s(&m, "unit_name"), "citation": s(&m, "citation"),
                            "year_label": format!("{}年度", m.get("year").and_then(Value::as_i64).unwrap_or(0)),
                            "honor_title": "先进成员"}),
                        recipients,
                        supersedes_subject: None,
                    },
                )?;
            }
            ("certificate.revoke", _) => {
                let id = a.get("appointment_id").and_then(Value::as_i64).unwrap_or(0);
                let reason = format!("{}（{}）", s(&a, "status"), s(&a, "end_reason"));
                revoke(
                    c,
                    DocumentKind::AppointmentCertificate,
                    &format!("appointment:{id}"),
                    &reason,
                )?;
            }
            ("notice.send", Some(DocumentKind::MeetingNotice)) => {
                issue(
                    c,
                    &*self.renderer,
                    &self.public_base_url,
                    today,
                    meeting_notice_request(event_id, payload),
                )?;
            }
            ("notice.send", Some(k)) => {
                let mut recipients = person_email;
                // R14: a dismissal notice goes to the person and to their unit's contact.
                if k == DocumentKind::DismissalNotice
                    && let Some(contact) = a.get("unit_contact_email").and_then(Value::as_str)
                {
                    recipients.push(contact.to_owned());
                }
                issue(
                    c,
                    &*self.renderer,
                    &self.public_base_url,
                    today,
                    appointment_request(event_id, k, &a, recipients),
                )?;
            }
            ("reminder.term_end", _) => {
                // Recorded by members-service; the e-mail itself needs no document.
                tracing::info!(event_id, "term-end reminder received");
            }
            _ => {
                return Err(ApiError::unprocessable(
                    "unknown_event",
                    format!("no handling for event {kind}"),
                ));
            }
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
                "event_not_failed",
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
