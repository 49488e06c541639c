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
fn committed_events_json_matches_the_code() {
    let committed = std::fs::read_to_string(openapi::committed_events_path()).unwrap_or_default();
    assert!(
        committed == openapi::events_json(),
        "openapi/events.json differs from the event types; regenerate it with `cargo run -p openapi --bin generate-openapi`"
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

/// issue 9: every operation declares who may call it (`x-roles`, see `openapi::ROLES_EXTENSION`),
/// public ones exactly those without a token, and every other one documents 401 and 403.
#[test]
fn every_operation_declares_who_may_call_it() {
    let doc = openapi::merged();
    let json: serde_json::Value = serde_json::from_str(&openapi::merged_json()).unwrap_or_default();
    let mut problems = Vec::new();
    let mut count = 0;
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("get", item.get.as_ref()),
            ("put", item.put.as_ref()),
            ("post", item.post.as_ref()),
            ("delete", item.delete.as_ref()),
            ("patch", item.patch.as_ref()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            count += 1;
            let allowed = match openapi::allowed_callers(op) {
                Ok(a) => a,
                Err(e) => {
                    problems.push(format!("{method} {path}: {e}"));
                    continue;
                }
            };
            let op_json = &json["paths"][path][method];
            let public = allowed.contains(&openapi::Allowed::Public);
            let no_token = op_json["security"] == serde_json::json!([{}]);
            if public && allowed.len() > 1 {
                problems.push(format!("{method} {path}: `public` lists other callers too"));
            }
            if public != no_token {
                problems.push(format!(
                    "{method} {path}: x-roles says public={public}, but its security says no token={no_token}"
                ));
            }
            if !op_json["description"]
                .as_str()
                .is_some_and(|d| d.contains("Who may call:**"))
            {
                problems.push(format!("{method} {path}: the description does not say who may call it"));
            }
            if !public {
                for status in ["401", "403"] {
                    let schema = &op_json["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"];
                    if schema != "#/components/schemas/Problem" {
                        problems.push(format!("{method} {path}: {status} is not documented as a problem"));
                    }
                }
            }
        }
    }
    assert!(count >= 80, "only {count} operations");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn role_entries_parse_and_unknown_ones_are_refused() {
    use openapi::Allowed;
    assert_eq!(Allowed::parse("admin"), Ok(Allowed::Role("admin")));
    assert_eq!(
        Allowed::parse("service:members:read"),
        Ok(Allowed::ServiceScope("members:read".into()))
    );
    assert_eq!(
        Allowed::parse("unit_contact:own_unit"),
        Ok(Allowed::Own("unit_contact", "own_unit"))
    );
    assert_eq!(Allowed::parse("public"), Ok(Allowed::Public));
    for bad in ["root", "admin:everything", "service:", "Member", ""] {
        assert!(Allowed::parse(bad).is_err(), "{bad:?} was accepted");
    }
    assert_eq!(
        Allowed::Own("member", "own_record").describe(),
        "成员本人，仅本人记录 (member, own record only)"
    );
}
