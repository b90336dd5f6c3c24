//! Successful responses with their metadata, returned by `send_raw`.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

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
}

impl<T> ApiResponse<T> {
    /// Creates a response. `request_id_header` is the API's request-id
    /// header name (e.g. `cf-ray`), if it has one.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T, request_id_header: Option<&'static str>) -> Self {
        ApiResponse { status, headers, body, request_id_header }
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
