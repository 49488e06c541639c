//! Issuing benchmark: `cargo bench -p documents-service --bench issue`.
//!
//! Measures, in one run on a fresh database (SQLite in a temporary folder; PostgreSQL too when
//! `BENCH_POSTGRES_URL` names a server, in a database made for the run and dropped after):
//! - the median time to *issue* one 聘书 as the service does (serial reserved, render, SHA-256,
//!   then the document and one delivery stored in one write transaction), 200 times with distinct people;
//! - the batch worker's throughput for 1,000 certificates with the machine's cores;
//! - the process's peak RSS;
//! - and, when `target/weasyprint-venv` exists (made by `documents-service/benches/weasyprint/setup.sh`),
//!   the same certificate rendered by WeasyPrint with the same font, as a ratio.

/// The services' allocator (each `main.rs` installs it), so the figures are the service's.
#[global_allocator]
static ALLOCATOR: service_kit::alloc::Allocator = service_kit::alloc::Allocator;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alliance_events::AppointmentFacts;
use chrono::NaiveDate;
use diesel::PgConnection;
use diesel::prelude::*;
use documents_service::app::batches::BatchRunner;
use documents_service::app::credentials::CredentialIssuer;
use documents_service::app::issuing::{DocumentRenderer, Press, RenderTally, issue};
use documents_service::db::MIGRATIONS;
use documents_service::db::schema::{batch_items, batches};
use documents_service::domain::kinds::DocumentKind;
use documents_service::domain::requests::appointment_request;
use documents_service::domain::states::{BatchItemStatus, BatchStatus};
use documents_service::render::Renderer;
use serde_json::{Value, json};
use service_kit::Db;
use service_kit::db::write_tx;

const NAMES: [&str; 8] = [
    "王志刚",
    "李建国",
    "张晓燕",
    "刘文博",
    "陈堃",
    "杨喆",
    "欧阳犇",
    "诸葛燚",
];

/// The facts as members-service sends them.
fn facts(i: usize) -> AppointmentFacts {
    serde_json::from_value(facts_json(i)).unwrap_or_else(|e| panic!("facts: {e}"))
}

fn facts_json(i: usize) -> Value {
    json!({
        "job_post": "教师", "title_label": "正高级",
        "appointment_id": i as i64 + 1, "person_id": i as i64 + 1,
        "person_name": format!("{}{}", NAMES[i % NAMES.len()], ["", "一", "二", "三"][(i / 8) % 4]),
        "person_email": format!("expert{i}@tjjd.example.cn"),
        "unit_id": 1, "unit_name": "天津市机电工艺技师学院", "unit_contact_email": null,
        "body_id": 2, "body_name": "专家委员会", "post": "expert", "post_label": "委员",
        "term_number": 1, "term_starts_on": "2026-01-01", "term_ends_on": "2029-12-31",
        "starts_on": "2026-01-01", "ends_on": "2029-12-31", "status": "active",
        "ended_on": null, "end_reason": null, "previous_appointment_id": null
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn rss_mib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date")
}

fn press(renderer: &Arc<dyn DocumentRenderer>) -> Press {
    Press {
        renderer: renderer.clone(),
        public_base_url: "https://jglm.example.cn".into(),
        tally: RenderTally::default(),
        credentials: Arc::new(CredentialIssuer::ephemeral("https://jglm.example.cn").expect("a key")),
    }
}

/// Issues 200 certificates one by one; returns the median in ms.
fn bench_issue(db: &Db, renderer: &Arc<dyn DocumentRenderer>, label: &str) -> f64 {
    let mut conn = db.get().expect("a connection");
    let press = press(renderer);
    // Warm typst's caches and the connection first, as in a running service.
    for i in 0..5 {
        let req = appointment_request(
            &format!("warm-{i}"),
            DocumentKind::AppointmentCertificate,
            &facts(i),
            vec![],
        );
        issue(&mut conn, &press, today(), req, |_| Ok(true)).expect("issue");
    }
    let mut times = Vec::with_capacity(200);
    for i in 0..200 {
        let mut f = facts(1000 + i);
        f.appointment_id = 1000 + i as i64;
        let email = f.person_email.clone().unwrap_or_default();
        let req = appointment_request(
            &format!("bench-{i}"),
            DocumentKind::AppointmentCertificate,
            &f,
            vec![email],
        );
        let start = Instant::now();
        issue(&mut conn, &press, today(), req, |_| Ok(true)).expect("issue");
        times.push(start.elapsed());
    }
    times.sort();
    let median = ms(percentile(&times, 0.5));
    println!(
        "[{label}] issue one 聘书 (serial, render, SHA-256, store, delivery queued; 200 times): median {median:.2} ms, p95 {:.2} ms",
        ms(percentile(&times, 0.95))
    );
    median
}

/// Makes a batch of `n` items straight in the tables and lets the worker issue it.
fn bench_batch(db: &Db, renderer: &Arc<dyn DocumentRenderer>, label: &str, n: usize, threads: usize) {
    let mut conn = db.get().expect("a connection");
    let batch_id: i64 = write_tx(&mut conn, |c| {
        let id: i64 = diesel::insert_into(batches::table)
            .values((
                batches::kind.eq(DocumentKind::AppointmentCertificate),
                batches::status.eq(BatchStatus::Running),
                batches::send_mail.eq(true),
                batches::reissue.eq(true),
                batches::total.eq(n as i32),
                batches::requested_by.eq("bench"),
                batches::created_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .returning(batches::id)
            .get_result(c)?;
        for i in 0..n {
            let mut f = facts_json(i);
            f["appointment_id"] = json!(100_000 + i);
            diesel::insert_into(batch_items::table)
                .values((
                    batch_items::batch_id.eq(id),
                    batch_items::appointment_id.eq(100_000 + i as i64),
                    batch_items::facts.eq(f.to_string()),
                    batch_items::status.eq(BatchItemStatus::Pending),
                ))
                .execute(c)?;
        }
        Ok::<_, diesel::result::Error>(id)
    })
    .expect("a batch");
    let runner = BatchRunner {
        db: db.clone(),
        press: press(renderer),
        today,
        holder: service_kit::queue::Holder::new("bench"),
        lease: service_kit::queue::DEFAULT_LEASE,
        mail: Default::default(),
        waker: Default::default(),
    };
    // As the service runs them: one worker more than the cores, each a chunk at a time.
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads + 1 {
            scope.spawn(|| while runner.run_once().expect("a batch pass") {});
        }
    });
    let elapsed = start.elapsed();
    let issued: i32 = batches::table
        .find(batch_id)
        .select(batches::issued)
        .first(&mut **conn)
        .expect("the batch");
    assert_eq!(issued as usize, n, "every item issued");
    println!(
        "[{label}] batch of {n} certificates ({} workers, a chunk each at a time, mail queued): {:.2} s, {:.0} per second",
        threads + 1,
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
}

/// WeasyPrint on the equivalent HTML with the same font, if its venv exists.
fn weasyprint(typst_render_ms: f64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join("target/weasyprint-venv/bin/python");
    let script = root.join("documents-service/benches/weasyprint/run.py");
    if !python.exists() {
        println!("WeasyPrint: skipped (run documents-service/benches/weasyprint/setup.sh first)");
        return;
    }
    let out = Command::new(&python).arg(&script).args(["--runs", "10"]).output();
    let Ok(out) = out else {
        println!("WeasyPrint: could not run {}", script.display());
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: Option<Value> = text.lines().rev().find_map(|l| serde_json::from_str(l).ok());
    match summary.as_ref().and_then(|v| v["median_ms"].as_f64().map(|m| (v, m))) {
        Some((v, median)) => println!(
            "WeasyPrint {} on the same 聘书 and font: median {median:.0} ms per document (first {:.0} ms, peak RSS {} MiB); typst render median {typst_render_ms:.2} ms: WeasyPrint takes {:.0}× as long",
            v["version"].as_str().unwrap_or("?"),
            v["first_ms"].as_f64().unwrap_or(0.0),
            v["peak_rss_mib"].as_f64().unwrap_or(0.0),
            median / typst_render_ms
        ),
        None => println!(
            "WeasyPrint: no summary in its output:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn main() {
    service_kit::alloc::start_sweeper();
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    println!("documents-service issuing benchmark ({threads} CPUs available)");
    let renderer: Arc<dyn DocumentRenderer> = Arc::new(Renderer::new(None).expect("fonts and templates"));
    println!("RSS with fonts loaded: {} MiB", rss_mib("VmRSS:"));
    let bench_press = press(&renderer);

    // Render alone, warm, for the WeasyPrint ratio (same data shape as the render bench).
    let mut renders = Vec::new();
    for i in 0..100 {
        let req = appointment_request("r", DocumentKind::AppointmentCertificate, &facts(i), vec![]);
        let p = documents_service::app::issuing::prepare(req, &bench_press, today(), i as i32 + 1).expect("prepared");
        let start = Instant::now();
        std::hint::black_box(documents_service::app::issuing::render_prepared(&*renderer, &p).expect("render"));
        renders.push(start.elapsed());
    }
    // The first 20 are the warm-up: dropped in the order they ran, then the rest sorted.
    let mut renders = renders.split_off(20);
    renders.sort();
    let render_median = ms(percentile(&renders, 0.5));
    println!("render one 聘书 (warm, glyph check included): median {render_median:.2} ms");
    // The same with a short verification URL (a smaller QR code), to show what the QR costs.
    let mut short = Vec::new();
    for i in 0..100 {
        let req = appointment_request("r", DocumentKind::AppointmentCertificate, &facts(i), vec![]);
        let mut p =
            documents_service::app::issuing::prepare(req, &bench_press, today(), i as i32 + 1).expect("prepared");
        p.data["verify_url"] = json!(format!("https://jglm.cn/v/{i}"));
        let start = Instant::now();
        std::hint::black_box(documents_service::app::issuing::render_prepared(&*renderer, &p).expect("render"));
        short.push(start.elapsed());
    }
    // The first 20 are the warm-up: dropped in the order they ran, then the rest sorted.
    let mut short = short.split_off(20);
    short.sort();
    println!(
        "render one 聘书 with a 20-character URL in the QR code: median {:.2} ms",
        ms(percentile(&short, 0.5))
    );

    // Issue 12's costs: the same 聘书 without its credential (PDF/A-2b, nothing attached), the
    // signing alone, and a status list (131,072 bits, GZIP, signed) with 1,000 bits set.
    let mut bare = Vec::new();
    for i in 0..100 {
        let req = appointment_request("r", DocumentKind::AppointmentCertificate, &facts(i), vec![]);
        let mut p =
            documents_service::app::issuing::prepare(req, &bench_press, today(), i as i32 + 1).expect("prepared");
        if let Value::Object(m) = &mut p.data {
            m.remove("credential");
        }
        let start = Instant::now();
        std::hint::black_box(documents_service::app::issuing::render_prepared(&*renderer, &p).expect("render"));
        bare.push(start.elapsed());
    }
    // The first 20 are the warm-up: dropped in the order they ran, then the rest sorted.
    let mut bare = bare.split_off(20);
    bare.sort();
    println!(
        "render one 聘书 without its credential (PDF/A-2b, no attachment): median {:.2} ms",
        ms(percentile(&bare, 0.5))
    );
    let vc =
        json!({"id": "https://jglm.example.cn/v/x", "credentialSubject": {"name": "欧阳堃"}, "pad": "x".repeat(1500)});
    let mut signs = Vec::new();
    for _ in 0..1000 {
        let start = Instant::now();
        std::hint::black_box(bench_press.credentials.sign(&vc).expect("signed"));
        signs.push(start.elapsed());
    }
    signs.sort();
    println!(
        "sign one credential (EdDSA JWT, ~2 KB): median {:.3} ms",
        ms(percentile(&signs, 0.5))
    );
    let mut lists = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        std::hint::black_box(documents_service::domain::status_list::encoded_list(
            (0..1000u32).map(|i| i * 97),
        ));
        lists.push(start.elapsed());
    }
    lists.sort();
    println!(
        "encode one status list (131,072 bits, 1,000 set, GZIP + base64url): median {:.3} ms",
        ms(percentile(&lists, 0.5))
    );

    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(&url, 4).expect("sqlite");
    db.migrate(MIGRATIONS).expect("migrations");
    bench_issue(&db, &renderer, "SQLite");
    bench_batch(&db, &renderer, "SQLite", 1000, threads);

    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        let name = format!("jglm_bench_{}", uuid_like());
        let mut admin = PgConnection::establish(&server).expect("BENCH_POSTGRES_URL reachable");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create db");
        let db = Db::connect(&test_db::database_url(&server, &name), 4).expect("postgres");
        db.migrate(MIGRATIONS).expect("migrations");
        bench_issue(&db, &renderer, "PostgreSQL");
        bench_batch(&db, &renderer, "PostgreSQL", 1000, threads);
        drop(db);
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
    }
    println!("peak RSS of the process: {} MiB", rss_mib("VmHWM:"));
    weasyprint(render_median);
}

fn uuid_like() -> String {
    let n: u64 = rand::random();
    format!("{n:016x}")
}
