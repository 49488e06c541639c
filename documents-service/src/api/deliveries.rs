//! The mail queue and the dead letters, for the secretariat: `GET /documents/deliveries`
//! (e.g. `?status=failed`: what did not reach its recipient, across all documents),
//! `POST /documents/deliveries/{id}/retry`, `GET /documents/failed-events` and
//! `POST /documents/failed-events/{event_id}/replay`. Admins only.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::{IntoParams, ToSchema};

pub use crate::domain::states::DeliveryStatus;

use crate::app::{delivery, inbox};
use crate::db::models::{DeadLetter, DeliveryRow};
use crate::domain::states::shown_delivery_status;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 12, "document_serial": "JGLM-PS-2026-000012", "recipient": "zw@example.cn",
    "message_id": "<JGLM-PS-2026-000012.1a2b3c@jglm>", "status": "failed", "attempts": 3,
    "last_error": "permanent error (550): mailbox unavailable", "next_attempt_at": "2026-12-01T08:00:00.000Z",
    "sending_since": null, "sent_at": null, "created_at": "2026-12-01T08:00:00.000Z"}))]
pub struct DeliveryItem {
    pub id: i64,
    pub document_serial: String,
    pub recipient: String,
    pub message_id: String,
    pub status: DeliveryStatus,
    /// Attempts since it was queued (or queued again by hand).
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "service_kit::utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(with = "service_kit::utc::option")]
    pub sending_since: Option<NaiveDateTime>,
    #[serde(with = "service_kit::utc::option")]
    pub sent_at: Option<NaiveDateTime>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

fn status_of(d: &DeliveryRow) -> DeliveryStatus {
    shown_delivery_status(d.status, d.sending_since.is_some())
}

fn item(d: DeliveryRow, serial: String) -> DeliveryItem {
    DeliveryItem {
        status: status_of(&d),
        id: d.id,
        document_serial: serial,
        recipient: d.recipient,
        message_id: d.message_id,
        attempts: d.attempts,
        last_error: d.last_error,
        next_attempt_at: d.next_attempt_at,
        sending_since: d.sending_since,
        sent_at: d.sent_at,
        created_at: d.created_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// E-mail deliveries across all documents, oldest first (e.g. `?status=failed`). Admins only.
#[utoipa::path(get, path = "/api/v1/documents/deliveries", tag = "documents", params(DeliveryFilter, PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<DeliveryItem>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<DeliveryFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let w = page.window()?;
    let status = filter.into_inner().status;
    let rows = db.run(move |c| delivery::list(c, status, w)).await?;
    Ok(HttpResponse::Ok().json(rows.map(|(d, serial)| item(d, serial))))
}

/// Queues a failed delivery again at once, with the same Message-ID; its retry schedule starts
/// anew. Admins only.
#[utoipa::path(post, path = "/api/v1/documents/deliveries/{id}/retry", tag = "documents", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 202, body = DeliveryItem, description = "queued again"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the delivery has not failed")))]
pub async fn retry(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    // `retry_failed` opens its own write transaction.
    let (d, serial) = db
        .run(move |c| delivery::retry_failed(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no delivery {id}")))?;
    tracing::info!(delivery = id, by = %caller.subject, "failed delivery queued again");
    Ok(HttpResponse::Accepted().json(item(d, serial)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"event_id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "source": "members", "kind": "certificate.issue",
    "attempts": 3, "last_error": "missing_glyphs: no font has 😀", "received_at": "2026-12-01T08:00:00.000Z",
    "failed_at": "2026-12-01T08:00:09.000Z"}))]
pub struct FailedEvent {
    pub event_id: String,
    /// The producing service.
    pub source: String,
    pub kind: String,
    pub attempts: i32,
    /// Why it failed (the error code first).
    pub last_error: Option<String>,
    #[serde(with = "service_kit::utc")]
    pub received_at: NaiveDateTime,
    /// When it was parked.
    #[serde(with = "service_kit::utc")]
    pub failed_at: NaiveDateTime,
}

fn failed_event(r: DeadLetter) -> FailedEvent {
    FailedEvent {
        event_id: r.event_id,
        source: r.source,
        kind: r.kind,
        attempts: r.attempts,
        last_error: r.last_error,
        failed_at: r.dead_at.unwrap_or(r.received_at),
        received_at: r.received_at,
    }
}

/// Received events parked as dead letters: each failed several times for a reason that will not
/// go away by itself (bad data, a character no font has, an unknown kind). Admins only.
#[utoipa::path(get, path = "/api/v1/documents/failed-events", tag = "documents", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<FailedEvent>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn failed_events(
    caller: Caller,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let w = page.window()?;
    let rows = db.run(move |c| inbox::dead_letters(c, w)).await?;
    Ok(HttpResponse::Ok().json(rows.map(failed_event)))
}

/// Tries a dead letter again at once (after the cause was fixed, e.g. a font added). Admins only.
#[utoipa::path(post, path = "/api/v1/documents/failed-events/{event_id}/replay", tag = "documents",
    extensions(("x-roles" = json!(["admin"]))),
    params(("event_id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")),
    responses((status = 202, description = "queued again"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the event is not a dead letter")))]
pub async fn replay_event(
    caller: Caller,
    event_id: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let event_id = event_id.into_inner();
    let e2 = event_id.clone();
    db.run(move |c| inbox::replay(c, &e2))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no event {event_id}")))?;
    tracing::info!(event_id, by = %caller.subject, "dead letter replayed");
    Ok(HttpResponse::Accepted().json(serde_json::json!({"event_id": event_id, "status": "queued"})))
}
