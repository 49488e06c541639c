//! The stroke table: each character's strokes as digits 1–5 where its order is known, else only
//! its number of strokes. Read once from `strokes.txt`, kept sorted for binary search.

use std::sync::OnceLock;

const DATA: &str = include_str!("strokes.txt");

/// What the table knows of a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strokes {
    /// Its strokes in writing order, as digits `1`–`5` (横竖撇点折).
    Order(&'static str),
    /// Only how many strokes it has.
    Count(u8),
}

impl Strokes {
    pub fn count(self) -> usize {
        match self {
            Strokes::Order(d) => d.len(),
            Strokes::Count(n) => n.into(),
        }
    }
}

struct Table {
    /// Sorted by character.
    entries: Vec<(char, Strokes)>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries = Vec::with_capacity(100_000);
        for line in DATA.lines().filter(|l| !l.starts_with('#')) {
            let Some((key, chars)) = line.split_once('\t') else {
                continue;
            };
            let strokes = match key.strip_prefix('=') {
                Some(n) => match n.parse::<u8>() {
                    Ok(n) => Strokes::Count(n),
                    Err(_) => continue,
                },
                None => Strokes::Order(key),
            };
            entries.extend(chars.chars().map(|c| (c, strokes)));
        }
        entries.sort_unstable_by_key(|e| e.0);
        entries.dedup_by_key(|e| e.0);
        Table { entries }
    })
}

/// The strokes of `c`, if it is a character the table knows.
pub fn of(c: char) -> Option<Strokes> {
    let t = table();
    t.entries.binary_search_by_key(&c, |e| e.0).ok().map(|i| t.entries[i].1)
}
