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

/// 审计日志的筛选条件。How the audit log is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// 记录类型，如 appointment（聘任）、application（申报）、person（人员）、unit（单位）、term（届次）。
    /// e.g. appointment, application, person, unit, term
    pub entity: Option<String>,
    /// 记录编号（与 entity 一起用）。The record's id (with entity).
    pub entity_id: Option<i64>,
    /// 操作人：`account:<id>`、`client:<id>` 或 `system:<job>`。Who: `account:<id>`, `client:<id>` or `system:<job>`.
    pub actor: Option<String>,
    /// 操作，如 update（修改）、appoint（聘任）。What was done.
    pub action: Option<AuditAction>,
}

/// 审计日志 · The audit log.
///
/// 谁在何时因何修改了什么：每次新建、修改、申报状态变更、聘任、辞聘、解聘和定时作业的处理，
/// 都记有操作人、时间、修改前后的内容、理由和请求编号。可按记录类型、记录编号、操作人和操作筛选。
/// 仅秘书处可看。
///
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
