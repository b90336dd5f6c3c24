//! Per-call overhead of the SDK compared with a bare `reqwest` call to the
//! same local server.
//!
//! A tiny keep-alive HTTP/1.1 server (tokio, in process) answers every
//! request with the seed page's example response. Each variant makes
//! `N` sequential calls, in interleaved rounds so that drift (CPU frequency,
//! other load) hits all variants alike:
//!
//! - `sdk`: `client.zero_trust().access().users().active_sessions().get(..).await`
//!   (validation, URL building, headers, retry loop, decode of `result`);
//! - `reqwest`: a bare GET with the same bearer header, body read as bytes;
//! - `reqwest+serde`: the bare GET plus `serde_json::from_slice` of the whole
//!   envelope into the generated type (the work a hand-written client does);
//! - `reqwest+steps`: the bare GET doing the runtime's two costly steps by
//!   hand: a `tokio::time::timeout` around the attempt, and decoding via a
//!   `serde_json::Value` whose `result` field goes through
//!   `serde_path_to_error` (for error paths). It shows how much of the SDK's
//!   overhead those two steps explain.
//!
//! Run: `cargo run --release -p cloudflare-sdk --example overhead`

use std::time::{Duration, Instant};

use cloudflare_sdk::resources::zero_trust::access::users::active_sessions::ActiveSessionGetParams;
use cloudflare_sdk::types::{AccessActiveSessionResponse, ActiveSession};
use cloudflare_sdk::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SEED_BODY: &str = r#"{"errors":[{"code":1000,"message":"message","documentation_url":"documentation_url","source":{"pointer":"pointer"}}],"messages":[{"code":1000,"message":"message","documentation_url":"documentation_url","source":{"pointer":"pointer"}}],"success":true,"result":{"account_id":"1234567890","auth_status":"NONE","common_name":"","device_id":"","device_sessions":{"foo":{"last_authenticated":1638832687}},"devicePosture":{"foo":{"id":"id","check":{"exists":true,"path":"path"},"data":{},"description":"description","error":"error","rule_name":"rule_name","success":true,"timestamp":"timestamp","type":"type"}},"email":"test@cloudflare.com","geo":{"country":"US"},"iat":1694791905,"idp":{"id":"id","type":"type"},"ip":"127.0.0.0","is_gateway":false,"is_warp":false,"isActive":true,"mtls_auth":{"auth_status":"auth_status","cert_issuer_dn":"cert_issuer_dn","cert_issuer_ski":"cert_issuer_ski","cert_presented":true,"cert_serial":"cert_serial"},"service_token_id":"","service_token_status":false,"user_uuid":"57cf8cf2-f55a-4588-9ac9-f5e41e9f09b4","version":2}}"#;

const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";
const NONCE: &str = "X1aXj1lFVcqqyoXF";

/// Calls per variant.
const N: usize = 2000;
/// Rounds the calls are split into (variants alternate between rounds).
const ROUNDS: usize = 10;
const WARMUP: usize = 200;

/// Serves the seed body to every request, keeping connections alive.
async fn serve(listener: TcpListener) {
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncf-ray: bench-ray\r\ncontent-length: {}\r\n\r\n{}",
        SEED_BODY.len(),
        SEED_BODY
    );
    loop {
        let Ok((mut socket, _)) = listener.accept().await else { continue };
        let _ = socket.set_nodelay(true);
        let response = response.clone();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            loop {
                // GET requests carry no body: a request ends at the blank line.
                while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    buf.drain(..end + 4);
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        });
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    Sdk,
    Reqwest,
    ReqwestSerde,
    ReqwestSteps,
}

const VARIANTS: [Variant; 4] = [Variant::Sdk, Variant::Reqwest, Variant::ReqwestSerde, Variant::ReqwestSteps];

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Sdk => "sdk",
            Variant::Reqwest => "reqwest",
            Variant::ReqwestSerde => "reqwest+serde",
            Variant::ReqwestSteps => "reqwest+steps",
        }
    }
}

struct Bench {
    sdk: Client,
    http: reqwest::Client,
    url: String,
    params: ActiveSessionGetParams,
}

impl Bench {
    async fn once(&self, v: Variant) {
        match v {
            Variant::Sdk => {
                let s = self
                    .sdk
                    .zero_trust()
                    .access()
                    .users()
                    .active_sessions()
                    .get(USER_ID, NONCE, &self.params)
                    .await
                    .expect("sdk call");
                std::hint::black_box(s);
            }
            Variant::Reqwest => {
                let r = self
                    .http
                    .get(&self.url)
                    .header("authorization", "Bearer bench-token")
                    .header("accept", "application/json")
                    .send()
                    .await
                    .expect("reqwest call");
                assert!(r.status().is_success());
                std::hint::black_box(r.bytes().await.expect("body"));
            }
            Variant::ReqwestSerde => {
                let r = self
                    .http
                    .get(&self.url)
                    .header("authorization", "Bearer bench-token")
                    .header("accept", "application/json")
                    .send()
                    .await
                    .expect("reqwest call");
                assert!(r.status().is_success());
                let bytes = r.bytes().await.expect("body");
                let e: AccessActiveSessionResponse = serde_json::from_slice(&bytes).expect("decode");
                std::hint::black_box(e.result.expect("result"));
            }
            Variant::ReqwestSteps => {
                let attempt = async {
                    let r = self
                        .http
                        .get(&self.url)
                        .header("authorization", "Bearer bench-token")
                        .header("accept", "application/json")
                        .send()
                        .await?;
                    let status = r.status();
                    Ok::<_, reqwest::Error>((status, r.bytes().await?))
                };
                let (status, bytes) = tokio::time::timeout(Duration::from_secs(60), attempt)
                    .await
                    .expect("no timeout")
                    .expect("reqwest call");
                assert!(status.is_success());
                let top: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                let serde_json::Value::Object(mut map) = top else { panic!("not an object") };
                let inner = map.remove("result").unwrap_or(serde_json::Value::Null);
                let s: ActiveSession = serde_path_to_error::deserialize(inner).expect("decode");
                std::hint::black_box(s);
            }
        }
    }

    async fn run(&self, v: Variant, n: usize) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            self.once(v).await;
        }
        start.elapsed()
    }
}

#[tokio::main]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener));

    let base = format!("http://{addr}/client/v4");
    let bench = Bench {
        sdk: Client::builder().api_token("bench-token").base_url(&base).max_retries(0).build().unwrap(),
        http: reqwest::Client::new(),
        url: format!("{base}/accounts/{ACCOUNT_ID}/access/users/{USER_ID}/active_sessions/{NONCE}"),
        params: ActiveSessionGetParams::new(ACCOUNT_ID),
    };

    for v in VARIANTS {
        bench.run(v, WARMUP).await;
    }

    let per_round = N / ROUNDS;
    let mut totals = [Duration::ZERO; VARIANTS.len()];
    for round in 0..ROUNDS {
        // Rotate the order so no variant always runs first.
        for k in 0..VARIANTS.len() {
            let i = (round + k) % VARIANTS.len();
            totals[i] += bench.run(VARIANTS[i], per_round).await;
        }
    }

    let calls = (per_round * ROUNDS) as f64;
    let mean_us = |d: Duration| d.as_secs_f64() * 1e6 / calls;
    println!(
        "{} sequential calls per variant, {ROUNDS} interleaved rounds, keep-alive, {} byte body",
        per_round * ROUNDS,
        SEED_BODY.len()
    );
    for (v, t) in VARIANTS.iter().zip(totals) {
        println!("  {:<14} {:>8.1} µs/call", v.name(), mean_us(t));
    }
    let sdk = mean_us(totals[0]);
    let bare = mean_us(totals[1]);
    let typed = mean_us(totals[2]);
    let steps = mean_us(totals[3]);
    println!("  sdk / reqwest       = {:.2}x  (+{:.1} µs/call)", sdk / bare, sdk - bare);
    println!("  sdk / reqwest+serde = {:.2}x  (+{:.1} µs/call)", sdk / typed, sdk - typed);
    println!("  sdk / reqwest+steps = {:.2}x  (+{:.1} µs/call)", sdk / steps, sdk - steps);
}
