//! Who may see and do what in meetings-service ("Access" in ../shared/DOMAIN.md).
//!
//! - admin (the Center's secretariat): everything;
//! - group_secretary (scope `group:<body_id>`): their group's activities, attendance, plans
//!   and reports; reads like a member elsewhere;
//! - members, unit contacts: read activities and attendance; a member reads their own record;
//! - service clients: read with the scope `meetings:read`.
//!
//! E-mail addresses of invitees are shown only to those who manage the body.

use service_kit::{ApiError, Caller, Role, ScopeRef};

pub const READ_SCOPE: &str = "meetings:read";

/// The group a group secretary acts for.
pub fn secretary_group(caller: &Caller) -> Option<i64> {
    match (caller.role, caller.scope) {
        (Role::GroupSecretary, Some(ScopeRef::Group(id))) => Some(id),
        _ => None,
    }
}

/// The person a member is.
pub fn member_person(caller: &Caller) -> Option<i64> {
    match (caller.role, caller.scope) {
        (Role::Member, Some(ScopeRef::Person(id))) => Some(id),
        _ => None,
    }
}

/// Whether the caller manages `body_id`'s activities: the Center, or the group's secretary.
pub fn manages(caller: &Caller, body_id: i64) -> bool {
    caller.role == Role::Admin || secretary_group(caller) == Some(body_id)
}

/// Creating or changing activities, attendance, plans and reports of `body_id`.
pub fn manage(caller: &Caller, body_id: i64) -> Result<(), ApiError> {
    if manages(caller, body_id) {
        Ok(())
    } else if caller.role == Role::GroupSecretary {
        Err(ApiError::forbidden(format!(
            "a group secretary acts for their own group only, not body {body_id}"
        )))
    } else {
        Err(ApiError::forbidden(
            "only the Center or the group's secretary may change its activities",
        ))
    }
}

/// Before the activity is looked up for a change: only the Center and group secretaries manage
/// any body, so everyone else gets 403 (not 404 for a missing activity); which body is
/// [`manage`]'s, once the activity is known.
pub fn manage_some(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Admin || secretary_group(caller).is_some() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the Center or the group's secretary may change its activities",
        ))
    }
}

/// Reading activities and attendance: every person's role; service clients need `meetings:read`.
pub fn read(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Service => caller.require_admin_or_scope(READ_SCOPE),
        _ => Ok(()),
    }
}

/// A person's attendance record: the Center, services with `meetings:read`, group secretaries
/// (for their group's activities: the handler filters), and the member themself.
pub fn read_person(caller: &Caller, person_id: i64) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::GroupSecretary => Ok(()),
        Role::Service => caller.require_admin_or_scope(READ_SCOPE),
        Role::Member if member_person(caller) == Some(person_id) => Ok(()),
        _ => Err(ApiError::forbidden("a member reads their own attendance record only")),
    }
}

/// Attendance statistics name people: the Center, services with `meetings:read`, and a group's
/// secretary for their group.
pub fn read_statistics(caller: &Caller, body_id: Option<i64>) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin => Ok(()),
        Role::Service => caller.require_admin_or_scope(READ_SCOPE),
        Role::GroupSecretary if body_id.is_some() && body_id == secretary_group(caller) => Ok(()),
        Role::GroupSecretary => Err(ApiError::forbidden(
            "a group secretary reads the statistics of their own group (body_id) only",
        )),
        _ => Err(ApiError::forbidden(
            "attendance statistics are for the Center and group secretaries",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, scope: Option<ScopeRef>, scopes: &[&str]) -> Caller {
        Caller {
            subject: "account:1".into(),
            role,
            scope,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            name: None,
            request_id: None,
        }
    }

    #[test]
    fn a_group_secretary_manages_their_group_only() {
        let s = caller(Role::GroupSecretary, Some(ScopeRef::Group(4)), &[]);
        assert!(manage(&s, 4).is_ok());
        assert!(manage(&s, 5).is_err());
        assert!(manage(&caller(Role::Admin, None, &[]), 5).is_ok());
        assert!(manage(&caller(Role::Member, Some(ScopeRef::Person(1)), &[]), 4).is_err());
    }

    #[test]
    fn services_read_with_the_meetings_read_scope() {
        assert!(read(&caller(Role::Service, None, &[READ_SCOPE])).is_ok());
        assert!(read(&caller(Role::Service, None, &["members:read"])).is_err());
        assert!(read(&caller(Role::Member, Some(ScopeRef::Person(1)), &[])).is_ok());
    }

    #[test]
    fn a_member_reads_their_own_record_only() {
        let m = caller(Role::Member, Some(ScopeRef::Person(7)), &[]);
        assert!(read_person(&m, 7).is_ok());
        assert!(read_person(&m, 8).is_err());
        assert!(read_statistics(&m, Some(1)).is_err());
    }
}
