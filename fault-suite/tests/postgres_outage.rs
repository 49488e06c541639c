//! Scenario 4 (issue #9): PostgreSQL (a cluster this test starts for itself, never the
//! machine's shared server) is stopped for 10 s while requests keep coming → meanwhile every
//! service answers 503 problem+json (not 500, no hang beyond 5 s) and `/readyz` fails; after
//! the restart of PostgreSQL everything recovers without restarting a process, nothing written
//! before is lost, and appointments made right after recovery get their 聘书 and mail.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use fault_suite::http::Http;
use fault_suite::pg::OwnCluster;
use fault_suite::procs::{Suite, SuiteOptions};
use fault_suite::smtp::SmtpSink;
use fault_suite::{Checks, alliance, pick, poll, random_tag};
use serde_json::json;

/// The longest a request may take while the database is down.
const MAX_ANSWER: Duration = Duration::from_secs(5);

struct Sample {
    probe: String,
    started: Instant,
    finished: Instant,
    /// Status, or the transport error.
    outcome: Result<(u16, bool), String>,
}

#[actix_rt::test]
async fn services_answer_503_while_postgres_is_down_and_recover_without_a_restart() {
    let before_n: usize = pick(10, 50);
    let after_n: usize = pick(10, 50);
    let outage = Duration::from_secs(10);
    let mut c = Checks::new("postgres_outage");

    let cluster = OwnCluster::start();
    c.figure("own PostgreSQL cluster", cluster.url());
    let smtp = SmtpSink::start();
    let mut suite = Suite::start(SuiteOptions::new(cluster.url(), Some(smtp.url()))).await;
    let api = suite.admin(0).await;
    let tag = random_tag();
    let term = alliance::open_term(&api).await;
    let people = alliance::import_people(&api, &tag, 0..before_n + after_n).await;
    let (first, later) = people.split_at(before_n);
    let mut appointments = alliance::appoint_experts(std::slice::from_ref(&api), term, first).await;
    let ready_before = poll(60.0, Duration::from_millis(300), || async {
        let v = alliance::valid_certificates(&api).await;
        let (one, _, _) = alliance::certificate_cover(&v, &appointments);
        (one == before_n && smtp.messages().len() >= before_n).then_some(())
    })
    .await;
    assert!(
        ready_before.is_some(),
        "the first {before_n} 聘书 and mails did not arrive"
    );
    let people_before = alliance::all_pages(&api, &format!("{}/people?limit=500", alliance::M))
        .await
        .len();
    let pids_before: Vec<Option<u32>> = all_procs(&suite).iter().map(|p| p.1).collect();

    // Probes through the gateway (reads and a write on each service) and every /readyz, each
    // in its own loop, with a client timeout well above MAX_ANSWER so that a hang is measured.
    let http = Http::new(Duration::from_secs(20));
    let gw = suite.gateways[0].url();
    let mut probes: Vec<(String, String, String, Option<String>)> = vec![
        (
            "members read".into(),
            "GET".into(),
            format!("{gw}/api/v1/members/people?limit=5"),
            None,
        ),
        (
            "members write".into(),
            "POST".into(),
            format!("{gw}/api/v1/members/units"),
            Some("unit".into()),
        ),
        (
            "documents read".into(),
            "GET".into(),
            format!("{gw}/api/v1/documents?limit=5"),
            None,
        ),
        (
            "meetings read".into(),
            "GET".into(),
            format!("{gw}/api/v1/meetings/activities?limit=5"),
            None,
        ),
        (
            "gateway login".into(),
            "POST".into(),
            format!("{gw}/api/v1/auth/token"),
            Some("login".into()),
        ),
    ];
    for (name, _, url) in all_procs(&suite) {
        probes.push((format!("{name} /readyz"), "GET".into(), format!("{url}/readyz"), None));
    }
    let samples: Rc<RefCell<Vec<Sample>>> = Rc::default();
    let running = Rc::new(RefCell::new(true));
    let mut loops = Vec::new();
    for (i, (name, method, url, body)) in probes.into_iter().enumerate() {
        let (http, samples, running, token) = (http.clone(), samples.clone(), running.clone(), api.token.clone());
        loops.push(actix_rt::spawn(async move {
            let mut n = 0;
            // Bounded: the scenario ends them long before 2,000 rounds.
            while *running.borrow() && n < 2000 {
                n += 1;
                let payload = match body.as_deref() {
                    Some("unit") => Some(json!({"name": format!("停库测试单位{i}-{n}"), "kind": "technical_school"})),
                    Some(_) => Some(json!({"grant_type": "password", "username": "admin",
                                           "password": fault_suite::procs::ADMIN_PASSWORD})),
                    None => None,
                };
                let started = Instant::now();
                let auth = (!name.contains("readyz") && !name.contains("login")).then_some(token.as_str());
                let r = http
                    .send(
                        &method,
                        &url,
                        auth,
                        &[],
                        payload.map(|p| ("application/json", p.to_string().into_bytes())),
                    )
                    .await;
                samples.borrow_mut().push(Sample {
                    probe: name.clone(),
                    started,
                    finished: Instant::now(),
                    outcome: r.map(|r| (r.status, r.is_problem())),
                });
                actix_rt::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }
    // A little traffic before the outage, then the outage for its planned length.
    actix_rt::time::sleep(Duration::from_secs(2)).await;
    let stop_begins = Instant::now();
    let stop = actix_rt::task::spawn_blocking(move || {
        cluster.stop_server();
        cluster
    });
    let cluster = stop.await.expect("stopping PostgreSQL");
    let down = Instant::now();
    actix_rt::time::sleep(outage).await;
    let up_begins = Instant::now();
    let start = actix_rt::task::spawn_blocking(move || {
        cluster.start_server();
        cluster
    });
    let cluster = start.await.expect("starting PostgreSQL again");
    let up = Instant::now();

    // Recovery: every /readyz and every probe answering 2xx again, with no process restarted.
    let recovered = poll(60.0, Duration::from_millis(200), || async {
        let last_ok = |probe: &str| {
            samples
                .borrow()
                .iter()
                .rev()
                .find(|s| s.probe == probe && s.started >= up)
                .is_some_and(|s| matches!(s.outcome, Ok((st, _)) if (200..300).contains(&st)))
        };
        let names: Vec<String> = samples.borrow().iter().map(|s| s.probe.clone()).collect();
        let mut distinct = names.clone();
        distinct.sort();
        distinct.dedup();
        distinct.iter().all(|p| last_ok(p)).then(|| up.elapsed())
    })
    .await;
    *running.borrow_mut() = false;
    for l in loops {
        let _ = l.await;
    }
    c.check(
        recovered.is_some(),
        format!(
            "every probe answers 2xx again within 60 s of PostgreSQL's restart ({})",
            recovered.map_or("not recovered".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()))
        ),
    );

    // What the probes saw while the database was down: every request in flight at some moment
    // between the stop and the restart.
    let samples: Vec<Sample> = samples.take();
    let overlapping: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.started < up_begins && s.finished > down)
        .collect();
    // Sent once the stop had begun and answered before the restart: these must be 503s (a
    // request sent before may rightly have been served before the server went).
    let during: Vec<&Sample> = overlapping
        .iter()
        .copied()
        .filter(|s| s.started >= stop_begins && s.finished <= up_begins)
        .collect();
    // Time each request spent waiting while the database was down.
    let waited = |s: &Sample| s.finished.min(up_begins).saturating_duration_since(s.started.max(down));
    let mut tally: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut slowest: BTreeMap<String, f64> = BTreeMap::new();
    for s in &overlapping {
        let key = match &s.outcome {
            Ok((st, problem)) => format!("{st}{}", if *problem { " problem+json" } else { "" }),
            Err(e) => format!("no answer ({})", e.chars().take(40).collect::<String>()),
        };
        let key = if s.finished > up_begins {
            format!("{key} after the restart")
        } else {
            key
        };
        *tally.entry(s.probe.clone()).or_default().entry(key).or_default() += 1;
        let e = slowest.entry(s.probe.clone()).or_default();
        *e = e.max(waited(s).as_secs_f64());
    }
    let hung: Vec<String> = overlapping
        .iter()
        .filter(|s| waited(s) > MAX_ANSWER)
        .map(|s| format!("{} ({:.1} s)", s.probe, waited(s).as_secs_f64()))
        .collect();
    for (probe, outcomes) in &tally {
        c.figure(
            &format!("during the outage: {probe}"),
            format!(
                "{outcomes:?}, longest wait while down {:.2} s",
                slowest.get(probe).copied().unwrap_or_default()
            ),
        );
    }
    let api_503 = during
        .iter()
        .filter(|s| !s.probe.contains("readyz"))
        .all(|s| matches!(s.outcome, Ok((503, true))));
    let api_count = during.iter().filter(|s| !s.probe.contains("readyz")).count();
    c.check(
        api_503 && api_count > 0,
        format!("every API request answered 503 problem+json during the outage ({api_count} requests)"),
    );
    let fives = during.iter().filter(|s| matches!(s.outcome, Ok((500, _)))).count();
    c.check(fives == 0, format!("no 500 during the outage ({fives})"));
    let unanswered = during.iter().filter(|s| s.outcome.is_err()).count();
    c.check(
        unanswered == 0,
        format!("every request got an answer ({unanswered} did not)"),
    );
    let max = slowest.values().copied().fold(0.0, f64::max);
    c.check(
        max <= MAX_ANSWER.as_secs_f64() && hung.is_empty(),
        format!("no request waited more than {MAX_ANSWER:?} while the database was down (longest {max:.2} s; {} did: {hung:?})", hung.len()),
    );
    let ready_ok = during
        .iter()
        .filter(|s| s.probe.contains("readyz"))
        .filter(|s| matches!(s.outcome, Ok((200, _))))
        .count();
    let mut ready_failed: Vec<&str> = during
        .iter()
        .filter(|s| s.probe.contains("readyz") && matches!(s.outcome, Ok((st, _)) if st != 200))
        .map(|s| s.probe.as_str())
        .collect();
    ready_failed.sort_unstable();
    ready_failed.dedup();
    let ready_seen = ready_failed.len();
    c.check(
        ready_ok == 0 && ready_seen == all_procs(&suite).len(),
        format!(
            "/readyz failed on every process during the outage ({ready_ok} answered 200; {ready_seen} processes answered a failure)"
        ),
    );

    // No process was restarted: the same ones are running.
    let pids_after: Vec<Option<u32>> = all_procs(&suite).iter().map(|p| p.1).collect();
    let all_running = suite
        .gateways
        .iter_mut()
        .chain(suite.services.iter_mut().flatten())
        .all(|p| p.is_running());
    c.check(
        pids_before == pids_after && all_running,
        "every process recovered without a restart (same pids, all running)",
    );

    // Nothing lost, and new work after recovery completes.
    let people_after = alliance::all_pages(&api, &format!("{}/people?limit=500", alliance::M))
        .await
        .len();
    c.check(
        people_after == people_before,
        format!("people written before the outage are there ({people_after} of {people_before})"),
    );
    appointments.extend(alliance::appoint_experts(std::slice::from_ref(&api), term, later).await);
    let all = before_n + after_n;
    let done = poll(60.0, Duration::from_millis(300), || async {
        let v = alliance::valid_certificates(&api).await;
        let (one, _, _) = alliance::certificate_cover(&v, &appointments);
        (one == all && smtp.messages().len() >= all).then_some(())
    })
    .await;
    let v = alliance::valid_certificates(&api).await;
    let (one, none, many) = alliance::certificate_cover(&v, &appointments);
    c.check(
        done.is_some(),
        format!(
            "appointments made after recovery get their 聘书 and mail within 60 s ({one} of {all} with one, {none} none, \
             {many} more; {} messages)",
            smtp.messages().len()
        ),
    );
    drop(suite);
    drop(cluster);
    c.finish();
}

/// (name, pid, url) of every process.
fn all_procs(suite: &Suite) -> Vec<(String, Option<u32>, String)> {
    suite
        .gateways
        .iter()
        .chain(suite.services.iter().flatten())
        .map(|p| (p.name.clone(), p.pid(), p.url()))
        .collect()
}
