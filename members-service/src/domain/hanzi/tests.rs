use super::expected_orders::{PINYIN_ORDER, STROKE_ORDER};
use super::*;

fn sorted_by(key: fn(&str) -> String, names: &[&'static str]) -> Vec<&'static str> {
    let mut v = names.to_vec();
    v.sort_by_key(|n| key(n));
    v
}

#[test]
fn thirty_names_come_in_gb13000_stroke_order() {
    let mut shuffled = STROKE_ORDER.to_vec();
    shuffled.reverse();
    shuffled.swap(3, 17);
    assert_eq!(sorted_by(stroke_key, &shuffled), STROKE_ORDER.to_vec());
}

#[test]
fn thirty_names_come_in_pinyin_order_with_surnames_read_as_surnames() {
    let mut shuffled = STROKE_ORDER.to_vec();
    shuffled.rotate_left(11);
    assert_eq!(sorted_by(pinyin_key, &shuffled), PINYIN_ORDER.to_vec());
}

#[test]
fn latin_names_and_unknown_characters_sort_after_chinese_ones() {
    let names = ["Zhang Wei", "王芳", "𠮷野", "Anna Schmidt"];
    let by_strokes = sorted_by(stroke_key, &names);
    assert_eq!(by_strokes[0], "王芳");
    assert_eq!(&by_strokes[2..], &["Anna Schmidt", "Zhang Wei"]);
    // 𠮷 has a stroke count but no known order: after the 6-stroke characters whose order is known.
    assert!(stroke_key("𠮷") > stroke_key("朴") && stroke_key("𠮷") < stroke_key("李"));
    assert_eq!(stroke_key(" 王 芳 "), stroke_key("王芳"));
}

fn finds(name: &str, q: &str) -> bool {
    let s = spelling(name);
    let Some(sq) = spell_query(q) else { return false };
    s.keys.contains(&sq.key)
        && sq.pattern.is_none_or(|p| {
            let needle = p.trim_matches('%');
            s.text.contains(needle)
        })
}

#[test]
fn pinyin_initials_and_surname_readings_find_a_name() {
    for q in ["zw", "zhangwei", "ZhangWei", "zhang wei", "zhang", "wei", "zhangw", "w"] {
        assert!(finds("张伟", q), "{q} finds 张伟");
    }
    for q in ["zl", "wz", "zhangl", "angwei", "zhangweiw"] {
        assert!(!finds("张伟", q), "{q} does not find 张伟");
    }
    for (name, q) in [
        ("单丽娟", "shan"),
        ("单丽娟", "shanlijuan"),
        ("单丽娟", "slj"),
        ("曾宪梓", "zeng"),
        ("解晓东", "xiexiaodong"),
        ("区志华", "ouzhihua"),
        ("仇小兵", "qiu"),
        ("朴正浩", "piao"),
        ("欧阳建国", "ouyangjianguo"),
        ("欧阳建国", "oyjg"),
        ("欧阳建国", "jianguo"),
        ("吕娜", "lvna"),
        ("吕娜", "luna"),
        ("Zhang Wei", "zhangwei"),
        ("Anna Schmidt", "schm"),
        ("买买提·艾力", "aili"),
    ] {
        assert!(finds(name, q), "{q} finds {name}");
    }
    // The character's usual reading finds it too: people type what they think it is.
    assert!(finds("单丽娟", "dan"));
}

#[test]
fn only_latin_letters_make_a_spelling_query() {
    assert_eq!(spell_query("张"), None);
    assert_eq!(spell_query("2026"), None);
    assert_eq!(spell_query("%"), None);
    assert_eq!(spell_query("  "), None);
    let long = spell_query("OuYang JianGuo").unwrap_or_else(|| panic!("a query"));
    assert_eq!(long.key, "py:ouyang");
    assert_eq!(long.pattern.as_deref(), Some("%|ouyangjianguo%"));
    assert_eq!(spell_query("xi'an").map(|q| q.key), Some("py:xian".to_owned()));
}

#[test]
fn keys_are_few_and_never_collide_with_name_grams() {
    for name in STROKE_ORDER {
        let s = spelling(name);
        assert!(s.keys.len() <= 40, "{name}: {} keys", s.keys.len());
        assert!(s.keys.iter().all(|k| k.chars().count() > 3));
    }
}
