//! The escape hatch: `Client::get/post/put/patch/delete` for paths missing from the spec.

mod common;

use common::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct Thing {
    id: u32,
}

#[derive(Serialize)]
struct NewThing<'a> {
    name: &'a str,
}

#[tokio::test]
async fn get_and_post_use_the_api_auth_and_decode_the_callers_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/client/v4/accounts/a1/things"))
        .and(query_param("page", "2"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .and(header("user-agent", "test-sdk/0.1.0 (rust)"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/client/v4/things"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"name": "new"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 3})))
        .expect(1)
        .mount(&server)
        .await;
    let client = token_client(&format!("{}/client/v4", server.uri()));
    let things: Vec<Thing> = client.get("/accounts/a1/things?page=2").await.unwrap();
    assert_eq!(things, [Thing { id: 1 }, Thing { id: 2 }]);
    let created: Thing = client.post("things", &NewThing { name: "new" }).await.unwrap();
    assert_eq!(created, Thing { id: 3 });
}

#[tokio::test]
async fn other_methods_retries_and_errors_like_generated_calls() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("PUT"))
        .and(body_json(json!([1, 2])))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 4})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"errors": [{"code": 1, "message": "gone"}]})))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).credential("api_email", EMAIL).credential("api_key", KEY).build().unwrap();
    // A slice body (unsized), after one retried 503.
    let thing: Thing = client.put("/things/4", &[1, 2][..]).await.unwrap();
    assert_eq!(thing, Thing { id: 4 });
    let nothing: Option<Thing> = client.patch("/things/4", &json!({"name": null})).await.unwrap();
    assert_eq!(nothing, None);
    let err = client.delete::<serde_json::Value>("/things/4?force=true").await.unwrap_err();
    assert!(err.is_not_found());
    let api = err.api_error().unwrap();
    assert_eq!(api.operation_id, "DELETE /things/4");
    assert!(err.to_string().contains("DELETE /things/4") && err.to_string().contains("gone"), "{err}");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(request.headers.get("x-auth-key").unwrap(), KEY);
        assert_eq!(request.headers.get("x-auth-email").unwrap(), EMAIL);
    }
}

#[tokio::test]
async fn paths_that_would_leave_the_base_url_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = token_client(&format!("{}/client/v4", server.uri()));
    for bad in [
        "https://evil.example/steal",
        "http://127.0.0.1:1/x",
        "//evil.example/x",
        "\\\\evil.example\\x",
        "/zones/../../admin",
        "/zones/%2e%2E/admin",
        "./zones",
        "/zones#frag",
        "/zones\r\nX-Injected: 1",
        "mailto:someone@example.com",
    ] {
        let err = client.get::<serde_json::Value>(bad).await.unwrap_err();
        assert!(err.is_validation(), "{bad}: {err:?}");
        let err = client.post::<serde_json::Value, _>(bad, &json!({})).await.unwrap_err();
        assert!(err.is_validation(), "{bad}: {err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());

    // Credentials are still required where the API requires them.
    let anonymous = builder(&server.uri()).build();
    assert!(anonymous.is_err(), "the test API has security, so building without credentials fails");
}
