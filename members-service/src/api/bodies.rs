//! Bodies: `GET /bodies`, `POST /bodies` (collaboration groups), `GET /bodies/{id}` with its
//! posts, holders, vacancies, completeness and (groups) secretariat unit (R2).

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use super::terms::{Term, term_on};
use crate::appointing::body;
use crate::clock;
use crate::db::audit;
use crate::db::models::BodyRow;
use crate::db::schema::{appointments, bodies, people, units};
use crate::domain::bodies::BodyKind;
use crate::domain::people::check_text;
use crate::domain::posts::{Cardinality, FillRoute, Post, posts_of, route};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "kind": "council", "kind_label": "理事会", "name": "理事会", "specialty": null, "created_at": "2026-11-24T08:00:00"}))]
pub struct Body {
    pub id: i64,
    pub kind: BodyKind,
    /// The kind's Chinese label.
    pub kind_label: String,
    pub name: String,
    pub specialty: Option<String>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

fn to_body(r: BodyRow) -> Result<Body, ApiError> {
    let kind = BodyKind::parse(&r.kind).ok_or_else(|| ApiError::internal(format!("body {} kind {}", r.id, r.kind)))?;
    Ok(Body {
        id: r.id,
        kind,
        kind_label: kind.label_zh().to_owned(),
        name: r.name,
        specialty: r.specialty,
        created_at: r.created_at,
    })
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Holder {
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostSummary {
    pub post: Post,
    pub label: String,
    pub cardinality: Cardinality,
    pub route: FillRoute,
    pub holders: Vec<Holder>,
    /// An exactly-one post without a holder.
    pub vacant: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BodyDetail {
    #[serde(flatten)]
    pub body: Body,
    pub current_term: Option<Term>,
    pub posts: Vec<PostSummary>,
    /// Every exactly-one post has its holder.
    pub complete: bool,
    /// Groups: the secretariat sits at the director's unit (第九条, R2); none without a director.
    pub secretariat_unit: Option<UnitRef>,
}

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
    let (limit, after) = (page.limit()?, page.after_id()?);
    let kind = filter.kind;
    let rows = db
        .run(move |c| {
            let mut q = bodies::table
                .filter(bodies::id.gt(after))
                .order(bodies::id)
                .limit(limit + 1)
                .select(BodyRow::as_select())
                .into_boxed();
            if let Some(k) = kind {
                q = q.filter(bodies::kind.eq(k.as_str()));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items = rows.into_iter().map(to_body).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |b| b.id)))
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
    let mut errors: Vec<FieldError> = Vec::new();
    check_text("name", &g.name, 100, &mut errors);
    check_text("specialty", &g.specialty, 100, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let row = db
        .write(move |c| {
            let name = g.name.trim().to_owned();
            let taken: i64 = bodies::table.filter(bodies::name.eq(&name)).count().get_result(c)?;
            if taken > 0 {
                return Err(ApiError::conflict(
                    Code::BodyNameTaken,
                    format!("a body named {name} exists"),
                ));
            }
            let now = Utc::now().naive_utc();
            let row: BodyRow = diesel::insert_into(bodies::table)
                .values((
                    bodies::kind.eq("group"),
                    bodies::name.eq(&name),
                    bodies::specialty.eq(Some(g.specialty.trim())),
                    bodies::created_at.eq(now),
                    bodies::updated_at.eq(now),
                ))
                .returning(bodies::all_columns)
                .get_result(c)?;
            audit::created(c, &caller, "body", row.id, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(to_body(row)?))
}

/// One body with its posts, holders, vacancies and secretariat unit.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}", tag = "bodies", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = BodyDetail),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let detail = db
        .run(move |c| {
            let (row, kind) = body(c, id)?;
            let current_term = term_on(c, id, clock::today())?.map(Term::from);
            type H = (i64, String, i64, String, i64, String, NaiveDate, NaiveDate);
            let held: Vec<H> = appointments::table
                .inner_join(people::table)
                .inner_join(units::table.on(units::id.eq(people::unit_id)))
                .filter(appointments::body_id.eq(id))
                .filter(appointments::status.eq("active"))
                .order(appointments::id)
                .select((
                    appointments::id,
                    appointments::post,
                    people::id,
                    people::name,
                    units::id,
                    units::name,
                    appointments::starts_on,
                    appointments::ends_on,
                ))
                .load(c)?;
            let posts: Vec<PostSummary> = posts_of(kind)
                .iter()
                .map(|(post, card)| {
                    let holders: Vec<Holder> = held
                        .iter()
                        .filter(|h| h.1 == post.as_str())
                        .map(|h| Holder {
                            appointment_id: h.0,
                            person_id: h.2,
                            person_name: h.3.clone(),
                            unit_id: h.4,
                            unit_name: h.5.clone(),
                            starts_on: h.6,
                            ends_on: h.7,
                        })
                        .collect();
                    PostSummary {
                        post: *post,
                        label: post.label_zh().into(),
                        cardinality: *card,
                        route: route(kind, *post).unwrap_or(FillRoute::Nomination),
                        vacant: *card == Cardinality::ExactlyOne && holders.is_empty(),
                        holders,
                    }
                })
                .collect();
            let secretariat_unit = (kind == BodyKind::Group)
                .then(|| {
                    posts
                        .iter()
                        .find(|p| p.post == Post::Director)
                        .and_then(|p| p.holders.first())
                        .map(|h| UnitRef {
                            id: h.unit_id,
                            name: h.unit_name.clone(),
                        })
                })
                .flatten();
            Ok(BodyDetail {
                complete: posts.iter().all(|p| !p.vacant),
                body: to_body(row)?,
                current_term,
                posts,
                secretariat_unit,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}
