//! Lists over several pages of every shape, against wiremock servers, and `Link` parsing.

mod common;

use std::future::IntoFuture;
use std::time::Duration;

use common::*;
use futures_util::{Stream, StreamExt};
use reqwest::Method;
use sdk_runtime::client::Client;
use sdk_runtime::error::Error;
use sdk_runtime::page::{Link, ListCall, Pagination, Shape};
use sdk_runtime::request::{OperationSpec, PathBuilder, RequestParts};
use serde::Deserialize;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

static LIST: OperationSpec = OperationSpec {
    operation_id: "items-list",
    method: Method::GET,
    path_template: "/items",
    security: ALL_AUTH,
    accept: "application/json",
};

static PAGE_NUMBER: Pagination = Pagination {
    items: &["result"],
    shape: Shape::PageNumber {
        page: "page",
        size: Some("per_page"),
        total_pages: Some(&["result_info", "total_pages"]),
        total_count: Some(&["result_info", "total_count"]),
    },
};

static OFFSET: Pagination = Pagination {
    items: &["data"],
    shape: Shape::Offset { offset: "offset", limit: Some("limit"), total_count: Some(&["total"]) },
};

static CURSOR: Pagination = Pagination {
    items: &["result"],
    shape: Shape::Cursor { param: "cursor", next: &["result_info", "cursor"], has_more: None },
};

static CURSOR_HAS_MORE: Pagination = Pagination {
    items: &["result"],
    shape: Shape::Cursor { param: "cursor", next: &["result_info", "cursor"], has_more: Some(&["has_more"]) },
};

static STRIPE: Pagination = Pagination {
    items: &["data"],
    shape: Shape::AfterLastItem { param: "starting_after", id_field: "id", has_more: Some(&["has_more"]) },
};

static NEXT_URL: Pagination = Pagination { items: &["results"], shape: Shape::NextUrl { next: &["links", "next"] } };

static LINK: Pagination = Pagination { items: &[], shape: Shape::LinkHeader };

/// Cloudflare lists whose array sits one object down (`result.reports`), paged by number.
static NESTED: Pagination = Pagination {
    items: &["result", "reports"],
    shape: Shape::PageNumber {
        page: "page",
        size: Some("per_page"),
        total_pages: Some(&["result_info", "total_pages"]),
        total_count: None,
    },
};

/// The same, paged after the last item's id (the id read from the nested array).
static NESTED_AFTER: Pagination = Pagination {
    items: &["result", "reports"],
    shape: Shape::AfterLastItem { param: "starting_after", id_field: "id", has_more: Some(&["result", "has_more"]) },
};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Item {
    id: String,
}

fn base(server: &MockServer) -> String {
    format!("{}/client/v4", server.uri())
}

fn list<'a>(client: &'a Client, pagination: &'static Pagination) -> ListCall<'a, Item> {
    ListCall::new(client, &LIST, RequestParts::new(PathBuilder::new().literal("/items")), pagination)
}

/// `{"id": ...}` objects.
fn items(ids: &[&str]) -> Value {
    ids.iter().map(|id| json!({ "id": id })).collect()
}

fn ids(items: &[Item]) -> Vec<&str> {
    items.iter().map(|item| item.id.as_str()).collect()
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn query(r: &Request, name: &str) -> Option<String> {
    r.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Runs `f`, failing the test if it takes more than 10 seconds (a listing that loops).
async fn within<F: IntoFuture>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), f.into_future()).await.expect("the listing did not end")
}

/// Every item of a stream, errors included, in order.
async fn collect<T>(stream: impl Stream<Item = Result<T, Error>> + Unpin) -> Vec<Result<T, Error>> {
    within(stream.collect::<Vec<_>>()).await
}

/// The ids before the first error, and that error.
fn split(results: Vec<Result<Item, Error>>) -> (Vec<String>, Option<Error>) {
    let mut ok = Vec::new();
    for r in results {
        match r {
            Ok(item) => ok.push(item.id),
            Err(e) => return (ok, Some(e)),
        }
    }
    (ok, None)
}

async fn mount(server: &MockServer, mock: Mock) {
    mock.mount(server).await;
}

fn json_ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn cloudflare_page(ids: &[&str], page: u64, total_pages: Option<u64>) -> Value {
    let mut info = json!({ "page": page, "per_page": 2, "count": ids.len() });
    if let Some(total) = total_pages {
        info["total_pages"] = json!(total);
    }
    json!({ "success": true, "errors": [], "messages": [], "result": items(ids), "result_info": info })
}

#[tokio::test]
async fn page_numbers_stop_at_total_pages_without_an_extra_request() {
    let server = MockServer::start().await;
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("page"));
    mount(&server, first.respond_with(json_ok(cloudflare_page(&["a", "b"], 1, Some(3))))).await;
    for (page, ids) in [("2", ["c", "d"]), ("3", ["e", "f"])] {
        let mock = Mock::given(path("/client/v4/items")).and(query_param("page", page));
        mount(&server, mock.respond_with(json_ok(cloudflare_page(&ids, page.parse().unwrap(), Some(3))))).await;
    }
    let client = token_client(&base(&server));
    let all = collect(list(&client, &PAGE_NUMBER).query("per_page", "2").query("name", "x").items()).await;
    let (ids, error) = split(all);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e", "f"]);

    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 3, "no request after the last page");
    for (r, page) in reqs.iter().zip([None, Some("2"), Some("3")]) {
        assert_eq!(query(r, "page").as_deref(), page);
        assert_eq!(query(r, "per_page").as_deref(), Some("2"), "other parameters are kept");
        assert_eq!(query(r, "name").as_deref(), Some("x"));
        assert_eq!(r.url.query_pairs().filter(|(k, _)| k == "page").count(), page.iter().count());
        let auth = r.headers.get("authorization").and_then(|v| v.to_str().ok());
        assert_eq!(auth, Some(format!("Bearer {TOKEN}").as_str()), "credentials on every page");
    }
}

#[tokio::test]
async fn page_numbers_stop_at_total_count_and_start_where_the_caller_said() {
    let server = MockServer::start().await;
    let body = |ids: &[&str]| json!({ "result": items(ids), "result_info": { "total_count": 5 } });
    for (page, ids) in [("1", &["a", "b"][..]), ("2", &["c", "d"]), ("3", &["e"])] {
        let mock = Mock::given(path("/client/v4/items")).and(query_param("page", page));
        mount(&server, mock.respond_with(json_ok(body(ids)))).await;
    }
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &PAGE_NUMBER).query("page", "1").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(requests(&server).await.len(), 3);

    // A caller starting at page 2 gets pages 2 and 3. Counting only the items it received,
    // it then asks for page 4 (which is empty) rather than guess the size of earlier pages.
    let mock = Mock::given(path("/client/v4/items")).and(query_param("page", "4"));
    mount(&server, mock.respond_with(json_ok(body(&[])))).await;
    let (ids, error) = split(collect(list(&client, &PAGE_NUMBER).query("page", "2").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["c", "d", "e"]);
    assert_eq!(requests(&server).await.len(), 3 + 3);
}

#[tokio::test]
async fn page_numbers_without_totals_stop_on_an_empty_or_short_page() {
    let server = MockServer::start().await;
    let pages: [(&str, &[&str]); 4] = [("1", &["a", "b"]), ("2", &["c", "d"]), ("3", &["e", "f"]), ("4", &[])];
    for (page, ids) in pages {
        let mock = Mock::given(path("/client/v4/items")).and(query_param("page", page));
        mount(&server, mock.respond_with(json_ok(json!({ "result": items(ids) })))).await;
    }
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &PAGE_NUMBER).query("page", "1").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e", "f"]);
    assert_eq!(requests(&server).await.len(), 4, "the empty page ends the listing");

    // With a page size asked for, a short page is the last: page 3 holds 2 of 3.
    server.reset().await;
    for (page, ids) in pages {
        let mock = Mock::given(path("/client/v4/items")).and(query_param("page", page));
        let short = if page == "3" { &ids[..1] } else { ids };
        mount(&server, mock.respond_with(json_ok(json!({ "result": items(short) })))).await;
    }
    let call = list(&client, &PAGE_NUMBER).query("page", "1").query("per_page", "2");
    let (ids, _) = split(collect(call.items()).await);
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn a_server_ignoring_the_page_parameter_does_not_loop() {
    let server = MockServer::start().await;
    let mock = Mock::given(path("/client/v4/items"));
    mount(&server, mock.respond_with(json_ok(json!({ "result": items(&["a", "b"]) })))).await;
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &PAGE_NUMBER).items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b"], "the repeated page is not yielded again");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn offsets_advance_by_the_items_received() {
    let server = MockServer::start().await;
    let pages: [(Option<&str>, &[&str]); 4] =
        [(None, &["a", "b", "c"]), (Some("3"), &["d", "e"]), (Some("5"), &["f"]), (Some("6"), &[])];
    for (offset, ids) in pages {
        let mock = match offset {
            None => Mock::given(path("/client/v4/items")).and(query_param_is_missing("offset")),
            Some(o) => Mock::given(path("/client/v4/items")).and(query_param("offset", o)),
        };
        mount(&server, mock.respond_with(json_ok(json!({ "data": items(ids) })))).await;
    }
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &OFFSET).query("limit", "3").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e", "f"]);
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 4);
    assert!(reqs.iter().all(|r| query(r, "limit").as_deref() == Some("3")));

    // A total in the body ends the listing without asking for the empty page.
    server.reset().await;
    for (offset, ids) in pages {
        let mock = match offset {
            None => Mock::given(path("/client/v4/items")).and(query_param_is_missing("offset")),
            Some(o) => Mock::given(path("/client/v4/items")).and(query_param("offset", o)),
        };
        mount(&server, mock.respond_with(json_ok(json!({ "data": items(ids), "total": 6 })))).await;
    }
    let (ids, _) = split(collect(list(&client, &OFFSET).items()).await);
    assert_eq!(ids.len(), 6);
    assert_eq!(requests(&server).await.len(), 3);
}

fn kv_page(ids: &[&str], cursor: Value) -> ResponseTemplate {
    json_ok(json!({ "success": true, "result": items(ids), "result_info": { "count": ids.len(), "cursor": cursor } }))
}

#[tokio::test]
async fn cursors_are_sent_back_until_empty() {
    let server = MockServer::start().await;
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("cursor"));
    mount(&server, first.respond_with(kv_page(&["a", "b"], json!("c1")))).await;
    let second = Mock::given(path("/client/v4/items")).and(query_param("cursor", "c1"));
    mount(&server, second.respond_with(kv_page(&["c", "d"], json!("c2")))).await;
    let third = Mock::given(path("/client/v4/items")).and(query_param("cursor", "c2"));
    mount(&server, third.respond_with(kv_page(&["e"], json!("")))).await;

    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &CURSOR).query("prefix", "p/").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| query(r, "prefix").as_deref() == Some("p/")));

    // `null` and an absent cursor end the listing too.
    for info in [json!({ "cursor": null }), json!({})] {
        server.reset().await;
        let body = json!({ "result": items(&["a"]), "result_info": info });
        mount(&server, Mock::given(path("/client/v4/items")).respond_with(json_ok(body))).await;
        let (ids, _) = split(collect(list(&client, &CURSOR).items()).await);
        assert_eq!(ids, ["a"]);
        assert_eq!(requests(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_listing() {
    let server = MockServer::start().await;
    // The same cursor forever, each time with a fresh body.
    let mock = Mock::given(path("/client/v4/items")).and(query_param_is_missing("cursor"));
    mount(&server, mock.respond_with(kv_page(&["a"], json!("same")))).await;
    let mock = Mock::given(path("/client/v4/items")).and(query_param("cursor", "same"));
    mount(&server, mock.respond_with(kv_page(&["b"], json!("same")))).await;
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &CURSOR).items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(requests(&server).await.len(), 2);

    // A cycle: x -> y -> x.
    server.reset().await;
    for (sent, ids, next) in [(None, ["a"], "x"), (Some("x"), ["b"], "y"), (Some("y"), ["c"], "x")] {
        let mock = match sent {
            None => Mock::given(path("/client/v4/items")).and(query_param_is_missing("cursor")),
            Some(c) => Mock::given(path("/client/v4/items")).and(query_param("cursor", c)),
        };
        mount(&server, mock.respond_with(kv_page(&ids, json!(next)))).await;
    }
    let (ids, _) = split(collect(list(&client, &CURSOR).items()).await);
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(requests(&server).await.len(), 3);

    // The cursor the caller started from counts as sent.
    server.reset().await;
    let mock = Mock::given(path("/client/v4/items")).and(query_param("cursor", "start"));
    mount(&server, mock.respond_with(kv_page(&["a"], json!("start")))).await;
    let (ids, _) = split(collect(list(&client, &CURSOR).query("cursor", "start").items()).await);
    assert_eq!(ids, ["a"]);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn has_more_decides_for_cursors() {
    let server = MockServer::start().await;
    let body = |ids: &[&str], cursor: &str, more: bool| {
        json_ok(json!({ "result": items(ids), "result_info": { "cursor": cursor }, "has_more": more }))
    };
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("cursor"));
    mount(&server, first.respond_with(body(&["a"], "c1", true))).await;
    // An empty page with `has_more: true` is not the end.
    let second = Mock::given(path("/client/v4/items")).and(query_param("cursor", "c1"));
    mount(&server, second.respond_with(body(&[], "c2", true))).await;
    let third = Mock::given(path("/client/v4/items")).and(query_param("cursor", "c2"));
    mount(&server, third.respond_with(body(&["b"], "c3", false))).await;
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &CURSOR_HAS_MORE).items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(requests(&server).await.len(), 3, "`has_more: false` ends it despite a cursor");
}

fn stripe_page(ids: &[&str], has_more: bool) -> ResponseTemplate {
    json_ok(json!({ "object": "list", "url": "/v1/customers", "data": items(ids), "has_more": has_more }))
}

#[tokio::test]
async fn stripe_lists_continue_after_the_last_id() {
    let server = MockServer::start().await;
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("starting_after"));
    mount(&server, first.respond_with(stripe_page(&["cus_1", "cus_2"], true))).await;
    let second = Mock::given(path("/client/v4/items")).and(query_param("starting_after", "cus_2"));
    mount(&server, second.respond_with(stripe_page(&["cus_3", "cus_4"], true))).await;
    let third = Mock::given(path("/client/v4/items")).and(query_param("starting_after", "cus_4"));
    mount(&server, third.respond_with(stripe_page(&["cus_5"], false))).await;

    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &STRIPE).query("limit", "2").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["cus_1", "cus_2", "cus_3", "cus_4", "cus_5"]);
    assert_eq!(requests(&server).await.len(), 3);

    // Ids may be numbers, and fields may come in any order.
    server.reset().await;
    let body = json!({ "has_more": true, "data": [{ "n": 1, "id": 7 }, { "id": 8, "x": { "id": 0 } }] });
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("starting_after"));
    mount(&server, first.respond_with(json_ok(body))).await;
    let second = Mock::given(path("/client/v4/items")).and(query_param("starting_after", "8"));
    mount(&server, second.respond_with(stripe_page(&[], true))).await;
    #[derive(Debug, Deserialize)]
    struct Numbered {
        #[allow(dead_code)]
        id: u64,
    }
    let call: ListCall<'_, Numbered> =
        ListCall::new(&client, &LIST, RequestParts::new(PathBuilder::new().literal("/items")), &STRIPE);
    let all = collect(call.items()).await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(requests(&server).await.len(), 2, "the empty page ends it");
}

#[tokio::test]
async fn next_urls_absolute_and_relative_are_followed() {
    let server = MockServer::start().await;
    let absolute = format!("{}/client/v4/items?page=2&token=a%2Bb", server.uri());
    let pages = [
        (None, vec!["a", "b"], json!(absolute)),
        (Some("2"), vec!["c"], json!("/client/v4/items?page=3")),
        (Some("3"), vec!["d"], json!("/items?page=4")),
        (Some("4"), vec!["e"], json!(null)),
    ];
    for (page, ids, next) in pages {
        let mock = match page {
            None => Mock::given(path("/client/v4/items")).and(query_param_is_missing("page")),
            Some(p) => Mock::given(path("/client/v4/items")).and(query_param("page", p)),
        };
        let body = json!({ "results": items(&ids), "links": { "next": next } });
        mount(&server, mock.respond_with(json_ok(body))).await;
    }
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &NEXT_URL).query("q", "first-only").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 4);
    assert_eq!(query(&reqs[0], "q").as_deref(), Some("first-only"));
    // The server's URL is sent as given (its query untouched, nothing added).
    assert_eq!(reqs[1].url.query(), Some("page=2&token=a%2Bb"));
    assert_eq!(reqs[2].url.query(), Some("page=3"));
    assert!(reqs.iter().all(|r| r.headers.contains_key("authorization")));
}

#[tokio::test]
async fn a_next_url_on_another_origin_is_refused_after_the_items_before_it() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let foreign = format!("{}/client/v4/items?page=2", elsewhere.uri());
    let body = json!({ "results": items(&["a", "b"]), "links": { "next": foreign } });
    mount(&server, Mock::given(path("/client/v4/items")).respond_with(json_ok(body))).await;
    mount(&elsewhere, Mock::given(method("GET")).respond_with(json_ok(json!({ "results": [] })))).await;

    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &NEXT_URL).items()).await);
    assert_eq!(ids, ["a", "b"]);
    let error = error.expect("refused");
    assert!(error.is_config(), "{error:?}");
    assert!(error.to_string().contains(&foreign), "{error}");
    assert!(requests(&elsewhere).await.is_empty(), "nothing was sent to the other origin");

    // The page API says there is a next page, and fetching it fails the same way.
    let page = within(list(&client, &NEXT_URL)).await.expect("first page");
    assert!(page.has_next_page());
    assert!(page.next_page().await.expect_err("refused").is_config());

    // Another scheme, a user name, or a protocol-relative URL are other origins too.
    for next in [
        server.uri().replace("http://", "https://") + "/client/v4/items",
        server.uri().replace("http://", "http://user:pw@") + "/client/v4/items",
        server.uri().replace("http://127.0.0.1", "//localhost") + "/client/v4/items",
    ] {
        server.reset().await;
        let body = json!({ "results": items(&["a"]), "links": { "next": next } });
        mount(&server, Mock::given(path("/client/v4/items")).respond_with(json_ok(body))).await;
        let (_, error) = split(collect(list(&client, &NEXT_URL).items()).await);
        let error = error.unwrap_or_else(|| panic!("{next} was followed"));
        assert!(error.is_config());
        assert!(!error.to_string().contains("pw@"), "{error}");
        assert_eq!(requests(&server).await.len(), 1);
    }
}

fn github_page(ids: &[&str], link: Option<String>) -> ResponseTemplate {
    let template = json_ok(items(ids));
    match link {
        Some(link) => template.insert_header("link", link.as_str()),
        None => template,
    }
}

#[tokio::test]
async fn link_headers_are_followed() {
    let server = MockServer::start().await;
    let url = |page: u32| format!("{}/client/v4/items?per_page=2&page={page}", server.uri());
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("page"));
    let link = format!(r#"<{}>; rel="next", <{}>; rel="last""#, url(2), url(3));
    mount(&server, first.respond_with(github_page(&["a", "b"], Some(link)))).await;
    let second = Mock::given(path("/client/v4/items")).and(query_param("page", "2"));
    // Relative to the request, several relation types, the next link last.
    let link = format!(r#"<{}>; rel="prev first", <?per_page=2&page=3>; title="a, b"; REL="Next last""#, url(1));
    mount(&server, second.respond_with(github_page(&["c", "d"], Some(link)))).await;
    let third = Mock::given(path("/client/v4/items")).and(query_param("page", "3"));
    let link = format!(r#"<{}>; rel="first", <{}>; rel="prev""#, url(1), url(2));
    mount(&server, third.respond_with(github_page(&["e"], Some(link)))).await;

    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &LINK).query("per_page", "2").items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[2].url.path(), "/client/v4/items");
    assert_eq!(reqs[2].url.query(), Some("per_page=2&page=3"));
}

#[tokio::test]
async fn an_error_on_page_three_comes_after_the_items_of_pages_one_and_two() {
    for status in [500, 404] {
        let server = MockServer::start().await;
        let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("page"));
        mount(&server, first.respond_with(json_ok(cloudflare_page(&["a", "b"], 1, Some(4))))).await;
        let second = Mock::given(path("/client/v4/items")).and(query_param("page", "2"));
        mount(&server, second.respond_with(json_ok(cloudflare_page(&["c", "d"], 2, Some(4))))).await;
        let third = Mock::given(path("/client/v4/items")).and(query_param("page", "3"));
        let failure = json!({ "success": false, "errors": [{ "code": 1000, "message": "boom" }] });
        mount(&server, third.respond_with(ResponseTemplate::new(status).set_body_json(failure))).await;

        let client = builder(&base(&server)).credential("api_token", TOKEN).max_retries(0).build().unwrap();
        let mut stream = list(&client, &PAGE_NUMBER).items();
        let mut seen = Vec::new();
        let error = within(async {
            loop {
                match stream.next().await {
                    Some(Ok(item)) => seen.push(item.id),
                    Some(Err(e)) => return e,
                    None => panic!("the stream ended without the error"),
                }
            }
        })
        .await;
        assert_eq!(seen, ["a", "b", "c", "d"]);
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(within(stream.next()).await.is_none(), "the error ends the stream");
        assert_eq!(requests(&server).await.len(), 3);

        // The page stream: two pages, then the error.
        let pages = collect(list(&client, &PAGE_NUMBER).pages()).await;
        assert_eq!(pages.len(), 3);
        assert_eq!(ids(pages[1].as_ref().unwrap().items()), ["c", "d"]);
        assert_eq!(pages[2].as_ref().unwrap_err().status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn max_pages_limits_the_requests() {
    let server = MockServer::start().await;
    let body = |page: &str| json!({ "result": items(&[page]) });
    mount(
        &server,
        Mock::given(path("/client/v4/items")).and(query_param_is_missing("page")).respond_with(json_ok(body("1"))),
    )
    .await;
    for page in ["2", "3", "4"] {
        let mock = Mock::given(path("/client/v4/items")).and(query_param("page", page));
        mount(&server, mock.respond_with(json_ok(body(page)))).await;
    }
    let client = token_client(&base(&server));
    let (ids, error) = split(collect(list(&client, &PAGE_NUMBER).max_pages(2).items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(requests(&server).await.len(), 2);

    let pages = collect(list(&client, &PAGE_NUMBER).max_pages(3).pages()).await;
    assert_eq!(pages.len(), 3);
    let last = pages.last().unwrap().as_ref().unwrap();
    assert!(!last.has_next_page());
    assert!(within(last.next_page()).await.unwrap().is_none());

    let first = within(list(&client, &PAGE_NUMBER).max_pages(0)).await.unwrap();
    assert!(!first.has_next_page(), "0 counts as one page");
}

#[tokio::test]
async fn pages_carry_their_metadata_and_fetch_the_next_one() {
    let server = MockServer::start().await;
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("page"));
    let reply = json_ok(cloudflare_page(&["a", "b"], 1, Some(2))).insert_header("cf-ray", "ray-1");
    mount(&server, first.respond_with(reply)).await;
    let second = Mock::given(path("/client/v4/items")).and(query_param("page", "2"));
    mount(&server, second.respond_with(json_ok(cloudflare_page(&["c"], 2, Some(2))))).await;

    let client = token_client(&base(&server));
    let page = within(list(&client, &PAGE_NUMBER)).await.expect("first page");
    assert_eq!(ids(page.items()), ["a", "b"]);
    assert_eq!(page.meta()["result_info"]["total_pages"], 2);
    assert_eq!(page.meta()["success"], true);
    assert!(!page.meta().contains_key("result"), "the items are not kept twice");
    assert_eq!(page.headers().get("cf-ray").unwrap(), "ray-1");
    assert!(page.has_next_page());

    fn send<T: Send>(value: T) -> T {
        value
    }
    let second = within(send(page.next_page())).await.unwrap().expect("second page");
    assert_eq!(ids(second.items()), ["c"]);
    assert!(!second.has_next_page());
    assert!(within(second.next_page()).await.unwrap().is_none());
    // The first page is still usable.
    assert_eq!(page.into_items().len(), 2);
    assert_eq!(second.into_iter().map(|i| i.id).collect::<Vec<_>>(), ["c"]);
    assert_eq!(requests(&server).await.len(), 2);
}

#[test]
fn list_calls_pages_and_streams_can_move_between_threads() {
    fn send<T: Send>(_: &T) {}
    let client = token_client("https://api.example.com");
    send(&list(&client, &PAGE_NUMBER));
    send(&list(&client, &PAGE_NUMBER).into_future());
    send(&list(&client, &PAGE_NUMBER).items());
    send(&list(&client, &PAGE_NUMBER).pages());
}

#[tokio::test]
async fn bodies_that_are_not_pages_are_decode_errors_with_paths() {
    let server = MockServer::start().await;
    let bad = json!({ "result": [{ "id": "a" }, { "id": 5 }], "result_info": {} });
    mount(&server, Mock::given(path("/client/v4/items")).respond_with(json_ok(bad).insert_header("cf-ray", "r-9")))
        .await;
    let client = token_client(&base(&server));
    let error = within(list(&client, &PAGE_NUMBER)).await.expect_err("bad item");
    let Error::Decode(e) = &error else { panic!("{error:?}") };
    assert_eq!(e.path.as_deref(), Some("result[1].id"));
    assert_eq!(e.status.map(|s| s.as_u16()), Some(200));
    assert_eq!(e.request_id.as_deref(), Some("r-9"));

    // A `null` or absent items field is an empty page; a body that is not JSON is an error.
    for (body, ok) in [(r#"{"result": null}"#, true), (r#"{"other": 1}"#, true), ("<html>", false), ("[]", false)] {
        server.reset().await;
        let reply = ResponseTemplate::new(200).set_body_raw(body, "application/json");
        mount(&server, Mock::given(path("/client/v4/items")).respond_with(reply)).await;
        let result = within(list(&client, &PAGE_NUMBER)).await;
        assert_eq!(result.is_ok(), ok, "{body}: {result:?}");
        if let Ok(page) = result {
            assert!(page.items().is_empty() && !page.has_next_page());
        }
    }
}

#[test]
fn link_header_parsing() {
    fn link(target: &str, rel: &[&str]) -> (String, Vec<String>) {
        (target.to_owned(), rel.iter().map(|r| r.to_string()).collect())
    }
    fn parse_link_header(value: &str) -> Vec<(String, Vec<String>)> {
        sdk_runtime::page::parse_link_header(value).into_iter().map(|Link { target, rel, .. }| (target, rel)).collect()
    }
    assert_eq!(
        parse_link_header(r#"<https://a.test/x?page=2>; rel="next", <https://a.test/x?page=9>; rel="last""#),
        [link("https://a.test/x?page=2", &["next"]), link("https://a.test/x?page=9", &["last"])]
    );
    // Several relation types, case, unquoted values, other parameters before `rel`.
    assert_eq!(
        parse_link_header(r#"</p/2>;title="x; y, z";REL="Next  Last" , </p/1>; rel=prev"#),
        [link("/p/2", &["next", "last"]), link("/p/1", &["prev"])]
    );
    // Commas inside the target, escapes in quotes, only the first `rel` counts.
    assert_eq!(
        parse_link_header(r#"<https://a.test/?ids=1,2>; title="say \"hi\", ok"; rel="next"; rel="prev""#),
        [link("https://a.test/?ids=1,2", &["next"])]
    );
    // No `rel`, junk between links, an unterminated target.
    assert_eq!(
        parse_link_header(r#"<a>; type="text/html", junk; rel="x", <b>; rel="next", <c"#),
        [link("a", &[]), link("b", &["next"])]
    );
    assert_eq!(parse_link_header(""), []);
    assert_eq!(parse_link_header(" , ,"), []);
    assert_eq!(parse_link_header(r#"<x>; rel="unterminated"#), [link("x", &["unterminated"])]);
}

fn nested_page(ids: &[&str], page: u64, total_pages: u64) -> ResponseTemplate {
    json_ok(json!({
        "success": true,
        "result": { "generated_at": "2026-01-01", "reports": items(ids) },
        "result_info": { "page": page, "per_page": 2, "total_pages": total_pages },
    }))
}

#[tokio::test]
async fn items_one_object_down_page_with_their_siblings_kept_in_the_meta() {
    let server = MockServer::start().await;
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("page"));
    mount(&server, first.respond_with(nested_page(&["a", "b"], 1, 3))).await;
    mount(&server, Mock::given(query_param("page", "2")).respond_with(nested_page(&["c", "d"], 2, 3))).await;
    mount(&server, Mock::given(query_param("page", "3")).respond_with(nested_page(&["e"], 3, 3))).await;

    let client = token_client(&base(&server));
    let page = within(list(&client, &NESTED)).await.expect("first page");
    assert_eq!(ids(page.items()), ["a", "b"]);
    assert_eq!(page.meta()["result"], json!({ "generated_at": "2026-01-01" }), "the items are not kept twice");
    assert_eq!(page.meta()["result_info"]["total_pages"], 3);
    let (all, error) = split(collect(list(&client, &NESTED).items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(all, ["a", "b", "c", "d", "e"]);
    assert_eq!(requests(&server).await.len(), 4, "one page alone, then three without an extra request");
}

#[tokio::test]
async fn nested_items_give_the_last_id_and_decode_errors_their_path() {
    let server = MockServer::start().await;
    let body = |ids: &[&str], more: bool| {
        json_ok(json!({ "result": { "has_more": more, "reports": items(ids), "note": { "id": "not an item" } } }))
    };
    let first = Mock::given(path("/client/v4/items")).and(query_param_is_missing("starting_after"));
    mount(&server, first.respond_with(body(&["r1", "r2"], true))).await;
    let second = Mock::given(path("/client/v4/items")).and(query_param("starting_after", "r2"));
    mount(&server, second.respond_with(body(&["r3"], false))).await;
    let client = token_client(&base(&server));
    let (all, error) = split(collect(list(&client, &NESTED_AFTER).items()).await);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(all, ["r1", "r2", "r3"]);

    // An item of the wrong type is an error at its full path; a `null` or absent object
    // on the way, or a `null` array, is an empty page.
    server.reset().await;
    let bad = json!({ "result": { "reports": [{ "id": "a" }, { "id": 5 }] } });
    mount(&server, Mock::given(path("/client/v4/items")).respond_with(json_ok(bad))).await;
    let error = within(list(&client, &NESTED)).await.expect_err("bad item");
    let Error::Decode(e) = &error else { panic!("{error:?}") };
    assert_eq!(e.path.as_deref(), Some("result.reports[1].id"));
    for body in [r#"{"result": null}"#, r#"{"result": {"reports": null}}"#, r#"{"result": {}}"#, "{}"] {
        server.reset().await;
        let reply = ResponseTemplate::new(200).set_body_raw(body, "application/json");
        mount(&server, Mock::given(path("/client/v4/items")).respond_with(reply)).await;
        let page = within(list(&client, &NESTED)).await.unwrap_or_else(|e| panic!("{body}: {e:?}"));
        assert!(page.items().is_empty() && !page.has_next_page(), "{body}");
    }
    // A `result` that is not an object is an error.
    server.reset().await;
    let reply = ResponseTemplate::new(200).set_body_raw(r#"{"result": [1]}"#, "application/json");
    mount(&server, Mock::given(path("/client/v4/items")).respond_with(reply)).await;
    assert!(within(list(&client, &NESTED)).await.unwrap_err().is_decode());
}
