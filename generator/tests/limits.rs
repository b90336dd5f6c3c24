//! Input past a limit of `load/limits.rs` fails fast with a located message: never a crash, a
//! stack overflow, or memory growing with what the input expands to.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use sdkgen::load::limits;

const HEAD_NO_PATHS: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\n";
const HEAD: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths: {}\n";

/// Runs `sdkgen generate` on a spec file; returns (exit code, stderr, wall time).
fn generate(spec: &std::path::Path) -> (Option<i32>, String, Duration) {
    let out = spec.parent().unwrap().join("out");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["generate", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the binary runs");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(!out.exists(), "nothing may be written: {stderr}");
    (output.status.code(), stderr, elapsed)
}

fn run(test: &str, file_name: &str, text: &str) -> (Option<i32>, String, Duration) {
    generate(&common::temp_spec(test, file_name, text))
}

/// The `line:column` right after `file:` in a message.
fn location(stderr: &str, file: &str) -> (usize, usize) {
    let rest = stderr.split(&format!("{file}:")).nth(1).unwrap_or_else(|| panic!("no `{file}:` in {stderr}"));
    let mut numbers =
        rest.split(':').map(|n| n.parse::<usize>().unwrap_or_else(|_| panic!("no line:column: {stderr}")));
    (numbers.next().unwrap(), numbers.next().unwrap())
}

/// A billion-laughs document of about 100 KB: ten levels of anchors, each a list of ten aliases
/// of the previous one (10^10 strings in all), after filler that makes the document big enough
/// for serde_yaml's own repetition limit (a hundred times its events) not to stop it first.
fn alias_bomb() -> String {
    let mut text = String::from(HEAD);
    for index in 0..3000 {
        text.push_str(&format!("x-filler-{index}: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"));
    }
    text.push_str("x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let previous = format!("*l{}", level - 1);
        text.push_str(&format!("x-l{level}: &l{level} [{}]\n", [previous.as_str(); 10].join(", ")));
    }
    text
}

#[test]
fn an_alias_bomb_stops_at_the_budget_with_a_location() {
    let text = alias_bomb();
    assert!((90_000..140_000).contains(&text.len()), "{}", text.len());
    let (code, stderr, elapsed) = run("alias-bomb", "bomb.yaml", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("more than {} values", limits::MAX_YAML_VALUES)), "{stderr}");
    let (line, column) = location(&stderr, "bomb.yaml");
    assert!(line > 5 && column > 0, "{stderr}");
    // A debug build; the release binary takes a fraction of this (see the README).
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn an_unpadded_alias_bomb_is_located_too() {
    // Without filler serde_yaml's own repetition limit stops it first, without a location of
    // its own: the message points at the document.
    let mut text = String::from(HEAD);
    text.push_str("x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let previous = format!("*l{}", level - 1);
        text.push_str(&format!("x-l{level}: &l{level} [{}]\n", [previous.as_str(); 10].join(", ")));
    }
    let (code, stderr, _) = run("alias-bomb-small", "bomb.yaml", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("invalid YAML"), "{stderr}");
    assert_ne!(location(&stderr, "bomb.yaml"), (0, 0), "{stderr}");
}

#[test]
fn long_strings_behind_aliases_stop_at_the_text_budget() {
    let mut text = String::from(HEAD);
    text.push_str(&format!("x-l0: &l0 '{}'\n", "x".repeat(60_000)));
    for level in 1..8 {
        let previous = format!("*l{}", level - 1);
        text.push_str(&format!("x-l{level}: &l{level} [{}]\n", [previous.as_str(); 10].join(", ")));
    }
    let (code, stderr, _) = run("alias-bomb-text", "bomb.yaml", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("MiB of keys and strings"), "{stderr}");
    assert_ne!(location(&stderr, "bomb.yaml"), (0, 0), "{stderr}");
}

#[test]
fn deep_json_nesting_is_located() {
    let text = format!("{{\"openapi\": \"3.0.3\", \"x\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let (code, stderr, _) = run("deep-json", "api.json", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("nesting deeper than {} levels", limits::MAX_DEPTH)), "{stderr}");
    assert_eq!(location(&stderr, "api.json").0, 1, "{stderr}");
}

#[test]
fn deep_yaml_nesting_is_located() {
    let mut text = String::from(HEAD);
    for depth in 0..10_000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("x-deep:\n");
    }
    let (code, stderr, _) = run("deep-yaml-block", "api.yaml", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("nesting deeper than {} levels", limits::MAX_DEPTH)), "{stderr}");
    assert!(location(&stderr, "api.yaml").0 > 100, "{stderr}");

    let text = format!("{HEAD}x-deep: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let (code, stderr, _) = run("deep-yaml-flow", "api.yaml", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("nesting deeper than"), "{stderr}");
    assert_eq!(location(&stderr, "api.yaml").0, 6, "{stderr}");
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let spec = common::temp_spec("oversized", "api.json", "");
    // A sparse file: no disk space, and reading it whole would take a while.
    let file = std::fs::OpenOptions::new().write(true).open(&spec).unwrap();
    file.set_len(limits::MAX_FILE_BYTES + 1).unwrap();
    drop(file);
    let (code, stderr, elapsed) = generate(&spec);
    std::fs::remove_file(&spec).unwrap();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("api.json: #: the file is 268435457 bytes, larger than 256 MiB"), "{stderr}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn an_overlong_key_is_located() {
    let key = "k".repeat(limits::MAX_KEY_BYTES + 1);
    // (An implicit YAML key is at most 1,024 characters long; an explicit one is not limited.)
    let (code, stderr, _) = run("long-key-yaml", "api.yaml", &format!("{HEAD}x-long:\n  ? {key}\n  : 1\n"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("longer than 65536 bytes"), "{stderr}");
    assert_eq!(location(&stderr, "api.yaml").0, 7, "{stderr}");

    let text = format!(
        "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"T\", \"version\": \"1\"}},\n\"paths\": {{}}, \"x\": {{\"{key}\": 1}}}}"
    );
    let (code, stderr, _) = run("long-key-json", "api.json", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("longer than 65536 bytes"), "{stderr}");
    assert_eq!(location(&stderr, "api.json").0, 2, "{stderr}");
    // Long values are fine.
    let text = format!("{HEAD}x-long: '{}'\n", "v".repeat(limits::MAX_KEY_BYTES * 4));
    let spec = common::temp_spec("long-value", "api.yaml", &text);
    assert!(sdkgen::load::load_spec(&spec).is_ok());
}

#[test]
fn a_second_yaml_document_is_located() {
    let (code, stderr, _) = run("two-documents", "api.yaml", &format!("{HEAD}---\nopenapi: 3.0.3\n"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("api.yaml:6:1: invalid YAML: a second document starts here"), "{stderr}");
    let (_, stderr, _) = run("two-documents-empty", "api.yaml", &format!("{HEAD}# end\n---\n"));
    assert!(stderr.contains("api.yaml:7:1: invalid YAML: a second document"), "{stderr}");
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend_from_slice(b"x-bad: 'ab\xffc'\n");
    let spec = common::temp_spec("utf8", "api.yaml", "");
    std::fs::write(&spec, &bytes).unwrap();
    let (code, stderr, _) = generate(&spec);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("api.yaml:6:11: invalid UTF-8"), "{stderr}");
}

/// Generates in process, strictly or leniently.
fn generate_in_process(spec: &std::path::Path, lenient: bool) -> sdkgen::Result<sdkgen::Generated> {
    let loaded = sdkgen::load::load_spec(spec)?;
    let options = sdkgen::Options {
        provenance: sdkgen::Provenance { spec: "api".into(), command: "test".into(), crate_path: "out".into() },
        standalone: true,
        lenient,
        contract_tests: false,
    };
    sdkgen::generate(&loaded, &sdkgen::Config::default(), &options)
}

fn duplicate_kinds(generated: &sdkgen::Generated) -> Vec<(String, String)> {
    generated
        .api
        .diagnostics
        .iter()
        .filter(|d| d.kind == "duplicate-key")
        .map(|d| (d.pointer.clone(), d.message.clone()))
        .collect()
}

#[test]
fn duplicate_json_keys_are_refused_or_listed() {
    let text = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n\"paths\": {\"/a\": {\"get\": {\"operationId\": \"a\",\n  \"responses\": {\"204\": {\"description\": \"x\"}, \"204\": {\"description\": \"y\"}}}}}}";
    let (code, stderr, _) = run("duplicate-json", "api.json", text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("api.json: #/paths/~1a/get/responses: duplicate key `204` in this object (line 3, column 46)"),
        "{stderr}"
    );
    let spec = common::temp_spec("duplicate-json-lenient", "api.json", text);
    let generated = generate_in_process(&spec, true).unwrap();
    assert_eq!(
        duplicate_kinds(&generated),
        [(
            "#/paths/~1a/get/responses".to_string(),
            "duplicate key `204` in this object (line 3, column 46); the last value is kept".to_string()
        )]
    );
}

#[test]
fn duplicate_json_keys_are_found_on_the_full_read_too() {
    // `const` sends the document down the full read (through the normalising walk).
    let text = "{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"T\", \"version\": \"1\", \"title\": \"U\"}, \"paths\": {}, \"x\": {\"const\": 1}}";
    let spec = common::temp_spec("duplicate-json-full", "api.json", text);
    let error = generate_in_process(&spec, false).unwrap_err().to_string();
    assert!(error.ends_with("api.json: #/info: duplicate key `title` in this object; a key may appear once per object (--lenient keeps the last value)"), "{error}");
}

#[test]
fn duplicate_yaml_keys_are_refused_or_listed() {
    let text = format!(
        "{HEAD}components:\n  schemas:\n    A: {{type: string}}\n    B: {{type: string}}\n    A: {{type: integer}}\n"
    );
    let (code, stderr, _) = run("duplicate-yaml", "api.yaml", &text);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("api.yaml: #/components/schemas: duplicate key `A` in this object"), "{stderr}");
    let spec = common::temp_spec("duplicate-yaml-lenient", "api.yaml", &text);
    let generated = generate_in_process(&spec, true).unwrap();
    assert_eq!(duplicate_kinds(&generated).len(), 1);
    // The last value is kept, in the first one's place.
    let loaded = sdkgen::load::load_spec(&spec).unwrap();
    let schemas = &loaded.document.components.as_ref().unwrap().schemas;
    assert_eq!(schemas.keys().collect::<Vec<_>>(), ["A", "B"]);
    let a = serde_json::to_value(&schemas["A"]).unwrap();
    assert_eq!(a["type"], "integer");
}

#[test]
fn long_names_become_file_names_within_file_system_limits() {
    // Path segments, tags and schema names of 300 characters: each becomes a module, a
    // method, a type or a file; two of the segments differ only past the length kept, and must
    // stay distinct.
    let long = "x".repeat(300);
    let (first, second) = (format!("{long}a"), format!("{long}b"));
    let text = format!(
        "{HEAD_NO_PATHS}paths:
  /{first}:
    get:
      tags: [{long}]
      operationId: {long}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/{long}'}}
  /{second}/{{id}}/{long}:
    get:
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
      responses:
        '204': {{description: ok}}
components:
  schemas:
    {long}:
      type: object
      properties:
        {long}: {{type: string}}
"
    );
    let spec = common::temp_spec("long-names", "api.yaml", &text);
    let generated = generate_in_process(&spec, false).expect("the spec generates");
    for file in &generated.files {
        for component in file.path.split('/') {
            assert!(component.len() <= 255, "`{}` has a component of {} bytes", file.path, component.len());
        }
    }
    let resources: Vec<&str> = generated
        .files
        .iter()
        .map(|file| file.path.as_str())
        .filter(|path| path.starts_with("src/resources/") && path.ends_with(".rs") && !path.ends_with("mod.rs"))
        .collect();
    assert!(resources.len() >= 2, "one module per long segment: {resources:?}");
    // The crate is written where it is asked, whole.
    let out = spec.parent().unwrap().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["generate", "--standalone", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for file in &generated.files {
        assert!(out.join(&file.path).is_file(), "{} was not written", file.path);
    }
}
