//! Election results recorded at a plenary (R10, R19), once per activity. In the same
//! transaction an `election.results` event goes to members-service through the outbox; there
//! each application that awaits its election becomes elected or not_elected (R10).

use chrono::Utc;
use service_kit::clock::today;
use service_kit::{ApiError, Code, Db, DbConn, OutboxWaker};

use crate::db::models::{ActivityRow, ElectionResultRow, ElectionRoundRow, NewElectionResultRow};
use crate::db::{activities, elections as rounds};
use crate::domain::activities::ActivityStatus;
use crate::domain::agenda::AgendaItem;
use crate::domain::elections::{self, NotAnElection, RecordElectionResults};
use crate::events;

/// A recorded round: its activity, the round and each candidate's results.
#[derive(Debug, Clone)]
pub struct Round {
    pub activity: ActivityRow,
    pub round: ElectionRoundRow,
    pub results: Vec<ElectionResultRow>,
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

fn count(n: i64) -> Result<u32, ApiError> {
    u32::try_from(n).map_err(ApiError::internal)
}

fn refusal(e: NotAnElection, a: &ActivityRow) -> ApiError {
    let id = a.id;
    match e {
        NotAnElection::NotAPlenary => ApiError::conflict(
            Code::NotAPlenary,
            format!(
                "activity {id} is a {} ({}); elections are held at a plenary (全体会议, R19)",
                a.kind.as_str(),
                a.kind.label_zh()
            ),
        ),
        NotAnElection::NoElectionOnAgenda => ApiError::unprocessable(
            Code::NoElectionOnAgenda,
            format!("R19: the agenda of activity {id} has no election (选举) item; add one first"),
        ),
        NotAnElection::Cancelled => ApiError::conflict(Code::ActivityCancelled, format!("activity {id} is cancelled")),
        NotAnElection::NotHeldYet => ApiError::conflict(
            Code::ActivityNotHeldYet,
            format!(
                "activity {id} is on {}; its results are recorded from that day",
                a.held_on
            ),
        ),
    }
}

/// The event members-service decides the applications by.
fn event(a: &ActivityRow, r: &RecordElectionResults) -> Result<alliance_events::ElectionResults, ApiError> {
    Ok(alliance_events::ElectionResults {
        activity_id: a.id,
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
    })
}

fn load(c: &mut DbConn, activity_id: i64) -> Result<Option<Round>, ApiError> {
    let Some(round) = rounds::round_of(c, activity_id)? else {
        return Ok(None);
    };
    Ok(Some(Round {
        activity: activities::find(c, activity_id)?,
        round,
        results: rounds::results_of(c, activity_id)?,
    }))
}

fn record_tx(c: &mut DbConn, id: i64, r: &RecordElectionResults, recorded_by: String) -> Result<Round, ApiError> {
    let a = activities::find(c, id)?;
    let agenda: Vec<AgendaItem> = serde_json::from_str(&a.agenda).map_err(ApiError::internal)?;
    let cancelled = a.status == ActivityStatus::Cancelled;
    elections::check_activity(a.kind, &agenda, a.held_on, cancelled, today()).map_err(|e| refusal(e, &a))?;
    if rounds::round_of(c, id)?.is_some() {
        return Err(recorded_already(id));
    }
    let event_id = events::election_results(c, event(&a, r)?)?;
    let round = ElectionRoundRow {
        activity_id: id,
        voters_present: small(r.voters_present)?,
        threshold_numerator: r.threshold.map(|t| small(t.numerator)).transpose()?,
        threshold_denominator: r.threshold.map(|t| small(t.denominator)).transpose()?,
        event_id,
        recorded_by,
        recorded_at: Utc::now().naive_utc(),
    };
    let results = r
        .results
        .iter()
        .map(|v| {
            Ok(NewElectionResultRow {
                activity_id: id,
                application_id: v.application_id,
                votes_for: small(v.votes_for)?,
                votes_against: small(v.votes_against)?,
                abstentions: small(v.abstentions)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    if !rounds::insert(c, &round, &results)? {
        return Err(recorded_already(id));
    }
    load(c, id)?.ok_or_else(|| ApiError::internal("the recorded round vanished"))
}

/// Records the (validated) results of a held plenary with an election on its agenda, once.
pub async fn record(
    db: &Db,
    waker: &OutboxWaker,
    id: i64,
    recorded_by: String,
    r: RecordElectionResults,
) -> Result<Round, ApiError> {
    let out = db.write(move |c| record_tx(c, id, &r, recorded_by)).await?;
    waker.wake();
    tracing::info!(
        activity_id = id,
        candidates = out.results.len(),
        "election results recorded"
    );
    Ok(out)
}

/// The round recorded at an activity (404 for no activity; `None` while none is recorded).
pub async fn get(db: &Db, id: i64) -> Result<Option<Round>, ApiError> {
    db.run(move |c| {
        activities::find(c, id)?;
        load(c, id)
    })
    .await
}
