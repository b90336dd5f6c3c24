//! Every fixture spec checked against the official OpenAPI JSON Schema of its version (3.0 or
//! 3.1), with `@seriousme/openapi-schema-validator`, which ships the schemas published by the
//! OpenAPI Initiative (pinned in `xtask/openapi-schema/package-lock.json`; `cargo xtask test`
//! installs it with `npm ci` and runs this test).
//!
//! The fixtures exercise what sdkgen reads, so they must be what the standard allows: a 3.1
//! form sdkgen accepts is only worth a fixture if the 3.1 schema accepts it too. A few 3.0
//! fixtures are invalid on purpose (the generator's tolerance of broken documents); they are
//! listed below with the reason, and the test checks that they still are invalid, so the list
//! cannot go stale.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Fixtures that break the schema on purpose, and why.
const INVALID_ON_PURPOSE: &[(&str, &str)] = &[
    ("dedupe.yaml", "a 3.0 `$ref` with a sibling `description` (3.0 ignores siblings; sdkgen keeps the docs)"),
    ("dns.yaml", "Cloudflare's own error schema lists a required property twice"),
    ("hostile.yaml", "hostile input: keywords of the wrong JSON type"),
    ("schemas.yaml", "an unknown `type` value, which sdkgen reads as any JSON"),
    ("workspace.yaml", "dedupe.yaml's document in the workspace layout, with its `$ref` siblings"),
];

fn validator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../xtask/openapi-schema/node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js")
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|entry| entry.expect("fixture entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    specs.sort();
    specs
}

/// The validator's verdict and its report.
fn validate(spec: &Path) -> (bool, String) {
    let output = Command::new("node")
        .arg(validator())
        .arg(spec)
        .output()
        .unwrap_or_else(|error| panic!("cannot run node (Node.js is needed for this test): {error}"));
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    let valid = report.contains("\"valid\": true");
    assert!(
        valid || report.contains("\"valid\": false"),
        "the validator gave no verdict for {}: status {}, {report}{}",
        spec.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(valid, output.status.success(), "verdict and exit status disagree for {}", spec.display());
    (valid, report)
}

#[test]
#[ignore = "needs Node.js and xtask/openapi-schema's npm packages (`cargo xtask test` installs them and runs this)"]
fn fixtures_match_the_official_openapi_schema() {
    assert!(
        validator().exists(),
        "{} is missing: run `npm ci` in xtask/openapi-schema (cargo xtask test does)",
        validator().display()
    );
    let mut failures = Vec::new();
    let mut checked_31 = 0;
    for spec in fixtures() {
        let name = spec.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&spec).expect("fixture text");
        checked_31 += usize::from(text.lines().any(|line| line.starts_with("openapi: 3.1")));
        let (valid, report) = validate(&spec);
        let on_purpose = INVALID_ON_PURPOSE.iter().find(|(file, _)| *file == name);
        match (valid, on_purpose) {
            (true, None) | (false, Some(_)) => {}
            (false, None) => failures.push(format!("{name} breaks the OpenAPI schema:\n{report}")),
            (true, Some((_, why))) => failures
                .push(format!("{name} is listed as invalid on purpose ({why}) but is valid: take it off the list")),
        }
    }
    assert!(checked_31 >= 1, "no OpenAPI 3.1 fixture was checked");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
