//! Looked at, automatically (issue 15): every kind rendered over a table of inputs — the
//! shortest and longest names, units, posts and titles the API accepts, rare characters, an agenda
//! of one and of ten items, lists of 1, 40 and 400 people — then rasterised with `pdftoppm` and
//! checked as a reader would: the page count, the signature on the page of the text's last
//! line, the verification block on the last page, no ink outside the page's margins or a
//! certificate's frame, and the sentence that matters in the text (`pdftotext`).

use std::process::Command;

use serde_json::{Value, json};

use super::tests::{info_of, pages, poppler, render, squeeze};
use super::{TemplateKind, sample_data};

/// Raster resolution: 1 mm ≈ 2 px, enough to see a line of text outside its box.
const DPI: f64 = 50.0;
/// A pixel this dark or darker is ink (anti-aliased edges are lighter).
const INK: u8 = 160;

/// A page as grey pixels.
struct Raster {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Raster {
    fn px(mm: f64) -> usize {
        (mm / 25.4 * DPI).round() as usize
    }

    /// The dark pixels inside the rectangle (in mm from the page's top left corner).
    fn ink_in(&self, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> usize {
        let (x0, x1) = (Self::px(x0).min(self.width), Self::px(x1).min(self.width));
        let (y0, y1) = (Self::px(y0).min(self.height), Self::px(y1).min(self.height));
        (y0..y1)
            .map(|y| (x0..x1).filter(|x| self.pixels[y * self.width + x] <= INK).count())
            .sum()
    }
}

/// Each page of the PDF rasterised in grey (`pdftoppm -gray`, PGM).
fn rasterise(pdf: &[u8]) -> Vec<Raster> {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).expect("the PDF is written");
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", &DPI.to_string()])
        .arg(&file)
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the temp dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    files.sort();
    files.iter().map(|f| pgm(&std::fs::read(f).expect("a page"))).collect()
}

/// A binary PGM (P5, 8 bits) as written by pdftoppm.
fn pgm(bytes: &[u8]) -> Raster {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    assert_eq!(
        (fields[0].as_str(), fields[3].as_str()),
        ("P5", "255"),
        "not an 8-bit PGM"
    );
    let (width, height) = (fields[1].parse().expect("width"), fields[2].parse().expect("height"));
    let pixels = bytes[at + 1..].to_vec();
    assert_eq!(pixels.len(), width * height);
    Raster { width, height, pixels }
}

/// Where ink may be, per kind: the page (A4, mm) less its margins, where the footer (page
/// number, serial) sits in the bottom margin; for certificates, the areas outside the outer
/// frame and between the inner frame and the text, which must stay empty.
fn forbidden(kind: TemplateKind) -> Vec<(f64, f64, f64, f64)> {
    let (w, h) = (210.0, 297.0);
    // (top, left, right) margins; the footer sits in the bottom margin, so only the last 5 mm
    // of the page are checked below the text.
    let margins = |t: f64, l: f64, r: f64| {
        vec![
            // Chinese glyphs rise a little above the cap height typst lays lines out by.
            (0.0, 0.0, w, t - 3.0),
            (0.0, h - 5.0, w, h),
            (0.0, 0.0, l - 1.0, h),
            (w - r + 1.0, 0.0, w, h),
        ]
    };
    match kind {
        TemplateKind::AppointmentCertificate | TemplateKind::CommendationCertificate => vec![
            // Outside the outer frame (10 mm in, 3 pt wide).
            (0.0, 0.0, w, 8.5),
            (0.0, h - 8.5, w, h),
            (0.0, 0.0, 8.5, h),
            (w - 8.5, 0.0, w, h),
            // Between the inner frame (13.5 mm in) and the text (32 mm in at the sides, 38 at the
            // top, 30 at the bottom).
            (15.0, 15.0, 31.0, h - 15.0),
            (w - 31.0, 15.0, w - 15.0, h - 15.0),
            (15.0, 15.0, w - 15.0, 34.0),
            (15.0, h - 29.0, w - 15.0, h - 15.0),
        ],
        TemplateKind::Roster => margins(25.0, 20.0, 20.0),
        TemplateKind::SignInSheet => margins(22.0, 20.0, 20.0),
        _ => margins(28.0, 28.0, 26.0),
    }
}

/// One input of the table: a name for messages, the kind, its data.
struct Case {
    name: String,
    kind: TemplateKind,
    data: Value,
    /// What the text must read (whitespace ignored).
    reads: Vec<String>,
    /// The most pages it may take.
    max_pages: usize,
}

fn case(name: &str, kind: TemplateKind, changes: Value, reads: &[&str], max_pages: usize) -> Case {
    let mut data = sample_data(kind);
    if let (Value::Object(d), Value::Object(c)) = (&mut data, changes) {
        d.extend(c);
    }
    Case {
        name: name.to_owned(),
        kind,
        data,
        reads: reads.iter().map(|s| (*s).to_owned()).collect(),
        max_pages,
    }
}

const ALLIANCE: &str = "机械行业技工院校高水平专业建设联盟";
/// 50 characters: the longest person name the API accepts.
fn longest_name() -> String {
    "欧阳".to_owned() + &"镕𠮷堃喆".repeat(12)
}
/// 100 characters: the longest unit name.
fn longest_unit() -> String {
    "中国机械工业集团有限公司".repeat(8) + "技工教育研究院"
}
/// 500 characters: the longest citation.
fn longest_citation() -> String {
    "在专业建设、课程改革和师资培养中积极参与、成效显著、贡献较大，".repeat(16)
}

fn cases() -> Vec<Case> {
    use TemplateKind::*;
    let (name, unit, citation) = (longest_name(), longest_unit(), longest_citation());
    let long_post = "数控技术专业建设协作组副秘书长";
    let long_body = format!("{ALLIANCE}数控技术专业建设协作组");
    let mut v = Vec::new();
    // A Latin name of 50 letters has no break opportunity: it must shrink or break, not overflow.
    let latin = "Aleksandrovna".repeat(3) + "Petrovskaya";
    for (label, person, unit_name) in [
        ("short", "王", "一校"),
        ("long", name.as_str(), unit.as_str()),
        ("latin", latin.as_str(), "Technical College"),
    ] {
        v.push(case(
            &format!("聘书, {label}"),
            AppointmentCertificate,
            json!({"person_name": person, "unit_name": unit_name, "post_label": long_post, "body_name": long_body}),
            &[&format!(
                "兹聘请{unit_name}{person}同志为{long_body}{long_post}（第二届）"
            )],
            1,
        ));
        v.push(case(
            &format!("荣誉证书, {label}"),
            CommendationCertificate,
            json!({"recipient_name": person, "unit_name": unit_name,
                "citation": if label == "long" { citation.as_str() } else { "贡献较大" }}),
            &[&format!("{person}同志"), "特发此证，以资鼓励。"],
            1,
        ));
        for kind in [DismissalNotice, LapseNotice, ResignationAcceptance] {
            v.push(case(
                &format!("{}, {label}", kind.label_zh()),
                kind,
                json!({"person_name": person, "unit_name": unit_name, "post_label": long_post, "body_name": long_body}),
                &[
                    &format!("{person}同志："),
                    &format!("{long_body}{long_post}"),
                    &format!("抄送：{unit_name}"),
                ],
                if label == "short" { 1 } else { 2 },
            ));
        }
    }
    for items in [1, 10] {
        let agenda: Vec<String> = (1..=items)
            .map(|i| format!("审议第{i}项议题：技工院校高水平专业建设有关事项"))
            .collect();
        let title = format!("关于召开{ALLIANCE}2026年度全体会议的通知");
        v.push(case(
            &format!("会议通知, agenda of {items}"),
            MeetingNotice,
            json!({"agenda": agenda, "title": title, "meeting_name": format!("{ALLIANCE}2026年度全体会议")}),
            &[&title, "特此通知。"],
            if items == 1 { 1 } else { 2 },
        ));
    }
    // The longest title and place an activity may have (200 characters each).
    let meeting = format!("{ALLIANCE}{}", "数控技术专业建设协作组课程标准研讨会暨".repeat(9))
        .chars()
        .take(200)
        .collect::<String>();
    let place: String = "北京市西城区三里河路46号机械工业教育发展中心"
        .repeat(9)
        .chars()
        .take(200)
        .collect();
    v.push(case(
        "会议通知, longest title and place",
        MeetingNotice,
        json!({"title": format!("关于召开{meeting}的通知"), "meeting_name": meeting, "location": place}),
        &[&format!("关于召开{meeting}的通知"), "特此通知。"],
        2,
    ));
    v.extend([1, 40, 400].into_iter().flat_map(|n| lists(n, &name, &unit)));
    v
}

/// The first row given the longest name and unit.
fn longest_first(rows: &mut [Value], name: &str, unit: &str) {
    rows[0]["person_name"] = json!(name);
    rows[0]["unit_name"] = json!(unit);
}

/// The 成员名册 and 签到表 of `n` people, the first with the longest name and unit.
fn lists(n: usize, name: &str, unit: &str) -> Vec<Case> {
    use TemplateKind::*;
    let mut cases = Vec::new();
    let mut roster = sample_data(Roster);
    let mut rows: Vec<Value> = (0..n).map(|i| roster["rows"][i % 120].clone()).collect();
    longest_first(&mut rows, name, unit);
    roster["rows"] = json!(rows);
    cases.push(Case {
        name: format!("成员名册 of {n}"),
        kind: Roster,
        reads: vec![format!("共{n}人。")],
        max_pages: n / 15 + 2,
        data: roster,
    });
    let mut sheet = sample_data(SignInSheet);
    let base = sheet["rows"].as_array().cloned().unwrap_or_default();
    let mut rows: Vec<Value> = (0..n).map(|i| base[i % base.len()].clone()).collect();
    longest_first(&mut rows, name, unit);
    let count = |a: Option<&str>| rows.iter().filter(|r| r["answer"].as_str() == a).count();
    sheet["counts"] = json!({"invitees": n, "attend": count(Some("attend")), "leave": count(Some("leave")), "unanswered": count(None)});
    sheet["rows"] = json!(rows);
    cases.push(Case {
        name: format!("签到表 of {n}"),
        kind: SignInSheet,
        reads: vec![format!("应到{n}人")],
        max_pages: n / 12 + 2,
        data: sheet,
    });
    cases
}

/// The closing words each kind ends its text with, printed just above the signature.
fn closing(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::AppointmentCertificate => "特发此聘书。",
        TemplateKind::CommendationCertificate => "特发此证，以资鼓励。",
        TemplateKind::ResignationAcceptance => "特此函告。",
        TemplateKind::Roster => "人。",
        TemplateKind::SignInSheet => "未回复",
        _ => "特此通知。",
    }
}

fn page_text(pdf: &[u8], page: usize) -> String {
    let p = page.to_string();
    squeeze(&poppler(
        "pdftotext",
        &["-enc", "UTF-8", "-f", &p, "-l", &p, "-", "-"],
        pdf,
    ))
}

#[test]
fn every_kind_over_a_table_of_inputs_stays_in_its_margins_and_ends_together() {
    let mut failures = Vec::new();
    for c in cases() {
        let pdf = render(c.kind, &c.data);
        // VISUAL_DUMP=<dir> keeps each case's PDF there, to look at.
        if let Some(dir) = std::env::var_os("VISUAL_DUMP") {
            let name: String = c
                .name
                .chars()
                .map(|ch| if ch.is_alphanumeric() { ch } else { '_' })
                .collect();
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), &pdf).expect("the dump");
        }
        let n = pages(&info_of(&pdf));
        // Without the zero-width spaces a long Latin name may break at.
        let all = squeeze(&poppler("pdftotext", &["-enc", "UTF-8", "-", "-"], &pdf)).replace('\u{200B}', "");
        if n > c.max_pages {
            failures.push(format!("{}: {n} pages, at most {} expected", c.name, c.max_pages));
        }
        for r in &c.reads {
            if !all.contains(&squeeze(r)) {
                failures.push(format!("{}: {r:?} not in the text: {all}", c.name));
            }
        }
        // The signature (its date) on the last page, with the text's last words, and the
        // verification block (the serial's 编号 line and the URL) there too.
        let last = page_text(&pdf, n);
        let date = squeeze(c.data["issued_on_zh"].as_str().unwrap_or_default());
        let url = squeeze(c.data["verify_url"].as_str().unwrap_or_default());
        for (what, needle) in [
            ("signature date", date.as_str()),
            ("closing words", closing(c.kind)),
            ("verification URL", url.as_str()),
        ] {
            if !last.contains(needle) {
                failures.push(format!("{}: the {what} is not on the last page ({n}): {last}", c.name));
            }
        }
        for (i, page) in rasterise(&pdf).iter().enumerate() {
            for zone in forbidden(c.kind) {
                let ink = page.ink_in(zone);
                if ink > 0 {
                    failures.push(format!("{}: page {}: {ink} dark pixels in {zone:?} mm", c.name, i + 1));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The reference page of each kind, kept in `docs/documents/` and shown in the README, so a
/// reader sees each document without running anything. Each must exist; to make them again
/// from the samples: `REFERENCE_PNGS=1 cargo test -p documents-service reference_pages`.
#[test]
fn reference_pages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/documents");
    let write = std::env::var_os("REFERENCE_PNGS").is_some();
    for kind in TemplateKind::ALL {
        let png = dir.join(format!("{}.png", kind.as_str()));
        if write {
            std::fs::create_dir_all(&dir).expect("docs/documents");
            let tmp = tempfile::tempdir().expect("a temp dir");
            let file = tmp.path().join("doc.pdf");
            std::fs::write(&file, render(kind, &sample_data(kind))).expect("the PDF is written");
            let out = Command::new("pdftoppm")
                .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
                .arg(&file)
                .arg(png.with_extension(""))
                .output()
                .expect("pdftoppm runs");
            assert!(
                out.status.success(),
                "pdftoppm: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let bytes =
            std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e} (REFERENCE_PNGS=1 makes it)", png.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{} is not a PNG", png.display());
    }
}
