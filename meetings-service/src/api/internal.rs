//! `POST /internal/v1/events`: events from the other services' outboxes (service tokens with
//! scope `internal`; the gateway never forwards this path).
//!
//! members-service sends `body.members_changed` (`{"body_id", "appointment_id"}`) whenever an
//! appointment of a body begins or ends: the invitees of that body's coming activities are read
//! again, so a people change before the date refreshes the list. Held, past and cancelled
//! activities, and those with attendance recorded, keep the list they had. Idempotent: a
//! redelivery reads the same list again.

use actix_web::{HttpResponse, web};
use alliance_events::{Event, ToMeetings};
use serde_json::json;
use service_kit::json::Json;
use service_kit::outbox::EventEnvelope;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db};

use crate::app::activities as app;

pub async fn events(
    caller: Caller,
    body_in: Json<EventEnvelope>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let env = body_in.into_inner();
    let ToMeetings::BodyMembersChanged(changed) = ToMeetings::parse(&env.kind, &env.payload)?;
    let body_id = changed.body_id;
    let refreshed = app::body_members_changed(&db, &peers, body_id).await?;
    tracing::info!(body_id, event_id = %env.event_id, ?refreshed, "invitees read again after a people change");
    Ok(HttpResponse::Ok().json(json!({ "body_id": body_id, "refreshed_activities": refreshed })))
}
