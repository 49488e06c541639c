//! Unit applications (申报): `GET/POST /applications`, `GET /applications/{id}`,
//! `POST /applications/{id}/transitions` — the R7 state machine with R8 (group posts from
//! council member units), R9 (exceptions accepted explicitly) and R10 (election results).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::applications::{self as app, Application, ApplicationInput, TransitionRequest};
use crate::db::applications::ApplicationQuery;
use crate::domain::applications::{ApplicationAction, ApplicationStatus};
use crate::domain::posts::Post;

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
    let w = page.window()?;
    let f = filter.into_inner();
    let q = ApplicationQuery {
        body_id: f.body_id,
        term_id: f.term_id,
        unit_id: f.unit_id,
        status: f.status,
    };
    let page = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(page))
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
    let a = db.run(move |c| app::get(c, &caller, id)).await?;
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
    let input = ApplicationInput {
        body_id: n.body_id,
        term_id: n.term_id,
        unit_id: n.unit_id,
        person_id: n.person_id,
        post: n.post,
        statement: n.statement,
        exception_reason: n.exception_reason,
    };
    let row = db.write(move |c| app::create(c, &caller, &input)).await?;
    Ok(HttpResponse::Created().json(row))
}

/// What the R7 state machine (`app::applications::apply_transition`) asks of a [`TransitionRequest`] beyond its fields: record_election
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
    let a = db.write(move |c| app::transition(c, &caller, id, &t)).await?;
    Ok(HttpResponse::Ok().json(a))
}
