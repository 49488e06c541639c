//! Dismissal cases for absence (R13): `GET/POST /dismissal-cases` and
//! `POST /dismissal-cases/{id}/decision` (confirm → dismissal and R14 notice, or drop).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::dismissal_cases::{self as app, DismissalCase};
use crate::domain::appointments::DismissalCaseStatus;

/// A reason the Center must state, which notices print.
fn check_reason(reason: &str, missing: &str) -> Result<(), ApiError> {
    if reason.trim().is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            Code::Required,
            missing.to_owned(),
        )]));
    }
    Ok(())
}

/// 秘书处手工立案的解聘案（R13），如缺席记录在系统之外。
/// A dismissal case opened by hand (R13), e.g. for absences recorded outside the system.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"appointment_id": 12, "work_year": 2026,
    "reason": "2026年度无故缺席专业建设协作组全体会议和数控技术师资培训各一次"}))]
pub struct ManualCase {
    /// 涉及的聘任编号，须在任。The appointment concerned; it must be active.
    pub appointment_id: i64,
    /// 工作年度（默认为自然年），如 2026。The work year (a calendar year by default).
    pub work_year: i32,
    /// 立案理由：列明无故缺席的活动，必填；确认解聘时印在解聘通知书上。
    /// Required: the absences; a confirmed case's reason is printed on the dismissal notice.
    #[schema(pattern = r"\S")]
    pub reason: String,
}

/// 中心对解聘案的决定：确认解聘或不予解聘。The Center's decision on a case: dismiss, or drop it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm": true, "reason": "本工作年度无故两次不参加活动，依章程第十一条予以解聘"}))]
pub struct CaseDecision {
    /// true 确认解聘（R13），false 不予解聘、撤销此案。true: dismiss (R13); false: drop the case.
    pub confirm: bool,
    /// 决定理由，必填。The reason for the decision; required.
    #[schema(pattern = r"\S")]
    pub reason: String,
}

/// 解聘案列表的筛选条件。How the list of dismissal cases is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// 只列此状态的：open（待处理）、confirmed（已解聘）、dropped（不予解聘）或 withdrawn（已撤销）。
    /// Only cases in this status.
    pub status: Option<DismissalCaseStatus>,
    /// 只列此聘任的解聘案。Only the cases of this appointment.
    pub appointment_id: Option<i64>,
}

/// 解聘案列表 · List dismissal cases.
///
/// 因每工作年度无故两次不参加活动而立的解聘案（第十一条，R13），按立案先后排列（最新的在最后），
/// 可按状态和聘任筛选。会议服务登记第二次无故缺席时自动立案（部署也可配置为立案即解聘），
/// 秘书处也可手工立案；缺席改为请假后，案件自动撤销。请假的缺席从不计入。
///
/// Dismissal cases (R13), newest last.
#[utoipa::path(get, path = "/api/v1/members/dismissal-cases", tag = "dismissals", params(CaseFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, body = Page<DismissalCase>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<CaseFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let w = page.window()?;
    let f = filter.into_inner();
    let page = db.run(move |c| app::list(c, f.status, f.appointment_id, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// 手工立案 · Open a case by hand.
///
/// 秘书处手工立一个解聘案（R13），例如缺席记录在系统之外时；案件待中心确认或不予解聘。
/// 理由必填且须可打印（422）；聘任不存在答 404；聘任不在任答 409。
///
/// Open a case by hand (the Center), e.g. for absences recorded outside the system.
#[utoipa::path(post, path = "/api/v1/members/dismissal-cases", tag = "dismissals", request_body = ManualCase,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = DismissalCase),
        (status = 404, description = "聘任不存在 · No such appointment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "聘任不在任 · Appointment not active", body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<ManualCase>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let m = body_in.into_inner();
    check_reason(&m.reason, "state the absences")?;
    // A confirmed case's reason is printed on the dismissal notice.
    let mut errors = Vec::new();
    service_kit::printable::check("reason", &m.reason, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let case = db
        .write(move |c| app::open_by_hand(c, &caller, m.appointment_id, m.work_year, &m.reason))
        .await?;
    Ok(HttpResponse::Created().json(case))
}

/// 处理解聘案 · Decide a case.
///
/// 机械工业教育发展中心确认解聘或不予解聘。确认时聘任以“解聘”结束（R13），聘书随之作废，
/// 并生成解聘通知书发给本人及其单位联系人（R14）；不予解聘时聘任继续。理由必填（422）。
/// 案件已处理或已撤销答 409。
///
/// Confirm (dismiss, R13 → R14 notice and revocation) or drop a case.
#[utoipa::path(post, path = "/api/v1/members/dismissal-cases/{id}/decision", tag = "dismissals", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = CaseDecision,
    responses((status = 200, body = DismissalCase),
        (status = 409, description = "已处理或已撤销 · Already decided or withdrawn", body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<CaseDecision>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let d = body_in.into_inner();
    check_reason(&d.reason, "state the reason")?;
    let row = db
        .write(move |c| app::decide_case(c, &caller, id, d.confirm, &d.reason))
        .await?;
    Ok(HttpResponse::Ok().json(DismissalCase::from(row)))
}
