//! Every fixture's generated crate compiles with warnings denied, passes clippy, and its
//! doctests (the README's examples) pass with rustdoc's warnings denied. The `hostile`
//! fixture's payloads fail loudly if they ever run: its crate's tests are run too.
//!
//! Beside each fixture's crate sits its construction check (`sdkgen::consumer_check_crate`):
//! a crate outside the SDK that builds one value of every request-body type through the
//! public API only; it is compiled and linted with the rest.
//!
//! The crates are written under `target/fixture-crates/` as one workspace sharing
//! `target/fixture-check/`, pinned to this repository's `Cargo.lock`.

mod common;

use std::path::Path;
use std::process::Command;

const FIXTURES: [&str; 5] = ["schemas", "operations", "naming", "hostile", "construction"];

#[test]
fn generated_fixture_crates_compile_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let workspace = root.join("target/fixture-crates");
    std::fs::create_dir_all(&workspace).unwrap();
    let mut members = Vec::new();
    for fixture in FIXTURES {
        let generated = common::generate_fixture(fixture, false);
        sdkgen::write::write(&generated.files, &workspace.join(fixture)).unwrap();
        let check = common::construction_check(&generated.api, fixture);
        assert!(check.stats.built > 0 || check.stats.bodies == 0, "{fixture}: {:?}", check.stats);
        let check_dir = format!("{fixture}-construction");
        sdkgen::write::write(&check.files, &workspace.join(&check_dir)).unwrap();
        members.push(format!("\"{fixture}\""));
        members.push(format!("\"{check_dir}\""));
    }
    let members = members.join(", ");
    std::fs::write(workspace.join("Cargo.toml"), format!("[workspace]\nresolver = \"2\"\nmembers = [{members}]\n"))
        .unwrap();
    std::fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock")).unwrap();
    let run = |args: &[&str], what: &str| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(&workspace)
            .env("CARGO_TARGET_DIR", root.join("target/fixture-check"))
            .env("RUSTDOCFLAGS", "-D warnings")
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "generated fixture crates {what}:\n{stdout}\n{stderr}");
        format!("{stdout}{stderr}")
    };
    run(&["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"], "do not compile cleanly");
    run(&["doc", "--workspace", "--no-deps", "--quiet"], "do not document cleanly");
    run(&["test", "--workspace", "--doc", "--quiet"], "fail their doctests");
    let output = run(&["test", "-p", "fixture-hostile", "--quiet"], "fail their tests (a hostile payload ran)");
    assert!(!output.contains("PWNED"), "a hostile payload ran:\n{output}");
}
