//! The API calls the scenarios make through the gateway, as an administrator would: a term,
//! people (CSV import), experts appointed (nomination, appointment), documents and batches read
//! back page by page.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Value, json};

use crate::http::Api;

pub const M: &str = "/api/v1/members";
pub const D: &str = "/api/v1/documents";

/// The expert committee: it serves on the council's terms (第七条), and any number of experts
/// may be appointed to it through a nomination, each appointment sending its 聘书 event.
pub const EXPERT_COMMITTEE: i64 = 2;

/// Opens the council's first term (from 2026-01-01, four years) and returns the expert
/// committee's term that opens with it.
pub async fn open_term(api: &Api) -> i64 {
    api.post(&format!("{M}/bodies/1/terms"), json!({"starts_on": "2026-01-01"}))
        .await
        .success("opening the council's term");
    let terms = api
        .get(&format!("{M}/bodies/{EXPERT_COMMITTEE}/terms"))
        .await
        .success("the expert committee's terms");
    terms[0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the expert committee has no term: {terms}"))
}

/// A person made for a scenario.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub email: String,
}

/// A printable Chinese name, distinct for each `i` below 960.
pub fn name(i: usize) -> String {
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "欧阳", "诸葛"];
    const GIVEN: [&str; 10] = ["志刚", "建国", "晓燕", "堃", "喆", "犇", "燚", "镕", "文博", "海燕"];
    const SUFFIX: [&str; 12] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "甲"];
    format!("{}{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 10], SUFFIX[(i / 80) % 12])
}

/// The e-mail address of person `i` of a scenario tagged `tag`.
pub fn email(tag: &str, i: usize) -> String {
    format!("f{tag}-{i}@fault.example.cn")
}

/// Imports people `range` of `tag` (one CSV, one unit) and returns them with their ids.
pub async fn import_people(api: &Api, tag: &str, range: Range<usize>) -> Vec<Person> {
    let mut csv = String::from("单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n");
    for i in range.clone() {
        csv.push_str(&format!(
            "天津市机电工艺技师学院,技工院校,{},教师,正高级,1975-03-01,{},,数控技术\n",
            name(i),
            email(tag, i)
        ));
    }
    api.request(
        "POST",
        &format!("{M}/people:import?commit=true"),
        &[],
        Some(("text/csv", csv.into_bytes())),
    )
    .await
    .success("the people import");
    let wanted: HashMap<String, usize> = range.clone().map(|i| (email(tag, i), i)).collect();
    let mut found: Vec<(usize, Person)> = all_pages(api, &format!("{M}/people?limit=500"))
        .await
        .into_iter()
        .filter_map(|p| {
            let email = p["email"].as_str()?.to_owned();
            let i = *wanted.get(&email)?;
            Some((
                i,
                Person {
                    id: p["id"].as_i64()?,
                    email,
                },
            ))
        })
        .collect();
    found.sort_by_key(|(i, _)| *i);
    assert_eq!(
        found.len(),
        range.len(),
        "the import made {} of {} people",
        found.len(),
        range.len()
    );
    found.into_iter().map(|(_, p)| p).collect()
}

/// Appoints each person an expert of the committee's `term` (nomination, then appointment),
/// ten at a time, spreading the calls over `apis` (one per gateway); returns appointment ids
/// in the order of `people`.
pub async fn appoint_experts(apis: &[Api], term: i64, people: &[Person]) -> Vec<i64> {
    let mut out = Vec::with_capacity(people.len());
    for (c, chunk) in people.chunks(10).enumerate() {
        let made = futures_util::future::join_all(chunk.iter().enumerate().map(|(k, p)| {
            let api = &apis[(c * 10 + k) % apis.len()];
            async move {
                let n = api
                    .post(
                        &format!("{M}/nominations"),
                        json!({"body_id": EXPERT_COMMITTEE, "term_id": term, "person_id": p.id, "post": "expert"}),
                    )
                    .await
                    .success("a nomination");
                let a = api
                    .post(&format!("{M}/nominations/{}/appointment", n["id"]), json!({}))
                    .await
                    .success("an appointment");
                a["id"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("an appointment without id: {a}"))
            }
        }))
        .await;
        out.extend(made);
    }
    out
}

/// Every item of a paginated collection (`path` with its query, `limit` included).
pub async fn all_pages(api: &Api, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    // Bounded: 200 pages of up to 500 is far more than any scenario makes.
    for _ in 0..200 {
        let page_path = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_owned(),
        };
        let page = api.get(&page_path).await.success(&format!("GET {page_path}"));
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
    panic!("{path}: more than 200 pages");
}

/// Documents matching `query` (e.g. `kind=appointment_certificate&status=valid`).
pub async fn documents(api: &Api, query: &str) -> Vec<Value> {
    all_pages(api, &format!("{D}?{query}&limit=500")).await
}

/// The valid 聘书 by appointment id.
pub async fn valid_certificates(api: &Api) -> HashMap<i64, Vec<String>> {
    let mut by_appointment: HashMap<i64, Vec<String>> = HashMap::new();
    for d in documents(api, "kind=appointment_certificate&status=valid").await {
        by_appointment
            .entry(d["appointment_id"].as_i64().unwrap_or(-1))
            .or_default()
            .push(d["serial"].as_str().unwrap_or_default().to_owned());
    }
    by_appointment
}

/// How the valid 聘书 cover `appointments`: (appointments with exactly one, without any, with
/// more than one).
pub fn certificate_cover(valid: &HashMap<i64, Vec<String>>, appointments: &[i64]) -> (usize, usize, usize) {
    let mut one = 0;
    let mut none = 0;
    let mut many = 0;
    for a in appointments {
        match valid.get(a).map_or(0, Vec::len) {
            0 => none += 1,
            1 => one += 1,
            _ => many += 1,
        }
    }
    (one, none, many)
}

/// Starts a batch of the committee's 聘书 (`reissue`, `send_mail`): 202 with its id and total.
pub async fn start_batch(api: &Api, reissue: bool, send_mail: bool) -> (i64, i64) {
    let b = api
        .post(
            &format!("{D}/batches"),
            json!({"body_id": EXPERT_COMMITTEE, "send_mail": send_mail, "reissue": reissue}),
        )
        .await;
    assert_eq!(b.status, 202, "a batch: {}", b.text());
    let b = b.json();
    (b["id"].as_i64().unwrap_or(-1), b["total"].as_i64().unwrap_or(-1))
}

/// A batch's state, or `None` when documents-service (or the gateway) does not answer it now.
pub async fn batch(api: &Api, id: i64) -> Option<Value> {
    let r = api
        .http
        .send(
            "GET",
            &api.url(&format!("{D}/batches/{id}")),
            Some(&api.token),
            &[],
            None,
        )
        .await
        .ok()?;
    (r.status == 200).then(|| r.json())
}
