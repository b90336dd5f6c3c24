//! Project automation: `cargo xtask <command>`. Glue only; the work happens in `sdkgen`.

mod bench;
mod cloudflare;
pub mod codegen;
mod compile_cost;
mod construction;
mod contract;
mod corpus;
mod names;
mod prism_routes;
mod test;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   regenerate generated-sdk/ from spec/ (--check: fail on any difference)
  test                install test tools (Prism) and run the whole test suite
  cloudflare [--check-build] [--build] [--clippy] [--construction] [--pagination] [--profile] [--growth]
             [--layout crate|workspace] [--compare-layouts]
                      generate the SDK for Cloudflare's whole document into target/cloudflare-sdk
                      (--check-build: also run `cargo check` on it, zero_trust alone then all
                      features, and report time, memory and warnings; --build: the same with
                      `cargo build` (dev profile, code generation included); --clippy: then clippy too;
                      --construction, also part of --check-build: build every request-body type
                      from a crate outside the SDK through its public API, and `cargo check` it;
                      --pagination: only report how many operations are lists and how they page;
                      --profile: rustc's passes (-Z time-passes) for zero_trust and all features;
                      --growth: check time and memory against the number of resources and types)
  corpus [...]        run the generator over the APIs.guru corpus and report (see xtask/src/corpus.rs)
  contract SPEC [--config FILE] [--out DIR] [--sdk DIR] [--filter SUBSTR] [--threads N]
           [--require-all] [--prism-errors] [--timeout SECS] [--prism-timeout SECS] [--cargo-arg ARG]
                      generate the SDK with its contract tests (one per operation) into
                      target/contract/<crate>/ (--sdk: use an already generated crate), build them,
                      run them against Prism's mock of SPEC, and write report.md and report.json
                      there: each operation passed or why not, ending `N of M operations passed`;
                      exit 1 only when the runner fails or the tests do not build (--require-all:
                      also when any test fails); --prism-errors: Prism's --errors (responses that
                      break the spec become 500s); --cargo-arg: passed to `cargo test --no-run`
  contract --corpus-sample [--limit N] [--filter SUBSTR]
                      the same over the fixed corpus sample (xtask/contract-sample.txt), one spec
                      after another, with a summary table (target/contract/corpus/summary.md)
  names [--examples N] [--github-spec FILE] [--style S] [--refresh-cloudflare DIR] [--refresh-octokit DIR]
                      compare resource paths and method names with the official Cloudflare
                      TypeScript SDK (operations without naming extensions) and octokit (GitHub's
                      document, no configuration); --style: Cloudflare's [naming] style (auto, path,
                      operation_id); tables in xtask/names/ (see xtask/src/names.rs)
  bench               generation time and peak memory on the largest documents vs. their parse floor";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(args[1..].iter().any(|a| a == "--check")),
        Some("test") => test::run(&args[1..]),
        Some("cloudflare") => cloudflare::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("contract") => contract::run(&args[1..]),
        Some("names") => names::run(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root, wherever the command is run from.
pub fn project_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the root")
        .to_path_buf()
}
