//! Election results recorded at a plenary (R10, R19):
//! `PUT/GET /activities/{id}/election-results`.
//!
//! The Center records, once per activity, the number of voters present, an optional threshold
//! the meeting decided instead of "more than half", and each candidate's votes by their
//! application in members-service. In the same transaction an `election.results` event goes to
//! members-service through the outbox; there each application that awaits its election becomes
//! elected or not_elected (R10), recorded as an R7 transition naming the plenary.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use service_kit::clock::today;
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, OutboxWaker, Problem, Role};
use utoipa::ToSchema;

use super::access;
use super::activities::find;
use crate::db::models::{ElectionResultRow, ElectionRoundRow, NewElectionResultRow};
use crate::db::schema::{election_results, election_rounds};
use crate::domain::activities::ActivityKind;
use crate::domain::agenda::AgendaItem;
use crate::domain::elections::{self, CandidateVotes, NotAnElection, Threshold};
use crate::events;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"voters_present": 40, "threshold": null, "results": [
    {"application_id": 12, "votes_for": 31, "votes_against": 5, "abstentions": 4},
    {"application_id": 13, "votes_for": 15, "votes_against": 20, "abstentions": 5}]}))]
pub struct RecordElectionResults {
    /// The number of voters present (R10: "more than half" counts those present, not votes cast).
    #[schema(minimum = 1, maximum = 1000000)]
    pub voters_present: i64,
    /// A threshold the meeting recorded instead of "more than half": elected with more than
    /// numerator/denominator of those present. Absent or null: more than half.
    #[serde(default)]
    pub threshold: Option<Threshold>,
    /// One entry per candidate, by their application in members-service; each application once.
    #[schema(min_items = 1, max_items = 500)]
    pub results: Vec<CandidateVotes>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"activity_id": 3, "body_id": 1, "title": "2026年度理事会全体会议", "held_on": "2026-12-10",
    "voters_present": 40, "threshold": null,
    "results": [{"application_id": 12, "votes_for": 31, "votes_against": 5, "abstentions": 4}],
    "event_id": "6c1f5a0e-2f43-4c1e-9a57-4d0b7d0f1c2a", "recorded_by": "account:1", "recorded_at": "2026-12-10T08:00:00.000Z"}))]
pub struct ElectionResults {
    pub activity_id: i64,
    pub body_id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub voters_present: i64,
    /// null: more than half of those present (R10).
    pub threshold: Option<Threshold>,
    pub results: Vec<CandidateVotes>,
    /// The `election.results` event sent to members-service.
    pub event_id: String,
    pub recorded_by: String,
    #[serde(with = "service_kit::utc")]
    pub recorded_at: NaiveDateTime,
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the Center records election results"))
    }
}

fn round_of(c: &mut DbConn, activity_id: i64) -> Result<Option<ElectionRoundRow>, ApiError> {
    Ok(election_rounds::table
        .find(activity_id)
        .select(ElectionRoundRow::as_select())
        .first(c)
        .optional()?)
}

fn view(c: &mut DbConn, activity_id: i64) -> Result<Option<ElectionResults>, ApiError> {
    let Some(round) = round_of(c, activity_id)? else {
        return Ok(None);
    };
    let a = find(c, activity_id)?;
    let results = election_results::table
        .filter(election_results::activity_id.eq(activity_id))
        .order(election_results::id)
        .select(ElectionResultRow::as_select())
        .load(c)?
        .into_iter()
        .map(|r| CandidateVotes {
            application_id: r.application_id,
            votes_for: r.votes_for.into(),
            votes_against: r.votes_against.into(),
            abstentions: r.abstentions.into(),
        })
        .collect();
    Ok(Some(ElectionResults {
        activity_id,
        body_id: a.body_id,
        title: a.title,
        held_on: a.held_on,
        voters_present: round.voters_present.into(),
        threshold: match (round.threshold_numerator, round.threshold_denominator) {
            (Some(n), Some(d)) => Some(Threshold {
                numerator: n.into(),
                denominator: d.into(),
            }),
            _ => None,
        },
        results,
        event_id: round.event_id,
        recorded_by: round.recorded_by,
        recorded_at: round.recorded_at,
    }))
}

fn recorded_already(activity_id: i64) -> ApiError {
    ApiError::conflict(
        Code::ElectionResultsRecorded,
        format!("the election results of activity {activity_id} are recorded already; they are recorded once"),
    )
}

/// 32-bit columns; [`elections::validate`] keeps every count within range.
fn small(v: i64) -> Result<i32, ApiError> {
    i32::try_from(v).map_err(ApiError::internal)
}

/// Record the election results of a held plenary with an election on its agenda (R19), once.
/// Each candidate's votes go to members-service (event `election.results`, written in the same
/// transaction), where the application awaiting its election becomes elected or not_elected
/// by R10 (more than half of those present, unless `threshold` says otherwise).
#[utoipa::path(put, path = "/api/v1/meetings/activities/{id}/election-results", tag = "activities",
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = i64, Path)), request_body = RecordElectionResults,
    responses((status = 201, body = ElectionResults, description = "Recorded, and sent to members-service"),
        (status = 403, description = "Only the Center (admin) records election results", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a plenary (`not_a_plenary`), cancelled (`activity_cancelled`), its date lies ahead (`activity_not_held_yet`), or recorded already (`election_results_recorded`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Impossible numbers, per field (`validation_failed`), or no election on the agenda (`no_election_on_agenda`)", body = Problem, content_type = "application/problem+json")))]
pub async fn put(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<RecordElectionResults>,
    db: web::Data<Db>,
    waker: web::Data<OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    admin(&caller)?;
    let id = id.into_inner();
    let r = body_in.into_inner();
    let errors = elections::validate(r.voters_present, r.threshold, &r.results);
    if !errors.is_empty() {
        return Err(ApiError::validation(
            errors
                .into_iter()
                .map(|e| FieldError::new(e.field, e.code, e.message))
                .collect(),
        ));
    }
    let subject = caller.subject.clone();
    let out = db
        .write(move |c| {
            let a = find(c, id)?;
            let kind = ActivityKind::parse(&a.kind).ok_or_else(|| ApiError::internal("unknown kind"))?;
            let agenda: Vec<AgendaItem> = serde_json::from_str(&a.agenda).map_err(ApiError::internal)?;
            elections::check_activity(kind, &agenda, a.held_on, a.status == "cancelled", today()).map_err(
                |e| match e {
                    NotAnElection::NotAPlenary => ApiError::conflict(
                        Code::NotAPlenary,
                        format!(
                            "activity {id} is a {} ({}); elections are held at a plenary (全体会议, R19)",
                            kind.as_str(),
                            kind.label_zh()
                        ),
                    ),
                    NotAnElection::NoElectionOnAgenda => ApiError::unprocessable(
                        Code::NoElectionOnAgenda,
                        format!("R19: the agenda of activity {id} has no election (选举) item; add one first"),
                    ),
                    NotAnElection::Cancelled => {
                        ApiError::conflict(Code::ActivityCancelled, format!("activity {id} is cancelled"))
                    }
                    NotAnElection::NotHeldYet => ApiError::conflict(
                        Code::ActivityNotHeldYet,
                        format!(
                            "activity {id} is on {}; its results are recorded from that day",
                            a.held_on
                        ),
                    ),
                },
            )?;
            if round_of(c, id)?.is_some() {
                return Err(recorded_already(id));
            }
            let count = |n: i64| u32::try_from(n).map_err(ApiError::internal);
            let event_id = events::election_results(
                c,
                alliance_events::ElectionResults {
                    activity_id: id,
                    body_id: a.body_id,
                    title: a.title.clone(),
                    held_on: a.held_on,
                    voters_present: count(r.voters_present)?,
                    threshold: r
                        .threshold
                        .map(|t| {
                            Ok::<_, ApiError>(alliance_events::Threshold {
                                numerator: count(t.numerator)?,
                                denominator: count(t.denominator)?,
                            })
                        })
                        .transpose()?,
                    results: r
                        .results
                        .iter()
                        .map(|v| {
                            Ok(alliance_events::CandidateResult {
                                application_id: v.application_id,
                                votes_for: count(v.votes_for)?,
                                votes_against: count(v.votes_against)?,
                                abstentions: count(v.abstentions)?,
                            })
                        })
                        .collect::<Result<_, ApiError>>()?,
                },
            )?;
            let round = ElectionRoundRow {
                activity_id: id,
                voters_present: small(r.voters_present)?,
                threshold_numerator: r.threshold.map(|t| small(t.numerator)).transpose()?,
                threshold_denominator: r.threshold.map(|t| small(t.denominator)).transpose()?,
                event_id,
                recorded_by: subject,
                recorded_at: Utc::now().naive_utc(),
            };
            // Two concurrent recordings: the activity's one round row lets only one through.
            match diesel::insert_into(election_rounds::table).values(&round).execute(c) {
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    return Err(recorded_already(id));
                }
                other => other?,
            };
            for v in &r.results {
                diesel::insert_into(election_results::table)
                    .values(&NewElectionResultRow {
                        activity_id: id,
                        application_id: v.application_id,
                        votes_for: small(v.votes_for)?,
                        votes_against: small(v.votes_against)?,
                        abstentions: small(v.abstentions)?,
                    })
                    .execute(c)?;
            }
            view(c, id)?.ok_or_else(|| ApiError::internal("the recorded round vanished"))
        })
        .await?;
    waker.wake();
    tracing::info!(
        activity_id = id,
        candidates = out.results.len(),
        "election results recorded"
    );
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/meetings/activities/{id}/election-results"),
        ))
        .json(out))
}

/// The election results recorded at an activity (404 `election_results_not_recorded` until
/// they are).
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}/election-results", tag = "activities",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    params(("id" = i64, Path)),
    responses((status = 200, body = ElectionResults),
        (status = 404, description = "No such activity (`not_found`), or no results recorded (`election_results_not_recorded`)", body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let id = id.into_inner();
    let out = db
        .run(move |c| {
            find(c, id)?;
            view(c, id)
        })
        .await?;
    match out {
        Some(v) => Ok(HttpResponse::Ok().json(v)),
        None => Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            Code::ElectionResultsNotRecorded,
            format!("no election results are recorded for activity {id}"),
        )),
    }
}
