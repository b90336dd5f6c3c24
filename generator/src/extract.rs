//! Extracting a self-contained fragment from a large document: chosen operations plus the
//! transitive closure of everything they reference.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::SpecProblem;

use crate::HTTP_METHODS as METHODS;

/// Builds a document holding only the operations with the given ids, the path-level
/// parameters of their paths, the components they reference (transitively), the security
/// schemes they use, and the source's `openapi`, `info` and `servers`. Everything keeps the
/// source document's order.
pub fn extract(document: &Value, operation_ids: &[String]) -> Result<Value, SpecProblem> {
    let wanted: BTreeSet<&str> = operation_ids.iter().map(String::as_str).collect();
    let mut found = BTreeSet::new();
    let mut paths = Map::new();
    let source_paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| SpecProblem::new("#/paths", "the document has no paths"))?;
    let mut security_names = BTreeSet::new();
    for (path, item) in source_paths {
        let Some(item) = item.as_object() else { continue };
        let mut kept = Map::new();
        for (key, value) in item {
            let is_method = METHODS.contains(&key.as_str());
            if is_method {
                let id = value.get("operationId").and_then(Value::as_str).unwrap_or("");
                if wanted.contains(id) {
                    found.insert(id.to_string());
                    kept.insert(key.clone(), value.clone());
                    let security = value.get("security").or_else(|| document.get("security"));
                    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
                        security_names
                            .extend(requirement.as_object().into_iter().flatten().map(|(name, _)| name.clone()));
                    }
                }
            }
        }
        if !kept.is_empty() {
            // Path-level keys (parameters, servers, summary) apply to the kept operations too.
            let mut with_shared = Map::new();
            for (key, value) in item {
                if !METHODS.contains(&key.as_str()) || kept.contains_key(key) {
                    with_shared.insert(key.clone(), value.clone());
                }
            }
            paths.insert(path.clone(), Value::Object(with_shared));
        }
    }
    let missing: Vec<&str> = wanted.iter().filter(|id| !found.contains(**id)).copied().collect();
    if !missing.is_empty() {
        return Err(SpecProblem::new("#/paths", format!("no operation with operationId {}", missing.join(", "))));
    }

    // Transitive closure of `$ref`s into components.
    let components = document.get("components").and_then(Value::as_object);
    let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut queue: Vec<Value> = vec![Value::Object(paths.clone())];
    while let Some(node) = queue.pop() {
        let mut references = Vec::new();
        collect_refs(&node, &mut references);
        for reference in references {
            let Some(rest) = reference.strip_prefix("#/components/") else {
                return Err(SpecProblem::new(
                    "#",
                    format!("cannot extract `$ref: {reference}`: only references into #/components are supported"),
                ));
            };
            let Some((section, name)) = rest.split_once('/') else { continue };
            let name = crate::pointer::decode_token(name);
            let target = components.and_then(|c| c.get(section)).and_then(|s| s.get(&name));
            let Some(target) = target else {
                return Err(SpecProblem::new("#", format!("`$ref: {reference}` points to nothing")));
            };
            if needed.entry(section.to_string()).or_default().insert(name) {
                queue.push(target.clone());
            }
        }
    }
    if !security_names.is_empty() {
        needed.entry("securitySchemes".into()).or_default().extend(security_names);
    }

    let mut out_components = Map::new();
    if let Some(components) = components {
        for (section, entries) in components {
            let Some(names) = needed.get(section) else { continue };
            let Some(entries) = entries.as_object() else { continue };
            let kept: Map<String, Value> =
                entries.iter().filter(|(name, _)| names.contains(*name)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if !kept.is_empty() {
                out_components.insert(section.clone(), Value::Object(kept));
            }
        }
    }
    let mut out = Map::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(value) = document.get(key) {
            out.insert(key.to_string(), value.clone());
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    out.insert("components".into(), Value::Object(out_components));
    Ok(Value::Object(out))
}

fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref") {
                out.push(reference.clone());
            }
            for value in object.values() {
                collect_refs(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// The extracted document as YAML, with a header saying where it came from.
///
/// The header's comment lines name the source file and the operation ids, with every control
/// or line-breaking character escaped (as in error messages), so neither can end the comment
/// and start YAML of its own; the document itself is written by the YAML serializer alone.
pub fn to_yaml(fragment: &Value, source: &str, operation_ids: &[String]) -> Result<String, SpecProblem> {
    let body = serde_yaml::to_string(fragment)
        .map_err(|error| SpecProblem::new("#", format!("cannot write the fragment as YAML: {error}")))?;
    let operations: Vec<String> = operation_ids.iter().map(|id| comment_text(id)).collect();
    Ok(format!(
        "# Extracted by `sdkgen extract` from {}\n# operations: {}\n# Regenerate with the same command against a newer document; do not edit by hand.\n{body}",
        comment_text(source),
        operations.join(", ")
    ))
}

/// Text safe inside a YAML comment line: control characters (line breaks included), the
/// Unicode line and paragraph separators (line breaks to YAML 1.1 parsers) and bidirectional
/// formatting characters are written as escapes such as `\u{a}`.
fn comment_text(text: &str) -> String {
    crate::error::escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_cannot_start_yaml_of_its_own() {
        let fragment = serde_json::json!({"openapi": "3.0.3", "paths": {}});
        let ids = ["a\nevil: 1".to_string(), "b\r\u{2028}c: 2\u{85}d: 3".to_string()];
        let text = to_yaml(&fragment, "x\ny: 1.yaml", &ids).unwrap();
        let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let keys: Vec<&str> = value.as_mapping().unwrap().keys().filter_map(serde_yaml::Value::as_str).collect();
        assert_eq!(keys, ["openapi", "paths"]);
        assert!(
            text.starts_with("# Extracted by `sdkgen extract` from x\\u{a}y: 1.yaml\n# operations: a\\u{a}evil: 1, "),
            "{text}"
        );
        assert_eq!(text.lines().filter(|line| !line.starts_with('#')).count(), 2, "{text}");
    }
}
