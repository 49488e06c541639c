//! The name lock of the login throttle is kept in the database, so gateway replicas share it
//! (issue 9, point 8), on SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL.

use chrono::{DateTime, NaiveDateTime};
use gateway::db::{MIGRATIONS, login_failures};
use gateway::domain::throttle::NAME_FREE_FAILURES;
use service_kit::Db;
use test_db::test_databases;

fn at(secs: i64) -> NaiveDateTime {
    DateTime::from_timestamp(1_800_000_000 + secs, 0)
        .map(|t| t.naive_utc())
        .expect("a valid time")
}

/// A second replica: its own pool on the same database.
fn replica(url: &str) -> Db {
    Db::connect(url, 4).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

// issue 9, point 8: failures counted on two replicas in turn lock the name on both after five.
#[test]
fn failures_on_two_replicas_lock_the_name_on_both() {
    for t in test_databases("login_failures", || MIGRATIONS) {
        let replicas = [t.db.clone(), replica(&t.url)];
        for i in 0..NAME_FREE_FAILURES {
            let mut c = replicas[(i % 2) as usize].get().expect("a connection");
            let record = login_failures::record_failure(&mut c, "user:wang", at(0)).expect("recorded");
            assert_eq!(record.failures, i + 1, "{:?}: failure {} not counted", t.backend, i + 1);
        }
        for db in &replicas {
            let mut c = db.get().expect("a connection");
            let record = login_failures::find(&mut c, "user:wang")
                .expect("read")
                .expect("a record");
            assert_eq!(
                record.locked_for(at(1)),
                Some(29),
                "{:?}: not locked on every replica",
                t.backend
            );
            // Another name is not locked.
            assert_eq!(login_failures::find(&mut c, "user:li").expect("read"), None);
        }
        // A right password on either replica forgets the failures for both.
        let mut c = replicas[1].get().expect("a connection");
        login_failures::clear(&mut c, "user:wang").expect("cleared");
        let mut c = replicas[0].get().expect("a connection");
        assert_eq!(login_failures::find(&mut c, "user:wang").expect("read"), None);
    }
}

// issue 9, point 8: failures recorded at the same moment from many threads on two pools are all
// counted (no lost update), so a burst across replicas cannot slip past the lock.
#[test]
fn concurrent_failures_are_all_counted() {
    for t in test_databases("login_failures_race", || MIGRATIONS) {
        let replicas = [t.db.clone(), replica(&t.url)];
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let db = replicas[i % 2].clone();
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        let mut c = db.get().expect("a connection");
                        login_failures::record_failure(&mut c, "client:erp", at(0)).expect("recorded");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("a thread panicked");
        }
        let mut c = replicas[0].get().expect("a connection");
        let record = login_failures::find(&mut c, "client:erp")
            .expect("read")
            .expect("a record");
        assert_eq!(record.failures, 40, "{:?}: failures lost", t.backend);
        assert!(record.locked_for(at(0)).is_some());
    }
}

// Rows of names whose failures are forgotten and whose lock is over are deleted, so a spray of
// names cannot grow the table without bound.
#[test]
fn stale_rows_are_deleted() {
    for t in test_databases("login_failures_stale", || MIGRATIONS) {
        let mut c = t.db.get().expect("a connection");
        login_failures::record_failure(&mut c, "user:old", at(0)).expect("recorded");
        let much_later = at(16 * 60);
        login_failures::record_failure(&mut c, "user:new", much_later).expect("recorded");
        assert_eq!(login_failures::find(&mut c, "user:old").expect("read"), None);
        assert!(login_failures::find(&mut c, "user:new").expect("read").is_some());
    }
}
