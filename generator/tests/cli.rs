//! The examples `sdkgen --help` shows are real commands: each one runs, in order, on a fixture
//! spec (and the pinned Cloudflare document for `extract`), and succeeds.

use std::path::Path;
use std::process::Command;

#[test]
fn help_examples_run() {
    let bin = env!("CARGO_BIN_EXE_sdkgen");
    let help = Command::new(bin).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let examples: Vec<&str> = help.lines().filter_map(|line| line.strip_prefix("  sdkgen ")).collect();
    assert_eq!(examples.len(), 5, "{help}");
    let generate_help = Command::new(bin).args(["generate", "--help"]).output().unwrap();
    assert!(String::from_utf8(generate_help.stdout).unwrap().contains("Examples:"));

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = std::env::temp_dir().join(format!("sdkgen-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = root.join("generator/tests/fixtures/schemas.yaml");
    std::fs::copy(&fixture, dir.join("petstore.yaml")).unwrap();
    let document: serde_json::Value = serde_yaml::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    std::fs::write(dir.join("openapi.json"), document.to_string()).unwrap();
    std::fs::write(dir.join("codegen.toml"), "[package]\nname = \"example-sdk\"\n").unwrap();
    std::fs::copy(root.join("spec/cloudflare-openapi.json"), dir.join("cloudflare-openapi.json")).unwrap();
    for example in examples {
        let output = Command::new(bin).args(example.split_whitespace()).current_dir(&dir).output().unwrap();
        assert!(output.status.success(), "`sdkgen {example}` failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    for crate_dir in ["petstore-sdk", "sdk", "sdk-lenient"] {
        assert!(dir.join(crate_dir).join("src/lib.rs").exists(), "{crate_dir}");
    }
    let fragment = std::fs::read_to_string(dir.join("fragment.yaml")).unwrap();
    assert!(fragment.contains("operationId: zones-get"), "{fragment}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--layout workspace` writes the facade at `--out` and its crates below it, overriding the
/// configuration's layout; an unknown layout is refused with the values it takes.
#[test]
fn layout_flag_writes_a_workspace() {
    let bin = env!("CARGO_BIN_EXE_sdkgen");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = std::env::temp_dir().join(format!("sdkgen-cli-layout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let spec = root.join("generator/tests/fixtures/dedupe.yaml");
    let out = dir.join("sdk");
    let run = |layout: &str| {
        Command::new(bin)
            .args(["generate", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .args(["--standalone", "--layout", layout])
            .output()
            .unwrap()
    };
    let output = run("workspace");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("[workspace]") && manifest.contains("crates/dedupe-sdk-core"), "{manifest}");
    assert!(out.join("src/client.rs").exists());
    assert!(out.join("crates/dedupe-sdk-core/src/runtime/client.rs").exists());
    // Small resources share one crate (`[output] crate_weight`, 400 by default).
    assert!(out.join("crates/dedupe-sdk-records-to-zones/src/resources/trees.rs").exists());
    let output = run("crates");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("expected `crate` or `workspace`"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
