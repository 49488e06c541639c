//! Who may read or issue documents: the checks several handlers share.

use service_kit::{ApiError, Caller, Role, ScopeRef};

use crate::db::models::DocumentMeta;
use crate::domain::kinds::list_of_body;

/// A member reads their own documents, a group's secretary the rosters and sign-in sheets of
/// their group; the Center and `documents:read` clients all.
pub fn may_read(caller: &Caller, d: &DocumentMeta) -> Result<(), ApiError> {
    let ok = match caller.role {
        Role::Admin => true,
        Role::Service => caller.has_scope("documents:read"),
        Role::Member => matches!(caller.scope, Some(ScopeRef::Person(p)) if Some(p) == d.person_id),
        Role::GroupSecretary => {
            matches!(caller.scope, Some(ScopeRef::Group(g)) if list_of_body(d.kind, &d.subject_key) == Some(g))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::forbidden("this document is outside your scope"))
    }
}

/// Before a document is looked up: callers who may read none (group secretaries, unit contacts,
/// clients without `documents:read`) get 403, not 404 for a missing one.
pub fn may_read_some(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Member => Ok(()),
        Role::Service => caller.require_admin_or_scope("documents:read"),
        _ => Err(ApiError::forbidden("this document is outside your scope")),
    }
}

/// As [`may_read_some`] for a document's metadata and PDF, which a group's secretary reads for
/// their group's rosters and sign-in sheets.
pub fn may_read_some_or_lists(caller: &Caller) -> Result<(), ApiError> {
    if matches!(
        (caller.role, caller.scope),
        (Role::GroupSecretary, Some(ScopeRef::Group(_)))
    ) {
        return Ok(());
    }
    may_read_some(caller)
}

/// The person a list of documents is limited to: a member's own; others need `documents:read`.
pub fn own_person(caller: &Caller) -> Result<Option<i64>, ApiError> {
    match (caller.role, caller.scope) {
        (Role::Member, Some(ScopeRef::Person(p))) => Ok(Some(p)),
        _ => caller.require_admin_or_scope("documents:read").map(|()| None),
    }
}

/// Batches are the Center's work, or a system's with `documents:write`.
pub fn may_issue_batches(caller: &Caller) -> Result<(), ApiError> {
    caller.require_admin_or_scope("documents:write")
}

pub fn may_read_batches(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Service && caller.has_scope("documents:write") {
        return Ok(());
    }
    caller.require_admin_or_scope("documents:read")
}

/// A roster: the Center, a group's secretary for their own group, or `documents:write`.
pub fn may_issue_roster(caller: &Caller, body_id: i64) -> Result<(), ApiError> {
    let own_group =
        matches!((caller.role, caller.scope), (Role::GroupSecretary, Some(ScopeRef::Group(g))) if g == body_id);
    if own_group {
        Ok(())
    } else {
        caller.require_admin_or_scope("documents:write")
    }
}

/// Before a 签到表's activity is looked up: only those who may issue some body's papers (the
/// Center, group secretaries, `documents:write`) learn whether it exists.
pub fn may_issue_some_roster(caller: &Caller) -> Result<(), ApiError> {
    if matches!(
        (caller.role, caller.scope),
        (Role::GroupSecretary, Some(ScopeRef::Group(_)))
    ) {
        Ok(())
    } else {
        caller.require_admin_or_scope("documents:write")
    }
}
