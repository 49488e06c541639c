//! API clients (other systems): the scopes they may be given, the subset a token may ask for,
//! and which changes end the tokens issued so far.

use service_kit::{Code, FieldError};

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

/// 可授予接入系统（API 客户端）的授权范围：`members:*` 成员服务，`meetings:*` 会议服务，`documents:*` 文书服务
/// （`read` 读，`write` 写；`members:personal_data` 可看个人联系信息），`internal` 仅限本系统内部服务。
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

pub fn name(name: &str, errors: &mut Vec<FieldError>) {
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        errors.push(FieldError::new("name", Code::InvalidName, "1–100 characters"));
    }
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

/// The scopes as stored: one space-separated column.
pub fn stored_scopes(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// The scopes of the stored column.
pub fn scopes_of(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

/// The scopes a token gets: all those granted, or the subset asked for (space-separated). Err
/// names the first scope asked for that was not granted.
pub fn token_scopes(granted: Vec<String>, asked: Option<&str>) -> Result<Vec<String>, String> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(granted),
        Some(asked) => {
            let asked = scopes_of(asked);
            match asked.iter().find(|s| !granted.contains(s)) {
                Some(extra) => Err(extra.clone()),
                None => Ok(asked),
            }
        }
    }
}

/// Tokens carry the scopes; a new secret or a disable must end the old tokens too, and
/// re-enabling as well (see [`super::accounts::ends_tokens`]).
pub fn ends_tokens(
    current_scopes: &str,
    current_disabled: bool,
    new_scopes: Option<&str>,
    new_disabled: Option<bool>,
    new_secret: bool,
) -> bool {
    new_secret || new_scopes.is_some_and(|s| s != current_scopes) || new_disabled.is_some_and(|d| d != current_disabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_the_granted_scopes_or_a_subset() {
        let granted = scopes_of("members:read internal");
        assert_eq!(token_scopes(granted.clone(), None), Ok(granted.clone()));
        assert_eq!(token_scopes(granted.clone(), Some("  ")), Ok(granted.clone()));
        assert_eq!(
            token_scopes(granted.clone(), Some("internal")),
            Ok(vec!["internal".to_owned()])
        );
        assert_eq!(
            token_scopes(granted, Some("internal documents:write")),
            Err("documents:write".to_owned())
        );
    }

    #[test]
    fn unknown_scopes_are_refused_by_position() {
        let mut e = vec![];
        client_scopes(&["members:read".into(), "everything".into()], &mut e);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, "unknown_scope");
    }

    #[test]
    fn new_scopes_secret_or_disabling_end_the_tokens() {
        assert!(!ends_tokens("internal", false, None, None, false));
        assert!(!ends_tokens("internal", false, Some("internal"), Some(false), false));
        assert!(ends_tokens("internal", false, None, None, true));
        assert!(ends_tokens(
            "internal",
            false,
            Some("internal members:read"),
            None,
            false
        ));
        assert!(ends_tokens("internal", false, None, Some(true), false));
        assert!(ends_tokens("internal", true, None, Some(false), false));
    }
}
