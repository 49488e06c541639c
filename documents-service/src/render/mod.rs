//! The PDF engine: typst compiled in-process, held for the service's lifetime.
//!
//! A [`Renderer`] parses the embedded fonts (Noto Serif CJK SC Regular and Bold, see
//! `documents-service/fonts/README.md`) and the templates (`documents-service/templates/*.typ`)
//! once. Each render hands the template its data as a virtual `data.json` (read with
//! `json("data.json")`, never spliced into markup, so a name such as `#panic()` prints as
//! written), the verification URL as a virtual `qr.svg`, and the deployment's seal as
//! `seal.png` when one is configured. Nothing is read from disk or the network while rendering.
//!
//! # Data of each template
//!
//! Every template reads a JSON object. Dates meant for print are Chinese strings made with
//! [`zh_date`] (`二〇二六年十一月二十四日`); `issued_on` is the ISO issue date (`2026-11-24`),
//! which fixes typst's `today()` and the PDF creation date, so the same data gives the same bytes.
//! Every string in the data is checked against the fonts before rendering (see
//! [`Renderer::missing_glyphs`]).
//!
//! Fields of every template:
//! - `serial` — document number, e.g. `JGLM-2026-000123`, printed as 编号
//! - `issuer` — issuing body, e.g. `机械工业教育发展中心` or `机械行业技工院校高水平专业建设联盟`
//! - `issued_on` — ISO date; `issued_on_zh` — the same date in Chinese
//! - `verify_url` — public verification URL, printed and drawn as a QR code
//!
//! Fields per [`TemplateKind`]:
//! - `AppointmentCertificate` (聘书): `person_name`, `unit_name`, `body_name` (e.g.
//!   `机械行业技工院校高水平专业建设联盟理事会`), `post_label` (e.g. `理事`), `term_label` (e.g.
//!   `第二届`), `term_starts_on_zh`, `term_ends_on_zh`; the period printed is the appointment's,
//!   `starts_on_zh`–`ends_on_zh` (a mid-term addition, R4, starts on its day), the term's when absent
//! - `DismissalNotice` (解聘通知书): `person_name`, `unit_name`, `body_name`, `post_label`,
//!   `term_label`, `reason` (the ground, in the charter's words, e.g.
//!   `二〇二六工作年度内无故两次不参加活动`), `effective_on_zh`
//! - `LapseNotice` (任期届满通知): `person_name`, `unit_name`, `body_name`, `post_label`,
//!   `term_label`, `term_starts_on_zh`, `term_ends_on_zh`
//! - `ResignationAcceptance` (辞聘确认函): `person_name`, `unit_name`, `body_name`, `post_label`,
//!   `term_label`, `requested_on_zh`, `effective_on_zh`
//! - `CommendationCertificate` (荣誉证书): `recipient_name`, `recipient_is_unit` (bool; a person is
//!   addressed as 同志), `unit_name` (optional, a person's unit), `year_label` (e.g. `2026年度`),
//!   `honor_title` (e.g. `优秀理事`), `citation` (e.g. `工作积极、成效显著、贡献较大`)
//! - `MeetingNotice` (会议通知): `person_name`, `title` (e.g.
//!   `关于召开机械行业技工院校高水平专业建设联盟2026年全体会议的通知`), `meeting_name`,
//!   `purpose` (the opening clause, optional), `starts_at_zh` (e.g.
//!   `二〇二六年十二月十日（星期四）上午9:00`), `location`, `agenda` (array of strings),
//!   `attendees`, `reply_by_zh`, `contact_name`, `contact_phone`
//! - `Roster` (成员名册): `body_name`, `term_label`, `as_of_zh`, `rows`: array of objects with
//!   `person_name`, `unit_name`, `post_label`, `title_label` (职称, e.g. `正高级`), `job_title`
//!   (职务, e.g. `副校长`), `term_zh` (e.g. `2026.11—2030.11`)
//! - `SignInSheet` (签到表): `meeting_name`, `starts_at_zh`, `location`, `counts` (`invitees`,
//!   `attend`, `leave`, `unanswered`), `rows`: array of objects with `person_name`, `unit_name`,
//!   `post_label`, `answer` (`attend`, `leave` or null), `reason` (请假事由, optional)
//!
//! [`sample_data`] gives a complete example of each.

mod qr;
mod samples;
mod world;
mod zh_date;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod visual_tests;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use typst::diag::Warned;
use typst::foundations::{Bytes, Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use crate::domain::kinds::DocumentKind as TemplateKind;
pub use qr::qr_svg;
pub use samples::sample_data;
pub use zh_date::{zh_date, zh_date_iso};

use world::{RenderWorld, Shared};

/// After this many renders the memo cache is trimmed (`comemo::evict`), so memory stays bounded.
/// Measured in the suite through 10,000 certificates (docs/benchmarks.md, "Issue 11, session
/// 16"; mimalloc's purge delay 250 ms): every 8 renders with age 2 held ≈ 180 MiB of heap at the
/// peak, every 4 with age 1 ≈ 120 MiB, at the same rate (≈ 200 certificates per second).
const EVICT_EVERY: u64 = 4;
/// Cached results unused since the last trim are dropped (the fonts' and templates', used by
/// every render, stay hot).
const EVICT_MAX_AGE: usize = 1;
/// The alliance's time zone (the one setting, [`service_kit::clock`]), for the PDF creation
/// date taken from `issued_on`.
fn utc_offset_minutes() -> i32 {
    i32::try_from(service_kit::clock::offset_hours() * 60).unwrap_or(8 * 60)
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Characters that no shipped font can draw (typst would print an empty box for each).
    #[error("characters not in the fonts: {}", .0.iter().collect::<String>())]
    MissingGlyphs(Vec<char>),
    /// The data does not fit the template (not an object, a missing or malformed field).
    #[error("invalid document data: {0}")]
    InvalidData(String),
    /// typst reported errors while compiling the template with this data.
    #[error("template {kind}: {message}")]
    Template { kind: &'static str, message: String },
    /// The PDF export failed.
    #[error("PDF export: {0}")]
    Pdf(String),
    /// The renderer could not be built (fonts, templates, seal).
    #[error("renderer setup: {0}")]
    Setup(String),
}

/// Renders the alliance's documents to PDF; build one at start-up and share it (`Send + Sync`;
/// clones share the same fonts and templates).
#[derive(Clone)]
pub struct Renderer {
    shared: Arc<Shared>,
    renders: Arc<AtomicU64>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("renders", &self.renders.load(Ordering::Relaxed))
            .finish()
    }
}

fn template_file(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::AppointmentCertificate => "appointment_certificate.typ",
        TemplateKind::DismissalNotice => "dismissal_notice.typ",
        TemplateKind::LapseNotice => "lapse_notice.typ",
        TemplateKind::ResignationAcceptance => "resignation_acceptance.typ",
        TemplateKind::CommendationCertificate => "commendation_certificate.typ",
        TemplateKind::MeetingNotice => "meeting_notice.typ",
        TemplateKind::Roster => "roster.typ",
        TemplateKind::SignInSheet => "sign_in_sheet.typ",
    }
}

impl Renderer {
    /// Parses the fonts and templates. `seal_png` is the deployment's seal (公章) as PNG bytes,
    /// printed over the issuer's name and date; with `None` that space stays empty.
    pub fn new(seal_png: Option<Vec<u8>>) -> Result<Self, RenderError> {
        if let Some(png) = &seal_png
            && !png.starts_with(b"\x89PNG\r\n\x1a\n")
        {
            return Err(RenderError::Setup("the seal image is not a PNG file".into()));
        }
        Ok(Self {
            shared: Arc::new(Shared::new(seal_png)?),
            renders: Arc::new(AtomicU64::new(0)),
        })
    }

    /// As [`Renderer::new`], reading the seal from a configured path, if any.
    pub fn with_seal_file(seal_path: Option<&Path>) -> Result<Self, RenderError> {
        let seal = seal_path
            .map(|p| std::fs::read(p).map_err(|e| RenderError::Setup(format!("seal image {}: {e}", p.display()))))
            .transpose()?;
        Self::new(seal)
    }

    /// The PDF of `kind` filled with `data` (fields in the module documentation).
    pub fn render(&self, kind: TemplateKind, data: &Value) -> Result<Vec<u8>, RenderError> {
        let document = self.compile(kind, data)?.0;
        let options = pdf_options(data)?;
        let pdf = typst_pdf::pdf(&document, &options).map_err(|diags| {
            RenderError::Pdf(diags.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; "))
        })?;
        self.count_render();
        Ok(pdf)
    }

    /// The characters of `text` that no loaded font has, each once, in order of appearance.
    /// Whitespace, control characters and invisible format characters are not drawn and so are
    /// never reported.
    pub fn missing_glyphs(&self, text: &str) -> Vec<char> {
        let book = self.shared.book();
        let mut missing = Vec::new();
        for c in text.chars() {
            if is_invisible(c) || missing.contains(&c) {
                continue;
            }
            let covered = (0..)
                .map_while(|i| book.info(i))
                .any(|info| info.coverage.contains(c as u32));
            if !covered {
                missing.push(c);
            }
        }
        missing
    }

    /// [`Renderer::missing_glyphs`] over every string value in `data` (keys are never printed).
    pub fn missing_glyphs_in(&self, data: &Value) -> Vec<char> {
        let mut text = String::new();
        collect_strings(data, &mut text);
        self.missing_glyphs(&text)
    }

    /// Compiles to a laid-out document, returning it with typst's warnings.
    fn compile(&self, kind: TemplateKind, data: &Value) -> Result<(PagedDocument, Vec<String>), RenderError> {
        if !data.is_object() {
            return Err(RenderError::InvalidData("the data must be a JSON object".into()));
        }
        let missing = self.missing_glyphs_in(data);
        if !missing.is_empty() {
            return Err(RenderError::MissingGlyphs(missing));
        }
        let verify_url = data
            .get("verify_url")
            .and_then(Value::as_str)
            .ok_or_else(|| RenderError::InvalidData("verify_url (a string) is required".into()))?;
        let qr = qr_svg(verify_url).map_err(|e| RenderError::InvalidData(format!("verify_url: {e}")))?;
        let json = serde_json::to_vec(data).map_err(|e| RenderError::InvalidData(e.to_string()))?;

        let world = RenderWorld {
            shared: &self.shared,
            main: self.shared.main_id(kind)?,
            data: Bytes::new(json),
            qr: Bytes::from_string(qr),
            today: issued_on(data)?,
        };
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| RenderError::Template {
            kind: kind.as_str(),
            message: world.describe(&errors),
        })?;
        let warnings = warnings
            .iter()
            .map(|w| world.describe(std::slice::from_ref(w)))
            .collect::<Vec<_>>();
        for warning in &warnings {
            tracing::warn!(kind = kind.as_str(), %warning, "typst warning");
        }
        Ok((document, warnings))
    }

    fn count_render(&self) {
        let n = self.renders.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(EVICT_EVERY) {
            typst::comemo::evict(EVICT_MAX_AGE);
        }
    }
}

/// `issued_on` (`YYYY-MM-DD`) as typst's date, or `None` when the data has none.
fn issued_on(data: &Value) -> Result<Option<Datetime>, RenderError> {
    let Some(value) = data.get("issued_on") else {
        return Ok(None);
    };
    let invalid = || RenderError::InvalidData(format!("issued_on must be a date like 2026-11-24, not {value}"));
    let date =
        chrono::NaiveDate::parse_from_str(value.as_str().ok_or_else(invalid)?, "%Y-%m-%d").map_err(|_| invalid())?;
    use chrono::Datelike;
    Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
        .map(Some)
        .ok_or_else(invalid)
}

/// A stable document id from the serial and the creation date from `issued_on`: no clock is read.
/// Documents are archival PDF/A: a certificate with its credential (`credential`, attached by the
/// template) PDF/A-3b, the part that allows an embedded file; the others PDF/A-2b.
fn pdf_options(data: &Value) -> Result<PdfOptions, RenderError> {
    let mut options = PdfOptions::default();
    let standard = if data.get("credential").is_some_and(Value::is_string) {
        Some(PdfStandard::A_3b)
    } else {
        // PDF/A needs the document's date; data without `issued_on` (a bare preview) stays plain PDF.
        data.get("issued_on").is_some().then_some(PdfStandard::A_2b)
    };
    if let Some(standard) = standard {
        options.standards =
            PdfStandards::new(&[standard]).map_err(|e| RenderError::InvalidData(format!("PDF/A: {}", e.message())))?;
    }
    if let Some(serial) = data.get("serial").and_then(Value::as_str) {
        options.ident = Smart::Custom(serial.to_owned());
    }
    options.timestamp = issued_on(data)?.and_then(|date| Timestamp::new_local(date, utc_offset_minutes()));
    Ok(options)
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        || matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

fn collect_strings(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
