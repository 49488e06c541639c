//! `/internal/v1/*`: what the suite's other services send and read (service tokens with scope
//! `internal`; the gateway never forwards these paths).
//!
//! `GET /internal/v1/activities/{id}/sign-in-facts`: an activity's invitees and their replies,
//! which documents-service prints as the 签到表 (issue 13); 404 for an unknown activity.
//!
//! `POST /internal/v1/events`: events from the other services' outboxes.
//! members-service sends `body.members_changed` (`{"body_id", "appointment_id"}`) whenever an
//! appointment of a body begins or ends: the invitees of that body's coming activities are read
//! again, so a people change before the date refreshes the list; when the activity sends
//! notices, a newcomer gets the invitation and one no longer on the list its withdrawal
//! (会议邀请撤回通知). Held, past and cancelled activities, and those with attendance recorded,
//! keep the list they had. Idempotent: a redelivery reads the same list again and, the list
//! being unchanged, sends nothing.

use actix_web::{HttpResponse, web};
use alliance_events::{Event, ToMeetings};
use serde_json::json;
use service_kit::json::Json;
use service_kit::outbox::EventEnvelope;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db, OutboxWaker};

use crate::app::activities as app;
use crate::app::replies;

pub async fn events(
    caller: Caller,
    body_in: Json<EventEnvelope>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    waker: web::Data<OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let env = body_in.into_inner();
    let ToMeetings::BodyMembersChanged(changed) = ToMeetings::parse(&env.kind, &env.payload)?;
    let body_id = changed.body_id;
    let refreshed = app::body_members_changed(&db, &peers, &waker, body_id).await?;
    tracing::info!(body_id, event_id = %env.event_id, ?refreshed, "invitees read again after a people change");
    Ok(HttpResponse::Ok().json(json!({ "body_id": body_id, "refreshed_activities": refreshed })))
}

pub async fn sign_in_facts(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    Ok(HttpResponse::Ok().json(replies::sign_in_facts(&db, id.into_inner()).await?))
}
