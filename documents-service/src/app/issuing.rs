//! Issuing a document: a serial unique per kind and year, an unguessable verification token,
//! the PDF rendered from JSON data, its SHA-256, and a delivery per recipient.
//!
//! No lock is held while a document renders (several milliseconds of typst): the serial is
//! reserved in a short transaction of its own, the PDF rendered with no transaction open, and
//! the document, its deliveries and the caller's own mark (an inbox event handled) stored in
//! one write transaction, so a document exists whole or not at all. A failure between the two
//! leaves a gap in the serials, never a duplicate. Renders are counted on `/metrics`
//! (`documents_renders_total`): one stored, discarded (another worker had done it) or failed.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::Connection;
use prometheus::{IntCounterVec, Opts, Registry};
use serde_json::{Value, json};
use service_kit::db::write_tx;
use service_kit::{ApiError, Code, DbConn};
use sha2::{Digest, Sha256};

use crate::app::credentials::CredentialIssuer;
use crate::db::models::{DocumentMeta, NewDelivery, NewDocument};
use crate::db::{deliveries, documents, serials};
use crate::domain::credentials::Certificate;
use crate::domain::dates::ChineseDate;
use crate::domain::kinds::DocumentKind;
use crate::domain::mail::{message_id, recipients};
use crate::domain::serials::{serial, verify_token};
use crate::domain::states::{DeliveryStatus, DocumentStatus};
use crate::domain::status_list::has_credential;

/// What turns data into PDF bytes (the typst renderer in production).
pub trait DocumentRenderer: Send + Sync {
    fn render(&self, kind: DocumentKind, data: &Value) -> Result<Vec<u8>, String>;
    /// Characters in any string of `data` that no loaded font can draw.
    fn missing_glyphs_in(&self, data: &Value) -> Vec<char>;
}

pub use crate::domain::requests::IssueRequest;

impl DocumentRenderer for crate::render::Renderer {
    fn render(&self, kind: DocumentKind, data: &Value) -> Result<Vec<u8>, String> {
        crate::render::Renderer::render(self, kind, data).map_err(|e| e.to_string())
    }
    fn missing_glyphs_in(&self, data: &Value) -> Vec<char> {
        crate::render::Renderer::missing_glyphs_in(self, data)
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

/// A document whose serial and token are chosen and whose template data is complete: all
/// that is left is to render it and [`store`] it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub req: IssueRequest,
    pub year: i32,
    pub seq: i32,
    pub serial: String,
    pub token: String,
    /// The template data, with `serial`, `verify_url`, `issued_on` and `issued_on_zh` added
    /// (and `credential` for a certificate).
    pub data: Value,
    /// When it is issued (UTC): its credential's `validFrom`, the stored `issued_at`.
    pub issued_at: NaiveDateTime,
    /// A certificate's signed credential (VC-JOSE JWT).
    pub credential: Option<String>,
}

/// Reserves `n` consecutive sequence numbers of `kind` in `year`, in a transaction of its own, and
/// returns the first (see [`serials::reserve_alone`]).
pub fn reserve_serials(conn: &mut DbConn, kind: DocumentKind, year: i32, n: i32) -> Result<i32, ApiError> {
    serials::reserve_alone(conn, kind, year, n)
}

/// Chooses the token, completes the data of `req` as document number `seq` of `year`, and signs
/// a certificate's credential (its status bit follows from `seq`, so it is known before render).
pub fn prepare(req: IssueRequest, press: &Press, today: NaiveDate, seq: i32) -> Result<Prepared, ApiError> {
    let year = today.year();
    let serial = serial(req.kind, year, seq);
    let token = verify_token();
    let verify_url = format!("{}/v/{token}", press.public_base_url.trim_end_matches('/'));
    let issued_at = Utc::now().naive_utc();
    let credential = if has_credential(req.kind) {
        let text = |k: &str| req.data.get(k).and_then(Value::as_str).unwrap_or_default();
        let honor =
            (req.kind == DocumentKind::CommendationCertificate).then(|| (text("honor_title"), text("citation")));
        Some(press.credentials.certificate(
            year,
            seq,
            &Certificate {
                id: &verify_url,
                kind: req.kind,
                serial: &serial,
                person_name: &req.person_name,
                post: &req.post_label,
                body: &req.body_name,
                term: &req.term_label,
                honor,
                issued_at,
                valid_until: req.valid_until,
            },
        )?)
    } else {
        None
    };
    let mut data = req.data.clone();
    if let Value::Object(m) = &mut data {
        m.insert("serial".into(), json!(serial));
        m.insert("verify_url".into(), json!(verify_url));
        // A meeting notice's reply page (issue 13), served by meetings-service at `/r/…`.
        // and the invitee's calendar feed at `/c/…`.
        let base = press.public_base_url.trim_end_matches('/');
        for (link, url, prefix) in [("reply_link", "reply_url", "r"), ("feed_link", "feed_url", "c")] {
            let link = m.get(link).and_then(Value::as_str).map(str::to_owned);
            if let Some(link) = link {
                m.insert(url.into(), json!(format!("{base}/{prefix}/{link}")));
            }
        }
        m.insert("issued_on".into(), json!(today.to_string()));
        m.insert("issued_on_zh".into(), json!(ChineseDate::new(today).to_string()));
        if let Some(c) = &credential {
            m.insert("credential".into(), json!(c));
        }
    }
    Ok(Prepared {
        req,
        year,
        seq,
        serial,
        token,
        data,
        issued_at,
        credential,
    })
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
    match &req.source_event_id {
        Some(ev) => documents::for_event(conn, ev, req.kind),
        None => Ok(None),
    }
}

/// How [`issue`] ended.
#[derive(Debug)]
pub enum Issued {
    /// Rendered and stored now.
    New(DocumentMeta),
    /// The request's source event had its document already; nothing new was stored.
    Existing(DocumentMeta),
    /// The caller's claim on the work was gone when it came to storing (see [`issue`]).
    NotOurs,
}

impl Issued {
    /// The document, new or existing.
    pub fn document(self) -> Option<DocumentMeta> {
        match self {
            Issued::New(d) | Issued::Existing(d) => Some(d),
            Issued::NotOurs => None,
        }
    }
}

/// What issuing needs besides the database and the request.
#[derive(Clone)]
pub struct Press {
    pub renderer: std::sync::Arc<dyn DocumentRenderer>,
    /// Printed in the verification URL and its QR code.
    pub public_base_url: String,
    pub tally: RenderTally,
    /// Signs each certificate's verifiable credential (issue 12).
    pub credentials: std::sync::Arc<CredentialIssuer>,
}

/// Renders, counted by what became of them: `stored`, `discarded` (rendered, then not stored:
/// another worker had issued it, or the claim on the work lapsed meanwhile) and `failed`.
/// Two replicas sharing the work should never discard.
#[derive(Clone)]
pub struct RenderTally(IntCounterVec);

impl Default for RenderTally {
    /// A tally registered nowhere (tests and benchmarks).
    fn default() -> Self {
        Self::unregistered()
    }
}

impl RenderTally {
    fn unregistered() -> Self {
        let opts = Opts::new(
            "documents_renders_total",
            "PDF renders of issued documents, by what became of them (stored, discarded, failed)",
        );
        // The name and the one label are constants, so this cannot fail.
        Self(IntCounterVec::new(opts, &["outcome"]).unwrap_or_else(|e| unreachable!("{e}")))
    }

    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let t = Self::unregistered();
        registry.register(Box::new(t.0.clone()))?;
        for outcome in ["stored", "discarded", "failed"] {
            t.0.with_label_values(&[outcome]);
        }
        Ok(t)
    }

    pub fn add(&self, outcome: &str, n: u64) {
        self.0.with_label_values(&[outcome]).inc_by(n);
    }

    pub fn count(&self, outcome: &str) -> u64 {
        self.0.with_label_values(&[outcome]).get()
    }
}

/// Issues one document, each step in a transaction of its own (see the module's text).
///
/// `claim` runs first in the storing transaction: the caller checks there that the work is
/// still its own and marks it done; with `false` nothing is stored ([`Issued::NotOurs`]). With
/// a `source_event_id` already issued for this kind, nothing is rendered and the existing
/// document is returned (idempotent), `claim` having run likewise.
pub fn issue(
    conn: &mut DbConn,
    press: &Press,
    today: NaiveDate,
    req: IssueRequest,
    mut claim: impl FnMut(&mut DbConn) -> Result<bool, ApiError>,
) -> Result<Issued, ApiError> {
    if let Some(d) = existing_for_event(conn, &req)? {
        return write_tx(conn, |c| {
            Ok(if claim(c)? {
                Issued::Existing(d)
            } else {
                Issued::NotOurs
            })
        });
    }
    // A name no font can print fails before a serial is spent on it.
    check_glyphs(&*press.renderer, &req.data)?;
    let seq = reserve_serials(conn, req.kind, today.year(), 1)?;
    let p = prepare(req, press, today, seq)?;
    let pdf = match render_prepared(&*press.renderer, &p) {
        Ok(pdf) => pdf,
        Err(e) => {
            press.tally.add("failed", 1);
            return Err(e);
        }
    };
    let outcome = write_tx(conn, |c| {
        if !claim(c)? {
            return Ok(Issued::NotOurs);
        }
        if let Some(d) = existing_for_event(c, &p.req)? {
            return Ok(Issued::Existing(d));
        }
        store(c, &p, &pdf).map(Issued::New)
    });
    press.tally.add(
        if matches!(outcome, Ok(Issued::New(_))) {
            "stored"
        } else {
            "discarded"
        },
        1,
    );
    outcome
}

/// [`store`] in a savepoint of its own inside the caller's transaction, so a failure
/// leaves the rest of the transaction as it was (a batch stores each item this way).
pub fn store_alone(conn: &mut DbConn, p: &Prepared, pdf: &[u8]) -> Result<DocumentMeta, ApiError> {
    conn.transaction(|c| store(c, p, pdf))
}

/// Stores a rendered document with its hash, supersedes what it replaces and queues one
/// delivery per recipient, inside the caller's transaction.
pub fn store(conn: &mut DbConn, p: &Prepared, pdf: &[u8]) -> Result<DocumentMeta, ApiError> {
    let req = &p.req;
    let hash = hex::encode(Sha256::digest(pdf));
    let now = Utc::now().naive_utc();
    let doc = documents::insert(
        conn,
        &NewDocument {
            serial: &p.serial,
            kind: req.kind,
            year: p.year,
            seq: p.seq,
            status: DocumentStatus::Valid,
            verify_token: &p.token,
            subject_key: &req.subject_key,
            person_name: &req.person_name,
            post_label: &req.post_label,
            body_name: &req.body_name,
            term_label: &req.term_label,
            person_id: req.person_id,
            appointment_id: req.appointment_id,
            source_event_id: req.source_event_id.as_deref(),
            data: p.data.to_string(),
            pdf,
            content_hash: &hash,
            issued_at: p.issued_at,
            credential: p.credential.as_deref(),
        },
    )?;
    // A new document replaces the valid one of its kind about the same subject (a reissued
    // certificate, a notice sent again) and, on renewal, the previous appointment's.
    let replaced: Vec<&str> = std::iter::once(req.subject_key.as_str())
        .chain(req.supersedes_subject.as_deref())
        .collect();
    documents::supersede(conn, &replaced, req.kind, doc.id)?;
    for r in recipients(&req.recipients) {
        deliveries::insert(
            conn,
            &NewDelivery {
                document_id: doc.id,
                recipient: &r,
                message_id: message_id(&p.serial, &r),
                status: DeliveryStatus::Queued,
                next_attempt_at: now,
                created_at: now,
                queued_at: Some(now),
            },
        )?;
    }
    Ok(doc)
}

/// Revokes the valid documents of `kind` about `subject` (an appointment that ended early).
pub fn revoke(conn: &mut DbConn, kind: DocumentKind, subject: &str, reason: &str) -> Result<usize, ApiError> {
    documents::revoke(conn, kind, subject, reason, Utc::now().naive_utc())
}
