//! `/healthz` (the process answers) and `/readyz` (its database answers).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::problem::ApiError;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub service: String,
}

pub struct ServiceName(pub String);

pub async fn healthz(name: web::Data<ServiceName>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        service: name.0.clone(),
    })
}

pub async fn readyz(name: web::Data<ServiceName>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    db.ping().await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready",
        service: name.0.clone(),
    }))
}
