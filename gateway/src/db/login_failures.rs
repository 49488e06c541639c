//! Failed logins per name (`login_failures`), shared by every gateway replica; the rules are in
//! [`crate::domain::throttle`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConn, write_tx};
use service_kit::per_backend;

use super::schema::login_failures;
use crate::domain::throttle::{NameRecord, WINDOW};

type Row = (i64, NaiveDateTime, Option<NaiveDateTime>);

fn record((failures, last_failed_at, locked_until): Row) -> NameRecord {
    NameRecord {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_failed_at,
        locked_until,
    }
}

/// The name's record, if it has failed recently.
pub fn find(conn: &mut DbConn, name: &str) -> QueryResult<Option<NameRecord>> {
    let row: Option<Row> = login_failures::table
        .find(name)
        .select((
            login_failures::failures,
            login_failures::last_failed_at,
            login_failures::locked_until,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(record))
}

/// Counts one more failure of `name` at `now` and returns its new record. The row is locked
/// (PostgreSQL) or the database is (SQLite's `BEGIN IMMEDIATE`) while it is read and written, so
/// concurrent failures on two replicas are both counted. Rows of names whose failures are
/// forgotten and whose lock is over are deleted on the way, so a spray of names cannot grow the
/// table without bound.
pub fn record_failure(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> QueryResult<NameRecord> {
    write_tx(conn, |conn| {
        let forgotten = now - chrono::Duration::from_std(WINDOW).unwrap_or(chrono::Duration::MAX);
        diesel::delete(
            login_failures::table
                .filter(login_failures::last_failed_at.lt(forgotten))
                .filter(
                    login_failures::locked_until
                        .is_null()
                        .or(login_failures::locked_until.lt(now)),
                ),
        )
        .execute(conn)?;
        let blank = (
            login_failures::name.eq(name),
            login_failures::failures.eq(0_i64),
            login_failures::last_failed_at.eq(now),
        );
        per_backend!(conn, |c| diesel::insert_into(login_failures::table)
            .values(blank)
            .on_conflict_do_nothing()
            .execute(c))?;
        let previous = match conn {
            DbConn::Pg(c) => login_failures::table
                .find(name)
                .select((
                    login_failures::failures,
                    login_failures::last_failed_at,
                    login_failures::locked_until,
                ))
                .for_update()
                .first::<Row>(c)
                .map(record)?,
            DbConn::Sqlite(_) => find(conn, name)?.ok_or(diesel::result::Error::NotFound)?,
        };
        // A row made just now holds no failure yet.
        let previous = (previous.failures > 0).then_some(previous);
        let next = NameRecord::after_failure(previous, now);
        diesel::update(login_failures::table.find(name))
            .set((
                login_failures::failures.eq(i64::from(next.failures)),
                login_failures::last_failed_at.eq(next.last_failed_at),
                login_failures::locked_until.eq(next.locked_until),
            ))
            .execute(conn)?;
        Ok(next)
    })
}

/// A right password or secret: the name's failures are forgotten.
pub fn clear(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.find(name))
        .execute(conn)
        .map(|_| ())
}
