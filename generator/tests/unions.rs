//! Unions decode by evidence, checked in generated crates: the `unions` fixture (one union per
//! decoding rule) and the `dns` fixture (Cloudflare's DNS record list and create operations,
//! extracted from the pinned document) are generated into crates whose `tests/decode.rs`
//! (`tests/fixtures/<name>.decode.rs`) decodes JSON samples and asserts the variant.
//!
//! The DNS samples are built here from the document itself: one record per record type, each
//! property set to the example the document gives for it.
//!
//! The crates are written under `target/union-crates/` and built in the target directory
//! `fixture-check`, shared with `fixtures_compile.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

const CRATES: [(&str, &str); 2] =
    [("unions", include_str!("fixtures/unions.decode.rs")), ("dns", include_str!("fixtures/dns.decode.rs"))];

#[test]
fn generated_unions_decode_to_the_variant_the_evidence_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let workspace = root.join("target/union-crates");
    std::fs::create_dir_all(&workspace).unwrap();
    for (fixture, decode_tests) in CRATES {
        let generated = common::generate_fixture(fixture, false);
        let dir = workspace.join(fixture);
        sdkgen::write::write(&generated.files, &dir).unwrap();
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::write(dir.join("tests/decode.rs"), decode_tests).unwrap();
    }
    let samples = Value::Array(dns_samples());
    std::fs::write(workspace.join("dns/tests/samples.json"), serde_json::to_string_pretty(&samples).unwrap()).unwrap();
    let members = CRATES.iter().map(|(f, _)| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    std::fs::write(workspace.join("Cargo.toml"), format!("[workspace]\nresolver = \"2\"\nmembers = [{members}]\n"))
        .unwrap();
    std::fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock")).unwrap();
    let target: PathBuf =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let run = |args: &[&str], what: &str| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(&workspace)
            .env("CARGO_TARGET_DIR", target.join("fixture-check"))
            .env("RUSTDOCFLAGS", "-D warnings")
            .args(args)
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "the generated union crates {what}:\n{text}");
        text
    };
    run(&["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"], "do not compile cleanly");
    run(&["doc", "--workspace", "--no-deps", "--quiet"], "do not document cleanly");
    let text = run(&["test", "--workspace", "--test", "decode", "--no-fail-fast", "--quiet"], "fail to decode");
    // Both crates ran their tests (a crate without them would pass silently).
    assert_eq!(text.matches("test result: ok").count(), CRATES.len(), "{text}");
}

/// One DNS record per record type, as a response holds it: the record's own properties and
/// the response's shared ones, each from the example the document gives.
fn dns_samples() -> Vec<Value> {
    let document = sdkgen::load::load_value(&common::fixtures_dir().join("dns.yaml")).unwrap();
    let schemas = &document["components"]["schemas"];
    let response = &schemas["dns-records_dns-record-response"];
    let shared = example(schemas, response, 0).expect("the response's own properties have examples");
    let mut samples = Vec::new();
    for group in response["anyOf"].as_array().unwrap() {
        for record in resolve(schemas, group)["anyOf"].as_array().unwrap() {
            let Some(Value::Object(mut sample)) = example(schemas, record, 0) else { panic!("{record}") };
            sample.extend(shared.as_object().unwrap().clone());
            samples.push(Value::Object(sample));
        }
    }
    samples
}

fn resolve<'a>(schemas: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// The schema's example, else an object of its properties' examples, else a one-item array,
/// else the first `enum` value, else a value of its type.
fn example(schemas: &Value, schema: &Value, depth: usize) -> Option<Value> {
    let schema = resolve(schemas, schema);
    if depth > 8 {
        return None;
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(properties) = schema["properties"].as_object() {
        let object: Map<String, Value> = properties
            .iter()
            .filter_map(|(name, property)| Some((name.clone(), example(schemas, property, depth + 1)?)))
            .collect();
        return Some(Value::Object(object));
    }
    if schema.get("items").is_some() {
        return Some(Value::Array(vec![example(schemas, &schema["items"], depth + 1)?]));
    }
    if let Some(first) = schema["enum"].get(0) {
        return Some(first.clone());
    }
    // A property the document gives no example for: a value of its type.
    match schema["type"].as_str()? {
        "string" => Some(Value::from("example")),
        "integer" | "number" => Some(Value::from(1)),
        "boolean" => Some(Value::Bool(true)),
        _ => None,
    }
}
