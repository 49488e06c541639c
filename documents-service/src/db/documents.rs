//! Queries of issued documents.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::Found;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};

use super::models::{DocumentMail, DocumentMeta, NewDocument};
use super::schema::documents as t;
use crate::domain::kinds::DocumentKind;
use crate::domain::states::DocumentStatus;

/// What a document list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub year: Option<i32>,
    pub status: Option<DocumentStatus>,
}

/// The document with this serial, or 404.
pub fn by_serial(c: &mut DbConn, serial: &str) -> Result<DocumentMeta, ApiError> {
    t::table
        .filter(t::serial.eq(serial))
        .select(DocumentMeta::as_select())
        .first(c)
        .found(|| format!("no document {serial}"))
}

/// The document with this verification token, if any.
pub fn by_token(c: &mut DbConn, token: &str) -> Result<Option<DocumentMeta>, ApiError> {
    Ok(t::table
        .filter(t::verify_token.eq(token))
        .select(DocumentMeta::as_select())
        .first(c)
        .optional()?)
}

/// The document whose PDF has this SHA-256 (hex), if any. Two documents never share a hash:
/// each PDF prints its own serial and verification link.
pub fn by_hash(c: &mut DbConn, hash: &str) -> Result<Option<DocumentMeta>, ApiError> {
    Ok(t::table
        .filter(t::content_hash.eq(hash))
        .select(DocumentMeta::as_select())
        .first(c)
        .optional()?)
}

/// The credential (a VC-JOSE JWT) of the document with this serial: 404 for no such document,
/// `None` for one without a credential (a notice, or issued before credentials).
pub fn credential_of(c: &mut DbConn, serial: &str) -> Result<(DocumentMeta, Option<String>), ApiError> {
    t::table
        .filter(t::serial.eq(serial))
        .select((DocumentMeta::as_select(), t::credential))
        .first(c)
        .found(|| format!("no document {serial}"))
}

/// Sequence numbers among `first..=last` of `kind` in `year` whose document no longer stands
/// (revoked or superseded): the set bits of their status list.
pub fn fallen_seqs(c: &mut DbConn, kind: DocumentKind, year: i32, first: i32, last: i32) -> Result<Vec<i32>, ApiError> {
    Ok(t::table
        .filter(t::kind.eq(kind))
        .filter(t::year.eq(year))
        .filter(t::seq.between(first, last))
        .filter(t::status.ne(DocumentStatus::Valid))
        .select(t::seq)
        .load(c)?)
}

/// One more verification of a document.
pub fn count_verification(c: &mut DbConn, id: i64) -> Result<(), ApiError> {
    diesel::update(t::table.find(id))
        .set(t::verification_count.eq(t::verification_count + 1))
        .execute(c)?;
    Ok(())
}

/// The stored PDF bytes.
pub fn pdf(c: &mut DbConn, id: i64) -> Result<Vec<u8>, ApiError> {
    t::table
        .find(id)
        .select(t::pdf)
        .first(c)
        .found(|| format!("no document {id}"))
}

pub fn serial_of(c: &mut DbConn, id: i64) -> Result<String, ApiError> {
    t::table
        .find(id)
        .select(t::serial)
        .first(c)
        .found(|| format!("no document {id}"))
}

/// What an e-mail of the document needs.
pub fn for_mail(c: &mut DbConn, id: i64) -> Result<DocumentMail, ApiError> {
    t::table
        .find(id)
        .select(DocumentMail::as_select())
        .first(c)
        .found(|| format!("no document {id}"))
}

/// A page of documents, in id order; `own_person` limits it to one person's.
pub fn list(
    c: &mut DbConn,
    f: &DocumentFilter,
    own_person: Option<i64>,
    w: Window,
) -> Result<Page<DocumentMeta>, ApiError> {
    let mut q = t::table
        .filter(t::id.gt(w.after))
        .order(t::id)
        .limit(w.fetch())
        .select(DocumentMeta::as_select())
        .into_boxed();
    if let Some(p) = own_person {
        q = q.filter(t::person_id.eq(p));
    }
    if let Some(k) = f.kind {
        q = q.filter(t::kind.eq(k));
    }
    if let Some(p) = f.person_id {
        q = q.filter(t::person_id.eq(p));
    }
    if let Some(a) = f.appointment_id {
        q = q.filter(t::appointment_id.eq(a));
    }
    if let Some(y) = f.year {
        q = q.filter(t::year.eq(y));
    }
    if let Some(s) = f.status {
        q = q.filter(t::status.eq(s));
    }
    Ok(w.page(q.load(c)?, |d| d.id))
}

/// The document of `kind` already issued for an event, if any (one per event and kind).
pub fn for_event(c: &mut DbConn, event_id: &str, kind: DocumentKind) -> Result<Option<DocumentMeta>, ApiError> {
    Ok(t::table
        .filter(t::source_event_id.eq(event_id))
        .filter(t::kind.eq(kind))
        .select(DocumentMeta::as_select())
        .first(c)
        .optional()?)
}

/// The valid document of `kind` about `subject`, if any.
pub fn valid_about(c: &mut DbConn, subject: &str, kind: DocumentKind) -> Result<Option<i64>, ApiError> {
    Ok(t::table
        .filter(t::subject_key.eq(subject))
        .filter(t::kind.eq(kind))
        .filter(t::status.eq(DocumentStatus::Valid))
        .select(t::id)
        .first(c)
        .optional()?)
}

pub fn insert(c: &mut DbConn, new: &NewDocument) -> Result<DocumentMeta, ApiError> {
    diesel::insert_into(t::table).values(new).execute(c)?;
    t::table
        .filter(t::serial.eq(new.serial))
        .select(DocumentMeta::as_select())
        .first(c)
        .found(|| format!("the document {} just stored is gone", new.serial))
}

/// Marks the valid documents of `kind` about any of `subjects` superseded by `by`.
pub fn supersede(c: &mut DbConn, subjects: &[&str], kind: DocumentKind, by: i64) -> Result<usize, ApiError> {
    Ok(diesel::update(
        t::table
            .filter(t::subject_key.eq_any(subjects))
            .filter(t::kind.eq(kind))
            .filter(t::status.eq(DocumentStatus::Valid))
            .filter(t::id.ne(by)),
    )
    .set((t::status.eq(DocumentStatus::Superseded), t::superseded_by.eq(Some(by))))
    .execute(c)?)
}

/// Revokes the valid documents of `kind` about `subject`.
pub fn revoke(
    c: &mut DbConn,
    kind: DocumentKind,
    subject: &str,
    reason: &str,
    at: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(diesel::update(
        t::table
            .filter(t::subject_key.eq(subject))
            .filter(t::kind.eq(kind))
            .filter(t::status.eq(DocumentStatus::Valid)),
    )
    .set((
        t::status.eq(DocumentStatus::Revoked),
        t::revoked_at.eq(Some(at)),
        t::revoked_reason.eq(Some(reason)),
    ))
    .execute(c)?)
}
