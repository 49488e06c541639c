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
use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;
use service_kit::clock::today;
use service_kit::json::Json;
use service_kit::outbox::EventEnvelope;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db};

use super::activities::{find, refresh};
use crate::db::schema::activities;

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
    let from = today();
    let ahead: Vec<(i64, NaiveDate)> = db
        .run(move |c| {
            Ok(activities::table
                .filter(activities::body_id.eq(body_id))
                .filter(activities::held_on.ge(from))
                .filter(activities::status.ne("cancelled"))
                .order(activities::id)
                .select((activities::id, activities::held_on))
                .load(c)?)
        })
        .await?;
    let mut refreshed = Vec::new();
    for (id, _) in ahead {
        let a = db.run(move |c| find(c, id)).await?;
        match refresh(&db, &peers, a).await {
            Ok(_) => refreshed.push(id),
            // Frozen meanwhile (attendance recorded) or rescheduled (which read the list anew).
            Err(e) if e.status().as_u16() == 409 => {}
            Err(e) => return Err(e),
        }
    }
    tracing::info!(body_id, event_id = %env.event_id, ?refreshed, "invitees read again after a people change");
    Ok(HttpResponse::Ok().json(json!({ "body_id": body_id, "refreshed_activities": refreshed })))
}
