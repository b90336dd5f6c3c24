//! Pagination: which operations return one page of a list, and how the next page is asked for.
//!
//! # What is a list
//!
//! The decoded success body (after the configured envelope unwrap, e.g. `result`) when it is
//! an array, or, without an unwrap, an object's array property: the one named like a list
//! ([`LIST_FIELDS`]: `data`, `items`, `results`, ...), else its only array when the body also
//! has a total, a "more" flag, a next cursor or a next URL. With an unwrap whose field is an
//! object, that object's only array (`result.reports`) under the same condition, the body
//! saying something about pages, and only when the operation declares how to ask for the next
//! page (shape 7 below does not apply to it). The array's path is
//! [`Pagination::items`]; everything else in the body (top-level fields and the fields of its
//! objects, such as `result_info`, `meta`, `pagination`, two levels deep) is where totals,
//! cursors and next links are looked for.
//!
//! # Shapes, in order of precedence
//!
//! The first that fits wins. Continuations the server hands out come before ones the client
//! computes: they stay right when items are added or removed between pages.
//!
//! 1. **Link header**: the success response declares a `Link` header (RFC 8288, GitHub).
//! 2. **Cursor**: a cursor query parameter ([`CURSOR_PARAMS`]) and a body field with the next
//!    one ([`NEXT_CURSOR_FIELDS`]: a string that is not a URL, or a number), with a boolean
//!    "more" field when there is one
//!    ([`HAS_MORE_FIELDS`]).
//! 3. **After last item** (Stripe): [`AFTER_PARAMS`] and items with an `id`; the generic `after`
//!    also needs a "more" field, since it often filters by date.
//! 4. **Next URL**: a string body field with the next page's URL ([`NEXT_URL_FIELDS`]; `next` and
//!    `next_page` only when their format is a URI or they sit in a `links`-like object).
//! 5. **Page number**: [`PAGE_PARAMS`], with a size ([`SIZE_PARAMS`]) and totals
//!    ([`TOTAL_PAGES_FIELDS`], [`TOTAL_COUNT_FIELDS`]) when present.
//! 6. **Offset**: [`OFFSET_PARAMS`], with a limit ([`LIMIT_PARAMS`]) and a total when present.
//! 7. **Echoed page number**: no page parameter is declared, but the body echoes a page
//!    number (a number field named like one, e.g. `result_info.page`) beside a total. The echo
//!    names the parameter the spec left out (and an echoed `per_page` the size).
//!
//! Within one list of names the earlier name wins, and for one name the shallower field
//! wins, then the earlier one in the spec: the result depends on nothing but the spec.
//!
//! Only `GET` operations are detected. Paging repeats a request with a changed query, which is
//! safe only for a method without side effects; and where other methods page (search by
//! `POST`), the cursor usually travels in the body, which the runtime does not rewrite. The
//! configuration may still declare a shape for any method (see `config::pagination`).

use openapiv3::{OpenAPI, ReferenceOr, Schema};

use crate::config::pagination::{FieldPath, PaginationRule, ShapeName};
use crate::config::Config;
use crate::error::SpecProblem;
use crate::ir::naming::{self, Scope};
use crate::ir::schema_view::SchemaView;
use crate::ir::{
    Api, Operation, Pagination, PaginationOrigin, PaginationShape, ParamLocation, Resource, ResponseKind, TypeKind,
    TypeRef,
};
use crate::resolve::Resolver;

/// Query parameters holding a page number.
pub const PAGE_PARAMS: &[&str] = &["page", "page_number", "pageNumber", "page_no"];
/// Query parameters holding a page size (page-number pagination).
pub const SIZE_PARAMS: &[&str] = &["per_page", "page_size", "pageSize", "perPage", "size", "limit"];
/// Body fields holding the number of pages.
pub const TOTAL_PAGES_FIELDS: &[&str] = &["total_pages", "totalPages", "page_count", "pageCount"];
/// Body fields holding the number of items.
pub const TOTAL_COUNT_FIELDS: &[&str] = &["total_count", "totalCount", "total", "total_results", "totalResults"];
/// Query parameters holding an item offset.
pub const OFFSET_PARAMS: &[&str] = &["offset", "skip"];
/// Query parameters holding a limit (offset pagination).
pub const LIMIT_PARAMS: &[&str] = &["limit", "per_page", "page_size", "pageSize", "size", "count", "max_results"];
/// Query parameters holding an opaque cursor.
pub const CURSOR_PARAMS: &[&str] = &[
    "cursor",
    "page_token",
    "pageToken",
    "next_token",
    "nextToken",
    "continuation_token",
    "continuationToken",
    "continuation",
    "marker",
    "after",
];
/// Body fields holding the next cursor.
pub const NEXT_CURSOR_FIELDS: &[&str] = &[
    "next_cursor",
    "nextCursor",
    "next_page_token",
    "nextPageToken",
    "next_token",
    "nextToken",
    "next_continuation_token",
    "nextContinuationToken",
    "continuation_token",
    "continuationToken",
    "next_marker",
    "nextMarker",
    "cursor",
    "next",
    "after",
];
/// Boolean body fields saying whether another page exists.
pub const HAS_MORE_FIELDS: &[&str] = &["has_more", "hasMore", "has_next", "hasNext", "is_truncated", "isTruncated"];
/// Query parameters taking the last item's id.
pub const AFTER_PARAMS: &[&str] = &["starting_after", "after_id", "after"];
/// Body fields holding the next page's URL.
pub const NEXT_URL_FIELDS: &[&str] = &[
    "next_url",
    "nextUrl",
    "next_link",
    "nextLink",
    "@odata.nextLink",
    "next_page_url",
    "nextPageUrl",
    "next",
    "next_page",
];
/// Names of the array property of an object body that holds its items.
pub const LIST_FIELDS: &[&str] = &["data", "items", "results", "entries", "value", "values", "records", "elements"];
/// Objects whose `next` / `next_page` is a URL whatever its format says.
const LINK_OBJECTS: &[&str] = &["links", "_links", "paging", "pagination"];
/// How deep body fields are looked for: a top-level field, a field of a top-level object,
/// and one level below that (`result_info.cursors.after`).
const MAX_FIELD_DEPTH: usize = 3;
/// How many `allOf` / `$ref` steps one field's schema may take before it is left unread.
const MAX_SCHEMA_STEPS: usize = 16;

/// Decides every operation's pagination: the configuration's declaration when there is one,
/// else what detection finds; then names the statics describing it to the runtime.
pub fn assign(document: &OpenAPI, config: &Config, api: &mut Api) -> Result<(), SpecProblem> {
    let settings = &config.pagination;
    let mut used_paths = vec![false; settings.paths.len()];
    for index in 0..api.operations.len() {
        let operation = &api.operations[index];
        let declared = match settings.operations.get(&operation.id) {
            Some(rule) => Some((rule, format!("pagination.operations.{}", toml_key(&operation.id)))),
            None => settings
                .paths
                .iter()
                .enumerate()
                .find(|(_, rule)| rule.matches(&operation.method, &operation.path))
                .map(|(position, rule)| {
                    used_paths[position] = true;
                    (rule, format!("pagination.paths[{position}]"))
                }),
        };
        let pagination = match declared {
            Some((rule, key)) => {
                declared_pagination(&Evidence::gather(document, api, operation), rule, key, &operation.pointer)?
            }
            None if settings.detect && operation.method == "GET" => detect(&Evidence::gather(document, api, operation)),
            None => None,
        };
        api.operations[index].pagination = pagination;
    }
    for id in settings.operations.keys() {
        if !api.operations.iter().any(|operation| &operation.id == id) {
            let message =
                format!("the configuration's `pagination.operations.{}` names no operation of the spec", toml_key(id));
            return Err(SpecProblem::new("#/paths", message));
        }
    }
    if let Some(position) = used_paths.iter().position(|used| !used) {
        let message = format!(
            "the configuration's `pagination.paths[{position}]` (`{}`) matches no operation that has no entry of its own",
            settings.paths[position].path.as_deref().unwrap_or_default()
        );
        return Err(SpecProblem::new("#/paths", message));
    }
    name_statics(&api.resources, &mut api.operations);
    Ok(())
}

/// What detection reads of one operation.
struct Evidence {
    /// Query parameters by wire name.
    query: Vec<String>,
    /// The list in the body, if the body is one.
    list: Option<List>,
    /// Every other field of the body, to [`MAX_FIELD_DEPTH`], in spec order by depth.
    fields: Vec<BodyField>,
    /// Property names of one item.
    item_fields: Vec<String>,
    /// Whether the success response declares a `Link` header.
    link_header: bool,
}

/// The array a list body holds.
struct List {
    /// Its path from the top of the body (empty: the body is the array).
    path: Vec<String>,
    /// One item's type.
    item: TypeRef,
    /// Whether the field is named like a list ([`LIST_FIELDS`]) or is the body itself.
    named: bool,
}

/// A field of the body, by path from the top.
struct BodyField {
    path: Vec<String>,
    kind: FieldKind,
    /// A string's `format`.
    format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    String,
    Number,
    Boolean,
    Object,
    Other,
}

impl Evidence {
    fn gather(document: &OpenAPI, api: &Api, operation: &Operation) -> Evidence {
        let query = operation
            .params
            .iter()
            .flat_map(|params| &params.fields)
            .filter(|param| param.location == ParamLocation::Query && is_scalar(&param.ty))
            .map(|param| param.wire_name.clone())
            .collect();
        let list = list_of(api, &operation.success.kind);
        let mut evidence = Evidence { query, list, fields: Vec::new(), item_fields: Vec::new(), link_header: false };
        let resolver = Resolver::new(document);
        let Some(response) = success_response(document, resolver, operation) else { return evidence };
        evidence.link_header = response.headers.keys().any(|name| name.eq_ignore_ascii_case("link"));
        let Some(schema) = json_schema(response) else { return evidence };
        let items_path = evidence.list.as_ref().map(|list| list.path.clone()).unwrap_or_default();
        let mut reader = SchemaReader { resolver, fields: &mut evidence.fields, skip: items_path.clone() };
        reader.read(schema);
        // The item's properties, for the `id` that after-last-item pagination sends back.
        let mut items_schema = Some(schema as &dyn SchemaNode);
        for field in &items_path {
            items_schema = items_schema.and_then(|object| {
                properties(resolver, object).into_iter().find(|(name, _)| name == field).map(|(_, s)| s)
            });
        }
        if let Some(item) = items_schema.and_then(|array| array_items(resolver, array)) {
            evidence.item_fields = properties(resolver, item).into_iter().map(|(name, _)| name).collect();
        }
        // An object's only array, named like anything (`matches`), is a page of items only
        // when the body also says something about pages; else it is an object that merely
        // holds an array (`tags`).
        if evidence.list.as_ref().is_some_and(|list| !list.named) && !evidence.speaks_of_pages() {
            evidence.list = None;
        }
        evidence
    }

    /// Whether the body has a total, a "more" flag, a next cursor or a next URL.
    fn speaks_of_pages(&self) -> bool {
        self.number_field(TOTAL_PAGES_FIELDS).is_some()
            || self.number_field(TOTAL_COUNT_FIELDS).is_some()
            || self.has_more().is_some()
            || self.next_cursor().is_some()
            || self.next_url().is_some()
    }

    fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|param| param == name)
    }

    /// The first of `names` that is a query parameter.
    fn query_param(&self, names: &[&str]) -> Option<String> {
        names.iter().find(|name| self.has_query(name)).map(|name| name.to_string())
    }

    /// The first field named one of `names` (earlier names first, then shallower fields)
    /// that `accept` takes.
    fn field(&self, names: &[&str], accept: impl Fn(&BodyField) -> bool) -> Option<Vec<String>> {
        names.iter().find_map(|name| {
            (1..=MAX_FIELD_DEPTH).find_map(|depth| {
                self.fields
                    .iter()
                    .find(|field| {
                        field.path.len() == depth && field.path.last().is_some_and(|last| last == name) && accept(field)
                    })
                    .map(|field| field.path.clone())
            })
        })
    }

    /// The name of a number field the body echoes a request parameter in (`result_info.page`).
    fn echoed(&self, names: &[&str]) -> Option<String> {
        self.number_field(names).and_then(|path| path.last().cloned())
    }

    fn number_field(&self, names: &[&str]) -> Option<Vec<String>> {
        self.field(names, |field| field.kind == FieldKind::Number)
    }

    fn has_more(&self) -> Option<Vec<String>> {
        self.field(HAS_MORE_FIELDS, |field| field.kind == FieldKind::Boolean)
    }

    fn next_cursor(&self) -> Option<Vec<String>> {
        self.field(NEXT_CURSOR_FIELDS, |field| {
            (field.kind == FieldKind::String && !is_uri(field)) || field.kind == FieldKind::Number
        })
    }

    fn next_url(&self) -> Option<Vec<String>> {
        self.field(NEXT_URL_FIELDS, |field| {
            let last = field.path.last().map(String::as_str).unwrap_or_default();
            let ambiguous = last == "next" || last == "next_page";
            let in_links = field.path.len() > 1 && LINK_OBJECTS.contains(&field.path[field.path.len() - 2].as_str());
            field.kind == FieldKind::String && (!ambiguous || is_uri(field) || in_links)
        })
    }
}

/// Detection: the first shape (in the module's order of precedence) that fits.
fn detect(evidence: &Evidence) -> Option<Pagination> {
    let list = evidence.list.as_ref()?;
    // An array one object down is a page only when the request can ask for another (a paging
    // parameter, a next URL, a `Link` header): an object whose `result_info` merely echoes a
    // page number is more likely a record that holds a list (`workflow.schedules`).
    let shapes: &[fn(&Evidence) -> Option<PaginationShape>] = if list.path.len() > 1 {
        &[link_header, cursor, after_last_item, next_url, page_number, offset]
    } else {
        &[link_header, cursor, after_last_item, next_url, page_number, offset, echoed_page_number]
    };
    let shape = shapes.iter().find_map(|shape| shape(evidence))?;
    Some(Pagination {
        items: list.path.clone(),
        item: list.item.clone(),
        shape,
        origin: PaginationOrigin::Detected,
        static_name: String::new(),
    })
}

fn link_header(evidence: &Evidence) -> Option<PaginationShape> {
    evidence.link_header.then_some(PaginationShape::LinkHeader)
}

fn cursor(evidence: &Evidence) -> Option<PaginationShape> {
    let param = evidence.query_param(CURSOR_PARAMS)?;
    let next = evidence.next_cursor()?;
    Some(PaginationShape::Cursor { param, next, has_more: evidence.has_more() })
}

fn after_last_item(evidence: &Evidence) -> Option<PaginationShape> {
    let has_more = evidence.has_more();
    let param = AFTER_PARAMS
        .iter()
        .find(|name| evidence.has_query(name) && (**name != "after" || has_more.is_some()))?
        .to_string();
    evidence.item_fields.iter().any(|field| field == "id").then(|| PaginationShape::AfterLastItem {
        param,
        id_field: "id".into(),
        has_more,
    })
}

fn next_url(evidence: &Evidence) -> Option<PaginationShape> {
    Some(PaginationShape::NextUrl { next: evidence.next_url()? })
}

fn page_number(evidence: &Evidence) -> Option<PaginationShape> {
    Some(PaginationShape::PageNumber {
        page: evidence.query_param(PAGE_PARAMS)?,
        size: evidence.query_param(SIZE_PARAMS),
        total_pages: evidence.number_field(TOTAL_PAGES_FIELDS),
        total_count: evidence.number_field(TOTAL_COUNT_FIELDS),
    })
}

/// A body that echoes the page number beside a total names the parameter the spec forgot to
/// declare; the runtime sends it from the second page on.
fn echoed_page_number(evidence: &Evidence) -> Option<PaginationShape> {
    let total_pages = evidence.number_field(TOTAL_PAGES_FIELDS);
    let total_count = evidence.number_field(TOTAL_COUNT_FIELDS);
    if total_pages.is_none() && total_count.is_none() {
        return None;
    }
    Some(PaginationShape::PageNumber {
        page: evidence.echoed(PAGE_PARAMS)?,
        size: evidence.query_param(SIZE_PARAMS).or_else(|| evidence.echoed(SIZE_PARAMS)),
        total_pages,
        total_count,
    })
}

fn offset(evidence: &Evidence) -> Option<PaginationShape> {
    Some(PaginationShape::Offset {
        offset: evidence.query_param(OFFSET_PARAMS)?,
        limit: evidence.query_param(LIMIT_PARAMS),
        total_count: evidence.number_field(TOTAL_COUNT_FIELDS),
    })
}

/// A declared shape: the configuration's names, the rest found as detection finds them.
/// Anything a shape needs and neither gives is an error naming the key to set.
fn declared_pagination(
    evidence: &Evidence,
    rule: &PaginationRule,
    key: String,
    pointer: &str,
) -> Result<Option<Pagination>, SpecProblem> {
    let missing = |name: &str, what: &str| {
        SpecProblem::new(
            pointer,
            format!("the configuration's `{key}` declares shape `{}`, but {what}; set `{name}`", rule.shape.as_str()),
        )
    };
    let path = |field: &Option<FieldPath>| field.as_ref().map(FieldPath::names);
    let shape = match rule.shape {
        ShapeName::None => return Ok(None),
        ShapeName::PageNumber => PaginationShape::PageNumber {
            page: rule
                .page
                .clone()
                .or_else(|| evidence.query_param(PAGE_PARAMS))
                .ok_or_else(|| missing("page", "the operation has no page number query parameter"))?,
            size: rule.size.clone().or_else(|| evidence.query_param(SIZE_PARAMS)),
            total_pages: path(&rule.total_pages).or_else(|| evidence.number_field(TOTAL_PAGES_FIELDS)),
            total_count: path(&rule.total_count).or_else(|| evidence.number_field(TOTAL_COUNT_FIELDS)),
        },
        ShapeName::Offset => PaginationShape::Offset {
            offset: rule
                .offset
                .clone()
                .or_else(|| evidence.query_param(OFFSET_PARAMS))
                .ok_or_else(|| missing("offset", "the operation has no offset query parameter"))?,
            limit: rule.limit.clone().or_else(|| evidence.query_param(LIMIT_PARAMS)),
            total_count: path(&rule.total_count).or_else(|| evidence.number_field(TOTAL_COUNT_FIELDS)),
        },
        ShapeName::Cursor => PaginationShape::Cursor {
            param: rule
                .param
                .clone()
                .or_else(|| evidence.query_param(CURSOR_PARAMS))
                .ok_or_else(|| missing("param", "the operation has no cursor query parameter"))?,
            next: path(&rule.next)
                .or_else(|| evidence.next_cursor())
                .ok_or_else(|| missing("next", "the response body has no next-cursor field"))?,
            has_more: path(&rule.has_more).or_else(|| evidence.has_more()),
        },
        ShapeName::AfterLastItem => PaginationShape::AfterLastItem {
            param: rule
                .param
                .clone()
                .or_else(|| evidence.query_param(AFTER_PARAMS))
                .ok_or_else(|| missing("param", "the operation has no after-this-id query parameter"))?,
            id_field: rule.id_field.clone().unwrap_or_else(|| "id".into()),
            has_more: path(&rule.has_more).or_else(|| evidence.has_more()),
        },
        ShapeName::NextUrl => PaginationShape::NextUrl {
            next: path(&rule.next)
                .or_else(|| evidence.next_url())
                .ok_or_else(|| missing("next", "the response body has no next-URL field"))?,
        },
        ShapeName::LinkHeader => PaginationShape::LinkHeader,
    };
    let list = evidence.list.as_ref().ok_or_else(|| {
        SpecProblem::new(
            pointer,
            format!("the configuration's `{key}` declares pagination, but the success body is not a list (an array, or an object with one array field)"),
        )
    })?;
    if let Some(items) = &rule.items {
        let wanted = items.names();
        if wanted != list.path {
            let found =
                if list.path.is_empty() { "the body itself".to_string() } else { format!("`{}`", list.path.join(".")) };
            return Err(SpecProblem::new(
                pointer,
                format!(
                    "the configuration's `{key}.items` is `{}`, but the list the operation returns is {found}",
                    wanted.join(".")
                ),
            ));
        }
    }
    Ok(Some(Pagination {
        items: list.path.clone(),
        item: list.item.clone(),
        shape,
        origin: PaginationOrigin::Configured(key),
        static_name: String::new(),
    }))
}

/// The list a success response decodes to, if it is one.
fn list_of(api: &Api, kind: &ResponseKind) -> Option<List> {
    let ResponseKind::Json { ty, unwrap } = kind else { return None };
    let top: Vec<String> = unwrap.iter().cloned().collect();
    if let Some(item) = array_item(ty) {
        return Some(List { path: top, item, named: true });
    }
    let TypeRef::Named(id) = ty.without_null() else { return None };
    let TypeKind::Struct(body) = &api.type_def(*id).kind else { return None };
    let arrays: Vec<(&str, TypeRef)> =
        body.fields.iter().filter_map(|field| Some((field.wire_name.as_str(), array_item(&field.ty)?))).collect();
    let at = |name: &str| [top.clone(), vec![name.to_string()]].concat();
    // An unwrapped object is a page only through its one array, and only when the body
    // speaks of pages (see `Evidence::gather`): else it is what the call returns, which may
    // merely hold an array.
    if unwrap.is_some() {
        return match arrays.as_slice() {
            [(name, item)] => Some(List { path: at(name), item: item.clone(), named: false }),
            _ => None,
        };
    }
    let named: Vec<_> = arrays.iter().filter(|(name, _)| LIST_FIELDS.contains(name)).collect();
    match (named.as_slice(), arrays.as_slice()) {
        ([(name, item)], _) => Some(List { path: at(name), item: item.clone(), named: true }),
        (_, [(name, item)]) => Some(List { path: at(name), item: item.clone(), named: false }),
        _ => None,
    }
}

fn array_item(ty: &TypeRef) -> Option<TypeRef> {
    match ty.without_null() {
        TypeRef::Array(item) => Some(item.as_ref().clone()),
        _ => None,
    }
}

/// A parameter type that travels as one query value.
fn is_scalar(ty: &TypeRef) -> bool {
    matches!(ty.without_null(), TypeRef::String | TypeRef::Integer(_) | TypeRef::Float | TypeRef::Named(_))
}

fn is_uri(field: &BodyField) -> bool {
    matches!(field.format.as_deref(), Some("uri" | "url" | "uri-reference" | "iri" | "iri-reference"))
}

/// The success response the model took its status from.
fn success_response<'a>(
    document: &'a OpenAPI,
    resolver: Resolver<'a>,
    operation: &Operation,
) -> Option<&'a openapiv3::Response> {
    let item = match document.paths.paths.get(&operation.path)? {
        ReferenceOr::Item(item) => item,
        ReferenceOr::Reference { .. } => return None,
    };
    let spec_operation = match operation.method.as_str() {
        "GET" => &item.get,
        "PUT" => &item.put,
        "POST" => &item.post,
        "DELETE" => &item.delete,
        "OPTIONS" => &item.options,
        "HEAD" => &item.head,
        "PATCH" => &item.patch,
        "TRACE" => &item.trace,
        _ => return None,
    };
    let responses = &spec_operation.as_ref()?.responses;
    let (_, node) = responses.responses.iter().find(|(status, _)| {
        let text = match status {
            openapiv3::StatusCode::Code(code) => code.to_string(),
            openapiv3::StatusCode::Range(range) => format!("{range}XX"),
        };
        text == operation.success.status
    })?;
    resolver.response(node, &operation.pointer).ok()
}

/// The schema of a response's JSON media type.
fn json_schema(response: &openapiv3::Response) -> Option<&ReferenceOr<Schema>> {
    let is_json = |content_type: &str| {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    };
    response.content.iter().find(|(content_type, _)| is_json(content_type))?.1.schema.as_ref()
}

/// A schema node, boxed or not.
trait SchemaNode {
    fn node(&self) -> ReferenceOr<&Schema>;
}

impl SchemaNode for ReferenceOr<Schema> {
    fn node(&self) -> ReferenceOr<&Schema> {
        match self {
            ReferenceOr::Item(schema) => ReferenceOr::Item(schema),
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference: reference.clone() },
        }
    }
}

impl SchemaNode for ReferenceOr<Box<Schema>> {
    fn node(&self) -> ReferenceOr<&Schema> {
        match self {
            ReferenceOr::Item(schema) => ReferenceOr::Item(schema.as_ref()),
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference: reference.clone() },
        }
    }
}

/// The schema a node names (a broken `$ref` is left unread: lowering reports those).
fn resolve<'a>(resolver: Resolver<'a>, node: &'a dyn SchemaNode) -> Option<&'a Schema> {
    match node.node() {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolver.schema_component(&reference, "#").ok().map(|(_, s)| s),
    }
}

/// A schema's properties, with those of its `allOf` members, first occurrence winning.
fn properties<'a>(resolver: Resolver<'a>, node: &'a dyn SchemaNode) -> Vec<(String, &'a dyn SchemaNode)> {
    let mut out: Vec<(String, &'a dyn SchemaNode)> = Vec::new();
    let mut pending: Vec<&'a dyn SchemaNode> = vec![node];
    let mut steps = 0;
    while let Some(node) = pending.pop() {
        steps += 1;
        if steps > MAX_SCHEMA_STEPS {
            break;
        }
        let Some(schema) = resolve(resolver, node) else { continue };
        let view = SchemaView::of(schema);
        for (name, property) in view.properties {
            if !out.iter().any(|(known, _)| known == name) {
                out.push((name.to_string(), property as &dyn SchemaNode));
            }
        }
        // Reversed so that the first member is read first.
        pending.extend(view.all_of.iter().rev().map(|member| member as &dyn SchemaNode));
    }
    out
}

/// The item schema of an array schema.
fn array_items<'a>(resolver: Resolver<'a>, node: &'a dyn SchemaNode) -> Option<&'a dyn SchemaNode> {
    let schema = resolve(resolver, node)?;
    let view = SchemaView::of(schema);
    if let Some(items) = view.items {
        return Some(items);
    }
    view.all_of.iter().find_map(|member| array_items(resolver, member))
}

/// The JSON type and format of a field's schema, looking through `allOf` and through a
/// `oneOf`/`anyOf` whose alternatives agree (a type and `null`).
fn kind_of(resolver: Resolver<'_>, node: &dyn SchemaNode, depth: usize) -> (FieldKind, Option<String>) {
    let Some(schema) = resolve(resolver, node) else { return (FieldKind::Other, None) };
    let view = SchemaView::of(schema);
    let kind = match view.typ {
        Some("string") => FieldKind::String,
        Some("integer" | "number") => FieldKind::Number,
        Some("boolean") => FieldKind::Boolean,
        Some("object") => FieldKind::Object,
        _ if view.has_properties() => FieldKind::Object,
        _ => FieldKind::Other,
    };
    if kind != FieldKind::Other || depth >= MAX_SCHEMA_STEPS {
        return (kind, view.format);
    }
    let members = view.all_of.iter().chain(view.one_of).chain(view.any_of);
    let mut found: Option<(FieldKind, Option<String>)> = None;
    for member in members {
        let Some(member_schema) = resolve(resolver, member) else { continue };
        let member_view = SchemaView::of(member_schema);
        if member_view.typ == Some("null") || member_view.is_null_only() {
            continue;
        }
        let member_kind = kind_of(resolver, member, depth + 1);
        match &found {
            None => found = Some(member_kind),
            Some((kind, _)) if *kind == member_kind.0 => {}
            Some(_) => return (FieldKind::Other, None),
        }
    }
    found.unwrap_or((FieldKind::Other, None))
}

/// Walks a body schema, collecting its fields.
struct SchemaReader<'r, 'a> {
    resolver: Resolver<'a>,
    fields: &'r mut Vec<BodyField>,
    /// The items' path, whose contents are items, not page metadata.
    skip: Vec<String>,
}

impl<'a> SchemaReader<'_, 'a> {
    /// Collects fields breadth-first, so a shallower field comes before a deeper one.
    fn read(&mut self, node: &'a dyn SchemaNode) {
        let mut level: Vec<(Vec<String>, &'a dyn SchemaNode)> = vec![(Vec::new(), node)];
        for _ in 0..MAX_FIELD_DEPTH {
            let mut next_level = Vec::new();
            for (prefix, object) in level {
                for (name, property) in properties(self.resolver, object) {
                    if prefix.len() + 1 == self.skip.len()
                        && self.skip.starts_with(&prefix)
                        && self.skip[prefix.len()] == name
                    {
                        continue;
                    }
                    let (kind, format) = kind_of(self.resolver, property, 0);
                    let mut path = prefix.clone();
                    path.push(name);
                    if kind == FieldKind::Object {
                        next_level.push((path.clone(), property));
                    }
                    self.fields.push(BodyField { path, kind, format });
                }
            }
            level = next_level;
        }
    }
}

/// Names each pagination static after its operation's (`LIST` gives `LIST_PAGES`), unique
/// among the statics of the same resource module; the operations' own names come first.
fn name_statics(resource: &Resource, operations: &mut [Operation]) {
    let taken: Vec<String> = resource.operations.iter().map(|&index| operations[index].static_name.clone()).collect();
    let mut statics = Scope::with_reserved(&taken.iter().map(String::as_str).collect::<Vec<_>>());
    for &index in &resource.operations {
        let operation = &mut operations[index];
        let wanted = naming::pages_static_name(&operation.static_name);
        if let Some(pagination) = &mut operation.pagination {
            pagination.static_name = statics.claim(&wanted);
        }
    }
    for child in resource.children.values() {
        name_statics(child, operations);
    }
}

/// An operationId as a TOML key: bare when it can be.
fn toml_key(id: &str) -> String {
    let bare = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        id.to_string()
    } else {
        format!("{:?}", id)
    }
}

/// How many operations are lists, and how they page: for reports on a whole spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaginationReport {
    /// Operations whose success body is a list (see the module docs), by HTTP method.
    pub lists_by_method: std::collections::BTreeMap<String, usize>,
    /// Operations with pagination, by shape name (`cursor`, `page_number`, ...).
    pub paginated_by_shape: std::collections::BTreeMap<&'static str, usize>,
    /// How many of those the configuration declared.
    pub configured: usize,
    /// `GET` lists without pagination, by operationId, in document order.
    pub unpaginated_lists: Vec<String>,
    /// Every paginated operation: operationId, shape name and items path, in document order.
    pub paginated_operations: Vec<(String, &'static str, Vec<String>)>,
}

impl PaginationReport {
    /// The report on a lowered model.
    pub fn of(api: &Api) -> PaginationReport {
        let mut report = PaginationReport::default();
        for operation in &api.operations {
            // An unnamed array is a list only if detection vetted it (see `Evidence::gather`).
            let is_list =
                operation.pagination.is_some() || list_of(api, &operation.success.kind).is_some_and(|list| list.named);
            if is_list {
                *report.lists_by_method.entry(operation.method.clone()).or_default() += 1;
            }
            match &operation.pagination {
                Some(pagination) => {
                    let shape = shape_name(&pagination.shape);
                    *report.paginated_by_shape.entry(shape).or_default() += 1;
                    report.paginated_operations.push((operation.id.clone(), shape, pagination.items.clone()));
                    if matches!(pagination.origin, PaginationOrigin::Configured(_)) {
                        report.configured += 1;
                    }
                }
                None if is_list && operation.method == "GET" => report.unpaginated_lists.push(operation.id.clone()),
                None => {}
            }
        }
        report
    }

    /// Every list operation, whatever its method.
    pub fn lists(&self) -> usize {
        self.lists_by_method.values().sum()
    }

    /// Every paginated operation.
    pub fn paginated(&self) -> usize {
        self.paginated_by_shape.values().sum()
    }
}

impl std::fmt::Display for PaginationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let methods: Vec<String> = self.lists_by_method.iter().map(|(method, n)| format!("{method} {n}")).collect();
        writeln!(f, "list operations: {} ({})", self.lists(), methods.join(", "))?;
        writeln!(f, "paginated: {} ({} declared in the configuration)", self.paginated(), self.configured)?;
        for (shape, count) in &self.paginated_by_shape {
            writeln!(f, "  {shape}: {count}")?;
        }
        let nested = self.paginated_operations.iter().filter(|(_, _, items)| items.len() > 1).count();
        writeln!(f, "  with items one object down (e.g. `result.reports`): {nested}")?;
        let shown: Vec<&str> = self.unpaginated_lists.iter().take(12).map(String::as_str).collect();
        let more = if self.unpaginated_lists.len() > shown.len() { ", ..." } else { "" };
        writeln!(f, "GET lists without pagination: {}", self.unpaginated_lists.len())?;
        if !shown.is_empty() {
            writeln!(f, "  {}{more}", shown.join(", "))?;
        }
        Ok(())
    }
}

/// The shape's name as the configuration spells it.
pub fn shape_name(shape: &PaginationShape) -> &'static str {
    match shape {
        PaginationShape::PageNumber { .. } => ShapeName::PageNumber.as_str(),
        PaginationShape::Offset { .. } => ShapeName::Offset.as_str(),
        PaginationShape::Cursor { .. } => ShapeName::Cursor.as_str(),
        PaginationShape::AfterLastItem { .. } => ShapeName::AfterLastItem.as_str(),
        PaginationShape::NextUrl { .. } => ShapeName::NextUrl.as_str(),
        PaginationShape::LinkHeader => ShapeName::LinkHeader.as_str(),
    }
}
