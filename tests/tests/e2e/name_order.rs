//! Issue 14: people, appointments and the 成员名册 in 姓氏笔画 order (GB13000.1 字序) and in
//! pinyin order, and the pinyin search, through the gateway.

use e2e_tests::{Fields, TestSuite, created, ok, pdf_text};
use serde_json::{Value, json};

const M: &str = "/api/v1/members";
const D: &str = "/api/v1/documents";

// The thirty names in 姓氏笔画 (GB13000.1) and pinyin order, with each character's strokes: one
// list for members-service's tests and this one.
#[path = "../../../members-service/src/domain/hanzi/expected_orders.rs"]
mod expected_orders;
use expected_orders::{PINYIN_ORDER, STROKE_ORDER};

/// Every name of a list, following its pages (`limit` 7: several pages, keyset by sort key).
async fn names(s: &TestSuite, t: &str, path: &str, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = ok(s.get(&format!("{path}&limit=7{cursor}"), Some(t)).await).await;
        out.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p[field].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return out,
        }
        assert!(out.len() <= 60, "the pages do not end: {out:?}");
    }
}

/// The names of `order` as they come in a PDF's text.
fn in_pdf_order(text: &str) -> Vec<&'static str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found: Vec<(usize, &'static str)> = STROKE_ORDER
        .iter()
        .map(|n| {
            (
                compact.find(n).unwrap_or_else(|| panic!("{n} is not in the roster")),
                *n,
            )
        })
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, n)| n).collect()
}

#[actix_rt::test]
async fn people_appointments_and_the_roster_come_in_stroke_and_pinyin_order_and_pinyin_finds_them() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let unit = created(
        s.post(
            &format!("{M}/units"),
            Some(&t),
            json!({"name": "天津市机电工艺技师学院", "kind": "technical_school"}),
        )
        .await,
    )
    .await;
    let mut shuffled = STROKE_ORDER.to_vec();
    shuffled.reverse();
    shuffled.rotate_left(7);
    let mut people = Vec::new();
    for name in &shuffled {
        let p = created(
            s.post(
                &format!("{M}/people"),
                Some(&t),
                json!({"name": name, "unit_id": unit["id"], "job_post": "教师", "title_level": "senior"}),
            )
            .await,
        )
        .await;
        people.push(p["id"].clone());
    }
    let u = unit["id"].as_i64().unwrap_or_default();

    // The people list in each order; without `sort` in the order they were registered.
    let list = |sort: &str| format!("{M}/people?unit_id={u}&sort={sort}");
    assert_eq!(names(&s, &t, &list("surname_strokes"), "name").await, STROKE_ORDER);
    assert_eq!(names(&s, &t, &list("pinyin"), "name").await, PINYIN_ORDER);
    assert_eq!(
        names(&s, &t, &format!("{M}/people?unit_id={u}"), "name").await,
        shuffled
    );
    s.get(&list("stroke"), Some(&t)).await.problem(400, "invalid_query");

    // Search by pinyin, initials and characters.
    for (q, want) in [
        ("zw", vec!["张伟"]),
        ("zhangwei", vec!["张伟"]),
        ("Zhang%20Wei", vec!["张伟"]),
        ("%E5%BC%A0", vec!["张伟"]), // 张
        ("%E4%BC%9F", vec!["张伟"]), // 伟
        ("shan", vec!["单丽娟"]),
        ("zeng", vec!["曾宪梓"]),
        ("xie", vec!["谢丹", "解晓东"]),
        ("ou", vec!["区志华", "欧阳建国"]),
        ("qiuxiaobing", vec!["仇小兵"]),
        ("piao", vec!["朴正浩"]),
        ("oyjg", vec!["欧阳建国"]),
    ] {
        let found = names(
            &s,
            &t,
            &format!("{M}/people?unit_id={u}&sort=surname_strokes&q={q}"),
            "name",
        )
        .await;
        assert_eq!(found, want, "q={q}");
    }

    // Appoint all thirty to the expert committee (第七条: it serves on the council's terms).
    created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2026-01-01"}),
        )
        .await,
    )
    .await;
    let terms = ok(s.get(&format!("{M}/bodies/2/terms"), Some(&t)).await).await;
    for p in &people {
        let n = created(
            s.post(
                &format!("{M}/nominations"),
                Some(&t),
                json!({"body_id": 2, "term_id": terms[0]["id"], "person_id": p, "post": "expert"}),
            )
            .await,
        )
        .await;
        created(
            s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(&t), json!({}))
                .await,
        )
        .await;
    }
    let appointments = |sort: &str| format!("{M}/appointments?body_id=2&sort={sort}");
    assert_eq!(
        names(&s, &t, &appointments("surname_strokes"), "person_name").await,
        STROKE_ORDER
    );
    assert_eq!(
        names(&s, &t, &appointments("pinyin"), "person_name").await,
        PINYIN_ORDER
    );

    // The 成员名册: 姓氏笔画 by default, pinyin on request.
    for (body, want) in [
        (json!({"body_id": 2}), STROKE_ORDER),
        (json!({"body_id": 2, "sort": "pinyin"}), PINYIN_ORDER),
    ] {
        let roster: Value = created(s.post(&format!("{D}/rosters"), Some(&t), body.clone()).await).await;
        let pdf = s.get(&format!("{D}/{}/pdf", roster.str_at("serial")), Some(&t)).await;
        assert_eq!(in_pdf_order(&pdf_text(&pdf.body)), want, "{body}");
    }
    s.stop().await;
}
