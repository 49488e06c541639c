//! Queries of `annual_documents`: a body's work plans and reports, one per kind and year.

use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::{ApiError, DbConn};

use super::models::{AnnualDocumentRow, NewAnnualDocumentRow};
use super::schema::annual_documents as t;
use crate::domain::annual::AnnualDocumentKind;

/// The body's documents of one kind, by year.
pub fn list(c: &mut DbConn, body_id: i64, kind: AnnualDocumentKind) -> Result<Vec<AnnualDocumentRow>, ApiError> {
    Ok(t::table
        .filter(t::body_id.eq(body_id))
        .filter(t::kind.eq(kind))
        .order(t::year)
        .select(AnnualDocumentRow::as_select())
        .load(c)?)
}

/// Whether the body has its document of this kind for `year`.
pub fn exists(c: &mut DbConn, body_id: i64, kind: AnnualDocumentKind, year: i32) -> Result<bool, ApiError> {
    let n: i64 = t::table
        .filter(t::body_id.eq(body_id))
        .filter(t::kind.eq(kind))
        .filter(t::year.eq(year))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// The body's document of this kind for `year`, or 404.
pub fn find(c: &mut DbConn, body_id: i64, kind: AnnualDocumentKind, year: i32) -> Result<AnnualDocumentRow, ApiError> {
    t::table
        .filter(t::body_id.eq(body_id))
        .filter(t::kind.eq(kind))
        .filter(t::year.eq(year))
        .select(AnnualDocumentRow::as_select())
        .first(c)
        .found(|| format!("body {body_id} has no {} for {year}", kind.label_zh()))
}

pub fn insert(c: &mut DbConn, row: &NewAnnualDocumentRow) -> Result<AnnualDocumentRow, ApiError> {
    Ok(diesel::insert_into(t::table)
        .values(row)
        .returning(t::all_columns)
        .get_result(c)?)
}
