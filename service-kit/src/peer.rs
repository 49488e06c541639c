//! Reading from another service of the suite: `GET {peer}/internal/v1/…` with this service's own
//! token (see [`crate::service_token`]). Used where a service needs another's current facts
//! (meetings-service: a body's appointees on a date; documents-service: appointments to certify).
//!
//! Every failure becomes a 503 problem `peer_unavailable` naming the peer, with the cause kept
//! for the log, so a caller's request fails cleanly instead of with a 500.

use std::collections::HashMap;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::config::ServiceSettings;
use crate::problem::ApiError;
use crate::service_token::ServiceTokens;

/// Largest answer read from a peer.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// The other services by name, with this service's token. Cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Peers {
    tokens: ServiceTokens,
    urls: HashMap<String, String>,
    timeout: Duration,
}

impl Peers {
    pub fn new(tokens: ServiceTokens, urls: HashMap<String, String>) -> Self {
        Self {
            tokens,
            urls,
            timeout: Duration::from_secs(30),
        }
    }

    /// The peers and service client of `settings`.
    pub fn from_settings(settings: &ServiceSettings) -> Self {
        Self::new(
            ServiceTokens::new(&settings.gateway_url, settings.service_client.clone()),
            settings.peers.clone(),
        )
    }

    fn unavailable(peer: &str, cause: impl std::fmt::Display) -> ApiError {
        ApiError::unavailable(
            "peer_unavailable",
            format!("{peer}-service cannot be reached just now; try again"),
        )
        .with_cause(cause)
    }

    /// `GET {peer}{path_and_query}` as JSON. A 401 makes it fetch a new token and try once more.
    pub async fn get_json<T: DeserializeOwned>(&self, peer: &str, path_and_query: &str) -> Result<T, ApiError> {
        let base = self
            .urls
            .get(peer)
            .ok_or_else(|| ApiError::internal(format!("no URL configured for the peer {peer}")))?;
        let url = format!("{}{path_and_query}", base.trim_end_matches('/'));
        // awc's client is not Send; one per call keeps `Peers` shareable across threads.
        let http = awc::Client::default();
        for attempt in 0..2 {
            let token = self.tokens.get(&http).await.map_err(|e| Self::unavailable(peer, e))?;
            let mut res = http
                .get(&url)
                .bearer_auth(&token)
                .timeout(self.timeout)
                .send()
                .await
                .map_err(|e| Self::unavailable(peer, format!("GET {url}: {e}")))?;
            let status = res.status();
            if status == awc::http::StatusCode::UNAUTHORIZED && attempt == 0 {
                self.tokens.invalidate(&token).await;
                continue;
            }
            let body = res
                .body()
                .limit(MAX_BODY)
                .await
                .map_err(|e| Self::unavailable(peer, format!("GET {url}: {e}")))?;
            if !status.is_success() {
                let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
                return Err(Self::unavailable(peer, format!("GET {url}: {status} {text}")));
            }
            return serde_json::from_slice(&body)
                .map_err(|e| Self::unavailable(peer, format!("GET {url}: unreadable answer: {e}")));
        }
        Err(Self::unavailable(peer, format!("GET {url}: token refused twice")))
    }
}
