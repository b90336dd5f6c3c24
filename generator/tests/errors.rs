//! Bad input gets a located error, exit status 1, and no output; never a panic.

mod common;

use std::process::Command;

const VALID_HEAD: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\n";

/// Runs the binary on a spec text; returns (exit code, stderr, whether the output dir exists).
fn run(test: &str, file_name: &str, text: &str) -> (i32, String, bool) {
    let spec = common::temp_spec(test, file_name, text);
    let out = spec.parent().unwrap().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (output.status.code().unwrap_or(-1), stderr, out.exists())
}

#[test]
fn missing_schema_reference_names_file_and_pointer() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /pets:\n    get:\n      operationId: list\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Pet'\n"
    );
    let (code, stderr, wrote) = run("missing-ref", "api.yaml", &spec);
    assert_eq!(code, 1);
    assert!(!wrote, "nothing may be written");
    assert!(stderr.contains("api.yaml"), "{stderr}");
    assert!(stderr.contains("#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref"), "{stderr}");
    assert!(stderr.contains("`#/components/schemas/Pet` points to nothing"), "{stderr}");
}

#[test]
fn path_parameter_absent_from_template_is_located() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /pets:\n    get:\n      operationId: list\n      parameters:\n        - name: pet_id\n          in: path\n          required: true\n          schema: {{type: string}}\n      responses:\n        '204': {{description: ok}}\n"
    );
    let (code, stderr, wrote) = run("absent-param", "api.yaml", &spec);
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("#/paths/~1pets/get/parameters/0"), "{stderr}");
    assert!(stderr.contains("path parameter `pet_id` does not appear in the path template `/pets`"), "{stderr}");
}

#[test]
fn lenient_mode_skips_the_parameter_and_says_so() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /pets:\n    get:\n      operationId: list\n      parameters:\n        - name: pet_id\n          in: path\n          required: true\n          schema: {{type: string}}\n      responses:\n        '204': {{description: ok}}\n"
    );
    let path = common::temp_spec("lenient", "api.yaml", &spec);
    let loaded = sdkgen::load::load_spec(&path).unwrap();
    let options = sdkgen::Options {
        provenance: sdkgen::Provenance { spec: "api.yaml".into(), command: "test".into() },
        standalone: true,
        lenient: true,
    };
    let generated = sdkgen::generate(&loaded, &sdkgen::Config::default(), &options).unwrap();
    assert_eq!(generated.api.operations.len(), 1);
    let kinds: Vec<&str> = generated.api.diagnostics.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, ["unused-path-parameter"]);
}

#[test]
fn invalid_yaml_reports_line_and_column() {
    let (code, stderr, wrote) = run("bad-yaml", "api.yaml", "openapi: 3.0.3\ninfo: [unclosed\n");
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("api.yaml:"), "{stderr}");
    assert!(stderr.contains("invalid YAML"), "{stderr}");
    let location = stderr.split("api.yaml:").nth(1).unwrap();
    let line: usize = location.split(':').next().unwrap().parse().expect("a line number");
    assert!(line >= 2, "{stderr}");
}

#[test]
fn invalid_json_reports_line_and_column() {
    let (code, stderr, _) = run("bad-json", "api.json", "{\n  \"openapi\": \"3.0.3\",\n  \"info\": }\n");
    assert_eq!(code, 1);
    assert!(stderr.contains("api.json:3:11: invalid JSON"), "{stderr}");
}

#[test]
fn swagger_2_is_refused_by_name() {
    let (code, stderr, wrote) =
        run("swagger", "api.yaml", "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths: {}\n");
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("#/swagger"), "{stderr}");
    assert!(stderr.contains("Swagger 2.0 documents are not supported"), "{stderr}");
}

#[test]
fn empty_file_is_refused() {
    let (code, stderr, wrote) = run("empty", "api.yaml", "\n  \n");
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("api.yaml: #: the file is empty"), "{stderr}");
}

#[test]
fn wrong_shape_names_the_pointer() {
    let spec = format!("{VALID_HEAD}paths:\n  /pets:\n    get:\n      parameters: 7\n      responses: {{}}\n");
    let (code, stderr, _) = run("wrong-shape", "api.yaml", &spec);
    assert_eq!(code, 1);
    assert!(stderr.contains("#/paths/~1pets/get/parameters"), "{stderr}");
}

#[test]
fn a_failed_run_leaves_existing_output_untouched() {
    let spec = common::temp_spec("untouched", "api.yaml", "swagger: '2.0'\n");
    let out = spec.parent().unwrap().join("out");
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(out.join("src/lib.rs"), "// mine\n").unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(out.join("src/lib.rs")).unwrap(), "// mine\n");
}

#[test]
fn bad_configuration_is_located() {
    let error = sdkgen::Config::parse("[package]\nnmae = 'x'\n", std::path::Path::new("codegen.toml")).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("codegen.toml: "), "{message}");
    assert!(message.contains("nmae"), "{message}");
}
