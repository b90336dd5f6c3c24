//! Reading any call's answer as server-sent events or JSON lines of the caller's type
//! (`Call::events`, `Call::json_lines`), for APIs that stream only when asked (Workers AI's
//! `"stream": true`) and whose description declares JSON.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use reqwest::Method;
use sdk_runtime::client::Client;
use sdk_runtime::error::Error;
use sdk_runtime::request::{Call, Decoder, OperationSpec, PathBuilder, RequestParts};
use sdk_runtime::stream::Event;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_json, header, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An operation whose description declares a JSON answer only, like
/// `workers-ai-post-run-model`.
static RUN_MODEL: OperationSpec = OperationSpec {
    operation_id: "workers-ai-post-run-model",
    method: Method::POST,
    path_template: "/ai/run/{model_name}",
    security: ALL_AUTH,
    accept: "application/json",
};

#[derive(Debug, Deserialize, PartialEq)]
struct Token {
    response: String,
}

const ANSWER: &str = "data: {\"response\":\"Hel\"}\n\n\
    : a comment\n\
    event: token\ndata: {\"response\":\"lo\"}\n\n\
    data: [DONE]\n\n\
    data: {\"response\":\"after the sentinel\"}\n\n";

/// A call of `RUN_MODEL` with a JSON body, decoded (if it were awaited) as JSON.
fn run_model<'c>(client: &'c Client, body: &Value) -> Call<'c, Value> {
    let mut parts = RequestParts::new(PathBuilder::new().literal("/ai/run/").param("model_name", "@cf/meta/llama"));
    parts.json_body(body);
    Call::new(client, &RUN_MODEL, parts, Decoder::json_field("result"))
}

/// A server that answers `ANSWER` as events to a request that asks for them.
async fn event_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex("^/ai/run/[^/]+$"))
        .and(header("accept", "text/event-stream"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({"prompt": "hi", "stream": true})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ANSWER, "text/event-stream; charset=utf-8"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn events_of_a_typed_payload_from_an_operation_that_declares_json() {
    let server = event_server().await;
    let client = token_client(&server.uri());
    let body = json!({"prompt": "hi", "stream": true});
    let mut events = run_model(&client, &body).events::<Token>().await.unwrap();
    let first = events.next().await.unwrap().unwrap();
    assert_eq!((first.event, first.data), (None, Token { response: "Hel".into() }));
    let second = events.next().await.unwrap().unwrap();
    assert_eq!((second.event.as_deref(), second.data.response.as_str()), (Some("token"), "lo"));
    assert!(events.next().await.is_none(), "the default `[DONE]` rule ends a typed stream");
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn events_of_json_values_and_the_caller_choosing_the_sentinel() {
    let server = event_server().await;
    let client = token_client(&server.uri());
    let body = json!({"prompt": "hi", "stream": true});

    // `serde_json::Value`: `[DONE]` is not JSON, so the default rule ends the stream there.
    let values: Vec<Value> =
        run_model(&client, &body).events::<Value>().await.unwrap().map(|event| event.unwrap().data).collect().await;
    assert_eq!(values, [json!({"response": "Hel"}), json!({"response": "lo"})]);

    // Raw text: `[DONE]` is text like any other, unless the caller stops at it.
    let texts: Vec<String> =
        run_model(&client, &body).events::<String>().await.unwrap().map(|event| event.unwrap().data).collect().await;
    assert_eq!(texts.len(), 4);
    assert_eq!(texts[2], "[DONE]");
    let texts: Vec<String> = run_model(&client, &body)
        .events::<String>()
        .await
        .unwrap()
        .stop_at("[DONE]")
        .map(|event| event.unwrap().data)
        .collect()
        .await;
    assert_eq!(texts, ["{\"response\":\"Hel\"}", "{\"response\":\"lo\"}"]);

    // No sentinel: `[DONE]` is an event that does not decode, and the stream goes on.
    let all: Vec<Result<Event<Token>, Error>> =
        run_model(&client, &body).events::<Token>().await.unwrap().no_sentinel().collect().await;
    assert_eq!(all.len(), 4);
    assert!(all[2].as_ref().unwrap_err().is_decode(), "{:?}", all[2]);
    assert_eq!(all[3].as_ref().unwrap().data.response, "after the sentinel");
}

#[tokio::test]
async fn an_error_status_is_the_usual_api_error_and_is_retried_like_any_call() {
    let server = MockServer::start().await;
    let envelope = json!({"success": false, "errors": [{"code": 5007, "message": "No such model"}], "messages": []});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("accept", "text/event-stream"))
        .respond_with(ResponseTemplate::new(400).set_body_json(&envelope))
        .expect(1)
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    let error = run_model(&client, &json!({"prompt": "hi", "stream": true})).events::<Token>().await.unwrap_err();
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.operation_id, "workers-ai-post-run-model");
    assert!(error.to_string().contains("No such model"), "{error}");
}

#[tokio::test]
async fn a_json_answer_to_a_request_for_events_is_a_decode_error_with_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "result": {"response": "whole answer"}}))
                .insert_header("cf-ray", "ray-1"),
        )
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    let error = run_model(&client, &json!({"prompt": "hi"})).events::<Token>().await.unwrap_err();
    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(200));
    assert!(decode.message.contains("`application/json`"), "{}", decode.message);
    assert!(decode.body_snippet.contains("whole answer"), "{}", decode.body_snippet);
}

#[tokio::test]
async fn a_caller_accept_header_wins_and_an_untyped_answer_is_read_as_events() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("accept", "*/*"))
        // No Content-Type at all: read as events.
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"data: plain\n\n".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    let mut events = run_model(&client, &json!({"prompt": "hi"}))
        .header("Accept", "*/*")
        .timeout(Duration::from_secs(2))
        .events::<String>()
        .await
        .unwrap();
    assert_eq!(events.next().await.unwrap().unwrap().data, "plain");
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn json_lines_of_any_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("accept", "application/x-ndjson"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"response\":\"a\"}\n\n{\"response\":\"b\"}\r\nnot json\n{\"response\":\"c\"}",
            "application/x-ndjson",
        ))
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    let lines: Vec<Result<Token, Error>> =
        run_model(&client, &json!({"prompt": "hi"})).json_lines::<Token>().await.unwrap().collect().await;
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1].as_ref().unwrap().response, "b");
    assert!(lines[2].as_ref().unwrap_err().is_decode());
    assert_eq!(lines[3].as_ref().unwrap().response, "c");
}

// ---------------------------------------------------------------- reconnecting

/// A raw TCP server: connection `n` (from 0) reads the request head, which is recorded, and
/// is answered with `respond(n)`'s bytes, then closed (cutting a chunked body mid-way when
/// the bytes stop before its last chunk).
async fn cutting_server(respond: fn(usize) -> &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => head.extend_from_slice(&buf[..read]),
                }
            }
            seen.lock().unwrap().push(String::from_utf8_lossy(&head).to_lowercase());
            let answer = respond(n);
            n += 1;
            tokio::spawn(async move {
                let _ = sock.write_all(answer.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}/client/v4"), heads)
}

#[tokio::test]
async fn a_dropped_event_stream_resumes_with_the_last_event_id() {
    let (base, heads) = cutting_server(|n| match n {
        // `retry: 20` keeps the test fast; the stream is cut inside the second event.
        0 => {
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n\
              28\r\nretry: 20\nid: 7\ndata: {\"response\":\"a\"}\n\n\r\n40\r\ndata: {\"resp"
        }
        _ => {
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: 31\r\n\r\n\
              id: 8\ndata: {\"response\":\"b\"}\n\n\n"
        }
    })
    .await;
    let client = token_client(&base);
    let body = json!({"prompt": "hi", "stream": true});
    let started = Instant::now();
    let events: Vec<Result<Event<Token>, Error>> =
        run_model(&client, &body).events_resuming::<Token>(3).await.unwrap().collect().await;
    let events: Vec<(Option<String>, String)> =
        events.into_iter().map(|event| event.map(|e| (e.id, e.data.response)).unwrap()).collect();
    assert_eq!(events, [(Some("7".into()), "a".into()), (Some("8".into()), "b".into())]);
    assert!(started.elapsed() >= Duration::from_millis(20), "waits the server's reconnection time");
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(!heads[0].contains("last-event-id"), "{}", heads[0]);
    assert!(heads[1].contains("\r\nlast-event-id: 7\r\n"), "{}", heads[1]);
    assert!(heads[1].contains("\r\naccept: text/event-stream\r\n"), "{}", heads[1]);
    assert!(heads[1].contains("authorization: bearer"), "the same credentials: {}", heads[1]);
    assert!(heads[1].starts_with("post /client/v4/ai/run/"), "{}", heads[1]);
}

#[tokio::test]
async fn reconnections_are_bounded_and_the_last_error_is_yielded() {
    let (base, heads) = cutting_server(|_| {
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n\
         21\r\nretry: 1\ndata: {\"response\":\"x\"}\n\n\r\n40\r\ndata: cut"
    })
    .await;
    let client = token_client(&base);
    let events: Vec<Result<Event<Token>, Error>> =
        run_model(&client, &json!({"prompt": "hi"})).events_resuming::<Token>(2).await.unwrap().collect().await;
    // Each of the three connections gives its event; the third cut is the stream's end.
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(events[..3].iter().all(|event| event.as_ref().is_ok_and(|e| e.data.response == "x")));
    assert!(events[3].as_ref().unwrap_err().is_connection(), "{:?}", events[3]);
    assert_eq!(heads.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_failed_reconnection_ends_the_stream_with_its_error() {
    let (base, heads) = cutting_server(|n| match n {
        0 => {
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n\
              21\r\nretry: 1\ndata: {\"response\":\"x\"}\n\n\r\n40\r\ndata: cut"
        }
        _ => "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
    })
    .await;
    let client = token_client(&base);
    let events: Vec<Result<Event<Token>, Error>> =
        run_model(&client, &json!({"prompt": "hi"})).events_resuming::<Token>(5).await.unwrap().collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[1].as_ref().unwrap_err().is_not_found(), "{:?}", events[1]);
    assert_eq!(heads.lock().unwrap().len(), 2, "no reconnection after an error status");

    // Without `events_resuming`, a cut is the end.
    let (base, heads) = cutting_server(|_| {
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n\
         21\r\nretry: 1\ndata: {\"response\":\"x\"}\n\n\r\n40\r\ndata: cut"
    })
    .await;
    let client = token_client(&base);
    let events: Vec<Result<Event<Token>, Error>> =
        run_model(&client, &json!({"prompt": "hi"})).events::<Token>().await.unwrap().collect().await;
    assert_eq!(events.len(), 2);
    assert!(events[1].as_ref().unwrap_err().is_connection());
    assert_eq!(heads.lock().unwrap().len(), 1);
}
