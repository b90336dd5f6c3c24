//! Observability. With the crate's `tracing` feature, every call runs in a `sdk.call` span
//! (operation id, HTTP method, path template) and every attempt in a `sdk.attempt` span
//! (attempt number); each attempt ends with an event giving its status or failure, its
//! duration and the server's request id, and a retry says how long it waits.
//!
//! What is recorded is fixed here: never a header value, a credential, a query string, a
//! filled-in path or a body. Without the feature this module compiles to nothing.

use std::future::Future;
use std::time::Duration;

use reqwest::{Method, StatusCode};

/// The span of one call.
pub struct CallSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// The span of one attempt.
pub struct AttemptSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// How an attempt ended, as recorded.
pub enum Outcome<'a> {
    /// A response with this status.
    Status(StatusCode),
    /// No response within the timeout.
    TimedOut,
    /// No response: the connection failed.
    Failed(&'a reqwest::Error),
}

impl CallSpan {
    /// Opens the span of a call.
    pub fn new(operation_id: &'static str, method: &Method, path_template: &'static str) -> Self {
        #[cfg(feature = "tracing")]
        {
            CallSpan {
                span: tracing::info_span!(
                    "sdk.call",
                    operation = operation_id,
                    method = %method,
                    path = path_template,
                ),
            }
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (operation_id, method, path_template);
            CallSpan {}
        }
    }

    /// Runs the call's future inside the span.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.span.clone()).await
        }
        #[cfg(not(feature = "tracing"))]
        {
            future.await
        }
    }

    /// Opens the span of attempt `attempt` (1 for the first), inside the call's.
    pub fn attempt(&self, attempt: u32) -> AttemptSpan {
        #[cfg(feature = "tracing")]
        {
            AttemptSpan { span: tracing::debug_span!(parent: &self.span, "sdk.attempt", attempt) }
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = attempt;
            AttemptSpan {}
        }
    }
}

impl AttemptSpan {
    /// Runs the attempt's future inside the span.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.span.clone()).await
        }
        #[cfg(not(feature = "tracing"))]
        {
            future.await
        }
    }

    /// Records how the attempt ended.
    pub fn finished(&self, outcome: Outcome<'_>, elapsed: Duration, request_id: Option<&str>) {
        #[cfg(feature = "tracing")]
        self.span.in_scope(|| {
            let elapsed_ms = elapsed.as_millis() as u64;
            match outcome {
                Outcome::Status(status) => tracing::info!(
                    status = status.as_u16(),
                    elapsed_ms,
                    request_id = request_id.unwrap_or(""),
                    "response"
                ),
                Outcome::TimedOut => tracing::warn!(elapsed_ms, "timed out"),
                // The underlying cause, not reqwest's own text, which holds the URL and so
                // possibly a query-string credential.
                Outcome::Failed(error) => tracing::warn!(
                    elapsed_ms,
                    connect = error.is_connect(),
                    cause = std::error::Error::source(error).map(ToString::to_string).unwrap_or_default(),
                    "connection failed"
                ),
            }
        });
        #[cfg(not(feature = "tracing"))]
        let _ = (outcome, elapsed, request_id);
    }

    /// Records that the call will be retried after `delay`.
    pub fn retrying(&self, delay: Duration) {
        #[cfg(feature = "tracing")]
        self.span.in_scope(|| tracing::info!(delay_ms = delay.as_millis() as u64, "retrying"));
        #[cfg(not(feature = "tracing"))]
        let _ = delay;
    }
}
