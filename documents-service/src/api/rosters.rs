//! `POST /documents/rosters`: the 成员名册 of a body on a date, issued on request (a serial, a
//! verification link, the PDF kept like every other document). The members come from
//! members-service as they stood on that date.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access::may_issue_roster;
use super::{Document, to_document};
use crate::app::issuing::Press;
use crate::app::rosters::{Issuer, issue_roster};
use alliance_events::vocab::NameOrder;

/// 签发成员名册的请求。A request to issue a body's 成员名册.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "on": "2026-11-27", "sort": "surname_strokes"}))]
pub struct NewRoster {
    /// 机构（理事会、专家委员会或协作组）编号。The body (council, expert committee or group).
    pub body_id: i64,
    /// 名册所列为该日期的在任人员（默认当天）。The members on this date (default: today).
    pub on: Option<NaiveDate>,
    /// 每一职务内的排序：`surname_strokes`（默认，姓氏笔画）、`pinyin`（拼音）、`id`（聘任先后）。
    /// The order within each post: `surname_strokes` (default, 姓氏笔画), `pinyin` or `id`.
    pub sort: Option<NameOrder>,
}

/// 签发成员名册 · Issue the 成员名册 of a body.
///
/// 签发某机构在某一日期的成员名册（机械工业教育发展中心、协作组秘书限本协作组，或具有 `documents:write` 权限的接入系统）：与其他文件一样有序列号和核验链接，PDF 在 `GET /documents/{serial}/pdf`。成员按当日情况从 members-service 读取。当日没有成员或含有字体无法打印的字符时返回 422；无法连接 members-service 时返回 503。
///
/// Issue the 成员名册 of a body (the Center, a group's secretary for their group, or a system
/// with `documents:write`); the PDF is at `GET /documents/{serial}/pdf`.
#[utoipa::path(post, path = "/api/v1/documents/rosters", tag = "documents", request_body = NewRoster,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "service:documents:write"]))),
    responses((status = 201, body = Document),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "该日期没有成员，或含有字体无法打印的字符 · no members on that date, or characters no font has"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "无法连接 members-service · members-service unreachable")))]
pub async fn create(
    caller: Caller,
    body_in: service_kit::json::Json<NewRoster>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    press: web::Data<Press>,
) -> Result<HttpResponse, ApiError> {
    let r = body_in.into_inner();
    may_issue_roster(&caller, r.body_id)?;
    let issuer = Issuer {
        db: &db,
        peers: &peers,
        press: press.get_ref().clone(),
        today: service_kit::clock::today(),
    };
    let order = r.sort.unwrap_or(NameOrder::SurnameStrokes);
    let doc = to_document(issue_roster(issuer, r.body_id, r.on, order).await?);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/documents/{}", doc.serial)))
        .json(doc))
}
