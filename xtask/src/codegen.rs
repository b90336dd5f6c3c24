//! `cargo xtask codegen [--check]`: re-extract `spec/cloudflare-fragment.yaml` from the
//! pinned Cloudflare document and regenerate `generated-sdk/` from it, or verify both.

use std::path::PathBuf;

use sdkgen::{Options, Provenance};

/// The spec fragment the committed SDK is generated from, relative to the root.
pub const SPEC: &str = "spec/cloudflare-fragment.yaml";
/// The generator configuration, relative to the root.
pub const CONFIG: &str = "spec/codegen.toml";
/// The generated crate, relative to the root.
pub const OUT: &str = "generated-sdk";
/// The command users run to regenerate.
pub const COMMAND: &str = "cargo xtask codegen";
/// The operations [`SPEC`] holds, extracted from the pinned document with everything they reference.
///
/// Beside the first target (one active session), they cover what the README shows and the
/// SDK's own tests drive: paginated lists (zones, DNS records, KV keys), a Worker upload
/// (multipart with files), KV values (octet-stream and multipart uploads, downloads), a
/// server-sent-events response (queue metrics) and an NDJSON response (Analytics Engine SQL).
pub const EXTRACT_OPERATIONS: &[&str] = &[
    "zero-trust-users-get-active-session",
    "zones-get",
    "dns-records-for-a-zone-list-dns-records",
    "workers-kv-namespace-list-a-namespace'-s-keys",
    "workers-kv-namespace-read-key-value-pair",
    "workers-kv-namespace-write-key-value-pair-with-metadata",
    "worker-script-upload-worker-module",
    "queues-get-metrics",
    "analytics-engine-sql-query-post",
    "workers-ai-post-run-model",
    // Its sibling on the collection path: beside it, the model's call is named as in the
    // whole document (`/ai/run` takes `create`, so `/ai/run/{model_name}` takes its fallback).
    "workers-ai-post-run-generic",
];

/// [`SPEC`] as `sdkgen extract` makes it from the pinned Cloudflare document.
pub fn extract() -> Result<String, String> {
    let document_path = crate::cloudflare::document_path();
    let document = sdkgen::load::load_value(&document_path).map_err(|e| e.to_string())?;
    let operations: Vec<String> = EXTRACT_OPERATIONS.iter().map(|id| id.to_string()).collect();
    let located = |problem: sdkgen::error::SpecProblem| problem.in_file(&document_path).to_string();
    let fragment = sdkgen::extract::extract(&document, &operations).map_err(located)?;
    let source = document_path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    sdkgen::extract::to_yaml(&fragment, &source, &operations).map_err(located)
}

/// Whether [`SPEC`] on disk is what [`extract`] makes.
fn extract_is_fresh(extracted: &str) -> Result<bool, String> {
    let path = crate::project_root().join(SPEC);
    let on_disk = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(on_disk.replace("\r\n", "\n") == extracted)
}

/// Generates the committed SDK in memory.
pub fn generate() -> Result<sdkgen::Generated, String> {
    let root = crate::project_root();
    let options = Options {
        provenance: Provenance { spec: SPEC.into(), command: COMMAND.into(), crate_path: OUT.into() },
        standalone: false,
        lenient: false,
        contract_tests: false,
    };
    sdkgen::generate_from_paths(&root.join(SPEC), Some(&root.join(CONFIG)), &options).map_err(|e| e.to_string())
}

/// Writes (or with `check`, verifies) `generated-sdk/`. Returns whether all is well.
pub fn run(check: bool) -> Result<bool, String> {
    eprintln!("extracting {SPEC} from {}...", crate::cloudflare::DOCUMENT);
    let extracted = extract()?;
    if !extract_is_fresh(&extracted)? {
        if check {
            eprintln!("changed: {SPEC} differs from what the pinned document gives; run `{COMMAND}` to re-extract.");
            return Ok(false);
        }
        let path = crate::project_root().join(SPEC);
        std::fs::write(&path, &extracted).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("re-extracted {SPEC}");
    }
    eprintln!("generating {OUT} from {SPEC}...");
    let generated = generate()?;
    let out: PathBuf = crate::project_root().join(OUT);
    if check {
        let drift = sdkgen::write::check(&generated.files, &out).map_err(|e| e.to_string())?;
        if drift.is_clean() {
            eprintln!("{OUT} is up to date ({} files)", generated.files.len());
            return Ok(true);
        }
        eprint!("{}", drift.report(COMMAND));
        return Ok(false);
    }
    let written = sdkgen::write::write(&generated.files, &out).map_err(|e| e.to_string())?;
    let api = &generated.api;
    eprintln!(
        "generated {OUT}: {} operation(s), {} type(s), {} file(s); {} changed",
        api.operations.len(),
        api.types.len(),
        generated.files.len(),
        written.touched().len()
    );
    for path in &written.written {
        eprintln!("  {path}");
    }
    for path in &written.removed {
        eprintln!("  {path} (removed)");
    }
    if let Some(note) = written.kept_note() {
        eprintln!("{note}");
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    /// The committed SDK is exactly what the generator produces: plain `cargo test` catches
    /// a generator change whose output was not regenerated, or a hand edit.
    #[test]
    fn extract_is_fresh() {
        let extracted = super::extract().expect("the pinned document extracts");
        assert!(
            super::extract_is_fresh(&extracted).unwrap(),
            "{} differs from what the pinned document gives; run `{}`",
            super::SPEC,
            super::COMMAND
        );
    }

    #[test]
    fn generated_sdk_is_fresh() {
        let generated = super::generate().expect("the committed spec generates");
        let drift = sdkgen::write::check(&generated.files, &crate::project_root().join(super::OUT)).expect("readable");
        assert!(drift.is_clean(), "{}", drift.report(super::COMMAND));
    }
}
