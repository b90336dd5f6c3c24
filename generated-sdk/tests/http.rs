//! What the SDK puts on the wire and how it reads the answer, against an
//! in-process wiremock server: method and full path (keeping the base URL's
//! `/client/v4` prefix), credentials, percent-encoding, typed API errors,
//! raw responses, client-side validation and building from the environment.

use std::collections::HashMap;
use std::time::Duration;

use cloudflare_sdk::resources::zero_trust::access::users::active_sessions::ActiveSessionGetParams;
use cloudflare_sdk::types::AccessApiResponseCommonFailure;
use cloudflare_sdk::{Client, Error};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";
const NONCE: &str = "X1aXj1lFVcqqyoXF";

fn full_path(account_id: &str, user_id: &str, nonce: &str) -> String {
    format!("/client/v4/accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}")
}

fn ok_body() -> serde_json::Value {
    json!({
        "success": true,
        "errors": [],
        "messages": [],
        "result": {"account_id": "1234567890", "email": "test@cloudflare.com", "isActive": true}
    })
}

fn failure_body() -> serde_json::Value {
    json!({
        "success": false,
        "errors": [{"code": 7003, "message": "No route for the URI"}],
        "messages": [],
        "result": null
    })
}

/// A server answering every request with the small success envelope.
async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(ok_body())).mount(&server).await;
    server
}

fn base(server: &MockServer) -> String {
    format!("{}/client/v4", server.uri())
}

fn token_client(server: &MockServer) -> Client {
    Client::builder()
        .api_token("test-token")
        .base_url(base(server))
        .max_retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

#[tokio::test]
async fn get_sends_method_and_full_path_with_base_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(full_path(ACCOUNT_ID, USER_ID, NONCE)))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let session = token_client(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    assert_eq!(session.account_id.as_deref(), Some("1234567890"));
    assert_eq!(session.is_active, Some(true));

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(r.url.path(), full_path(ACCOUNT_ID, USER_ID, NONCE));
    assert_eq!(r.url.query(), None);
    assert!(r.body.is_empty());
    assert_eq!(r.headers.get("accept").unwrap(), "application/json");
    assert_eq!(r.headers.get("user-agent").unwrap(), "cloudflare-sdk/0.1.0 (rust)");
    assert_eq!(r.headers.get("x-sdk-retry-count").unwrap(), "0");
    assert!(r.headers.get("content-type").is_none());
    server.verify().await;
}

#[tokio::test]
async fn base_url_with_trailing_slash_keeps_the_prefix() {
    let server = ok_server().await;
    let client = Client::builder().api_token("t").base_url(format!("{}/client/v4/", server.uri())).build().unwrap();
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    assert_eq!(received(&server).await[0].url.path(), full_path(ACCOUNT_ID, USER_ID, NONCE));
}

#[tokio::test]
async fn api_token_is_sent_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    token_client(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    let r = &received(&server).await[0];
    assert_eq!(r.headers.get_all("authorization").iter().count(), 1);
    assert!(r.headers.get("x-auth-email").is_none());
    assert!(r.headers.get("x-auth-key").is_none());
    server.verify().await;
}

#[tokio::test]
async fn legacy_email_and_key_are_sent_as_headers_without_authorization() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-auth-email", "user@example.com"))
        .and(header("x-auth-key", "global-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        Client::builder().api_email("user@example.com").api_key("global-key").base_url(base(&server)).build().unwrap();
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    let r = &received(&server).await[0];
    assert!(r.headers.get("authorization").is_none(), "{:?}", r.headers);
    server.verify().await;
}

#[tokio::test]
async fn token_is_preferred_when_both_alternatives_are_set() {
    let server = ok_server().await;
    let client = Client::builder()
        .api_email("user@example.com")
        .api_key("global-key")
        .api_token("test-token")
        .base_url(base(&server))
        .build()
        .unwrap();
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    let r = &received(&server).await[0];
    assert_eq!(r.headers.get("authorization").unwrap(), "Bearer test-token");
    assert!(r.headers.get("x-auth-email").is_none());
    assert!(r.headers.get("x-auth-key").is_none());
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_as_one_segment() {
    let server = ok_server().await;
    let client = token_client(&server);
    // (user_id, nonce, account_id) -> the raw path the server must see.
    let cases = [
        (
            "a/b?c d",
            "n#1%",
            "acc 1/2",
            "/client/v4/accounts/acc%201%2F2/access/users/a%2Fb%3Fc%20d/active_sessions/n%231%25",
        ),
        ("../x", "..x", "a+b&c=d", "/client/v4/accounts/a%2Bb%26c%3Dd/access/users/..%2Fx/active_sessions/..x"),
        ("ünï~._-", "é", "AZaz09", "/client/v4/accounts/AZaz09/access/users/%C3%BCn%C3%AF~._-/active_sessions/%C3%A9"),
    ];
    for (user_id, nonce, account_id, _) in cases {
        client
            .zero_trust()
            .access()
            .users()
            .active_sessions()
            .get(user_id, nonce, &ActiveSessionGetParams::new(account_id))
            .await
            .unwrap();
    }
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), cases.len());
    for (r, (user_id, _, _, expected)) in reqs.iter().zip(cases) {
        assert_eq!(r.url.path(), expected, "user_id {user_id:?}");
        assert_eq!(r.url.query(), None, "a `?` in a value must not start a query");
        assert_eq!(r.url.fragment(), None);
    }
}

#[tokio::test]
async fn api_error_carries_typed_failure_envelope_and_cf_ray() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(failure_body()).insert_header("cf-ray", "8c1f2a3b4d5e6f70-LIS"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err: Error = token_client(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.request_id(), Some("8c1f2a3b4d5e6f70-LIS"));
    let Error::Api(api) = &err else { panic!("expected Error::Api, got {err:?}") };
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.request_id.as_deref(), Some("8c1f2a3b4d5e6f70-LIS"));
    let body: AccessApiResponseCommonFailure = api.body_as().expect("typed failure body");
    assert!(!body.success);
    assert_eq!(body.errors.len(), 1);
    assert_eq!(body.errors[0].code, 7003);
    assert_eq!(body.errors[0].message, "No route for the URI");
    assert!(body.messages.is_empty());
    assert_eq!(body.result, None);
    assert!(api.body_text().contains("No route for the URI"));
    assert_eq!(api.message().as_deref(), Some("No route for the URI (code 7003)"));
    assert_eq!(err.api_error_body::<AccessApiResponseCommonFailure>().map(|b| b.errors.len()), Some(1));
    let shown = err.to_string();
    assert_eq!(
        shown,
        "API error from `zero-trust-users-get-active-session`: HTTP 404 Not Found \
         (request id 8c1f2a3b4d5e6f70-LIS): No route for the URI (code 7003)"
    );
    // 4xx other than 408/409/429 is not retried, even with retries enabled.
    server.verify().await;
}

#[tokio::test]
async fn api_error_with_unparseable_body_keeps_the_raw_text() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_string("<html>denied</html>"))
        .mount(&server)
        .await;
    let err = token_client(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap_err();
    assert!(err.is_forbidden());
    let api = err.api_error().expect("Error::Api");
    assert!(api.json().is_none());
    assert!(api.body_as::<AccessApiResponseCommonFailure>().is_err());
    assert_eq!(api.body_text(), "<html>denied</html>");
    assert!(err.to_string().ends_with("HTTP 403 Forbidden: <html>denied</html>"), "{err}");
    assert_eq!(api.request_id, None);
}

#[tokio::test]
async fn send_raw_exposes_status_headers_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_body())
                .insert_header("cf-ray", "ray-raw-1")
                .insert_header("x-custom", "yes"),
        )
        .mount(&server)
        .await;
    let raw = token_client(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(raw.status.as_u16(), 200);
    assert_eq!(raw.request_id(), Some("ray-raw-1"));
    assert_eq!(raw.header("cf-ray"), Some("ray-raw-1"));
    assert_eq!(raw.header("x-custom"), Some("yes"));
    assert_eq!(raw.headers.get("content-type").unwrap(), "application/json");
    assert_eq!(raw.body.email.as_deref(), Some("test@cloudflare.com"));
    assert_eq!(raw.into_body().account_id.as_deref(), Some("1234567890"));
}

#[tokio::test]
async fn per_call_header_timeout_and_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-example", "1"))
        .respond_with(ResponseTemplate::new(503).set_body_json(failure_body()))
        .mount(&server)
        .await;
    // max_retries(0) on the call overrides the client's 2: one attempt only.
    let client = Client::builder()
        .api_token("t")
        .base_url(base(&server))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    let err = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .header("x-example", "1")
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(err.is_server_error(), "{err:?}");
    assert_eq!(received(&server).await.len(), 1);

    // With the client's default of 2 retries: three attempts, counted in the header.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(failure_body()))
        .mount(&server)
        .await;
    let err = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let counts: Vec<String> = received(&server)
        .await
        .iter()
        .map(|r| r.headers.get("x-sdk-retry-count").unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(counts, ["0", "1", "2"]);

    // A per-call timeout shorter than the server's delay.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let err = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn account_id_over_32_chars_is_refused_without_sending() {
    let server = ok_server().await;
    let client = token_client(&server);
    let long = "a".repeat(33);
    let err = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(long))
        .await
        .unwrap_err();
    let Error::Validation(v) = &err else { panic!("expected Error::Validation, got {err:?}") };
    assert_eq!(v.param, "account_id");
    assert!(v.reason.contains("32"), "{}", v.reason);
    assert!(!err.to_string().contains(&"a".repeat(33)), "the value is not echoed: {err}");

    // 32 is fine.
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new("a".repeat(32)))
        .await
        .unwrap();
    assert_eq!(received(&server).await.len(), 1, "only the valid call reached the server");
}

#[tokio::test]
async fn empty_or_dot_path_parameters_and_long_user_id_are_refused_without_sending() {
    let server = ok_server().await;
    let client = token_client(&server);
    let sessions = || client.zero_trust().access().users().active_sessions();
    let params = ActiveSessionGetParams::new(ACCOUNT_ID);

    let err = sessions().get(USER_ID, "", &params).await.unwrap_err();
    let Error::Validation(v) = &err else { panic!("expected Error::Validation, got {err:?}") };
    assert_eq!(v.param, "nonce");

    let err = sessions().get("", NONCE, &params).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.param == "user_id"), "{err:?}");

    let err = sessions().get(USER_ID, NONCE, &ActiveSessionGetParams::new("")).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.param == "account_id"), "{err:?}");

    for dots in [".", ".."] {
        let err = sessions().get(USER_ID, dots, &params).await.unwrap_err();
        assert!(matches!(&err, Error::Validation(v) if v.param == "nonce"), "{dots}: {err:?}");
    }

    // user_id: maxLength 36.
    let err = sessions().get(&"u".repeat(37), NONCE, &params).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.param == "user_id"), "{err:?}");
    // The same check applies through `send_raw`.
    let err = sessions().get(&"é".repeat(37), NONCE, &params).send_raw().await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.param == "user_id"), "{err:?}");

    assert!(received(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn building_without_credentials_or_with_half_a_pair_fails() {
    let err = Client::builder().build().unwrap_err();
    assert!(err.is_config());
    let msg = err.to_string();
    assert!(
        msg.contains("CLOUDFLARE_API_TOKEN") && msg.contains("CLOUDFLARE_EMAIL") && msg.contains("CLOUDFLARE_API_KEY"),
        "{msg}"
    );

    let err = Client::builder().api_email("user@example.com").build().unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("CLOUDFLARE_API_KEY"), "{err}");

    let err = Client::builder().api_token("t").base_url("ftp://example.com").build().unwrap_err();
    assert!(err.is_config(), "{err:?}");
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |k| map.get(k).cloned()
}

#[tokio::test]
async fn from_env_with_reads_token_and_base_url() {
    let server = ok_server().await;
    let client = Client::builder()
        .from_env_with(env(&[("CLOUDFLARE_API_TOKEN", "env-token"), ("CLOUDFLARE_BASE_URL", &base(&server))]))
        .build()
        .unwrap();
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    let r = &received(&server).await[0];
    assert_eq!(r.url.path(), full_path(ACCOUNT_ID, USER_ID, NONCE));
    assert_eq!(r.headers.get("authorization").unwrap(), "Bearer env-token");
    let debug = format!("{client:?}");
    assert!(!debug.contains("env-token"), "credentials are redacted in Debug: {debug}");
}

#[tokio::test]
async fn from_env_with_reads_the_legacy_pair() {
    let server = ok_server().await;
    let client = Client::builder()
        .from_env_with(env(&[
            ("CLOUDFLARE_EMAIL", "env@example.com"),
            ("CLOUDFLARE_API_KEY", "env-key"),
            ("CLOUDFLARE_BASE_URL", &base(&server)),
        ]))
        .build()
        .unwrap();
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap();
    let r = &received(&server).await[0];
    assert_eq!(r.headers.get("x-auth-email").unwrap(), "env@example.com");
    assert_eq!(r.headers.get("x-auth-key").unwrap(), "env-key");
    assert!(r.headers.get("authorization").is_none());
}

#[tokio::test]
async fn explicit_settings_win_over_env_in_either_order() {
    let server = ok_server().await;
    let lookup = env(&[("CLOUDFLARE_API_TOKEN", "env-token"), ("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/nowhere")]);
    // Explicit before and after `from_env_with`.
    let before = Client::builder().api_token("explicit").base_url(base(&server)).from_env_with(&lookup).build();
    let after = Client::builder().from_env_with(&lookup).api_token("explicit").base_url(base(&server)).build();
    for client in [before.unwrap(), after.unwrap()] {
        client
            .zero_trust()
            .access()
            .users()
            .active_sessions()
            .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
            .await
            .unwrap();
    }
    for r in received(&server).await {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer explicit");
    }
}

#[test]
fn from_env_with_edge_cases() {
    // Nothing set: a configuration error naming the variables.
    let err = Client::builder().from_env_with(env(&[])).build().unwrap_err();
    assert!(err.is_config() && err.to_string().contains("CLOUDFLARE_API_TOKEN"), "{err}");

    // Blank values count as unset.
    let err = Client::builder().from_env_with(env(&[("CLOUDFLARE_API_TOKEN", "  ")])).build().unwrap_err();
    assert!(err.is_config(), "{err:?}");

    // A stray email without its key does not break a token configuration.
    let client = Client::builder()
        .from_env_with(env(&[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_EMAIL", "e@example.com")]))
        .build()
        .unwrap();
    assert!(client.credentials().has("api_token"));
    assert!(!client.credentials().has("api_email"));

    // An email alone is reported with what is missing.
    let err = Client::builder().from_env_with(env(&[("CLOUDFLARE_EMAIL", "e@example.com")])).build().unwrap_err();
    assert!(err.to_string().contains("CLOUDFLARE_API_KEY"), "{err}");

    // Default base URL without the variable; an invalid env base URL names its variable.
    let client = Client::builder().from_env_with(env(&[("CLOUDFLARE_API_TOKEN", "t")])).build().unwrap();
    assert_eq!(client.config().base_url.as_str(), "https://api.cloudflare.com/client/v4");
    let err = Client::builder()
        .from_env_with(env(&[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_BASE_URL", "not a url")]))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("CLOUDFLARE_BASE_URL"), "{err}");
}
