//! members-service: units, people, bodies, terms, applications, appointments and the rest of
//! the charter's membership rules.

pub mod api;
pub mod db;
pub mod domain;

use service_kit::config::{ConfigError, ServiceSettings};
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "members-service";
pub const DEFAULT_PORT: u16 = 8081;

#[derive(OpenApi)]
#[openapi(
    paths(api::bodies::list, api::bodies::get),
    tags((name = "bodies", description = "Council, expert committee, collaboration groups (members-service)"))
)]
pub struct ApiDoc;

/// `MEMBERS_*` and `ALLIANCE_*` variables (see the README).
pub fn settings_from_env() -> Result<ServiceSettings, ConfigError> {
    ServiceSettings::from_env("MEMBERS", DEFAULT_PORT, "members.db")
}

/// Connects, migrates and starts serving; the one way to start this service.
pub async fn start(settings: ServiceSettings) -> Result<ServiceHandle, StartError> {
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    serve(kit, &settings.bind, settings.workers, api::routes)
}
