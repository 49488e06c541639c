//! Center nominations (提名) for the posts the Center fills: `GET/POST /nominations`, and
//! `POST /nominations/{id}/appointment` (聘任), which creates the appointment.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::{Json, OptionalJson};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use super::appointments::{Appointment, to_appointment};
use crate::appointing::{self, Appoint, body, check_post_and_term, term};
use crate::clock;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{NominationRow, PersonRow};
use crate::db::schema::nominations;
use crate::domain::appointments::AppointmentStatus;
use crate::domain::bodies::BodyKind;
use crate::domain::eligibility::{EligibilityIssue, Verdict, council_issues, judge};
use crate::domain::people::TitleLevel;
use crate::domain::posts::{FillRoute, Post, route};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Nomination {
    pub id: i64,
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub post_label: String,
    pub reason: String,
    /// R9: the written exception (例外说明) when the candidate fails a rule in principle.
    pub exception_reason: Option<String>,
    /// R9 issues found; a non-empty list needs `accept_exception` at appointment.
    pub eligibility_issues: Vec<String>,
    /// open, appointed or withdrawn
    pub status: String,
    pub appointment_id: Option<i64>,
    pub created_by: String,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

fn to_nomination(r: NominationRow) -> Result<Nomination, ApiError> {
    let post =
        Post::parse(&r.post).ok_or_else(|| ApiError::internal(format!("nomination {} post {}", r.id, r.post)))?;
    Ok(Nomination {
        id: r.id,
        body_id: r.body_id,
        term_id: r.term_id,
        person_id: r.person_id,
        post,
        post_label: post.label_zh().into(),
        reason: r.reason,
        exception_reason: r.exception_reason,
        eligibility_issues: split_issues(&r.issues),
        status: r.status,
        appointment_id: r.appointment_id,
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

pub fn split_issues(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

pub fn join_issues(issues: &[EligibilityIssue]) -> String {
    issues.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(",")
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "term_id": 1, "person_id": 7, "post": "chair", "reason": "中心提名"}))]
pub struct NewNomination {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    #[serde(default)]
    pub reason: String,
    /// Required when the candidate fails R9 in principle (title, age).
    pub exception_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-12-01", "accept_exception": false}))]
pub struct AppointFromNomination {
    /// The appointment date; today when absent. Must fall within the term (R4).
    pub starts_on: Option<NaiveDate>,
    /// Explicit acceptance of the R9 exception, required when the nomination has issues.
    #[serde(default)]
    pub accept_exception: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NominationFilter {
    pub body_id: Option<i64>,
    pub status: Option<String>,
}

/// R9 for council posts: the issues on `date`, or the 422 that names the rule.
pub fn r9_issues(
    kind: BodyKind,
    person: &PersonRow,
    date: NaiveDate,
    exception_reason: Option<&str>,
) -> Result<Vec<EligibilityIssue>, ApiError> {
    if kind != BodyKind::Council {
        return Ok(Vec::new());
    }
    let title = TitleLevel::parse(&person.title_level).unwrap_or(TitleLevel::None);
    match judge(council_issues(title, person.date_of_birth, date), exception_reason) {
        Verdict::Eligible => Ok(Vec::new()),
        Verdict::ExceptionRequested(issues) => Ok(issues),
        Verdict::Refused(issues) => Err(ApiError::unprocessable(
            Code::EligibilityExceptionRequired,
            format!(
                "R9 (第六条): {} — give a written exception_reason (例外说明)",
                issues.iter().map(|i| i.label_zh()).collect::<Vec<_>>().join("、")
            ),
        )
        .with_field_errors(
            issues
                .iter()
                .map(|i| {
                    FieldError::new(
                        "exception_reason",
                        Code::RequiredByR9,
                        format!("R9: {} ({})", i.label_zh(), i.as_str()),
                    )
                })
                .collect(),
        )),
    }
}

fn find(c: &mut DbConn, id: i64) -> Result<NominationRow, ApiError> {
    nominations::table
        .find(id)
        .select(NominationRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no nomination {id}")))
}

/// Nominations, newest last.
#[utoipa::path(get, path = "/api/v1/members/nominations", tag = "appointments", params(NominationFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, body = Page<Nomination>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<NominationFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let rows = db
        .run(move |c| {
            let mut q = nominations::table
                .filter(nominations::id.gt(after))
                .order(nominations::id)
                .limit(limit + 1)
                .select(NominationRow::as_select())
                .into_boxed();
            if let Some(b) = f.body_id {
                q = q.filter(nominations::body_id.eq(b));
            }
            if let Some(s) = f.status {
                q = q.filter(nominations::status.eq(s));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items = rows.into_iter().map(to_nomination).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |n| n.id)))
}

/// Nominate a candidate for a post the Center fills (council chair, secretary-general and
/// deputies; experts; a group's director and secretary-general).
#[utoipa::path(post, path = "/api/v1/members/nominations", tag = "appointments", request_body = NewNomination,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Nomination),
        (status = 404, description = "No such body, term or person", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Post not filled by nomination, or R9 without an exception reason", body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<NewNomination>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let n = body_in.into_inner();
    let row = db
        .write(move |c| {
            let (_, kind) = body(c, n.body_id)?;
            let t = term(c, n.term_id)?;
            check_post_and_term(kind, n.body_id, n.post, &t)?;
            if route(kind, n.post) != Some(FillRoute::Nomination) {
                return Err(ApiError::unprocessable(
                    Code::NotANominatedPost,
                    format!(
                        "{} of a {} is filled by unit application, not nomination",
                        n.post.label_zh(),
                        kind.label_zh()
                    ),
                ));
            }
            let person = super::people::find(c, n.person_id).map_err(|_| {
                ApiError::validation(vec![FieldError::new(
                    "person_id",
                    Code::UnknownPerson,
                    "no such person",
                )])
            })?;
            let planned = clock::today().max(t.starts_on);
            let issues = r9_issues(kind, &person, planned, n.exception_reason.as_deref())?;
            let now = Utc::now().naive_utc();
            let row: NominationRow = diesel::insert_into(nominations::table)
                .values((
                    nominations::body_id.eq(n.body_id),
                    nominations::term_id.eq(n.term_id),
                    nominations::person_id.eq(n.person_id),
                    nominations::post.eq(n.post.as_str()),
                    nominations::reason.eq(n.reason.trim()),
                    nominations::exception_reason.eq(n.exception_reason.as_deref().map(str::trim)),
                    nominations::issues.eq(join_issues(&issues)),
                    nominations::status.eq("open"),
                    nominations::created_by.eq(&caller.subject),
                    nominations::created_at.eq(now),
                    nominations::updated_at.eq(now),
                ))
                .returning(nominations::all_columns)
                .get_result(c)?;
            audit::created(c, &caller, "nomination", row.id, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(to_nomination(row)?))
}

/// Appoint the nominee (聘任): creates the appointment and the event for its certificate.
#[utoipa::path(post, path = "/api/v1/members/nominations/{id}/appointment", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = AppointFromNomination,
    responses((status = 201, body = Appointment),
        (status = 409, description = "R1: the post is held; or the nomination is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R4 outside the term; R9 exception not accepted", body = Problem, content_type = "application/problem+json")))]
pub async fn appoint(
    caller: Caller,
    id: web::Path<i64>,
    body_in: OptionalJson<AppointFromNomination>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let req = body_in.into_inner().unwrap_or_default();
    let appointment = db
        .write(move |c| {
            let before = find(c, id)?;
            if before.status != "open" {
                return Err(ApiError::conflict(
                    Code::NominationClosed,
                    format!("nomination {id} is {}", before.status),
                ));
            }
            let post = Post::parse(&before.post).ok_or_else(|| ApiError::internal("bad post"))?;
            let starts_on = req.starts_on.unwrap_or_else(clock::today);
            let (_, kind) = body(c, before.body_id)?;
            let person = super::people::find(c, before.person_id)?;
            // R9 is judged on the appointment date itself.
            let issues = r9_issues(kind, &person, starts_on, before.exception_reason.as_deref())?;
            if !issues.is_empty() && !req.accept_exception {
                return Err(ApiError::unprocessable(
                    Code::ExceptionNotAccepted,
                    format!(
                        "R9: the candidate needs an exception ({}); accept it explicitly with accept_exception: true",
                        issues.iter().map(|i| i.label_zh()).collect::<Vec<_>>().join("、")
                    ),
                ));
            }
            let row = appointing::appoint(
                c,
                &caller,
                Appoint {
                    body_id: before.body_id,
                    term_id: before.term_id,
                    person_id: before.person_id,
                    post,
                    starts_on,
                    source: "nomination",
                    source_id: Some(id),
                    previous_appointment_id: None,
                    status: AppointmentStatus::Active,
                },
            )?;
            diesel::update(nominations::table.find(id))
                .set((
                    nominations::status.eq("appointed"),
                    nominations::appointment_id.eq(Some(row.id)),
                    nominations::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(c)?;
            let after = find(c, id)?;
            audit::record(
                c,
                &caller,
                Change {
                    action: "appoint",
                    entity: "nomination",
                    entity_id: id,
                    before: snapshot(&before),
                    after: snapshot(&after),
                    reason: None,
                },
            )?;
            to_appointment(c, row)
        })
        .await?;
    Ok(HttpResponse::Created().json(appointment))
}
