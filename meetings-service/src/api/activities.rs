//! `GET /activities`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::activities;
use crate::domain::activities::ActivityKind;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub id: i64,
    pub body_id: i64,
    pub kind: ActivityKind,
    pub kind_label: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub status: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilter {
    pub body_id: Option<i64>,
    pub kind: Option<ActivityKind>,
}

type Row = (i64, i64, String, String, NaiveDate, String, String);

/// Activities of the alliance's bodies, newest last.
#[utoipa::path(get, path = "/api/v1/meetings/activities", tag = "activities", params(ActivityFilter, PageQuery),
    responses((status = 200, body = Page<Activity>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    _caller: Caller,
    filter: web::Query<ActivityFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.limit()?, page.after_id()?);
    let filter = filter.into_inner();
    let rows: Vec<Row> = db
        .run(move |c| {
            let mut q = activities::table
                .filter(activities::id.gt(after))
                .order(activities::id)
                .limit(limit + 1)
                .select((
                    activities::id,
                    activities::body_id,
                    activities::kind,
                    activities::title,
                    activities::held_on,
                    activities::place,
                    activities::status,
                ))
                .into_boxed();
            if let Some(b) = filter.body_id {
                q = q.filter(activities::body_id.eq(b));
            }
            if let Some(k) = filter.kind {
                q = q.filter(activities::kind.eq(k.as_str()));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|(id, body_id, kind, title, held_on, place, status)| {
            let kind =
                ActivityKind::parse(&kind).ok_or_else(|| ApiError::internal(format!("unknown kind {kind:?}")))?;
            Ok(Activity {
                id,
                body_id,
                kind,
                kind_label: kind.label_zh().to_owned(),
                title,
                held_on,
                place,
                status,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |a| a.id)))
}
