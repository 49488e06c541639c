//! HTTP handlers under `/api/v1/meetings`: each module parses, authorises (see [`access`]),
//! calls the domain and the database, and maps errors.

pub mod access;
pub mod activities;
pub mod annual;
pub mod attendance;
pub mod elections;
pub mod failed_events;
pub mod internal;
pub mod statistics;

use actix_web::web::{self, get, patch, post, put, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Resources, so that a known path with another method answers 405.
    let big_json = service_kit::problem::json_config(annual::BODY_LIMIT);
    cfg.service(
        web::scope("/api/v1/meetings")
            .service(resource("/failed-events").route(get().to(failed_events::list)))
            .service(resource("/failed-events/{event_id}/replay").route(post().to(failed_events::replay)))
            .service(
                resource("/activities")
                    .route(get().to(activities::list))
                    .route(post().to(activities::create)),
            )
            .service(
                resource("/activities/{id}")
                    .route(get().to(activities::get))
                    .route(patch().to(activities::update)),
            )
            .service(resource("/activities/{id}/invitees").route(get().to(activities::list_invitees)))
            .service(resource("/activities/{id}/invitees:refresh").route(post().to(activities::refresh_invitees)))
            .service(
                resource("/activities/{id}/election-results")
                    .route(get().to(elections::get))
                    .route(put().to(elections::put)),
            )
            .service(resource("/activities/{id}/attendance").route(get().to(attendance::list_for_activity)))
            .service(resource("/activities/{id}/attendance/{appointment_id}").route(put().to(attendance::put)))
            .service(resource("/attendance").route(get().to(attendance::person)))
            .service(resource("/statistics/attendance").route(get().to(statistics::attendance_statistics)))
            .service(
                resource("/bodies/{id}/work-plans")
                    .app_data(big_json.clone())
                    .route(get().to(annual::list_plans))
                    .route(post().to(annual::create_plan)),
            )
            .service(resource("/bodies/{id}/work-plans/{year}/file").route(get().to(annual::plan_file)))
            .service(
                resource("/bodies/{id}/work-reports")
                    .app_data(big_json)
                    .route(get().to(annual::list_reports))
                    .route(post().to(annual::create_report)),
            )
            .service(resource("/bodies/{id}/work-reports/{year}/file").route(get().to(annual::report_file))),
    )
    // Outside /api/v1: the gateway forwards only /api/v1/{service}/…, so this stays internal.
    .service(resource(service_kit::outbox::EVENTS_PATH).route(post().to(internal::events)));
}
