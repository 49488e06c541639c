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

/// 邮件发送队列中的一项投递。One delivery of the mail queue.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 12, "document_serial": "JGLM-PS-2026-000012", "recipient": "zw@example.cn",
    "message_id": "<JGLM-PS-2026-000012.1a2b3c@jglm>", "status": "failed", "attempts": 3,
    "last_error": "permanent error (550): mailbox unavailable", "next_attempt_at": "2026-12-01T08:00:00.000Z",
    "sending_since": null, "sent_at": null, "created_at": "2026-12-01T08:00:00.000Z"}))]
pub struct DeliveryItem {
    /// 投递编号。The delivery's id.
    pub id: i64,
    /// 所发送文件的序列号。The serial of the document sent.
    pub document_serial: String,
    /// 收件人邮箱。The recipient's address.
    pub recipient: String,
    /// 邮件的 Message-ID。The mail's Message-ID.
    pub message_id: String,
    /// 状态：待发送、发送中、已发送或发送失败。queued, sending, sent or failed.
    pub status: DeliveryStatus,
    /// 自排队（或手动重新排队）以来的尝试次数。Attempts since it was queued (or queued again by hand).
    pub attempts: i32,
    /// 最近一次的错误。The last error.
    pub last_error: Option<String>,
    /// 下次尝试时间（UTC）。When the next attempt is due (UTC).
    #[serde(with = "service_kit::utc")]
    pub next_attempt_at: NaiveDateTime,
    /// 正在发送的开始时间（UTC）。Since when it is being sent (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub sending_since: Option<NaiveDateTime>,
    /// 发送成功时间（UTC）。When it was sent (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub sent_at: Option<NaiveDateTime>,
    /// 排队时间（UTC）。When it was queued (UTC).
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

/// 投递列表的筛选条件。Filters of the delivery list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// 只看该状态的投递（如 failed：发送失败）。Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// 邮件投递队列 · E-mail deliveries across all documents.
///
/// 全部文件的邮件投递，按时间从早到晚排列；例如 `?status=failed` 列出未能送达收件人的邮件。仅限管理员（秘书处）。
///
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

/// 重新发送邮件 · Queue a failed delivery again.
///
/// 立即将一项发送失败的投递重新排队，使用相同的 Message-ID，重试计划重新开始。仅限管理员；该投递未失败时返回 409。
///
/// Queues a failed delivery again at once, with the same Message-ID; its retry schedule starts
/// anew. Admins only.
#[utoipa::path(post, path = "/api/v1/documents/deliveries/{id}/retry", tag = "documents", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 202, body = DeliveryItem, description = "已重新排队发送 · queued again"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "该投递并未失败 · the delivery has not failed")))]
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

/// 接收后处理失败、已搁置的事件（死信）。A received event parked as a dead letter.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"event_id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "source": "members", "kind": "certificate.issue",
    "attempts": 3, "last_error": "missing_glyphs: no font has 😀", "received_at": "2026-12-01T08:00:00.000Z",
    "failed_at": "2026-12-01T08:00:09.000Z"}))]
pub struct FailedEvent {
    /// 事件编号（UUID）。The event's id (a UUID).
    pub event_id: String,
    /// 发出事件的服务。The producing service.
    pub source: String,
    /// 事件类型，如 `certificate.issue`。The event's kind, e.g. `certificate.issue`.
    pub kind: String,
    /// 已尝试处理的次数。Processing attempts so far.
    pub attempts: i32,
    /// 失败原因（错误代码在前）。Why it failed (the error code first).
    pub last_error: Option<String>,
    /// 接收时间（UTC）。When it was received (UTC).
    #[serde(with = "service_kit::utc")]
    pub received_at: NaiveDateTime,
    /// 转为死信的时间（UTC）。When it was parked.
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

/// 处理失败的事件 · Received events parked as dead letters.
///
/// 已搁置为死信的接收事件：每个都因不会自行消失的原因多次处理失败（数据有误、字体缺少某个字符、未知的事件类型）。仅限管理员。
///
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

/// 重新处理事件 · Try a dead letter again.
///
/// 在原因排除后（如已补充字体）立即重新处理一个死信事件。仅限管理员；该事件不是死信时返回 409。
///
/// Tries a dead letter again at once (after the cause was fixed, e.g. a font added). Admins only.
#[utoipa::path(post, path = "/api/v1/documents/failed-events/{event_id}/replay", tag = "documents",
    extensions(("x-roles" = json!(["admin"]))),
    params(("event_id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")),
    responses((status = 202, description = "已重新排队处理 · queued again"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "该事件不是死信 · the event is not a dead letter")))]
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
