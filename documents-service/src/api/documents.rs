//! Issued documents: `GET /documents`, `GET /documents/{serial}`, `GET /documents/{serial}/pdf`
//! (byte-exact) and `GET /documents/{serial}/deliveries`; public verification is in
//! [`super::verification`].

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access::{may_read, may_read_some, may_read_some_or_lists, own_person};
use super::{Document, to_document};
use crate::app::{delivery, documents};
use crate::db::models::{AttemptRow, DeliveryRow};
use crate::domain::kinds::DocumentKind;
use crate::domain::states::{AttemptOutcome, DeliveryStatus, DocumentStatus};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub year: Option<i32>,
    pub status: Option<DocumentStatus>,
}

impl From<DocumentFilter> for documents::DocumentFilter {
    fn from(f: DocumentFilter) -> Self {
        Self {
            kind: f.kind,
            person_id: f.person_id,
            appointment_id: f.appointment_id,
            year: f.year,
            status: f.status,
        }
    }
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
    let own = own_person(&caller)?;
    let w = page.window()?;
    let f = documents::DocumentFilter::from(filter.into_inner());
    let rows = db.run(move |c| documents::list(c, &f, own, w)).await?;
    Ok(HttpResponse::Ok().json(rows.map(to_document)))
}

/// One document's metadata.
#[utoipa::path(get, path = "/api/v1/documents/{serial}", tag = "documents", params(("serial" = String, Path, pattern = r"^JGLM-[A-Z]{2}-[0-9]{4}-[0-9]{6,9}$")),
    extensions(("x-roles" = json!(["admin", "member:own_record", "group_secretary:own_group", "service:documents:read"]))),
    responses((status = 200, body = Document), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, serial: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    may_read_some_or_lists(&caller)?;
    let serial = serial.into_inner();
    let d = db.run(move |c| documents::find(c, &serial)).await?;
    may_read(&caller, &d)?;
    Ok(HttpResponse::Ok().json(to_document(d)))
}

/// The PDF, byte-exact as issued (its SHA-256 is the document's `content_hash`).
#[utoipa::path(get, path = "/api/v1/documents/{serial}/pdf", tag = "documents", params(("serial" = String, Path, pattern = r"^JGLM-[A-Z]{2}-[0-9]{4}-[0-9]{6,9}$")),
    extensions(("x-roles" = json!(["admin", "member:own_record", "group_secretary:own_group", "service:documents:read"]))),
    responses((status = 200, description = "application/pdf", content_type = "application/pdf"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn pdf(caller: Caller, serial: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    may_read_some_or_lists(&caller)?;
    let serial = serial.into_inner();
    let (meta, bytes) = db.run(move |c| documents::with_pdf(c, &serial)).await?;
    may_read(&caller, &meta)?;
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
    pub outcome: AttemptOutcome,
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub recipient: String,
    pub message_id: String,
    /// queued, sent or failed
    pub status: DeliveryStatus,
    pub attempts: i32,
    #[serde(with = "service_kit::utc::option")]
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub history: Vec<Attempt>,
}

fn delivery_of((d, history): (DeliveryRow, Vec<AttemptRow>)) -> Delivery {
    Delivery {
        recipient: d.recipient,
        message_id: d.message_id,
        status: d.status,
        attempts: d.attempts,
        sent_at: d.sent_at,
        last_error: d.last_error,
        history: history
            .into_iter()
            .map(|a| Attempt {
                at: a.at,
                outcome: a.outcome,
                detail: a.detail,
            })
            .collect(),
    }
}

/// E-mail deliveries of a document, with every attempt.
#[utoipa::path(get, path = "/api/v1/documents/{serial}/deliveries", tag = "documents", params(("serial" = String, Path, pattern = r"^JGLM-[A-Z]{2}-[0-9]{4}-[0-9]{6,9}$")),
    extensions(("x-roles" = json!(["admin", "member:own_record", "service:documents:read"]))),
    responses((status = 200, body = [Delivery]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn deliveries_of(
    caller: Caller,
    serial: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    may_read_some(&caller)?;
    let serial = serial.into_inner();
    let (meta, rows) = db.run(move |c| delivery::of_document(c, &serial)).await?;
    may_read(&caller, &meta)?;
    let out: Vec<Delivery> = rows.into_iter().map(delivery_of).collect();
    Ok(HttpResponse::Ok().json(out))
}
