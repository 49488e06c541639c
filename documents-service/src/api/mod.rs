//! HTTP handlers under `/api/v1/documents`.

pub mod documents;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/documents").route(web::get().to(documents::list)));
}
