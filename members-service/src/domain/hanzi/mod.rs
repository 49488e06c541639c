//! Chinese order and spelling of names (issue 14), free of I/O:
//! - [`stroke_key`]: 姓氏笔画 as GB13000.1 字序 orders it: by the number of strokes of the first
//!   character, then by its strokes in writing order (横 1, 竖 2, 撇 3, 点 4, 折 5), then the
//!   next character the same way;
//! - [`pinyin_key`]: by the syllables (a surname read as a surname: 单 shàn, 曾 zēng), then tone,
//!   then strokes;
//! - [`spelling`]: what a pinyin search looks up: `zhangwei`, `wei`, `zw` all find 张伟.
//!
//! Data: `strokes.txt` and `surnames.txt`, written by `scripts/gen-hanzi-data.py` from cnchar's
//! stroke orders, Unihan's stroke counts and pinyin-pro's surname readings; every other reading
//! comes from the `pinyin` crate.

mod keys;
mod strokes;

pub use keys::{SpellQuery, Spelling, pinyin_key, spell_query, spelling, stroke_key};

/// How a list of people is ordered (declared with the vocabularies other services share: the
/// 成员名册 of documents-service is ordered the same ways).
pub use alliance_events::vocab::NameOrder;

/// The version of the keys above: rows keyed by an older one are keyed again at start-up (a
/// change of data or of the key's shape raises it).
pub const KEYS_VERSION: i32 = 1;

#[cfg(test)]
mod expected_orders;
#[cfg(test)]
mod tests;
