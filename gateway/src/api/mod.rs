//! The gateway's own endpoints under `/api/v1/auth`.

pub mod accounts;
pub mod clients;
pub mod token;
pub mod validate;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/auth")
            .route("/token", web::post().to(token::issue))
            .route("/me", web::get().to(token::me))
            .route("/jwks", web::get().to(token::jwks))
            .route("/accounts", web::get().to(accounts::list))
            .route("/accounts", web::post().to(accounts::create))
            .route("/accounts/{id}", web::get().to(accounts::get))
            .route("/accounts/{id}", web::patch().to(accounts::update))
            .route("/clients", web::get().to(clients::list))
            .route("/clients", web::post().to(clients::create))
            .route("/clients/{id}", web::get().to(clients::get))
            .route("/clients/{id}", web::patch().to(clients::update)),
    );
}
