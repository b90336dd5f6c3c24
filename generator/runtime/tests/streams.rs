//! Responses by content type, envelope metadata, and streaming bodies (raw, NDJSON,
//! server-sent events), against wiremock and raw TCP servers.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use futures_util::StreamExt;
use reqwest::Method;
use sdk_runtime::client::Client;
use sdk_runtime::error::Error;
use sdk_runtime::request::{Call, Content, Decoder, OperationSpec, PathBuilder, RequestParts};
use sdk_runtime::stream::{ByteStream, Event, EventStream, JsonLines, MAX_LINE};
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static LOGS: OperationSpec = OperationSpec {
    operation_id: "logs-received",
    method: Method::GET,
    path_template: "/logs",
    security: ALL_AUTH,
    accept: "application/x-ndjson",
};

static EVENTS: OperationSpec = OperationSpec {
    operation_id: "ai-run",
    method: Method::POST,
    path_template: "/ai",
    security: ALL_AUTH,
    accept: "text/event-stream",
};

#[derive(Debug, Deserialize, PartialEq)]
struct Line {
    n: u32,
}

fn call<'c, T: Send + 'static>(client: &'c Client, op: &'static OperationSpec, decode: Decoder<T>) -> Call<'c, T> {
    let parts = RequestParts::new(PathBuilder::new().literal(op.path_template));
    Call::new(client, op, parts, decode)
}

fn zone_call<T: Send + 'static>(client: &Client, decode: Decoder<T>) -> Call<'_, T> {
    Call::new(client, &GET_ZONE, RequestParts::new(PathBuilder::new().literal("/zones/abc")), decode)
}

async fn mock(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> MockServer {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status).set_body_raw(body.into(), content_type.unwrap_or(""));
    if content_type.is_none() {
        response = ResponseTemplate::new(status).set_body_bytes(Vec::new());
    }
    Mock::given(method("GET")).respond_with(response).mount(&server).await;
    server
}

// ---------------------------------------------------------------- Accept and content types

#[tokio::test]
async fn accept_comes_from_the_operation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/client/v4/logs"))
        .and(header("accept", "application/x-ndjson"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"n\":1}\n", "application/x-ndjson"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/client/v4/zones/abc"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_zone()))
        .expect(1)
        .mount(&server)
        .await;
    let client = token_client(&format!("{}/client/v4", server.uri()));
    let lines: Vec<Line> = call(&client, &LOGS, Decoder::ndjson()).await.unwrap().map(Result::unwrap).collect().await;
    assert_eq!(lines, [Line { n: 1 }]);
    get_zone(&client, "abc").await.unwrap();
}

#[tokio::test]
async fn empty_success_bodies_decode_as_null_default_or_a_clear_error() {
    for status in [200, 204] {
        let server = mock(status, None, "").await;
        let client = token_client(&server.uri());
        let zone: Option<Zone> = zone_call(&client, Decoder::json_field("result")).await.unwrap();
        assert_eq!(zone, None);
        zone_call::<()>(&client, Decoder::json()).await.unwrap();
        let value: serde_json::Value = zone_call(&client, Decoder::json()).await.unwrap();
        assert_eq!(value, serde_json::Value::Null);
        let list: Vec<Zone> = zone_call(&client, Decoder::json_field_or_default("result")).await.unwrap();
        assert!(list.is_empty());

        let err = zone_call::<Zone>(&client, Decoder::json_field("result")).await.unwrap_err();
        let Error::Decode(decode) = &err else { panic!("{err:?}") };
        assert!(decode.message.contains("empty"), "{decode}");
        assert_eq!(decode.status.map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn a_json_decoder_given_html_names_the_content_type() {
    let html = "<html><body>502 Bad Gateway from the proxy</body></html>";
    let server = mock(200, Some("text/html; charset=utf-8"), html).await;
    let client = token_client(&server.uri());
    let err = zone_call::<Zone>(&client, Decoder::json_field("result")).await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("{err:?}") };
    assert!(decode.message.contains("`text/html`"), "{decode}");
    assert!(err.to_string().contains("text/html"), "{err}");
    assert_eq!(decode.body_snippet, html);

    // A JSON body labelled as JSON with parameters is fine; so is a mislabelled one.
    let server = mock(200, Some("application/json; charset=utf-8"), ok_zone().to_string()).await;
    let zone = zone_call::<Zone>(&token_client(&server.uri()), Decoder::json_field("result")).await.unwrap();
    assert_eq!(zone.id, "abc");
    let server = mock(200, Some("text/plain"), ok_zone().to_string()).await;
    let zone = zone_call::<Zone>(&token_client(&server.uri()), Decoder::json_field("result")).await.unwrap();
    assert_eq!(zone.name, "example.com");
}

#[tokio::test]
async fn content_is_chosen_by_the_response_content_type() {
    let decoder = Decoder::<Content<Zone>>::by_content_type(Some("result"));

    let server = mock(200, Some("application/vnd.api+json"), ok_zone().to_string()).await;
    let response = zone_call(&token_client(&server.uri()), decoder).send_raw().await.unwrap();
    let Content::Json(zone) = &response.body else { panic!("{:?}", response.body) };
    assert_eq!(zone.id, "abc");
    assert_eq!(response.envelope().unwrap()["success"], json!(true));

    let server = mock(200, Some("text/csv"), "a,b\n1,2\n").await;
    let content = zone_call(&token_client(&server.uri()), decoder).await.unwrap();
    assert_eq!(content, Content::Text("a,b\n1,2\n".into()));

    let server = mock(200, Some("image/png"), &b"\x89PNG\r\n"[..]).await;
    let content = zone_call(&token_client(&server.uri()), decoder).await.unwrap();
    assert_eq!(
        content,
        Content::Binary { content_type: "image/png".into(), bytes: Bytes::from_static(b"\x89PNG\r\n") }
    );

    // Text that is not UTF-8 stays binary rather than failing.
    let server = mock(200, Some("text/plain"), &b"caf\xe9"[..]).await;
    let content = zone_call(&token_client(&server.uri()), decoder).await.unwrap();
    assert!(matches!(content, Content::Binary { ref content_type, .. } if content_type == "text/plain"));
}

// ---------------------------------------------------------------- envelope

#[derive(Debug, Deserialize, PartialEq)]
struct ResultInfo {
    page: u32,
    total_pages: u32,
}

#[tokio::test]
async fn envelope_siblings_stay_reachable() {
    let server = MockServer::start().await;
    let body = json!({
        "success": true, "errors": [], "messages": [{"code": 10000, "message": "deprecated soon"}],
        "result": [{"id": "a", "name": "a.com"}, {"id": "b", "name": "b.com"}],
        "result_info": {"page": 2, "total_pages": 7, "cursor": "c2"},
    });
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let client = token_client(&server.uri());
    let response = zone_call::<Vec<Zone>>(&client, Decoder::json_field("result")).send_raw().await.unwrap();
    assert_eq!(response.body.len(), 2);
    let envelope = response.envelope().unwrap();
    assert!(envelope.get("result").is_none(), "the unwrapped field is not copied");
    assert_eq!(envelope.len(), 4);
    assert_eq!(envelope["result_info"]["cursor"], json!("c2"));
    let info: ResultInfo = response.envelope_field("result_info").unwrap().unwrap();
    assert_eq!(info, ResultInfo { page: 2, total_pages: 7 });
    let messages: Vec<Message> = response.envelope_field("messages").unwrap().unwrap();
    assert_eq!(messages[0].code, 10000);
    assert!(response.envelope_field::<ResultInfo>("absent").is_none());
    let wrong = response.envelope_field::<Vec<u32>>("messages").unwrap().unwrap_err();
    assert_eq!(wrong.path.as_deref(), Some("messages[0]"), "{wrong}");

    // The envelope survives `map`; without an unwrapped field there is none.
    assert!(response.map(|zones| zones.len()).envelope().is_some());
    let whole = zone_call::<serde_json::Value>(&client, Decoder::json()).send_raw().await.unwrap();
    assert!(whole.envelope().is_none());
}

// ---------------------------------------------------------------- raw streams

#[tokio::test]
async fn send_stream_reads_any_call_as_chunks() {
    let server = MockServer::start().await;
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/octet-stream"))
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    // The operation decodes JSON, but `send_stream` hands over the raw body.
    let response = get_zone(&client, "abc").send_stream().await.unwrap();
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.header("content-type"), Some("application/octet-stream"));
    let mut stream = response.body;
    let (mut chunks, mut read) = (0, Vec::new());
    while let Some(chunk) = stream.next().await {
        chunks += 1;
        read.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(read, body);
    assert!(chunks >= 1);

    let stream = zone_call(&client, Decoder::stream()).await.unwrap();
    assert_eq!(stream.collect_bytes().await.unwrap(), Bytes::from(body));
}

#[tokio::test]
async fn send_stream_retries_before_the_body_and_reports_error_statuses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("payload"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"errors": [{"code": 7003, "message": "no such key"}]})),
        )
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    let body = get_zone(&client, "abc").send_stream().await.unwrap().body.collect_bytes().await.unwrap();
    assert_eq!(body, "payload");
    let err = get_zone(&client, "abc").send_stream().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.api_error().unwrap().message().as_deref(), Some("no such key (code 7003)"));
}

// ---------------------------------------------------------------- raw TCP helpers

/// A server answering every connection with `respond` after reading the request head.
async fn serve<F, Fut>(respond: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            tokio::spawn(respond(sock));
        }
    });
    format!("http://{addr}/client/v4")
}

// ---------------------------------------------------------------- NDJSON

#[tokio::test]
async fn ndjson_lines_with_blank_lines_crlf_and_no_final_newline() {
    let body = "{\"n\":1}\n\n{\"n\":2}\r\n  \r\n{\"n\":3}";
    let server = mock(200, Some("application/x-ndjson"), body).await;
    let client = token_client(&server.uri());
    let lines: Vec<Line> = call(&client, &LOGS, Decoder::ndjson()).await.unwrap().map(Result::unwrap).collect().await;
    assert_eq!(lines, [Line { n: 1 }, Line { n: 2 }, Line { n: 3 }]);
}

#[tokio::test]
async fn ndjson_bad_line_is_an_error_item_and_the_stream_goes_on() {
    let lines = ByteStream::from_bytes("{\"n\":1}\n{\"n\":\"two\"}\n{\"n\":3}\n").ndjson::<Line>();
    let items: Vec<Result<Line, Error>> = lines.collect().await;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_ref().unwrap(), &Line { n: 1 });
    let Err(Error::Decode(e)) = &items[1] else { panic!("{:?}", items[1]) };
    assert_eq!(e.path.as_deref(), Some("n"));
    assert_eq!(items[2].as_ref().unwrap(), &Line { n: 3 });
}

#[tokio::test]
async fn ndjson_body_cut_mid_line_over_tcp_yields_an_error_item() {
    // Close-delimited body (no length, no chunking): the cut is a clean EOF inside a line.
    let base = serve(|mut sock| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\nconnection: close\r\n\r\n";
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(b"{\"n\":1}\n{\"n\":2}\n{\"n\":").await;
        let _ = sock.shutdown().await;
    })
    .await;
    let client = token_client(&base);
    let items: Vec<Result<Line, Error>> = call(&client, &LOGS, Decoder::ndjson()).await.unwrap().collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[1].as_ref().unwrap(), &Line { n: 2 });
    let Err(Error::Decode(e)) = &items[2] else { panic!("{:?}", items[2]) };
    assert!(e.message.contains("ended inside a line"), "{e}");

    // Chunked body cut inside a chunk: the transport reports it, still as an error item.
    let base = serve(|mut sock| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n";
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(b"8\r\n{\"n\":1}\n\r\n20\r\n{\"n\":").await;
        let _ = sock.shutdown().await;
    })
    .await;
    let client = token_client(&base);
    let items: Vec<Result<Line, Error>> = call(&client, &LOGS, Decoder::ndjson()).await.unwrap().collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap(), &Line { n: 1 });
    assert!(items[1].as_ref().unwrap_err().is_connection(), "{:?}", items[1]);
}

#[tokio::test]
async fn streaming_calls_return_at_the_headers_and_time_out_when_idle() {
    let base = serve(|mut sock| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n";
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(b"8\r\n{\"n\":1}\n\r\n").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = sock.write_all(b"8\r\n{\"n\":2}\n\r\n").await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = builder(&base).credential("api_token", TOKEN).timeout(Duration::from_millis(1000)).build().unwrap();
    let started = Instant::now();
    let mut lines = call(&client, &LOGS, Decoder::<JsonLines<Line>>::ndjson()).await.unwrap();
    assert_eq!(lines.next().await.unwrap().unwrap(), Line { n: 1 });
    assert!(started.elapsed() < Duration::from_millis(250), "{:?}", started.elapsed());
    assert_eq!(lines.next().await.unwrap().unwrap(), Line { n: 2 });
    // Then the server goes quiet: the idle timeout (the call's timeout) ends the stream.
    let err = lines.next().await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(lines.next().await.is_none());
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1250) && took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn an_overlong_line_is_an_error_with_bounded_memory() {
    let chunk = Bytes::from(vec![b'7'; 1024 * 1024]);
    let endless = futures_util::stream::repeat(chunk).map(Ok);
    let mut lines = ByteStream::new(endless).ndjson::<u64>();
    let err = lines.next().await.unwrap().unwrap_err();
    assert!(err.to_string().contains(&MAX_LINE.to_string()), "{err}");
    assert!(lines.next().await.is_none());
}

// ---------------------------------------------------------------- server-sent events

/// Parses `text` delivered in the given chunks.
async fn events<U: serde::de::DeserializeOwned + 'static>(chunks: Vec<Vec<u8>>) -> Vec<Result<Event<U>, Error>> {
    let chunks = futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c))));
    ByteStream::new(chunks).sse::<U>().collect().await
}

fn text_events(items: Vec<Result<Event<String>, Error>>) -> Vec<(Option<String>, String, Option<String>)> {
    items.into_iter().map(Result::unwrap).map(|e| (e.event, e.data, e.id)).collect()
}

fn ev(event: Option<&str>, data: &str, id: Option<&str>) -> (Option<String>, String, Option<String>) {
    (event.map(str::to_owned), data.to_owned(), id.map(str::to_owned))
}

const SSE: &str = "\u{feff}: a comment\r\n\
    data: first\r\n\
    data:second line\r\n\
    \r\n\
    event: update\rid: 7\rdata: caf\u{e9} \u{1f600}\r\r\
    data\n\
    \n\
    id\n\
    event: no-data\n\
    \n\
    data:  two spaces\nunknown: x\n\n\
    data: unterminated at the end";

fn sse_expected() -> Vec<(Option<String>, String, Option<String>)> {
    vec![
        ev(None, "first\nsecond line", None),
        ev(Some("update"), "caf\u{e9} \u{1f600}", Some("7")),
        // `data` without a colon: an event with empty data; the id carries over.
        ev(None, "", Some("7")),
        // `id` without a value resets it; an event without data is not dispatched.
        ev(None, " two spaces", None),
    ]
}

#[tokio::test]
async fn sse_fields_line_ends_and_the_unterminated_last_event() {
    let got = text_events(events::<String>(vec![SSE.as_bytes().to_vec()]).await);
    assert_eq!(got, sse_expected());
}

#[tokio::test]
async fn sse_split_anywhere_gives_the_same_events() {
    let bytes = SSE.as_bytes();
    // Every two-chunk split: inside each CRLF, inside each multi-byte character, ...
    for cut in 0..=bytes.len() {
        let got = text_events(events::<String>(vec![bytes[..cut].to_vec(), bytes[cut..].to_vec()]).await);
        assert_eq!(got, sse_expected(), "split at byte {cut}");
    }
    // ... and one byte at a time.
    let got = text_events(events::<String>(bytes.iter().map(|b| vec![*b]).collect()).await);
    assert_eq!(got, sse_expected());
}

#[derive(Debug, Deserialize, PartialEq)]
struct Token {
    response: String,
}

#[tokio::test]
async fn sse_typed_data_retry_done_and_bad_events_over_http() {
    let body = "retry: 1500\ndata: {\"response\":\"Hel\"}\n\n\
        event: token\ndata: {\"response\":\ndata: \"lo\"}\n\n\
        data: not json\n\n\
        data: {\"response\":\"!\"}\n\n\
        data: [DONE]\n\n\
        data: {\"response\":\"after done\"}\n\n";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("accept", "text/event-stream"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let client = token_client(&server.uri());
    let mut stream = call(&client, &EVENTS, Decoder::<EventStream<Token>>::sse()).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.data, Token { response: "Hel".into() });
    assert_eq!(first.retry, Some(Duration::from_millis(1500)));
    let second = stream.next().await.unwrap().unwrap();
    assert_eq!((second.event.as_deref(), second.data.response.as_str(), second.retry), (Some("token"), "lo", None));
    let bad = stream.next().await.unwrap().unwrap_err();
    assert!(bad.is_decode() && bad.status().is_some(), "{bad:?}");
    assert_eq!(stream.next().await.unwrap().unwrap().data.response, "!");
    assert!(stream.next().await.is_none(), "[DONE] ends a typed stream");
    assert_eq!(stream.reconnection_time(), Some(Duration::from_millis(1500)));

    // As raw text, nothing is special.
    let raw: Vec<String> = call(&client, &EVENTS, Decoder::<EventStream<String>>::sse())
        .await
        .unwrap()
        .map(|e| e.unwrap().data)
        .collect()
        .await;
    assert_eq!(raw.len(), 6);
    assert_eq!(raw[4], "[DONE]");
    // As JSON values.
    let values: Vec<Result<Event<serde_json::Value>, Error>> =
        call(&client, &EVENTS, Decoder::sse()).await.unwrap().collect().await;
    assert_eq!(values[0].as_ref().unwrap().data, json!({"response": "Hel"}));
}

#[tokio::test]
async fn sse_connection_cut_yields_the_error() {
    let base = serve(|mut sock| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(b"b\r\ndata: one\n\n\r\n40\r\ndata: tw").await;
        let _ = sock.shutdown().await;
    })
    .await;
    let client = token_client(&base);
    let mut stream = call(&client, &EVENTS, Decoder::<EventStream<String>>::sse()).await.unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().data, "one");
    assert!(stream.next().await.unwrap().unwrap_err().is_connection());
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_streaming_call_reads_at_most_a_bounded_error_body() {
    let server = MockServer::start().await;
    let huge = vec![b'x'; 3 * 1024 * 1024];
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(400).set_body_bytes(huge)).mount(&server).await;
    let client = token_client(&server.uri());
    let err = get_zone(&client, "abc").send_stream().await.unwrap_err();
    assert_eq!(err.api_error().unwrap().body().len(), sdk_runtime::request::STREAMING_ERROR_BODY_LIMIT);
    // A buffered call keeps the whole error body, as before.
    let err = get_zone(&client, "abc").await.unwrap_err();
    assert_eq!(err.api_error().unwrap().body().len(), 3 * 1024 * 1024);
}

#[test]
fn streams_can_move_between_tasks_and_feed_uploads() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<ByteStream>();
    check::<JsonLines<Line>>();
    check::<EventStream<Line>>();
}
