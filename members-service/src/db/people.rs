//! Queries of people.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{NewPersonRow, PersonChanges, PersonRow};
use super::schema::{people, person_name_grams, units};
use super::{Only, like_pattern, lower};
use crate::domain::people::{TitleLevel, UnitKind, ValidPerson};
use crate::domain::search::{name_grams, name_query};

/// What a people list asks for.
#[derive(Debug, Default)]
pub struct PersonQuery {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_kind: Option<UnitKind>,
    pub title_level: Option<TitleLevel>,
}

pub fn find(c: &mut DbConn, id: i64) -> Result<PersonRow, ApiError> {
    people::table
        .find(id)
        .select(PersonRow::as_select())
        .first(c)
        .found(|| format!("no person {id}"))
}

/// Whether there is such a person.
pub fn find_optional(c: &mut DbConn, id: i64) -> Result<Option<PersonRow>, ApiError> {
    Ok(people::table
        .find(id)
        .select(PersonRow::as_select())
        .first(c)
        .optional()?)
}

pub fn list(c: &mut DbConn, only: Only, f: &PersonQuery, w: Window) -> Result<Page<PersonRow>, ApiError> {
    let mut q = people::table
        .filter(people::id.gt(w.after))
        .order(people::id)
        .limit(w.fetch())
        .select(PersonRow::as_select())
        .into_boxed();
    if let Some(unit) = only.unit_id {
        q = q.filter(people::unit_id.eq(unit));
    }
    if let Some(person) = only.person_id {
        q = q.filter(people::id.eq(person));
    }
    if let Some(u) = f.unit_id {
        q = q.filter(people::unit_id.eq(u));
    }
    if let Some(t) = f.title_level {
        q = q.filter(people::title_level.eq(t));
    }
    if let Some(k) = f.unit_kind {
        q = q.filter(people::unit_id.eq_any(units::table.filter(units::kind.eq(k)).select(units::id)));
    }
    if let Some(text) = f.q.as_deref()
        && let Some(nq) = name_query(text)
    {
        // Served by the index: the people having every key of the query (issue 11). One
        // semi-join per key, each an ordered range of the (gram, person_id) primary key, so the
        // page's first ids come first and a key nobody has ends the search at once.
        for key in nq.grams {
            q = q.filter(
                people::id.eq_any(
                    person_name_grams::table
                        .filter(person_name_grams::gram.eq(key))
                        .filter(person_name_grams::person_id.gt(w.after))
                        .select(person_name_grams::person_id),
                ),
            );
        }
        if nq.needs_check {
            q = q.filter(lower(people::name).like(like_pattern(text)).escape('\\'));
        }
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

pub fn insert(c: &mut DbConn, p: &ValidPerson) -> Result<PersonRow, ApiError> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(people::table)
        .values(&NewPersonRow {
            name: p.name.as_str().to_owned(),
            unit_id: p.unit_id,
            job_post: p.job_post.clone(),
            title_level: p.title_level,
            date_of_birth: p.date_of_birth.map(|d| d.date()),
            email: p.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: p.phone.clone(),
            specialty: p.specialty.clone(),
            created_at: now,
            updated_at: now,
        })
        .returning(people::all_columns)
        .get_result(c)
        .map_err(ApiError::from)
        .and_then(|row: PersonRow| {
            index_name(c, row.id, &row.name)?;
            Ok(row)
        })
}

/// Replaces a person's search keys with those of `name` (in the caller's transaction).
fn index_name(c: &mut DbConn, id: i64, name: &str) -> Result<(), ApiError> {
    diesel::delete(person_name_grams::table.filter(person_name_grams::person_id.eq(id))).execute(c)?;
    let rows: Vec<_> = name_grams(name)
        .into_iter()
        .map(|g| (person_name_grams::gram.eq(g), person_name_grams::person_id.eq(id)))
        .collect();
    service_kit::per_backend!(c, |c| diesel::insert_into(person_name_grams::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// Writes the whole validated record in one statement.
pub fn update(c: &mut DbConn, id: i64, p: &ValidPerson) -> Result<PersonRow, ApiError> {
    diesel::update(people::table.find(id))
        .set(&PersonChanges {
            name: p.name.as_str().to_owned(),
            unit_id: p.unit_id,
            job_post: p.job_post.clone(),
            title_level: p.title_level,
            specialty: p.specialty.clone(),
            date_of_birth: p.date_of_birth.map(|d| d.date()),
            email: p.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: p.phone.clone(),
            updated_at: Utc::now().naive_utc(),
        })
        .execute(c)?;
    index_name(c, id, p.name.as_str())?;
    find(c, id)
}

/// How many people of a unit have this name and date of birth (the CSV import's duplicates).
pub fn count_same(c: &mut DbConn, unit_id: i64, name: &str, birth: Option<NaiveDate>) -> Result<i64, ApiError> {
    let mut same = people::table
        .filter(people::unit_id.eq(unit_id))
        .filter(people::name.eq(name))
        .into_boxed();
    same = match birth {
        Some(d) => same.filter(people::date_of_birth.eq(d)),
        None => same.filter(people::date_of_birth.is_null()),
    };
    Ok(same.count().get_result(c)?)
}

/// A person's name and e-mail with their unit's name (a commendation's recipient).
pub fn with_unit_name(c: &mut DbConn, id: i64) -> Result<Option<(String, Option<String>, String)>, ApiError> {
    Ok(people::table
        .inner_join(units::table)
        .filter(people::id.eq(id))
        .select((people::name, people::email, units::name))
        .first(c)
        .optional()?)
}
