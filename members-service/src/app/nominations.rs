//! Center nominations (提名) for the posts the Center fills, and appointing the nominee (聘任).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn};
use utoipa::ToSchema;

use super::appointing::{self, Appoint, body, candidate, check_post_and_term, r9_issues};
use super::appointments::{Appointment, to_appointment};
use crate::clock;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{NewNominationRow, NominationRow};
use crate::db::{nominations, people, terms};
use crate::domain::applications::NominationStatus;
use crate::domain::appointments::{AppointmentSource, AppointmentStatus};
use crate::domain::audit::AuditAction;
use crate::domain::eligibility::EligibilityIssue;
use crate::domain::posts::{FillRoute, Post, route};

/// 机械工业教育发展中心的一项提名（提名）。A Center nomination (提名).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Nomination {
    /// 提名编号。The nomination's id.
    pub id: i64,
    /// 机构。The body.
    pub body_id: i64,
    /// 届次。The term.
    pub term_id: i64,
    /// 被提名人。The candidate.
    pub person_id: i64,
    /// 提名的职务。The post.
    pub post: Post,
    /// 职务的中文名称，如 理事长。The post's Chinese label.
    pub post_label: String,
    /// 提名理由。Why the Center nominates the candidate.
    pub reason: String,
    /// R9：被提名人原则上不符合某项条件时写明的例外说明。
    /// R9: the written exception (例外说明) when the candidate fails a rule in principle.
    pub exception_reason: Option<String>,
    /// 发现的资格问题（R9）；不为空时聘任须给 `accept_exception`。
    /// R9 issues found; a non-empty list needs `accept_exception` at appointment.
    pub eligibility_issues: Vec<EligibilityIssue>,
    /// 状态：open（待聘任）、appointed（已聘任）或 withdrawn（已撤回）。open, appointed or withdrawn
    pub status: NominationStatus,
    /// 聘任后建立的聘任记录编号。The appointment made from it, once appointed.
    pub appointment_id: Option<i64>,
    /// 提名人（操作账号）。Who recorded it.
    pub created_by: String,
    /// 提名时间（UTC）。When it was recorded (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<NominationRow> for Nomination {
    fn from(r: NominationRow) -> Self {
        Self {
            id: r.id,
            body_id: r.body_id,
            term_id: r.term_id,
            person_id: r.person_id,
            post: r.post,
            post_label: r.post.label_zh().into(),
            reason: r.reason,
            exception_reason: r.exception_reason,
            eligibility_issues: EligibilityIssue::split(&r.issues),
            status: r.status,
            appointment_id: r.appointment_id,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// What a nomination gives.
pub struct NominationInput {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub reason: String,
    pub exception_reason: Option<String>,
}

pub fn list(
    c: &mut DbConn,
    body_id: Option<i64>,
    status: Option<NominationStatus>,
    w: Window,
) -> Result<Page<Nomination>, ApiError> {
    Ok(nominations::list(c, body_id, status, w)?.map(Nomination::from))
}

/// Nominates a candidate for a post the Center fills; R9 is judged on the planned date.
pub fn create(c: &mut DbConn, caller: &Caller, n: &NominationInput) -> Result<Nomination, ApiError> {
    let (_, kind) = body(c, n.body_id)?;
    let t = terms::find(c, n.term_id)?;
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
    let person = candidate(c, n.person_id)?;
    let planned = clock::today().max(t.starts_on);
    let issues = r9_issues(kind, &person, planned, n.exception_reason.as_deref())?;
    let now = Utc::now().naive_utc();
    let row = nominations::insert(
        c,
        &NewNominationRow {
            body_id: n.body_id,
            term_id: n.term_id,
            person_id: n.person_id,
            post: n.post,
            reason: n.reason.trim(),
            exception_reason: n.exception_reason.as_deref().map(str::trim),
            issues: EligibilityIssue::join(&issues),
            status: NominationStatus::Open,
            created_by: &caller.subject,
            created_at: now,
            updated_at: now,
        },
    )?;
    audit::created(c, caller, "nomination", row.id, &row)?;
    Ok(Nomination::from(row))
}

/// Appoints the nominee (聘任) on `starts_on` (today when absent); R9 is judged on that date
/// and a flagged candidate needs the exception accepted explicitly.
pub fn appoint(
    c: &mut DbConn,
    caller: &Caller,
    id: i64,
    starts_on: Option<NaiveDate>,
    accept_exception: bool,
) -> Result<Appointment, ApiError> {
    let before = nominations::find(c, id)?;
    if before.status != NominationStatus::Open {
        return Err(ApiError::conflict(
            Code::NominationClosed,
            format!("nomination {id} is {}", before.status),
        ));
    }
    let starts_on = starts_on.unwrap_or_else(clock::today);
    let (_, kind) = body(c, before.body_id)?;
    let person = people::find(c, before.person_id)?;
    let issues = r9_issues(kind, &person, starts_on, before.exception_reason.as_deref())?;
    if !issues.is_empty() && !accept_exception {
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
        caller,
        Appoint {
            body_id: before.body_id,
            term_id: before.term_id,
            person_id: before.person_id,
            post: before.post,
            starts_on,
            source: AppointmentSource::Nomination,
            source_id: Some(id),
            previous_appointment_id: None,
            status: AppointmentStatus::Active,
        },
    )?;
    let after = nominations::mark_appointed(c, id, row.id)?;
    audit::record(
        c,
        caller,
        Change {
            action: AuditAction::Appoint,
            entity: "nomination",
            entity_id: id,
            before: snapshot(&before),
            after: snapshot(&after),
            reason: None,
        },
    )?;
    to_appointment(c, row)
}
