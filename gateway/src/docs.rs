//! The gateway's part of the OpenAPI document, and the merged contract it serves with Swagger UI.

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::{accounts, clients, token};

#[derive(OpenApi)]
#[openapi(
    paths(
        token::issue, token::me, token::jwks,
        accounts::list, accounts::create, accounts::get, accounts::update,
        clients::list, clients::create, clients::get, clients::update,
    ),
    tags((name = "auth", description = "令牌、账号与接入系统（API 客户端），由网关提供 · Tokens, accounts and API clients (gateway)"))
)]
pub struct ApiDoc;

/// The merged document of the whole suite, as committed in `openapi/openapi.json` (a test keeps
/// that file equal to what the code generates).
pub const MERGED_OPENAPI: &str = include_str!("../../openapi/openapi.json");

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(MERGED_OPENAPI)
}

/// Swagger UI from files vendored in the crate (no internet needed), pointed at the merged document.
pub fn swagger_ui(cfg: &mut web::ServiceConfig) {
    cfg.route("/api-docs/openapi.json", web::get().to(openapi_json))
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}").config(
                // No online validator badge (it would send the spec URL to a third party and
                // fails offline); tokens are not kept in localStorage across reloads.
                Config::new(["/api-docs/openapi.json"])
                    .validator_url("none")
                    .persist_authorization(false)
                    .try_it_out_enabled(true)
                    .display_request_duration(true),
            ),
        )
        .route(
            "/",
            web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header(("Location", "/swagger-ui/"))
                    .finish()
            }),
        );
}
