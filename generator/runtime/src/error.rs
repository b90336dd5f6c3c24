//! The one error type of every SDK call and of building a client.
//!
//! [`Error`] is a single concrete type, so one function can use `?` on client
//! construction and on calls of any operation. An [`ApiError`] (a non-2xx
//! answer) keeps the whole response body: [`ApiError::message`] finds the
//! API's own message in common JSON shapes, and [`ApiError::body_as`] decodes
//! the body as the operation's documented error type (each generated method
//! names it).
//!
//! None of these types ever holds a credential: request headers are not kept,
//! and URLs are stored with query-string credentials redacted.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Maximum number of bytes of a response body shown in error messages and
/// kept in a [`DecodeError`]. Bodies can be megabytes of HTML; a bounded
/// prefix keeps errors cheap to log.
pub const SNIPPET_LIMIT: usize = 2048;

/// At most this many characters of an API's own error message are shown.
const MESSAGE_LIMIT: usize = 500;

/// Returns at most [`SNIPPET_LIMIT`] bytes of `body` as text, cut on a char
/// boundary (invalid UTF-8 is replaced, so this never fails or panics).
pub fn body_snippet(body: &[u8]) -> String {
    // Only decode a little more than the limit: a 3-byte char straddling the
    // cut is at most 3 extra bytes, and lossy decoding replaces the rest.
    let head = &body[..body.len().min(SNIPPET_LIMIT + 4)];
    let text = String::from_utf8_lossy(head);
    if text.len() <= SNIPPET_LIMIT && head.len() == body.len() {
        return text.into_owned();
    }
    let mut end = SNIPPET_LIMIT.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = text[..end].to_owned();
    out.push_str("…[truncated]");
    out
}

/// Everything that can go wrong with an SDK call or with building a client.
///
/// One type for every operation: a function returning `Result<_, Error>` can
/// use `?` on [`Client`](super::client::Client) construction and on any call.
/// The operation's typed error body is one call away:
/// [`Error::api_error_body`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-2xx status (after any retries). Boxed so
    /// that `Result<T, Error>` stays small on the success path.
    Api(Box<ApiError>),
    /// An attempt did not complete within the configured timeout, and no
    /// retries were left.
    Timeout(TimeoutError),
    /// The connection failed, was reset, or the body was cut short, and no
    /// retries were left.
    Connection(ConnectionError),
    /// A 2xx response whose body does not match the expected type.
    Decode(DecodeError),
    /// A client-side check failed; nothing was sent.
    Validation(ValidationError),
    /// The client is misconfigured (missing credentials, bad base URL, ...).
    Config(ConfigError),
}

impl Error {
    /// HTTP status of the response, if one was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => e.status,
            _ => None,
        }
    }

    /// Server request id (from the API's request-id header, e.g. `cf-ray`),
    /// if a response was received and carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error, if this is [`Error::Api`].
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// The body of an API error decoded as `T`, the operation's documented
    /// error type (its method's docs name it). `None` when this is not an
    /// [`Error::Api`] or the body does not decode as `T`; use
    /// [`ApiError::body_as`] to see why it did not.
    pub fn api_error_body<T: DeserializeOwned>(&self) -> Option<T> {
        self.api_error().and_then(|e| e.body_as().ok())
    }

    fn has_status(&self, code: u16) -> bool {
        matches!(self, Error::Api(e) if e.status.as_u16() == code)
    }

    /// `true` for an API error with status 401.
    pub fn is_unauthorized(&self) -> bool {
        self.has_status(401)
    }
    /// `true` for an API error with status 403.
    pub fn is_forbidden(&self) -> bool {
        self.has_status(403)
    }
    /// `true` for an API error with status 404.
    pub fn is_not_found(&self) -> bool {
        self.has_status(404)
    }
    /// `true` for an API error with status 409.
    pub fn is_conflict(&self) -> bool {
        self.has_status(409)
    }
    /// `true` for an API error with status 429.
    pub fn is_rate_limited(&self) -> bool {
        self.has_status(429)
    }
    /// `true` for an API error with a 5xx status.
    pub fn is_server_error(&self) -> bool {
        matches!(self, Error::Api(e) if e.status.is_server_error())
    }
    /// `true` for [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }
    /// `true` for [`Error::Connection`].
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Connection(_))
    }
    /// `true` for [`Error::Decode`].
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode(_))
    }
    /// `true` for [`Error::Validation`].
    pub fn is_validation(&self) -> bool {
        matches!(self, Error::Validation(_))
    }
    /// `true` for [`Error::Config`].
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Timeout(e) => fmt::Display::fmt(e, f),
            Error::Connection(e) => fmt::Display::fmt(e, f),
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::Validation(e) => fmt::Display::fmt(e, f),
            Error::Config(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The underlying transport error; the other variants are leaves
        // (their Display already says everything).
        match self {
            Error::Connection(e) => e.source.as_ref().map(|s| s as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl From<TimeoutError> for Error {
    fn from(e: TimeoutError) -> Self {
        Error::Timeout(e)
    }
}

impl From<ConnectionError> for Error {
    fn from(e: ConnectionError) -> Self {
        Error::Connection(e)
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Validation(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

/// A non-2xx response. The whole body is kept: read it as text
/// ([`body_text`](Self::body_text)), as JSON ([`json`](Self::json)), or as the
/// operation's documented error type ([`body_as`](Self::body_as)).
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Value of the API's request-id header (e.g. `cf-ray`), if present.
    pub request_id: Option<String>,
    /// Response headers.
    pub headers: HeaderMap,
    /// The `operationId` of the operation that failed (`GET /path` for a request sent
    /// with the client's `get`/`post`/... methods).
    pub operation_id: std::borrow::Cow<'static, str>,
    body: Bytes,
    json: Option<Value>,
}

impl ApiError {
    /// Creates an API error for operation `operation_id` from the response.
    pub fn new(
        operation_id: impl Into<std::borrow::Cow<'static, str>>,
        status: StatusCode,
        request_id: Option<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        let json = serde_json::from_slice(&body).ok();
        ApiError { status, request_id, headers, operation_id: operation_id.into(), body, json }
    }

    /// The raw response body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 is replaced).
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON, or `None` when it is not JSON (e.g. an HTML
    /// error page from a proxy).
    pub fn json(&self) -> Option<&Value> {
        self.json.as_ref()
    }

    /// Decodes the body as `T`, typically the operation's documented error
    /// type (its method's docs name it). A failure names the JSON path.
    pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        let mut error = match super::request::decode_json::<T>(&self.body, None) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        error.status = Some(self.status);
        error.request_id.clone_from(&self.request_id);
        Err(error)
    }

    /// The API's own error message, found in the JSON body's common shapes:
    /// `errors[].message` (all of them, joined with `; `, each with its `code`
    /// when there is one), `message`, `error` (a string, or an object with a
    /// message), `detail`, `title`, `error_description`. `None` when the body
    /// is not JSON or has none of these. Control characters are replaced and
    /// the text is cut at 500 characters.
    pub fn message(&self) -> Option<String> {
        let found = match self.json.as_ref()? {
            Value::String(text) => non_empty(text),
            Value::Object(fields) => object_message(fields, true),
            _ => None,
        }?;
        Some(clean(&found, MESSAGE_LIMIT))
    }
}

/// A message in one JSON object: the listed fields in order, then a nested `error`.
fn object_message(fields: &serde_json::Map<String, Value>, top: bool) -> Option<String> {
    if top {
        if let Some(Value::Array(items)) = fields.get("errors") {
            let messages: Vec<String> = items.iter().filter_map(item_message).collect();
            if !messages.is_empty() {
                return Some(messages.join("; "));
            }
        }
    }
    if let Some(text) = fields.get("message").and_then(Value::as_str).and_then(non_empty) {
        return Some(text);
    }
    match fields.get("error") {
        // OAuth's shape: `{"error": "invalid_grant", "error_description": "..."}`.
        Some(Value::String(error)) if !error.trim().is_empty() => {
            return Some(match fields.get("error_description").and_then(Value::as_str).and_then(non_empty) {
                Some(description) => format!("{error}: {description}"),
                None => error.clone(),
            });
        }
        Some(Value::Object(inner)) if top => {
            if let Some(text) = object_message(inner, false) {
                return Some(text);
            }
        }
        _ => {}
    }
    ["detail", "title", "error_description", "description"]
        .iter()
        .find_map(|key| fields.get(*key).and_then(Value::as_str).and_then(non_empty))
}

/// One item of an `errors` list: a string, or an object with a message and maybe a code.
fn item_message(item: &Value) -> Option<String> {
    match item {
        Value::String(text) => non_empty(text),
        Value::Object(fields) => {
            let message = object_message(fields, false)?;
            let code = match fields.get("code") {
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                _ => None,
            };
            Some(match code {
                Some(code) => format!("{message} (code {code})"),
                None => message,
            })
        }
        _ => None,
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// One line of at most `limit` characters: control characters become spaces.
fn clean(text: &str, limit: usize) -> String {
    let mut out: String = text.chars().take(limit).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().nth(limit).is_some() {
        out.push('…');
    }
    out.trim().to_owned()
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers are left out: a proxy could echo a cookie.
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("operation_id", &self.operation_id)
            .field("request_id", &self.request_id)
            .field("message", &self.message())
            .field("body", &body_snippet(&self.body))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error from `{}`: HTTP {}", self.operation_id, self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        // The API's own message when the body has one, else a short excerpt of
        // the body, on one line so logs stay readable.
        let shown = self.message().unwrap_or_else(|| clean(&body_snippet(&self.body), 300));
        if !shown.is_empty() {
            write!(f, ": {shown}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// No attempt completed within the timeout.
#[derive(Debug, Clone, thiserror::Error)]
#[error("request timed out after {timeout:?} per attempt ({attempts} attempt(s)) for {method} {url}")]
#[non_exhaustive]
pub struct TimeoutError {
    /// The per-attempt timeout.
    pub timeout: Duration,
    /// How many attempts were made.
    pub attempts: u32,
    /// HTTP method.
    pub method: String,
    /// Request URL, with query credentials redacted.
    pub url: String,
}

impl TimeoutError {
    /// Creates a timeout error. `url` must already be redacted.
    pub fn new(timeout: Duration, attempts: u32, method: String, url: String) -> Self {
        TimeoutError { timeout, attempts, method, url }
    }
}

/// Transport failure: connect error, reset, body cut short.
#[derive(Debug, thiserror::Error)]
#[error("connection error after {attempts} attempt(s) for {method} {url}: {message}")]
#[non_exhaustive]
pub struct ConnectionError {
    /// Short description of the failure (including the cause chain).
    pub message: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// HTTP method.
    pub method: String,
    /// Request URL, with query credentials redacted.
    pub url: String,
    /// The underlying error, with its URL stripped (it could contain a
    /// query-string credential).
    #[source]
    pub source: Option<reqwest::Error>,
}

impl ConnectionError {
    /// Creates a connection error from a reqwest error; the URL inside the
    /// reqwest error is dropped because it may contain a query credential.
    /// `url` must already be redacted.
    pub fn from_reqwest(e: reqwest::Error, attempts: u32, method: String, url: String) -> Self {
        let e = e.without_url();
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        ConnectionError { message, attempts, method, url, source: Some(e) }
    }
}

/// A 2xx body that did not match the expected type.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the response (filled in by the runtime).
    pub status: Option<StatusCode>,
    /// Request id of the response, if any (filled in by the runtime).
    pub request_id: Option<String>,
    /// JSON path that failed, e.g. `result.geo.country` (`None` when the
    /// failure is not tied to a path, e.g. invalid UTF-8).
    pub path: Option<String>,
    /// The underlying message (serde's, for JSON).
    pub message: String,
    /// At most 2 KiB of the body, as text.
    pub body_snippet: String,
}

impl DecodeError {
    /// Creates a decode error for `body` (status and request id are filled in
    /// later by the runtime).
    pub fn new(path: Option<String>, message: impl Into<String>, body: &[u8]) -> Self {
        DecodeError { status: None, request_id: None, path, message: message.into(), body_snippet: body_snippet(body) }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode response body")?;
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(p) = &self.path {
            write!(f, " at `{p}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A client-side check failed before sending. Values are deliberately not
/// included (a parameter could hold a secret); only the name and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameter `{param}`: {reason}")]
#[non_exhaustive]
pub struct ValidationError {
    /// Parameter (or field / header) name.
    pub param: String,
    /// Which rule failed.
    pub reason: String,
}

impl ValidationError {
    /// Creates a validation error.
    pub fn new(param: impl Into<String>, reason: impl Into<String>) -> Self {
        ValidationError { param: param.into(), reason: reason.into() }
    }
}

/// The client configuration is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {message}")]
#[non_exhaustive]
pub struct ConfigError {
    /// Human-readable description (names env vars / schemes, never values).
    pub message: String,
}

impl ConfigError {
    /// Creates a configuration error.
    pub fn new(message: impl Into<String>) -> Self {
        ConfigError { message: message.into() }
    }
}
