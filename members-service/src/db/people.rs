//! Queries of people.

use chrono::{NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Text};
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{NewPersonRow, PersonChanges, PersonRow};
use super::schema::{people, person_name_grams, units};
use super::{Only, like_pattern, lower};
use crate::domain::hanzi::{self, KEYS_VERSION, NameOrder};
use crate::domain::people::{TitleLevel, UnitKind, ValidPerson};
use crate::domain::search::{name_grams, name_query};

/// What a people list asks for.
#[derive(Debug, Default)]
pub struct PersonQuery {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_kind: Option<UnitKind>,
    pub title_level: Option<TitleLevel>,
    pub order: NameOrder,
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
        .select(PersonRow::as_select())
        .limit(w.fetch())
        .into_boxed();
    q = match sort_column(f.order) {
        None => q.filter(people::id.gt(w.after)).order(people::id),
        Some(col) => {
            let q = q.order((sql::<Text>(&format!("people.{col}")), people::id));
            if w.after == 0 {
                q
            } else {
                // After the cursor's row in (key, id) order: a row comparison PostgreSQL serves
                // as a range of the (key, id) index, and SQLite too.
                q.filter(
                    sql::<Bool>(&format!(
                        "(people.{col}, people.id) > (SELECT p.{col}, p.id FROM people p WHERE p.id = "
                    ))
                    .bind::<BigInt, _>(w.after)
                    .sql(")"),
                )
            }
        }
    };
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
    // In id order the index's ranges can start after the cursor too.
    let after = if f.order == NameOrder::Id { w.after } else { 0 };
    if let Some(text) = f.q.as_deref() {
        if let Some(sq) = hanzi::spell_query(text) {
            // Latin letters: pinyin (`zhangwei`), initials (`zw`) or a Latin name's words.
            q = q.filter(people::id.eq_any(grams_of(sq.key, after)));
            if let Some(p) = sq.pattern {
                q = q.filter(people::spelling.like(p));
            }
        } else if let Some(nq) = name_query(text) {
            // Served by the index: the people having every key of the query (issue 11). One
            // semi-join per key, each an ordered range of the (gram, person_id) primary key, so
            // the page's first ids come first and a key nobody has ends the search at once.
            for key in nq.grams {
                q = q.filter(people::id.eq_any(grams_of(key, after)));
            }
            if nq.needs_check {
                q = q.filter(lower(people::name).like(like_pattern(text)).escape('\\'));
            }
        }
    }
    Ok(w.page(q.load(c)?, |r| r.id))
}

/// The query [`grams_of`] builds, named so it can be returned and combined.
type GramsOf = diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::Filter<person_name_grams::table, diesel::dsl::Eq<person_name_grams::gram, String>>,
        diesel::dsl::Gt<person_name_grams::person_id, i64>,
    >,
    person_name_grams::person_id,
>;

/// The people having this search key, after the id `after`.
fn grams_of(key: String, after: i64) -> GramsOf {
    person_name_grams::table
        .filter(person_name_grams::gram.eq(key))
        .filter(person_name_grams::person_id.gt(after))
        .select(person_name_grams::person_id)
}

/// The column a list in this order is sorted by before the id (`None`: the id alone).
pub fn sort_column(order: NameOrder) -> Option<&'static str> {
    match order {
        NameOrder::Id => None,
        NameOrder::SurnameStrokes => Some("sort_strokes"),
        NameOrder::Pinyin => Some("sort_pinyin"),
    }
}

pub fn insert(c: &mut DbConn, p: &ValidPerson) -> Result<PersonRow, ApiError> {
    let now = Utc::now().naive_utc();
    let keys = NameKeys::of(p.name.as_str());
    let row: PersonRow = diesel::insert_into(people::table)
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
            sort_strokes: keys.strokes.clone(),
            sort_pinyin: keys.pinyin.clone(),
            spelling: keys.spelling.text.clone(),
            name_keys_version: KEYS_VERSION,
        })
        // The columns of `PersonRow`, not `all_columns` (which hold the keys too); listed, since
        // `PersonRow::as_returning()` is typed for the multi-backend and an insert runs per backend.
        .returning((
            people::id,
            people::name,
            people::unit_id,
            people::job_post,
            people::title_level,
            people::date_of_birth,
            people::email,
            people::phone,
            people::specialty,
            people::created_at,
            people::updated_at,
        ))
        .get_result(c)?;
    index_name(c, row.id, &row.name, &keys)?;
    Ok(row)
}

/// Writes each row's keys unless another replica keyed it first; the rows it keyed. On
/// PostgreSQL one statement for the batch (100,000 single updates took minutes there).
fn claim_and_key(c: &mut DbConn, keys: &[(i64, NameKeys)]) -> Result<Vec<i64>, ApiError> {
    #[derive(QueryableByName)]
    struct Keyed {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    match c {
        DbConn::Pg(pg) => {
            let ids: Vec<i64> = keys.iter().map(|(id, _)| *id).collect();
            let text = |f: fn(&NameKeys) -> &str| keys.iter().map(|(_, k)| f(k).to_owned()).collect::<Vec<_>>();
            let rows: Vec<Keyed> = diesel::sql_query(
                "UPDATE people p SET sort_strokes = v.strokes, sort_pinyin = v.pinyin, spelling = v.spelling, \
                 name_keys_version = $5 \
                 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS v (id, strokes, pinyin, spelling) \
                 WHERE p.id = v.id AND p.name_keys_version < $5 RETURNING p.id",
            )
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<Text>, _>(text(|k| &k.strokes))
            .bind::<Array<Text>, _>(text(|k| &k.pinyin))
            .bind::<Array<Text>, _>(text(|k| &k.spelling.text))
            .bind::<Integer, _>(KEYS_VERSION)
            .load(pg)?;
            Ok(rows.into_iter().map(|r| r.id).collect())
        }
        DbConn::Sqlite(_) => {
            let mut keyed = Vec::new();
            for (id, k) in keys {
                let claimed = diesel::update(
                    people::table
                        .filter(people::id.eq(id))
                        .filter(people::name_keys_version.lt(KEYS_VERSION)),
                )
                .set((
                    people::sort_strokes.eq(&k.strokes),
                    people::sort_pinyin.eq(&k.pinyin),
                    people::spelling.eq(&k.spelling.text),
                    people::name_keys_version.eq(KEYS_VERSION),
                ))
                .execute(c)?;
                if claimed == 1 {
                    keyed.push(*id);
                }
            }
            Ok(keyed)
        }
    }
}

/// A name's sort keys and search spelling, as stored with it (`crate::domain::hanzi`).
struct NameKeys {
    strokes: String,
    pinyin: String,
    spelling: hanzi::Spelling,
}

impl NameKeys {
    fn of(name: &str) -> NameKeys {
        NameKeys {
            strokes: hanzi::stroke_key(name),
            pinyin: hanzi::pinyin_key(name),
            spelling: hanzi::spelling(name),
        }
    }
}

/// Replaces a person's search keys with those of `name` (in the caller's transaction).
fn index_name(c: &mut DbConn, id: i64, name: &str, keys: &NameKeys) -> Result<(), ApiError> {
    diesel::delete(person_name_grams::table.filter(person_name_grams::person_id.eq(id))).execute(c)?;
    let rows: Vec<_> = name_grams(name)
        .into_iter()
        .chain(keys.spelling.keys.iter().cloned())
        .map(|g| (person_name_grams::gram.eq(g), person_name_grams::person_id.eq(id)))
        .collect();
    service_kit::per_backend!(c, |c| diesel::insert_into(person_name_grams::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// Writes the whole validated record in one statement.
pub fn update(c: &mut DbConn, id: i64, p: &ValidPerson) -> Result<PersonRow, ApiError> {
    let keys = NameKeys::of(p.name.as_str());
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
            sort_strokes: keys.strokes.clone(),
            sort_pinyin: keys.pinyin.clone(),
            spelling: keys.spelling.text.clone(),
            name_keys_version: KEYS_VERSION,
        })
        .execute(c)?;
    index_name(c, id, p.name.as_str(), &keys)?;
    find(c, id)
}

/// Keys the names of up to `batch` people keyed by an older [`KEYS_VERSION`] (all of them
/// after the migration that added the keys), in one transaction; how many it keyed. Replicas
/// may run it at once: each row is claimed by the update that keys it, and a replica that finds
/// it keyed after waiting for the other's lock leaves it.
pub fn rekey_names(c: &mut DbConn, batch: i64) -> Result<usize, ApiError> {
    service_kit::db::write_tx(c, |c| {
        let stale: Vec<(i64, String)> = people::table
            .filter(people::name_keys_version.lt(KEYS_VERSION))
            .order(people::id)
            .limit(batch)
            .select((people::id, people::name))
            .load(c)?;
        let keys: Vec<(i64, NameKeys)> = stale.iter().map(|(id, name)| (*id, NameKeys::of(name))).collect();
        let keyed = claim_and_key(c, &keys)?;
        let grams: Vec<_> = keys
            .iter()
            .filter(|(id, _)| keyed.contains(id))
            .flat_map(|(id, k)| {
                k.spelling.keys.iter().map(|g| {
                    (
                        person_name_grams::gram.eq(g.clone()),
                        person_name_grams::person_id.eq(*id),
                    )
                })
            })
            .collect();
        // The name's own grams stay; the spelling keys of an older version go.
        diesel::delete(
            person_name_grams::table
                .filter(person_name_grams::person_id.eq_any(&keyed))
                .filter(person_name_grams::gram.like("py:%")),
        )
        .execute(c)?;
        for chunk in grams.chunks(4_000) {
            service_kit::per_backend!(c, |c| diesel::insert_into(person_name_grams::table)
                .values(chunk)
                .execute(c))?;
        }
        Ok(keyed.len())
    })
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

#[cfg(test)]
#[path = "people_tests.rs"]
mod tests;
