//! Issuing a token: the password grant (people) and the client-credentials grant (systems),
//! with the login throttle (see [`crate::domain::throttle`]).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use chrono::Utc;
use service_kit::{ApiError, Code, Db, Role};

use super::AuthState;
use crate::db::models::{AccountRow, ClientRow};
use crate::db::{accounts, clients, login_failures};
use crate::domain::clients::{scopes_of, token_scopes};
use crate::domain::throttle::{Failure, LoginThrottle, NameRecord};
use crate::passwords;
use crate::tokens::Subject;

/// The credentials of one grant, each field present and not empty.
pub enum Grant {
    Password {
        username: String,
        password: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: String,
        /// Space-separated subset of the client's scopes.
        scope: Option<String>,
    },
}

/// A signed token, its lifetime in seconds and its scopes (space-separated, if any).
pub struct Issued {
    pub token: String,
    pub expires_in: i64,
    pub scope: Option<String>,
}

/// Checks the grant's credentials from the client at `peer` and signs a token.
pub async fn issue(db: &Db, state: &AuthState, peer: &str, grant: Grant) -> Result<Issued, ApiError> {
    let subject = match grant {
        Grant::Password { username, password } => password_grant(db, state, peer, username, password).await?,
        Grant::ClientCredentials {
            client_id,
            client_secret,
            scope,
        } => client_grant(db, state, peer, client_id, client_secret, scope).await?,
    };
    let scope = (!subject.scopes.is_empty()).then(|| subject.scopes.join(" "));
    let (token, expires_in) = state.issuer.issue(subject)?;
    Ok(Issued {
        token,
        expires_in,
        scope,
    })
}

fn too_many(wait: u64, detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        Code::RateLimited,
        format!("{detail}; try again in {wait} s"),
    )
    .with_header(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait.to_string()).unwrap_or(HeaderValue::from_static("30")),
    )
}

/// The answer to failed credentials: 401 `plain`, or 429 once the name is locked or the address
/// is slowed (see [`crate::domain::throttle`]), after the address's delay. The name's failure is
/// counted in the database, so every replica sees it.
async fn refuse(db: &Db, throttle: &LoginThrottle, name: &str, address: &str, plain: ApiError) -> ApiError {
    let key = name.to_owned();
    let record = match db
        .run(move |c| Ok(login_failures::record_failure(c, &key, Utc::now().naive_utc())?))
        .await
    {
        Ok(record) => record,
        // Not counted: say so rather than answer as if it were.
        Err(e) => return e,
    };
    match throttle.failed(&record, address) {
        Failure::Plain => plain,
        Failure::Limited {
            delay,
            retry_after_secs,
        } => {
            if !delay.is_zero() {
                actix_web::rt::time::sleep(delay).await;
            }
            too_many(retry_after_secs, "too many failed logins from this address")
        }
    }
}

/// The name's recent failures, if any (see [`crate::domain::throttle`]).
async fn failures(db: &Db, name: &str) -> Result<Option<NameRecord>, ApiError> {
    let key = name.to_owned();
    db.run(move |c| Ok(login_failures::find(c, &key)?)).await
}

fn locked(record: Option<NameRecord>) -> Option<u64> {
    record.and_then(|r| r.locked_for(Utc::now().naive_utc()))
}

/// A right password or secret: the name's failures, if it had any, are forgotten.
async fn succeeded(db: &Db, name: &str, record: Option<NameRecord>) -> Result<(), ApiError> {
    if record.is_none() {
        return Ok(());
    }
    let key = name.to_owned();
    db.run(move |c| Ok(login_failures::clear(c, &key)?)).await
}

/// The account whose password this is, if any (checked on the blocking pool: argon2 is
/// deliberately slow; an unknown name costs the same time).
async fn account_with_password(db: &Db, username: String, password: String) -> Result<Option<AccountRow>, ApiError> {
    db.run(move |c| {
        Ok(match accounts::find_by_username(c, &username)? {
            Some(r) if passwords::verify(&password, &r.password_hash) => Some(r),
            Some(_) => None,
            None => {
                passwords::verify_dummy(&password);
                None
            }
        })
    })
    .await
}

/// The client whose secret this is, if any (as [`account_with_password`]).
async fn client_with_secret(db: &Db, client_id: String, secret: String) -> Result<Option<ClientRow>, ApiError> {
    db.run(move |c| {
        Ok(match clients::find_by_client_id(c, &client_id)? {
            Some(r) if passwords::verify(&secret, &r.secret_hash) => Some(r),
            Some(_) => None,
            None => {
                passwords::verify_dummy(&secret);
                None
            }
        })
    })
    .await
}

async fn password_grant(
    db: &Db,
    state: &AuthState,
    peer: &str,
    username: String,
    password: String,
) -> Result<Subject, ApiError> {
    let name_key = format!("user:{}", username.to_lowercase());
    // A locked name is refused whatever the password: people's passwords can be guessed.
    let record = failures(db, &name_key).await?;
    if let Some(wait) = locked(record) {
        return Err(too_many(wait, "too many failed logins for this user name"));
    }
    match account_with_password(db, username, password).await? {
        Some(r) if !r.disabled => {
            succeeded(db, &name_key, record).await?;
            Ok(Subject {
                sub: format!("account:{}", r.id),
                role: r.role,
                scope: r.scope,
                scopes: Vec::new(),
                name: Some(r.display_name),
                token_version: r.token_version,
            })
        }
        Some(_) => Err(ApiError::unauthorized(
            Code::AccountDisabled,
            "this account is disabled",
        )),
        None => Err(refuse(
            db,
            &state.throttle,
            &name_key,
            peer,
            ApiError::unauthorized(Code::InvalidCredentials, "wrong user name or password"),
        )
        .await),
    }
}

async fn client_grant(
    db: &Db,
    state: &AuthState,
    peer: &str,
    client_id: String,
    secret: String,
    asked: Option<String>,
) -> Result<Subject, ApiError> {
    let name_key = format!("client:{client_id}");
    // A locked client id is still checked: its right secret passes (see crate::domain::throttle).
    let record = failures(db, &name_key).await?;
    let locked = locked(record);
    let Some(client) = client_with_secret(db, client_id, secret).await? else {
        let plain = match locked {
            Some(wait) => too_many(wait, "too many failed attempts for this client id"),
            None => ApiError::unauthorized(Code::InvalidClient, "wrong client id or secret"),
        };
        return Err(refuse(db, &state.throttle, &name_key, peer, plain).await);
    };
    if client.disabled {
        return Err(ApiError::unauthorized(Code::ClientDisabled, "this client is disabled"));
    }
    succeeded(db, &name_key, record).await?;
    let scopes = token_scopes(scopes_of(&client.scopes), asked.as_deref()).map_err(|extra| {
        ApiError::bad_request(
            Code::InvalidScope,
            format!("scope {extra:?} was not granted to this client"),
        )
    })?;
    Ok(Subject {
        sub: format!("client:{}", client.client_id),
        role: Role::Service,
        scope: None,
        scopes,
        name: Some(client.name),
        token_version: client.token_version,
    })
}
