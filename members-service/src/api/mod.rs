//! HTTP handlers under `/api/v1/members` (public, through the gateway) and `/internal/v1`
//! (service-to-service only): each module parses, authorises (see [`access`]), calls one use
//! case of [`crate::app`] and maps its result.

pub mod access;
pub mod applications;
pub mod appointments;
pub mod audit_events;
pub mod bodies;
pub mod bulk;
pub mod dismissal_cases;
pub mod failed_events;
pub mod internal;
pub mod jobs;
pub mod labels;
pub mod nominations;
pub mod people;
pub mod recognition;
pub mod terms;
pub mod units;

use actix_web::web::{self, get, patch, post, put, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Resources, so that a known path with another method answers 405.
    cfg.service(
        web::scope("/api/v1/members")
            .service(resource("/failed-events").route(get().to(failed_events::list)))
            .service(resource("/failed-events/{event_id}/replay").route(post().to(failed_events::replay)))
            .service(
                resource("/bodies")
                    .route(get().to(bodies::list))
                    .route(post().to(bodies::create)),
            )
            .service(resource("/bodies/{id}").route(get().to(bodies::get)))
            .service(
                resource("/bodies/{id}/terms")
                    .route(get().to(terms::list))
                    .route(post().to(terms::create)),
            )
            .service(
                resource("/units")
                    .route(get().to(units::list))
                    .route(post().to(units::create)),
            )
            .service(
                resource("/units/{id}")
                    .route(get().to(units::get))
                    .route(patch().to(units::update)),
            )
            .service(
                resource("/people")
                    .route(get().to(people::list))
                    .route(post().to(people::create)),
            )
            .service(
                resource("/people:import")
                    .app_data(web::PayloadConfig::default().limit(bulk::IMPORT_LIMIT))
                    .route(post().to(bulk::import)),
            )
            .service(resource("/people:export").route(get().to(bulk::export)))
            .service(
                resource("/people/{id}")
                    .route(get().to(people::get))
                    .route(patch().to(people::update)),
            )
            .service(
                resource("/nominations")
                    .route(get().to(nominations::list))
                    .route(post().to(nominations::create)),
            )
            .service(resource("/nominations/{id}/appointment").route(post().to(nominations::appoint)))
            .service(
                resource("/applications")
                    .route(get().to(applications::list))
                    .route(post().to(applications::create)),
            )
            .service(resource("/applications/{id}").route(get().to(applications::get)))
            .service(resource("/applications/{id}/transitions").route(post().to(applications::transition)))
            .service(resource("/appointments").route(get().to(appointments::list)))
            .service(resource("/appointments/{id}").route(get().to(appointments::get)))
            .service(resource("/appointments/{id}/renewals").route(post().to(appointments::renew)))
            .service(resource("/appointments/{id}/resignation").route(post().to(appointments::request_resignation)))
            .service(
                resource("/appointments/{id}/resignation/decision").route(post().to(appointments::decide_resignation)),
            )
            .service(resource("/appointments/{id}/dismissal").route(post().to(appointments::dismiss)))
            .service(
                resource("/dismissal-cases")
                    .route(get().to(dismissal_cases::list))
                    .route(post().to(dismissal_cases::create)),
            )
            .service(resource("/dismissal-cases/{id}/decision").route(post().to(dismissal_cases::decide)))
            .service(
                resource("/assessments/{year}/{appointment_id}")
                    .route(get().to(recognition::get_assessment))
                    .route(put().to(recognition::put_assessment)),
            )
            .service(
                resource("/commendations")
                    .route(get().to(recognition::list_commendations))
                    .route(post().to(recognition::create_commendation)),
            )
            .service(resource("/labels").route(get().to(labels::get)))
            .service(resource("/audit-events").route(get().to(audit_events::list)))
            .service(resource("/jobs/run").route(post().to(jobs::run))),
    )
    .service(
        web::scope("/internal/v1")
            .service(resource("/appointment-facts").route(get().to(internal::appointment_facts)))
            .service(resource("/events").route(post().to(internal::events))),
    );
}
