//! What public verification answers (issue 12): a document's standing as anyone may read it,
//! and the answer to a file check. Shared by the JSON answers and the pages.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::documents::Verified;
use crate::domain::dates::ChineseDate;
use crate::domain::kinds::DocumentKind;
use crate::domain::requests::ISSUER;
use crate::domain::states::DocumentStatus;
use crate::domain::verification::{NO_MATCH_ZH, RevocationClass, status_label_zh};

/// Why a document is no longer valid, by class only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Revocation {
    /// `resigned` (辞聘), `dismissed` (解聘), `lapsed` (任期届满) or `other`.
    pub class: String,
    /// 辞聘 / 解聘 / 任期届满
    pub label: String,
    /// The date of revocation in the alliance's time zone, written in Chinese.
    pub on_zh: Option<String>,
}

/// What anyone may learn from a verification link: no personal data beyond name and post.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "valid", "status_label": "有效", "kind": "appointment_certificate", "kind_label": "聘书",
    "serial": "JGLM-PS-2026-000001", "name": "张伟", "post": "理事", "body": "理事会", "term": "第一届",
    "issued_on": "2026-11-24", "issued_on_zh": "二〇二六年十一月二十四日", "issuer": ISSUER,
    "revoked_on": null, "revocation": null, "superseded_by_serial": null}))]
pub struct Verification {
    pub status: DocumentStatus,
    /// 有效 / 已撤销 / 已被替代
    pub status_label: String,
    pub kind: DocumentKind,
    pub kind_label: String,
    pub serial: String,
    pub name: String,
    pub post: String,
    pub body: String,
    pub term: String,
    /// The issue date in the alliance's time zone.
    pub issued_on: NaiveDate,
    pub issued_on_zh: String,
    pub issuer: String,
    /// When revoked (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub revoked_on: Option<NaiveDateTime>,
    pub revocation: Option<Revocation>,
    /// The serial of the document that replaced this one, when superseded.
    pub superseded_by_serial: Option<String>,
}

impl From<Verified> for Verification {
    fn from(v: Verified) -> Self {
        let d = v.document;
        let local_date = |utc: NaiveDateTime| service_kit::clock::local(utc).date();
        let revocation = (d.status == DocumentStatus::Revoked).then(|| {
            let class = RevocationClass::of_reason(d.revoked_reason.as_deref().unwrap_or_default());
            Revocation {
                class: class.as_str().into(),
                label: class.label_zh().into(),
                on_zh: d.revoked_at.map(|at| ChineseDate::new(local_date(at)).to_string()),
            }
        });
        let issued_on = local_date(d.issued_at);
        Self {
            status: d.status,
            status_label: status_label_zh(d.status).into(),
            kind: d.kind,
            kind_label: d.kind.label_zh().into(),
            serial: d.serial,
            name: d.person_name,
            post: d.post_label,
            body: d.body_name,
            term: d.term_label,
            issued_on,
            issued_on_zh: ChineseDate::new(issued_on).to_string(),
            issuer: ISSUER.into(),
            revoked_on: d.revoked_at,
            revocation,
            superseded_by_serial: (d.status == DocumentStatus::Superseded)
                .then_some(v.replaced_by)
                .flatten(),
        }
    }
}

/// The answer to a file check.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"matches": false, "message": NO_MATCH_ZH, "document": null}))]
pub struct FileCheck {
    /// The file is byte-for-byte a document the alliance issued.
    pub matches: bool,
    pub message: String,
    /// That document, when it matches (its status may be revoked or superseded).
    pub document: Option<Verification>,
}

/// The verification page's upload form.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart body only
pub struct UploadForm {
    /// The PDF to check.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}
