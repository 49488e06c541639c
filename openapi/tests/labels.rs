//! Issue 10: `GET /api/v1/members/labels` labels every enum of the contract, so a client never
//! shows a code where it should show Chinese. A new enum in a schema fails here until it is
//! labelled (or listed below with the reason it is not shown to people).

use std::collections::BTreeMap;

use serde_json::Value;

/// Enums of the contract that are not labelled, and why.
const NOT_LABELLED: [(&str, &str); 3] = [
    (
        "Code",
        "problem codes are for programs; the contract describes each one (中文 · English)",
    ),
    (
        "ClientScope",
        "OAuth scopes an integrator grants an API client, not shown to members",
    ),
    (
        "StatusChange",
        "an instruction in a request (`cancelled`), not a value shown",
    ),
];

/// Schemas whose values are labelled under another name.
const LABELLED_AS: [(&str, &str); 1] = [("AccountRole", "role")];

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_enum_of_the_contract_has_a_chinese_label_for_each_value() {
    let doc = serde_json::to_value(openapi::merged()).unwrap_or_default();
    let labels = members_service::api::labels::all();
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let mut checked = Vec::new();
    let mut missing = Vec::new();
    for (name, schema) in &schemas {
        let Some(values) = schema["enum"].as_array() else {
            continue;
        };
        if NOT_LABELLED.iter().any(|(n, _)| n == name) {
            continue;
        }
        let key = LABELLED_AS
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(|| snake_case(name), |(_, k)| (*k).to_owned());
        let Some(entry) = labels.get(key.as_str()) else {
            missing.push(format!("{name}: no labels under {key:?}"));
            continue;
        };
        for v in values {
            let v = v.as_str().unwrap_or_default();
            if entry.get(v).is_none_or(|l| l.trim().is_empty()) {
                missing.push(format!("{name}: {key}.{v} has no label"));
            }
        }
        checked.push(name.clone());
    }
    assert!(
        missing.is_empty(),
        "enums of the contract without labels:\n{}",
        missing.join("\n")
    );
    // The seven the issue found missing are among those checked, and the exemptions are real.
    for name in [
        "ActivityKind",
        "AgendaItemKind",
        "AttendanceStatus",
        "ApplicationAction",
        "Cardinality",
        "FillRoute",
        "Role",
    ] {
        assert!(
            checked.iter().any(|c| c == name),
            "{name} is not an enum of the contract"
        );
    }
    for (name, _) in NOT_LABELLED {
        assert!(
            schemas[name]["enum"].is_array(),
            "{name} is exempt but is no enum of the contract"
        );
    }
}

#[test]
fn labels_name_no_value_the_enum_does_not_have() {
    let doc = serde_json::to_value(openapi::merged()).unwrap_or_default();
    let schemas = &doc["components"]["schemas"];
    let by_key: BTreeMap<String, &Value> = schemas
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, s)| s["enum"].is_array())
        .map(|(n, s)| (snake_case(n), s))
        .collect();
    for (key, values) in members_service::api::labels::all() {
        // Enums of the domain that the contract shows as text (dismissal ground, eligibility
        // issue) have no schema to compare with.
        let Some(schema) = by_key.get(key) else { continue };
        for v in values.keys() {
            assert!(
                schema["enum"].as_array().into_iter().flatten().any(|e| e == v),
                "labels {key}.{v} is not a value of the contract's enum"
            );
        }
    }
}
