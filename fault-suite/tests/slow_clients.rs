//! Scenario 5 (issue #9): slow clients stall no one. 300 (long: 1,000) connections to the real
//! gateway send the complete head of a write request announcing a 100 kB body and then stop,
//! or trickle it a byte every 3 s and then stop; some with an admin token, some without (a
//! login, or a write refused for want of one: no token is needed for the attack). They come
//! from 127.0.0.2 … 127.0.0.31, since the gateway tells clients apart by the connection's peer
//! address (`X-Forwarded-For` counts only from `GATEWAY_TRUSTED_PROXIES`, empty here):
//! 127.0.0.2 opens more than its share of `GATEWAY_MAX_REQUESTS_PER_CLIENT`, each with another
//! forged `X-Forwarded-For`, so that the cap shows as 429s.
//!
//! While they hang, a normal client (127.0.0.1) makes paced rounds of reads and writes through
//! the gateway to each service, and a GET announcing 10 MB of body a service does not read →
//! every normal request answered within 1 s; every slow connection ends within the body
//! timeout (10 s after its last byte) + 5 s: 408 `request_timeout` problem+json when its body
//! stopped, 429 `too_many_requests` at once beyond the cap, 401 at once without a token (the
//! gateway does not wait for a body the service has answered); none cut off while its body
//! still trickled; afterwards 127.0.0.2 has its share back and every process is ready. Five
//! more stalled bodies go straight to each service's own port: each service's own body
//! timeout answers them 408 too.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use fault_suite::procs::{Suite, SuiteOptions};
use fault_suite::raw::{self, NoReply, RawReply};
use fault_suite::smtp::SmtpSink;
use fault_suite::{Checks, alliance, pg, pick, poll, random_tag};
use serde_json::json;

/// `GATEWAY_BODY_TIMEOUT_SECS` and every service's (the default, set so the figures hold).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// `GATEWAY_MAX_REQUESTS_PER_CLIENT` (the default, set likewise).
const CAP: usize = 64;
/// The body every slow write announces.
const ANNOUNCED: usize = 100_000;
const TRICKLE_EVERY: Duration = Duration::from_secs(3);
/// How much later than the body timeout a slow connection may end.
const MARGIN: Duration = Duration::from_secs(5);
/// The promise: a normal request answers within this.
const PROMPT: Duration = Duration::from_secs(1);
/// Addresses of the slow clients: 127.0.0.2 (over its share) and 127.0.0.3 … 127.0.0.31.
const CROWD: u8 = 2;
const OTHERS: u8 = 29;
/// Slow clients straight to each service, from 127.0.0.32.
const DIRECT: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// With a token: the head and the first bytes of a body, then nothing.
    Stalled,
    /// With a token: a byte every 3 s for a while (longer than the timeout), then nothing.
    Trickle,
    /// No token: the gateway's own login, the head and `{"`, then nothing.
    Login,
    /// No token: a write the service refuses before reading the body.
    NoToken,
    /// With a token, straight to a service's own port (its own body timeout): as `Stalled`.
    Direct,
}

struct Plan {
    kind: Kind,
    from: u8,
    to: SocketAddr,
    path: &'static str,
}

struct Outcome {
    kind: Kind,
    from: u8,
    answer: Result<RawReply, NoReply>,
    since_last_byte: Duration,
    since_start: Duration,
    trickled: usize,
    trickle_planned: usize,
    /// How long the TCP connect took.
    connect: Duration,
}

/// Counters shared by the slow clients (one thread: the test's runtime).
#[derive(Default)]
struct Live {
    connected: Cell<usize>,
    open: Cell<usize>,
    ended: Cell<usize>,
}

const WRITES: [&str; 3] = [
    "/api/v1/members/units",
    "/api/v1/meetings/activities",
    "/api/v1/documents/batches",
];

#[actix_rt::test]
async fn slow_clients_stall_no_one_and_end_in_408_or_429() {
    let n: usize = pick(300, 1000);
    let over_share: usize = pick(16, 36);
    let trickle_bytes: usize = pick(4, 8);
    let mut c = Checks::new("slow_clients");
    c.figure("slow clients", n);

    let smtp = SmtpSink::start();
    let mut opts = SuiteOptions::new(pg::shared_server_url(), Some(smtp.url()));
    let secs = BODY_TIMEOUT.as_secs().to_string();
    opts.env = vec![
        ("GATEWAY_MAX_REQUESTS_PER_CLIENT".into(), CAP.to_string()),
        ("GATEWAY_BODY_TIMEOUT_SECS".into(), secs.clone()),
        ("MEMBERS_BODY_TIMEOUT_SECS".into(), secs.clone()),
        ("MEETINGS_BODY_TIMEOUT_SECS".into(), secs.clone()),
        ("DOCUMENTS_BODY_TIMEOUT_SECS".into(), secs),
    ];
    let mut suite = Suite::start(opts).await;
    let api = suite.admin(0).await;
    let gateway: SocketAddr = ([127, 0, 0, 1], suite.gateways[0].port).into();
    let pids: Vec<Option<u32>> = all_procs(&suite).map(|p| p.pid()).collect();

    // One appointment with its 聘书, so that a batch for it is a write that renders nothing.
    let tag = random_tag();
    let term = alliance::open_term(&api).await;
    let people = alliance::import_people(&api, &tag, 0..1).await;
    let appointments = alliance::appoint_experts(std::slice::from_ref(&api), term, &people).await;
    let issued = poll(120.0, Duration::from_millis(300), || async {
        let v = alliance::valid_certificates(&api).await;
        (alliance::certificate_cover(&v, &appointments).0 == 1).then_some(())
    })
    .await;
    c.check(issued.is_some(), "the setup appointment has its 聘书");
    let normal = Normal {
        api: api.clone(),
        tag,
        appointment: appointments[0],
        made: Cell::new(0),
    };

    let mut baseline = Vec::new();
    for _ in 0..3 {
        baseline.extend(normal.round(0).await);
    }
    c.figure("normal requests before the attack: p50 / max (ms)", summary(&baseline));

    // The attack.
    let mut plans: Vec<Plan> = (0..CAP + over_share)
        .map(|_| Plan {
            kind: Kind::Stalled,
            from: CROWD,
            to: gateway,
            path: WRITES[0],
        })
        .collect();
    for i in 0..n.saturating_sub(plans.len()) {
        let kind = match (i % 10, i % 3) {
            (9, _) => Kind::NoToken,
            (_, 0) => Kind::Stalled,
            (_, 1) => Kind::Trickle,
            _ => Kind::Login,
        };
        let path = if kind == Kind::Login {
            "/api/v1/auth/token"
        } else {
            WRITES[(i / 10) % 3]
        };
        plans.push(Plan {
            kind,
            from: CROWD + 1 + u8::try_from(i % usize::from(OTHERS)).unwrap_or(0),
            to: gateway,
            path,
        });
    }
    for (s, path) in WRITES.iter().enumerate() {
        let to: SocketAddr = ([127, 0, 0, 1], suite.services[s][0].port).into();
        plans.extend((0..DIRECT).map(|_| Plan {
            kind: Kind::Direct,
            from: CROWD + OTHERS + 1,
            to,
            path,
        }));
    }
    let total = plans.len();
    let quick_expected = over_share + plans.iter().filter(|p| p.kind == Kind::NoToken).count();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for p in &plans {
        *by_kind.entry(format!("{:?}", p.kind)).or_default() += 1;
    }
    c.figure(
        "slow clients by kind (Direct: to a service's own port, not counted in the above)",
        format!("{by_kind:?}"),
    );
    c.figure(
        "source addresses",
        format!(
            "127.0.0.{CROWD} ({} connections, cap {CAP}, forged X-Forwarded-For) and 127.0.0.{}…127.0.0.{}",
            CAP + over_share,
            CROWD + 1,
            CROWD + OTHERS
        ),
    );

    let live = Rc::new(Live::default());
    let overflows_before = listen_overflows();
    let attack_started = Instant::now();
    let handles: Vec<_> = plans
        .into_iter()
        .enumerate()
        .map(|(i, plan)| {
            let token = (plan.kind != Kind::NoToken && plan.kind != Kind::Login).then(|| api.token.clone());
            let trickle = if plan.kind == Kind::Trickle { trickle_bytes } else { 0 };
            actix_rt::spawn(slow_client(plan, i, token, trickle, live.clone()))
        })
        .collect();
    // The attack is on once every connection sent its head and the quick answers (429 beyond
    // the share, 401 without a token) are in; not waiting longer, the body timeout runs.
    let settled = poll(8.0, Duration::from_millis(50), || async {
        (live.connected.get() == total && live.ended.get() >= quick_expected).then_some(())
    })
    .await;
    c.figure(
        "all heads sent and the quick answers in after (s)",
        format!("{:.2}", attack_started.elapsed().as_secs_f64()),
    );
    c.check(
        settled.is_some(),
        format!(
            "every slow client connected and the {quick_expected} quick answers came ({} connected, {} ended)",
            live.connected.get(),
            live.ended.get()
        ),
    );
    let open_at_peak = live.open.get();
    c.figure(
        "slow requests hanging at once",
        format!(
            "{open_at_peak} ({} through the gateway, {} straight to the services)",
            open_at_peak.saturating_sub(3 * DIRECT),
            3 * DIRECT
        ),
    );

    // The normal client, in paced rounds, until every slow connection has ended.
    let mut during: Vec<Sample> = Vec::new();
    let ten_mb = normal.ten_megabytes(gateway).await;
    let life = BODY_TIMEOUT + TRICKLE_EVERY * u32::try_from(trickle_bytes).unwrap_or(0) + MARGIN;
    while live.ended.get() < total && attack_started.elapsed() < life + MARGIN {
        let round_started = Instant::now();
        during.extend(normal.round(live.open.get()).await);
        let pace = Duration::from_millis(400).saturating_sub(round_started.elapsed());
        actix_rt::time::sleep(pace).await;
    }
    let outcomes: Vec<Outcome> = futures_util::future::join_all(handles)
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("a slow client's task failed: {e}")))
        .collect();
    if let (Some(before), Some(after)) = (overflows_before, listen_overflows()) {
        // A full accept queue drops a SYN or the handshake's ACK: that connection waits 1 s.
        c.figure(
            "accept queues overflowed during the attack (this host's TcpExt ListenOverflows)",
            after.saturating_sub(before),
        );
    }
    c.figure(
        "every slow connection ended after (s)",
        format!("{:.1}", attack_started.elapsed().as_secs_f64()),
    );

    // The normal client's figures.
    let hanging: Vec<&Sample> = during.iter().filter(|s| s.open_slow >= open_at_peak / 2).collect();
    c.figure(
        "normal requests during the attack",
        format!(
            "{} ({} while at least {} slow requests hung; {} writes)",
            during.len(),
            hanging.len(),
            open_at_peak / 2,
            during.iter().filter(|s| s.write).count()
        ),
    );
    c.figure("normal requests during the attack: p50 / max (ms)", summary(&during));
    let mut per_route: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
    for s in &during {
        per_route.entry(s.what).or_default().push(s.clone());
    }
    for (route, samples) in &per_route {
        c.figure(&format!("  {route}: p50 / max (ms)"), summary(samples));
    }
    let slow_ones: Vec<String> = during
        .iter()
        .filter(|s| s.elapsed >= PROMPT)
        .map(|s| format!("{} {} ms", s.what, s.elapsed.as_millis()))
        .collect();
    c.check(
        !during.is_empty() && slow_ones.is_empty(),
        format!(
            "every normal request answered within 1 s ({} of {} slower: {slow_ones:?})",
            slow_ones.len(),
            during.len()
        ),
    );
    c.check(
        hanging.len() >= 6,
        format!(
            "normal requests were made while the slow ones hung ({} while ≥ {} hung)",
            hanging.len(),
            open_at_peak / 2
        ),
    );
    let wrong: Vec<String> = during
        .iter()
        .filter(|s| !(200..300).contains(&s.status))
        .map(|s| format!("{} {}", s.what, s.status))
        .collect();
    c.check(
        wrong.is_empty(),
        format!("every normal request succeeded ({} did not: {wrong:?})", wrong.len()),
    );
    c.figure(
        "GET announcing 10 MB (1 MB sent), during the attack",
        format!("{} after {} ms", ten_mb.0, ten_mb.1.as_millis()),
    );
    c.check(
        ten_mb.0 == "200" && ten_mb.1 < PROMPT,
        format!(
            "a GET with a 10 MB body the service does not read answers at once ({} after {} ms)",
            ten_mb.0,
            ten_mb.1.as_millis()
        ),
    );

    // The slow clients' figures.
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for o in &outcomes {
        let key = match &o.answer {
            Ok(r) => format!(
                "{:?} {} {}",
                o.kind,
                r.status,
                r.problem_code().unwrap_or_else(|| "(not problem+json)".into())
            ),
            Err(e) => format!("{:?} {e:?}", o.kind),
        };
        *statuses.entry(key).or_default() += 1;
    }
    c.figure("slow clients' endings", format!("{statuses:#?}"));
    let status_of = |o: &Outcome| o.answer.as_ref().map(|r| r.status).ok();
    let timeouts: Vec<Duration> = outcomes
        .iter()
        .filter(|o| o.answer.as_ref().is_ok_and(|r| r.status == 408))
        .map(|o| o.since_last_byte)
        .collect();
    c.figure("408 request_timeout", timeouts.len());
    let connects: Vec<Duration> = outcomes.iter().map(|o| o.connect).collect();
    c.figure("slow clients' TCP connect: min / p50 / max (s)", seconds3(&connects));
    // A handshake the kernel dropped for a full accept queue is retried after 1 s: any client
    // connecting at that moment, a normal one too, would wait that long.
    let slowest_connect = connects.iter().max().copied().unwrap_or_default();
    c.check(
        slowest_connect < PROMPT,
        format!(
            "every connection was accepted at once, none waited for a retried handshake (slowest {} ms)",
            slowest_connect.as_millis()
        ),
    );
    let quick: Vec<Duration> = outcomes
        .iter()
        .filter(|o| matches!(status_of(o), Some(401 | 429)))
        .map(|o| o.since_start)
        .collect();
    c.figure("401 and 429 came after: min / p50 / max (s)", seconds3(&quick));
    c.figure("408 came after the last byte: min / p50 / max (s)", seconds3(&timeouts));
    let from_crowd_429 = outcomes
        .iter()
        .filter(|o| o.from == CROWD && status_of(o) == Some(429))
        .count();
    let elsewhere_429 = outcomes
        .iter()
        .filter(|o| o.from != CROWD && status_of(o) == Some(429))
        .count();
    c.figure(
        "429 too_many_requests",
        format!("{from_crowd_429} from 127.0.0.{CROWD}, {elsewhere_429} from the others"),
    );
    c.figure(
        "401 without a token",
        outcomes.iter().filter(|o| status_of(o) == Some(401)).count(),
    );
    let closed = outcomes
        .iter()
        .filter(|o| matches!(o.answer, Err(NoReply::Closed { .. })))
        .count();
    c.figure("closed without an answer", closed);
    c.check(
        from_crowd_429 == over_share && elsewhere_429 == 0,
        format!(
            "the cap: exactly the {over_share} requests of 127.0.0.{CROWD} beyond its {CAP} got 429, despite forged X-Forwarded-For, no other address any ({from_crowd_429} and {elsewhere_429})"
        ),
    );
    let mut late = Vec::new();
    let mut wrong_answer = Vec::new();
    let mut cut_off = Vec::new();
    for o in &outcomes {
        let window = match o.kind {
            Kind::NoToken => PROMPT,
            _ => BODY_TIMEOUT + MARGIN,
        };
        let describe = |why: &str| {
            format!(
                "{:?} from 127.0.0.{} {why}: {:?} after {:.1} s ({:.1} s after its last byte)",
                o.kind,
                o.from,
                o.answer.as_ref().map(|r| (r.status, r.problem_code())),
                o.since_start.as_secs_f64(),
                o.since_last_byte.as_secs_f64()
            )
        };
        let quick_429 = status_of(o) == Some(429) && o.since_start < PROMPT;
        if (o.answer.is_err() && !matches!(o.answer, Err(NoReply::Closed { .. }))) || o.since_last_byte > window {
            late.push(describe("did not end in time"));
        }
        let expected = match o.kind {
            Kind::NoToken => status_of(o) == Some(401),
            Kind::Stalled | Kind::Trickle | Kind::Login | Kind::Direct => {
                quick_429
                    || o.answer
                        .as_ref()
                        .is_ok_and(|r| r.status == 408 && r.problem_code().as_deref() == Some("request_timeout"))
            }
        };
        let problem = o.answer.as_ref().is_ok_and(|r| r.problem_code().is_some());
        if o.answer.is_ok() && !(expected && problem) {
            wrong_answer.push(describe("answered wrongly"));
        }
        if status_of(o) == Some(408)
            && (o.trickled < o.trickle_planned || o.since_last_byte < BODY_TIMEOUT - Duration::from_millis(250))
        {
            cut_off.push(describe("was cut off too early"));
        }
    }
    c.check(
        late.is_empty(),
        format!(
            "every slow connection ended (answer or close) within the body timeout + {} s of its last byte, without a token within 1 s ({} did not: {:?})",
            MARGIN.as_secs(),
            late.len(),
            late.iter().take(5).collect::<Vec<_>>()
        ),
    );
    c.check(
        wrong_answer.is_empty(),
        format!(
            "every answer to a slow client is problem+json: 408 request_timeout, 429 at once, 401 at once without a token ({} were not: {:?})",
            wrong_answer.len(),
            wrong_answer.iter().take(5).collect::<Vec<_>>()
        ),
    );
    c.check(
        cut_off.is_empty(),
        format!(
            "no body was cut off while it still arrived, none before the timeout ({}: {:?})",
            cut_off.len(),
            cut_off.iter().take(5).collect::<Vec<_>>()
        ),
    );

    // Afterwards: 127.0.0.2 has its share back, every process is the same and ready.
    let head = raw::head("GET", "/api/v1/members/units?limit=5", Some(&api.token), &[], 0);
    let (back, took) = raw::exchange(raw::loopback(CROWD), gateway, &head, &[], Duration::from_secs(5)).await;
    c.check(
        back.as_ref().is_ok_and(|r| r.status == 200),
        format!(
            "127.0.0.{CROWD} has its share back: a GET answers 200 ({:?} after {} ms)",
            back.as_ref().map(|r| r.status),
            took.as_millis()
        ),
    );
    let http = suite.http.clone();
    let mut not_ready = Vec::new();
    for p in all_procs_mut(&mut suite) {
        let ready = http.get_opt(&format!("{}/readyz", p.url()), None).await;
        if !p.is_running() || ready.as_ref().map(|r| r.status) != Some(200) {
            not_ready.push(format!("{}: {:?}", p.name, ready.map(|r| r.status)));
        }
    }
    let same = all_procs(&suite).map(|p| p.pid()).collect::<Vec<_>>() == pids;
    c.check(
        not_ready.is_empty() && same,
        format!("every process still runs (same pids: {same}) and is ready afterwards (not: {not_ready:?})"),
    );
    c.finish();
}

/// The host's count of connections dropped for a full accept queue (`/proc/net/netstat`).
fn listen_overflows() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let i = names.split_whitespace().position(|n| n == "ListenOverflows")?;
    values.split_whitespace().nth(i)?.parse().ok()
}

fn all_procs(suite: &Suite) -> impl Iterator<Item = &fault_suite::procs::Proc> {
    suite.gateways.iter().chain(suite.services.iter().flatten())
}

fn all_procs_mut(suite: &mut Suite) -> impl Iterator<Item = &mut fault_suite::procs::Proc> {
    suite.gateways.iter_mut().chain(suite.services.iter_mut().flatten())
}

/// One slow client: connects from its address, sends its head (and the body's first bytes),
/// trickles, then waits for the answer or the close.
async fn slow_client(plan: Plan, i: usize, token: Option<String>, trickle: usize, live: Rc<Live>) -> Outcome {
    let started = Instant::now();
    let mut out = Outcome {
        kind: plan.kind,
        from: plan.from,
        answer: Err(NoReply::Deadline),
        since_last_byte: Duration::ZERO,
        since_start: Duration::ZERO,
        trickled: 0,
        trickle_planned: trickle,
        connect: Duration::ZERO,
    };
    let from: IpAddr = raw::loopback(plan.from);
    let connected = raw::connect_from(from, plan.to).await;
    out.connect = started.elapsed();
    let io = match connected {
        Ok(io) => io,
        Err(e) => {
            live.connected.set(live.connected.get() + 1);
            live.ended.set(live.ended.get() + 1);
            out.answer = Err(NoReply::Error(format!("connect: {e}")));
            return out;
        }
    };
    // The crowd forges its address: from an untrusted peer the gateway must ignore it.
    let extra: Vec<String> = if plan.from == CROWD {
        vec![format!("x-forwarded-for: 10.9.{}.{}", i / 250, i % 250 + 1)]
    } else {
        Vec::new()
    };
    // A login body is small (the gateway takes at most 64 kB there); the writes announce 100 kB.
    let length = if plan.kind == Kind::Login { 1_000 } else { ANNOUNCED };
    let mut request = raw::head("POST", plan.path, token.as_deref(), &extra, length);
    match plan.kind {
        Kind::Trickle => {}
        Kind::Login => request.extend_from_slice(br#"{""#),
        _ => request.extend_from_slice(br#"{"name":"#),
    }
    let written = raw::write_all(&io, &request).await;
    let mut last_byte = Instant::now();
    live.connected.set(live.connected.get() + 1);
    live.open.set(live.open.get() + 1);
    let life = BODY_TIMEOUT + TRICKLE_EVERY * u32::try_from(trickle).unwrap_or(0) + MARGIN * 2;
    let read = raw::read_reply(&io, started + life);
    tokio::pin!(read);
    let answer = if let Err(e) = written {
        Err(NoReply::Error(format!("sending the head: {e}")))
    } else {
        loop {
            if out.trickled == trickle {
                break (&mut read).await;
            }
            tokio::select! {
                r = &mut read => break r,
                () = actix_rt::time::sleep(TRICKLE_EVERY) => {
                    if raw::write_all(&io, b" ").await.is_err() {
                        break (&mut read).await;
                    }
                    out.trickled += 1;
                    last_byte = Instant::now();
                }
            }
        }
    };
    live.open.set(live.open.get() - 1);
    live.ended.set(live.ended.get() + 1);
    out.since_last_byte = last_byte.elapsed();
    out.since_start = started.elapsed();
    out.answer = answer;
    out
}

/// One normal request's figures.
#[derive(Debug, Clone)]
struct Sample {
    what: &'static str,
    write: bool,
    status: u16,
    elapsed: Duration,
    /// Slow requests hanging when it was sent.
    open_slow: usize,
}

/// The normal client: an administrator at 127.0.0.1.
struct Normal {
    api: fault_suite::http::Api,
    tag: String,
    appointment: i64,
    made: Cell<usize>,
}

impl Normal {
    /// A read from each service, then a write to each, one after the other.
    async fn round(&self, open_slow: usize) -> Vec<Sample> {
        let k = self.made.get();
        self.made.set(k + 1);
        let mut out = Vec::new();
        for (what, path) in [
            ("GET members/units", "/api/v1/members/units?limit=20"),
            ("GET meetings/activities", "/api/v1/meetings/activities?limit=20"),
            ("GET documents", "/api/v1/documents?limit=20"),
        ] {
            let r = self.api.get(path).await;
            out.push(Sample {
                what,
                write: false,
                status: r.status,
                elapsed: r.elapsed,
                open_slow,
            });
        }
        let writes = [
            (
                "POST members/units",
                WRITES[0],
                json!({"name": format!("慢客户对照单位{}-{k}", self.tag), "kind": "technical_school"}),
            ),
            (
                "POST meetings/activities",
                WRITES[1],
                json!({"body_id": alliance::EXPERT_COMMITTEE, "kind": "thematic", "title": format!("专题会议{k}"),
                       "held_on": "2026-06-01", "place": "北京"}),
            ),
            (
                "POST documents/batches",
                WRITES[2],
                json!({"appointment_ids": [self.appointment], "send_mail": false}),
            ),
        ];
        for (what, path, body) in writes {
            let r = self.api.post(path, body).await;
            if !(200..300).contains(&r.status) {
                eprintln!("[slow_clients] {what}: {} {}", r.status, r.text());
            }
            out.push(Sample {
                what,
                write: true,
                status: r.status,
                elapsed: r.elapsed,
                open_slow,
            });
        }
        out
    }

    /// A GET announcing a 10 MB body, 1 MB of it sent, then nothing: (status, time).
    async fn ten_megabytes(&self, gateway: SocketAddr) -> (String, Duration) {
        let head = raw::head(
            "GET",
            "/api/v1/members/units?limit=5",
            Some(&self.api.token),
            &[],
            10 * 1024 * 1024,
        );
        let (r, took) = raw::exchange(
            raw::loopback(1),
            gateway,
            &head,
            &vec![b' '; 1024 * 1024],
            Duration::from_secs(40),
        )
        .await;
        let status = match r {
            Ok(r) => r.status.to_string(),
            Err(e) => format!("{e:?}"),
        };
        (status, took)
    }
}

/// `p50 / max` in milliseconds.
fn summary(samples: &[Sample]) -> String {
    let mut ms: Vec<u128> = samples.iter().map(|s| s.elapsed.as_millis()).collect();
    ms.sort_unstable();
    match ms.last() {
        Some(max) => format!("{} / {max} (n = {})", ms[ms.len() / 2], ms.len()),
        None => "none".into(),
    }
}

/// `min / p50 / max` in seconds.
fn seconds3(d: &[Duration]) -> String {
    let mut s: Vec<f64> = d.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    match (s.first(), s.last()) {
        (Some(min), Some(max)) => format!("{min:.2} / {:.2} / {max:.2}", s[s.len() / 2]),
        _ => "none".into(),
    }
}
