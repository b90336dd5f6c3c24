//! End-to-end behaviour against a wiremock server.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sdk_runtime::client::ClientBuilder;
use sdk_runtime::error::Error;
use sdk_runtime::request::{Call, Decoder, PathBuilder, RequestOptions, RequestParts};
use sdk_runtime::validate::{check_number, check_string, StringRules};
use wiremock::matchers::{any, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn base(server: &MockServer) -> String {
    format!("{}/client/v4", server.uri())
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn hdr<'r>(r: &'r Request, name: &str) -> Option<&'r str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn mount_ok(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_zone()).insert_header("cf-ray", "ray-1"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn url_join_keeps_base_path_prefix_and_sends_standard_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/client/v4/zones/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_zone()))
        .expect(2)
        .mount(&server)
        .await;
    for b in [base(&server), format!("{}/", base(&server))] {
        let c = token_client(&b);
        let zone = get_zone(&c, "abc").await.expect("ok");
        assert_eq!(zone.id, "abc");
        assert_eq!(zone.geo, None);
    }
    let reqs = requests(&server).await;
    let r = &reqs[0];
    assert_eq!(hdr(r, "user-agent"), Some("test-sdk/0.1.0 (rust)"));
    assert_eq!(hdr(r, "accept"), Some("application/json"));
    assert_eq!(hdr(r, "x-sdk-retry-count"), Some("0"));
    assert_eq!(r.url.query(), None);
}

#[tokio::test]
async fn each_auth_alternative_sets_its_headers() {
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let b = base(&server);

    let c = token_client(&b);
    get_zone(&c, "abc").await.unwrap();
    let c = builder(&b).credential("api_email", EMAIL).credential("api_key", KEY).build().unwrap();
    get_zone(&c, "abc").await.unwrap();
    let c = builder(&b).credential("query_key", "q-SECRET").build().unwrap();
    get_zone(&c, "abc").await.unwrap();
    let c = builder(&b).credential("basic", "user:pass").build().unwrap();
    get_zone(&c, "abc").await.unwrap();
    let c = builder(&b).credential("session", "s-SECRET").build().unwrap();
    get_zone(&c, "abc").await.unwrap();

    let reqs = requests(&server).await;
    assert_eq!(hdr(&reqs[0], "authorization"), Some(&*format!("Bearer {TOKEN}")));
    assert_eq!(hdr(&reqs[0], "x-auth-key"), None);
    assert_eq!(hdr(&reqs[1], "x-auth-email"), Some(EMAIL));
    assert_eq!(hdr(&reqs[1], "x-auth-key"), Some(KEY));
    assert_eq!(hdr(&reqs[1], "authorization"), None);
    assert_eq!(reqs[2].url.query(), Some("apikey=q-SECRET"));
    assert_eq!(hdr(&reqs[3], "authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(hdr(&reqs[4], "cookie"), Some("sid=s-SECRET"));
}

#[tokio::test]
async fn operation_without_security_sends_no_credentials() {
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = token_client(&base(&server));
    let parts = RequestParts::new(PathBuilder::new().literal("/ips"));
    let _: serde_json::Value = Call::<_>::new(&c, &PUBLIC_OP, parts, Decoder::json()).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(hdr(&reqs[0], "authorization"), None);
    assert_eq!(reqs[0].url.path(), "/client/v4/ips");
}

#[tokio::test]
async fn operation_whose_schemes_are_not_configured_is_refused_without_sending() {
    static TOKEN_ONLY: sdk_runtime::request::OperationSpec = sdk_runtime::request::OperationSpec {
        operation_id: "token-only",
        method: reqwest::Method::GET,
        path_template: "/user/tokens/verify",
        security: &[&["api_token"]],
        accept: "application/json",
    };
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = builder(&base(&server)).credential("api_email", EMAIL).credential("api_key", KEY).build().unwrap();
    let parts = RequestParts::new(PathBuilder::new().literal("/user/tokens/verify"));
    let err = Call::<serde_json::Value>::new(&c, &TOKEN_ONLY, parts, Decoder::json()).await.unwrap_err();
    assert!(err.is_config(), "{err:?}");
    assert!(err.to_string().contains("TEST_API_TOKEN"), "{err}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn path_params_are_percent_encoded_as_one_segment() {
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = token_client(&base(&server));
    for v in ["a/b", "x?y=1", "h#frag", "with space", "100%", "café-日本", "a.b", "...", "~_-"] {
        get_zone(&c, v).await.unwrap();
    }
    let paths: Vec<String> = requests(&server).await.iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(
        paths,
        [
            "/client/v4/zones/a%2Fb",
            "/client/v4/zones/x%3Fy%3D1",
            "/client/v4/zones/h%23frag",
            "/client/v4/zones/with%20space",
            "/client/v4/zones/100%25",
            "/client/v4/zones/caf%C3%A9-%E6%97%A5%E6%9C%AC",
            "/client/v4/zones/a.b",
            "/client/v4/zones/...",
            "/client/v4/zones/~_-",
        ]
    );
    let reqs = requests(&server).await;
    assert!(reqs.iter().all(|r| r.url.query().is_none()));
}

#[tokio::test]
async fn empty_and_dot_path_params_are_refused_without_sending() {
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = token_client(&base(&server));
    for v in ["", ".", ".."] {
        let err = get_zone(&c, v).await.unwrap_err();
        match &err {
            Error::Validation(v) => assert_eq!(v.param, "zone_id"),
            other => panic!("expected validation error, got {other:?}"),
        }
    }
    assert_eq!(requests(&server).await.len(), 0);
}

#[tokio::test]
async fn string_and_number_rules_refuse_without_sending() {
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = token_client(&base(&server));
    let rules = StringRules { max_length: Some(5), min_length: Some(2), pattern: Some("^[a-z]+$"), allowed: &[] };
    let cases: [(&str, &str); 3] = [("toolongvalue", "at most 5"), ("z", "at least 2"), ("AB1", "pattern")];
    for (value, reason) in cases {
        let mut parts = RequestParts::new(PathBuilder::new().literal("/zones"));
        check_string(&mut parts, "name", value, &rules);
        let err = Call::<serde_json::Value>::new(&c, &CREATE_ZONE, parts, Decoder::json()).await.unwrap_err();
        let Error::Validation(v) = &err else { panic!("{err:?}") };
        assert_eq!(v.param, "name");
        assert!(v.reason.contains(reason), "{}", v.reason);
        assert!(!err.to_string().contains(value), "value leaked: {err}");
    }
    // Lengths count characters, not bytes.
    let mut parts = RequestParts::new(PathBuilder::new());
    check_string(&mut parts, "n", "日本語", &StringRules { max_length: Some(3), ..Default::default() });
    let enum_rules = StringRules { allowed: &["full", "partial"], ..Default::default() };
    check_string(&mut parts, "type", "full", &enum_rules);
    check_number(&mut parts, "per_page", 50.0, Some(5.0), Some(50.0));
    assert!(parts.errors().is_empty());
    check_string(&mut parts, "type", "other", &enum_rules);
    check_number(&mut parts, "per_page", 51.0, Some(5.0), Some(50.0));
    check_number(&mut parts, "page", f64::NAN, Some(1.0), None);
    let errs = parts.errors();
    assert_eq!(errs.len(), 3);
    assert!(errs[0].reason.contains("full, partial"));
    assert!(errs[1].reason.contains("at most 50"));
    assert_eq!(errs[2].param, "page");
    assert_eq!(requests(&server).await.len(), 0);
}

async fn flaky(status: u16, failures: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_string("busy"))
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_zone()))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn retries_retryable_statuses_with_retry_count_header() {
    for status in [429, 503, 408, 409, 500] {
        let server = flaky(status, 2).await;
        let c = token_client(&base(&server));
        let zone = get_zone(&c, "abc").await.unwrap_or_else(|e| panic!("{status}: {e:?}"));
        assert_eq!(zone.name, "example.com");
        let counts: Vec<String> =
            requests(&server).await.iter().map(|r| hdr(r, "x-sdk-retry-count").unwrap_or("").to_owned()).collect();
        assert_eq!(counts, ["0", "1", "2"], "status {status}");
    }
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let server = flaky(503, 10).await;
    let c = token_client(&base(&server));
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert!(err.is_server_error());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn does_not_retry_other_client_errors() {
    for status in [400, 401, 403, 404, 422] {
        let server = flaky(status, 10).await;
        let c = token_client(&base(&server));
        let err = get_zone(&c, "abc").await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(requests(&server).await.len(), 1, "status {status}");
    }
}

#[tokio::test]
async fn x_should_retry_header_overrides_status_rules() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("x-should-retry", "false"))
        .mount(&server)
        .await;
    let c = token_client(&base(&server));
    assert!(get_zone(&c, "abc").await.unwrap_err().is_server_error());
    assert_eq!(requests(&server).await.len(), 1);

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).insert_header("x-should-retry", "true"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(ok_zone())).mount(&server).await;
    let c = token_client(&base(&server));
    get_zone(&c, "abc").await.unwrap();
    assert_eq!(requests(&server).await.len(), 2);
}

async fn retry_after_server(header_name: &str, value: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header(header_name, value))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(ok_zone())).mount(&server).await;
    server
}

#[tokio::test]
async fn retry_after_headers_are_honoured() {
    // Backoff is set to 30 s, so finishing quickly proves the server's delay
    // was used, and taking at least that delay proves it was waited for.
    for (name, value, min) in [("retry-after-ms", "10", 10u64), ("retry-after", "0.05", 50)] {
        let server = retry_after_server(name, value).await;
        let c = builder(&base(&server))
            .credential("api_token", TOKEN)
            .retry_backoff(Duration::from_secs(30), Duration::from_secs(30))
            .build()
            .unwrap();
        let start = Instant::now();
        get_zone(&c, "abc").await.unwrap();
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(min), "{name}: {took:?}");
        assert!(took < Duration::from_secs(5), "{name}: {took:?}");
        assert_eq!(requests(&server).await.len(), 2);
    }
}

#[tokio::test]
async fn max_retries_per_client_and_per_request() {
    let server = flaky(503, 100).await;
    let b = base(&server);
    let c = builder(&b).credential("api_token", TOKEN).max_retries(0).build().unwrap();
    assert_eq!(c.config().max_retries(), 0);
    get_zone(&c, "abc").await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);

    server.reset().await;
    let server2 = flaky(503, 100).await;
    let c = token_client(&base(&server2));
    get_zone(&c, "abc").max_retries(4).await.unwrap_err();
    assert_eq!(requests(&server2).await.len(), 5);

    let server3 = flaky(503, 100).await;
    let c = token_client(&base(&server3));
    get_zone(&c, "abc").options(RequestOptions::default().max_retries(0)).await.unwrap_err();
    assert_eq!(requests(&server3).await.len(), 1);
}

#[tokio::test]
async fn json_error_envelope_becomes_typed_api_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).insert_header("cf-ray", "8abc-SJC").set_body_json(serde_json::json!({
            "success": false,
            "errors": [{"code": 9109, "message": "Invalid access token"}],
            "messages": [],
            "result": null
        })))
        .mount(&server)
        .await;
    let c = token_client(&base(&server));
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert!(err.is_forbidden());
    assert!(!err.is_not_found() && !err.is_rate_limited() && !err.is_timeout());
    assert_eq!(err.request_id(), Some("8abc-SJC"));
    let api = err.api_error().expect("api error");
    let body: Envelope = api.body_as().expect("typed body");
    assert!(!body.success);
    assert_eq!(body.errors, [Message { code: 9109, message: "Invalid access token".into() }]);
    let same: Envelope = err.api_error_body().expect("typed body through the error");
    assert_eq!(same.errors, body.errors);
    assert_eq!(api.operation_id, "zones-get");
    assert_eq!(api.message().as_deref(), Some("Invalid access token (code 9109)"));
    assert_eq!(api.json().unwrap()["errors"][0]["code"], 9109);
    let shown = err.to_string();
    assert_eq!(
        shown,
        "API error from `zones-get`: HTTP 403 Forbidden (request id 8abc-SJC): Invalid access token (code 9109)"
    );
}

#[tokio::test]
async fn html_502_is_api_error_without_body_and_is_retried() {
    let server = MockServer::start().await;
    let html = format!("<html><body>Bad gateway</body></html>{}", "x".repeat(10_000));
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(502).set_body_raw(html.into_bytes(), "text/html").insert_header("cf-ray", "r2"),
        )
        .mount(&server)
        .await;
    let c = token_client(&base(&server));
    let err = get_zone(&c, "abc").await.unwrap_err();
    let api = err.api_error().expect("api");
    assert_eq!(api.status.as_u16(), 502);
    assert!(api.json().is_none());
    assert!(api.message().is_none());
    assert!(api.body_as::<Envelope>().is_err());
    assert!(err.api_error_body::<Envelope>().is_none());
    // The whole body is kept; what is shown is bounded.
    assert_eq!(api.body().len(), 10_000 + "<html><body>Bad gateway</body></html>".len());
    assert!(api.body_text().starts_with("<html><body>Bad gateway"));
    let shown = err.to_string();
    assert!(shown.contains("HTTP 502") && shown.contains("<html><body>Bad gateway"), "{shown}");
    assert!(shown.len() < 500, "{}", shown.len());
    assert_eq!(err.request_id(), Some("r2"));
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn decode_error_names_json_path_and_keeps_bounded_snippet() {
    let server = MockServer::start().await;
    let body = serde_json::json!({
        "success": true, "errors": [], "messages": [],
        "result": {"id": "abc", "name": "n", "geo": {"country": 42}, "padding": "p".repeat(5000)}
    });
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body).insert_header("cf-ray", "r3"))
        .mount(&server)
        .await;
    let c = token_client(&base(&server));
    let err = get_zone(&c, "abc").await.unwrap_err();
    let Error::Decode(d) = &err else { panic!("{err:?}") };
    assert_eq!(d.path.as_deref(), Some("result.geo.country"));
    assert_eq!(d.status.map(|s| s.as_u16()), Some(200));
    assert!(d.body_snippet.len() <= 2048 + 20);
    assert!(d.body_snippet.starts_with('{'));
    assert_eq!(err.request_id(), Some("r3"));
    assert!(err.to_string().contains("result.geo.country"), "{err}");
    // Not retried.
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn missing_unwrap_field_decodes_as_null() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"success": true})))
        .mount(&server)
        .await;
    let c = token_client(&base(&server));
    let parts = RequestParts::new(PathBuilder::new().literal("/zones"));
    let v: Option<Zone> = Call::<_>::new(&c, &GET_ZONE, parts.clone(), Decoder::json_field("result")).await.unwrap();
    assert_eq!(v, None);
    let err = Call::<Zone>::new(&c, &GET_ZONE, parts, Decoder::json_field("result")).await.unwrap_err();
    let Error::Decode(d) = err else { panic!() };
    assert_eq!(d.path.as_deref(), Some("result"));
}

#[tokio::test]
async fn send_raw_exposes_status_headers_and_body() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(201).set_body_json(ok_zone()).insert_header("cf-ray", "raw-ray"))
        .mount(&server)
        .await;
    let c = token_client(&base(&server));
    let resp = get_zone(&c, "abc").send_raw().await.unwrap();
    assert_eq!(resp.status.as_u16(), 201);
    assert_eq!(resp.request_id(), Some("raw-ray"));
    assert_eq!(resp.header("cf-ray"), Some("raw-ray"));
    assert_eq!(resp.body.id, "abc");
}

#[tokio::test]
async fn per_request_headers_and_query_and_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/client/v4/zones"))
        .and(query_param("page", "2"))
        .and(query_param("extra", "a b&c"))
        .and(header("x-trace", "t1"))
        .and(header("x-team", "override"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_zone()))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&base(&server)).credential("api_token", TOKEN).default_header("x-team", "default").build().unwrap();
    let mut parts = RequestParts::new(PathBuilder::new().literal("/zones"));
    parts.query("page", 2);
    parts.query("tag", "x");
    parts.query("tag", "y");
    parts.json_body(&serde_json::json!({"name": "example.com"}));
    let call: Call<'_, Zone> = Call::new(&c, &CREATE_ZONE, parts, Decoder::json_field("result"));
    call.header("x-trace", "t1")
        .options(RequestOptions::default().header("x-team", "override").query("extra", "a b&c"))
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs[0].url.query(), Some("page=2&tag=x&tag=y&extra=a+b%26c"));
    assert_eq!(reqs[0].body, br#"{"name":"example.com"}"#);
    assert_eq!(reqs[0].headers.get_all("x-team").iter().count(), 1);

    // Form body.
    server.reset().await;
    mount_ok(&server).await;
    let mut parts = RequestParts::new(PathBuilder::new().literal("/zones"));
    parts.form_body(vec![("a b".into(), "x&y=z é".into()), ("k".into(), "*-._~".into())]);
    let _: Zone = Call::<_>::new(&c, &CREATE_ZONE, parts, Decoder::json_field("result")).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(hdr(&reqs[0], "content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(reqs[0].body, b"a+b=x%26y%3Dz+%C3%A9&k=*-._%7E");
}

#[tokio::test]
async fn json_body_is_resent_on_retry() {
    let server = flaky(503, 1).await;
    let c = token_client(&base(&server));
    let mut parts = RequestParts::new(PathBuilder::new().literal("/zones"));
    parts.json_body(&serde_json::json!({"n": 1}));
    let _: Zone = Call::<_>::new(&c, &CREATE_ZONE, parts, Decoder::json_field("result")).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].body, br#"{"n":1}"#);
}

#[tokio::test]
async fn invalid_per_request_header_is_a_validation_error() {
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = token_client(&base(&server));
    let err = get_zone(&c, "abc").header("bad header", "v").await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = get_zone(&c, "abc").header("x-ok", "line\nbreak").await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(401).set_body_string("nope")).mount(&server).await;
    let b = builder(&base(&server))
        .credential("api_token", TOKEN)
        .credential("api_email", EMAIL)
        .credential("api_key", KEY)
        .credential("query_key", "QUERY-SECRET")
        .default_header("x-custom-api-key", "HEADER-SECRET");
    let shown = format!("{b:?}");
    let c = b.build().unwrap();
    let mut texts = vec![shown, format!("{c:?}"), format!("{:?}", c.config()), format!("{:?}", c.credentials())];
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert!(err.is_unauthorized());
    texts.push(format!("{err:?}"));
    texts.push(err.to_string());

    // Query credential in a connection error's URL must be redacted.
    let qc =
        builder("http://127.0.0.1:9/client/v4").credential("query_key", "QUERY-SECRET").max_retries(0).build().unwrap();
    let err = get_zone(&qc, "abc").await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    texts.push(format!("{err:?}"));
    texts.push(err.to_string());
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&err);
    while let Some(s) = src {
        texts.push(format!("{s} {s:?}"));
        src = s.source();
    }
    assert!(texts.last().is_some());
    for t in &texts {
        for secret in [TOKEN, KEY, "QUERY-SECRET", "HEADER-SECRET"] {
            assert!(!t.contains(secret), "secret {secret} leaked in: {t}");
        }
    }
    assert!(texts[1].contains("[redacted]"));
}

#[tokio::test]
async fn into_future_and_send_are_equivalent_and_send_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let server = MockServer::start().await;
    mount_ok(&server).await;
    let c = token_client(&base(&server));
    let fut = get_zone(&c, "abc").send();
    assert_send(&fut);
    assert_eq!(fut.await.unwrap().id, "abc");
    let c2 = c.clone();
    let handle = tokio::spawn(async move { get_zone(&c2, "abc").await.map(|z| z.id) });
    assert_eq!(handle.await.unwrap().unwrap(), "abc");
}

#[tokio::test]
async fn no_auth_api_builds_without_credentials() {
    let c = ClientBuilder::new(&NO_AUTH_SPEC).build().unwrap();
    assert_eq!(c.config().base_url.as_str(), "https://api.example.com/");
    assert_eq!(c.config().timeout, Duration::from_secs(60));
    assert_eq!(c.config().max_retries(), 2);
}

#[tokio::test]
async fn same_origin_redirects_are_followed_with_credentials() {
    let server = MockServer::start().await;
    Mock::given(path("/client/v4/zones/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/client/v4/zones/new"))
        .mount(&server)
        .await;
    Mock::given(path("/client/v4/zones/new"))
        .and(header("x-auth-key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_zone()))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&base(&server)).credential("api_email", EMAIL).credential("api_key", KEY).build().unwrap();
    assert_eq!(get_zone(&c, "old").await.unwrap().id, "abc");
}
