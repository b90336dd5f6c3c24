//! Client building: credential rules, environment, base URL, redaction.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use sdk_runtime::auth::{base64, ApiSpec, SchemeKind, Secret, SecurityScheme};
use sdk_runtime::client::ClientBuilder;
use sdk_runtime::error::Error;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |k| map.get(k).cloned()
}

fn config_message(r: Result<sdk_runtime::client::Client, Error>) -> String {
    match r {
        Err(Error::Config(c)) => c.message,
        Err(other) => panic!("expected config error, got {other:?}"),
        Ok(c) => panic!("expected config error, got {c:?}"),
    }
}

#[test]
fn no_credentials_names_every_alternative_env_var() {
    let msg = config_message(ClientBuilder::new(&SPEC).build());
    assert!(msg.starts_with("no credentials"), "{msg}");
    assert!(msg.contains("TEST_API_TOKEN"), "{msg}");
    assert!(msg.contains("TEST_EMAIL + TEST_API_KEY"), "{msg}");
    // Schemes without env var are named by scheme name.
    assert!(msg.contains("`query_key`"), "{msg}");
}

#[test]
fn half_a_pair_names_what_is_missing() {
    let msg = config_message(ClientBuilder::new(&SPEC).credential("api_email", EMAIL).build());
    assert!(msg.contains("TEST_EMAIL") && msg.contains("TEST_API_KEY is missing"), "{msg}");
    // Even with a complete alternative, an explicit half pair is an error.
    let msg =
        config_message(ClientBuilder::new(&SPEC).credential("api_token", TOKEN).credential("api_key", KEY).build());
    assert!(msg.contains("TEST_EMAIL is missing"), "{msg}");
    assert!(!msg.contains(KEY) && !msg.contains(TOKEN));
}

#[test]
fn unknown_scheme_and_bad_urls_are_config_errors() {
    let msg = config_message(ClientBuilder::new(&SPEC).credential("nope", "x").build());
    assert!(msg.contains("unknown security scheme `nope`"), "{msg}");
    for url in [
        "not a url",
        "ftp://example.com/x",
        "https://example.com/v4?x=1",
        "http://",
        "  ",
        "https://user:pw-SECRET@example.com/v4",
    ] {
        let msg = config_message(ClientBuilder::new(&SPEC).credential("api_token", TOKEN).base_url(url).build());
        assert!(msg.contains("invalid base URL"), "{url}: {msg}");
        assert!(!msg.contains("pw-SECRET"), "{msg}");
    }
    let msg = config_message(
        ClientBuilder::new(&SPEC).credential("api_token", TOKEN).default_header("bad name", "v").build(),
    );
    assert!(msg.contains("default header"), "{msg}");
}

#[test]
fn bad_base_url_from_env_names_the_variable() {
    let msg = config_message(
        ClientBuilder::new(&SPEC).credential("api_token", TOKEN).from_env_with(env(&[("TEST_BASE_URL", "::")])).build(),
    );
    assert!(msg.contains("TEST_BASE_URL"), "{msg}");
}

#[test]
fn from_env_fills_credentials_and_base_url() {
    let c = ClientBuilder::new(&SPEC)
        .from_env_with(env(&[
            ("TEST_EMAIL", EMAIL),
            ("TEST_API_KEY", KEY),
            ("TEST_BASE_URL", "http://localhost:1234/client/v4/"),
        ]))
        .build()
        .unwrap();
    assert!(c.credentials().has("api_email") && c.credentials().has("api_key"));
    assert!(!c.credentials().has("api_token"));
    assert_eq!(c.config().base_url.as_str(), "http://localhost:1234/client/v4/");
}

#[test]
fn explicit_values_win_over_env_in_either_order() {
    let e = env(&[("TEST_API_TOKEN", "env-token"), ("TEST_BASE_URL", "http://env.example")]);
    let before = ClientBuilder::new(&SPEC)
        .credential("api_token", TOKEN)
        .base_url("http://explicit.example/v4")
        .from_env_with(&e)
        .build()
        .unwrap();
    let after = ClientBuilder::new(&SPEC)
        .from_env_with(&e)
        .credential("api_token", TOKEN)
        .base_url("http://explicit.example/v4")
        .build()
        .unwrap();
    for c in [before, after] {
        assert_eq!(c.credentials().get("api_token").map(Secret::expose), Some(TOKEN));
        assert_eq!(c.config().base_url.as_str(), "http://explicit.example/v4");
    }
}

#[test]
fn empty_env_values_count_as_unset_and_stray_env_halves_are_dropped() {
    let msg = config_message(ClientBuilder::new(&SPEC).from_env_with(env(&[("TEST_API_TOKEN", "  ")])).build());
    assert!(msg.starts_with("no credentials"), "{msg}");
    // A token plus a stray email in the environment: the email is ignored.
    let c = ClientBuilder::new(&SPEC)
        .from_env_with(env(&[("TEST_API_TOKEN", TOKEN), ("TEST_EMAIL", EMAIL)]))
        .build()
        .unwrap();
    assert_eq!(c.credentials().present(), ["api_token"]);
    // Only a stray half from the environment: error names the missing var.
    let msg = config_message(ClientBuilder::new(&SPEC).from_env_with(env(&[("TEST_EMAIL", EMAIL)])).build());
    assert!(msg.contains("TEST_API_KEY is missing"), "{msg}");
}

#[test]
fn real_process_environment_is_read() {
    // The only test touching the process environment; the variable names are
    // unique to it so no other test can race with it.
    static ENV_SPEC: ApiSpec = ApiSpec {
        default_base_url: "https://api.example.com",
        base_url_env: Some("SDK_RUNTIME_TEST_ONLY_BASE_URL"),
        user_agent: "x",
        request_id_header: None,
        retry_count_header: None,
        schemes: &[SecurityScheme { name: "t", kind: SchemeKind::Bearer, env: Some("SDK_RUNTIME_TEST_ONLY_TOKEN") }],
        alternatives: &[&["t"]],
    };
    std::env::set_var("SDK_RUNTIME_TEST_ONLY_TOKEN", "from-env");
    std::env::set_var("SDK_RUNTIME_TEST_ONLY_BASE_URL", "http://127.0.0.1:1/v1");
    let c = ClientBuilder::new(&ENV_SPEC).from_env().build().unwrap();
    assert_eq!(c.credentials().get("t").map(Secret::expose), Some("from-env"));
    assert_eq!(c.config().base_url.as_str(), "http://127.0.0.1:1/v1");
}

#[test]
fn builder_settings_are_reflected_in_config() {
    let c = ClientBuilder::new(&SPEC)
        .credential("api_token", TOKEN)
        .timeout(Duration::from_millis(1500))
        .max_retries(7)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(20))
        .default_header("x-team", "a")
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let cfg = c.config();
    assert_eq!(cfg.timeout, Duration::from_millis(1500));
    assert_eq!(cfg.max_retries(), 7);
    assert_eq!(cfg.retry.initial_backoff, Duration::from_millis(10));
    assert_eq!(cfg.default_headers.get("x-team").and_then(|v| v.to_str().ok()), Some("a"));
    assert_eq!(cfg.base_url.as_str(), "https://api.example.com/client/v4");
    let c2 = c.clone();
    assert_eq!(c2.config().max_retries(), 7);
}

#[test]
fn secret_and_debug_redaction() {
    let s = Secret::new("hunter2");
    assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
    assert_eq!(s.expose(), "hunter2");
    let b =
        ClientBuilder::new(&SPEC).credential("api_token", TOKEN).default_header("authorization-extra", "HDR-SECRET");
    let shown = format!("{b:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains("HDR-SECRET"), "{shown}");
    let c = b.build().unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains("HDR-SECRET"), "{shown}");
    assert!(shown.contains("api_token"), "{shown}");
}

#[test]
fn base64_matches_rfc4648_vectors() {
    for (input, out) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(input.as_bytes()), out);
    }
    assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
}
