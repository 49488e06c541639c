//! The pages a person sees when they scan a certificate's QR code or check a file (issue 12):
//! plain HTML with its CSS inline, no script, no font or image fetched from anywhere, readable
//! on a 360 px phone with the browser's own fonts. Every value is escaped; the pages say nothing
//! of a person beyond what is printed on the document.

use std::fmt::Write as _;

use super::verdicts::Verification;
use crate::domain::requests::ISSUER;
use crate::domain::states::DocumentStatus;
use crate::domain::verification::{NO_MATCH_ZH, SUPERSEDED_LABEL};

/// Where the page's upload form posts (the gateway forwards it to this service).
pub const CHECK_ACTION: &str = "/v";

pub use service_kit::html::escape;

/// The verification page's own rules (the rest is `service_kit::html::BASE_STYLE`).
const STYLE: &str = "\
.verdict{border-radius:.5rem;padding:1.25rem 1rem;color:#fff;text-align:center;margin-bottom:1rem}\
.verdict .word{font-size:3rem;font-weight:700;line-height:1.2;margin:0;letter-spacing:.1em}\
.verdict .mark{font-size:2.5rem;line-height:1;margin:0 0 .25rem}\
.verdict p{margin:.5rem 0 0}\
.valid{background:#1b6e2d}.revoked{background:#a4161a}.superseded{background:#8a4b00}.unknown{background:#4a4a4a}\
.match{border:2px solid #1b6e2d;background:#e8f3ea;border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1rem}\
section.check{background:#fff;border-radius:.5rem;padding:1rem}\
section.check h2{font-size:1.1rem;margin:0 0 .5rem}\
input[type=file]{max-width:100%;margin:.5rem 0}\
button{padding:.5rem 1.25rem}";

fn page(title: &str, body: &str) -> String {
    service_kit::html::page(title, &format!("{ISSUER} · 文件核验"), STYLE, body, "")
}

fn check_form() -> String {
    format!(
        "<section class=\"check\"><h2>核对收到的文件</h2>\
         <p>上传收到的 PDF 文件，可核对它是否与联盟签发的文件逐字节一致（文件只用于比对，不会保存）。</p>\
         <form method=\"post\" action=\"{CHECK_ACTION}\" enctype=\"multipart/form-data\">\
         <input type=\"file\" name=\"file\" accept=\"application/pdf\" required> <button type=\"submit\">核对文件</button>\
         </form></section>"
    )
}

fn verdict(class: &str, mark: &str, word: &str, line: &str) -> String {
    format!(
        "<section class=\"verdict {class}\" role=\"status\"><p class=\"mark\" aria-hidden=\"true\">{mark}</p>\
         <p class=\"word\">{}</p><p>{}</p></section>",
        escape(word),
        escape(line)
    )
}

fn row(out: &mut String, label: &str, value: &str) {
    if !value.is_empty() {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(value));
    }
}

/// The details of a document; `matched` adds the notice that an uploaded file is this document.
pub fn verification_page(v: &Verification, matched: bool) -> String {
    let (class, mark, line) = match v.status {
        DocumentStatus::Valid => ("valid", "✓", "此文件由联盟签发，现行有效。"),
        DocumentStatus::Revoked => ("revoked", "✕", "此文件由联盟签发，已被撤销，不再有效。"),
        DocumentStatus::Superseded => ("superseded", "!", "此文件由联盟签发，已由新证书替代，不再有效。"),
    };
    let mut details = String::from("<dl>");
    row(&mut details, "文件类型", &v.kind_label);
    row(&mut details, "编号", &v.serial);
    row(&mut details, "姓名", &v.name);
    row(&mut details, "职务", &v.post);
    row(&mut details, "机构", &v.body);
    row(&mut details, "届次", &v.term);
    row(&mut details, "签发日期", &v.issued_on_zh);
    row(&mut details, "签发单位", &v.issuer);
    if let Some(r) = &v.revocation {
        row(&mut details, "撤销日期", r.on_zh.as_deref().unwrap_or_default());
        row(&mut details, "撤销原因", &r.label);
    }
    if v.status == DocumentStatus::Superseded {
        row(&mut details, "替代原因", SUPERSEDED_LABEL);
        row(
            &mut details,
            "新证书编号",
            v.superseded_by_serial.as_deref().unwrap_or_default(),
        );
    }
    details.push_str("</dl>");
    let matched = if matched {
        "<p class=\"match\" role=\"status\">上传的文件与此签发记录逐字节一致。</p>"
    } else {
        ""
    };
    let body = format!(
        "{}{matched}{details}{}<footer>核验结果以本页为准。如有疑问，请联系联盟秘书处。</footer>",
        verdict(class, mark, &v.status_label, line),
        check_form()
    );
    page(&format!("{} · {} · 文件核验", v.status_label, v.serial), &body)
}

/// A link no document has (or that cannot be one): says so and nothing else.
pub fn unknown_link_page() -> String {
    let body = format!(
        "{}{}",
        verdict(
            "unknown",
            "?",
            "未找到",
            "未找到与此核验链接对应的文件。请核对链接或二维码是否完整；仍有疑问请联系联盟秘书处。"
        ),
        check_form()
    );
    page("未找到 · 文件核验", &body)
}

/// An uploaded file that is byte-for-byte no issued document.
pub fn no_match_page() -> String {
    let body = format!(
        "{}{}",
        verdict(
            "unknown",
            "✕",
            "不一致",
            &format!("{NO_MATCH_ZH}。此文件不是联盟签发的原始文件，或已被改动。")
        ),
        check_form()
    );
    page("不一致 · 文件核验", &body)
}

/// An answer the page cannot give (too large, not a PDF, no file): `message` says why.
pub fn problem_page(title: &str, message: &str) -> String {
    let body = format!("{}{}", verdict("unknown", "!", title, message), check_form());
    page(&format!("{title} · 文件核验"), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::DocumentKind;

    fn sample(status: DocumentStatus) -> Verification {
        Verification {
            status,
            status_label: crate::domain::verification::status_label_zh(status).into(),
            kind: DocumentKind::AppointmentCertificate,
            kind_label: "聘书".into(),
            serial: "JGLM-PS-2026-000001".into(),
            name: "<script>alert(1)</script>".into(),
            post: "理事".into(),
            body: "理事会".into(),
            term: "第一届".into(),
            issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            issued_on_zh: "二〇二六年十一月二十四日".into(),
            issuer: ISSUER.into(),
            revoked_on: None,
            revocation: None,
            superseded_by_serial: Some("JGLM-PS-2026-000002".into()),
        }
    }

    #[test]
    fn user_text_is_escaped() {
        let html = verification_page(&sample(DocumentStatus::Valid), false);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(escape("a&\"'<>"), "a&amp;&quot;&#39;&lt;&gt;");
    }

    #[test]
    fn each_status_has_its_colour_and_word() {
        for (status, class, word) in [
            (DocumentStatus::Valid, "verdict valid", "有效"),
            (DocumentStatus::Revoked, "verdict revoked", "已撤销"),
            (DocumentStatus::Superseded, "verdict superseded", "已被替代"),
        ] {
            let html = verification_page(&sample(status), false);
            assert!(html.contains(class) && html.contains(word), "{status:?}");
        }
        let superseded = verification_page(&sample(DocumentStatus::Superseded), false);
        assert!(superseded.contains(SUPERSEDED_LABEL) && superseded.contains("JGLM-PS-2026-000002"));
        let valid = verification_page(&sample(DocumentStatus::Valid), false);
        assert!(
            !valid.contains("JGLM-PS-2026-000002"),
            "a valid one names no replacement"
        );
    }

    #[test]
    fn pages_fetch_nothing_and_run_no_script() {
        for html in [
            verification_page(&sample(DocumentStatus::Valid), true),
            unknown_link_page(),
            no_match_page(),
        ] {
            for banned in ["<script", "http://", "https://", "src=", "@import", "url("] {
                assert!(!html.contains(banned), "{banned} in {html}");
            }
        }
    }
}
