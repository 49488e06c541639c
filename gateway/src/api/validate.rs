//! Field rules for accounts and clients.

use service_kit::{Code, FieldError, Role, ScopeRef};

/// Scopes a service client may be given.
pub const CLIENT_SCOPES: &[&str] = &[
    "members:read",
    "members:write",
    "members:personal_data",
    "meetings:read",
    "meetings:write",
    "documents:read",
    "documents:write",
    // The suite's own services calling each other's `/internal/*` endpoints.
    service_kit::INTERNAL_SCOPE,
];

/// The roles an account may have, as the contract states them (`service` is for API clients).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AccountRole {
    Admin,
    GroupSecretary,
    UnitContact,
    Member,
}

/// The scopes an API client may be given (`CLIENT_SCOPES`), as the contract states them.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub enum ClientScope {
    #[serde(rename = "members:read")]
    MembersRead,
    #[serde(rename = "members:write")]
    MembersWrite,
    #[serde(rename = "members:personal_data")]
    MembersPersonalData,
    #[serde(rename = "meetings:read")]
    MeetingsRead,
    #[serde(rename = "meetings:write")]
    MeetingsWrite,
    #[serde(rename = "documents:read")]
    DocumentsRead,
    #[serde(rename = "documents:write")]
    DocumentsWrite,
    #[serde(rename = "internal")]
    Internal,
}

pub fn username(v: &str, errors: &mut Vec<FieldError>) {
    let ok_chars = v.chars().all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c));
    if !(3..=64).contains(&v.chars().count()) || !ok_chars {
        errors.push(FieldError::new(
            "username",
            Code::InvalidUsername,
            "3–64 characters: letters, digits, '.', '_', '@', '-'",
        ));
    }
}

pub fn password(v: &str, errors: &mut Vec<FieldError>) {
    let n = v.chars().count();
    if !(10..=256).contains(&n) {
        errors.push(FieldError::new("password", Code::WeakPassword, "10–256 characters"));
    }
}

pub fn display_name(v: &str, errors: &mut Vec<FieldError>) {
    let n = v.trim().chars().count();
    if n == 0 || n > 100 {
        errors.push(FieldError::new(
            "display_name",
            Code::InvalidDisplayName,
            "1–100 characters",
        ));
    }
}

/// A person's role and scope must fit: admins have none, the others their unit, group or person.
pub fn role_and_scope(role: &str, scope: Option<&str>, errors: &mut Vec<FieldError>) -> Option<Role> {
    let role = match role.parse::<Role>() {
        Ok(Role::Service) | Err(_) => {
            errors.push(FieldError::new(
                "role",
                Code::InvalidRole,
                "one of admin, group_secretary, unit_contact, member (systems use API clients)",
            ));
            return None;
        }
        Ok(r) => r,
    };
    let parsed = scope.map(str::parse::<ScopeRef>);
    let fits = matches!(
        (role, parsed),
        (Role::Admin, None)
            | (Role::GroupSecretary, Some(Ok(ScopeRef::Group(_))))
            | (Role::UnitContact, Some(Ok(ScopeRef::Unit(_))))
            | (Role::Member, Some(Ok(ScopeRef::Person(_))))
    );
    if !fits {
        let want = match role {
            Role::Admin => "no scope",
            Role::GroupSecretary => "group:<id>",
            Role::UnitContact => "unit:<id>",
            _ => "person:<id>",
        };
        errors.push(FieldError::new(
            "scope",
            Code::InvalidScope,
            format!("role {role} needs {want}"),
        ));
    }
    Some(role)
}

pub fn client_scopes(scopes: &[String], errors: &mut Vec<FieldError>) {
    for (i, s) in scopes.iter().enumerate() {
        if !CLIENT_SCOPES.contains(&s.as_str()) {
            errors.push(FieldError::new(
                format!("scopes[{i}]"),
                Code::UnknownScope,
                format!("unknown scope {s:?}; known: {}", CLIENT_SCOPES.join(", ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_roles_need_the_matching_scope() {
        let mut e = vec![];
        assert_eq!(role_and_scope("admin", None, &mut e), Some(Role::Admin));
        assert!(e.is_empty());
        role_and_scope("unit_contact", Some("group:1"), &mut e);
        assert_eq!(e.len(), 1);
        let mut e = vec![];
        role_and_scope("service", None, &mut e);
        assert_eq!(e[0].code, "invalid_role");
        let mut e = vec![];
        role_and_scope("admin", Some("unit:1"), &mut e);
        assert_eq!(e[0].code, "invalid_scope");
    }
}
