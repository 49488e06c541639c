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
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Code, Db, FieldError, OutboxWaker, Problem, Role};
use utoipa::ToSchema;

use super::access;
use crate::app::elections::{self as app, Round};
pub use crate::domain::elections::RecordElectionResults;
use crate::domain::elections::{self, CandidateVotes, Threshold};

/// 一次全体会议登记的选举结果（R10）。The election results recorded at a plenary (R10).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"activity_id": 3, "body_id": 1, "title": "2026年度理事会全体会议", "held_on": "2026-12-10",
    "voters_present": 40, "threshold": null,
    "results": [{"application_id": 12, "votes_for": 31, "votes_against": 5, "abstentions": 4}],
    "event_id": "6c1f5a0e-2f43-4c1e-9a57-4d0b7d0f1c2a", "recorded_by": "account:1", "recorded_at": "2026-12-10T08:00:00.000Z"}))]
pub struct ElectionResults {
    /// 活动（全体会议）编号。The activity (plenary) id.
    pub activity_id: i64,
    /// 机构编号。The body's id.
    pub body_id: i64,
    /// 会议名称。The meeting's title.
    pub title: String,
    /// 举办日期。The date it was held on.
    pub held_on: NaiveDate,
    /// 到会投票人数。The number of voters present.
    pub voters_present: i64,
    /// 当选门槛；null 表示超过到会人数的半数（R10）。null: more than half of those present (R10).
    pub threshold: Option<Threshold>,
    /// 各候选人的得票。Each candidate's votes.
    pub results: Vec<CandidateVotes>,
    /// 发往 members-service 的 `election.results` 事件编号。The `election.results` event sent to members-service.
    pub event_id: String,
    /// 登记者账号。The account that recorded them.
    pub recorded_by: String,
    /// 登记时间（UTC）。When they were recorded (UTC).
    #[serde(with = "service_kit::utc")]
    pub recorded_at: NaiveDateTime,
}

impl From<Round> for ElectionResults {
    fn from(
        Round {
            activity: a,
            round,
            results,
        }: Round,
    ) -> Self {
        Self {
            activity_id: a.id,
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
            results: results
                .into_iter()
                .map(|r| CandidateVotes {
                    application_id: r.application_id,
                    votes_for: r.votes_for.into(),
                    votes_against: r.votes_against.into(),
                    abstentions: r.abstentions.into(),
                })
                .collect(),
            event_id: round.event_id,
            recorded_by: round.recorded_by,
            recorded_at: round.recorded_at,
        }
    }
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the Center records election results"))
    }
}

/// 登记选举结果 · Record the election results of a plenary.
///
/// 登记一次已举行、议程中列有选举事项（R19）的全体会议的选举结果，每次会议只能登记一次；仅限机械工业教育发展中心（admin）。各候选人的得票通过与登记同一事务写入的 `election.results` 事件发往 members-service，在那里待选举的申报按 R10 确定当选或未当选（得票超过到会人数的半数，除非 `threshold` 另有规定）。不是全体会议（`not_a_plenary`）、已取消（`activity_cancelled`）、尚未举行（`activity_not_held_yet`）或已登记（`election_results_recorded`）时返回 409；票数不可能成立（`validation_failed`）或议程中没有选举事项（`no_election_on_agenda`）时返回 422。
///
/// Record the election results of a held plenary with an election on its agenda (R19), once.
/// Each candidate's votes go to members-service (event `election.results`, written in the same
/// transaction), where the application awaiting its election becomes elected or not_elected
/// by R10 (more than half of those present, unless `threshold` says otherwise).
#[utoipa::path(put, path = "/api/v1/meetings/activities/{id}/election-results", tag = "activities",
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = i64, Path)), request_body = RecordElectionResults,
    responses((status = 201, body = ElectionResults, description = "已登记，并已发往 members-service · Recorded, and sent to members-service"),
        (status = 403, description = "仅机械工业教育发展中心（admin）可登记选举结果 · Only the Center (admin) records election results", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "不是全体会议（`not_a_plenary`）、已取消（`activity_cancelled`）、尚未举行（`activity_not_held_yet`）或已登记（`election_results_recorded`） · Not a plenary (`not_a_plenary`), cancelled (`activity_cancelled`), its date lies ahead (`activity_not_held_yet`), or recorded already (`election_results_recorded`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "票数不可能成立，按字段列出（`validation_failed`），或议程中没有选举事项（`no_election_on_agenda`） · Impossible numbers, per field (`validation_failed`), or no election on the agenda (`no_election_on_agenda`)", body = Problem, content_type = "application/problem+json")))]
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
    let out = ElectionResults::from(app::record(&db, &waker, id, caller.subject.clone(), r).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/meetings/activities/{id}/election-results"),
        ))
        .json(out))
}

/// 查看选举结果 · The election results of an activity.
///
/// 一次活动登记的选举结果；尚未登记时返回 404（`election_results_not_recorded`），活动不存在时返回 404（`not_found`）。
///
/// The election results recorded at an activity (404 `election_results_not_recorded` until
/// they are).
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}/election-results", tag = "activities",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    params(("id" = i64, Path)),
    responses((status = 200, body = ElectionResults),
        (status = 404, description = "没有该活动（`not_found`），或尚未登记选举结果（`election_results_not_recorded`） · No such activity (`not_found`), or no results recorded (`election_results_not_recorded`)", body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let id = id.into_inner();
    match app::get(&db, id).await? {
        Some(v) => Ok(HttpResponse::Ok().json(ElectionResults::from(v))),
        None => Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            Code::ElectionResultsNotRecorded,
            format!("no election results are recorded for activity {id}"),
        )),
    }
}
