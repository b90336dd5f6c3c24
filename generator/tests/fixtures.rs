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

#[test]
fn construction() {
    snapshot("construction");
}

/// The construction check of the construction fixture: what it builds and skips, and its code.
#[test]
fn construction_check_crate() {
    let generated = common::generate_fixture("construction", false);
    let check = common::construction_check(&generated.api, "construction");
    let stats = &check.stats;
    assert_eq!((stats.bodies, stats.body_types), (6, 6), "{stats:?}");
    assert_eq!(stats.skipped, ["LoopA", "LoopB"], "a required cycle has no finite value");
    assert_eq!(stats.enums, 1, "{stats:?}");
    let mut out = String::new();
    for file in &check.files {
        out.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    expectorate::assert_contents(common::fixtures_dir().join("construction.check.out"), &out);
}

#[test]
fn naming() {
    snapshot("naming");
}

/// The naming obstacle course: parameters keep the names the spec gives them, whatever the
/// generator's own variables are called; schemas named after prelude items take a suffix
/// only where they would shadow what generated code uses.
#[test]
fn parameters_keep_their_names_and_generated_locals_yield() {
    let generated = common::generate_fixture("naming", false);
    let file = |path: &str| {
        &generated.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} is generated")).contents
    };
    let files = file("src/resources/files/mod.rs");
    for argument in ["path: &str,", "parts: &str,", "value: &str,", "self_: &str,", "params: &str,", "item: &str,"] {
        assert!(files.contains(argument), "argument `{argument}` missing:\n{files}");
    }
    assert!(files.contains("params_2: &FileGetParams,"), "{files}");
    assert!(files.contains("let path_2 = crate::runtime::request::PathBuilder::new()"), "{files}");
    assert!(files.contains(".param(\"path\", path)"), "{files}");
    // A query parameter called `body` keeps its name; the request body field takes another.
    assert!(files.contains("pub body: Option<String>,") && files.contains("pub request_body: Option<"), "{files}");
    // A field called `new` cannot have a setter called `new` (the constructor).
    assert!(files.contains("pub new: Option<String>,") && files.contains("pub fn set_new(mut self"), "{files}");
    // A sub-resource called `new` keeps its accessor; the handle's own constructor yields.
    assert!(files.contains("pub fn new(&self) -> new::New<'a> {"), "{files}");
    assert!(files.contains("pub(crate) fn new_2(client: &'a crate::Client) -> Self {"), "{files}");
    let lib = file("src/lib.rs");
    assert!(lib.contains("resources::files::Files::new_2(self)"), "{lib}");
    assert!(lib.contains("pub fn builder_resource(&self)"), "{lib}");
    let types = file("src/types/mod.rs");
    for name in ["OptionType", "StringType", "ResultType", "BoxType", "Error", "Client", "Default", "FromType", "Type"]
    {
        assert!(types.contains(&format!("::{name};")), "type `{name}` missing:\n{types}");
    }
}
