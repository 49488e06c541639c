//! `POST /documents/sign-in-sheets`: the 签到表 of a meeting, issued on request (issue 13): every
//! invitee, the body's leaders first, with their reply to the notice (参加, 请假 and its reason,
//! 未回复) and room to sign; a serial and a verification link like every other document. A new
//! sheet of the same activity supersedes the earlier one.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access::{may_issue_roster, may_issue_some_roster};
use super::{Document, to_document};
use crate::app::issuing::Press;
use crate::app::sign_in_sheets::{Issuer, issue_sign_in_sheet};

/// 签发会议签到表的请求。A request to issue a meeting's 签到表.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"activity_id": 3}))]
pub struct NewSignInSheet {
    /// 活动（会议）编号（meetings-service）。The activity (meeting) in meetings-service.
    pub activity_id: i64,
}

/// 签发签到表 · Issue the sign-in sheet of a meeting.
///
/// 签发一次会议的签到表（机械工业教育发展中心、本机构的协作组秘书，或具有 `documents:write` 权限的接入系统）：列出全部受邀人员（机构负责人在前）及其回执（参加、请假及事由、未回复），并留出签名栏；与其他文件一样有序列号和核验链接，PDF 在 `GET /documents/{serial}/pdf`。同一活动新签发的签到表替代先前的签到表。活动不存在时返回 404，已取消时返回 409（`activity_cancelled`），没有受邀人员（`empty_roster`）或含有字体无法打印的字符时返回 422，无法连接 meetings-service 时返回 503。
///
/// Issue the sign-in sheet of a meeting with the invitees' replies (the Center, the body's
/// group secretary, or a system with `documents:write`); the PDF is at
/// `GET /documents/{serial}/pdf`.
#[utoipa::path(post, path = "/api/v1/documents/sign-in-sheets", tag = "documents", request_body = NewSignInSheet,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "service:documents:write"]))),
    responses((status = 201, body = Document),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "没有该活动 · no such activity"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "活动已取消（`activity_cancelled`） · the activity is cancelled (`activity_cancelled`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "活动没有受邀人员（`empty_roster`），或含有字体无法打印的字符 · the activity has no invitees (`empty_roster`), or names characters no font has"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "无法连接 meetings-service · meetings-service unreachable")))]
pub async fn create(
    caller: Caller,
    body_in: service_kit::json::Json<NewSignInSheet>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    press: web::Data<Press>,
) -> Result<HttpResponse, ApiError> {
    let r = body_in.into_inner();
    may_issue_some_roster(&caller)?;
    let issuer = Issuer {
        db: &db,
        peers: &peers,
        press: press.get_ref().clone(),
    };
    let doc = to_document(issue_sign_in_sheet(issuer, &caller, r.activity_id, may_issue_roster).await?);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/documents/{}", doc.serial)))
        .json(doc))
}
