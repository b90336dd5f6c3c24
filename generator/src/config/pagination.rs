//! `[pagination]`: how list operations page, declared where a spec does not say it.
//!
//! ```toml
//! [pagination]
//! # Recognise the common shapes in the spec (the default).
//! detect = true
//!
//! # One operation, by operationId.
//! [pagination.operations."kv-keys-list"]
//! shape = "cursor"
//! param = "cursor"
//! next = "result_info.cursor"
//!
//! # Not paginated, whatever detection thinks.
//! [pagination.operations."zones-get"]
//! shape = "none"
//!
//! # Every operation whose path template matches: `*` is one segment, `**` any number.
//! # The first matching entry wins; an operation's own entry wins over every pattern.
//! # `method` defaults to `get`, the only method detection pages.
//! [[pagination.paths]]
//! path = "/accounts/*/logs/**"
//! method = "get"
//! shape = "page_number"
//! total_pages = ["result_info", "total_pages"]
//! ```
//!
//! A field path is dotted text (`result_info.cursor`) or, when a name holds a dot, a list of
//! names (`["@odata.nextLink"]`). Keys a shape leaves unset are found as detection finds them;
//! what cannot be found is an error naming the key.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::validate::{plain_text, KeyPath, Problem, Step};

/// `[pagination]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaginationConfig {
    /// Recognise pagination in the spec (see `ir::analysis::pagination`); `false` pages only
    /// the operations declared here.
    pub detect: bool,
    /// Declarations per operationId; these win over [`PaginationConfig::paths`].
    pub operations: BTreeMap<String, PaginationRule>,
    /// Declarations per path pattern, in order: the first that matches an operation applies.
    pub paths: Vec<PaginationRule>,
}

impl Default for PaginationConfig {
    fn default() -> Self {
        Self { detect: true, operations: BTreeMap::new(), paths: Vec::new() }
    }
}

/// One declaration: a shape and the names it uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationRule {
    /// The path template pattern (`[[pagination.paths]]` entries only).
    pub path: Option<String>,
    /// The HTTP method of the operations the pattern applies to, `get` when not set
    /// (`[[pagination.paths]]` entries only).
    pub method: Option<String>,
    /// How pages follow one another; `none` turns pagination off.
    pub shape: ShapeName,
    /// The path of the array holding the items (`result`, or one object down:
    /// `result.reports`).
    pub items: Option<FieldPath>,
    /// The page number query parameter (`page_number`).
    pub page: Option<String>,
    /// The page size query parameter (`page_number`).
    pub size: Option<String>,
    /// The offset query parameter (`offset`).
    pub offset: Option<String>,
    /// The limit query parameter (`offset`).
    pub limit: Option<String>,
    /// The cursor or last-id query parameter (`cursor`, `after_last_item`).
    pub param: Option<String>,
    /// The item field holding the id sent back (`after_last_item`).
    pub id_field: Option<String>,
    /// The body field with the next cursor or URL (`cursor`, `next_url`).
    pub next: Option<FieldPath>,
    /// The body field saying whether more pages exist (`cursor`, `after_last_item`).
    pub has_more: Option<FieldPath>,
    /// The body field with the number of pages (`page_number`).
    pub total_pages: Option<FieldPath>,
    /// The body field with the number of items (`page_number`, `offset`).
    pub total_count: Option<FieldPath>,
}

/// `shape = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeName {
    /// A page number and size.
    PageNumber,
    /// An offset and limit.
    Offset,
    /// A cursor from the body, sent back in a query parameter.
    Cursor,
    /// The last item's id, sent back in a query parameter.
    AfterLastItem,
    /// A next-page URL in the body.
    NextUrl,
    /// The RFC 8288 `Link` header.
    LinkHeader,
    /// Not paginated.
    None,
}

impl ShapeName {
    /// The name as written in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ShapeName::PageNumber => "page_number",
            ShapeName::Offset => "offset",
            ShapeName::Cursor => "cursor",
            ShapeName::AfterLastItem => "after_last_item",
            ShapeName::NextUrl => "next_url",
            ShapeName::LinkHeader => "link_header",
            ShapeName::None => "none",
        }
    }

    /// The keys (besides `shape`, `path`, `method`) this shape reads.
    fn keys(self) -> &'static [&'static str] {
        match self {
            ShapeName::PageNumber => &["items", "page", "size", "total_pages", "total_count"],
            ShapeName::Offset => &["items", "offset", "limit", "total_count"],
            ShapeName::Cursor => &["items", "param", "next", "has_more"],
            ShapeName::AfterLastItem => &["items", "param", "id_field", "has_more"],
            ShapeName::NextUrl => &["items", "next"],
            ShapeName::LinkHeader => &["items"],
            ShapeName::None => &[],
        }
    }
}

/// A body field path: `"result_info.cursor"` or `["result_info", "cursor"]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum FieldPath {
    /// Names joined by dots.
    Dotted(String),
    /// Names, for a name that holds a dot.
    Names(Vec<String>),
}

impl FieldPath {
    /// The names, from the top of the body.
    pub fn names(&self) -> Vec<String> {
        match self {
            FieldPath::Dotted(text) => text.split('.').map(String::from).collect(),
            FieldPath::Names(names) => names.clone(),
        }
    }
}

/// The longest field path accepted.
const MAX_FIELD_PATH: usize = 8;

/// HTTP methods a path entry may name.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl PaginationRule {
    /// The keys set in this entry, besides `shape`, `path` and `method`.
    fn set_keys(&self) -> Vec<&'static str> {
        let names = [
            ("items", self.items.is_some()),
            ("page", self.page.is_some()),
            ("size", self.size.is_some()),
            ("offset", self.offset.is_some()),
            ("limit", self.limit.is_some()),
            ("param", self.param.is_some()),
            ("id_field", self.id_field.is_some()),
            ("next", self.next.is_some()),
            ("has_more", self.has_more.is_some()),
            ("total_pages", self.total_pages.is_some()),
            ("total_count", self.total_count.is_some()),
        ];
        names.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect()
    }

    /// Whether a path entry applies to an operation.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        // Without a method, an entry means the operations detection looks at: `GET`.
        let method_ok = self.method.as_deref().unwrap_or("get").eq_ignore_ascii_case(method);
        method_ok && self.path.as_deref().is_some_and(|pattern| glob_matches(pattern, path))
    }
}

/// Whether a path template matches a pattern: segments compare literally (`{zone_id}` too),
/// `*` matches one segment and `**` any number of segments, including none.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        // At most one `**` per pattern (see validation), so this recursion stays linear.
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => (*first == "*" || first == segment) && segments_match(rest, path_rest),
            None => false,
        },
    }
}

/// Problems of the `[pagination]` section, each with its key path.
pub(super) fn problems(config: &PaginationConfig, out: &mut Vec<Problem>) {
    for (id, rule) in &config.operations {
        let at = |key: &str| key_path(&[Step::Key("operations".into()), Step::Key(id.clone()), Step::Key(key.into())]);
        for key in ["path", "method"] {
            let set = if key == "path" { rule.path.is_some() } else { rule.method.is_some() };
            if set {
                let message =
                    format!("`{key}` belongs to `[[pagination.paths]]` entries; an operation is named by its key");
                out.push(Problem { path: at(key), at_key: true, message });
            }
        }
        rule_problems(rule, &at, out);
    }
    for (index, rule) in config.paths.iter().enumerate() {
        let at = |key: &str| key_path(&[Step::Key("paths".into()), Step::Index(index), Step::Key(key.into())]);
        match &rule.path {
            None => out.push(Problem {
                path: key_path(&[Step::Key("paths".into()), Step::Index(index)]),
                at_key: false,
                message: "a `[[pagination.paths]]` entry needs `path`, a path template pattern".into(),
            }),
            Some(pattern) => {
                if let Some(message) = pattern_problem(pattern) {
                    out.push(Problem { path: at("path"), at_key: false, message });
                }
            }
        }
        if let Some(method) = &rule.method {
            if !METHODS.contains(&method.to_ascii_lowercase().as_str()) {
                let message = format!("{method:?} is not an HTTP method (one of {})", METHODS.join(", "));
                out.push(Problem { path: at("method"), at_key: false, message });
            }
        }
        rule_problems(rule, &at, out);
    }
}

/// Problems shared by both kinds of entry: keys the shape does not read, names that could
/// not be a parameter or field.
fn rule_problems(rule: &PaginationRule, at: &dyn Fn(&str) -> KeyPath, out: &mut Vec<Problem>) {
    let shape = rule.shape;
    for key in rule.set_keys() {
        if !shape.keys().contains(&key) {
            let message = match shape {
                ShapeName::None => format!("`{key}` does not apply: shape `none` turns pagination off"),
                _ => format!(
                    "`{key}` does not apply to shape `{}` (it reads {})",
                    shape.as_str(),
                    shape.keys().iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            out.push(Problem { path: at(key), at_key: true, message });
        }
    }
    let names = [
        ("page", &rule.page),
        ("size", &rule.size),
        ("offset", &rule.offset),
        ("limit", &rule.limit),
        ("param", &rule.param),
        ("id_field", &rule.id_field),
    ];
    for (key, name) in names {
        if let Some(message) = name.as_deref().and_then(name_problem) {
            out.push(Problem { path: at(key), at_key: false, message });
        }
    }
    let paths = [
        ("items", &rule.items),
        ("next", &rule.next),
        ("has_more", &rule.has_more),
        ("total_pages", &rule.total_pages),
        ("total_count", &rule.total_count),
    ];
    for (key, field_path) in paths {
        let Some(field_path) = field_path else { continue };
        let names = field_path.names();
        let problem = if names.len() > MAX_FIELD_PATH {
            Some(format!("a field path has at most {MAX_FIELD_PATH} names; this one has {}", names.len()))
        } else {
            names.iter().find_map(|name| name_problem(name))
        };
        if let Some(message) = problem {
            out.push(Problem { path: at(key), at_key: false, message });
        }
    }
}

fn key_path(steps: &[Step]) -> KeyPath {
    let mut path = vec![Step::Key("pagination".into())];
    path.extend_from_slice(steps);
    KeyPath(path)
}

/// A parameter or field name: not empty, plain text, at most 128 characters.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a name is empty".into());
    }
    if name.chars().count() > 128 {
        return Some(format!("{name:?} is longer than 128 characters"));
    }
    plain_text(name)
}

/// A path pattern: starts with `/`, plain text, at most one `**`.
fn pattern_problem(pattern: &str) -> Option<String> {
    if !pattern.starts_with('/') {
        return Some(format!("{pattern:?} is not a path pattern (it starts with `/`, like the spec's paths)"));
    }
    if pattern.split('/').filter(|segment| *segment == "**").count() > 1 {
        return Some(format!("{pattern:?} has more than one `**`"));
    }
    if pattern.len() > 1024 {
        return Some("a path pattern is longer than 1024 characters".into());
    }
    plain_text(pattern)
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn star_matches_one_segment_and_double_star_any_number() {
        assert!(glob_matches("/zones", "/zones"));
        assert!(glob_matches("/zones/*/dns_records", "/zones/{zone_id}/dns_records"));
        assert!(!glob_matches("/zones/*/dns_records", "/zones/{zone_id}/x/dns_records"));
        assert!(glob_matches("/accounts/**/keys", "/accounts/{a}/storage/kv/namespaces/{n}/keys"));
        assert!(glob_matches("/accounts/**/keys", "/accounts/keys"));
        assert!(glob_matches("/accounts/**", "/accounts/{a}/x"));
        assert!(!glob_matches("/accounts/*", "/accounts"));
        assert!(!glob_matches("/zones/{zone_id}", "/zones/{id}"));
    }
}
