//! Units (单位): `GET/POST /units`, `GET/PATCH /units/{id}`.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{NewUnitRow, UnitRow};
use crate::db::schema::{appointments, bodies, people, units};
use crate::db::{like_pattern, lower};
use crate::domain::people::{UnitKind, check_email, check_phone, check_text};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "name": "天津市机电工艺技师学院", "kind": "technical_school", "kind_label": "技工院校",
    "address": "天津市河西区", "contact_name": "王芳", "contact_email": "wangfang@example.edu.cn", "contact_phone": "022-12345678",
    "council_member": true, "created_at": "2026-11-24T08:00:00", "updated_at": "2026-11-24T08:00:00"}))]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
    pub kind_label: String,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    /// Shown to the Center, the unit's contact and clients with `members:personal_data`.
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// 理事单位: one of its people holds an active council post.
    pub council_member: bool,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

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
    #[schema(max_length = 254, pattern = r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$")]
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
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$")]
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

fn validate(
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    other: &[(&str, Option<&str>)],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(n) = name {
        check_text("name", n, 100, &mut errors);
    }
    for (field, v) in other {
        if let Some(v) = v {
            check_text(field, v, 200, &mut errors);
        }
    }
    if let Some(e) = email {
        check_email("contact_email", e, &mut errors);
    }
    if let Some(p) = phone {
        check_phone("contact_phone", p, &mut errors);
    }
    errors
}

/// Unit ids that are council member units now.
pub fn council_member_units(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<i64>, ApiError> {
    Ok(appointments::table
        .inner_join(people::table)
        .inner_join(bodies::table)
        .filter(bodies::kind.eq("council"))
        .filter(appointments::status.eq("active"))
        .filter(people::unit_id.eq_any(ids))
        .select(people::unit_id)
        .distinct()
        .load(conn)?)
}

pub fn is_council_member_unit(conn: &mut DbConn, unit_id: i64) -> Result<bool, ApiError> {
    Ok(!council_member_units(conn, &[unit_id])?.is_empty())
}

fn to_units(conn: &mut DbConn, rows: Vec<UnitRow>, caller: &Caller) -> Result<Vec<Unit>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let members = council_member_units(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let kind =
                UnitKind::parse(&r.kind).ok_or_else(|| ApiError::internal(format!("unit {} kind {}", r.id, r.kind)))?;
            let private = caller.role == service_kit::Role::Admin
                || access::contact_unit(caller) == Some(r.id)
                || caller.has_scope("members:personal_data");
            Ok(Unit {
                id: r.id,
                council_member: members.contains(&r.id),
                name: r.name,
                kind,
                kind_label: kind.label_zh().into(),
                address: r.address,
                contact_name: r.contact_name,
                contact_email: if private { r.contact_email } else { None },
                contact_phone: if private { r.contact_phone } else { None },
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<UnitRow, ApiError> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no unit {id}")))
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
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let items = db
        .run(move |c| {
            let mut q = units::table
                .filter(units::id.gt(after))
                .order(units::id)
                .limit(limit + 1)
                .select(UnitRow::as_select())
                .into_boxed();
            if let Some(k) = f.kind {
                q = q.filter(units::kind.eq(k.as_str()));
            }
            if let Some(text) = f.q.as_deref().filter(|t| !t.trim().is_empty()) {
                q = q.filter(lower(units::name).like(like_pattern(text)).escape('\\'));
            }
            if let Some(member) = f.council_member {
                let sub = appointments::table
                    .inner_join(people::table)
                    .inner_join(bodies::table)
                    .filter(bodies::kind.eq("council"))
                    .filter(appointments::status.eq("active"))
                    .select(people::unit_id);
                q = if member {
                    q.filter(units::id.eq_any(sub))
                } else {
                    q.filter(units::id.ne_all(sub))
                };
            }
            let rows = q.load(c)?;
            to_units(c, rows, &caller)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |u| u.id)))
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
    let errors = validate(
        Some(&b.name),
        b.contact_email.as_deref(),
        b.contact_phone.as_deref(),
        &[
            ("address", b.address.as_deref()),
            ("contact_name", b.contact_name.as_deref()),
        ],
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let unit = db
        .write(move |c| {
            let now = Utc::now().naive_utc();
            let name = b.name.trim().to_owned();
            let taken: i64 = units::table.filter(units::name.eq(&name)).count().get_result(c)?;
            if taken > 0 {
                return Err(ApiError::conflict(
                    Code::UnitNameTaken,
                    format!("a unit named {name} exists"),
                ));
            }
            diesel::insert_into(units::table)
                .values(&NewUnitRow {
                    name: name.clone(),
                    kind: b.kind.as_str().into(),
                    address: b.address,
                    contact_name: b.contact_name,
                    contact_email: b.contact_email,
                    contact_phone: b.contact_phone,
                    created_at: now,
                    updated_at: now,
                })
                .execute(c)?;
            let row: UnitRow = units::table
                .filter(units::name.eq(&name))
                .select(UnitRow::as_select())
                .first(c)?;
            audit::created(c, &caller, "unit", row.id, &row)?;
            Ok(to_units(c, vec![row], &caller)?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Created().json(unit))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/members/units/{id}", tag = "units", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:members:read"]))),
    responses((status = 200, body = Unit), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let id = id.into_inner();
    let unit = db
        .run(move |c| {
            let row = find(c, id)?;
            Ok(to_units(c, vec![row], &caller)?.remove(0))
        })
        .await?;
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
    let errors = validate(
        p.name.as_deref(),
        p.contact_email.as_ref().and_then(|e| e.as_deref()),
        p.contact_phone.as_ref().and_then(|e| e.as_deref()),
        &[
            ("address", p.address.as_ref().and_then(|e| e.as_deref())),
            ("contact_name", p.contact_name.as_ref().and_then(|e| e.as_deref())),
        ],
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let unit = db
        .write(move |c| {
            let before = find(c, id)?;
            diesel::update(units::table.find(id))
                .set((
                    p.name.map(|n| units::name.eq(n.trim().to_owned())),
                    p.kind.map(|k| units::kind.eq(k.as_str())),
                    p.address.map(|v| units::address.eq(v)),
                    p.contact_name.map(|v| units::contact_name.eq(v)),
                    p.contact_email.map(|v| units::contact_email.eq(v)),
                    p.contact_phone.map(|v| units::contact_phone.eq(v)),
                    units::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(c)?;
            let after = find(c, id)?;
            audit::record(
                c,
                &caller,
                Change {
                    action: "update",
                    entity: "unit",
                    entity_id: id,
                    before: snapshot(&before),
                    after: snapshot(&after),
                    reason: None,
                },
            )?;
            Ok(to_units(c, vec![after], &caller)?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Ok().json(unit))
}
