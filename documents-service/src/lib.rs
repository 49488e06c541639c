//! documents-service: Chinese PDF certificates and notices (typst), public verification, e-mail.

pub mod api;
pub mod app;
pub mod db;
pub mod domain;
pub mod mail;
pub mod render;

pub mod settings;

pub use settings::{DocumentsConfig, Settings};

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

use crate::api::batches::NewBatchConditions;

pub const NAME: &str = "documents-service";
pub const DEFAULT_PORT: u16 = 8083;

#[derive(OpenApi)]
#[openapi(
    paths(api::documents::list, api::batches::create, api::batches::get, api::batches::list, api::rosters::create, api::sign_in_sheets::create, api::deliveries::list, api::deliveries::retry, api::deliveries::failed_events, api::deliveries::replay_event, api::documents::get, api::documents::pdf, api::documents::deliveries_of, api::verification::verify, api::verification::verify_short, api::verification::check, api::verification::check_short, api::previews::preview, api::credentials::credential, api::credentials::issuer, api::credentials::jwks, api::credentials::status_list),
    modifiers(&NewBatchConditions),
    tags((name = "documents", description = "文件：聘书、荣誉证书、解聘通知书、会议通知、成员名册、签到表的签发，公开核验与邮件投递 · Certificates and notices, verification, delivery (documents-service)"))
)]
pub struct ApiDoc;

/// Connects, migrates, loads fonts and templates, starts the inbox and mail workers and the
/// HTTP server; the one way to start this service.
pub async fn start(settings: Settings) -> Result<ServiceHandle, StartError> {
    let Settings {
        service: settings,
        config,
    } = settings;
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    let renderer = render::Renderer::with_seal_file(config.seal_file.as_deref())
        .map_err(|e| StartError::Other(format!("cannot load fonts or templates: {e}")))?;
    let renderer: Arc<dyn app::issuing::DocumentRenderer> = Arc::new(renderer);
    let credentials = Arc::new(credential_issuer(&kit, &config)?);
    let press = app::issuing::Press {
        renderer: renderer.clone(),
        public_base_url: config.public_url.clone(),
        tally: app::issuing::RenderTally::register(kit.metrics.registry())?,
        credentials: credentials.clone(),
    };
    let mailer = Arc::new(mail::Mailer::new(&config.mail).map_err(StartError::Other)?);
    let mail_wake = service_kit::queue::Wake::default();
    let processor = Arc::new(app::inbox::Processor {
        press: press.clone(),
        today: service_kit::clock::today,
        mail: mail_wake.clone(),
    });
    let db = kit.db.get_ref().clone();
    let inbox_wake = app::inbox::InboxWake::default();
    let inbox = app::inbox::spawn_worker(
        db.clone(),
        processor,
        kit.holder.clone(),
        Duration::from_millis(300),
        inbox_wake.clone(),
    );
    let batch_waker = app::batches::BatchWaker::default();
    let runner = Arc::new(app::batches::BatchRunner {
        db: db.clone(),
        press: press.clone(),
        today: service_kit::clock::today,
        holder: kit.holder.clone(),
        lease: service_kit::queue::DEFAULT_LEASE,
        mail: mail_wake.clone(),
        waker: batch_waker.clone(),
    });
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let batch_worker = app::batches::spawn_workers(runner, Duration::from_secs(2), cores + 1);
    let peers = web::Data::new(service_kit::peer::Peers::from_settings(&settings));
    let batch_waker = web::Data::new(batch_waker);
    let press = web::Data::new(press);
    let sender = app::delivery::spawn_worker(
        app::delivery::DeliveryWorker {
            db,
            mailer,
            base_url: config.public_url.clone(),
            schedule: app::delivery::Schedule {
                max_attempts: config.mail.max_attempts,
                retry: config.mail.retry,
            },
            holder: kit.holder.clone(),
            lease: service_kit::queue::DEFAULT_LEASE,
            metrics: Some(app::delivery::DeliveryMetrics::register(kit.metrics.registry())?),
        },
        Duration::from_millis(300),
        mail_wake,
    );
    let shared = web::Data::new(renderer);
    let inbox_wake = web::Data::new(inbox_wake);
    let handle = serve(kit, &settings.bind, settings.workers, move |cfg| {
        cfg.app_data(shared.clone())
            .app_data(peers.clone())
            .app_data(batch_waker.clone())
            .app_data(inbox_wake.clone())
            .app_data(press.clone());
        api::routes(cfg);
    })?;
    Ok(handle.with_task(inbox).with_task(sender).with_task(batch_worker))
}

/// The credentials' signing key: the configured file, or the one in the database (made by the
/// first replica to start).
fn credential_issuer(kit: &Kit, config: &DocumentsConfig) -> Result<app::credentials::CredentialIssuer, StartError> {
    let key_error = |e: &dyn std::fmt::Display| StartError::Other(format!("credential signing key: {e}"));
    Ok(match &config.credential_key_file {
        Some(file) => {
            app::credentials::CredentialIssuer::load_or_generate(file, &config.public_url).map_err(|e| key_error(&e))?
        }
        None => {
            let mut conn = kit.db.get().map_err(|e| key_error(&e))?;
            app::credentials::CredentialIssuer::from_database(&mut conn, &config.public_url)
                .map_err(|e| key_error(&e))?
        }
    })
}
