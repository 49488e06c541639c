//! `GET /audit-events`: who changed what, when, why; filter by entity and actor.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::IntoParams;

use super::access;
use crate::app::audit::{self as app, AuditEvent};
use crate::db::audit::AuditQuery;
use crate::domain::audit::AuditAction;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// e.g. appointment, application, person, unit, term
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
}

/// The audit log (the Center only).
#[utoipa::path(get, path = "/api/v1/members/audit-events", tag = "audit", params(AuditFilter, PageQuery),
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = Page<AuditEvent>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<AuditFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let w = page.window()?;
    let f = filter.into_inner();
    let q = AuditQuery {
        entity: f.entity,
        entity_id: f.entity_id,
        actor: f.actor,
        action: f.action,
    };
    let page = db.run(move |c| app::list(c, &q, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}
