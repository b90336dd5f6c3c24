//! Generating the client from a consumer's `build.rs`, into `OUT_DIR`.
//!
//! The third way in, beside the command line and the committed crate (`sdkgen generate`, with
//! its `--check`): the client is generated at build time, every time the spec changes, and
//! included with one line. In the consumer's `Cargo.toml`:
//!
//! ```toml
//! [build-dependencies]
//! sdkgen = { git = "...", package = "sdkgen" }   # or a path
//! ```
//!
//! its `build.rs`:
//!
//! ```no_run
//! fn main() -> Result<(), sdkgen::build::BuildError> {
//!     sdkgen::build::Build::new("openapi.yaml").generate()?;
//!     Ok(())
//! }
//! ```
//!
//! and in its `main.rs` or `lib.rs` (or inside any module; shown as text because it only
//! compiles in a crate whose build script wrote the file, and `cargo xtask test` runs ignored
//! doctests too):
//!
//! ```text
//! include!(concat!(env!("OUT_DIR"), "/sdk.rs"));
//!
//! let client = sdk::Client::builder().base_url("http://localhost:8080").build()?;
//! ```
//!
//! What is different from a generated crate:
//!
//! - **One file, one module.** `OUT_DIR/<module>.rs` holds `pub mod <module> { ... }` (module
//!   `sdk` unless [`Build::module`] says otherwise) with the whole client, its types and its
//!   runtime inside; its paths are relative, so it works at any depth of the consumer's crate.
//!   Doc examples in it are plain `text` blocks (they would be the consumer's doctests).
//! - **No per-resource features.** A generated crate has one cargo feature per top-level
//!   resource; here the consumer's features are not the SDK's, so every resource is compiled.
//!   To compile less, generate from a smaller document (`sdkgen extract` cuts one out with the
//!   operations you name and what they reference).
//! - **The consumer's dependencies.** Generated code uses a few crates (`reqwest`, `serde`,
//!   `serde_json`, `tokio`, ...); the consumer lists them in its own `[dependencies]`.
//!   [`Build::generate`] reads the consumer's `Cargo.toml` and fails, with the lines to add,
//!   when one is missing. Spans and events (`tracing`) are compiled when the consumer has a
//!   feature named `tracing` that enables an optional `tracing` dependency
//!   (`tracing = ["dep:tracing"]`).
//! - **Errors fail the build** with the spec file and the JSON pointer of the problem, as the
//!   command line reports them: [`BuildError`]'s `Debug` is its message, so `main` returning
//!   `Result<(), BuildError>` prints it as it is.
//!
//! `cargo:rerun-if-changed` lines name the spec and the configuration, so the build script
//! runs again only when one of them changes, and an unchanged output file is not rewritten.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::Provenance;
use crate::{Config, Options};

/// What a build script asks for: the spec, and optionally a configuration and a module name.
#[derive(Debug, Clone)]
pub struct Build {
    spec: PathBuf,
    config: Option<PathBuf>,
    module: String,
    lenient: bool,
    out_dir: Option<PathBuf>,
    manifest: Option<PathBuf>,
}

/// What [`Build::generate`] wrote.
#[derive(Debug, Clone)]
pub struct Output {
    /// The file written, `OUT_DIR/<module>.rs`.
    pub path: PathBuf,
    /// The module it holds.
    pub module: String,
    /// Whether the file changed (an unchanged file is left alone).
    pub changed: bool,
    /// Simplifications made in lenient mode, one line each (`pointer: message`).
    pub diagnostics: Vec<String>,
}

/// A failed generation, with a message that names the file and the JSON pointer of the
/// problem. Its `Debug` is the message too, so that `fn main() -> Result<(), BuildError>`
/// and `.expect(..)` print it readably.
pub struct BuildError {
    message: String,
    source: Option<Error>,
}

impl BuildError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), source: None }
    }

    /// The generator's error, when the spec or configuration was at fault (rather than the
    /// build environment).
    pub fn generator_error(&self) -> Option<&Error> {
        self.source.as_ref()
    }
}

impl From<Error> for BuildError {
    fn from(error: Error) -> Self {
        Self { message: format!("sdkgen could not generate the client: {error}"), source: Some(error) }
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Debug for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|error| error as _)
    }
}

impl Build {
    /// Generation from the spec at `spec` (relative paths are relative to the consumer's
    /// package, where cargo runs build scripts).
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Self { spec: spec.into(), config: None, module: "sdk".into(), lenient: false, out_dir: None, manifest: None }
    }

    /// A `codegen.toml` (names, environment variables, envelopes; see the project's README).
    pub fn config(mut self, path: impl Into<PathBuf>) -> Self {
        self.config = Some(path.into());
        self
    }

    /// The module the file holds, and the file's name (`<module>.rs`); `sdk` by default.
    pub fn module(mut self, name: impl Into<String>) -> Self {
        self.module = name.into();
        self
    }

    /// Simplifies or skips what is broken and confined to one operation or schema, instead of
    /// failing (the command line's `--lenient`); each simplification is a `cargo:warning`.
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Writes into `dir` instead of `OUT_DIR` (for tests and tools).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Checks dependencies against this `Cargo.toml` instead of `CARGO_MANIFEST_DIR`'s.
    pub fn manifest(mut self, path: impl Into<PathBuf>) -> Self {
        self.manifest = Some(path.into());
        self
    }

    /// Generates the client into `OUT_DIR/<module>.rs`, prints the `cargo:rerun-if-changed`
    /// lines, and returns what it wrote.
    pub fn generate(self) -> Result<Output, BuildError> {
        if !is_module_name(&self.module) {
            return Err(BuildError::new(format!(
                "sdkgen: `{}` cannot name a module; use a lowercase Rust identifier that is not a keyword",
                crate::error::escape(&self.module)
            )));
        }
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                BuildError::new("sdkgen: OUT_DIR is not set; `sdkgen::build` runs from a build script (build.rs)")
            })?,
        };
        println!("cargo:rerun-if-changed={}", self.spec.display());
        if let Some(config) = &self.config {
            println!("cargo:rerun-if-changed={}", config.display());
        }
        let manifest = self
            .manifest
            .clone()
            .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(|dir| PathBuf::from(dir).join("Cargo.toml")));
        if let Some(manifest) = manifest {
            check_dependencies(&manifest)?;
        }
        let config = match &self.config {
            Some(path) => Config::parse(&crate::load::read_text(path)?, path)?,
            None => Config::default(),
        };
        let spec = crate::load::load_spec(&self.spec)?;
        let spec_shown = self.spec.display().to_string();
        let provenance = Provenance {
            spec: spec_shown.clone(),
            command: "cargo build (the build script calls sdkgen::build)".into(),
            crate_path: String::new(),
        };
        let options =
            Options { provenance: provenance.clone(), standalone: false, lenient: self.lenient, contract_tests: false };
        let generated = crate::generate_with(&spec, &config, &options, |api| {
            // One module in the consumer's crate, whatever the configuration's layout.
            crate::ir::analysis::features::remove(api);
            api.workspace = None;
        })?;
        let diagnostics: Vec<String> = generated
            .api
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", crate::error::escape(&d.pointer), crate::error::escape(&d.message)))
            .collect();
        for line in &diagnostics {
            println!("cargo:warning=sdkgen: {}: {line}", crate::error::escape(&spec_shown));
        }
        let doc = vec![
            format!(
                "The {} client, generated at build time by sdkgen.",
                crate::emit::escape::line_comment(&generated.api.title)
            ),
            String::new(),
            // The module's outer docs resolve links where the module is declared.
            format!("Start from [`Client`]({}::Client): `Client::builder()` or `Client::from_env()`.", self.module),
        ];
        let header = format!(
            "// {} from `{}` by a build script. Do not edit it by hand.\n",
            crate::output::HEADER_MARK,
            crate::emit::escape::line_comment(&spec_shown)
        );
        let text = crate::bundle::bundle(&generated.files, &self.module, &doc, &header)?;
        let path = out_dir.join(format!("{}.rs", self.module));
        let changed = crate::write::write_file(&path, &text)?;
        Ok(Output { path, module: self.module, changed, diagnostics })
    }
}

/// [`Build::new`]`(spec).generate()`: the client of `spec` into `OUT_DIR/sdk.rs`.
pub fn generate(spec: impl AsRef<Path>) -> Result<Output, BuildError> {
    Build::new(spec.as_ref()).generate()
}

fn is_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name != "_"
        && !crate::ir::naming::is_keyword(name)
}

/// Fails, listing the lines to add, when the consumer's `Cargo.toml` lacks a dependency the
/// generated code uses (in `[dependencies]` or a `[target.*.dependencies]`), or declares it
/// without a feature the code relies on (e.g. `serde_json`'s `raw_value`). A dependency taken
/// from the workspace (`workspace = true`) is trusted to have its features there.
fn check_dependencies(manifest: &Path) -> Result<(), BuildError> {
    let text = crate::load::read_text(manifest)?;
    let document: toml::Table =
        toml::from_str(&text).map_err(|error| BuildError::new(format!("sdkgen: {}: {error}", manifest.display())))?;
    let mut present: Vec<(&str, &toml::Value)> = Vec::new();
    if let Some(toml::Value::Table(dependencies)) = document.get("dependencies") {
        present.extend(dependencies.iter().map(|(name, entry)| (name.as_str(), entry)));
    }
    if let Some(toml::Value::Table(targets)) = document.get("target") {
        for target in targets.values() {
            if let Some(toml::Value::Table(dependencies)) = target.get("dependencies") {
                present.extend(dependencies.iter().map(|(name, entry)| (name.as_str(), entry)));
            }
        }
    }
    let satisfies = |needed: &crate::emit::DependencyLine| {
        present.iter().filter(|(name, _)| *name == needed.name).any(|(_, entry)| {
            let Some(table) = entry.as_table() else {
                // `name = "1"`: default features only.
                return needed.features.is_empty();
            };
            if table.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                return true;
            }
            let declared = table.get("features").and_then(toml::Value::as_array);
            needed
                .features
                .iter()
                .all(|feature| declared.is_some_and(|declared| declared.iter().any(|d| d.as_str() == Some(feature))))
        })
    };
    let missing: Vec<String> = crate::emit::dependency_lines()
        .into_iter()
        .filter(|needed| !satisfies(needed))
        .map(|needed| needed.line)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(BuildError::new(format!(
        "sdkgen: the generated client uses crates (or features of them) that {} does not declare; \
         add or complete these lines in its [dependencies]:\n{}",
        manifest.display(),
        missing.join("\n")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert!(is_module_name("sdk"));
        assert!(is_module_name("pet_store2"));
        assert!(!is_module_name("Sdk"));
        assert!(!is_module_name("mod"));
        assert!(!is_module_name("2x"));
        assert!(!is_module_name(""));
        assert!(!is_module_name("a-b"));
    }
}
