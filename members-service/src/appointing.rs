//! Making and ending appointments: the one place that writes appointment rows, its audit
//! record and its events, all in the caller's transaction.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError};

use crate::api::appointments::complete;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{AppointmentRow, BodyRow, NewAppointmentRow, TermRow};
use crate::db::schema::{appointments, bodies, people, terms};
use crate::domain::appointments::{AppointmentStatus, DismissalGround, EndError, check_early_end};
use crate::domain::bodies::BodyKind;
use crate::domain::posts::{self, Cardinality, Post};
use crate::domain::terms::{TermDates, appointment_end, at_term_end};
use crate::events;

pub struct Appoint<'a> {
    pub body_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub post: Post,
    pub starts_on: NaiveDate,
    pub source: &'a str,
    pub source_id: Option<i64>,
    pub previous_appointment_id: Option<i64>,
    /// `Pending` for renewals into a term that has not started.
    pub status: AppointmentStatus,
}

pub fn body(conn: &mut DbConn, id: i64) -> Result<(BodyRow, BodyKind), ApiError> {
    let row: BodyRow = bodies::table
        .find(id)
        .select(BodyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no body {id}")))?;
    let kind = BodyKind::parse(&row.kind).ok_or_else(|| ApiError::internal(format!("body {id} kind {}", row.kind)))?;
    Ok((row, kind))
}

pub fn term(conn: &mut DbConn, id: i64) -> Result<TermRow, ApiError> {
    terms::table
        .find(id)
        .select(TermRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no term {id}")))
}

pub fn appointment(conn: &mut DbConn, id: i64) -> Result<AppointmentRow, ApiError> {
    appointments::table
        .find(id)
        .select(AppointmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no appointment {id}")))
}

pub fn term_dates(t: &TermRow) -> TermDates {
    TermDates {
        number: t.number,
        starts_on: t.starts_on,
        ends_on: t.ends_on,
    }
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

/// R1 and "one post per body": refuses with 409 before writing, and maps the database's unique
/// indexes to the same answers when two requests race.
pub fn appoint(conn: &mut DbConn, actor: &Caller, a: Appoint<'_>) -> Result<AppointmentRow, ApiError> {
    let (_, kind) = body(conn, a.body_id)?;
    let t = term(conn, a.term_id)?;
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
    let unit_id: i64 = people::table
        .find(a.person_id)
        .select(people::unit_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "person_id",
                Code::UnknownPerson,
                "no such person",
            )])
        })?;
    if a.status == AppointmentStatus::Active {
        if card == Cardinality::ExactlyOne {
            let holder: Option<i64> = appointments::table
                .filter(appointments::body_id.eq(a.body_id))
                .filter(appointments::post.eq(a.post.as_str()))
                .filter(appointments::status.eq("active"))
                .select(appointments::person_id)
                .first(conn)
                .optional()?;
            if holder.is_some() {
                return Err(post_occupied(a.post));
            }
        }
        let holds: i64 = appointments::table
            .filter(appointments::body_id.eq(a.body_id))
            .filter(appointments::person_id.eq(a.person_id))
            .filter(appointments::status.eq("active"))
            .count()
            .get_result(conn)?;
        if holds > 0 {
            return Err(already_holds_post());
        }
    }
    let now = Utc::now().naive_utc();
    let row: AppointmentRow = diesel::insert_into(appointments::table)
        .values(&NewAppointmentRow {
            body_id: a.body_id,
            term_id: a.term_id,
            person_id: a.person_id,
            unit_id,
            post: a.post.as_str().into(),
            status: a.status.as_str().into(),
            starts_on: a.starts_on,
            ends_on,
            source: a.source.into(),
            source_id: a.source_id,
            previous_appointment_id: a.previous_appointment_id,
            created_by: actor.subject.clone(),
            created_at: now,
            updated_at: now,
        })
        .returning(appointments::all_columns)
        .get_result(conn)
        .map_err(|e| match e {
            // Lost a race: the partial unique indexes decide (R1).
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
        })?;
    audit::created(conn, actor, "appointment", row.id, &row)?;
    events::appointment_made(conn, &row)?;
    // R6 for late entries: the lapse job closes a term once and never looks at it again, so an
    // appointment entered into a closed term (back-filled history) ends now, as the job would
    // have ended it, by the job.
    if a.status == AppointmentStatus::Active && t.lapse_processed_at.is_some() {
        // The lapse is the job's, made within this request (its id joins the audit record).
        let system = Caller {
            request_id: actor.request_id.clone(),
            ..Caller::system(crate::jobs::LAPSE_JOB)
        };
        end_with_term(conn, &system, &row, t.ends_on, crate::clock::today())?;
        return appointment(conn, row.id);
    }
    Ok(row)
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
    let renewed: i64 = appointments::table
        .filter(appointments::previous_appointment_id.eq(a.id))
        .count()
        .get_result(c)?;
    let outcome = at_term_end(a.ends_on.min(term_ends_on), today, renewed > 0);
    match outcome {
        Some(AppointmentStatus::Completed) => complete(c, system, a)?,
        Some(AppointmentStatus::Lapsed) => {
            diesel::update(appointments::table.find(a.id))
                .set((
                    appointments::status.eq(AppointmentStatus::Lapsed.as_str()),
                    appointments::ended_on.eq(Some(a.ends_on)),
                    appointments::end_reason.eq(Some("任期届满，未续聘（逾期不续聘者自行解聘）")),
                    appointments::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(c)?;
            let after = appointment(c, a.id)?;
            audit::record(
                c,
                system,
                Change {
                    action: "lapse",
                    entity: "appointment",
                    entity_id: a.id,
                    before: snapshot(a),
                    after: snapshot(&after),
                    reason: Some("R6: the term ended without renewal"),
                },
            )?;
            events::appointment_ended(c, &after, AppointmentStatus::Lapsed)?;
        }
        _ => {}
    }
    Ok(outcome)
}

fn post_occupied(post: Post) -> ApiError {
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

/// Ends an active appointment early (R11 resignation, R12/R13 dismissal): keeps the row with
/// its status, date and reason, audits it, and emits the revocation and the notice (R14).
pub fn end_early(
    conn: &mut DbConn,
    actor: &Caller,
    id: i64,
    status: AppointmentStatus,
    ground: Option<DismissalGround>,
    reason: &str,
    on: NaiveDate,
) -> Result<AppointmentRow, ApiError> {
    let before = appointment(conn, id)?;
    let current = AppointmentStatus::parse(&before.status)
        .ok_or_else(|| ApiError::internal(format!("appointment {id} status {}", before.status)))?;
    check_early_end(current, reason).map_err(|e| match e {
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
    service_kit::printable::check("reason", reason, &mut unprintable);
    if !unprintable.is_empty() {
        return Err(ApiError::validation(unprintable));
    }
    let ended_on = on.clamp(before.starts_on, before.ends_on);
    diesel::update(appointments::table.find(id))
        .set((
            appointments::status.eq(status.as_str()),
            appointments::ended_on.eq(Some(ended_on)),
            appointments::end_reason.eq(Some(reason.trim())),
            appointments::dismissal_ground.eq(ground.map(|g| g.as_str())),
            appointments::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    let after = appointment(conn, id)?;
    audit::record(
        conn,
        actor,
        Change {
            action: status.as_str(),
            entity: "appointment",
            entity_id: id,
            before: snapshot(&before),
            after: snapshot(&after),
            reason: Some(reason),
        },
    )?;
    // A pending renewal of an appointment that ends early does not start.
    let pending: Vec<i64> = appointments::table
        .filter(appointments::previous_appointment_id.eq(id))
        .filter(appointments::status.eq("pending"))
        .select(appointments::id)
        .load(conn)?;
    for p in pending {
        let b = appointment(conn, p)?;
        diesel::update(appointments::table.find(p))
            .set((
                appointments::status.eq(status.as_str()),
                appointments::ended_on.eq(Some(b.starts_on)),
                appointments::end_reason.eq(Some(reason.trim())),
                appointments::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let a = appointment(conn, p)?;
        audit::record(
            conn,
            actor,
            Change {
                action: status.as_str(),
                entity: "appointment",
                entity_id: p,
                before: snapshot(&b),
                after: snapshot(&a),
                reason: Some("the appointment it renewed ended early"),
            },
        )?;
    }
    events::appointment_ended(conn, &after, status)?;
    Ok(after)
}
