//! meetings-service: activities of the bodies, attendance and the two-absences rule (R13, R18, R19).

pub mod api;
pub mod db;
pub mod domain;

use service_kit::config::{ConfigError, ServiceSettings};
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "meetings-service";
pub const DEFAULT_PORT: u16 = 8082;

#[derive(OpenApi)]
#[openapi(
    paths(api::activities::list),
    tags((name = "activities", description = "Meetings and other activities, attendance (meetings-service)"))
)]
pub struct ApiDoc;

/// `MEETINGS_*` and `ALLIANCE_*` variables (see the README).
pub fn settings_from_env() -> Result<ServiceSettings, ConfigError> {
    ServiceSettings::from_env("MEETINGS", DEFAULT_PORT, "meetings.db")
}

/// Connects, migrates and starts serving; the one way to start this service.
pub async fn start(settings: ServiceSettings) -> Result<ServiceHandle, StartError> {
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    serve(kit, &settings.bind, settings.workers, api::routes)
}
