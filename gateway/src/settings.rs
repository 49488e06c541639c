//! The gateway's settings, read once from the environment (`GatewaySettings::from_env`).

use std::path::PathBuf;
use std::time::Duration;

use service_kit::config::{AuthSettings, ConfigError, HttpLimits, data_dir, parse_or, var_opt, var_or};

use crate::proxy::{self, ClientLimits, Upstreams};

/// Where the signing key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// PKCS#8 PEM file, generated on first start if missing; the public half is written beside
    /// it for the services.
    File { private: PathBuf, public: PathBuf },
    /// PEM text (tests, secrets injected by the platform).
    Pem(String),
}

#[derive(Debug, Clone)]
pub struct GatewaySettings {
    pub bind: String,
    pub database_url: String,
    pub db_pool_size: u32,
    pub workers: usize,
    pub data_dir: PathBuf,
    pub issuer: String,
    pub audience: String,
    pub token_ttl_secs: i64,
    pub key: KeySource,
    pub upstreams: Upstreams,
    pub upstream_timeout: Duration,
    pub admin_username: String,
    /// The bootstrap admin's password; generated and printed once when absent.
    pub admin_password: Option<String>,
    /// The suite's own services as API clients, created or updated at every start.
    pub service_clients: Vec<ServiceClientSeed>,
    /// Body deadline, per-client cap on requests at the services, trusted proxies.
    pub limits: ClientLimits,
}

/// An API client the gateway makes sure exists at start: one of the suite's services.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceClientSeed {
    pub client_id: String,
    pub name: String,
    pub secret: String,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for ServiceClientSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceClientSeed")
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl ServiceClientSeed {
    /// One of the suite's services: scope `internal`, and `members:read` for meetings-service,
    /// which reads the rosters it invites.
    pub fn for_service(client_id: &str, secret: &str) -> Self {
        let mut scopes = vec![service_kit::INTERNAL_SCOPE.to_owned()];
        if client_id == "meetings-service" {
            scopes.push("members:read".to_owned());
        }
        Self {
            client_id: client_id.to_owned(),
            name: client_id.to_owned(),
            secret: secret.to_owned(),
            scopes,
        }
    }
}

/// `GATEWAY_SERVICE_CLIENTS`: `id:secret,id:secret` (the secret may contain `:` but not `,`).
pub fn parse_service_clients(value: &str) -> Result<Vec<ServiceClientSeed>, String> {
    let mut seeds: Vec<ServiceClientSeed> = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((id, secret)) = entry.split_once(':') else {
            return Err(format!(
                "entry {:?} is not id:secret",
                entry.split(':').next().unwrap_or_default()
            ));
        };
        let id = id.trim();
        let id_ok =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !id_ok {
            return Err(format!(
                "client id {id:?} must be 1-64 letters, digits, '-', '_' or '.'"
            ));
        }
        if secret.chars().count() < 16 {
            return Err(format!("the secret of {id} is shorter than 16 characters"));
        }
        if seeds.iter().any(|s| s.client_id == id) {
            return Err(format!("client id {id} appears twice"));
        }
        seeds.push(ServiceClientSeed::for_service(id, secret));
    }
    Ok(seeds)
}

impl GatewaySettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let data = data_dir();
        let key = match var_opt("GATEWAY_SIGNING_KEY") {
            Some(pem) => KeySource::Pem(pem),
            None => KeySource::File {
                private: var_opt("GATEWAY_SIGNING_KEY_FILE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| data.join("keys").join("jwt-ed25519.pem")),
                public: var_opt("ALLIANCE_JWT_PUBLIC_KEY_FILE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| AuthSettings::default_public_key_path(&data)),
            },
        };
        Ok(Self {
            bind: var_or("GATEWAY_BIND", "127.0.0.1:8080"),
            database_url: var_or(
                "GATEWAY_DATABASE_URL",
                format!("sqlite://{}", data.join("gateway.db").display()),
            ),
            db_pool_size: parse_or("GATEWAY_DB_POOL_SIZE", 8)?,
            workers: parse_or("GATEWAY_WORKERS", 2)?,
            issuer: var_or("ALLIANCE_JWT_ISSUER", AuthSettings::DEFAULT_ISSUER),
            audience: var_or("ALLIANCE_JWT_AUDIENCE", AuthSettings::DEFAULT_AUDIENCE),
            token_ttl_secs: parse_or("GATEWAY_TOKEN_TTL_SECS", 900)?,
            key,
            upstreams: Upstreams {
                members: var_or("GATEWAY_MEMBERS_URL", "http://127.0.0.1:8081"),
                meetings: var_or("GATEWAY_MEETINGS_URL", "http://127.0.0.1:8082"),
                documents: var_or("GATEWAY_DOCUMENTS_URL", "http://127.0.0.1:8083"),
            },
            upstream_timeout: Duration::from_secs(parse_or("GATEWAY_UPSTREAM_TIMEOUT_SECS", 30)?),
            admin_username: var_or("GATEWAY_ADMIN_USERNAME", "admin"),
            admin_password: var_opt("GATEWAY_ADMIN_PASSWORD"),
            limits: ClientLimits {
                body_timeout: HttpLimits::from_env("GATEWAY")?.body_timeout,
                max_in_flight: parse_or("GATEWAY_MAX_REQUESTS_PER_CLIENT", ClientLimits::default().max_in_flight)?,
                verify_per_minute: parse_or("GATEWAY_VERIFY_PER_MINUTE", ClientLimits::default().verify_per_minute)?,
                trusted_proxies: proxy::parse_trusted_proxies(&var_or("GATEWAY_TRUSTED_PROXIES", "")).map_err(
                    |reason| ConfigError::Invalid {
                        name: "GATEWAY_TRUSTED_PROXIES".into(),
                        value: var_or("GATEWAY_TRUSTED_PROXIES", ""),
                        reason,
                    },
                )?,
            },
            service_clients: match var_opt("GATEWAY_SERVICE_CLIENTS") {
                None => Vec::new(),
                Some(v) => parse_service_clients(&v).map_err(|reason| ConfigError::Invalid {
                    name: "GATEWAY_SERVICE_CLIENTS".into(),
                    value: "<hidden>".into(),
                    reason,
                })?,
            },
            data_dir: data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_clients_parse_from_the_environment_format() {
        let seeds = parse_service_clients(" members-service:0123456789abcdef:x , meetings-service:fedcba9876543210,")
            .unwrap_or_default();
        assert_eq!(seeds.len(), 2);
        assert_eq!(seeds[0].client_id, "members-service");
        assert_eq!(seeds[0].secret, "0123456789abcdef:x");
        assert_eq!(seeds[0].scopes, ["internal"]);
        assert_eq!(seeds[1].scopes, ["internal", "members:read"]);
        assert_eq!(parse_service_clients("").map(|s| s.len()), Ok(0));
        assert!(parse_service_clients("no-secret").is_err());
        assert!(parse_service_clients("a:short").is_err());
        assert!(parse_service_clients("bad id:0123456789abcdef").is_err());
        assert!(parse_service_clients("a:0123456789abcdef,a:0123456789abcdeg").is_err());
    }
}
