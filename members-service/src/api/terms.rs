//! Terms (届) of a body: `GET/POST /bodies/{id}/terms` (R3). The expert committee serves on
//! the council's terms (第七条): creating a council term creates the committee's twin.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem};
use utoipa::ToSchema;

use super::access;
use crate::appointing::body;
use crate::db::audit;
use crate::db::models::TermRow;
use crate::db::schema::{bodies, terms};
use crate::domain::bodies::BodyKind;
use crate::domain::terms::{DEFAULT_TERM_YEARS, TermDates, TermError, check_new_term, default_end};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "body_id": 1, "number": 1, "label": "第1届", "starts_on": "2023-04-01", "ends_on": "2027-03-31",
    "lapse_processed_at": null, "created_at": "2026-11-24T08:00:00"}))]
pub struct Term {
    pub id: i64,
    pub body_id: i64,
    pub number: i32,
    /// 第N届
    pub label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// When the lapse job ended this term's non-renewed appointments (R6).
    #[serde(with = "service_kit::utc::option")]
    pub lapse_processed_at: Option<NaiveDateTime>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<TermRow> for Term {
    fn from(t: TermRow) -> Self {
        Self {
            id: t.id,
            body_id: t.body_id,
            number: t.number,
            label: format!("第{}届", t.number),
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            lapse_processed_at: t.lapse_processed_at,
            created_at: t.created_at,
        }
    }
}

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

pub fn latest(conn: &mut DbConn, body_id: i64) -> Result<Option<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::body_id.eq(body_id))
        .order(terms::number.desc())
        .select(TermRow::as_select())
        .first(conn)
        .optional()?)
}

/// The body's term that contains `on`.
pub fn term_on(conn: &mut DbConn, body_id: i64, on: NaiveDate) -> Result<Option<TermRow>, ApiError> {
    Ok(terms::table
        .filter(terms::body_id.eq(body_id))
        .filter(terms::starts_on.le(on))
        .filter(terms::ends_on.ge(on))
        .select(TermRow::as_select())
        .first(conn)
        .optional()?)
}

fn insert(conn: &mut DbConn, caller: &Caller, body_id: i64, d: &TermDates) -> Result<TermRow, ApiError> {
    let previous = latest(conn, body_id)?;
    check_new_term(d, previous.as_ref().map(crate::appointing::term_dates).as_ref()).map_err(|e| match e {
        TermError::EndBeforeStart => ApiError::validation(vec![FieldError::new(
            "ends_on",
            Code::EndBeforeStart,
            "must be after starts_on",
        )]),
        TermError::WrongNumber { expected } => ApiError::validation(vec![FieldError::new(
            "number",
            Code::WrongTermNumber,
            format!("the next term is number {expected}"),
        )]),
        TermError::OverlapsPrevious { previous_ends_on } => ApiError::conflict(
            Code::TermOverlap,
            format!("R3: the previous term ends on {previous_ends_on}; the next starts after it"),
        ),
    })?;
    let row: TermRow = diesel::insert_into(terms::table)
        .values((
            terms::body_id.eq(body_id),
            terms::number.eq(d.number),
            terms::starts_on.eq(d.starts_on),
            terms::ends_on.eq(d.ends_on),
            terms::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(terms::all_columns)
        .get_result(conn)?;
    audit::created(conn, caller, "term", row.id, &row)?;
    Ok(row)
}

/// A body's terms, oldest first.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}/terms", tag = "bodies", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = [Term]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rows = db
        .run(move |c| {
            body(c, id)?;
            Ok(terms::table
                .filter(terms::body_id.eq(id))
                .order(terms::number)
                .select(TermRow::as_select())
                .load(c)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Term::from).collect::<Vec<_>>()))
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
    let row = db
        .write(move |c| {
            let (_, kind) = body(c, id)?;
            if kind == BodyKind::ExpertCommittee {
                return Err(ApiError::conflict(
                    Code::FollowsCouncilTerms,
                    "第七条: the expert committee serves on the council's terms; open a council term instead",
                ));
            }
            let number = match b.number {
                Some(n) => n,
                None => latest(c, id)?.map_or(1, |t| t.number + 1),
            };
            let ends_on = match b.ends_on {
                Some(e) => e,
                None => default_end(b.starts_on, DEFAULT_TERM_YEARS).ok_or_else(|| {
                    ApiError::validation(vec![FieldError::new("starts_on", Code::InvalidDate, "out of range")])
                })?,
            };
            let dates = TermDates {
                number,
                starts_on: b.starts_on,
                ends_on,
            };
            let row = insert(c, &caller, id, &dates)?;
            if kind == BodyKind::Council {
                let committee: i64 = bodies::table
                    .filter(bodies::kind.eq("expert_committee"))
                    .select(bodies::id)
                    .first(c)?;
                insert(c, &caller, committee, &dates)?;
            }
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Term::from(row)))
}
