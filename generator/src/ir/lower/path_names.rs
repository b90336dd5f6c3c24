//! Default resource paths and method names, from the path's structure and the HTTP method,
//! for operations the configuration and the spec's naming extensions leave unnamed.
//!
//! - The resource path is the path's static segments in snake case: `{param}` segments,
//!   version segments (`v1`, `2010-04-01`) and file extensions (`.json`) are left out, and so
//!   is a leading scope, a `collection/{id}` prefix under which the document has many
//!   sub-resources (`/accounts/{account_id}/...`, `/repos/{owner}/{repo}/...`) or whose
//!   parameter is configured in `[naming] params_in_struct`.
//! - The method is the HTTP method read against the path's end: `list` and `create` on a
//!   collection (a path the document also has items below, or whose GET returns an array),
//!   `get`, `update` (PUT), `edit` (PATCH) and `delete` on an item or a single object. A POST
//!   to a non-plural segment after an item (`/runs/{id}/cancel`), or a POST, PUT or GET to a
//!   segment starting with a common verb (`/verify`, `/export`), is an action named by that
//!   segment, on the resource before it.
//!
//! Whether these names or the spec's tags and operationIds are used is decided once per
//! document ([`prefers_operation_ids`]); collisions are settled afterwards in
//! `resources::resolve_method_collisions`.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{ReferenceOr, Schema};

use crate::ir::naming;
use crate::ir::schema_view::SchemaView;
use crate::resolve::Resolver;

/// Distinct sub-resources a `collection/{id}` prefix must have for it to be a scope that
/// resource paths leave out (Cloudflare's `accounts/{account_id}` has hundreds; a pet store's
/// `pets/{id}` a few, and `pets.photos` reads better there than `photos`).
const SCOPE_CHILDREN: usize = 8;

/// First words of a final segment that make a POST to it an action rather than a creation.
const ACTION_VERBS: &[&str] = &[
    "accept",
    "activate",
    "approve",
    "archive",
    "cancel",
    "check",
    "clone",
    "complete",
    "confirm",
    "copy",
    "deactivate",
    "decline",
    "deploy",
    "disable",
    "discover",
    "enable",
    "evaluate",
    "execute",
    "export",
    "finalize",
    "generate",
    "import",
    "lock",
    "merge",
    "move",
    "pause",
    "preview",
    "publish",
    "purge",
    "query",
    "refresh",
    "reject",
    "render",
    "reorder",
    "rerun",
    "resend",
    "reset",
    "restore",
    "resume",
    "retry",
    "revoke",
    "rollback",
    "rotate",
    "run",
    "scan",
    "search",
    "send",
    "start",
    "stop",
    "submit",
    "sync",
    "test",
    "transfer",
    "trigger",
    "unlock",
    "validate",
    "verify",
    "watch",
];

/// How one document names operations that no extension names.
pub(super) struct Naming {
    /// Names from the path ([`PathNamer`]) rather than from tags and operationIds.
    pub(super) by_path: bool,
    /// The document's paths, for naming by path.
    pub(super) paths: PathNamer,
}

/// Whether a final segment names an action (`verify`, `purge_cache`).
fn is_action(segment: &str) -> bool {
    ACTION_VERBS.contains(&segment.split('_').next().unwrap_or_default())
}

/// One segment of a path template, as naming sees it.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Static(String),
    /// A parameter, by name.
    Param(String),
}

/// `v1`, `v2beta`, `2010-04-01`: segments naming an API version, not a resource.
fn is_version(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let date = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    let v_number = segment.len() > 1
        && matches!(bytes[0], b'v' | b'V')
        && bytes[1].is_ascii_digit()
        && segment[1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    date || v_number
}

/// The segments that name things: parameters, and static segments in snake case (empty and
/// version segments dropped, a file extension cut).
fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|raw| {
            if let Some(name) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                return Some(Segment::Param(name.to_string()));
            }
            let raw = [".json", ".xml", ".csv"].iter().find_map(|ext| raw.strip_suffix(ext)).unwrap_or(raw);
            if raw.is_empty() || is_version(raw) {
                return None;
            }
            // A segment mixing a literal and a parameter (`file.{format}`) keeps its literal.
            let literal: String = raw.split('{').next().unwrap_or_default().to_string();
            let name = naming::member(&literal);
            (!literal.trim_matches(|c: char| !c.is_alphanumeric()).is_empty()).then_some(Segment::Static(name))
        })
        .collect()
}

/// A path with its parameter names erased, for comparing paths: `/a/{}/b`.
fn shape(segments: &[Segment]) -> Vec<Option<&str>> {
    segments
        .iter()
        .map(|s| match s {
            Segment::Static(name) => Some(name.as_str()),
            Segment::Param(_) => None,
        })
        .collect()
}

/// What naming needs to know about the whole document: its scopes and its collections.
#[derive(Debug, Default)]
pub(super) struct PathNamer {
    /// First segments that, followed by a parameter, scope many sub-resources.
    scopes: BTreeSet<String>,
    /// Parameters that make the `collection/{param}` prefix they end a scope whatever its
    /// size (the configured `params_in_struct`: account and zone identifiers).
    scope_params: BTreeSet<String>,
    /// Paths (by [`shape`], joined) that have an item below them: `/a/{}/b` for `/a/{}/b/{}`.
    collections: BTreeSet<String>,
}

fn shape_key(shape: &[Option<&str>]) -> String {
    shape.iter().map(|s| s.unwrap_or("{}")).collect::<Vec<_>>().join("/")
}

impl PathNamer {
    /// Learns the document's scopes and collections from its path templates; `scope_params`
    /// are parameters that make a prefix a scope.
    pub(super) fn new<'p>(paths: impl IntoIterator<Item = &'p str>, scope_params: &[String]) -> Self {
        let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut collections = BTreeSet::new();
        for path in paths {
            let segments = segments(path);
            let shape = shape(&segments);
            if let [Some(first), None, rest @ ..] = shape.as_slice() {
                if let Some(child) = rest.iter().flatten().next() {
                    children.entry(first.to_string()).or_default().insert(child.to_string());
                }
            }
            for (i, segment) in shape.iter().enumerate().skip(1) {
                if segment.is_none() && shape[i - 1].is_some() {
                    collections.insert(shape_key(&shape[..i]));
                }
            }
        }
        let scopes = children.into_iter().filter(|(_, c)| c.len() >= SCOPE_CHILDREN).map(|(s, _)| s).collect();
        Self { scopes, collections, scope_params: scope_params.iter().cloned().collect() }
    }

    /// The resource path and method name of `method` (lower case) on `path`, or `None` when
    /// the path has no static segment to name a resource after. `returns_list`: the
    /// operation's success response is an array ([`returns_list`]), which makes a GET on a
    /// path with no item below it a `list` too.
    pub(super) fn name(&self, method: &str, path: &str, returns_list: bool) -> Option<(Vec<String>, String)> {
        let all = segments(path);
        let mut rest: &[Segment] = &all;
        while let [Segment::Param(_), tail @ ..] = rest {
            rest = tail;
        }
        if let [Segment::Static(first), Segment::Param(param), tail @ ..] = rest {
            let scope = self.scopes.contains(first) || self.scope_params.contains(param);
            if scope && tail.iter().any(|s| matches!(s, Segment::Static(_))) {
                rest = tail;
            }
        }
        let key = shape_key(&shape(&all));
        let is_collection = self.collections.contains(&key);
        let ends_at_item = matches!(rest.last(), Some(Segment::Param(_)));
        let after_item = rest.len() >= 2 && matches!(rest[rest.len() - 2], Segment::Param(_));
        let mut statics: Vec<String> = rest
            .iter()
            .filter_map(|s| match s {
                Segment::Static(name) => Some(name.clone()),
                Segment::Param(_) => None,
            })
            .collect();
        let last = statics.last()?.clone();
        let verb = match (method, ends_at_item) {
            ("get", true) => "get",
            ("get", false) if is_collection || returns_list => "list",
            ("get", false) if statics.len() > 1 && is_action(&last) => {
                statics.pop();
                return Some((statics, naming::member(&last)));
            }
            ("get", false) => "get",
            ("post", true) => "create",
            ("post", false) if is_collection => "create",
            ("post", false) => {
                // After an item, a segment that is no plural noun is an action (`cancel`);
                // a plural one (`photos`) is a sub-collection to create in.
                let singular_after_item = after_item && naming::singular(&last) == last;
                if statics.len() > 1 && (singular_after_item || is_action(&last)) {
                    statics.pop();
                    return Some((statics, naming::member(&last)));
                }
                "create"
            }
            ("put", false) if !is_collection && statics.len() > 1 && is_action(&last) => {
                statics.pop();
                return Some((statics, naming::member(&last)));
            }
            ("put", _) => "update",
            ("patch", _) => "edit",
            ("delete", _) => "delete",
            (other, _) => other,
        };
        statics.truncate(naming::MAX_RESOURCE_DEPTH);
        Some((statics, naming::member(verb)))
    }
}

/// The deepest nesting of `$ref`s and `allOf`s [`returns_list`] looks through.
const MAX_LIST_DEPTH: usize = 8;

/// Whether an operation's first success response is an array, directly or in the configured
/// envelope field (`{"result": [...]}`), through `$ref`s and `allOf`s. A reference that does
/// not resolve is no list (lowering reports it).
pub(super) fn returns_list(resolver: Resolver<'_>, operation: &openapiv3::Operation, envelope: Option<&str>) -> bool {
    let success = operation.responses.responses.iter().find(|(status, _)| status.to_string().starts_with('2'));
    let Some((_, response)) = success else { return false };
    let Ok(response) = resolver.response(response, "") else { return false };
    let Some(schema) = response.content.values().find_map(|media| media.schema.as_ref()) else { return false };
    is_list(resolver, schema, envelope, 0)
}

fn is_list<S: std::borrow::Borrow<Schema>>(
    resolver: Resolver<'_>,
    node: &ReferenceOr<S>,
    envelope: Option<&str>,
    depth: usize,
) -> bool {
    let Ok(resolved) = resolver.schema(node, "") else { return false };
    if depth > MAX_LIST_DEPTH {
        return false;
    }
    let view = SchemaView::of(resolved.schema);
    if view.typ == Some("array") || view.items.is_some() {
        return true;
    }
    let listed_in_envelope = envelope
        .and_then(|field| view.properties.iter().find(|(name, _)| *name == field))
        .is_some_and(|(_, field)| is_list(resolver, *field, None, depth + 1));
    listed_in_envelope || view.all_of.iter().any(|member| is_list(resolver, member, envelope, depth + 1))
}

/// Whether the document's operationIds are names an SDK was meant to use: nearly all of them
/// are namespaced by the operation's first tag (`issues/list-for-repo` under `issues`, as
/// GitHub's are). Then the tag is the resource and the rest of the operationId the method;
/// otherwise names come from the path ([`PathNamer`]).
pub(super) fn prefers_operation_ids<'o>(operations: impl IntoIterator<Item = &'o openapiv3::Operation>) -> bool {
    let (mut total, mut namespaced) = (0usize, 0usize);
    for operation in operations {
        total += 1;
        let (Some(id), Some(tag)) = (&operation.operation_id, operation.tags.first()) else { continue };
        if let Some((namespace, name)) = id.split_once(['/', '.']) {
            namespaced += (!name.is_empty() && naming::snake(namespace) == naming::snake(tag)) as usize;
        }
    }
    total > 0 && namespaced * 10 >= total * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(paths: &[&str], method: &str, path: &str) -> (String, String) {
        let (resource, method) = PathNamer::new(paths.iter().copied(), &[]).name(method, path, false).expect("named");
        (resource.join("."), method)
    }

    const PETS: &[&str] = &["/pets", "/pets/{petId}", "/pets/{petId}/photos", "/pets/{petId}/photos/{photoId}"];

    #[test]
    fn collections_list_and_create_items_get_update_edit_delete() {
        assert_eq!(names(PETS, "get", "/pets"), ("pets".into(), "list".into()));
        assert_eq!(names(PETS, "post", "/pets"), ("pets".into(), "create".into()));
        assert_eq!(names(PETS, "get", "/pets/{petId}"), ("pets".into(), "get".into()));
        assert_eq!(names(PETS, "put", "/pets/{petId}"), ("pets".into(), "update".into()));
        assert_eq!(names(PETS, "patch", "/pets/{petId}"), ("pets".into(), "edit".into()));
        assert_eq!(names(PETS, "delete", "/pets/{petId}"), ("pets".into(), "delete".into()));
        // Sub-resources are nouns below their parent.
        assert_eq!(names(PETS, "get", "/pets/{petId}/photos"), ("pets.photos".into(), "list".into()));
        assert_eq!(names(PETS, "delete", "/pets/{petId}/photos/{photoId}"), ("pets.photos".into(), "delete".into()));
    }

    #[test]
    fn a_single_object_is_got_not_listed() {
        let paths = ["/zones/{zone_id}/settings/ciphers"];
        assert_eq!(names(&paths, "get", paths[0]), ("zones.settings.ciphers".into(), "get".into()));
        assert_eq!(names(&paths, "patch", paths[0]), ("zones.settings.ciphers".into(), "edit".into()));
        // Unless it returns an array: then it is a list with no items to get.
        let namer = PathNamer::new(paths, &[]);
        assert_eq!(
            namer.name("get", paths[0], true),
            Some((vec!["zones".into(), "settings".into(), "ciphers".into()], "list".into()))
        );
    }

    #[test]
    fn arrays_are_found_through_refs_all_of_and_the_envelope() {
        let document: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "Rows": {"type": "array", "items": {"type": "string"}},
                "Envelope": {"type": "object", "properties": {"success": {"type": "boolean"}}},
                "Listed": {"allOf": [{"$ref": "#/components/schemas/Envelope"},
                                     {"type": "object", "properties": {"result": {"$ref": "#/components/schemas/Rows"}}}]},
                "One": {"type": "object", "properties": {"result": {"type": "string"}}}
            }}
        }))
        .expect("a valid document");
        let operation = |schema: &str| -> openapiv3::Operation {
            serde_json::from_value(serde_json::json!({"responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}}}))
            .expect("a valid operation")
        };
        let resolver = Resolver::new(&document);
        assert!(returns_list(resolver, &operation("Rows"), None));
        assert!(returns_list(resolver, &operation("Listed"), Some("result")));
        assert!(!returns_list(resolver, &operation("Listed"), None));
        assert!(!returns_list(resolver, &operation("One"), Some("result")));
        assert!(!returns_list(resolver, &operation("Missing"), Some("result")));
    }

    #[test]
    fn actions_are_verbs_on_the_resource_before_them() {
        let paths = ["/runs", "/runs/{run_id}", "/runs/{run_id}/cancel", "/domains/verify", "/domains", "/rows/export"];
        assert_eq!(names(&paths, "post", "/runs/{run_id}/cancel"), ("runs".into(), "cancel".into()));
        assert_eq!(names(&paths, "post", "/domains/verify"), ("domains".into(), "verify".into()));
        assert_eq!(names(&paths, "put", "/runs/{run_id}/pause"), ("runs".into(), "pause".into()));
        // A PUT to a segment that is no verb replaces that sub-resource.
        assert_eq!(names(&paths, "put", "/runs/{run_id}/labels"), ("runs.labels".into(), "update".into()));
        assert_eq!(names(&paths, "get", "/rows/export"), ("rows".into(), "export".into()));
        // A POST to a collection creates, whatever its name.
        assert_eq!(names(&paths, "post", "/runs"), ("runs".into(), "create".into()));
    }

    #[test]
    fn versions_extensions_and_leading_parameters_are_left_out() {
        let paths = ["/2010-04-01/Accounts/{AccountSid}/Messages.json", "/v2/users/{id}", "/{tenant}/reports"];
        // A plural segment after an item is a sub-collection even with no item below it.
        assert_eq!(names(&paths, "post", paths[0]), ("accounts.messages".into(), "create".into()));
        assert_eq!(names(&paths, "get", paths[1]), ("users".into(), "get".into()));
        assert_eq!(names(&paths, "get", paths[2]), ("reports".into(), "get".into()));
        assert!(is_version("v1") && is_version("v1.2") && is_version("2010-04-01"));
        assert!(!is_version("volumes") && !is_version("v") && !is_version("2010"));
    }

    #[test]
    fn a_scope_with_many_sub_resources_is_left_out() {
        let many: Vec<String> = (0..SCOPE_CHILDREN).map(|i| format!("/accounts/{{account_id}}/thing{i}")).collect();
        let mut paths: Vec<&str> = many.iter().map(String::as_str).collect();
        paths.push("/accounts/{account_id}");
        assert_eq!(names(&paths, "get", "/accounts/{account_id}/thing3"), ("thing3".into(), "get".into()));
        // The scope itself is still a resource.
        assert_eq!(names(&paths, "get", "/accounts/{account_id}"), ("accounts".into(), "get".into()));
        // With fewer sub-resources, the parent stays in the path, unless its parameter is
        // configured to scope (`params_in_struct`).
        assert_eq!(names(&paths[1..3], "get", &many[1]), ("accounts.thing1".into(), "get".into()));
        let configured = PathNamer::new(paths[1..3].iter().copied(), &["account_id".to_string()]);
        assert_eq!(configured.name("get", &many[1], false), Some((vec!["thing1".into()], "get".into())));
    }

    #[test]
    fn a_path_of_parameters_alone_has_no_name() {
        assert_eq!(PathNamer::new(["/{id}"], &[]).name("get", "/{id}", false), None);
        assert_eq!(PathNamer::new(["/"], &[]).name("get", "/", false), None);
    }

    #[test]
    fn names_do_not_depend_on_path_order() {
        let forward = PathNamer::new(PETS.iter().copied(), &[]);
        let backward = PathNamer::new(PETS.iter().rev().copied(), &[]);
        for path in PETS {
            assert_eq!(forward.name("get", path, false), backward.name("get", path, false));
        }
    }

    #[test]
    fn tag_namespaced_operation_ids_are_preferred() {
        let op = |id: &str, tag: &str| openapiv3::Operation {
            operation_id: Some(id.into()),
            tags: vec![tag.into()],
            ..Default::default()
        };
        let github = [op("issues/list-for-repo", "issues"), op("repos/get", "repos")];
        assert!(prefers_operation_ids(&github));
        let petstore = [op("listPets", "pets"), op("showPetById", "pets")];
        assert!(!prefers_operation_ids(&petstore));
        assert!(!prefers_operation_ids(&[]));
    }
}
