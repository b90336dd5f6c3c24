//! `cargo xtask test`: installs what the tests need, then runs the whole suite.

use std::process::Command;

/// Installs Prism (pinned by `xtask/prism/package-lock.json`) and runs every test.
pub fn run(extra: &[String]) -> Result<bool, String> {
    let root = crate::project_root();
    let prism_dir = root.join("xtask/prism");
    if !prism_dir.join("node_modules/.bin/prism").exists() {
        eprintln!("installing Prism (npm ci in xtask/prism)...");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&prism_dir)
            .status()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !status.success() {
            return Err("npm ci failed in xtask/prism".into());
        }
    }
    // The quick corpus test (xtask/src/corpus.rs) needs the pinned corpus and the release generator.
    crate::corpus::install()?;
    let sdkgen_bin = crate::corpus::generator_binary()?;
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
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(status.success())
}
