//! The kit's printable table (`service_kit::printable`, which members-service checks people's and
//! units' text against at the edge, issue 9) is exactly what this service's renderer accepts:
//! the characters its fonts draw and those it never draws.
//!
//! Regenerate the table after changing the fonts or the renderer's glyph check:
//! `cargo test -p documents-service --test coverage -- --ignored regenerate`.

use documents_service::render::Renderer;
use service_kit::printable;

/// The renderer's own answer, character by character, over every code point.
fn accepted_ranges() -> Vec<(u32, u32)> {
    let renderer = Renderer::new(None).unwrap_or_else(|e| panic!("renderer: {e}"));
    let mut buf = [0u8; 4];
    printable::ranges_where(|c| renderer.missing_glyphs(c.encode_utf8(&mut buf)).is_empty())
}

#[test]
fn the_kits_printable_table_is_what_the_fonts_print() {
    let actual = accepted_ranges();
    let table = printable::RANGES;
    let first_difference = actual.iter().zip(table).position(|(a, t)| a != t);
    assert!(
        actual == table,
        "service-kit/src/printable/coverage.rs differs from the fonts ({} ranges in the fonts, {} \
         in the table, first difference at range {:?}); regenerate it: cargo test -p \
         documents-service --test coverage -- --ignored regenerate",
        actual.len(),
        table.len(),
        first_difference,
    );
    // Spot checks of the renderer's own tests' characters, through the kit's function.
    assert!(printable::unprintable("王堃 李喆 朱镕基 吉野家𠮷").is_empty());
    assert_eq!(printable::unprintable("😀\u{E000}"), vec!['😀', '\u{E000}']);
}

#[test]
#[ignore = "writes service-kit/src/printable/coverage.rs; run after changing the fonts"]
fn regenerate() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../service-kit/src/printable/coverage.rs");
    let source = printable::table_source(&accepted_ranges());
    std::fs::write(path, source).unwrap_or_else(|e| panic!("{path}: {e}"));
}
