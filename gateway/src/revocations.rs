//! The gateway's side of revoking tokens before they expire (issue 9, point 9; see
//! `service_kit::revocation` for the services' side).
//!
//! - An account's `token_version` is raised when it is disabled or enabled again or its
//!   password, role or scope changes; a client's when it is disabled or enabled or its secret or
//!   scopes change. Tokens from before a disable stay dead after re-enabling: log in again.
//! - This replica's list is updated as soon as a change commits, and re-read from the database
//!   every [`REFRESH_INTERVAL`] (changes made through other replicas).
//! - The gateway refuses revoked tokens on its own routes (the [`service_kit::Caller`] extractor)
//!   and on every forwarded request ([`refuse_revoked`]); services read the list from
//!   `GET /internal/v1/revocations`.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use service_kit::auth::TokenVerifier;
use service_kit::revocation::{RevocationList, Revocations, SubjectState};
use service_kit::{ApiError, Caller, Code, Db, DbConn};

use crate::db::models::{AccountRow, ClientRow};
use crate::db::schema::{accounts, api_clients};

/// How often each replica re-reads the list from the database.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(1);

pub fn account_state(row: &AccountRow) -> SubjectState {
    SubjectState {
        subject: format!("account:{}", row.id),
        token_version: row.token_version,
        disabled: row.disabled,
    }
}

pub fn client_state(row: &ClientRow) -> SubjectState {
    SubjectState {
        subject: format!("client:{}", row.client_id),
        token_version: row.token_version,
        disabled: row.disabled,
    }
}

/// Every subject whose tokens are limited: disabled, or with a version above 0.
pub fn load(conn: &mut DbConn) -> QueryResult<Vec<SubjectState>> {
    let people: Vec<(i64, i64, bool)> = accounts::table
        .filter(accounts::token_version.gt(0).or(accounts::disabled.eq(true)))
        .select((accounts::id, accounts::token_version, accounts::disabled))
        .load(conn)?;
    let systems: Vec<(String, i64, bool)> = api_clients::table
        .filter(api_clients::token_version.gt(0).or(api_clients::disabled.eq(true)))
        .select((
            api_clients::client_id,
            api_clients::token_version,
            api_clients::disabled,
        ))
        .load(conn)?;
    let people = people.into_iter().map(|(id, token_version, disabled)| SubjectState {
        subject: format!("account:{id}"),
        token_version,
        disabled,
    });
    let systems = systems.into_iter().map(|(id, token_version, disabled)| SubjectState {
        subject: format!("client:{id}"),
        token_version,
        disabled,
    });
    Ok(people.chain(systems).collect())
}

/// Raises the account's version: its tokens issued so far stop working.
pub fn bump_account(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set(accounts::token_version.eq(accounts::token_version + 1))
        .execute(conn)
}

/// Raises the client's version: its tokens issued so far stop working.
pub fn bump_client(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(api_clients::table.find(id))
        .set(api_clients::token_version.eq(api_clients::token_version + 1))
        .execute(conn)
}

/// Reads the list into `revocations` now, then every [`REFRESH_INTERVAL`].
pub fn spawn_refresher(db: Db, revocations: Revocations) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut failing = false;
        loop {
            match db.run(|c| Ok(load(c)?)).await {
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

/// `GET /internal/v1/revocations`: for the suite's services (service token with scope
/// `internal`). Read from the database, so every replica answers the same.
pub async fn list(caller: Caller, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let subjects = db.run(|c| Ok(load(c)?)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(RevocationList { subjects }))
}

/// Middleware on forwarded routes: a revoked bearer token is refused here at once, whatever the
/// service's list says yet. Other token failures are left to the service, which knows whether
/// the route needs a token at all.
pub async fn refuse_revoked(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    if let (Some(token), Some(verifier)) = (token, req.app_data::<web::Data<TokenVerifier>>())
        && let Err(e) = verifier.verify(token)
        && e.code() == Code::TokenRevoked
    {
        return Ok(req.error_response(e));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}
