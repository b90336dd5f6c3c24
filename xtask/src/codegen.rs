//! `cargo xtask codegen [--check]`: regenerate `generated-sdk/` from `spec/`, or verify it.

use std::path::PathBuf;

use sdkgen::{Options, Provenance};

/// The spec fragment the committed SDK is generated from, relative to the root.
pub const SPEC: &str = "spec/cloudflare-active-session.yaml";
/// The generator configuration, relative to the root.
pub const CONFIG: &str = "spec/codegen.toml";
/// The generated crate, relative to the root.
pub const OUT: &str = "generated-sdk";
/// The command users run to regenerate.
pub const COMMAND: &str = "cargo xtask codegen";

/// Generates the committed SDK in memory.
pub fn generate() -> Result<sdkgen::Generated, String> {
    let root = crate::project_root();
    let options = Options {
        provenance: Provenance { spec: SPEC.into(), command: COMMAND.into() },
        standalone: false,
        lenient: false,
    };
    sdkgen::generate_from_paths(&root.join(SPEC), Some(&root.join(CONFIG)), &options).map_err(|e| e.to_string())
}

/// Writes (or with `check`, verifies) `generated-sdk/`. Returns whether all is well.
pub fn run(check: bool) -> Result<bool, String> {
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
    fn generated_sdk_is_fresh() {
        let generated = super::generate().expect("the committed spec generates");
        let drift = sdkgen::write::check(&generated.files, &crate::project_root().join(super::OUT)).expect("readable");
        assert!(drift.is_clean(), "{}", drift.report(super::COMMAND));
    }
}
