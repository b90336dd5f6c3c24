//! Every fixture's generated crate compiles with warnings denied, passes clippy, and its
//! doctests (the README's examples) pass with rustdoc's warnings denied. The `hostile`
//! fixture's payloads fail loudly if they ever run: its crate's tests are run too. The
//! `pagination` fixture's list methods page through wiremock servers
//! (`tests/fixtures/pagination.pages.rs`, run as the crate's `tests/pages.rs`), and the
//! `openapi31` fixture's webhooks decode (`tests/fixtures/openapi31.webhooks.rs`), and the
//! `fragments` fixture's calls send the route before `#` with the fixed header or query value
//! (`tests/fixtures/fragments.test.rs`).
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

const FIXTURES: [&str; 13] = [
    "schemas",
    "operations",
    "naming",
    "hostile",
    "construction",
    "docs",
    "openapi31",
    "media",
    "pagination",
    "dedupe",
    "resource_names",
    "fragments",
    // The workspace layout: its facade is a member, its core and resource crates join the
    // workspace as the facade's path dependencies below it.
    "workspace",
];

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
    add_errors_test(&workspace.join("operations"));
    add_wiremock_test(
        &workspace.join("media"),
        "media",
        &std::fs::read_to_string(common::fixtures_dir().join("media.test.rs")).unwrap(),
    );
    add_wiremock_test(
        &workspace.join("fragments"),
        "fragments",
        &std::fs::read_to_string(common::fixtures_dir().join("fragments.test.rs")).unwrap(),
    );
    // The pagination fixture's own configuration lists wiremock among its dev-dependencies.
    let pages_test = workspace.join("pagination/tests/pages.rs");
    std::fs::create_dir_all(pages_test.parent().unwrap()).unwrap();
    std::fs::write(pages_test, include_str!("fixtures/pagination.pages.rs")).unwrap();
    let webhooks_test = workspace.join("openapi31/tests/webhooks.rs");
    std::fs::create_dir_all(webhooks_test.parent().unwrap()).unwrap();
    std::fs::write(webhooks_test, include_str!("fixtures/openapi31.webhooks.rs")).unwrap();
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
    // All features: every resource, and the runtime's `tracing` spans and events.
    run(
        &["clippy", "--workspace", "--all-targets", "--all-features", "--quiet", "--", "-D", "warnings"],
        "do not compile cleanly",
    );
    // An alias's feature alone compiles the type it names (emitted under its first name's
    // feature, `zones`), and what that type names.
    run(
        &["clippy", "-p", "fixture-dedupe", "--no-default-features", "--features", "records", "--", "-D", "warnings"],
        "do not compile with an alias's feature alone",
    );
    run(&["doc", "--workspace", "--no-deps", "--quiet"], "do not document cleanly");
    run(&["test", "--workspace", "--doc", "--quiet"], "fail their doctests");
    let output = run(&["test", "-p", "fixture-hostile", "--quiet"], "fail their tests (a hostile payload ran)");
    assert!(!output.contains("PWNED"), "a hostile payload ran:\n{output}");
    let output = run(&["test", "-p", "fixture-operations", "--test", "errors"], "fail the one-error-type test");
    assert!(output.contains("1 passed"), "the one-error-type test did not run:\n{output}");
    let output = run(&["test", "-p", "fixture-media", "--test", "media"], "fail the media test");
    assert!(output.contains("12 passed"), "the media tests did not all run:\n{output}");
    let output = run(&["test", "-p", "fixture-pagination", "--test", "pages"], "fail the paging tests");
    assert!(output.contains("test result: ok. 15 passed"), "the paging tests did not all run:\n{output}");
    let output = run(&["test", "-p", "fixture-openapi31", "--test", "webhooks"], "fail the webhook tests");
    assert!(output.contains("test result: ok. 3 passed"), "the webhook tests did not all run:\n{output}");
    let output = run(&["test", "-p", "fixture-fragments", "--test", "fragments"], "fail the fragment-path tests");
    assert!(output.contains("test result: ok. 2 passed"), "the fragment-path tests did not all run:\n{output}");
}

/// Adds `tests/<name>.rs` to a fixture crate, with wiremock among its dev-dependencies.
fn add_wiremock_test(krate: &Path, name: &str, text: &str) {
    let manifest = krate.join("Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    assert!(toml.contains("[dev-dependencies]\n"), "{toml}");
    let toml = toml.replacen("[dev-dependencies]\n", "[dev-dependencies]\nwiremock = \"0.6\"\n", 1);
    std::fs::write(&manifest, toml).unwrap();
    std::fs::create_dir_all(krate.join("tests")).unwrap();
    std::fs::write(krate.join(format!("tests/{name}.rs")), text).unwrap();
}

/// A user's test crate file in the `operations` fixture: one function returning
/// `Result<_, fixture_operations::Error>` uses `?` on building the client and on two
/// operations, one documenting `Failure` as its error body and one documenting none, run
/// against wiremock (added to the crate's dev-dependencies; it is in this repository's
/// `Cargo.lock`).
fn add_errors_test(krate: &Path) {
    add_wiremock_test(krate, "errors", ERRORS_TEST);
}

const ERRORS_TEST: &str = r#"//! One error type across operations with different error bodies.

use fixture_operations::resources::accounts::items::ItemGetParams;
use fixture_operations::resources::files::FileUpdateParams;
use fixture_operations::types::{Failure, Item};
use fixture_operations::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn item_and_upload(base: &str) -> Result<(Item, String), Error> {
    let client = Client::builder().bearer_token("t").base_url(base).max_retries(0).build()?;
    let item = client.accounts().items().get("acc", 7, &ItemGetParams::new(10.0, 1)).await?;
    let stored = client.files().update("a.txt", &FileUpdateParams::new()).await?;
    Ok((item, stored))
}

#[tokio::test]
async fn question_mark_works_across_operations_and_construction() {
    let server = MockServer::start().await;
    let base = format!("{}/v2", server.uri());
    Mock::given(method("GET"))
        .and(path("/v2/accounts/acc/items/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 7})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v2/files/a.txt"))
        .respond_with(ResponseTemplate::new(200).set_body_string("stored"))
        .mount(&server)
        .await;
    let (item, stored) = item_and_upload(&base).await.expect("both calls succeed");
    assert_eq!((item.id, stored.as_str()), (7, "stored"));

    // The second operation fails with a body no type documents.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 7})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(413).set_body_json(serde_json::json!({"error": "too large"})))
        .mount(&server)
        .await;
    let err = item_and_upload(&base).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(413));
    let api = err.api_error().expect("Error::Api");
    assert_eq!(api.operation_id, "files-upload");
    assert_eq!(api.message().as_deref(), Some("too large"));
    assert!(err.to_string().ends_with(": too large"), "{err}");

    // The first fails with its documented `Failure`.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({"message": "no item 7"})))
        .mount(&server)
        .await;
    let err = item_and_upload(&base).await.unwrap_err();
    assert!(err.is_not_found());
    let failure: Failure = err.api_error_body().expect("the documented error body");
    assert_eq!(failure.message.as_deref(), Some("no item 7"));
    assert_eq!(err.api_error().unwrap().operation_id, "items-get");

    // Construction fails through the same `?`.
    let err = item_and_upload("not a url").await.unwrap_err();
    assert!(err.is_config(), "{err:?}");
}
"#;
