//! Issue 9: what the contract states beyond single fields, checked against the code's lists.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use utoipa::OpenApi;

fn merged() -> Value {
    serde_json::from_str(&openapi::merged_json()).unwrap_or_default()
}

/// `service_kit::query::INTEGER_PARAMS` (integral numbers such as `12.0` read as integers) names
/// exactly the contract's integer query parameters, and no other query parameter has such a name.
#[test]
fn integer_query_parameters_are_the_ones_read_as_integers() {
    let doc = merged();
    let mut integer = BTreeSet::new();
    let mut other = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            for p in op["parameters"].as_array().cloned().unwrap_or_default() {
                if p["in"] != "query" {
                    continue;
                }
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let t = &p["schema"]["type"];
                if t == "integer" || t.as_array().is_some_and(|ts| ts.contains(&json!("integer"))) {
                    integer.insert(name);
                } else {
                    other.insert(format!("{name} ({method} {path})"));
                }
            }
        }
    }
    let listed: BTreeSet<String> = service_kit::query::INTEGER_PARAMS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(integer, listed);
    let clashes: Vec<&String> = other
        .iter()
        .filter(|o| listed.iter().any(|n| o.starts_with(&format!("{n} "))))
        .collect();
    assert!(
        clashes.is_empty(),
        "non-integer query parameters named like integer ones: {clashes:?}"
    );
}

/// The conditions between fields that the handlers enforce are in the schemas (`allOf`).
#[test]
fn conditions_between_fields_are_stated() {
    let doc = merged();
    let s = &doc["components"]["schemas"];
    let all_of = |name: &str| s[name]["allOf"].to_string();
    assert!(all_of("ActivityUpdate").contains(r#""then":{"properties":{"reason""#));
    assert!(all_of("NewAnnualDocument").contains("anyOf"));
    assert!(all_of("TransitionRequest").contains("record_election"));
    assert!(all_of("TransitionRequest").contains("withdraw"));
    assert!(all_of("NewCommendation").contains("oneOf"));
    assert!(all_of("NewBatch").contains("oneOf"));
    let votes = &s["CandidateVotes"]["properties"]["votes_for"];
    assert_eq!(
        (votes["minimum"].as_i64(), votes["maximum"].as_i64()),
        (Some(0), Some(1_000_000))
    );
}

/// Two services' schemas of one name would merge into one (the first wins, silently): each
/// component name is used by one service, or means the same schema in each.
#[test]
fn no_component_name_means_two_schemas() {
    let docs = [
        ("gateway", gateway::ApiDoc::openapi()),
        ("members", members_service::ApiDoc::openapi()),
        ("meetings", meetings_service::ApiDoc::openapi()),
        ("documents", documents_service::ApiDoc::openapi()),
    ];
    let mut seen: BTreeMap<String, (&str, Value)> = BTreeMap::new();
    let mut clashes = Vec::new();
    for (service, doc) in &docs {
        let v = serde_json::to_value(doc).unwrap_or_default();
        for (name, schema) in v["components"]["schemas"].as_object().cloned().unwrap_or_default() {
            match seen.get(&name) {
                Some((first, earlier)) if *earlier != schema => clashes.push(format!("{name}: {first} and {service}")),
                Some(_) => {}
                None => {
                    seen.insert(name, (service, schema));
                }
            }
        }
    }
    assert!(clashes.is_empty(), "{clashes:?}");
}
