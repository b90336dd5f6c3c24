//! Error types returned by every SDK call.
//!
//! The top-level [`Error`] is generic over `E`, the typed error envelope the
//! generated code supplies for the API (for example a struct holding
//! `errors: Vec<Message>`). When a non-2xx body does not parse as `E`, the
//! error still carries the status, the request id and a bounded raw snippet.
//!
//! None of these types ever holds a credential: request headers are not kept,
//! and URLs are stored with query-string credentials redacted.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// Maximum number of bytes of a response body kept in errors. Bodies can be
/// megabytes of HTML; keeping a bounded prefix makes errors cheap to log.
pub const SNIPPET_LIMIT: usize = 2048;

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

/// Everything that can go wrong with an SDK call.
///
/// `E` is the typed error envelope of the API; it defaults to
/// [`serde_json::Value`] (used e.g. for configuration errors, which happen
/// before any operation is known).
#[non_exhaustive]
pub enum Error<E = serde_json::Value> {
    /// The server answered with a non-2xx status (after any retries). Boxed so
    /// that `Result<T, Error<E>>` stays small on the success path.
    Api(Box<ApiError<E>>),
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

impl<E> Error<E> {
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
    pub fn api_error(&self) -> Option<&ApiError<E>> {
        match self {
            Error::Api(e) => Some(e.as_ref()),
            _ => None,
        }
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

    /// Converts the error-envelope type, e.g. to turn a configuration error
    /// (`Error<Value>`) into an operation's `Error<E>`.
    pub fn map_api<F>(self, f: impl FnOnce(ApiError<E>) -> ApiError<F>) -> Error<F> {
        match self {
            Error::Api(e) => Error::Api(Box::new(f(*e))),
            Error::Timeout(e) => Error::Timeout(e),
            Error::Connection(e) => Error::Connection(e),
            Error::Decode(e) => Error::Decode(e),
            Error::Validation(e) => Error::Validation(e),
            Error::Config(e) => Error::Config(e),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::Timeout(e) => f.debug_tuple("Timeout").field(e).finish(),
            Error::Connection(e) => f.debug_tuple("Connection").field(e).finish(),
            Error::Decode(e) => f.debug_tuple("Decode").field(e).finish(),
            Error::Validation(e) => f.debug_tuple("Validation").field(e).finish(),
            Error::Config(e) => f.debug_tuple("Config").field(e).finish(),
        }
    }
}

impl<E> fmt::Display for Error<E> {
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

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The underlying transport error; the other variants are leaves
        // (their Display already says everything).
        match self {
            Error::Connection(e) => e.source.as_ref().map(|s| s as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

impl<E> From<ConfigError> for Error<E> {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl<E> From<ValidationError> for Error<E> {
    fn from(e: ValidationError) -> Self {
        Error::Validation(e)
    }
}

impl<E> From<DecodeError> for Error<E> {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

/// A non-2xx response.
#[non_exhaustive]
pub struct ApiError<E> {
    /// HTTP status.
    pub status: StatusCode,
    /// Value of the API's request-id header (e.g. `cf-ray`), if present.
    pub request_id: Option<String>,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body parsed as the API's error envelope, or `None` when it did not
    /// parse (e.g. an HTML error page from a proxy).
    pub body: Option<E>,
    /// At most [`SNIPPET_LIMIT`] bytes of the raw body, as text.
    pub raw_body: String,
}

impl<E> ApiError<E> {
    /// Creates an API error; the snippet is taken from `raw` (bounded).
    pub fn new(
        status: StatusCode,
        request_id: Option<String>,
        headers: HeaderMap,
        body: Option<E>,
        raw: &[u8],
    ) -> Self {
        ApiError { status, request_id, headers, body, raw_body: body_snippet(raw) }
    }

    /// Converts the typed body with `f`, keeping everything else.
    pub fn map_body<F>(self, f: impl FnOnce(E) -> Option<F>) -> ApiError<F> {
        ApiError {
            status: self.status,
            request_id: self.request_id,
            headers: self.headers,
            body: self.body.and_then(f),
            raw_body: self.raw_body,
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("body", &self.body)
            .field("raw_body", &self.raw_body)
            .finish_non_exhaustive()
    }
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error: HTTP {}", self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        // Show a short, single-line excerpt so logs stay readable; the full
        // (bounded) snippet is in `raw_body`.
        let excerpt: String = self.raw_body.chars().take(300).map(|c| if c.is_control() { ' ' } else { c }).collect();
        if !excerpt.trim().is_empty() {
            write!(f, ": {}", excerpt.trim())?;
        }
        Ok(())
    }
}

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
    /// At most [`SNIPPET_LIMIT`] bytes of the body, as text.
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
