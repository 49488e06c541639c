//! Ed25519 signing keys: loaded from a PKCS#8 PEM file, or generated on first start (private
//! key 0600, public key beside it), and published as a JWKS. The gateway signs tokens with one,
//! documents-service its credentials with another.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::EncodingKey;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write key file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the signing key is not an Ed25519 PKCS#8 PEM: {0}")]
    Format(String),
}

/// An Ed25519 signing key (the gateway's for tokens, documents-service's for credentials),
/// and what others need to verify its signatures.
pub struct SigningKeys {
    pub encoding: EncodingKey,
    pub kid: String,
    /// SPKI PEM of the public key, what services are configured with.
    pub public_pem: String,
    public_raw: [u8; 32],
}

impl SigningKeys {
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Format(e.to_string()))?;
        Self::from_signing_key(&key)
    }

    /// A fresh random key (first start, tests).
    pub fn generate() -> Result<Self, KeyError> {
        let secret: [u8; 32] = rand::random();
        Self::from_signing_key(&SigningKey::from_bytes(&secret))
    }

    fn from_signing_key(key: &SigningKey) -> Result<Self, KeyError> {
        let der = key.to_pkcs8_der().map_err(|e| KeyError::Format(e.to_string()))?;
        let verifying = key.verifying_key();
        let public_pem = verifying
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Format(e.to_string()))?;
        let public_raw = verifying.to_bytes();
        Ok(Self {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            // A short stable id derived from the public key, so rotation can be told apart.
            kid: URL_SAFE_NO_PAD.encode(&public_raw[..9]),
            public_pem,
            public_raw,
        })
    }

    /// A fresh random key as PKCS#8 PEM (to be stored, then loaded with [`Self::from_pkcs8_pem`]).
    pub fn generate_pem() -> Result<String, KeyError> {
        let secret: [u8; 32] = rand::random();
        Self::private_pem(&SigningKey::from_bytes(&secret))
    }

    pub fn private_pem(key: &SigningKey) -> Result<String, KeyError> {
        key.to_pkcs8_pem(LineEnding::LF)
            .map(|z| z.to_string())
            .map_err(|e| KeyError::Format(e.to_string()))
    }

    /// Loads `private_path`, or generates a key there (and its public half at `public_path`).
    pub fn load_or_generate(private_path: &Path, public_path: &Path) -> Result<(Self, bool), KeyError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| KeyError::Io { path, source }
        };
        let load = || -> Result<Self, KeyError> {
            let pem = std::fs::read_to_string(private_path).map_err(io(private_path))?;
            let keys = Self::from_pkcs8_pem(&pem)?;
            write_if_changed(public_path, &keys.public_pem).map_err(io(public_path))?;
            Ok(keys)
        };
        if private_path.exists() {
            return Ok((load()?, false));
        }
        let secret: [u8; 32] = rand::random();
        let key = SigningKey::from_bytes(&secret);
        let pem = Self::private_pem(&key)?;
        if let Some(dir) = private_path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        if !create_private(private_path, &pem).map_err(io(private_path))? {
            // Another process (a replica starting at the same moment) made it first: use its key.
            return Ok((load()?, false));
        }
        let keys = Self::from_signing_key(&key)?;
        write_if_changed(public_path, &keys.public_pem).map_err(io(public_path))?;
        Ok((keys, true))
    }

    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: vec![Jwk {
                kty: "OKP",
                crv: "Ed25519",
                alg: "EdDSA",
                use_: "sig",
                kid: self.kid.clone(),
                x: URL_SAFE_NO_PAD.encode(self.public_raw),
            }],
        }
    }
}

fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, content)
}

/// Creates `path` with `content` unless it exists, atomically: the key is written whole to a
/// file of its own, then linked into place, so a reader never sees half a key and of two
/// processes creating it at once exactly one wins (`false`: another had made it).
fn create_private(path: &Path, content: &str) -> std::io::Result<bool> {
    let nonce: u64 = rand::random();
    let tmp = path.with_extension(format!("{}-{nonce:016x}.tmp", std::process::id()));
    write_private(&tmp, content)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// 公钥集（JWKS，RFC 7517），用于验证令牌签名。JSON Web Key Set (RFC 7517) with the public key.
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    /// 公钥列表。The keys.
    pub keys: Vec<Jwk>,
}

/// 一把公钥（JWK）。One public key (JWK).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    /// 密钥类型：`OKP`。The key type: `OKP`.
    pub kty: &'static str,
    /// 曲线：`Ed25519`。The curve: `Ed25519`.
    pub crv: &'static str,
    /// 算法：`EdDSA`。The algorithm: `EdDSA`.
    pub alg: &'static str,
    /// 用途：`sig`（签名）。The use: `sig` (signing).
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// 密钥编号，与令牌头部的 `kid` 对应。The key id, as in the token header's `kid`.
    pub kid: String,
    /// 公钥原文，base64url 编码。The raw public key, base64url.
    pub x: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replicas starting at once on one key file end up with one key, and no temp file is left.
    #[test]
    fn processes_creating_the_key_at_once_share_the_one_that_won() -> Result<(), KeyError> {
        let dir = tempfile::tempdir().map_err(|e| KeyError::Format(e.to_string()))?;
        let private = dir.path().join("keys").join("k.pem");
        let public = dir.path().join("keys").join("k.pub.pem");
        let results: Vec<(String, bool)> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| SigningKeys::load_or_generate(&private, &public).map(|(k, c)| (k.kid, c))))
                .collect();
            starts
                .into_iter()
                .map(|s| {
                    s.join()
                        .unwrap_or_else(|_| Err(KeyError::Format("a start panicked".into())))
                })
                .collect::<Result<_, _>>()
        })?;
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1, "{results:?}");
        assert!(results.windows(2).all(|w| w[0].0 == w[1].0), "{results:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
            .map_err(|e| KeyError::Format(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(left.len(), 2, "only the key and its public half: {left:?}");
        Ok(())
    }

    #[test]
    fn a_generated_key_is_reloaded_identically() -> Result<(), KeyError> {
        let dir = tempfile::tempdir().map_err(|e| KeyError::Format(e.to_string()))?;
        let private = dir.path().join("k.pem");
        let public = dir.path().join("k.pub.pem");
        let (first, created) = SigningKeys::load_or_generate(&private, &public)?;
        assert!(created);
        let (second, created) = SigningKeys::load_or_generate(&private, &public)?;
        assert!(!created);
        assert_eq!(first.public_pem, second.public_pem);
        assert_eq!(first.kid, second.kid);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&private).map(|m| m.permissions().mode() & 0o777).ok();
            assert_eq!(mode, Some(0o600));
        }
        Ok(())
    }
}
