//! Queries of appointments (and the roster export, which is a view of them).

use chrono::{NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::{BigInt, Bool, Text};
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::Only;
use super::models::{AppointmentChanges, AppointmentRow, NewAppointmentRow};
use super::schema::{appointments, bodies, people, terms, units};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::hanzi::NameOrder;
use crate::domain::people::TitleLevel;
use crate::domain::posts::Post;

/// What an appointment list asks for.
#[derive(Debug, Default)]
pub struct AppointmentQuery {
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    pub post: Option<Post>,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<AppointmentStatus>,
    /// Appointments running on this date.
    pub on: Option<NaiveDate>,
    /// By the person's name (姓氏笔画, pinyin) or by id.
    pub order: NameOrder,
}

pub fn find(c: &mut DbConn, id: i64) -> Result<AppointmentRow, ApiError> {
    appointments::table
        .find(id)
        .select(AppointmentRow::as_select())
        .first(c)
        .found(|| format!("no appointment {id}"))
}

/// What an appointment shows of the records it refers to: the person's, unit's and body's
/// names and the term's number.
#[derive(Debug, Clone, Default, Queryable)]
pub struct AppointmentNames {
    pub person: Option<String>,
    pub unit: Option<String>,
    pub body: Option<String>,
    pub term_number: Option<i32>,
}

/// The [`AppointmentNames`] of the appointment row in hand, as scalar subqueries by primary
/// key, not joins: PostgreSQL plans a five-table join afresh at each execution of the prepared
/// statement (3.4 ms of planning for 0.7 ms of work on the bench data, pgbench 1,086 tps
/// against 2,012 for this shape, same run; issue 11).
macro_rules! names {
    () => {
        (
            people::table
                .filter(people::id.eq(appointments::person_id))
                .select(people::name)
                .single_value(),
            units::table
                .filter(units::id.eq(appointments::unit_id))
                .select(units::name)
                .single_value(),
            bodies::table
                .filter(bodies::id.eq(appointments::body_id))
                .select(bodies::name)
                .single_value(),
            terms::table
                .filter(terms::id.eq(appointments::term_id))
                .select(terms::number)
                .single_value(),
        )
    };
}

/// One page of appointments with their names, in one statement (it was five).
pub fn list(
    c: &mut DbConn,
    only: Only,
    f: &AppointmentQuery,
    w: Window,
) -> Result<Page<(AppointmentRow, AppointmentNames)>, ApiError> {
    let mut q = appointments::table
        .limit(w.fetch())
        .select((AppointmentRow::as_select(), names!()))
        .into_boxed();
    q = match super::people::sort_column(f.order) {
        None => q.filter(appointments::id.gt(w.after)).order(appointments::id),
        Some(col) => {
            // The person's key, then the id: a body's or a term's appointments are a few hundred,
            // sorted as they are read.
            let key = format!("(SELECT p.{col} FROM people p WHERE p.id = appointments.person_id)");
            let q = q.order((sql::<Text>(&key), appointments::id));
            if w.after == 0 {
                q
            } else {
                q.filter(
                    sql::<Bool>(&format!(
                        "({key}, appointments.id) > (SELECT p.{col}, a.id FROM appointments a \
                         JOIN people p ON p.id = a.person_id WHERE a.id = "
                    ))
                    .bind::<BigInt, _>(w.after)
                    .sql(")"),
                )
            }
        }
    };
    // Scoped roles see only their part, whatever the filter says.
    if let Some(v) = only.unit_id {
        q = q.filter(appointments::unit_id.eq(v));
    }
    if let Some(v) = only.person_id {
        q = q.filter(appointments::person_id.eq(v));
    }
    if let Some(v) = only.body_id {
        q = q.filter(appointments::body_id.eq(v));
    }
    if let Some(v) = f.body_id {
        q = q.filter(appointments::body_id.eq(v));
    }
    if let Some(v) = f.term_id {
        q = q.filter(appointments::term_id.eq(v));
    }
    if let Some(v) = f.post {
        q = q.filter(appointments::post.eq(v));
    }
    if let Some(v) = f.person_id {
        q = q.filter(appointments::person_id.eq(v));
    }
    if let Some(v) = f.unit_id {
        q = q.filter(appointments::unit_id.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(appointments::status.eq(v));
    }
    if let Some(d) = f.on {
        q = q
            .filter(appointments::starts_on.le(d))
            .filter(appointments::ends_on.ge(d))
            .filter(appointments::ended_on.is_null().or(appointments::ended_on.ge(d)))
            .filter(appointments::status.ne(AppointmentStatus::Pending));
    }
    Ok(w.page(q.load(c)?, |(r, _)| r.id))
}

/// The names of one appointment, in one statement.
pub fn names(c: &mut DbConn, id: i64) -> Result<AppointmentNames, ApiError> {
    appointments::table
        .find(id)
        .select(names!())
        .first(c)
        .found(|| format!("no appointment {id}"))
}

/// What the facts endpoint asks for (see `app::facts`).
#[derive(Debug, Default)]
pub struct FactsQuery {
    pub ids: Option<Vec<i64>>,
    pub body_id: Option<i64>,
    pub on: Option<NaiveDate>,
}

/// The appointments of a facts request, in id order, at most `max`.
pub fn for_facts(c: &mut DbConn, f: &FactsQuery, max: i64) -> Result<Vec<AppointmentRow>, ApiError> {
    let mut query = appointments::table
        .order(appointments::id)
        .select(AppointmentRow::as_select())
        .into_boxed();
    if let Some(ids) = &f.ids {
        query = query.filter(appointments::id.eq_any(ids.clone()));
    }
    if let Some(body) = f.body_id {
        query = query.filter(appointments::body_id.eq(body));
    }
    match f.on {
        // Active on that date, whatever happened since: the record of who was expected at an
        // activity stays true after people leave.
        Some(on) => {
            query = query
                .filter(appointments::starts_on.le(on))
                .filter(appointments::ends_on.ge(on))
                .filter(appointments::status.ne(AppointmentStatus::Pending))
                .filter(appointments::ended_on.is_null().or(appointments::ended_on.gt(on)));
        }
        None if f.ids.is_none() => query = query.filter(appointments::status.eq(AppointmentStatus::Active)),
        None => {}
    }
    Ok(query.limit(max).load(c)?)
}

/// Whether a post of a body has an active holder (R1).
pub fn post_held(c: &mut DbConn, body_id: i64, post: Post) -> Result<bool, ApiError> {
    let n: i64 = appointments::table
        .filter(appointments::body_id.eq(body_id))
        .filter(appointments::post.eq(post))
        .filter(appointments::status.eq(AppointmentStatus::Active))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// Whether a person holds an active post in a body.
pub fn holds_post_in(c: &mut DbConn, body_id: i64, person_id: i64) -> Result<bool, ApiError> {
    let n: i64 = appointments::table
        .filter(appointments::body_id.eq(body_id))
        .filter(appointments::person_id.eq(person_id))
        .filter(appointments::status.eq(AppointmentStatus::Active))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// Inserts; the database error is returned as it is, so the caller can tell which unique index
/// (R1, one renewal) refused it.
pub fn insert(c: &mut DbConn, row: &NewAppointmentRow) -> Result<AppointmentRow, DieselError> {
    diesel::insert_into(appointments::table)
        .values(row)
        .returning(appointments::all_columns)
        .get_result(c)
}

/// One statement for a status change; the row after it.
pub fn change(c: &mut DbConn, id: i64, changes: &AppointmentChanges<'_>) -> Result<AppointmentRow, ApiError> {
    diesel::update(appointments::table.find(id)).set(changes).execute(c)?;
    find(c, id)
}

/// Activation of a pending renewal: only its status changes.
pub fn activate(c: &mut DbConn, id: i64) -> Result<AppointmentRow, ApiError> {
    diesel::update(appointments::table.find(id))
        .set((
            appointments::status.eq(AppointmentStatus::Active),
            appointments::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
    find(c, id)
}

/// Whether an appointment has been renewed (R5: a later appointment links to it).
pub fn is_renewed(c: &mut DbConn, id: i64) -> Result<bool, ApiError> {
    let n: i64 = appointments::table
        .filter(appointments::previous_appointment_id.eq(id))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// The pending renewals of an appointment.
pub fn pending_renewals(c: &mut DbConn, id: i64) -> Result<Vec<AppointmentRow>, ApiError> {
    Ok(appointments::table
        .filter(appointments::previous_appointment_id.eq(id))
        .filter(appointments::status.eq(AppointmentStatus::Pending))
        .select(AppointmentRow::as_select())
        .load(c)?)
}

/// Pending renewals whose start has come.
pub fn pending_due(c: &mut DbConn, today: NaiveDate) -> Result<Vec<i64>, ApiError> {
    Ok(appointments::table
        .filter(appointments::status.eq(AppointmentStatus::Pending))
        .filter(appointments::starts_on.le(today))
        .select(appointments::id)
        .load(c)?)
}

/// Active appointments of terms the lapse job has closed already (late entries).
pub fn active_in_closed_terms(c: &mut DbConn) -> Result<Vec<i64>, ApiError> {
    Ok(appointments::table
        .inner_join(terms::table)
        .filter(terms::lapse_processed_at.is_not_null())
        .filter(appointments::status.eq(AppointmentStatus::Active))
        .order(appointments::id)
        .select(appointments::id)
        .load(c)?)
}

/// The active appointments of a term.
pub fn active_in_term(c: &mut DbConn, term_id: i64) -> Result<Vec<AppointmentRow>, ApiError> {
    Ok(appointments::table
        .filter(appointments::term_id.eq(term_id))
        .filter(appointments::status.eq(AppointmentStatus::Active))
        .select(AppointmentRow::as_select())
        .load(c)?)
}

/// Locks an appointment still active (a second replica skips it).
pub fn lock_active(c: &mut DbConn, id: i64) -> Result<Option<AppointmentRow>, ApiError> {
    let q = appointments::table
        .filter(appointments::id.eq(id))
        .filter(appointments::status.eq(AppointmentStatus::Active));
    Ok(match c {
        DbConn::Pg(pg) => q
            .select(AppointmentRow::as_select())
            .for_update()
            .skip_locked()
            .first(pg)
            .optional()?,
        DbConn::Sqlite(lite) => q.select(AppointmentRow::as_select()).first(lite).optional()?,
    })
}

/// The active holders of a body's posts with their people and units, in appointment order.
pub type HolderRow = (i64, Post, i64, String, i64, String, NaiveDate, NaiveDate);

pub fn active_holders(c: &mut DbConn, body_id: i64) -> Result<Vec<HolderRow>, ApiError> {
    Ok(appointments::table
        .inner_join(people::table)
        .inner_join(units::table.on(units::id.eq(people::unit_id)))
        .filter(appointments::body_id.eq(body_id))
        .filter(appointments::status.eq(AppointmentStatus::Active))
        .order(appointments::id)
        .select((
            appointments::id,
            appointments::post,
            people::id,
            people::name,
            units::id,
            units::name,
            appointments::starts_on,
            appointments::ends_on,
        ))
        .load(c)?)
}

/// What the roster export asks for.
#[derive(Debug, Default)]
pub struct RosterQuery {
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    pub status: Option<AppointmentStatus>,
}

/// One line of the roster (成员名册).
pub type RosterRow = (
    String,
    i32,
    Post,
    String,
    String,
    TitleLevel,
    NaiveDate,
    NaiveDate,
    AppointmentStatus,
    Option<NaiveDate>,
    Option<String>,
);

pub fn roster(c: &mut DbConn, f: &RosterQuery) -> Result<Vec<RosterRow>, ApiError> {
    let mut query = appointments::table
        .inner_join(people::table)
        .inner_join(bodies::table)
        .inner_join(terms::table)
        .inner_join(units::table.on(units::id.eq(appointments::unit_id)))
        .order((appointments::body_id, people::sort_strokes, appointments::id))
        .select((
            bodies::name,
            terms::number,
            appointments::post,
            people::name,
            units::name,
            people::title_level,
            appointments::starts_on,
            appointments::ends_on,
            appointments::status,
            appointments::ended_on,
            appointments::end_reason,
        ))
        .into_boxed();
    if let Some(b) = f.body_id {
        query = query.filter(appointments::body_id.eq(b));
    }
    if let Some(t) = f.term_id {
        query = query.filter(appointments::term_id.eq(t));
    }
    if let Some(s) = f.status {
        query = query.filter(appointments::status.eq(s));
    }
    Ok(query.load(c)?)
}
