//! Contract tests against Prism (`@stoplight/prism-cli`, pinned in
//! `xtask/prism/package-lock.json`), which mocks and validates
//! `spec/cloudflare-fragment.yaml`.
//!
//! Prism is found through `SDKGEN_PRISM` or at
//! `xtask/prism/node_modules/.bin/prism`. The tests are `#[ignore]`d, with that
//! reason, in a plain `cargo test`; `cargo xtask test` installs Prism and runs
//! them, and a missing Prism then fails them.
//!
//! Prism routes the spec's paths without the server's `/client/v4` prefix,
//! so the base URL is the bare `http://127.0.0.1:<port>`.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cloudflare_sdk::resources::workers::scripts::ScriptUpdateParams;
use cloudflare_sdk::resources::zero_trust::access::users::active_sessions::ActiveSessionGetParams;
use cloudflare_sdk::types::{
    AccessApiResponseCommonFailure, ActiveSession, ScriptUpdateMultipartBody, ScriptUpdateMultipartBodyMetadata,
};
use cloudflare_sdk::{Client, Error};

const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";
const NONCE: &str = "X1aXj1lFVcqqyoXF";

/// Generous: Prism runs on node and shares the machine with the compiler.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the SDK crate sits in the repository").to_path_buf()
}

/// The Prism executable; a test that needs it fails without it.
fn prism_binary(test: &str) -> PathBuf {
    let candidate = match std::env::var_os("SDKGEN_PRISM") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => repo_root().join("xtask/prism/node_modules/.bin/prism"),
    };
    assert!(
        candidate.exists(),
        "{test}: Prism not found at {} (set SDKGEN_PRISM, or run `npm ci` in xtask/prism, or use `cargo xtask test`)",
        candidate.display()
    );
    candidate
}

/// A running `prism mock`; killed (and reaped) on drop.
struct Prism {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Prism {
    /// Starts `prism mock` with `extra` arguments on a free port and waits
    /// (bounded) until it accepts connections.
    fn start(bin: &Path, extra: &[&str]) -> Prism {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
            l.local_addr().unwrap().port()
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::env::temp_dir().join(format!("sdkgen-prism-{}-{port}.log", std::process::id()));
        let out = File::create(&log).expect("create the Prism log file");
        let err = out.try_clone().unwrap();
        let spec = repo_root().join("spec/cloudflare-fragment.yaml");
        let child = Command::new(bin)
            .arg("mock")
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .arg(&spec)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Prism ({}): {e}", bin.display()));
        let mut prism = Prism { child, addr, log };
        let started = Instant::now();
        loop {
            if let Some(status) = prism.child.try_wait().unwrap() {
                panic!("Prism exited during startup ({status}); its output:\n{}", prism.output());
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            if started.elapsed() > STARTUP_TIMEOUT {
                panic!("Prism did not accept connections within {STARTUP_TIMEOUT:?}; its output:\n{}", prism.output());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("Prism {extra:?} ready on {addr} after {:?}", started.elapsed());
        prism
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn token_client(&self) -> Client {
        Client::builder()
            .api_token("prism-token")
            .base_url(self.base_url())
            .timeout(CALL_TIMEOUT)
            .max_retries(0)
            .build()
            .unwrap()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

async fn get(client: &Client, user_id: &str, nonce: &str, account_id: &str) -> Result<ActiveSession, Error> {
    client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(user_id, nonce, &ActiveSessionGetParams::new(account_id))
        .await
}

/// The examples of the spec, which static mode answers with.
fn assert_spec_examples(s: &ActiveSession) {
    assert_eq!(s.account_id.as_deref(), Some("1234567890"));
    assert_eq!(s.auth_status.as_deref(), Some("NONE"));
    assert_eq!(s.email.as_deref(), Some("test@cloudflare.com"));
    assert_eq!(s.iat, Some(1694791905.0));
    assert_eq!(s.ip.as_deref(), Some("127.0.0.0"));
    assert_eq!(s.is_active, Some(true));
    assert_eq!(s.user_uuid.as_deref(), Some("57cf8cf2-f55a-4588-9ac9-f5e41e9f09b4"));
    assert_eq!(s.version, Some(2.0));
    assert_eq!(s.geo.as_ref().and_then(|g| g.country.as_deref()), Some("US"));
}

/// A raw request (no SDK), for what the SDK deliberately cannot send.
async fn raw_get(prism: &Prism, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{}{path}", prism.base_url())).timeout(CALL_TIMEOUT);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("Prism answers")
}

#[tokio::test]
#[ignore = "needs Prism from npm (xtask/prism); `cargo xtask test` installs it and runs ignored tests"]
async fn prism_static_contract() {
    let bin = prism_binary("prism_static_contract");
    let prism = Prism::start(&bin, &[]);

    // 1. API token: 200, body decodes, `result` unwrapped.
    let client = prism.token_client();
    let session = get(&client, USER_ID, NONCE, ACCOUNT_ID)
        .await
        .unwrap_or_else(|e| panic!("token call failed: {e:?}\nPrism output:\n{}", prism.output()));
    assert_spec_examples(&session);
    let raw = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(raw.status.as_u16(), 200);
    assert!(raw.header("sl-violations").is_none(), "Prism found the request valid");

    // 2. Legacy email + key: 200.
    let legacy = Client::builder()
        .api_email("user@example.com")
        .api_key("global-key")
        .base_url(prism.base_url())
        .timeout(CALL_TIMEOUT)
        .max_retries(0)
        .build()
        .unwrap();
    let session = get(&legacy, USER_ID, NONCE, ACCOUNT_ID).await.unwrap();
    assert_spec_examples(&session);

    // Percent-encoded values are decoded by Prism and routed to the same operation.
    get(&client, "a/b?c d", "n#1", ACCOUNT_ID).await.expect("encoded segments stay one segment each");

    // 3. No credentials -> 401. The SDK refuses to build a client without
    //    credentials, so it can never send such a request itself...
    let err = Client::builder().base_url(prism.base_url()).build().unwrap_err();
    assert!(err.is_config(), "{err:?}");
    //    ...so the credential-less request is sent raw, and its body is
    //    checked against the SDK's failure type.
    let path = format!("/accounts/{ACCOUNT_ID}/access/users/{USER_ID}/active_sessions/{NONCE}");
    let resp = raw_get(&prism, &path, &[]).await;
    assert_eq!(resp.status().as_u16(), 401);
    let violations = resp.headers().get("sl-violations").map(|v| v.to_str().unwrap().to_owned());
    let body: AccessApiResponseCommonFailure =
        serde_json::from_slice(&resp.bytes().await.unwrap()).expect("Prism's 401 body is a failure envelope");
    assert!(!body.success);
    assert!(violations.unwrap_or_default().contains("security"));

    //    Through the SDK, a 401 comes back as a typed `Error::Api` when the
    //    credential is unusable: a per-call header replacing the bearer token
    //    with another scheme.
    let err = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .await
        .unwrap_err();
    assert_unauthorized(&err);
    //    An explicit empty token is refused when the client is built, before any request.
    let err = Client::builder().api_token("").base_url(prism.base_url()).build().unwrap_err();
    assert!(matches!(&err, Error::Config(c) if c.message.contains("api_token")), "{err:?}");

    // 4. account_id over maxLength 32: the SDK refuses it before sending...
    let long_account = "a".repeat(33);
    let err = get(&client, USER_ID, NONCE, &long_account).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.param == "account_id"), "{err:?}");
    //    ...and Prism, sent the same request raw, answers 422 naming the
    //    parameter, with a body of the SDK's failure type.
    let path = format!("/accounts/{long_account}/access/users/{USER_ID}/active_sessions/{NONCE}");
    let resp = raw_get(&prism, &path, &[("Authorization", "Bearer prism-token")]).await;
    assert_eq!(resp.status().as_u16(), 422);
    let violations = resp.headers().get("sl-violations").unwrap().to_str().unwrap().to_owned();
    assert!(violations.contains("account_id") && violations.contains("maxLength"), "{violations}");
    let body: AccessApiResponseCommonFailure = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert!(!body.success);
    //    The same holds for user_id (maxLength 36).
    let err = get(&client, &"u".repeat(37), NONCE, ACCOUNT_ID).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(v) if v.param == "user_id"), "{err:?}");
    let path = format!("/accounts/{ACCOUNT_ID}/access/users/{}/active_sessions/{NONCE}", "u".repeat(37));
    let resp = raw_get(&prism, &path, &[("Authorization", "Bearer prism-token")]).await;
    assert_eq!(resp.status().as_u16(), 422);
    //    At the limits, Prism accepts what the SDK accepts.
    get(&client, &"u".repeat(36), NONCE, &"a".repeat(32)).await.expect("values at maxLength are valid");
}

fn assert_unauthorized(err: &Error) {
    assert!(err.is_unauthorized(), "expected a 401 Error::Api, got {err:?}");
    let Error::Api(api) = err else { unreachable!() };
    assert_eq!(api.status.as_u16(), 401);
    let body: AccessApiResponseCommonFailure =
        api.body_as().expect("Prism's 401 body decodes as AccessApiResponseCommonFailure");
    assert!(!body.success);
    assert_eq!(body.result, None);
}

/// Runs `n` consecutive calls against a dynamic-mode Prism; every body must
/// decode. Returns how many distinct bodies were seen and how many carried
/// properties the spec does not list (kept in `extra`).
async fn dynamic_calls(prism: &Prism, n: usize) -> (usize, usize) {
    let client = prism.token_client();
    let mut distinct = std::collections::HashSet::new();
    let mut with_extra = 0;
    for i in 0..n {
        let session = get(&client, USER_ID, NONCE, ACCOUNT_ID)
            .await
            .unwrap_or_else(|e| panic!("call {i} of {n} failed: {e}\n{e:?}"));
        let json = serde_json::to_string(&session).unwrap();
        if has_extra(&session) {
            with_extra += 1;
        }
        distinct.insert(json);
    }
    (distinct.len(), with_extra)
}

/// Whether any struct of the decoded session kept unknown properties.
fn has_extra(s: &ActiveSession) -> bool {
    !s.extra.is_empty()
        || s.geo.as_ref().is_some_and(|g| !g.extra.is_empty())
        || s.idp.as_ref().is_some_and(|g| !g.extra.is_empty())
        || s.mtls_auth.as_ref().is_some_and(|g| !g.extra.is_empty())
        || s.device_sessions.iter().flatten().any(|(_, d)| !d.extra.is_empty())
        || s.device_posture
            .iter()
            .flatten()
            .any(|(_, r)| !r.extra.is_empty() || r.check.as_ref().is_some_and(|c| !c.extra.is_empty()))
}

#[tokio::test]
#[ignore = "needs Prism from npm (xtask/prism); `cargo xtask test` installs it and runs ignored tests"]
async fn prism_dynamic_seeded_bodies_decode() {
    let bin = prism_binary("prism_dynamic_seeded_bodies_decode");
    let prism = Prism::start(&bin, &["-d", "--seed", "1"]);
    let started = Instant::now();
    let (distinct, with_extra) = dynamic_calls(&prism, 200).await;
    eprintln!(
        "dynamic --seed 1: 200 calls decoded in {:?}; {distinct} distinct bodies, {with_extra} with unknown properties",
        started.elapsed()
    );
}

/// With `--seed`, Prism 5 answers every request with the same generated body,
/// so an unseeded run is what exercises variety; a failing body is printed
/// in full by the decode error.
#[tokio::test]
#[ignore = "needs Prism from npm (xtask/prism); `cargo xtask test` installs it and runs ignored tests"]
async fn prism_dynamic_unseeded_bodies_decode() {
    let bin = prism_binary("prism_dynamic_unseeded_bodies_decode");
    let prism = Prism::start(&bin, &["-d"]);
    let started = Instant::now();
    let (distinct, with_extra) = dynamic_calls(&prism, 200).await;
    eprintln!(
        "dynamic unseeded: 200 calls decoded in {:?}; {distinct} distinct bodies, {with_extra} with unknown properties",
        started.elapsed()
    );
    assert!(distinct > 1, "an unseeded dynamic Prism should vary its bodies");
}

/// JSON equality as the round trip promises it: numbers equal by value (`2` and `2.0`), and
/// an object member whose value is `null` the same as an absent one.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::{Map, Value};
    fn present(map: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
        map.iter().filter(|(_, value)| !value.is_null())
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            present(x).count() == present(y).count()
                && present(x).all(|(key, value)| y.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => a == b,
    }
}

/// Nothing lost, on bodies nobody wrote by hand: Prism's dynamic bodies (generated from the
/// schemas, unknown properties included) decoded into the response envelope and serialized
/// again give back the JSON received.
#[tokio::test]
#[ignore = "needs Prism from npm (xtask/prism); `cargo xtask test` installs it and runs ignored tests"]
async fn prism_dynamic_bodies_round_trip() {
    let bin = prism_binary("prism_dynamic_bodies_round_trip");
    let prism = Prism::start(&bin, &["-d"]);
    let path = format!("/accounts/{ACCOUNT_ID}/access/users/{USER_ID}/active_sessions/{NONCE}");
    let mut distinct = std::collections::HashSet::new();
    for i in 0..100 {
        let resp = raw_get(&prism, &path, &[("Authorization", "Bearer prism-token")]).await;
        assert_eq!(resp.status().as_u16(), 200, "call {i}");
        let body = resp.bytes().await.unwrap();
        let received: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let decoded: cloudflare_sdk::types::AccessActiveSessionResponse =
            serde_json::from_slice(&body).unwrap_or_else(|e| panic!("call {i}: {e}\n{received}"));
        let written = serde_json::to_value(&decoded).unwrap();
        assert!(same_json(&written, &received), "call {i}: received {received}\nwritten {written}");
        distinct.insert(body);
    }
    assert!(distinct.len() > 1, "dynamic Prism bodies should vary");
}

/// A module Worker upload (multipart: the JSON `metadata` part and two module files) reaches
/// Prism's validator as a multipart body with every part, and nothing in it is wrong except
/// what Prism 5 cannot read: it takes each multipart part as a single string, so it neither
/// decodes a JSON part that the spec's `encoding` declares (`metadata must be object`) nor
/// gathers repeated parts into an array (`files must be array`). Those two, and only those,
/// are expected; anything else Prism reports fails the test.
#[tokio::test]
#[ignore = "needs Prism from npm (xtask/prism); `cargo xtask test` installs it and runs ignored tests"]
async fn prism_validates_a_module_worker_upload() {
    let bin = prism_binary("prism_validates_a_module_worker_upload");
    let prism = Prism::start(&bin, &[]);
    let client = prism.token_client();
    let body =
        ScriptUpdateMultipartBody::new(ScriptUpdateMultipartBodyMetadata::new().main_module("worker.js")).files(vec![
            cloudflare_sdk::File::from("export default { fetch() { return new Response('ok') } }")
                .filename("worker.js"),
            cloudflare_sdk::File::from("export const answer = 42;").filename("util.js"),
        ]);
    let err = client
        .workers()
        .scripts()
        .update("my-worker", &ScriptUpdateParams::new(ACCOUNT_ID, body))
        .await
        .expect_err("Prism 5 cannot read JSON parts or repeated parts");
    let violations = violations(&err);
    assert_eq!(
        violations,
        [
            "request.body.files: Request body property files must be array",
            "request.body.metadata: Request body property metadata must be object"
        ],
        "Prism output:\n{}",
        prism.output()
    );

    // The operation's other media type, a service-worker script as `application/javascript`,
    // passes Prism's validation whole, and the answer decodes.
    let script =
        cloudflare_sdk::File::from("addEventListener('fetch', (event) => event.respondWith(new Response('OK')))");
    let response = client
        .workers()
        .scripts()
        .update("my-worker", &ScriptUpdateParams::new(ACCOUNT_ID, script))
        .send_raw()
        .await
        .unwrap_or_else(|e| panic!("upload failed: {e:?}\nPrism output:\n{}", prism.output()));
    assert_eq!(response.status.as_u16(), 200);
    assert!(response.header("sl-violations").is_none(), "Prism found the upload valid");
}

/// Prism's `sl-violations` header of a failed call, as `location: message` lines.
fn violations(err: &Error) -> Vec<String> {
    let api = err.api_error().unwrap_or_else(|| panic!("an error status from Prism: {err:?}"));
    let header = api.headers.get("sl-violations").expect("Prism names its violations").to_str().unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_str(header).unwrap();
    let mut lines: Vec<String> = list
        .iter()
        .map(|v| {
            let location: Vec<&str> = v["location"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
            format!("{}: {}", location.join("."), v["message"].as_str().unwrap_or_default())
        })
        .collect();
    lines.sort();
    lines
}
