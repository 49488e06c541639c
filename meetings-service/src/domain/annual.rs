//! A body's annual work plan (年度工作计划) and report (年度工作报告): one of each per body and
//! year, attached to a plenary's agenda (R19); its text, a file, or both.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use service_kit::{Code, FieldError};
use utoipa::ToSchema;

/// Largest attached file (decoded).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

// Declared in the shared vocabulary, so that members-service's `/labels` can list it.
pub use alliance_events::vocab::AnnualDocumentKind;

/// 随年度工作计划或年度工作报告上传的附件。A file attached to a work plan or report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "2027年度工作计划.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjcK"}))]
pub struct NewFile {
    /// 文件名（不能为空）。The file's name (not blank).
    #[schema(pattern = r"\S")]
    pub name: String,
    /// 媒体类型，如 application/pdf。e.g. application/pdf
    #[schema(pattern = "/")]
    pub content_type: String,
    /// 文件内容，base64 编码（标准字母表，带填充）；解码后不超过 10 MiB。The file's bytes, base64 (standard alphabet, padded); at most 10 MiB decoded.
    #[schema(
        pattern = r"^\s*(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)\s*$"
    )]
    pub content_base64: String,
}

/// 新增年度工作计划或年度工作报告的请求：每个机构每年各一份；正文与附件至少提供其一（R19）。
/// A new work plan or report of a body: one of each per year; its text, a file, or both (R19).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2027, "title": "数控技术专业建设协作组2027年度工作计划",
    "text": "一、指导思想\n深入贯彻落实技工教育高质量发展要求，服务装备制造业发展需求。\n二、重点工作\n（一）组织开展数控技术专业教学资源开发；\n（二）召开协作组全体会议，审议2026年度工作报告。",
    "file": {"name": "2027年度工作计划.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjcK"}}))]
pub struct NewAnnualDocument {
    /// 年度（2000–2100）。The year (2000–2100).
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// 标题，200 字以内。The title, at most 200 characters.
    #[schema(max_length = 200, pattern = r"\S")]
    pub title: String,
    /// 正文；没有附件时不能为空。The text; not blank unless a file is attached.
    pub text: String,
    /// 附件（可选），如 PDF 文件。An attached file (optional), e.g. the PDF.
    pub file: Option<NewFile>,
}

/// An attached file as it is stored: name and media type trimmed, the base64 as sent (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub content_type: String,
    pub base64: String,
    pub size: usize,
}

fn check_file(f: &NewFile, errors: &mut Vec<FieldError>) -> Option<CheckedFile> {
    if f.name.trim().is_empty() {
        errors.push(FieldError::new("file.name", Code::Required, "must not be empty"));
    }
    if f.content_type.trim().is_empty() || !f.content_type.contains('/') {
        errors.push(FieldError::new(
            "file.content_type",
            Code::Invalid,
            "a media type such as application/pdf",
        ));
    }
    match STANDARD.decode(f.content_base64.trim()) {
        Ok(bytes) if bytes.len() > MAX_FILE_BYTES => errors.push(FieldError::new(
            "file.content_base64",
            Code::TooLarge,
            format!("at most {MAX_FILE_BYTES} bytes"),
        )),
        Ok(bytes) if bytes.is_empty() => {
            errors.push(FieldError::new("file.content_base64", Code::Empty, "the file is empty"))
        }
        Ok(bytes) => {
            return Some(CheckedFile {
                name: f.name.trim().to_owned(),
                content_type: f.content_type.trim().to_owned(),
                base64: f.content_base64.trim().to_owned(),
                size: bytes.len(),
            });
        }
        Err(_) => errors.push(FieldError::new(
            "file.content_base64",
            Code::InvalidBase64,
            "not base64",
        )),
    }
    None
}

impl NewAnnualDocument {
    /// Every field problem at once; on success the file to store, if any.
    pub fn check(&self) -> Result<Option<CheckedFile>, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(2000..=2100).contains(&self.year) {
            errors.push(FieldError::new(
                "year",
                Code::OutOfRange,
                "a year between 2000 and 2100",
            ));
        }
        if self.title.trim().is_empty() {
            errors.push(FieldError::new("title", Code::Required, "must not be empty"));
        } else if self.title.trim().chars().count() > 200 {
            errors.push(FieldError::new("title", Code::TooLong, "at most 200 characters"));
        }
        if self.text.trim().is_empty() && self.file.is_none() {
            errors.push(FieldError::new(
                "text",
                Code::Required,
                "give the text, a file, or both",
            ));
        }
        let file = self.file.as_ref().and_then(|f| check_file(f, &mut errors));
        if errors.is_empty() { Ok(file) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, file: Option<NewFile>) -> NewAnnualDocument {
        NewAnnualDocument {
            year: 2026,
            title: "2026年度工作报告".into(),
            text: text.into(),
            file,
        }
    }

    #[test]
    fn r19_a_document_has_its_text_a_file_or_both() {
        let e = doc(" ", None).check().err().unwrap_or_default();
        assert_eq!(e.len(), 1);
        assert_eq!(doc("一、主要工作", None).check(), Ok(None));
        let f = NewFile {
            name: " a.pdf ".into(),
            content_type: "application/pdf".into(),
            content_base64: "JVBERi0xLjcK".into(),
        };
        let checked = doc("", Some(f)).check();
        assert_eq!(
            checked.map(|f| f.map(|f| (f.name, f.size))),
            Ok(Some(("a.pdf".into(), 9)))
        );
    }

    #[test]
    fn kinds_have_their_labels() {
        assert_eq!(AnnualDocumentKind::WorkPlan.label_zh(), "年度工作计划");
        assert_eq!(
            AnnualDocumentKind::parse("work_report"),
            Some(AnnualDocumentKind::WorkReport)
        );
    }
}
