//! Transport failures against raw TCP servers: silent server (timeout),
//! reset connection, body cut short.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Starts a server that runs `handle` for every accepted connection and
/// counts connections.
async fn serve<F, Fut>(handle: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handle(sock));
        }
    });
    (format!("http://{addr}/client/v4"), count)
}

/// Reads the request head so the client is not blocked writing it.
async fn read_head(sock: &mut tokio::net::TcpStream) {
    let mut buf = vec![0u8; 8192];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn silent_server_times_out_after_retries() {
    let (base, count) = serve(|mut sock| async move {
        read_head(&mut sock).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(sock);
    })
    .await;
    let c = builder(&base).credential("api_token", TOKEN).timeout(Duration::from_millis(150)).build().unwrap();
    let start = Instant::now();
    let err = get_zone(&c, "abc").await.unwrap_err();
    let took = start.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(took >= Duration::from_millis(450) && took < Duration::from_secs(3), "{took:?}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(err.to_string().contains("3 attempt"), "{err}");
    assert!(!err.to_string().contains(TOKEN));

    // Per-request timeout and retries override the client's.
    let start = Instant::now();
    let err = get_zone(&c, "abc").timeout(Duration::from_millis(50)).max_retries(0).await.unwrap_err();
    assert!(err.is_timeout());
    assert!(start.elapsed() < Duration::from_millis(140), "{:?}", start.elapsed());
}

#[tokio::test]
async fn reset_connection_is_a_connection_error_after_retries() {
    let (base, count) = serve(|mut sock| async move {
        read_head(&mut sock).await;
        // Closing without a response (with unread data → RST on most OSes).
        drop(sock);
    })
    .await;
    let c = token_client(&base);
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn refused_connection_is_a_connection_error() {
    // Bind then drop to get a port with (almost certainly) nobody listening.
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let c = token_client(&format!("http://127.0.0.1:{port}/client/v4"));
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    assert!(err.to_string().contains("3 attempt"), "{err}");
}

#[tokio::test]
async fn body_cut_short_is_a_retried_connection_error() {
    let (base, count) = serve(|mut sock| async move {
        read_head(&mut sock).await;
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"result\":")
            .await;
        let _ = sock.flush().await;
        drop(sock);
    })
    .await;
    let c = token_client(&base);
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn cross_origin_redirects_are_not_followed() {
    let (other, other_count) = serve(|mut sock| async move {
        read_head(&mut sock).await;
        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").await;
    })
    .await;
    let target = other.replace("127.0.0.1", "localhost");
    let (base, _) = serve(move |mut sock| {
        let target = target.clone();
        async move {
            read_head(&mut sock).await;
            let resp = format!("HTTP/1.1 302 Found\r\nlocation: {target}/x\r\ncontent-length: 0\r\n\r\n");
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    })
    .await;
    let c = builder(&base).credential("api_email", EMAIL).credential("api_key", KEY).build().unwrap();
    let err = get_zone(&c, "abc").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
    assert_eq!(other_count.load(Ordering::SeqCst), 0);
}
