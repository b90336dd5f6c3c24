//! What a paginated operation adds to its resource module: the `ListCall` its method returns,
//! the line of its docs saying how it pages, and the `static Pagination` the runtime follows.

use super::escape::code;
use super::rust_type_text;
use super::source::{literal, Source};
use crate::ir::{Api, Operation, Pagination, PaginationShape};

const PAGE: &str = "crate::runtime::page";

/// The method's return type: `crate::ListCall<'a, Item>`.
pub fn list_call_type(api: &Api, pagination: &Pagination) -> (&'static str, String) {
    ("crate::ListCall", rust_type_text(api, &pagination.item))
}

/// The expression the method ends with: `ListCall::new(client, &SPEC, parts, &PAGES)`.
pub fn list_call(out: &mut Source, operation: &Operation, pagination: &Pagination) {
    let arguments = [
        "self.client".to_string(),
        format!("&{}", operation.static_name),
        operation.locals.parts.clone(),
        format!("&{}", pagination.static_name),
    ];
    out.call(2, &format!("{PAGE}::ListCall::new"), &arguments, "");
}

/// One paragraph of the method's docs: how it pages and what to call.
pub fn doc_lines(pagination: &Pagination) -> [String; 2] {
    let field = |path: &[String]| code(&path.join("."));
    let how = match &pagination.shape {
        PaginationShape::PageNumber { page, .. } => format!("Pages by the {} query parameter", code(page)),
        PaginationShape::Offset { offset, .. } => format!("Pages by the {} query parameter", code(offset)),
        PaginationShape::Cursor { param, next, .. } => {
            format!("Pages by the {} query parameter, set from {}", code(param), field(next))
        }
        PaginationShape::AfterLastItem { param, id_field, .. } => {
            format!("Pages by the {} query parameter, set to the last item's {}", code(param), code(id_field))
        }
        PaginationShape::NextUrl { next } => format!("Pages by following the URL in {}", field(next)),
        PaginationShape::LinkHeader => "Pages by following the `Link` header's `rel=\"next\"` URL".to_string(),
    };
    [format!("{how}."), "`.items()` streams every item; `.await` gives the first [`Page`](crate::Page).".to_string()]
}

/// `static <NAME>_PAGES: Pagination = ...;`, after the operation's own static.
pub fn pagination_static(out: &mut Source, pagination: &Pagination) {
    out.blank();
    out.line(0, format_args!("static {}: {PAGE}::Pagination = {PAGE}::Pagination {{", pagination.static_name));
    let items: Vec<String> = pagination.items.iter().map(|name| literal(name)).collect();
    out.line(1, format_args!("items: &[{}],", items.join(", ")));
    let (variant, fields) = shape_fields(&pagination.shape);
    if fields.is_empty() {
        out.line(1, format_args!("shape: {PAGE}::Shape::{variant},"));
    } else {
        out.line(1, format_args!("shape: {PAGE}::Shape::{variant} {{"));
        for (name, value) in fields {
            out.line(2, format_args!("{name}: {value},"));
        }
        out.line(1, "},");
    }
    out.line(0, "};");
}

/// The runtime variant's name and its fields as Rust expressions.
fn shape_fields(shape: &PaginationShape) -> (&'static str, Vec<(&'static str, String)>) {
    let name = |text: &String| literal(text);
    let path = |names: &Vec<String>| format!("&[{}]", names.iter().map(|n| literal(n)).collect::<Vec<_>>().join(", "));
    let optional_name = |text: &Option<String>| option(text.as_ref().map(name));
    let optional_path = |names: &Option<Vec<String>>| option(names.as_ref().map(path));
    match shape {
        PaginationShape::PageNumber { page, size, total_pages, total_count } => (
            "PageNumber",
            vec![
                ("page", name(page)),
                ("size", optional_name(size)),
                ("total_pages", optional_path(total_pages)),
                ("total_count", optional_path(total_count)),
            ],
        ),
        PaginationShape::Offset { offset, limit, total_count } => (
            "Offset",
            vec![
                ("offset", name(offset)),
                ("limit", optional_name(limit)),
                ("total_count", optional_path(total_count)),
            ],
        ),
        PaginationShape::Cursor { param, next, has_more } => {
            ("Cursor", vec![("param", name(param)), ("next", path(next)), ("has_more", optional_path(has_more))])
        }
        PaginationShape::AfterLastItem { param, id_field, has_more } => (
            "AfterLastItem",
            vec![("param", name(param)), ("id_field", name(id_field)), ("has_more", optional_path(has_more))],
        ),
        PaginationShape::NextUrl { next } => ("NextUrl", vec![("next", path(next))]),
        PaginationShape::LinkHeader => ("LinkHeader", Vec::new()),
    }
}

fn option(value: Option<String>) -> String {
    value.map_or_else(|| "None".to_string(), |v| format!("Some({v})"))
}
