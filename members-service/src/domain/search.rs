//! The people search's keys (issue 11): what is indexed for a name and what a query looks up.
//!
//! A name is indexed by each of its characters and each pair of adjacent characters, lower-cased
//! (table `person_name_grams`). Chinese names are two to four characters and searches one to
//! three, so three-character grams (pg_trgm, SQLite's FTS5 trigram) could not serve most of them;
//! pairs serve every query of two or more characters and single characters the rest.

use std::collections::BTreeSet;

/// The keys stored for a name: every character and every pair of adjacent characters of the
/// lower-cased name. `substr` over the same lower-cased text gives the same keys in SQL (the
/// migration that filled the table for the people already there).
pub fn name_grams(name: &str) -> BTreeSet<String> {
    let chars: Vec<char> = name.to_lowercase().chars().collect();
    let mut grams: BTreeSet<String> = chars.iter().map(char::to_string).collect();
    grams.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    grams
}

/// What a search for some text looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQuery {
    /// Every one of these keys must be stored for a matching name.
    pub grams: Vec<String>,
    /// Whether having all the keys can still be a false match, so the name itself must be
    /// compared too: only for three or more characters ("欧阳建" has the pairs of "欧阳" and
    /// "阳建", and so does "欧阳 阳建").
    pub needs_check: bool,
}

/// At most this many keys are looked up for one query (each is one semi-join); a longer query
/// is still exact, as the name itself is compared too.
pub const MAX_KEYS: usize = 6;

/// The lookup for `q` (trimmed, lower-cased, as [`crate::db::like_pattern`] does); `None` for
/// blank text, which filters nothing.
pub fn name_query(q: &str) -> Option<NameQuery> {
    let chars: Vec<char> = q.trim().to_lowercase().chars().collect();
    match chars.len() {
        0 => None,
        1 => Some(NameQuery {
            grams: vec![chars[0].to_string()],
            needs_check: false,
        }),
        n => {
            let mut grams: Vec<String> = Vec::new();
            for pair in chars.windows(2).map(|w| w.iter().collect::<String>()) {
                if !grams.contains(&pair) && grams.len() < MAX_KEYS {
                    grams.push(pair);
                }
            }
            Some(NameQuery {
                grams,
                needs_check: n > 2,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(name: &str, q: &str) -> bool {
        name.to_lowercase().contains(q.trim().to_lowercase().as_str())
    }

    #[test]
    fn a_name_is_indexed_by_its_characters_and_their_pairs() {
        let g: Vec<String> = name_grams("欧阳建国").into_iter().collect();
        let mut want = vec!["欧", "阳", "建", "国", "欧阳", "阳建", "建国"];
        want.sort_unstable();
        assert_eq!(g, want);
        assert!(name_grams("Zhang Wei").contains("zh"), "lower-cased");
        assert!(name_grams("").is_empty());
    }

    #[test]
    fn queries_of_one_and_two_characters_need_no_check_longer_ones_do() {
        assert_eq!(name_query("  "), None);
        assert_eq!(
            name_query(" 王 "),
            Some(NameQuery {
                grams: vec!["王".into()],
                needs_check: false
            })
        );
        assert_eq!(
            name_query("建国").map(|q| (q.grams.len(), q.needs_check)),
            Some((1, false))
        );
        assert_eq!(
            name_query("欧阳建").map(|q| (q.grams.len(), q.needs_check)),
            Some((2, true))
        );
        // Repeated pairs are looked up once, and at most MAX_KEYS of them.
        assert_eq!(name_query("aaaa").map(|q| q.grams), Some(vec!["aa".to_string()]));
        let long = name_query("机械工业教育发展中心秘书处").map(|q| (q.grams.len(), q.needs_check));
        assert_eq!(long, Some((MAX_KEYS, true)));
    }

    /// Over every name and query of up to four characters from a small alphabet: the index never
    /// misses a name that contains the query, and when no check is needed it finds nothing else.
    #[test]
    fn the_index_never_misses_a_match_and_needs_no_check_below_three_characters() {
        let alphabet = ['王', '建', 'A', 'a', ' '];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.chars().count() < 4)
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
            words.sort();
            words.dedup();
        }
        let queries: Vec<(&String, NameQuery)> = words.iter().filter_map(|q| name_query(q).map(|nq| (q, nq))).collect();
        assert_eq!(queries.len(), words.iter().filter(|w| !w.trim().is_empty()).count());
        for name in &words {
            let keys = name_grams(name);
            for (q, nq) in &queries {
                let hit = nq.grams.iter().all(|g| keys.contains(g));
                if contains(name, q) {
                    assert!(hit, "{name:?} contains {q:?} but the index misses it");
                } else if !nq.needs_check {
                    assert!(!hit, "{name:?} does not contain {q:?} but the index finds it");
                }
            }
        }
    }
}
