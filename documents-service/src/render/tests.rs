//! Rendering tests. The PDFs are read back with poppler-utils (`pdftotext`, `pdfinfo`,
//! `pdfimages`), which these tests need: without them they fail and say so (CI installs them).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use serde_json::{Value, json};

use super::*;

static RENDERER: LazyLock<Renderer> = LazyLock::new(|| Renderer::new(None).expect("the renderer loads"));

/// An 8×8 red PNG, standing in for a deployment's seal.
const TINY_PNG: [u8; 75] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 8, 0, 0, 0, 8, 8, 6, 0, 0, 0, 196, 15, 190,
    139, 0, 0, 0, 18, 73, 68, 65, 84, 120, 218, 99, 56, 33, 160, 247, 31, 31, 102, 24, 25, 10, 0, 145, 134, 129, 65,
    74, 188, 85, 233, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// Runs a poppler tool on the PDF given on stdin and returns its stdout.
pub(super) fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "`{tool}` could not be started ({e}). These tests read the PDFs back with poppler-utils: \
                 install it (Debian/Ubuntu: `apt-get install poppler-utils`)."
            )
        });
    let mut stdin = child.stdin.take().expect("stdin of the poppler tool");
    let input = pdf.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("the poppler tool runs");
    writer
        .join()
        .expect("the writer thread")
        .expect("the PDF is written to the poppler tool");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{tool} {args:?} failed: {stderr}");
    // Issue 15: every document opens without a complaint ("Syntax Error: Suspects object is
    // wrong type (boolean)" was printed for each before).
    assert!(
        !stderr.contains("Error") && !stderr.contains("Warning"),
        "{tool} {args:?} complained about the PDF: {stderr}"
    );
    String::from_utf8(output.stdout).expect("poppler writes UTF-8")
}

pub(super) fn text_of(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-enc", "UTF-8", "-", "-"], pdf)
}

pub(super) fn info_of(pdf: &[u8]) -> String {
    poppler("pdfinfo", &["-"], pdf)
}

pub(super) fn pages(info: &str) -> usize {
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in pdfinfo output:\n{info}"))
}

/// Text without whitespace: lines may wrap anywhere, and pdftotext turns typst's spacing
/// between Chinese and Latin text into spaces.
pub(super) fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_text_contains(text: &str, expected: &str) {
    assert!(
        squeeze(text).contains(&squeeze(expected)),
        "expected {expected:?} in the PDF text:\n{text}"
    );
}

pub(super) fn render(kind: TemplateKind, data: &Value) -> Vec<u8> {
    RENDERER
        .render(kind, data)
        .unwrap_or_else(|e| panic!("{} renders: {e}", kind.as_str()))
}

#[test]
fn the_renderer_is_send_and_sync() {
    fn shared_across_threads<T: Send + Sync + Clone + 'static>() {}
    shared_across_threads::<Renderer>();
}

#[test]
fn markup_in_the_data_prints_literally() {
    let names = [
        "#panic()",
        "]",
        "*_",
        "$x$",
        "\\",
        "#import \"x\"",
        "\"quoted\"",
        "王]#[*粗*]_斜_",
        "<label> @ref // comment /* block",
        "#{ sys.exit() }",
        "= heading",
        "`raw` ~ -- ---",
    ];
    for name in names {
        let mut data = sample_data(TemplateKind::AppointmentCertificate);
        data["person_name"] = Value::from(name);
        data["unit_name"] = Value::from(format!("{name}学院"));
        let pdf = RENDERER
            .render(TemplateKind::AppointmentCertificate, &data)
            .unwrap_or_else(|e| panic!("{name:?} must render, not fail: {e}"));
        let text = text_of(&pdf);
        assert_text_contains(&text, name);
        assert_text_contains(&text, &format!("{name}学院"));
    }

    // The same through a table (roster) and a list (meeting agenda).
    let mut roster = sample_data(TemplateKind::Roster);
    roster["rows"][0]["person_name"] = Value::from("#panic()");
    roster["rows"][1]["unit_name"] = Value::from("*_$x$\\]");
    let text = text_of(&render(TemplateKind::Roster, &roster));
    assert_text_contains(&text, "#panic()");
    assert_text_contains(&text, "*_$x$\\]");

    let mut meeting = sample_data(TemplateKind::MeetingNotice);
    meeting["agenda"] = json!(["#import \"x\"", "\"quoted\" *_"]);
    meeting["location"] = Value::from("#panic(\"boom\")");
    let text = text_of(&render(TemplateKind::MeetingNotice, &meeting));
    for s in ["#import \"x\"", "\"quoted\" *_", "#panic(\"boom\")"] {
        assert_text_contains(&text, s);
    }
}

#[test]
fn rare_name_characters_are_in_the_fonts_and_come_back_out() {
    let rare = "堃喆犇燚镕𠮷";
    assert_eq!(RENDERER.missing_glyphs(rare), Vec::<char>::new());
    assert_eq!(
        RENDERER.missing_glyphs("王堃 李喆 朱镕基 吉野家𠮷 二〇二六年"),
        Vec::<char>::new()
    );

    let mut data = sample_data(TemplateKind::AppointmentCertificate);
    data["person_name"] = Value::from("王堃喆");
    data["unit_name"] = Value::from("犇燚镕𠮷技师学院");
    let text = text_of(&render(TemplateKind::AppointmentCertificate, &data));
    assert_text_contains(&text, "王堃喆");
    assert_text_contains(&text, "犇燚镕𠮷技师学院");

    let mut roster = sample_data(TemplateKind::Roster);
    roster["rows"][2]["person_name"] = Value::from("𠮷田燚");
    assert_text_contains(&text_of(&render(TemplateKind::Roster, &roster)), "𠮷田燚");
}

#[test]
fn characters_outside_the_fonts_are_named_and_refused() {
    // Private use, unassigned, an emoji, Linear B, CJK extension G, a code point past the
    // font's CJK Unified Ideographs: each reported once, in order; whitespace is never reported.
    let text = "张\u{E000}三\u{0378} 😀😀\t𐀀\n𰀀鿯堃";
    assert_eq!(
        RENDERER.missing_glyphs(text),
        vec!['\u{E000}', '\u{0378}', '😀', '𐀀', '𰀀', '鿯']
    );
    assert_eq!(RENDERER.missing_glyphs(""), Vec::<char>::new());

    let mut data = sample_data(TemplateKind::AppointmentCertificate);
    data["person_name"] = Value::from("李😀");
    data["unit_name"] = Value::from("\u{E000}学院");
    assert_eq!(RENDERER.missing_glyphs_in(&data), vec!['😀', '\u{E000}']);
    match RENDERER.render(TemplateKind::AppointmentCertificate, &data) {
        Err(RenderError::MissingGlyphs(chars)) => assert_eq!(chars, vec!['😀', '\u{E000}']),
        other => panic!("expected MissingGlyphs, got {:?}", other.map(|pdf| pdf.len())),
    }
}

/// (title, texts) each sample must show.
fn expectations(kind: TemplateKind, data: &Value) -> (String, Vec<String>) {
    let s = |key: &str| {
        data[key]
            .as_str()
            .unwrap_or_else(|| panic!("sample field {key}"))
            .to_owned()
    };
    // The first row's fields, for the lists (roster, sign-in sheet).
    let row = |key: &str| {
        data["rows"][0][key]
            .as_str()
            .unwrap_or_else(|| panic!("row field {key}"))
            .to_owned()
    };
    let (title, mut texts) = match kind {
        TemplateKind::AppointmentCertificate => (
            "聘书".to_owned(),
            vec![s("person_name"), s("post_label"), s("unit_name")],
        ),
        TemplateKind::DismissalNotice => (
            "解聘通知书".to_owned(),
            vec![s("person_name"), s("post_label"), s("reason")],
        ),
        TemplateKind::LapseNotice => (
            "任期届满通知".to_owned(),
            vec![s("person_name"), s("post_label"), s("term_ends_on_zh")],
        ),
        TemplateKind::ResignationAcceptance => (
            "辞聘确认函".to_owned(),
            vec![s("person_name"), s("post_label"), s("effective_on_zh")],
        ),
        TemplateKind::CommendationCertificate => (
            "荣誉证书".to_owned(),
            vec![s("recipient_name"), s("honor_title"), s("citation")],
        ),
        TemplateKind::MeetingNotice => (
            s("title").replace('\n', ""),
            vec![s("person_name"), s("location"), s("meeting_name")],
        ),
        TemplateKind::Roster => (
            format!("{}成员名册", s("body_name")),
            vec![row("person_name"), row("post_label"), row("unit_name")],
        ),
        TemplateKind::SignInSheet => (
            format!("{}签到表", s("meeting_name")),
            vec![
                row("person_name"),
                row("unit_name"),
                s("location"),
                "请假".to_owned(),
                "未回复".to_owned(),
            ],
        ),
    };
    texts.extend([
        s("serial"),
        s("issuer"),
        s("issued_on_zh"),
        s("verify_url"),
        title.clone(),
    ]);
    (title, texts)
}

#[test]
fn every_template_renders_its_sample_on_a4_with_title_name_post_and_serial() {
    for kind in TemplateKind::ALL {
        let data = sample_data(kind);
        let pdf = render(kind, &data);
        assert!(pdf.starts_with(b"%PDF-"), "{}", kind.as_str());
        let info = info_of(&pdf);
        let expected_pages = match kind {
            TemplateKind::MeetingNotice | TemplateKind::SignInSheet => 2,
            TemplateKind::Roster => 4,
            _ => 1,
        };
        assert_eq!(pages(&info), expected_pages, "{}:\n{info}", kind.as_str());
        let sizes: Vec<&str> = info.lines().filter(|l| l.starts_with("Page size:")).collect();
        assert!(
            sizes.iter().all(|l| l.contains("595.276 x 841.89 pts (A4)")),
            "{} must be A4 portrait:\n{info}",
            kind.as_str()
        );

        let (title, texts) = expectations(kind, &data);
        let text = text_of(&pdf);
        for t in &texts {
            assert_text_contains(&text, t);
        }
        let pdf_title = info.lines().find_map(|l| l.strip_prefix("Title:")).map(str::trim);
        assert_eq!(pdf_title, Some(title.as_str()), "{}", kind.as_str());
        let author = info.lines().find_map(|l| l.strip_prefix("Author:")).map(str::trim);
        assert_eq!(author, data["issuer"].as_str(), "{}", kind.as_str());
        // The creation date is the issue date (00:00 in China Standard Time), not the clock.
        assert!(
            info.contains("CreationDate:    Mon Nov 23 16:00:00 2026 UTC"),
            "{}:\n{info}",
            kind.as_str()
        );
    }
}

#[test]
fn the_samples_compile_without_typst_warnings() {
    for kind in TemplateKind::ALL {
        let (_, warnings) = RENDERER.compile(kind, &sample_data(kind)).expect("compiles");
        assert!(warnings.is_empty(), "{}: {warnings:#?}", kind.as_str());
    }
}

#[test]
fn the_roster_spans_pages_and_repeats_its_header_on_each() {
    let data = sample_data(TemplateKind::Roster);
    assert_eq!(data["rows"].as_array().map(Vec::len), Some(120));
    let pdf = render(TemplateKind::Roster, &data);
    let n = pages(&info_of(&pdf));
    assert!(n >= 3, "120 rows should need several pages, got {n}");
    for page in 1..=n {
        let p = page.to_string();
        let text = poppler("pdftotext", &["-enc", "UTF-8", "-f", &p, "-l", &p, "-", "-"], &pdf);
        for header in ["序号", "姓名", "单位", "任职", "职务", "职称", "任期"] {
            assert_text_contains(&text, header);
        }
        assert_text_contains(&text, &format!("第{page}页共{n}页"));
    }
    let all = text_of(&pdf);
    for row in data["rows"].as_array().into_iter().flatten() {
        assert_text_contains(&all, row["person_name"].as_str().unwrap_or_default());
    }
    assert_text_contains(&all, "共120人。");

    // A short roster fits on one page.
    let mut short = data.clone();
    short["rows"] = json!([data["rows"][0], data["rows"][1]]);
    assert_eq!(pages(&info_of(&render(TemplateKind::Roster, &short))), 1);
}

#[test]
fn the_same_input_renders_the_same_bytes() {
    for kind in TemplateKind::ALL {
        let data = sample_data(kind);
        let a = render(kind, &data);
        let b = render(kind, &data);
        assert!(a == b, "{} is not deterministic", kind.as_str());
    }
    // Also across renderers, and after other documents went through the caches.
    let data = sample_data(TemplateKind::AppointmentCertificate);
    let first = render(TemplateKind::AppointmentCertificate, &data);
    let fresh = Renderer::new(None).expect("a second renderer");
    render(TemplateKind::Roster, &sample_data(TemplateKind::Roster));
    let again = fresh
        .render(TemplateKind::AppointmentCertificate, &data)
        .expect("renders");
    assert!(first == again, "a second renderer gave other bytes");

    let mut other = data.clone();
    other["person_name"] = Value::from("赵六");
    assert!(render(TemplateKind::AppointmentCertificate, &other) != first);
}

/// Pages of `data` mapped in this process (`/proc/self/pagemap`, bit 63 of each entry).
#[cfg(target_os = "linux")]
fn mapped_pages(data: &[u8]) -> usize {
    use std::io::{Read, Seek, SeekFrom};
    let start = data.as_ptr() as usize / 4096;
    let end = (data.as_ptr() as usize + data.len()).div_ceil(4096);
    let mut f = std::fs::File::open("/proc/self/pagemap").expect("pagemap");
    f.seek(SeekFrom::Start(start as u64 * 8)).expect("seek");
    let mut entries = vec![0u8; (end - start) * 8];
    f.read_exact(&mut entries).expect("read");
    entries.chunks_exact(8).filter(|e| e[7] >> 7 == 1).count()
}

/// Issue 11: once read, the fonts (48 MiB) stayed wholly in the suite's RSS (typst hashes each
/// face whole once; renders read glyphs from all over them). A sweep unmaps their pages; the
/// next render maps back only what it reads, and prints the same bytes. Other tests of this
/// binary render at the same time, and a new renderer's first render reads the fonts whole for
/// typst's hash, so a round may find them mapped again: the test renders round after round and
/// needs one whose render mapped back little.
#[cfg(target_os = "linux")]
#[test]
fn a_sweep_unmaps_the_fonts_pages_and_renders_after_it_are_the_same() {
    let data = sample_data(TemplateKind::AppointmentCertificate);
    let before = render(TemplateKind::AppointmentCertificate, &data);
    let pages: usize = world::FONT_FILES.iter().map(|f| f.len() / 4096).sum();
    let mapped = || world::FONT_FILES.iter().map(|f| mapped_pages(f)).sum::<usize>();
    let whole: u64 = world::FONT_FILES
        .iter()
        .map(|f| {
            std::hint::black_box(f)
                .iter()
                .step_by(4096)
                .map(|&b| u64::from(b))
                .sum::<u64>()
        })
        .sum();
    assert!(whole > 0, "read whole, so mapped (until a sweep)");

    let mut rounds = Vec::new();
    for _ in 0..50 {
        service_kit::alloc::sweep();
        let left = mapped();
        let after = render(TemplateKind::AppointmentCertificate, &data);
        assert!(before == after, "a render after a sweep gave other bytes");
        let read = mapped();
        rounds.push((left, read));
        if left < pages / 10 && read < pages / 4 {
            return;
        }
    }
    panic!("the fonts' {pages} pages stayed mapped: (after the sweep, after a render) {rounds:?}");
}

/// Issue 11: each glyph's outline program of the kept fonts is unpacked once and reused by
/// later subsets (vendor/subsetter, `keep_charstrings_of`); the subsets are byte for byte those
/// of a copy of the font that is never kept, for glyph sets that share glyphs with earlier ones.
#[test]
fn subsets_of_the_kept_fonts_are_those_of_a_copy_that_is_not_kept() {
    let _ = &*RENDERER; // registers the fonts
    for font in world::FONT_FILES {
        let copy = font.to_vec();
        for gids in [
            &[0u16, 1, 100, 2000, 30000][..],
            &[0, 100, 2001, 30000, 45000],
            &[2000, 2001, 1],
        ] {
            let mut remapper = subsetter::GlyphRemapper::new();
            for &g in gids {
                remapper.remap(g);
            }
            let kept = subsetter::subset(font, 0, &remapper).expect("a subset of the kept font");
            let fresh = subsetter::subset(&copy, 0, &remapper).expect("a subset of the copy");
            assert!(kept == fresh, "subsets of {gids:?} differ");
        }
    }
    assert!(
        subsetter::kept_charstrings() >= 7,
        "the kept fonts' glyphs were not kept"
    );
}

#[test]
fn two_threads_sharing_a_renderer_get_the_same_pdfs_as_one() {
    let renderer = Renderer::new(None).expect("renderer");
    let inputs: Vec<Value> = (0..12)
        .map(|i| {
            let mut data = sample_data(TemplateKind::AppointmentCertificate);
            data["serial"] = Value::from(format!("JGLM-2026-{:06}", 500 + i));
            data["verify_url"] = Value::from(format!("https://jglm.example.cn/verify/JGLM-2026-{:06}", 500 + i));
            data
        })
        .collect();
    let expected: Vec<Vec<u8>> = inputs
        .iter()
        .map(|d| {
            renderer
                .render(TemplateKind::AppointmentCertificate, d)
                .expect("renders")
        })
        .collect();
    let results: Vec<Vec<(usize, Vec<u8>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let renderer = renderer.clone();
                let inputs = &inputs;
                s.spawn(move || {
                    (t..inputs.len())
                        .step_by(2)
                        .map(|i| {
                            (
                                i,
                                renderer
                                    .render(TemplateKind::AppointmentCertificate, &inputs[i])
                                    .expect("renders"),
                            )
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    for (i, pdf) in results.into_iter().flatten() {
        assert!(pdf == expected[i], "document {i} differs when rendered concurrently");
    }
}

#[test]
fn many_renders_trim_the_cache_and_keep_working() {
    let renderer = Renderer::new(None).expect("renderer");
    let data = sample_data(TemplateKind::LapseNotice);
    let first = renderer.render(TemplateKind::LapseNotice, &data).expect("renders");
    for _ in 0..(EVICT_EVERY * 2) {
        renderer.render(TemplateKind::LapseNotice, &data).expect("renders");
    }
    assert!(renderer.render(TemplateKind::LapseNotice, &data).expect("renders") == first);
}

#[test]
fn a_configured_seal_is_printed_and_none_leaves_the_space_empty() {
    let images = |pdf: &[u8]| poppler("pdfimages", &["-list", "-"], pdf).lines().skip(2).count();
    let data = sample_data(TemplateKind::AppointmentCertificate);
    let without = render(TemplateKind::AppointmentCertificate, &data);
    assert_eq!(images(&without), 0, "no seal configured: no image");

    let sealed = Renderer::new(Some(TINY_PNG.to_vec())).expect("a renderer with a seal");
    for kind in TemplateKind::ALL {
        let pdf = sealed.render(kind, &sample_data(kind)).expect("renders with the seal");
        assert!(images(&pdf) >= 1, "{}: the seal is placed", kind.as_str());
    }
    let with = sealed
        .render(TemplateKind::AppointmentCertificate, &data)
        .expect("renders");
    // The seal is laid over the signature: the text stays where it was.
    assert_eq!(squeeze(&text_of(&with)), squeeze(&text_of(&without)));

    match Renderer::new(Some(b"GIF89a not a png".to_vec())) {
        Err(RenderError::Setup(message)) => assert!(message.contains("PNG"), "{message}"),
        other => panic!("a non-PNG seal must be refused, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn bad_data_is_reported_not_rendered() {
    let kind = TemplateKind::AppointmentCertificate;
    assert!(matches!(
        RENDERER.render(kind, &json!([1, 2])),
        Err(RenderError::InvalidData(_))
    ));

    let mut no_url = sample_data(kind);
    no_url.as_object_mut().expect("an object").remove("verify_url");
    assert!(matches!(RENDERER.render(kind, &no_url), Err(RenderError::InvalidData(m)) if m.contains("verify_url")));

    let mut bad_date = sample_data(kind);
    bad_date["issued_on"] = Value::from("24.11.2026");
    assert!(matches!(RENDERER.render(kind, &bad_date), Err(RenderError::InvalidData(m)) if m.contains("issued_on")));

    let mut missing = sample_data(kind);
    missing.as_object_mut().expect("an object").remove("person_name");
    match RENDERER.render(kind, &missing) {
        Err(RenderError::Template { kind: k, message }) => {
            assert_eq!(k, "appointment_certificate");
            assert!(message.contains("person_name"), "{message}");
            assert!(message.contains("appointment_certificate.typ:"), "{message}");
        }
        other => panic!("expected a template error, got {:?}", other.map(|pdf| pdf.len())),
    }

    // Without `issued_on` there is no creation date, and the output is still deterministic.
    let mut undated = sample_data(kind);
    undated.as_object_mut().expect("an object").remove("issued_on");
    let a = render(kind, &undated);
    assert!(!info_of(&a).contains("CreationDate"));
    assert!(a == render(kind, &undated));
}

#[test]
fn every_kind_has_a_template_and_complete_sample_data() {
    for kind in TemplateKind::ALL {
        let data = sample_data(kind);
        for key in ["serial", "issuer", "issued_on", "issued_on_zh", "verify_url"] {
            assert!(data[key].is_string(), "{}: {key}", kind.as_str());
        }
        assert_eq!(data["issued_on_zh"].as_str(), zh_date_iso("2026-11-24").as_deref());
        assert!(RENDERER.shared.main_id(kind).is_ok());
    }
}

#[test]
#[ignore = "writes preview PDFs to RENDER_PREVIEW_DIR for a human to look at"]
fn write_previews() {
    let dir = std::env::var("RENDER_PREVIEW_DIR").unwrap_or_else(|_| "/tmp/render-preview".into());
    std::fs::create_dir_all(&dir).expect("preview dir");
    let seal = std::env::var("RENDER_PREVIEW_SEAL")
        .ok()
        .map(|p| std::fs::read(p).expect("seal file"));
    let renderer = Renderer::new(seal).expect("renderer");
    for kind in TemplateKind::ALL {
        let pdf = renderer.render(kind, &sample_data(kind)).expect("render");
        std::fs::write(format!("{dir}/{}.pdf", kind.as_str()), pdf).expect("write");
    }
}

/// The printed QR code reads back (zbarimg, Debian's zbar-tools) as the verification URL.
#[test]
fn the_printed_qr_code_decodes_to_the_verification_url() {
    let url = "https://jglm.example.cn/v/Qk3x_9fZ-aV0pL2mN8rT4uW6yB1cD5eG";
    let mut data = sample_data(TemplateKind::AppointmentCertificate);
    data["verify_url"] = json!(url);
    let pdf = render(TemplateKind::AppointmentCertificate, &data);
    let dir = tempfile::tempdir().expect("a temp dir");
    let pdf_path = dir.path().join("c.pdf");
    std::fs::write(&pdf_path, &pdf).expect("write the PDF");
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "200", "-singlefile"])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(status.success());
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(dir.path().join("page.png"))
        .output()
        .unwrap_or_else(|e| panic!("zbarimg could not be started ({e}): apt-get install zbar-tools (CI installs it)"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), url);
}

/// Issue 12: every document is archival PDF/A (its XMP says so, read by poppler): PDF/A-2b, and
/// PDF/A-3b with the credential attached for a certificate that has one.
#[test]
fn documents_are_pdf_a_and_a_certificates_credential_is_attached() {
    let part_of = |pdf: &[u8]| {
        let xmp: String = poppler("pdfinfo", &["-meta", "-"], pdf).split_whitespace().collect();
        let part = ["1", "2", "3", "4"].into_iter().find(|p| {
            xmp.contains(&format!("<pdfaid:part>{p}</pdfaid:part>")) || xmp.contains(&format!("pdfaid:part=\"{p}\""))
        });
        let b = xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>") || xmp.contains("pdfaid:conformance=\"B\"");
        (part.map(str::to_owned), b)
    };
    for kind in TemplateKind::ALL {
        let pdf = render(kind, &sample_data(kind));
        assert_eq!(
            part_of(&pdf),
            (Some("2".to_owned()), true),
            "{} is not PDF/A-2b",
            kind.as_str()
        );
    }
    let mut data = sample_data(TemplateKind::AppointmentCertificate);
    data["credential"] = json!("eyJhbGciOiJFZERTQSJ9.eyJpZCI6IngifQ.c2ln");
    let pdf = render(TemplateKind::AppointmentCertificate, &data);
    assert_eq!(
        part_of(&pdf),
        (Some("3".to_owned()), true),
        "a certificate with its credential is PDF/A-3b"
    );
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("credential.jwt") && raw.contains("/AFRelationship"),
        "no embedded credential"
    );
}

/// Issue 13: a 会议变更通知 keeps every section and says which notice holds; a 会议取消通知 is
/// one paragraph with its reason, on one page.
#[test]
fn a_changed_and_a_cancelled_meeting_notice_say_so() {
    let mut change = sample_data(TemplateKind::MeetingNotice);
    change["occasion"] = json!("change");
    change["title"] = json!("关于技工联盟2026年全体会议有关事项变更的通知");
    let text = text_of(&render(TemplateKind::MeetingNotice, &change));
    for s in [
        "有关事项变更的通知",
        "有关事项发生变更，现将变更后的有关事项通知如下",
        "会议议程",
        "此前通知与本通知不一致的，以本通知为准。特此通知。",
    ] {
        assert_text_contains(&text, s);
    }

    let mut cancel = sample_data(TemplateKind::MeetingNotice);
    cancel["occasion"] = json!("cancellation");
    cancel["title"] = json!("关于取消召开技工联盟2026年全体会议的通知");
    cancel["cancel_reason"] = json!("会场改建");
    let pdf = render(TemplateKind::MeetingNotice, &cancel);
    let text = text_of(&pdf);
    assert_text_contains(&text, "关于取消召开技工联盟2026年全体会议的通知");
    assert_text_contains(&text, "因会场改建，经研究，决定取消。此前发出的会议通知作废");
    assert!(!squeeze(&text).contains("会议议程"), "{text}");
    assert_eq!(pages(&info_of(&pdf)), 1);

    // Issue 13: one invitee no longer invited (a new date after their appointment ends).
    let mut withdrawn = sample_data(TemplateKind::MeetingNotice);
    withdrawn["occasion"] = json!("withdrawal");
    withdrawn["title"] = json!("关于撤回技工联盟2026年全体会议参会邀请的通知");
    let pdf = render(TemplateKind::MeetingNotice, &withdrawn);
    let text = text_of(&pdf);
    assert_text_contains(&text, "关于撤回技工联盟2026年全体会议参会邀请的通知");
    assert_text_contains(
        &text,
        "参会人员的调整，您不再列入本次会议参会人员范围，此前发给您的会议通知作废",
    );
    assert!(!squeeze(&text).contains("会议议程"), "{text}");
    assert_eq!(pages(&info_of(&pdf)), 1);
}

/// Issue 13 part 4: the 签到表 lists every invitee with their reply, the counts under the table
/// and the signature with the last rows; the header on each page.
#[test]
fn a_sign_in_sheet_prints_each_reply_and_the_counts() {
    let data = sample_data(TemplateKind::SignInSheet);
    let pdf = render(TemplateKind::SignInSheet, &data);
    let text = squeeze(&text_of(&pdf));
    let counts = &data["counts"];
    let line = format!(
        "应到{}人；回执：参加{}人，请假{}人，未回复{}人。",
        counts["invitees"], counts["attend"], counts["leave"], counts["unanswered"]
    );
    assert!(text.contains(&line), "{line} not in {text}");
    assert!(text.contains("请假（出差在外，无法参会）"), "{text}");
    let n = pages(&info_of(&pdf));
    assert_eq!(
        text.matches("签到").count(),
        1 + n,
        "the title once, the header on each of {n} pages: {text}"
    );
}

/// Issue 15: the 聘书's period is the appointment's (an addition during the term, R4, starts on
/// the day it was made), not the term's.
#[test]
fn the_certificate_period_is_the_appointments_r4() {
    let mut data = sample_data(TemplateKind::AppointmentCertificate);
    data["starts_on_zh"] = json!("二〇二七年三月十五日");
    data["ends_on_zh"] = json!("二〇二九年十一月二十三日");
    let text = text_of(&render(TemplateKind::AppointmentCertificate, &data));
    assert_text_contains(&text, "聘期自二〇二七年三月十五日起至二〇二九年十一月二十三日止");
}

/// Issue 15: a body is named once in every document composed from an appointment's facts, both
/// when its own name is short (理事会: the alliance's name is put in front) and when it already
/// holds the alliance's name (not put in front again).
#[test]
fn every_appointment_document_names_the_body_once() {
    use crate::domain::requests::{ISSUER, appointment_request};
    for body in ["专家委员会", "机械行业技工院校高水平专业建设联盟数控技术专业建设协作组"]
    {
        let facts: alliance_events::AppointmentFacts = serde_json::from_value(json!({"appointment_id": 7,
            "person_id": 3, "person_name": "王志刚", "person_email": null, "job_post": "教师", "title_label": "正高级",
            "unit_id": 1, "unit_name": "浙江机电技师学院", "unit_contact_email": null, "body_id": 2, "body_name": body,
            "post": "member", "post_label": "委员", "term_number": 2, "term_starts_on": "2026-01-01",
            "term_ends_on": "2029-12-31", "starts_on": "2026-01-01", "ends_on": "2029-12-31", "status": "dismissed",
            "ended_on": "2026-06-01", "end_reason": "二〇二六工作年度内无故两次不参加活动", "previous_appointment_id": null}))
        .expect("facts");
        let full = if body.starts_with(ISSUER) {
            body.to_owned()
        } else {
            format!("{ISSUER}{body}")
        };
        for kind in [
            TemplateKind::AppointmentCertificate,
            TemplateKind::DismissalNotice,
            TemplateKind::LapseNotice,
            TemplateKind::ResignationAcceptance,
        ] {
            let req = appointment_request("e1", kind, &facts, vec![]);
            let mut data = sample_data(kind);
            if let (Value::Object(d), Value::Object(r)) = (&mut data, req.data) {
                d.extend(r);
            }
            let text = squeeze(&text_of(&render(kind, &data)));
            assert!(text.contains(&full), "{}: {full} not in {text}", kind.as_str());
            assert!(
                !text.contains(&format!("联盟{ISSUER}")) && !text.contains(&format!("{ISSUER}{ISSUER}")),
                "{}: the alliance named twice in a row: {text}",
                kind.as_str()
            );
        }
    }
}

/// Issue 15: every kind opens without a problem in two more independent readers, qpdf
/// (`qpdf --check`) and pikepdf (`tests/tools/check_pdf.py`; Debian qpdf and python3-pikepdf,
/// which CI installs), a certificate with its attached credential (PDF/A-3b) among them.
#[test]
fn every_document_passes_qpdf_and_pikepdf() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut files = Vec::new();
    let mut with_credential = sample_data(TemplateKind::AppointmentCertificate);
    with_credential["credential"] = json!("eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl");
    let docs = TemplateKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_owned(), render(k, &sample_data(k))))
        .chain([(
            "certificate_with_credential".to_owned(),
            render(TemplateKind::AppointmentCertificate, &with_credential),
        )]);
    for (name, pdf) in docs {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, pdf).expect("the PDF is written");
        files.push(file);
    }
    let out = Command::new("/usr/bin/python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/tools/check_pdf.py"))
        .args(&files)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "qpdf or pikepdf found problems (apt-get install qpdf python3-pikepdf):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
