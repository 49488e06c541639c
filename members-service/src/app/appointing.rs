//! Making and ending appointments: the one place that writes appointment rows, its audit
//! record and its events, all in the caller's transaction.

use chrono::{NaiveDate, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError};

use super::events;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{AppointmentChanges, AppointmentRow, BodyRow, NewAppointmentRow, PersonRow, TermRow};
use crate::db::{appointments, bodies, people, terms};
use crate::domain::appointments::{AppointmentSource, AppointmentStatus, DismissalGround, EndError, check_early_end};
use crate::domain::audit::AuditAction;
use crate::domain::bodies::BodyKind;
use crate::domain::eligibility::{EligibilityIssue, Verdict, council_issues, judge};
use crate::domain::posts::{self, Cardinality, Post};
use crate::domain::terms::{TermDates, appointment_end, at_term_end};

pub struct Appoint {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub starts_on: NaiveDate,
    pub source: AppointmentSource,
    pub source_id: Option<i64>,
    pub previous_appointment_id: Option<i64>,
    /// `Pending` for renewals into a term that has not started.
    pub status: AppointmentStatus,
}

/// A body with its kind.
pub fn body(c: &mut DbConn, id: i64) -> Result<(BodyRow, BodyKind), ApiError> {
    let row = bodies::find(c, id)?;
    let kind = row.kind;
    Ok((row, kind))
}

pub fn term_dates(t: &TermRow) -> TermDates {
    TermDates {
        number: t.number,
        starts_on: t.starts_on,
        ends_on: t.ends_on,
    }
}

/// The candidate of a nomination or application, or the 422 that names the field.
pub fn candidate(c: &mut DbConn, person_id: i64) -> Result<PersonRow, ApiError> {
    people::find_optional(c, person_id)?.ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "person_id",
            Code::UnknownPerson,
            "no such person",
        )])
    })
}

/// Checks that `post` exists in the body and the term is the body's; returns the post's cardinality.
pub fn check_post_and_term(
    body_kind: BodyKind,
    body_id: i64,
    post: Post,
    term: &TermRow,
) -> Result<Cardinality, ApiError> {
    let card = posts::cardinality(body_kind, post).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "post",
            Code::PostNotInBody,
            format!("a {} has no post {}", body_kind.label_zh(), post.as_str()),
        )])
    })?;
    if term.body_id != body_id {
        return Err(ApiError::validation(vec![FieldError::new(
            "term_id",
            Code::TermOfAnotherBody,
            format!("term {} belongs to another body", term.id),
        )]));
    }
    Ok(card)
}

/// R9 for council posts: the issues on `date`, or the 422 that names the rule.
pub fn r9_issues(
    kind: BodyKind,
    person: &PersonRow,
    date: NaiveDate,
    exception_reason: Option<&str>,
) -> Result<Vec<EligibilityIssue>, ApiError> {
    if kind != BodyKind::Council {
        return Ok(Vec::new());
    }
    match judge(
        council_issues(person.title_level, person.date_of_birth, date),
        exception_reason,
    ) {
        Verdict::Eligible => Ok(Vec::new()),
        Verdict::ExceptionRequested(issues) => Ok(issues),
        Verdict::Refused(issues) => Err(ApiError::unprocessable(
            Code::EligibilityExceptionRequired,
            format!(
                "R9 (第六条): {} — give a written exception_reason (例外说明)",
                issues.iter().map(|i| i.label_zh()).collect::<Vec<_>>().join("、")
            ),
        )
        .with_field_errors(
            issues
                .iter()
                .map(|i| {
                    FieldError::new(
                        "exception_reason",
                        Code::RequiredByR9,
                        format!("R9: {} ({})", i.label_zh(), i.as_str()),
                    )
                })
                .collect(),
        )),
    }
}

/// R1 and "one post per body": refuses with 409 before writing, and maps the database's unique
/// indexes to the same answers when two requests race.
pub fn appoint(conn: &mut DbConn, actor: &Caller, a: Appoint) -> Result<AppointmentRow, ApiError> {
    let (_, kind) = body(conn, a.body_id)?;
    let t = terms::find(conn, a.term_id)?;
    let card = check_post_and_term(kind, a.body_id, a.post, &t)?;
    // R4: whenever it starts, the appointment ends with its term.
    let ends_on = appointment_end(&term_dates(&t), a.starts_on).ok_or_else(|| {
        ApiError::unprocessable(
            Code::OutsideTerm,
            format!(
                "R4: the start date {} is outside term {} ({} – {})",
                a.starts_on, t.number, t.starts_on, t.ends_on
            ),
        )
    })?;
    let unit_id = candidate(conn, a.person_id)?.unit_id;
    if a.status == AppointmentStatus::Active {
        if card == Cardinality::ExactlyOne && appointments::post_held(conn, a.body_id, a.post)? {
            return Err(post_occupied(a.post));
        }
        if appointments::holds_post_in(conn, a.body_id, a.person_id)? {
            return Err(already_holds_post());
        }
    }
    let now = Utc::now().naive_utc();
    let row = appointments::insert(
        conn,
        &NewAppointmentRow {
            body_id: a.body_id,
            term_id: a.term_id,
            person_id: a.person_id,
            unit_id,
            post: a.post,
            status: a.status,
            starts_on: a.starts_on,
            ends_on,
            source: a.source,
            source_id: a.source_id,
            previous_appointment_id: a.previous_appointment_id,
            created_by: actor.subject.clone(),
            created_at: now,
            updated_at: now,
        },
    )
    .map_err(|e| lost_race(e, &a, card))?;
    audit::created(conn, actor, "appointment", row.id, &row)?;
    events::appointment_made(conn, &row)?;
    // R6 for late entries: the lapse job closes a term once and never looks at it again, so an
    // appointment entered into a closed term (back-filled history) ends now, as the job would
    // have ended it, by the job.
    if a.status == AppointmentStatus::Active && t.lapse_processed_at.is_some() {
        // The lapse is the job's, made within this request (its id joins the audit record).
        let system = Caller {
            request_id: actor.request_id.clone(),
            ..Caller::system(super::jobs::LAPSE_JOB)
        };
        end_with_term(conn, &system, &row, t.ends_on, crate::clock::today())?;
        return appointments::find(conn, row.id);
    }
    Ok(row)
}

/// Lost a race: the partial unique indexes decide (R1).
fn lost_race(e: DieselError, a: &Appoint, card: Cardinality) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info) => {
            if info.message().contains("previous_appointment_id") || a.previous_appointment_id.is_some() {
                ApiError::conflict(Code::AlreadyRenewed, "this appointment has already been renewed")
            } else if card == Cardinality::ExactlyOne {
                post_occupied(a.post)
            } else {
                already_holds_post()
            }
        }
        other => other.into(),
    }
}

/// Ends a renewed appointment at its term's end as `completed`.
pub fn complete(c: &mut DbConn, actor: &Caller, prev: &AppointmentRow) -> Result<(), ApiError> {
    end_at_term(c, actor, prev, AppointmentStatus::Completed).map(|_| ())
}

/// Ends `a` on its own last day as `completed` (renewed into the next term, R5) or `lapsed`
/// (not renewed, R6), with the matching reason on the record and in the audit log.
fn end_at_term(
    c: &mut DbConn,
    actor: &Caller,
    a: &AppointmentRow,
    status: AppointmentStatus,
) -> Result<AppointmentRow, ApiError> {
    let (end_reason, action, audit_reason) = if status == AppointmentStatus::Completed {
        (
            "任期届满，已续聘",
            AuditAction::Complete,
            "R5: renewed into the next term",
        )
    } else {
        (
            "任期届满，未续聘（逾期不续聘者自行解聘）",
            AuditAction::Lapse,
            "R6: the term ended without renewal",
        )
    };
    let changes = AppointmentChanges {
        status,
        ended_on: Some(Some(a.ends_on)),
        end_reason: Some(Some(end_reason)),
        dismissal_ground: None,
        updated_at: Utc::now().naive_utc(),
    };
    let after = appointments::change(c, a.id, &changes)?;
    let change = Change {
        action,
        entity: "appointment",
        entity_id: a.id,
        before: snapshot(a),
        after: snapshot(&after),
        reason: Some(audit_reason),
    };
    audit::record(c, actor, change)?;
    Ok(after)
}

/// R6 at a term's end: an active appointment ends `completed` if it was renewed, else `lapsed`
/// (逾期不续聘者自行解聘), audited and notified. `None` (nothing done) while the term runs.
pub fn end_with_term(
    c: &mut DbConn,
    system: &Caller,
    a: &AppointmentRow,
    term_ends_on: NaiveDate,
    today: NaiveDate,
) -> Result<Option<AppointmentStatus>, ApiError> {
    let renewed = appointments::is_renewed(c, a.id)?;
    let outcome = at_term_end(a.ends_on.min(term_ends_on), today, renewed);
    match outcome {
        Some(AppointmentStatus::Completed) => complete(c, system, a)?,
        Some(AppointmentStatus::Lapsed) => {
            let after = end_at_term(c, system, a, AppointmentStatus::Lapsed)?;
            events::appointment_ended(c, &after, AppointmentStatus::Lapsed)?;
        }
        _ => {}
    }
    Ok(outcome)
}

pub fn post_occupied(post: Post) -> ApiError {
    ApiError::conflict(
        Code::PostOccupied,
        format!(
            "R1: the post {} ({}) already has an active holder",
            post.as_str(),
            post.label_zh()
        ),
    )
}

fn already_holds_post() -> ApiError {
    ApiError::conflict(
        Code::AlreadyHoldsPost,
        "this person already holds an active post in this body",
    )
}

/// How an appointment ends early: as `status`, on which ground, why and when.
pub struct EarlyEnd<'a> {
    pub status: AppointmentStatus,
    pub ground: Option<DismissalGround>,
    pub reason: &'a str,
    pub on: NaiveDate,
}

/// Ends an active appointment early (R11 resignation, R12/R13 dismissal): keeps the row with
/// its status, date and reason, audits it, and emits the revocation and the notice (R14).
pub fn end_early(conn: &mut DbConn, actor: &Caller, id: i64, end: EarlyEnd<'_>) -> Result<AppointmentRow, ApiError> {
    let before = appointments::find(conn, id)?;
    check_early_end(before.status, end.reason).map_err(|e| match e {
        EndError::NotActive(s) => ApiError::conflict(
            Code::AppointmentNotActive,
            format!("appointment {id} is {} and cannot end again", s.as_str()),
        ),
        EndError::ReasonRequired => {
            ApiError::validation(vec![FieldError::new("reason", Code::Required, "state the reason")])
        }
    })?;
    // The reason is printed on the notice (解聘通知书): refuse what the fonts cannot print.
    let mut unprintable = Vec::new();
    service_kit::printable::check("reason", end.reason, &mut unprintable);
    if !unprintable.is_empty() {
        return Err(ApiError::validation(unprintable));
    }
    let after = appointments::change(
        conn,
        id,
        &AppointmentChanges {
            status: end.status,
            ended_on: Some(Some(end.on.clamp(before.starts_on, before.ends_on))),
            end_reason: Some(Some(end.reason.trim())),
            dismissal_ground: Some(end.ground),
            updated_at: Utc::now().naive_utc(),
        },
    )?;
    audit::record(
        conn,
        actor,
        Change {
            action: AuditAction::ended_as(end.status),
            entity: "appointment",
            entity_id: id,
            before: snapshot(&before),
            after: snapshot(&after),
            reason: Some(end.reason),
        },
    )?;
    end_pending_renewals(conn, actor, id, &end)?;
    events::appointment_ended(conn, &after, end.status)?;
    Ok(after)
}

/// A pending renewal of an appointment that ends early does not start.
fn end_pending_renewals(conn: &mut DbConn, actor: &Caller, id: i64, end: &EarlyEnd<'_>) -> Result<(), ApiError> {
    for b in appointments::pending_renewals(conn, id)? {
        let a = appointments::change(
            conn,
            b.id,
            &AppointmentChanges {
                status: end.status,
                ended_on: Some(Some(b.starts_on)),
                end_reason: Some(Some(end.reason.trim())),
                dismissal_ground: None,
                updated_at: Utc::now().naive_utc(),
            },
        )?;
        audit::record(
            conn,
            actor,
            Change {
                action: AuditAction::ended_as(end.status),
                entity: "appointment",
                entity_id: b.id,
                before: snapshot(&b),
                after: snapshot(&a),
                reason: Some("the appointment it renewed ended early"),
            },
        )?;
    }
    Ok(())
}
