//! Signing short-lived EdDSA tokens.

use chrono::Utc;
use jsonwebtoken::{Algorithm, Header};
use service_kit::auth::Claims;
use service_kit::{ApiError, Role};

use crate::keys::SigningKeys;

pub struct TokenIssuer {
    pub keys: SigningKeys,
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: i64,
}

/// Who a token is for.
pub struct Subject {
    pub sub: String,
    pub role: Role,
    pub scope: Option<String>,
    pub scopes: Vec<String>,
    pub name: Option<String>,
    /// The account's or client's current `token_version` (see `service_kit::revocation`).
    pub token_version: i64,
}

impl TokenIssuer {
    /// Returns the token and its lifetime in seconds.
    pub fn issue(&self, subject: Subject) -> Result<(String, i64), ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.sub,
            iat: now,
            nbf: now,
            exp: now + self.ttl_secs,
            jti: uuid::Uuid::new_v4().to_string(),
            role: subject.role,
            scope: subject.scope,
            scopes: subject.scopes,
            name: subject.name,
            token_version: subject.token_version,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.keys.encoding).map_err(ApiError::internal)?;
        Ok((token, self.ttl_secs))
    }
}
