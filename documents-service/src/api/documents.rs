//! Issued documents: `GET /documents`, `GET /documents/{serial}`, `GET /documents/{serial}/pdf`
//! (byte-exact), `GET /documents/{serial}/deliveries`, and the public
//! `GET /documents/verify/{token}`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, DbConn, Problem, Role, ScopeRef};
use utoipa::{IntoParams, ToSchema};

use crate::db::models::{DeliveryRow, DocumentMeta};
use crate::db::schema::{deliveries, delivery_attempts, documents};
use crate::domain::kinds::DocumentKind;
use crate::domain::serials::looks_like_token;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "serial": "JGLM-PS-2026-000001", "kind": "appointment_certificate", "kind_label": "聘书",
    "status": "valid", "person_name": "张伟", "post_label": "理事", "body_name": "理事会", "term_label": "第一届",
    "content_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "issued_at": "2026-11-24T08:00:00.000Z"}))]
pub struct Document {
    pub id: i64,
    /// e.g. JGLM-PS-2026-000001
    pub serial: String,
    pub kind: DocumentKind,
    pub kind_label: String,
    /// valid, revoked or superseded
    pub status: String,
    pub person_name: String,
    pub post_label: String,
    pub body_name: String,
    pub term_label: String,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    /// SHA-256 of the stored PDF, hex.
    pub content_hash: String,
    #[serde(with = "service_kit::utc")]
    pub issued_at: NaiveDateTime,
    #[serde(with = "service_kit::utc::option")]
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub superseded_by: Option<i64>,
    pub verification_count: i64,
    /// The public verification path (also printed as the QR code).
    pub verify_path: String,
}

pub(crate) fn to_document(d: DocumentMeta) -> Document {
    let kind = DocumentKind::parse(&d.kind).unwrap_or(DocumentKind::AppointmentCertificate);
    Document {
        id: d.id,
        verify_path: format!("/api/v1/documents/verify/{}", d.verify_token),
        serial: d.serial,
        kind,
        kind_label: kind.label_zh().into(),
        status: d.status,
        person_name: d.person_name,
        post_label: d.post_label,
        body_name: d.body_name,
        term_label: d.term_label,
        person_id: d.person_id,
        appointment_id: d.appointment_id,
        content_hash: d.content_hash,
        issued_at: d.issued_at,
        revoked_at: d.revoked_at,
        revoked_reason: d.revoked_reason,
        superseded_by: d.superseded_by,
        verification_count: d.verification_count,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub year: Option<i32>,
    /// valid, revoked or superseded
    pub status: Option<String>,
}

/// A member reads their own documents; the Center and `documents:read` clients all.
fn may_read(caller: &Caller, d: &DocumentMeta) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Service => caller.has_scope("documents:read"),
        Role::Member => matches!(caller.scope, Some(ScopeRef::Person(p)) if Some(p) == d.person_id),
        _ => false,
    }
}

/// Before a document is looked up: callers who may read none (group secretaries, unit contacts,
/// clients without `documents:read`) get 403, not 404 for a missing one.
fn may_read_some(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Member => Ok(()),
        Role::Service => caller.require_admin_or_scope("documents:read"),
        _ => Err(ApiError::forbidden("this document is outside your scope")),
    }
}

fn by_serial(c: &mut DbConn, serial: &str) -> Result<DocumentMeta, ApiError> {
    documents::table
        .filter(documents::serial.eq(serial))
        .select(DocumentMeta::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no document {serial}")))
}

/// Issued documents; filter by kind, person, appointment, year, status.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "member:own_record", "service:documents:read"]))),
    responses((status = 200, body = Page<Document>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<DocumentFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let own_person = match (caller.role, caller.scope) {
        (Role::Member, Some(ScopeRef::Person(p))) => Some(p),
        _ => {
            caller.require_admin_or_scope("documents:read")?;
            None
        }
    };
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let rows = db
        .run(move |c| {
            let mut q = documents::table
                .filter(documents::id.gt(after))
                .order(documents::id)
                .limit(limit + 1)
                .select(DocumentMeta::as_select())
                .into_boxed();
            if let Some(p) = own_person {
                q = q.filter(documents::person_id.eq(p));
            }
            if let Some(k) = f.kind {
                q = q.filter(documents::kind.eq(k.as_str()));
            }
            if let Some(p) = f.person_id {
                q = q.filter(documents::person_id.eq(p));
            }
            if let Some(a) = f.appointment_id {
                q = q.filter(documents::appointment_id.eq(a));
            }
            if let Some(y) = f.year {
                q = q.filter(documents::year.eq(y));
            }
            if let Some(s) = f.status {
                q = q.filter(documents::status.eq(s));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items: Vec<Document> = rows.into_iter().map(to_document).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |d| d.id)))
}

/// One document's metadata.
#[utoipa::path(get, path = "/api/v1/documents/{serial}", tag = "documents", params(("serial" = String, Path)),
    extensions(("x-roles" = json!(["admin", "member:own_record", "service:documents:read"]))),
    responses((status = 200, body = Document), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, serial: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    may_read_some(&caller)?;
    let serial = serial.into_inner();
    let d = db.run(move |c| by_serial(c, &serial)).await?;
    if !may_read(&caller, &d) {
        return Err(ApiError::forbidden("this document is outside your scope"));
    }
    Ok(HttpResponse::Ok().json(to_document(d)))
}

/// The PDF, byte-exact as issued (its SHA-256 is the document's `content_hash`).
#[utoipa::path(get, path = "/api/v1/documents/{serial}/pdf", tag = "documents", params(("serial" = String, Path)),
    extensions(("x-roles" = json!(["admin", "member:own_record", "service:documents:read"]))),
    responses((status = 200, description = "application/pdf", content_type = "application/pdf"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn pdf(caller: Caller, serial: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    may_read_some(&caller)?;
    let serial = serial.into_inner();
    let (meta, bytes) = db
        .run(move |c| {
            let meta = by_serial(c, &serial)?;
            let bytes: Vec<u8> = documents::table.find(meta.id).select(documents::pdf).first(c)?;
            Ok((meta, bytes))
        })
        .await?;
    if !may_read(&caller, &meta) {
        return Err(ApiError::forbidden("this document is outside your scope"));
    }
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.pdf\"", meta.serial),
        ))
        .insert_header((header::ETAG, format!("\"{}\"", meta.content_hash)))
        .body(bytes))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Attempt {
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
    /// sent, retry or failed
    pub outcome: String,
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub recipient: String,
    pub message_id: String,
    /// queued, sent or failed
    pub status: String,
    pub attempts: i32,
    #[serde(with = "service_kit::utc::option")]
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub history: Vec<Attempt>,
}

/// E-mail deliveries of a document, with every attempt.
#[utoipa::path(get, path = "/api/v1/documents/{serial}/deliveries", tag = "documents", params(("serial" = String, Path)),
    extensions(("x-roles" = json!(["admin", "member:own_record", "service:documents:read"]))),
    responses((status = 200, body = [Delivery]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn deliveries_of(
    caller: Caller,
    serial: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    may_read_some(&caller)?;
    let serial = serial.into_inner();
    let (meta, out) = db
        .run(move |c| {
            let meta = by_serial(c, &serial)?;
            let rows: Vec<DeliveryRow> = deliveries::table
                .filter(deliveries::document_id.eq(meta.id))
                .order(deliveries::id)
                .select(DeliveryRow::as_select())
                .load(c)?;
            let mut out = Vec::new();
            for d in rows {
                let history = delivery_attempts::table
                    .filter(delivery_attempts::delivery_id.eq(d.id))
                    .order(delivery_attempts::id)
                    .select((
                        delivery_attempts::at,
                        delivery_attempts::outcome,
                        delivery_attempts::detail,
                    ))
                    .load::<(NaiveDateTime, String, String)>(c)?
                    .into_iter()
                    .map(|(at, outcome, detail)| Attempt { at, outcome, detail })
                    .collect();
                out.push(Delivery {
                    recipient: d.recipient,
                    message_id: d.message_id,
                    status: d.status,
                    attempts: d.attempts,
                    sent_at: d.sent_at,
                    last_error: d.last_error,
                    history,
                });
            }
            Ok((meta, out))
        })
        .await?;
    if !may_read(&caller, &meta) {
        return Err(ApiError::forbidden("this document is outside your scope"));
    }
    Ok(HttpResponse::Ok().json(out))
}

/// What anyone may learn from a verification link: no personal data beyond name and post.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "valid", "kind": "appointment_certificate", "kind_label": "聘书", "serial": "JGLM-PS-2026-000001",
    "name": "张伟", "post": "理事", "body": "理事会", "term": "第一届", "revoked_on": null}))]
pub struct Verification {
    /// valid, revoked or superseded
    pub status: String,
    pub kind: DocumentKind,
    pub kind_label: String,
    pub serial: String,
    pub name: String,
    pub post: String,
    pub body: String,
    pub term: String,
    /// When revoked (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub revoked_on: Option<NaiveDateTime>,
}

/// Public: is this document genuine and still valid? No token needed. Unknown tokens get 404
/// without saying whether any serial exists.
#[utoipa::path(get, path = "/api/v1/documents/verify/{token}", tag = "documents", params(("token" = String, Path)),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, body = Verification), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(()))]
pub async fn verify(token: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let unknown = || ApiError::not_found("no document has this verification link");
    if !looks_like_token(&token) {
        return Err(unknown());
    }
    let found = db
        .write(move |c| {
            let d = documents::table
                .filter(documents::verify_token.eq(&token))
                .select(DocumentMeta::as_select())
                .first(c)
                .optional()?;
            if let Some(d) = &d {
                diesel::update(documents::table.find(d.id))
                    .set(documents::verification_count.eq(documents::verification_count + 1))
                    .execute(c)?;
            }
            Ok(d)
        })
        .await?;
    let d = found.ok_or_else(unknown)?;
    let kind = DocumentKind::parse(&d.kind).unwrap_or(DocumentKind::AppointmentCertificate);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Verification {
            status: d.status,
            kind,
            kind_label: kind.label_zh().into(),
            serial: d.serial,
            name: d.person_name,
            post: d.post_label,
            body: d.body_name,
            term: d.term_label,
            revoked_on: d.revoked_at,
        }))
}
