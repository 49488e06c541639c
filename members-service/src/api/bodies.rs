//! Bodies: `GET /bodies`, `POST /bodies` (collaboration groups), `GET /bodies/{id}` with its
//! posts, holders, vacancies, completeness and (groups) secretariat unit (R2).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::bodies::{self as app, Body, BodyDetail};
use crate::domain::bodies::BodyKind;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BodyFilter {
    /// council, expert_committee or group
    pub kind: Option<BodyKind>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "数控技术专业建设协作组", "specialty": "数控技术"}))]
pub struct NewGroup {
    /// e.g. 数控技术专业建设协作组
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub specialty: String,
}

/// The council, the expert committee and the collaboration groups.
#[utoipa::path(get, path = "/api/v1/members/bodies", tag = "bodies", params(BodyFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = Page<Body>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    _caller: Caller,
    filter: web::Query<BodyFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let w = page.window()?;
    let kind = filter.kind;
    let bodies = db.run(move |c| app::list(c, kind, w)).await?;
    Ok(HttpResponse::Ok().json(bodies))
}

/// Create a collaboration group (专业建设协作组, 第九条).
#[utoipa::path(post, path = "/api/v1/members/bodies", tag = "bodies", request_body = NewGroup,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Body),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<NewGroup>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let g = body_in.into_inner();
    let body = db
        .write(move |c| app::create_group(c, &caller, &g.name, &g.specialty))
        .await?;
    Ok(HttpResponse::Created().json(body))
}

/// One body with its posts, holders, vacancies and secretariat unit.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}", tag = "bodies", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = BodyDetail),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let detail = db.run(move |c| app::detail(c, id)).await?;
    Ok(HttpResponse::Ok().json(detail))
}
