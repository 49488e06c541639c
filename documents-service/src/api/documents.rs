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

/// 文件列表的筛选条件。Filters of the document list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    /// 只看该类型的文件。Only documents of this kind.
    pub kind: Option<DocumentKind>,
    /// 只看该人员的文件。Only this person's documents.
    pub person_id: Option<i64>,
    /// 只看该聘任的文件。Only this appointment's documents.
    pub appointment_id: Option<i64>,
    /// 只看该年度签发的文件。Only documents issued in this year.
    pub year: Option<i32>,
    /// 只看该状态的文件：有效、已撤销或已被替代。Only documents in this status: valid, revoked or superseded.
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

/// 文件列表 · Issued documents.
///
/// 已签发的文件（聘书、荣誉证书、解聘通知书、会议通知、成员名册、签到表等），可按类型、人员、聘任、年度和状态筛选。成员只能看到本人的文件。
///
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

/// 文件详情 · One document's metadata.
///
/// 按序列号读取一份文件的元数据：类型、状态、持有人、内容哈希、核验路径等；不存在时返回 404。
///
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

/// 下载 PDF · The PDF of a document.
///
/// 文件的 PDF，与签发时逐字节一致（其 SHA-256 即文件的 `content_hash`）；不存在时返回 404。
///
/// The PDF, byte-exact as issued (its SHA-256 is the document's `content_hash`).
#[utoipa::path(get, path = "/api/v1/documents/{serial}/pdf", tag = "documents", params(("serial" = String, Path, pattern = r"^JGLM-[A-Z]{2}-[0-9]{4}-[0-9]{6,9}$")),
    extensions(("x-roles" = json!(["admin", "member:own_record", "group_secretary:own_group", "service:documents:read"]))),
    responses((status = 200, description = "PDF 文件 · application/pdf", content_type = "application/pdf"),
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

/// 一次邮件发送尝试。One attempt to send an e-mail.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Attempt {
    /// 尝试时间（UTC）。When it was made (UTC).
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
    /// 结果：发送中、已发送、稍后重试、发送失败或已中断。The outcome: sending, sent, retry, failed or interrupted.
    pub outcome: AttemptOutcome,
    /// 详细信息（如邮件服务器的应答）。The detail (e.g. the mail server's answer).
    pub detail: String,
}

/// 一份文件的一次邮件投递及其全部尝试。One e-mail delivery of a document, with every attempt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// 收件人邮箱。The recipient's address.
    pub recipient: String,
    /// 邮件的 Message-ID。The mail's Message-ID.
    pub message_id: String,
    /// 状态：待发送、已发送或发送失败。queued, sent or failed
    pub status: DeliveryStatus,
    /// 已尝试次数。Attempts so far.
    pub attempts: i32,
    /// 发送成功时间（UTC）。When it was sent (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub sent_at: Option<NaiveDateTime>,
    /// 最近一次的错误。The last error.
    pub last_error: Option<String>,
    /// 全部发送尝试，从早到晚。Every attempt, oldest first.
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

/// 文件的邮件投递 · E-mail deliveries of a document.
///
/// 一份文件的邮件投递记录及每次发送尝试；成员只能查看本人文件的投递记录。文件不存在时返回 404。
///
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
