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

/// 文件失效的原因（仅给出类别）。Why a document is no longer valid, by class only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Revocation {
    /// 类别：`resigned`（辞聘）、`dismissed`（解聘）、`lapsed`（任期届满）或 `other`（其他）。`resigned` (辞聘), `dismissed` (解聘), `lapsed` (任期届满) or `other`.
    pub class: String,
    /// 类别的中文名称：辞聘 / 解聘 / 任期届满。辞聘 / 解聘 / 任期届满
    pub label: String,
    /// 撤销日期（联盟所在时区），中文书写。The date of revocation in the alliance's time zone, written in Chinese.
    pub on_zh: Option<String>,
}

/// 核验结果：任何人通过核验链接可获知的信息，除姓名和职务外不含其他个人信息。
/// What anyone may learn from a verification link: no personal data beyond name and post.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "valid", "status_label": "有效", "kind": "appointment_certificate", "kind_label": "聘书",
    "serial": "JGLM-PS-2026-000001", "name": "张伟", "post": "理事", "body": "理事会", "term": "第一届",
    "issued_on": "2026-11-24", "issued_on_zh": "二〇二六年十一月二十四日", "issuer": ISSUER,
    "revoked_on": null, "revocation": null, "superseded_by_serial": null}))]
pub struct Verification {
    /// 状态：valid（有效）、revoked（已撤销）或 superseded（已被替代）。valid, revoked or superseded.
    pub status: DocumentStatus,
    /// 状态的中文名称：有效 / 已撤销 / 已被替代。有效 / 已撤销 / 已被替代
    pub status_label: String,
    /// 文件类型。The kind of document.
    pub kind: DocumentKind,
    /// 文件类型的中文名称（聘书、荣誉证书等）。The kind's Chinese label (聘书, 荣誉证书, …).
    pub kind_label: String,
    /// 文件序列号。The serial.
    pub serial: String,
    /// 持有人姓名。The holder's name.
    pub name: String,
    /// 职务。The post.
    pub post: String,
    /// 机构。The body.
    pub body: String,
    /// 届次，如 第一届。The term, e.g. 第一届.
    pub term: String,
    /// 签发日期（联盟所在时区）。The issue date in the alliance's time zone.
    pub issued_on: NaiveDate,
    /// 签发日期的中文写法，如 二〇二六年十一月二十四日。The issue date written in Chinese.
    pub issued_on_zh: String,
    /// 签发机构。The issuer.
    pub issuer: String,
    /// 撤销时间（UTC）。When revoked (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub revoked_on: Option<NaiveDateTime>,
    /// 撤销原因类别（已撤销时）。Why it was revoked, by class (when revoked).
    pub revocation: Option<Revocation>,
    /// 已被替代时，替代本文件的新文件序列号。The serial of the document that replaced this one, when superseded.
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

/// 文件核验的结果。The answer to a file check.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"matches": false, "message": NO_MATCH_ZH, "document": null}))]
pub struct FileCheck {
    /// 该文件是否与联盟签发的某份文件逐字节一致。The file is byte-for-byte a document the alliance issued.
    pub matches: bool,
    /// 中文说明。A message in Chinese.
    pub message: String,
    /// 一致时为该文件的核验结果（其状态可能为已撤销或已被替代）。That document, when it matches (its status may be revoked or superseded).
    pub document: Option<Verification>,
}

/// 核验页面的上传表单。The verification page's upload form.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart body only
pub struct UploadForm {
    /// 要核验的 PDF 文件（不超过 4 MiB）。The PDF to check.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}
