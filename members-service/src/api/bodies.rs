//! `GET /bodies`, `GET /bodies/{id}`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::bodies;
use crate::domain::bodies::BodyKind;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "kind": "council", "kind_label": "理事会", "name": "理事会", "specialty": null, "created_at": "2026-11-24T08:00:00"}))]
pub struct Body {
    pub id: i64,
    pub kind: BodyKind,
    /// The kind's Chinese label.
    pub kind_label: String,
    pub name: String,
    pub specialty: Option<String>,
    pub created_at: NaiveDateTime,
}

type BodyRow = (i64, String, String, Option<String>, NaiveDateTime);

fn to_body((id, kind, name, specialty, created_at): BodyRow) -> Result<Body, ApiError> {
    let kind =
        BodyKind::parse(&kind).ok_or_else(|| ApiError::internal(format!("unknown body kind {kind:?} in row {id}")))?;
    Ok(Body {
        id,
        kind,
        kind_label: kind.label_zh().to_owned(),
        name,
        specialty,
        created_at,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BodyFilter {
    /// council, expert_committee or group
    pub kind: Option<BodyKind>,
}

/// The council, the expert committee and the collaboration groups.
#[utoipa::path(get, path = "/api/v1/members/bodies", tag = "bodies", params(BodyFilter, PageQuery),
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
    let rows: Vec<BodyRow> = db
        .run(move |c| {
            let mut q = bodies::table
                .filter(bodies::id.gt(after))
                .order(bodies::id)
                .limit(limit + 1)
                .select((
                    bodies::id,
                    bodies::kind,
                    bodies::name,
                    bodies::specialty,
                    bodies::created_at,
                ))
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

/// One body.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}", tag = "bodies", params(("id" = i64, Path)),
    responses((status = 200, body = Body),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row: BodyRow = db
        .run(move |c| {
            bodies::table
                .find(id)
                .select((
                    bodies::id,
                    bodies::kind,
                    bodies::name,
                    bodies::specialty,
                    bodies::created_at,
                ))
                .first(c)
                .optional()?
                .ok_or_else(|| ApiError::not_found(format!("no body {id}")))
        })
        .await?;
    Ok(HttpResponse::Ok().json(to_body(row)?))
}
