//! The shared queue module (issue 9: "one job queue, fixed once") on real databases: SQLite
//! always, and PostgreSQL too when `TEST_DATABASE_URL` names a server.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use service_kit::db::{Backend, write_tx};
use service_kit::queue::{Heartbeat, Holder, Queue};
use service_kit::{ApiError, Db};
use test_db::{TestDb, blank_databases};

const JOBS: Queue = Queue::new("jobs", "done_count = 0", "id");

fn databases() -> Vec<TestDb> {
    let dbs = blank_databases("queue");
    for t in &dbs {
        let id = match t.backend {
            Backend::Postgres => "BIGSERIAL PRIMARY KEY",
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        t.db.get()
            .expect("a connection")
            .batch_execute(&format!(
                "CREATE TABLE jobs (id {id}, claimed_by TEXT, claimed_until TIMESTAMP, \
                 done_count INTEGER NOT NULL DEFAULT 0, done_by TEXT)"
            ))
            .expect("the jobs table");
    }
    dbs
}

fn add_jobs(db: &Db, n: usize) {
    let mut c = db.get().expect("a connection");
    let values = vec!["(0)"; n].join(",");
    c.batch_execute(&format!("INSERT INTO jobs (done_count) VALUES {values}"))
        .expect("jobs inserted");
}

#[derive(QueryableByName, Debug)]
struct Job {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    done_count: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    claimed_by: Option<String>,
}

fn jobs(db: &Db) -> Vec<Job> {
    diesel::sql_query("SELECT id, CAST(done_count AS BIGINT) AS done_count, claimed_by FROM jobs ORDER BY id")
        .load(&mut **db.get().expect("a connection"))
        .expect("jobs")
}

/// Records a job as done by `holder`, only while it still holds the claim.
fn finish(db: &Db, holder: &Holder, id: i64) -> Result<bool, ApiError> {
    let mut c = db.get()?;
    write_tx(&mut c, |c| {
        if !JOBS.holds(c, holder, id)? {
            return Ok(false);
        }
        let sql = match c {
            service_kit::DbConn::Pg(_) => {
                "UPDATE jobs SET done_count = done_count + 1, done_by = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2"
            }
            service_kit::DbConn::Sqlite(_) => {
                "UPDATE jobs SET done_count = done_count + 1, done_by = ?1, claimed_by = NULL, claimed_until = NULL WHERE id = ?2"
            }
        };
        diesel::sql_query(sql)
            .bind::<Text, _>(holder.token())
            .bind::<BigInt, _>(id)
            .execute(c)?;
        Ok(true)
    })
}

#[test]
fn two_replicas_racing_for_the_same_rows_work_each_row_once() {
    for t in databases() {
        add_jobs(&t.db, 400);
        // Two replicas (each its own pool) with two worker threads each.
        let replicas = [
            Db::connect(&t.url, 4).expect("pool 1"),
            Db::connect(&t.url, 4).expect("pool 2"),
        ];
        let done: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let db = replicas[i % 2].clone();
                    s.spawn(move || {
                        let holder = Holder::new(&format!("replica-{}", i % 2));
                        let mut done = 0;
                        loop {
                            let ids = JOBS
                                .claim(
                                    &mut db.get().expect("a connection"),
                                    &holder,
                                    7,
                                    Duration::from_secs(30),
                                )
                                .expect("claim");
                            if ids.is_empty() {
                                return done;
                            }
                            for id in ids {
                                assert!(finish(&db, &holder, id).expect("finish"), "lost claim {id}");
                                done += 1;
                            }
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("worker")).collect()
        });
        let rows = jobs(&t.db);
        assert_eq!(rows.len(), 400);
        let twice: Vec<i64> = rows.iter().filter(|r| r.done_count != 1).map(|r| r.id).collect();
        assert!(
            twice.is_empty(),
            "{:?}: rows not worked exactly once: {twice:?}",
            t.backend
        );
        assert_eq!(done.iter().sum::<usize>(), 400);
        eprintln!(
            "{:?}: 400 rows, 4 workers on 2 pools, worked per worker {done:?}",
            t.backend
        );
    }
}

#[test]
fn a_restart_releases_the_claims_of_its_earlier_life_at_once_and_no_one_elses() {
    for t in databases() {
        add_jobs(&t.db, 10);
        let mut c = t.db.get().expect("a connection");
        let first_life = Holder::new("documents-service@host:8083");
        let other = Holder::new("documents-service@host:9083");
        let long = Duration::from_secs(3600);
        assert_eq!(JOBS.claim(&mut c, &first_life, 4, long).expect("claim").len(), 4);
        assert_eq!(JOBS.claim(&mut c, &other, 3, long).expect("claim").len(), 3);
        // The process is killed; the same instance starts again.
        let second_life = Holder::new("documents-service@host:8083");
        assert_eq!(JOBS.release_earlier(&mut c, &second_life).expect("release"), 4);
        let taken = JOBS.claim(&mut c, &second_life, 10, long).expect("claim");
        assert_eq!(
            taken.len(),
            7,
            "{:?}: the 4 released and the 3 never claimed",
            t.backend
        );
        // The dead life cannot record a result for a row it no longer holds.
        assert!(JOBS.held(&mut c, &first_life, &taken).expect("held").is_empty());
        let mut asked = taken.clone();
        asked.push(i64::MAX);
        assert_eq!(JOBS.held(&mut c, &second_life, &asked).expect("held"), taken);
        assert!(!finish(&t.db, &first_life, taken[0]).expect("finish"));
        let by: HashMap<Option<String>, usize> = jobs(&t.db).into_iter().fold(HashMap::new(), |mut m, j| {
            *m.entry(j.claimed_by).or_default() += 1;
            m
        });
        assert_eq!(by.get(&Some(other.token().to_owned())), Some(&3), "{by:?}");
    }
}

#[test]
fn an_expired_lease_is_taken_over_and_the_old_holder_records_nothing() {
    for t in databases() {
        add_jobs(&t.db, 1);
        let mut c = t.db.get().expect("a connection");
        let slow = Holder::new("slow");
        let ids = JOBS.claim(&mut c, &slow, 1, Duration::from_millis(200)).expect("claim");
        assert_eq!(ids.len(), 1);
        let fast = Holder::new("fast");
        assert!(
            JOBS.claim(&mut c, &fast, 1, Duration::from_secs(30))
                .expect("claim")
                .is_empty()
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        let taken = loop {
            let got = JOBS.claim(&mut c, &fast, 1, Duration::from_secs(30)).expect("claim");
            if !got.is_empty() || Instant::now() > deadline {
                break got;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(taken, ids, "{:?}: the lapsed claim is taken over", t.backend);
        assert!(!finish(&t.db, &slow, ids[0]).expect("finish"));
        assert!(finish(&t.db, &fast, ids[0]).expect("finish"));
        assert_eq!(jobs(&t.db)[0].done_count, 1);
    }
}

#[test]
fn a_heartbeat_keeps_a_short_lease_alive_while_work_goes_on() {
    for t in databases() {
        add_jobs(&t.db, 1);
        let lease = Duration::from_millis(300);
        let worker = Holder::new("worker");
        let ids = JOBS
            .claim(&mut t.db.get().expect("a connection"), &worker, 1, lease)
            .expect("claim");
        let beat = Heartbeat::start(t.db.clone(), JOBS, worker.clone(), ids.clone(), lease);
        let other = Holder::new("other");
        // Four leases long, nobody else gets the row.
        let until = Instant::now() + lease * 4;
        while Instant::now() < until {
            let got = JOBS
                .claim(&mut t.db.get().expect("a connection"), &other, 1, lease)
                .expect("claim");
            assert!(got.is_empty(), "{:?}: taken over while renewed", t.backend);
            std::thread::sleep(Duration::from_millis(40));
        }
        // Work ends without a result (a crash of the work, not of the process): the lease
        // lapses and the row is free again within about one lease.
        drop(beat);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = JOBS
                .claim(&mut t.db.get().expect("a connection"), &other, 1, lease)
                .expect("claim");
            if got == ids {
                break;
            }
            assert!(Instant::now() < deadline, "{:?}: never released", t.backend);
            std::thread::sleep(Duration::from_millis(40));
        }
        assert_eq!(
            JOBS.counts(&mut t.db.get().expect("a connection"))
                .expect("counts")
                .claimed,
            1
        );
    }
}

#[test]
fn released_rows_are_claimable_again_without_waiting() {
    for t in databases() {
        add_jobs(&t.db, 3);
        let mut c = t.db.get().expect("a connection");
        let a = Holder::new("a");
        let ids = JOBS.claim(&mut c, &a, 3, Duration::from_secs(3600)).expect("claim");
        assert_eq!(JOBS.release(&mut c, &Holder::new("b"), &ids).expect("release"), 0);
        assert_eq!(JOBS.release(&mut c, &a, &ids).expect("release"), 3);
        assert_eq!(
            JOBS.claim(&mut c, &Holder::new("b"), 5, Duration::from_secs(1))
                .expect("claim"),
            ids
        );
    }
}
