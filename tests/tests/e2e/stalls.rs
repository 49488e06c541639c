//! Issue 9 point 7: one client cannot stall everyone. Clients that send headers and then no
//! body hold no one else up, get 408 when their body stops arriving, one address gets only its
//! share of the services (429 beyond), and an answer never waits for a body the service does
//! not read.
//!
//! The slow clients speak raw HTTP/1.1 over TCP from other loopback addresses (127.0.0.2 …),
//! so that each address's share can be counted apart from the test's own requests.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use e2e_tests::TestSuite;
use serde_json::Value;
use tokio::net::{TcpSocket, TcpStream};

/// Body deadline of the gateway in these tests.
const BODY_TIMEOUT: Duration = Duration::from_secs(2);
/// Body deadline of members-service: longer, so that the gateway's is the one seen through it.
const MEMBERS_BODY_TIMEOUT: Duration = Duration::from_secs(3);
/// Requests per client address at the services at once.
const PER_CLIENT: usize = 60;
const SLOW_CLIENTS: usize = 300;

fn loopback(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// A connection to `to` from the loopback address `from`.
async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap_or_else(|e| panic!("socket: {e}"));
    socket
        .bind(SocketAddr::new(from, 0))
        .unwrap_or_else(|e| panic!("cannot bind {from}: {e}"));
    socket
        .connect(to)
        .await
        .unwrap_or_else(|e| panic!("cannot connect from {from} to {to}: {e}"))
}

async fn write_all(io: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        io.writable().await?;
        match io.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Headers of a request whose body is announced as `length` bytes.
fn head(method: &str, path: &str, token: Option<&str>, length: usize) -> Vec<u8> {
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{auth}content-length: {length}\r\n\r\n"
    )
    .into_bytes()
}

/// A response read off a raw connection.
#[derive(Debug)]
struct RawReply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl RawReply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Reads one response (head, then a Content-Length body) before `deadline`.
async fn read_reply(io: &TcpStream, deadline: Instant) -> Result<RawReply, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let (status_line, headers) = head.split_once("\r\n").unwrap_or((head.as_str(), ""));
            let status = status_line
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("no status in {status_line:?}"))?;
            let mut reply = RawReply {
                status,
                headers: headers.replace("\r\n", "\n"),
                body: buf[end + 4..].to_vec(),
            };
            let length: usize = reply.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            while reply.body.len() < length {
                let n = read_some(io, &mut chunk, deadline).await?;
                if n == 0 {
                    return Err("the connection closed inside the body".into());
                }
                reply.body.extend_from_slice(&chunk[..n]);
            }
            return Ok(reply);
        }
        let n = read_some(io, &mut chunk, deadline).await?;
        if n == 0 {
            return Err(format!("the connection closed before a response ({} bytes)", buf.len()));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn read_some(io: &TcpStream, chunk: &mut [u8], deadline: Instant) -> Result<usize, String> {
    let wait = deadline.saturating_duration_since(Instant::now());
    tokio::time::timeout(wait, async {
        loop {
            io.readable().await?;
            match io.try_read(chunk) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    })
    .await
    .map_err(|_| "no response before the deadline".to_owned())?
    .map_err(|e| e.to_string())
}

/// Polls `check` every 50 ms until it holds or `limit` has passed.
async fn wait_until(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The slowest of `n` normal requests through the gateway.
async fn slowest_get(t: &TestSuite, token: &str, n: usize) -> Duration {
    let mut worst = Duration::ZERO;
    for _ in 0..n {
        let started = Instant::now();
        let r = t.get("/api/v1/members/units", Some(token)).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text());
        worst = worst.max(started.elapsed());
    }
    worst
}

// Issue 9 point 7: 300 clients that send headers and never finish their body do not move a
// normal request beyond 1 s; each gets 408 `request_timeout` once its body has stopped for
// the timeout; one address beyond its share gets 429 at once.
#[actix_rt::test]
async fn slow_bodies_stall_no_one_and_end_in_408() {
    let t = TestSuite::start_with(|s| {
        s.gateway.limits.body_timeout = BODY_TIMEOUT;
        s.gateway.limits.max_in_flight = PER_CLIENT;
        s.members.service.http.body_timeout = MEMBERS_BODY_TIMEOUT;
    })
    .await;
    let token = t.admin_token().await;
    let gateway = t.suite.gateway.service.addr;
    let clients = t.suite.gateway.clients.clone();
    let baseline = slowest_get(&t, &token, 5).await;

    // 300 creates of a unit, 60 from each of 127.0.0.2-6: headers and the start of a body
    // announced as 100 kB, then nothing.
    let addresses: Vec<IpAddr> = (0..SLOW_CLIENTS / PER_CLIENT).map(|i| loopback(2 + i as u8)).collect();
    let mut slow = Vec::with_capacity(SLOW_CLIENTS);
    for i in 0..SLOW_CLIENTS {
        let io = connect_from(addresses[i / PER_CLIENT], gateway).await;
        let mut request = head("POST", "/api/v1/members/units", Some(&token), 100_000);
        request.extend_from_slice(br#"{"name":"#);
        write_all(&io, &request)
            .await
            .unwrap_or_else(|e| panic!("slow client {i}: {e}"));
        slow.push((io, Instant::now()));
    }
    wait_until(Duration::from_secs(20), "all slow requests are at the services", || {
        addresses.iter().all(|ip| clients.in_flight(*ip) == PER_CLIENT)
    })
    .await;

    let worst = slowest_get(&t, &token, 5).await;
    println!(
        "issue 9 point 7: GET /api/v1/members/units with {SLOW_CLIENTS} slow bodies in flight: slowest of 5 {worst:?} (before: {baseline:?})"
    );
    assert!(worst < Duration::from_secs(1), "a normal request took {worst:?}");

    // One more from an address that has its share: refused at once, not queued.
    let extra = connect_from(addresses[0], gateway).await;
    let started = Instant::now();
    write_all(&extra, &head("POST", "/api/v1/members/units", Some(&token), 100_000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = read_reply(&extra, Instant::now() + Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("the request beyond the share: {e}"));
    assert_eq!(refused.status, 429, "{refused:?}");
    assert_eq!(refused.json()["code"], "too_many_requests");
    assert_eq!(refused.header("content-type"), Some("application/problem+json"));
    assert!(refused.header("retry-after").is_some(), "{refused:?}");
    assert!(started.elapsed() < Duration::from_secs(1));

    // Every slow client: 408 problem+json after its body stopped for the timeout, not before.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (i, (io, sent)) in slow.iter().enumerate() {
        let r = read_reply(io, deadline)
            .await
            .unwrap_or_else(|e| panic!("slow client {i}: {e}"));
        assert_eq!(r.status, 408, "slow client {i}: {r:?}");
        assert_eq!(r.json()["code"], "request_timeout", "slow client {i}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let waited = sent.elapsed();
        assert!(
            waited >= BODY_TIMEOUT - Duration::from_millis(100)
                && waited < MEMBERS_BODY_TIMEOUT + Duration::from_secs(5),
            "slow client {i} got its 408 after {waited:?}"
        );
    }
    wait_until(
        Duration::from_secs(10),
        "the slow clients' shares are given back",
        || addresses.iter().all(|ip| clients.in_flight(*ip) == 0),
    )
    .await;

    // members-service itself does not wait for a body forever either.
    let members = t
        .suite
        .members
        .as_ref()
        .map(|h| h.addr)
        .unwrap_or_else(|| panic!("no members-service"));
    let direct = connect_from(loopback(1), members).await;
    let sent = Instant::now();
    write_all(&direct, &head("POST", "/api/v1/members/units", Some(&token), 1000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r = read_reply(&direct, Instant::now() + Duration::from_secs(15))
        .await
        .unwrap_or_else(|e| panic!("members-service directly: {e}"));
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (408, Some("request_timeout")),
        "{r:?}"
    );
    assert!(sent.elapsed() >= MEMBERS_BODY_TIMEOUT - Duration::from_millis(100));
    t.stop().await;
}

// Issue 9 point 7: the gateway answers as soon as the service has, without waiting for a body
// the service does not read: a GET announcing 10 MB (1 MB sent, then nothing) gets its 200 at
// once, and so does a request refused for want of a token.
#[actix_rt::test]
async fn answers_do_not_wait_for_unread_bodies() {
    let t = TestSuite::start().await;
    let token = t.admin_token().await;
    let gateway = t.suite.gateway.service.addr;

    let io = connect_from(loopback(1), gateway).await;
    let started = Instant::now();
    write_all(
        &io,
        &head("GET", "/api/v1/members/units", Some(&token), 10 * 1024 * 1024),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    write_all(&io, &vec![b' '; 1024 * 1024])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r = read_reply(&io, Instant::now() + Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("GET with a 10 MB body: {e}"));
    let took = started.elapsed();
    println!(
        "issue 9 point 7: GET with a 10 MB body (1 MB sent): {} after {took:?}",
        r.status
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.json()["items"].is_array(), "{r:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");

    let io = connect_from(loopback(1), gateway).await;
    let started = Instant::now();
    write_all(&io, &head("POST", "/api/v1/members/units", None, 100_000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r = read_reply(&io, Instant::now() + Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("POST without a token: {e}"));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
    t.stop().await;
}
