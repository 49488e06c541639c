//! The audit log as the Center reads it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, DbConn};
use utoipa::ToSchema;

use crate::db::audit::{self, AuditQuery};
use crate::domain::audit::AuditAction;

/// 一条审计记录：谁在何时因何修改了什么。One audit record: who changed what, when and why.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// 记录编号。The record's id.
    pub id: i64,
    /// 修改时间（UTC）。When (UTC).
    #[serde(with = "service_kit::utc")]
    pub at: NaiveDateTime,
    /// 操作人：`account:<id>`、`client:<id>` 或 `system:<job>`。`account:<id>`, `client:<id>` or `system:<job>`.
    pub actor: String,
    /// 所做的操作，如 update（修改）。What was done.
    pub action: AuditAction,
    /// 被修改的记录类型，如 appointment、unit。The kind of record changed.
    pub entity: String,
    /// 被修改的记录编号。The id of the record changed.
    pub entity_id: i64,
    /// 修改前的内容（新建时为空）。The record before (none for a creation).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// 修改后的内容。The record after.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// 理由（如有）。Why, when given.
    pub reason: Option<String>,
    /// 做出修改的请求的 `X-Request-Id`；定时作业的修改没有。
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
