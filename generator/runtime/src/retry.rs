//! Retry policy, matching the official Stainless-generated SDKs:
//! retry connection errors, timeouts, 408, 409, 429 and 5xx; honour
//! `x-should-retry`, `retry-after-ms` and `Retry-After`; otherwise back off
//! exponentially (0.5 s doubling, capped at 8 s) with up to 25 % jitter.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default first backoff delay.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default backoff cap.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Server-supplied delays above this are ignored (fall back to backoff), so
/// a misbehaving server cannot stall the caller for minutes.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How many times to retry and how long to wait in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retries).
    pub max_retries: u32,
    /// Delay before the first retry, doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of the exponential delay.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }
}

impl RetryPolicy {
    /// Exponential delay before retry number `retry` (0-based), with jitter
    /// reducing it by up to 25 % (so concurrent clients spread out).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2f64.powi(retry.min(30) as i32);
        let base = self.initial_backoff.as_secs_f64() * factor;
        let capped = base.min(self.max_backoff.as_secs_f64());
        let jitter = 1.0 - fastrand::f64() * 0.25;
        Duration::try_from_secs_f64(capped * jitter).unwrap_or(self.max_backoff)
    }

    /// Delay before retry number `retry` after a response with `headers`:
    /// the server's `retry-after-ms` / `Retry-After` if sane, else backoff.
    pub fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        headers.and_then(retry_after).unwrap_or_else(|| self.backoff(retry))
    }
}

/// Whether a response with this status and headers should be retried.
/// `x-should-retry: true|false` from the server wins over the status rules.
pub fn should_retry_response(status: StatusCode, headers: &HeaderMap) -> bool {
    match header_str(headers, "x-should-retry") {
        Some(v) if v.eq_ignore_ascii_case("true") => return true,
        Some(v) if v.eq_ignore_ascii_case("false") => return false,
        _ => {}
    }
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// Server-requested delay: `retry-after-ms` (milliseconds, may be
/// fractional) first, then `Retry-After` (seconds, or an HTTP date).
/// Only values in `(0, 60 s]` are honoured.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let sane = |d: Duration| (!d.is_zero() && d <= MAX_RETRY_AFTER).then_some(d);
    if let Some(ms) = header_str(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        if let Some(d) = Duration::try_from_secs_f64(ms / 1000.0).ok().and_then(sane) {
            return Some(d);
        }
    }
    let v = header_str(headers, "retry-after")?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok().and_then(sane);
    }
    let when = httpdate::parse_http_date(v).ok()?;
    when.duration_since(SystemTime::now()).ok().and_then(sane)
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
