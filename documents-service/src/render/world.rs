//! The typst `World`: what is loaded once (library, fonts, templates, the seal) and what one
//! render adds (its main template, `data.json`, `qr.svg`, the issue date).

use std::collections::HashMap;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};

use super::{RenderError, TemplateKind};

/// The fonts shipped in `documents-service/fonts/` (OFL 1.1, see the README there), embedded in
/// the binary so a fresh machine renders Chinese without system fonts. A `static`, not a
/// `const`: each use of a `const` may get its own copy of the 48 MiB (a debug test binary held
/// three), and the memory sweeper must release the very pages the renderer reads.
pub(super) static FONT_FILES: [&[u8]; 2] = [
    include_bytes!("../../fonts/NotoSerifCJKsc-Regular.otf"),
    include_bytes!("../../fonts/NotoSerifCJKsc-Bold.otf"),
];

/// Every `.typ` file, by its virtual path (all at the project root).
const TEMPLATE_FILES: [(&str, &str); 9] = [
    ("common.typ", include_str!("../../templates/common.typ")),
    (
        "appointment_certificate.typ",
        include_str!("../../templates/appointment_certificate.typ"),
    ),
    (
        "dismissal_notice.typ",
        include_str!("../../templates/dismissal_notice.typ"),
    ),
    ("lapse_notice.typ", include_str!("../../templates/lapse_notice.typ")),
    (
        "resignation_acceptance.typ",
        include_str!("../../templates/resignation_acceptance.typ"),
    ),
    (
        "commendation_certificate.typ",
        include_str!("../../templates/commendation_certificate.typ"),
    ),
    ("meeting_notice.typ", include_str!("../../templates/meeting_notice.typ")),
    ("roster.typ", include_str!("../../templates/roster.typ")),
    ("sign_in_sheet.typ", include_str!("../../templates/sign_in_sheet.typ")),
];

pub(super) const DATA_FILE: &str = "data.json";
pub(super) const QR_FILE: &str = "qr.svg";
pub(super) const SEAL_FILE: &str = "seal.png";

fn file_id(path: &str) -> Result<FileId, RenderError> {
    let vpath = VirtualPath::new(path).map_err(|e| RenderError::Setup(format!("virtual path {path}: {e}")))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

/// Loaded once per [`super::Renderer`]; immutable afterwards, so shared by all threads.
pub(super) struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
    mains: HashMap<&'static str, FileId>,
    data_id: FileId,
    qr_id: FileId,
    seal_id: FileId,
    seal: Option<Bytes>,
}

impl Shared {
    pub(super) fn new(seal_png: Option<Vec<u8>>) -> Result<Self, RenderError> {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        if fonts.len() != FONT_FILES.len() {
            return Err(RenderError::Setup(format!(
                "expected {} fonts, parsed {}",
                FONT_FILES.len(),
                fonts.len()
            )));
        }
        let book = FontBook::from_fonts(&fonts);
        // Once read (typst hashes each face whole, glyphs come from all over them), the fonts'
        // pages would stay in the RSS: the memory sweeper unmaps them again (issue 11).
        for data in FONT_FILES.iter().copied() {
            // Each glyph's outline program is unpacked once, not in every certificate's subset.
            subsetter::keep_charstrings_of(data);
            if let Err(e) = service_kit::alloc::release_on_sweep(data) {
                tracing::warn!(error = %e, "the fonts' pages stay mapped once read");
            }
        }

        let mut sources = HashMap::new();
        let mut mains = HashMap::new();
        for (name, text) in TEMPLATE_FILES {
            let id = file_id(name)?;
            sources.insert(id, Source::new(id, text.to_owned()));
            mains.insert(name, id);
        }

        // The templates read `sys.inputs.seal` to decide whether to place `seal.png`.
        let mut inputs = Dict::new();
        inputs.insert("seal".into(), seal_png.is_some().into_value());
        let library = Library::builder().with_inputs(inputs).build();

        Ok(Self {
            library: LazyHash::new(library),
            book: LazyHash::new(book),
            fonts,
            sources,
            mains,
            data_id: file_id(DATA_FILE)?,
            qr_id: file_id(QR_FILE)?,
            seal_id: file_id(SEAL_FILE)?,
            seal: seal_png.map(Bytes::new),
        })
    }

    pub(super) fn book(&self) -> &FontBook {
        &self.book
    }

    pub(super) fn main_id(&self, kind: TemplateKind) -> Result<FileId, RenderError> {
        let name = super::template_file(kind);
        self.mains
            .get(name)
            .copied()
            .ok_or_else(|| RenderError::Setup(format!("no template {name}")))
    }
}

/// One render: the shared parts plus this document's template, data, QR code and date.
pub(super) struct RenderWorld<'a> {
    pub(super) shared: &'a Shared,
    pub(super) main: FileId,
    pub(super) data: Bytes,
    pub(super) qr: Bytes,
    pub(super) today: Option<Datetime>,
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.shared.sources.get(&id) {
            Some(source) => Ok(source.clone()),
            None if id == self.shared.data_id || id == self.shared.qr_id || id == self.shared.seal_id => {
                Err(FileError::NotSource)
            }
            None => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data_id {
            Ok(self.data.clone())
        } else if id == self.shared.qr_id {
            Ok(self.qr.clone())
        } else if id == self.shared.seal_id {
            self.shared.seal.clone().ok_or_else(|| not_found(id))
        } else if let Some(source) = self.shared.sources.get(&id) {
            Ok(Bytes::from_string(source.text().to_owned()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// The issue date from the data: the same input renders the same document on any day.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

fn not_found(id: FileId) -> FileError {
    // Nothing outside the embedded files exists: no file system, no packages, no network.
    FileError::NotFound(id.vpath().get_with_slash().into())
}

impl RenderWorld<'_> {
    /// `file.typ:12: message (hint: …)`, one line per diagnostic.
    pub(super) fn describe(&self, diagnostics: &[SourceDiagnostic]) -> String {
        diagnostics
            .iter()
            .map(|diag| {
                let place = diag.span.id().map(|id| {
                    let line = self
                        .range(diag.span)
                        .zip(self.source(id).ok())
                        .and_then(|(range, source)| source.lines().byte_to_line(range.start))
                        .map(|l| format!(":{}", l + 1))
                        .unwrap_or_default();
                    format!("{}{line}: ", id.vpath().get_without_slash())
                });
                let mut text = format!("{}{}", place.unwrap_or_default(), diag.message);
                for hint in &diag.hints {
                    text.push_str(&format!(" (hint: {})", hint.v));
                }
                text
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
