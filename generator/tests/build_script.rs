//! `sdkgen::build`, as a build script calls it: what it writes, and how it fails. The example
//! crate `generator/examples/build-script/` compiles and runs the result.

mod common;

use std::path::Path;

fn example_manifest() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/build-script/Cargo.toml")
}

#[test]
fn writes_one_module_into_the_output_directory() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi31.yaml");
    let out = common::temp_spec("build-writes", "placeholder", "").with_file_name("out");
    std::fs::create_dir_all(&out).unwrap();
    let build = || sdkgen::build::Build::new(&spec).module("pets").out_dir(&out).manifest(example_manifest());
    let output = build().generate().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.path, out.join("pets.rs"));
    assert!(output.changed);
    let text = std::fs::read_to_string(&output.path).unwrap();
    assert!(text.contains("pub mod pets {"), "{}", &text[..400.min(text.len())]);
    assert!(text.contains("pub mod webhooks {"));
    // Nothing in it names the crate root: it works wherever it is included.
    let code: String = text.lines().filter(|line| !line.trim_start().starts_with("//")).collect();
    assert!(!code.contains("crate::"), "a crate:: path is left");
    // The same input again leaves the file alone (cargo has nothing to rebuild).
    assert!(!build().generate().unwrap_or_else(|e| panic!("{e}")).changed);
}

#[test]
fn a_broken_spec_fails_with_the_file_and_pointer() {
    let spec = common::temp_spec(
        "build-broken",
        "broken.yaml",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    );
    let error = sdkgen::build::Build::new(&spec)
        .out_dir(spec.parent().unwrap())
        .manifest(example_manifest())
        .generate()
        .expect_err("a broken reference");
    let message = error.to_string();
    assert!(message.contains("broken.yaml"), "{message}");
    assert!(message.contains("#/paths/~1a/get/responses/200/content/application~1json/schema"), "{message}");
    // `main() -> Result<(), BuildError>` prints the Debug form: the same message.
    assert_eq!(format!("{error:?}"), message);
    assert!(error.generator_error().is_some());
}

#[test]
fn a_missing_dependency_is_named_with_the_line_to_add() {
    let manifest = common::temp_spec(
        "build-deps",
        "Cargo.toml",
        "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\n\n[dependencies]\n\
         serde = { version = \"1\", features = [\"derive\"] }\n\
         serde_json = { version = \"1\", features = [\"float_roundtrip\"] }\n\
         bytes = { workspace = true }\n",
    );
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/build-script/petstore.yaml");
    let error = sdkgen::build::Build::new(spec)
        .out_dir(manifest.parent().unwrap())
        .manifest(&manifest)
        .generate()
        .expect_err("reqwest is missing");
    let message = error.to_string();
    assert!(message.contains("reqwest = { version = \"0.12\""), "{message}");
    // Declared with what the code needs: not listed.
    assert!(!message.contains("\nserde = "), "{message}");
    assert!(!message.contains("\nbytes = "), "{message}");
    // Declared without a feature the code relies on: listed with it.
    assert!(
        message.contains("serde_json = { version = \"1\", features = [\"float_roundtrip\", \"raw_value\"] }"),
        "{message}"
    );
}

#[test]
fn a_module_name_must_be_an_identifier() {
    let error =
        sdkgen::build::Build::new("unused.yaml").module("my-sdk").out_dir(".").generate().expect_err("bad name");
    assert!(error.to_string().contains("`my-sdk` cannot name a module"), "{error}");
}
