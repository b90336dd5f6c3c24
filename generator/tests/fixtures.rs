//! Fixture snapshots: each tiny spec in `tests/fixtures/` beside its IR dump (`.ir`) and its
//! emitted code (`.out`, every generated file except the verbatim runtime).
//! Accept intended changes with `EXPECTORATE=overwrite cargo test -p sdkgen` and review the diff.

mod common;

fn snapshot(name: &str) {
    let generated = common::generate_fixture(name, false);
    let dir = common::fixtures_dir();
    expectorate::assert_contents(dir.join(format!("{name}.ir")), &format!("{:#?}\n", generated.api));
    let mut out = String::new();
    for file in generated.files.iter().filter(|f| !f.path.starts_with("src/runtime/") || f.path.ends_with("mod.rs")) {
        out.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    expectorate::assert_contents(dir.join(format!("{name}.out")), &out);
}

#[test]
fn schemas() {
    snapshot("schemas");
}

#[test]
fn operations() {
    snapshot("operations");
}

#[test]
fn hostile() {
    snapshot("hostile");
}
