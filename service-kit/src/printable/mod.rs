//! What the suite's documents can print, known to every service without the fonts.
//!
//! documents-service draws its PDFs with the fonts in `documents-service/fonts/` and refuses a
//! document with a character they lack (typst would draw an empty box). A name accepted by
//! members-service but unprintable there makes an appointment whose 聘书 can never be issued, so
//! the services refuse such text at the edge with this table instead.
//!
//! [`RANGES`] lists, as sorted inclusive code point ranges, every character the documents take:
//! those the fonts draw, and those never drawn (whitespace, control and invisible format
//! characters, which documents-service skips). It is generated from the fonts themselves, and
//! `documents-service/tests/coverage.rs` fails when it differs from what the renderer accepts;
//! regenerate it after changing the fonts with
//! `cargo test -p documents-service --test coverage -- --ignored regenerate`.

use crate::problem::Code;
use crate::problem::FieldError;

mod coverage;

pub use coverage::RANGES;

/// Whether the documents can take `c`.
pub fn is_printable(c: char) -> bool {
    let cp = u32::from(c);
    RANGES
        .binary_search_by(|&(first, last)| {
            if last < cp {
                std::cmp::Ordering::Less
            } else if first > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The characters of `text` the documents cannot print, each once, in order of appearance.
pub fn unprintable(text: &str) -> Vec<char> {
    let mut found = Vec::new();
    for c in text.chars() {
        if !is_printable(c) && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// Adds a per-field `unprintable_characters` error naming the characters of `value` that the
/// documents cannot print (e.g. `😀 (U+1F600)`), if any.
pub fn check(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    let bad = unprintable(value);
    if bad.is_empty() {
        return;
    }
    let named: Vec<String> = bad.iter().map(|c| format!("{c} (U+{:04X})", u32::from(*c))).collect();
    errors.push(FieldError::new(
        field,
        Code::UnprintableCharacters,
        format!("the documents' fonts cannot print {}", named.join(", ")),
    ));
}

/// The Rust source of `coverage.rs` for `ranges` (what the generator writes).
pub fn table_source(ranges: &[(u32, u32)]) -> String {
    let mut out = String::from(
        "//! Generated from documents-service/fonts by\n\
         //! `cargo test -p documents-service --test coverage -- --ignored regenerate`; do not edit.\n\
         //! See the parent module.\n\n\
         /// Code points the documents take, as sorted, disjoint, inclusive ranges.\n\
         #[rustfmt::skip]\n\
         pub const RANGES: &[(u32, u32)] = &[\n",
    );
    for row in ranges.chunks(6) {
        let cells: Vec<String> = row.iter().map(|(a, b)| format!("(0x{a:04X}, 0x{b:04X})")).collect();
        out.push_str("    ");
        out.push_str(&cells.join(", "));
        out.push_str(",\n");
    }
    out.push_str("];\n");
    out
}

/// `ranges` made from the characters, in increasing order, for which `takes` holds.
pub fn ranges_where(mut takes: impl FnMut(char) -> bool) -> Vec<(u32, u32)> {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        if !takes(c) {
            continue;
        }
        let cp = u32::from(c);
        match ranges.last_mut() {
            Some((_, last)) if *last + 1 == cp => *last = cp,
            _ => ranges.push((cp, cp)),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_disjoint() {
        assert!(!RANGES.is_empty());
        for (first, last) in RANGES {
            assert!(first <= last, "{first:X}-{last:X}");
        }
        for pair in RANGES.windows(2) {
            assert!(pair[0].1 + 1 < pair[1].0, "{pair:X?} overlap or touch");
        }
    }

    /// Issue 9 (point 5): a person named with an emoji made a 聘书 that could never be issued.
    #[test]
    fn chinese_names_print_and_emoji_and_private_use_do_not() {
        assert_eq!(
            unprintable("欧阳堃 朱镕基 吉野家𠮷 Zhang Wei-Ming, 二〇二六年"),
            Vec::<char>::new()
        );
        assert_eq!(unprintable("王😀伟😀\u{E000}"), vec!['😀', '\u{E000}']);
        // Whitespace and controls are never drawn, so the documents take them; the services'
        // own rules decide whether a field may hold them.
        assert_eq!(unprintable("a\tb\nc\u{3000}d\u{200B}"), Vec::<char>::new());
        let mut errors = Vec::new();
        check("name", "张😀", &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "unprintable_characters");
        assert!(errors[0].message.contains("😀 (U+1F600)"), "{}", errors[0].message);
    }

    #[test]
    fn ranges_merge_neighbours() {
        let r = ranges_where(|c| matches!(c, 'a'..='c' | 'e' | '\u{10FFFF}'));
        assert_eq!(r, vec![(0x61, 0x63), (0x65, 0x65), (0x10FFFF, 0x10FFFF)]);
        assert!(table_source(&r).contains("(0x0061, 0x0063), (0x0065, 0x0065), (0x10FFFF, 0x10FFFF),"));
    }
}
