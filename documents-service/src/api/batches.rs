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

/// 批量签发聘书的请求：`appointment_ids` 与 `body_id` 二者必须且只能提供其一。
/// A request to issue certificates in bulk: exactly one of `appointment_ids` and `body_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "send_mail": true, "reissue": false}))]
pub struct NewBatch {
    /// 为这些聘任签发（仅限在任的聘任，每批最多 5000 项）……These appointments (active ones only) …
    #[schema(min_items = 1)]
    pub appointment_ids: Option<Vec<i64>>,
    /// ……或为该机构的全部在任聘任签发（如整个理事会）。… or every active appointment of this body (e.g. the whole council).
    #[schema(minimum = 1)]
    pub body_id: Option<i64>,
    /// 是否将聘书通过电子邮件发送给持有人（默认 true）。E-mail each certificate to its holder (default true).
    #[serde(default = "yes")]
    pub send_mail: bool,
    /// 已有有效聘书时仍签发新聘书，新聘书替代旧聘书；不设置时此类聘任计为 `existing`，保留原聘书。
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

/// 批次中签发失败的一项。One failed item of a batch.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemFailure {
    /// 聘任记录编号。The appointment's id.
    pub appointment_id: i64,
    /// 失败原因。Why it failed.
    pub error: String,
}

/// 批量签发批次及其进度。A batch and its progress.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "kind": "appointment_certificate", "status": "running", "send_mail": true, "reissue": false,
    "total": 200, "done": 96, "issued": 90, "existing": 6, "failed": 0, "pending": 104, "failures": [],
    "requested_by": "account:1", "created_at": "2026-11-27T08:00:00.000Z", "finished_at": null}))]
pub struct Batch {
    /// 批次编号。The batch's id.
    pub id: i64,
    /// 签发的文件类型（聘书）。The kind of document issued (appointment certificates).
    pub kind: DocumentKind,
    /// 状态：进行中或已完成。running or finished.
    pub status: BatchStatus,
    /// 是否通过电子邮件发送给持有人。Whether each certificate is e-mailed to its holder.
    pub send_mail: bool,
    /// 是否对已有有效聘书者重新签发。Whether valid certificates are issued again.
    pub reissue: bool,
    /// 总项数。Items in all.
    pub total: i32,
    /// 已完成项数：新签发 + 已有证书。issued + existing
    pub done: i32,
    /// 新签发的聘书数。New certificates.
    pub issued: i32,
    /// 已有有效聘书的聘任数（未设置 `reissue` 时）。Appointments that already had a valid certificate (without `reissue`).
    pub existing: i32,
    /// 签发失败的项数。Items that failed.
    pub failed: i32,
    /// 待签发的项数。Items still pending.
    pub pending: i32,
    /// 前若干个失败项及原因（如字体缺少某个字符）。The first failed items with the reason (e.g. a character no font has).
    pub failures: Vec<ItemFailure>,
    /// 发起者账号。The account that requested it.
    pub requested_by: String,
    /// 创建时间（UTC）。When it was made (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    /// 完成时间（UTC）。When it finished (UTC).
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

/// 批量签发聘书 · Issue certificates in bulk.
///
/// 一次为多项聘任签发聘书（可同时通过电子邮件发送）：指定 `appointment_ids`，或以 `body_id` 指定某机构的全部在任聘任。立即返回 202 和批次，进度见 `GET /documents/batches/{id}`。聘任信息在创建批次时从 members-service 读取，聘书所印为当时的事实。使用相同的 `Idempotency-Key` 重复提交时返回同一批次（200），不会再建。聘任不存在或不在任时返回 422；无法连接 members-service 时返回 503。
///
/// Issue certificates for many appointments at once; answers 202 at once with the batch,
/// whose progress `GET /documents/batches/{id}` shows. The same `Idempotency-Key` returns the
/// same batch (200) instead of making another.
#[utoipa::path(post, path = "/api/v1/documents/batches", tag = "documents", request_body = NewBatch,
    extensions(("x-roles" = json!(["admin", "service:documents:write"]))),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\t ]*[!-~](?:[ -~\t]{0,198}[!-~])?[\t ]*$", description = "幂等键：相同的键返回同一批次 · the same key returns the same batch")),
    responses((status = 202, body = Batch, description = "已受理，正在签发 · accepted; being issued"),
        (status = 200, body = Batch, description = "使用该幂等键先前已创建的批次 · the batch made earlier with this Idempotency-Key"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "聘任不存在或不在任 · unknown or inactive appointments"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "无法连接 members-service · members-service unreachable")))]
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

/// 批次进度 · A batch and its progress.
///
/// 一个批次及其进度：总数、已完成（新签发 + 已有证书）、失败、待签发；批次不存在时返回 404。
///
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

/// 批次列表的筛选条件。Filters of the batch list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchFilter {
    /// 只看该状态的批次：进行中或已完成。Only batches in this status: running or finished.
    pub status: Option<BatchStatus>,
}

/// 批次列表 · Batches.
///
/// 批量签发的批次，按时间从早到晚排列，可按状态筛选。
///
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
