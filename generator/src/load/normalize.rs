//! Rewrites a raw document into what `openapiv3` (an OpenAPI 3.0 model) can parse, before typed
//! parsing: OpenAPI 3.1 schema forms become their 3.0 equivalents, and schema keywords of the
//! wrong JSON type (common in real documents) are repaired or dropped.
//!
//! The walk knows where schemas are: under `schema`, `components/schemas`, and inside a schema
//! under `properties`, `items`, `allOf`/`oneOf`/`anyOf`, `not`, `additionalProperties`,
//! `$defs`, ...; it never looks inside `example`, `examples`, `default`, `enum`, `const` or
//! `x-` extensions, whose contents are data, so a property named `const` or `type` is safe.
//!
//! 3.1 rewrites (applied to every document: in 3.0 these forms are invalid anyway):
//! - `type: [x, "null"]` becomes `type: x` + `nullable: true`; several non-null types become an
//!   `anyOf` of single-typed schemas; `type: "null"` becomes a nullable null-only enum;
//! - `const: v` becomes `enum: [v]`; schema `examples: [..]` becomes `example`;
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` + `true`;
//! - boolean schemas: `true` becomes `{}`, `false` becomes `{not: {}}` (a property whose
//!   schema is `false` is dropped);
//! - `prefixItems` (tuples) becomes `items: {}` when there is no `items`;
//! - top-level `jsonSchemaDialect` is dropped, a missing `paths` becomes `{}`; `webhooks` moves
//!   to the `x-sdkgen-webhooks` extension, which lowering reads;
//! - the document-level forms (optional `responses`, `components/pathItems`, `mutualTLS`,
//!   `$defs`, `$ref` siblings) are rewritten first, by [`super::openapi31`].
//!
//! Outside schemas: a callback given as a `$ref` (which `openapiv3` cannot read on an
//! operation, and which is not generated from) is dropped.
//!
//! Repairs (a keyword whose value has the wrong type): booleans written as strings are read,
//! numbers written as strings are parsed, non-negative integers written as floats are
//! truncated, a lone schema where a list is expected is wrapped, and anything else that cannot
//! be read (e.g. `pattern: 0`, `required: true` on a property) is dropped. These keywords only
//! refine validation or docs, so dropping them never changes the shape of the generated types.

use serde_json::{Map, Number, Value};

/// Normalizes a whole document.
pub fn normalize(mut document: Value) -> Value {
    let Some(root) = document.as_object_mut() else { return document };
    super::openapi31::rewrite(root);
    // The extension carries the webhooks past `openapiv3` (below); a document's own is not
    // taken for them.
    root.shift_remove(super::WEBHOOKS_EXTENSION);
    // Schemas are read by sdkgen's own rules whatever the dialect says.
    root.remove("jsonSchemaDialect");
    if !root.get("paths").is_some_and(Value::is_object) {
        // 3.1 makes `paths` optional; openapiv3 requires it.
        root.insert("paths".into(), Value::Object(Map::new()));
    }
    for (key, child) in root.iter_mut() {
        if !is_data_key(key) {
            walk_other(key, child);
        }
    }
    // 3.1's `webhooks` (normalised like the paths above) is no part of the 3.0 model that
    // `openapiv3` reads: it travels as an extension, which lowering reads back.
    if let Some(webhooks) = root.shift_remove("webhooks") {
        root.insert(super::WEBHOOKS_EXTENSION.into(), webhooks);
    }
    document
}

/// Keys whose values are data (or vendor extensions), never schemas to rewrite.
fn is_data_key(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum" | "const") || key.starts_with("x-")
}

/// A node that is not a schema: recurse until a `schema` or `schemas` key is found.
fn walk_other(key: &str, value: &mut Value) {
    match value {
        Value::Object(object) => {
            if key == "schemas" {
                object.values_mut().for_each(walk_schema);
                return;
            }
            if key == "callbacks" {
                // openapiv3 cannot read an operation's callback given as a `$ref`; callbacks
                // are not generated from, so such an entry is dropped.
                object.retain(|_, callback| callback.as_object().is_some_and(|c| !c.contains_key("$ref")));
            }
            for (child_key, child) in object.iter_mut() {
                if child_key == "schema" {
                    walk_schema(child);
                } else if !is_data_key(child_key) {
                    walk_other(child_key, child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk_other("", item)),
        _ => {}
    }
}

/// A schema (or a `$ref` to one).
fn walk_schema(value: &mut Value) {
    match value {
        Value::Bool(true) => *value = Value::Object(Map::new()),
        Value::Bool(false) => {
            *value = Value::Object(Map::from_iter([("not".to_string(), Value::Object(Map::new()))]));
        }
        Value::Object(object) => {
            rewrite_schema_keywords(object);
            for (key, child) in object.iter_mut() {
                match key.as_str() {
                    "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                        if let Value::Object(map) = child {
                            // A property whose schema is `false` can never be present.
                            map.retain(|_, property| property != &Value::Bool(false));
                            map.values_mut().for_each(walk_schema);
                        }
                    }
                    // `additionalProperties: true/false` is a 3.0 form openapiv3 reads as is.
                    "additionalProperties" if child.is_boolean() => {}
                    "items"
                    | "not"
                    | "additionalProperties"
                    | "contains"
                    | "propertyNames"
                    | "if"
                    | "then"
                    | "else"
                    | "unevaluatedProperties"
                    | "unevaluatedItems"
                    | "additionalItems" => walk_schema(child),
                    "allOf" | "oneOf" | "anyOf" | "prefixItems" => {
                        if let Value::Array(list) = child {
                            list.iter_mut().for_each(walk_schema);
                        }
                    }
                    _ => {}
                }
            }
        }
        // Not a schema at all (a string, a number, null): the closest is "anything".
        _ => *value = Value::Object(Map::new()),
    }
}

fn rewrite_schema_keywords(object: &mut Map<String, Value>) {
    if object.get("$ref").is_some_and(|r| !r.is_string()) {
        object.remove("$ref");
    }
    rewrite_type(object);
    if let Some(constant) = object.remove("const") {
        if !object.contains_key("enum") {
            object.insert("enum".into(), Value::Array(vec![constant]));
        }
    }
    match object.get("examples") {
        Some(Value::Array(examples)) => {
            // Only schema `examples` is a list in 3.1 (media-type `examples` is a map, and never
            // reaches here).
            let first = examples.first().cloned();
            object.remove("examples");
            if let Some(first) = first {
                object.entry("example").or_insert(first);
            }
        }
        Some(_) => {
            object.remove("examples");
        }
        None => {}
    }
    for (keyword, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(number)) = object.get(keyword).cloned() {
            object.insert(bound.into(), Value::Number(number));
            object.insert(keyword.into(), Value::Bool(true));
        }
    }
    if let Some(Value::Array(tuple)) = object.remove("prefixItems") {
        if !object.contains_key("items") {
            // A tuple has no 3.0 spelling; one item schema per position is the closest we can say.
            let items =
                if tuple.len() == 1 { tuple.into_iter().next().unwrap_or_default() } else { Value::Object(Map::new()) };
            object.insert("items".into(), items);
        }
    }
    repair_keywords(object);
}

fn rewrite_type(object: &mut Map<String, Value>) {
    match object.get("type").cloned() {
        Some(Value::Array(types)) => {
            let names: Vec<Value> = types.iter().filter(|t| t.is_string()).cloned().collect();
            let non_null: Vec<Value> = names.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
            if non_null.len() < names.len() {
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
                    // Several types: express as anyOf of single-typed schemas (unless the schema
                    // already has one, which then wins).
                    object.remove("type");
                    if !object.contains_key("anyOf") {
                        let alternatives = non_null
                            .into_iter()
                            .map(|t| Value::Object(Map::from_iter([("type".to_string(), t)])))
                            .collect();
                        object.insert("anyOf".into(), Value::Array(alternatives));
                    }
                }
            }
        }
        Some(Value::String(name)) if name == "null" => {
            object.remove("type");
            object.insert("nullable".into(), Value::Bool(true));
            object.insert("enum".into(), Value::Array(vec![Value::Null]));
        }
        Some(Value::String(_)) | None => {}
        Some(_) => {
            object.remove("type");
        }
    }
}

/// Repairs or drops schema keywords whose JSON type `openapiv3` would reject.
fn repair_keywords(object: &mut Map<String, Value>) {
    for keyword in
        ["nullable", "readOnly", "writeOnly", "deprecated", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum"]
    {
        repair(object, keyword, |value| match value {
            Value::Bool(_) => Fix::Keep,
            Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Fix::Replace(Value::Bool(true)),
                "false" => Fix::Replace(Value::Bool(false)),
                _ => Fix::Remove,
            },
            _ => Fix::Remove,
        });
    }
    for keyword in ["title", "description", "pattern", "format"] {
        repair(object, keyword, |value| match value {
            Value::String(_) => Fix::Keep,
            // A number or boolean written where text belongs is still meaningful as text
            // (except as a pattern, where it is a mistake).
            Value::Number(n) if keyword != "pattern" => Fix::Replace(Value::String(n.to_string())),
            Value::Bool(b) if keyword != "pattern" => Fix::Replace(Value::String(b.to_string())),
            _ => Fix::Remove,
        });
    }
    for keyword in ["multipleOf", "minimum", "maximum"] {
        repair(object, keyword, |value| match value {
            Value::Number(_) => Fix::Keep,
            Value::String(text) => {
                Fix::replace_or_remove(text.trim().parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number))
            }
            _ => Fix::Remove,
        });
    }
    for keyword in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
        repair(object, keyword, |value| {
            if value.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)) {
                return Fix::Keep;
            }
            let number = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(text) => text.trim().parse::<f64>().ok(),
                _ => None,
            };
            Fix::replace_or_remove(
                number.filter(|n| n.is_finite() && *n >= 0.0 && *n <= u32::MAX as f64).map(|n| Value::from(n as u64)),
            )
        });
    }
    repair(object, "required", |value| match value {
        Value::Array(names) if names.iter().all(Value::is_string) => Fix::Keep,
        Value::Array(names) => Fix::Replace(Value::Array(names.iter().filter(|n| n.is_string()).cloned().collect())),
        // `required: true` on a property schema is Swagger-2-era shorthand with no 3.0 meaning here.
        _ => Fix::Remove,
    });
    repair(object, "enum", |value| match value {
        Value::Array(_) => Fix::Keep,
        Value::Null => Fix::Remove,
        other => Fix::Replace(Value::Array(vec![other.clone()])),
    });
    repair(object, "properties", |value| if value.is_object() { Fix::Keep } else { Fix::Remove });
    repair(object, "additionalProperties", |value| match value {
        Value::Bool(_) | Value::Object(_) => Fix::Keep,
        _ => Fix::Remove,
    });
    repair(object, "items", |value| match value {
        Value::Object(_) => Fix::Keep,
        // Swagger-style tuple `items: [a, b]`: one schema for every position.
        Value::Array(list) if list.len() == 1 && list[0].is_object() => Fix::Replace(list[0].clone()),
        Value::Array(_) | Value::Bool(true) => Fix::Replace(Value::Object(Map::new())),
        _ => Fix::Remove,
    });
    for keyword in ["allOf", "oneOf", "anyOf"] {
        repair(object, keyword, |value| match value {
            Value::Array(list) if list.iter().all(|s| s.is_object() || s.is_boolean()) => Fix::Keep,
            Value::Array(list) => {
                Fix::Replace(Value::Array(list.iter().filter(|s| s.is_object() || s.is_boolean()).cloned().collect()))
            }
            Value::Object(_) => Fix::Replace(Value::Array(vec![value.clone()])),
            _ => Fix::Remove,
        });
    }
    repair(object, "not", |value| if value.is_object() { Fix::Keep } else { Fix::Remove });
    repair(object, "discriminator", |value| {
        let Some(object) = value.as_object() else { return Fix::Remove };
        if !object.get("propertyName").is_some_and(Value::is_string) {
            return Fix::Remove;
        }
        match object.get("mapping") {
            None => Fix::Keep,
            Some(Value::Object(mapping)) if mapping.values().all(Value::is_string) => Fix::Keep,
            Some(mapping) => {
                let mut repaired = object.clone();
                match mapping.as_object() {
                    Some(mapping) => {
                        let kept = mapping
                            .iter()
                            .filter(|(_, v)| v.is_string())
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        repaired.insert("mapping".into(), Value::Object(kept));
                    }
                    None => {
                        repaired.remove("mapping");
                    }
                }
                Fix::Replace(Value::Object(repaired))
            }
        }
    });
    repair(object, "externalDocs", |value| {
        if value.get("url").is_some_and(Value::is_string) {
            Fix::Keep
        } else {
            Fix::Remove
        }
    });
}

/// What to do with a keyword's value.
enum Fix {
    /// It is well-formed.
    Keep,
    /// It means something, spelled wrongly: use this instead.
    Replace(Value),
    /// It cannot be read as the keyword: drop it.
    Remove,
}

impl Fix {
    fn replace_or_remove(value: Option<Value>) -> Fix {
        value.map_or(Fix::Remove, Fix::Replace)
    }
}

/// Applies `fix` to `object[keyword]`, when present. Well-formed values (nearly all) are
/// left in place untouched, so the walk stays linear in the document's size.
fn repair(object: &mut Map<String, Value>, keyword: &str, fix: impl FnOnce(&Value) -> Fix) {
    let Some(value) = object.get(keyword) else { return };
    match fix(value) {
        Fix::Keep => {}
        Fix::Replace(fixed) => {
            object.insert(keyword.to_string(), fixed);
        }
        Fix::Remove => {
            object.remove(keyword);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::normalize;

    fn schema(value: serde_json::Value) -> serde_json::Value {
        let document = normalize(json!({"openapi": "3.1.0", "components": {"schemas": {"S": value}}}));
        document["components"]["schemas"]["S"].clone()
    }

    #[test]
    fn rewrites_31_forms() {
        assert_eq!(schema(json!({"type": ["string", "null"]})), json!({"type": "string", "nullable": true}));
        assert_eq!(
            schema(json!({"type": ["string", "integer"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        assert_eq!(schema(json!({"const": "a"})), json!({"enum": ["a"]}));
        assert_eq!(schema(json!({"examples": [1, 2]})), json!({"example": 1}));
        assert_eq!(
            schema(json!({"type": "integer", "exclusiveMinimum": 0})),
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
        );
        assert_eq!(schema(json!({"properties": {"a": true, "b": false}})), json!({"properties": {"a": {}}}));
        assert_eq!(
            schema(json!({"type": "array", "prefixItems": [{"type": "string"}]})),
            json!({"type": "array", "items": {"type": "string"}})
        );
    }

    #[test]
    fn property_names_and_data_are_not_keywords() {
        let s = schema(
            json!({"properties": {"const": {"type": "string"}, "type": {"type": ["string", "null"]}}, "example": {"const": 1}}),
        );
        assert_eq!(
            s,
            json!({"properties": {"const": {"type": "string"}, "type": {"type": "string", "nullable": true}}, "example": {"const": 1}})
        );
    }

    #[test]
    fn repairs_mistyped_keywords() {
        assert_eq!(schema(json!({"type": "string", "pattern": 0})), json!({"type": "string"}));
        assert_eq!(schema(json!({"type": "string", "required": true})), json!({"type": "string"}));
        assert_eq!(schema(json!({"type": "string", "nullable": "true"})), json!({"type": "string", "nullable": true}));
        assert_eq!(schema(json!({"type": "string", "maxLength": "10"})), json!({"type": "string", "maxLength": 10}));
        assert_eq!(schema(json!({"type": "number", "minimum": "1.5"})), json!({"type": "number", "minimum": 1.5}));
        assert_eq!(schema(json!({"type": "string", "description": 5})), json!({"type": "string", "description": "5"}));
    }

    #[test]
    fn webhooks_are_normalised_and_carried_in_the_extension() {
        let document = normalize(json!({
            "openapi": "3.1.0",
            "x-sdkgen-webhooks": {"forged": {}},
            "webhooks": {
                "a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": ["string", "null"]}}}}}},
                "b": {"$ref": "#/components/pathItems/B"}
            },
            "components": {"pathItems": {"B": {"post": {"responses": {}}}}}
        }));
        let webhooks = &document[super::super::WEBHOOKS_EXTENSION];
        assert!(webhooks.get("forged").is_none(), "{webhooks}");
        let a = &webhooks["a"]["post"];
        assert_eq!(
            a["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(a["responses"], json!({}));
        assert_eq!(webhooks["b"], json!({"post": {"responses": {}}}));
    }

    #[test]
    fn finds_schemas_in_operations_and_fills_paths() {
        let document = normalize(json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {"parameters": [{"name": "x", "in": "query", "schema": {"type": ["integer", "null"]}}]}}},
            "webhooks": {}
        }));
        assert_eq!(
            document["paths"]["/a"]["get"]["parameters"][0]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert!(document.get("webhooks").is_none());
        assert_eq!(document[super::super::WEBHOOKS_EXTENSION], json!({}));
        assert_eq!(normalize(json!({"openapi": "3.1.0"}))["paths"], json!({}));
        let callbacks = normalize(
            json!({"openapi": "3.0.0", "paths": {"/a": {"get": {"callbacks": {"c": {"$ref": "#/x"}, "d": {}}}}}}),
        );
        assert_eq!(callbacks["paths"]["/a"]["get"]["callbacks"], json!({"d": {}}));
    }
}
