//! The serial counters: sequence numbers per kind and year, reserved in ranges.

use diesel::prelude::*;
use service_kit::db::write_tx;
use service_kit::{ApiError, DbConn};

use crate::domain::kinds::DocumentKind;

/// Reserves `n` consecutive sequence numbers of `kind` in `year` and returns the first. The
/// counter row is locked until the caller's transaction ends, so concurrent issuers (and
/// replicas) never share a number; the (kind, year, seq) unique key stands behind it. Its
/// first use in a year starts after any number already issued.
pub fn reserve(conn: &mut DbConn, kind: DocumentKind, year: i32, n: i32) -> Result<i32, ApiError> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        last: i32,
    }
    if n < 1 {
        return Err(ApiError::internal("reserve_serials needs n >= 1"));
    }
    // `$1` placeholders work on both backends; SQLite numbers them by first appearance.
    let last: Last = diesel::sql_query(
        "INSERT INTO serial_counters (kind, year, last) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) FROM documents WHERE kind = $1 AND year = $2) + $3) \
         ON CONFLICT (kind, year) DO UPDATE SET last = serial_counters.last + $3 \
         RETURNING last",
    )
    .bind::<diesel::sql_types::Text, _>(kind)
    .bind::<diesel::sql_types::Integer, _>(year)
    .bind::<diesel::sql_types::Integer, _>(n)
    .get_result(conn)?;
    Ok(last.last - n + 1)
}

/// [`reserve`] in a transaction of its own, which on PostgreSQL commits without waiting for its
/// flush to disk (≈ 4 ms a commit on this project's machines, one of the two an issue makes). That
/// is safe because nothing is promised until a document carrying the number commits, after this
/// one, and PostgreSQL writes its log in order, so that commit makes the reservation durable too.
/// A crash before it may forget the reservation, and then no stored document has the number.
pub fn reserve_alone(conn: &mut DbConn, kind: DocumentKind, year: i32, n: i32) -> Result<i32, ApiError> {
    write_tx(conn, |c| {
        if let DbConn::Pg(pg) = c {
            diesel::sql_query("SET LOCAL synchronous_commit = off").execute(pg)?;
        }
        reserve(c, kind, year, n)
    })
}
