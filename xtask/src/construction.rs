//! The construction check: a crate outside the SDK that builds one value of every
//! request-body type through the public API only (emitted by `sdkgen::consumer_check_crate`),
//! written beside the SDK and `cargo check`ed. The fixtures' checks run in
//! `generator/tests/fixtures_compile.rs` (part of `cargo xtask test`); Cloudflare's in
//! `cargo xtask cloudflare --check-build` (or `--construction` alone).

use std::path::Path;

use sdkgen::{ConsumerOptions, Provenance};

/// Writes the check crate for `api` into `dir` (the SDK is at `sdk_dir`), checks it with
/// `target` as the target directory, and reports. Returns whether it compiled.
pub fn run(api: &sdkgen::ir::Api, sdk_dir: &Path, dir: &Path, target: &Path, spec: &str) -> Result<bool, String> {
    let sdk_path = relative(sdk_dir, dir)?;
    let options = ConsumerOptions {
        package: format!("{}-construction-check", api.package.name),
        sdk_path,
        standalone: true,
        provenance: Provenance {
            spec: spec.into(),
            command: "cargo xtask cloudflare --construction".into(),
            crate_path: "target/cloudflare-construction-check".into(),
        },
    };
    let check = sdkgen::consumer_check_crate(api, &options).map_err(|e| e.to_string())?;
    sdkgen::write::write(&check.files, dir).map_err(|e| e.to_string())?;
    std::fs::copy(crate::project_root().join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let stats = &check.stats;
    eprintln!(
        "construction check: {} operation bodies, {} body types; {} structs and unions built through new/setters/From, \
         {} enums used, {} skipped (required cycles, no finite value)",
        stats.bodies,
        stats.body_types,
        stats.built,
        stats.enums,
        stats.skipped.len()
    );
    if !stats.skipped.is_empty() {
        eprintln!("  skipped: {}", stats.skipped.join(", "));
    }
    let run = crate::cloudflare::cargo_check(dir, target, "check", &[])?;
    eprintln!("cargo check (construction check crate): {run}");
    Ok(run.errors == 0)
}

/// `sdk_dir` as seen from `dir`, when both sit in the same parent (as the xtask writes them).
fn relative(sdk_dir: &Path, dir: &Path) -> Result<String, String> {
    match (sdk_dir.parent(), dir.parent(), sdk_dir.file_name()) {
        (Some(a), Some(b), Some(name)) if a == b => Ok(format!("../{}", name.to_string_lossy())),
        _ => Ok(sdk_dir.to_str().ok_or("the SDK's path is not UTF-8")?.to_string()),
    }
}
