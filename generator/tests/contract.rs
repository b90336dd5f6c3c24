//! The contract tests the generator writes (`tests/contract.rs` of a generated crate): their
//! names, which operations cannot be called, and the values they send, derived from the spec.

mod common;

use sdkgen::{Config, Generated, Options, Provenance};

const SPEC: &str = r##"
openapi: 3.0.3
info: { title: Contract API, version: "1" }
servers: [{ url: "https://api.example.com/v1" }]
paths:
  /widgets/{widget_id}:
    post:
      operationId: widgets-create
      tags: [widgets]
      parameters:
        - name: widget_id
          in: path
          required: true
          schema: { type: string, format: uuid }
        - name: count
          in: query
          required: true
          example: "many"
          schema: { type: integer, format: int32, minimum: 10, maximum: 20 }
        - name: code
          in: query
          required: true
          schema: { type: string, pattern: "^[A-Z]{2}[0-9]{3}$" }
        - name: label
          in: query
          required: true
          example: "way too long for this"
          schema: { type: string, minLength: 6, maxLength: 8 }
        - name: optional
          in: query
          schema: { type: string }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Widget" }
      responses:
        "200":
          description: The widget.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Widget" }
  /support:
    get:
      operationId: support-get
      tags: [support]
      responses:
        "204": { description: Done. }
  /shapes:
    post:
      operationId: shapes-create
      tags: [shapes]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - $ref: "#/components/schemas/Circle"
                - $ref: "#/components/schemas/Square"
              discriminator:
                propertyName: kind
                mapping: { round: "#/components/schemas/Circle", boxy: "#/components/schemas/Square" }
      responses:
        "204": { description: Done. }
  /loops:
    post:
      operationId: loops-create
      tags: [loops]
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Loop" }
      responses:
        "204": { description: Done. }
  /labels:
    put:
      operationId: labels-replace
      tags: [labels]
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: array, nullable: true, items: { type: string, example: "blue" } }
      responses:
        "204": { description: Done. }
  /settings:
    patch:
      operationId: settings-edit
      tags: [settings]
      parameters:
        - name: interval
          in: query
          required: true
          schema: { type: integer, enum: [30, 60] }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Settings" }
      responses:
        "204": { description: Done. }
  /rules:
    post:
      operationId: rules-create
      tags: [rules]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - $ref: "#/components/schemas/PlainRule"
                - $ref: "#/components/schemas/ScoredRule"
      responses:
        "204": { description: Done. }
  /batches:
    put:
      operationId: batches-replace
      tags: [batches]
      requestBody:
        required: true
        content:
          application/json:
            schema: { required: [id] }
      responses:
        "204": { description: Done. }
components:
  schemas:
    Settings:
      type: object
      minProperties: 1
      properties:
        hosts: { type: array, minItems: 2, items: { type: string, format: hostname } }
        note: { type: string }
    PlainRule:
      type: object
      required: [name]
      additionalProperties: false
      properties:
        name: { type: string }
    ScoredRule:
      type: object
      required: [name]
      properties:
        name: { type: string }
        score: { type: integer }
    Widget:
      type: object
      required: [name, color, created, tags, size, owner]
      properties:
        name: { type: string, example: "gizmo" }
        color: { type: string, enum: [red, green] }
        created: { type: string, format: date-time }
        tags: { type: array, items: { type: string }, example: ["a", "b"] }
        size: { type: number, example: true, minimum: 2.5 }
        owner:
          type: object
          required: [email]
          properties:
            email: { type: string, format: email }
          example: { email: "owner@example.org" }
        note: { type: string, example: "optional, so not sent" }
    Circle:
      type: object
      required: [radius]
      properties:
        kind: { type: string }
        radius: { type: number }
    Square:
      type: object
      required: [kind, side]
      properties:
        kind: { type: string }
        side: { type: number }
    Loop:
      type: object
      required: [next]
      properties:
        next: { $ref: "#/components/schemas/Loop" }
"##;

fn generate() -> Generated {
    let path = common::temp_spec("contract", "contract.yaml", SPEC);
    let spec = sdkgen::load::load_spec(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut config = Config::default();
    config.package.name = Some("contract-sdk".into());
    let options = Options {
        provenance: Provenance { spec: "contract.yaml".into(), command: "test".into(), crate_path: "out".into() },
        standalone: true,
        lenient: false,
        contract_tests: true,
    };
    sdkgen::generate(&spec, &config, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn contract_file(generated: &Generated) -> String {
    let file = generated.files.iter().find(|file| file.path == "tests/contract.rs").expect("tests/contract.rs");
    file.contents.clone()
}

/// Every `#[tokio::test]` function of the file, by module path.
fn test_paths(items: &[syn::Item], path: &mut Vec<String>, out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Fn(function) => {
                let is_test = function.attrs.iter().any(|attr| {
                    let segments: Vec<String> =
                        attr.path().segments.iter().map(|segment| segment.ident.to_string()).collect();
                    segments == ["tokio", "test"]
                });
                let ignored = function.attrs.iter().any(|attr| attr.path().is_ident("ignore"));
                if is_test {
                    assert!(ignored, "{}: a contract test is #[ignore]d", function.sig.ident);
                    let mut name = path.clone();
                    name.push(function.sig.ident.to_string());
                    out.push(name.join("::"));
                }
            }
            syn::Item::Mod(module) => {
                path.push(module.ident.to_string());
                if let Some((_, items)) = &module.content {
                    test_paths(items, path, out);
                }
                path.pop();
            }
            _ => {}
        }
    }
}

#[test]
fn cases_name_the_tests_the_file_holds() {
    for generated in [generate(), common::generate_fixture("media", false), common::generate_fixture("hostile", false)]
    {
        let text = contract_file(&generated);
        let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}"));
        let mut tests = Vec::new();
        test_paths(&syntax.items, &mut Vec::new(), &mut tests);
        let cases = sdkgen::contract_cases(&generated.api);
        let mut names: Vec<String> = cases.iter().map(|case| case.test.clone()).collect();
        assert_eq!(cases.len(), generated.api.operations.len());
        let mut operations: Vec<usize> = cases.iter().map(|case| case.operation).collect();
        operations.sort_unstable();
        assert_eq!(operations, (0..generated.api.operations.len()).collect::<Vec<_>>(), "each operation once");
        names.sort();
        tests.sort();
        assert_eq!(names, tests);
    }
}

#[test]
fn an_operation_whose_body_has_no_finite_value_is_not_callable() {
    let generated = generate();
    let cases = sdkgen::contract_cases(&generated.api);
    let names: Vec<(&str, Option<&str>)> =
        cases.iter().map(|case| (case.test.as_str(), case.not_callable.as_deref())).collect();
    assert_eq!(
        names,
        [
            ("batches::update", None),
            ("labels::update", None),
            ("loops::create", Some("request body: `Loop` has no finite value (a required property leads back to it)")),
            ("rules::create", None),
            ("settings::edit", None),
            ("shapes::create", None),
            ("support::get", None),
            ("widgets::create", None),
        ]
    );
    let text = contract_file(&generated);
    let test = &text[text.find("async fn create").unwrap()..];
    let test = &test[..test.find("\n    }\n").unwrap()];
    assert!(test.contains("\"contract: not callable: {}\","), "{test}");
    assert!(
        test.contains("\"request body: `Loop` has no finite value (a required property leads back to it)\""),
        "{test}"
    );
}

#[test]
fn values_come_from_examples_that_fit_else_from_the_schema() {
    let text = contract_file(&generate());
    let expected = r#"        let params = contract_sdk::resources::widgets::WidgetCreateParams::new(
            15_i32,
            "AA000",
            "textaa",
            contract_sdk::types::Widget::new(
                "gizmo",
                contract_sdk::types::WidgetColor::Red,
                "2024-01-01T00:00:00Z",
                vec![String::from("a"), String::from("b")],
                3.5_f64,
                contract_sdk::types::WidgetOwner::new("owner@example.org"),
            ),
        );
        let client = crate::support_2::client();"#;
    assert!(text.contains(expected), "{text}");
    assert!(text.contains(".create(\"00000000-0000-4000-8000-000000000000\", &params)"), "{text}");
    // Optional values are not sent.
    assert!(!text.contains("optional, so not sent") && !text.contains(".optional("), "{text}");
}

#[test]
fn a_tagged_union_alternative_carries_its_tag_value() {
    let text = contract_file(&generate());
    let test = &text[text.find("mod shapes").unwrap()..];
    let test = &test[..test.find("\n}\n").unwrap()];
    assert!(test.contains("contract_sdk::types::Circle::new(1.5_f64).kind(\"round\")"), "{test}");
}

#[test]
fn the_helpers_yield_their_module_name_to_a_resource() {
    let text = contract_file(&generate());
    assert!(text.contains("mod support_2 {") && text.contains("let client = crate::support_2::client();"), "{text}");
    assert!(text.contains("mod support {\n    #[tokio::test]"), "{text}");
}

#[test]
fn the_file_is_deterministic_and_only_written_when_asked_for() {
    assert_eq!(contract_file(&generate()), contract_file(&generate()));
    let plain = common::generate_fixture("schemas", false);
    assert!(plain.files.iter().all(|file| file.path != "tests/contract.rs"));
}

#[test]
fn the_switch_lives_in_codegen_toml_and_checks_tokio() {
    let config = Config::parse("[tests]\ncontract = true\n", std::path::Path::new("codegen.toml")).unwrap();
    assert!(config.tests.contract);
    let error = Config::parse("[tests]\ncontract = 1\n", std::path::Path::new("codegen.toml")).unwrap_err();
    assert!(error.to_string().contains("tests.contract"), "{error}");
    let error = Config::parse("[tests]\ncontracts = true\n", std::path::Path::new("codegen.toml")).unwrap_err();
    assert!(error.to_string().contains("contracts"), "{error}");
    let text =
        "[package.dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\"] }\n[tests]\ncontract = true\n";
    let error = Config::parse(text, std::path::Path::new("codegen.toml")).unwrap_err().to_string();
    assert!(error.contains("package.dev-dependencies.tokio") && error.contains("`rt-multi-thread`"), "{error}");
}

#[test]
fn a_nullable_value_is_sent_as_a_value_not_null() {
    // Cloudflare's `namespace-worker-put-script-tags`: a required body whose schema is nullable.
    // `null` is what a server may answer, not what it takes: Prism rejects it as a missing body.
    let text = contract_file(&generate());
    assert!(text.contains("LabelUpdateParams::new(\n            Some(vec![String::from(\"text\")]),"), "{text}");
}

#[test]
fn values_meet_min_properties_item_rules_and_numeric_enums() {
    // Cloudflare's bodies of optional properties with `minProperties: 1`, lists of hostnames
    // with `minItems`, and query parameters that take one of a few numbers.
    let text = contract_file(&generate());
    let expected = r#"SettingEditParams::new(
            30_i64,
            contract_sdk::types::Settings::new()
                .hosts(vec![String::from("example.com"), String::from("example.com")]),
        );"#;
    assert!(text.contains(expected), "{text}");
}

#[test]
fn a_one_of_body_is_built_so_that_only_one_alternative_accepts_it() {
    // `{"name": ..}` is both a `PlainRule` and a `ScoredRule`, which a `oneOf` rejects; a
    // `score`, which `PlainRule` forbids, leaves one.
    let text = contract_file(&generate());
    assert!(text.contains("contract_sdk::types::ScoredRule::new(\"text\").score(1_i64)"), "{text}");
}

#[test]
fn a_body_that_only_lists_required_properties_sends_them() {
    // Cloudflare's bulk updates: `schema: {required: [id]}`, without properties.
    let text = contract_file(&generate());
    let test = &text[text.find("mod batches").unwrap()..];
    let test = &test[..test.find("\n}\n").unwrap()];
    assert!(
        test.contains("BatchUpdateBody::new(\n                serde_json::Value::Object(serde_json::Map::new()),"),
        "{test}"
    );
}
