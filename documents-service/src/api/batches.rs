//! `POST /documents/batches`: certificates (and optionally e-mails) for many appointments at
//! once; `GET /documents/batches/{id}`: its progress. The appointments' facts come from
//! members-service when the batch is made, so what is printed is what was true then.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use alliance_events::AppointmentFacts;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use crate::batches::BatchWaker;
use crate::db::schema::{batch_items, batches};

/// At most this many appointments in one batch.
pub const MAX_ITEMS: usize = 5000;
/// Failed items listed in a batch's answer.
const FAILURES_SHOWN: i64 = 100;

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
    pub kind: String,
    /// running or finished
    pub status: String,
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

type BatchRow = (
    i64,
    String,
    String,
    bool,
    bool,
    i32,
    i32,
    i32,
    i32,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn columns() -> (
    batches::id,
    batches::kind,
    batches::status,
    batches::send_mail,
    batches::reissue,
    batches::total,
    batches::issued,
    batches::existing,
    batches::failed,
    batches::requested_by,
    batches::created_at,
    batches::finished_at,
) {
    (
        batches::id,
        batches::kind,
        batches::status,
        batches::send_mail,
        batches::reissue,
        batches::total,
        batches::issued,
        batches::existing,
        batches::failed,
        batches::requested_by,
        batches::created_at,
        batches::finished_at,
    )
}

fn to_batch(r: BatchRow, failures: Vec<ItemFailure>) -> Batch {
    let (id, kind, status, send_mail, reissue, total, issued, existing, failed, requested_by, created_at, finished_at) =
        r;
    Batch {
        id,
        kind,
        status,
        send_mail,
        reissue,
        total,
        done: issued + existing,
        issued,
        existing,
        failed,
        pending: (total - issued - existing - failed).max(0),
        failures,
        requested_by,
        created_at,
        finished_at,
    }
}

fn load(c: &mut DbConn, id: i64) -> Result<Batch, ApiError> {
    let row: BatchRow = batches::table
        .find(id)
        .select(columns())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no batch {id}")))?;
    let failures = batch_items::table
        .filter(batch_items::batch_id.eq(id))
        .filter(batch_items::status.eq("failed"))
        .order(batch_items::id)
        .limit(FAILURES_SHOWN)
        .select((batch_items::appointment_id, batch_items::error))
        .load::<(i64, Option<String>)>(c)?
        .into_iter()
        .map(|(appointment_id, error)| ItemFailure {
            appointment_id,
            error: error.unwrap_or_default(),
        })
        .collect();
    Ok(to_batch(row, failures))
}

/// Batches are the Center's work, or a system's with `documents:write`.
fn may_issue(caller: &Caller) -> Result<(), ApiError> {
    caller.require_admin_or_scope("documents:write")
}

fn may_read(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Service && caller.has_scope("documents:write") {
        return Ok(());
    }
    caller.require_admin_or_scope("documents:read")
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

#[derive(Deserialize)]
struct FactsAnswer {
    items: Vec<AppointmentFacts>,
}

fn id_of(facts: &AppointmentFacts) -> i64 {
    facts.appointment_id
}

fn list_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// The appointments' facts from members-service; every named appointment must exist and be active.
async fn fetch_facts(peers: &Peers, b: &NewBatch) -> Result<Vec<AppointmentFacts>, ApiError> {
    let path = match (&b.appointment_ids, b.body_id) {
        (Some(ids), _) => format!("/internal/v1/appointment-facts?ids={}", list_ids(ids).replace(' ', "")),
        (None, Some(body)) => format!("/internal/v1/appointment-facts?body_id={body}"),
        (None, None) => return Ok(Vec::new()),
    };
    let answer: FactsAnswer = peers.get_json("members", &path).await?;
    let mut facts = answer.items;
    if let Some(ids) = &b.appointment_ids {
        let mut missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !facts.iter().any(|f| id_of(f) == *id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            return Err(ApiError::unprocessable(
                Code::AppointmentsNotFound,
                format!("no such appointments: {}", list_ids(&missing)),
            ));
        }
        let inactive: Vec<i64> = facts.iter().filter(|f| f.status != "active").map(id_of).collect();
        if !inactive.is_empty() {
            return Err(ApiError::unprocessable(
                Code::AppointmentsNotActive,
                format!(
                    "only active appointments get a certificate; not active: {}",
                    list_ids(&inactive)
                ),
            ));
        }
    }
    facts.sort_by_key(id_of);
    facts.dedup_by_key(|f| id_of(f));
    if facts.is_empty() {
        return Err(ApiError::unprocessable(
            Code::NoAppointments,
            "the body has no active appointments to certify",
        ));
    }
    Ok(facts)
}

fn by_key(c: &mut DbConn, key: &str) -> Result<Option<i64>, ApiError> {
    Ok(batches::table
        .filter(batches::idempotency_key.eq(key))
        .select(batches::id)
        .first(c)
        .optional()?)
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
    may_issue(&caller)?;
    let b = body_in.into_inner();
    check(&b)?;
    let key = service_kit::idempotency::key(&req)?;
    if let Some(k) = key.clone() {
        let earlier = db
            .run(move |c| by_key(c, &k)?.map(|id| load(c, id)).transpose())
            .await?;
        if let Some(batch) = earlier {
            return Ok(HttpResponse::Ok().json(batch));
        }
    }
    let facts = fetch_facts(&peers, &b).await?;
    let requested_by = caller.subject.clone();
    let (batch, fresh) = db
        .write(move |c| {
            // A concurrent request with the same key may have won the race.
            if let Some(k) = &key
                && let Some(id) = by_key(c, k)?
            {
                return Ok((load(c, id)?, false));
            }
            let total = i32::try_from(facts.len()).map_err(ApiError::internal)?;
            let id: i64 = diesel::insert_into(batches::table)
                .values((
                    batches::kind.eq("appointment_certificate"),
                    batches::status.eq("running"),
                    batches::send_mail.eq(b.send_mail),
                    batches::reissue.eq(b.reissue),
                    batches::total.eq(total),
                    batches::requested_by.eq(&requested_by),
                    batches::idempotency_key.eq(&key),
                    batches::created_at.eq(Utc::now().naive_utc()),
                ))
                .returning(batches::id)
                .get_result(c)?;
            for f in &facts {
                diesel::insert_into(batch_items::table)
                    .values((
                        batch_items::batch_id.eq(id),
                        batch_items::appointment_id.eq(id_of(f)),
                        batch_items::facts.eq(serde_json::to_string(f).map_err(ApiError::internal)?),
                        batch_items::status.eq("pending"),
                    ))
                    .execute(c)?;
            }
            Ok((load(c, id)?, true))
        })
        .await?;
    if !fresh {
        return Ok(HttpResponse::Ok().json(batch));
    }
    waker.wake();
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
    may_read(&caller)?;
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(db.run(move |c| load(c, id)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchFilter {
    /// running or finished
    pub status: Option<String>,
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
    may_read(&caller)?;
    let (limit, after) = (page.limit()?, page.after_id()?);
    let status = filter.into_inner().status;
    let rows: Vec<BatchRow> = db
        .run(move |c| {
            let mut q = batches::table
                .filter(batches::id.gt(after))
                .order(batches::id)
                .limit(limit + 1)
                .select(columns())
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(batches::status.eq(s));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items: Vec<Batch> = rows.into_iter().map(|r| to_batch(r, Vec::new())).collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |b| b.id)))
}
