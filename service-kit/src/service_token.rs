//! A service's own token for calling the other services: the client-credentials grant at the
//! gateway (`POST {gateway}/api/v1/auth/token`), cached until 60 s before it expires, fetched
//! again after a callee answered 401.
//!
//! [`ServiceTokens`] is `Send + Sync` and cheap to clone; the HTTP client is passed in on each
//! call because awc's client is not `Send` (one per actix thread or task).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use crate::config::ServiceClient;

/// A token is used until this long before it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no service client is configured (set <SERVICE>_CLIENT_ID and <SERVICE>_CLIENT_SECRET)")]
    NotConfigured,
    #[error("the gateway at {url} is not reachable: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the gateway refused the client credentials of {client_id}: {status} {body}")]
    Refused {
        client_id: String,
        status: u16,
        body: String,
    },
    #[error("the gateway's token answer is unreadable: {0}")]
    BadAnswer(String),
}

#[derive(Clone)]
pub struct ServiceTokens {
    inner: Arc<Inner>,
}

struct Inner {
    token_url: String,
    client: Option<ServiceClient>,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    token: String,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: i64,
}

impl std::fmt::Debug for ServiceTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceTokens")
            .field("token_url", &self.inner.token_url)
            .field("client_id", &self.inner.client.as_ref().map(|c| c.client_id.as_str()))
            .finish()
    }
}

impl ServiceTokens {
    /// Tokens of `client` from the gateway at `gateway_url`. Nothing is fetched until first use,
    /// so services may start before the gateway. Without a client every call fails with
    /// [`TokenError::NotConfigured`].
    pub fn new(gateway_url: &str, client: Option<ServiceClient>) -> Self {
        Self {
            inner: Arc::new(Inner {
                token_url: format!("{}/api/v1/auth/token", gateway_url.trim_end_matches('/')),
                client,
                cached: Mutex::new(None),
            }),
        }
    }

    pub fn client_id(&self) -> Option<&str> {
        self.inner.client.as_ref().map(|c| c.client_id.as_str())
    }

    /// A valid token: the cached one, or a new one from the gateway. Concurrent callers wait for
    /// one fetch instead of each fetching.
    pub async fn get(&self, http: &awc::Client) -> Result<String, TokenError> {
        let mut cached = self.inner.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        let (token, expires_in) = self.fetch(http).await?;
        let lifetime = Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
        // Refresh 60 s early; a very short-lived token is used for half its life.
        let usable = lifetime.checked_sub(REFRESH_MARGIN).unwrap_or(lifetime / 2);
        *cached = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + usable,
        });
        Ok(token)
    }

    /// Forgets `token` after a callee refused it (401), so the next [`get`](Self::get) fetches a
    /// new one. A newer token fetched meanwhile by another task is kept.
    pub async fn invalidate(&self, token: &str) {
        let mut cached = self.inner.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.token == token) {
            *cached = None;
        }
    }

    async fn fetch(&self, http: &awc::Client) -> Result<(String, i64), TokenError> {
        let client = self.inner.client.as_ref().ok_or(TokenError::NotConfigured)?;
        let url = &self.inner.token_url;
        let mut res = http
            .post(url)
            .timeout(Duration::from_secs(30))
            .send_json(&json!({
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            }))
            .await
            .map_err(|e| TokenError::Unreachable {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let status = res.status();
        let body = res
            .body()
            .limit(64 * 1024)
            .await
            .map_err(|e| TokenError::BadAnswer(e.to_string()))?;
        if !status.is_success() {
            return Err(TokenError::Refused {
                client_id: client.client_id.clone(),
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body).chars().take(300).collect(),
            });
        }
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| TokenError::BadAnswer(e.to_string()))?;
        if answer.access_token.is_empty() {
            return Err(TokenError::BadAnswer("empty access_token".into()));
        }
        tracing::debug!(client_id = %client.client_id, expires_in = answer.expires_in, "fetched a service token");
        Ok((answer.access_token, answer.expires_in))
    }
}
