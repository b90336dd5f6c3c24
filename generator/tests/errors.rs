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
    let generated = generate_lenient("lenient", &spec);
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

/// Whether bytes hold a control character other than the line feeds between messages, or a
/// bidirectional formatting character.
fn has_raw_control(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
    })
}

#[test]
fn spec_text_in_messages_is_escaped() {
    // A `$ref` naming a missing schema with ESC, BEL, CR and a bidi override in it.
    let spec = format!(
        "{VALID_HEAD}paths:\n  /pets:\n    get:\n      operationId: \"list\\e[2J\"\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/Pet\\e]0;owned\\a\\r\\u202E\"\n"
    );
    let path = common::temp_spec("escaped", "api.yaml", &spec);
    let output = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["generate", "--spec"])
        .arg(&path)
        .arg("--out")
        .arg(path.parent().unwrap().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!has_raw_control(&output.stderr), "{:?}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(r"`#/components/schemas/Pet\u{1b}]0;owned\u{7}\u{d}\u{202e}` points to nothing"),
        "{stderr}"
    );
}

#[test]
fn a_schema_key_with_control_characters_is_escaped_in_the_pointer() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /p:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: \"#/components/schemas/Bad\\e[31m\\r\"}}\ncomponents:\n  schemas:\n    \"Bad\\e[31m\\r\":\n      type: object\n      properties:\n        a: {{$ref: '#/components/schemas/Missing'}}\n"
    );
    let (code, stderr, _) = run("escaped-key", "api.yaml", &spec);
    assert_eq!(code, 1, "{stderr}");
    assert!(!has_raw_control(stderr.as_bytes()), "{stderr:?}");
    assert!(stderr.contains(r"api.yaml: #/components/schemas/Bad\u{1b}[31m\u{d}/properties/a/$ref: "), "{stderr}");
}

/// Runs `sdkgen extract`; returns (exit code, stdout, stderr).
fn extract(test: &str, text: &str, operations: &[&str]) -> (Option<i32>, String, String) {
    let spec = common::temp_spec(test, "api.yaml", text);
    let mut command = Command::new(env!("CARGO_BIN_EXE_sdkgen"));
    command.args(["extract", "--spec"]).arg(&spec);
    for operation in operations {
        command.args(["--operation", operation]);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), stdout, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn extract_output_is_plain_yaml_whatever_the_operation_id() {
    // The operationId holds a line break and text that would be a top-level key on its own line.
    let id = "list\nevil: injected\r\u{2028}x: 1";
    let spec = format!(
        "{VALID_HEAD}paths:\n  /pets:\n    get:\n      operationId: {}\n      responses:\n        '204': {{description: ok}}\n",
        serde_json::to_string(id).unwrap()
    );
    let (code, stdout, stderr) = extract("extract-id", &spec, &[id]);
    assert_eq!(code, Some(0), "{stderr}");
    let value: serde_yaml::Value = serde_yaml::from_str(&stdout).unwrap();
    let keys: Vec<&str> = value.as_mapping().unwrap().keys().filter_map(serde_yaml::Value::as_str).collect();
    assert_eq!(keys, ["openapi", "info", "paths", "components"], "{stdout}");
    assert_eq!(value["paths"]["/pets"]["get"]["operationId"].as_str(), Some(id));
    assert!(stdout.contains(r"# operations: list\u{a}evil: injected\u{d}\u{2028}x: 1"), "{stdout}");
}

#[test]
fn extract_of_an_unknown_operation_is_a_located_error() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /pets:\n    get:\n      operationId: list\n      responses:\n        '204': {{description: ok}}\n"
    );
    let (code, stdout, stderr) = extract("extract-unknown", &spec, &["list", "nope\u{1b}"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("api.yaml: #/paths: no operation with operationId nope\\u{1b}"), "{stderr}");
}

/// Generates a spec text in lenient mode.
fn generate_lenient(test: &str, text: &str) -> sdkgen::Generated {
    let path = common::temp_spec(test, "api.yaml", text);
    let loaded = sdkgen::load::load_spec(&path).unwrap();
    let options = sdkgen::Options {
        provenance: sdkgen::Provenance { spec: "api.yaml".into(), command: "test".into(), crate_path: "out".into() },
        standalone: true,
        lenient: true,
        contract_tests: false,
    };
    sdkgen::generate(&loaded, &sdkgen::Config::default(), &options).unwrap()
}

/// The kinds of the diagnostics of a lenient run.
fn lenient_kinds(test: &str, text: &str) -> Vec<&'static str> {
    generate_lenient(test, text).api.diagnostics.iter().map(|d| d.kind).collect()
}

const TWO_OPERATIONS_ONE_ID: &str = "paths:\n  /a:\n    get:\n      operationId: same\n      responses:\n        '204': {description: ok}\n  /b:\n    get:\n      operationId: same\n      responses:\n        '204': {description: ok}\n";

#[test]
fn duplicate_operation_ids_are_located_errors_and_lenient_notes() {
    let spec = format!("{VALID_HEAD}{TWO_OPERATIONS_ONE_ID}");
    let (code, stderr, wrote) = run("dup-id", "api.yaml", &spec);
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("#/paths/~1b/get/operationId"), "{stderr}");
    assert!(stderr.contains("operationId `same` is also the id of the operation at `#/paths/~1a/get`"), "{stderr}");
    // Both are generated, named from their paths (`a.get`, `b.get`).
    assert_eq!(lenient_kinds("dup-id-lenient", &spec), ["duplicate-operation-id"]);
    // Named by operationId, the second method takes another name in the same resource.
    let by_id = spec
        .replace("paths:", "tags: [{name: t}]\npaths:")
        .replace("operationId: same", "operationId: t/same\n      tags: [t]");
    assert_eq!(lenient_kinds("dup-id-lenient-by-id", &by_id), ["duplicate-operation-id", "method-name-collision"]);
}

#[test]
fn a_parameter_listed_twice_is_a_located_error_and_a_lenient_note() {
    let spec = format!(
        "{VALID_HEAD}paths:\n  /a:\n    get:\n      operationId: list\n      parameters:\n        - {{name: q, in: query, schema: {{type: string}}}}\n        - {{name: q, in: query, schema: {{type: integer}}}}\n      responses:\n        '204': {{description: ok}}\n"
    );
    let (code, stderr, wrote) = run("dup-param", "api.yaml", &spec);
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("#/paths/~1a/get/parameters/1"), "{stderr}");
    assert!(stderr.contains("parameter `q` is listed twice (also at `#/paths/~1a/get/parameters/0`)"), "{stderr}");
    assert_eq!(lenient_kinds("dup-param-lenient", &spec), ["duplicate-parameter"]);
    // An operation's parameter overriding the path item's of the same name is not a duplicate.
    let overriding = format!(
        "{VALID_HEAD}paths:\n  /a:\n    parameters:\n      - {{name: q, in: query, schema: {{type: string}}}}\n    get:\n      operationId: list\n      parameters:\n        - {{name: q, in: query, schema: {{type: integer}}}}\n      responses:\n        '204': {{description: ok}}\n"
    );
    assert_eq!(lenient_kinds("override-param", &overriding), Vec::<&str>::new());
}

#[test]
fn a_resource_path_deeper_than_the_limit_is_refused_quickly() {
    // 20,000 segments in 40 KB: once this took more than 4 GB.
    let dotted = vec!["a"; 20_000].join(".");
    let spec = format!(
        "{VALID_HEAD}paths:\n  /a:\n    get:\n      operationId: deep\n      x-fern-sdk-group-name: {dotted}\n      responses:\n        '204': {{description: ok}}\n"
    );
    let (code, stderr, wrote) = run("deep-group", "api.yaml", &spec);
    assert_eq!(code, 1);
    assert!(!wrote);
    assert!(stderr.contains("#/paths/~1a/get/x-fern-sdk-group-name"), "{stderr}");
    assert!(stderr.contains("the resource path has 20000 levels; at most 16 are supported"), "{stderr}");
    assert_eq!(lenient_kinds("deep-group-lenient", &spec), ["resource-too-deep"]);
}

#[test]
fn a_configuration_that_is_not_utf8_is_located() {
    let spec = common::temp_spec("config-utf8", "api.yaml", &format!("{VALID_HEAD}paths: {{}}\n"));
    let config = spec.with_file_name("codegen.toml");
    std::fs::write(&config, b"[package]\nname = \"ok\"\ndescription = \"caf\xe9\"\n").unwrap();
    let out = spec.with_file_name("out");
    let output = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("codegen.toml:3:19: invalid UTF-8"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn an_undefined_security_scheme_leaves_its_alternative_out_instead_of_blocking_the_call() {
    // Cloudflare's `worker-assets-upload` names `assets_jwt`, which no scheme defines: a client
    // that demanded it could never make the call, having no setter for it.
    let spec = format!(
        "{VALID_HEAD}components:\n  securitySchemes:\n    token: {{type: http, scheme: bearer}}\npaths:\n  /a:\n    get:\n      operationId: a\n      security:\n        - missing_jwt: []\n      responses:\n        '204': {{description: ok}}\n  /b:\n    get:\n      operationId: b\n      security:\n        - missing_jwt: []\n        - token: []\n      responses:\n        '204': {{description: ok}}\n"
    );
    let generated = generate_lenient("undefined-scheme", &spec);
    let security: Vec<_> = generated.api.operations.iter().map(|o| o.security.clone()).collect();
    assert_eq!(security, [vec![], vec![vec!["token".to_string()]]]);
    let diagnostics: Vec<_> = generated.api.diagnostics.iter().map(|d| (d.kind, d.pointer.as_str())).collect();
    assert_eq!(
        diagnostics,
        [
            ("undefined-security-scheme", "#/paths/~1a/get/security/0"),
            ("undefined-security-scheme", "#/paths/~1b/get/security/0"),
        ]
    );
}
