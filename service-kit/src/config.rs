//! Configuration from environment variables, with defaults that work on a fresh machine
//! (data under `./data`). Every variable is listed in the README.

use std::collections::HashMap;
use std::env;
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

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

/// The credentials a service uses to get its own token from the gateway (client-credentials
/// grant). The secret is never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceClient {
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for ServiceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// A socket bound before the service starts (the one-process suite binds every port first, so
/// that each service knows the others' addresses). Clones share it; the server takes it once,
/// so that nothing else keeps the port open after the server stops.
#[derive(Clone)]
pub struct PreBound {
    addr: SocketAddr,
    socket: Arc<Mutex<Option<TcpListener>>>,
}

impl PreBound {
    /// Binds `addr` (port 0 picks a free port).
    pub fn bind(addr: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        Ok(Self {
            addr: listener.local_addr()?,
            socket: Arc::new(Mutex::new(Some(listener))),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port` of the bound socket.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket, for the one server that serves on it; `None` once taken.
    pub fn take(&self) -> Option<TcpListener> {
        self.socket
            .lock()
            .map(|mut s| s.take())
            .unwrap_or_else(|poisoned| poisoned.into_inner().take())
    }
}

impl fmt::Debug for PreBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreBound({})", self.addr)
    }
}

/// Where the gateway listens unless `ALLIANCE_GATEWAY_URL` says otherwise.
pub const DEFAULT_GATEWAY_URL: &str = "http://127.0.0.1:8080";

/// The other services by the name events are addressed to, with the variable naming their base
/// URL and its default.
pub const PEERS: [(&str, &str, &str); 3] = [
    ("members", "ALLIANCE_MEMBERS_URL", "http://127.0.0.1:8081"),
    ("meetings", "ALLIANCE_MEETINGS_URL", "http://127.0.0.1:8082"),
    ("documents", "ALLIANCE_DOCUMENTS_URL", "http://127.0.0.1:8083"),
];

/// What every service needs to start.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// `host:port`; port 0 picks a free one (tests).
    pub bind: String,
    /// A socket bound beforehand; when set, the service serves on it and `bind` is ignored.
    pub listener: Option<PreBound>,
    pub database_url: String,
    pub db_pool_size: u32,
    pub workers: usize,
    pub auth: AuthSettings,
    pub data_dir: PathBuf,
    /// The gateway's base URL, where this service gets its own token.
    pub gateway_url: String,
    /// This service's client credentials at the gateway; without them it cannot call the others
    /// (its outbox keeps the events and reports why they wait).
    pub service_client: Option<ServiceClient>,
    /// Base URLs of the other services by name (`members`, `meetings`, `documents`).
    pub peers: HashMap<String, String>,
}

impl ServiceSettings {
    /// Reads `<PREFIX>_BIND`, `<PREFIX>_DATABASE_URL`, `<PREFIX>_DB_POOL_SIZE`, `<PREFIX>_WORKERS`,
    /// `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`, and the shared `ALLIANCE_*` variables
    /// (`ALLIANCE_GATEWAY_URL`, `ALLIANCE_MEMBERS_URL`, `ALLIANCE_MEETINGS_URL`, `ALLIANCE_DOCUMENTS_URL`).
    pub fn from_env(prefix: &str, default_port: u16, db_file: &str) -> Result<Self, ConfigError> {
        let data_dir = data_dir();
        Ok(Self {
            bind: var_or(&format!("{prefix}_BIND"), format!("127.0.0.1:{default_port}")),
            listener: None,
            database_url: var_or(
                &format!("{prefix}_DATABASE_URL"),
                format!("sqlite://{}", data_dir.join(db_file).display()),
            ),
            db_pool_size: parse_or(&format!("{prefix}_DB_POOL_SIZE"), 8)?,
            workers: parse_or(&format!("{prefix}_WORKERS"), 2)?,
            auth: AuthSettings::from_env(&data_dir)?,
            data_dir,
            gateway_url: var_or("ALLIANCE_GATEWAY_URL", DEFAULT_GATEWAY_URL),
            service_client: service_client_from_env(prefix)?,
            peers: peers_from_env(),
        })
    }

    /// The base URL of the service named `name`, if known.
    pub fn peer_url(&self, name: &str) -> Option<&str> {
        self.peers.get(name).map(String::as_str)
    }
}

/// `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`: both or neither.
pub fn service_client_from_env(prefix: &str) -> Result<Option<ServiceClient>, ConfigError> {
    let id_var = format!("{prefix}_CLIENT_ID");
    let secret_var = format!("{prefix}_CLIENT_SECRET");
    match (var_opt(&id_var), var_opt(&secret_var)) {
        (Some(client_id), Some(client_secret)) => Ok(Some(ServiceClient {
            client_id: client_id.trim().to_owned(),
            client_secret,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::Missing(format!("{id_var} is set but {secret_var} is not"))),
        (None, Some(_)) => Err(ConfigError::Missing(format!("{secret_var} is set but {id_var} is not"))),
    }
}

/// The base URLs of the three services from `ALLIANCE_<NAME>_URL`, with the local defaults.
pub fn peers_from_env() -> HashMap<String, String> {
    PEERS
        .iter()
        .map(|(name, var, default)| ((*name).to_owned(), var_or(var, *default)))
        .collect()
}
