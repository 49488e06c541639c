//! Who may see and do what ("Access" in ../shared/DOMAIN.md), in one place: handlers check
//! before a lookup (through `api::access`), use cases once the record is loaded.

use service_kit::{ApiError, Caller, Role, ScopeRef};

use crate::db::Only;
use crate::db::models::{ApplicationRow, AppointmentRow};

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

/// What a scoped caller may see of a list of appointments or applications: a unit contact
/// their unit's, a member their own, a group secretary their group's (nothing without a scope).
pub fn only(caller: &Caller) -> Only {
    match caller.role {
        Role::UnitContact => Only {
            unit_id: Some(contact_unit(caller).unwrap_or(-1)),
            ..Only::default()
        },
        Role::Member => Only {
            person_id: Some(member_person(caller).unwrap_or(-1)),
            ..Only::default()
        },
        Role::GroupSecretary => Only {
            body_id: Some(secretary_group(caller).unwrap_or(-1)),
            ..Only::default()
        },
        Role::Admin | Role::Service => Only::default(),
    }
}

/// May `caller` see appointment `a`? Admins and read clients see all; a unit contact their
/// unit's; a member their own; a group secretary their group's.
pub fn sees_appointment(caller: &Caller, a: &AppointmentRow) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Service => caller.has_scope("members:read"),
        Role::UnitContact => contact_unit(caller) == Some(a.unit_id),
        Role::Member => member_person(caller) == Some(a.person_id),
        Role::GroupSecretary => secretary_group(caller) == Some(a.body_id),
    }
}

pub fn sees_application(caller: &Caller, a: &ApplicationRow) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Service => caller.has_scope("members:read"),
        Role::UnitContact => contact_unit(caller) == Some(a.unit_id),
        Role::GroupSecretary => secretary_group(caller) == Some(a.body_id),
        Role::Member => member_person(caller) == Some(a.person_id),
    }
}

/// A unit's contact details: the Center, the unit's contact and `members:personal_data` clients.
pub fn sees_unit_contact(caller: &Caller, unit_id: i64) -> bool {
    caller.role == Role::Admin || contact_unit(caller) == Some(unit_id) || caller.has_scope("members:personal_data")
}
