//! `sdkgen`: generates an idiomatic Rust SDK crate from an OpenAPI 3.0/3.1 document.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! spec file --load--> openapiv3::OpenAPI --ir::lower--> ir::Api --emit--> laid-out text
//!           (tokens for a few small files) --format--> GeneratedFile --write::write / write::check--> disk
//! ```
//!
//! Only [`load`] and [`write`](mod@write) touch the filesystem; every other stage is a pure function.

pub mod build;
pub mod bundle;
pub mod config;
pub mod emit;
pub mod error;
pub mod extract;
pub mod format;
pub mod ir;
pub mod load;
pub mod output;
mod parallel;
pub mod pointer;
pub mod resolve;
pub mod write;

use std::path::Path;

pub use config::Config;
pub use emit::consumer::{consumer_check_crate, ConsumerCheck, ConsumerOptions, ConsumerStats};
pub use emit::contract::{contract_cases, ContractCase};
pub use error::{Error, Result};
pub use output::{Drift, GeneratedFile, Provenance, Written};

/// The operation keys of an OpenAPI path item, in the order operations are emitted.
pub(crate) const HTTP_METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Options for one generation run.
#[derive(Debug, Clone)]
pub struct Options {
    /// What the generated-file header says about origin and regeneration.
    pub provenance: Provenance,
    /// Give the crate its own `[workspace]` (when it is generated outside any workspace).
    pub standalone: bool,
    /// Force lenient mode on (see [`config::GeneratorConfig::lenient`]).
    pub lenient: bool,
    /// Write the contract tests, `tests/contract.rs` (see [`config::TestsConfig::contract`]).
    pub contract_tests: bool,
}

/// The result of a run: the files and the model they came from.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Every file of the crate, formatted, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// The model (for reports: counts and diagnostics).
    pub api: ir::Api,
    /// Wall time of each stage, in pipeline order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Runs the pure part of the pipeline on an already-loaded spec.
pub fn generate(spec: &load::LoadedSpec, config: &Config, options: &Options) -> Result<Generated> {
    generate_with(spec, config, options, |_| {})
}

/// [`generate`], with `adjust` applied to the model before emission.
fn generate_with(
    spec: &load::LoadedSpec,
    config: &Config,
    options: &Options,
    adjust: impl FnOnce(&mut ir::Api),
) -> Result<Generated> {
    // A configuration read by `Config::parse` was checked there, with line and column; one
    // built in code is checked here, before any of its names reaches the model.
    config.validate()?;
    let mut config = config.clone();
    config.generator.lenient |= options.lenient;
    config.generator.standalone |= options.standalone;
    config.tests.contract |= options.contract_tests;
    let config = &config;
    let mut timings = Vec::new();
    let started = std::time::Instant::now();
    if let (false, Some(duplicate)) = (config.generator.lenient, spec.duplicates.first()) {
        let message =
            format!("{}; a key may appear once per object (--lenient keeps the last value)", duplicate.message);
        return Err(error::SpecProblem::new(duplicate.pointer.clone(), message).in_file(&spec.path));
    }
    let mut api = ir::lower(&spec.document, config).map_err(|problem| problem.in_file(&spec.path))?;
    api.package.crate_path = options.provenance.crate_path.clone();
    api.package.regenerate = options.provenance.command.clone();
    api.package.spec = options.provenance.spec.clone();
    let duplicates = spec.duplicates.iter().map(|duplicate| ir::Diagnostic {
        pointer: duplicate.pointer.clone(),
        kind: "duplicate-key",
        message: format!("{}; the last value is kept", duplicate.message),
    });
    api.diagnostics.splice(0..0, duplicates);
    adjust(&mut api);
    timings.push(("lower", started.elapsed()));
    let started = std::time::Instant::now();
    let context = emit::Context::new(&api);
    let jobs = emit::jobs(&context);
    // Emission and formatting of one file depend on nothing but the model, so the jobs are
    // spread over the cores (the big single files come first in `jobs`); the sort afterwards
    // orders the files by path.
    let results =
        parallel::map(&jobs, |_, job| format::format_files(emit::emit_job(&context, job), &options.provenance));
    let mut files = Vec::with_capacity(jobs.len());
    for result in results {
        files.extend(result?);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    timings.push(("emit and format", started.elapsed()));
    Ok(Generated { files, api, timings })
}

/// Loads the spec and the optional configuration from disk, then generates.
pub fn generate_from_paths(spec_path: &Path, config_path: Option<&Path>, options: &Options) -> Result<Generated> {
    generate_from_spec_path(spec_path, &load_config(config_path)?, options)
}

/// Reads a `codegen.toml` (the default configuration without one).
pub fn load_config(config_path: Option<&Path>) -> Result<Config> {
    match config_path {
        Some(path) => {
            let text = load::read_text(path)?;
            Config::parse(&text, path)
        }
        None => Ok(Config::default()),
    }
}

/// Loads the spec from disk, then generates with `config`.
pub fn generate_from_spec_path(spec_path: &Path, config: &Config, options: &Options) -> Result<Generated> {
    let started = std::time::Instant::now();
    let spec = load::load_spec(spec_path)?;
    let load_time = started.elapsed();
    let mut generated = generate(&spec, config, options)?;
    generated.timings.insert(0, ("load", load_time));
    Ok(generated)
}
