//! The gateway's Ed25519 token signing key ([`service_kit::signing`]): loaded from a PKCS#8 PEM
//! file, or generated on first start (private key 0600, public key beside it for the services),
//! and published as JWKS.

use service_kit::StartError;
pub use service_kit::signing::{Jwk, Jwks, KeyError, SigningKeys};

use crate::settings::{GatewaySettings, KeySource};

/// Loads (or generates) the signing key; the suite calls this before starting the services,
/// which need the public half.
pub fn load_keys(settings: &GatewaySettings) -> Result<SigningKeys, StartError> {
    match &settings.key {
        KeySource::Pem(pem) => SigningKeys::from_pkcs8_pem(pem).map_err(|e| StartError::Auth(e.to_string())),
        KeySource::File { private, public } => {
            let (keys, created) =
                SigningKeys::load_or_generate(private, public).map_err(|e| StartError::Auth(e.to_string()))?;
            if created {
                tracing::info!(path = %private.display(), "generated a new token signing key");
            }
            Ok(keys)
        }
    }
}
