//! Units (单位): `GET/POST /units`, `GET/PATCH /units/{id}`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::units::{self as app, Unit, UnitInput};
use crate::db::units::UnitQuery;
use crate::domain::people::UnitKind;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "天津市机电工艺技师学院", "kind": "technical_school", "address": "天津市河西区",
    "contact_name": "王芳", "contact_email": "wangfang@example.edu.cn", "contact_phone": "022-12345678"}))]
pub struct NewUnit {
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    pub kind: UnitKind,
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub address: Option<String>,
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub contact_name: Option<String>,
    #[schema(
        max_length = 254,
        pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub contact_email: Option<String>,
    #[schema(pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub contact_phone: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub contact_phone: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    pub kind: Option<UnitKind>,
    /// Only council member units (true) or only the others (false).
    pub council_member: Option<bool>,
    /// Part of the name.
    pub q: Option<String>,
}

/// Units; filter by kind, council membership and name.
#[utoipa::path(get, path = "/api/v1/members/units", tag = "units", params(UnitFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:members:read"]))),
    responses((status = 200, body = Page<Unit>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<UnitFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let w = page.window()?;
    let f = filter.into_inner();
    let q = UnitQuery {
        kind: f.kind,
        council_member: f.council_member,
        q: f.q,
    };
    let units = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(units))
}

/// Register a unit (the Center).
#[utoipa::path(post, path = "/api/v1/members/units", tag = "units", request_body = NewUnit,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Unit),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewUnit>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let b = body.into_inner();
    let u = UnitInput {
        name: Some(b.name),
        kind: Some(b.kind),
        address: Some(b.address),
        contact_name: Some(b.contact_name),
        contact_email: Some(b.contact_email),
        contact_phone: Some(b.contact_phone),
    };
    app::validate(&u)?;
    let unit = db.write(move |c| app::create(c, &caller, b.kind, u)).await?;
    Ok(HttpResponse::Created().json(unit))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/members/units/{id}", tag = "units", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:members:read"]))),
    responses((status = 200, body = Unit), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let id = id.into_inner();
    let unit = db.run(move |c| app::get(c, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(unit))
}

/// Change a unit (the Center, or the unit's own contact).
#[utoipa::path(patch, path = "/api/v1/members/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitPatch,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "service:members:write"]))),
    responses((status = 200, body = Unit), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UnitPatch>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::manage_unit(&caller, id)?;
    let p = body.into_inner();
    if p.kind.is_some() || p.name.is_some() {
        access::admin(&caller)?;
    }
    let u = UnitInput {
        name: p.name,
        kind: p.kind,
        address: p.address,
        contact_name: p.contact_name,
        contact_email: p.contact_email,
        contact_phone: p.contact_phone,
    };
    app::validate(&u)?;
    let unit = db.write(move |c| app::update(c, &caller, id, u)).await?;
    Ok(HttpResponse::Ok().json(unit))
}
