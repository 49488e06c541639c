//! People: `GET/POST /people`, `GET/PATCH /people/{id}`. Date of birth, e-mail and phone are
//! shown only to the roles that need them (see [`access::sees_personal_data`]).

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::{access, units};
use crate::clock;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{NewPersonRow, PersonRow};
use crate::db::schema::{people, units as units_t};
use crate::db::{like_pattern, lower};
use crate::domain::people::{TitleLevel, UnitKind};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 7, "name": "张伟", "unit_id": 3, "unit_name": "天津市机电工艺技师学院", "job_post": "副校长",
    "title_level": "senior", "title_level_label": "正高级", "specialty": "数控技术", "date_of_birth": "1970-05-01",
    "email": "zhangwei@example.edu.cn", "phone": "13812345678", "created_at": "2026-11-24T08:00:00", "updated_at": "2026-11-24T08:00:00"}))]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// 职务, free text (e.g. 副校长).
    pub job_post: String,
    pub title_level: TitleLevel,
    pub title_level_label: String,
    pub specialty: String,
    /// Personal data: present only for roles that may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

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
    #[schema(max_length = 254, pattern = r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$")]
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
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$")]
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

/// Field checks shared by create and update.
pub fn validate_person(p: &NewPerson, today: NaiveDate) -> Vec<FieldError> {
    let draft = crate::domain::people::PersonDraft {
        name: p.name.clone(),
        unit_id: p.unit_id,
        job_post: p.job_post.clone(),
        title_level: p.title_level,
        specialty: p.specialty.clone(),
        date_of_birth: p.date_of_birth,
        email: p.email.clone(),
        phone: p.phone.clone(),
    };
    let ctx = crate::domain::values::ParseContext {
        today,
        sendable: crate::app::edge::sendable,
    };
    crate::domain::people::validate_person(draft, &ctx)
        .err()
        .unwrap_or_default()
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<PersonRow, ApiError> {
    people::table
        .find(id)
        .select(PersonRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no person {id}")))
}

pub fn to_people(conn: &mut DbConn, rows: Vec<PersonRow>, caller: &Caller) -> Result<Vec<Person>, ApiError> {
    let unit_ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
    let names: Vec<(i64, String)> = units_t::table
        .filter(units_t::id.eq_any(&unit_ids))
        .select((units_t::id, units_t::name))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let title = TitleLevel::parse(&r.title_level)
                .ok_or_else(|| ApiError::internal(format!("person {} title {}", r.id, r.title_level)))?;
            let private = access::sees_personal_data(caller, r.id, r.unit_id);
            Ok(Person {
                id: r.id,
                unit_name: names
                    .iter()
                    .find(|(id, _)| *id == r.unit_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                name: r.name,
                unit_id: r.unit_id,
                job_post: r.job_post,
                title_level: title,
                title_level_label: title.label_zh().into(),
                specialty: r.specialty,
                date_of_birth: if private { r.date_of_birth } else { None },
                email: if private { r.email } else { None },
                phone: if private { r.phone } else { None },
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// Insert one person (used by create and by the CSV import); checks the unit exists.
pub fn insert(conn: &mut DbConn, p: &NewPerson, actor: &Caller) -> Result<PersonRow, ApiError> {
    units::find(conn, p.unit_id).map_err(|_| {
        ApiError::validation(vec![FieldError::new(
            "unit_id",
            Code::UnknownUnit,
            format!("no unit {}", p.unit_id),
        )])
    })?;
    let now = Utc::now().naive_utc();
    let row: PersonRow = diesel::insert_into(people::table)
        .values(&NewPersonRow {
            name: p.name.trim().to_owned(),
            unit_id: p.unit_id,
            job_post: p.job_post.trim().to_owned(),
            title_level: p.title_level.as_str().into(),
            date_of_birth: p.date_of_birth,
            email: p.email.clone(),
            phone: p.phone.clone(),
            specialty: p.specialty.trim().to_owned(),
            created_at: now,
            updated_at: now,
        })
        .returning(people::all_columns)
        .get_result(conn)?;
    audit::created(conn, actor, "person", row.id, &row)?;
    Ok(row)
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
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let items = db
        .run(move |c| {
            let mut q = people::table
                .filter(people::id.gt(after))
                .order(people::id)
                .limit(limit + 1)
                .select(PersonRow::as_select())
                .into_boxed();
            if let Some(unit) = access::contact_unit(&caller) {
                q = q.filter(people::unit_id.eq(unit));
            }
            if caller.role == Role::Member {
                q = q.filter(people::id.eq(access::member_person(&caller).unwrap_or(-1)));
            }
            if let Some(u) = f.unit_id {
                q = q.filter(people::unit_id.eq(u));
            }
            if let Some(t) = f.title_level {
                q = q.filter(people::title_level.eq(t.as_str()));
            }
            if let Some(k) = f.unit_kind {
                q = q.filter(
                    people::unit_id.eq_any(units_t::table.filter(units_t::kind.eq(k.as_str())).select(units_t::id)),
                );
            }
            if let Some(text) = f.q.as_deref().filter(|t| !t.trim().is_empty()) {
                q = q.filter(lower(people::name).like(like_pattern(text)).escape('\\'));
            }
            let rows = q.load(c)?;
            to_people(c, rows, &caller)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |p| p.id)))
}

/// Register a person (the Center, or the contact of the person's unit).
#[utoipa::path(post, path = "/api/v1/members/people", tag = "people", request_body = NewPerson,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "service:members:write"]))),
    responses((status = 201, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewPerson>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let p = body.into_inner();
    access::manage_unit(&caller, p.unit_id)?;
    let errors = validate_person(&p, clock::today());
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let person = db
        .write(move |c| {
            let row = insert(c, &p, &caller)?;
            Ok(to_people(c, vec![row], &caller)?.remove(0))
        })
        .await?;
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
    let person = db
        .run(move |c| {
            let row = find(c, id)?;
            if caller.role == Role::UnitContact && access::contact_unit(&caller) != Some(row.unit_id) {
                return Err(ApiError::forbidden("unit contacts may read only their unit's people"));
            }
            Ok(to_people(c, vec![row], &caller)?.remove(0))
        })
        .await?;
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
    let person = db
        .write(move |c| {
            let before = find(c, id)?;
            let own = access::member_person(&caller) == Some(id);
            let contact_only = p.name.is_none()
                && p.unit_id.is_none()
                && p.job_post.is_none()
                && p.title_level.is_none()
                && p.specialty.is_none()
                && p.date_of_birth.is_none();
            if !(own && contact_only) {
                access::manage_unit(&caller, before.unit_id)?;
                if let Some(new_unit) = p.unit_id {
                    access::manage_unit(&caller, new_unit)?;
                }
            }
            let merged = NewPerson {
                name: p.name.clone().unwrap_or_else(|| before.name.clone()),
                unit_id: p.unit_id.unwrap_or(before.unit_id),
                job_post: p.job_post.clone().unwrap_or_else(|| before.job_post.clone()),
                title_level: p
                    .title_level
                    .or_else(|| TitleLevel::parse(&before.title_level))
                    .unwrap_or(TitleLevel::None),
                specialty: p.specialty.clone().unwrap_or_else(|| before.specialty.clone()),
                date_of_birth: p.date_of_birth.unwrap_or(before.date_of_birth),
                email: p.email.clone().unwrap_or_else(|| before.email.clone()),
                phone: p.phone.clone().unwrap_or_else(|| before.phone.clone()),
            };
            let errors = validate_person(&merged, clock::today());
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            if merged.unit_id != before.unit_id {
                units::find(c, merged.unit_id).map_err(|_| {
                    ApiError::validation(vec![FieldError::new(
                        "unit_id",
                        Code::UnknownUnit,
                        format!("no unit {}", merged.unit_id),
                    )])
                })?;
            }
            diesel::update(people::table.find(id))
                .set((
                    people::name.eq(merged.name.trim()),
                    people::unit_id.eq(merged.unit_id),
                    people::job_post.eq(merged.job_post.trim()),
                    people::title_level.eq(merged.title_level.as_str()),
                    people::specialty.eq(merged.specialty.trim()),
                    people::date_of_birth.eq(merged.date_of_birth),
                    people::email.eq(&merged.email),
                    people::phone.eq(&merged.phone),
                    people::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(c)?;
            let after = find(c, id)?;
            audit::record(
                c,
                &caller,
                Change {
                    action: "update",
                    entity: "person",
                    entity_id: id,
                    before: snapshot(&before),
                    after: snapshot(&after),
                    reason: None,
                },
            )?;
            Ok(to_people(c, vec![after], &caller)?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Ok().json(person))
}
