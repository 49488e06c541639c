//! Appointments: `GET /appointments`, `GET /appointments/{id}`, renewal (R5), resignation
//! (R11) and dismissal for conduct (R12). Ended appointments stay, with status, date, reason.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::{Json, OptionalJson};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::appointments::{self as app, Appointment, Resignation, ResignationVerdict};
use crate::db::appointments::AppointmentQuery;
use crate::domain::appointments::AppointmentStatus;
use crate::domain::hanzi::NameOrder;
use crate::domain::posts::Post;

/// 聘任列表的筛选条件。How the list of appointments is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentFilter {
    /// 只列此机构的聘任。Only this body's appointments.
    pub body_id: Option<i64>,
    /// 只列此届的聘任。Only appointments of this term.
    pub term_id: Option<i64>,
    /// 只列此职务的聘任，如 council_member（理事）。Only appointments to this post.
    pub post: Option<Post>,
    /// 只列此人的聘任。Only this person's appointments.
    pub person_id: Option<i64>,
    /// 只列此单位人员的聘任。Only appointments of this unit's people.
    pub unit_id: Option<i64>,
    /// 只列此状态的聘任，如 active（在任）、lapsed（任期届满解聘）。Only appointments in this status.
    pub status: Option<AppointmentStatus>,
    /// 只列在此日期在任的聘任（YYYY-MM-DD）。Appointments running on this date.
    pub on: Option<NaiveDate>,
    /// 排序：`id`（默认）、`surname_strokes`（按受聘人姓氏笔画）、`pinyin`（按受聘人姓名拼音）。
    /// Order: `id` (default), `surname_strokes` (the person's 姓氏笔画), `pinyin`.
    pub sort: Option<NameOrder>,
}

/// 聘任列表 · List appointments.
///
/// 分页列出现任和历史聘任，可按机构、届次、职务、人员、单位、状态和日期筛选。已结束的聘任不删除，
/// 保留结束日期、状态与原因。单位联系人只看到本单位人员的聘任，协作组秘书只看到本协作组的，
/// 成员只看到本人的。
///
/// Current and past appointments; filter by body, term, post, person, unit, status, date.
#[utoipa::path(get, path = "/api/v1/members/appointments", tag = "appointments", params(AppointmentFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Page<Appointment>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<AppointmentFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    if caller.role == Role::Service {
        caller.require_admin_or_scope("members:read")?;
    }
    let w = page.window()?;
    let f = filter.into_inner();
    let q = AppointmentQuery {
        body_id: f.body_id,
        term_id: f.term_id,
        post: f.post,
        person_id: f.person_id,
        unit_id: f.unit_id,
        status: f.status,
        on: f.on,
        order: f.sort.unwrap_or_default(),
    };
    let page = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// 查看聘任 · One appointment.
///
/// 按编号读取一条聘任，含机构、届次、职务、受聘人及其单位、聘期、状态和结束原因。
/// 不在调用者范围内的聘任答 403。
///
/// One appointment.
#[utoipa::path(get, path = "/api/v1/members/appointments/{id}", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Appointment), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Before the lookup: a client that may see no appointment gets 403, not 404.
    access::read_directory(&caller)?;
    let a = db.run(move |c| app::get(c, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(a))
}

/// 续聘（连聘连任）：续聘到哪一届。A renewal (连聘连任): the term to renew into.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"term_id": 2}))]
pub struct Renewal {
    /// 该机构的下一届；不填时按届次号自动查找。The next term of the body; found by number when absent.
    pub term_id: Option<i64>,
}

/// 续聘（连聘连任） · Re-appoint into the next term.
///
/// 秘书处将一名在任者续聘到本机构的下一届（连聘连任，R5，不限次数）：建立一条与本聘任相连的新聘任，
/// 在下一届开始前为待生效，届时由定时作业生效，原聘任以“任期届满（已续聘）”结束；
/// 下一届已经开始的，原聘任即时结束，新聘任自今天起在任。请求体可省略。只有在任的聘任可以续聘：
/// 已续聘过，或该聘任已不在任（如任期届满解聘、辞聘、解聘）答 409；下一届尚未开启，
/// 或给出的届次不是本机构紧接的下一届答 422。
///
/// Re-appoint (连聘连任) into the next term (R5): a new appointment linked to this one, pending
/// until that term starts.
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/renewals", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = Renewal,
    responses((status = 201, body = Appointment),
        (status = 409, description = "已续聘，或不能续聘（任期届满解聘、辞聘、解聘） · Already renewed, or not renewable (lapsed, resigned, dismissed)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "没有下一届 · No next term", body = Problem, content_type = "application/problem+json")))]
pub async fn renew(
    caller: Caller,
    id: web::Path<i64>,
    body_in: OptionalJson<Renewal>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let term_id = body_in.into_inner().unwrap_or_default().term_id;
    let a = db.write(move |c| app::renew(c, &caller, id, term_id)).await?;
    Ok(HttpResponse::Created().json(a))
}

/// 辞聘申请（R11）：因故不能履行职责的理由。A resignation request (R11): why the holder cannot go on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "因工作调动申请辞去理事职务，不能继续履行职责"}))]
pub struct ResignationRequest {
    /// 辞聘理由，必填，不能只有空白；将作为聘任的结束原因印在辞聘确认函上。
    /// Required, not blank; it becomes the appointment's end reason, which the letter prints.
    #[schema(pattern = r"\S")]
    pub reason: String,
}

/// 申请辞聘 · Apply to resign.
///
/// 因故不能履行职责的受聘人（成员本人）申请辞聘（第十一条，R11），也可由秘书处代为申请；
/// 申请待机械工业教育发展中心审批。理由必填（422）。该聘任不在任，或已有待审批的辞聘申请答 409。
///
/// Apply to resign (辞聘, R11): the holder (member) or the Center on their behalf.
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/resignation", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "member:own_record"]))),
    request_body = ResignationRequest,
    responses((status = 201, body = Resignation),
        (status = 409, description = "聘任不在任，或已有待审批的申请 · Not active, or a request is already open", body = Problem, content_type = "application/problem+json")))]
pub async fn request_resignation(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<ResignationRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Before the reason is checked and the appointment looked up: only its holder or the Center.
    if !matches!(caller.role, Role::Admin | Role::Member) {
        return Err(ApiError::forbidden("only the holder or the Center may apply to resign"));
    }
    let reason = body_in.into_inner().reason;
    if reason.trim().is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            Code::Required,
            "state the reason",
        )]));
    }
    // It becomes the appointment's end reason, which notices print.
    let mut errors = Vec::new();
    service_kit::printable::check("reason", &reason, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let r = db
        .write(move |c| app::request_resignation(c, &caller, id, &reason))
        .await?;
    Ok(HttpResponse::Created().json(r))
}

/// 中心对辞聘申请的审批意见。The Center's decision on a resignation request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": true, "reason": "同意王芳因工作调动辞去理事职务", "effective_on": "2026-12-31"}))]
pub struct Decision {
    /// true 同意辞聘，false 不同意（聘任继续）。true approves the resignation; false refuses it (the appointment runs on).
    pub approve: bool,
    /// 审批意见，可不填。The reason for the decision; may be left out.
    #[serde(default)]
    pub reason: String,
    /// 辞聘生效日期（聘任结束日期），不填为今天；超出聘期时取聘期的首日或末日。
    /// The end date; today when absent.
    pub effective_on: Option<NaiveDate>,
}

/// 审批辞聘申请 · Decide a resignation request.
///
/// 机械工业教育发展中心审批一份待审批的辞聘申请。同意时聘任以“辞聘”结束（R11），结束原因为申请的理由，
/// 聘书随之作废，并生成辞聘确认函发给本人（R14）；不同意时聘任继续。没有待审批的申请答 409。
///
/// The Center decides an open resignation request; approval ends the appointment as
/// `resigned`, revokes the certificate and sends the 辞聘确认函 (R11, R14).
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/resignation/decision", tag = "appointments",
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Appointment),
        (status = 409, description = "没有待审批的辞聘申请 · No open request", body = Problem, content_type = "application/problem+json")))]
pub async fn decide_resignation(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<Decision>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let d = body_in.into_inner();
    let verdict = ResignationVerdict {
        approve: d.approve,
        reason: d.reason,
        effective_on: d.effective_on,
    };
    let a = db
        .write(move |c| app::decide_resignation(c, &caller, id, &verdict))
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

/// 因行为解聘（R12）：理由与生效日期。A dismissal for conduct (R12): the reason and the date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "以联盟名义开展商业培训并收取费用，从事有损联盟社会信誉的行为", "effective_on": "2026-12-15"}))]
pub struct Dismissal {
    /// 必填：所从事的有损工作秩序、组织原则、社会信誉的行为；印在解聘通知书上。
    /// Required: the conduct (从事有损工作秩序、组织原则、社会信誉行为).
    #[schema(pattern = r"\S")]
    pub reason: String,
    /// 解聘生效日期，不填为今天；超出聘期时取聘期的首日或末日。The end date; today when absent.
    pub effective_on: Option<NaiveDate>,
}

/// 因行为解聘 · Dismiss for conduct.
///
/// 对从事有损工作秩序、组织原则、社会信誉行为的受聘人，机械工业教育发展中心予以解聘（第十一条，R12）：
/// 聘任以“解聘”结束并记录理由，聘书随之作废，并生成解聘通知书发给本人及其单位联系人（R14）。
/// 聘任已不在任答 409；没有理由或理由含无法打印的字符答 422。
///
/// Dismiss for conduct (解聘, R12): ends the appointment as `dismissed` with the stated reason,
/// revokes the certificate and sends the 解聘通知书 (R14).
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/dismissal", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = Dismissal,
    responses((status = 200, body = Appointment),
        (status = 409, description = "聘任不在任 · Not active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "没有理由 · No reason", body = Problem, content_type = "application/problem+json")))]
pub async fn dismiss(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<Dismissal>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let d = body_in.into_inner();
    let a = db
        .write(move |c| app::dismiss(c, &caller, id, &d.reason, d.effective_on))
        .await?;
    Ok(HttpResponse::Ok().json(a))
}
