//! The `sdkgen` command line: `generate` an SDK crate, or `extract` a fragment of a spec.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use sdkgen::error::escape;
use sdkgen::{Options, Provenance};

/// Generates Rust SDK crates from OpenAPI documents.
#[derive(Parser)]
#[command(name = "sdkgen", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Shown after `sdkgen --help` and `sdkgen generate --help`.
const EXAMPLES: &str = "\
Examples:
  # A crate named after the spec's title, in ./petstore-sdk, with its own [workspace]
  sdkgen generate --spec petstore.yaml --out petstore-sdk --standalone

  # With a configuration (names, environment variables, envelopes)
  sdkgen generate --spec openapi.json --config codegen.toml --out sdk

  # In CI: fail (status 1) with a diff when the committed crate is not what the same
  # command would generate
  sdkgen generate --spec openapi.json --config codegen.toml --out sdk --check

  # A document with broken parts: skip or simplify what is confined to one operation or
  # schema, and list each simplification
  sdkgen generate --spec openapi.json --out sdk-lenient --lenient --verbose

  # A self-contained fragment of a large document: two operations and what they reference
  sdkgen extract --spec cloudflare-openapi.json --operation zones-get --operation dns-records-for-a-zone-list-dns-records --out fragment.yaml";

#[derive(Subcommand)]
enum Command {
    /// Generate an SDK crate from a spec.
    #[command(after_help = EXAMPLES)]
    Generate {
        /// The OpenAPI document (YAML or JSON).
        #[arg(long)]
        spec: PathBuf,
        /// The generator configuration (`codegen.toml`); optional.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The crate directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Do not write; exit with status 1 if the directory differs from what would be generated.
        #[arg(long)]
        check: bool,
        /// Give the crate its own `[workspace]` table.
        #[arg(long)]
        standalone: bool,
        /// List every simplification the generator made.
        #[arg(long)]
        verbose: bool,
        /// Skip or simplify what is broken in one operation or schema (each listed) instead of stopping.
        #[arg(long)]
        lenient: bool,
        /// Also write `tests/contract.rs`: a test per operation, run against a mock server of the spec.
        #[arg(long)]
        tests: bool,
        /// `crate` (one crate) or `workspace` (a facade, a core and resource crates, compiled in
        /// parallel); overrides `[output] layout` of the configuration.
        #[arg(long)]
        layout: Option<sdkgen::config::Layout>,
    },
    /// Extract operations and everything they reference into a self-contained YAML document.
    Extract {
        /// The source document (YAML or JSON).
        #[arg(long)]
        spec: PathBuf,
        /// operationId to keep (repeatable).
        #[arg(long = "operation", required = true)]
        operations: Vec<String>,
        /// Where to write the fragment (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> sdkgen::Result<ExitCode> {
    match cli.command {
        Command::Generate { spec, config, out, check, standalone, verbose, lenient, tests, layout } => {
            let command = std::env::args().collect::<Vec<_>>().join(" ");
            let provenance = Provenance {
                spec: spec.display().to_string(),
                command: strip_check(&command),
                crate_path: out.display().to_string(),
            };
            let options = Options { provenance, standalone, lenient, contract_tests: tests };
            let mut config = sdkgen::load_config(config.as_deref())?;
            if let Some(layout) = layout {
                config.output.layout = layout;
            }
            let generated = sdkgen::generate_from_spec_path(&spec, &config, &options)?;
            let api = &generated.api;
            eprintln!(
                "{} operations, {} resources, {} types, {} files, {} lines",
                api.operations.len(),
                api.resources.descendant_count(),
                api.types.len(),
                generated.files.len(),
                generated.files.iter().map(|f| f.contents.lines().count()).sum::<usize>()
            );
            if verbose {
                let stages: Vec<String> = generated
                    .timings
                    .iter()
                    .map(|(stage, time)| format!("{stage} {:.0} ms", time.as_secs_f64() * 1000.0))
                    .collect();
                eprintln!("timings: {}", stages.join(", "));
                for diagnostic in &api.diagnostics {
                    let (pointer, message) = (escape(&diagnostic.pointer), escape(&diagnostic.message));
                    eprintln!("note: {pointer} [{}]: {message}", diagnostic.kind);
                }
            } else if !api.diagnostics.is_empty() {
                eprintln!("{} simplification(s); --verbose lists them", api.diagnostics.len());
            }
            if check {
                let drift = sdkgen::write::check(&generated.files, &out)?;
                if !drift.is_clean() {
                    eprint!("{}", drift.report(&strip_check(&command)));
                    return Ok(ExitCode::FAILURE);
                }
                eprintln!("{} is up to date", out.display());
            } else {
                let written = sdkgen::write::write(&generated.files, &out)?;
                eprintln!("wrote {} file(s) to {}", written.touched().len(), out.display());
                if let Some(note) = written.kept_note() {
                    eprintln!("{note}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract { spec, operations, out } => {
            let document = sdkgen::load::load_value(&spec)?;
            let fragment =
                sdkgen::extract::extract(&document, &operations).map_err(|problem| problem.in_file(&spec))?;
            let source = spec.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text =
                sdkgen::extract::to_yaml(&fragment, &source, &operations).map_err(|problem| problem.in_file(&spec))?;
            match out {
                Some(path) => std::fs::write(&path, text).map_err(|source| sdkgen::Error::Io { path, source })?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn strip_check(command: &str) -> String {
    command.replace(" --check", "")
}
