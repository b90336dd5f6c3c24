//! The contract tests, `tests/contract.rs`: one test per operation that calls it through the
//! public API with values derived from the spec (see `emit/sample.rs`), against a mock
//! server of the spec, and checks what comes back.
//!
//! A failing test panics with a message starting with one of the prefixes of
//! [`FAILURE_PREFIXES`], which a runner classifies by.

use super::sample::{Facts, Sampler};
use super::source::literal;
use super::{Context, EmittedFile};
use crate::ir::{Api, BodyKind, Operation, Resource, ResponseKind, SchemeKind, TypeRef};

/// The environment variable holding the mock server's base URL.
pub const URL_VARIABLE: &str = "SDKGEN_CONTRACT_URL";

/// How a contract test's panic message starts, by cause: the server answered 4xx; another
/// status; the success body did not decode; the request did not complete (timeout,
/// connection, configuration, a client-side check); the decoded response serializes to
/// different JSON; the operation cannot be called through the public API.
pub const FAILURE_PREFIXES: [&str; 6] = [
    "contract: request rejected: ",
    "contract: unexpected status: ",
    "contract: response undecodable: ",
    "contract: transport: ",
    "contract: response changed: ",
    "contract: not callable: ",
];

/// One operation's contract test, as a runner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractCase {
    /// Index into [`Api::operations`].
    pub operation: usize,
    /// The libtest name: the resource path and the method, joined by `::`
    /// (`zones::dns::records::list`).
    pub test: String,
    /// Why the operation cannot be called through the public API, when it cannot (its test
    /// then panics with `contract: not callable: <why>`).
    pub not_callable: Option<String>,
}

/// Every operation's contract test, in the order of the resource tree.
pub fn contract_cases(api: &Api) -> Vec<ContractCase> {
    let mut cases = Vec::with_capacity(api.operations.len());
    let mut path = Vec::new();
    collect_cases(api, &api.resources, &mut path, &mut cases);
    cases
}

fn collect_cases(api: &Api, resource: &Resource, path: &mut Vec<String>, cases: &mut Vec<ContractCase>) {
    let sampler = Sampler::new(api, &api.package.library);
    collect_cases_with(&sampler, api, resource, path, cases);
}

fn collect_cases_with(
    sampler: &Sampler<'_>,
    api: &Api,
    resource: &Resource,
    path: &mut Vec<String>,
    cases: &mut Vec<ContractCase>,
) {
    for &operation in &resource.operations {
        let mut test = path.clone();
        test.push(api.operations[operation].method_name.clone());
        let not_callable = call_plan(sampler, api, &api.operations[operation], path).err();
        cases.push(ContractCase { operation, test: test.join("::"), not_callable });
    }
    for child in resource.children.values() {
        path.push(child.name.clone());
        collect_cases_with(sampler, api, child, path, cases);
        path.pop();
    }
}

/// `tests/contract.rs`.
pub fn contract_file(context: &Context<'_>) -> EmittedFile {
    let api = context.api;
    let sampler = Sampler::new(api, &api.package.library);
    // The helpers' module takes a name no top-level resource module has.
    let mut support = String::from("support");
    let mut suffix = 1;
    while api.resources.children.contains_key(&support) {
        suffix += 1;
        support = format!("support_{suffix}");
    }
    // Formatted by the generator; `cargo fmt` on the workspace would reflow it (the attribute
    // is seen by rustfmt alone).
    let mut text = String::from("#![cfg_attr(rustfmt, rustfmt::skip)]\n#![allow(deprecated)]\n");
    text.push_str(&support_module(api, &support));
    let mut path = Vec::new();
    resource_tests(&mut text, &sampler, context, &api.resources, &mut path, &support);
    let tokens = match text.parse::<proc_macro2::TokenStream>() {
        Ok(tokens) => tokens,
        // Every spec string is an escaped literal and every name the model's, so the text
        // always lexes; should it not, the file says so instead of the generator panicking.
        Err(error) => {
            let message = literal(&format!("the contract tests did not lex: {error}"));
            format!("compile_error!({message});").parse().unwrap_or_default()
        }
    };
    let module_doc = vec![
        format!("Contract tests of `{}`: one per operation, run against a mock server of the spec.", api.package.name),
        String::new(),
        "Each test builds its call through the public API with values from the spec (its examples, else".into(),
        "minimal valid values), sends it, and checks that the response decodes and, for JSON, that the decoded".into(),
        "value serializes back to the JSON received. They are ignored by default; with a mock server running:".into(),
        String::new(),
        "```text".into(),
        format!("{URL_VARIABLE}=http://127.0.0.1:4010 cargo test --test contract -- --include-ignored"),
        "```".into(),
    ];
    EmittedFile::Rust { path: "tests/contract.rs".into(), module_doc, tokens }
}

/// The helpers the tests call: the client, the failure messages, and the checks of streams
/// and JSON when some test needs them.
fn support_module(api: &Api, name: &str) -> String {
    let sdk = &api.package.library;
    let kinds = || {
        api.operations
            .iter()
            .filter(|operation| operation.pagination.is_none())
            .map(|operation| &operation.success.kind)
    };
    let streams = kinds().any(|kind| matches!(kind, ResponseKind::JsonLines { .. } | ResponseKind::EventStream { .. }));
    let json = kinds().any(|kind| matches!(kind, ResponseKind::Json { .. }));
    let mut text = String::new();
    let mut keep = true;
    for line in SUPPORT.lines() {
        match line.trim() {
            "// DRAIN" => keep = streams,
            "// SAME_JSON" | "// DIFFERENCE" => keep = json,
            "// END DRAIN" | "// END SAME_JSON" | "// END DIFFERENCE" => keep = true,
            _ if keep => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    // With some of the crate's features off, the tests that call a helper are compiled out.
    if !api.features.is_empty() {
        text = text.replacen("mod SUPPORT_NAME", "#[allow(dead_code)]\nmod SUPPORT_NAME", 1);
    }
    let mut credentials = String::new();
    for scheme in &api.security_schemes {
        match scheme.kind {
            SchemeKind::Basic => {
                credentials.push_str(&format!(".{}(\"contract-user\", \"contract-password\")", scheme.setter))
            }
            _ => credentials.push_str(&format!(".{}(\"contract-credential\")", scheme.setter)),
        }
    }
    text.replace("SUPPORT_NAME", name)
        .replace("SDK_CRATE", sdk)
        .replace("URL_VARIABLE", URL_VARIABLE)
        .replace(".CREDENTIALS", &credentials)
}

/// The helpers, with `SUPPORT_NAME`, `SDK_CRATE`, `URL_VARIABLE` and `.CREDENTIALS` filled in
/// from the model (names only, never spec text).
const SUPPORT: &str = r#"
/// What every contract test shares: the client and the checks, each failing with a message
/// that starts with the cause (`contract: <cause>: `).
mod SUPPORT_NAME {
    use SDK_CRATE::{ApiResponse, ByteStream, Client, Error};

    /// A client of the mock server at `URL_VARIABLE`, with a dummy credential for every
    /// security scheme and no retries.
    pub fn client() -> Client {
        let Ok(url) = std::env::var("URL_VARIABLE") else {
            panic!("contract: transport: URL_VARIABLE is not set (the base URL of a mock server of the spec)")
        };
        ok(Client::builder().base_url(url).max_retries(0).CREDENTIALS.build())
    }

    /// Panics with the cause of a failed call.
    pub fn fail(error: Error) -> ! {
        let message = match &error {
            Error::Api(api) => {
                let cause = if api.status.is_client_error() { "request rejected" } else { "unexpected status" };
                let body = snippet(&api.body_text());
                format!("{cause}: {} {body}", api.status)
            }
            Error::Decode(decode) => {
                let at = decode.path.as_deref().unwrap_or("the top");
                format!("response undecodable: at {at}: {}", decode.message)
            }
            other => format!("transport: {other}"),
        };
        panic!("contract: {message}")
    }

    /// The value of a successful call.
    pub fn ok<T>(result: Result<T, Error>) -> T {
        match result {
            Ok(value) => value,
            Err(error) => fail(error),
        }
    }

    fn snippet(text: &str) -> String {
        text.chars().take(2000).collect()
    }

    // DRAIN
    /// Reads a few items of a stream (each must decode), waiting at most ten seconds for each.
    pub async fn drain<T>(stream: impl futures_util::Stream<Item = Result<T, Error>>) {
        let mut stream = std::pin::pin!(stream);
        for _ in 0..16 {
            let next = tokio::time::timeout(std::time::Duration::from_secs(10), futures_util::StreamExt::next(&mut stream));
            match next.await {
                Ok(Some(item)) => {
                    ok(item);
                }
                Ok(None) | Err(_) => return,
            }
        }
    }

    // END DRAIN
    // SAME_JSON
    /// Checks that `decoded` serializes to the JSON of the raw response (at `unwrap`, when
    /// only that field is decoded), leniently: `null` equals absent and numbers compare by value.
    pub async fn same_json<T: serde::Serialize>(
        decoded: &T,
        raw: Result<ApiResponse<ByteStream>, Error>,
        unwrap: Option<&str>,
    ) {
        let mut stream = std::pin::pin!(ok(raw).into_body());
        let mut body = Vec::new();
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            body.extend_from_slice(&ok(chunk));
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let Ok(mut received) = serde_json::from_slice::<serde_json::Value>(&body) else {
            panic!("contract: response changed: the body decoded, yet is not JSON")
        };
        if let Some(field) = unwrap {
            match received.get_mut(field) {
                Some(value) => received = value.take(),
                None => return,
            }
        }
        // A `null` body or envelope field decodes as absent or as the type's empty value.
        if received.is_null() {
            return;
        }
        let decoded = match serde_json::to_value(decoded) {
            Ok(decoded) => decoded,
            Err(error) => panic!("contract: response changed: the decoded value does not serialize: {error}"),
        };
        if let Some(pointer) = difference("", &received, &decoded) {
            panic!("contract: response changed: {pointer}");
        }
    }

    // END SAME_JSON
    // DIFFERENCE
    /// The JSON pointer of the first place where `decoded` differs from `received`.
    fn difference(pointer: &str, received: &serde_json::Value, decoded: &serde_json::Value) -> Option<String> {
        use serde_json::Value;
        let at = |key: &str| format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        match (received, decoded) {
            (Value::Object(received), Value::Object(decoded)) => {
                for (key, value) in received {
                    match decoded.get(key) {
                        None if value.is_null() => {}
                        None => return Some(at(key)),
                        Some(inner) => {
                            if let Some(found) = difference(&at(key), value, inner) {
                                return Some(found);
                            }
                        }
                    }
                }
                decoded.iter().find(|(key, value)| !value.is_null() && !received.contains_key(*key)).map(|(key, _)| at(key))
            }
            (Value::Array(received), Value::Array(decoded)) => {
                if received.len() != decoded.len() {
                    return Some(pointer.to_string());
                }
                received
                    .iter()
                    .zip(decoded)
                    .enumerate()
                    .find_map(|(index, (left, right))| difference(&at(&index.to_string()), left, right))
            }
            // By value: `1` is `1.0`.
            (Value::Number(left), Value::Number(right)) => {
                (left.as_f64() != right.as_f64()).then(|| pointer.to_string())
            }
            (left, right) => (left != right).then(|| pointer.to_string()),
        }
    }
    // END DIFFERENCE
}
"#;

/// The tests of one resource, in a module named after it, then its sub-resources'.
fn resource_tests(
    out: &mut String,
    sampler: &Sampler<'_>,
    context: &Context<'_>,
    resource: &Resource,
    path: &mut Vec<String>,
    support: &str,
) {
    let api = context.api;
    for &index in &resource.operations {
        let operation = &api.operations[index];
        out.push_str(&test_fn(sampler, api, operation, path, support));
    }
    for child in resource.children.values() {
        if path.is_empty() {
            if let Some(gate) = context.resource_gate(child) {
                out.push_str(&gate.to_string());
            }
        }
        out.push_str(&format!("mod {} {{\n", child.name));
        path.push(child.name.clone());
        resource_tests(out, sampler, context, child, path, support);
        path.pop();
        out.push_str("}\n");
    }
}

/// How one operation is called: the statements before the call and the call expression.
struct CallPlan {
    setup: Vec<String>,
    call: String,
}

/// The call of `operation` through the public API, or why it cannot be made.
fn call_plan(sampler: &Sampler<'_>, api: &Api, operation: &Operation, path: &[String]) -> Result<CallPlan, String> {
    let sdk = &api.package.library;
    let mut setup = Vec::new();
    let mut arguments = Vec::new();
    for param in &operation.positional {
        let facts = Facts::of_param(param);
        let value =
            sampler.argument(&param.ty, facts).map_err(|why| format!("path parameter `{}`: {why}", param.wire_name))?;
        // Path arguments are `&str`, numbers and booleans by value, anything else by reference.
        arguments.push(match param.ty {
            TypeRef::String | TypeRef::Integer(_) | TypeRef::Float | TypeRef::Bool => value,
            _ => format!("&{value}"),
        });
    }
    if let Some(params) = &operation.params {
        let mut values = Vec::new();
        for field in params.fields.iter().filter(|field| field.required) {
            let facts = Facts::of_param(field);
            values.push(
                sampler.argument(&field.ty, facts).map_err(|why| format!("parameter `{}`: {why}", field.wire_name))?,
            );
        }
        if let Some(body) = params.body.as_ref().filter(|body| body.required) {
            values.push(body_value(sampler, api, &body.kind, path).map_err(|why| format!("request body: {why}"))?);
        }
        // An optional body is sent too when a value can be built for it: a server (and Prism)
        // may need it although the spec does not require it, and it is part of what the call
        // proves. When none can be built, the call goes without it.
        let optional_body = params
            .body
            .as_ref()
            .filter(|body| !body.required)
            .and_then(|body| Some((body.setter.as_ref()?, body_value(sampler, api, &body.kind, path).ok()?)))
            .map(|(setter, value)| format!(".{setter}({value})"))
            .unwrap_or_default();
        // Optional parameters the spec gives an example for are set to it: the request then
        // shows that the SDK sends them as the spec says.
        let optional_params: String = params
            .fields
            .iter()
            .filter(|field| !field.required && field.example.is_some())
            .filter_map(|field| {
                Some((field.setter.as_ref()?, sampler.argument(&field.ty, Facts::of_param(field)).ok()?))
            })
            .map(|(setter, value)| format!(".{setter}({value})"))
            .collect();
        let mut modules = vec![sdk.clone(), "resources".into()];
        modules.extend(path.iter().cloned());
        setup.push(format!(
            "let {} = {}::{}::new({}){optional_params}{optional_body};",
            operation.locals.params,
            modules.join("::"),
            params.name,
            values.join(", ")
        ));
        arguments.push(format!("&{}", operation.locals.params));
    }
    let mut call = String::from("client");
    for name in path {
        call.push_str(&format!(".{name}()"));
    }
    call.push_str(&format!(".{}({})", operation.method_name, arguments.join(", ")));
    Ok(CallPlan { setup, call })
}

/// A value of the request body: its type's, a text or a file; a body accepted in several
/// media types in its first.
fn body_value(sampler: &Sampler<'_>, api: &Api, kind: &BodyKind, path: &[String]) -> Result<String, String> {
    match kind {
        BodyKind::Form { ty } | BodyKind::Multipart { ty, .. } => sampler.form_argument(ty),
        BodyKind::Json { ty, .. } => sampler.argument(ty, Facts::default()),
        BodyKind::Text { .. } => Ok("\"text\"".into()),
        BodyKind::Bytes { .. } => sampler.value(&TypeRef::File, Facts::default()),
        BodyKind::Choice { name, variants } => {
            let Some(first) = variants.first() else { return Err("the body has no media type".into()) };
            let value = match &first.kind {
                BodyKind::Text { .. } => "String::from(\"text\")".to_string(),
                BodyKind::Json { ty, .. } | BodyKind::Form { ty } | BodyKind::Multipart { ty, .. } => {
                    sampler.value(ty, Facts::default())?
                }
                other => body_value(sampler, api, other, path)?,
            };
            let mut modules = vec![api.package.library.clone(), "resources".into()];
            modules.extend(path.iter().cloned());
            Ok(format!("{}::{name}::{}({value})", modules.join("::"), first.rust_name))
        }
    }
}

/// One operation's test.
fn test_fn(sampler: &Sampler<'_>, api: &Api, operation: &Operation, path: &[String], support: &str) -> String {
    let ignore = literal(&format!(
        "contract test: needs a mock server of the spec at {URL_VARIABLE} (`cargo xtask contract` starts one)"
    ));
    let mut out = format!("#[tokio::test]\n#[ignore = {ignore}]\nasync fn {}() {{\n", operation.method_name);
    let plan = match call_plan(sampler, api, operation, path) {
        Ok(plan) => plan,
        Err(why) => {
            out.push_str(&format!("panic!(\"contract: not callable: {{}}\", {});\n}}\n", literal(&why)));
            return out;
        }
    };
    for line in &plan.setup {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("let client = crate::{support}::client();\n"));
    let call = &plan.call;
    let ok = format!("crate::{support}::ok");
    if operation.pagination.is_some() {
        // The first page: its items decode.
        out.push_str(&format!("{ok}({call}.await);\n"));
    } else {
        match &operation.success.kind {
            ResponseKind::Json { unwrap, .. } => {
                let unwrap = match unwrap {
                    Some(field) => format!("Some({})", literal(field)),
                    None => "None".into(),
                };
                out.push_str(&format!("let decoded = {ok}({call}.await);\n"));
                out.push_str(&format!(
                    "crate::{support}::same_json(&decoded, {call}.send_stream().await, {unwrap}).await;\n"
                ));
            }
            ResponseKind::JsonLines { .. } | ResponseKind::EventStream { .. } => {
                out.push_str(&format!("crate::{support}::drain({ok}({call}.await)).await;\n"));
            }
            ResponseKind::Text
            | ResponseKind::Bytes
            | ResponseKind::Empty
            | ResponseKind::ByContentType { .. }
            | ResponseKind::Upgrade => {
                out.push_str(&format!("{ok}({call}.await);\n"));
            }
        }
    }
    out.push_str("}\n");
    out
}
