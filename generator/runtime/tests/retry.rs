//! Unit tests of the retry policy helpers.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use sdk_runtime::retry::{retry_after, should_retry_response, RetryPolicy};

use reqwest::header::HeaderValue;

#[test]
fn backoff_doubles_caps_and_jitters() {
    let p = RetryPolicy::default();
    for _ in 0..100 {
        let d0 = p.backoff(0);
        assert!(d0 <= Duration::from_millis(500) && d0 >= Duration::from_millis(375));
        let d10 = p.backoff(10);
        assert!(d10 <= Duration::from_secs(8) && d10 >= Duration::from_secs(6));
        assert!(p.backoff(u32::MAX) <= Duration::from_secs(8));
    }
}

#[test]
fn retry_after_parsing() {
    let mut h = HeaderMap::new();
    h.insert("retry-after", HeaderValue::from_static("2"));
    assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
    h.insert("retry-after-ms", HeaderValue::from_static("10.5"));
    assert_eq!(retry_after(&h), Some(Duration::from_micros(10_500)));
    h.insert("retry-after-ms", HeaderValue::from_static("nonsense"));
    assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
    h.insert("retry-after", HeaderValue::from_static("3600"));
    assert_eq!(retry_after(&h), None);
    h.insert("retry-after", HeaderValue::from_static("-1"));
    assert_eq!(retry_after(&h), None);
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    h.insert("retry-after", HeaderValue::from_str(&date).unwrap());
    let d = retry_after(&h).unwrap();
    assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30));
    h.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
    assert_eq!(retry_after(&h), None);
}

#[test]
fn status_rules() {
    let mut h = HeaderMap::new();
    for s in [408, 409, 429, 500, 502, 503, 504] {
        assert!(should_retry_response(StatusCode::from_u16(s).unwrap(), &h), "{s}");
    }
    for s in [400, 401, 403, 404, 422] {
        assert!(!should_retry_response(StatusCode::from_u16(s).unwrap(), &h), "{s}");
    }
    h.insert("x-should-retry", HeaderValue::from_static("false"));
    assert!(!should_retry_response(StatusCode::SERVICE_UNAVAILABLE, &h));
    h.insert("x-should-retry", HeaderValue::from_static("true"));
    assert!(should_retry_response(StatusCode::BAD_REQUEST, &h));
}
