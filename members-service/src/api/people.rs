//! People: `GET/POST /people`, `GET/PATCH /people/{id}`. Date of birth, e-mail and phone are
//! shown only to the roles that need them (see [`access::sees_personal_data`]).

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::people::{self as app, Person, PersonPatch as Patch};
use crate::db::people::PersonQuery;
use crate::domain::people::{PersonDraft, TitleLevel, UnitKind};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "张伟", "unit_id": 3, "job_post": "副校长", "title_level": "senior", "specialty": "数控技术",
    "date_of_birth": "1970-05-01", "email": "zhangwei@example.edu.cn", "phone": "13812345678"}))]
pub struct NewPerson {
    #[schema(
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    pub unit_id: i64,
    #[serde(default)]
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub job_post: String,
    pub title_level: TitleLevel,
    #[serde(default)]
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub specialty: String,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(
        max_length = 254,
        pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub email: Option<String>,
    #[schema(pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[schema(
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    pub unit_id: Option<i64>,
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub job_post: Option<String>,
    pub title_level: Option<TitleLevel>,
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub specialty: Option<String>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub phone: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonFilter {
    /// Part of the name.
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    /// The kind of the person's unit.
    pub unit_kind: Option<UnitKind>,
    pub title_level: Option<TitleLevel>,
}

/// People; search by name, unit, unit kind and title level. A unit contact sees their unit's
/// people, a member only themselves.
#[utoipa::path(get, path = "/api/v1/members/people", tag = "people", params(PersonFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Page<Person>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<PersonFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let w = page.window()?;
    let f = filter.into_inner();
    let q = PersonQuery {
        q: f.q,
        unit_id: f.unit_id,
        unit_kind: f.unit_kind,
        title_level: f.title_level,
    };
    let people = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(people))
}

/// Register a person (the Center, or the contact of the person's unit).
#[utoipa::path(post, path = "/api/v1/members/people", tag = "people", request_body = NewPerson,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "service:members:write"]))),
    responses((status = 201, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewPerson>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let p = body.into_inner();
    access::manage_unit(&caller, p.unit_id)?;
    let valid = app::parse(PersonDraft {
        name: p.name,
        unit_id: p.unit_id,
        job_post: p.job_post,
        title_level: p.title_level,
        specialty: p.specialty,
        date_of_birth: p.date_of_birth,
        email: p.email,
        phone: p.phone,
    })?;
    let person = db.write(move |c| app::create(c, &caller, &valid)).await?;
    Ok(HttpResponse::Created().json(person))
}

/// One person. Members may read only their own record.
#[utoipa::path(get, path = "/api/v1/members/people/{id}", tag = "people", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let id = id.into_inner();
    if caller.role == Role::Member && access::member_person(&caller) != Some(id) {
        return Err(ApiError::forbidden("members may read only their own record"));
    }
    let person = db.run(move |c| app::get(c, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(person))
}

/// Change a person (the Center or their unit's contact; a member may change their own e-mail
/// and phone).
#[utoipa::path(patch, path = "/api/v1/members/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonPatch,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "member:own_record", "service:members:write"]))),
    responses((status = 200, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body: Json<PersonPatch>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::change_person(&caller, id)?;
    let p = body.into_inner();
    let patch = Patch {
        name: p.name,
        unit_id: p.unit_id,
        job_post: p.job_post,
        title_level: p.title_level,
        specialty: p.specialty,
        date_of_birth: p.date_of_birth,
        email: p.email,
        phone: p.phone,
    };
    let person = db.write(move |c| app::update(c, &caller, id, patch)).await?;
    Ok(HttpResponse::Ok().json(person))
}
