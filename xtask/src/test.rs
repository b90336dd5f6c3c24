//! `cargo xtask test`: installs what the tests need, then runs the whole suite.

use std::process::Command;

/// Installs Prism and the OpenAPI schema validator (each pinned by its `package-lock.json`)
/// and runs every test.
pub fn run(extra: &[String]) -> Result<bool, String> {
    let root = crate::project_root();
    let prism_dir = root.join("xtask/prism");
    npm_ci(&prism_dir, "node_modules/.bin/prism", "Prism")?;
    // The official OpenAPI JSON Schemas and their validator, for the fixtures' schema check
    // (generator/tests/openapi_schema.rs).
    npm_ci(
        &root.join("xtask/openapi-schema"),
        "node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js",
        "the OpenAPI schema validator",
    )?;
    // The quick corpus test (xtask/src/corpus.rs) needs the pinned corpus and the release generator.
    crate::corpus::install()?;
    let sdkgen_bin = crate::corpus::generator_binary()?;
    // The workspace run compiles and runs the committed SDK's contract tests
    // (generated-sdk/tests/contract.rs) among the others, so it gets a mock of the fragment; the
    // guard stops it when the run ends, however it ends.
    let log = root.join("target/contract-workspace-prism.log");
    let prism = crate::contract::Prism::start(
        &prism_dir.join("node_modules/.bin/prism"),
        &root.join(crate::codegen::SPEC),
        false,
        &log,
        std::time::Duration::from_secs(300),
    )?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The tests that need Prism or the corpus are `#[ignore]`d in a plain `cargo test`; both
    // are installed now, so every test runs.
    // The runtime's `tracing` feature is on, so its trace test runs too.
    let mut arguments: Vec<String> =
        vec!["test".into(), "--workspace".into(), "--features".into(), "sdk-runtime/tracing".into()];
    arguments.extend(extra.iter().cloned());
    if !extra.iter().any(|argument| argument == "--") {
        arguments.push("--".into());
    }
    arguments.push("--include-ignored".into());
    let status = Command::new(cargo)
        .args(&arguments)
        .env("SDKGEN_PRISM", prism_dir.join("node_modules/.bin/prism"))
        .env("SDKGEN_BIN", sdkgen_bin)
        .env(crate::contract::URL_ENV, prism.base_url())
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    drop(prism);
    // Then the same tests through the runner, for the per-operation report and its verdict
    // (`cargo xtask contract --sdk generated-sdk --require-all`); after the workspace run, so
    // that the test binary is already built.
    let started = std::time::Instant::now();
    let report = crate::contract::run_spec(&root.join(crate::codegen::SPEC), &committed_sdk_options(&root))?;
    print!("{}", report.summary());
    let contract_passed = report.passed() == report.rows.len();
    eprintln!(
        "contract tests of the committed SDK: {} in {:.1} s (report: {}/report.md)",
        if contract_passed { "all passed" } else { "FAILED" },
        started.elapsed().as_secs_f64(),
        report.report_dir
    );
    Ok(status.success() && contract_passed)
}

/// Runs `npm ci` in `dir` (pinned by its committed `package-lock.json`) unless `marker`
/// (relative to `dir`) is already installed.
fn npm_ci(dir: &std::path::Path, marker: &str, what: &str) -> Result<(), String> {
    if dir.join(marker).exists() {
        return Ok(());
    }
    eprintln!("installing {what} (npm ci in {})...", dir.display());
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() {
        return Err(format!("npm ci failed in {}", dir.display()));
    }
    Ok(())
}

/// `--sdk generated-sdk --config spec/codegen.toml`: the committed crate, built in the
/// workspace's target directory with the workspace run's features, so its test binary is reused.
fn committed_sdk_options(root: &std::path::Path) -> crate::contract::RunOptions {
    crate::contract::RunOptions {
        config: Some(root.join(crate::codegen::CONFIG)),
        sdk: Some(root.join(crate::codegen::OUT)),
        threads: 4,
        cargo_args: vec!["--workspace".into(), "--features".into(), "sdk-runtime/tracing".into()],
        ..crate::contract::RunOptions::default()
    }
}
