//! OpenAPI 3.1's document-level forms, rewritten into what the 3.0 model (`openapiv3`) reads,
//! before the schema walk of [`super::normalize`]:
//!
//! - an operation without `responses` (optional in 3.1) gets an empty `responses`;
//! - a path item given as `$ref: '#/components/pathItems/X'` is replaced by that item (its own
//!   `summary`/`description` win), and `components.pathItems` is then dropped;
//! - `mutualTLS` security schemes, which a client meets in its TLS configuration rather than in
//!   a header, are dropped with every security alternative that needs them;
//! - `$defs` of a component schema become components of their own, named `<Schema>.<Def>`, and
//!   `#/components/schemas/<Schema>/$defs/<Def>` references are pointed at them;
//! - in a 3.1 document, a schema `$ref` with sibling keywords (which 3.1 applies, and 3.0
//!   ignored) becomes `allOf: [{$ref}]` beside those keywords, so an annotated reference keeps
//!   its description and a reference with extra properties is merged.

use serde_json::{Map, Value};

/// Longest chain of path item references followed.
const MAX_PATH_ITEM_CHAIN: usize = 16;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Applies the rewrites to a whole document.
pub fn rewrite(root: &mut Map<String, Value>) {
    let is_31 = root.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.1"));
    inline_path_items(root);
    drop_mutual_tls(root);
    hoist_defs(root);
    for section in ["paths", "webhooks"] {
        let Some(Value::Object(paths)) = root.get_mut(section) else { continue };
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for method in METHODS {
                if let Some(Value::Object(operation)) = item.get_mut(method) {
                    operation.entry("responses").or_insert_with(|| Value::Object(Map::new()));
                }
            }
        }
    }
    for (key, child) in root.iter_mut() {
        wrap_ref_siblings(key, child, false, is_31);
    }
}

/// Rewrites, in a 3.0 document (or a piece of one), each schema `$ref` beside one of the
/// [`APPLIED_SIBLINGS`] as [`rewrite`] does; nothing else.
pub(super) fn wrap_applied_siblings(root: &mut Map<String, Value>) {
    for (key, child) in root.iter_mut() {
        wrap_ref_siblings(key, child, false, false);
    }
}

/// Keywords beside a `$ref` that OpenAPI 3.0 ignores but validators apply (Prism among them),
/// and that authors write to be applied: Cloudflare's `{$ref: Policy, required: [..]}` for a
/// create body, `minProperties: 1` for an update, `minLength` on an identifier. A 3.0
/// reference with one of them is rewritten as in 3.1 (its other siblings, ignored by 3.0,
/// are dropped), so the model asks for what a server checks.
pub(super) const APPLIED_SIBLINGS: [&str; 4] = ["required", "minProperties", "minLength", "minItems"];

fn inline_path_items(root: &mut Map<String, Value>) {
    let items = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|components| components.remove("pathItems"))
        .and_then(|items| match items {
            Value::Object(items) => Some(items),
            _ => None,
        })
        .unwrap_or_default();
    for section in ["paths", "webhooks"] {
        let Some(Value::Object(paths)) = root.get_mut(section) else { continue };
        inline_section(paths, &items);
    }
}

/// Replaces each `$ref` path item of `paths` (the paths or the webhooks) with its target.
fn inline_section(paths: &mut Map<String, Value>, items: &Map<String, Value>) {
    for item in paths.values_mut() {
        let mut chain = 0;
        while let Some(Value::Object(object)) = Some(&mut *item) {
            let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/pathItems/"))
                .map(crate::pointer::decode_token)
            else {
                break;
            };
            chain += 1;
            let Some(Value::Object(target)) = items.get(&name).filter(|_| chain <= MAX_PATH_ITEM_CHAIN) else {
                // An unknown target is left for the parser to report where it is.
                break;
            };
            let mut merged = target.clone();
            object.remove("$ref");
            for (key, value) in std::mem::take(object) {
                merged.insert(key, value);
            }
            *object = merged;
        }
    }
}

fn drop_mutual_tls(root: &mut Map<String, Value>) {
    let Some(schemes) =
        root.get_mut("components").and_then(|c| c.get_mut("securitySchemes")).and_then(Value::as_object_mut)
    else {
        return;
    };
    let mutual: Vec<String> = schemes
        .iter()
        .filter(|(_, scheme)| scheme.get("type").and_then(Value::as_str) == Some("mutualTLS"))
        .map(|(name, _)| name.clone())
        .collect();
    if mutual.is_empty() {
        return;
    }
    schemes.retain(|name, _| !mutual.contains(name));
    let keep = |requirements: &mut Value| {
        if let Value::Array(list) = requirements {
            list.retain(|requirement| {
                requirement.as_object().is_none_or(|r| !r.keys().any(|name| mutual.contains(name)))
            });
        }
    };
    if let Some(requirements) = root.get_mut("security") {
        keep(requirements);
    }
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(requirements) = item.get_mut(method).and_then(|op| op.get_mut("security")) {
                    keep(requirements);
                }
            }
        }
    }
}

fn hoist_defs(root: &mut Map<String, Value>) {
    let Some(schemas) = root.get_mut("components").and_then(|c| c.get_mut("schemas")).and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut hoisted = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|s| s.remove("$defs")) {
            for (def, value) in defs {
                hoisted.push((name.clone(), def, value));
            }
        }
    }
    if hoisted.is_empty() {
        return;
    }
    let mut renames = Vec::new();
    for (owner, def, value) in hoisted {
        let mut name = format!("{owner}.{def}");
        while schemas.contains_key(&name) {
            name.push('_');
        }
        renames.push((
            format!("#/components/schemas/{}/$defs/{}", crate::pointer::token(&owner), crate::pointer::token(&def)),
            format!("#/components/schemas/{}", crate::pointer::token(&name)),
        ));
        schemas.insert(name, value);
    }
    for value in root.values_mut() {
        retarget(value, &renames);
    }
}

/// Points `$ref`s at hoisted definitions.
fn retarget(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                if let Some((_, to)) = renames.iter().find(|(from, _)| from == reference) {
                    *reference = to.clone();
                }
            }
            for (key, child) in object.iter_mut() {
                if !matches!(key.as_str(), "example" | "examples" | "default" | "enum" | "const") {
                    retarget(child, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| retarget(item, renames)),
        _ => {}
    }
}

/// Rewrites `{$ref, siblings...}` schemas as `{allOf: [{$ref}], siblings...}`. `in_schema`
/// says whether `value` is a schema (only schemas are rewritten; data is never entered);
/// without `all`, only references with an [`APPLIED_SIBLINGS`] keyword are.
fn wrap_ref_siblings(key: &str, value: &mut Value, in_schema: bool, all: bool) {
    if matches!(key, "example" | "examples" | "default" | "enum" | "const") || key.starts_with("x-") {
        return;
    }
    match value {
        Value::Object(object) => {
            let schema = in_schema || matches!(key, "schema");
            let wrapped = |k: &String| match all {
                true => k != "$ref" && !k.starts_with("x-"),
                false => APPLIED_SIBLINGS.contains(&k.as_str()),
            };
            if schema && object.contains_key("$ref") && object.keys().any(wrapped) {
                if !all {
                    // 3.0 ignores the other siblings (a description beside a reference).
                    object.retain(|k, _| k == "$ref" || k.starts_with("x-") || APPLIED_SIBLINGS.contains(&k.as_str()));
                }
                if let Some(reference) = object.remove("$ref") {
                    let member = Value::Object(Map::from_iter([("$ref".to_string(), reference)]));
                    match object.get_mut("allOf") {
                        Some(Value::Array(all_of)) => all_of.insert(0, member),
                        _ => {
                            object.insert("allOf".into(), Value::Array(vec![member]));
                        }
                    }
                }
            }
            let schemas_map = key == "schemas" && !in_schema;
            for (child_key, child) in object.iter_mut() {
                let child_is_schema = schemas_map
                    || (schema
                        && matches!(
                            child_key.as_str(),
                            "items" | "not" | "additionalProperties" | "allOf" | "oneOf" | "anyOf" | "prefixItems"
                        ))
                    || child_key == "schema";
                if schema && matches!(child_key.as_str(), "properties" | "patternProperties") {
                    if let Value::Object(properties) = child {
                        for property in properties.values_mut() {
                            wrap_ref_siblings("", property, true, all);
                        }
                    }
                    continue;
                }
                wrap_ref_siblings(child_key, child, child_is_schema, all);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| wrap_ref_siblings("", item, in_schema, all)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn rewritten(document: Value) -> Value {
        let mut document = document;
        super::rewrite(document.as_object_mut().unwrap());
        document
    }

    use serde_json::Value;

    #[test]
    fn operations_without_responses_get_empty_ones() {
        let document = rewritten(json!({"openapi": "3.1.0", "paths": {"/a": {"post": {}, "parameters": []}}}));
        assert_eq!(document["paths"]["/a"]["post"]["responses"], json!({}));
        assert_eq!(document["paths"]["/a"]["parameters"], json!([]));
    }

    #[test]
    fn path_item_references_are_inlined() {
        let document = rewritten(json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"$ref": "#/components/pathItems/A", "summary": "mine"}, "/b": {"$ref": "#/components/pathItems/B"}},
            "components": {"pathItems": {
                "A": {"summary": "theirs", "get": {"responses": {}}},
                "B": {"$ref": "#/components/pathItems/A"},
            }}
        }));
        assert_eq!(document["paths"]["/a"], json!({"summary": "mine", "get": {"responses": {}}}));
        assert_eq!(document["paths"]["/b"], json!({"summary": "theirs", "get": {"responses": {}}}));
        assert!(document["components"].get("pathItems").is_none());
    }

    #[test]
    fn mutual_tls_schemes_and_the_alternatives_needing_them_are_dropped() {
        let document = rewritten(json!({
            "openapi": "3.1.0",
            "security": [{"mtls": []}, {"token": []}],
            "paths": {"/a": {"get": {"security": [{"mtls": [], "token": []}], "responses": {}}}},
            "components": {"securitySchemes": {"mtls": {"type": "mutualTLS"}, "token": {"type": "http", "scheme": "bearer"}}}
        }));
        assert_eq!(document["security"], json!([{"token": []}]));
        assert_eq!(document["paths"]["/a"]["get"]["security"], json!([]));
        assert_eq!(document["components"]["securitySchemes"], json!({"token": {"type": "http", "scheme": "bearer"}}));
    }

    #[test]
    fn defs_become_components_and_references_follow() {
        let document = rewritten(json!({
            "openapi": "3.1.0",
            "components": {"schemas": {
                "Pet": {"properties": {"tag": {"$ref": "#/components/schemas/Pet/$defs/Tag"}}, "$defs": {"Tag": {"type": "string"}}},
            }}
        }));
        let schemas = &document["components"]["schemas"];
        assert_eq!(schemas["Pet.Tag"], json!({"type": "string"}));
        assert_eq!(schemas["Pet"]["properties"]["tag"]["$ref"], "#/components/schemas/Pet.Tag");
    }

    #[test]
    fn validation_siblings_of_a_reference_apply_in_30_too() {
        let document = rewritten(json!({
            "openapi": "3.0.3",
            "components": {"schemas": {
                "Create": {"$ref": "#/components/schemas/Policy", "required": ["name"], "description": "New"},
                "Update": {"$ref": "#/components/schemas/Policy", "minProperties": 1},
                "Ids": {"type": "array", "items": {"$ref": "#/components/schemas/Id", "minLength": 36}},
                "Noted": {"$ref": "#/components/schemas/Policy", "description": "Only a note"},
            }}
        }));
        let schemas = &document["components"]["schemas"];
        let policy = json!([{"$ref": "#/components/schemas/Policy"}]);
        // The description beside it stays ignored, as 3.0 says.
        assert_eq!(schemas["Create"], json!({"allOf": policy, "required": ["name"]}));
        assert_eq!(schemas["Update"], json!({"allOf": policy, "minProperties": 1}));
        assert_eq!(schemas["Ids"]["items"], json!({"allOf": [{"$ref": "#/components/schemas/Id"}], "minLength": 36}));
        assert_eq!(schemas["Noted"], json!({"$ref": "#/components/schemas/Policy", "description": "Only a note"}));
    }

    #[test]
    fn reference_siblings_apply_in_31_only() {
        let document = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {"responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/B", "description": "An A", "example": {"$ref": "data"}}
            }}}}}}},
            "components": {"schemas": {
                "B": {"properties": {"c": {"$ref": "#/components/schemas/C", "description": "The c"}, "d": {"$ref": "#/components/schemas/C"}}},
                "C": {"type": "string"}
            }}
        });
        let rewritten_31 = rewritten(document.clone());
        let schema = &rewritten_31["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema,
            &json!({"allOf": [{"$ref": "#/components/schemas/B"}], "description": "An A", "example": {"$ref": "data"}})
        );
        let b = &rewritten_31["components"]["schemas"]["B"]["properties"];
        assert_eq!(b["c"], json!({"allOf": [{"$ref": "#/components/schemas/C"}], "description": "The c"}));
        assert_eq!(b["d"], json!({"$ref": "#/components/schemas/C"}));
        let mut document_30 = document;
        document_30["openapi"] = json!("3.0.3");
        let rewritten_30 = rewritten(document_30.clone());
        assert_eq!(rewritten_30, document_30);
    }
}
