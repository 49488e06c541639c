//! Issuing a document: a serial unique per kind and year, an unguessable verification token,
//! the PDF rendered from JSON data, its SHA-256, and a delivery per recipient — one write
//! transaction, so a document exists whole or not at all.

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use service_kit::{ApiError, DbConn};
use sha2::{Digest, Sha256};

use crate::db::models::DocumentMeta;
use crate::db::schema::{deliveries, documents};
use crate::domain::kinds::DocumentKind;
use crate::domain::serials::{serial, verify_token};

/// What turns data into PDF bytes (the typst renderer in production).
pub trait DocumentRenderer: Send + Sync {
    fn render(&self, kind: DocumentKind, data: &Value) -> Result<Vec<u8>, String>;
    /// Characters in any string of `data` that no loaded font can draw.
    fn missing_glyphs_in(&self, data: &Value) -> Vec<char>;
}

/// Everything needed to issue one document.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub kind: DocumentKind,
    /// What it is about: `appointment:12`, `commendation:3`, …
    pub subject_key: String,
    pub person_name: String,
    pub post_label: String,
    pub body_name: String,
    pub term_label: String,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    /// The inbox event that causes it; one document per event and kind.
    pub source_event_id: Option<String>,
    /// Template data; `serial`, `verify_url` and `issued_on_zh` are added here.
    pub data: Value,
    pub recipients: Vec<String>,
    /// Valid documents of this kind and subject that the new one replaces (renewal).
    pub supersedes_subject: Option<String>,
}

pub use crate::render::zh_date as chinese_date;

impl DocumentRenderer for crate::render::Renderer {
    fn render(&self, kind: DocumentKind, data: &Value) -> Result<Vec<u8>, String> {
        crate::render::Renderer::render(self, kind, data).map_err(|e| e.to_string())
    }
    fn missing_glyphs_in(&self, data: &Value) -> Vec<char> {
        crate::render::Renderer::missing_glyphs_in(self, data)
    }
}

/// 1 → 一, 12 → 十二, 23 → 二十三 (term numbers: 第二届).
pub fn small_number_zh(n: i64) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", D[(n - 10) as usize]),
        20..=99 if n % 10 == 0 => format!("{}十", D[(n / 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

/// 422 naming the characters no font has; a certificate with a missing glyph is never issued.
pub fn check_glyphs(renderer: &dyn DocumentRenderer, data: &Value) -> Result<(), ApiError> {
    let missing = renderer.missing_glyphs_in(data);
    if missing.is_empty() {
        return Ok(());
    }
    let list: String = missing
        .iter()
        .map(|c| format!("{c} (U+{:04X})", *c as u32))
        .collect::<Vec<_>>()
        .join(", ");
    Err(ApiError::unprocessable(
        "missing_glyphs",
        format!("the fonts cannot print these characters, so the document was not issued: {list}"),
    ))
}

/// A stable Message-ID for a document's delivery to one recipient.
pub fn message_id(serial: &str, recipient: &str) -> String {
    let h = Sha256::digest(recipient.trim().to_lowercase().as_bytes());
    format!("<{serial}.{}@jglm.documents>", hex::encode(&h[..8]))
}

/// Issues inside the caller's write transaction; with a `source_event_id` already used for
/// this kind, returns the existing document (idempotent).
pub fn issue(
    conn: &mut DbConn,
    renderer: &dyn DocumentRenderer,
    public_base_url: &str,
    today: NaiveDate,
    req: IssueRequest,
) -> Result<DocumentMeta, ApiError> {
    if let Some(ev) = &req.source_event_id {
        let existing = documents::table
            .filter(documents::source_event_id.eq(ev))
            .filter(documents::kind.eq(req.kind.as_str()))
            .select(DocumentMeta::as_select())
            .first(conn)
            .optional()?;
        if let Some(d) = existing {
            return Ok(d);
        }
    }
    let year = today.year();
    // Serialise issuing per kind and year on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
    if let DbConn::Pg(pg) = conn {
        let key = i64::from(year) * 100 + DocumentKind::ALL.iter().position(|k| *k == req.kind).unwrap_or(0) as i64;
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(pg)?;
    }
    let last: Option<i32> = documents::table
        .filter(documents::kind.eq(req.kind.as_str()))
        .filter(documents::year.eq(year))
        .select(diesel::dsl::max(documents::seq))
        .first(conn)?;
    let seq = last.unwrap_or(0) + 1;
    let serial = serial(req.kind, year, seq);
    let token = verify_token();
    let verify_url = format!(
        "{}/api/v1/documents/verify/{token}",
        public_base_url.trim_end_matches('/')
    );
    let mut data = req.data.clone();
    if let Value::Object(m) = &mut data {
        m.insert("serial".into(), json!(serial));
        m.insert("verify_url".into(), json!(verify_url));
        m.insert("issued_on".into(), json!(today.to_string()));
        m.insert("issued_on_zh".into(), json!(chinese_date(today)));
    }
    check_glyphs(renderer, &data)?;
    let pdf = renderer
        .render(req.kind, &data)
        .map_err(|e| ApiError::internal(format!("rendering {serial} failed: {e}")))?;
    let hash = hex::encode(Sha256::digest(&pdf));
    let now = Utc::now().naive_utc();
    let doc: DocumentMeta = diesel::insert_into(documents::table)
        .values((
            documents::serial.eq(&serial),
            documents::kind.eq(req.kind.as_str()),
            documents::year.eq(year),
            documents::seq.eq(seq),
            documents::status.eq("valid"),
            documents::verify_token.eq(&token),
            documents::subject_key.eq(&req.subject_key),
            documents::person_name.eq(&req.person_name),
            documents::post_label.eq(&req.post_label),
            documents::body_name.eq(&req.body_name),
            documents::term_label.eq(&req.term_label),
            documents::person_id.eq(req.person_id),
            documents::appointment_id.eq(req.appointment_id),
            documents::source_event_id.eq(&req.source_event_id),
            documents::data.eq(data.to_string()),
            documents::pdf.eq(&pdf),
            documents::content_hash.eq(&hash),
            documents::issued_at.eq(now),
        ))
        .execute(conn)
        .and_then(|_| {
            documents::table
                .filter(documents::serial.eq(&serial))
                .select(DocumentMeta::as_select())
                .first(conn)
        })?;
    if let Some(prev) = &req.supersedes_subject {
        diesel::update(
            documents::table
                .filter(documents::subject_key.eq(prev))
                .filter(documents::kind.eq(req.kind.as_str()))
                .filter(documents::status.eq("valid"))
                .filter(documents::id.ne(doc.id)),
        )
        .set((
            documents::status.eq("superseded"),
            documents::superseded_by.eq(Some(doc.id)),
        ))
        .execute(conn)?;
    }
    let mut recipients: Vec<String> = req
        .recipients
        .iter()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    recipients.sort();
    recipients.dedup();
    for r in recipients {
        diesel::insert_into(deliveries::table)
            .values((
                deliveries::document_id.eq(doc.id),
                deliveries::message_id.eq(message_id(&serial, &r)),
                deliveries::recipient.eq(&r),
                deliveries::status.eq("queued"),
                deliveries::next_attempt_at.eq(now),
                deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(doc)
}

/// Revokes the valid documents of `kind` about `subject` (an appointment that ended early).
pub fn revoke(conn: &mut DbConn, kind: DocumentKind, subject: &str, reason: &str) -> Result<usize, ApiError> {
    Ok(diesel::update(
        documents::table
            .filter(documents::subject_key.eq(subject))
            .filter(documents::kind.eq(kind.as_str()))
            .filter(documents::status.eq("valid")),
    )
    .set((
        documents::status.eq("revoked"),
        documents::revoked_at.eq(Some(Utc::now().naive_utc())),
        documents::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_numbers_in_chinese() {
        assert_eq!(small_number_zh(1), "一");
        assert_eq!(small_number_zh(10), "十");
        assert_eq!(small_number_zh(12), "十二");
        assert_eq!(small_number_zh(20), "二十");
        assert_eq!(small_number_zh(23), "二十三");
    }

    #[test]
    fn message_ids_are_stable_per_document_and_recipient() {
        let a = message_id("JGLM-PS-2026-000001", "Zhang@Example.cn");
        assert_eq!(a, message_id("JGLM-PS-2026-000001", "zhang@example.cn "));
        assert_ne!(a, message_id("JGLM-PS-2026-000002", "zhang@example.cn"));
        assert!(a.starts_with("<JGLM-PS-2026-000001.") && a.ends_with("@jglm.documents>"));
    }
}
