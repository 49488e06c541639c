//! Conditions between the fields of a request body that the code enforces and utoipa's derive
//! cannot state (`if`/`then`, "this field or that one"), added to the component schema as JSON
//! Schema 2020-12 `allOf` items, so the contract says every rule a schema can say.
//!
//! A service's `ApiDoc` lists a [`utoipa::Modify`] that calls [`add_condition`] for each such
//! rule, next to the handler that enforces it.

use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// Adds `condition` (a JSON Schema) to the `allOf` of the component schema `schema`: a request
/// body must satisfy it as well as the schema's properties. Panics when there is no such object
/// schema (a mistake in the service's document, caught by its contract test).
pub fn add_condition(doc: &mut OpenApi, schema: &str, condition: Value) {
    let object = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut(schema))
        .and_then(|s| match s {
            RefOr::T(Schema::Object(o)) => Some(o),
            _ => None,
        });
    let Some(object) = object else {
        panic!("no object schema {schema} to add a condition to");
    };
    let extensions = object.extensions.get_or_insert_with(Default::default);
    match extensions
        .entry("allOf".to_owned())
        .or_insert_with(|| Value::Array(vec![]))
    {
        Value::Array(items) => items.push(condition),
        other => *other = Value::Array(vec![other.take(), condition]),
    }
}

/// `{"if": {field: value, required}, "then": then}`: when `field` is given and equals one of
/// `values`, the body must also satisfy `then`.
pub fn when(field: &str, values: &[&str], then: Value) -> Value {
    let test = match values {
        [one] => serde_json::json!({ "const": one }),
        many => serde_json::json!({ "enum": many }),
    };
    serde_json::json!({
        "if": { "required": [field], "properties": { field: test } },
        "then": then,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use utoipa::openapi::{ComponentsBuilder, ObjectBuilder, OpenApiBuilder};

    #[test]
    fn conditions_land_in_all_of_in_order() {
        let mut doc = OpenApiBuilder::new()
            .components(Some(
                ComponentsBuilder::new()
                    .schema("Body", ObjectBuilder::new().property("a", ObjectBuilder::new()))
                    .build(),
            ))
            .build();
        add_condition(&mut doc, "Body", when("a", &["x"], json!({"required": ["b"]})));
        add_condition(&mut doc, "Body", json!({"anyOf": [{"required": ["c"]}]}));
        let v = serde_json::to_value(&doc).unwrap_or_default();
        assert_eq!(
            v["components"]["schemas"]["Body"]["allOf"],
            json!([
                {"if": {"required": ["a"], "properties": {"a": {"const": "x"}}}, "then": {"required": ["b"]}},
                {"anyOf": [{"required": ["c"]}]},
            ])
        );
        let two = when("a", &["x", "y"], json!({}));
        assert_eq!(two["if"]["properties"]["a"], json!({"enum": ["x", "y"]}));
    }

    #[test]
    #[should_panic(expected = "no object schema Missing")]
    fn a_missing_schema_is_a_mistake() {
        let mut doc = OpenApiBuilder::new().build();
        add_condition(&mut doc, "Missing", json!({}));
    }
}
