//! HTTP handlers under `/api/v1/members`.

pub mod bodies;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/members")
            .service(web::resource("/bodies").route(web::get().to(bodies::list)))
            .service(web::resource("/bodies/{id}").route(web::get().to(bodies::get))),
    );
}
