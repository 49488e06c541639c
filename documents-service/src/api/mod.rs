//! HTTP handlers under `/api/v1/documents`, and the internal event inbox.

pub mod documents;
pub mod inbox;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/documents").route(web::get().to(documents::list)))
        // Outside /api/v1: the gateway forwards only /api/v1/{service}/…, so this stays internal.
        .service(web::resource(service_kit::outbox::EVENTS_PATH).route(web::post().to(inbox::receive)));
}
