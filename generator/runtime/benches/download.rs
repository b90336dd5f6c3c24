//! Peak memory and throughput of a large download read as a stream, against the same kind of
//! body read whole.
//!
//! `cargo bench -p sdk-runtime --bench download` serves a 1 GiB body from a local TCP server,
//! reads it through `Call::send_stream`, and prints the bytes read, the time and the process's
//! peak resident memory (`VmHWM` from `/proc/self/status`, Linux only). Then it reads a
//! smaller body (64 MiB) whole with `Decoder::bytes()` for comparison: the streamed read
//! should stay within a few MiB of the starting footprint whatever the size, while the
//! buffered read grows with the body. Not a test: it prints figures, and fails only if a
//! byte count is wrong. Sizes can be changed with `DOWNLOAD_MIB` and `BUFFERED_MIB`.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::Method;
use sdk_runtime::auth::ApiSpec;
use sdk_runtime::client::{Client, ClientBuilder};
use sdk_runtime::request::{Call, Decoder, OperationSpec, PathBuilder, RequestParts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

static SPEC: ApiSpec = ApiSpec {
    default_base_url: "http://127.0.0.1",
    base_url_env: None,
    user_agent: "download-bench/1",
    request_id_header: None,
    retry_count_header: None,
    schemes: &[],
    alternatives: &[],
};

static DOWNLOAD: OperationSpec = OperationSpec {
    operation_id: "download",
    method: Method::GET,
    path_template: "/blob/{size}",
    security: &[],
    accept: "application/octet-stream",
};

const MIB: u64 = 1024 * 1024;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let streamed = env_mib("DOWNLOAD_MIB", 1024) * MIB;
    let buffered = env_mib("BUFFERED_MIB", 64) * MIB;
    let base = serve().await;
    let client = ClientBuilder::new(&SPEC).base_url(base).timeout(Duration::from_secs(60)).build().expect("a client");

    let start_rss = peak_rss_kib();
    println!("start: peak RSS {}", kib(start_rss));

    let started = Instant::now();
    let mut body = blob(&client, streamed, Decoder::bytes()).send_stream().await.expect("the download starts").body;
    let mut read = 0u64;
    while let Some(chunk) = body.next().await {
        read += chunk.expect("the download completes").len() as u64;
    }
    let took = started.elapsed();
    assert_eq!(read, streamed, "bytes streamed");
    let stream_rss = peak_rss_kib();
    report("send_stream", read, took, stream_rss, start_rss);

    let started = Instant::now();
    let whole = blob(&client, buffered, Decoder::bytes()).await.expect("the buffered download");
    let took = started.elapsed();
    assert_eq!(whole.len() as u64, buffered, "bytes read whole");
    let buffered_rss = peak_rss_kib();
    report("bytes() whole", buffered, took, buffered_rss, stream_rss);

    if let (Some(start), Some(streaming), Some(whole)) = (start_rss, stream_rss, buffered_rss) {
        let streamed_growth = streaming.saturating_sub(start) as f64 * 1024.0;
        let buffered_growth = whole.saturating_sub(streaming) as f64 * 1024.0;
        println!(
            "peak growth per byte of body: streamed {:.5}, buffered {:.3} (buffered / streamed: {:.0}x)",
            streamed_growth / streamed as f64,
            buffered_growth / buffered as f64,
            (buffered_growth / buffered as f64) / (streamed_growth.max(1.0) / streamed as f64)
        );
    }
}

fn blob<T: Send + 'static>(client: &Client, size: u64, decode: Decoder<T>) -> Call<'_, T> {
    let parts = RequestParts::new(PathBuilder::new().literal("/blob/").param("size", &size.to_string()));
    Call::new(client, &DOWNLOAD, parts, decode)
}

fn report(what: &str, bytes: u64, took: Duration, peak: Option<u64>, before: Option<u64>) {
    let rate = bytes as f64 / MIB as f64 / took.as_secs_f64();
    let growth = match (peak, before) {
        (Some(peak), Some(before)) => format!(" (+{})", kib(Some(peak.saturating_sub(before)))),
        _ => String::new(),
    };
    println!(
        "{what:>14}: {bytes} bytes in {:.2} s ({rate:.0} MiB/s), peak RSS {}{growth}",
        took.as_secs_f64(),
        kib(peak)
    );
}

/// Serves `GET /blob/<size>` with `size` bytes, from one reused 1 MiB buffer.
async fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head);
                let size: u64 = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|path| path.rsplit('/').next())
                    .and_then(|size| size.parse().ok())
                    .unwrap_or(0);
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {size}\r\n\r\n"
                );
                if sock.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![0x5a_u8; MIB as usize];
                let mut left = size;
                while left > 0 {
                    let n = left.min(MIB) as usize;
                    if sock.write_all(&block[..n]).await.is_err() {
                        return;
                    }
                    left -= n as u64;
                }
            });
        }
    });
    format!("http://{addr}")
}

/// The process's peak resident set size in KiB (`VmHWM`), on Linux.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn kib(value: Option<u64>) -> String {
    match value {
        Some(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
        None => "unknown (no /proc/self/status)".to_owned(),
    }
}

fn env_mib(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
