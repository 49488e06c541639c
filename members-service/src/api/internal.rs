//! `/internal/v1/*`: what the suite's other services read and send (service tokens with scope
//! `internal`; the gateway never forwards these paths, and they are not in the public contract).
//!
//! - `GET /internal/v1/appointment-facts?body_id=&on=` (or `?ids=1,2,3`): the facts of
//!   appointments, as the documents events carry them: meetings-service snapshots a body's
//!   invitees on an activity's date; documents-service certifies appointments in batches.
//! - `POST /internal/v1/events`: events from the others' outboxes. meetings-service sends
//!   `dismissal_case.open` (R13: a second unexcused absence in a work year) and
//!   `dismissal_case.withdraw` (an absence corrected to excused). Idempotent on `event_id`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use service_kit::outbox::EventEnvelope;
use service_kit::{ApiError, Caller, Db, FieldError};

use super::dismissal_cases::{self, OpenCase, WithdrawCase};
use crate::db::models::AppointmentRow;
use crate::db::schema::appointments;
use crate::events::{AppointmentFacts, facts};

/// At most this many appointments per facts request.
pub const MAX_FACTS: usize = 5000;

/// What the deployment decided about R13 (`MEMBERS_ABSENCE_DISMISS_AT_ONCE`): by default the
/// Center confirms each case; with `dismiss_at_once` the case is confirmed as it opens.
#[derive(Debug, Clone, Copy, Default)]
pub struct AbsencePolicy {
    pub dismiss_at_once: bool,
}

#[derive(Debug, Deserialize)]
pub struct FactsQuery {
    pub body_id: Option<i64>,
    /// Appointments active on this date (default: all of the body's active appointments).
    pub on: Option<NaiveDate>,
    /// Comma-separated appointment ids.
    pub ids: Option<String>,
}

fn parse_ids(ids: &str) -> Result<Vec<i64>, ApiError> {
    let parsed: Result<Vec<i64>, _> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect();
    match parsed {
        Ok(v) if v.len() <= MAX_FACTS => Ok(v),
        Ok(_) => Err(ApiError::validation(vec![FieldError::new(
            "ids",
            "too_many",
            format!("at most {MAX_FACTS} ids"),
        )])),
        Err(_) => Err(ApiError::validation(vec![FieldError::new(
            "ids",
            "invalid",
            "comma-separated appointment ids",
        )])),
    }
}

/// The facts of the appointments asked for, in id order.
pub async fn appointment_facts(
    caller: Caller,
    q: web::Query<FactsQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let q = q.into_inner();
    let ids = q.ids.as_deref().map(parse_ids).transpose()?;
    if ids.is_none() && q.body_id.is_none() {
        return Err(ApiError::validation(vec![FieldError::new(
            "body_id",
            "required",
            "give body_id (with an optional date `on`) or ids",
        )]));
    }
    let items: Vec<AppointmentFacts> = db
        .run(move |c| {
            let mut query = appointments::table
                .order(appointments::id)
                .select(AppointmentRow::as_select())
                .into_boxed();
            if let Some(ids) = &ids {
                query = query.filter(appointments::id.eq_any(ids.clone()));
            }
            if let Some(body) = q.body_id {
                query = query.filter(appointments::body_id.eq(body));
            }
            match q.on {
                // Active on that date, whatever happened since: the record of who was expected
                // at an activity stays true after people leave.
                Some(on) => {
                    query = query
                        .filter(appointments::starts_on.le(on))
                        .filter(appointments::ends_on.ge(on))
                        .filter(appointments::status.ne("pending"))
                        .filter(appointments::ended_on.is_null().or(appointments::ended_on.gt(on)));
                }
                None if ids.is_none() => query = query.filter(appointments::status.eq("active")),
                None => {}
            }
            let rows: Vec<AppointmentRow> = query.limit(MAX_FACTS as i64).load(c)?;
            rows.iter().map(|a| facts(c, a)).collect()
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

fn payload_of<T: serde::de::DeserializeOwned>(env: &EventEnvelope) -> Result<T, ApiError> {
    serde_json::from_value(env.payload.clone()).map_err(|e| {
        ApiError::validation(vec![FieldError::new(
            "payload",
            "invalid",
            format!("not a {} payload: {e}", env.kind),
        )])
    })
}

#[derive(Deserialize)]
struct CasePayload {
    appointment_id: i64,
    work_year: i32,
    #[serde(default)]
    absences: Value,
}

#[derive(Deserialize)]
struct WithdrawPayload {
    appointment_id: i64,
    work_year: i32,
    #[serde(default)]
    reason: String,
}

/// Receives an event. 200 with what was done; 409 when the appointment is no longer active
/// (the outbox takes that as delivered: there is nothing left to do).
pub async fn events(
    caller: Caller,
    body_in: web::Json<EventEnvelope>,
    db: web::Data<Db>,
    policy: Option<web::Data<AbsencePolicy>>,
) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let env = body_in.into_inner();
    let dismiss_at_once = policy.is_some_and(|p| p.dismiss_at_once);
    match env.kind.as_str() {
        "dismissal_case.open" => {
            let p: CasePayload = payload_of(&env)?;
            let open = OpenCase {
                event_id: env.event_id.clone(),
                appointment_id: p.appointment_id,
                work_year: p.work_year,
                absences: p.absences,
            };
            let case = db
                .write(move |c| {
                    let (row, created) = dismissal_cases::open(c, &caller, &open)?;
                    if created && dismiss_at_once {
                        let reason = format!("{}工作年度两次无故不参加活动，予以解聘", open.work_year);
                        return dismissal_cases::decide_case(c, &caller, row.id, true, &reason);
                    }
                    Ok(row)
                })
                .await?;
            Ok(HttpResponse::Ok().json(dismissal_cases::DismissalCase::from(case)))
        }
        "dismissal_case.withdraw" => {
            let p: WithdrawPayload = payload_of(&env)?;
            let w = WithdrawCase {
                event_id: env.event_id.clone(),
                appointment_id: p.appointment_id,
                work_year: p.work_year,
                reason: p.reason,
            };
            let out = db.write(move |c| dismissal_cases::withdraw(c, &caller, &w)).await?;
            Ok(match out {
                Some(row) => HttpResponse::Ok().json(dismissal_cases::DismissalCase::from(row)),
                None => HttpResponse::Ok().json(json!({"status": "no_open_case"})),
            })
        }
        other => Err(ApiError::unprocessable(
            "unknown_event",
            format!("members-service does not handle {other} events"),
        )),
    }
}
