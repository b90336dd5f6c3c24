//! Finding the deepest node that fails typed parsing, for precise error pointers.
//!
//! `openapiv3` deserializes several types through `flatten` and hand-written visitors, which
//! hide where inside them a mismatch happened: an error in one parameter surfaces as an
//! error at `#/paths`. When the whole document fails, this module re-parses it piece by
//! piece (path items, operations, parameters, bodies, responses, schemas, components) and
//! reports the innermost piece that still fails on its own.

use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema, SecurityScheme};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::pointer;

use crate::HTTP_METHODS as METHODS;

/// The innermost failing node: its pointer and the parser's message.
pub fn locate(document: &Value) -> Option<(String, String)> {
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if path.starts_with("x-") {
                continue;
            }
            let pointer = format!("#/paths/{}", pointer::token(path));
            if let Some(found) = path_item(item, &pointer) {
                return Some(found);
            }
        }
    }
    let components = document.get("components").and_then(Value::as_object)?;
    for (section, entries) in components {
        let Some(entries) = entries.as_object() else { continue };
        for (name, entry) in entries {
            let pointer = format!("#/components/{section}/{}", pointer::token(name));
            let found = match section.as_str() {
                "schemas" => schema(entry, &pointer),
                "parameters" => parameter(entry, &pointer),
                "requestBodies" => request_body(entry, &pointer),
                "responses" => response(entry, &pointer),
                "securitySchemes" => fails::<ReferenceOr<SecurityScheme>>(entry, &pointer),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// Parses `value` as `T` alone; on failure, the pointer (with the inner path) and message.
fn fails<T: DeserializeOwned>(value: &Value, pointer: &str) -> Option<(String, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => None,
        Err(error) => {
            let mut at = pointer.to_string();
            for segment in error.path().iter() {
                use serde_path_to_error::Segment;
                match segment {
                    Segment::Seq { index } => at.push_str(&format!("/{index}")),
                    Segment::Map { key } => at.push_str(&format!("/{}", pointer::token(key))),
                    Segment::Enum { .. } | Segment::Unknown => {}
                }
            }
            Some((at, error.into_inner().to_string()))
        }
    }
}

fn children<'a>(value: &'a Value, pointer: &str, key: &str) -> Vec<(&'a Value, String)> {
    match value.get(key) {
        Some(Value::Object(map)) => {
            map.iter().map(|(k, v)| (v, format!("{pointer}/{key}/{}", pointer::token(k)))).collect()
        }
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| (v, format!("{pointer}/{key}/{i}"))).collect()
        }
        _ => Vec::new(),
    }
}

fn path_item(value: &Value, pointer: &str) -> Option<(String, String)> {
    fails::<ReferenceOr<PathItem>>(value, pointer)?;
    for (child, at) in children(value, pointer, "parameters") {
        if let Some(found) = parameter(child, &at) {
            return Some(found);
        }
    }
    for method in METHODS {
        if let Some(operation) = value.get(method) {
            let at = format!("{pointer}/{method}");
            if let Some(found) = self::operation(operation, &at) {
                return Some(found);
            }
        }
    }
    fails::<ReferenceOr<PathItem>>(value, pointer)
}

fn operation(value: &Value, pointer: &str) -> Option<(String, String)> {
    fails::<Operation>(value, pointer)?;
    for (child, at) in children(value, pointer, "parameters") {
        if let Some(found) = parameter(child, &at) {
            return Some(found);
        }
    }
    if let Some(body) = value.get("requestBody") {
        if let Some(found) = request_body(body, &format!("{pointer}/requestBody")) {
            return Some(found);
        }
    }
    for (child, at) in children(value, pointer, "responses") {
        if let Some(found) = response(child, &at) {
            return Some(found);
        }
    }
    fails::<Operation>(value, pointer)
}

fn parameter(value: &Value, pointer: &str) -> Option<(String, String)> {
    fails::<ReferenceOr<Parameter>>(value, pointer)?;
    if let Some(found) = value.get("schema").and_then(|s| schema(s, &format!("{pointer}/schema"))) {
        return Some(found);
    }
    fails::<ReferenceOr<Parameter>>(value, pointer)
}

fn request_body(value: &Value, pointer: &str) -> Option<(String, String)> {
    fails::<ReferenceOr<RequestBody>>(value, pointer)?;
    content(value, pointer).or_else(|| fails::<ReferenceOr<RequestBody>>(value, pointer))
}

fn response(value: &Value, pointer: &str) -> Option<(String, String)> {
    fails::<ReferenceOr<Response>>(value, pointer)?;
    content(value, pointer).or_else(|| fails::<ReferenceOr<Response>>(value, pointer))
}

fn content(value: &Value, pointer: &str) -> Option<(String, String)> {
    for (media, at) in children(value, pointer, "content") {
        if let Some(found) = media.get("schema").and_then(|s| schema(s, &format!("{at}/schema"))) {
            return Some(found);
        }
    }
    None
}

fn schema(value: &Value, pointer: &str) -> Option<(String, String)> {
    fails::<ReferenceOr<Schema>>(value, pointer)?;
    let mut nested = children(value, pointer, "properties");
    for key in ["allOf", "oneOf", "anyOf"] {
        nested.extend(children(value, pointer, key));
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = value.get(key).filter(|c| c.is_object()) {
            nested.push((child, format!("{pointer}/{key}")));
        }
    }
    for (child, at) in nested {
        if let Some(found) = schema(child, &at) {
            return Some(found);
        }
    }
    fails::<ReferenceOr<Schema>>(value, pointer)
}
