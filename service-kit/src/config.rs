//! Configuration from environment variables, with defaults that work on a fresh machine
//! (data under `./data`). Every variable is listed in the README.

use std::collections::HashMap;
use std::env;
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

thread_local! {
    /// The variables the readers on this thread see instead of the process environment, while
    /// [`with_vars`] runs.
    static VARS: std::cell::RefCell<Option<HashMap<String, String>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with every reader of this module (on this thread) seeing `vars` as the whole
/// environment. Tests read settings from a given map this way, so they never mutate the process
/// environment that tests running in parallel share.
pub fn with_vars<R>(vars: HashMap<String, String>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<HashMap<String, String>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            VARS.with(|v| *v.borrow_mut() = previous);
        }
    }
    let _restore = Restore(VARS.with(|v| v.borrow_mut().replace(vars)));
    f()
}

/// One variable, from the map of [`with_vars`] when one is active, else the process.
fn lookup(name: &str) -> Option<String> {
    VARS.with(|v| match &*v.borrow() {
        Some(vars) => vars.get(name).cloned(),
        None => env::var(name).ok(),
    })
}

/// Reads `name`, or returns `default` when unset or empty.
pub fn var_or(name: &str, default: impl Into<String>) -> String {
    match lookup(name) {
        Some(v) if !v.trim().is_empty() => v,
        _ => default.into(),
    }
}

pub fn var_opt(name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
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
        let listener = crate::server::listen(addr)?;
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

/// How long an HTTP server waits for its clients; the same for every service and the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// A request's head must be complete this long after the connection opens or the previous
    /// request ended (actix's `client_request_timeout`); else 408 and the connection closes.
    pub head_timeout: Duration,
    /// A request body must keep arriving: this long without a byte while the handler waits for
    /// it is 408 `request_timeout` (`<PREFIX>_BODY_TIMEOUT_SECS`).
    pub body_timeout: Duration,
    /// Idle keep-alive connections close after this long.
    pub keep_alive: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            head_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            keep_alive: Duration::from_secs(5),
        }
    }
}

impl HttpLimits {
    /// `<PREFIX>_BODY_TIMEOUT_SECS` (default 10, at least 1).
    pub fn from_env(prefix: &str) -> Result<Self, ConfigError> {
        let name = format!("{prefix}_BODY_TIMEOUT_SECS");
        let secs: u64 = parse_or(&name, 10)?;
        if secs == 0 {
            return Err(ConfigError::Invalid {
                name,
                value: "0".into(),
                reason: "must be at least 1 second".into(),
            });
        }
        Ok(Self {
            body_timeout: Duration::from_secs(secs),
            ..Self::default()
        })
    }
}

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
    /// Timeouts of the HTTP server.
    pub http: HttpLimits,
    /// The alliance's offset from UTC in hours (`ALLIANCE_UTC_OFFSET_HOURS`, default 8: China
    /// Standard Time), for the calendar dates the charter counts; see [`crate::clock`].
    pub utc_offset_hours: i64,
}

impl ServiceSettings {
    /// Reads `<PREFIX>_BIND`, `<PREFIX>_DATABASE_URL`, `<PREFIX>_DB_POOL_SIZE`, `<PREFIX>_WORKERS`,
    /// `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`, and the shared `ALLIANCE_*` variables
    /// (`ALLIANCE_GATEWAY_URL`, `ALLIANCE_MEMBERS_URL`, `ALLIANCE_MEETINGS_URL`, `ALLIANCE_DOCUMENTS_URL`).
    pub fn from_env(prefix: &str, default_port: u16, db_file: &str) -> Result<Self, ConfigError> {
        let mut settings = Self::from_env_without_key(prefix, default_port, db_file)?;
        settings.auth = AuthSettings::from_env(&settings.data_dir)?;
        Ok(settings)
    }

    /// Like [`ServiceSettings::from_env`], without reading the gateway's public key: for the
    /// one-process suite, whose gateway hands its key to the services at start. `auth` carries
    /// the issuer and audience from the environment and an empty key.
    pub fn from_env_without_key(prefix: &str, default_port: u16, db_file: &str) -> Result<Self, ConfigError> {
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
            auth: AuthSettings {
                issuer: var_or("ALLIANCE_JWT_ISSUER", AuthSettings::DEFAULT_ISSUER),
                audience: var_or("ALLIANCE_JWT_AUDIENCE", AuthSettings::DEFAULT_AUDIENCE),
                public_key_pem: String::new(),
            },
            data_dir,
            gateway_url: var_or("ALLIANCE_GATEWAY_URL", DEFAULT_GATEWAY_URL),
            service_client: service_client_from_env(prefix)?,
            peers: peers_from_env(),
            http: HttpLimits::from_env(prefix)?,
            utc_offset_hours: utc_offset_hours_from_env()?,
        })
    }

    /// The base URL of the service named `name`, if known.
    pub fn peer_url(&self, name: &str) -> Option<&str> {
        self.peers.get(name).map(String::as_str)
    }
}

/// `ALLIANCE_UTC_OFFSET_HOURS`: whole hours from -12 to 14 (default 8).
pub fn utc_offset_hours_from_env() -> Result<i64, ConfigError> {
    let hours: i64 = parse_or("ALLIANCE_UTC_OFFSET_HOURS", crate::clock::DEFAULT_OFFSET_HOURS)?;
    if (-12..=14).contains(&hours) {
        Ok(hours)
    } else {
        Err(ConfigError::Invalid {
            name: "ALLIANCE_UTC_OFFSET_HOURS".into(),
            value: hours.to_string(),
            reason: "must be whole hours from -12 to 14".into(),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn readers_see_only_the_given_map_while_it_is_active() {
        // PATH is set in every process environment; inside the map it is not.
        assert!(var_opt("PATH").is_some());
        let seen = with_vars(vars(&[("X_BODY_TIMEOUT_SECS", "3")]), || {
            (var_opt("PATH"), HttpLimits::from_env("X").map(|l| l.body_timeout).ok())
        });
        assert_eq!(seen, (None, Some(Duration::from_secs(3))));
        assert!(var_opt("PATH").is_some(), "the process environment is back afterwards");
    }

    #[test]
    fn service_settings_come_from_the_map_without_a_key() -> Result<(), ConfigError> {
        let s = with_vars(
            vars(&[
                ("ALLIANCE_DATA_DIR", "/srv/jglm"),
                ("MEMBERS_DATABASE_URL", "postgres://db/members"),
                ("MEMBERS_WORKERS", "4"),
                ("MEMBERS_CLIENT_ID", "members-service"),
                ("MEMBERS_CLIENT_SECRET", "0123456789abcdef"),
            ]),
            || ServiceSettings::from_env_without_key("MEMBERS", 8081, "members.db"),
        )?;
        assert_eq!(s.database_url, "postgres://db/members");
        assert_eq!(s.bind, "127.0.0.1:8081");
        assert_eq!(s.workers, 4);
        assert_eq!(s.data_dir, PathBuf::from("/srv/jglm"));
        assert_eq!(s.http, HttpLimits::default());
        assert_eq!(
            s.service_client.map(|c| c.client_id).as_deref(),
            Some("members-service")
        );
        assert!(s.auth.public_key_pem.is_empty());
        let zero = with_vars(vars(&[("MEMBERS_BODY_TIMEOUT_SECS", "0")]), || {
            HttpLimits::from_env("MEMBERS")
        });
        assert!(zero.is_err(), "a zero body timeout would refuse every body");
        Ok(())
    }
}
