//! documents-service: Chinese PDF certificates and notices (typst), public verification, e-mail.

pub mod api;
pub mod db;
pub mod domain;
pub mod render;

use service_kit::config::{ConfigError, ServiceSettings};
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "documents-service";
pub const DEFAULT_PORT: u16 = 8083;

#[derive(OpenApi)]
#[openapi(
    paths(api::documents::list),
    tags((name = "documents", description = "Certificates and notices, verification, delivery (documents-service)"))
)]
pub struct ApiDoc;

/// `DOCUMENTS_*` and `ALLIANCE_*` variables (see the README).
pub fn settings_from_env() -> Result<ServiceSettings, ConfigError> {
    ServiceSettings::from_env("DOCUMENTS", DEFAULT_PORT, "documents.db")
}

/// Connects, migrates and starts serving; the one way to start this service.
pub async fn start(settings: ServiceSettings) -> Result<ServiceHandle, StartError> {
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    serve(kit, &settings.bind, settings.workers, api::routes)
}
