//! Lists, files and streams through the Cloudflare SDK, against wiremock servers shaped like
//! Cloudflare's API: DNS records paged by `result_info`, KV keys paged by cursor, a module
//! Worker upload checked part by part, a KV value read as a stream, and a Workers AI answer
//! read as server-sent events.

use cloudflare_sdk::resources::ai::run::RunPostRunModelParams;
use cloudflare_sdk::resources::dns::records::RecordListParams;
use cloudflare_sdk::resources::keys::{KeyGetParams, KeyListParams};
use cloudflare_sdk::resources::workers::scripts::ScriptUpdateParams;
use cloudflare_sdk::types::{
    RunPostRunModelBodyTextGeneration, RunPostRunModelBodyTextGenerationPrompt, ScriptUpdateMultipartBody,
    ScriptUpdateMultipartBodyMetadata,
};
use cloudflare_sdk::{Client, File};
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const ZONE: &str = "353c0d8ee1fc4a6b0e8a9ef8da40e320";

fn client(server: &MockServer) -> Client {
    Client::builder().api_token("t").base_url(server.uri()).max_retries(0).build().unwrap()
}

fn envelope(result: serde_json::Value, result_info: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [], "result": result, "result_info": result_info
    }))
}

fn record(id: u32) -> serde_json::Value {
    json!({"id": format!("r{id}"), "name": "example.com", "type": "A", "content": "192.0.2.1", "ttl": 1, "proxied": false})
}

#[tokio::test]
async fn every_dns_record_streams_across_pages_numbered_by_result_info() {
    let server = MockServer::start().await;
    for page in 2..=3u32 {
        let records: Vec<_> = (0..2).map(|i| record(page * 10 + i)).collect();
        Mock::given(method("GET"))
            .and(path(format!("/zones/{ZONE}/dns_records")))
            .and(query_param("page", page.to_string()))
            .respond_with(envelope(
                json!(records),
                json!({"page": page, "per_page": 2, "total_pages": 3, "total_count": 6, "count": 2}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    // The first request carries no page number: page 1 is the server's default.
    let first: Vec<_> = (0..2).map(|i| record(10 + i)).collect();
    Mock::given(method("GET"))
        .and(path(format!("/zones/{ZONE}/dns_records")))
        .and(|request: &Request| !request.url.query_pairs().any(|(k, _)| k == "page"))
        .respond_with(envelope(
            json!(first),
            json!({"page": 1, "per_page": 2, "total_pages": 3, "total_count": 6, "count": 2}),
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    let params = RecordListParams::new(ZONE).per_page(2.0);
    let ids: Vec<String> = client
        .dns()
        .records()
        .list(&params)
        .items()
        .map(|record| serde_json::to_value(record.unwrap()).unwrap()["id"].as_str().unwrap().to_string())
        .collect()
        .await;
    assert_eq!(ids, ["r10", "r11", "r20", "r21", "r30", "r31"]);

    // The first page alone keeps the envelope's metadata.
    let page = client.dns().records().list(&params).await.unwrap();
    assert_eq!(page.items().len(), 2);
    assert_eq!(page.meta()["result_info"]["total_pages"], 3);
    assert!(page.has_next_page());
}

#[tokio::test]
async fn kv_keys_page_by_the_cursor_in_result_info_until_it_is_empty() {
    let server = MockServer::start().await;
    let keys_path = format!("/accounts/{ACCOUNT}/storage/kv/namespaces/ns/keys");
    let pages = [(None, "c1", ["a", "b"]), (Some("c1"), "c2", ["c", "d"]), (Some("c2"), "", ["e", "f"])];
    for (sent, next, names) in pages {
        let keys: Vec<_> = names.iter().map(|n| json!({"name": n})).collect();
        let mock = Mock::given(method("GET")).and(path(keys_path.clone()));
        let mock = match sent {
            Some(cursor) => mock.and(query_param("cursor", cursor)),
            None => mock.and(|request: &Request| !request.url.query_pairs().any(|(k, _)| k == "cursor")),
        };
        mock.respond_with(envelope(json!(keys), json!({"count": 2, "cursor": next}))).expect(1).mount(&server).await;
    }
    let names: Vec<String> = client(&server)
        .keys()
        .list("ns", &KeyListParams::new(ACCOUNT))
        .items()
        .map(|key| key.unwrap().name)
        .collect()
        .await;
    assert_eq!(names, ["a", "b", "c", "d", "e", "f"]);
}

#[tokio::test]
async fn a_module_worker_goes_up_as_a_metadata_part_and_one_part_per_module() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("/accounts/{ACCOUNT}/workers/scripts/my-worker")))
        .respond_with(envelope(json!({"id": "my-worker", "startup_time_ms": 10}), json!(null)))
        .expect(1)
        .mount(&server)
        .await;
    let body =
        ScriptUpdateMultipartBody::new(ScriptUpdateMultipartBodyMetadata::new().main_module("worker.js")).files(vec![
            File::from("import { x } from './util.js'; export default { fetch() { return new Response(x) } }")
                .filename("worker.js"),
            File::from("export const x = 'ok';").filename("util.js"),
        ]);
    client(&server).workers().scripts().update("my-worker", &ScriptUpdateParams::new(ACCOUNT, body)).await.unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    let content_type = request.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("a multipart body");
    let text = String::from_utf8(request.body.clone()).unwrap();
    let parts: Vec<&str> = text
        .strip_suffix(&format!("--{boundary}--\r\n"))
        .expect("the closing delimiter")
        .split(&format!("--{boundary}\r\n"))
        .skip(1)
        .collect();
    let parts: Vec<(&str, &str)> =
        parts.iter().map(|p| p.strip_suffix("\r\n").unwrap().split_once("\r\n\r\n").unwrap()).collect();
    // In the spec's property order: the modules, then the metadata.
    assert_eq!(parts.len(), 3, "{text}");
    assert_eq!(
        parts[0].0,
        "Content-Disposition: form-data; name=\"files\"; filename=\"worker.js\"\r\nContent-Type: application/javascript+module"
    );
    assert!(parts[0].1.starts_with("import { x }"));
    assert_eq!(
        parts[1].0,
        "Content-Disposition: form-data; name=\"files\"; filename=\"util.js\"\r\nContent-Type: application/javascript+module"
    );
    assert_eq!(parts[1].1, "export const x = 'ok';");
    assert_eq!(parts[2].0, "Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json");
    assert_eq!(serde_json::from_str::<serde_json::Value>(parts[2].1).unwrap(), json!({"main_module": "worker.js"}));
}

#[tokio::test]
async fn a_kv_value_comes_down_as_a_stream_of_chunks() {
    let server = MockServer::start().await;
    let value: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    Mock::given(method("GET"))
        .and(path(format!("/accounts/{ACCOUNT}/storage/kv/namespaces/ns/values/big")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(value.clone()))
        .mount(&server)
        .await;
    let response = client(&server).keys().get("ns", "big", &KeyGetParams::new(ACCOUNT)).send_stream().await.unwrap();
    assert_eq!(response.status.as_u16(), 200);
    let mut body = response.into_body();
    let (mut received, mut chunks) = (Vec::new(), 0);
    while let Some(chunk) = body.next().await {
        received.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert_eq!(received, value);
    assert!(chunks >= 1);
}

/// One event of a Workers AI text generation streamed with `"stream": true`.
#[derive(Debug, serde::Deserialize, PartialEq)]
struct Token {
    response: String,
}

#[tokio::test]
async fn a_workers_ai_answer_streams_as_server_sent_events() {
    let server = MockServer::start().await;
    let answer = "data: {\"response\":\"Once\",\"p\":\"abc\"}\n\n\
        data: {\"response\":\" upon\"}\n\n\
        data: {\"response\":\" a time\",\"usage\":{\"completion_tokens\":3}}\n\n\
        data: [DONE]\n\n";
    Mock::given(method("POST"))
        // A path parameter is always one segment: the model name's `@` and `/` are encoded.
        .and(path(format!("/accounts/{ACCOUNT}/ai/run/%40cf%2Fmeta%2Fllama-3.1-8b-instruct")))
        .and(header("accept", "text/event-stream"))
        .and(header("authorization", "Bearer t"))
        .and(body_json(json!({"prompt": "Tell me a story", "stream": true})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(answer, "text/event-stream"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let prompt = RunPostRunModelBodyTextGenerationPrompt::new("Tell me a story").stream(true);
    let params = RunPostRunModelParams::new(ACCOUNT).body(RunPostRunModelBodyTextGeneration::from(prompt));
    let model = "@cf/meta/llama-3.1-8b-instruct";

    let tokens: Vec<String> = client
        .ai()
        .run()
        .post_run_model(model, &params)
        .events::<Token>()
        .await
        .unwrap()
        .map(|event| event.unwrap().data.response)
        .collect()
        .await;
    assert_eq!(tokens, ["Once", " upon", " a time"], "`[DONE]` ends the stream");

    let mut values = client.ai().run().post_run_model(model, &params).events::<serde_json::Value>().await.unwrap();
    assert_eq!(values.next().await.unwrap().unwrap().data["p"], "abc");
    assert_eq!(values.next().await.unwrap().unwrap().data["response"], " upon");
    assert_eq!(values.next().await.unwrap().unwrap().data["usage"]["completion_tokens"], 3);
    assert!(values.next().await.is_none());
}

#[tokio::test]
async fn a_workers_ai_error_is_the_documented_error_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "success": false, "errors": [{"code": 5007, "message": "No such model"}], "messages": [], "result": {}
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let prompt = RunPostRunModelBodyTextGenerationPrompt::new("hi").stream(true);
    let params = RunPostRunModelParams::new(ACCOUNT).body(RunPostRunModelBodyTextGeneration::from(prompt));
    let error = client.ai().run().post_run_model("@cf/nope", &params).events::<Token>().await.unwrap_err();
    assert_eq!(error.api_error().unwrap().status.as_u16(), 400);
    let body = error.api_error_body::<cloudflare_sdk::types::RunPostRunModelError>().expect("typed error body");
    assert!(!body.success);
    assert_eq!(body.errors[0].message, "No such model");
}
