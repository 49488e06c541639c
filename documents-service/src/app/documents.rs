//! Reading issued documents, and their public verification.

use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Db, DbConn};
use sha2::{Digest, Sha256};

use crate::db::documents;
pub use crate::db::documents::DocumentFilter;
use crate::db::models::DocumentMeta;
use crate::domain::serials::looks_like_token;

/// A page of documents; `own_person` limits it to one person's (a member reading their own).
pub fn list(
    c: &mut DbConn,
    f: &DocumentFilter,
    own_person: Option<i64>,
    w: Window,
) -> Result<Page<DocumentMeta>, ApiError> {
    documents::list(c, f, own_person, w)
}

/// The document with this serial, or 404.
pub fn find(c: &mut DbConn, serial: &str) -> Result<DocumentMeta, ApiError> {
    documents::by_serial(c, serial)
}

/// The document with this serial and its PDF bytes, or 404.
pub fn with_pdf(c: &mut DbConn, serial: &str) -> Result<(DocumentMeta, Vec<u8>), ApiError> {
    let meta = documents::by_serial(c, serial)?;
    let bytes = documents::pdf(c, meta.id)?;
    Ok((meta, bytes))
}

/// The document with this serial and its credential (none for a notice), or 404.
pub fn credential(c: &mut DbConn, serial: &str) -> Result<(DocumentMeta, Option<String>), ApiError> {
    documents::credential_of(c, serial)
}

/// A document as public verification shows it: the document, and the serial of the one that
/// replaced it when it was superseded.
pub struct Verified {
    pub document: DocumentMeta,
    pub replaced_by: Option<String>,
}

/// The document a verification link names, counting the verification; `None` for a token
/// no document has (one that cannot be a token is not looked up at all).
pub async fn verify(db: &Db, token: String) -> Result<Option<Verified>, ApiError> {
    if !looks_like_token(&token) {
        return Ok(None);
    }
    db.write(move |c| {
        let Some(d) = documents::by_token(c, &token)? else {
            return Ok(None);
        };
        documents::count_verification(c, d.id)?;
        verified(c, d).map(Some)
    })
    .await
}

/// The document whose stored PDF is byte-identical to `file` (by SHA-256), if any.
pub async fn check_file(db: &Db, file: &[u8]) -> Result<Option<Verified>, ApiError> {
    let hash = hex::encode(Sha256::digest(file));
    db.run(move |c| match documents::by_hash(c, &hash)? {
        Some(d) => verified(c, d).map(Some),
        None => Ok(None),
    })
    .await
}

fn verified(c: &mut DbConn, document: DocumentMeta) -> Result<Verified, ApiError> {
    let replaced_by = match document.superseded_by {
        Some(id) => Some(documents::serial_of(c, id)?),
        None => None,
    };
    Ok(Verified { document, replaced_by })
}
