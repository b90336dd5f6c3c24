//! Building and sending requests: [`PathBuilder`], [`RequestParts`],
//! [`RequestOptions`], the [`Call`] returned by every generated operation,
//! and the body [`Decoder`]s.

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
}

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

/// Signature of a body decoder: the body and the optional envelope field to
/// unwrap (e.g. `"result"`).
pub type DecodeFn<T> = fn(&Bytes, Option<&'static str>) -> Result<T, DecodeError>;

/// How a 2xx body becomes `T`: a [`DecodeFn`] plus the envelope field to
/// unwrap (if any). Generated code typically uses
/// `Decoder::new(decode_json::<Zone>, Some("result"))`.
pub struct Decoder<T> {
    func: DecodeFn<T>,
    unwrap: Option<&'static str>,
}

impl<T> Clone for Decoder<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Decoder<T> {}

impl<T> std::fmt::Debug for Decoder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").field("unwrap", &self.unwrap).finish_non_exhaustive()
    }
}

impl<T> Decoder<T> {
    /// A decoder from a function and the field to unwrap.
    pub const fn new(func: DecodeFn<T>, unwrap: Option<&'static str>) -> Self {
        Decoder { func, unwrap }
    }

    /// Runs the decoder.
    pub fn decode(&self, body: &Bytes) -> Result<T, DecodeError> {
        (self.func)(body, self.unwrap)
    }
}

impl<T: DeserializeOwned> Decoder<T> {
    /// JSON decoding of the whole body.
    pub const fn json() -> Self {
        Decoder::new(decode_json::<T>, None)
    }
    /// JSON decoding of one field of the top-level object (e.g. `result`).
    pub const fn json_field(field: &'static str) -> Self {
        Decoder::new(decode_json::<T>, Some(field))
    }
}

impl<T: DeserializeOwned + Default> Decoder<T> {
    /// Like [`Decoder::json_field`], but an absent or `null` field gives `T::default()`.
    pub const fn json_field_or_default(field: &'static str) -> Self {
        Decoder::new(decode_json_or_default::<T>, Some(field))
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
    /// The raw body.
    pub const fn bytes() -> Self {
        Decoder::new(decode_bytes, None)
    }
}

/// Decodes JSON. With `unwrap = Some(field)`, decodes that field of the
/// top-level object (an absent field decodes as JSON `null`). Errors name the
/// JSON path that failed, prefixed by the unwrapped field
/// (e.g. `result.geo.country`). Unknown fields are ignored unless `T` says
/// otherwise.
pub fn decode_json<T: DeserializeOwned>(body: &Bytes, unwrap: Option<&'static str>) -> Result<T, DecodeError> {
    match unwrap {
        None => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(e, body))?;
            // Trailing garbage after the value means the body is not JSON.
            de.end().map_err(|e| DecodeError::new(None, e.to_string(), body))?;
            Ok(value)
        }
        Some(field) => decode_field(body, FieldSeed { field, or_default: None, _marker: PhantomData }),
    }
}

/// Runs a [`FieldSeed`] over the whole body, tracking the JSON path for errors.
fn decode_field<T: DeserializeOwned>(body: &Bytes, seed: FieldSeed<T>) -> Result<T, DecodeError> {
    let field = seed.field;
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut track = serde_path_to_error::Track::new();
    let value =
        serde::de::DeserializeSeed::deserialize(seed, serde_path_to_error::Deserializer::new(&mut de, &mut track))
            .map_err(|e| field_error(field, track.path(), e, body))?;
    de.end().map_err(|e| DecodeError::new(None, e.to_string(), body))?;
    Ok(value)
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
        Some(field) => decode_field(body, FieldSeed { field, or_default: Some(T::default), _marker: PhantomData }),
    }
}

/// Decodes one field of a JSON object straight from the bytes, skipping the other fields
/// without building them (no intermediate `serde_json::Value` tree).
struct FieldSeed<T> {
    field: &'static str,
    or_default: Option<fn() -> T>,
    _marker: PhantomData<fn() -> T>,
}

impl<'de, T: serde::Deserialize<'de>> serde::de::DeserializeSeed<'de> for FieldSeed<T> {
    type Value = T;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for FieldSeed<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a JSON object with field `{}`", self.field)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut found: Option<Option<T>> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.field && found.is_none() {
                found = Some(match self.or_default {
                    // `null` means "no value" here, as an absent field does.
                    Some(_) => map.next_value::<Option<T>>()?,
                    None => Some(map.next_value::<T>()?),
                });
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
}

impl<T> std::fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("operation_id", &self.op.operation_id)
            .field("path", &self.parts.path.as_str())
            .finish_non_exhaustive()
    }
}

/// What one attempt produced.
enum Attempt {
    Response(StatusCode, HeaderMap, Bytes),
    TimedOut,
    Failed(reqwest::Error),
}

impl<'a, T> Call<'a, T>
where
    T: Send + 'a,
{
    /// Creates a call (used by generated code).
    #[doc(hidden)]
    pub fn new(client: &'a Client, op: &'static OperationSpec, parts: RequestParts, decode: Decoder<T>) -> Self {
        Call { client, op, parts, decode, options: RequestOptions::default() }
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

    /// Sends the request and returns status, headers and decoded body.
    pub async fn send_raw(self) -> Result<ApiResponse<T>, Error> {
        let span = CallSpan::new(self.op.operation_id, &self.op.method, self.op.path_template);
        span.run(self.send_in(&span)).await
    }

    async fn send_in(self, span: &CallSpan) -> Result<ApiResponse<T>, Error> {
        let client = self.client;
        let spec = client.spec();
        let config = client.config();

        if let Some(e) = self.parts.errors().first() {
            return Err(Error::Validation((*e).clone()));
        }

        // Credentials: first alternative of the operation that is complete.
        let creds = client.credentials();
        let alt: &[&str] = if self.op.security.is_empty() {
            &[]
        } else {
            creds.select(self.op.security).ok_or_else(|| {
                ConfigError::new(format!(
                    "operation `{}` requires credentials: set {}",
                    self.op.operation_id,
                    spec.describe_alternatives(self.op.security)
                ))
            })?
        };
        let mut auth_query = Vec::new();
        let mut auth_headers = HeaderMap::new();
        creds.apply(alt, &mut auth_headers, &mut auth_query)?;

        // URL: base (keeping its path prefix) + encoded path + query.
        let mut url = join_url(&config.base_url, self.parts.path.as_str())?;
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
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
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
            let attempt = attempt_span.run(attempt(client.http(), request, timeout)).await;
            let can_retry = resendable && retries < policy.max_retries;
            match attempt {
                Attempt::Response(status, resp_headers, bytes) => {
                    let request_id =
                        spec.request_id_header.and_then(|h| header_value(&resp_headers, h)).map(str::to_owned);
                    attempt_span.finished(Outcome::Status(status), started.elapsed(), request_id.as_deref());
                    if status.is_success() {
                        return match self.decode.decode(&bytes) {
                            Ok(body) => Ok(ApiResponse::new(status, resp_headers, body, spec.request_id_header)),
                            Err(mut e) => {
                                e.status = Some(status);
                                e.request_id = request_id;
                                Err(Error::Decode(e))
                            }
                        };
                    }
                    if can_retry && should_retry_response(status, &resp_headers) {
                        let delay = policy.delay(retries, Some(&resp_headers));
                        attempt_span.retrying(delay);
                        tokio::time::sleep(delay).await;
                        retries += 1;
                        continue;
                    }
                    let error = ApiError::new(self.op.operation_id, status, request_id, resp_headers, bytes);
                    return Err(Error::Api(Box::new(error)));
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

/// One attempt: send and read the whole body, bounded by `timeout`.
async fn attempt(http: &reqwest::Client, request: reqwest::Request, timeout: Duration) -> Attempt {
    let run = async {
        let resp = http.execute(request).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?;
        Ok::<_, reqwest::Error>((status, headers, bytes))
    };
    match tokio::time::timeout(timeout, run).await {
        Err(_) => Attempt::TimedOut,
        // A timeout configured on a caller-supplied reqwest client.
        Ok(Err(e)) if e.is_timeout() => Attempt::TimedOut,
        Ok(Err(e)) => Attempt::Failed(e),
        Ok(Ok((s, h, b))) => Attempt::Response(s, h, b),
    }
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
