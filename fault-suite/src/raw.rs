//! Raw HTTP/1.1 over TCP, for clients no HTTP library would be: headers sent, then a body that
//! trickles or never comes; from any loopback source address (on Linux every 127.0.0.x can be
//! bound), so that the gateway sees many clients.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::{TcpSocket, TcpStream};

/// `127.0.0.n`.
pub fn loopback(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// A connection to `to` from the loopback address `from` (any free port of it).
pub async fn connect_from(from: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let io = socket.connect(to).await?;
    io.set_nodelay(true)?;
    Ok(io)
}

/// Writes all of `data`.
pub async fn write_all(io: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        io.writable().await?;
        match io.try_write(data) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The head of a request whose body is announced as `length` bytes; `extra` are more header
/// lines (`name: value`).
pub fn head(method: &str, path: &str, token: Option<&str>, extra: &[String], length: usize) -> Vec<u8> {
    let mut h = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n");
    if let Some(t) = token {
        h.push_str(&format!("authorization: Bearer {t}\r\n"));
    }
    for line in extra {
        h.push_str(line);
        h.push_str("\r\n");
    }
    h.push_str(&format!("content-length: {length}\r\n\r\n"));
    h.into_bytes()
}

/// A response read off a raw connection.
#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: u16,
    /// Header lines, `\n`-separated.
    pub headers: String,
    pub body: Vec<u8>,
}

impl RawReply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// `application/problem+json` with a `code`: that code.
    pub fn problem_code(&self) -> Option<String> {
        let ctype = self.header("content-type").unwrap_or_default();
        if !ctype.starts_with("application/problem+json") {
            return None;
        }
        self.json()["code"].as_str().map(str::to_owned)
    }
}

/// How reading an answer ended without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoReply {
    /// The server closed the connection (after `bytes` bytes of a response).
    Closed { bytes: usize },
    /// Nothing complete before the deadline.
    Deadline,
    /// A reset or another socket error.
    Error(String),
}

/// Reads one response (its head, then a `Content-Length` body) before `deadline`.
pub async fn read_reply(io: &TcpStream, deadline: Instant) -> Result<RawReply, NoReply> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&buf[..end]).into_owned();
            let (status_line, headers) = text.split_once("\r\n").unwrap_or((text.as_str(), ""));
            let status = status_line
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| NoReply::Error(format!("no status in {status_line:?}")))?;
            let mut reply = RawReply {
                status,
                headers: headers.replace("\r\n", "\n"),
                body: buf[end + 4..].to_vec(),
            };
            let length: usize = reply.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            while reply.body.len() < length {
                let n = read_some(io, &mut chunk, deadline).await?;
                if n == 0 {
                    return Err(NoReply::Closed {
                        bytes: end + 4 + reply.body.len(),
                    });
                }
                reply.body.extend_from_slice(&chunk[..n]);
            }
            return Ok(reply);
        }
        let n = read_some(io, &mut chunk, deadline).await?;
        if n == 0 {
            return Err(NoReply::Closed { bytes: buf.len() });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn read_some(io: &TcpStream, chunk: &mut [u8], deadline: Instant) -> Result<usize, NoReply> {
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
    .map_err(|_| NoReply::Deadline)?
    .map_err(|e: std::io::Error| NoReply::Error(e.to_string()))
}

/// Sends `head` and `body` from `from` to `to` and reads the answer, writing and reading
/// at once (so a server that answers before it has read the body is seen to do so); the time
/// from the first byte sent to the whole answer.
pub async fn exchange(
    from: IpAddr,
    to: SocketAddr,
    head: &[u8],
    body: &[u8],
    within: Duration,
) -> (Result<RawReply, NoReply>, Duration) {
    let started = Instant::now();
    let io = match connect_from(from, to).await {
        Ok(io) => io,
        Err(e) => return (Err(NoReply::Error(e.to_string())), started.elapsed()),
    };
    let send = async {
        if write_all(&io, head).await.is_ok() {
            let _ = write_all(&io, body).await;
        }
        // Then wait for the answer: the write side stays open, as a client's would.
        std::future::pending::<()>().await;
    };
    let read = read_reply(&io, started + within);
    tokio::pin!(send, read);
    let reply = tokio::select! {
        r = &mut read => r,
        () = &mut send => unreachable!("the send side never finishes"),
    };
    (reply, started.elapsed())
}
