//! Hostile specs: no spec string may escape into code.
//!
//! `structured_fuzz` builds small OpenAPI 3.0 documents whose every string is drawn from a
//! pool of hostile strings (each CommonMark code-block form around a payload, line breaks,
//! carriage returns, bidi controls, quote and comment terminators, keywords, very long and
//! empty names) mixed with plain ones; `hostile_corpus` runs the specs in `tests/hostile/`;
//! `mutated_public_spec` puts hostile strings, one position at a time, into Cloudflare's
//! extract in `spec/`, generated with its real configuration.
//! For each document, generation must not panic; an error must name the file and hold no raw
//! control character; generated files must pass the oracle (`common::oracle`).
//!
//! The run is deterministic: a fixed seed (`SDKGEN_FUZZ_SEED`, a number, changes it) and
//! `SDKGEN_FUZZ_CASES` cases (64 by default).

mod common;

use std::panic::AssertUnwindSafe;
use std::path::Path;

use common::oracle::{self, BIDI, MARKER};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{json, Map, Value};

/// The payload: were it compiled, it would panic, and `PWNED!` is the oracle's signature of
/// spec text turned into tokens.
const PAYLOAD: &str = "panic!(\"PWNED\"); PWNED!();";

fn hostile_strings() -> Vec<String> {
    let p = PAYLOAD;
    let mut pool = vec![
        // Every CommonMark code-block form.
        format!("```\n{p}\n```"),
        format!("```rust\n{p}\n```"),
        format!("~~~\n{p}\n~~~"),
        format!("Intro:\n- ```rust\n  {p}\n  ```"),
        format!("* ~~~\n  {p}\n  ~~~"),
        format!("1. ```\n   {p}\n   ```"),
        format!("> ```\n> {p}\n> ```"),
        format!("> - ```\n>   {p}\n>   ```"),
        format!("Intro.\n\n    {p}"),
        format!("-     {p}"),
        format!(">     {p}"),
        format!("1.     {p}"),
        format!("Intro.\n\n\t{p}"),
        format!("   ```\n   {p}\n   ```"),
        format!("````\n{p}\n````"),
        format!("``` no_run\n{p}\n```"),
        format!("```text,rust\n{p}\n```"),
        format!("```\n{p}"),
        format!("[x]: https://example.test\n\n    {p}"),
        format!("<details>\n\n```\n{p}\n```\n\n</details>"),
        // Line breaks: a newline ends a `///` or `//` line and starts live code.
        format!("x\n{p}\n"),
        format!("x\n\n{p}\nfn y() {{}}"),
        format!("x\r{p}"),
        format!("x\r\n{p}"),
        format!("x\u{2028}{p}"),
        format!("x\u{85}{p}"),
        format!("x\u{b}{p}\u{c}"),
        // Controls rustc rejects or a terminal obeys.
        "a\u{202e}b".into(),
        "\u{2066}rtl\u{2069}".into(),
        format!("\u{202d}{p}\u{202c}"),
        "esc \u{1b}[31mred\u{1b}[0m".into(),
        "nul\u{0}byte".into(),
        // Terminators of strings, comments, attributes and blocks.
        "`".into(),
        "```".into(),
        "~~~".into(),
        format!("*/ {p} /*"),
        format!("\"); {p} (\""),
        format!("\\\"); {p} //"),
        "\\".into(),
        "\"".into(),
        format!("\"]\n{p}\n#[doc = \""),
        format!("#[test] fn t() {{ {p} }}"),
        format!("}}\nmod x {{ {p} }}"),
        format!("<!-- {p} -->"),
        format!("<script>{p}</script>"),
        format!("Text <img src=x onerror='{p}'> more"),
        format!("<div>\n\n{p}\n\n</div>"),
        format!("--> {p}"),
        "'".into(),
        "{id}".into(),
        "%2F".into(),
        // Names.
        "x".repeat(300),
        "type".into(),
        "fn".into(),
        "self".into(),
        "Self".into(),
        "crate".into(),
        "super".into(),
        "new".into(),
        "async".into(),
        "r#type".into(),
        "_".into(),
        "0day".into(),
        "".into(),
        " ".into(),
        "名前".into(),
        "Ünïcödé".into(),
        "crab 🦀".into(),
        "a-b.c/d".into(),
        "Client".into(),
        "Error".into(),
        "Result".into(),
    ];
    pool.sort();
    pool.dedup();
    pool
}

const PLAIN: [&str; 12] = [
    "pets",
    "Pet",
    "name",
    "id",
    "list",
    "status",
    "owner_id",
    "A plain description.",
    "Widgets",
    "get-pet",
    "X-Trace",
    "Lists things. See https://example.test/docs.",
];

fn text() -> BoxedStrategy<String> {
    let hostile = hostile_strings();
    prop_oneof![
        3 => select(&PLAIN[..]).prop_map(String::from),
        4 => select(hostile.clone()),
        1 => (select(&PLAIN[..]), select(hostile)).prop_map(|(plain, hostile)| format!("{plain} {hostile}")),
    ]
    .boxed()
}

/// Path segments are mostly plain: a generator may rightly refuse a hostile path template,
/// and a refused document checks nothing past the error message.
fn path_text() -> BoxedStrategy<String> {
    let hostile = hostile_strings();
    prop_oneof![8 => select(&PLAIN[..]).prop_map(|s| s.replace(' ', "-")), 1 => select(hostile)].boxed()
}

fn optional(strategy: BoxedStrategy<String>) -> BoxedStrategy<Option<String>> {
    prop::option::weighted(0.7, strategy).boxed()
}

fn leaf_schema() -> BoxedStrategy<Value> {
    prop_oneof![
        (text(), any::<bool>()).prop_map(|(description, nullable)| json!({
            "type": "string", "description": description, "nullable": nullable
        })),
        (prop::collection::vec(text(), 1..4), optional(text())).prop_map(|(values, description)| {
            let mut schema = json!({"type": "string", "enum": values});
            if let Some(description) = description {
                schema["description"] = json!(description);
            }
            schema
        }),
        text().prop_map(|description| json!({"type": "integer", "format": "int64", "description": description})),
        Just(json!({"type": "boolean"})),
        (text(), text(), text()).prop_map(|(example, default, pattern)| json!({
            "type": "string", "example": example, "default": default, "pattern": pattern,
            "minLength": 1, "maxLength": 40, "format": "x\"y"
        })),
        (text(), text()).prop_map(|(title, description)| json!({
            "type": "array", "title": title, "items": {"type": "string", "description": description}
        })),
        (text(), text()).prop_map(|(first, second)| json!({
            "description": first,
            "oneOf": [{"type": "string", "description": second}, {"type": "integer"}]
        })),
        (text(), text()).prop_map(|(name, description)| json!({
            "type": "object", "additionalProperties": {"type": "string", "description": description},
            "properties": {name: {"type": "number", "default": 1.5}}
        })),
    ]
    .boxed()
}

fn schema() -> BoxedStrategy<Value> {
    leaf_schema()
        .prop_recursive(2, 12, 3, |inner| {
            (prop::collection::vec((text(), inner.clone()), 1..4), optional(text()), any::<bool>()).prop_map(
                |(properties, description, require_first)| {
                    let mut map = Map::new();
                    for (name, schema) in &properties {
                        map.insert(name.clone(), schema.clone());
                    }
                    let mut schema = json!({"type": "object", "properties": map});
                    if require_first {
                        schema["required"] = json!([properties[0].0]);
                    }
                    if let Some(description) = description {
                        schema["description"] = json!(description);
                    }
                    schema
                },
            )
        })
        .boxed()
}

/// A parameter: (name, location, schema, description, required).
fn parameter() -> BoxedStrategy<(String, &'static str, Value, Option<String>, bool)> {
    (
        (text(), path_text()),
        select(&["path", "query", "header", "query"][..]),
        leaf_schema(),
        optional(text()),
        any::<bool>(),
    )
        .prop_map(|((name, path_name), location, schema, description, required)| {
            // A path parameter's name is part of the template: mostly plain, as path segments.
            let name = if location == "path" { path_name } else { name };
            (name, location, schema, description, required)
        })
        .boxed()
}

fn security_scheme() -> BoxedStrategy<Value> {
    prop_oneof![
        (select(&["header", "query", "cookie", "header"][..]), text(), optional(text())).prop_map(
            |(location, name, description)| {
                let mut scheme = json!({"type": "apiKey", "in": location, "name": name});
                if let Some(description) = description {
                    scheme["description"] = json!(description);
                }
                scheme
            }
        ),
        Just(json!({"type": "http", "scheme": "bearer"})),
        text().prop_map(|format| json!({"type": "http", "scheme": "bearer", "bearerFormat": format})),
        Just(json!({"type": "http", "scheme": "basic"})),
        (text(), text()).prop_map(|(scope, description)| json!({
            "type": "oauth2",
            "flows": {"clientCredentials": {"tokenUrl": "https://auth.example.test/token", "scopes": {scope: description}}}
        })),
        text().prop_map(|url| json!({"type": "openIdConnect", "openIdConnectUrl": url})),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct OperationParts {
    method: &'static str,
    operation_id: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    parameters: Vec<(String, &'static str, Value, Option<String>, bool)>,
    request_body: Option<Value>,
    response: Option<Value>,
    response_description: String,
    /// Values of the extensions `EXTENDED_CONFIG` reads: group, method name, listed items.
    extensions: (Option<String>, Option<String>, Vec<String>),
}

fn operation() -> BoxedStrategy<OperationParts> {
    (
        select(&["get", "post", "put", "delete", "patch"][..]),
        (optional(text()), optional(text()), optional(text()), prop::collection::vec(text(), 0..2)),
        prop::collection::vec(parameter(), 0..4),
        prop::option::weighted(0.4, schema()),
        prop::option::weighted(0.7, schema()),
        text(),
        (optional(text()), optional(text()), prop::collection::vec(text(), 0..3)),
    )
        .prop_map(
            |(
                method,
                (operation_id, summary, description, tags),
                parameters,
                request_body,
                response,
                response_description,
                extensions,
            )| {
                OperationParts {
                    method,
                    operation_id,
                    summary,
                    description,
                    tags,
                    parameters,
                    request_body,
                    response,
                    response_description,
                    extensions,
                }
            },
        )
        .boxed()
}

/// A path item: its first segment and its operations.
fn path_item() -> BoxedStrategy<(String, Vec<OperationParts>)> {
    (path_text(), prop::collection::vec(operation(), 1..3)).boxed()
}

fn document() -> BoxedStrategy<Value> {
    (
        (
            text(),
            optional(text()),
            prop::collection::vec(select(server_urls()), 0..3),
            prop::collection::vec((text(), text()), 0..3),
        ),
        prop::collection::vec(path_item(), 1..4),
        prop::collection::vec((text(), schema()), 0..3),
        prop::collection::vec((text(), security_scheme()), 0..3),
    )
        .prop_map(|((title, description, servers, tags), paths, schemas, schemes)| {
            let mut info = json!({"title": title, "version": "1"});
            if let Some(description) = description {
                info["description"] = json!(description);
            }
            let mut document = json!({"openapi": "3.0.3", "info": info});
            if !servers.is_empty() {
                document["servers"] = Value::Array(servers.into_iter().map(|url| json!({"url": url})).collect());
            }
            if !tags.is_empty() {
                document["tags"] = Value::Array(
                    tags.into_iter()
                        .map(|(name, description)| json!({"name": name, "description": description}))
                        .collect(),
                );
            }
            let mut path_map = Map::new();
            for (segment, operations) in paths {
                let mut item = Map::new();
                let mut template = format!("/{segment}");
                for operation in operations {
                    if item.contains_key(operation.method) {
                        continue;
                    }
                    let mut parameters = Vec::new();
                    for (name, location, schema, description, required) in &operation.parameters {
                        if *location == "path" && !template.contains(&format!("{{{name}}}")) {
                            template.push_str(&format!("/{{{name}}}"));
                        }
                        let mut parameter = json!({
                            "name": name, "in": location, "schema": schema,
                            "required": *required || *location == "path",
                        });
                        if let Some(description) = description {
                            parameter["description"] = json!(description);
                            parameter["example"] = json!(description);
                        }
                        parameters.push(parameter);
                    }
                    let mut body = json!({
                        "responses": {"default": {"description": operation.response_description}},
                    });
                    if let Some(schema) = &operation.response {
                        body["responses"]["200"] = json!({
                            "description": operation.response_description,
                            "content": {"application/json": {"schema": schema}},
                        });
                    }
                    for (key, value) in [
                        ("operationId", &operation.operation_id),
                        ("summary", &operation.summary),
                        ("description", &operation.description),
                    ] {
                        if let Some(value) = value {
                            body[key] = json!(value);
                        }
                    }
                    let (group, method_name, listed) = &operation.extensions;
                    if let Some(group) = group {
                        body["x-group"] = json!(group);
                    }
                    if let Some(method_name) = method_name {
                        body["x-method"] = json!(method_name);
                    }
                    if !listed.is_empty() {
                        body["x-listed"] = json!(listed);
                    }
                    if !operation.tags.is_empty() {
                        body["tags"] = json!(operation.tags);
                    }
                    if !parameters.is_empty() {
                        body["parameters"] = Value::Array(parameters);
                    }
                    if let Some(schema) = &operation.request_body {
                        body["requestBody"] =
                            json!({"required": true, "content": {"application/json": {"schema": schema}}});
                    }
                    item.insert(operation.method.to_string(), body);
                }
                // Each path parameter of each operation is in the template; the others' path
                // parameters are declared where they appear only.
                path_map.insert(template, Value::Object(item));
            }
            document["paths"] = Value::Object(path_map);
            let mut components = Map::new();
            if !schemas.is_empty() {
                let map: Map<String, Value> = schemas.into_iter().collect();
                components.insert("schemas".into(), Value::Object(map));
            }
            if !schemes.is_empty() {
                let security: Vec<Value> = schemes.iter().take(1).map(|(name, _)| json!({name: []})).collect();
                document["security"] = Value::Array(security);
                let map: Map<String, Value> = schemes.into_iter().collect();
                components.insert("securitySchemes".into(), Value::Object(map));
            }
            if !components.is_empty() {
                document["components"] = Value::Object(components);
            }
            document
        })
        .boxed()
}

fn server_urls() -> Vec<String> {
    let mut urls = vec!["https://api.example.test/v1".to_string(), "/relative".to_string()];
    urls.extend(hostile_strings().into_iter().map(|h| format!("https://api.example.test/{h}")));
    urls.extend(hostile_strings().into_iter().step_by(3));
    urls
}

/// A configuration under which more spec strings reach the output: operation extensions name
/// resources and methods and add documented lists, parameters move into the params struct,
/// and responses are unwrapped from an envelope.
const EXTENDED_CONFIG: &str = r#"
[naming]
group_extension = "x-group"
method_extension = "x-method"
params_in_struct = ["id", "name"]

[docs.extensions]
"x-listed" = "Listed items"

[response]
unwrap_field = "result"
"#;

fn extended_config() -> sdkgen::Config {
    sdkgen::Config::parse(EXTENDED_CONFIG, Path::new("extended.toml")).unwrap()
}

/// Whether a crate was generated, and what went wrong with one document, if anything.
fn problems(path: &Path, lenient: bool, extended: bool) -> (bool, Vec<String>) {
    let config = if extended { extended_config() } else { sdkgen::Config::default() };
    problems_with(path, lenient, &config)
}

/// [`problems`] with a given configuration.
fn problems_with(path: &Path, lenient: bool, config: &sdkgen::Config) -> (bool, Vec<String>) {
    let options = sdkgen::Options {
        provenance: sdkgen::Provenance {
            spec: "hostile.json".into(),
            command: "cargo test -p sdkgen --test fuzz".into(),
            crate_path: "out".into(),
        },
        standalone: true,
        lenient,
        contract_tests: false,
    };
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let loaded = sdkgen::load::load_spec(path)?;
        sdkgen::generate(&loaded, config, &options)
    }));
    match outcome {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            (false, vec![format!("generation panicked: {message}")])
        }
        Ok(Err(error)) => (false, error_problems(path, &error.to_string())),
        Ok(Ok(generated)) => {
            dump(path, &generated);
            (true, oracle::check(&generated, MARKER).iter().map(ToString::to_string).collect())
        }
    }
}

/// With `SDKGEN_FUZZ_DUMP=<dir>`, the generated files go to `<dir>/<spec file stem>/` for
/// a look at what the oracle reported.
fn dump(spec: &Path, generated: &sdkgen::Generated) {
    let Some(dir) = std::env::var_os("SDKGEN_FUZZ_DUMP") else { return };
    let root = Path::new(&dir).join(spec.file_stem().unwrap());
    for file in &generated.files {
        // Paths the oracle rejects (too long, escaping the crate) are not written.
        if oracle::path_problem(&file.path).is_some() {
            continue;
        }
        let path = root.join(&file.path);
        let written =
            std::fs::create_dir_all(path.parent().unwrap()).and_then(|()| std::fs::write(&path, &file.contents));
        if let Err(error) = written {
            eprintln!("SDKGEN_FUZZ_DUMP: {}: {error}", path.display());
        }
    }
}

/// An error must say which file, and must not carry raw control characters to the terminal.
fn error_problems(path: &Path, message: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let file_name = path.file_name().unwrap().to_string_lossy();
    if message.trim().is_empty() || !message.contains(&*file_name) {
        problems.push(format!("error does not name the file {file_name}: {message:?}"));
    }
    if let Some(c) = message.chars().find(|c| c.is_control() || BIDI.contains(c)) {
        problems.push(format!("error message holds the raw control character {c:?}: {message:?}"));
    }
    problems
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| panic!("{name} must be a number, not {value:?}")),
        Err(_) => default,
    }
}

#[test]
fn structured_fuzz() {
    let cases = env_number("SDKGEN_FUZZ_CASES", 64) as u32;
    let seed = env_number("SDKGEN_FUZZ_SEED", 0x5d6b_6e65_7363_6170);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = RunnerConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 400,
        max_shrink_time: 60_000,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..RunnerConfig::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    if std::env::var_os("SDKGEN_FUZZ_SURVEY").is_some() {
        survey(&mut runner, cases);
        return;
    }
    let started = std::time::Instant::now();
    let generated = std::cell::Cell::new(0u32);
    let rejected = std::cell::Cell::new(0u32);
    let strategy = (document(), any::<bool>(), any::<bool>(), any::<bool>());
    let result = runner.run(&strategy, |(document, yaml, lenient, extended)| {
        let (file_name, text) = if yaml {
            ("case.yaml", serde_yaml::to_string(&document).unwrap())
        } else {
            ("case.json", serde_json::to_string_pretty(&document).unwrap())
        };
        let path = common::temp_spec("fuzz", file_name, &text);
        let (ok, problems) = problems(&path, lenient, extended);
        let counter = if ok { &generated } else { &rejected };
        counter.set(counter.get() + 1);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "{} problem(s) (lenient: {lenient}, extended configuration: {extended}):\n{}\nspec ({file_name}):\n{text}",
                problems.len(),
                problems.join("\n")
            )))
        }
    });
    let (generated, rejected) = (generated.get(), rejected.get());
    eprintln!(
        "structured_fuzz: {cases} cases, seed {seed}: {generated} generated, {rejected} rejected \
         (runs while shrinking included), {:.1?}",
        started.elapsed()
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, (document, yaml, lenient, extended))) => panic!(
            "minimal failing document (yaml: {yaml}, lenient: {lenient}, extended: {extended}): {reason}\n\nas JSON:\n{}",
            serde_json::to_string_pretty(&document).unwrap()
        ),
        Err(TestError::Abort(reason)) => panic!("fuzz run aborted: {reason}"),
    }
    // The documents are valid OpenAPI; a generator that refused most of them would pass the
    // oracle by checking nothing. (On success no shrinking ran: the counts are the cases.)
    assert!(generated * 2 >= cases, "only {generated} of {cases} fuzz cases generated a crate ({rejected} refused)");
}

/// `SDKGEN_FUZZ_SURVEY=1`: every case runs (no stop at the first failure, no shrinking) and
/// each distinct problem is listed once with the smallest spec that showed it; fails if any.
fn survey(runner: &mut TestRunner, cases: u32) {
    let strategy = (document(), any::<bool>(), any::<bool>(), any::<bool>());
    let mut seen: std::collections::BTreeMap<String, (usize, String, String)> = Default::default();
    let (mut generated, mut rejected) = (0, 0);
    for case in 0..cases {
        let (document, yaml, lenient, extended) = strategy.new_tree(runner).unwrap().current();
        let (file_name, text) = if yaml {
            ("case.yaml", serde_yaml::to_string(&document).unwrap())
        } else {
            ("case.json", serde_json::to_string_pretty(&document).unwrap())
        };
        let path = common::temp_spec("fuzz-survey", file_name, &text);
        let (ok, problems) = problems(&path, lenient, extended);
        if ok {
            generated += 1;
        } else {
            rejected += 1;
        }
        for problem in problems {
            // The kind of problem: the finding without its excerpt.
            let kind = problem.split(": \"").next().unwrap_or(&problem).to_string();
            let entry = seen.entry(kind).or_insert((0, problem.clone(), text.clone()));
            entry.0 += 1;
            if text.len() < entry.2.len() {
                *entry = (entry.0, problem, format!("case {case}, lenient {lenient}, extended {extended}:\n{text}"));
            }
        }
    }
    let mut report = format!("{cases} cases: {generated} generated, {rejected} rejected\n");
    for (kind, (count, problem, text)) in &seen {
        report.push_str(&format!("\n== {count}x {kind}\n{problem}\n{text}\n"));
    }
    eprintln!("{report}");
    assert!(seen.is_empty(), "{} kind(s) of problem; see the report above", seen.len());
}

/// What each corpus file expects: `x-sdkgen-test-expect: generate` means the spec is valid
/// and generation must succeed; `any` means a located, clean error is acceptable too.
/// `x-sdkgen-test-config: extended` generates with `EXTENDED_CONFIG` instead of the default.
#[test]
fn hostile_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml" || ext == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 12, "hostile specs found: {paths:?}");
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let document: Value = if name.ends_with(".json") {
            serde_json::from_str(&text).unwrap()
        } else {
            serde_yaml::from_str(&text).unwrap()
        };
        let expect = document.get("x-sdkgen-test-expect").and_then(Value::as_str).unwrap_or("generate");
        assert!(matches!(expect, "generate" | "any"), "{name}: x-sdkgen-test-expect is {expect:?}");
        // `x-sdkgen-test-config: extended` runs the spec with `EXTENDED_CONFIG`.
        let extended = document.get("x-sdkgen-test-config").and_then(Value::as_str) == Some("extended");
        for lenient in [false, true] {
            let (generated, mut found) = problems(path, lenient, extended);
            if expect == "generate" && !generated {
                found.push("a valid spec was rejected (it must generate)".into());
            }
            for problem in found {
                failures.push(format!("{name} (lenient: {lenient}): {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn payload_forms_are_what_the_oracle_flags() {
    // Each code-block form of the pool, put verbatim into crate documentation, is flagged:
    // the pool exercises the oracle rather than strings it would wave through.
    let lib = "#![doc = include_str!(\"../README.md\")]\n";
    let forms: Vec<String> = hostile_strings()
        .into_iter()
        .filter(|h| {
            h.contains(PAYLOAD) && (h.contains("```") || h.contains("~~~") || h.contains("    ") || h.contains('\t'))
        })
        .collect();
    assert!(forms.len() >= 15, "{forms:#?}");
    for form in forms {
        let files =
            vec![("README.md".to_string(), format!("# t\n\n{form}\n")), ("src/lib.rs".to_string(), lib.to_string())];
        assert!(!oracle::check_files(&files, MARKER).is_empty(), "the oracle waves through {form:?}");
    }
}

/// Every string position of `value`, object keys included, as a path of steps from the root.
fn string_positions(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::String(_) => out.push(path.clone()),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                string_positions(item, path, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push(Step::Key(key.clone()));
                out.push(path.clone());
                string_positions(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A step into a JSON value; the last `Key` of a position may stand for the key itself.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Replaces the string at `position` (a value, or the key the position ends with when that
/// key holds no string) with `text`.
fn mutate(document: &mut Value, position: &[Step], text: &str) {
    let Some((last, parents)) = position.split_last() else { return };
    let mut node = document;
    for step in parents {
        node = match (step, node) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key).unwrap(),
            (Step::Index(index), Value::Array(items)) => &mut items[*index],
            _ => return,
        };
    }
    match (last, node) {
        (Step::Key(key), Value::Object(map)) if map.get(key).is_some_and(Value::is_string) => {
            map.insert(key.clone(), Value::String(text.to_string()));
        }
        (Step::Key(key), Value::Object(map)) => {
            // Rename the key, keeping its place among its siblings.
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (name, item) in entries {
                map.insert(if &name == key { text.to_string() } else { name }, item);
            }
        }
        (Step::Index(index), Value::Array(items)) => items[*index] = Value::String(text.to_string()),
        _ => {}
    }
}

/// Mutations of a public spec: Cloudflare's extract in `spec/`, with its real configuration,
/// has each string position in turn (keys included) replaced by a hostile string. No panic,
/// only clean located errors, and every generated crate passes the oracle.
#[test]
fn mutated_public_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = std::fs::read_to_string(root.join("spec/cloudflare-fragment.yaml")).unwrap();
    let original: Value = serde_yaml::from_str(&text).unwrap();
    let config_path = root.join("spec/codegen.toml");
    let config = sdkgen::Config::parse(&std::fs::read_to_string(&config_path).unwrap(), &config_path).unwrap();
    let mut positions = Vec::new();
    string_positions(&original, &mut Vec::new(), &mut positions);
    assert!(positions.len() > 100, "{} string positions", positions.len());
    // Every position with `SDKGEN_FUZZ_MUTATIONS=all`; by default an even spread of about
    // 120 of them, so that the suite stays quick.
    if std::env::var("SDKGEN_FUZZ_MUTATIONS").as_deref() != Ok("all") {
        let stride = positions.len().div_ceil(120);
        positions = positions.into_iter().step_by(stride).collect();
    }
    let pool = hostile_strings();
    let dir = std::env::temp_dir().join(format!("sdkgen-mutated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("mutant.json");
    let mut generated_count = 0;
    let mut failures = Vec::new();
    for (index, position) in positions.iter().enumerate() {
        let mut document = original.clone();
        let payload = &pool[index % pool.len()];
        mutate(&mut document, position, payload);
        std::fs::write(&spec, serde_json::to_string(&document).unwrap()).unwrap();
        for lenient in [false, true] {
            let (generated, found) = problems_with(&spec, lenient, &config);
            generated_count += usize::from(generated);
            for problem in found {
                failures.push(format!("{position:?} = {payload:?} (lenient: {lenient}): {problem}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Most mutations leave a valid spec: a generator that refused them all would prove nothing.
    assert!(generated_count > positions.len(), "only {generated_count} of {} runs generated", 2 * positions.len());
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}
