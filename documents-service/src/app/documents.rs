//! Reading issued documents, and their public verification.

use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Db, DbConn};

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

/// The document a verification link names, counting the verification; `None` for a token
/// no document has (one that cannot be a token is not looked up at all).
pub async fn verify(db: &Db, token: String) -> Result<Option<DocumentMeta>, ApiError> {
    if !looks_like_token(&token) {
        return Ok(None);
    }
    db.write(move |c| {
        let d = documents::by_token(c, &token)?;
        if let Some(d) = &d {
            documents::count_verification(c, d.id)?;
        }
        Ok(d)
    })
    .await
}
