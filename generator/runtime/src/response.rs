//! Successful responses with their metadata, returned by `send_raw`.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::error::DecodeError;

/// A 2xx response: status, headers and the decoded body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Decoded body.
    pub body: T,
    /// Name of the API's request-id header (from the `ApiSpec`), kept so
    /// [`ApiResponse::request_id`] needs no arguments.
    request_id_header: Option<&'static str>,
    /// The envelope's other top-level fields, when the decoder unwrapped one.
    envelope: Option<serde_json::Map<String, serde_json::Value>>,
}

impl<T> ApiResponse<T> {
    /// Creates a response. `request_id_header` is the API's request-id
    /// header name (e.g. `cf-ray`), if it has one.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T, request_id_header: Option<&'static str>) -> Self {
        ApiResponse { status, headers, body, request_id_header, envelope: None }
    }

    /// Attaches the envelope's other top-level fields (see [`ApiResponse::envelope`]).
    pub fn with_envelope(mut self, envelope: Option<serde_json::Map<String, serde_json::Value>>) -> Self {
        self.envelope = envelope;
        self
    }

    /// When the body was unwrapped from a JSON envelope (Cloudflare's `result`), the
    /// envelope's other top-level fields (`result_info`, `messages`, `success`, ...), as JSON.
    /// `None` when nothing was unwrapped.
    pub fn envelope(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.envelope.as_ref()
    }

    /// One envelope field decoded as `V` (e.g. `envelope_field::<ResultInfo>("result_info")`):
    /// `None` when there is no envelope or no such field, else the decoding's outcome (a
    /// failure names the JSON path inside the field).
    pub fn envelope_field<V: DeserializeOwned>(&self, name: &str) -> Option<Result<V, DecodeError>> {
        let value = self.envelope.as_ref()?.get(name)?;
        Some(serde_path_to_error::deserialize(value).map_err(|e| {
            let mut path = name.to_owned();
            super::object::push_path(&mut path, &e.path().to_string());
            let mut error = DecodeError::new(Some(path), e.into_inner().to_string(), value.to_string().as_bytes());
            error.status = Some(self.status);
            error.request_id = self.request_id().map(str::to_owned);
            error
        }))
    }

    /// The server's request id (value of the API's request-id header).
    pub fn request_id(&self) -> Option<&str> {
        header_value(&self.headers, self.request_id_header?)
    }

    /// A response header as text (`None` if absent or not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// Converts the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            request_id_header: self.request_id_header,
            envelope: self.envelope,
        }
    }

    /// Discards the metadata and returns the body.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// Reads header `name` as text.
pub fn header_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
