//! meetings-service: activities of the bodies, attendance and the two-absences rule (R13, R18, R19).

pub mod api;
pub mod app;
pub mod db;
pub mod domain;
pub mod events;
pub mod members;
pub mod settings;

use crate::api::activities::ActivityUpdateConditions;
use crate::api::annual::NewAnnualDocumentConditions;
use actix_web::web;
use service_kit::config::{ConfigError, ServiceSettings};
use service_kit::peer::Peers;
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "meetings-service";
pub const DEFAULT_PORT: u16 = 8082;

#[derive(OpenApi)]
#[openapi(
    paths(
        api::activities::list, api::activities::create, api::activities::get, api::activities::update,
        api::activities::list_invitees, api::activities::refresh_invitees,
        api::elections::put, api::elections::get,
        api::attendance::put, api::attendance::list_for_activity, api::attendance::person,
        api::statistics::attendance_statistics,
        api::annual::list_plans, api::annual::create_plan, api::annual::plan_file,
        api::annual::list_reports, api::annual::create_report, api::annual::report_file,
        api::failed_events::list, api::failed_events::replay,
    ),
    modifiers(&ActivityUpdateConditions, &NewAnnualDocumentConditions),
    tags(
        (name = "activities", description = "Meetings and other activities of a body, their invitees (meetings-service)"),
        (name = "attendance", description = "Attendance (R18), the two-absences rule (R13), statistics"),
        (name = "work plans and reports", description = "Annual work plans and reports of a body (R19)"),
        (name = "failed events", description = "Events the outbox could not deliver (dead letters), and replaying them"),
    )
)]
pub struct ApiDoc;

/// `MEETINGS_*` and `ALLIANCE_*` variables (see the README).
pub fn settings_from_env() -> Result<ServiceSettings, ConfigError> {
    ServiceSettings::from_env("MEETINGS", DEFAULT_PORT, "meetings.db")
}

/// Connects, migrates, starts the outbox worker and the HTTP server; the one way to start this
/// service. `MEETINGS_WORK_YEAR_START` (MM-DD, default 01-01) sets the work year (R13).
pub async fn start(settings: ServiceSettings) -> Result<ServiceHandle, StartError> {
    let config = settings::MeetingsConfig::from_env().map_err(|e| StartError::Other(e.to_string()))?;
    start_with(settings, config).await
}

/// [`start`] with the meeting rules' settings given (tests).
pub async fn start_with(
    settings: ServiceSettings,
    config: settings::MeetingsConfig,
) -> Result<ServiceHandle, StartError> {
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    let peers = web::Data::new(Peers::from_settings(&settings));
    let config = web::Data::new(config);
    let worker = kit.spawn_outbox(&settings)?;
    let handle = serve(kit, &settings.bind, settings.workers, move |cfg| {
        cfg.app_data(peers.clone()).app_data(config.clone());
        api::routes(cfg);
    })?;
    Ok(handle.with_outbox(worker))
}
