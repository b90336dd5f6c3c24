//! One error type, as a user's code sees it: a function returning
//! `Result<_, cloudflare_sdk::Error>` uses `?` on `Client::from_env`, on
//! `Client::builder()...build()` and on calls whose error bodies differ, run
//! against wiremock; the documented error body and the API's own message stay
//! reachable from the one type.
//!
//! This file is the only test of its binary that touches the process
//! environment, and it does so from a single test, so no other test can
//! observe the variables changing.

use cloudflare_sdk::resources::zero_trust::access::users::active_sessions::ActiveSessionGetParams;
use cloudflare_sdk::types::{AccessApiResponseCommonFailure, ActiveSession};
use cloudflare_sdk::{ApiError, Client, Error};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";

fn session_path(nonce: &str) -> String {
    format!("/client/v4/accounts/{ACCOUNT_ID}/access/users/{USER_ID}/active_sessions/{nonce}")
}

/// What a user writes: both clients and both calls through `?`.
async fn two_sessions(other_base: &str, first: &str, second: &str) -> Result<(ActiveSession, ActiveSession), Error> {
    let from_env = Client::from_env()?;
    let built = Client::builder().api_token("built-token").base_url(other_base).max_retries(0).build()?;
    let params = ActiveSessionGetParams::new(ACCOUNT_ID);
    let a = from_env.zero_trust().access().users().active_sessions().get(USER_ID, first, &params).await?;
    let b = built.zero_trust().access().users().active_sessions().get(USER_ID, second, &params).await?;
    Ok((a, b))
}

/// An RFC 7807 problem, the body a proxy in front of the API might answer with.
#[derive(Debug, Deserialize)]
struct Problem {
    title: String,
    detail: String,
}

fn ok(email: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [], "result": {"email": email}
    }))
}

async fn mount(server: &MockServer, token: &str, nonce: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(session_path(nonce)))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn question_mark_mixes_from_env_builder_and_calls_with_different_error_bodies() {
    let server = MockServer::start().await;
    let base = format!("{}/client/v4", server.uri());
    mount(&server, "env-token", "ok-env", ok("env@example.com")).await;
    mount(&server, "built-token", "ok-built", ok("built@example.com")).await;
    mount(
        &server,
        "env-token",
        "missing",
        ResponseTemplate::new(404).insert_header("cf-ray", "ray-404").set_body_json(json!({
            "success": false, "errors": [{"code": 7003, "message": "No route for the URI"}],
            "messages": [], "result": null
        })),
    )
    .await;
    mount(
        &server,
        "built-token",
        "locked",
        ResponseTemplate::new(422).set_body_json(json!({
            "type": "about:blank", "title": "Unprocessable", "detail": "the session is locked"
        })),
    )
    .await;

    // No credentials in the environment: `from_env` fails, through the same `?`.
    for var in ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL", "CLOUDFLARE_BASE_URL"] {
        std::env::remove_var(var);
    }
    let err = two_sessions(&base, "ok-env", "ok-built").await.unwrap_err();
    assert!(err.is_config(), "{err:?}");
    assert!(err.to_string().contains("CLOUDFLARE_API_TOKEN"), "{err}");

    std::env::set_var("CLOUDFLARE_API_TOKEN", "env-token");
    std::env::set_var("CLOUDFLARE_BASE_URL", &base);

    // Both clients and both calls succeed.
    let (a, b) = two_sessions(&base, "ok-env", "ok-built").await.expect("both calls succeed");
    assert_eq!(a.email.as_deref(), Some("env@example.com"));
    assert_eq!(b.email.as_deref(), Some("built@example.com"));

    // The first call fails with the documented envelope.
    let err = two_sessions(&base, "missing", "ok-built").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.request_id(), Some("ray-404"));
    let envelope: AccessApiResponseCommonFailure = err.api_error_body().expect("the documented error body");
    assert_eq!(envelope.errors[0].code, 7003);
    assert_eq!(envelope.errors[0].message, "No route for the URI");
    assert!(err.to_string().ends_with("(request id ray-404): No route for the URI (code 7003)"), "{err}");

    // The second call fails with a different body: the documented type does not fit it,
    // but the message, the JSON and any other type do.
    let err = two_sessions(&base, "ok-env", "locked").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert!(err.api_error_body::<AccessApiResponseCommonFailure>().is_none());
    let api: &ApiError = err.api_error().expect("Error::Api");
    assert_eq!(api.operation_id, "zero-trust-users-get-active-session");
    assert_eq!(api.message().as_deref(), Some("the session is locked"));
    assert_eq!(api.json().unwrap()["title"], "Unprocessable");
    let problem: Problem = api.body_as().expect("any type can be asked for");
    assert_eq!((problem.title.as_str(), problem.detail.as_str()), ("Unprocessable", "the session is locked"));
    assert!(err.to_string().ends_with("HTTP 422 Unprocessable Entity: the session is locked"), "{err}");

    // The one error converts into the usual boxed error, so it also mixes with other errors.
    let boxed: Box<dyn std::error::Error + Send + Sync + 'static> = err.into();
    assert!(boxed.to_string().contains("the session is locked"));

    for var in ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL"] {
        std::env::remove_var(var);
    }
}
