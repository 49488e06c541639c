//! The sort keys and the search spelling of a name.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::OnceLock;

use pinyin::ToPinyinMulti;

use super::strokes::{self, Strokes};

const SURNAMES: &str = include_str!("surnames.txt");

/// At most this many readings of one name are spelled for the search (each polyphone in it
/// multiplies them); the usual readings come first, so the cap drops only rare ones.
const MAX_READINGS: usize = 8;

/// At most this many readings of a character that is not the surname are spelled: its usual
/// ones (the `pinyin` crate lists rare and literary readings too: 强 has three).
const CHAR_READINGS: usize = 2;

/// Keys hold at most this many letters of a spelling; a longer query is checked on the text.
pub const KEY_LETTERS: usize = 6;

/// What marks a spelling key in `person_name_grams`: three characters, so it never equals a
/// name's one- or two-character gram.
const KEY_TAG: &str = "py:";

/// Surnames (one or two characters) and their readings as surnames, `["shan4"]`, `["ou1", "yang2"]`.
fn surnames() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SURNAMES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(name, syllables)| (name, syllables.split(' ').collect()))
            .collect()
    })
}

/// One reading of a character: its letters (ü written `v`) and tone, 1–4, or 5 for the neutral one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Syllable {
    letters: String,
    tone: u8,
}

impl Syllable {
    /// From `zhang1`, `lü3` or `de` (no digit: neutral).
    fn parse(s: &str) -> Syllable {
        let (letters, tone) = match s.char_indices().last() {
            Some((i, d @ '1'..='5')) => (&s[..i], d as u8 - b'0'),
            _ => (s, 5),
        };
        Syllable {
            letters: letters.replace('ü', "v"),
            tone,
        }
    }
}

/// A name cut into what it is spelled by.
enum Unit {
    /// A Chinese character and its readings, the one it is sorted by first.
    Han(char, Vec<Syllable>),
    /// A run of letters or digits of another script (a Latin name's word), lower-cased.
    Word(String),
}

/// The character's readings: the surname's first when it is (part of) the surname, then the
/// `pinyin` crate's, usual first.
fn readings(c: char, as_surname: Option<&str>) -> Vec<Syllable> {
    let usual = c
        .to_pinyin_multi()
        .into_iter()
        .flatten()
        .map(|p| Syllable::parse(p.with_tone_num_end()));
    // A surname is read as a surname, or as the character usually is (单: shàn, dān); any other
    // character by its first readings (the crate lists rare and literary ones too: 叶 xié).
    let all: Vec<Syllable> = match as_surname {
        Some(s) => std::iter::once(Syllable::parse(s)).chain(usual.take(1)).collect(),
        None => usual.take(CHAR_READINGS).collect(),
    };
    let mut unique: Vec<Syllable> = Vec::with_capacity(all.len());
    for s in all {
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    unique
}

fn units(name: &str) -> Vec<Unit> {
    let chars: Vec<char> = name.trim().chars().collect();
    // The surname: a two-character one (欧阳, 单于) if the table has it, else the first character.
    let two: String = chars.iter().take(2).collect();
    let surname: Vec<&str> = match surnames().get(two.as_str()).filter(|s| s.len() == 2) {
        Some(s) => s.clone(),
        None => chars
            .first()
            .and_then(|c| surnames().get(c.to_string().as_str()))
            .filter(|s| s.len() == 1)
            .cloned()
            .unwrap_or_default(),
    };
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let han = readings(c, surname.get(i).copied());
        if !han.is_empty() {
            flush(&mut word, &mut out);
            out.push(Unit::Han(c, han));
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn flush(word: &mut String, out: &mut Vec<Unit>) {
    if !word.is_empty() {
        out.push(Unit::Word(std::mem::take(word)));
    }
}

/// One character's place in stroke order: two digits of stroke count, then its strokes (or as
/// many 9s when only the count is known, after those of the same count whose strokes are); a
/// character of no Chinese stroke data after every Chinese one.
fn push_strokes(c: char, out: &mut String) {
    match strokes::of(c) {
        Some(s @ Strokes::Order(digits)) => {
            let _ = write!(out, "{:02}{digits}", s.count());
        }
        Some(s @ Strokes::Count(_)) => {
            let _ = write!(out, "{:02}{}", s.count(), "9".repeat(s.count()));
        }
        None => {
            out.push('~');
            out.extend(c.to_lowercase());
        }
    }
}

/// The name's key in 姓氏笔画 order (GB13000.1 字序): compared as bytes, character by character,
/// by stroke count, then the strokes themselves in writing order.
pub fn stroke_key(name: &str) -> String {
    let mut key = String::new();
    for c in name.trim().chars().filter(|c| !c.is_whitespace()) {
        push_strokes(c, &mut key);
    }
    key
}

/// The name's key in pinyin order: syllable by syllable its letters, tone and strokes (汪 wāng
/// before 王 wáng, 詹 zhān before 张 zhāng), the surname read as a surname.
pub fn pinyin_key(name: &str) -> String {
    let mut key = String::new();
    for unit in units(name) {
        match unit {
            Unit::Han(c, readings) => {
                if let Some(s) = readings.first() {
                    let _ = write!(key, "{}{}", s.letters, s.tone);
                }
                push_strokes(c, &mut key);
            }
            Unit::Word(w) => {
                key.push_str(&w);
                key.push(' ');
            }
        }
    }
    key
}

/// What the search stores for a name: `text`, every suffix of every reading's syllables and of
/// their initials, each between `|` (`|zhangwei|wei|zw|w|`), and `keys`, up to [`KEY_LETTERS`]
/// letters of each of them, tagged (`py:z`, `py:zh`, … `py:zw`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelling {
    pub text: String,
    pub keys: BTreeSet<String>,
}

pub fn spelling(name: &str) -> Spelling {
    let options: Vec<Vec<String>> = units(name)
        .into_iter()
        .map(|u| match u {
            Unit::Han(_, readings) => {
                let mut letters: Vec<String> = Vec::new();
                for r in readings {
                    // 吕 is found by `lv` and by `lu`, as people type it.
                    for l in [r.letters.clone(), r.letters.replace('v', "u")] {
                        if !letters.contains(&l) {
                            letters.push(l);
                        }
                    }
                }
                letters
            }
            Unit::Word(w) => vec![w],
        })
        .collect();
    let mut segments = BTreeSet::new();
    for reading in combinations(&options) {
        for i in 0..reading.len() {
            segments.insert(reading[i..].concat());
            segments.insert(reading[i..].iter().filter_map(|s| s.chars().next()).collect::<String>());
        }
    }
    segments.remove("");
    let keys = segments
        .iter()
        .flat_map(|s| {
            let ends: Vec<usize> = s
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .take(KEY_LETTERS)
                .collect();
            ends.into_iter().map(move |e| format!("{KEY_TAG}{}", &s[..e]))
        })
        .collect();
    let mut text = String::from("|");
    for s in &segments {
        text.push_str(s);
        text.push('|');
    }
    Spelling { text, keys }
}

/// Up to [`MAX_READINGS`] ways of reading the units, the first options first.
fn combinations(options: &[Vec<String>]) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new()];
    for opts in options {
        let mut next = Vec::new();
        'fill: for prefix in &out {
            for o in opts {
                if next.len() == MAX_READINGS {
                    break 'fill;
                }
                let mut r = prefix.clone();
                r.push(o.as_str());
                next.push(r);
            }
        }
        out = next;
    }
    out.retain(|r| !r.is_empty());
    out
}

/// A search in Latin letters (`zw`, `zhangwei`, `Zhang Wei`, `xi'an`): the key to look up, and
/// for a query longer than [`KEY_LETTERS`] the LIKE pattern the stored text must match too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpellQuery {
    pub key: String,
    pub pattern: Option<String>,
}

/// `None` unless `q` is Latin letters (and digits, with at least one letter), spaces and
/// apostrophes; other text is searched in the name itself.
pub fn spell_query(q: &str) -> Option<SpellQuery> {
    let letters: String = q
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'')
        .map(|c| {
            if matches!(c, 'ü' | 'Ü') {
                'v'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if !letters.chars().all(|c| c.is_ascii_alphanumeric()) || !letters.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let key = format!("{KEY_TAG}{}", &letters[..letters.len().min(KEY_LETTERS)]);
    let pattern = (letters.len() > KEY_LETTERS).then(|| format!("%|{letters}%"));
    Some(SpellQuery { key, pattern })
}
