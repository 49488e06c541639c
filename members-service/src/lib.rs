//! members-service: units, people, bodies, terms, nominations, applications, appointments,
//! resignations, dismissals, assessments and commendations, by the charter's rules
//! (R1–R17 in ../shared/DOMAIN.md).

pub mod api;
pub mod app;
pub mod clock;
pub mod db;
pub mod domain;

/// The scheduled jobs (R6 lapse, renewals, reminders) are use cases of `app`.
pub use app::jobs;

use std::time::Duration;

use crate::api::applications::TransitionRequestConditions;
use crate::api::recognition::NewCommendationConditions;
use actix_web::web;
use service_kit::config::{ConfigError, ServiceSettings, parse_or, var_or};
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "members-service";
pub const DEFAULT_PORT: u16 = 8081;

#[derive(OpenApi)]
#[openapi(
    paths(
        api::bodies::list, api::bodies::create, api::bodies::get,
        api::terms::list, api::terms::create,
        api::units::list, api::units::create, api::units::get, api::units::update,
        api::people::list, api::people::create, api::people::get, api::people::update,
        api::bulk::import, api::bulk::export,
        api::nominations::list, api::nominations::create, api::nominations::appoint,
        api::applications::list, api::applications::create, api::applications::get, api::applications::transition,
        api::appointments::list, api::appointments::get, api::appointments::renew,
        api::appointments::request_resignation, api::appointments::decide_resignation, api::appointments::dismiss,
        api::dismissal_cases::list, api::dismissal_cases::create, api::dismissal_cases::decide,
        api::recognition::get_assessment, api::recognition::put_assessment,
        api::recognition::list_commendations, api::recognition::create_commendation,
        api::labels::get, api::audit_events::list, api::jobs::run,
        api::failed_events::list, api::failed_events::replay,
    ),
    modifiers(&TransitionRequestConditions, &NewCommendationConditions),
    tags(
        (name = "bodies", description = "Council, expert committee, collaboration groups, terms (members-service)"),
        (name = "units", description = "Units (单位)"),
        (name = "people", description = "People; personal data by role"),
        (name = "applications", description = "Unit applications, review, elections (R7–R10)"),
        (name = "appointments", description = "Nominations, appointments, renewals, resignations, dismissals"),
        (name = "dismissals", description = "Dismissal cases for absence (R13)"),
        (name = "assessments", description = "Annual assessments (R15) and commendations (R16)"),
        (name = "terms", description = "Scheduled jobs: lapse (R6), renewals, reminders"),
        (name = "labels", description = "Chinese labels of every enum value"),
        (name = "audit", description = "Who changed what, when, why"),
        (name = "failed events", description = "Events the outbox could not deliver (dead letters), and replaying them"),
    )
)]
pub struct ApiDoc;

/// `MEMBERS_*` and `ALLIANCE_*` variables (see the README).
pub fn settings_from_env() -> Result<ServiceSettings, ConfigError> {
    ServiceSettings::from_env("MEMBERS", DEFAULT_PORT, "members.db")
}

/// Term-end reminder schedule, days before the end (`MEMBERS_TERM_REMINDER_DAYS`, default `90,30`).
pub fn reminder_days() -> Vec<u32> {
    var_or("MEMBERS_TERM_REMINDER_DAYS", "90,30")
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect()
}

/// Connects, migrates, starts the scheduler, the outbox worker and the HTTP server; the one
/// way to start this service.
pub async fn start(settings: ServiceSettings) -> Result<ServiceHandle, StartError> {
    let kit = Kit::start(NAME, &settings, db::MIGRATIONS)?;
    let interval = Duration::from_secs(
        parse_or("MEMBERS_JOBS_INTERVAL_SECS", 3600).map_err(|e| StartError::Other(e.to_string()))?,
    );
    let days = reminder_days();
    let scheduler = jobs::spawn_scheduler(kit.db.get_ref().clone(), interval, days.clone());
    let job_settings = web::Data::new(api::jobs::JobSettings { reminder_days: days });
    let policy = web::Data::new(api::internal::AbsencePolicy {
        dismiss_at_once: parse_or("MEMBERS_ABSENCE_DISMISS_AT_ONCE", false)
            .map_err(|e| StartError::Other(e.to_string()))?,
    });
    let worker = kit.spawn_outbox(&settings)?;
    let handle = serve(kit, &settings.bind, settings.workers, move |cfg| {
        cfg.app_data(job_settings.clone()).app_data(policy.clone());
        api::routes(cfg);
    })?;
    Ok(handle.with_outbox(worker).with_task(scheduler))
}
