//! `cargo xtask contract`: runs a generated SDK's contract tests (`tests/contract.rs`, one test
//! per operation) against Prism's mock of the same spec, and reports per operation.
//!
//! ```text
//! cargo xtask contract SPEC [--config FILE] [--out DIR] [--filter SUBSTR] [--threads N]
//!                           [--sdk DIR] [--require-all] [--prism-errors] [--timeout SECS]
//!                           [--prism-timeout SECS] [--cargo-arg ARG]...
//! cargo xtask contract --corpus-sample [--limit N] [--filter SUBSTR] [--threads N]
//! cargo xtask contract --write-corpus-sample
//! ```
//!
//! Stages, each printed with counts and elapsed time:
//! 1. generate the SDK with its contract tests into `target/contract/<crate>/` (a standalone
//!    crate with the workspace's `Cargo.lock`), or, with `--sdk DIR`, take an already generated
//!    crate (the spec is still read, to map tests to operations);
//! 2. build the test binary (`cargo test --no-run --test contract`), every generated crate
//!    sharing one target directory, `target/contract-target/`, so dependencies build once;
//! 3. start the pinned Prism (`xtask/prism`) in mock mode on a free port with the same spec and
//!    wait until it accepts connections; when some path key holds a URL fragment
//!    (`/#X-Amz-Target=...`), Prism gets a copy with those keys renamed and the routing adapter
//!    ([`crate::prism_routes`]) is started in front of it;
//! 4. run the tests (`--include-ignored --test-threads N`) with `SDKGEN_CONTRACT_URL` set to
//!    Prism's root (or the adapter's), stop both, parse libtest's output, and write `report.md`
//!    and `report.json` into the out folder.
//!
//! What Prism does and does not do (found by running it; `prism mock --help` for the flags):
//! - It validates every request (parameters, headers, security, JSON bodies) in its default
//!   mode. A request that breaks the spec is answered with the spec's own 422/400/4XX response
//!   when there is one, the violations then only in the `sl-violations` header, else with a
//!   `application/problem+json` 422 whose `validation` array lists them. The runner takes the
//!   violations from the test's panic message when it carries them, else from Prism's log
//!   (`prism.log`), matched to the operation by method and path template.
//! - `--errors` (our `--prism-errors`) additionally turns a response that breaks the spec (an
//!   example that does not match its own schema) into a 500. It is off by default so that such
//!   an example reaches the SDK's decoder, which is what the test is about.
//! - It routes the spec's paths without the servers' path prefix, so the base URL given to the
//!   tests is Prism's root (`http://127.0.0.1:<port>`).
//! - It reads JSON and YAML documents, OpenAPI 3.0 and 3.1 (every document tried loaded); a
//!   document it cannot load makes it exit during startup, reported with its output. It loads
//!   Cloudflare's whole document (12.5 MB) in about 26 s, so the start timeout is 300 s.
//! - Its other gaps, found by sending it requests, are `PRISM_GAPS`, listed in every report.
//!
//! The exit status is non-zero only when the runner itself fails (generation, the build of the
//! crate and its tests, whose errors the report then shows, Prism's start), or, with
//! `--require-all`, when any operation does not pass. Test failures are the report's content.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The shared target directory of every generated crate's build, relative to the root.
const TARGET_DIR: &str = "target/contract-target";
/// Where generated crates and reports go by default, relative to the root.
const OUT_ROOT: &str = "target/contract";
/// The fixed corpus sample, one document (path below the corpus's `api/`) a line.
const SAMPLE_LIST: &str = "xtask/contract-sample.txt";
/// How many documents the corpus sample holds.
const SAMPLE_SIZE: usize = 50;
/// Corpus documents larger than this are left out of the sample: their crates take minutes
/// to compile, and the sample is about breadth.
const SAMPLE_MAX_BYTES: u64 = 512 * 1024;
/// The environment variable the generated tests read the mock's base URL from.
pub const URL_ENV: &str = "SDKGEN_CONTRACT_URL";

/// Prism's gaps that the runner works around or that limit what a pass proves; listed in
/// every report.
const PRISM_GAPS: &[&str] = &[
    "Prism routes paths without the servers' path prefix (`/client/v4` for Cloudflare): the tests get Prism's root as their base URL.",
    "When the spec declares its own 4XX response, Prism answers an invalid request with it and lists the violations only in the `sl-violations` header; the report then takes them from Prism's log.",
    "Prism reads multipart parts as strings: a part declared as an object (a JSON part, by `encoding`) sent as a plain form field is rejected with `must be object` even when valid (seen with curl -F and `type=application/json`); a list of files sent as repeated parts is rejected with `must be array`; and a part the schema does not list in `properties` (one allowed by `additionalProperties`) is not read at all, so a required one is reported missing (seen with curl -F against a two-line schema, with one file, two files and a text value). JSON, form, multipart and binary bodies are otherwise validated (required properties, types, maxLength, content type).",
    "Prism checks that a credential is present where the spec requires one, not its value.",
    "Prism reads a required query parameter sent empty (`?linkId=`) as missing: the generated tests never send empty parameters.",
    "Prism cannot produce some declared responses and answers its own 500 instead (reported as `mock limit (Prism)`): NDJSON (`Cannot find serializer for application/x-ndjson`), `*/*`, and an object schema served as `text/event-stream` (`Cannot serialise complex objects as text`).",
    "Without `--prism-errors`, Prism does not validate its own responses: a spec example that breaks its own schema is served as is (the SDK has to decode it); with it, such a response is a 500 `unexpected status` naming the violation.",
    "Prism routes by the spec's path key and never by a header or query value, so a key with a URL fragment (APIs.guru's `/#X-Amz-Target=Service.Operation` for AWS, which the SDK sends as `POST /` with that header) cannot be reached: Prism gets a copy of the document (`prism-spec.json`) in which each such key is renamed to a routable one, and a routing adapter in front of Prism moves a request there when its method, path and the fragment's header or query values match (see \"Routing adapter\" when a document has such keys).",
    "Prism 5.16 loaded every document tried (the 50 of the corpus sample, 5 OpenAPI 3.1 documents of the corpus, the 3.1 fixture); whether it validates 3.1-only schema keywords was not checked. A document it cannot load stops the run with its output.",
];

/// One test of `tests/contract.rs` and the operation it calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// libtest's name of the test (`zones::dns::records::list`).
    pub test: String,
    /// The operation's id.
    pub operation_id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Why the operation cannot be called through the public API, when it cannot.
    pub not_callable: Option<String>,
}

/// How one operation's test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The call was accepted and its response decoded (and, where checked, kept everything).
    Passed,
    /// The mock answered 4xx: the request broke the spec.
    RequestRejected,
    /// Any other status the operation does not document as success.
    UnexpectedStatus,
    /// Prism could not produce the response the spec declares (its own 500: no serializer for
    /// the media type, objects as text): a limit of the mock, not a verdict on the SDK.
    MockLimit,
    /// The response did not decode into the operation's type.
    ResponseUndecodable,
    /// The decoded response, serialized again, differs from what was received.
    ResponseChanged,
    /// Timeout, connection, configuration or client-side validation error.
    Transport,
    /// The generator could not build a call through the public API.
    NotCallable,
    /// The test panicked without one of the contract messages.
    Panicked,
    /// The test binary did not build.
    DidNotCompile,
    /// The test has no result (the binary stopped, was killed at the time limit, or the
    /// test was filtered out).
    DidNotRun,
}

/// The panic-message prefixes of the generated tests, and what each means.
const PREFIXES: [(&str, Outcome); 6] = [
    ("contract: request rejected: ", Outcome::RequestRejected),
    ("contract: unexpected status: ", Outcome::UnexpectedStatus),
    ("contract: response undecodable: ", Outcome::ResponseUndecodable),
    ("contract: transport: ", Outcome::Transport),
    ("contract: response changed: ", Outcome::ResponseChanged),
    ("contract: not callable: ", Outcome::NotCallable),
];

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 11] = [
        Outcome::Passed,
        Outcome::RequestRejected,
        Outcome::UnexpectedStatus,
        Outcome::MockLimit,
        Outcome::ResponseUndecodable,
        Outcome::ResponseChanged,
        Outcome::Transport,
        Outcome::NotCallable,
        Outcome::Panicked,
        Outcome::DidNotCompile,
        Outcome::DidNotRun,
    ];

    /// The name the report uses.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::RequestRejected => "request rejected",
            Outcome::UnexpectedStatus => "unexpected status",
            Outcome::MockLimit => "mock limit (Prism)",
            Outcome::ResponseUndecodable => "response undecodable",
            Outcome::ResponseChanged => "response changed",
            Outcome::Transport => "transport",
            Outcome::NotCallable => "not callable",
            Outcome::Panicked => "test panicked",
            Outcome::DidNotCompile => "did not compile",
            Outcome::DidNotRun => "did not run",
        }
    }
}

/// What libtest said about one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestStatus {
    /// `test NAME ... ok`.
    Ok,
    /// `test NAME ... FAILED`, with the test's captured output from its `---- NAME stdout ----`
    /// section (empty when there is none).
    Failed(String),
    /// `test NAME ... ignored`.
    Ignored,
}

/// Parses libtest's human output: every `test NAME ... RESULT` line, and the captured output
/// of each failed test from the `---- NAME stdout ----` sections.
pub fn parse_libtest(stdout: &str) -> BTreeMap<String, TestStatus> {
    let mut statuses = BTreeMap::new();
    let mut sections: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("---- ").and_then(|rest| rest.strip_suffix(" stdout ----")) {
            if let Some((name, text)) = current.take() {
                sections.insert(name, text);
            }
            current = Some((name.to_string(), String::new()));
            continue;
        }
        // The list of failed names after the sections, and the final summary, end a section.
        if line == "failures:" || line.starts_with("test result: ") {
            if let Some((name, text)) = current.take() {
                sections.insert(name, text);
            }
            continue;
        }
        if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
            continue;
        }
        if let Some((name, status)) = line.strip_prefix("test ").and_then(|rest| rest.rsplit_once(" ... ")) {
            let status = match status.trim() {
                "ok" => TestStatus::Ok,
                "FAILED" => TestStatus::Failed(String::new()),
                s if s.starts_with("ignored") => TestStatus::Ignored,
                _ => continue,
            };
            statuses.insert(name.to_string(), status);
        }
    }
    if let Some((name, text)) = current.take() {
        sections.insert(name, text);
    }
    for (name, text) in sections {
        if let Some(TestStatus::Failed(output)) = statuses.get_mut(&name) {
            *output = text.trim().to_string();
        }
    }
    statuses
}

/// The outcome and the detail of a failed test's captured output.
pub fn classify_failure(output: &str) -> (Outcome, String) {
    let message = panic_message(output);
    let found =
        PREFIXES.iter().filter_map(|(prefix, outcome)| message.find(prefix).map(|at| (at, prefix, *outcome))).min();
    match found {
        Some((at, _, Outcome::UnexpectedStatus)) if is_mock_limit(&message[at..]) => {
            (Outcome::MockLimit, message[at + PREFIXES[1].0.len()..].trim().to_string())
        }
        Some((at, prefix, outcome)) => (outcome, message[at + prefix.len()..].trim().to_string()),
        None if message.is_empty() => (Outcome::Panicked, "no output captured".into()),
        None => (Outcome::Panicked, message),
    }
}

/// Prism's own errors for a response it cannot produce (found running the fixtures and the
/// corpus sample: NDJSON, `*/*`, an object schema served as `text/event-stream`).
const MOCK_LIMITS: [&str; 2] = ["\"title\":\"Cannot find serializer for", "errors#NO_COMPLEX_OBJECT_TEXT"];

fn is_mock_limit(message: &str) -> bool {
    message.contains("stoplight.io/prism/errors#") && MOCK_LIMITS.iter().any(|limit| message.contains(limit))
}

/// The panic message in a test's captured output: what follows `thread '...' panicked at
/// FILE:LINE:COL:` (or the older `panicked at 'MESSAGE', FILE`), without libtest's backtrace
/// note or a backtrace; the whole output when there is no panic line.
fn panic_message(output: &str) -> String {
    let mut lines = output.lines();
    let mut message = String::new();
    let mut found = false;
    for line in lines.by_ref() {
        // `thread 'NAME' panicked at`, or with the thread's id: `thread 'NAME' (1234) panicked at`.
        let panic_line = line.starts_with("thread '").then(|| line.split_once(" panicked at ")).flatten();
        if let Some((_, rest)) = panic_line {
            found = true;
            if let Some(old_style) = rest.strip_prefix('\'') {
                message.push_str(old_style.rsplit_once("', ").map_or(old_style, |(m, _)| m));
                message.push('\n');
            }
            break;
        }
    }
    if !found {
        return output.trim().to_string();
    }
    for line in lines {
        if line.starts_with("note: run with `RUST_BACKTRACE") || line.starts_with("stack backtrace:") {
            break;
        }
        message.push_str(line);
        message.push('\n');
    }
    message.trim().to_string()
}

/// The validation errors in a text: the `validation` array of Prism's problem+json body or
/// its `sl-violations` header, each as `location: message`. A body cut short still gives the
/// messages it holds.
pub fn violations(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for key in ["\"validation\":", "sl-violations: ", "sl-violations\": \"", "\"sl-violations\":"] {
        let mut rest = text;
        while let Some(at) = rest.find(key) {
            rest = &rest[at + key.len()..];
            let start = rest.trim_start();
            let mut values = serde_json::Deserializer::from_str(start).into_iter::<serde_json::Value>();
            if let Some(Ok(serde_json::Value::Array(items))) = values.next() {
                for item in items {
                    let location = item["location"]
                        .as_array()
                        .map(|parts| parts.iter().filter_map(|p| p.as_str()).collect::<Vec<_>>().join("."))
                        .unwrap_or_default();
                    let message = item["message"].as_str().unwrap_or_default();
                    let entry =
                        if location.is_empty() { message.to_string() } else { format!("{location}: {message}") };
                    if !entry.is_empty() && !found.contains(&entry) {
                        found.push(entry);
                    }
                }
            }
        }
    }
    if found.is_empty() && text.contains("\"validation\"") {
        // A body snippet cut before the array closes: the messages it does hold.
        let mut rest = text;
        while let Some(at) = rest.find("\"message\":\"") {
            rest = &rest[at + "\"message\":\"".len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_string());
            }
        }
    }
    found
}

/// One request in Prism's log and the violations Prism logged for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Upper-case method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// `location message` of every violation.
    pub violations: Vec<String>,
}

/// Every request in Prism's log (`[HTTP SERVER] get /path ℹ  info  Request received`) with
/// the `Violation: ...` lines that follow it. Prism handles a request's validation in one go,
/// so its lines are not interleaved with another request's.
pub fn parse_prism_log(log: &str) -> Vec<LoggedRequest> {
    let mut requests: Vec<LoggedRequest> = Vec::new();
    for line in log.lines() {
        if let Some((_, rest)) = line.split_once("[HTTP SERVER] ") {
            if line.contains("Request received") {
                let mut words = rest.split_whitespace();
                if let (Some(method), Some(target)) = (words.next(), words.next()) {
                    let path = target.split('?').next().unwrap_or(target);
                    requests.push(LoggedRequest {
                        method: method.to_ascii_uppercase(),
                        path: path.to_string(),
                        violations: Vec::new(),
                    });
                }
            }
        } else if let Some((_, violation)) = line.split_once("Violation: ") {
            if let Some(request) = requests.last_mut() {
                let violation = violation.trim().to_string();
                if !request.violations.contains(&violation) {
                    request.violations.push(violation);
                }
            }
        }
    }
    requests
}

/// Whether a request path matches a path template: same number of segments, literal
/// segments equal, a segment holding a `{parameter}` matching any non-empty segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| if t.contains('{') { !p.is_empty() } else { t == p })
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The operation's id.
    pub operation_id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// libtest's name of its test.
    pub test: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The test's message after the contract prefix (or why it did not run).
    pub detail: String,
    /// Prism's validation errors for a rejected request.
    pub violations: Vec<String>,
}

/// What the run produced besides per-test results.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    /// The compiler's first errors, when the test binary did not build.
    pub build_errors: Option<Vec<String>>,
    /// The first compiler error inside each test function that has one (by libtest name).
    pub test_errors: BTreeMap<String, String>,
    /// Why tests without a result did not run (the binary's exit, the time limit).
    pub no_result_reason: Option<String>,
    /// Requests in Prism's log.
    pub logged: Vec<LoggedRequest>,
    /// How Prism ended, when it exited before the tests did (a request crashed it).
    pub mock_exited: Option<String>,
    /// Spec path keys renamed for Prism (see [`crate::prism_routes`]) and their new keys.
    pub prism_keys: BTreeMap<String, String>,
}

/// One row per case, from libtest's results and what else the run found.
pub fn assemble(cases: &[Case], statuses: &BTreeMap<String, TestStatus>, facts: &RunFacts) -> Vec<Row> {
    cases
        .iter()
        .map(|case| {
            let mut row = Row {
                operation_id: case.operation_id.clone(),
                method: case.method.clone(),
                path: case.path.clone(),
                test: case.test.clone(),
                outcome: Outcome::DidNotRun,
                detail: String::new(),
                violations: Vec::new(),
            };
            if let Some(errors) = &facts.build_errors {
                // An error inside a test is that operation's; when errors are inside some
                // tests, the others merely did not run; when none is, the crate or the shared
                // part of the file failed and no operation compiled.
                if let Some(error) = facts.test_errors.get(&case.test) {
                    row.outcome = Outcome::DidNotCompile;
                    row.detail = error.clone();
                } else if facts.test_errors.is_empty() {
                    row.outcome = Outcome::DidNotCompile;
                    row.detail = errors.first().map(|e| first_line(e).to_string()).unwrap_or_default();
                } else {
                    row.detail = format!(
                        "the test binary did not build ({} other tests have compiler errors)",
                        facts.test_errors.len()
                    );
                }
                return row;
            }
            match statuses.get(&case.test) {
                Some(TestStatus::Ok) => row.outcome = Outcome::Passed,
                Some(TestStatus::Failed(output)) => {
                    let (outcome, detail) = classify_failure(output);
                    row.outcome = outcome;
                    row.detail = detail;
                    if outcome == Outcome::NotCallable {
                        if let Some(why) = &case.not_callable {
                            row.detail = why.clone();
                        }
                    }
                    let unroutable = row.detail.contains("errors#NO_PATH_MATCHED") || row.detail.contains("errors#NO_METHOD_MATCHED");
                    if outcome == Outcome::RequestRejected && unroutable && case.path.contains('#') {
                        // The routing adapter moves such a request to the key's routable copy
                        // only when it carries the fragment's values.
                        row.detail = format!(
                            "the spec's path holds a URL fragment (#...), and the routing adapter found no renamed key whose values the request carries: {}",
                            row.detail
                        );
                    }
                    if outcome == Outcome::Transport {
                        if let Some(exit) = &facts.mock_exited {
                            row.detail = format!("Prism had exited ({exit}), crashed by an earlier request: {}", row.detail);
                        }
                    }
                    if outcome == Outcome::RequestRejected {
                        // Prism logs a moved request under the key it has in Prism's copy.
                        let template = facts.prism_keys.get(&case.path).unwrap_or(&case.path).clone();
                        row.violations = violations(output);
                        if row.violations.is_empty() {
                            row.violations = facts
                                .logged
                                .iter()
                                .filter(|r| r.method == case.method && path_matches(&template, &r.path))
                                .flat_map(|r| r.violations.iter().map(|v| format!("{v} (Prism's log)")))
                                .fold(Vec::new(), |mut all, v| {
                                    if !all.contains(&v) {
                                        all.push(v);
                                    }
                                    all
                                });
                        }
                    }
                }
                Some(TestStatus::Ignored) => row.detail = "ignored by the test binary".into(),
                None => {
                    row.detail = facts.no_result_reason.clone().unwrap_or_else(|| "no result in the test output".into())
                }
            }
            row
        })
        .collect()
}

/// A failure reason without what differs between operations: URLs go (the path is in the
/// row), after a crash of Prism only that remains, then names and numbers are blanked.
fn reason_key(why: &str) -> String {
    if let Some((crash, _)) = why.split_once(", crashed by an earlier request") {
        return crate::corpus::normalize_message(&format!("{crash}, crashed by an earlier request"));
    }
    let words: Vec<&str> = why
        .split(' ')
        .map(|word| if word.starts_with("http://") || word.starts_with("https://") { "<url>" } else { word })
        .collect();
    crate::corpus::normalize_message(&words.join(" "))
}

/// `STATUS: TITLE` of a detail holding a problem+json body (Prism's own errors: `404 Not
/// Found {"type":...,"title":"Route not resolved, no path matched",...}`), for grouping.
fn problem_title(detail: &str) -> Option<String> {
    let at = detail.find('{')?;
    let title = detail[at..].split_once("\"title\":\"")?.1.split('"').next()?;
    Some(format!("{} {title}", detail[..at].trim()))
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
}

/// A report of one spec's run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The spec, as given.
    pub spec: String,
    /// The crate's folder.
    pub crate_dir: String,
    /// Where the report and the run's logs are.
    pub report_dir: String,
    /// One row per operation, in spec order.
    pub rows: Vec<Row>,
    /// The compiler's first errors, when the test binary did not build.
    pub build_errors: Option<Vec<String>>,
    /// Stage timings, in order.
    pub timings: Vec<(String, f64)>,
    /// How Prism ended and its last output, when it exited during the tests.
    pub mock_crash: Option<String>,
    /// Path keys Prism cannot route, renamed in its copy of the document, and how many
    /// requests the routing adapter moved to each.
    pub routes: Vec<RouteUse>,
    /// Spec defects repaired in Prism's copy of the document as the generator repaired them
    /// in the SDK (see [`spec_repairs`]): each node's pointer and the generator's note.
    pub repairs: Vec<Repair>,
}

/// A node of the spec left out of Prism's copy: its pointer and the generator's note.
pub type Repair = (String, String);

/// One path key the routing adapter served (see [`crate::prism_routes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteUse {
    /// The spec's key.
    pub spec_key: String,
    /// Its methods.
    pub methods: Vec<String>,
    /// The key in Prism's copy.
    pub prism_key: String,
    /// Requests moved to it.
    pub moved: usize,
}

impl Report {
    /// How many operations passed.
    pub fn passed(&self) -> usize {
        self.rows.iter().filter(|r| r.outcome == Outcome::Passed).count()
    }

    /// `N of M operations passed`.
    pub fn summary_line(&self) -> String {
        format!("{} of {} operations passed", self.passed(), self.rows.len())
    }

    /// Count of each failing outcome, in report order, zero counts left out.
    pub fn causes(&self) -> Vec<(Outcome, usize)> {
        Outcome::ALL
            .iter()
            .filter(|o| **o != Outcome::Passed)
            .map(|o| (*o, self.rows.iter().filter(|r| r.outcome == *o).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The most frequent failure reasons: outcome and normalized first violation or detail.
    pub fn top_reasons(&self, n: usize) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for row in self.rows.iter().filter(|r| r.outcome != Outcome::Passed) {
            let why = match row.violations.first() {
                Some(violation) => violation.clone(),
                None => problem_title(&row.detail).unwrap_or_else(|| first_line(&row.detail).to_string()),
            };
            let key = format!("{}: {}", row.outcome.name(), reason_key(&why));
            *counts.entry(key).or_default() += 1;
        }
        let mut sorted: Vec<(String, usize)> = counts.into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        sorted.truncate(n);
        sorted
    }

    /// The most frequent failing outcome, if any failed.
    pub fn top_cause(&self) -> Option<Outcome> {
        self.causes().into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(o, _)| o)
    }

    /// The summary printed to stdout and ending `report.md`: the final line, then the table
    /// of failure causes.
    pub fn summary(&self) -> String {
        let mut out = format!("{}\n", self.summary_line());
        let causes = self.causes();
        if !causes.is_empty() {
            out.push_str("\n| failure cause | operations |\n| --- | ---: |\n");
            for (outcome, count) in causes {
                let _ = writeln!(out, "| {} | {count} |", outcome.name());
            }
        }
        out
    }

    /// `report.md`.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Contract report: {}\n", md_cell(&self.spec));
        let _ = writeln!(out, "Crate: `{}`. Mock: Prism (pinned in `xtask/prism`).\n", md_cell(&self.crate_dir));
        if !self.timings.is_empty() {
            let stages: Vec<String> = self.timings.iter().map(|(s, t)| format!("{s} {t:.1} s")).collect();
            let _ = writeln!(out, "Stages: {}.\n", stages.join(", "));
        }
        if let Some(errors) = &self.build_errors {
            out.push_str("## The test binary did not build\n\nThe compiler's first errors:\n\n```text\n");
            for error in errors {
                out.push_str(error.trim_end());
                out.push('\n');
            }
            out.push_str("```\n\n");
        }
        if let Some(crash) = &self.mock_crash {
            out.push_str("## Prism exited during the tests\n\nEvery later call failed to connect (`transport`). Its last output:\n\n```text\n");
            out.push_str(&crash.replace("```", "'''"));
            out.push_str("\n```\n\n");
        }
        out.push_str("## Prism's known gaps\n\n");
        for gap in PRISM_GAPS {
            let _ = writeln!(out, "- {gap}");
        }
        if !self.routes.is_empty() {
            let moved: usize = self.routes.iter().map(|r| r.moved).sum();
            let _ = writeln!(
                out,
                "\n## Routing adapter\n\n{} path keys hold a URL fragment, which Prism cannot route; its copy of the document names them as below, and the adapter moved {moved} requests to them (by method, route and the fragment's header or query values; every other request passed unchanged).\n\n| spec's key | methods | Prism's key | requests moved |\n| --- | --- | --- | ---: |",
                self.routes.len()
            );
            for route in &self.routes {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    md_cell(&route.spec_key),
                    route.methods.join(", "),
                    md_cell(&route.prism_key),
                    route.moved
                );
            }
        }
        if !self.repairs.is_empty() {
            let _ = writeln!(
                out,
                "\n## Spec repairs in Prism's copy\n\n{} parameters are declared `in: path` where the path template has no slot for them: no request can carry them, so Prism, validating the spec as written, rejects every call. The generator left them out of the SDK (`unused-path-parameter`), and Prism's copy of the document (`prism-spec.json`) leaves them out too, so that Prism checks the rest of each call.\n\n| node left out | generator's note |\n| --- | --- |",
                self.repairs.len()
            );
            for (pointer, note) in &self.repairs {
                let _ = writeln!(out, "| {} | {} |", md_cell(pointer), md_cell(note));
            }
        }
        let reasons = self.top_reasons(20);
        if !reasons.is_empty() {
            out.push_str("\n## Most frequent failure reasons\n\n| reason | operations |\n| --- | ---: |\n");
            for (reason, count) in reasons {
                let _ = writeln!(out, "| {} | {count} |", md_cell(&reason));
            }
        }
        out.push_str(
            "\n## Operations\n\n| operation | method | path | outcome | why |\n| --- | --- | --- | --- | --- |\n",
        );
        for row in &self.rows {
            let why = if row.violations.is_empty() { row.detail.clone() } else { row.violations.join("; ") };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md_cell(&row.operation_id),
                md_cell(&row.method),
                md_cell(&row.path),
                row.outcome.name(),
                md_cell(&truncate(&why, 400))
            );
        }
        out.push('\n');
        out.push_str(&self.summary());
        out
    }

    /// `report.json`.
    pub fn json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "operation": r.operation_id,
                    "method": r.method,
                    "path": r.path,
                    "test": r.test,
                    "outcome": r.outcome.name(),
                    "detail": r.detail,
                    "violations": r.violations,
                })
            })
            .collect();
        let causes: serde_json::Map<String, serde_json::Value> =
            self.causes().into_iter().map(|(o, n)| (o.name().to_string(), n.into())).collect();
        serde_json::json!({
            "spec": self.spec,
            "crate": self.crate_dir,
            "passed": self.passed(),
            "total": self.rows.len(),
            "causes": causes,
            "build_errors": self.build_errors,
            "mock_crash": self.mock_crash,
            "prism_gaps": PRISM_GAPS,
            "routing_adapter": self.routes.iter().map(|r| serde_json::json!({
                "spec_key": r.spec_key,
                "methods": r.methods,
                "prism_key": r.prism_key,
                "moved": r.moved,
            })).collect::<Vec<_>>(),
            "spec_repairs": self.repairs.iter().map(|(pointer, note)| serde_json::json!({
                "pointer": pointer,
                "note": note,
            })).collect::<Vec<_>>(),
            "operations": rows,
        })
    }
}

/// Text safe in one Markdown table cell: one line, no `|`, no HTML, code spans kept literal.
fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).collect::<String>() + "…"
    }
}

/// A running `prism mock`, in its own process group; the group is killed and the process
/// reaped on drop, so no path (an error, a panic) leaves it running. On Linux it also dies
/// with the thread that started it (`PR_SET_PDEATHSIG`), which covers the runner being killed.
pub struct Prism {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

impl Prism {
    /// Starts `program args...` as the mock, its output going to `log`.
    pub fn spawn(program: &Path, args: &[String], port: u16, log: &Path) -> Result<Prism, String> {
        use std::os::unix::process::CommandExt as _;
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(program);
        command.args(args).stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
        // SAFETY: prctl is async-signal-safe and touches only the new process's own state.
        unsafe {
            command.pre_exec(|| {
                #[cfg(target_os = "linux")]
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().map_err(|e| format!("cannot start Prism ({}): {e}", program.display()))?;
        Ok(Prism { child, port, log: log.to_path_buf() })
    }

    /// Starts the pinned Prism on a free port with `spec` and waits (up to `timeout`) until
    /// it accepts connections.
    pub fn start(bin: &Path, spec: &Path, strict: bool, log: &Path, timeout: Duration) -> Result<Prism, String> {
        let port = free_port()?;
        let mut args: Vec<String> = vec!["mock".into(), "-h".into(), "127.0.0.1".into(), "-p".into(), port.to_string()];
        if strict {
            args.push("--errors".into());
        }
        args.push(spec.to_string_lossy().into_owned());
        let mut prism = Prism::spawn(bin, &args, port, log)?;
        prism.wait_ready(timeout)?;
        Ok(prism)
    }

    /// Waits until the port accepts connections, failing (with the end of Prism's output)
    /// when the process exits or `timeout` passes.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("Prism exited during startup ({status}); its output:\n{}", self.output_tail(40)));
            }
            if std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > timeout {
                return Err(format!(
                    "Prism did not accept connections within {} s; its output:\n{}",
                    timeout.as_secs(),
                    self.output_tail(40)
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Option<String> {
        self.child.try_wait().ok().flatten().map(|status| status.to_string())
    }

    /// Prism's root, which the tests use as the base URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The process id.
    #[cfg(test)]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last `n` lines of its output.
    pub fn output_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signals the process group this guard created (its leader's id), nothing else.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The pinned Prism, installed by `npm ci` in `xtask/prism` when missing.
pub fn prism_binary() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("SDKGEN_PRISM").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let dir = crate::project_root().join("xtask/prism");
    let bin = dir.join("node_modules/.bin/prism");
    if !bin.exists() {
        eprintln!("installing Prism (npm ci in xtask/prism)...");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !status.success() {
            return Err("npm ci failed in xtask/prism".into());
        }
    }
    Ok(bin)
}

/// Options of one spec's run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--out`: the crate's folder (reports go beside its files).
    pub out: Option<PathBuf>,
    /// `--sdk`: an already generated crate.
    pub sdk: Option<PathBuf>,
    /// `--filter`: only tests whose name contains this.
    pub filter: Option<String>,
    /// `--threads`.
    pub threads: usize,
    /// `--prism-errors`.
    pub strict: bool,
    /// `--timeout`: the whole test run.
    pub timeout: Duration,
    /// `--prism-timeout`: Prism's startup.
    pub prism_timeout: Duration,
    /// Print the per-stage progress lines.
    pub progress: bool,
    /// More arguments for the build's `cargo test --no-run` (`cargo xtask test` passes its
    /// workspace run's, so that the binary that run built is reused, not rebuilt with other
    /// features).
    pub cargo_args: Vec<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            config: None,
            out: None,
            sdk: None,
            filter: None,
            threads: 8,
            strict: false,
            timeout: Duration::from_secs(1800),
            prism_timeout: Duration::from_secs(300),
            progress: true,
            cargo_args: Vec::new(),
        }
    }
}

/// Generates the crate with its contract tests (`contract_tests` on) and the cases that map
/// its tests to operations.
fn generate(spec: &Path, options: &RunOptions, crate_path: &str) -> Result<sdkgen::Generated, String> {
    let generator_options = sdkgen::Options {
        provenance: sdkgen::Provenance {
            spec: display_path(spec),
            command: "cargo xtask contract".into(),
            crate_path: crate_path.into(),
        },
        standalone: true,
        lenient: true,
        contract_tests: true,
    };
    sdkgen::generate_from_paths(spec, options.config.as_deref(), &generator_options).map_err(|e| e.to_string())
}

/// The cases of a model: each contract test and its operation.
pub fn cases(api: &sdkgen::ir::Api) -> Vec<Case> {
    let mut cases = sdkgen::contract_cases(api);
    // The report lists operations in the spec's order.
    cases.sort_by_key(|case| case.operation);
    cases
        .into_iter()
        .filter_map(|case| {
            let operation = api.operations.get(case.operation)?;
            Some(Case {
                test: case.test,
                operation_id: operation.id.clone(),
                method: operation.method.to_ascii_uppercase(),
                path: operation.path.clone(),
                not_callable: case.not_callable,
            })
        })
        .collect()
}

/// A path relative to the root when it is inside it.
fn display_path(path: &Path) -> String {
    let root = crate::project_root();
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    absolute.strip_prefix(&root).unwrap_or(&absolute).to_string_lossy().into_owned()
}

/// The result of building the test binary.
struct Build {
    /// The test executable, when it built.
    executable: Option<PathBuf>,
    /// The compiler's first errors.
    errors: Vec<String>,
    /// Up to 1,000 errors, to find which tests have one.
    all_errors: Vec<String>,
    /// Crates compiled (not already up to date).
    artifacts: usize,
}

/// `cargo test --no-run --test contract`, reading cargo's JSON messages for the executable
/// and the first errors, with a progress line every 50 crates.
fn build_tests(dir: &Path, reports: &Path, target: Option<&Path>, options: &RunOptions) -> Result<Build, String> {
    let progress = options.progress;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let stderr_path = reports.join("build.stderr");
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let mut command = Command::new(cargo);
    command
        .args(["test", "--no-run", "--test", "contract", "--message-format", "json-render-diagnostics"])
        .args(&options.cargo_args)
        .current_dir(dir)
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let mut child = command.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    let started = Instant::now();
    let contract_source = std::fs::canonicalize(dir.join("tests/contract.rs")).ok();
    let mut build = Build { executable: None, errors: Vec::new(), all_errors: Vec::new(), artifacts: 0 };
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            if message["reason"] == "compiler-artifact" && message["fresh"] == false {
                build.artifacts += 1;
                if progress && build.artifacts.is_multiple_of(50) {
                    eprintln!("  built {} crates ({:.0} s)", build.artifacts, started.elapsed().as_secs_f64());
                }
            }
            // The crate's own `tests/contract.rs` (with `--workspace`, another package may have
            // a test target of that name too).
            let source = message["target"]["src_path"].as_str().and_then(|p| std::fs::canonicalize(p).ok());
            if message["reason"] == "compiler-artifact" && source.is_some() && source == contract_source {
                if let Some(executable) = message["executable"].as_str() {
                    build.executable = Some(PathBuf::from(executable));
                }
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    // With `json-render-diagnostics`, cargo renders the compiler's messages on stderr.
    let text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_path);
    if !status.success() {
        build.executable = None;
        build.all_errors = first_errors(&text, 1000);
        build.errors = build.all_errors.iter().take(5).cloned().collect();
        if build.errors.is_empty() {
            build
                .errors
                .push(text.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(build)
}

/// The first `n` `error` diagnostics of rendered compiler output, each with its location and
/// source lines (up to the blank line that ends it).
pub fn first_errors(stderr: &str, n: usize) -> Vec<String> {
    let mut errors = Vec::new();
    let mut current: Option<String> = None;
    for line in stderr.lines() {
        let starts_error = line.starts_with("error") && !line.starts_with("error: could not compile");
        let ends = line.trim().is_empty()
            || line.starts_with("warning")
            || line.starts_with("error: could not compile")
            || (starts_error && current.is_some());
        if ends {
            if let Some(error) = current.take() {
                errors.push(error.trim_end().to_string());
                if errors.len() == n {
                    return errors;
                }
            }
        }
        if starts_error {
            current = Some(format!("{line}\n"));
        } else if let Some(error) = current.as_mut() {
            error.push_str(line);
            error.push('\n');
        }
    }
    if let Some(error) = current {
        errors.push(error.trim_end().to_string());
    }
    errors.truncate(n);
    errors
}

/// Where each test function of a prettyplease-formatted test file starts: its first line
/// (1-based) and its libtest name, from the `mod NAME {` lines around it (nesting read from
/// the indentation).
pub fn test_functions(source: &str) -> Vec<(usize, String)> {
    let mut modules: Vec<(usize, String)> = Vec::new();
    let mut functions = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim_start();
        let text = text.strip_prefix("pub ").unwrap_or(text);
        let item = if let Some(rest) = text.strip_prefix("mod ") {
            Some((true, rest))
        } else {
            text.strip_prefix("async fn ").or_else(|| text.strip_prefix("fn ")).map(|rest| (false, rest))
        };
        let Some((is_module, rest)) = item else { continue };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '#').collect();
        let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
        if name.is_empty() {
            continue;
        }
        while modules.last().is_some_and(|(level, _)| *level >= indent) {
            modules.pop();
        }
        if is_module {
            modules.push((indent, name));
        } else {
            let mut path: Vec<&str> = modules.iter().map(|(_, m)| m.as_str()).collect();
            path.push(&name);
            functions.push((index + 1, path.join("::")));
        }
    }
    functions
}

/// The first error located in each test function of `file` (`tests/contract.rs`), from the
/// rendered errors (`--> tests/contract.rs:LINE:COL`).
pub fn errors_by_test(errors: &[String], source: &str, file: &str) -> BTreeMap<String, String> {
    let functions = test_functions(source);
    let marker = format!("--> {file}:");
    let mut by_test = BTreeMap::new();
    for error in errors {
        let Some(line) = error.lines().find_map(|l| {
            let (_, rest) = l.split_once(&marker)?;
            rest.split(':').next()?.parse::<usize>().ok()
        }) else {
            continue;
        };
        if let Some((_, test)) = functions.iter().rev().find(|(start, _)| *start <= line) {
            by_test.entry(test.clone()).or_insert_with(|| format!("{} ({file}:{line})", first_line(error)));
        }
    }
    by_test
}

/// Runs one spec end to end; `Err` only when the runner itself fails.
pub fn run_spec(spec: &Path, options: &RunOptions) -> Result<Report, String> {
    let root = crate::project_root();
    let say = |text: String| {
        if options.progress {
            eprintln!("{text}");
        }
    };
    let mut timings: Vec<(String, f64)> = Vec::new();

    // 1. The crate and its cases.
    let started = Instant::now();
    // `dir` is the crate; `reports` gets the reports, logs and outputs (the crate's own folder
    // when the runner generated it, never a crate it was given).
    let (dir, api, target, reports) = match &options.sdk {
        Some(sdk) => {
            let generated = generate(spec, options, &display_path(sdk))?;
            if !sdk.join("tests/contract.rs").is_file() {
                return Err(format!(
                    "{} has no tests/contract.rs: generate it with the contract tests on ([tests] contract = true)",
                    sdk.display()
                ));
            }
            let reports = match &options.out {
                Some(out) => out.clone(),
                None => root.join(OUT_ROOT).join(format!("{}-given", generated.api.package.name)),
            };
            std::fs::create_dir_all(&reports).map_err(|e| format!("{}: {e}", reports.display()))?;
            // A crate inside a workspace builds in the workspace's target directory.
            (sdk.clone(), generated.api, None, reports)
        }
        None => {
            let generated = generate(spec, options, "target/contract")?;
            if !generated.files.iter().any(|file| file.path == "tests/contract.rs") {
                return Err("the generator wrote no tests/contract.rs (contract_tests is on)".into());
            }
            let dir = match &options.out {
                Some(out) => out.clone(),
                None => root.join(OUT_ROOT).join(&generated.api.package.name),
            };
            sdkgen::write::write(&generated.files, &dir).map_err(|e| e.to_string())?;
            std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
                .map_err(|e| format!("copying Cargo.lock: {e}"))?;
            (dir.clone(), generated.api, Some(root.join(TARGET_DIR)), dir)
        }
    };
    let mut cases = cases(&api);
    if let Some(filter) = &options.filter {
        cases.retain(|case| case.test.contains(filter.as_str()));
    }
    let not_callable = cases.iter().filter(|c| c.not_callable.is_some()).count();
    let seconds = started.elapsed().as_secs_f64();
    say(format!(
        "[1/4] {} {} operations, {} contract tests ({not_callable} not callable), crate {} ({seconds:.1} s)",
        if options.sdk.is_some() { "model of" } else { "generated" },
        api.operations.len(),
        cases.len(),
        dir.display()
    ));
    timings.push(("generate".into(), seconds));
    let mut report = Report {
        spec: display_path(spec),
        crate_dir: display_path(&dir),
        report_dir: display_path(&reports),
        rows: Vec::new(),
        build_errors: None,
        timings: Vec::new(),
        mock_crash: None,
        routes: Vec::new(),
        repairs: Vec::new(),
    };

    // 2. The test binary.
    let started = Instant::now();
    let build = build_tests(&dir, &reports, target.as_deref(), options)?;
    let seconds = started.elapsed().as_secs_f64();
    timings.push(("build".into(), seconds));
    let Some(executable) = build.executable else {
        say(format!("[2/4] the test binary did not build ({seconds:.1} s); the compiler's first errors:"));
        for error in &build.errors {
            say(error.clone());
        }
        let source = std::fs::read_to_string(dir.join("tests/contract.rs")).unwrap_or_default();
        let test_errors = errors_by_test(&build.all_errors, &source, "tests/contract.rs");
        let facts = RunFacts { build_errors: Some(build.errors.clone()), test_errors, ..RunFacts::default() };
        report.rows = assemble(&cases, &BTreeMap::new(), &facts);
        report.build_errors = Some(build.errors);
        report.timings = timings;
        write_report(&report, &reports)?;
        return Ok(report);
    };
    say(format!("[2/4] built the test binary ({} crates compiled) in {seconds:.1} s", build.artifacts));

    // 3. Prism.
    let started = Instant::now();
    let prism_bin = prism_binary()?;
    let log = reports.join("prism.log");
    let (prism_spec, routes, repairs) = prism_document(spec, &api, &reports)?;
    report.repairs = repairs;
    let mut prism = Prism::start(&prism_bin, &prism_spec, options.strict, &log, options.prism_timeout)?;
    let adapter = match routes.is_empty() {
        true => None,
        false => Some(crate::prism_routes::Adapter::start(routes.clone(), prism.port)?),
    };
    let url = adapter.as_ref().map(|a| a.base_url()).unwrap_or_else(|| prism.base_url());
    let seconds = started.elapsed().as_secs_f64();
    timings.push(("prism start".into(), seconds));
    say(format!("[3/4] Prism ready on {} in {seconds:.1} s (log: {})", prism.base_url(), log.display()));
    if adapter.is_some() {
        say(format!(
            "      {} path keys with a fragment renamed for Prism; the tests go through the routing adapter at {url}",
            routes.len()
        ));
    }

    // 4. The tests.
    let started = Instant::now();
    let (statuses, no_result_reason) = run_tests(&executable, &dir, &reports, &url, options)?;
    let mock_exited = prism.exited();
    report.mock_crash = mock_exited.as_ref().map(|status| format!("{status}\n{}", prism.output_tail(30)));
    let moved = adapter.as_ref().map(|a| a.moved()).unwrap_or_default();
    drop(adapter);
    drop(prism);
    report.routes = routes
        .iter()
        .enumerate()
        .map(|(index, r)| RouteUse {
            spec_key: r.spec_key.clone(),
            methods: r.methods.clone(),
            prism_key: r.prism_key.clone(),
            moved: moved.get(&index).copied().unwrap_or(0),
        })
        .collect();
    let seconds = started.elapsed().as_secs_f64();
    timings.push(("tests".into(), seconds));
    let facts = RunFacts {
        no_result_reason,
        logged: parse_prism_log(&std::fs::read_to_string(&log).unwrap_or_default()),
        mock_exited,
        prism_keys: routes.iter().map(|r| (r.spec_key.clone(), r.prism_key.clone())).collect(),
        ..RunFacts::default()
    };
    report.rows = assemble(&cases, &statuses, &facts);
    say(format!("[4/4] ran {} tests in {seconds:.1} s", statuses.len()));
    report.timings = timings;
    write_report(&report, &reports)?;
    Ok(report)
}

/// The document Prism serves: the spec itself, or, when some operation's path key holds a URL
/// fragment or the generator repaired a spec defect [`spec_repairs`] lists, a copy with those
/// keys renamed and those repairs made (`prism-spec.json` beside the reports), the routes the
/// adapter maps onto the renamed keys, and the repairs.
fn prism_document(
    spec: &Path,
    api: &sdkgen::ir::Api,
    reports: &Path,
) -> Result<(PathBuf, Vec<crate::prism_routes::FragmentRoute>, Vec<Repair>), String> {
    let repairs = spec_repairs(api);
    if repairs.is_empty() && !api.operations.iter().any(|o| o.path.contains('#')) {
        return Ok((spec.to_path_buf(), Vec::new(), Vec::new()));
    }
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let mut document: serde_json::Value = match serde_json::from_str(&text) {
        Ok(document) => document,
        Err(_) => serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", spec.display()))?,
    };
    // Pointers name the spec's keys, so the repairs come before the renaming.
    let repairs = remove_nodes(&mut document, repairs);
    let routes = crate::prism_routes::rewrite_document(&mut document);
    let copy = reports.join("prism-spec.json");
    let text = serde_json::to_string(&document).map_err(|e| e.to_string())?;
    std::fs::write(&copy, text).map_err(|e| format!("{}: {e}", copy.display()))?;
    Ok((copy, routes, repairs))
}

/// The spec defects the generator repaired that no client can satisfy, as the pointers of the
/// nodes it left out and its notes: a parameter declared `in: path` whose path template has no
/// slot for it (`unused-path-parameter`; Cloudflare's `{account_or_zone_id}` templates beside
/// an `account_id` parameter). No request can carry such a parameter, so Prism, validating
/// the spec as written, rejects every call; its copy leaves the parameter out, as the SDK
/// does, so that Prism checks everything else of the call.
fn spec_repairs(api: &sdkgen::ir::Api) -> Vec<Repair> {
    api.diagnostics
        .iter()
        .filter(|d| d.kind == "unused-path-parameter" && d.pointer.starts_with("#/paths/"))
        .map(|d| (d.pointer.clone(), d.message.clone()))
        .collect()
}

/// Removes the array elements `repairs` point at from `document` (later indexes first, so
/// that earlier pointers stay right); returns the repairs made (a pointer that does not name
/// an array element is skipped).
fn remove_nodes(document: &mut serde_json::Value, mut repairs: Vec<Repair>) -> Vec<Repair> {
    let split = |pointer: &str| -> Option<(String, usize)> {
        let (parent, index) = pointer.strip_prefix('#')?.rsplit_once('/')?;
        Some((parent.to_string(), index.parse().ok()?))
    };
    repairs.sort_by(|a, b| {
        let (a, b) = (split(&a.0), split(&b.0));
        b.cmp(&a)
    });
    repairs.retain(|(pointer, _)| {
        let Some((parent, index)) = split(pointer) else { return false };
        match document.pointer_mut(&parent).and_then(serde_json::Value::as_array_mut) {
            Some(list) if index < list.len() => {
                list.remove(index);
                true
            }
            _ => false,
        }
    });
    repairs.sort();
    repairs
}

/// Runs the test binary in `dir` with the mock's URL, its output to files in `reports`, killed after the
/// time limit. Returns libtest's statuses and, when the binary did not finish normally, why
/// tests without a result did not run.
fn run_tests(
    executable: &Path,
    dir: &Path,
    reports: &Path,
    url: &str,
    options: &RunOptions,
) -> Result<(BTreeMap<String, TestStatus>, Option<String>), String> {
    let stdout_path = reports.join("contract-tests.stdout");
    let stderr_path = reports.join("contract-tests.stderr");
    let stdout = std::fs::File::create(&stdout_path).map_err(|e| e.to_string())?;
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let mut command = Command::new(executable);
    command
        .args(["--include-ignored", "--test-threads", &options.threads.max(1).to_string()])
        .current_dir(dir)
        .env(URL_ENV, url)
        // A backtrace per failed test would bury the messages the report is made of.
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    if let Some(filter) = &options.filter {
        command.arg(filter);
    }
    let mut child = command.spawn().map_err(|e| format!("cannot run {}: {e}", executable.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > options.timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let statuses = parse_libtest(&text);
    let reason = match status {
        None => Some(format!("the test binary was killed at the time limit ({} s)", options.timeout.as_secs())),
        // libtest exits 101 when a test failed: every test has its line then.
        Some(status) if status.success() || status.code() == Some(101) => None,
        Some(status) => {
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            Some(format!(
                "the test binary ended ({status}) before this test finished: {}",
                truncate(first_line(&stderr), 200)
            ))
        }
    };
    Ok((statuses, reason))
}

fn write_report(report: &Report, dir: &Path) -> Result<(), String> {
    let md = dir.join("report.md");
    std::fs::write(&md, report.markdown()).map_err(|e| format!("{}: {e}", md.display()))?;
    let json = dir.join("report.json");
    let text = serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())?;
    std::fs::write(&json, text + "\n").map_err(|e| format!("{}: {e}", json.display()))?;
    Ok(())
}

/// The committed corpus sample.
pub fn sample_list() -> Result<Vec<String>, String> {
    let path = crate::project_root().join(SAMPLE_LIST);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// The sample's rule: documents of at most [`SAMPLE_MAX_BYTES`], not in the quick subset,
/// in order of the FNV-1a hash of their name; the first [`SAMPLE_SIZE`], sorted by name.
pub fn choose_sample(documents: &[(String, u64)], quick: &[String]) -> Vec<String> {
    let mut eligible: Vec<(u64, &String)> = documents
        .iter()
        .filter(|(name, bytes)| *bytes <= SAMPLE_MAX_BYTES && !quick.contains(name))
        .map(|(name, _)| (crate::corpus::fnv1a(name), name))
        .collect();
    eligible.sort();
    let mut chosen: Vec<String> = eligible.into_iter().take(SAMPLE_SIZE).map(|(_, name)| name.clone()).collect();
    chosen.sort();
    chosen
}

/// `--write-corpus-sample`: writes [`SAMPLE_LIST`] from the installed corpus.
fn write_sample() -> Result<bool, String> {
    let api = crate::corpus::install()?;
    let documents: Vec<(String, u64)> = crate::corpus::documents(&api)?
        .into_iter()
        .map(|doc| {
            let bytes = std::fs::metadata(api.join(&doc)).map(|m| m.len()).unwrap_or(u64::MAX);
            (doc, bytes)
        })
        .collect();
    let chosen = choose_sample(&documents, &crate::corpus::quick_list()?);
    let mut text = format!(
        "# The fixed corpus sample of `cargo xtask contract --corpus-sample` ({SAMPLE_SIZE} documents).\n\
         # Written by `cargo xtask contract --write-corpus-sample` from the pinned corpus (xtask/corpus):\n\
         # every document of at most {} KiB that is not in xtask/corpus/quick.txt, ordered by the FNV-1a\n\
         # hash of its path, the first {SAMPLE_SIZE} kept, sorted by path.\n",
        SAMPLE_MAX_BYTES / 1024
    );
    for doc in &chosen {
        text.push_str(doc);
        text.push('\n');
    }
    let path = crate::project_root().join(SAMPLE_LIST);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {} ({} documents)", path.display(), chosen.len());
    Ok(true)
}

/// One document's line of the corpus summary.
struct SampleLine {
    doc: String,
    passed: usize,
    total: usize,
    top: String,
}

/// `--corpus-sample`: the runner over every document of the sample, one after another.
fn run_sample(options: &RunOptions, limit: Option<usize>, filter: Option<&str>) -> Result<bool, String> {
    let api = crate::corpus::install()?;
    let mut docs = sample_list()?;
    if let Some(filter) = filter {
        docs.retain(|d| d.contains(filter));
    }
    if let Some(limit) = limit {
        docs.truncate(limit);
    }
    let root = crate::project_root();
    let out_root = root.join(OUT_ROOT).join("corpus");
    let mut lines = Vec::new();
    let started = Instant::now();
    for (index, doc) in docs.iter().enumerate() {
        eprintln!("== [{}/{}] {doc}", index + 1, docs.len());
        let mut doc_options = options.clone();
        doc_options.out = Some(out_root.join(crate::corpus::crate_dir_name(doc)));
        let line = match run_spec(&api.join(doc), &doc_options) {
            Ok(report) => {
                eprint!("{}", report.summary());
                SampleLine {
                    doc: doc.clone(),
                    passed: report.passed(),
                    total: report.rows.len(),
                    top: report.top_cause().map_or("-".to_string(), |o| o.name().to_string()),
                }
            }
            Err(error) => {
                eprintln!("runner failed: {}", first_line(&error));
                SampleLine {
                    doc: doc.clone(),
                    passed: 0,
                    total: 0,
                    top: format!("runner: {}", truncate(first_line(&error), 120)),
                }
            }
        };
        lines.push(line);
        // Written after every document, so an interrupted run still leaves its summary so far.
        std::fs::create_dir_all(&out_root).map_err(|e| e.to_string())?;
        let summary = sample_summary(&lines, started.elapsed().as_secs_f64());
        std::fs::write(out_root.join("summary.md"), summary).map_err(|e| format!("{}: {e}", out_root.display()))?;
    }
    let summary = sample_summary(&lines, started.elapsed().as_secs_f64());
    print!("{summary}");
    println!("(per-document reports: {}/<document>/report.md)", out_root.display());
    Ok(true)
}

fn sample_summary(lines: &[SampleLine], seconds: f64) -> String {
    let mut out = String::from("| spec | operations passed / total | top failure cause |\n| --- | ---: | --- |\n");
    for line in lines {
        let _ = writeln!(out, "| {} | {} / {} | {} |", md_cell(&line.doc), line.passed, line.total, md_cell(&line.top));
    }
    let passed: usize = lines.iter().map(|l| l.passed).sum();
    let total: usize = lines.iter().map(|l| l.total).sum();
    let failed_runs = lines.iter().filter(|l| l.top.starts_with("runner: ")).count();
    let percent = if total == 0 { 0.0 } else { 100.0 * passed as f64 / total as f64 };
    let _ = writeln!(
        out,
        "\n{} documents in {seconds:.0} s ({failed_runs} where the runner failed: not counted in the total)\n\n{passed} / {total} operations passed ({percent:.1}%)",
        lines.len()
    );
    out
}

/// `cargo xtask contract ...`.
pub fn run(args: &[String]) -> Result<bool, String> {
    let mut options = RunOptions::default();
    let mut spec: Option<PathBuf> = None;
    let mut require_all = false;
    let mut corpus_sample = false;
    let mut limit = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| iter.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let seconds = |text: String, name: &str| {
            text.parse::<u64>().map(Duration::from_secs).map_err(|_| format!("{name} takes seconds"))
        };
        match arg.as_str() {
            "--config" => options.config = Some(PathBuf::from(value("--config")?)),
            "--out" => options.out = Some(PathBuf::from(value("--out")?)),
            "--sdk" => options.sdk = Some(PathBuf::from(value("--sdk")?)),
            "--filter" => options.filter = Some(value("--filter")?),
            "--threads" => options.threads = value("--threads")?.parse().map_err(|_| "--threads takes a number")?,
            "--timeout" => options.timeout = seconds(value("--timeout")?, "--timeout")?,
            "--prism-timeout" => options.prism_timeout = seconds(value("--prism-timeout")?, "--prism-timeout")?,
            "--limit" => limit = Some(value("--limit")?.parse::<usize>().map_err(|_| "--limit takes a number")?),
            "--cargo-arg" => options.cargo_args.push(value("--cargo-arg")?),
            "--prism-errors" => options.strict = true,
            "--require-all" => require_all = true,
            "--corpus-sample" => corpus_sample = true,
            "--write-corpus-sample" => return write_sample(),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other if spec.is_none() => spec = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument {other}")),
        }
    }
    if corpus_sample {
        // The filter picks documents here, not tests.
        let filter = options.filter.take();
        return run_sample(&options, limit, filter.as_deref());
    }
    let spec = spec.ok_or("usage: cargo xtask contract SPEC [--config FILE] [--out DIR] [--sdk DIR] ...")?;
    let report = run_spec(&spec, &options)?;
    print!("{}", report.summary());
    let dir = crate::project_root().join(&report.report_dir);
    println!("report: {}", dir.join("report.md").display());
    if report.build_errors.is_some() {
        // Generated code that does not compile is the generator's failure, not a test result.
        eprintln!("error: the contract tests did not build (the compiler's first errors are above and in the report)");
        return Ok(false);
    }
    Ok(!require_all || report.passed() == report.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(test: &str, id: &str, method: &str, path: &str) -> Case {
        Case {
            test: test.into(),
            operation_id: id.into(),
            method: method.into(),
            path: path.into(),
            not_callable: None,
        }
    }

    /// libtest's output for a run with every kind of result: names with `::`, a panic whose
    /// message spans lines, a FAILED test without a section, an ignored one.
    const LIBTEST: &str = "
running 6 tests
test zones::get ... ok
test zones::dns::records::list ... FAILED
test accounts::queues::metrics::get ... FAILED
test accounts::kv::keys::list ... FAILED
test accounts::kv::values::get ... ignored, contract test: needs a mock server
test analytics::sql::query ... FAILED

failures:

---- zones::dns::records::list stdout ----

thread 'zones::dns::records::list' panicked at tests/contract.rs:120:9:
contract: request rejected: 422 Unprocessable Entity: {\"type\":\"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY\",\"title\":\"Invalid request\",\"status\":422,
\"validation\":[{\"location\":[\"query\",\"per_page\"],\"severity\":\"Error\",\"code\":\"type\",\"message\":\"Request query parameter per_page must be number\"}]}
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- accounts::queues::metrics::get stdout ----

thread 'accounts::queues::metrics::get' panicked at tests/contract.rs:200:5:
contract: response undecodable: at result.backlog_count:
invalid type: string \"x\", expected u64

---- analytics::sql::query stdout ----
thread 'analytics::sql::query' panicked at tests/contract.rs:7:5:
SDKGEN_CONTRACT_URL is not set

failures:
    accounts::kv::keys::list
    accounts::queues::metrics::get
    analytics::sql::query
    zones::dns::records::list

test result: FAILED. 1 passed; 4 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.52s
";

    #[test]
    fn libtest_output_parses() {
        let statuses = parse_libtest(LIBTEST);
        assert_eq!(statuses.len(), 6);
        assert_eq!(statuses["zones::get"], TestStatus::Ok);
        assert_eq!(statuses["accounts::kv::values::get"], TestStatus::Ignored);
        assert_eq!(statuses["accounts::kv::keys::list"], TestStatus::Failed(String::new()));
        let TestStatus::Failed(output) = &statuses["accounts::queues::metrics::get"] else { panic!() };
        assert!(output.ends_with("expected u64"), "{output}");
        assert!(!output.contains("failures:"));
        let (outcome, detail) = classify_failure(output);
        assert_eq!(outcome, Outcome::ResponseUndecodable);
        assert_eq!(detail, "at result.backlog_count:\ninvalid type: string \"x\", expected u64");
        let TestStatus::Failed(output) = &statuses["zones::dns::records::list"] else { panic!() };
        assert_eq!(classify_failure(output).0, Outcome::RequestRejected);
        assert_eq!(violations(output), ["query.per_page: Request query parameter per_page must be number"]);
        let TestStatus::Failed(output) = &statuses["analytics::sql::query"] else { panic!() };
        assert_eq!(classify_failure(output), (Outcome::Panicked, "SDKGEN_CONTRACT_URL is not set".into()));
        assert_eq!(classify_failure(""), (Outcome::Panicked, "no output captured".into()));
    }

    #[test]
    fn every_prefix_classifies_and_old_style_panics_parse() {
        for (prefix, outcome) in PREFIXES {
            let output = format!(
                "thread 't' panicked at tests/contract.rs:1:1:\n{prefix}why\nnote: run with `RUST_BACKTRACE=1`"
            );
            assert_eq!(classify_failure(&output), (outcome, "why".to_string()));
        }
        let with_id = "thread 'a::b' (30709) panicked at tests/contract.rs:22:17:\ncontract: transport: timed out\nstack backtrace:\n   0: x";
        assert_eq!(classify_failure(with_id), (Outcome::Transport, "timed out".into()));
        let limit = "thread 't' panicked at f:1:1:\ncontract: unexpected status: 500 Internal Server Error {\"type\":\"https://stoplight.io/prism/errors#UNKNOWN\",\"title\":\"Cannot find serializer for application/x-ndjson\"}";
        assert_eq!(classify_failure(limit).0, Outcome::MockLimit);
        let old = "thread 'a::b' panicked at 'contract: transport: connection refused', tests/contract.rs:3:4";
        assert_eq!(classify_failure(old), (Outcome::Transport, "connection refused".into()));
    }

    #[test]
    fn violations_come_from_headers_bodies_and_cut_bodies() {
        let header = r#"contract: request rejected: 400: sl-violations: [{"location":["request","header","authorization"],"message":"missing"}]"#;
        assert_eq!(violations(header), ["request.header.authorization: missing"]);
        let cut = r#"422: {"validation":[{"location":["body"],"severity":"Error","message":"Request body must have required property 'x'"},{"loc"#;
        assert_eq!(violations(cut), ["Request body must have required property 'x'"]);
        assert!(violations("500 Internal Server Error").is_empty());
    }

    const PRISM_LOG: &str = "[10:45:01 AM] › [CLI] …  awaiting  Starting Prism…
[10:45:02 AM] › [CLI] ▶  start     Prism is listening on http://127.0.0.1:4711
[10:45:06 AM] › [HTTP SERVER] get /zones ℹ  info      Request received
[10:45:06 AM] ›     [VALIDATOR] ✖  error     Request query parameter per_page must be number
[10:45:06 AM] ›     [VALIDATOR] ✖  error     Violation: request.query.per_page Request query parameter per_page must be number
[10:45:07 AM] › [HTTP SERVER] put /accounts/abc/storage/kv/namespaces/n1/values/k?expiration=1 ℹ  info      Request received
[10:45:07 AM] ›     [NEGOTIATOR] ✔  success   Responding with the requested status code 200
";

    #[test]
    fn prism_log_gives_violations_to_the_matching_operation() {
        let logged = parse_prism_log(PRISM_LOG);
        assert_eq!(logged.len(), 2);
        assert_eq!(logged[1].path, "/accounts/abc/storage/kv/namespaces/n1/values/k");
        assert!(path_matches(
            "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}",
            &logged[1].path
        ));
        assert!(!path_matches("/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/keys", &logged[1].path));
        let cases = [case("zones::list", "zones-get", "GET", "/zones")];
        let mut statuses = BTreeMap::new();
        statuses.insert(
            "zones::list".to_string(),
            TestStatus::Failed(
                "thread 'zones::list' panicked at x:\ncontract: request rejected: 400 Bad Request: {\"success\":false}"
                    .into(),
            ),
        );
        let rows = assemble(&cases, &statuses, &RunFacts { logged, ..RunFacts::default() });
        assert_eq!(rows[0].outcome, Outcome::RequestRejected);
        assert_eq!(
            rows[0].violations,
            ["request.query.per_page Request query parameter per_page must be number (Prism's log)"]
        );
    }

    #[test]
    fn spec_repairs_remove_the_pointed_parameters_later_indexes_first() {
        let mut document = serde_json::json!({"paths": {"/{a_or_b}/x": {
            "parameters": [{"name": "p"}],
            "get": {"parameters": [{"name": "a"}, {"name": "keep"}, {"name": "b"}]},
        }}});
        let repairs = vec![
            ("#/paths/~1{a_or_b}~1x/get/parameters/0".to_string(), "a".to_string()),
            ("#/paths/~1{a_or_b}~1x/get/parameters/2".to_string(), "b".to_string()),
            ("#/paths/~1{a_or_b}~1x/parameters/0".to_string(), "p".to_string()),
            ("#/paths/~1missing/get/parameters/0".to_string(), "gone".to_string()),
        ];
        let made = remove_nodes(&mut document, repairs);
        assert_eq!(made.iter().map(|(_, note)| note.as_str()).collect::<Vec<_>>(), ["a", "b", "p"]);
        assert_eq!(
            document,
            serde_json::json!({"paths": {"/{a_or_b}/x": {"parameters": [], "get": {"parameters": [{"name": "keep"}]}}}})
        );
        let report = Report { repairs: made, ..sample_report() };
        let md = report.markdown();
        assert!(md.contains("## Spec repairs in Prism's copy\n\n3 parameters"), "{md}");
        assert!(report.json()["spec_repairs"][2]["note"] == "p");
        assert!(!sample_report().markdown().contains("## Spec repairs"), "only when made");
    }

    fn sample_report() -> Report {
        let cases = [
            case("a::get", "a-get", "GET", "/a"),
            case("a::put", "a-put", "PUT", "/a"),
            case("b::list", "b|list", "GET", "/b"),
            Case {
                not_callable: Some("body type Node has no finite value".into()),
                ..case("c::post", "c-post", "POST", "/c")
            },
            case("d::get", "d-get", "GET", "/d"),
        ];
        let mut statuses = BTreeMap::new();
        statuses.insert("a::get".to_string(), TestStatus::Ok);
        statuses.insert("a::put".to_string(), TestStatus::Ok);
        statuses.insert(
            "b::list".to_string(),
            TestStatus::Failed("thread 'b::list' panicked at f:1:1:\ncontract: unexpected status: 500".into()),
        );
        statuses.insert(
            "c::post".to_string(),
            TestStatus::Failed("thread 'c::post' panicked at f:1:1:\ncontract: not callable: see the generator".into()),
        );
        let facts = RunFacts {
            no_result_reason: Some("the test binary ended (signal: 6) before this test finished".into()),
            ..RunFacts::default()
        };
        Report {
            spec: "spec.yaml".into(),
            crate_dir: "target/contract/x".into(),
            report_dir: "target/contract/x".into(),
            rows: assemble(&cases, &statuses, &facts),
            build_errors: None,
            timings: vec![("generate".into(), 0.25)],
            mock_crash: None,
            routes: Vec::new(),
            repairs: Vec::new(),
        }
    }

    #[test]
    fn report_counts_tables_and_final_line() {
        let report = sample_report();
        assert_eq!(report.passed(), 2);
        assert_eq!(report.summary_line(), "2 of 5 operations passed");
        assert_eq!(
            report.causes(),
            [(Outcome::UnexpectedStatus, 1), (Outcome::NotCallable, 1), (Outcome::DidNotRun, 1)]
        );
        assert_eq!(report.rows[3].detail, "body type Node has no finite value");
        assert!(report.rows[4].detail.contains("signal: 6"));
        assert_eq!(
            problem_title("404 Not Found {\"type\":\"x#NO_PATH\",\"title\":\"Route not resolved\",\"status\":404}")
                .as_deref(),
            Some("404 Not Found Route not resolved")
        );
        assert_eq!(
            reason_key("connection error after 1 attempt(s) for GET http://127.0.0.1:4/a/b: refused"),
            "connection error after N attempt(s) for GET <url> refused"
        );
        let md = report.markdown();
        assert!(md.contains("| b\\|list | GET | /b | unexpected status | 500 |"), "{md}");
        assert!(md.ends_with(
            "2 of 5 operations passed\n\n| failure cause | operations |\n| --- | ---: |\n| unexpected status | 1 |\n| not callable | 1 |\n| did not run | 1 |\n"
        ), "{md}");
        assert!(md.contains("drops") || md.contains("without the servers' path prefix"));
        let json = report.json();
        assert_eq!(json["passed"], 2);
        assert_eq!(json["total"], 5);
        assert_eq!(json["causes"]["did not run"], 1);
        assert_eq!(json["operations"][2]["outcome"], "unexpected status");
    }

    #[test]
    fn a_test_binary_that_did_not_build_marks_every_operation() {
        let stderr = "   Compiling x v0.1.0\nwarning: unused\n  --> src/lib.rs:1:1\n\nerror[E0308]: mismatched types\n  --> tests/contract.rs:10:5\n   |\n10 |     f(1)\n   |       ^ expected `&str`\n\nerror: aborting due to 1 previous error\n\nerror: could not compile `x` (test \"contract\") due to 1 previous error\n";
        let errors = first_errors(stderr, 5);
        assert_eq!(errors.len(), 2);
        assert!(errors[0].starts_with("error[E0308]: mismatched types\n  --> tests/contract.rs:10:5"));
        let facts = RunFacts { build_errors: Some(errors.clone()), ..RunFacts::default() };
        let rows = assemble(&[case("a::get", "a-get", "GET", "/a")], &BTreeMap::new(), &facts);
        assert_eq!(rows[0].outcome, Outcome::DidNotCompile);
        assert_eq!(rows[0].detail, "error[E0308]: mismatched types");
        let report = Report { rows, build_errors: Some(errors), ..sample_report() };
        assert!(report.markdown().contains("## The test binary did not build"));
        assert_eq!(report.summary_line(), "0 of 1 operations passed");
    }

    #[test]
    fn a_path_with_a_fragment_is_explained() {
        let cases = [case("pi::describe", "Describe", "POST", "/#X-Amz-Target=Pi.Describe")];
        let mut statuses = BTreeMap::new();
        statuses.insert(
            "pi::describe".to_string(),
            TestStatus::Failed("thread 'pi::describe' panicked at x:\ncontract: request rejected: 404 Not Found {\"type\":\"https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR\"}".into()),
        );
        let rows = assemble(&cases, &statuses, &RunFacts::default());
        assert_eq!(rows[0].outcome, Outcome::RequestRejected);
        assert!(rows[0].detail.starts_with("the spec's path holds a URL fragment"), "{}", rows[0].detail);
    }

    /// A moved request's violations are found in Prism's log under its renamed key, and the
    /// report lists the adapter's keys and moves.
    #[test]
    fn routed_requests_are_matched_and_reported() {
        let cases = [case("pi::describe", "Describe", "POST", "/#X-Amz-Target=Pi.Describe")];
        let mut statuses = BTreeMap::new();
        statuses.insert(
            "pi::describe".to_string(),
            TestStatus::Failed(
                "thread 'pi::describe' panicked at x:\ncontract: request rejected: 400 Bad Request".into(),
            ),
        );
        let log = "[1:00:00 PM] › [HTTP SERVER] post /__sdkgen_route_0 ℹ  info      Request received\n[1:00:00 PM] ›     [VALIDATOR] ✖  error     Violation: request.body Request body must have required property 'Name'\n";
        let facts = RunFacts {
            logged: parse_prism_log(log),
            prism_keys: BTreeMap::from([("/#X-Amz-Target=Pi.Describe".to_string(), "/__sdkgen_route_0".to_string())]),
            ..RunFacts::default()
        };
        let rows = assemble(&cases, &statuses, &facts);
        assert_eq!(rows[0].violations, ["request.body Request body must have required property 'Name' (Prism's log)"]);
        let routes = vec![RouteUse {
            spec_key: "/#X-Amz-Target=Pi.Describe".into(),
            methods: vec!["POST".into()],
            prism_key: "/__sdkgen_route_0".into(),
            moved: 1,
        }];
        let report = Report { rows, routes, ..sample_report() };
        let md = report.markdown();
        assert!(md.contains("## Routing adapter\n\n1 path keys hold a URL fragment"), "{md}");
        assert!(md.contains("| /#X-Amz-Target=Pi.Describe | POST | /__sdkgen_route_0 | 1 |"), "{md}");
        assert!(md.contains("routing adapter in front of Prism"), "the gap is listed: {md}");
        assert_eq!(report.json()["routing_adapter"][0]["moved"], 1);
        assert!(!sample_report().markdown().contains("## Routing adapter"), "only when used");
    }

    #[test]
    fn compiler_errors_inside_a_test_belong_to_its_operation() {
        let source = "//! Contract tests.\n\nfn client() -> Client {\n    todo()\n}\nmod zones {\n    mod dns {\n        #[tokio::test]\n        async fn list() {\n            call(1);\n        }\n    }\n    #[tokio::test]\n    async fn r#get() {\n        call(2);\n    }\n}\n";
        assert_eq!(
            test_functions(source),
            [(3, "client".to_string()), (9, "zones::dns::list".to_string()), (14, "zones::get".to_string())]
        );
        let errors = vec![
            "error[E0308]: mismatched types\n  --> tests/contract.rs:10:18".to_string(),
            "error[E0599]: no method named `x`\n  --> src/lib.rs:3:1".to_string(),
        ];
        let by_test = errors_by_test(&errors, source, "tests/contract.rs");
        assert_eq!(by_test.len(), 1);
        assert_eq!(by_test["zones::dns::list"], "error[E0308]: mismatched types (tests/contract.rs:10)");
        let cases = [case("zones::dns::list", "dns-list", "GET", "/dns"), case("zones::get", "zones-get", "GET", "/z")];
        let facts = RunFacts { build_errors: Some(errors), test_errors: by_test, ..RunFacts::default() };
        let rows = assemble(&cases, &BTreeMap::new(), &facts);
        assert_eq!((rows[0].outcome, rows[1].outcome), (Outcome::DidNotCompile, Outcome::DidNotRun));
        assert!(rows[1].detail.contains("did not build"));
    }

    #[test]
    fn sample_rule_is_deterministic_and_skips_quick_and_large_documents() {
        let documents: Vec<(String, u64)> =
            (0..200).map(|i| (format!("api{i}.json"), if i % 7 == 0 { 1 << 30 } else { 1000 })).collect();
        let quick = vec!["api1.json".to_string()];
        let chosen = choose_sample(&documents, &quick);
        assert_eq!(chosen.len(), SAMPLE_SIZE);
        assert_eq!(chosen, choose_sample(&documents, &quick));
        assert!(!chosen.contains(&"api1.json".to_string()) && !chosen.contains(&"api7.json".to_string()));
        assert!(chosen.windows(2).all(|w| w[0] < w[1]));
    }

    /// Whether a process exists (and is not a zombie).
    fn alive(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
            .unwrap_or(false)
    }

    fn wait_dead(pid: u32) -> bool {
        (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !alive(pid)
        })
    }

    /// A stand-in for Prism that starts a child of its own and never listens: dropping the
    /// guard, also after a failed startup, leaves neither process running.
    #[test]
    fn prism_and_its_children_are_killed_on_every_path() {
        let dir = std::env::temp_dir().join(format!("sdkgen-contract-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("grandchild.pid");
        let script = format!("sleep 600 & echo $! > {}; echo started; exec sleep 600", pid_file.display());
        let args = vec!["-c".to_string(), script];
        for timed_out in [false, true] {
            let _ = std::fs::remove_file(&pid_file);
            let mut prism = Prism::spawn(Path::new("/bin/sh"), &args, free_port().unwrap(), &dir.join("log")).unwrap();
            let pid = prism.pid();
            let grandchild: u32 = (0..100)
                .find_map(|_| {
                    std::thread::sleep(Duration::from_millis(20));
                    std::fs::read_to_string(&pid_file).ok().and_then(|t| t.trim().parse().ok())
                })
                .expect("the stand-in wrote its child's pid");
            assert!(alive(pid) && alive(grandchild));
            if timed_out {
                let error = prism.wait_ready(Duration::from_millis(300)).unwrap_err();
                assert!(error.contains("did not accept connections") && error.contains("started"), "{error}");
            }
            drop(prism);
            assert!(wait_dead(pid), "the mock survived");
            assert!(wait_dead(grandchild), "the mock's child survived");
        }
        // One that exits during startup is reported with its output.
        let mut prism =
            Prism::spawn(Path::new("/bin/sh"), &["-c".into(), "echo cannot load; exit 3".into()], 1, &dir.join("log"))
                .unwrap();
        let error = prism.wait_ready(Duration::from_secs(10)).unwrap_err();
        assert!(error.contains("exited during startup") && error.contains("cannot load"), "{error}");
        assert_eq!(prism.exited().as_deref(), Some("exit status: 3"));
        // Calls after Prism died are explained as such.
        let cases = [case("a::get", "a-get", "GET", "/a")];
        let mut statuses = BTreeMap::new();
        statuses.insert(
            "a::get".to_string(),
            TestStatus::Failed("thread 'a::get' panicked at x:\ncontract: transport: connection refused".into()),
        );
        let facts = RunFacts { mock_exited: prism.exited(), ..RunFacts::default() };
        let rows = assemble(&cases, &statuses, &facts);
        assert_eq!(
            rows[0].detail,
            "Prism had exited (exit status: 3), crashed by an earlier request: connection refused"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
