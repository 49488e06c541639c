//! The gateway's own endpoints under `/api/v1/auth`, and the internal revocation list.

pub mod accounts;
pub mod clients;
pub mod revocations;
pub mod token;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Resources (not scope routes) so that a known path with another method answers 405.
    cfg.service(
        web::scope("/api/v1/auth")
            .service(web::resource("/token").route(web::post().to(token::issue)))
            .service(web::resource("/me").route(web::get().to(token::me)))
            .service(web::resource("/jwks").route(web::get().to(token::jwks)))
            .service(
                web::resource("/accounts")
                    .route(web::get().to(accounts::list))
                    .route(web::post().to(accounts::create)),
            )
            .service(
                web::resource("/accounts/{id}")
                    .route(web::get().to(accounts::get))
                    .route(web::patch().to(accounts::update)),
            )
            .service(
                web::resource("/clients")
                    .route(web::get().to(clients::list))
                    .route(web::post().to(clients::create)),
            )
            .service(
                web::resource("/clients/{id}")
                    .route(web::get().to(clients::get))
                    .route(web::patch().to(clients::update)),
            ),
    );
}
