//! The audit log as the Center reads it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};
use utoipa::ToSchema;

use crate::db::audit::{self, AuditQuery};
use crate::domain::audit::AuditAction;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
    /// `account:<id>`, `client:<id>` or `system:<job>`.
    pub actor: String,
    pub action: AuditAction,
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

pub fn list(c: &mut DbConn, f: &AuditQuery, w: Window) -> Result<Page<AuditEvent>, ApiError> {
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(audit::list(c, f, w)?.map(|r| AuditEvent {
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
    }))
}
