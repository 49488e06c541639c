//! `GET /bodies/{id}/calendar.ics`: a body's activities as a calendar feed (issue 13).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use service_kit::{ApiError, Caller, Db};

use super::access;
use crate::app::calendar as app;
use crate::domain::replies::LinkError;

/// 机构日历 · A body's calendar feed.
///
/// 某机构的活动日历订阅（iCalendar，`METHOD:PUBLISH`）：近一年内的活动和全部将举行的活动，已取消的活动标注为取消。各事件的 UID 和 SEQUENCE 与随会议通知发送的会议邀请一致。没有活动的机构返回空日历。
///
/// A body's calendar feed: its activities of the last year and all coming ones
/// (iCalendar, `METHOD:PUBLISH`), cancelled ones marked so. The events have the same UID and
/// SEQUENCE as the invitations mailed with each 会议通知. A body without activities gives an
/// empty calendar.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/calendar.ics", tag = "activities",
    params(("id" = i64, Path, description = "机构编号 · The body (机构) id")),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, description = "日历订阅内容（RFC 5545） · The feed (RFC 5545)", content_type = "text/calendar", body = String),
        (status = 401, body = service_kit::Problem, content_type = "application/problem+json"),
        (status = 403, body = service_kit::Problem, content_type = "application/problem+json")))]
pub async fn body_feed(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let body_id = id.into_inner();
    let text = app::body_feed(&db, body_id).await?;
    Ok(HttpResponse::Ok()
        .content_type(service_kit::calendar::MEDIA_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"body-{body_id}.ics\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(text))
}

#[utoipa::path(get, path = "/c/{link}", tag = "activities",
    params(("link" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,100}$")),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, description = "日历订阅内容（RFC 5545） · The feed (RFC 5545)", content_type = "text/calendar", body = String),
        (status = 403, body = service_kit::Problem, content_type = "application/problem+json"),
        (status = 404, body = service_kit::Problem, content_type = "application/problem+json")),
    security(()))]
/// 个人日历 · A person's own calendar feed.
///
/// 公开：个人日历订阅（其受邀参加的活动），地址不可猜测，随本人的会议通知发送，供无法携带令牌的日历程序订阅。地址被改动过时返回 403，不是日历地址时返回 404。
///
/// `GET /c/{address}`: a person's own calendar feed (the activities they are invited to), at the
/// unguessable address their notices carry, for calendar programs that cannot send a token. An
/// address changed by hand gets 403, one that is not an address 404.
pub async fn person_feed(link: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    match app::person_feed(&db, link.into_inner()).await? {
        Ok(text) => Ok(HttpResponse::Ok()
            .content_type(service_kit::calendar::MEDIA_TYPE)
            .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"meetings.ics\""))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .body(text)),
        Err(LinkError::Forged) => Err(ApiError::forbidden("this calendar address is not valid")),
        Err(_) => Err(ApiError::not_found("no calendar at this address")),
    }
}
