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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"appointment_id": 12, "work_year": 2026, "reason": "2026年度两次无故缺席全体会议"}))]
pub struct ManualCase {
    pub appointment_id: i64,
    pub work_year: i32,
    #[schema(pattern = r"\S")]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm": true, "reason": "本工作年度两次无故不参加活动，予以解聘"}))]
pub struct CaseDecision {
    /// true: dismiss (R13); false: drop the case.
    pub confirm: bool,
    #[schema(pattern = r"\S")]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    pub status: Option<DismissalCaseStatus>,
    pub appointment_id: Option<i64>,
}

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

/// Open a case by hand (the Center), e.g. for absences recorded outside the system.
#[utoipa::path(post, path = "/api/v1/members/dismissal-cases", tag = "dismissals", request_body = ManualCase,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = DismissalCase),
        (status = 404, description = "No such appointment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Appointment not active", body = Problem, content_type = "application/problem+json")))]
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

/// Confirm (dismiss, R13 → R14 notice and revocation) or drop a case.
#[utoipa::path(post, path = "/api/v1/members/dismissal-cases/{id}/decision", tag = "dismissals", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = CaseDecision,
    responses((status = 200, body = DismissalCase),
        (status = 409, description = "Already decided or withdrawn", body = Problem, content_type = "application/problem+json")))]
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
