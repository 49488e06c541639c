//! What one test database costs to make, per service, made one after the other (no other load
//! from this process): PostgreSQL created and migrated from scratch (as before templates) against
//! cloned from the template; SQLite migrated against a copy of a migrated file. Needs
//! `TEST_DATABASE_URL`; `cargo bench -p test-db` (docs/benchmarks.md, "Test databases").

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use service_kit::db::Db;
use test_db::MigrationsFn;

const ROUNDS: usize = 15;

fn main() {
    let Some(server) = test_db::pg_server() else {
        println!("TEST_DATABASE_URL is not set: nothing measured");
        return;
    };
    let sets: [(&str, MigrationsFn); 4] = [
        ("gateway", || gateway::db::MIGRATIONS),
        ("members", || members_service::db::MIGRATIONS),
        ("meetings", || meetings_service::db::MIGRATIONS),
        ("documents", || documents_service::db::MIGRATIONS),
    ];
    println!("{ROUNDS} rounds each; median (min–max) ms");
    for (service, m) in sets {
        // The template exists after this (made now if it did not).
        drop(test_db::PgDatabase::create(&server, "bench_warm", Some(m)));
        let (mut scratch, mut cloned, mut sqlite, mut copied) = (vec![], vec![], vec![], vec![]);
        for i in 0..ROUNDS {
            scratch.push(from_scratch(&server, &format!("jglm_t_bench_scratch_{i}"), m));
            let start = Instant::now();
            let pg = test_db::PgDatabase::create(&server, "bench_clone", Some(m));
            let db = Db::connect(&pg.url(), 1).unwrap_or_else(|e| panic!("{e}"));
            cloned.push(start.elapsed());
            drop(db);
            drop(pg);
            let (migrated, copy) = sqlite_pair(m);
            sqlite.push(migrated);
            copied.push(copy);
        }
        println!(
            "{service:<9} PostgreSQL created+migrated {} | cloned {} || SQLite migrated {} | copied {}",
            stats(scratch),
            stats(cloned),
            stats(sqlite),
            stats(copied)
        );
    }
}

/// `CREATE DATABASE`, connect, run every migration: what each test did before templates.
fn from_scratch(server: &str, name: &str, m: MigrationsFn) -> Duration {
    let mut admin = PgConnection::establish(server).unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap_or_else(|e| panic!("{e}"));
    let db = Db::connect(&test_db::database_url(server, name), 1).unwrap_or_else(|e| panic!("{e}"));
    db.migrate(m()).unwrap_or_else(|e| panic!("{e}"));
    let took = start.elapsed();
    drop(db);
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
    took
}

/// A SQLite file migrated, and a copy of such a file opened: whether a template file would pay.
fn sqlite_pair(m: MigrationsFn) -> (Duration, Duration) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fresh = dir.path().join("fresh.db");
    let start = Instant::now();
    let db = Db::connect(&format!("sqlite://{}", fresh.display()), 1).unwrap_or_else(|e| panic!("{e}"));
    db.migrate(m()).unwrap_or_else(|e| panic!("{e}"));
    let migrated = start.elapsed();
    drop(db);
    let copy = dir.path().join("copy.db");
    let start = Instant::now();
    std::fs::copy(&fresh, &copy).unwrap_or_else(|e| panic!("{e}"));
    let db = Db::connect(&format!("sqlite://{}", copy.display()), 1).unwrap_or_else(|e| panic!("{e}"));
    db.migrate(m()).unwrap_or_else(|e| panic!("{e}"));
    let copied = start.elapsed();
    drop(db);
    (migrated, copied)
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("{:.1} ({:.1}–{:.1})", ms(v[v.len() / 2]), ms(v[0]), ms(v[v.len() - 1]))
}
