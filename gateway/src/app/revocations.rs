//! The gateway's side of revoking tokens before they expire (issue 9, point 9; see
//! `service_kit::revocation` for the services' side).
//!
//! - An account's `token_version` is raised when it is disabled or enabled again or its
//!   password, role or scope changes; a client's when it is disabled or enabled or its secret or
//!   scopes change. Tokens from before a disable stay dead after re-enabling: log in again.
//! - This replica's list is updated as soon as a change commits, and re-read from the database
//!   every [`REFRESH_INTERVAL`] (changes made through other replicas).
//! - The gateway refuses revoked tokens on its own routes (the [`service_kit::Caller`] extractor)
//!   and on every forwarded request ([`crate::api::revocations::refuse_revoked`]); services read
//!   the list from `GET /internal/v1/revocations`.

use std::time::Duration;

use service_kit::revocation::{Revocations, SubjectState};
use service_kit::{ApiError, Db};

use crate::db::revocations::load;

/// How often each replica re-reads the list from the database.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// Every subject whose tokens are limited, as the database says (every replica answers the same).
pub async fn subjects(db: &Db) -> Result<Vec<SubjectState>, ApiError> {
    db.run(|c| Ok(load(c)?)).await
}

/// Reads the list into `revocations` now, then every [`REFRESH_INTERVAL`].
pub fn spawn_refresher(db: Db, revocations: Revocations) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut failing = false;
        loop {
            match subjects(&db).await {
                Ok(states) => {
                    revocations.apply(states);
                    failing = false;
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "cannot read the revocation list; the last one stays in force");
                    }
                    failing = true;
                }
            }
            actix_web::rt::time::sleep(REFRESH_INTERVAL).await;
        }
    })
}
