//! `GET /members/failed-events` and `POST /members/failed-events/{event_id}/replay`: the events
//! this service's outbox could not deliver because their receiver refused them again and again
//! (dead letters), and sending one again after a fix. Admins only; the work is the kit's.

use actix_web::{HttpResponse, web};
use service_kit::outbox::{UndeliveredEvent, failed_events_page, replay_failed};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};

/// 投递失败的事件 · Events this service could not deliver.
///
/// 本服务发件箱中多次被接收方拒收、已搁置的事件（死信），例如发给文件服务签发聘书、解聘通知书的事件。
/// 仅秘书处管理员可看。
///
/// Events this service could not deliver: refused by their receiver several times, parked.
#[utoipa::path(get, path = "/api/v1/members/failed-events", tag = "failed events", params(PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<UndeliveredEvent>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, page: web::Query<PageQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(failed_events_page(&caller, &page, &db).await?))
}

/// 重新投递事件 · Send a parked event again.
///
/// 接收方修复后，立即重新投递一个已搁置的事件。事件不存在答 404；该事件不是死信（仍在正常投递或已送达）答 409。
///
/// Sends a parked event again at once (after its receiver was fixed).
#[utoipa::path(post, path = "/api/v1/members/failed-events/{event_id}/replay", tag = "failed events",
    extensions(("x-roles" = json!(["admin"]))),
    params(("event_id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")),
    responses((status = 202, body = UndeliveredEvent, description = "已重新排队 · queued again"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "不是死信 · not a dead letter")))]
pub async fn replay(
    caller: Caller,
    event_id: web::Path<String>,
    db: web::Data<Db>,
    waker: web::Data<service_kit::OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    let event = replay_failed(&caller, event_id.into_inner(), &db).await?;
    waker.wake();
    Ok(HttpResponse::Accepted().json(event))
}
