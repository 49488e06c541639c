//! HTTP handlers under `/api/v1/documents`, and the internal event inbox.

pub mod access;
pub mod batches;
pub mod credentials;
pub mod deliveries;
pub mod documents;
pub mod inbox;
pub mod pages;
pub mod previews;
pub mod rosters;
pub mod sign_in_sheets;
pub mod upload;
pub mod verdicts;
pub mod verification;

use std::sync::Arc;

use actix_web::web;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::issuing::DocumentRenderer;
use crate::db::models::DocumentMeta;
use crate::domain::kinds::DocumentKind;
use crate::domain::states::DocumentStatus;

/// The renderer the handlers share (the typst one in production).
pub type SharedRenderer = Arc<dyn DocumentRenderer>;

/// 已签发的文件（聘书、证书、通知、成员名册、签到表等）的元数据。An issued document's metadata (certificates, notices, rosters, sign-in sheets, …).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "serial": "JGLM-PS-2026-000001", "kind": "appointment_certificate", "kind_label": "聘书",
    "status": "valid", "person_name": "张伟", "post_label": "理事", "body_name": "理事会", "term_label": "第一届",
    "person_id": 7, "appointment_id": 12,
    "content_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "issued_at": "2026-11-24T08:00:00.000Z",
    "revoked_at": null, "revoked_reason": null, "superseded_by": null, "verification_count": 3, "verify_path": "/v/k7Qx2mWbN9pLs4Ty"}))]
pub struct Document {
    /// 文件编号。The document's id.
    pub id: i64,
    /// 文件序列号，如 JGLM-PS-2026-000001。e.g. JGLM-PS-2026-000001
    pub serial: String,
    /// 文件类型（聘书、解聘通知书、会议通知、成员名册、签到表等）。The kind (聘书, 解聘通知书, 会议通知, 成员名册, 签到表, …).
    pub kind: DocumentKind,
    /// 文件类型的中文名称。The kind's Chinese label.
    pub kind_label: String,
    /// 状态：有效、已撤销或已被替代。valid, revoked or superseded.
    pub status: DocumentStatus,
    /// 持有人或收件人姓名。The holder's or addressee's name.
    pub person_name: String,
    /// 职务的中文名称。The post's Chinese label.
    pub post_label: String,
    /// 机构名称。The body's name.
    pub body_name: String,
    /// 届次，如 第一届。The term, e.g. 第一届.
    pub term_label: String,
    /// 人员编号（members-service）。The person's id (members-service).
    pub person_id: Option<i64>,
    /// 聘任记录编号（members-service）。The appointment's id (members-service).
    pub appointment_id: Option<i64>,
    /// 所存 PDF 的 SHA-256 值（十六进制）。SHA-256 of the stored PDF, hex.
    pub content_hash: String,
    /// 签发时间（UTC）。When it was issued (UTC).
    #[serde(with = "service_kit::utc")]
    pub issued_at: NaiveDateTime,
    /// 撤销时间（UTC）。When it was revoked (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub revoked_at: Option<NaiveDateTime>,
    /// 撤销原因。Why it was revoked.
    pub revoked_reason: Option<String>,
    /// 替代本文件的新文件编号。The id of the document that replaced it.
    pub superseded_by: Option<i64>,
    /// 被公开核验的次数。How many times it was verified publicly.
    pub verification_count: i64,
    /// 公开核验路径（同时印为二维码）。The public verification path (also printed as the QR code).
    pub verify_path: String,
}

pub fn to_document(d: DocumentMeta) -> Document {
    let kind = d.kind;
    Document {
        id: d.id,
        verify_path: format!("/v/{}", d.verify_token),
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

pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, resource};
    cfg.service(resource("/api/v1/documents").route(get().to(documents::list)))
        // Before `{serial}`, so `verify` is never taken for a serial.
        .service(resource("/api/v1/documents/previews").route(web::post().to(previews::preview)))
        .service(
            resource("/api/v1/documents/batches")
                .route(get().to(batches::list))
                .route(web::post().to(batches::create)),
        )
        .service(resource("/api/v1/documents/batches/{id}").route(get().to(batches::get)))
        .service(resource("/api/v1/documents/issuer").route(get().to(credentials::issuer)))
        .service(resource("/api/v1/documents/issuer/jwks").route(get().to(credentials::jwks)))
        .service(resource("/api/v1/documents/status-lists/{list}").route(get().to(credentials::status_list)))
        .service(resource("/api/v1/documents/rosters").route(web::post().to(rosters::create)))
        .service(resource("/api/v1/documents/sign-in-sheets").route(web::post().to(sign_in_sheets::create)))
        .service(resource("/api/v1/documents/deliveries").route(get().to(deliveries::list)))
        .service(resource("/api/v1/documents/deliveries/{id}/retry").route(web::post().to(deliveries::retry)))
        .service(resource("/api/v1/documents/failed-events").route(get().to(deliveries::failed_events)))
        .service(
            resource("/api/v1/documents/failed-events/{event_id}/replay")
                .route(web::post().to(deliveries::replay_event)),
        )
        .service(resource("/api/v1/documents/verify").route(web::post().to(verification::check)))
        .service(resource("/api/v1/documents/verify/{token}").route(get().to(verification::verify)))
        .service(resource("/api/v1/documents/{serial}").route(get().to(documents::get)))
        .service(resource("/api/v1/documents/{serial}/pdf").route(get().to(documents::pdf)))
        .service(resource("/api/v1/documents/{serial}/credential").route(get().to(credentials::credential)))
        .service(resource("/api/v1/documents/{serial}/deliveries").route(get().to(documents::deliveries_of)))
        // The short public forms printed as QR codes; the gateway forwards them as they are.
        .service(resource("/v").route(web::post().to(verification::check_short)))
        .service(resource("/v/{token}").route(get().to(verification::verify_short)))
        // Outside /api/v1: the gateway forwards only /api/v1/{service}/…, so this stays internal.
        .service(web::resource(service_kit::outbox::EVENTS_PATH).route(web::post().to(inbox::receive)));
}
