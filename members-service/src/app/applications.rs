//! Unit applications (申报): the R7 state machine with R8 (group posts from council member
//! units), R9 (exceptions accepted explicitly) and R10 (election results).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError};
use utoipa::ToSchema;

use super::access;
use super::appointing::{self, Appoint, body, candidate, check_post_and_term, r9_issues};
use crate::clock;
use crate::db::applications::{self, ApplicationQuery};
use crate::db::audit;
use crate::db::models::{ApplicationChanges, ApplicationRow, NewApplicationRow, NewTransitionRow};
use crate::db::{appointments, terms, units};
use crate::domain::applications::{ApplicationAction, ApplicationStatus, IllegalTransition, next, unit_may_apply};
use crate::domain::appointments::{AppointmentSource, AppointmentStatus};
use crate::domain::elections::{Threshold, Votes, is_elected};
use crate::domain::eligibility::EligibilityIssue;
use crate::domain::posts::{Cardinality, FillRoute, Post, cardinality, route};

/// 申报的一次状态变更（R7）：谁、何时、为何。One step of an application (R7): who, when and why.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Transition {
    /// 所做的操作，如 approve（审核通过）。What was done.
    pub action: ApplicationAction,
    /// 变更前的状态。The status before.
    pub from_status: ApplicationStatus,
    /// 变更后的状态。The status after.
    pub to_status: ApplicationStatus,
    /// 操作人：`account:<id>`、`client:<id>` 或 `system:<job>`。Who: `account:<id>`, `client:<id>` or `system:<job>`.
    pub actor: String,
    /// 理由；未填时为空字符串。Why; empty when none was given.
    pub reason: String,
    /// 操作时间（UTC）。When (UTC).
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
}

/// 一名候选人的选举结果（R10）。A candidate's election result (R10).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ElectionResult {
    /// 赞成票数。Votes for.
    pub votes_for: u32,
    /// 反对票数。Votes against.
    pub votes_against: u32,
    /// 弃权票数。Abstentions.
    pub abstentions: u32,
    /// 出席人数。Voters present.
    pub voters_present: u32,
    /// 当选门槛：赞成票须超过出席人数的 numerator/denominator，默认 1/2（过半数）。
    /// The threshold: more than numerator/denominator of those present, 1/2 by default.
    pub threshold: Threshold,
}

/// 一条单位申报及其审核、选举、聘任的全过程（R7–R10）。
/// A unit application with its review, election and appointment (R7–R10).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Application {
    /// 申报编号。The application's id.
    pub id: i64,
    /// 申报的机构。The body applied to.
    pub body_id: i64,
    /// 届次。The term.
    pub term_id: i64,
    /// 申报单位。The applying unit.
    pub unit_id: i64,
    /// 候选人。The candidate.
    pub person_id: i64,
    /// 申报的职务。The post applied for.
    pub post: Post,
    /// 职务的中文名称，如 理事。The post's Chinese label.
    pub post_label: String,
    /// 当前状态。Where the application stands.
    pub status: ApplicationStatus,
    /// 状态的中文名称，如 审核中。The status's Chinese label.
    pub status_label: String,
    /// 申报说明（推荐理由）。The unit's statement.
    pub statement: String,
    /// 例外说明：候选人原则上不符合某项条件时写明的理由（R9）。
    /// R9 exception reason (例外说明), when the candidate fails a rule in principle.
    pub exception_reason: Option<String>,
    /// 发现的资格问题（R9）；被标记的申报审核通过时须明确接受例外。
    /// R9 issues found; flagged applications need the exception accepted on approval.
    pub eligibility_issues: Vec<EligibilityIssue>,
    /// 是否因资格问题被标记。Whether R9 issues flag it.
    pub flagged: bool,
    /// 接受例外的操作人。Who accepted the exception.
    pub exception_accepted_by: Option<String>,
    /// 接受例外的时间（UTC）。When the exception was accepted (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub exception_accepted_at: Option<NaiveDateTime>,
    /// 选举结果（仅理事会职务，登记选举结果后才有）。The election result (council posts, once recorded).
    pub election: Option<ElectionResult>,
    /// 聘任后建立的聘任记录编号。The appointment made from it, once appointed.
    pub appointment_id: Option<i64>,
    /// 每一次状态变更及其操作人、时间和理由（R7）。Every transition with who, when and why (R7).
    pub history: Vec<Transition>,
    /// 申报时间（UTC）。When it was submitted (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

/// 申报的一步操作（R7），及该操作所需的内容。A step of an application (R7) with what it needs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "record_election", "reason": "2026年全体会议选举", "votes":
    {"votes_for": 31, "votes_against": 5, "abstentions": 4, "voters_present": 40}}))]
pub struct TransitionRequest {
    /// 操作：start_review（开始审核）、reject（审核不通过）、approve（审核通过）、record_election（登记选举结果）、
    /// appoint（聘任）或 withdraw（撤回）。The step to take.
    pub action: ApplicationAction,
    /// 理由：reject 和 withdraw 时必填。Why: required for reject and withdraw.
    #[serde(default)]
    pub reason: String,
    /// approve 时：明确接受被标记申报的 R9 例外。approve: explicit acceptance of a flagged application's R9 exception.
    #[serde(default)]
    pub accept_exception: bool,
    /// record_election 时必填：票数与出席人数（R10）。record_election: the result (R10).
    pub votes: Option<Votes>,
    /// record_election 时可选：会议另定的当选门槛，代替“过半数”。
    /// record_election: a threshold the meeting recorded instead of "more than half".
    pub threshold: Option<Threshold>,
    /// appoint 时：聘任日期（不填为今天），须在本届任期内（R4）。
    /// appoint: the appointment date (today when absent), within the term (R4).
    pub starts_on: Option<NaiveDate>,
}

fn to_application(c: &mut DbConn, r: ApplicationRow) -> Result<Application, ApiError> {
    let history = applications::transitions(c, r.id)?
        .into_iter()
        .map(|t| Transition {
            action: t.action,
            from_status: t.from_status,
            to_status: t.to_status,
            actor: t.actor,
            reason: t.reason,
            at: t.at,
        })
        .collect();
    let election = match (r.votes_for, r.votes_against, r.abstentions, r.voters_present) {
        (Some(f), Some(a), Some(ab), Some(p)) => Some(ElectionResult {
            votes_for: f.max(0) as u32,
            votes_against: a.max(0) as u32,
            abstentions: ab.max(0) as u32,
            voters_present: p.max(0) as u32,
            threshold: r
                .threshold
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default(),
        }),
        _ => None,
    };
    let issues = EligibilityIssue::split(&r.issues);
    Ok(Application {
        id: r.id,
        body_id: r.body_id,
        term_id: r.term_id,
        unit_id: r.unit_id,
        person_id: r.person_id,
        post: r.post,
        post_label: r.post.label_zh().into(),
        status: r.status,
        status_label: r.status.label_zh().into(),
        statement: r.statement,
        exception_reason: r.exception_reason,
        flagged: !issues.is_empty(),
        eligibility_issues: issues,
        exception_accepted_by: r.exception_accepted_by,
        exception_accepted_at: r.exception_accepted_at,
        election,
        appointment_id: r.appointment_id,
        history,
        created_at: r.created_at,
    })
}

pub fn list(c: &mut DbConn, caller: &Caller, f: &ApplicationQuery, w: Window) -> Result<Page<Application>, ApiError> {
    applications::list(c, access::only(caller), f, w)?.try_map(|r| to_application(c, r))
}

pub fn get(c: &mut DbConn, caller: &Caller, id: i64) -> Result<Application, ApiError> {
    let row = applications::find(c, id)?;
    if !access::sees_application(caller, &row) {
        return Err(ApiError::forbidden("this application is outside your scope"));
    }
    to_application(c, row)
}

/// What an application gives.
pub struct ApplicationInput {
    pub body_id: i64,
    pub term_id: i64,
    pub unit_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub statement: String,
    pub exception_reason: Option<String>,
}

/// A unit applies for a post (各单位申报, R7), a group post only as a council member unit (R8),
/// for one of its people, judged by R9 on the planned date. The caller is authorised already.
pub fn create(c: &mut DbConn, caller: &Caller, n: &ApplicationInput) -> Result<Application, ApiError> {
    let (_, kind) = body(c, n.body_id)?;
    let t = terms::find(c, n.term_id)?;
    check_post_and_term(kind, n.body_id, n.post, &t)?;
    let fill = route(kind, n.post).unwrap_or(FillRoute::Nomination);
    let member_unit = !units::council_member_units(c, &[n.unit_id])?.is_empty();
    unit_may_apply(fill, member_unit).map_err(|why| {
        let code = if fill == FillRoute::Nomination {
            Code::NotAnApplicationPost
        } else {
            Code::NotACouncilMemberUnit
        };
        ApiError::unprocessable(code, why)
    })?;
    let person = candidate(c, n.person_id)?;
    if person.unit_id != n.unit_id {
        return Err(ApiError::validation(vec![FieldError::new(
            "person_id",
            Code::NotOfUnit,
            "the candidate must be one of the applying unit's people",
        )]));
    }
    // Applying for a filled single-holder post is refused at once.
    if cardinality(kind, n.post) == Some(Cardinality::ExactlyOne) && appointments::post_held(c, n.body_id, n.post)? {
        return Err(ApiError::conflict(
            Code::PostOccupied,
            "R1: this single-holder post is filled",
        ));
    }
    let planned = clock::today().max(t.starts_on);
    let issues = r9_issues(kind, &person, planned, n.exception_reason.as_deref())?;
    let now = Utc::now().naive_utc();
    let row = applications::insert(
        c,
        &NewApplicationRow {
            body_id: n.body_id,
            term_id: n.term_id,
            unit_id: n.unit_id,
            person_id: n.person_id,
            post: n.post,
            status: ApplicationStatus::Submitted,
            statement: n.statement.trim(),
            exception_reason: n.exception_reason.as_deref().map(str::trim),
            issues: EligibilityIssue::join(&issues),
            created_by: &caller.subject,
            created_at: now,
            updated_at: now,
        },
    )?;
    audit::created(c, caller, "application", row.id, &row)?;
    to_application(c, row)
}

/// A transition by a caller authorised for it (the transitions endpoint): loads the
/// application, checks the unit contact's own unit for a withdrawal, applies it.
pub fn transition(c: &mut DbConn, caller: &Caller, id: i64, t: &TransitionRequest) -> Result<Application, ApiError> {
    let app = applications::find(c, id)?;
    let own_unit = access::contact_unit(caller) == Some(app.unit_id);
    match t.action {
        ApplicationAction::Withdraw if own_unit || caller.role == service_kit::Role::Admin => {}
        _ => access::admin(caller)?,
    }
    let after = apply_transition(c, caller, app, t)?;
    to_application(c, after)
}

fn votes_error(message: String) -> ApiError {
    ApiError::validation(vec![FieldError::new("votes", Code::ImpossibleVotes, message)])
}

/// R7 (with R10 for an election): the status `t` leads to from `app`'s, or why not.
fn check_transition(
    c: &mut DbConn,
    app: &ApplicationRow,
    t: &TransitionRequest,
) -> Result<ApplicationStatus, ApiError> {
    let (_, kind) = body(c, app.body_id)?;
    let fill = route(kind, app.post).unwrap_or(FillRoute::Nomination);
    let mut elected = false;
    if t.action == ApplicationAction::RecordElection {
        let votes = t.votes.ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "votes",
                Code::Required,
                "record_election needs the votes",
            )])
        })?;
        elected = is_elected(votes, t.threshold).map_err(|e| votes_error(format!("R10: {e}")))?;
    }
    let to = next(app.status, t.action, fill, elected).map_err(|IllegalTransition { from, action }| {
        ApiError::conflict(
            Code::IllegalTransition,
            format!(
                "R7: an application that is {} cannot {}",
                from.as_str(),
                action.as_str()
            ),
        )
    })?;
    if matches!(t.action, ApplicationAction::Reject | ApplicationAction::Withdraw) && t.reason.trim().is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            Code::Required,
            "state why",
        )]));
    }
    Ok(to)
}

/// What the step records on the application besides its status: the accepted R9 exception
/// (approve) or the votes (record_election).
fn step_changes(
    app: &ApplicationRow,
    caller: &Caller,
    t: &TransitionRequest,
    now: NaiveDateTime,
) -> Result<ApplicationChanges, ApiError> {
    let mut changes = ApplicationChanges::default();
    if t.action == ApplicationAction::Approve && !app.issues.is_empty() {
        if !t.accept_exception {
            return Err(ApiError::unprocessable(
                Code::ExceptionNotAccepted,
                "R9: this application is flagged; approve it with accept_exception: true to accept its exception",
            ));
        }
        changes.exception_accepted_by = Some(Some(caller.subject.clone()));
        changes.exception_accepted_at = Some(Some(now));
    }
    if let (ApplicationAction::RecordElection, Some(v)) = (t.action, t.votes) {
        // is_elected refused counts beyond i32 already; this never wraps.
        let count = |n: u32| i32::try_from(n).map_err(|_| votes_error("R10: counts are at most 2147483647".into()));
        changes.votes_for = Some(Some(count(v.votes_for)?));
        changes.votes_against = Some(Some(count(v.votes_against)?));
        changes.abstentions = Some(Some(count(v.abstentions)?));
        changes.voters_present = Some(Some(count(v.voters_present)?));
        changes.threshold = Some(Some(
            serde_json::to_string(&t.threshold.unwrap_or_default()).map_err(ApiError::internal)?,
        ));
    }
    Ok(changes)
}

/// The R7 state machine's one code path, for the transitions endpoint and for events (election
/// results from a plenary, with `Caller::system("meetings")`): checks the transition and its
/// inputs, applies it in one statement, and records it with who, when and why, and in the
/// audit log. The caller is authorised already. Runs inside the caller's write transaction.
pub(crate) fn apply_transition(
    c: &mut DbConn,
    caller: &Caller,
    app: ApplicationRow,
    t: &TransitionRequest,
) -> Result<ApplicationRow, ApiError> {
    let id = app.id;
    let to = check_transition(c, &app, t)?;
    let now = Utc::now().naive_utc();
    let mut changes = step_changes(&app, caller, t, now)?;
    if t.action == ApplicationAction::Appoint {
        let row = appointing::appoint(
            c,
            caller,
            Appoint {
                body_id: app.body_id,
                term_id: app.term_id,
                person_id: app.person_id,
                post: app.post,
                starts_on: t.starts_on.unwrap_or_else(clock::today),
                source: AppointmentSource::Application,
                source_id: Some(id),
                previous_appointment_id: None,
                status: AppointmentStatus::Active,
            },
        )?;
        changes.appointment_id = Some(Some(row.id));
    }
    changes.status = Some(to);
    changes.updated_at = Some(now);
    let after = applications::update(c, id, &changes)?;
    applications::insert_transition(
        c,
        &NewTransitionRow {
            application_id: id,
            action: t.action,
            from_status: app.status,
            to_status: to,
            actor: &caller.subject,
            reason: t.reason.trim(),
            at: now,
        },
    )?;
    audit::record(
        c,
        caller,
        audit::Change {
            action: t.action.into(),
            entity: "application",
            entity_id: id,
            before: audit::snapshot(&app),
            after: audit::snapshot(&after),
            reason: Some(&t.reason),
        },
    )?;
    Ok(after)
}
