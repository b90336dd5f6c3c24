//! Rewrites OpenAPI 3.1 schema forms into their 3.0 equivalents before typed parsing.
//!
//! `openapiv3` models 3.0. The 3.1 differences that matter for code generation are schema
//! keywords, so they are rewritten here on the raw JSON: `type: [x, "null"]` becomes
//! `type: x` + `nullable: true`, `const: v` becomes `enum: [v]`, `examples: [..]` becomes
//! `example`, and numeric `exclusiveMinimum`/`exclusiveMaximum` become the 3.0 boolean form.

use serde_json::{Map, Value};

/// Normalizes a whole document. 3.0 documents pass through unchanged.
pub fn normalize(mut document: Value) -> Value {
    let is_31 = document.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.1"));
    if is_31 {
        if let Some(components) = document.get_mut("components").and_then(Value::as_object_mut) {
            if let Some(schemas) = components.get_mut("schemas") {
                walk(schemas);
            }
        }
        if let Some(paths) = document.get_mut("paths") {
            walk(paths);
        }
        if let Some(object) = document.as_object_mut() {
            // 3.1's top-level `webhooks` is not an operation tree we generate from.
            object.remove("webhooks");
            object.remove("jsonSchemaDialect");
        }
    }
    document
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(object) => {
            rewrite_schema_keywords(object);
            for child in object.values_mut() {
                walk(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

fn rewrite_schema_keywords(object: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = object.get("type").cloned() {
        let non_null: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        if non_null.len() < types.len() {
            object.insert("nullable".into(), Value::Bool(true));
        }
        match non_null.len() {
            0 => {
                object.remove("type");
            }
            1 => {
                object.insert("type".into(), non_null[0].clone());
            }
            _ => {
                // Several types: express as anyOf of single-typed schemas.
                object.remove("type");
                let alternatives =
                    non_null.into_iter().map(|t| Value::Object(Map::from_iter([("type".to_string(), t)]))).collect();
                object.insert("anyOf".into(), Value::Array(alternatives));
            }
        }
    } else if object.get("type").and_then(Value::as_str) == Some("null") {
        object.remove("type");
        object.insert("nullable".into(), Value::Bool(true));
        object.insert("enum".into(), Value::Array(vec![Value::Null]));
    }
    if let Some(constant) = object.remove("const") {
        object.insert("enum".into(), Value::Array(vec![constant]));
    }
    if let Some(Value::Array(mut examples)) = object.get("examples").cloned() {
        // Only schema `examples` is a list; media-type `examples` is a map and stays.
        object.remove("examples");
        if !examples.is_empty() && !object.contains_key("example") {
            object.insert("example".into(), examples.swap_remove(0));
        }
    }
    for (keyword, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(number)) = object.get(keyword).cloned() {
            object.insert(bound.into(), Value::Number(number));
            object.insert(keyword.into(), Value::Bool(true));
        }
    }
}
