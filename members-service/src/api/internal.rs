//! `/internal/v1/*` (no handler of the public contract): what the suite's other services read and send (service tokens with scope
//! `internal`; the gateway never forwards these paths, and they are not in the public contract).
//!
//! - `GET /internal/v1/appointment-facts?body_id=&on=` (or `?ids=1,2,3`): the facts of
//!   appointments, as the documents events carry them: meetings-service snapshots a body's
//!   invitees on an activity's date; documents-service certifies appointments in batches.
//! - `POST /internal/v1/events`: events from the others' outboxes. meetings-service sends
//!   `dismissal_case.open` (R13: a second unexcused absence in a work year) and
//!   `dismissal_case.withdraw` (an absence corrected to excused), idempotent on `event_id`; and
//!   `election.results` (R10, R19: the votes recorded at a plenary), which moves each application
//!   awaiting its election to elected or not_elected through the same R7 code path as
//!   `POST /applications/{id}/transitions`, as `system:meetings`. Idempotent by state: an
//!   application no longer awaiting its election is skipped and reported with its status.

use actix_web::{HttpResponse, web};
use alliance_events::{Event, ToMembers};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use service_kit::json::Json;
use service_kit::outbox::EventEnvelope;
use service_kit::{ApiError, Caller, Code, Db, FieldError};

use crate::app::dismissal_cases::{self, DismissalCase, OpenCase, WithdrawCase};
use crate::app::elections::apply_election_results;
use crate::app::facts::{MAX_FACTS, appointment_facts as facts};
use crate::db::appointments::FactsQuery as Facts;

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
            Code::TooMany,
            format!("at most {MAX_FACTS} ids"),
        )])),
        Err(_) => Err(ApiError::validation(vec![FieldError::new(
            "ids",
            Code::Invalid,
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
            Code::Required,
            "give body_id (with an optional date `on`) or ids",
        )]));
    }
    let query = Facts {
        ids,
        body_id: q.body_id,
        on: q.on,
    };
    let items = db.run(move |c| facts(c, &query)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// Receives an event. 200 with what was done; 409 when the appointment is no longer active
/// (the outbox takes that as delivered: there is nothing left to do).
pub async fn events(
    caller: Caller,
    body_in: Json<EventEnvelope>,
    db: web::Data<Db>,
    policy: Option<web::Data<AbsencePolicy>>,
) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let env = body_in.into_inner();
    let dismiss_at_once = policy.is_some_and(|p| p.dismiss_at_once);
    let event = ToMembers::parse(&env.kind, &env.payload)?;
    match event {
        ToMembers::DismissalCaseOpen(p) => {
            let open = OpenCase {
                event_id: env.event_id.clone(),
                appointment_id: p.appointment_id,
                work_year: p.work_year,
                absences: serde_json::to_value(&p.absences).map_err(ApiError::internal)?,
            };
            let case = db
                .write(move |c| dismissal_cases::open_case(c, &caller, &open, dismiss_at_once))
                .await?;
            Ok(HttpResponse::Ok().json(DismissalCase::from(case)))
        }
        ToMembers::DismissalCaseWithdraw(p) => {
            let w = WithdrawCase {
                event_id: env.event_id.clone(),
                appointment_id: p.appointment_id,
                work_year: p.work_year,
                reason: p.reason,
            };
            let out = db.write(move |c| dismissal_cases::withdraw(c, &caller, &w)).await?;
            Ok(match out {
                Some(row) => HttpResponse::Ok().json(DismissalCase::from(row)),
                None => HttpResponse::Ok().json(json!({"status": "no_open_case"})),
            })
        }
        ToMembers::ElectionResults(p) => {
            let activity_id = p.activity_id;
            let outcomes = db
                .write(move |c| apply_election_results(c, &Caller::system("meetings"), &p))
                .await?;
            tracing::info!(activity_id, event_id = %env.event_id, "election results applied");
            Ok(HttpResponse::Ok().json(json!({"activity_id": activity_id, "outcomes": outcomes})))
        }
    }
}
