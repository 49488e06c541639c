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
use crate::domain::posts::Post;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentFilter {
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    pub post: Option<Post>,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<AppointmentStatus>,
    /// Appointments running on this date.
    pub on: Option<NaiveDate>,
}

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
    };
    let page = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

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

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    /// The next term of the body; found by number when absent.
    pub term_id: Option<i64>,
}

/// Re-appoint (连聘连任) into the next term (R5): a new appointment linked to this one, pending
/// until that term starts.
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/renewals", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = Renewal,
    responses((status = 201, body = Appointment),
        (status = 409, description = "Already renewed, or not renewable (lapsed, resigned, dismissed)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No next term", body = Problem, content_type = "application/problem+json")))]
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "因工作调动，不能继续履行职责"}))]
pub struct ResignationRequest {
    #[schema(pattern = r"\S")]
    pub reason: String,
}

/// Apply to resign (辞聘, R11): the holder (member) or the Center on their behalf.
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/resignation", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "member:own_record"]))),
    request_body = ResignationRequest,
    responses((status = 201, body = Resignation),
        (status = 409, description = "Not active, or a request is already open", body = Problem, content_type = "application/problem+json")))]
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": true, "reason": "同意辞聘"}))]
pub struct Decision {
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
    /// The end date; today when absent.
    pub effective_on: Option<NaiveDate>,
}

/// The Center decides an open resignation request; approval ends the appointment as
/// `resigned`, revokes the certificate and sends the 辞聘确认函 (R11, R14).
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/resignation/decision", tag = "appointments",
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Appointment),
        (status = 409, description = "No open request", body = Problem, content_type = "application/problem+json")))]
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "从事有损联盟社会信誉的行为"}))]
pub struct Dismissal {
    /// Required: the conduct (从事有损工作秩序、组织原则、社会信誉行为).
    #[schema(pattern = r"\S")]
    pub reason: String,
    pub effective_on: Option<NaiveDate>,
}

/// Dismiss for conduct (解聘, R12): ends the appointment as `dismissed` with the stated reason,
/// revokes the certificate and sends the 解聘通知书 (R14).
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/dismissal", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = Dismissal,
    responses((status = 200, body = Appointment),
        (status = 409, description = "Not active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json")))]
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
