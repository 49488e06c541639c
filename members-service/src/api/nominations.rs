//! Center nominations (提名) for the posts the Center fills: `GET/POST /nominations`, and
//! `POST /nominations/{id}/appointment` (聘任), which creates the appointment.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::{Json, OptionalJson};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::appointments::Appointment;
use crate::app::nominations::{self as app, Nomination, NominationInput};
use crate::domain::applications::NominationStatus;
use crate::domain::posts::Post;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "term_id": 1, "person_id": 7, "post": "chair", "reason": "中心提名"}))]
pub struct NewNomination {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    #[serde(default)]
    pub reason: String,
    /// Required when the candidate fails R9 in principle (title, age).
    pub exception_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-12-01", "accept_exception": false}))]
pub struct AppointFromNomination {
    /// The appointment date; today when absent. Must fall within the term (R4).
    pub starts_on: Option<NaiveDate>,
    /// Explicit acceptance of the R9 exception, required when the nomination has issues.
    #[serde(default)]
    pub accept_exception: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NominationFilter {
    pub body_id: Option<i64>,
    pub status: Option<NominationStatus>,
}

/// Nominations, newest last.
#[utoipa::path(get, path = "/api/v1/members/nominations", tag = "appointments", params(NominationFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, body = Page<Nomination>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<NominationFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let w = page.window()?;
    let f = filter.into_inner();
    let page = db.run(move |c| app::list(c, f.body_id, f.status, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Nominate a candidate for a post the Center fills (council chair, secretary-general and
/// deputies; experts; a group's director and secretary-general).
#[utoipa::path(post, path = "/api/v1/members/nominations", tag = "appointments", request_body = NewNomination,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Nomination),
        (status = 404, description = "No such body, term or person", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Post not filled by nomination, or R9 without an exception reason", body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<NewNomination>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let n = body_in.into_inner();
    let input = NominationInput {
        body_id: n.body_id,
        term_id: n.term_id,
        person_id: n.person_id,
        post: n.post,
        reason: n.reason,
        exception_reason: n.exception_reason,
    };
    let nomination = db.write(move |c| app::create(c, &caller, &input)).await?;
    Ok(HttpResponse::Created().json(nomination))
}

/// Appoint the nominee (聘任): creates the appointment and the event for its certificate.
#[utoipa::path(post, path = "/api/v1/members/nominations/{id}/appointment", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = AppointFromNomination,
    responses((status = 201, body = Appointment),
        (status = 409, description = "R1: the post is held; or the nomination is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R4 outside the term; R9 exception not accepted", body = Problem, content_type = "application/problem+json")))]
pub async fn appoint(
    caller: Caller,
    id: web::Path<i64>,
    body_in: OptionalJson<AppointFromNomination>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let req = body_in.into_inner().unwrap_or_default();
    let appointment = db
        .write(move |c| app::appoint(c, &caller, id, req.starts_on, req.accept_exception))
        .await?;
    Ok(HttpResponse::Created().json(appointment))
}
