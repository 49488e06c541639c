//! The audit log: every change, by whom (account, client or system job), when,
//! before/after, why, and in which request (the caller's `X-Request-Id`). Written in the same
//! transaction as the change.

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, DbConn};

use super::models::AuditRow;
use super::schema::audit_events;
use crate::domain::audit::AuditAction;

/// One audited change; `before`/`after` are JSON snapshots (see [`snapshot`]).
pub struct Change<'a> {
    pub action: AuditAction,
    pub entity: &'a str,
    pub entity_id: i64,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<&'a str>,
}

pub fn snapshot<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

pub fn record(conn: &mut DbConn, actor: &Caller, change: Change<'_>) -> Result<(), ApiError> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::at.eq(Utc::now().naive_utc()),
            audit_events::actor.eq(&actor.subject),
            audit_events::action.eq(change.action),
            audit_events::entity.eq(change.entity),
            audit_events::entity_id.eq(change.entity_id),
            audit_events::before_json.eq(change.before),
            audit_events::after_json.eq(change.after),
            audit_events::reason.eq(change.reason),
            audit_events::request_id.eq(actor.request_id.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A creation: no `before`.
pub fn created<A: Serialize>(
    conn: &mut DbConn,
    actor: &Caller,
    entity: &str,
    id: i64,
    after: &A,
) -> Result<(), ApiError> {
    record(
        conn,
        actor,
        Change {
            action: AuditAction::Create,
            entity,
            entity_id: id,
            before: None,
            after: snapshot(after),
            reason: None,
        },
    )
}

/// What an audit list asks for.
#[derive(Debug, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
}

pub fn list(conn: &mut DbConn, f: &AuditQuery, w: Window) -> Result<Page<AuditRow>, ApiError> {
    let mut q = audit_events::table
        .filter(audit_events::id.gt(w.after))
        .order(audit_events::id)
        .limit(w.fetch())
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(v) = &f.entity {
        q = q.filter(audit_events::entity.eq(v.clone()));
    }
    if let Some(v) = f.entity_id {
        q = q.filter(audit_events::entity_id.eq(v));
    }
    if let Some(v) = &f.actor {
        q = q.filter(audit_events::actor.eq(v.clone()));
    }
    if let Some(v) = f.action {
        q = q.filter(audit_events::action.eq(v));
    }
    Ok(w.page(q.load(conn)?, |r| r.id))
}
