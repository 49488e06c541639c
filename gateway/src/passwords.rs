//! Argon2id password and client-secret hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use service_kit::ApiError;

pub fn hash(secret: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// [`hash`] on the blocking pool, outside any transaction: argon2 is deliberately slow, and
/// inside a write transaction it would hold SQLite's write lock meanwhile (issue 9, point 12).
pub async fn hash_off_thread(secret: String) -> Result<String, ApiError> {
    actix_web::web::block(move || hash(&secret))
        .await
        .map_err(ApiError::internal)?
}

/// False for a wrong secret and for an unreadable stored hash alike.
pub fn verify(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Spends the same time as a real check, so an unknown user name is not revealed by timing.
pub fn verify_dummy(secret: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash(&random_secret(24)).unwrap_or_default());
    let _ = verify(secret, stored);
}

/// A random secret of `len` URL-safe characters (generated passwords, client secrets).
pub fn random_secret(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_secret() -> Result<(), ApiError> {
        let h = hash("correct horse battery")?;
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("x", "not a hash"));
        Ok(())
    }
}
