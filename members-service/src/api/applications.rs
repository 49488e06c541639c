//! Unit applications (申报): `GET/POST /applications`, `GET /applications/{id}`,
//! `POST /applications/{id}/transitions` — the R7 state machine with R8 (group posts from
//! council member units), R9 (exceptions accepted explicitly) and R10 (election results).

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use super::nominations::{join_issues, r9_issues, split_issues};
use super::units::is_council_member_unit;
use crate::appointing::{self, Appoint, body, check_post_and_term, term};
use crate::clock;
use crate::db::audit;
use crate::db::models::{ApplicationRow, TransitionRow};
use crate::db::schema::{application_transitions, applications};
use crate::domain::applications::{ApplicationAction, ApplicationStatus, IllegalTransition, next, unit_may_apply};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::elections::{Threshold, Votes, is_elected};
use crate::domain::posts::{FillRoute, Post, route};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Transition {
    pub action: ApplicationAction,
    pub from_status: ApplicationStatus,
    pub to_status: ApplicationStatus,
    /// Who: `account:<id>`, `client:<id>` or `system:<job>`.
    pub actor: String,
    pub reason: String,
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ElectionResult {
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
    pub voters_present: u32,
    pub threshold: Threshold,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Application {
    pub id: i64,
    pub body_id: i64,
    pub term_id: i64,
    pub unit_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub post_label: String,
    pub status: ApplicationStatus,
    pub status_label: String,
    pub statement: String,
    /// R9 exception reason (例外说明), when the candidate fails a rule in principle.
    pub exception_reason: Option<String>,
    /// R9 issues found; flagged applications need the exception accepted on approval.
    pub eligibility_issues: Vec<String>,
    pub flagged: bool,
    pub exception_accepted_by: Option<String>,
    #[serde(with = "service_kit::utc::option")]
    pub exception_accepted_at: Option<NaiveDateTime>,
    pub election: Option<ElectionResult>,
    pub appointment_id: Option<i64>,
    /// Every transition with who, when and why (R7).
    pub history: Vec<Transition>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

fn to_application(c: &mut DbConn, r: ApplicationRow) -> Result<Application, ApiError> {
    let post = Post::parse(&r.post).ok_or_else(|| ApiError::internal("bad post"))?;
    let status = ApplicationStatus::parse(&r.status).ok_or_else(|| ApiError::internal("bad status"))?;
    let history = application_transitions::table
        .filter(application_transitions::application_id.eq(r.id))
        .order(application_transitions::id)
        .select(TransitionRow::as_select())
        .load(c)?
        .into_iter()
        .filter_map(|t| {
            Some(Transition {
                action: action_of(&t.action)?,
                from_status: ApplicationStatus::parse(&t.from_status)?,
                to_status: ApplicationStatus::parse(&t.to_status)?,
                actor: t.actor,
                reason: t.reason,
                at: t.at,
            })
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
    let issues = split_issues(&r.issues);
    Ok(Application {
        id: r.id,
        body_id: r.body_id,
        term_id: r.term_id,
        unit_id: r.unit_id,
        person_id: r.person_id,
        post,
        post_label: post.label_zh().into(),
        status,
        status_label: status.label_zh().into(),
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

fn action_of(s: &str) -> Option<ApplicationAction> {
    use ApplicationAction as A;
    [
        A::StartReview,
        A::Reject,
        A::Approve,
        A::RecordElection,
        A::Appoint,
        A::Withdraw,
    ]
    .into_iter()
    .find(|a| a.as_str() == s)
}

fn find(c: &mut DbConn, id: i64) -> Result<ApplicationRow, ApiError> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no application {id}")))
}

fn may_see(caller: &Caller, a: &ApplicationRow) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Service => caller.has_scope("members:read"),
        Role::UnitContact => access::contact_unit(caller) == Some(a.unit_id),
        Role::GroupSecretary => access::secretary_group(caller) == Some(a.body_id),
        Role::Member => access::member_person(caller) == Some(a.person_id),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "term_id": 1, "unit_id": 3, "person_id": 9, "post": "council_member",
    "statement": "我校数控专业为省级重点专业", "exception_reason": null}))]
pub struct NewApplication {
    pub body_id: i64,
    pub term_id: i64,
    /// The applying unit; a unit contact may apply for their own unit only.
    pub unit_id: i64,
    /// The candidate, one of the unit's people.
    pub person_id: i64,
    pub post: Post,
    #[serde(default)]
    pub statement: String,
    /// Required when the candidate fails R9 in principle (title below 副高级, over 60).
    pub exception_reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<ApplicationStatus>,
}

/// Applications; a unit contact sees their unit's, a group secretary their group's.
#[utoipa::path(get, path = "/api/v1/members/applications", tag = "applications", params(ApplicationFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Page<Application>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<ApplicationFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    if caller.role == Role::Service {
        caller.require_admin_or_scope("members:read")?;
    }
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let items = db
        .run(move |c| {
            let mut q = applications::table
                .filter(applications::id.gt(after))
                .order(applications::id)
                .limit(limit + 1)
                .select(ApplicationRow::as_select())
                .into_boxed();
            match caller.role {
                Role::UnitContact => {
                    q = q.filter(applications::unit_id.eq(access::contact_unit(&caller).unwrap_or(-1)))
                }
                Role::GroupSecretary => {
                    q = q.filter(applications::body_id.eq(access::secretary_group(&caller).unwrap_or(-1)))
                }
                Role::Member => q = q.filter(applications::person_id.eq(access::member_person(&caller).unwrap_or(-1))),
                _ => {}
            }
            if let Some(v) = f.body_id {
                q = q.filter(applications::body_id.eq(v));
            }
            if let Some(v) = f.term_id {
                q = q.filter(applications::term_id.eq(v));
            }
            if let Some(v) = f.unit_id {
                q = q.filter(applications::unit_id.eq(v));
            }
            if let Some(v) = f.status {
                q = q.filter(applications::status.eq(v.as_str()));
            }
            let rows = q.load(c)?;
            rows.into_iter()
                .map(|r| to_application(c, r))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |a| a.id)))
}

/// One application with its history.
#[utoipa::path(get, path = "/api/v1/members/applications/{id}", tag = "applications", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Application), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Before the lookup: a client that may see no application gets 403, not 404.
    access::read_directory(&caller)?;
    let a = db
        .run(move |c| {
            let row = find(c, id)?;
            if !may_see(&caller, &row) {
                return Err(ApiError::forbidden("this application is outside your scope"));
            }
            to_application(c, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

/// A unit applies for a post (各单位申报): council vice-chair or member (R7), or a group post
/// (R8: from a council member unit). A group secretary may propose for their own group.
#[utoipa::path(post, path = "/api/v1/members/applications", tag = "applications", request_body = NewApplication,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit"]))),
    responses((status = 201, body = Application),
        (status = 404, description = "No such body, term, unit or person", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The single-holder post is filled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R8, R9 or a post not filled by application", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    caller: Caller,
    body_in: Json<NewApplication>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let n = body_in.into_inner();
    let allowed = match caller.role {
        Role::Admin => true,
        Role::UnitContact => access::contact_unit(&caller) == Some(n.unit_id),
        Role::GroupSecretary => access::secretary_group(&caller) == Some(n.body_id),
        _ => false,
    };
    if !allowed {
        return Err(ApiError::forbidden(
            "a unit contact applies for their own unit; a group secretary for their group",
        ));
    }
    let row = db
        .write(move |c| {
            let (_, kind) = body(c, n.body_id)?;
            let t = term(c, n.term_id)?;
            check_post_and_term(kind, n.body_id, n.post, &t)?;
            let fill = route(kind, n.post).unwrap_or(FillRoute::Nomination);
            let member_unit = is_council_member_unit(c, n.unit_id)?;
            unit_may_apply(fill, member_unit).map_err(|why| {
                ApiError::unprocessable(
                    if fill == FillRoute::Nomination {
                        Code::NotAnApplicationPost
                    } else {
                        Code::NotACouncilMemberUnit
                    },
                    why,
                )
            })?;
            let person = super::people::find(c, n.person_id).map_err(|_| {
                ApiError::validation(vec![FieldError::new(
                    "person_id",
                    Code::UnknownPerson,
                    "no such person",
                )])
            })?;
            if person.unit_id != n.unit_id {
                return Err(ApiError::validation(vec![FieldError::new(
                    "person_id",
                    Code::NotOfUnit,
                    "the candidate must be one of the applying unit's people",
                )]));
            }
            // Applying for a filled single-holder post is refused at once.
            if crate::domain::posts::cardinality(kind, n.post) == Some(crate::domain::posts::Cardinality::ExactlyOne) {
                use crate::db::schema::appointments;
                let held: i64 = appointments::table
                    .filter(appointments::body_id.eq(n.body_id))
                    .filter(appointments::post.eq(n.post.as_str()))
                    .filter(appointments::status.eq("active"))
                    .count()
                    .get_result(c)?;
                if held > 0 {
                    return Err(ApiError::conflict(
                        Code::PostOccupied,
                        "R1: this single-holder post is filled",
                    ));
                }
            }
            let planned = clock::today().max(t.starts_on);
            let issues = r9_issues(kind, &person, planned, n.exception_reason.as_deref())?;
            let now = Utc::now().naive_utc();
            let row: ApplicationRow = diesel::insert_into(applications::table)
                .values((
                    applications::body_id.eq(n.body_id),
                    applications::term_id.eq(n.term_id),
                    applications::unit_id.eq(n.unit_id),
                    applications::person_id.eq(n.person_id),
                    applications::post.eq(n.post.as_str()),
                    applications::status.eq(ApplicationStatus::Submitted.as_str()),
                    applications::statement.eq(n.statement.trim()),
                    applications::exception_reason.eq(n.exception_reason.as_deref().map(str::trim)),
                    applications::issues.eq(join_issues(&issues)),
                    applications::created_by.eq(&caller.subject),
                    applications::created_at.eq(now),
                    applications::updated_at.eq(now),
                ))
                .returning(applications::all_columns)
                .get_result(c)?;
            audit::created(c, &caller, "application", row.id, &row)?;
            to_application(c, row)
        })
        .await?;
    Ok(HttpResponse::Created().json(row))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "record_election", "reason": "2026年全体会议选举", "votes":
    {"votes_for": 31, "votes_against": 5, "abstentions": 4, "voters_present": 40}}))]
pub struct TransitionRequest {
    pub action: ApplicationAction,
    /// Why: required for reject and withdraw.
    #[serde(default)]
    pub reason: String,
    /// approve: explicit acceptance of a flagged application's R9 exception.
    #[serde(default)]
    pub accept_exception: bool,
    /// record_election: the result (R10).
    pub votes: Option<Votes>,
    /// record_election: a threshold the meeting recorded instead of "more than half".
    pub threshold: Option<Threshold>,
    /// appoint: the appointment date (today when absent), within the term (R4).
    pub starts_on: Option<NaiveDate>,
}

/// What [`apply_transition`] asks of a [`TransitionRequest`] beyond its fields: record_election
/// gives the votes, reject and withdraw a non-blank reason.
pub struct TransitionRequestConditions;

impl utoipa::Modify for TransitionRequestConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use service_kit::contract::{add_condition, when};
        let votes = serde_json::json!({"required": ["votes"], "properties": {"votes": {"type": "object"}}});
        add_condition(doc, "TransitionRequest", when("action", &["record_election"], votes));
        let reason = serde_json::json!({"required": ["reason"], "properties": {"reason": {"pattern": r"\S"}}});
        add_condition(
            doc,
            "TransitionRequest",
            when("action", &["reject", "withdraw"], reason),
        );
    }
}

/// Move an application through R7: start_review, reject, approve (accept_exception for
/// flagged ones), record_election (votes; R10 decides elected or not), appoint (creates the
/// appointment), withdraw. Illegal transitions answer 409.
#[utoipa::path(post, path = "/api/v1/members/applications/{id}/transitions", tag = "applications", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit"]))),
    request_body = TransitionRequest,
    responses((status = 200, body = Application),
        (status = 409, description = "Illegal transition (R7) or the post is held (R1)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing reason, exception not accepted (R9), impossible votes (R10)", body = Problem, content_type = "application/problem+json")))]
pub async fn transition(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<TransitionRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let t = body_in.into_inner();
    let id = id.into_inner();
    // Before the lookup: only the Center, and a unit contact withdrawing, may get further.
    if !(caller.role == Role::Admin || caller.role == Role::UnitContact && t.action == ApplicationAction::Withdraw) {
        access::admin(&caller)?;
    }
    let a = db
        .write(move |c| {
            let app = find(c, id)?;
            let own_unit = access::contact_unit(&caller) == Some(app.unit_id);
            match t.action {
                ApplicationAction::Withdraw if own_unit || caller.role == Role::Admin => {}
                _ => access::admin(&caller)?,
            }
            let after = apply_transition(c, &caller, app, &t)?;
            to_application(c, after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

/// The R7 state machine's one code path, for the transitions endpoint and for events (election
/// results from a plenary, with `Caller::system("meetings")`): checks the transition and its
/// inputs, applies it, and records it with who, when and why, and in the audit log. The caller
/// is authorised already. Runs inside the caller's write transaction.
pub(crate) fn apply_transition(
    c: &mut DbConn,
    caller: &Caller,
    app: ApplicationRow,
    t: &TransitionRequest,
) -> Result<ApplicationRow, ApiError> {
    let id = app.id;
    let from = ApplicationStatus::parse(&app.status).ok_or_else(|| ApiError::internal("bad status"))?;
    let (_, kind) = body(c, app.body_id)?;
    let post = Post::parse(&app.post).ok_or_else(|| ApiError::internal("bad post"))?;
    let fill = route(kind, post).unwrap_or(FillRoute::Nomination);
    let mut elected = false;
    if t.action == ApplicationAction::RecordElection {
        let votes = t.votes.ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "votes",
                Code::Required,
                "record_election needs the votes",
            )])
        })?;
        elected = is_elected(votes, t.threshold).map_err(|e| {
            ApiError::validation(vec![FieldError::new(
                "votes",
                Code::ImpossibleVotes,
                format!("R10: {e}"),
            )])
        })?;
    }
    let to = next(from, t.action, fill, elected).map_err(|IllegalTransition { from, action }| {
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
    let flagged = !app.issues.is_empty();
    let now = Utc::now().naive_utc();
    if t.action == ApplicationAction::Approve && flagged {
        if !t.accept_exception {
            return Err(ApiError::unprocessable(
                Code::ExceptionNotAccepted,
                "R9: this application is flagged; approve it with accept_exception: true to accept its exception",
            ));
        }
        diesel::update(applications::table.find(id))
            .set((
                applications::exception_accepted_by.eq(Some(&caller.subject)),
                applications::exception_accepted_at.eq(Some(now)),
            ))
            .execute(c)?;
    }
    if let (ApplicationAction::RecordElection, Some(v)) = (t.action, t.votes) {
        // is_elected refused counts beyond i32 already; this never wraps.
        let count = |n: u32| {
            i32::try_from(n).map_err(|_| {
                ApiError::validation(vec![FieldError::new(
                    "votes",
                    Code::ImpossibleVotes,
                    "R10: counts are at most 2147483647",
                )])
            })
        };
        diesel::update(applications::table.find(id))
            .set((
                applications::votes_for.eq(Some(count(v.votes_for)?)),
                applications::votes_against.eq(Some(count(v.votes_against)?)),
                applications::abstentions.eq(Some(count(v.abstentions)?)),
                applications::voters_present.eq(Some(count(v.voters_present)?)),
                applications::threshold.eq(Some(
                    serde_json::to_string(&t.threshold.unwrap_or_default()).unwrap_or_default(),
                )),
            ))
            .execute(c)?;
    }
    if t.action == ApplicationAction::Appoint {
        let starts_on = t.starts_on.unwrap_or_else(clock::today);
        let row = appointing::appoint(
            c,
            caller,
            Appoint {
                body_id: app.body_id,
                term_id: app.term_id,
                person_id: app.person_id,
                post,
                starts_on,
                source: "application",
                source_id: Some(id),
                previous_appointment_id: None,
                status: AppointmentStatus::Active,
            },
        )?;
        diesel::update(applications::table.find(id))
            .set(applications::appointment_id.eq(Some(row.id)))
            .execute(c)?;
    }
    diesel::update(applications::table.find(id))
        .set((applications::status.eq(to.as_str()), applications::updated_at.eq(now)))
        .execute(c)?;
    diesel::insert_into(application_transitions::table)
        .values((
            application_transitions::application_id.eq(id),
            application_transitions::action.eq(t.action.as_str()),
            application_transitions::from_status.eq(from.as_str()),
            application_transitions::to_status.eq(to.as_str()),
            application_transitions::actor.eq(&caller.subject),
            application_transitions::reason.eq(t.reason.trim()),
            application_transitions::at.eq(now),
        ))
        .execute(c)?;
    let after = find(c, id)?;
    audit::record(
        c,
        caller,
        audit::Change {
            action: t.action.as_str(),
            entity: "application",
            entity_id: id,
            before: audit::snapshot(&app),
            after: audit::snapshot(&after),
            reason: Some(&t.reason),
        },
    )?;
    Ok(after)
}
