//! The gateway: tokens and accounts, reverse proxy to the services, the merged OpenAPI
//! document and Swagger UI.

pub mod api;
pub mod app;
pub mod db;
pub mod docs;
pub mod domain;
pub mod keys;
pub mod passwords;
pub mod proxy;
pub mod settings;
pub mod tokens;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::middleware::from_fn;
use actix_web::web;
use service_kit::config::{AuthSettings, HttpLimits, ServiceSettings};
use service_kit::server::{bind, serve_on};
use service_kit::{Kit, ServiceHandle, StartError};

pub use app::bootstrap::{BOOTSTRAP_FILE, BootstrapAdmin, forget_bootstrap_password, seed_service_clients};
pub use docs::ApiDoc;
pub use keys::load_keys;
pub use settings::{GatewaySettings, KeySource, ServiceClientSeed, parse_service_clients};

use crate::api::revocations::refuse_revoked;
use crate::app::AuthState;
use crate::app::bootstrap::{bootstrap_admin, forget_stale_bootstrap_file};
use crate::domain::throttle::LoginThrottle;
use crate::proxy::{ClientLimiter, ProxyConfig};
use crate::tokens::TokenIssuer;

pub const NAME: &str = "gateway";

/// Pooled upstream connections per gateway worker (requests without a body; those with one
/// use a connection of their own).
const UPSTREAM_CONNECTIONS_PER_WORKER: usize = 512;

pub struct Gateway {
    pub service: ServiceHandle,
    /// Requests in flight at the services per client address (the per-client cap).
    pub clients: std::sync::Arc<ClientLimiter>,
    pub public_key_pem: String,
    pub bootstrap: Option<BootstrapAdmin>,
}

/// Binds `settings.bind` and starts; see [`start_on`].
pub async fn start(settings: GatewaySettings) -> Result<Gateway, StartError> {
    let (listener, _) = bind(&settings.bind)?;
    start_on(settings, listener).await
}

/// The kit's settings for the gateway: its own database, and tokens checked with its own key.
fn kit_settings(settings: &GatewaySettings, public_key_pem: &str) -> ServiceSettings {
    ServiceSettings {
        bind: settings.bind.clone(),
        listener: None,
        database_url: settings.database_url.clone(),
        db_pool_size: settings.db_pool_size,
        workers: settings.workers,
        auth: AuthSettings {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            public_key_pem: public_key_pem.to_owned(),
        },
        data_dir: settings.data_dir.clone(),
        gateway_url: String::new(),
        service_client: None,
        peers: Default::default(),
        http: HttpLimits {
            body_timeout: settings.limits.body_timeout,
            ..HttpLimits::default()
        },
        // The gateway counts no calendar dates: it keeps the zone the services installed (in
        // the one-process suite they share the setting).
        utc_offset_hours: service_kit::clock::offset_hours(),
    }
}

/// The client to the services, one per worker thread (awc's client is not Send).
fn upstream_client(timeout: Duration) -> awc::Client {
    // Pooled connections are dropped before the services' 5 s keep-alive closes them, so no
    // request goes out on a connection being closed; the per-client cap, not this limit, is
    // what keeps one client from taking them all.
    let connector = awc::Connector::new()
        .limit(UPSTREAM_CONNECTIONS_PER_WORKER)
        .conn_keep_alive(Duration::from_secs(3));
    awc::Client::builder()
        .connector(connector)
        .timeout(timeout)
        .disable_redirects()
        .finish()
}

/// The gateway's own routes, the internal revocation list and the forwarded `/api/v1/{service}`.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(api::routes)
        .configure(docs::swagger_ui)
        .route(service_kit::revocation::PATH, web::get().to(api::revocations::list))
        // Public verification (the QR codes' short links, file checks), rate-limited per address;
        // before `/api/v1/{service}/…` so that its long form is limited too.
        .service(web::resource("/v").route(web::post().to(proxy::forward_public)))
        .service(web::resource("/v/{token}").route(web::get().to(proxy::forward_public)))
        .service(web::resource("/api/v1/documents/verify").route(web::post().to(proxy::forward_public)))
        .service(web::resource("/api/v1/documents/verify/{token}").route(web::get().to(proxy::forward_public)))
        // The reply pages of meeting notices (meetings-service), public and rate-limited alike.
        .service(web::resource("/c/{link}").route(web::get().to(proxy::forward_public)))
        .service(
            web::resource("/r/{link}")
                .route(web::get().to(proxy::forward_public))
                .route(web::post().to(proxy::forward_public)),
        )
        // The services' public reads (the issuer profile, its key, the status lists): no token is
        // needed, so a stale one is not refused either; the service ignores credentials there.
        .service(web::resource("/api/v1/{service:documents}/issuer").route(web::get().to(proxy::forward)))
        .service(web::resource("/api/v1/{service:documents}/issuer/jwks").route(web::get().to(proxy::forward)))
        .service(web::resource("/api/v1/{service:documents}/status-lists/{list}").route(web::get().to(proxy::forward)))
        // Revoked tokens stop here at once, before the services' lists catch up.
        .service(
            web::resource("/api/v1/{service}")
                .wrap(from_fn(refuse_revoked))
                .route(web::route().to(proxy::forward)),
        )
        .service(
            web::resource("/api/v1/{service}/{tail:.*}")
                .wrap(from_fn(refuse_revoked))
                .route(web::route().to(proxy::forward)),
        );
}

/// Starts the gateway on a socket bound beforehand (the suite binds it first so that the services
/// know the gateway's URL before it runs).
pub async fn start_on(settings: GatewaySettings, listener: TcpListener) -> Result<Gateway, StartError> {
    let keys = load_keys(&settings)?;
    let public_key_pem = keys.public_pem.clone();
    let kit = Kit::start(NAME, &kit_settings(&settings, &public_key_pem), db::MIGRATIONS)?;
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
        app::revocations::spawn_refresher(kit.db.get_ref().clone(), kit.verifier.revocations().clone());
    let clients = ClientLimiter::new(settings.limits.max_in_flight);
    let proxy = web::Data::new(ProxyConfig {
        upstreams: settings.upstreams.clone(),
        timeout: settings.upstream_timeout,
        limiter: clients.clone(),
        trusted_proxies: settings.limits.trusted_proxies.clone(),
        verify_rate: proxy::RateLimiter::new(settings.limits.verify_per_minute, proxy::VERIFY_BURST),
    });
    let timeout = settings.upstream_timeout;
    let service = serve_on(kit, listener, settings.workers, move |cfg| {
        cfg.app_data(auth.clone())
            .app_data(proxy.clone())
            .app_data(web::Data::new(upstream_client(timeout)))
            .app_data(web::PayloadConfig::default().limit(64 * 1024))
            .configure(routes);
    })?
    .with_task(revocation_refresher);
    Ok(Gateway {
        service,
        clients,
        public_key_pem,
        bootstrap,
    })
}
