//! Who may see and do what ("Access" in ../shared/DOMAIN.md), in one place.

use service_kit::{ApiError, Caller, Role, ScopeRef};

pub fn admin(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Admin])
}

/// The unit a unit contact acts for.
pub fn contact_unit(caller: &Caller) -> Option<i64> {
    match (caller.role, caller.scope) {
        (Role::UnitContact, Some(ScopeRef::Unit(id))) => Some(id),
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

/// The group a group secretary acts for.
pub fn secretary_group(caller: &Caller) -> Option<i64> {
    match (caller.role, caller.scope) {
        (Role::GroupSecretary, Some(ScopeRef::Group(id))) => Some(id),
        _ => None,
    }
}

/// Date of birth, e-mail and phone: the Center, the person's unit contact, the person, and
/// service clients granted `members:personal_data`.
pub fn sees_personal_data(caller: &Caller, person_id: i64, person_unit: i64) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::UnitContact => contact_unit(caller) == Some(person_unit),
        Role::Member => member_person(caller) == Some(person_id),
        Role::Service => caller.has_scope("members:personal_data"),
        Role::GroupSecretary => false,
    }
}

/// Reading the directory of units and people: everyone but members (who read themselves) and
/// service clients without `members:read`.
pub fn read_directory(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Service => caller.require_admin_or_scope("members:read"),
        _ => Ok(()),
    }
}

/// Before a person is looked up for a change: the Center, unit contacts, `members:write` clients
/// and the member themself may change some record; anyone else gets 403 (not 404 for a missing
/// one). Which records exactly is [`manage_unit`]'s, once the person's unit is known.
pub fn change_person(caller: &Caller, person_id: i64) -> Result<(), ApiError> {
    let may = match caller.role {
        Role::Admin => true,
        Role::UnitContact => contact_unit(caller).is_some(),
        Role::Member => member_person(caller) == Some(person_id),
        Role::Service => caller.has_scope("members:write"),
        Role::GroupSecretary => false,
    };
    if may {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the Center, the person's unit contact or the person may change this record",
        ))
    }
}

/// Changing a unit's people: the Center, or the unit's own contact.
pub fn manage_unit(caller: &Caller, unit_id: i64) -> Result<(), ApiError> {
    let service_writer = caller.role == Role::Service && caller.has_scope("members:write");
    if caller.role == Role::Admin || contact_unit(caller) == Some(unit_id) || service_writer {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the Center or this unit's contact may change its records",
        ))
    }
}
