//! Uploads against a wiremock server: multipart bodies checked part by part by a
//! small multipart parser, streamed and path-based files, retries of re-openable
//! bodies and none of one-shot streams, and header injection through names.

mod common;

use std::path::PathBuf;

use bytes::Bytes;
use common::*;
use reqwest::Method;
use sdk_runtime::client::Client;
use sdk_runtime::error::{Error, ValidationError};
use sdk_runtime::request::{Call, Decoder, OperationSpec, PathBuilder, RequestParts};
use sdk_runtime::upload::{File, Form, ToMultipart};
use serde::Serialize;
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

static UPLOAD_WORKER: OperationSpec = OperationSpec {
    operation_id: "worker-script-upload-worker-module",
    method: Method::PUT,
    path_template: "/accounts/{account_id}/workers/scripts/{script_name}",
    security: ALL_AUTH,
    accept: "application/json",
};

static PUT_VALUE: OperationSpec = OperationSpec {
    operation_id: "workers-kv-namespace-write-key-value-pair",
    method: Method::PUT,
    path_template: "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}",
    security: ALL_AUTH,
    accept: "application/json",
};

const SCRIPT_PATH: &str = "/client/v4/accounts/acc1/workers/scripts/my-worker";
const WORKER_JS: &str =
    "import { greet } from \"./util.js\";\nexport default { fetch() { return new Response(greet()) } }\n";
const UTIL_JS: &str = "export function greet() { return \"hello\" }\n";

fn base(server: &MockServer) -> String {
    format!("{}/client/v4", server.uri())
}

fn script_parts() -> RequestParts {
    RequestParts::new(
        PathBuilder::new()
            .literal("/accounts/")
            .param("account_id", "acc1")
            .literal("/workers/scripts/")
            .param("script_name", "my-worker"),
    )
}

fn send(client: &Client, parts: RequestParts) -> Call<'_, serde_json::Value> {
    Call::new(client, &UPLOAD_WORKER, parts, Decoder::json_field("result"))
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"success": true, "result": {"id": "my-worker"}}))
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// A file under the system temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(format!("sdk-upload-{}-{:016x}", std::process::id(), fastrand::u64(..)));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Bytes that differ from chunk to chunk, so a lost or repeated chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ (i / 65_536) as u8).collect()
}

// ---------------------------------------------------------------------------
// A small multipart/form-data parser (RFC 7578), strict about the framing.

#[derive(Debug, Clone, PartialEq)]
struct ParsedPart {
    /// Header lines as (lower-case name, value).
    headers: Vec<(String, String)>,
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn boundary_of(content_type: &str) -> Result<String, String> {
    let rest = content_type.strip_prefix("multipart/form-data; boundary=").ok_or("not multipart/form-data")?;
    if rest.is_empty() || rest.len() > 70 {
        return Err(format!("bad boundary `{rest}`"));
    }
    Ok(rest.to_owned())
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// `form-data; name="a"; filename="b"` into its quoted parameters.
fn disposition_params(value: &str) -> Result<Vec<(String, String)>, String> {
    let rest = value.strip_prefix("form-data").ok_or("disposition is not form-data")?;
    let mut params = Vec::new();
    let mut rest = rest;
    while !rest.is_empty() {
        rest = rest.strip_prefix("; ").ok_or(format!("expected `; ` in `{value}`"))?;
        let eq = rest.find("=\"").ok_or("parameter without a quoted value")?;
        let key = rest[..eq].to_owned();
        let after = &rest[eq + 2..];
        let end = after.find('"').ok_or("unterminated quoted value")?;
        params.push((key, after[..end].to_owned()));
        rest = &after[end + 1..];
    }
    Ok(params)
}

fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<ParsedPart>, String> {
    let boundary = boundary_of(content_type)?;
    let first = format!("--{boundary}\r\n");
    let delimiter = format!("\r\n--{boundary}");
    if !body.starts_with(first.as_bytes()) {
        return Err("body does not start with the boundary".into());
    }
    let mut parts = Vec::new();
    let mut at = first.len();
    loop {
        let head_end = find(body, b"\r\n\r\n", at).ok_or("part without end of headers")?;
        let head = std::str::from_utf8(&body[at..head_end]).map_err(|_| "headers are not UTF-8")?;
        let data_end = find(body, delimiter.as_bytes(), head_end + 4).ok_or("part without closing boundary")?;
        let mut headers = Vec::new();
        for line in head.split("\r\n") {
            let (name, value) = line.split_once(": ").ok_or(format!("malformed header line `{line}`"))?;
            headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        let disposition = headers
            .iter()
            .find(|(n, _)| n == "content-disposition")
            .map(|(_, v)| v.clone())
            .ok_or("part without Content-Disposition")?;
        let params = disposition_params(&disposition)?;
        let param = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        parts.push(ParsedPart {
            name: param("name").ok_or("part without a name")?,
            filename: param("filename"),
            content_type: headers.iter().find(|(n, _)| n == "content-type").map(|(_, v)| v.clone()),
            headers,
            data: body[head_end + 4..data_end].to_vec(),
        });
        at = data_end + delimiter.len();
        match &body[at..] {
            b"--\r\n" => return Ok(parts),
            rest if rest.starts_with(b"\r\n") => at += 2,
            _ => return Err("boundary followed by neither CRLF nor `--`".into()),
        }
    }
}

fn parts_of(request: &Request) -> Vec<ParsedPart> {
    let content_type = header(request, "content-type").expect("content type");
    parse_multipart(content_type, &request.body).unwrap_or_else(|e| panic!("malformed multipart body: {e}"))
}

/// Matches a request whose multipart body has exactly the expected parts:
/// name, file name, content type, data and no other headers.
struct MultipartIs(Vec<ParsedPart>);

impl Match for MultipartIs {
    fn matches(&self, request: &Request) -> bool {
        let Some(content_type) = header(request, "content-type") else { return false };
        let Ok(parts) = parse_multipart(content_type, &request.body) else { return false };
        parts.len() == self.0.len()
            && parts.iter().zip(&self.0).all(|(got, want)| {
                got.name == want.name
                    && got.filename == want.filename
                    && got.content_type == want.content_type
                    && got.data == want.data
                    && got.headers.len() == 1 + usize::from(want.content_type.is_some())
            })
    }
}

fn expected(name: &str, filename: Option<&str>, content_type: Option<&str>, data: &[u8]) -> ParsedPart {
    ParsedPart {
        headers: Vec::new(),
        name: name.to_owned(),
        filename: filename.map(str::to_owned),
        content_type: content_type.map(str::to_owned),
        data: data.to_vec(),
    }
}

/// Compares parsed parts with the expected ones, part by part, for readable failures.
fn assert_parts(got: &[ParsedPart], want: &[ParsedPart]) {
    assert_eq!(got.len(), want.len(), "number of parts: {got:#?}");
    for (i, (got, want)) in got.iter().zip(want).enumerate() {
        assert_eq!(got.name, want.name, "name of part {i}");
        assert_eq!(got.filename, want.filename, "file name of part {i}");
        assert_eq!(got.content_type, want.content_type, "content type of part {i}");
        assert!(got.data == want.data, "data of part {i}: {} bytes, expected {}", got.data.len(), want.data.len());
    }
}

#[test]
fn the_test_parser_rejects_broken_framing() {
    let ct = "multipart/form-data; boundary=b";
    let good = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--\r\n";
    assert_eq!(parse_multipart(ct, good).unwrap().len(), 1);
    let unterminated = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
    assert!(parse_multipart(ct, unterminated).is_err());
    let bad_header = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX\r\n\r\nx\r\n--b--\r\n";
    assert!(parse_multipart(ct, bad_header).is_err());
}

// ---------------------------------------------------------------------------
// A module Worker, as Cloudflare's `PUT /accounts/{account_id}/workers/scripts/{script_name}` takes it.

#[derive(Serialize)]
struct Metadata {
    main_module: String,
}

/// What the generator emits for a multipart body: JSON parts for objects, file parts for binaries.
struct WorkerUpload {
    metadata: Metadata,
    files: Vec<File>,
}

impl ToMultipart for WorkerUpload {
    fn to_multipart(&self, form: &mut Form) -> Result<(), ValidationError> {
        form.value("metadata", &self.metadata, Some("application/json"))?;
        for file in &self.files {
            form.file("files", file, Some("application/javascript+module"));
        }
        Ok(())
    }
}

fn worker_parts() -> Vec<ParsedPart> {
    vec![
        expected("metadata", None, Some("application/json"), br#"{"main_module":"worker.js"}"#),
        expected("files", Some("worker.js"), Some("application/javascript+module"), WORKER_JS.as_bytes()),
        expected("files", Some("util.js"), Some("application/javascript+module"), UTIL_JS.as_bytes()),
    ]
}

#[tokio::test]
async fn module_worker_upload_is_sent_part_by_part() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(SCRIPT_PATH))
        .and(MultipartIs(worker_parts()))
        .respond_with(ok())
        .expect(2)
        .mount(&server)
        .await;
    let client = token_client(&base(&server));
    let body = WorkerUpload {
        metadata: Metadata { main_module: "worker.js".into() },
        files: vec![
            File::from(WORKER_JS).filename("worker.js").content_type("application/javascript+module"),
            File::from(UTIL_JS).filename("util.js"),
        ],
    };
    let mut parts = script_parts();
    parts.multipart_from(&body);
    let result = send(&client, parts).await.expect("upload accepted");
    assert_eq!(result["id"], "my-worker");

    let reqs = requests(&server).await;
    let parts = parts_of(&reqs[0]);
    assert_parts(&parts, &worker_parts());
    // Fully in memory: one body of known length.
    assert_eq!(header(&reqs[0], "content-length"), Some(&*reqs[0].body.len().to_string()));
    // The boundary is random per body.
    let mut again = script_parts();
    again.multipart_from(&body);
    send(&client, again).await.expect("second upload");
    let reqs = requests(&server).await;
    assert_ne!(header(&reqs[0], "content-type"), header(&reqs[1], "content-type"));
}

#[tokio::test]
async fn module_files_read_from_disk_are_sent_like_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(SCRIPT_PATH))
        .and(MultipartIs(worker_parts()))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = token_client(&base(&server));
    let worker = TempFile::new("worker.js", WORKER_JS.as_bytes());
    let util = TempFile::new("util.js", UTIL_JS.as_bytes());
    let body = WorkerUpload {
        metadata: Metadata { main_module: "worker.js".into() },
        // The file names come from the paths.
        files: vec![File::from_path(&worker.0), File::from_path(&util.0)],
    };
    let mut parts = script_parts();
    parts.multipart_from(&body);
    send(&client, parts).await.expect("upload accepted");
    let reqs = requests(&server).await;
    assert_eq!(header(&reqs[0], "content-length"), Some(&*reqs[0].body.len().to_string()));
}

// ---------------------------------------------------------------------------
// Streams and paths.

fn chunked_stream(data: &[u8], chunk: usize) -> impl futures_core::Stream<Item = std::io::Result<Bytes>> + Send {
    let chunks: Vec<std::io::Result<Bytes>> = data.chunks(chunk).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn an_eight_mib_stream_arrives_intact_as_a_part() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let data = pattern(8 * 1024 * 1024);
    let mut form = Form::new();
    form.text("note", "large");
    form.file("file", &File::from_stream(chunked_stream(&data, 100_003)).filename("big.bin"), None);
    let mut parts = script_parts();
    parts.multipart(form);
    send(&client, parts).await.expect("upload accepted");

    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1);
    // Streamed: no length is announced.
    assert_eq!(header(&reqs[0], "content-length"), None);
    let got = parts_of(&reqs[0]);
    assert_parts(
        &got,
        &[
            expected("note", None, None, b"large"),
            expected("file", Some("big.bin"), Some("application/octet-stream"), &data),
        ],
    );
}

#[tokio::test]
async fn an_eight_mib_stream_arrives_intact_as_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let data = pattern(8 * 1024 * 1024);
    let mut parts = script_parts();
    parts.file_body("application/octet-stream", &File::from_stream(chunked_stream(&data, 65_536)));
    send(&client, parts).await.expect("upload accepted");
    let reqs = requests(&server).await;
    assert_eq!(header(&reqs[0], "content-type"), Some("application/octet-stream"));
    assert!(reqs[0].body == data, "body of {} bytes, expected {}", reqs[0].body.len(), data.len());
}

#[tokio::test]
async fn a_path_upload_is_retried_after_503_and_sent_whole_twice() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    // Several read chunks, and not a multiple of the chunk size.
    let data = pattern(3 * 64 * 1024 + 1234);
    let file = TempFile::new("bundle.bin", &data);
    let mut form = Form::new();
    form.text("kind", "bundle");
    form.file("bundle", &File::from_path(&file.0), None);
    let mut parts = script_parts();
    parts.multipart(form);
    send(&client, parts).await.expect("second attempt accepted");

    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    for request in &reqs {
        assert_eq!(header(request, "content-length"), Some(&*request.body.len().to_string()));
        assert_parts(
            &parts_of(request),
            &[
                expected("kind", None, None, b"bundle"),
                expected("bundle", Some("bundle.bin"), Some("application/octet-stream"), &data),
            ],
        );
    }
    assert_eq!(reqs[0].body, reqs[1].body);
}

#[tokio::test]
async fn a_stream_upload_is_not_retried_and_the_503_is_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = token_client(&base(&server));
    let file = File::from_stream(chunked_stream(b"streamed once", 4)).filename("once.txt");

    let mut parts = script_parts();
    parts.file_body("application/octet-stream", &file);
    let err = send(&client, parts).await.expect_err("503");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1, "a one-shot stream must not be retried");
    assert_eq!(reqs[0].body, b"streamed once");

    // The stream is spent: sending it (or a clone) again is refused, not sent empty.
    for attempt in [file.clone(), file] {
        let mut form = Form::new();
        form.file("file", &attempt, None);
        let mut parts = script_parts();
        parts.multipart(form);
        let err = send(&client, parts).await.expect_err("spent stream");
        assert!(matches!(&err, Error::Validation(e) if e.reason.contains("already sent")), "{err}");
    }
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn bytes_bodies_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let mut parts = script_parts();
    parts.file_body("application/javascript", &File::from(WORKER_JS));
    send(&client, parts).await.expect("second attempt accepted");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.body == WORKER_JS.as_bytes()));
}

#[tokio::test]
async fn an_octet_stream_body_from_a_path_has_its_content_type_and_length() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let data = pattern(200_000);
    let file = TempFile::new("value.bin", &data);
    let value_parts = || {
        RequestParts::new(
            PathBuilder::new()
                .literal("/accounts/")
                .param("account_id", "acc1")
                .literal("/storage/kv/namespaces/")
                .param("namespace_id", "ns")
                .literal("/values/")
                .param("key_name", "k"),
        )
    };
    let mut parts = value_parts();
    parts.file_body("application/octet-stream", &File::from_path(&file.0));
    Call::new(&client, &PUT_VALUE, parts, Decoder::<serde_json::Value>::json()).await.expect("stored");
    // The file's own content type wins over the operation's.
    let mut parts = value_parts();
    parts.file_body("application/octet-stream", &File::from_path(&file.0).content_type("image/png"));
    Call::new(&client, &PUT_VALUE, parts, Decoder::<serde_json::Value>::json()).await.expect("stored");

    let reqs = requests(&server).await;
    assert_eq!(header(&reqs[0], "content-type"), Some("application/octet-stream"));
    assert_eq!(header(&reqs[1], "content-type"), Some("image/png"));
    for request in &reqs {
        assert_eq!(request.url.path(), "/client/v4/accounts/acc1/storage/kv/namespaces/ns/values/k");
        assert_eq!(header(request, "content-length"), Some("200000"));
        assert!(request.body == data, "body of {} bytes", request.body.len());
    }
}

#[tokio::test]
async fn a_missing_file_fails_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let missing = std::env::temp_dir().join(format!("sdk-upload-missing-{:016x}.bin", fastrand::u64(..)));
    let stream = File::from_stream(chunked_stream(b"kept", 2));
    let mut form = Form::new();
    form.file("stream", &stream, None);
    form.file("archive", &File::from_path(&missing), None);
    let mut parts = script_parts();
    parts.multipart(form);
    let err = send(&client, parts).await.expect_err("missing file");
    match &err {
        Error::Validation(e) => assert_eq!(e.param, "archive", "{err}"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(requests(&server).await.is_empty());
    // The stream was not consumed by the failed call.
    let mut parts = script_parts();
    parts.file_body("application/octet-stream", &stream);
    send(&client, parts).await.expect("stream still usable");
    assert_eq!(requests(&server).await[0].body, b"kept");
}

// ---------------------------------------------------------------------------
// Header injection and part encoding rules.

#[tokio::test]
async fn quotes_and_line_breaks_in_names_cannot_inject_headers() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let mut form = Form::new();
    form.text("evil\"\r\nX-Injected: 1\r\n\r\nbody", "v");
    form.file("files", &File::from("x").filename("a\".js\"\r\nContent-Type: text/html"), None);
    form.file("files\n", &File::from("y").filename("b\r.js"), Some("text/javascript"));
    let mut parts = script_parts();
    parts.multipart(form);
    send(&client, parts).await.expect("sent");

    let reqs = requests(&server).await;
    let got = parts_of(&reqs[0]);
    assert_parts(
        &got,
        &[
            expected("evil%22%0D%0AX-Injected: 1%0D%0A%0D%0Abody", None, None, b"v"),
            expected("files", Some("a%22.js%22%0D%0AContent-Type: text/html"), Some("application/octet-stream"), b"x"),
            expected("files%0A", Some("b%0D.js"), Some("text/javascript"), b"y"),
        ],
    );
    assert!(got.iter().all(|p| p.headers.iter().all(|(n, _)| n == "content-disposition" || n == "content-type")));
}

#[tokio::test]
async fn a_content_type_with_a_line_break_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let mut form = Form::new();
    form.file("files", &File::from("x").content_type("text/plain\r\nX-Injected: 1"), None);
    let mut parts = script_parts();
    parts.multipart(form);
    let err = send(&client, parts).await.expect_err("refused");
    assert!(matches!(&err, Error::Validation(e) if e.param == "files"), "{err}");
    // As a whole body, the header value itself is refused.
    let mut parts = script_parts();
    parts.file_body("application/octet-stream", &File::from("x").content_type("a\nb"));
    assert!(send(&client, parts).await.expect_err("refused").is_validation());
    assert!(requests(&server).await.is_empty());
}

#[derive(Serialize)]
struct Settings {
    tags: Vec<String>,
    count: u32,
    enabled: bool,
    note: Option<String>,
    bindings: Vec<serde_json::Value>,
}

#[tokio::test]
async fn values_become_text_json_and_repeated_parts() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let settings = Settings {
        tags: vec!["a".into(), "b".into()],
        count: 3,
        enabled: true,
        note: None,
        bindings: vec![serde_json::json!({"type": "kv"})],
    };
    let mut form = Form::new();
    form.value("tags", &settings.tags, None).unwrap();
    form.value("count", &settings.count, None).unwrap();
    form.value("enabled", &settings.enabled, None).unwrap();
    form.value("note", &settings.note, None).unwrap();
    form.value("bindings", &settings.bindings, None).unwrap();
    form.value("tags_json", &settings.tags, Some("application/json")).unwrap();
    form.value("plain", "text", Some("text/plain; charset=utf-8")).unwrap();
    form.value("whole", &settings, Some("application/vnd.api+json")).unwrap();
    assert_eq!(form.len(), 8);
    let mut parts = script_parts();
    parts.multipart(form);
    send(&client, parts).await.expect("sent");

    let got = parts_of(&requests(&server).await[0]);
    let whole = serde_json::to_value(&settings).unwrap().to_string().into_bytes();
    assert_parts(
        &got,
        &[
            expected("tags", None, None, b"a"),
            expected("tags", None, None, b"b"),
            expected("count", None, None, b"3"),
            expected("enabled", None, None, b"true"),
            expected("bindings", None, Some("application/json"), br#"{"type":"kv"}"#),
            expected("tags_json", None, Some("application/json"), br#"["a","b"]"#),
            expected("plain", None, Some("text/plain; charset=utf-8"), b"text"),
            expected("whole", None, Some("application/vnd.api+json"), &whole),
        ],
    );
}

#[tokio::test]
async fn multipart_body_from_fields_and_json_body_as_still_work() {
    #[derive(Serialize)]
    struct Fields {
        name: &'static str,
        ids: Vec<u32>,
    }
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let mut parts = script_parts();
    parts.multipart_body(&Fields { name: "n", ids: vec![1, 2] });
    send(&client, parts).await.expect("sent");
    let mut parts = script_parts();
    parts.json_body_as("application/merge-patch+json", &serde_json::json!({"a": null}));
    send(&client, parts).await.expect("sent");

    let reqs = requests(&server).await;
    // Fields go through a JSON map, whose order depends on serde_json's `preserve_order`
    // feature (on when another crate of the build enables it): compare them in name order.
    let mut got = parts_of(&reqs[0]);
    got.sort_by(|a, b| (&a.name, &a.data).cmp(&(&b.name, &b.data)));
    assert_parts(
        &got,
        &[expected("ids", None, None, b"1"), expected("ids", None, None, b"2"), expected("name", None, None, b"n")],
    );
    assert_eq!(header(&reqs[1], "content-type"), Some("application/merge-patch+json"));
    assert_eq!(reqs[1].body, br#"{"a":null}"#);
}

#[test]
fn a_value_that_cannot_be_serialized_is_a_validation_error() {
    let mut map = std::collections::BTreeMap::new();
    map.insert(vec![1u8], 1);
    let err = Form::new().value("map", &map, None).expect_err("non-string keys");
    assert_eq!(err.param, "map");
}

// ---------------------------------------------------------------------------
// `File` itself.

#[test]
fn files_compare_by_bytes_path_and_stream_identity() {
    assert_eq!(File::from("abc"), File::from_bytes(b"abc".to_vec()));
    assert_ne!(File::from("abc"), File::from("abc").filename("a.txt"));
    assert_ne!(File::from("abc").content_type("text/plain"), File::from("abc"));
    assert_eq!(File::from_path("/tmp/a.txt"), File::from_path(PathBuf::from("/tmp/a.txt")));
    assert_ne!(File::from_path("/tmp/a.txt"), File::from_path("/tmp/b.txt"));
    assert_ne!(File::from_path("/tmp/a.txt"), File::from("/tmp/a.txt"));
    let stream = File::from_stream(chunked_stream(b"x", 1));
    assert_eq!(stream, stream.clone());
    assert_ne!(stream, File::from_stream(chunked_stream(b"x", 1)));
}

#[test]
fn file_names_default_to_the_path_and_debug_never_shows_data() {
    let file = File::from_path("/data/site/bundle.tar.gz");
    assert_eq!(file.name(), Some("bundle.tar.gz"));
    assert_eq!(file.path(), Some(std::path::Path::new("/data/site/bundle.tar.gz")));
    assert_eq!(File::from("x").name(), None);
    assert!(File::from_stream(chunked_stream(b"x", 1)).is_stream());

    let secret = File::from("TOP-SECRET-CONTENTS").filename("s.txt");
    let shown = format!("{secret:?}");
    assert!(!shown.contains("TOP-SECRET"), "{shown}");
    assert!(shown.contains("19 bytes") && shown.contains("s.txt"), "{shown}");
    let shown = format!("{:?}", File::from_stream(chunked_stream(b"TOP-SECRET", 3)));
    assert!(shown.contains("Stream") && !shown.contains("TOP-SECRET"), "{shown}");
}

#[test]
fn files_serialize_as_text_only_when_they_are_utf8_in_memory() {
    assert_eq!(serde_json::to_string(&File::from("a \"b\"")).unwrap(), r#""a \"b\"""#);
    assert!(serde_json::to_string(&File::from(vec![0xff, 0xfe])).is_err());
    assert!(serde_json::to_string(&File::from_path("/tmp/x")).is_err());
    assert!(serde_json::to_string(&File::from_stream(chunked_stream(b"x", 1))).is_err());
    let file: File = serde_json::from_str(r#""export default {}""#).unwrap();
    assert_eq!(file, File::from("export default {}"));
    assert!(serde_json::from_str::<File>("12").is_err());
}

#[cfg(unix)]
#[tokio::test]
async fn a_path_that_is_not_a_regular_file_is_read_to_its_end() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok()).mount(&server).await;
    let client = token_client(&base(&server));
    let dir = TempFile::new("unused", b"");
    let fifo = dir.0.with_file_name("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // Its metadata says 0 bytes; what comes through the pipe is the body.
    let data = pattern(300_000);
    let writer = {
        let (fifo, data) = (fifo.clone(), data.clone());
        std::thread::spawn(move || std::fs::write(fifo, data))
    };
    let mut parts = script_parts();
    parts.file_body("application/octet-stream", &File::from_path(&fifo));
    send(&client, parts).await.expect("uploaded");
    writer.join().expect("writer thread").expect("written");
    let reqs = requests(&server).await;
    assert_eq!(header(&reqs[0], "content-length"), None);
    assert!(reqs[0].body == data, "body of {} bytes", reqs[0].body.len());
}

#[test]
fn files_and_forms_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<File>();
    send_sync::<Form>();
}
