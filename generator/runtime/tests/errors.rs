//! The one error type: it is `Send + Sync + 'static`, `?` composes client
//! construction and calls with different error bodies, the API's own message
//! is found in common JSON shapes, and typed error bodies stay reachable.

mod common;

use bytes::Bytes;
use common::*;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use sdk_runtime::client::ClientBuilder;
use sdk_runtime::error::{ApiError, ConfigError, Error};
use sdk_runtime::request::{Call, Decoder, PathBuilder, RequestParts};
use serde::Deserialize;
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn api_error(status: u16, body: &str) -> ApiError {
    ApiError::new("op-id", StatusCode::from_u16(status).unwrap(), None, HeaderMap::new(), Bytes::from(body.to_owned()))
}

fn message(body: &str) -> Option<String> {
    api_error(400, body).message()
}

#[test]
fn error_is_a_send_sync_static_std_error() {
    fn check<E: std::error::Error + Send + Sync + 'static>() {}
    check::<Error>();
    check::<ApiError>();
    // And so it converts into the usual boxed error.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Error::from(ConfigError::new("x")).into();
    assert_eq!(boxed.to_string(), "configuration error: x");
}

#[test]
fn message_is_found_in_common_shapes() {
    // Cloudflare-like: every entry of `errors`, with its code.
    assert_eq!(
        message(r#"{"success":false,"errors":[{"code":7003,"message":"No route"},{"code":"x1","message":"Second"}]}"#)
            .as_deref(),
        Some("No route (code 7003); Second (code x1)")
    );
    assert_eq!(message(r#"{"errors":["plain text"]}"#).as_deref(), Some("plain text"));
    // Empty `errors` falls through to the next shape.
    assert_eq!(message(r#"{"errors":[],"message":"top"}"#).as_deref(), Some("top"));
    assert_eq!(message(r#"{"message":"Bad credentials","documentation_url":"u"}"#).as_deref(), Some("Bad credentials"));
    assert_eq!(message(r#"{"error":{"code":404,"message":"Not there"}}"#).as_deref(), Some("Not there"));
    assert_eq!(
        message(r#"{"error":"invalid_grant","error_description":"expired"}"#).as_deref(),
        Some("invalid_grant: expired")
    );
    assert_eq!(message(r#"{"error":"Not Found"}"#).as_deref(), Some("Not Found"));
    // RFC 7807 problem details: the specific `detail` before the generic `title`.
    assert_eq!(message(r#"{"type":"about:blank","title":"Bad Request","detail":"x is 3"}"#).as_deref(), Some("x is 3"));
    assert_eq!(message(r#"{"title":"Bad Request"}"#).as_deref(), Some("Bad Request"));
    assert_eq!(message(r#""just a string""#).as_deref(), Some("just a string"));
    // Nothing to show.
    assert_eq!(message(r#"{"status":400}"#), None);
    assert_eq!(message(r#"{"message":"   "}"#), None);
    assert_eq!(message("<html>no</html>"), None);
    assert_eq!(message(""), None);
}

#[test]
fn message_is_one_bounded_line() {
    let long = format!(r#"{{"message":"line1\nline2 {}"}}"#, "y".repeat(2000));
    let text = message(&long).unwrap();
    assert!(text.starts_with("line1 line2 "), "{text}");
    assert!(!text.contains('\n'));
    assert!(text.chars().count() <= 501, "{}", text.chars().count());
}

#[test]
fn display_prefers_the_api_message_and_falls_back_to_the_body() {
    let shown = api_error(404, r#"{"errors":[{"code":7003,"message":"No route for the URI"}]}"#).to_string();
    assert_eq!(shown, "API error from `op-id`: HTTP 404 Not Found: No route for the URI (code 7003)");
    let shown = api_error(502, "<html>\n<body>Bad gateway</body></html>").to_string();
    assert_eq!(shown, "API error from `op-id`: HTTP 502 Bad Gateway: <html> <body>Bad gateway</body></html>");
    assert_eq!(api_error(500, "").to_string(), "API error from `op-id`: HTTP 500 Internal Server Error");
}

#[derive(Debug, Deserialize, PartialEq)]
struct Problem {
    title: String,
    status: u16,
}

#[test]
fn body_as_decodes_any_type_and_names_the_failing_path() {
    let e = api_error(422, r#"{"title":"Unprocessable","status":422}"#);
    assert_eq!(e.body_as::<Problem>().unwrap(), Problem { title: "Unprocessable".into(), status: 422 });
    let wrong = e.body_as::<Envelope>().unwrap_err();
    assert_eq!(wrong.status, Some(StatusCode::UNPROCESSABLE_ENTITY));
    assert!(wrong.message.contains("success"), "{wrong:?}");
    let err = Error::from(e);
    assert!(err.api_error_body::<Envelope>().is_none());
    assert_eq!(err.api_error_body::<Problem>().unwrap().status, 422);
    assert_eq!(err.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    // Not an API error: no body.
    assert!(Error::from(ConfigError::new("x")).api_error_body::<Problem>().is_none());
}

static LIST_ZONES: sdk_runtime::request::OperationSpec = sdk_runtime::request::OperationSpec {
    operation_id: "zones-list",
    method: reqwest::Method::GET,
    path_template: "/zones",
    security: ALL_AUTH,
    accept: "application/json",
};

/// Client construction and two operations whose error bodies have different shapes, all
/// through `?` in one function returning the one `Error`.
async fn build_and_call(base: &str) -> Result<(Vec<Zone>, Zone), Error> {
    let client = ClientBuilder::new(&SPEC).base_url(base).credential("api_token", TOKEN).max_retries(0).build()?;
    let zones: Vec<Zone> = Call::new(
        &client,
        &LIST_ZONES,
        RequestParts::new(PathBuilder::new().literal("/zones")),
        Decoder::json_field("result"),
    )
    .await?;
    let zone = get_zone(&client, "abc").await?;
    Ok((zones, zone))
}

#[tokio::test]
async fn question_mark_composes_construction_and_calls_with_different_error_bodies() {
    let server = MockServer::start().await;
    let base = format!("{}/client/v4", server.uri());
    Mock::given(path("/client/v4/zones"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"result": [ok_zone()["result"]]})))
        .mount(&server)
        .await;
    Mock::given(path("/client/v4/zones/abc"))
        .respond_with(ResponseTemplate::new(422).set_body_json(serde_json::json!({
            "title": "Unprocessable", "status": 422, "detail": "zone abc is locked"
        })))
        .mount(&server)
        .await;
    let err = build_and_call(&base).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    assert_eq!(err.api_error().unwrap().operation_id, "zones-get");
    assert_eq!(err.api_error_body::<Problem>().unwrap().title, "Unprocessable");
    assert!(err.to_string().ends_with(": zone abc is locked"), "{err}");

    // The first call's error body is the Cloudflare envelope instead.
    server.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "success": false, "errors": [{"code": 1001, "message": "no zones here"}], "messages": []
        })))
        .mount(&server)
        .await;
    let err = build_and_call(&base).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.api_error().unwrap().operation_id, "zones-list");
    let envelope: Envelope = err.api_error_body().unwrap();
    assert_eq!(envelope.errors, [Message { code: 1001, message: "no zones here".into() }]);

    // A construction failure goes through the same `?`.
    let err = build_and_call("ftp://nowhere").await.unwrap_err();
    assert!(err.is_config(), "{err:?}");
}
