//! Configuration from environment variables, with defaults that work on a fresh machine
//! (data under `./data`). Every variable is listed in the README.

use std::env;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} has an invalid value {value:?}: {reason}")]
    Invalid {
        name: String,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Missing(String),
}

/// Reads `name`, or returns `default` when unset or empty.
pub fn var_or(name: &str, default: impl Into<String>) -> String {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => default.into(),
    }
}

pub fn var_opt(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Reads and parses `name`, or returns `default` when unset.
pub fn parse_or<T>(name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match var_opt(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
            name: name.to_owned(),
            value: v,
            reason: e.to_string(),
        }),
    }
}

/// The data folder shared by the defaults of every service (`ALLIANCE_DATA_DIR`, default `./data`).
pub fn data_dir() -> PathBuf {
    PathBuf::from(var_or("ALLIANCE_DATA_DIR", "./data"))
}

/// How services check tokens: they trust only the gateway's public key.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub issuer: String,
    pub audience: String,
    /// The gateway's Ed25519 public key, SPKI PEM.
    pub public_key_pem: String,
}

impl AuthSettings {
    pub const DEFAULT_ISSUER: &'static str = "jglm-gateway";
    pub const DEFAULT_AUDIENCE: &'static str = "jglm-api";

    pub fn default_public_key_path(data_dir: &Path) -> PathBuf {
        data_dir.join("keys").join("jwt-ed25519.pub.pem")
    }

    /// `ALLIANCE_JWT_ISSUER`, `ALLIANCE_JWT_AUDIENCE`, and the key from
    /// `ALLIANCE_JWT_PUBLIC_KEY` (PEM text) or `ALLIANCE_JWT_PUBLIC_KEY_FILE`.
    pub fn from_env(data_dir: &Path) -> Result<Self, ConfigError> {
        let public_key_pem = match var_opt("ALLIANCE_JWT_PUBLIC_KEY") {
            Some(pem) => pem,
            None => {
                let path = var_opt("ALLIANCE_JWT_PUBLIC_KEY_FILE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| Self::default_public_key_path(data_dir));
                std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::Missing(format!(
                        "cannot read the gateway's public key at {} ({e}); start the gateway once to generate it, \
                         or set ALLIANCE_JWT_PUBLIC_KEY_FILE",
                        path.display()
                    ))
                })?
            }
        };
        Ok(Self {
            issuer: var_or("ALLIANCE_JWT_ISSUER", Self::DEFAULT_ISSUER),
            audience: var_or("ALLIANCE_JWT_AUDIENCE", Self::DEFAULT_AUDIENCE),
            public_key_pem,
        })
    }
}

/// What every service needs to start.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// `host:port`; port 0 picks a free one (tests).
    pub bind: String,
    pub database_url: String,
    pub db_pool_size: u32,
    pub workers: usize,
    pub auth: AuthSettings,
    pub data_dir: PathBuf,
}

impl ServiceSettings {
    /// Reads `<PREFIX>_BIND`, `<PREFIX>_DATABASE_URL`, `<PREFIX>_DB_POOL_SIZE`, `<PREFIX>_WORKERS`
    /// and the shared `ALLIANCE_*` variables.
    pub fn from_env(prefix: &str, default_port: u16, db_file: &str) -> Result<Self, ConfigError> {
        let data_dir = data_dir();
        Ok(Self {
            bind: var_or(&format!("{prefix}_BIND"), format!("127.0.0.1:{default_port}")),
            database_url: var_or(
                &format!("{prefix}_DATABASE_URL"),
                format!("sqlite://{}", data_dir.join(db_file).display()),
            ),
            db_pool_size: parse_or(&format!("{prefix}_DB_POOL_SIZE"), 8)?,
            workers: parse_or(&format!("{prefix}_WORKERS"), 2)?,
            auth: AuthSettings::from_env(&data_dir)?,
            data_dir,
        })
    }
}
