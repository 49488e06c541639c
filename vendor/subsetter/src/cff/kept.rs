//! Glyph programs kept between subsets (a patch for the alliance, see `PATCHES.md`).
//!
//! A glyph's desubroutinized charstring depends only on the font, so for fonts whose data lives
//! as long as the process ([`crate::keep_charstrings_of`]) it is decompiled once and reused by
//! every later subset of that font. Keys are the glyph's charstring's address in that data: the
//! data never moves or goes away, so an address names one glyph of one font for good.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError, RwLock};

/// Glyphs kept at most (a CJK glyph's program is a few hundred bytes: ≈ 5 MiB at most); once
/// full, the rest are decompiled each time, as without this cache.
const MAX_GLYPHS: usize = 16_384;

/// Address ranges of the fonts registered as living for the whole process.
static KEPT_FONTS: RwLock<Vec<(usize, usize)>> = RwLock::new(Vec::new());

type Key = (usize, usize, u8);

static PROGRAMS: LazyLock<Mutex<HashMap<Key, Box<[u8]>>>> = LazyLock::new(Mutex::default);

pub(crate) fn keep(data: &'static [u8]) {
    let start = data.as_ptr() as usize;
    let mut fonts = KEPT_FONTS.write().unwrap_or_else(PoisonError::into_inner);
    if !fonts.contains(&(start, data.len())) {
        fonts.push((start, data.len()));
    }
}

/// Whether `charstring` lies in a font registered with [`keep`].
pub(crate) fn is_kept(charstring: &[u8]) -> bool {
    let at = charstring.as_ptr() as usize;
    let end = at + charstring.len();
    let fonts = KEPT_FONTS.read().unwrap_or_else(PoisonError::into_inner);
    fonts.iter().any(|&(start, len)| at >= start && end <= start + len)
}

fn key(charstring: &[u8], fd_index: u8) -> Key {
    (charstring.as_ptr() as usize, charstring.len(), fd_index)
}

pub(crate) fn get(charstring: &[u8], fd_index: u8) -> Option<Vec<u8>> {
    let programs = PROGRAMS.lock().unwrap_or_else(PoisonError::into_inner);
    programs.get(&key(charstring, fd_index)).map(|p| p.to_vec())
}

pub(crate) fn put(charstring: &[u8], fd_index: u8, program: &[u8]) {
    let mut programs = PROGRAMS.lock().unwrap_or_else(PoisonError::into_inner);
    if programs.len() < MAX_GLYPHS {
        programs.insert(key(charstring, fd_index), Box::from(program));
    }
}

pub(crate) fn count() -> usize {
    PROGRAMS.lock().unwrap_or_else(PoisonError::into_inner).len()
}
