//! With the `tracing` feature, a call records one span per call and per attempt and an event
//! per attempt (status, duration, request id) and per retry, and never a credential, a query
//! string or a filled-in path. `cargo xtask test` runs this with `--features sdk-runtime/tracing`.

mod common;

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Everything recorded, as `name field=value ...` lines.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<Mutex<u64>>,
}

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Subscriber for Recorder {
    /// Only what the runtime records (reqwest and hyper have their own events).
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("sdk_runtime")
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = Line(format!("span {}", span.metadata().name()));
        span.record(&mut line);
        self.lines.lock().unwrap().push(line.0);
        let mut next = self.next_id.lock().unwrap();
        *next += 1;
        Id::from_u64(*next)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(format!("event {}", event.metadata().level()));
        event.record(&mut line);
        self.lines.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
#[cfg_attr(
    not(feature = "tracing"),
    ignore = "needs the runtime's `tracing` feature; `cargo xtask test` runs it with --features sdk-runtime/tracing"
)]
async fn calls_and_attempts_are_traced_without_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/client/v4/zones/zone-SECRET-id"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/client/v4/zones/zone-SECRET-id"))
        .respond_with(ResponseTemplate::new(200).insert_header("cf-ray", "ray-123").set_body_json(common::ok_zone()))
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let client = common::token_client(&format!("{}/client/v4", server.uri()));
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let zone = common::get_zone(&client, "zone-SECRET-id").await.unwrap();
    assert_eq!(zone.id, "abc");
    let lines = recorder.lines.lock().unwrap().join("\n");
    for expected in [
        "span sdk.call operation=\"zones-get\" method=GET path=\"/zones/{zone_id}\"",
        "span sdk.attempt attempt=1",
        "event INFO message=response status=503",
        "event INFO message=retrying delay_ms=",
        "span sdk.attempt attempt=2",
        "event INFO message=response status=200 elapsed_ms=",
        "request_id=\"ray-123\"",
    ] {
        assert!(lines.contains(expected), "`{expected}` missing from:\n{lines}");
    }
    assert!(!lines.contains("SECRET"), "a credential or a filled-in path was recorded:\n{lines}");
}
