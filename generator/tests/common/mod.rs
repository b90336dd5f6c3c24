//! Helpers shared by the generator's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sdkgen::{Config, Generated, Options, Provenance};

pub mod oracle;

/// `generator/tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Generates a fixture with its `<name>.toml` configuration when there is one.
pub fn generate_fixture(name: &str, standalone: bool) -> Generated {
    let spec = fixtures_dir().join(format!("{name}.yaml"));
    let config_path = fixtures_dir().join(format!("{name}.toml"));
    let config = if config_path.exists() {
        Config::parse(&std::fs::read_to_string(&config_path).unwrap(), &config_path).unwrap()
    } else {
        let mut config = Config::default();
        config.package.name = Some(format!("fixture-{name}"));
        config
    };
    let loaded = sdkgen::load::load_spec(&spec).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        provenance: Provenance {
            spec: format!("tests/fixtures/{name}.yaml"),
            command: "cargo test -p sdkgen".into(),
            crate_path: format!("target/fixture-crates/{name}"),
        },
        standalone,
        lenient: false,
        contract_tests: false,
    };
    sdkgen::generate(&loaded, &config, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// Writes a spec text to a fresh temporary file and returns its path. Each call gets a
/// directory of its own: tests run in parallel, and two calls with the same `test` must not
/// write over each other's file (or the `out` directory beside it) while the other reads it.
pub fn temp_spec(test: &str, file_name: &str, text: &str) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sdkgen-test-{}-{test}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file_name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The construction check crate of a fixture, for a workspace where the fixture's crate is
/// the sibling directory `<fixture>`.
pub fn construction_check(api: &sdkgen::ir::Api, fixture: &str) -> sdkgen::ConsumerCheck {
    let options = sdkgen::ConsumerOptions {
        package: format!("construction-check-{fixture}"),
        sdk_path: format!("../{fixture}"),
        standalone: false,
        provenance: Provenance {
            spec: format!("tests/fixtures/{fixture}.yaml"),
            command: "cargo test -p sdkgen".into(),
            crate_path: format!("target/fixture-crates/construction-check-{fixture}"),
        },
    };
    sdkgen::consumer_check_crate(api, &options).unwrap_or_else(|e| panic!("{e}"))
}
