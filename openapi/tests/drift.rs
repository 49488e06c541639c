//! The committed contract must equal what the code generates.

#[test]
fn committed_openapi_json_matches_the_code() {
    let committed = std::fs::read_to_string(openapi::committed_path()).unwrap_or_default();
    let generated = openapi::merged_json();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code; regenerate it with `cargo run -p openapi --bin generate-openapi`"
    );
}

#[test]
fn every_service_contributes_operations_and_public_ones_stay_public() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::merged_json()).unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for prefix in [
        "/api/v1/auth/",
        "/api/v1/members/",
        "/api/v1/meetings/",
        "/api/v1/documents",
    ] {
        assert!(
            paths.keys().any(|p| p.starts_with(prefix)),
            "no operation under {prefix}"
        );
    }
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.1")), Some(true));
    assert_eq!(doc["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(
        doc["paths"]["/api/v1/auth/token"]["post"]["security"],
        serde_json::json!([{}])
    );
}

#[test]
fn operation_ids_are_unique_and_responses_described() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::merged_json()).unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            assert!(
                seen.insert(id.clone()),
                "operationId {id} is used twice ({method} {path})"
            );
            for (status, r) in op["responses"].as_object().cloned().unwrap_or_default() {
                assert!(
                    r["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    assert_eq!(
        openapi::operation_id("get", "/api/v1/members/bodies/{id}"),
        "get_members_bodies_by_id"
    );
    // A top-level collection beside a nested one of the same name keeps the nested one's id.
    assert_eq!(
        doc["paths"]["/api/v1/documents/deliveries"]["get"]["operationId"],
        "get_documents_deliveries_all"
    );
    assert_eq!(
        doc["paths"]["/api/v1/documents/{serial}/deliveries"]["get"]["operationId"],
        "get_documents_deliveries"
    );
    assert_eq!(
        openapi::operation_id("post", "/api/v1/members/bodies/{id}/terms"),
        "post_members_bodies_terms"
    );
}
