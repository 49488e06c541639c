//! `/healthz` (the process answers) and `/readyz` (its database answers).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::problem::ApiError;

/// 服务的健康状态。A service's health.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`（进程在应答）或 `ready`（其数据库也在应答）。`ok` (the process answers) or `ready` (its database too).
    pub status: &'static str,
    /// 服务名称。The service's name.
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
