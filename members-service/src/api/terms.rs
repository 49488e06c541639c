//! Terms (届) of a body: `GET/POST /bodies/{id}/terms` (R3). The expert committee serves on
//! the council's terms (第七条): creating a council term creates the committee's twin.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access;
use crate::app::bodies::{self as app, NewTermInput, Term};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2027-04-01"}))]
pub struct NewTerm {
    /// The next number when absent.
    pub number: Option<i32>,
    pub starts_on: NaiveDate,
    /// Four years later (the day before) when absent (R3: 原则上每届任期四年).
    pub ends_on: Option<NaiveDate>,
}

/// A body's terms, oldest first.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}/terms", tag = "bodies", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = [Term]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let terms = db.run(move |c| app::terms_of(c, id)).await?;
    Ok(HttpResponse::Ok().json(terms))
}

/// Open the next term of the council (and with it the expert committee's) or of a group.
#[utoipa::path(post, path = "/api/v1/members/bodies/{id}/terms", tag = "bodies", params(("id" = i64, Path)), request_body = NewTerm,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Term),
        (status = 409, description = "Overlaps the previous term, or the body follows the council's terms", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<NewTerm>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let b = body_in.into_inner();
    let t = NewTermInput {
        number: b.number,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
    };
    let term = db.write(move |c| app::open_term(c, &caller, id, t)).await?;
    Ok(HttpResponse::Created().json(term))
}
