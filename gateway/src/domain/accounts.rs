//! Accounts (people): the field rules, which role fits which scope, the last-admin rule and
//! which changes end the tokens issued so far.

use service_kit::{Code, FieldError, Role, ScopeRef};

/// 账号可有的角色：`admin` 秘书处管理员，`group_secretary` 协作组秘书，`unit_contact` 单位联系人，
/// `member` 成员本人（`service` 只用于接入系统）。
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

/// The password policy: 10–256 characters.
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

/// An account as far as the rules below go: its role, scope and whether it is disabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub scope: Option<String>,
    pub disabled: bool,
}

impl Standing {
    fn enabled_admin(&self) -> bool {
        self.role == Role::Admin && !self.disabled
    }
}

/// The change takes away an enabled admin (a new role, or a disable): it needs another enabled
/// admin to remain.
pub fn removes_an_admin(current: &Standing, next: &Standing) -> bool {
    current.enabled_admin() && !next.enabled_admin()
}

/// Tokens carry the role and scope, and must not outlive a disable or a new password: all of
/// these end the tokens issued so far. Re-enabling ends them too, so that a new token is told
/// apart from the ones the disable ended.
pub fn ends_tokens(current: &Standing, next: &Standing, new_password: bool) -> bool {
    new_password || next.role != current.role || next.scope != current.scope || next.disabled != current.disabled
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

    fn standing(role: Role, scope: Option<&str>, disabled: bool) -> Standing {
        Standing {
            role,
            scope: scope.map(str::to_owned),
            disabled,
        }
    }

    #[test]
    fn only_losing_an_enabled_admin_needs_another() {
        let admin = standing(Role::Admin, None, false);
        assert!(removes_an_admin(&admin, &standing(Role::Admin, None, true)));
        assert!(removes_an_admin(
            &admin,
            &standing(Role::Member, Some("person:1"), false)
        ));
        assert!(!removes_an_admin(&admin, &admin));
        // A disabled admin, or another role, is no admin to lose.
        let disabled = standing(Role::Admin, None, true);
        assert!(!removes_an_admin(
            &disabled,
            &standing(Role::Member, Some("person:1"), true)
        ));
        let member = standing(Role::Member, Some("person:1"), false);
        assert!(!removes_an_admin(
            &member,
            &standing(Role::Member, Some("person:1"), true)
        ));
    }

    #[test]
    fn password_role_scope_and_disabling_end_the_tokens() {
        let unit = standing(Role::UnitContact, Some("unit:1"), false);
        assert!(!ends_tokens(&unit, &unit, false));
        assert!(ends_tokens(&unit, &unit, true));
        assert!(ends_tokens(
            &unit,
            &standing(Role::UnitContact, Some("unit:2"), false),
            false
        ));
        assert!(ends_tokens(
            &unit,
            &standing(Role::UnitContact, Some("unit:1"), true),
            false
        ));
        assert!(ends_tokens(
            &standing(Role::UnitContact, Some("unit:1"), true),
            &unit,
            false
        ));
        assert!(ends_tokens(
            &unit,
            &standing(Role::GroupSecretary, Some("group:1"), false),
            false
        ));
    }
}
