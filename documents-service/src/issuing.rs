//! Issuing a document: a serial unique per kind and year, an unguessable verification token,
//! the PDF rendered from JSON data, its SHA-256, and a delivery per recipient — one write
//! transaction, so a document exists whole or not at all.

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use service_kit::{ApiError, Code, DbConn};
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
        Code::MissingGlyphs,
        format!("the fonts cannot print these characters, so the document was not issued: {list}"),
    ))
}

/// A stable Message-ID for a document's delivery to one recipient.
pub fn message_id(serial: &str, recipient: &str) -> String {
    let h = Sha256::digest(recipient.trim().to_lowercase().as_bytes());
    format!("<{serial}.{}@jglm.documents>", hex::encode(&h[..8]))
}

/// A document whose serial and token are chosen and whose template data is complete: all
/// that is left is to render it and [`store`] it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub req: IssueRequest,
    pub year: i32,
    pub seq: i32,
    pub serial: String,
    pub token: String,
    /// The template data, with `serial`, `verify_url`, `issued_on` and `issued_on_zh` added.
    pub data: Value,
}

/// Reserves `n` consecutive sequence numbers of `kind` in `year` and returns the first. The
/// counter row is locked until the caller's transaction ends, so concurrent issuers (and
/// replicas) never share a number; the (kind, year, seq) unique key stands behind it. Its
/// first use in a year starts after any number already issued.
pub fn reserve_serials(conn: &mut DbConn, kind: DocumentKind, year: i32, n: i32) -> Result<i32, ApiError> {
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
    .bind::<diesel::sql_types::Text, _>(kind.as_str())
    .bind::<diesel::sql_types::Integer, _>(year)
    .bind::<diesel::sql_types::Integer, _>(n)
    .get_result(conn)?;
    Ok(last.last - n + 1)
}

/// Chooses the token and completes the data of `req` as document number `seq` of `year`.
pub fn prepare(req: IssueRequest, public_base_url: &str, today: NaiveDate, seq: i32) -> Prepared {
    let year = today.year();
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
    Prepared {
        req,
        year,
        seq,
        serial,
        token,
        data,
    }
}

/// Checks the glyphs and renders a prepared document.
pub fn render_prepared(renderer: &dyn DocumentRenderer, p: &Prepared) -> Result<Vec<u8>, ApiError> {
    check_glyphs(renderer, &p.data)?;
    renderer
        .render(p.req.kind, &p.data)
        .map_err(|e| ApiError::internal(format!("rendering {} failed: {e}", p.serial)))
}

/// The document already issued for this request's source event, if any.
pub fn existing_for_event(conn: &mut DbConn, req: &IssueRequest) -> Result<Option<DocumentMeta>, ApiError> {
    let Some(ev) = &req.source_event_id else {
        return Ok(None);
    };
    Ok(documents::table
        .filter(documents::source_event_id.eq(ev))
        .filter(documents::kind.eq(req.kind.as_str()))
        .select(DocumentMeta::as_select())
        .first(conn)
        .optional()?)
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
    if let Some(d) = existing_for_event(conn, &req)? {
        return Ok(d);
    }
    let seq = reserve_serials(conn, req.kind, today.year(), 1)?;
    let p = prepare(req, public_base_url, today, seq);
    let pdf = render_prepared(renderer, &p)?;
    store(conn, &p, &pdf)
}

/// Stores a rendered document with its hash, supersedes what it replaces and queues one
/// delivery per recipient, inside the caller's transaction.
pub fn store(conn: &mut DbConn, p: &Prepared, pdf: &[u8]) -> Result<DocumentMeta, ApiError> {
    let req = &p.req;
    let hash = hex::encode(Sha256::digest(pdf));
    let now = Utc::now().naive_utc();
    let doc: DocumentMeta = diesel::insert_into(documents::table)
        .values((
            documents::serial.eq(&p.serial),
            documents::kind.eq(req.kind.as_str()),
            documents::year.eq(p.year),
            documents::seq.eq(p.seq),
            documents::status.eq("valid"),
            documents::verify_token.eq(&p.token),
            documents::subject_key.eq(&req.subject_key),
            documents::person_name.eq(&req.person_name),
            documents::post_label.eq(&req.post_label),
            documents::body_name.eq(&req.body_name),
            documents::term_label.eq(&req.term_label),
            documents::person_id.eq(req.person_id),
            documents::appointment_id.eq(req.appointment_id),
            documents::source_event_id.eq(&req.source_event_id),
            documents::data.eq(p.data.to_string()),
            documents::pdf.eq(pdf),
            documents::content_hash.eq(&hash),
            documents::issued_at.eq(now),
        ))
        .execute(conn)
        .and_then(|_| {
            documents::table
                .filter(documents::serial.eq(&p.serial))
                .select(DocumentMeta::as_select())
                .first(conn)
        })?;
    let serial = &p.serial;
    // A new document replaces the valid one of its kind about the same subject (a reissued
    // certificate, a notice sent again) and, on renewal, the previous appointment's.
    let replaced: Vec<&str> = std::iter::once(req.subject_key.as_str())
        .chain(req.supersedes_subject.as_deref())
        .collect();
    diesel::update(
        documents::table
            .filter(documents::subject_key.eq_any(replaced))
            .filter(documents::kind.eq(req.kind.as_str()))
            .filter(documents::status.eq("valid"))
            .filter(documents::id.ne(doc.id)),
    )
    .set((
        documents::status.eq("superseded"),
        documents::superseded_by.eq(Some(doc.id)),
    ))
    .execute(conn)?;
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
                deliveries::message_id.eq(message_id(serial, &r)),
                deliveries::recipient.eq(&r),
                deliveries::status.eq("queued"),
                deliveries::next_attempt_at.eq(now),
                deliveries::created_at.eq(now),
                deliveries::queued_at.eq(Some(now)),
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
