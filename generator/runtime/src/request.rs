//! Building and sending requests: [`PathBuilder`], [`RequestParts`],
//! [`RequestOptions`], the [`Call`] returned by every generated operation,
//! and the body [`Decoder`]s.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::client::{looks_secret, Client};
use super::error::{ApiError, ConfigError, ConnectionError, DecodeError, Error, TimeoutError, ValidationError};
use super::response::{header_value, ApiResponse};
use super::retry::should_retry_response;
use super::stream::{ByteStream, Connect, EventStream, JsonLines, Reconnection, Upgraded};
use super::trace::{CallSpan, Outcome};
use super::upload::{File, Form, Payload, ToMultipart};

/// Static description of one operation, one `static` per generated method.
#[derive(Debug)]
pub struct OperationSpec {
    /// OpenAPI `operationId` (used in error messages).
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template as in the OpenAPI document, e.g. `/zones/{zone_id}`
    /// (informational; the actual path comes from [`PathBuilder`]).
    pub path_template: &'static str,
    /// Security alternatives of this operation (each a list of scheme names
    /// that must all be present); the first one fully configured is used.
    /// Empty means the operation sends no credentials. An empty alternative
    /// (`&[]`) means "credentials optional".
    pub security: &'static [&'static [&'static str]],
    /// The `Accept` header sent (e.g. `application/json`, `application/x-ndjson`, `*/*`).
    pub accept: &'static str,
}

/// The media type of server-sent events, asked for and checked by the event readers.
const EVENT_STREAM: &str = "text/event-stream";

/// Characters left as-is in a path segment: RFC 3986 "unreserved". Anything
/// else (`/`, `?`, `#`, `%`, space, non-ASCII, ...) is percent-encoded so a
/// value always stays exactly one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Builds the path that follows the base URL.
#[derive(Debug, Clone, Default)]
pub struct PathBuilder {
    path: String,
    errors: Vec<ValidationError>,
}

impl PathBuilder {
    /// An empty path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a literal part of the template verbatim (e.g. `/zones/`).
    pub fn literal(mut self, s: &'static str) -> Self {
        self.path.push_str(s);
        self
    }

    /// Appends a parameter value percent-encoded as one path segment.
    ///
    /// An empty value, `.` or `..` is recorded as a validation error reported
    /// when the call is sent (nothing is sent). Dot segments are refused
    /// rather than encoded because URL parsers (WHATWG, and therefore the
    /// `url` crate under reqwest) treat `%2E%2E` exactly like `..` and would
    /// silently change the route; the official SDKs refuse them too.
    pub fn param(mut self, name: &'static str, value: &str) -> Self {
        if value.is_empty() {
            self.errors.push(ValidationError::new(name, "path parameter must not be empty"));
        } else if value == "." || value == ".." {
            self.errors
                .push(ValidationError::new(name, "path parameter must not be `.` or `..` (it would change the route)"));
        } else {
            self.path.extend(utf8_percent_encode(value, SEGMENT));
        }
        self
    }

    /// The path built so far (already encoded).
    pub fn as_str(&self) -> &str {
        &self.path
    }
}

/// The body of a request: bytes, or files and streams read while it is sent
/// (see [`super::upload`]). Everything but a stream can be sent again on a retry.
#[derive(Debug, Clone)]
struct Body {
    content_type: String,
    payload: Payload,
}

/// Everything an operation contributes to a request: path, query, headers,
/// body, and validation errors found while building it.
#[derive(Debug, Clone)]
pub struct RequestParts {
    path: PathBuilder,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Body>,
    errors: Vec<ValidationError>,
}

impl RequestParts {
    /// Starts from a path (its validation errors are carried over).
    pub fn new(path: PathBuilder) -> Self {
        RequestParts { path, query: Vec::new(), headers: Vec::new(), body: None, errors: Vec::new() }
    }

    /// Adds a query parameter; repeat the name for arrays (one call per item).
    pub fn query(&mut self, name: &'static str, value: impl ToString) {
        self.query.push((name.to_owned(), value.to_string()));
    }

    /// Sets a header parameter (a later call with the same name replaces it).
    pub fn header(&mut self, name: &'static str, value: impl ToString) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_string()));
    }

    /// Sets a JSON body; a serialization failure becomes a validation error.
    pub fn json_body<B: serde::Serialize>(&mut self, body: &B) {
        self.json_body_as("application/json", body);
    }

    /// Sets a JSON body sent as another JSON media type (e.g.
    /// `application/merge-patch+json`); a serialization failure becomes a validation error.
    pub fn json_body_as<B: serde::Serialize + ?Sized>(&mut self, content_type: &'static str, body: &B) {
        match serde_json::to_vec(body) {
            Ok(v) => self.set_body(content_type, Bytes::from(v)),
            Err(e) => self.errors.push(ValidationError::new("body", format!("cannot serialize: {e}"))),
        }
    }

    /// Sets the whole body to one file (an `application/octet-stream` upload and
    /// the like). The file's own content type wins over `content_type`. A path is
    /// read while the request is sent and a stream is sent as it comes, neither
    /// buffered whole; a stream body makes the call non-retryable.
    pub fn file_body(&mut self, content_type: &'static str, file: &File) {
        let content_type = file.mime_type().unwrap_or(content_type);
        self.body = Some(Body { content_type: content_type.to_owned(), payload: Payload::file(file) });
    }

    /// Sets a `multipart/form-data` body; a problem recorded while building the
    /// form becomes a validation error.
    pub fn multipart(&mut self, form: Form) {
        match form.encode() {
            Ok((content_type, payload)) => self.body = Some(Body { content_type, payload }),
            Err(e) => self.errors.push(e),
        }
    }

    /// Sets a `multipart/form-data` body from a value's parts (see [`ToMultipart`]).
    pub fn multipart_from<B: ToMultipart + ?Sized>(&mut self, body: &B) {
        let mut form = Form::new();
        match body.to_multipart(&mut form) {
            Ok(()) => self.multipart(form),
            Err(e) => self.errors.push(e),
        }
    }

    /// Sets a raw body with its content type.
    pub fn bytes_body(&mut self, content_type: &'static str, body: Bytes) {
        self.set_body(content_type, body);
    }

    /// Sets a text body with its content type.
    pub fn text_body(&mut self, content_type: &'static str, body: String) {
        self.set_body(content_type, Bytes::from(body));
    }

    /// Sets an `application/x-www-form-urlencoded` body.
    pub fn form_body(&mut self, pairs: Vec<(String, String)>) {
        let encoded =
            pairs.iter().map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v))).collect::<Vec<_>>().join("&");
        self.set_body("application/x-www-form-urlencoded", Bytes::from(encoded));
    }

    /// Sets an `application/x-www-form-urlencoded` body from a value's top-level fields
    /// (see [`field_pairs`]); a value that is not an object becomes a validation error.
    pub fn form_body_from<B: serde::Serialize>(&mut self, body: &B) {
        match field_pairs(body) {
            Ok(pairs) => self.form_body(pairs),
            Err(reason) => self.errors.push(ValidationError::new("body", reason)),
        }
    }

    /// Sets a `multipart/form-data` body with one text part per top-level field of `body`
    /// (see [`field_pairs`]).
    pub fn multipart_body<B: serde::Serialize>(&mut self, body: &B) {
        match field_pairs(body) {
            Ok(pairs) => {
                let mut form = Form::new();
                for (name, value) in pairs {
                    form.text(name, value);
                }
                self.multipart(form);
            }
            Err(reason) => self.errors.push(ValidationError::new("body", reason)),
        }
    }

    /// Records a validation error; the call will fail without sending.
    pub fn validation_error(&mut self, e: ValidationError) {
        self.errors.push(e);
    }

    /// All validation errors so far (path errors first).
    pub fn errors(&self) -> Vec<&ValidationError> {
        self.path.errors.iter().chain(&self.errors).collect()
    }

    fn set_body(&mut self, content_type: &str, bytes: Bytes) {
        self.body = Some(Body { content_type: content_type.to_owned(), payload: Payload::Bytes(bytes) });
    }
}

/// The text of a structured parameter value (a union or object in a path, query or header):
/// a JSON string's contents, anything else as compact JSON.
pub fn param_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A value's top-level fields as name/value text pairs, for form and multipart bodies:
/// strings as they are, numbers and booleans as JSON text, arrays as one pair per item,
/// objects as JSON text, and `null` left out.
pub fn field_pairs<B: serde::Serialize>(body: &B) -> Result<Vec<(String, String)>, String> {
    let value = serde_json::to_value(body).map_err(|e| format!("cannot serialize: {e}"))?;
    let serde_json::Value::Object(fields) = value else {
        return Err("a form body must be an object".to_owned());
    };
    fn text(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
    let mut pairs = Vec::new();
    for (name, value) in &fields {
        match value {
            serde_json::Value::Array(items) => pairs.extend(items.iter().filter_map(text).map(|v| (name.clone(), v))),
            other => pairs.extend(text(other).map(|v| (name.clone(), v))),
        }
    }
    Ok(pairs)
}

/// `application/x-www-form-urlencoded` byte serializer (WHATWG): keep
/// alphanumerics and `*-._`, space becomes `+`, everything else `%XX`.
fn form_encode(s: &str) -> String {
    const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_').remove(b' ');
    utf8_percent_encode(s, FORM).to_string().replace(' ', "+")
}

/// Per-request overrides. Build with `RequestOptions::default()` and the
/// chaining setters.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Extra headers (override default and operation headers).
    pub headers: Vec<(String, String)>,
    /// Extra query parameters (appended after the operation's).
    pub query: Vec<(String, String)>,
    /// Per-attempt timeout for this request.
    pub timeout: Option<Duration>,
    /// Retries for this request.
    pub max_retries: Option<u32>,
}

impl RequestOptions {
    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }
    /// Sets the per-attempt timeout.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }
    /// Sets the retry count.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
    /// Merges `other` into `self` (later values win).
    fn merge(&mut self, other: RequestOptions) {
        self.headers.extend(other.headers);
        self.query.extend(other.query);
        if other.timeout.is_some() {
            self.timeout = other.timeout;
        }
        if other.max_retries.is_some() {
            self.max_retries = other.max_retries;
        }
    }
}

/// Signature of a plain body decoder: the body and the optional envelope field to
/// unwrap (e.g. `"result"`).
pub type DecodeFn<T> = fn(&Bytes, Option<&'static str>) -> Result<T, DecodeError>;

/// The top-level fields of a JSON envelope other than the unwrapped one
/// (`result_info`, `messages`, ...).
pub type Envelope = serde_json::Map<String, serde_json::Value>;

/// A whole 2xx response as a buffered decoder sees it.
#[derive(Debug, Clone, Copy)]
pub struct Received<'r> {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: &'r HeaderMap,
    /// The whole body.
    pub body: &'r Bytes,
}

impl Received<'_> {
    /// The media type of the `Content-Type` header, lowercased and without parameters
    /// (`application/json` for `application/json; charset=utf-8`); `None` when absent.
    pub fn media_type(&self) -> Option<String> {
        media_essence(header_value(self.headers, "content-type")?)
    }

    /// Whether the response has no body: 204, 205, or zero bytes (e.g. `Content-Length: 0`).
    pub fn is_empty(&self) -> bool {
        matches!(self.status.as_u16(), 204 | 205) || self.body.is_empty()
    }
}

/// The media type of a `Content-Type` value, lowercased and without parameters; `None` when
/// empty.
fn media_essence(value: &str) -> Option<String> {
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// Whether a media type (lowercase, without parameters) is JSON: `application/json`,
/// `text/json` or any `+json` type (`application/problem+json`).
pub fn is_json_media_type(media_type: &str) -> bool {
    media_type == "application/json" || media_type == "text/json" || media_type.ends_with("+json")
}

/// Decodes a whole response, and returns the envelope siblings when a field was unwrapped.
type ReceivedFn<T> = fn(&Received<'_>, Option<&'static str>) -> Result<(T, Option<Envelope>), DecodeError>;

/// How a decoder reads the body.
enum Read<T> {
    /// A [`DecodeFn`] over the whole body.
    Plain(DecodeFn<T>),
    /// A decoder of the whole response (it sees the `Content-Type`).
    Received(ReceivedFn<T>),
    /// The body is not read: `T` wraps the stream (it returns when the headers arrive).
    Streaming(fn(ByteStream) -> T),
    /// The request asks to switch to the WebSocket protocol, and `T` wraps the connection
    /// the `101 Switching Protocols` answer hands over.
    Upgrade(fn(reqwest::Upgraded) -> T),
}

/// How a 2xx response becomes `T`: read whole and decoded (by its `Content-Type`, from
/// JSON unwrapping an envelope field if any), or handed over as a stream. Generated code
/// uses the named constructors, e.g. `Decoder::json_field("result")`.
pub struct Decoder<T> {
    read: Read<T>,
    unwrap: Option<&'static str>,
}

impl<T> Clone for Decoder<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Decoder<T> {}
impl<T> Clone for Read<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Read<T> {}

impl<T> std::fmt::Debug for Decoder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("unwrap", &self.unwrap)
            .field("streaming", &self.is_streaming())
            .finish_non_exhaustive()
    }
}

impl<T> Decoder<T> {
    /// A decoder from a function and the field to unwrap.
    pub const fn new(func: DecodeFn<T>, unwrap: Option<&'static str>) -> Self {
        Decoder { read: Read::Plain(func), unwrap }
    }

    /// Whether this decoder streams the body (or takes over the connection) instead of
    /// reading it whole.
    pub fn is_streaming(&self) -> bool {
        matches!(self.read, Read::Streaming(_) | Read::Upgrade(_))
    }

    /// Runs the decoder over a whole body (as if received with status 200 and no
    /// `Content-Type`; a streaming decoder streams it as one chunk).
    pub fn decode(&self, body: &Bytes) -> Result<T, DecodeError> {
        let headers = HeaderMap::new();
        self.decode_received(&Received { status: StatusCode::OK, headers: &headers, body }).map(|(value, _)| value)
    }

    /// Runs the decoder over a whole response; also returns the envelope siblings when
    /// a field was unwrapped from a JSON body.
    pub fn decode_received(&self, received: &Received<'_>) -> Result<(T, Option<Envelope>), DecodeError> {
        match self.read {
            Read::Plain(func) => func(received.body, self.unwrap).map(|value| (value, None)),
            Read::Received(func) => func(received, self.unwrap),
            Read::Streaming(wrap) => Ok((wrap(ByteStream::from_bytes(received.body.clone())), None)),
            Read::Upgrade(_) => Err(DecodeError::new(
                None,
                format!("expected `101 Switching Protocols` to a WebSocket request, got {}", received.status),
                received.body,
            )),
        }
    }
}

impl<T: DeserializeOwned> Decoder<T> {
    /// JSON decoding of the whole body (see [`Decoder::json_field`] for empty bodies and
    /// content types).
    pub const fn json() -> Self {
        Decoder { read: Read::Received(json_received::<T>), unwrap: None }
    }

    /// JSON decoding of one field of the top-level object (e.g. `result`); the other
    /// top-level fields stay reachable through `ApiResponse::envelope`.
    ///
    /// An empty body (204, 205 or zero bytes) decodes as JSON `null` when `T` accepts it
    /// (`Option`, `()`, `serde_json::Value`), else fails saying the body was empty. A body
    /// whose `Content-Type` is not JSON is still tried as JSON (servers mislabel JSON), and a
    /// failure names the content type (an HTML error page from a proxy, say).
    pub const fn json_field(field: &'static str) -> Self {
        Decoder { read: Read::Received(json_received::<T>), unwrap: Some(field) }
    }
}

impl<T: DeserializeOwned + Default> Decoder<T> {
    /// Like [`Decoder::json_field`], but an absent or `null` field, or an empty body, gives
    /// `T::default()`.
    pub const fn json_field_or_default(field: &'static str) -> Self {
        Decoder { read: Read::Received(json_or_default_received::<T>), unwrap: Some(field) }
    }
}

impl Decoder<()> {
    /// Ignores the body.
    pub const fn empty() -> Self {
        Decoder::new(decode_empty, None)
    }
}

impl Decoder<String> {
    /// The body as UTF-8 text.
    pub const fn text() -> Self {
        Decoder::new(decode_text, None)
    }
}

impl Decoder<Bytes> {
    /// The raw body, read whole (see [`Decoder::stream`] for large bodies).
    pub const fn bytes() -> Self {
        Decoder::new(decode_bytes, None)
    }
}

impl Decoder<ByteStream> {
    /// The raw body as a stream of chunks; the call returns when the headers arrive.
    pub const fn stream() -> Self {
        Decoder { read: Read::Streaming(std::convert::identity), unwrap: None }
    }
}

impl Decoder<Upgraded> {
    /// For operations that open a WebSocket: the request asks to switch protocols, and the
    /// call returns the connection once the server answers `101 Switching Protocols`.
    pub const fn upgrade() -> Self {
        Decoder { read: Read::Upgrade(Upgraded::new), unwrap: None }
    }
}

impl<U: DeserializeOwned> Decoder<JsonLines<U>> {
    /// A newline-delimited JSON body as a stream of `U`; the call returns when the headers
    /// arrive.
    pub const fn ndjson() -> Self {
        Decoder { read: Read::Streaming(ByteStream::ndjson::<U>), unwrap: None }
    }
}

impl<U: DeserializeOwned + 'static> Decoder<EventStream<U>> {
    /// A `text/event-stream` body as a stream of events with data `U`; the call returns when
    /// the headers arrive.
    pub const fn sse() -> Self {
        Decoder { read: Read::Streaming(ByteStream::sse::<U>), unwrap: None }
    }
}

impl<U: DeserializeOwned> Decoder<Content<U>> {
    /// For operations that answer with several media types: the body by its actual
    /// `Content-Type` (see [`Content`]); JSON unwraps `unwrap` when given.
    pub const fn by_content_type(unwrap: Option<&'static str>) -> Self {
        Decoder { read: Read::Received(content_received::<U>), unwrap }
    }
}

/// A body decoded by its `Content-Type`, for operations that declare several media types.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content<U> {
    /// A JSON body (`application/json`, `text/json`, `*/*+json`), decoded as `U`.
    Json(U),
    /// A textual body: `text/*`, XML, JavaScript, YAML, form data (when it is UTF-8).
    Text(String),
    /// Anything else, or no `Content-Type` (taken as `application/octet-stream`).
    Binary {
        /// The media type received, with its parameters.
        content_type: String,
        /// The body.
        bytes: Bytes,
    },
}

fn is_text_media_type(media_type: &str) -> bool {
    media_type.starts_with("text/")
        || media_type.ends_with("+xml")
        || media_type.ends_with("+yaml")
        || matches!(
            media_type,
            "application/xml"
                | "application/javascript"
                | "application/ecmascript"
                | "application/yaml"
                | "application/x-yaml"
                | "application/x-www-form-urlencoded"
        )
}

fn content_received<U: DeserializeOwned>(
    received: &Received<'_>,
    unwrap: Option<&'static str>,
) -> Result<(Content<U>, Option<Envelope>), DecodeError> {
    let media_type = received.media_type();
    match media_type.as_deref() {
        Some(json) if is_json_media_type(json) => {
            json_received::<U>(received, unwrap).map(|(value, envelope)| (Content::Json(value), envelope))
        }
        Some(text) if is_text_media_type(text) => match std::str::from_utf8(received.body) {
            Ok(body) => Ok((Content::Text(body.to_owned()), None)),
            Err(_) => Ok((binary(received), None)),
        },
        _ => Ok((binary(received), None)),
    }
}

fn binary<U>(received: &Received<'_>) -> Content<U> {
    let content_type = header_value(received.headers, "content-type").unwrap_or("application/octet-stream");
    Content::Binary { content_type: content_type.to_owned(), bytes: received.body.clone() }
}

/// JSON by the rules of [`Decoder::json_field`].
fn json_received<T: DeserializeOwned>(
    received: &Received<'_>,
    unwrap: Option<&'static str>,
) -> Result<(T, Option<Envelope>), DecodeError> {
    if received.is_empty() {
        let value = serde_json::from_slice(b"null").map_err(|_| empty_body_error(received))?;
        return Ok((value, unwrap.map(|_| Envelope::new())));
    }
    let decoded = match unwrap {
        None => decode_json(received.body, None).map(|value| (value, None)),
        Some(field) => {
            let mut envelope = Envelope::new();
            decode_field(received.body, field, None, Some(&mut envelope)).map(|value| (value, Some(envelope)))
        }
    };
    decoded.map_err(|e| name_content_type(e, received))
}

/// JSON by the rules of [`Decoder::json_field_or_default`].
fn json_or_default_received<T: DeserializeOwned + Default>(
    received: &Received<'_>,
    unwrap: Option<&'static str>,
) -> Result<(T, Option<Envelope>), DecodeError> {
    let Some(field) = unwrap else { return json_received(received, None) };
    if received.is_empty() {
        return Ok((T::default(), Some(Envelope::new())));
    }
    let mut envelope = Envelope::new();
    let value = decode_field(received.body, field, Some(T::default), Some(&mut envelope))
        .map_err(|e| name_content_type(e, received))?;
    Ok((value, Some(envelope)))
}

fn empty_body_error(received: &Received<'_>) -> DecodeError {
    let message = format!("the response body is empty (HTTP {}) but a JSON value was expected", received.status);
    DecodeError::new(None, message, b"")
}

/// A JSON failure on a body labelled as something else says so.
fn name_content_type(mut error: DecodeError, received: &Received<'_>) -> DecodeError {
    if let Some(media_type) = received.media_type().filter(|m| !is_json_media_type(m)) {
        error.message = format!("expected JSON but the response's Content-Type is `{media_type}`: {}", error.message);
    }
    error
}

/// Decodes JSON. With `unwrap = Some(field)`, decodes that field of the
/// top-level object (an absent field decodes as JSON `null`). Errors name the
/// JSON path that failed, prefixed by the unwrapped field
/// (e.g. `result.geo.country`). Unknown fields are ignored unless `T` says
/// otherwise.
pub fn decode_json<T: DeserializeOwned>(body: &Bytes, unwrap: Option<&'static str>) -> Result<T, DecodeError> {
    match unwrap {
        None => decode_json_seed(body, PhantomData::<T>),
        Some(field) => decode_field(body, field, None, None),
    }
}

/// Runs a [`FieldSeed`] over the whole body, tracking the JSON path for errors; objects
/// are read directly first (see [`super::object::decode_direct`]).
fn decode_field<T: DeserializeOwned>(
    body: &Bytes,
    field: &'static str,
    or_default: Option<fn() -> T>,
    mut envelope: Option<&mut Envelope>,
) -> Result<T, DecodeError> {
    super::object::decode_direct(|| {
        let envelope = envelope.as_deref_mut().map(|envelope| {
            // A second reading starts from an empty envelope.
            *envelope = Envelope::new();
            envelope
        });
        let seed = FieldSeed { field, or_default, envelope, _marker: PhantomData };
        read_seed(body, seed, |path, e| field_error(field, path, e, body))
    })
}

/// A failure inside the unwrapped field names its path (`result.geo.country`); the field
/// itself missing names the field.
fn field_error(field: &str, path: serde_path_to_error::Path, e: serde_json::Error, body: &[u8]) -> DecodeError {
    let at_root = path.iter().next().is_none();
    if at_root && e.to_string().starts_with("missing field") {
        return DecodeError::new(Some(field.to_owned()), e.to_string(), body);
    }
    path_error(serde_path_to_error::Error::new(path, e), body)
}

/// Like [`decode_json`] with an unwrap field, but an absent or `null` field decodes as
/// `T::default()`: an envelope whose `result` is missing still gives the caller a value
/// instead of failing the whole call.
pub fn decode_json_or_default<T: DeserializeOwned + Default>(
    body: &Bytes,
    unwrap: Option<&'static str>,
) -> Result<T, DecodeError> {
    match unwrap {
        None => decode_json(body, None),
        Some(field) => decode_field(body, field, Some(T::default), None),
    }
}

/// Decodes one field of a JSON object straight from the bytes, skipping the other fields
/// without building them (no intermediate `serde_json::Value` tree), or, with `envelope`,
/// keeping the other fields there as JSON (they are small next to the unwrapped one).
struct FieldSeed<'e, T> {
    field: &'static str,
    or_default: Option<fn() -> T>,
    envelope: Option<&'e mut Envelope>,
    _marker: PhantomData<fn() -> T>,
}

impl<'de, T: serde::Deserialize<'de>> serde::de::DeserializeSeed<'de> for FieldSeed<'_, T> {
    type Value = T;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for FieldSeed<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a JSON object with field `{}`", self.field)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<T, A::Error> {
        let mut found: Option<Option<T>> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.field && found.is_none() {
                found = Some(match self.or_default {
                    // `null` means "no value" here, as an absent field does.
                    Some(_) => map.next_value::<Option<T>>()?,
                    None => Some(map.next_value::<T>()?),
                });
            } else if let Some(envelope) = self.envelope.as_deref_mut().filter(|_| key != self.field) {
                envelope.insert(key.into_owned(), map.next_value()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        match (found.flatten(), self.or_default) {
            (Some(value), _) => Ok(value),
            (None, Some(default)) => Ok(default()),
            // An absent field decodes as JSON `null` (fine for `Option` and unit types).
            (None, None) => T::deserialize(serde::de::value::UnitDeserializer::new())
                .map_err(|_: serde::de::value::Error| serde::de::Error::missing_field(self.field)),
        }
    }
}

/// The error's path is where the deserializer stopped, extended by the path a generated
/// type names inside its own fields (see [`super::object::FieldError`]).
fn path_error(e: serde_path_to_error::Error<serde_json::Error>, body: &[u8]) -> DecodeError {
    let mut path = String::new();
    super::object::push_path(&mut path, &e.path().to_string());
    let (inner, message) = super::object::split_path(&e.into_inner().to_string());
    if let Some(inner) = inner {
        super::object::push_path(&mut path, &inner);
    }
    DecodeError::new((!path.is_empty()).then_some(path), message, body)
}

/// Ignores the body.
pub fn decode_empty(_body: &Bytes, _unwrap: Option<&'static str>) -> Result<(), DecodeError> {
    Ok(())
}

/// The body as UTF-8 text.
pub fn decode_text(body: &Bytes, _unwrap: Option<&'static str>) -> Result<String, DecodeError> {
    String::from_utf8(body.to_vec()).map_err(|e| DecodeError::new(None, format!("body is not UTF-8: {e}"), body))
}

/// The raw body.
pub fn decode_bytes(body: &Bytes, _unwrap: Option<&'static str>) -> Result<Bytes, DecodeError> {
    Ok(body.clone())
}

/// A pending API call, returned by every generated operation method.
/// Adjust it with the setters, then `.await` it (or call [`Call::send`] /
/// [`Call::send_raw`]). `T` is the decoded success body; every failure is an
/// [`Error`].
#[must_use = "a Call does nothing until it is awaited or sent"]
pub struct Call<'a, T> {
    client: &'a Client,
    op: &'static OperationSpec,
    parts: RequestParts,
    decode: Decoder<T>,
    options: RequestOptions,
    /// The operation as errors name it: its id, or `GET /path` for a custom request.
    operation: Cow<'static, str>,
    /// The security alternatives (the operation's, or the API's for a custom request).
    security: &'static [&'static [&'static str]],
    /// The `Accept` header when it is not the operation's (set by [`Call::events`] and
    /// [`Call::json_lines`]); a caller's own `.header("accept", ...)` still wins.
    accept: Option<&'static str>,
}

impl<T> std::fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.operation)
            .field("path", &self.parts.path.as_str())
            .finish_non_exhaustive()
    }
}

/// What one attempt produced.
enum Attempt {
    /// A response read whole.
    Response(StatusCode, HeaderMap, Bytes),
    /// A successful response whose body is left to stream.
    Streaming(reqwest::Response),
    TimedOut,
    Failed(reqwest::Error),
}

/// Longest error body read from a streaming call (1 MiB): enough for any API's error
/// document, while a misbehaving server cannot make a download buffer its whole body.
pub const STREAMING_ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// A successful exchange, before its body is decoded.
struct Exchange {
    status: StatusCode,
    headers: HeaderMap,
    request_id: Option<String>,
    body: ReplyBody,
}

enum ReplyBody {
    Whole(Bytes),
    Stream(ByteStream),
    /// The connection, switched to the WebSocket protocol.
    Upgraded(reqwest::Upgraded),
}

impl<'a, T> Call<'a, T>
where
    T: Send + 'a,
{
    /// Creates a call (used by generated code).
    #[doc(hidden)]
    pub fn new(client: &'a Client, op: &'static OperationSpec, parts: RequestParts, decode: Decoder<T>) -> Self {
        Call {
            client,
            op,
            parts,
            decode,
            options: RequestOptions::default(),
            operation: Cow::Borrowed(op.operation_id),
            security: op.security,
            accept: None,
        }
    }

    /// Per-attempt timeout for this call.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.options.timeout = Some(d);
        self
    }

    /// Retries for this call.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.max_retries = Some(n);
        self
    }

    /// Extra header for this call (overrides default and operation headers).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.push((name.into(), value.into()));
        self
    }

    /// Extra query parameter for this call.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.query.push((name.into(), value.into()));
        self
    }

    /// Applies a set of options (later values win).
    pub fn options(mut self, o: RequestOptions) -> Self {
        self.options.merge(o);
        self
    }

    /// Sends the request and returns the decoded body.
    pub async fn send(self) -> Result<T, Error> {
        self.send_raw().await.map(ApiResponse::into_body)
    }

    /// Sends the request and returns status, headers and decoded body (and, when the
    /// decoder unwrapped an envelope field, the envelope's other fields).
    ///
    /// With a streaming decoder this returns when the headers arrive.
    pub async fn send_raw(self) -> Result<ApiResponse<T>, Error> {
        let span = CallSpan::new(self.op.operation_id, &self.op.method, self.op.path_template);
        let decoder = self.decode;
        let request_id_header = self.client.spec().request_id_header;
        let exchange = span.run(self.send_in(&span, decoder.is_streaming())).await?;
        let Exchange { status, headers, request_id, body } = exchange;
        let bytes = match (decoder.read, body) {
            (Read::Streaming(wrap), ReplyBody::Stream(stream)) => {
                return Ok(ApiResponse::new(status, headers, wrap(stream), request_id_header));
            }
            (Read::Upgrade(wrap), ReplyBody::Upgraded(connection)) => {
                return Ok(ApiResponse::new(status, headers, wrap(connection), request_id_header));
            }
            (_, ReplyBody::Whole(bytes)) => bytes,
            // Not reached: only streaming decoders are sent a stream, only upgrading ones a
            // connection.
            (_, ReplyBody::Stream(stream)) => stream.collect_bytes().await?,
            (_, ReplyBody::Upgraded(_)) => Bytes::new(),
        };
        let decoded = decoder.decode_received(&Received { status, headers: &headers, body: &bytes });
        match decoded {
            Ok((body, envelope)) => {
                Ok(ApiResponse::new(status, headers, body, request_id_header).with_envelope(envelope))
            }
            Err(mut e) => {
                e.status = Some(status);
                e.request_id = request_id;
                Err(Error::Decode(e))
            }
        }
    }

    /// Sends the request and returns the body as a stream of chunks, whatever the
    /// operation's decoder: returns when the headers arrive, and memory stays bounded
    /// however large the body is. Retries happen only until a successful response starts;
    /// an error status is still an [`Error::Api`] (with at most
    /// [`STREAMING_ERROR_BODY_LIMIT`] bytes of its body). See the `stream` module for the
    /// idle timeout while the body streams.
    pub async fn send_stream(self) -> Result<ApiResponse<ByteStream>, Error> {
        let span = CallSpan::new(self.op.operation_id, &self.op.method, self.op.path_template);
        let request_id_header = self.client.spec().request_id_header;
        let Exchange { status, headers, body, .. } = span.run(self.send_in(&span, true)).await?;
        let body = match body {
            ReplyBody::Stream(stream) => stream,
            ReplyBody::Whole(bytes) => ByteStream::from_bytes(bytes),
            ReplyBody::Upgraded(_) => {
                let message = "the server switched protocols: a WebSocket has no body to stream; send the call instead";
                return Err(Error::Decode(DecodeError::new(None, message, &[])));
            }
        };
        Ok(ApiResponse::new(status, headers, body, request_id_header))
    }

    /// Sends the request asking for server-sent events (`Accept: text/event-stream`) and
    /// returns the answer as an [`EventStream`] whose event data is decoded as `U` (`String`
    /// for the raw text, `serde_json::Value` for any JSON, or a type of your own), whatever
    /// the API description says the operation returns. For APIs that stream only when the
    /// request asks for it (e.g. `"stream": true` in the body, as Workers AI and
    /// OpenAI-style APIs do) and whose description does not declare `text/event-stream`.
    ///
    /// Same credentials, retries (until the answer starts) and errors as any call: an error
    /// status is an [`Error::Api`]. A successful answer whose `Content-Type` is set and is
    /// not `text/event-stream` (the server did not stream, e.g. the request lacked
    /// `"stream": true`) is an [`Error::Decode`] holding the start of that body. The
    /// `data: [DONE]` sentinel is handled as [`EventStream`] describes (see
    /// [`EventStream::stop_at`] to choose). Returns when the headers arrive; the stream reads
    /// the body as it is polled.
    pub async fn events<U: DeserializeOwned + 'static>(mut self) -> Result<EventStream<U>, Error> {
        self.accept = Some(EVENT_STREAM);
        Ok(event_body(self.send_stream().await?).await?.sse())
    }

    /// [`Call::events`], resuming when the connection drops: after a connection error or the
    /// idle timeout while the events stream, the request is sent again (with the same
    /// credentials, retries and options) with a `Last-Event-ID` header holding the last event
    /// id seen, after the reconnection time the server set with `retry:` (see
    /// [`EventStream`]), at most `max_reconnects` times in all; the stream goes on with the new
    /// connection's events. A request whose body is a stream cannot be sent twice, so it does
    /// not reconnect.
    pub async fn events_resuming<U: DeserializeOwned + 'static>(
        mut self,
        max_reconnects: u32,
    ) -> Result<EventStream<U>, Error> {
        self.accept = Some(EVENT_STREAM);
        let resendable = self.parts.body.as_ref().is_none_or(|body| body.payload.can_resend());
        let again = resendable.then(|| Resend {
            client: self.client.clone(),
            op: self.op,
            parts: self.parts.clone(),
            options: self.options.clone(),
            operation: self.operation.clone(),
            security: self.security,
        });
        let events = event_body(self.send_stream().await?).await?.sse();
        let Some(again) = again else { return Ok(events) };
        let connect: Connect = Box::new(move |last_id| -> Reconnection { Box::pin(again.clone().send(last_id)) });
        Ok(events.with_reconnect(connect, max_reconnects))
    }

    /// Sends the request asking for newline-delimited JSON (`Accept: application/x-ndjson`)
    /// and returns the answer as [`JsonLines`] of `U`, whatever the API description says the
    /// operation returns. Same credentials, retries (until the answer starts) and errors as
    /// any call. The body is read as NDJSON whatever its `Content-Type` (a single JSON
    /// document on one line is one item).
    pub async fn json_lines<U: DeserializeOwned>(mut self) -> Result<JsonLines<U>, Error> {
        self.accept = Some("application/x-ndjson");
        Ok(self.send_stream().await?.into_body().ndjson())
    }

    async fn send_in(self, span: &CallSpan, streaming: bool) -> Result<Exchange, Error> {
        let client = self.client;
        let spec = client.spec();
        let config = client.config();

        if let Some(e) = self.parts.errors().first() {
            return Err(Error::Validation((*e).clone()));
        }

        // Credentials: first alternative of the operation that is complete.
        let creds = client.credentials();
        let alt: &[&str] = if self.security.is_empty() {
            &[]
        } else {
            creds.select(self.security).ok_or_else(|| {
                ConfigError::new(format!(
                    "operation `{}` requires credentials: set {}",
                    self.operation,
                    spec.describe_alternatives(self.security)
                ))
            })?
        };
        let mut auth_query = Vec::new();
        let mut auth_headers = HeaderMap::new();
        creds.apply(alt, &mut auth_headers, &mut auth_query)?;

        // URL: base (keeping its path prefix) + encoded path + query.
        let mut url = request_url(&config.base_url, self.parts.path.as_str())?;
        let mut shown_url = url.clone();
        let user_query = self.parts.query.iter().chain(&self.options.query);
        if !self.parts.query.is_empty() || !self.options.query.is_empty() || !auth_query.is_empty() {
            let mut q = url.query_pairs_mut();
            let mut shown = shown_url.query_pairs_mut();
            for (k, v) in user_query {
                q.append_pair(k, v);
                shown.append_pair(k, v);
            }
            for (k, v) in &auth_query {
                q.append_pair(k, v);
                shown.append_pair(k, "[redacted]");
            }
        }
        let shown_url = shown_url.to_string();

        // Headers, lowest precedence first.
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::USER_AGENT, header_val("user-agent", spec.user_agent)?);
        headers.insert(reqwest::header::ACCEPT, header_val("accept", self.accept.unwrap_or(self.op.accept))?);
        if let Some(body) = &self.parts.body {
            headers.insert(reqwest::header::CONTENT_TYPE, header_val("content-type", &body.content_type)?);
        }
        overlay(&mut headers, &config.default_headers);
        overlay(&mut headers, &auth_headers);
        let mut extra = HeaderMap::new();
        for (k, v) in self.parts.headers.iter().chain(&self.options.headers) {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| ValidationError::new(k.as_str(), "invalid header name"))?;
            let mut value = header_val(k, v)?;
            if looks_secret(name.as_str()) {
                value.set_sensitive(true);
            }
            extra.append(name, value);
        }
        overlay(&mut headers, &extra);
        let upgrade = matches!(self.decode.read, Read::Upgrade(_));
        if upgrade {
            // RFC 6455's opening handshake; the key is a fresh nonce per call.
            headers.insert(reqwest::header::CONNECTION, HeaderValue::from_static("upgrade"));
            headers.insert(reqwest::header::UPGRADE, HeaderValue::from_static("websocket"));
            headers.insert(reqwest::header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
            headers.insert(reqwest::header::SEC_WEBSOCKET_KEY, header_val("sec-websocket-key", &websocket_key())?);
        }
        let retry_header = match spec.retry_count_header {
            Some(h) => Some(
                HeaderName::from_bytes(h.as_bytes())
                    .map_err(|_| ConfigError::new(format!("invalid retry-count header name `{h}`")))?,
            ),
            None => None,
        };

        let timeout = self.options.timeout.unwrap_or(config.timeout);
        let mut policy = config.retry;
        if let Some(n) = self.options.max_retries {
            policy.max_retries = n;
        }
        let method = self.op.method.clone();
        let body = self.parts.body.as_ref().map(|b| &b.payload);
        // A stream in the body can be sent once: such a call is not retried.
        let resendable = body.is_none_or(Payload::can_resend);

        let mut retries: u32 = 0;
        loop {
            let mut request = reqwest::Request::new(method.clone(), url.clone());
            *request.headers_mut() = headers.clone();
            if upgrade {
                // Switching protocols is HTTP/1.1's.
                *request.version_mut() = reqwest::Version::HTTP_11;
            }
            if let Some(h) = &retry_header {
                request.headers_mut().insert(h.clone(), HeaderValue::from(retries));
            }
            if let Some(payload) = body {
                let (content, length) = payload.open().await?;
                if let Some(length) = length {
                    request.headers_mut().insert(reqwest::header::CONTENT_LENGTH, HeaderValue::from(length));
                }
                *request.body_mut() = Some(content);
            }

            let attempt_span = span.attempt(retries + 1);
            let started = Instant::now();
            let attempt = attempt_span.run(attempt(client.http(), request, timeout, streaming, upgrade)).await;
            let can_retry = resendable && retries < policy.max_retries;
            match attempt {
                Attempt::Response(status, resp_headers, bytes) => {
                    let request_id =
                        spec.request_id_header.and_then(|h| header_value(&resp_headers, h)).map(str::to_owned);
                    attempt_span.finished(Outcome::Status(status), started.elapsed(), request_id.as_deref());
                    if status.is_success() {
                        return Ok(Exchange {
                            status,
                            headers: resp_headers,
                            request_id,
                            body: ReplyBody::Whole(bytes),
                        });
                    }
                    if can_retry && should_retry_response(status, &resp_headers) {
                        let delay = policy.delay(retries, Some(&resp_headers));
                        attempt_span.retrying(delay);
                        tokio::time::sleep(delay).await;
                        retries += 1;
                        continue;
                    }
                    let error = ApiError::new(self.operation.clone(), status, request_id, resp_headers, bytes);
                    return Err(Error::Api(Box::new(error)));
                }
                Attempt::Streaming(response) => {
                    let (status, resp_headers) = (response.status(), response.headers().clone());
                    let request_id =
                        spec.request_id_header.and_then(|h| header_value(&resp_headers, h)).map(str::to_owned);
                    attempt_span.finished(Outcome::Status(status), started.elapsed(), request_id.as_deref());
                    if status == StatusCode::SWITCHING_PROTOCOLS {
                        let connection = response.upgrade().await.map_err(|e| {
                            Error::Connection(ConnectionError::from_reqwest(
                                e,
                                retries + 1,
                                method.to_string(),
                                shown_url.clone(),
                            ))
                        })?;
                        return Ok(Exchange {
                            status,
                            headers: resp_headers,
                            request_id,
                            body: ReplyBody::Upgraded(connection),
                        });
                    }
                    let body = ByteStream::from_response(response, timeout, method.to_string(), shown_url);
                    return Ok(Exchange { status, headers: resp_headers, request_id, body: ReplyBody::Stream(body) });
                }
                Attempt::TimedOut => {
                    attempt_span.finished(Outcome::TimedOut, started.elapsed(), None);
                    if can_retry {
                        let delay = policy.delay(retries, None);
                        attempt_span.retrying(delay);
                        tokio::time::sleep(delay).await;
                        retries += 1;
                        continue;
                    }
                    return Err(Error::Timeout(TimeoutError::new(timeout, retries + 1, method.to_string(), shown_url)));
                }
                Attempt::Failed(e) => {
                    attempt_span.finished(Outcome::Failed(&e), started.elapsed(), None);
                    if can_retry {
                        let delay = policy.delay(retries, None);
                        attempt_span.retrying(delay);
                        tokio::time::sleep(delay).await;
                        retries += 1;
                        continue;
                    }
                    return Err(Error::Connection(ConnectionError::from_reqwest(
                        e,
                        retries + 1,
                        method.to_string(),
                        shown_url,
                    )));
                }
            }
        }
    }
}

/// An answer to a request for events, as its body: an error when the server answered with
/// something else (see `not_streamed`).
async fn event_body(response: ApiResponse<ByteStream>) -> Result<ByteStream, Error> {
    match response.header("content-type").and_then(media_essence) {
        Some(media_type) if media_type != EVENT_STREAM => Err(not_streamed(response, &media_type).await),
        _ => Ok(response.into_body()),
    }
}

/// What a call for events needs to be sent again (`Call::events_resuming`).
#[derive(Clone)]
struct Resend {
    client: Client,
    op: &'static OperationSpec,
    parts: RequestParts,
    options: RequestOptions,
    operation: Cow<'static, str>,
    security: &'static [&'static [&'static str]],
}

impl Resend {
    /// Sends the request again, with `Last-Event-ID` when an id was seen.
    async fn send(self, last_id: Option<String>) -> Result<ByteStream, Error> {
        let mut call = Call::new(&self.client, self.op, self.parts, Decoder::bytes()).options(self.options);
        call.operation = self.operation;
        call.security = self.security;
        call.accept = Some(EVENT_STREAM);
        if let Some(id) = last_id {
            call = call.header("Last-Event-ID", id);
        }
        event_body(call.send_stream().await?).await
    }
}

/// The error for a successful answer that is not the event stream asked for: a decode error
/// holding the start of its body (read no further than the snippet it keeps).
async fn not_streamed(response: ApiResponse<ByteStream>, media_type: &str) -> Error {
    const SNIPPET: usize = 4 * 1024;
    let (status, request_id) = (response.status, response.request_id().map(str::to_owned));
    let mut body = response.into_body();
    let mut start = bytes::BytesMut::new();
    while start.len() < SNIPPET {
        match futures_util::StreamExt::next(&mut body).await {
            Some(Ok(chunk)) => start.extend_from_slice(&chunk[..chunk.len().min(SNIPPET - start.len())]),
            Some(Err(_)) | None => break,
        }
    }
    let message = format!(
        "expected a `text/event-stream` answer, got `{media_type}` (does the request ask the server to stream?)"
    );
    let mut error = DecodeError::new(None, message, &start);
    error.status = Some(status);
    error.request_id = request_id;
    Error::Decode(error)
}

/// The operation behind a request sent with the client's `get`/`post`/... methods: one per
/// method, so the call's tracing span names neither the path nor any id in it.
macro_rules! custom_operations {
    ($($name:ident = $method:ident),* $(,)?) => {$(
        static $name: OperationSpec = OperationSpec {
            operation_id: concat!("custom ", stringify!($method)),
            method: Method::$method,
            path_template: "(custom path)",
            security: &[],
            accept: "application/json",
        };
    )*};
}
custom_operations!(
    CUSTOM_GET = GET,
    CUSTOM_POST = POST,
    CUSTOM_PUT = PUT,
    CUSTOM_PATCH = PATCH,
    CUSTOM_DELETE = DELETE
);

impl<'a, T: DeserializeOwned + Send + 'a> Call<'a, T> {
    /// A request to a path the API description does not have (the client's `get`, `post`,
    /// ... methods): the path is relative to the base URL, the API's default security
    /// alternatives apply, the body (if any) is sent as JSON and the answer decoded as JSON.
    /// A path that is not relative, or holds `.`/`..` segments, fails the call with a
    /// [`ValidationError`] before anything is sent.
    pub(super) fn custom<B: serde::Serialize + ?Sized>(
        client: &'a Client,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Self {
        let op = match method {
            Method::POST => &CUSTOM_POST,
            Method::PUT => &CUSTOM_PUT,
            Method::PATCH => &CUSTOM_PATCH,
            Method::DELETE => &CUSTOM_DELETE,
            _ => &CUSTOM_GET,
        };
        let shown = path.split(['?', '#']).next().unwrap_or_default();
        let mut parts = RequestParts::new(PathBuilder::new());
        match custom_path(&client.config().base_url, path) {
            Ok(path) => parts.path.path = path,
            Err(reason) => parts.validation_error(ValidationError::new("path", reason)),
        }
        if let Some(body) = body {
            match serde_json::to_vec(body) {
                Ok(json) => parts.bytes_body("application/json", Bytes::from(json)),
                Err(e) => parts.validation_error(ValidationError::new("body", format!("cannot serialize: {e}"))),
            }
        }
        let mut call = Call::new(client, op, parts, Decoder::json());
        call.operation = Cow::Owned(format!("{} {shown}", op.method));
        call.security = client.spec().alternatives;
        call
    }
}

/// Checks a caller's path: relative to the base URL, staying under its path prefix and on
/// its host. Returns the path with a leading `/`.
fn custom_path(base: &Url, path: &str) -> Result<String, String> {
    let relative = "must be a path relative to the base URL (e.g. `/zones`), not an absolute URL";
    let scheme_like = path.find(':').is_some_and(|colon| {
        let scheme = &path[..colon];
        !scheme.is_empty() && !scheme.contains(['/', '?']) && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
    });
    if path.starts_with("//") || scheme_like || path.contains('\\') {
        return Err(relative.to_owned());
    }
    if path.chars().any(|c| c.is_control() || c == '#') {
        return Err("must not contain control characters or a fragment (`#`)".to_owned());
    }
    let route = path.split('?').next().unwrap_or_default();
    let dot_segment = route.split('/').any(|segment| {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    });
    if dot_segment {
        return Err("must not contain `.` or `..` segments".to_owned());
    }
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    // Belt and braces: whatever the URL parser makes of it stays under the base URL.
    let url = join_url(base, &path).map_err(|e| e.message)?;
    let prefix = base.path().trim_end_matches('/');
    let under_prefix = url.path().strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if url.origin() != base.origin() || !under_prefix {
        return Err(relative.to_owned());
    }
    Ok(path)
}

impl<'a, T> IntoFuture for Call<'a, T>
where
    T: Send + 'a,
{
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// One attempt, bounded by `timeout`: send and read the whole body, or, when `streaming`,
/// stop at the headers of a success (an error body is still read, up to
/// [`STREAMING_ERROR_BODY_LIMIT`] bytes).
async fn attempt(
    http: &reqwest::Client,
    request: reqwest::Request,
    timeout: Duration,
    streaming: bool,
    upgrade: bool,
) -> Attempt {
    let run = async {
        let mut resp = http.execute(request).await?;
        let status = resp.status();
        if (streaming && status.is_success()) || (upgrade && status == StatusCode::SWITCHING_PROTOCOLS) {
            return Ok(Attempt::Streaming(resp));
        }
        let headers = resp.headers().clone();
        let bytes = if streaming {
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = resp.chunk().await? {
                let room = STREAMING_ERROR_BODY_LIMIT - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() == STREAMING_ERROR_BODY_LIMIT {
                    break;
                }
            }
            body.freeze()
        } else {
            resp.bytes().await?
        };
        Ok::<_, reqwest::Error>(Attempt::Response(status, headers, bytes))
    };
    match tokio::time::timeout(timeout, run).await {
        Err(_) => Attempt::TimedOut,
        // A timeout configured on a caller-supplied reqwest client.
        Ok(Err(e)) if e.is_timeout() => Attempt::TimedOut,
        Ok(Err(e)) => Attempt::Failed(e),
        Ok(Ok(attempt)) => attempt,
    }
}

/// A `Sec-WebSocket-Key`: 16 random bytes in base64 (RFC 6455, 4.1).
fn websocket_key() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = fastrand::u128(..).to_be_bytes();
    let mut key = String::with_capacity(24);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, byte)| group | u32::from(*byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                key.push(char::from(ALPHABET[(group >> (18 - 6 * i) & 63) as usize]));
            } else {
                key.push('=');
            }
        }
    }
    key
}

/// Appends an encoded path to the base URL, keeping the base's path prefix
/// whether or not it ends in `/`.
fn join_url(base: &Url, path: &str) -> Result<Url, ConfigError> {
    let mut s = base.as_str().trim_end_matches('/').to_owned();
    if !path.is_empty() && !path.starts_with('/') {
        s.push('/');
    }
    s.push_str(path);
    Url::parse(&s).map_err(|e| ConfigError::new(format!("cannot build request URL: {e}")))
}

/// Replaces every header of `top` in `base` (all values of that name).
fn overlay(base: &mut HeaderMap, top: &HeaderMap) {
    for name in top.keys() {
        base.remove(name);
    }
    for (name, value) in top {
        base.append(name.clone(), value.clone());
    }
}

fn header_val(name: &str, value: &str) -> Result<HeaderValue, ValidationError> {
    HeaderValue::from_str(value).map_err(|_| ValidationError::new(name, "invalid header value"))
}

// Helpers for the pagination module (`page.rs`): following pages reuse a call's parts with
// one query parameter replaced, or with an absolute next-page URL given by the server.
impl RequestParts {
    /// The encoded path (or the absolute URL set by [`RequestParts::set_absolute_url`]).
    pub(crate) fn path_str(&self) -> &str {
        self.path.as_str()
    }

    /// The query parameters, in order.
    pub(crate) fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// Replaces every value of query parameter `name` with `value`.
    pub(crate) fn set_query(&mut self, name: &str, value: String) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value));
    }

    /// Sends to `url` (query included) instead of the base URL and the operation's path and
    /// query. [`request_url`] refuses it unless it has the base URL's origin.
    pub(crate) fn set_absolute_url(&mut self, url: &Url) {
        let mut path = PathBuilder::new();
        path.path = url.as_str().to_owned();
        self.path = path;
        self.query.clear();
    }
}

impl RequestOptions {
    /// `self` with `other` merged in (later values win).
    pub(crate) fn merged(mut self, other: RequestOptions) -> Self {
        self.merge(other);
        self
    }
}

/// The URL a request goes to: the base URL joined with the encoded path, or the absolute URL
/// set by [`RequestParts::set_absolute_url`] (a generated path always starts with `/`), which
/// must have the base URL's origin so credentials never go to another server.
pub(crate) fn request_url(base: &Url, path: &str) -> Result<Url, ConfigError> {
    if !(path.starts_with("https://") || path.starts_with("http://")) {
        return join_url(base, path);
    }
    let url = Url::parse(path).map_err(|e| ConfigError::new(format!("cannot build request URL: {e}")))?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(format!(
            "refusing to send a request to `{url}`: it is not on the API's origin `{}`",
            base.origin().ascii_serialization()
        )));
    }
    Ok(url)
}

/// Runs `seed` over the whole JSON body, with the same error paths as [`decode_json`]
/// (e.g. `result[3].name`); objects are read directly first (see
/// [`super::object::decode_direct`]), so the seed is cloned for a second reading.
pub(crate) fn decode_json_seed<T>(
    body: &Bytes,
    seed: impl for<'de> serde::de::DeserializeSeed<'de, Value = T> + Clone,
) -> Result<T, DecodeError> {
    super::object::decode_direct(|| {
        read_seed(body, seed.clone(), |path, e| path_error(serde_path_to_error::Error::new(path, e), body))
    })
}

/// Runs `seed` once over the whole JSON body, which must hold nothing after the value. The
/// direct reading (see [`super::object::decode_direct`]) tracks no path, because its error is
/// dropped and the tolerant reading runs again (tracking more than doubled the decode bench's time);
/// the tolerant reading tracks the JSON path, and `error` makes its failure a `DecodeError`.
fn read_seed<T>(
    body: &Bytes,
    seed: impl for<'de> serde::de::DeserializeSeed<'de, Value = T>,
    error: impl FnOnce(serde_path_to_error::Path, serde_json::Error) -> DecodeError,
) -> Result<T, DecodeError> {
    if super::object::reading_directly() {
        // The body's UTF-8 is checked once here, so that no raw member read directly (see
        // `object.rs`) nor any string is checked again at every level; a body that is not
        // UTF-8 fails the direct reading, and the tolerant one names where.
        let text = std::str::from_utf8(body).map_err(|e| DecodeError::new(None, e.to_string(), body))?;
        let mut de = serde_json::Deserializer::from_str(text);
        let value = seed.deserialize(&mut de).map_err(|e| DecodeError::new(None, e.to_string(), body))?;
        de.end().map_err(|e| DecodeError::new(None, e.to_string(), body))?;
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = {
        let mut track = serde_path_to_error::Track::new();
        seed.deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
            .map_err(|e| error(track.path(), e))?
    };
    // Trailing garbage after the value means the body is not JSON.
    de.end().map_err(|e| DecodeError::new(None, e.to_string(), body))?;
    Ok(value)
}
