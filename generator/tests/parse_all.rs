//! Every emitted `.rs` file of the fixtures and of the committed Cloudflare extract parses,
//! and the whole crate passes the escape oracle (`common::oracle`); plus the oracle's own
//! tests on hand-made files.

mod common;

use std::path::Path;

use common::oracle::{self, Finding, MARKER};
use sdkgen::{Config, Options, Provenance};

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(path, text)| (path.to_string(), text.to_string())).collect()
}

/// A crate with `src/lib.rs` including the README, plus one module file.
fn crate_with(module: &str, readme: &str) -> Vec<Finding> {
    let lib = "// This file is generated.\n\n#![doc = include_str!(\"../README.md\")]\npub mod m;\n";
    oracle::check_files(&files(&[("README.md", readme), ("src/lib.rs", lib), ("src/m.rs", module)]), MARKER)
}

fn module_findings(module: &str) -> Vec<Finding> {
    crate_with(module, "# `x`\n\nDocs.\n")
}

fn assert_flags(module: &str, problem: &str) {
    let findings = module_findings(module);
    assert!(
        findings.iter().any(|f| f.problem.contains(problem)),
        "expected a finding containing {problem:?} for\n{module}\ngot {findings:#?}"
    );
}

fn assert_clean(module: &str) {
    let findings = module_findings(module);
    assert!(findings.is_empty(), "expected no finding for\n{module}\ngot {findings:#?}");
}

const FOREIGN: &str = "not one of the generator's examples";

#[test]
fn oracle_flags_an_indented_code_block() {
    assert_flags("/// Summary.\n///\n///     panic!(\"PWNED\");\npub struct S;\n", FOREIGN);
    // In a list item the block needs the item's indentation on top.
    assert_flags("/// Summary.\n///\n/// -     panic!(\"PWNED\");\npub fn f() {}\n", FOREIGN);
    assert_flags("/// Summary.\n///\n/// >     panic!(\"PWNED\");\npub fn f() {}\n", FOREIGN);
}

#[test]
fn oracle_unindents_as_rustdoc_does() {
    // Every line indented alike: rustdoc strips the common indentation, so no code block.
    assert_clean("///     all indented\n///     alike\npub struct S;\n");
    // One line less indented: the other is an indented code block (after a blank line; it
    // cannot interrupt a paragraph).
    assert_flags("/// text\n///\n///     panic!(\"PWNED\");\npub struct S;\n", FOREIGN);
    assert_clean("/// text\n///     continued paragraph\npub struct S;\n");
}

#[test]
fn oracle_flags_a_tilde_fence() {
    assert_flags("/// Summary.\n///\n/// ~~~\n/// panic!(\"PWNED\");\n/// ~~~\npub struct S;\n", FOREIGN);
}

#[test]
fn oracle_flags_a_fence_in_a_list_item() {
    assert_flags("/// Modes:\n/// - ```rust\n///   panic!(\"PWNED\");\n///   ```\npub enum E {}\n", FOREIGN);
}

#[test]
fn oracle_flags_a_fence_in_a_blockquote() {
    assert_flags("/// Quote:\n/// > ```\n/// > panic!(\"PWNED\");\n/// > ```\npub struct S;\n", FOREIGN);
}

#[test]
fn oracle_reads_fields_variants_methods_and_attributes() {
    assert_flags("pub struct S {\n    /// ```\n    /// panic!(\"PWNED\");\n    /// ```\n    pub a: u8,\n}\n", FOREIGN);
    assert_flags("pub enum E {\n    /// ```\n    /// x\n    /// ```\n    A,\n}\n", FOREIGN);
    assert_flags("impl S {\n    /// ```\n    /// x\n    /// ```\n    pub fn f(&self) {}\n}\n", FOREIGN);
    // One `#[doc]` attribute holding a whole fenced block.
    assert_flags("#[doc = \"```\\npanic!(\\\"PWNED\\\");\\n```\"]\npub struct S;\n", FOREIGN);
    // Inner docs of the module file.
    assert_flags("//! ```\n//! x\n//! ```\n\npub struct S;\n", FOREIGN);
}

#[test]
fn oracle_accepts_text_and_other_languages() {
    assert_clean("/// Example:\n///\n/// ```text\n/// panic!(\"PWNED\");\n/// ```\npub struct S;\n");
    assert_clean("/// ```json\n/// {\"PWNED\": 1}\n/// ```\npub struct S;\n");
    assert_clean("/// Inline `panic!(\"PWNED\")` code is fine.\npub struct S;\n");
    // A `~~~` fence tagged text is not a doctest either.
    assert_clean("/// ~~~text\n/// PWNED\n/// ~~~\npub struct S;\n");
}

#[test]
fn oracle_flags_raw_html_carrying_the_marker() {
    assert_flags("/// <script>PWNED!()</script>\npub struct S;\n", "raw HTML");
    assert_flags("/// Text\n///\n/// <div onclick=\"PWNED!()\">\n///\n/// after\npub struct S;\n", "raw HTML");
    assert_clean("/// &lt;script&gt;PWNED!()&lt;/script&gt; and `<b>PWNED</b>`\npub struct S;\n");
    assert_clean("/// <br> is fine without the marker\npub struct S;\n");
}

#[test]
fn oracle_reads_rustdoc_info_strings() {
    assert!(oracle::is_rust_info(""));
    assert!(oracle::is_rust_info("rust"));
    assert!(oracle::is_rust_info("rust,no_run"));
    assert!(oracle::is_rust_info("no_run"));
    assert!(oracle::is_rust_info("ignore"));
    assert!(oracle::is_rust_info("should_panic, edition2021"));
    assert!(oracle::is_rust_info("compile_fail,E0308"));
    assert!(!oracle::is_rust_info("text"));
    assert!(!oracle::is_rust_info("json"));
    assert!(!oracle::is_rust_info("sh"));
    assert!(!oracle::is_rust_info("toml"));
    assert!(oracle::is_rust_info("text,rust"));
}

#[test]
fn oracle_flags_the_marker_in_code() {
    assert_flags("pub fn f() {}\nPWNED();\n", "does not parse");
    assert_flags("pub fn f() {}\nPWNED!();\n", "the marker reached code");
    assert_flags("pub fn f() { let x = 1; PWNED!(x); }\n", "the marker reached code");
    assert_flags("pub const X: &str = \"\"; PWNED!{} const Y: &str = \"\";\n", "the marker reached code");
    // Identifiers sanitised from spec names may hold the marker's letters; they are data.
    assert_clean("pub struct XPwned;\npub static X_PWNED: u8 = 1;\npub fn x_PWNED_() {}\n");
    // In string literals and in doc comments it is data.
    assert_clean("/// PWNED\npub const X: &str = \"PWNED\\\"); panic!(\\\"PWNED\";\n");
    assert_clean("pub const X: &str = r#\"PWNED\"#;\npub const Y: &[u8] = b\"PWNED\";\n");
}

#[test]
fn oracle_flags_names_defined_twice() {
    assert_flags("pub struct A;\npub enum A {}\n", "`A` is defined twice");
    assert_flags("pub fn new() {}\npub fn new() {}\n", "`new` is defined twice");
    assert_flags("pub struct S { a: u8, r#a: u8 }\n", "`a` is defined twice");
    assert_flags("pub enum E { A, A }\n", "`A` is defined twice");
    assert_flags("impl S { fn new() {} fn new(&self) {} }\n", "`new` is defined twice");
    assert_flags("pub fn f(a: u8, a: u8) {}\n", "`a` is defined twice");
    assert_flags("mod m { pub use x::A; pub struct A; }\n", "`A` is defined twice");
    // Types and values live in different namespaces.
    assert_clean("pub struct A {}\npub fn A() {}\n");
}

#[test]
fn oracle_flags_carriage_returns_and_bidi_controls() {
    assert_flags("/// a\rb\npub struct S;\n", "'\\r'");
    assert_flags("/// a\u{202e}b\npub struct S;\n", "'\\u{202e}'");
    assert_flags("#[doc = \"a\u{2066}b\"]\npub struct S;\n", "'\\u{2066}'");
    assert_flags("// header\r line\n\npub struct S;\n", "header line");
}

#[test]
fn oracle_checks_the_readme_as_crate_documentation() {
    let example = "```rust,no_run\nuse x::Client;\n\nfn main() { let _ = \"PWNED\"; }\n```\n";
    assert!(crate_with("", &format!("# `x`\n\n{example}")).is_empty());
    let findings = crate_with("", "# `x`\n\n```rust,no_run\nuse x::Client;\nfn main() { PWNED!(); }\n```\n");
    assert!(findings.iter().any(|f| f.problem.contains("carries the marker")), "{findings:#?}");
    let findings = crate_with("", "# A client for the\n\n    panic!(\"PWNED\");\n");
    assert!(findings.iter().any(|f| f.problem.contains(FOREIGN) && f.file == "src/lib.rs"), "{findings:#?}");
    // Hidden doctest lines are compiled too.
    let findings = crate_with("", "```rust,no_run\nuse x::Client;\n# PWNED!();\n```\n");
    assert!(findings.iter().any(|f| f.problem.contains("carries the marker")), "{findings:#?}");
    let findings = crate_with("", "# t\u{202e}\n");
    assert!(findings.iter().any(|f| f.file == "README.md"), "{findings:#?}");
}

#[test]
fn oracle_lists_rust_doctests() {
    let lib = "#![doc = include_str!(\"../README.md\")]\n/// ```text\n/// PWNED\n/// ```\n///\n/// ~~~\n/// PWNED!();\n/// ~~~\npub mod m {}\n";
    let readme = "# t\n\n```rust,no_run\nuse x::Client;\n```\n\n> ```\n> PWNED!();\n> ```\n";
    let crate_files = files(&[("README.md", readme), ("src/lib.rs", lib)]);
    let all = oracle::rust_doctests(&crate_files, "");
    assert_eq!(all.len(), 3, "{all:#?}");
    let hostile = oracle::rust_doctests(&crate_files, MARKER);
    let places: Vec<(&str, &str)> = hostile.iter().map(|(file, place, _)| (file.as_str(), place.as_str())).collect();
    assert_eq!(places, [("src/lib.rs", "crate or module (inner docs)"), ("src/lib.rs", "mod m")]);
    assert!(hostile.iter().all(|(_, _, block)| block.text == "PWNED!();\n"), "{hostile:#?}");
}

#[test]
fn oracle_checks_file_paths() {
    assert_eq!(oracle::path_problem("src/types/pet.rs"), None);
    assert_eq!(oracle::path_problem("README.md"), None);
    for bad in ["/etc/passwd", "src/../../x.rs", "src//x.rs", "src/./x.rs", "src/a b.rs", "src/a\nb.rs", ""] {
        assert!(oracle::path_problem(bad).is_some(), "{bad:?}");
    }
    assert!(oracle::path_problem(&format!("src/resources/{}.rs", "x".repeat(253))).is_some());
    assert!(oracle::path_problem(&format!("src/resources/{}.rs", "x".repeat(252))).is_none());
    let findings = oracle::check_files(&files(&[("src/../evil.rs", "pub struct S;\n")]), MARKER);
    assert!(findings.iter().any(|f| f.place == "path"), "{findings:#?}");
}

#[test]
fn oracle_checks_cargo_toml() {
    let good =
        "[package]\nname = \"x\"\ndescription = \"PWNED \\\" \\n [dependencies]\"\n\n[dependencies]\nserde = \"1\"\n";
    assert!(oracle::check_cargo_toml(good, MARKER).is_empty());
    let bad_dep = "[package]\nname = \"x\"\n\n[dependencies]\nPWNED = \"1\"\n";
    assert!(!oracle::check_cargo_toml(bad_dep, MARKER).is_empty());
    let bad_value = "[package]\nname = \"x\"\n\n[dev-dependencies]\nx = { path = \"PWNED\" }\n";
    assert!(!oracle::check_cargo_toml(bad_value, MARKER).is_empty());
    let bad_build = "[package]\nname = \"x\"\nbuild = \"PWNED.rs\"\n";
    assert!(!oracle::check_cargo_toml(bad_build, MARKER).is_empty());
    let bad_key = "[package]\nname = \"x\"\n\n[features]\nPWNED = []\n";
    assert!(!oracle::check_cargo_toml(bad_key, MARKER).is_empty());
    let broken = "[package]\nname = \"x\ndescription = \"y\"\n";
    assert!(!oracle::check_cargo_toml(broken, MARKER).is_empty());
}

fn assert_generated_clean(generated: &sdkgen::Generated, what: &str) {
    let rust_files = generated.files.iter().filter(|f| f.path.ends_with(".rs")).count();
    assert!(rust_files > 0, "{what}: no Rust file was generated");
    for file in generated.files.iter().filter(|f| f.path.ends_with(".rs")) {
        if let Err(error) = syn::parse_file(&file.contents) {
            panic!("{what}: {} does not parse: {error}", file.path);
        }
    }
    common::oracle::assert_clean(generated, what);
}

#[test]
fn every_fixture_parses_and_passes_the_oracle() {
    let mut names: Vec<String> = std::fs::read_dir(common::fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 2, "fixtures found: {names:?}");
    for name in &names {
        for standalone in [false, true] {
            let generated = common::generate_fixture(name, standalone);
            assert_generated_clean(&generated, &format!("fixture {name} (standalone: {standalone})"));
        }
    }
}

#[test]
fn cloudflare_extract_parses_and_passes_the_oracle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let spec = root.join("spec/cloudflare-fragment.yaml");
    let config_path = root.join("spec/codegen.toml");
    let config = Config::parse(&std::fs::read_to_string(&config_path).unwrap(), &config_path).unwrap();
    let loaded = sdkgen::load::load_spec(&spec).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        provenance: Provenance {
            spec: "spec/cloudflare-fragment.yaml".into(),
            command: "cargo test -p sdkgen".into(),
            crate_path: "generated-sdk".into(),
        },
        standalone: false,
        lenient: false,
        contract_tests: false,
    };
    let generated = sdkgen::generate(&loaded, &config, &options).unwrap_or_else(|e| panic!("{e}"));
    assert_generated_clean(&generated, "spec/cloudflare-fragment.yaml");
}
