//! Appointments: `GET /appointments`, `GET /appointments/{id}`, renewal (R5), resignation
//! (R11) and dismissal for conduct (R12). Ended appointments stay, with status, date, reason.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::{Json, OptionalJson};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::appointing::{self, Appoint, appointment, term};
use crate::clock;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{AppointmentRow, ResignationRow};
use crate::db::schema::{appointments, bodies, people, resignations, terms, units};
use crate::domain::appointments::{AppointmentStatus, DismissalGround};
use crate::domain::posts::Post;
use crate::domain::terms::{RenewalError, check_renewal};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 12, "body_id": 1, "body_name": "理事会", "term_id": 1, "term_number": 1, "person_id": 7,
    "person_name": "张伟", "unit_id": 3, "unit_name": "天津市机电工艺技师学院", "post": "chair", "post_label": "理事长",
    "status": "active", "status_label": "在任", "starts_on": "2026-12-01", "ends_on": "2027-03-31", "ended_on": null,
    "end_reason": null, "dismissal_ground": null, "source": "nomination", "source_id": 4, "previous_appointment_id": null,
    "created_at": "2026-11-24T08:00:00"}))]
pub struct Appointment {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub term_id: i64,
    pub term_number: i32,
    pub person_id: i64,
    pub person_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub post: Post,
    pub post_label: String,
    pub status: AppointmentStatus,
    pub status_label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub dismissal_ground: Option<String>,
    /// nomination, application or renewal
    pub source: String,
    pub source_id: Option<i64>,
    /// The appointment this one renews (R5).
    pub previous_appointment_id: Option<i64>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

pub fn to_appointments(c: &mut DbConn, rows: Vec<AppointmentRow>) -> Result<Vec<Appointment>, ApiError> {
    let person_ids: Vec<i64> = rows.iter().map(|r| r.person_id).collect();
    let unit_ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
    let body_ids: Vec<i64> = rows.iter().map(|r| r.body_id).collect();
    let term_ids: Vec<i64> = rows.iter().map(|r| r.term_id).collect();
    let persons: Vec<(i64, String)> = people::table
        .filter(people::id.eq_any(&person_ids))
        .select((people::id, people::name))
        .load(c)?;
    let unit_names: Vec<(i64, String)> = units::table
        .filter(units::id.eq_any(&unit_ids))
        .select((units::id, units::name))
        .load(c)?;
    let body_names: Vec<(i64, String)> = bodies::table
        .filter(bodies::id.eq_any(&body_ids))
        .select((bodies::id, bodies::name))
        .load(c)?;
    let term_numbers: Vec<(i64, i32)> = terms::table
        .filter(terms::id.eq_any(&term_ids))
        .select((terms::id, terms::number))
        .load(c)?;
    fn name<T: Clone + Default>(list: &[(i64, T)], id: i64) -> T {
        list.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
    rows.into_iter()
        .map(|r| {
            let post = Post::parse(&r.post).ok_or_else(|| ApiError::internal(format!("appointment {} post", r.id)))?;
            let status = AppointmentStatus::parse(&r.status)
                .ok_or_else(|| ApiError::internal(format!("appointment {} status", r.id)))?;
            Ok(Appointment {
                id: r.id,
                body_id: r.body_id,
                body_name: name(&body_names, r.body_id),
                term_id: r.term_id,
                term_number: name(&term_numbers, r.term_id),
                person_id: r.person_id,
                person_name: name(&persons, r.person_id),
                unit_id: r.unit_id,
                unit_name: name(&unit_names, r.unit_id),
                post,
                post_label: post.label_zh().into(),
                status,
                status_label: status.label_zh().into(),
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                ended_on: r.ended_on,
                end_reason: r.end_reason,
                dismissal_ground: r.dismissal_ground,
                source: r.source,
                source_id: r.source_id,
                previous_appointment_id: r.previous_appointment_id,
                created_at: r.created_at,
            })
        })
        .collect()
}

pub fn to_appointment(c: &mut DbConn, row: AppointmentRow) -> Result<Appointment, ApiError> {
    to_appointments(c, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("appointment vanished"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentFilter {
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    pub post: Option<Post>,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<AppointmentStatus>,
    /// Appointments running on this date.
    pub on: Option<NaiveDate>,
}

/// May `caller` see appointment `a`? Admins and read clients see all; a unit contact their
/// unit's; a member their own; a group secretary their group's.
fn may_see(caller: &Caller, a: &AppointmentRow) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Service => caller.has_scope("members:read"),
        Role::UnitContact => access::contact_unit(caller) == Some(a.unit_id),
        Role::Member => access::member_person(caller) == Some(a.person_id),
        Role::GroupSecretary => access::secretary_group(caller) == Some(a.body_id),
    }
}

/// Current and past appointments; filter by body, term, post, person, unit, status, date.
#[utoipa::path(get, path = "/api/v1/members/appointments", tag = "appointments", params(AppointmentFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Page<Appointment>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<AppointmentFilter>,
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
            let mut q = appointments::table
                .filter(appointments::id.gt(after))
                .order(appointments::id)
                .limit(limit + 1)
                .select(AppointmentRow::as_select())
                .into_boxed();
            // Scoped roles see only their part, whatever the filter says.
            match caller.role {
                Role::UnitContact => {
                    q = q.filter(appointments::unit_id.eq(access::contact_unit(&caller).unwrap_or(-1)))
                }
                Role::Member => q = q.filter(appointments::person_id.eq(access::member_person(&caller).unwrap_or(-1))),
                Role::GroupSecretary => {
                    q = q.filter(appointments::body_id.eq(access::secretary_group(&caller).unwrap_or(-1)))
                }
                _ => {}
            }
            if let Some(v) = f.body_id {
                q = q.filter(appointments::body_id.eq(v));
            }
            if let Some(v) = f.term_id {
                q = q.filter(appointments::term_id.eq(v));
            }
            if let Some(v) = f.post {
                q = q.filter(appointments::post.eq(v.as_str()));
            }
            if let Some(v) = f.person_id {
                q = q.filter(appointments::person_id.eq(v));
            }
            if let Some(v) = f.unit_id {
                q = q.filter(appointments::unit_id.eq(v));
            }
            if let Some(v) = f.status {
                q = q.filter(appointments::status.eq(v.as_str()));
            }
            if let Some(d) = f.on {
                q = q
                    .filter(appointments::starts_on.le(d))
                    .filter(appointments::ends_on.ge(d))
                    .filter(appointments::ended_on.is_null().or(appointments::ended_on.ge(d)))
                    .filter(appointments::status.ne("pending"));
            }
            let rows = q.load(c)?;
            to_appointments(c, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |a| a.id)))
}

/// One appointment.
#[utoipa::path(get, path = "/api/v1/members/appointments/{id}", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Appointment), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Before the lookup: a client that may see no appointment gets 403, not 404.
    access::read_directory(&caller)?;
    let a = db
        .run(move |c| {
            let row = appointment(c, id)?;
            if !may_see(&caller, &row) {
                return Err(ApiError::forbidden("this appointment is outside your scope"));
            }
            to_appointment(c, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    /// The next term of the body; found by number when absent.
    pub term_id: Option<i64>,
}

/// Re-appoint (连聘连任) into the next term (R5): a new appointment linked to this one, pending
/// until that term starts.
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/renewals", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = Renewal,
    responses((status = 201, body = Appointment),
        (status = 409, description = "Already renewed, or not renewable (lapsed, resigned, dismissed)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No next term", body = Problem, content_type = "application/problem+json")))]
pub async fn renew(
    caller: Caller,
    id: web::Path<i64>,
    body_in: OptionalJson<Renewal>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let req = body_in.into_inner().unwrap_or_default();
    let a = db
        .write(move |c| {
            let prev = appointment(c, id)?;
            let from = term(c, prev.term_id)?;
            let next = match req.term_id {
                Some(t) => term(c, t)?,
                None => terms::table
                    .filter(terms::body_id.eq(prev.body_id))
                    .filter(terms::number.eq(from.number + 1))
                    .select(crate::db::models::TermRow::as_select())
                    .first(c)
                    .optional()?
                    .ok_or_else(|| {
                        ApiError::unprocessable(
                            Code::NoNextTerm,
                            format!("R5: open term {} of this body before renewing", from.number + 1),
                        )
                    })?,
            };
            if next.body_id != prev.body_id {
                return Err(ApiError::validation(vec![FieldError::new(
                    "term_id",
                    Code::TermOfAnotherBody,
                    "renewal stays in the same body",
                )]));
            }
            let renewed: i64 = appointments::table
                .filter(appointments::previous_appointment_id.eq(id))
                .count()
                .get_result(c)?;
            let status = AppointmentStatus::parse(&prev.status).ok_or_else(|| ApiError::internal("bad status"))?;
            check_renewal(status, from.number, next.number, renewed > 0).map_err(|e| match e {
                RenewalError::NotRenewable(s) => ApiError::conflict(
                    Code::NotRenewable,
                    format!("R5: a {} appointment cannot be renewed", s.as_str()),
                ),
                RenewalError::NotTheNextTerm { expected } => {
                    ApiError::unprocessable(Code::NotTheNextTerm, format!("R5: renewal goes into term {expected}"))
                }
                RenewalError::AlreadyRenewed => {
                    ApiError::conflict(Code::AlreadyRenewed, "this appointment has already been renewed")
                }
            })?;
            let today = clock::today();
            // If the next term has already begun, the old appointment completes now.
            let starts_now = next.starts_on <= today;
            if starts_now {
                complete(c, &caller, &prev)?;
            }
            let post = Post::parse(&prev.post).ok_or_else(|| ApiError::internal("bad post"))?;
            let row = appointing::appoint(
                c,
                &caller,
                Appoint {
                    body_id: prev.body_id,
                    term_id: next.id,
                    person_id: prev.person_id,
                    post,
                    starts_on: if starts_now {
                        today.min(next.ends_on)
                    } else {
                        next.starts_on
                    },
                    source: "renewal",
                    source_id: Some(prev.id),
                    previous_appointment_id: Some(prev.id),
                    status: if starts_now {
                        AppointmentStatus::Active
                    } else {
                        AppointmentStatus::Pending
                    },
                },
            )?;
            to_appointment(c, row)
        })
        .await?;
    Ok(HttpResponse::Created().json(a))
}

/// Ends a renewed appointment at its term's end as `completed`.
pub fn complete(c: &mut DbConn, actor: &Caller, prev: &AppointmentRow) -> Result<(), ApiError> {
    diesel::update(appointments::table.find(prev.id))
        .set((
            appointments::status.eq(AppointmentStatus::Completed.as_str()),
            appointments::ended_on.eq(Some(prev.ends_on)),
            appointments::end_reason.eq(Some("任期届满，已续聘")),
            appointments::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
    let after = appointment(c, prev.id)?;
    audit::record(
        c,
        actor,
        Change {
            action: "complete",
            entity: "appointment",
            entity_id: prev.id,
            before: snapshot(prev),
            after: snapshot(&after),
            reason: Some("R5: renewed into the next term"),
        },
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Resignation {
    pub id: i64,
    pub appointment_id: i64,
    pub reason: String,
    /// requested, approved or refused
    pub status: String,
    pub requested_by: String,
    pub decided_by: Option<String>,
    #[serde(with = "service_kit::utc::option")]
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<ResignationRow> for Resignation {
    fn from(r: ResignationRow) -> Self {
        Self {
            id: r.id,
            appointment_id: r.appointment_id,
            reason: r.reason,
            status: r.status,
            requested_by: r.requested_by,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "因工作调动，不能继续履行职责"}))]
pub struct ResignationRequest {
    #[schema(pattern = r"\S")]
    pub reason: String,
}

/// Apply to resign (辞聘, R11): the holder (member) or the Center on their behalf.
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/resignation", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "member:own_record"]))),
    request_body = ResignationRequest,
    responses((status = 201, body = Resignation),
        (status = 409, description = "Not active, or a request is already open", body = Problem, content_type = "application/problem+json")))]
pub async fn request_resignation(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<ResignationRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Before the reason is checked and the appointment looked up: only its holder or the Center.
    if !matches!(caller.role, Role::Admin | Role::Member) {
        return Err(ApiError::forbidden("only the holder or the Center may apply to resign"));
    }
    let reason = body_in.into_inner().reason;
    if reason.trim().is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            Code::Required,
            "state the reason",
        )]));
    }
    // It becomes the appointment's end reason, which notices print.
    let mut errors = Vec::new();
    service_kit::printable::check("reason", &reason, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let r = db
        .write(move |c| {
            let a = appointment(c, id)?;
            let own = access::member_person(&caller) == Some(a.person_id);
            if !(own || caller.role == Role::Admin) {
                return Err(ApiError::forbidden("only the holder or the Center may apply to resign"));
            }
            if a.status != "active" {
                return Err(ApiError::conflict(
                    Code::AppointmentNotActive,
                    format!("appointment {id} is {}", a.status),
                ));
            }
            let open: i64 = resignations::table
                .filter(resignations::appointment_id.eq(id))
                .filter(resignations::status.eq("requested"))
                .count()
                .get_result(c)?;
            if open > 0 {
                return Err(ApiError::conflict(
                    Code::ResignationOpen,
                    "a resignation request is already open",
                ));
            }
            let row: ResignationRow = diesel::insert_into(resignations::table)
                .values((
                    resignations::appointment_id.eq(id),
                    resignations::reason.eq(reason.trim()),
                    resignations::status.eq("requested"),
                    resignations::requested_by.eq(&caller.subject),
                    resignations::created_at.eq(Utc::now().naive_utc()),
                ))
                .returning(resignations::all_columns)
                .get_result(c)?;
            audit::created(c, &caller, "resignation", row.id, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Resignation::from(r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": true, "reason": "同意辞聘"}))]
pub struct Decision {
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
    /// The end date; today when absent.
    pub effective_on: Option<NaiveDate>,
}

/// The Center decides an open resignation request; approval ends the appointment as
/// `resigned`, revokes the certificate and sends the 辞聘确认函 (R11, R14).
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/resignation/decision", tag = "appointments",
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Appointment),
        (status = 409, description = "No open request", body = Problem, content_type = "application/problem+json")))]
pub async fn decide_resignation(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<Decision>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let d = body_in.into_inner();
    let a = db
        .write(move |c| {
            let req: ResignationRow = resignations::table
                .filter(resignations::appointment_id.eq(id))
                .filter(resignations::status.eq("requested"))
                .select(ResignationRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| ApiError::conflict(Code::NoOpenResignation, "there is no open resignation request"))?;
            let status = if d.approve { "approved" } else { "refused" };
            diesel::update(resignations::table.find(req.id))
                .set((
                    resignations::status.eq(status),
                    resignations::decided_by.eq(Some(&caller.subject)),
                    resignations::decided_at.eq(Some(Utc::now().naive_utc())),
                    resignations::decision_reason.eq(Some(d.reason.trim())),
                ))
                .execute(c)?;
            audit::record(
                c,
                &caller,
                Change {
                    action: status,
                    entity: "resignation",
                    entity_id: req.id,
                    before: snapshot(&req),
                    after: None,
                    reason: Some(&d.reason),
                },
            )?;
            let row = if d.approve {
                appointing::end_early(
                    c,
                    &caller,
                    id,
                    AppointmentStatus::Resigned,
                    None,
                    &req.reason,
                    d.effective_on.unwrap_or_else(clock::today),
                )?
            } else {
                appointment(c, id)?
            };
            to_appointment(c, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "从事有损联盟社会信誉的行为"}))]
pub struct Dismissal {
    /// Required: the conduct (从事有损工作秩序、组织原则、社会信誉行为).
    #[schema(pattern = r"\S")]
    pub reason: String,
    pub effective_on: Option<NaiveDate>,
}

/// Dismiss for conduct (解聘, R12): ends the appointment as `dismissed` with the stated reason,
/// revokes the certificate and sends the 解聘通知书 (R14).
#[utoipa::path(post, path = "/api/v1/members/appointments/{id}/dismissal", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = Dismissal,
    responses((status = 200, body = Appointment),
        (status = 409, description = "Not active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json")))]
pub async fn dismiss(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<Dismissal>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let d = body_in.into_inner();
    let a = db
        .write(move |c| {
            let row = appointing::end_early(
                c,
                &caller,
                id,
                AppointmentStatus::Dismissed,
                Some(DismissalGround::Conduct),
                &d.reason,
                d.effective_on.unwrap_or_else(clock::today),
            )?;
            to_appointment(c, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(a))
}
