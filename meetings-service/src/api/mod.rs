//! HTTP handlers under `/api/v1/meetings`.

pub mod activities;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/meetings").service(web::resource("/activities").route(web::get().to(activities::list))),
    );
}
