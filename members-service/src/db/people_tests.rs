//! The people search and orders against the database (issue 14): names written by an older
//! version are keyed by [`rekey_all`], pinyin queries find the expected people, and on
//! PostgreSQL at 100,000 people the statements the list sends are served by indexes.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::sql_types::Text;
use service_kit::DbConn;
use service_kit::db::Backend;
use service_kit::pagination::Window;
use test_db::test_databases;

use super::*;
use crate::app::people::rekey_all;
use crate::db::MIGRATIONS;

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: &str = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰宇";

/// `n` people with generated names, and a few known ones, all written as an older version of
/// the service wrote them (no keys: `name_keys_version` 0). Their ids by name for the known ones.
fn seed(c: &mut DbConn, n: usize) -> std::collections::HashMap<&'static str, i64> {
    let now = Utc::now().naive_utc();
    let unit: i64 = diesel::insert_into(units::table)
        .values((
            units::name.eq("天津市机电工艺技师学院"),
            units::kind.eq(crate::domain::people::UnitKind::TechnicalSchool),
            units::created_at.eq(now),
            units::updated_at.eq(now),
        ))
        .returning(units::id)
        .get_result(c)
        .unwrap_or_else(|e| panic!("{e}"));
    let given: Vec<char> = GIVEN.chars().collect();
    let names: Vec<String> = (0..n)
        .map(|i| {
            let s = SURNAMES[i % SURNAMES.len()];
            let a = given[(i / SURNAMES.len()) % given.len()];
            let b = given[(i / SURNAMES.len() / given.len()) % given.len()];
            format!("{s}{a}{b}")
        })
        .collect();
    let row = |name: &str| {
        (
            people::name.eq(name.to_owned()),
            people::unit_id.eq(unit),
            people::title_level.eq("senior"),
            people::created_at.eq(now),
            people::updated_at.eq(now),
        )
    };
    for chunk in names.chunks(5_000) {
        let rows: Vec<_> = chunk.iter().map(|n| row(n)).collect();
        service_kit::per_backend!(c, |c| diesel::insert_into(people::table).values(&rows).execute(c))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    ["张伟", "单丽娟", "曾宪梓", "欧阳建国"]
        .into_iter()
        .map(|name| {
            let id = diesel::insert_into(people::table)
                .values(row(name))
                .returning(people::id)
                .get_result(c)
                .unwrap_or_else(|e| panic!("{e}"));
            (name, id)
        })
        .collect()
}

fn search(c: &mut DbConn, q: &str, order: NameOrder) -> Vec<PersonRow> {
    let f = PersonQuery {
        q: Some(q.to_owned()),
        order,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut w = Window { after: 0, limit: 500 };
    loop {
        let page = list(c, Only::default(), &f, w).unwrap_or_else(|e| panic!("{q}: {e}"));
        let last = page.items.last().map(|r| r.id);
        out.extend(page.items);
        match (page.next_cursor, last) {
            (Some(_), Some(id)) => w.after = id,
            _ => return out,
        }
    }
}

/// Every statement the connection sends while `f` runs, with its binds written into it.
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event
            && let Ok(mut seen) = self.0.lock()
        {
            seen.push(query.to_string());
        }
    }
}

/// `SELECT … $1 … -- binds: ["py:zw", 51]` as plain SQL, for EXPLAIN.
fn inline_binds(debug: &str) -> String {
    let (sql, binds) = debug.split_once(" -- binds: ").unwrap_or((debug, "[]"));
    let values: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(binds)
        .unwrap_or_else(|e| panic!("binds {binds}: {e}"))
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
            other => other.to_string(),
        })
        .collect();
    let mut sql = sql.to_owned();
    for (i, v) in values.iter().enumerate().rev() {
        sql = sql.replace(&format!("${}", i + 1), v);
    }
    sql
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan of each statement `f` sends, on PostgreSQL.
fn plans(c: &mut DbConn, f: impl FnOnce(&mut DbConn)) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let DbConn::Pg(pg) = c else { return Vec::new() };
    pg.set_instrumentation(Recorder(seen.clone()));
    f(c);
    let DbConn::Pg(pg) = c else { return Vec::new() };
    pg.set_instrumentation(Recorder(Arc::new(Mutex::new(Vec::new()))));
    let statements = seen.lock().map(|s| s.clone()).unwrap_or_default();
    statements
        .iter()
        .map(|s| {
            let lines: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN {}", inline_binds(s)))
                .load(pg)
                .unwrap_or_else(|e| panic!("EXPLAIN {s}: {e}"));
            lines.into_iter().map(|l| l.line).collect::<Vec<_>>().join("\n")
        })
        .collect()
}

#[test]
fn pinyin_search_and_chinese_orders_are_served_by_indexes_at_100000_people() {
    for t in test_databases("members_name_keys", || MIGRATIONS) {
        let pg = t.backend == Backend::Postgres;
        let n = if pg { 100_000 } else { 3_000 };
        let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
        let c = &mut **conn;
        let ids = seed(c, n);
        // Not keyed yet: no pinyin key is stored, so the search finds no one.
        assert!(search(c, "zhangwei", NameOrder::Id).is_empty());
        let started = std::time::Instant::now();
        let keyed = rekey_all(&t.db).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("{:?}: {keyed} names keyed in {:?}", t.backend, started.elapsed());
        assert_eq!(keyed, n + ids.len());
        assert_eq!(rekey_all(&t.db).unwrap_or_else(|e| panic!("{e}")), 0, "all keyed once");
        if pg {
            diesel::sql_query("ANALYZE people, person_name_grams")
                .execute(c)
                .unwrap_or_else(|e| panic!("{e}"));
        }

        for (q, who, segment) in [
            ("zw", "张伟", "|zw"),
            ("zhangwei", "张伟", "|zhangwei"),
            ("shan", "单丽娟", "|shan"),
            ("zengxianzi", "曾宪梓", "|zengxianzi"),
            ("oyjg", "欧阳建国", "|oyjg"),
        ] {
            let found = search(c, q, NameOrder::Id);
            assert!(found.iter().any(|r| r.id == ids[who]), "{q} finds {who}");
            for r in &found {
                assert!(hanzi::spelling(&r.name).text.contains(segment), "{q} found {}", r.name);
            }
        }
        // 单 is not read dān first: `shan` finds 单丽娟, and the generated 单-less names don't come.
        assert_eq!(search(c, "shanlijuan", NameOrder::Id).len(), 1);

        // Each order pages through everyone, each once, in key order (马 has the fewest strokes).
        for (order, key) in [
            (NameOrder::SurnameStrokes, hanzi::stroke_key as fn(&str) -> String),
            (NameOrder::Pinyin, hanzi::pinyin_key),
        ] {
            let everyone = search(c, " ", order);
            assert_eq!(everyone.len(), n + ids.len(), "{order:?}");
            let keys: Vec<(String, i64)> = everyone.iter().map(|r| (key(&r.name), r.id)).collect();
            assert!(
                keys.windows(2).all(|w| w[0] < w[1]),
                "{order:?}: pages in key order, no row twice"
            );
        }
        let first = list(
            c,
            Only::default(),
            &PersonQuery {
                order: NameOrder::SurnameStrokes,
                ..Default::default()
            },
            Window { after: 0, limit: 50 },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(first.items.iter().all(|r| r.name.starts_with('马')));

        if pg {
            searches_and_orders_use_indexes(c, first.items.last().map_or(0, |r| r.id));
        }
    }
}

/// PostgreSQL's plans of the searches and of a second page in each order: indexes, no scan.
fn searches_and_orders_use_indexes(c: &mut DbConn, last: i64) {
    let shown = plans(c, |c| {
        for q in ["zw", "zhangwei", "shan", "zengxianzi"] {
            search(c, q, NameOrder::Id);
        }
        let page = Window { after: last, limit: 50 };
        for order in [NameOrder::SurnameStrokes, NameOrder::Pinyin] {
            let f = PersonQuery {
                order,
                ..Default::default()
            };
            list(c, Only::default(), &f, page).unwrap_or_else(|e| panic!("{e}"));
        }
    });
    assert!(shown.len() >= 6, "{} statements", shown.len());
    for plan in &shown {
        assert!(!plan.contains("Seq Scan"), "a scan:\n{plan}");
        assert!(plan.contains("Index"), "no index:\n{plan}");
    }
    eprintln!("{}", shown.join("\n----\n"));
}
