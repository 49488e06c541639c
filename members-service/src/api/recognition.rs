//! Annual assessments (R15): `GET/PUT /assessments/{year}/{appointment_id}`; commendations
//! (R16): `GET/POST /commendations`, each with a 荣誉证书 issued by documents-service.

use actix_web::{HttpResponse, web};
use alliance_events::{CertificateIssue, CommendationFacts, ToDocuments};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem, Role};
use utoipa::ToSchema;

use super::access;
use crate::appointing::appointment;
use crate::db::audit::{self, Change, snapshot};
use crate::db::schema::{assessments, commendations, people, units};
use crate::domain::assessments::{AssessmentResult, assessable};
use crate::domain::people::check_text;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    pub appointment_id: i64,
    pub year: i32,
    pub result: AssessmentResult,
    pub result_label: String,
    pub comment: String,
    pub assessed_by: String,
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"result": "excellent", "comment": "积极参与协作组工作，成效显著"}))]
pub struct AssessmentInput {
    pub result: AssessmentResult,
    #[serde(default)]
    pub comment: String,
}

type AssessmentTuple = (i64, i32, String, String, String, NaiveDateTime);

fn to_assessment(t: AssessmentTuple) -> Result<Assessment, ApiError> {
    let result = AssessmentResult::parse(&t.2).ok_or_else(|| ApiError::internal("bad result"))?;
    Ok(Assessment {
        appointment_id: t.0,
        year: t.1,
        result,
        result_label: result.label_zh().into(),
        comment: t.3,
        assessed_by: t.4,
        updated_at: t.5,
    })
}

/// One appointment's assessment for a work year.
#[utoipa::path(get, path = "/api/v1/members/assessments/{year}/{appointment_id}", tag = "assessments",
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    params(("year" = i32, Path), ("appointment_id" = i64, Path)),
    responses((status = 200, body = Assessment), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_assessment(
    caller: Caller,
    path: web::Path<(i32, i64)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (year, id) = path.into_inner();
    // Before the lookup: callers who may see no assessment get 403, not 404.
    if !(caller.role == Role::Admin
        || caller.has_scope("members:read")
        || access::member_person(&caller).is_some()
        || access::contact_unit(&caller).is_some())
    {
        return Err(ApiError::forbidden("this assessment is outside your scope"));
    }
    let a = db
        .run(move |c| {
            let appt = appointment(c, id)?;
            let allowed = caller.role == Role::Admin
                || caller.has_scope("members:read")
                || access::member_person(&caller) == Some(appt.person_id)
                || access::contact_unit(&caller) == Some(appt.unit_id);
            if !allowed {
                return Err(ApiError::forbidden("this assessment is outside your scope"));
            }
            let t: AssessmentTuple = assessments::table
                .filter(assessments::appointment_id.eq(id))
                .filter(assessments::year.eq(year))
                .select((
                    assessments::appointment_id,
                    assessments::year,
                    assessments::result,
                    assessments::comment,
                    assessments::assessed_by,
                    assessments::updated_at,
                ))
                .first(c)
                .optional()?
                .ok_or_else(|| ApiError::not_found(format!("no assessment of appointment {id} for {year}")))?;
            to_assessment(t)
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

/// Record (or correct) the year's result: excellent 优秀, competent 合格, basically_competent
/// 基本合格, incompetent 不合格 (R15). One result per appointment and work year.
#[utoipa::path(put, path = "/api/v1/members/assessments/{year}/{appointment_id}", tag = "assessments",
    extensions(("x-roles" = json!(["admin"]))),
    params(("year" = i32, Path), ("appointment_id" = i64, Path)), request_body = AssessmentInput,
    responses((status = 200, body = Assessment),
        (status = 422, description = "The appointment did not run in that year", body = Problem, content_type = "application/problem+json")))]
pub async fn put_assessment(
    caller: Caller,
    path: web::Path<(i32, i64)>,
    body_in: Json<AssessmentInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let (year, id) = path.into_inner();
    let input = body_in.into_inner();
    if input.comment.chars().count() > 2000 {
        return Err(ApiError::validation(vec![FieldError::new(
            "comment",
            Code::TooLong,
            "at most 2000 characters",
        )]));
    }
    let a = db
        .write(move |c| {
            let appt = appointment(c, id)?;
            if appt.status == "pending" || !assessable(year, appt.starts_on, appt.ended_on.unwrap_or(appt.ends_on)) {
                return Err(ApiError::unprocessable(
                    Code::NotAssessable,
                    format!("R15: appointment {id} was not active in {year}"),
                ));
            }
            let now = Utc::now().naive_utc();
            let existing: Option<(i64, String, String)> = assessments::table
                .filter(assessments::appointment_id.eq(id))
                .filter(assessments::year.eq(year))
                .select((assessments::id, assessments::result, assessments::comment))
                .first(c)
                .optional()?;
            match &existing {
                Some((row_id, ..)) => {
                    diesel::update(assessments::table.find(row_id))
                        .set((
                            assessments::result.eq(input.result.as_str()),
                            assessments::comment.eq(input.comment.trim()),
                            assessments::assessed_by.eq(&caller.subject),
                            assessments::updated_at.eq(now),
                        ))
                        .execute(c)?;
                }
                None => {
                    diesel::insert_into(assessments::table)
                        .values((
                            assessments::appointment_id.eq(id),
                            assessments::year.eq(year),
                            assessments::result.eq(input.result.as_str()),
                            assessments::comment.eq(input.comment.trim()),
                            assessments::assessed_by.eq(&caller.subject),
                            assessments::created_at.eq(now),
                            assessments::updated_at.eq(now),
                        ))
                        .execute(c)?;
                }
            }
            audit::record(
                c,
                &caller,
                Change {
                    action: if existing.is_some() { "update" } else { "create" },
                    entity: "assessment",
                    entity_id: id,
                    before: existing
                        .as_ref()
                        .and_then(|e| snapshot(&json!({"result": e.1, "comment": e.2}))),
                    after: snapshot(&json!({"year": year, "result": input.result.as_str(), "comment": input.comment})),
                    reason: None,
                },
            )?;
            to_assessment((
                id,
                year,
                input.result.as_str().into(),
                input.comment.trim().into(),
                caller.subject.clone(),
                now,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Commendation {
    pub id: i64,
    pub year: i32,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// 表彰事由
    pub citation: String,
    pub created_by: String,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2026, "person_id": 7, "citation": "在数控技术专业建设工作中成效显著"}))]
pub struct NewCommendation {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Exactly one of person_id and unit_id.
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub citation: String,
}

/// What [`create_commendation`] asks of a [`NewCommendation`] beyond its fields: exactly one of
/// person_id and unit_id.
pub struct NewCommendationConditions;

impl utoipa::Modify for NewCommendationConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let one_of = serde_json::json!({"oneOf": [
            {"required": ["person_id"], "properties": {"person_id": {"type": "integer"}}},
            {"required": ["unit_id"], "properties": {"unit_id": {"type": "integer"}}},
        ]});
        service_kit::contract::add_condition(doc, "NewCommendation", one_of);
    }
}

type CommendationTuple = (i64, i32, Option<i64>, Option<i64>, String, String, NaiveDateTime);

fn to_commendation(t: CommendationTuple) -> Commendation {
    Commendation {
        id: t.0,
        year: t.1,
        person_id: t.2,
        unit_id: t.3,
        citation: t.4,
        created_by: t.5,
        created_at: t.6,
    }
}

/// Commendations, newest last.
#[utoipa::path(get, path = "/api/v1/members/commendations", tag = "assessments", params(PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = Page<Commendation>)))]
pub async fn list_commendations(
    _caller: Caller,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.limit()?, page.after_id()?);
    let rows: Vec<CommendationTuple> = db
        .run(move |c| {
            Ok(commendations::table
                .filter(commendations::id.gt(after))
                .order(commendations::id)
                .limit(limit + 1)
                .select((
                    commendations::id,
                    commendations::year,
                    commendations::person_id,
                    commendations::unit_id,
                    commendations::citation,
                    commendations::created_by,
                    commendations::created_at,
                ))
                .load(c)?)
        })
        .await?;
    let items: Vec<Commendation> = rows.into_iter().map(to_commendation).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |x| x.id)))
}

/// Commend a member or a unit (褒奖, R16); a 荣誉证书 is issued and sent.
#[utoipa::path(post, path = "/api/v1/members/commendations", tag = "assessments", request_body = NewCommendation,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Commendation), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_commendation(
    caller: Caller,
    body_in: Json<NewCommendation>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let n = body_in.into_inner();
    let mut errors = Vec::new();
    check_text("citation", &n.citation, 500, &mut errors);
    if n.person_id.is_some() == n.unit_id.is_some() {
        errors.push(FieldError::new(
            "person_id",
            Code::OneOf,
            "give exactly one of person_id and unit_id",
        ));
    }
    if !(2000..=2100).contains(&n.year) {
        errors.push(FieldError::new(
            "year",
            Code::InvalidYear,
            "a year between 2000 and 2100",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let row = db
        .write(move |c| {
            let (name, email, unit_name): (String, Option<String>, String) = match (n.person_id, n.unit_id) {
                (Some(p), _) => people::table
                    .inner_join(units::table)
                    .filter(people::id.eq(p))
                    .select((people::name, people::email, units::name))
                    .first(c)
                    .optional()?
                    .ok_or_else(|| {
                        ApiError::validation(vec![FieldError::new(
                            "person_id",
                            Code::UnknownPerson,
                            "no such person",
                        )])
                    })?,
                (_, Some(u)) => units::table
                    .filter(units::id.eq(u))
                    .select((units::name, units::contact_email, units::name))
                    .first(c)
                    .optional()?
                    .ok_or_else(|| {
                        ApiError::validation(vec![FieldError::new("unit_id", Code::UnknownUnit, "no such unit")])
                    })?,
                _ => return Err(ApiError::internal("validated above")),
            };
            let t: CommendationTuple = diesel::insert_into(commendations::table)
                .values((
                    commendations::year.eq(n.year),
                    commendations::person_id.eq(n.person_id),
                    commendations::unit_id.eq(n.unit_id),
                    commendations::citation.eq(n.citation.trim()),
                    commendations::created_by.eq(&caller.subject),
                    commendations::created_at.eq(Utc::now().naive_utc()),
                ))
                .returning((
                    commendations::id,
                    commendations::year,
                    commendations::person_id,
                    commendations::unit_id,
                    commendations::citation,
                    commendations::created_by,
                    commendations::created_at,
                ))
                .get_result(c)?;
            let out = to_commendation(t);
            audit::created(c, &caller, "commendation", out.id, &out)?;
            let event = ToDocuments::CertificateIssue(CertificateIssue::CommendationCertificate {
                commendation: CommendationFacts {
                    commendation_id: out.id,
                    year: out.year,
                    recipient_name: name,
                    recipient_email: email,
                    unit_name,
                    citation: out.citation.clone(),
                    person_id: out.person_id,
                    unit_id: out.unit_id,
                },
            });
            service_kit::outbox::enqueue_event(c, &event)?;
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Created().json(row))
}
