//! Reading from another service of the suite: `GET {peer}/internal/v1/…` with this service's own
//! token (see [`crate::service_token`]). Used where a service needs another's current facts
//! (meetings-service: a body's appointees on a date; documents-service: appointments to certify).
//!
//! The call carries the `X-Request-Id` of the request being served (see
//! [`crate::telemetry::observe`]), so one id follows a request through every service.
//!
//! Every failure becomes a 503 problem `peer_unavailable` naming the peer, with the cause kept
//! for the log, so a caller's request fails cleanly instead of with a 500.

use crate::problem::Code;
use std::collections::HashMap;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::config::ServiceSettings;
use crate::problem::ApiError;
use crate::service_token::ServiceTokens;
use crate::telemetry::{REQUEST_ID, current_request_id};

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
            Code::PeerUnavailable,
            format!("{peer}-service cannot be reached just now; try again"),
        )
        .with_cause(cause)
    }

    /// `GET {peer}{path_and_query}` as JSON. A 401 makes it fetch a new token and try once more.
    pub async fn get_json<T: DeserializeOwned>(&self, peer: &str, path_and_query: &str) -> Result<T, ApiError> {
        self.get_json_found(peer, path_and_query)
            .await?
            .ok_or_else(|| Self::unavailable(peer, format!("GET {path_and_query}: 404")))
    }

    /// As [`Peers::get_json`], with the peer's 404 (no such resource) as `None`.
    pub async fn get_json_found<T: DeserializeOwned>(
        &self,
        peer: &str,
        path_and_query: &str,
    ) -> Result<Option<T>, ApiError> {
        let base = self
            .urls
            .get(peer)
            .ok_or_else(|| ApiError::internal(format!("no URL configured for the peer {peer}")))?;
        let url = format!("{}{path_and_query}", base.trim_end_matches('/'));
        // awc's client is not Send; one per call keeps `Peers` shareable across threads.
        let http = awc::Client::default();
        for attempt in 0..2 {
            let token = self.tokens.get(&http).await.map_err(|e| Self::unavailable(peer, e))?;
            let mut get = http.get(&url).bearer_auth(&token).timeout(self.timeout);
            // The request served now, so the peer's logs carry the same id.
            if let Some(id) = current_request_id() {
                get = get.insert_header((REQUEST_ID, id));
            }
            let mut res = get
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
            if status == awc::http::StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !status.is_success() {
                let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
                return Err(Self::unavailable(peer, format!("GET {url}: {status} {text}")));
            }
            return serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| Self::unavailable(peer, format!("GET {url}: unreadable answer: {e}")));
        }
        Err(Self::unavailable(peer, format!("GET {url}: token refused twice")))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, test, web};
    use serde_json::{Value, json};

    use super::*;
    use crate::config::ServiceClient;
    use crate::telemetry::observe;

    /// A peer that is also the gateway's token endpoint, answering with the X-Request-Id it got.
    fn start_peer() -> String {
        let server = HttpServer::new(|| {
            App::new()
                .route(
                    "/api/v1/auth/token",
                    web::post()
                        .to(|| async { HttpResponse::Ok().json(json!({"access_token": "t", "expires_in": 900})) }),
                )
                .route(
                    "/internal/v1/echo",
                    web::get().to(|req: HttpRequest| async move {
                        let id = req
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        HttpResponse::Ok().json(json!({ "request_id": id }))
                    }),
                )
        })
        .workers(1)
        .bind("127.0.0.1:0");
        let server = server.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = server.addrs()[0];
        actix_web::rt::spawn(server.run());
        format!("http://{addr}")
    }

    /// Issue 9: a call to a peer made while serving a request carries that request's id.
    #[actix_rt::test]
    async fn peer_calls_forward_the_served_requests_id() {
        let url = start_peer();
        let client = ServiceClient {
            client_id: "svc".into(),
            client_secret: "secret".into(),
        };
        let peers = Peers::new(
            ServiceTokens::new(&url, Some(client)),
            [("other".to_owned(), url.clone())].into(),
        );
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(peers.clone()))
                .route(
                    "/",
                    web::get().to(|peers: web::Data<Peers>| async move {
                        let echoed: Value = peers.get_json("other", "/internal/v1/echo").await?;
                        Ok::<_, ApiError>(HttpResponse::Ok().json(echoed))
                    }),
                )
                .wrap(from_fn(observe)),
        )
        .await;
        let req = test::TestRequest::get()
            .uri("/")
            .insert_header((REQUEST_ID, "req-42"))
            .to_request();
        let echoed: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(echoed["request_id"], "req-42");

        // Outside a served request (background work) no id is invented.
        let echoed: Value = peers
            .get_json("other", "/internal/v1/echo")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(echoed["request_id"], Value::Null);
    }
}
