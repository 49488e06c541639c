//! A body's annual work plans and reports (R19): listing, adding one per kind and year, and
//! reading the attached file.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use service_kit::{ApiError, Code, Db};

use crate::db::annual;
use crate::db::models::{AnnualDocumentRow, NewAnnualDocumentRow};
use crate::domain::annual::{AnnualDocumentKind, CheckedFile, NewAnnualDocument};

/// An attached file: name, media type and bytes.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub async fn list(db: &Db, body_id: i64, kind: AnnualDocumentKind) -> Result<Vec<AnnualDocumentRow>, ApiError> {
    db.run(move |c| annual::list(c, body_id, kind)).await
}

/// Adds the body's document of `kind` for its year (checked, with `file`); 409 when it exists.
pub async fn create(
    db: &Db,
    body_id: i64,
    kind: AnnualDocumentKind,
    n: NewAnnualDocument,
    file: Option<CheckedFile>,
    created_by: String,
) -> Result<AnnualDocumentRow, ApiError> {
    db.write(move |c| {
        if annual::exists(c, body_id, kind, n.year)? {
            return Err(ApiError::conflict(
                Code::AlreadyExists,
                format!("body {body_id} already has its {} for {}", kind.label_zh(), n.year),
            ));
        }
        let row = NewAnnualDocumentRow {
            body_id,
            kind,
            year: n.year,
            title: n.title.trim().to_owned(),
            text: n.text.trim().to_owned(),
            file_name: file.as_ref().map(|f| f.name.clone()),
            file_content_type: file.as_ref().map(|f| f.content_type.clone()),
            file_base64: file.as_ref().map(|f| f.base64.clone()),
            file_size: file.as_ref().map(|f| f.size as i64),
            created_by,
            created_at: Utc::now().naive_utc(),
        };
        annual::insert(c, &row)
    })
    .await
}

/// The file attached to the body's document of `kind` for `year` (404 when there is none).
pub async fn file(db: &Db, body_id: i64, kind: AnnualDocumentKind, year: i32) -> Result<File, ApiError> {
    let row = db.run(move |c| annual::find(c, body_id, kind, year)).await?;
    let (Some(b64), Some(content_type)) = (row.file_base64, row.file_content_type) else {
        return Err(ApiError::not_found("this document has no file"));
    };
    let bytes = STANDARD.decode(b64.as_bytes()).map_err(ApiError::internal)?;
    Ok(File {
        name: row.file_name.unwrap_or_else(|| "file".into()),
        content_type,
        bytes,
    })
}
