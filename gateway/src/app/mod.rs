//! The application layer: one function per use case, called by one handler in `api/`. It
//! orchestrates — loads through `db/`, applies the charter's rules from `domain/`, writes
//! through `db/` and enqueues events, in one transaction — and knows nothing of HTTP.

pub mod accounts;
pub mod bootstrap;
pub mod clients;
pub mod login;
pub mod revocations;

use service_kit::{ApiError, FieldError};

use crate::domain::throttle::LoginThrottle;
use crate::tokens::TokenIssuer;

/// What the token endpoint and account changes share in every worker.
pub struct AuthState {
    pub issuer: TokenIssuer,
    pub throttle: LoginThrottle,
    /// Where the one-process suite keeps the generated bootstrap password
    /// ([`crate::BOOTSTRAP_FILE`]); removed when that account's password changes.
    pub bootstrap_file: std::path::PathBuf,
}

/// 422 with the fields that break their rules, if any.
fn checked(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}
