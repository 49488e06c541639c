//! Dismissal cases for absence (R13): opened by meetings-service's `dismissal_case.open` event
//! (idempotent on its event id), withdrawn when an absence is corrected to excused, and
//! confirmed (→ dismissal, R14 notice) or dropped by the Center.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::appointing::{self, appointment};
use crate::clock;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::DismissalCaseRow;
use crate::db::schema::dismissal_cases;
use crate::domain::appointments::{AppointmentStatus, DismissalGround};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DismissalCase {
    pub id: i64,
    pub appointment_id: i64,
    /// The event that opened it.
    pub event_id: String,
    /// 工作年度
    pub work_year: i32,
    /// The unexcused absences that count, as sent by meetings-service.
    #[schema(value_type = Object)]
    pub absences: serde_json::Value,
    /// open, confirmed, dropped or withdrawn
    pub status: String,
    pub decided_by: Option<String>,
    #[serde(with = "service_kit::utc::option")]
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<DismissalCaseRow> for DismissalCase {
    fn from(r: DismissalCaseRow) -> Self {
        Self {
            id: r.id,
            appointment_id: r.appointment_id,
            event_id: r.event_id,
            work_year: r.work_year,
            absences: serde_json::from_str(&r.absences).unwrap_or(serde_json::Value::Null),
            status: r.status,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    /// Idempotency key: the same event opens one case.
    pub event_id: String,
    pub appointment_id: i64,
    pub work_year: i32,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub absences: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawCase {
    pub event_id: String,
    pub appointment_id: i64,
    pub work_year: i32,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"appointment_id": 12, "work_year": 2026, "reason": "2026年度两次无故缺席全体会议"}))]
pub struct ManualCase {
    pub appointment_id: i64,
    pub work_year: i32,
    #[schema(pattern = r"\S")]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm": true, "reason": "本工作年度两次无故不参加活动，予以解聘"}))]
pub struct CaseDecision {
    /// true: dismiss (R13); false: drop the case.
    pub confirm: bool,
    #[schema(pattern = r"\S")]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub appointment_id: Option<i64>,
}

fn find(c: &mut DbConn, id: i64) -> Result<DismissalCaseRow, ApiError> {
    dismissal_cases::table
        .find(id)
        .select(DismissalCaseRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no dismissal case {id}")))
}

fn by_event(c: &mut DbConn, event_id: &str) -> Result<Option<DismissalCaseRow>, ApiError> {
    Ok(dismissal_cases::table
        .filter(dismissal_cases::event_id.eq(event_id))
        .select(DismissalCaseRow::as_select())
        .first(c)
        .optional()?)
}

/// Opens a case unless one exists for the event (idempotent) or for the same appointment and
/// work year (one open case at a time).
pub(crate) fn open(c: &mut DbConn, actor: &Caller, o: &OpenCase) -> Result<(DismissalCaseRow, bool), ApiError> {
    if let Some(existing) = by_event(c, &o.event_id)? {
        return Ok((existing, false));
    }
    let a = appointment(c, o.appointment_id)?;
    if a.status != "active" {
        return Err(ApiError::conflict(
            Code::AppointmentNotActive,
            format!("appointment {} is {}", a.id, a.status),
        ));
    }
    let open: Option<DismissalCaseRow> = dismissal_cases::table
        .filter(dismissal_cases::appointment_id.eq(o.appointment_id))
        .filter(dismissal_cases::work_year.eq(o.work_year))
        .filter(dismissal_cases::status.eq("open"))
        .select(DismissalCaseRow::as_select())
        .first(c)
        .optional()?;
    if let Some(existing) = open {
        return Ok((existing, false));
    }
    let row: DismissalCaseRow = diesel::insert_into(dismissal_cases::table)
        .values((
            dismissal_cases::appointment_id.eq(o.appointment_id),
            dismissal_cases::event_id.eq(&o.event_id),
            dismissal_cases::work_year.eq(o.work_year),
            dismissal_cases::absences.eq(o.absences.to_string()),
            dismissal_cases::status.eq("open"),
            dismissal_cases::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(dismissal_cases::all_columns)
        .get_result(c)?;
    audit::created(c, actor, "dismissal_case", row.id, &row)?;
    Ok((row, true))
}

/// Withdraws the open case of an appointment and work year (an absence corrected to excused);
/// `None` when there is none.
pub(crate) fn withdraw(
    c: &mut DbConn,
    caller: &Caller,
    w: &WithdrawCase,
) -> Result<Option<DismissalCaseRow>, ApiError> {
    let open: Option<DismissalCaseRow> = dismissal_cases::table
        .filter(dismissal_cases::appointment_id.eq(w.appointment_id))
        .filter(dismissal_cases::work_year.eq(w.work_year))
        .filter(dismissal_cases::status.eq("open"))
        .select(DismissalCaseRow::as_select())
        .first(c)
        .optional()?;
    let Some(case) = open else {
        return Ok(None);
    };
    let reason = if w.reason.trim().is_empty() {
        "缺席更正为请假"
    } else {
        w.reason.trim()
    };
    diesel::update(dismissal_cases::table.find(case.id))
        .set((
            dismissal_cases::status.eq("withdrawn"),
            dismissal_cases::decided_by.eq(Some(&caller.subject)),
            dismissal_cases::decided_at.eq(Some(Utc::now().naive_utc())),
            dismissal_cases::decision_reason.eq(Some(reason)),
        ))
        .execute(c)?;
    let after = find(c, case.id)?;
    audit::record(
        c,
        caller,
        Change {
            action: "withdraw",
            entity: "dismissal_case",
            entity_id: case.id,
            before: snapshot(&case),
            after: snapshot(&after),
            reason: Some(reason),
        },
    )?;
    Ok(Some(after))
}

/// Confirms (→ dismissal for absence, R13, with its R14 notice) or drops an open case.
pub(crate) fn decide_case(
    c: &mut DbConn,
    caller: &Caller,
    id: i64,
    confirm: bool,
    reason: &str,
) -> Result<DismissalCaseRow, ApiError> {
    let case = find(c, id)?;
    if case.status != "open" {
        return Err(ApiError::conflict(
            Code::CaseClosed,
            format!("case {id} is {}", case.status),
        ));
    }
    let status = if confirm { "confirmed" } else { "dropped" };
    diesel::update(dismissal_cases::table.find(id))
        .set((
            dismissal_cases::status.eq(status),
            dismissal_cases::decided_by.eq(Some(&caller.subject)),
            dismissal_cases::decided_at.eq(Some(Utc::now().naive_utc())),
            dismissal_cases::decision_reason.eq(Some(reason.trim())),
        ))
        .execute(c)?;
    if confirm {
        appointing::end_early(
            c,
            caller,
            case.appointment_id,
            AppointmentStatus::Dismissed,
            Some(DismissalGround::Absence),
            reason.trim(),
            clock::today(),
        )?;
    }
    let after = find(c, id)?;
    audit::record(
        c,
        caller,
        Change {
            action: status,
            entity: "dismissal_case",
            entity_id: id,
            before: snapshot(&case),
            after: snapshot(&after),
            reason: Some(reason),
        },
    )?;
    Ok(after)
}

/// Dismissal cases (R13), newest last.
#[utoipa::path(get, path = "/api/v1/members/dismissal-cases", tag = "dismissals", params(CaseFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, body = Page<DismissalCase>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<CaseFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let rows = db
        .run(move |c| {
            let mut q = dismissal_cases::table
                .filter(dismissal_cases::id.gt(after))
                .order(dismissal_cases::id)
                .limit(limit + 1)
                .select(DismissalCaseRow::as_select())
                .into_boxed();
            if let Some(s) = f.status {
                q = q.filter(dismissal_cases::status.eq(s));
            }
            if let Some(a) = f.appointment_id {
                q = q.filter(dismissal_cases::appointment_id.eq(a));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items: Vec<DismissalCase> = rows.into_iter().map(DismissalCase::from).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |x| x.id)))
}

/// Open a case by hand (the Center), e.g. for absences recorded outside the system.
#[utoipa::path(post, path = "/api/v1/members/dismissal-cases", tag = "dismissals", request_body = ManualCase,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = DismissalCase),
        (status = 404, description = "No such appointment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Appointment not active", body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<ManualCase>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let m = body_in.into_inner();
    if m.reason.trim().is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            Code::Required,
            "state the absences",
        )]));
    }
    // A confirmed case's reason is printed on the dismissal notice.
    let mut errors = Vec::new();
    service_kit::printable::check("reason", &m.reason, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (row, _) = db
        .write(move |c| {
            let o = OpenCase {
                event_id: format!("manual:{}", uuid::Uuid::new_v4()),
                appointment_id: m.appointment_id,
                work_year: m.work_year,
                absences: serde_json::json!({"recorded_by_hand": m.reason.trim()}),
            };
            open(c, &caller, &o)
        })
        .await?;
    Ok(HttpResponse::Created().json(DismissalCase::from(row)))
}

/// Confirm (dismiss, R13 → R14 notice and revocation) or drop a case.
#[utoipa::path(post, path = "/api/v1/members/dismissal-cases/{id}/decision", tag = "dismissals", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = CaseDecision,
    responses((status = 200, body = DismissalCase),
        (status = 409, description = "Already decided or withdrawn", body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<CaseDecision>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let d = body_in.into_inner();
    if d.reason.trim().is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            Code::Required,
            "state the reason",
        )]));
    }
    let row = db
        .write(move |c| decide_case(c, &caller, id, d.confirm, &d.reason))
        .await?;
    Ok(HttpResponse::Ok().json(DismissalCase::from(row)))
}
