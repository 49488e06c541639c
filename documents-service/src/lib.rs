//! documents-service: Chinese PDF certificates and notices (typst), public verification, e-mail.

pub mod api;
pub mod app;
pub mod db;
pub mod domain;
pub mod mail;
pub mod render;

// The orchestration moved into `app/` (issue 10); these names stay until `start` uses `app::…`.
pub use app::inbox as inbox_processing;
pub use app::{batches, delivery, issuing};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use mail::MailSettings;
use service_kit::config::{ConfigError, ServiceSettings, parse_or, var_opt, var_or};
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

use crate::api::batches::NewBatchConditions;

pub const NAME: &str = "documents-service";
pub const DEFAULT_PORT: u16 = 8083;

#[derive(OpenApi)]
#[openapi(
    paths(api::documents::list, api::batches::create, api::batches::get, api::batches::list, api::rosters::create, api::deliveries::list, api::deliveries::retry, api::deliveries::failed_events, api::deliveries::replay_event, api::documents::get, api::documents::pdf, api::documents::deliveries_of, api::documents::verify, api::previews::preview),
    modifiers(&NewBatchConditions),
    tags((name = "documents", description = "Certificates and notices, verification, delivery (documents-service)"))
)]
pub struct ApiDoc;

/// `DOCUMENTS_*` and `ALLIANCE_*` variables (see the README).
pub fn settings_from_env() -> Result<ServiceSettings, ConfigError> {
    ServiceSettings::from_env("DOCUMENTS", DEFAULT_PORT, "documents.db")
}

/// What documents-service needs beyond the kit's settings.
#[derive(Debug, Clone)]
pub struct DocumentsConfig {
    pub mail: MailSettings,
    /// Base of the public verification URL printed on documents (the gateway's public address).
    pub public_url: String,
    /// The issuing body's seal (PNG); none ships with the project.
    pub seal_file: Option<PathBuf>,
}

impl DocumentsConfig {
    /// Mail into `data_dir/mail` as files, verification URLs on the local gateway.
    pub fn local(data_dir: &Path, public_url: &str) -> Self {
        Self {
            mail: MailSettings {
                smtp_url: None,
                from: "机械行业技工院校高水平专业建设联盟秘书处 <secretariat@jglm.invalid>".into(),
                mail_dir: data_dir.join("mail"),
                max_attempts: 0,
                retry: delivery::DEFAULT_RETRY,
                secretariat: None,
            },
            public_url: public_url.to_owned(),
            seal_file: None,
        }
    }

    /// `DOCUMENTS_SMTP_URL`, `DOCUMENTS_MAIL_FROM`, `DOCUMENTS_MAIL_MAX_ATTEMPTS`,
    /// `DOCUMENTS_MAIL_RETRY_BASE_SECS`, `DOCUMENTS_MAIL_RETRY_CAP_SECS`,
    /// `DOCUMENTS_MAIL_GIVE_UP_AFTER_SECS`,
    /// `DOCUMENTS_PUBLIC_URL` (default `ALLIANCE_GATEWAY_URL`), `DOCUMENTS_SEAL_FILE`.
    pub fn from_env(settings: &ServiceSettings) -> Result<Self, ConfigError> {
        let mut c = Self::local(
            &settings.data_dir,
            &var_or("DOCUMENTS_PUBLIC_URL", settings.gateway_url.clone()),
        );
        c.mail.smtp_url = var_opt("DOCUMENTS_SMTP_URL");
        if let Some(from) = var_opt("DOCUMENTS_MAIL_FROM") {
            c.mail.from = from;
        }
        c.mail.max_attempts = parse_or("DOCUMENTS_MAIL_MAX_ATTEMPTS", 0)?;
        let secs = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(parse_or(name, default.as_secs())?))
        };
        c.mail.retry.base = secs("DOCUMENTS_MAIL_RETRY_BASE_SECS", c.mail.retry.base)?;
        c.mail.retry.cap = secs("DOCUMENTS_MAIL_RETRY_CAP_SECS", c.mail.retry.cap)?;
        let give_up = secs(
            "DOCUMENTS_MAIL_GIVE_UP_AFTER_SECS",
            c.mail.retry.give_up_after.unwrap_or(Duration::ZERO),
        )?;
        c.mail.retry.give_up_after = (!give_up.is_zero()).then_some(give_up);
        c.mail.secretariat = var_opt("DOCUMENTS_SECRETARIAT_EMAIL");
        c.seal_file = var_opt("DOCUMENTS_SEAL_FILE").map(PathBuf::from);
        Ok(c)
    }
}

/// Connects, migrates, loads fonts and templates, starts the inbox and mail workers and the
/// HTTP server; the one way to start this service.
pub async fn start(settings: ServiceSettings, config: DocumentsConfig) -> Result<ServiceHandle, StartError> {
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    let renderer = render::Renderer::with_seal_file(config.seal_file.as_deref())
        .map_err(|e| StartError::Other(format!("cannot load fonts or templates: {e}")))?;
    let renderer: Arc<dyn issuing::DocumentRenderer> = Arc::new(renderer);
    let mailer = Arc::new(mail::Mailer::new(&config.mail).map_err(StartError::Other)?);
    let processor = Arc::new(inbox_processing::Processor {
        renderer: renderer.clone(),
        public_base_url: config.public_url.clone(),
        today: service_kit::clock::today,
    });
    let db = kit.db.get_ref().clone();
    let inbox = inbox_processing::spawn_worker(db.clone(), processor, kit.holder.clone(), Duration::from_millis(300));
    let batch_waker = batches::BatchWaker::default();
    let runner = Arc::new(batches::BatchRunner {
        db: db.clone(),
        renderer: renderer.clone(),
        public_base_url: config.public_url.clone(),
        today: service_kit::clock::today,
        threads: std::thread::available_parallelism().map_or(2, usize::from),
        holder: kit.holder.clone(),
        lease: service_kit::queue::DEFAULT_LEASE,
    });
    let batch_worker = batches::spawn_worker(runner, batch_waker.clone(), Duration::from_secs(2));
    let peers = web::Data::new(service_kit::peer::Peers::from_settings(&settings));
    let batch_waker = web::Data::new(batch_waker);
    let public_url = web::Data::new(api::rosters::PublicUrl(config.public_url.clone()));
    let sender = delivery::spawn_worker(
        delivery::DeliveryWorker {
            db,
            mailer,
            base_url: config.public_url.clone(),
            schedule: delivery::Schedule {
                max_attempts: config.mail.max_attempts,
                retry: config.mail.retry,
            },
            holder: kit.holder.clone(),
            lease: service_kit::queue::DEFAULT_LEASE,
            metrics: Some(delivery::DeliveryMetrics::register(kit.metrics.registry())?),
        },
        Duration::from_millis(300),
    );
    let shared = web::Data::new(renderer);
    let handle = serve(kit, &settings.bind, settings.workers, move |cfg| {
        cfg.app_data(shared.clone())
            .app_data(peers.clone())
            .app_data(batch_waker.clone())
            .app_data(public_url.clone());
        api::routes(cfg);
    })?;
    Ok(handle.with_task(inbox).with_task(sender).with_task(batch_worker))
}
