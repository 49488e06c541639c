//! `POST /documents/batches`: certificates (and optionally e-mails) for many appointments at
//! once; `GET /documents/batches/{id}`: its progress. The appointments' facts come from
//! members-service when the batch is made, so what is printed is what was true then.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access::{may_issue_batches, may_read_batches};
use crate::app::batches::{self, BatchState, BatchWaker, Order};
use crate::db::models::BatchRow;
use crate::domain::kinds::DocumentKind;
use crate::domain::states::BatchStatus;

/// At most this many appointments in one batch.
pub const MAX_ITEMS: usize = 5000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "send_mail": true}))]
pub struct NewBatch {
    /// These appointments (active ones only) …
    #[schema(min_items = 1)]
    pub appointment_ids: Option<Vec<i64>>,
    /// … or every active appointment of this body (e.g. the whole council).
    #[schema(minimum = 1)]
    pub body_id: Option<i64>,
    /// E-mail each certificate to its holder (default true).
    #[serde(default = "yes")]
    pub send_mail: bool,
    /// Issue a new certificate even where a valid one exists; it supersedes the old one.
    /// Without it such appointments count as `existing` and keep their certificate.
    #[serde(default)]
    pub reissue: bool,
}

/// What [`create`] asks of a [`NewBatch`] beyond its fields: exactly one of appointment_ids and
/// body_id.
pub struct NewBatchConditions;

impl utoipa::Modify for NewBatchConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let one_of = serde_json::json!({"oneOf": [
            {"required": ["appointment_ids"], "properties": {"appointment_ids": {"type": "array"}}},
            {"required": ["body_id"], "properties": {"body_id": {"type": "integer"}}},
        ]});
        service_kit::contract::add_condition(doc, "NewBatch", one_of);
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemFailure {
    pub appointment_id: i64,
    pub error: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "kind": "appointment_certificate", "status": "running", "send_mail": true, "reissue": false,
    "total": 200, "done": 96, "issued": 90, "existing": 6, "failed": 0, "pending": 104, "failures": [],
    "requested_by": "account:1", "created_at": "2026-11-27T08:00:00.000Z", "finished_at": null}))]
pub struct Batch {
    pub id: i64,
    pub kind: DocumentKind,
    pub status: BatchStatus,
    pub send_mail: bool,
    pub reissue: bool,
    pub total: i32,
    /// issued + existing
    pub done: i32,
    /// New certificates.
    pub issued: i32,
    /// Appointments that already had a valid certificate (without `reissue`).
    pub existing: i32,
    pub failed: i32,
    pub pending: i32,
    /// The first failed items with the reason (e.g. a character no font has).
    pub failures: Vec<ItemFailure>,
    pub requested_by: String,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "service_kit::utc::option")]
    pub finished_at: Option<NaiveDateTime>,
}

fn to_batch(r: BatchRow, failures: Vec<ItemFailure>) -> Batch {
    Batch {
        id: r.id,
        kind: r.kind,
        status: r.status,
        send_mail: r.send_mail,
        reissue: r.reissue,
        total: r.total,
        done: r.issued + r.existing,
        issued: r.issued,
        existing: r.existing,
        failed: r.failed,
        pending: (r.total - r.issued - r.existing - r.failed).max(0),
        failures,
        requested_by: r.requested_by,
        created_at: r.created_at,
        finished_at: r.finished_at,
    }
}

fn from_state(b: BatchState) -> Batch {
    let failures = b
        .failures
        .into_iter()
        .map(|(appointment_id, error)| ItemFailure { appointment_id, error })
        .collect();
    to_batch(b.row, failures)
}

fn check(b: &NewBatch) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    match (&b.appointment_ids, b.body_id) {
        (Some(_), Some(_)) | (None, None) => errors.push(FieldError::new(
            "appointment_ids",
            Code::OneOf,
            "give either appointment_ids or body_id",
        )),
        (Some(ids), None) if ids.is_empty() => errors.push(FieldError::new(
            "appointment_ids",
            Code::Empty,
            "name at least one appointment",
        )),
        (Some(ids), None) if ids.len() > MAX_ITEMS => errors.push(FieldError::new(
            "appointment_ids",
            Code::TooMany,
            format!("at most {MAX_ITEMS} appointments per batch"),
        )),
        _ => {}
    }
    if b.body_id.is_some_and(|id| id < 1) {
        errors.push(FieldError::new("body_id", Code::Invalid, "a body id is positive"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Issue certificates for many appointments at once; answers 202 at once with the batch,
/// whose progress `GET /documents/batches/{id}` shows. The same `Idempotency-Key` returns the
/// same batch (200) instead of making another.
#[utoipa::path(post, path = "/api/v1/documents/batches", tag = "documents", request_body = NewBatch,
    extensions(("x-roles" = json!(["admin", "service:documents:write"]))),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\t ]*[!-~](?:[ -~\t]{0,198}[!-~])?[\t ]*$", description = "the same key returns the same batch")),
    responses((status = 202, body = Batch, description = "accepted; being issued"),
        (status = 200, body = Batch, description = "the batch made earlier with this Idempotency-Key"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "unknown or inactive appointments"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "members-service unreachable")))]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    body_in: service_kit::json::Json<NewBatch>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    waker: web::Data<BatchWaker>,
) -> Result<HttpResponse, ApiError> {
    may_issue_batches(&caller)?;
    let b = body_in.into_inner();
    check(&b)?;
    let order = Order {
        appointment_ids: b.appointment_ids,
        body_id: b.body_id,
        send_mail: b.send_mail,
        reissue: b.reissue,
        requested_by: caller.subject.clone(),
        idempotency_key: service_kit::idempotency::key(&req)?,
    };
    let (batch, fresh) = batches::create(&db, &peers, &waker, order).await?;
    let batch = from_state(batch);
    if !fresh {
        return Ok(HttpResponse::Ok().json(batch));
    }
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/documents/batches/{}", batch.id)))
        .json(batch))
}

/// A batch and its progress: total, done (issued + existing), failed, pending.
#[utoipa::path(get, path = "/api/v1/documents/batches/{id}", tag = "documents", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "service:documents:read", "service:documents:write"]))),
    responses((status = 200, body = Batch), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    may_read_batches(&caller)?;
    let id = id.into_inner();
    let batch = db.run(move |c| batches::load(c, id)).await?;
    Ok(HttpResponse::Ok().json(from_state(batch)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchFilter {
    pub status: Option<BatchStatus>,
}

/// Batches, oldest first.
#[utoipa::path(get, path = "/api/v1/documents/batches", tag = "documents", params(BatchFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "service:documents:read", "service:documents:write"]))),
    responses((status = 200, body = Page<Batch>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<BatchFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    may_read_batches(&caller)?;
    let w = page.window()?;
    let status = filter.into_inner().status;
    let rows = db.run(move |c| batches::list(c, status, w)).await?;
    Ok(HttpResponse::Ok().json(rows.map(|r| to_batch(r, Vec::new()))))
}
