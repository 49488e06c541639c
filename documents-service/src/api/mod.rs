//! HTTP handlers under `/api/v1/documents`, and the internal event inbox.

pub mod batches;
pub mod deliveries;
pub mod documents;
pub mod inbox;
pub mod previews;
pub mod rosters;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, resource};
    cfg.service(resource("/api/v1/documents").route(get().to(documents::list)))
        // Before `{serial}`, so `verify` is never taken for a serial.
        .service(resource("/api/v1/documents/previews").route(web::post().to(previews::preview)))
        .service(
            resource("/api/v1/documents/batches")
                .route(get().to(batches::list))
                .route(web::post().to(batches::create)),
        )
        .service(resource("/api/v1/documents/batches/{id}").route(get().to(batches::get)))
        .service(resource("/api/v1/documents/rosters").route(web::post().to(rosters::create)))
        .service(resource("/api/v1/documents/deliveries").route(get().to(deliveries::list)))
        .service(resource("/api/v1/documents/deliveries/{id}/retry").route(web::post().to(deliveries::retry)))
        .service(resource("/api/v1/documents/failed-events").route(get().to(deliveries::failed_events)))
        .service(
            resource("/api/v1/documents/failed-events/{event_id}/replay")
                .route(web::post().to(deliveries::replay_event)),
        )
        .service(resource("/api/v1/documents/verify/{token}").route(get().to(documents::verify)))
        .service(resource("/api/v1/documents/{serial}").route(get().to(documents::get)))
        .service(resource("/api/v1/documents/{serial}/pdf").route(get().to(documents::pdf)))
        .service(resource("/api/v1/documents/{serial}/deliveries").route(get().to(documents::deliveries_of)))
        // Outside /api/v1: the gateway forwards only /api/v1/{service}/…, so this stays internal.
        .service(web::resource(service_kit::outbox::EVENTS_PATH).route(web::post().to(inbox::receive)));
}
