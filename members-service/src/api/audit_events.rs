//! `GET /audit-events`: who changed what, when, why; filter by entity and actor.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::db::models::AuditRow;
use crate::db::schema::audit_events;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
    /// `account:<id>`, `client:<id>` or `system:<job>`.
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    /// The `X-Request-Id` of the request that made the change; none for the system's jobs.
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// e.g. appointment, application, person, unit, term
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
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
    let (limit, after) = (page.limit()?, page.after_id()?);
    let f = filter.into_inner();
    let rows = db
        .run(move |c| {
            let mut q = audit_events::table
                .filter(audit_events::id.gt(after))
                .order(audit_events::id)
                .limit(limit + 1)
                .select(AuditRow::as_select())
                .into_boxed();
            if let Some(v) = f.entity {
                q = q.filter(audit_events::entity.eq(v));
            }
            if let Some(v) = f.entity_id {
                q = q.filter(audit_events::entity_id.eq(v));
            }
            if let Some(v) = f.actor {
                q = q.filter(audit_events::actor.eq(v));
            }
            if let Some(v) = f.action {
                q = q.filter(audit_events::action.eq(v));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let items: Vec<AuditEvent> = rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            reason: r.reason,
            request_id: r.request_id,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |e| e.id)))
}
