//! The gateway: tokens and accounts, reverse proxy to the services, the merged OpenAPI
//! document and Swagger UI.

pub mod api;
pub mod db;
pub mod docs;
pub mod keys;
pub mod passwords;
pub mod proxy;
pub mod revocations;
pub mod throttle;
pub mod tokens;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use actix_web::middleware::from_fn;
use actix_web::web;
use chrono::Utc;
use diesel::prelude::*;
use service_kit::config::{
    AuthSettings, ConfigError, HttpLimits, ServiceSettings, data_dir, parse_or, var_opt, var_or,
};
use service_kit::server::{bind, serve_on};
use service_kit::{DbConn, Kit, ServiceHandle, StartError};

pub use docs::ApiDoc;

use crate::api::token::AuthState;
use crate::db::models::{ClientChanges, ClientRow, NewAccountRow, NewClientRow};
use crate::db::schema::{accounts, api_clients};
use crate::keys::SigningKeys;
use crate::proxy::{ClientLimiter, ClientLimits, ProxyConfig, Upstreams};
use crate::throttle::LoginThrottle;
use crate::tokens::TokenIssuer;

pub const NAME: &str = "gateway";

/// Pooled upstream connections per gateway worker (requests without a body; those with one
/// use a connection of their own).
const UPSTREAM_CONNECTIONS_PER_WORKER: usize = 512;

/// The file in the data folder where the one-process suite keeps the generated bootstrap
/// password. The gateway removes it once it no longer opens the account (password changed), so
/// it never shows a stale password.
pub const BOOTSTRAP_FILE: &str = "bootstrap-admin.txt";

/// Removes `file` if it holds the password of `username` (called after that password changed).
pub fn forget_bootstrap_password(file: &std::path::Path, username: &str) {
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    if text.split_whitespace().next() == Some(username) {
        match std::fs::remove_file(file) {
            Ok(()) => tracing::info!(path = %file.display(), "the bootstrap password was changed; removed its file"),
            Err(e) => {
                tracing::warn!(path = %file.display(), error = %e, "cannot remove the stale bootstrap password file")
            }
        }
    }
}

/// At start: removes the bootstrap file when its password no longer opens its account (changed
/// before this check existed, or through another replica).
fn forget_stale_bootstrap_file(kit: &Kit, file: &std::path::Path) -> Result<(), StartError> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Ok(());
    };
    let mut words = text.split_whitespace();
    let (Some(user), Some(password)) = (words.next(), words.next()) else {
        return Ok(());
    };
    let mut conn = kit.db.get().map_err(|e| StartError::Other(e.to_string()))?;
    let hash: Option<String> = accounts::table
        .filter(accounts::username.eq(user))
        .select(accounts::password_hash)
        .first(&mut *conn)
        .optional()
        .map_err(|e| StartError::Other(format!("cannot read accounts: {e}")))?;
    if !hash.is_some_and(|h| passwords::verify(password, &h)) {
        forget_bootstrap_password(file, user);
    }
    Ok(())
}

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

/// The first admin, created when the account table is empty.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub username: String,
    /// Set only when the password was generated (it is shown this once).
    pub generated_password: Option<String>,
}

pub struct Gateway {
    pub service: ServiceHandle,
    /// Requests in flight at the services per client address (the per-client cap).
    pub clients: std::sync::Arc<ClientLimiter>,
    pub public_key_pem: String,
    pub bootstrap: Option<BootstrapAdmin>,
}

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

/// Binds `settings.bind` and starts; see [`start_on`].
pub async fn start(settings: GatewaySettings) -> Result<Gateway, StartError> {
    let (listener, _) = bind(&settings.bind)?;
    start_on(settings, listener).await
}

/// Starts the gateway on a socket bound beforehand (the suite binds it first so that the services
/// know the gateway's URL before it runs).
pub async fn start_on(settings: GatewaySettings, listener: TcpListener) -> Result<Gateway, StartError> {
    let keys = load_keys(&settings)?;
    let public_key_pem = keys.public_pem.clone();
    let kit_settings = ServiceSettings {
        bind: settings.bind.clone(),
        listener: None,
        database_url: settings.database_url.clone(),
        db_pool_size: settings.db_pool_size,
        workers: settings.workers,
        auth: AuthSettings {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            public_key_pem: public_key_pem.clone(),
        },
        data_dir: settings.data_dir.clone(),
        gateway_url: String::new(),
        service_client: None,
        peers: Default::default(),
        http: HttpLimits {
            body_timeout: settings.limits.body_timeout,
            ..HttpLimits::default()
        },
    };
    let kit = Kit::start(NAME, &kit_settings, db::MIGRATIONS)?;
    let bootstrap = bootstrap_admin(&kit, &settings)?;
    let bootstrap_file = settings.data_dir.join(BOOTSTRAP_FILE);
    forget_stale_bootstrap_file(&kit, &bootstrap_file)?;
    {
        let mut conn = kit.db.get().map_err(|e| StartError::Other(e.to_string()))?;
        seed_service_clients(&mut conn, &settings.service_clients).map_err(StartError::Other)?;
    }

    let auth = web::Data::new(AuthState {
        issuer: TokenIssuer {
            keys,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_secs: settings.token_ttl_secs,
        },
        throttle: LoginThrottle::default(),
        bootstrap_file,
    });
    let revocation_refresher =
        revocations::spawn_refresher(kit.db.get_ref().clone(), kit.verifier.revocations().clone());
    let clients = ClientLimiter::new(settings.limits.max_in_flight);
    let proxy = web::Data::new(ProxyConfig {
        upstreams: settings.upstreams.clone(),
        timeout: settings.upstream_timeout,
        limiter: clients.clone(),
        trusted_proxies: settings.limits.trusted_proxies.clone(),
    });
    let timeout = settings.upstream_timeout;
    let service = serve_on(kit, listener, settings.workers, move |cfg| {
        // awc's client is per worker thread (it is not Send).
        // Pooled connections are dropped before the services' 5 s keep-alive closes them, so
        // no request goes out on a connection being closed; the per-client cap, not this
        // limit, is what keeps one client from taking them all.
        let connector = awc::Connector::new()
            .limit(UPSTREAM_CONNECTIONS_PER_WORKER)
            .conn_keep_alive(Duration::from_secs(3));
        let client = awc::Client::builder()
            .connector(connector)
            .timeout(timeout)
            .disable_redirects()
            .finish();
        cfg.app_data(auth.clone())
            .app_data(proxy.clone())
            .app_data(web::Data::new(client))
            .app_data(web::PayloadConfig::default().limit(64 * 1024))
            .configure(api::routes)
            .configure(docs::swagger_ui)
            .route(service_kit::revocation::PATH, web::get().to(revocations::list))
            // Revoked tokens stop here at once, before the services' lists catch up.
            .service(
                web::resource("/api/v1/{service}")
                    .wrap(from_fn(revocations::refuse_revoked))
                    .route(web::route().to(proxy::forward)),
            )
            .service(
                web::resource("/api/v1/{service}/{tail:.*}")
                    .wrap(from_fn(revocations::refuse_revoked))
                    .route(web::route().to(proxy::forward)),
            );
    })?
    .with_task(revocation_refresher);
    Ok(Gateway {
        service,
        clients,
        public_key_pem,
        bootstrap,
    })
}

fn bootstrap_admin(kit: &Kit, settings: &GatewaySettings) -> Result<Option<BootstrapAdmin>, StartError> {
    let mut conn = kit.db.get().map_err(|e| StartError::Other(e.to_string()))?;
    let count: i64 = accounts::table
        .count()
        .get_result(&mut *conn)
        .map_err(|e| StartError::Other(format!("cannot read accounts: {e}")))?;
    if count > 0 {
        return Ok(None);
    }
    let generated = settings.admin_password.is_none().then(|| passwords::random_secret(20));
    let password = settings
        .admin_password
        .clone()
        .or(generated.clone())
        .unwrap_or_default();
    let hash = passwords::hash(&password).map_err(|e| StartError::Other(e.to_string()))?;
    let now = Utc::now().naive_utc();
    let inserted = diesel::insert_into(accounts::table)
        .values(&NewAccountRow {
            username: settings.admin_username.clone(),
            display_name: "联盟秘书处管理员".into(),
            password_hash: hash,
            role: "admin".into(),
            scope: None,
            disabled: false,
            created_at: now,
            updated_at: now,
        })
        .execute(&mut *conn);
    match inserted {
        Ok(_) => Ok(Some(BootstrapAdmin {
            username: settings.admin_username.clone(),
            generated_password: generated,
        })),
        // Another replica created it first.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(e) => Err(StartError::Other(format!("cannot create the bootstrap admin: {e}"))),
    }
}

/// Creates each seeded client, or brings an existing one up to date (secret and scopes). An
/// admin's decision to disable one is kept.
pub fn seed_service_clients(conn: &mut DbConn, seeds: &[ServiceClientSeed]) -> Result<(), String> {
    for seed in seeds {
        let existing = api_clients::table
            .filter(api_clients::client_id.eq(&seed.client_id))
            .select(ClientRow::as_select())
            .first(conn)
            .optional()
            .map_err(|e| format!("cannot read API clients: {e}"))?;
        let scopes = seed.scopes.join(" ");
        let now = Utc::now().naive_utc();
        match existing {
            None => {
                let hash = passwords::hash(&seed.secret).map_err(|e| e.to_string())?;
                let inserted = diesel::insert_into(api_clients::table)
                    .values(&NewClientRow {
                        client_id: seed.client_id.clone(),
                        name: seed.name.clone(),
                        secret_hash: hash,
                        scopes,
                        disabled: false,
                        created_at: now,
                        updated_at: now,
                    })
                    .execute(conn);
                match inserted {
                    Ok(_) => tracing::info!(client_id = %seed.client_id, "created the service client"),
                    // Another replica created it at the same moment; the next start updates it.
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    )) => {}
                    Err(e) => return Err(format!("cannot create the service client {}: {e}", seed.client_id)),
                }
            }
            Some(row) => {
                let secret_changed = !passwords::verify(&seed.secret, &row.secret_hash);
                if !secret_changed && row.scopes == scopes {
                    continue;
                }
                let secret_hash = if secret_changed {
                    Some(passwords::hash(&seed.secret).map_err(|e| e.to_string())?)
                } else {
                    None
                };
                diesel::update(api_clients::table.find(row.id))
                    .set(&ClientChanges {
                        name: None,
                        secret_hash,
                        scopes: Some(scopes),
                        disabled: None,
                        updated_at: Some(now),
                    })
                    .execute(conn)
                    .map_err(|e| format!("cannot update the service client {}: {e}", seed.client_id))?;
                // As for any client: a new secret or new scopes end the tokens issued before.
                revocations::bump_client(conn, row.id)
                    .map_err(|e| format!("cannot update the service client {}: {e}", seed.client_id))?;
                tracing::info!(client_id = %seed.client_id, secret_changed, "updated the service client");
            }
        }
    }
    Ok(())
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

    #[test]
    fn seeding_creates_then_updates_secret_and_scopes() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let url = format!("sqlite://{}", dir.path().join("gw.db").display());
        let db = service_kit::Db::connect(&url, 2).map_err(|e| e.to_string())?;
        db.migrate(db::MIGRATIONS).map_err(|e| e.to_string())?;
        let mut conn = db.get().map_err(|e| e.to_string())?;
        let load = |conn: &mut DbConn| {
            api_clients::table
                .filter(api_clients::client_id.eq("members-service"))
                .select(ClientRow::as_select())
                .first(conn)
                .map_err(|e| e.to_string())
        };

        seed_service_clients(
            &mut conn,
            &[ServiceClientSeed::for_service("members-service", "first-secret-0123")],
        )?;
        let row = load(&mut conn)?;
        assert!(passwords::verify("first-secret-0123", &row.secret_hash));
        assert_eq!(row.scopes, "internal");

        // Unchanged: nothing is rewritten.
        seed_service_clients(
            &mut conn,
            &[ServiceClientSeed::for_service("members-service", "first-secret-0123")],
        )?;
        assert_eq!(load(&mut conn)?.secret_hash, row.secret_hash);

        let mut seed = ServiceClientSeed::for_service("members-service", "second-secret-456");
        seed.scopes.push("documents:read".into());
        seed_service_clients(&mut conn, &[seed])?;
        let row = load(&mut conn)?;
        assert!(passwords::verify("second-secret-456", &row.secret_hash));
        assert!(!passwords::verify("first-secret-0123", &row.secret_hash));
        assert_eq!(row.scopes, "internal documents:read");
        let count: i64 = api_clients::table
            .count()
            .get_result(&mut *conn)
            .map_err(|e| e.to_string())?;
        assert_eq!(count, 1);
        Ok(())
    }
}
