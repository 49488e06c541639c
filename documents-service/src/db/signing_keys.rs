//! Signing keys held in the database (see the migration): created once, read by every replica.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::{ApiError, DbConn, per_backend};

use super::schema::signing_keys as t;

/// The key called `name`, storing `candidate` first if there is none yet: two replicas starting
/// at once both end up with the one that was stored first.
pub fn get_or_insert(c: &mut DbConn, name: &str, candidate: &str, now: NaiveDateTime) -> Result<String, ApiError> {
    per_backend!(c, |conn| diesel::insert_into(t::table)
        .values((t::name.eq(name), t::private_pem.eq(candidate), t::created_at.eq(now)))
        .on_conflict(t::name)
        .do_nothing()
        .execute(conn))?;
    Ok(t::table.find(name).select(t::private_pem).first(c)?)
}
