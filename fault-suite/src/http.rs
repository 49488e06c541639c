//! A small HTTP client over awc: every answer read whole with its time, transport errors and
//! timeouts returned as values (an outage test counts them instead of failing on the first).

use std::time::{Duration, Instant};

use serde_json::Value;

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `application/problem+json` with a `code`.
    pub fn is_problem(&self) -> bool {
        self.content_type.starts_with("application/problem+json") && self.json()["code"].is_string()
    }

    /// The body of a 2xx, or a failed test naming `what` and what came instead.
    #[track_caller]
    pub fn success(&self, what: &str) -> Value {
        assert!(
            (200..300).contains(&self.status),
            "{what}: expected 2xx, got {}: {}",
            self.status,
            self.text()
        );
        self.json()
    }
}

/// A client for 127.0.0.1 with a per-request timeout.
#[derive(Clone)]
pub struct Http {
    client: awc::Client,
}

impl Http {
    pub fn new(timeout: Duration) -> Self {
        Self {
            // Idle connections are dropped before a server's 5 s keep-alive ends, so a request
            // never goes out on a connection the server is closing at that moment.
            client: awc::Client::builder()
                .connector(
                    awc::Connector::new()
                        .conn_keep_alive(Duration::from_secs(2))
                        .timeout(Duration::from_secs(5)),
                )
                .timeout(timeout)
                .finish(),
        }
    }

    /// Sends one request; `Err` says why no response came (refused, reset, timeout).
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Reply, String> {
        let method = awc::http::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self.client.request(method, url);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let started = Instant::now();
        let result = match body {
            Some((ctype, bytes)) => req.insert_header(("content-type", ctype)).send_body(bytes).await,
            None => req.send().await,
        };
        let mut res = result.map_err(|e| format!("{e}"))?;
        let body = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .map_err(|e| format!("reading the body: {e}"))?;
        Ok(Reply {
            status: res.status().as_u16(),
            content_type: res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            body: body.to_vec(),
            elapsed: started.elapsed(),
        })
    }

    /// GET, for polling: `None` when no response came.
    pub async fn get_opt(&self, url: &str, token: Option<&str>) -> Option<Reply> {
        self.send("GET", url, token, &[], None).await.ok()
    }

    /// The text of `url` (e.g. `/metrics`), or a failed test.
    pub async fn get_text(&self, url: &str) -> String {
        match self.send("GET", url, None, &[], None).await {
            Ok(r) if r.status == 200 => r.text(),
            Ok(r) => panic!("GET {url}: {} {}", r.status, r.text()),
            Err(e) => panic!("GET {url}: {e}"),
        }
    }
}

/// Calls through one gateway with one token; transport errors fail the test (use [`Http`]
/// directly where they are expected).
#[derive(Clone)]
pub struct Api {
    pub http: Http,
    /// The gateway's base URL.
    pub base: String,
    pub token: String,
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let url = self.url(path);
        self.http
            .send(method, &url, Some(&self.token), headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: no response: {e}"))
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(
            "POST",
            path,
            &[],
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }
}
