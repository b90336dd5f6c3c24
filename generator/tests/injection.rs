//! No spec or configuration string can put code into the generated crate.
//!
//! The `hostile` fixture carries payloads in every string position the generator copies;
//! here its output is parsed back and checked token by token. `fixtures_compile` builds the
//! same crate and runs its doctests and tests, which fail if a payload ever runs.

mod common;

use std::path::Path;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use sdkgen::{Config, Generated, Options, Provenance};

/// Generates the hostile fixture with `config_text` (its own when `None`) and `provenance`.
fn generate(config_text: Option<&str>, provenance: Provenance) -> Generated {
    generate_with(config_text, provenance, false)
}

fn generate_with(config_text: Option<&str>, provenance: Provenance, standalone: bool) -> Generated {
    let dir = common::fixtures_dir();
    let text = config_text.map_or_else(|| std::fs::read_to_string(dir.join("hostile.toml")).unwrap(), str::to_string);
    let config = Config::parse(&text, Path::new("hostile.toml")).unwrap_or_else(|e| panic!("{e}"));
    let spec = sdkgen::load::load_spec(&dir.join("hostile.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let options = Options { provenance, standalone, lenient: false, contract_tests: false };
    sdkgen::generate(&spec, &config, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn hostile_provenance() -> Provenance {
    Provenance {
        spec: "spec\n#[test] fn pwned() { panic!(\"PWNED\") }\r\u{202e}--> ```rust".into(),
        command: "cargo run --\ncompile_error!(\"PWNED\");\u{2028}".into(),
        crate_path: "out\"}\n[dependencies]\npwned = \"1\"\n```\ncompile_error!(\"PWNED path\");".into(),
    }
}

fn bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Every `#[doc = "..."]` value and every identifier in a token stream, depth first.
fn walk(tokens: TokenStream, docs: &mut Vec<String>, idents: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => {
                if group.delimiter() == Delimiter::Bracket
                    && index > 0
                    && matches!(&tokens[index - 1], TokenTree::Punct(p) if p.as_char() == '#')
                {
                    if let Ok(syn::MetaNameValue { path, value, .. }) = syn::parse2(group.stream()) {
                        if path.is_ident("doc") {
                            if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = value {
                                docs.push(text.value());
                            }
                        }
                    }
                }
                walk(group.stream(), docs, idents);
            }
            TokenTree::Ident(ident) => idents.push(ident.to_string()),
            _ => {}
        }
    }
}

#[test]
fn hostile_output_parses_and_no_payload_becomes_code() {
    let generated = generate(None, hostile_provenance());
    let mut rust_files = 0;
    for file in &generated.files {
        // No file holds a bare carriage return or a bidirectional control anywhere.
        assert!(!file.contents.contains('\r'), "{}: carriage return", file.path);
        assert!(!file.contents.chars().any(bidi), "{}: bidirectional control", file.path);
        // The header is two lines whatever the spec path and the command hold.
        let header: Vec<&str> = file.contents.lines().take(3).collect();
        if file.path.ends_with(".rs") {
            assert!(header[0].starts_with("// ") && header[1].starts_with("// ") && header[2].is_empty(), "{header:?}");
        }
        if !file.path.ends_with(".rs") {
            continue;
        }
        rust_files += 1;
        let syntax = syn::parse_file(&file.contents).unwrap_or_else(|e| panic!("{}: {e}", file.path));
        let mut docs = Vec::new();
        let mut idents = Vec::new();
        walk(quote::ToTokens::to_token_stream(&syntax), &mut docs, &mut idents);
        for attr in &syntax.attrs {
            walk(quote::ToTokens::to_token_stream(attr), &mut docs, &mut Vec::new());
        }
        for doc in &docs {
            assert!(
                !doc.contains(['\n', '\r', '\u{2028}', '\u{2029}']),
                "{}: doc with a line break: {doc:?}",
                file.path
            );
            assert!(!doc.chars().any(|c| c.is_control() || bidi(c)), "{}: doc with a control: {doc:?}", file.path);
            // No fence but the `text` blocks the escaping writes (and their closers); a line
            // starting with a long code span is no fence, as backticks follow its opening run
            // (CommonMark: a backtick fence's info string holds no backtick).
            let line = doc.trim_start();
            if line.starts_with("```") {
                let fence = line.trim_end_matches("text");
                let after_run = line.trim_start_matches('`');
                assert!(fence.chars().all(|c| c == '`') || after_run.contains('`'), "{}: doc fence {doc:?}", file.path);
            }
            assert!(!line.starts_with("~~~"), "{}: doc fence {doc:?}", file.path);
        }
        // A payload that became code would show up as tokens: `#[test]`, `compile_error!`, ...
        // (The runtime is the generator's own code, copied verbatim.)
        if file.path.starts_with("src/runtime/") {
            continue;
        }
        if file.path == "tests/contract.rs" {
            contract_has_only_its_own_code(&generated, &syntax, &idents);
            continue;
        }
        for ident in &idents {
            let lower = ident.to_lowercase();
            assert!(
                !(ident == "test" || ident == "compile_error" || ident == "panic" || lower.starts_with("pwned")),
                "{}: payload identifier `{ident}` in the token stream",
                file.path
            );
        }
    }
    assert!(rust_files > 10, "{rust_files}");
    // The README (the crate's documentation) fences only what the generator wrote.
    let readme = generated.files.iter().find(|f| f.path == "README.md").unwrap();
    for line in readme.contents.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            assert!(["```rust,no_run", "```toml", "```"].contains(&line), "README fence {line:?}");
        }
    }
    assert!(readme.contents.starts_with("<!-- ") && readme.contents.lines().next().unwrap().ends_with(" -->"));
    assert_eq!(readme.contents.lines().next().unwrap().matches("-->").count(), 1);
}

/// The contract tests hold `#[tokio::test]` once per operation and `panic!` only where the
/// generator writes one (the support module, and the test of an operation that cannot be
/// called); no payload identifier at all.
fn contract_has_only_its_own_code(generated: &Generated, syntax: &syn::File, idents: &[String]) {
    for ident in idents {
        let lower = ident.to_lowercase();
        assert!(ident != "compile_error" && !lower.starts_with("pwned"), "tests/contract.rs: payload `{ident}`");
    }
    let count = |name: &str| idents.iter().filter(|ident| *ident == name).count();
    assert_eq!(count("test"), generated.api.operations.len(), "one #[tokio::test] per operation");
    let mut support_panics = 0;
    for item in &syntax.items {
        if let syn::Item::Mod(module) = item {
            if module.ident == "support" {
                let (mut docs, mut support_idents) = (Vec::new(), Vec::new());
                walk(quote::ToTokens::to_token_stream(module), &mut docs, &mut support_idents);
                support_panics = support_idents.iter().filter(|ident| *ident == "panic").count();
            }
        }
    }
    let not_callable = sdkgen::contract_cases(&generated.api).iter().filter(|case| case.not_callable.is_some()).count();
    assert!(support_panics > 0);
    assert_eq!(count("panic"), support_panics + not_callable, "panics only where the generator writes them");
}

#[test]
fn cargo_toml_is_written_as_data() {
    let config = r#"
[package]
name = "fixture-hostile"
version = "0.1.0"
description = "line\" [dependencies] evil = { path = \"/tmp/evil\" }"

[package.dev-dependencies]
tokio = { version = "1\"\n[build-dependencies]\nevil = \"1", features = ["a\"]\nevil = [\""] }
"#;
    let generated = generate(Some(config), hostile_provenance());
    let cargo = generated.files.iter().find(|f| f.path == "Cargo.toml").unwrap();
    let manifest: toml::Table = toml::from_str(&cargo.contents).unwrap_or_else(|e| panic!("{e}\n{}", cargo.contents));
    let keys: Vec<&String> = manifest.keys().collect();
    assert_eq!(keys, ["dependencies", "dev-dependencies", "features", "lib", "package"], "{}", cargo.contents);
    assert!(manifest["dependencies"].get("evil").is_none());
    let tokio = &manifest["dev-dependencies"]["tokio"];
    assert_eq!(tokio["version"].as_str(), Some("1\"\n[build-dependencies]\nevil = \"1"));
    assert_eq!(tokio["features"][0].as_str(), Some("a\"]\nevil = [\""));
    assert_eq!(
        manifest["package"]["description"].as_str(),
        Some("line\" [dependencies] evil = { path = \"/tmp/evil\" }")
    );
    // A description made from the spec's title is one line.
    let generated = generate(Some("[package]\nname = \"fixture-hostile\""), hostile_provenance());
    let cargo = generated.files.iter().find(|f| f.path == "Cargo.toml").unwrap();
    let manifest: toml::Table = toml::from_str(&cargo.contents).unwrap();
    let description = manifest["package"]["description"].as_str().unwrap();
    assert!(description.starts_with("Rust SDK for the Hostile `API` ```rust panic!"), "{description}");
    assert!(!description.contains(['\n', '\r']), "{description}");
}

/// The error for a configuration of a valid package name and then `extra`.
fn config_error(extra: &str) -> String {
    parse_error(&format!("[package]\nname = \"fixture-hostile\"\n{extra}\n"))
}

fn parse_error(text: &str) -> String {
    match Config::parse(text, Path::new("codegen.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn configuration_values_are_validated_with_their_location() {
    let cases: &[(&str, &str)] = &[
        (
            "[auth.schemes.api_token]\nsetter = \"my setter\"",
            "codegen.toml: auth.schemes.api_token.setter (line 4, column 10): \"my setter\" is not a Rust identifier",
        ),
        ("[auth.schemes.t]\nsetter = \"fn\"", "auth.schemes.t.setter (line 4, column 10): \"fn\" is not a Rust identifier"),
        ("[auth.schemes.t]\nsetter = \"Token\"", "\"Token\" is not snake_case"),
        ("[auth.schemes.t]\nsetter = \"build\"", "\"build\" is already a `ClientBuilder` method"),
        ("[auth.schemes.t]\nsetter = \"x\\n}\"", "\"x\\n}\" is not a Rust identifier"),
        ("[auth.schemes.t]\nenv = \"A B\"", "auth.schemes.t.env (line 4, column 7): \"A B\" is not an environment variable name"),
        ("[client]\nbase_url_env = \"X\\\"Y\"", "client.base_url_env (line 4, column 16)"),
        ("[client]\nrequest_id_header = \"cf ray\"", "client.request_id_header (line 4, column 21): \"cf ray\" is not an HTTP header name"),
        ("[client]\nretry_count_header = \"x\\ny\"", "client.retry_count_header (line 4, column 22)"),
        ("[client]\ndefault_base_url = \"ftp://x\"", "client.default_base_url (line 4, column 20): \"ftp://x\" is not a base URL"),
        ("[client]\ndefault_base_url = \"https://x/\\\"\"", "is not a base URL"),
        ("[client]\ndefault_base_url = \"https://x y\"", "is not a base URL"),
        ("version = \"1\"", "package.version (line 3, column 11): \"1\" is not a semver version"),
        ("version = \"1.0.0\\n\"", "package.version"),
        ("description = \"a\\rb\"", "package.description (line 3, column 15): \"a\\rb\" holds control characters"),
        ("license = \"MIT\\u202e\"", "package.license (line 3, column 11)"),
        (
            "[package.dev-dependencies]\n\"evil = { path = \\\"/tmp\\\" }\\nx\" = \"1\"",
            "package.dev-dependencies.\"evil = { path = \\\"/tmp\\\" }\\nx\" (line 4, column 1): \"evil = { path = \\\"/tmp\\\" }\\nx\" is not a crate name",
        ),
        ("[package.dev-dependencies]\n\"a b\" = \"1\"", "is not a crate name"),
        ("[[auth.alternatives]]\nname = \"a\\nb\"", "auth.alternatives[0].name (line 4, column 8)"),
        ("[naming.types]\n\"#/x\" = \"not ident\"", "naming.types.\"#/x\" (line 4, column 9): \"not ident\" is not a Rust identifier"),
        ("[naming.types]\n\"#/x\" = \"lower\"", "\"lower\" is not an UpperCamelCase type name"),
        ("[naming.types]\n\"#/x\" = \"Self\"", "is not a Rust identifier"),
        ("[naming.types]\n\"#/x\" = \"Option\"", "would shadow a name the generated code uses"),
        ("[docs.extensions]\n\"x-a\" = \"a\\u0007\"", "docs.extensions.x-a (line 4, column 9)"),
    ];
    for (extra, expected) in cases {
        let error = config_error(extra);
        assert!(error.contains(expected), "for {extra:?}:\n  got      {error}\n  expected {expected}");
    }
    assert!(parse_error("[package]\nname = \"1abc\"").contains("package.name (line 2, column 8)"));
    let long = format!("[package]\nname = \"{}\"", "a".repeat(65));
    assert!(parse_error(&long).contains("is not a crate name"));
    assert!(parse_error("[package]\nname = \"self\"").contains("is not a crate name"));
    // Every problem is reported, one line each.
    let error = config_error("version = \"x\"\n[client]\nbase_url_env = \"-\"");
    assert_eq!(error.lines().count(), 2, "{error}");
    assert!(error.lines().all(|line| line.starts_with("codegen.toml: ")), "{error}");
}

#[test]
fn valid_configurations_pass() {
    let cloudflare = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/codegen.toml");
    let text = std::fs::read_to_string(&cloudflare).unwrap();
    Config::parse(&text, &cloudflare).unwrap_or_else(|e| panic!("{e}"));
    Config::default().validate().unwrap();
    for version in ["0.1.0", "1.2.3-alpha.1", "1.2.3+build.5", "10.20.30-rc-1+x.y"] {
        let text = format!("[package]\nversion = \"{version}\"");
        Config::parse(&text, Path::new("codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_configuration_built_in_code_is_validated_too() {
    let mut config = Config::default();
    config.auth.schemes.entry("token".into()).or_default().setter = Some("my setter".into());
    config.package.name = Some("x\ny".into());
    let error = config.validate().unwrap_err().to_string();
    assert!(error.contains("auth.schemes.token.setter: \"my setter\" is not a Rust identifier"), "{error}");
    assert!(error.contains("package.name: \"x\\ny\" is not a crate name"), "{error}");
}

#[test]
fn a_standalone_crate_gets_its_own_workspace() {
    let generated = generate_with(None, hostile_provenance(), true);
    let cargo = generated.files.iter().find(|f| f.path == "Cargo.toml").unwrap();
    let expected = "\n# Generated outside any workspace: this crate is its own.\n[workspace]\n";
    assert!(cargo.contents.ends_with(expected), "{}", cargo.contents);
}
