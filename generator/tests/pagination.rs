//! Pagination in the model: which shape detection picks when several fit, what the
//! `[pagination]` configuration declares and overrides, and the errors naming its keys.
//! (The `pagination` fixture snapshots every shape; its crate pages through wiremock servers
//! in `fixtures_compile.rs`.)

mod common;

use std::path::Path;

use sdkgen::ir::{Api, PaginationOrigin, PaginationShape};
use sdkgen::Config;

/// A spec with one `GET /things` (or `method`) operation `things-list`, whose query
/// parameters are `query`, whose `200` body is `body` (YAML) and declares `headers`.
fn spec(method: &str, query: &[&str], body: &str, headers: &str) -> String {
    let parameters: String =
        query.iter().map(|name| format!("        - {{name: {name}, in: query, schema: {{type: string}}}}\n")).collect();
    let parameters = if query.is_empty() { String::new() } else { format!("      parameters:\n{parameters}") };
    let body = body.trim_end().replace('\n', "\n                ");
    format!(
        "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /things:\n    {method}:\n      \
         operationId: things-list\n{parameters}      responses:\n        '200':\n          description: ok\n\
         {headers}          content:\n            application/json:\n              schema:\n                {body}\n"
    )
}

fn lower(test: &str, spec_text: &str, config_text: &str) -> Result<Api, String> {
    let path = common::temp_spec(test, "spec.yaml", spec_text);
    let loaded = sdkgen::load::load_spec(&path).map_err(|e| e.to_string())?;
    let config = Config::parse(config_text, Path::new("codegen.toml")).map_err(|e| e.to_string())?;
    sdkgen::ir::lower(&loaded.document, &config).map_err(|problem| format!("{}: {}", problem.pointer, problem.message))
}

fn shape(test: &str, spec_text: &str, config_text: &str) -> Option<PaginationShape> {
    let api = lower(test, spec_text, config_text).unwrap_or_else(|e| panic!("{e}"));
    api.operations[0].pagination.as_ref().map(|p| p.shape.clone())
}

fn names(path: &[&str]) -> Vec<String> {
    path.iter().map(|name| name.to_string()).collect()
}

const ARRAY: &str = "type: array\nitems: {type: object, properties: {id: {type: string}}}";

const CURSOR_AND_PAGE_BODY: &str = "type: object
properties:
  data: {type: array, items: {type: string}}
  meta:
    type: object
    properties:
      next_cursor: {type: string}
      total_pages: {type: integer}";

#[test]
fn a_declared_link_header_wins_over_page_numbers() {
    let headers = "          headers:\n            Link: {schema: {type: string}}\n";
    let found = shape("link", &spec("get", &["page", "per_page"], ARRAY, headers), "");
    assert_eq!(found, Some(PaginationShape::LinkHeader));
    // Without the header, the same operation pages by number.
    let found = shape("link-none", &spec("get", &["page", "per_page"], ARRAY, ""), "");
    assert!(matches!(found, Some(PaginationShape::PageNumber { ref page, .. }) if page == "page"), "{found:?}");
}

#[test]
fn a_cursor_the_server_hands_out_wins_over_a_page_number() {
    let found = shape("cursor", &spec("get", &["page", "cursor"], CURSOR_AND_PAGE_BODY, ""), "");
    let expected =
        PaginationShape::Cursor { param: "cursor".into(), next: names(&["meta", "next_cursor"]), has_more: None };
    assert_eq!(found, Some(expected));
    // Without the cursor parameter, the page number, with the total found in `meta`.
    let found = shape("cursor-page", &spec("get", &["page"], CURSOR_AND_PAGE_BODY, ""), "");
    let expected = PaginationShape::PageNumber {
        page: "page".into(),
        size: None,
        total_pages: Some(names(&["meta", "total_pages"])),
        total_count: None,
    };
    assert_eq!(found, Some(expected));
}

#[test]
fn a_next_field_that_is_a_uri_is_a_next_url_not_a_cursor() {
    let body = "type: object\nproperties:\n  items: {type: array, items: {type: string}}\n  \
                next: {type: string, format: uri}";
    let found = shape("next-uri", &spec("get", &["cursor"], body, ""), "");
    assert_eq!(found, Some(PaginationShape::NextUrl { next: names(&["next"]) }));
    // A plain string `next` with no cursor parameter could be anything: not paged.
    let body = "type: object\nproperties:\n  items: {type: array, items: {type: string}}\n  next: {type: string}";
    assert_eq!(shape("next-plain", &spec("get", &[], body, ""), ""), None);
}

#[test]
fn only_get_operations_are_detected_but_any_can_be_declared() {
    let text = spec("post", &["cursor"], CURSOR_AND_PAGE_BODY, "");
    assert_eq!(shape("post", &text, ""), None);
    let config = "[pagination.operations.things-list]\nshape = \"cursor\"\n";
    let api = lower("post-declared", &text, config).unwrap();
    let pagination = api.operations[0].pagination.as_ref().expect("declared");
    assert_eq!(pagination.origin, PaginationOrigin::Configured("pagination.operations.things-list".into()));
    // The keys left out are found as detection finds them.
    assert!(
        matches!(&pagination.shape, PaginationShape::Cursor { param, next, .. } if param == "cursor" && next == &names(&["meta", "next_cursor"])),
        "{pagination:?}"
    );
}

#[test]
fn an_object_that_merely_holds_an_array_is_not_a_page() {
    let body = "type: object\nproperties:\n  tags: {type: array, items: {type: string}}\n  name: {type: string}";
    assert_eq!(shape("tags", &spec("get", &["offset", "limit"], body, ""), ""), None);
    // Beside a total, an only array is the page's items whatever its name.
    let body = "type: object\nproperties:\n  matches: {type: array, items: {type: string}}\n  total: {type: integer}";
    let api = lower("matches", &spec("get", &["offset", "limit"], body, ""), "").unwrap();
    let pagination = api.operations[0].pagination.as_ref().expect("paged");
    assert_eq!(pagination.items, ["matches"]);
    assert!(
        matches!(&pagination.shape, PaginationShape::Offset { total_count: Some(total), .. } if total == &names(&["total"]))
    );
}

#[test]
fn stripe_lists_need_items_with_an_id() {
    let body = |id: &str| {
        format!(
            "type: object\nproperties:\n  data: {{type: array, items: {{type: object, properties: {{{id}: {{type: string}}}}}}}}\n  \
             has_more: {{type: boolean}}"
        )
    };
    let found = shape("stripe", &spec("get", &["starting_after", "limit"], &body("id"), ""), "");
    let expected = PaginationShape::AfterLastItem {
        param: "starting_after".into(),
        id_field: "id".into(),
        has_more: Some(names(&["has_more"])),
    };
    assert_eq!(found, Some(expected));
    assert_eq!(shape("stripe-no-id", &spec("get", &["starting_after"], &body("key"), ""), ""), None);
}

#[test]
fn the_configuration_turns_detection_off_by_operation_pattern_or_everywhere() {
    let text = spec("get", &["page"], ARRAY, "");
    assert!(shape("on", &text, "").is_some());
    assert_eq!(shape("off-op", &text, "[pagination.operations.things-list]\nshape = \"none\"\n"), None);
    assert_eq!(shape("off-path", &text, "[[pagination.paths]]\npath = \"/*\"\nshape = \"none\"\n"), None);
    assert_eq!(shape("off-all", &text, "[pagination]\ndetect = false\n"), None);
    // An operation's own entry wins over a pattern; a pattern left with nothing to match is
    // an error (a typo, most likely), as is one whose method matches nothing.
    let own = "[pagination.operations.things-list]\nshape = \"offset\"\noffset = \"start\"\n";
    let found = shape("declared", &text, own);
    let expected = PaginationShape::Offset { offset: "start".into(), limit: None, total_count: None };
    assert_eq!(found, Some(expected));
    for pattern in [
        "[[pagination.paths]]\npath = \"/**\"\nshape = \"none\"\n",
        "[[pagination.paths]]\npath = \"/**\"\nmethod = \"post\"\nshape = \"none\"\n",
    ] {
        let error = lower("own-entry", &text, &format!("{own}\n{pattern}")).unwrap_err();
        assert!(error.contains("`pagination.paths[0]` (`/**`) matches no operation"), "{error}");
    }
}

#[test]
fn declarations_the_spec_cannot_satisfy_are_errors_naming_the_key() {
    let text = spec("get", &[], ARRAY, "");
    let cases = [
        (
            "[pagination.operations.things-list]\nshape = \"cursor\"\n",
            "the configuration's `pagination.operations.things-list` declares shape `cursor`, but the operation has \
             no cursor query parameter; set `param`",
        ),
        (
            "[pagination.operations.other]\nshape = \"link_header\"\n",
            "`pagination.operations.other` names no operation of the spec",
        ),
        (
            "[pagination.operations.things-list]\nshape = \"link_header\"\nitems = \"data\"\n",
            "`pagination.operations.things-list.items` is `data`, but the list the operation returns is the body itself",
        ),
        ("[[pagination.paths]]\npath = \"/other\"\nshape = \"link_header\"\n", "`pagination.paths[0]` (`/other`) matches no operation"),
    ];
    for (config, expected) in cases {
        let error = lower("declared-errors", &text, config).unwrap_err();
        assert!(error.contains(expected), "for {config:?}:\n  got      {error}\n  expected {expected}");
    }
    let object = spec("get", &[], "type: object\nproperties:\n  name: {type: string}", "");
    let error =
        lower("not-a-list", &object, "[pagination.operations.things-list]\nshape = \"link_header\"\n").unwrap_err();
    assert!(error.contains("declares pagination, but the success body is not a list"), "{error}");
}

#[test]
fn pagination_configuration_is_validated_with_its_location() {
    let cases: &[(&str, &str)] = &[
        (
            "[pagination.operations.x]\nshape = \"cursor\"\npage = \"p\"",
            "pagination.operations.x.page (line 3, column 1): `page` does not apply to shape `cursor` (it reads \
             `items`, `param`, `next`, `has_more`)",
        ),
        ("[pagination.operations.x]\nshape = \"none\"\nitems = \"data\"", "`items` does not apply: shape `none`"),
        (
            "[pagination.operations.x]\nshape = \"cursor\"\nparam = \"\"",
            "pagination.operations.x.param (line 3, column 9): a name is empty",
        ),
        (
            "[pagination.operations.x]\nshape = \"cursor\"\nnext = \"a..b\"",
            "pagination.operations.x.next (line 3, column 8): a name is empty",
        ),
        ("[pagination.operations.x]\nshape = \"next_url\"\nnext = [\"a\\u0007\"]", "holds control characters"),
        (
            "[pagination.operations.x]\nshape = \"cursor\"\npath = \"/x\"",
            "`path` belongs to `[[pagination.paths]]` entries",
        ),
        ("[pagination.operations.x]\nshape = \"pages\"", "unknown variant `pages`"),
        (
            "[[pagination.paths]]\nshape = \"none\"",
            "pagination.paths[0] (line 1, column 1): a `[[pagination.paths]]` entry needs `path`",
        ),
        (
            "[[pagination.paths]]\npath = \"x/*\"\nshape = \"none\"",
            "pagination.paths[0].path (line 2, column 8): \"x/*\" is not a path pattern",
        ),
        ("[[pagination.paths]]\npath = \"/**/a/**\"\nshape = \"none\"", "has more than one `**`"),
        (
            "[[pagination.paths]]\npath = \"/a\"\nmethod = \"fetch\"\nshape = \"none\"",
            "\"fetch\" is not an HTTP method",
        ),
    ];
    for (text, expected) in cases {
        let error = match Config::parse(text, Path::new("codegen.toml")) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(error) => error.to_string(),
        };
        assert!(error.contains(expected), "for {text:?}:\n  got      {error}\n  expected {expected}");
    }
    let valid = "[pagination]\ndetect = true\n\n[pagination.operations.\"a b\"]\nshape = \"cursor\"\nnext = [\"@odata.nextLink\"]\n\n\
                 [[pagination.paths]]\npath = \"/zones/*/items/**\"\nmethod = \"GET\"\nshape = \"page_number\"\ntotal_pages = \"result_info.total_pages\"\n";
    Config::parse(valid, Path::new("codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_report_counts_lists_and_shapes() {
    let generated = common::generate_fixture("pagination", false);
    let report = sdkgen::ir::analysis::pagination::PaginationReport::of(&generated.api);
    assert_eq!(report.paginated(), 9, "{report}");
    assert_eq!(report.configured, 1, "{report}");
    assert_eq!(report.unpaginated_lists, ["exports-list"], "{report}");
    assert_eq!(report.lists_by_method.get("POST"), Some(&1), "{report}");
    let shapes: Vec<(&str, usize)> = report.paginated_by_shape.iter().map(|(shape, n)| (*shape, *n)).collect();
    let expected =
        [("after_last_item", 1), ("cursor", 2), ("link_header", 1), ("next_url", 1), ("offset", 1), ("page_number", 3)];
    assert_eq!(shapes, expected, "{report}");
    assert!(report.to_string().contains("with items one object down (e.g. `result.reports`): 1\n"), "{report}");
}

#[test]
fn pagination_statics_never_take_an_operation_static_name() {
    let operation = |id: &str| {
        format!(
            "    get:\n      operationId: {id}\n      tags: [things]\n      parameters:\n        - {{name: page, in: query, \
             schema: {{type: integer}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            \
             application/json:\n              schema: {{type: array, items: {{type: string}}}}\n"
        )
    };
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /things:\n{}  /things/pages:\n{}",
        operation("things-list"),
        operation("things-list-pages")
    );
    // Named by operationId, both methods are `list*` in one resource (from the path they
    // would be `things.list` and `things.pages.list`, in two).
    let api = lower("statics", &text, "[naming]\nstyle = \"operation_id\"\n").unwrap();
    let mut statics: Vec<&str> = Vec::new();
    for operation in &api.operations {
        statics.push(&operation.static_name);
        statics.push(&operation.pagination.as_ref().expect("both page").static_name);
    }
    assert_eq!(statics, ["LIST", "LIST_PAGES2", "LIST_PAGES", "LIST_PAGES_PAGES"]);
}

/// A Cloudflare-style envelope whose `result` is an object holding `fields` (YAML, indented
/// for `result.properties`), beside `result_info`.
fn nested_body(fields: &str) -> String {
    format!(
        "type: object\nproperties:\n  success: {{type: boolean}}\n  result:\n    type: object\n    properties:\n{fields}  \
         result_info:\n    type: object\n    properties:\n      page: {{type: number}}\n      per_page: {{type: number}}\n      \
         total_count: {{type: number}}"
    )
}

#[test]
fn an_unwrapped_object_pages_through_its_only_array_when_the_body_speaks_of_pages() {
    let unwrap = "[response]\nunwrap_field = \"result\"\n";
    let reports = "      reports: {type: array, items: {type: object, properties: {id: {type: string}}}}\n      \
                   generated_at: {type: string}\n";
    let api = lower("nested", &spec("get", &["page", "per_page"], &nested_body(reports), ""), unwrap).unwrap();
    let pagination = api.operations[0].pagination.as_ref().expect("paged");
    assert_eq!(pagination.items, ["result", "reports"]);
    let expected = PaginationShape::PageNumber {
        page: "page".into(),
        size: Some("per_page".into()),
        total_pages: None,
        total_count: Some(names(&["result_info", "total_count"])),
    };
    assert_eq!(pagination.shape, expected);
    // Declaring it names the same path.
    let declared =
        format!("{unwrap}[pagination.operations.things-list]\nshape = \"page_number\"\nitems = \"result.reports\"\n");
    let api = lower("nested-declared", &spec("get", &["page"], &nested_body(reports), ""), &declared).unwrap();
    assert_eq!(api.operations[0].pagination.as_ref().expect("declared").items, ["result", "reports"]);
    let wrong = format!("{unwrap}[pagination.operations.things-list]\nshape = \"page_number\"\nitems = \"result\"\n");
    let error = lower("nested-wrong", &spec("get", &["page"], &nested_body(reports), ""), &wrong).unwrap_err();
    assert!(error.contains("items` is `result`, but the list the operation returns is `result.reports`"), "{error}");

    // Two arrays: which one is the page is anyone's guess.
    let two =
        "      reports: {type: array, items: {type: string}}\n      errors: {type: array, items: {type: string}}\n";
    assert_eq!(shape("nested-two", &spec("get", &["page"], &nested_body(two), ""), unwrap), None);
    // No paging parameter: an object that holds an array is what the call returns, even when
    // `result_info` echoes a page number (which names the parameter for a top-level list).
    assert_eq!(shape("nested-no-param", &spec("get", &[], &nested_body(reports), ""), unwrap), None);
    // Nothing about pages in the body: the same.
    let bare = "type: object\nproperties:\n  result:\n    type: object\n    properties:\n      \
                reports: {type: array, items: {type: string}}";
    assert_eq!(shape("nested-bare", &spec("get", &["page"], bare, ""), unwrap), None);
    // Without an unwrap, arrays one level down are not looked for.
    assert_eq!(shape("nested-no-unwrap", &spec("get", &["page"], &nested_body(reports), ""), ""), None);
}
