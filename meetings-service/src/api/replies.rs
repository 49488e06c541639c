//! Replies to meeting notices (回执, issue 13): the page each invitee's personal link opens
//! (`GET`/`POST /r/{link}`, public through the gateway: the link is the credential), and the
//! replies the group's secretary and the Center read (`GET /activities/{id}/replies`).
//!
//! The page is plain HTML in Chinese with its CSS inline, a form that works without script on a
//! 360 px phone; every value is escaped. A tampered, expired or foreign link, or an answer after
//! the start, gets a page that says so and changes nothing.

use std::fmt::Write as _;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::html::escape;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access;
use crate::app::replies::{self as app, Answered, Refusal, ReplyView};
use crate::db::models::ReplyRow;
use crate::domain::replies::{LinkError, MAX_REASON, ReplyAnswer};

const ISSUER: &str = "机械行业技工院校高水平专业建设联盟";

/// The reply page's own rules (the rest is `service_kit::html::BASE_STYLE`).
const STYLE: &str = "\
h1{font-size:1.3rem;margin:0 0 .75rem}\
.note{border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1rem;color:#fff}\
.ok{background:#1b6e2d}.closed{background:#8a4b00}.bad{background:#a4161a}\
form{background:#fff;border-radius:.5rem;padding:1rem}\
fieldset{border:0;padding:0;margin:0 0 .75rem}\
label.choice{display:block;padding:.6rem .75rem;border:1px solid #bbb;border-radius:.35rem;margin:.4rem 0;font-size:1.1rem}\
textarea{width:100%;font:inherit;min-height:5rem;padding:.5rem;border:1px solid #bbb;border-radius:.35rem}\
.error{color:#a4161a;font-weight:600}\
button{width:100%;padding:.75rem 1.25rem;font-size:1.1rem;margin-top:.5rem}";

fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    let html = service_kit::html::page(
        title,
        &format!("{ISSUER} · 会议回执"),
        STYLE,
        body,
        "<footer>本页仅供受邀人本人使用，请勿转发链接。</footer>",
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // The link is a credential: kept out of caches and referrers.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .body(html)
}

fn zh_when(v: &ReplyView) -> String {
    let d = v.activity.held_on;
    let mut s = format!("{}年{}月{}日", d.year(), d.month(), d.day());
    if let Some(t) = v.activity.starts_at.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(s, " {t}");
    }
    s
}

fn facts(v: &ReplyView) -> String {
    format!(
        "<dl><dt>受邀人</dt><dd>{name}</dd><dt>会议</dt><dd>{title}</dd><dt>时间</dt><dd>{when}</dd>\
         <dt>地点</dt><dd>{place}</dd></dl>",
        name = escape(&v.invitee.person_name),
        title = escape(&v.activity.title),
        when = escape(&zh_when(v)),
        place = escape(&v.activity.place),
    )
}

fn current(r: &ReplyRow) -> String {
    match (r.answer, r.reason.as_deref()) {
        (ReplyAnswer::Leave, Some(reason)) => format!("已请假，事由：{}", escape(reason)),
        (a, _) => format!("已回复：{}", a.label_zh()),
    }
}

fn form(token: &str, v: &ReplyView, error: Option<&str>, reason: &str) -> String {
    let checked = |a: ReplyAnswer| {
        if v.reply.as_ref().is_some_and(|r| r.answer == a) {
            " checked"
        } else {
            ""
        }
    };
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<form method=\"post\" action=\"/r/{token}\">{error}<fieldset><legend>请选择：</legend>\
         <label class=\"choice\"><input type=\"radio\" name=\"answer\" value=\"attend\"{attend}> 参加</label>\
         <label class=\"choice\"><input type=\"radio\" name=\"answer\" value=\"leave\"{leave}> 请假</label></fieldset>\
         <label for=\"reason\">请假事由（请假时必填，{MAX_REASON}字以内）</label>\
         <textarea id=\"reason\" name=\"reason\" maxlength=\"{MAX_REASON}\">{reason}</textarea>\
         <button type=\"submit\">提交回执</button>\
         <p>会议开始前可随时修改回执。根据《章程》第十一条，每工作年度无故两次不参加活动的，予以解聘；请假不计入。</p></form>",
        token = escape(token),
        attend = checked(ReplyAnswer::Attend),
        leave = checked(ReplyAnswer::Leave),
        reason = escape(reason),
    )
}

/// The page for a genuine link: `note` a banner (class, text), `error` a refused answer with
/// the reason as typed.
fn view_page(
    token: &str,
    v: &ReplyView,
    status: StatusCode,
    note: Option<(&str, &str)>,
    error: Option<(&str, &str)>,
) -> HttpResponse {
    let mut body = String::from("<h1>会议回执</h1>");
    if let Some((class, text)) = note {
        let _ = write!(body, "<p class=\"note {class}\" role=\"status\">{}</p>", escape(text));
    }
    let _ = write!(body, "<p>{}同志：</p>{}", escape(&v.invitee.person_name), facts(v));
    if let Some(r) = &v.reply {
        let _ = write!(body, "<p><strong>{}</strong></p>", current(r));
    }
    if v.open {
        let stored = v.reply.as_ref().and_then(|r| r.reason.as_deref()).unwrap_or_default();
        let (message, reason) = match error {
            Some((m, typed)) => (Some(m), typed),
            None => (None, stored),
        };
        body.push_str(&form(token, v, message, reason));
    } else if note.is_none() {
        let _ = write!(body, "<p class=\"note closed\" role=\"status\">{}</p>", closed_text(v));
    }
    page(status, "会议回执", &body)
}

fn closed_text(v: &ReplyView) -> &'static str {
    if v.activity.status == crate::domain::activities::ActivityStatus::Cancelled {
        "本次会议已取消，无需回执。"
    } else {
        "会议已开始，回执已截止，未作任何更改。如需请假，请联系技工联盟秘书处。"
    }
}

fn refusal_page(r: Refusal) -> Result<HttpResponse, ApiError> {
    let (status, text) = match r {
        Refusal::Link(LinkError::Malformed) => (StatusCode::NOT_FOUND, "无法识别此回执链接。请使用会议通知中的链接。"),
        Refusal::Link(LinkError::Forged) => (
            StatusCode::FORBIDDEN,
            "此回执链接无效（可能被修改过）。请使用会议通知中的链接，未作任何更改。",
        ),
        Refusal::Link(LinkError::Expired) => (StatusCode::GONE, "此回执链接已过期，未作任何更改。"),
        Refusal::NotInvited => (
            StatusCode::NOT_FOUND,
            "此链接对应的会议邀请已不存在（会议人员可能已调整）。请联系技工联盟秘书处。",
        ),
        Refusal::Db(e) => return Err(e),
    };
    Ok(page(
        status,
        "会议回执",
        &format!(
            "<h1>会议回执</h1><p class=\"note bad\" role=\"alert\">{}</p>",
            escape(text)
        ),
    ))
}

/// 会议回执页面 · Public: the reply page of a meeting notice.
///
/// 公开：会议通知中个人专属链接打开的回执页面（中文网页；签名链接本身即凭证）。页面显示会议信息、已提交的回执，回执未截止时显示填写表单。链接被改动过时返回 403，不是回执链接或会议邀请已不存在时返回 404，链接已过期时返回 410，均以说明情况的页面答复。
///
/// Public: the reply page a meeting notice's personal link opens (a page in Chinese;
/// the signed link is the credential). A changed link gets 403, one that is not a link 404, an
/// expired one 410, each as a page that says so.
#[utoipa::path(get, path = "/r/{link}", tag = "activities",
    params(("link" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,200}$")),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, description = "回执页面：会议信息、已提交的回执，回执未截止时附填写表单 · The page: the meeting, the answer given, the form while replies are open", content_type = "text/html", body = String),
        (status = 403, description = "链接被改动过，或属于其他部署 · The link was changed, or is another deployment's", content_type = "text/html", body = String),
        (status = 404, description = "不是回执链接，或会议邀请已不存在 · Not a reply link, or the invitation no longer exists", content_type = "text/html", body = String),
        (status = 410, description = "链接已过期 · The link has expired", content_type = "text/html", body = String)),
    security(()))]
pub async fn show(link: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let token = link.into_inner();
    match app::open(&db, token.clone()).await {
        Ok(v) => Ok(view_page(&token, &v, StatusCode::OK, None, None)),
        Err(r) => refusal_page(r),
    }
}

/// 回执页面提交的表单。The page's form.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"answer": "leave", "reason": "因承担学院技能大赛任务请假"}))]
pub struct ReplyForm {
    /// 回执：`attend`（参加）或 `leave`（请假）。`attend` (参加) or `leave` (请假).
    pub answer: Option<String>,
    /// 请假事由：选择请假时必填，200 字以内。请假事由: required for `leave`, at most 200 characters.
    pub reason: Option<String>,
}

/// 提交回执 · Public: submit a reply to a meeting notice.
///
/// 公开：在活动开始前提交回执——参加，或请假并写明事由（开始前可随时修改，每次回执均留存），并再次返回回执页面。活动已开始或已取消时返回 409，不作记录；未选择或请假未写事由时返回 422 并重新显示表单。
///
/// Public: records 参加, or 请假 with its reason, until the activity starts (the
/// answer may change until then; every answer is kept). Answers the page again.
#[utoipa::path(post, path = "/r/{link}", tag = "activities",
    params(("link" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,200}$")),
    request_body(content = ReplyForm, content_type = "application/x-www-form-urlencoded"),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, description = "已记录：显示回执内容的页面 · Recorded: the page with the answer", content_type = "text/html", body = String),
        (status = 400, description = "不是表单 · Not a form", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "链接被改动过，或属于其他部署 · The link was changed, or is another deployment's", content_type = "text/html", body = String),
        (status = 404, description = "不是回执链接，或会议邀请已不存在 · Not a reply link, or the invitation no longer exists", content_type = "text/html", body = String),
        (status = 409, description = "活动已开始或已取消，未作记录 · The activity has started or is cancelled: nothing recorded", content_type = "text/html", body = String),
        (status = 410, description = "链接已过期 · The link has expired", content_type = "text/html", body = String),
        (status = 413, description = "表单过大 · The form is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "未选择，或请假未写事由：重新显示表单 · No choice, or 请假 without its reason: the form again", content_type = "text/html", body = String)),
    security(()))]
pub async fn submit(
    link: web::Path<String>,
    form: web::Form<ReplyForm>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let token = link.into_inner();
    let ReplyForm { answer, reason } = form.into_inner();
    match app::answer(&db, token.clone(), answer, reason.clone()).await {
        Ok(Answered::Stored(v)) => {
            let text = match v.reply.as_ref().map(|r| r.answer) {
                Some(ReplyAnswer::Leave) => "已收到您的请假。会议开始前可修改。",
                _ => "已收到您的回执：参加。会议开始前可修改。",
            };
            Ok(view_page(&token, &v, StatusCode::OK, Some(("ok", text)), None))
        }
        Ok(Answered::Invalid(e, v)) => Ok(view_page(
            &token,
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some((e.message_zh(), reason.as_deref().unwrap_or_default())),
        )),
        Ok(Answered::Closed(v)) => Ok(view_page(
            &token,
            &v,
            StatusCode::CONFLICT,
            Some(("closed", closed_text(&v))),
            None,
        )),
        Err(r) => refusal_page(r),
    }
}

/// 一位受邀人员的回执（尚未回复时 `answer` 为 null）。One invitee's reply (none yet: `answer` null).
#[derive(Debug, Serialize, ToSchema)]
pub struct Reply {
    /// 聘任记录编号。The appointment's id.
    pub appointment_id: i64,
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 所在单位名称。The unit's name.
    pub unit_name: String,
    /// 职务的中文名称。The post's Chinese label.
    pub post_label: String,
    /// `attend`（参加）、`leave`（请假）或 null（未回复）。`attend` (参加), `leave` (请假) or null (not answered).
    pub answer: Option<ReplyAnswer>,
    /// 回执的中文名称。The answer's Chinese label.
    pub answer_label: Option<String>,
    /// 请假事由。请假事由.
    pub reason: Option<String>,
    /// 最近一次回复时间（UTC）。When it was last answered (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub answered_at: Option<NaiveDateTime>,
    /// 回执修改次数。How many times the answer was changed.
    pub changes: i32,
    /// 向未回复者发送的提醒（活动前的天数）。The reminders sent (days before the activity), to an invitee who had not replied.
    pub reminders: Vec<i32>,
}

/// 一次活动会议通知的回执及统计。The replies to an activity's notice and their counts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"activity_id": 3, "invitees": 2, "answered": 1, "attend": 0, "leave": 1, "unanswered": 1,
    "items": [{"appointment_id": 7, "person_id": 3, "person_name": "王志刚", "unit_name": "天津市机电工艺技师学院", "post_label": "理事",
        "answer": "leave", "answer_label": "请假", "reason": "出差", "answered_at": "2026-12-01T08:00:00.000Z", "changes": 0, "reminders": [7]}]}))]
pub struct Replies {
    /// 活动编号。The activity's id.
    pub activity_id: i64,
    /// 受邀人数。How many are invited.
    pub invitees: usize,
    /// 已回复人数。How many answered.
    pub answered: usize,
    /// 回复参加的人数。How many answered 参加.
    pub attend: usize,
    /// 回复请假的人数。How many answered 请假.
    pub leave: usize,
    /// 未回复人数。How many have not answered.
    pub unanswered: usize,
    /// 每位受邀人员的回执。Each invitee's reply.
    pub items: Vec<Reply>,
}

/// 回执汇总 · The replies to an activity's notice.
///
/// 一次活动会议通知的回执：每位受邀人员的回复（参加、请假及事由，或尚未回复）和统计人数，以及向未回复者发送的提醒。供机械工业教育发展中心（秘书处）和本协作组秘书查看。
///
/// The replies to an activity's notice: each invitee's answer (参加, 请假 with its reason,
/// or none yet) and the counts. For the Center and the body's group secretary.
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}/replies", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    responses((status = 200, body = Replies),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::manage_some(&caller)?;
    let app::RepliesOf {
        activity,
        invitees,
        replies,
        reminders,
    } = app::of_activity(&db, id.into_inner()).await?;
    access::manage(&caller, activity.body_id)?;
    let items: Vec<Reply> = invitees
        .iter()
        .map(|i| {
            let r = replies.iter().find(|r| r.appointment_id == i.appointment_id);
            Reply {
                appointment_id: i.appointment_id,
                person_id: i.person_id,
                person_name: i.person_name.clone(),
                unit_name: i.unit_name.clone(),
                post_label: i.post_label.clone(),
                answer: r.map(|r| r.answer),
                answer_label: r.map(|r| r.answer.label_zh().to_owned()),
                reason: r.and_then(|r| r.reason.clone()),
                answered_at: r.map(|r| r.answered_at),
                changes: r.map_or(0, |r| r.changes),
                reminders: reminders
                    .iter()
                    .filter(|(a, _)| *a == i.appointment_id)
                    .map(|(_, d)| *d)
                    .collect(),
            }
        })
        .collect();
    let attend = items.iter().filter(|i| i.answer == Some(ReplyAnswer::Attend)).count();
    let leave = items.iter().filter(|i| i.answer == Some(ReplyAnswer::Leave)).count();
    Ok(HttpResponse::Ok().json(Replies {
        activity_id: activity.id,
        invitees: items.len(),
        answered: attend + leave,
        attend,
        leave,
        unanswered: items.len() - attend - leave,
        items,
    }))
}
