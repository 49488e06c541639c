//! Tokens of a disabled or changed account or API client are refused before they expire
//! (issue 9, point 9).
//!
//! The gateway keeps a `token_version` per account and client and raises it with every change
//! that existing tokens must not outlive (disabled or enabled again; password, secret, role or
//! scopes changed). Every token carries the
//! version it was issued with (claim `token_version`, 0 when absent). The gateway publishes the
//! subjects that are disabled or have a version above 0 at `GET /internal/v1/revocations`
//! (service token with scope `internal`); every service fetches that list every
//! [`REFRESH_INTERVAL`] in the background and [`crate::auth::TokenVerifier`] refuses a token
//! whose subject is disabled or whose version is older, with 401 `token_revoked`.
//!
//! When the gateway cannot be reached the last list stays in force; a service that starts while
//! the gateway is down accepts tokens on their signature alone until its first fetch (the
//! gateway, which every outside request passes, refuses them on its own list meanwhile).

use crate::problem::Code;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::ServiceSettings;
use crate::problem::ApiError;
use crate::service_token::ServiceTokens;

/// How often services fetch the gateway's list.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(2);

/// The path of the gateway's list.
pub const PATH: &str = "/internal/v1/revocations";

/// One account (`account:<id>`) or client (`client:<client_id>`) whose tokens are limited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectState {
    pub subject: String,
    /// Tokens issued with a lower version are refused.
    pub token_version: i64,
    /// Every token is refused.
    pub disabled: bool,
}

/// The body of `GET /internal/v1/revocations`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RevocationList {
    pub subjects: Vec<SubjectState>,
}

#[derive(Clone, Copy)]
struct Known {
    token_version: i64,
    disabled: bool,
}

/// What this process knows of the gateway's list; cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Revocations {
    inner: Arc<RwLock<HashMap<String, Known>>>,
}

impl Revocations {
    /// Takes in `states`. Versions only grow, so a state with a lower version than the one
    /// known is stale (a fetch that started before a change) and is ignored. Nothing is ever
    /// removed.
    pub fn apply(&self, states: impl IntoIterator<Item = SubjectState>) {
        let mut map = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        for s in states {
            let newer = map.get(&s.subject).is_none_or(|k| s.token_version >= k.token_version);
            if newer {
                map.insert(
                    s.subject,
                    Known {
                        token_version: s.token_version,
                        disabled: s.disabled,
                    },
                );
            }
        }
    }

    /// 401 `token_revoked` when a token of `subject` issued with `token_version` must be refused:
    /// issued before the subject's last change, or at that version while the change was a
    /// disable. A token with a newer version than known was issued after a change this process
    /// has not seen yet (a re-enable: a disabled subject gets no tokens), and passes.
    pub fn check(&self, subject: &str, token_version: i64) -> Result<(), ApiError> {
        let map = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        match map.get(subject) {
            Some(k) if k.disabled && token_version <= k.token_version => Err(ApiError::unauthorized(
                Code::TokenRevoked,
                "the account or client of this token is disabled",
            )),
            Some(k) if token_version < k.token_version => Err(ApiError::unauthorized(
                Code::TokenRevoked,
                "this token was issued before its account or client changed (password, secret, role, \
                 scopes, disabled); get a new one",
            )),
            _ => Ok(()),
        }
    }

    fn downgrade(&self) -> Weak<RwLock<HashMap<String, Known>>> {
        Arc::downgrade(&self.inner)
    }
}

/// Starts fetching the gateway's list for a service: needs the gateway's URL and the service's
/// client credentials (without them only the gateway refuses revoked tokens, which is logged).
/// The task runs on the current actix system and ends when `revocations` is dropped.
pub fn follow_gateway(revocations: &Revocations, settings: &ServiceSettings) {
    if settings.gateway_url.is_empty() {
        return;
    }
    if settings.service_client.is_none() {
        tracing::warn!(
            "no service client is configured: this service cannot read the gateway's revocation list and \
             accepts tokens of disabled accounts until they expire (the gateway refuses them)"
        );
        return;
    }
    if actix_web::rt::System::try_current().is_none() {
        tracing::warn!("not on an actix system: the revocation list is not followed");
        return;
    }
    let url = format!("{}{PATH}", settings.gateway_url.trim_end_matches('/'));
    let tokens = ServiceTokens::new(&settings.gateway_url, settings.service_client.clone());
    actix_web::rt::spawn(follow(revocations.downgrade(), url, tokens));
}

async fn follow(weak: Weak<RwLock<HashMap<String, Known>>>, url: String, tokens: ServiceTokens) {
    let http = awc::Client::builder()
        .timeout(Duration::from_secs(5))
        .disable_redirects()
        .finish();
    let mut failing = false;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let revocations = Revocations { inner };
        match fetch(&http, &url, &tokens).await {
            Ok(list) => {
                revocations.apply(list.subjects);
                if failing {
                    tracing::info!(%url, "the revocation list is readable again");
                }
                failing = false;
            }
            Err(reason) => {
                // Once per outage, not every two seconds.
                if !failing {
                    tracing::warn!(%url, %reason, "cannot read the revocation list; the last one stays in force");
                }
                failing = true;
            }
        }
        drop(revocations);
        actix_web::rt::time::sleep(REFRESH_INTERVAL).await;
    }
}

async fn fetch(http: &awc::Client, url: &str, tokens: &ServiceTokens) -> Result<RevocationList, String> {
    let token = tokens.get(http).await.map_err(|e| e.to_string())?;
    let mut res = http
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    if status.as_u16() == 401 {
        // Our own token was revoked (secret rotated): fetch a new one next time.
        tokens.invalidate(&token).await;
    }
    if !status.is_success() {
        return Err(format!("the gateway answered {status}"));
    }
    let body = res.body().limit(16 * 1024 * 1024).await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("unreadable list: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(subject: &str, token_version: i64, disabled: bool) -> SubjectState {
        SubjectState {
            subject: subject.into(),
            token_version,
            disabled,
        }
    }

    fn code(r: Result<(), ApiError>) -> Option<String> {
        r.err().map(|e| format!("{} {}", e.status().as_u16(), e.code()))
    }

    // issue 9, point 9: a disabled subject's tokens are refused, an older version is refused,
    // others pass.
    #[test]
    fn disabled_subjects_and_older_versions_are_refused() {
        let r = Revocations::default();
        assert_eq!(code(r.check("account:1", 0)), None);
        r.apply([state("account:1", 2, false), state("client:x", 1, true)]);
        assert_eq!(code(r.check("account:1", 1)).as_deref(), Some("401 token_revoked"));
        assert_eq!(code(r.check("account:1", 2)), None);
        assert_eq!(code(r.check("account:1", 3)), None);
        assert_eq!(code(r.check("client:x", 0)).as_deref(), Some("401 token_revoked"));
        assert_eq!(code(r.check("client:x", 1)).as_deref(), Some("401 token_revoked"));
        assert_eq!(code(r.check("account:2", 0)), None);
    }

    // issue 9, point 9: a stale list (read before a change) never undoes the change; a token
    // newer than a known disable comes from a re-enable not seen yet, and passes.
    #[test]
    fn stale_states_are_ignored_and_newer_tokens_pass() {
        let r = Revocations::default();
        r.apply([state("account:1", 3, true)]);
        r.apply([state("account:1", 2, false)]);
        assert!(r.check("account:1", 3).is_err());
        assert!(r.check("account:1", 2).is_err());
        assert!(r.check("account:1", 4).is_ok());
        r.apply([state("account:1", 4, false)]);
        assert!(r.check("account:1", 4).is_ok());
        assert!(r.check("account:1", 3).is_err());
    }
}
