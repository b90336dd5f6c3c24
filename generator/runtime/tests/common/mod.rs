//! Shared fixtures: a Cloudflare-like API description and helpers.
#![allow(dead_code)]

use std::time::Duration;

use reqwest::Method;
use sdk_runtime::auth::{ApiSpec, SchemeKind, SecurityScheme};
use sdk_runtime::client::{Client, ClientBuilder};
use sdk_runtime::request::{Call, Decoder, OperationSpec, PathBuilder, RequestParts};
use serde::Deserialize;

pub const TOKEN: &str = "tok-SECRET-1234567890";
pub const KEY: &str = "key-SECRET-abcdef";
pub const EMAIL: &str = "user@example.com";

pub static SPEC: ApiSpec = ApiSpec {
    default_base_url: "https://api.example.com/client/v4",
    base_url_env: Some("TEST_BASE_URL"),
    user_agent: "test-sdk/0.1.0 (rust)",
    request_id_header: Some("cf-ray"),
    retry_count_header: Some("x-sdk-retry-count"),
    schemes: &[
        SecurityScheme { name: "api_token", kind: SchemeKind::Bearer, env: Some("TEST_API_TOKEN") },
        SecurityScheme { name: "api_email", kind: SchemeKind::Header("X-Auth-Email"), env: Some("TEST_EMAIL") },
        SecurityScheme { name: "api_key", kind: SchemeKind::Header("X-Auth-Key"), env: Some("TEST_API_KEY") },
        SecurityScheme { name: "query_key", kind: SchemeKind::Query("apikey"), env: None },
        SecurityScheme { name: "basic", kind: SchemeKind::Basic, env: None },
        SecurityScheme { name: "session", kind: SchemeKind::Cookie("sid"), env: None },
    ],
    alternatives: &[&["api_token"], &["api_email", "api_key"], &["query_key"], &["basic"], &["session"]],
};

pub static NO_AUTH_SPEC: ApiSpec = ApiSpec {
    default_base_url: "https://api.example.com",
    base_url_env: None,
    user_agent: "noauth/1",
    request_id_header: None,
    retry_count_header: None,
    schemes: &[],
    alternatives: &[],
};

pub static ALL_AUTH: &[&[&str]] =
    &[&["api_token"], &["api_email", "api_key"], &["query_key"], &["basic"], &["session"]];

pub static GET_ZONE: OperationSpec = OperationSpec {
    operation_id: "zones-get",
    method: Method::GET,
    path_template: "/zones/{zone_id}",
    security: ALL_AUTH,
    accept: "application/json",
};

pub static CREATE_ZONE: OperationSpec = OperationSpec {
    operation_id: "zones-post",
    method: Method::POST,
    path_template: "/zones",
    security: ALL_AUTH,
    accept: "application/json",
};

pub static PUBLIC_OP: OperationSpec = OperationSpec {
    operation_id: "ips",
    method: Method::GET,
    path_template: "/ips",
    security: &[],
    accept: "application/json",
};

#[derive(Debug, Deserialize, PartialEq)]
pub struct Message {
    pub code: i64,
    pub message: String,
}

#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub errors: Vec<Message>,
    #[serde(default)]
    pub messages: Vec<Message>,
    pub success: bool,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Geo {
    pub country: String,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Zone {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub geo: Option<Geo>,
}

/// A builder pointed at `base` (e.g. a wiremock URI + `/client/v4`), with
/// tiny backoff so retry tests are fast.
pub fn builder(base: &str) -> ClientBuilder {
    ClientBuilder::new(&SPEC)
        .base_url(base)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
}

pub fn token_client(base: &str) -> Client {
    builder(base).credential("api_token", TOKEN).build().expect("client")
}

pub fn get_zone<'a>(c: &'a Client, id: &str) -> Call<'a, Zone> {
    let parts = RequestParts::new(PathBuilder::new().literal("/zones/").param("zone_id", id));
    Call::new(c, &GET_ZONE, parts, Decoder::json_field("result"))
}

pub fn ok_zone() -> serde_json::Value {
    serde_json::json!({"success": true, "errors": [], "messages": [],
        "result": {"id": "abc", "name": "example.com", "extra_unknown_field": 1}})
}
