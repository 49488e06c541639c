//! The gateway: tokens and accounts, reverse proxy to the services, the merged OpenAPI
//! document and Swagger UI.

pub mod api;
pub mod db;
pub mod docs;
pub mod keys;
pub mod passwords;
pub mod proxy;
pub mod throttle;
pub mod tokens;

use std::path::PathBuf;
use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use diesel::prelude::*;
use service_kit::config::{AuthSettings, ConfigError, ServiceSettings, data_dir, parse_or, var_opt, var_or};
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};

pub use docs::ApiDoc;

use crate::api::token::AuthState;
use crate::db::models::NewAccountRow;
use crate::db::schema::accounts;
use crate::keys::SigningKeys;
use crate::proxy::{ProxyConfig, Upstreams};
use crate::throttle::LoginThrottle;
use crate::tokens::TokenIssuer;

pub const NAME: &str = "gateway";

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

pub async fn start(settings: GatewaySettings) -> Result<Gateway, StartError> {
    let keys = load_keys(&settings)?;
    let public_key_pem = keys.public_pem.clone();
    let kit_settings = ServiceSettings {
        bind: settings.bind.clone(),
        database_url: settings.database_url.clone(),
        db_pool_size: settings.db_pool_size,
        workers: settings.workers,
        auth: AuthSettings {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            public_key_pem: public_key_pem.clone(),
        },
        data_dir: settings.data_dir.clone(),
    };
    let kit = Kit::start(NAME, &kit_settings, db::MIGRATIONS)?;
    let bootstrap = bootstrap_admin(&kit, &settings)?;

    let auth = web::Data::new(AuthState {
        issuer: TokenIssuer {
            keys,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_secs: settings.token_ttl_secs,
        },
        throttle: LoginThrottle::default(),
    });
    let proxy = web::Data::new(ProxyConfig {
        upstreams: settings.upstreams.clone(),
        timeout: settings.upstream_timeout,
    });
    let timeout = settings.upstream_timeout;
    let service = serve(kit, &settings.bind, settings.workers, move |cfg| {
        // awc's client is per worker thread (it is not Send).
        let client = awc::Client::builder().timeout(timeout).disable_redirects().finish();
        cfg.app_data(auth.clone())
            .app_data(proxy.clone())
            .app_data(web::Data::new(client))
            .app_data(web::PayloadConfig::default().limit(64 * 1024))
            .configure(api::routes)
            .configure(docs::swagger_ui)
            .route("/api/v1/{service}", web::route().to(proxy::forward))
            .route("/api/v1/{service}/{tail:.*}", web::route().to(proxy::forward));
    })?;
    Ok(Gateway {
        service,
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
