//! The generated crate's `README.md`, which is also its crate documentation (so every
//! example in it is compiled as a doctest).

use super::escape::{code, inline_text, rust_string};
use super::{Context, EmittedFile};
use crate::ir::{IntegerKind, Operation, Param, TypeRef};

/// `README.md`.
pub fn readme(context: &Context<'_>) -> EmittedFile {
    let api = context.api;
    let library = &api.package.library;
    let package = &api.package.name;
    let mut text = String::new();
    // `package` and `library` are checked crate names (`Config::validate`); the title is spec text.
    text.push_str(&format!("# {}\n\n", code(package)));
    text.push_str(&format!(
        "A Rust client for the {}, generated from its OpenAPI document.\n\n",
        inline_text(&api.title)
    ));
    let example = example_operation(context);
    if let Some(call) = &example {
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program(library, "println!(\"{result:?}\");"));
        text.push_str("```\n\n");
    }
    text.push_str("## Installation\n\n");
    text.push_str(&installation(api));
    text.push_str("## Authentication\n\n");
    text.push_str(&auth_section(context));
    text.push_str(&format!(
        "The base URL defaults to {}{}; `ClientBuilder::base_url` changes it (a path prefix is kept).\n\n",
        code(&api.base_url),
        api.client.base_url_env.as_ref().map(|env| format!(" and {} overrides it", code(env))).unwrap_or_default()
    ));
    text.push_str("## Resources and calls\n\n");
    text.push_str(
        "Operations hang from a tree of resources: `client.<resource>().<sub-resource>()...<method>(...)`. \
         Path parameters are positional, in URL order; the other inputs go in a params struct built with \
         `new(<required values>)` and setters for the optional ones. A call is a future: `.await` it to get \
         the response body, already unwrapped from the API's envelope where the API uses one.\n\n",
    );
    if let Some(call) = &example {
        text.push_str("## Errors\n\n");
        text.push_str(&format!(
            "Every failure is one type, {}, for every call and for building the client, so a function \
             returning `Result<_, {library}::Error>` can use `?` on all of them. It is organised by origin: \
             `Api` (the server answered with an error status), `Timeout`, `Connection`, `Decode` (a success body \
             that does not match the schema: the error names the JSON path), `Validation` (refused before \
             sending, e.g. an empty path parameter) and `Config` (building the client). Predicates such as \
             `is_not_found()` and `is_rate_limited()`, `status()` and `request_id()` answer the common questions. \
             An `ApiError` keeps the whole response body: `message()` is the API's own message when the body has \
             one (its `Display` shows it), `json()` the parsed body, and `body_as::<T>()` (or \
             `Error::api_error_body::<T>()`) decodes it as the operation's documented error type, which each \
             method's documentation names.\n\n",
            code(&format!("{library}::Error"))
        ));
        let typed_body = call
            .error_type
            .as_ref()
            .map(|ty| {
                format!(
                    "            if let Some(body) = error.api_error_body::<{library}::types::{ty}>() {{\n                \
                     println!(\"{{body:?}}\");\n            }}\n"
                )
            })
            .unwrap_or_default();
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program(library, "let _ = result;").replace("    let result = ", "    let outcome = ").replace(
            "        .await?;\n    let _ = result;\n",
            &format!(
                "        .await;\n    match outcome {{\n        Ok(body) => println!(\"{{body:?}}\"),\n        \
                 Err(error) if error.is_not_found() => println!(\"not found\"),\n        \
                 Err(error) if error.is_rate_limited() => println!(\"slow down\"),\n        Err(error) => {{\n            \
                 if let Some(api_error) = error.api_error() {{\n                \
                 println!(\"status {{}} request {{:?}}: {{:?}}\", api_error.status, api_error.request_id, api_error.message());\n            \
                 }}\n{typed_body}            return Err(error.into());\n        }}\n    }}\n"
            ),
        ));
        text.push_str("```\n\n");
        text.push_str("## Retries and timeouts\n\n");
        text.push_str(
            "Connection errors, timeouts, and the statuses 408, 409, 429 and 5xx are retried twice by default, \
             with exponential backoff from 0.5 s doubling to at most 8 s, with jitter. `retry-after-ms` and \
             `Retry-After` headers are honoured. Each attempt times out after 60 s by default. Both can be set \
             for the client and for one request:\n\n",
        );
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program_with(
            library,
            ".build()?",
            ".timeout(std::time::Duration::from_secs(20))\n        .max_retries(5)\n        .build()?",
            ".timeout(std::time::Duration::from_secs(5))\n        .max_retries(0)\n        .header(\"x-example\", \"1\")\n        .await?",
            "let _ = result;",
        ));
        text.push_str("```\n\n");
        text.push_str("## Raw responses\n\n");
        text.push_str("`send_raw()` returns the status and headers with the parsed body:\n\n");
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program_with(
            library,
            ".build()?",
            ".build()?",
            ".send_raw()\n        .await?",
            "println!(\"{} {:?} {:?}\", result.status, result.request_id(), result.body);",
        ));
        text.push_str("```\n\n");
    }
    text.push_str("## Logs and traces\n\n");
    text.push_str(&format!(
        "With the `tracing` feature (`{} = {{ ..., features = [\"tracing\"] }}`), every call runs in a `sdk.call` span \
         (operation id, method, path template) and every attempt in a `sdk.attempt` span; each attempt ends with an \
         event giving the status (or the failure), the duration and the request id, and each retry says how long \
         it waits. Credentials, header values, query strings, filled-in paths and bodies are never recorded. \
         Install any `tracing` subscriber to see them.\n\n",
        api.package.name
    ));
    text.push_str("## Forward compatibility\n\n");
    text.push_str(
        "Responses keep what this version of the SDK does not know: every struct has an `extra` map with the \
         properties the spec does not list, string enums decode unknown values into an `UnknownValue` variant, \
         unions keep unmatched values as JSON, `null` is accepted wherever a field is optional, and an optional \
         field whose value has an unexpected shape reads as `None` instead of failing the whole response, its value \
         kept as sent in `extra`. Serializing a decoded response gives back the JSON received (numbers equal by value; \
         an explicit `null` on an optional field reads as absent).\n\n",
    );
    text.push_str("## Regenerating\n\n");
    text.push_str(&format!(
        "`Cargo.toml`, this README and everything under `src/` are generated from {} (other folders, such as `tests/`, are not); {} regenerates them.\n",
        code(&api.package.spec),
        code(&api.package.regenerate)
    ));
    EmittedFile::Text { path: "README.md".into(), text, comment: None }
}

/// The dependency line: the version for a published crate, else the folder the crate was
/// generated into (as given, relative to where the generator ran).
fn installation(api: &crate::ir::Api) -> String {
    let package = &api.package;
    // A TOML string (escapes included) on a line that starts with the crate name: nothing in
    // it can end the code block.
    let source = if package.publish {
        toml_edit::Value::from(package.version.as_str()).to_string()
    } else {
        let path = if package.crate_path.is_empty() { &package.name } else { &package.crate_path };
        format!("{{ path = {} }}", toml_edit::Value::from(path.as_str()))
    };
    let location = if package.publish || package.crate_path.is_empty() {
        String::new()
    } else {
        " (the path is where the crate was generated, relative to where the generator ran; adjust it to your `Cargo.toml`)".into()
    };
    format!(
        "Add the crate and an async runtime to `Cargo.toml`{location}:\n\n```toml\n[dependencies]\n{} = {source}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n```\n\n",
        package.name
    )
}

fn auth_section(context: &Context<'_>) -> String {
    let api = context.api;
    if api.security_alternatives.is_empty() {
        return "The API declares no authentication.\n\n".into();
    }
    let mut text = String::from("Any one of these credential sets works:\n\n");
    for alternative in &api.security_alternatives {
        let parts: Vec<String> = alternative
            .schemes
            .iter()
            .filter_map(|name| api.security_schemes.iter().find(|s| &s.name == name))
            .map(|scheme| {
                let env = scheme.env.as_ref().map(|e| format!(" (environment: {})", code(e))).unwrap_or_default();
                format!("{}{env}", code(&format!("ClientBuilder::{}", scheme.setter)))
            })
            .collect();
        let label = alternative.label.as_ref().map(|label| format!("{}: ", inline_text(label))).unwrap_or_default();
        text.push_str(&format!("- {label}{}\n", parts.join(" + ")));
    }
    text.push_str("\n`Client::from_env()` reads the environment variables; building a client without a complete set is an error.\n\n");
    text
}

/// A call to show in examples, with literal arguments taken from the spec's examples.
struct ExampleCall {
    resource_path: Vec<String>,
    method: String,
    params_path: Option<String>,
    arguments: Vec<String>,
    params_arguments: Vec<String>,
    credentials: Vec<String>,
    /// The operation's documented error type, when it is a named type.
    error_type: Option<String>,
}

impl ExampleCall {
    fn program(&self, library: &str, use_result: &str) -> String {
        self.program_with(library, ".build()?", ".build()?", ".await?", use_result)
    }

    fn program_with(&self, library: &str, build_from: &str, build_to: &str, send: &str, use_result: &str) -> String {
        let mut text = format!("use {library}::Client;\n");
        if let Some(path) = &self.params_path {
            text.push_str(&format!("use {library}::{path};\n"));
        }
        text.push_str("\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
        let build = format!(
            "    let client = Client::builder()\n{}        {build_from}",
            self.credentials.iter().map(|c| format!("        {c}\n")).collect::<String>()
        );
        text.push_str(&build.replace(build_from, build_to));
        text.push_str(";\n");
        let mut arguments = self.arguments.clone();
        if let Some(path) = &self.params_path {
            let name = path.rsplit("::").next().unwrap_or(path);
            arguments.push(format!("&{name}::new({})", self.params_arguments.join(", ")));
        }
        text.push_str(&format!(
            "    let result = client\n        .{}()\n        .{}(\n{}        )\n        {send};\n",
            self.resource_path.join("()\n        ."),
            self.method,
            arguments.iter().map(|a| format!("            {a},\n")).collect::<String>(),
        ));
        text.push_str(&format!("    {use_result}\n    Ok(())\n}}\n"));
        text
    }
}

fn example_operation(context: &Context<'_>) -> Option<ExampleCall> {
    let api = context.api;
    let operation = &api.operations[api.example_operation?];
    let mut arguments = Vec::new();
    for param in &operation.positional {
        arguments.push(example_value(context, param, true)?);
    }
    let mut params_arguments = Vec::new();
    let params_path = match &operation.params {
        Some(params) => {
            for field in params.fields.iter().filter(|f| f.required) {
                params_arguments.push(example_value(context, field, false)?);
            }
            if params.body.as_ref().is_some_and(|b| b.required) {
                // Bodies are too varied for a literal; the example shows a call without one.
                return None;
            }
            Some(format!("resources::{}::{}", operation.group.join("::"), params.name))
        }
        None => None,
    };
    let credentials = api
        .security_alternatives
        .first()
        .map(|alternative| {
            alternative
                .schemes
                .iter()
                .filter_map(|name| api.security_schemes.iter().find(|s| &s.name == name))
                .map(|scheme| match &scheme.env {
                    Some(env) => format!(".{}(std::env::var({})?)", scheme.setter, rust_string(env)),
                    None => format!(".{}(\"...\")", scheme.setter),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(ExampleCall {
        resource_path: operation.group.clone(),
        method: operation.method_name.clone(),
        params_path,
        arguments,
        params_arguments,
        credentials,
        error_type: match &operation.error {
            Some(TypeRef::Named(id)) => Some(api.type_def(*id).name.clone()),
            _ => None,
        },
    })
    .filter(|_| is_callable(operation))
}

fn is_callable(operation: &Operation) -> bool {
    operation.deprecated.is_none()
}

/// A Rust literal for a parameter, from its example when it has one.
fn example_value(context: &Context<'_>, param: &Param, positional: bool) -> Option<String> {
    let example = param.example.as_ref();
    Some(match &param.ty {
        TypeRef::String => rust_string(example.and_then(|e| e.as_str()).unwrap_or("...")),
        // An example outside the parameter's range would not compile.
        TypeRef::Integer(kind) => {
            let fits = |value: &i64| match kind {
                IntegerKind::I32 => i32::try_from(*value).is_ok(),
                IntegerKind::I64 => true,
                IntegerKind::U32 => u32::try_from(*value).is_ok(),
                IntegerKind::U64 => *value >= 0,
            };
            example.and_then(|e| e.as_i64()).filter(fits).unwrap_or(1).to_string()
        }
        TypeRef::Float(_) => format!("{:?}", example.and_then(|e| e.as_f64()).filter(|f| f.is_finite()).unwrap_or(1.0)),
        TypeRef::Bool => example.and_then(|e| e.as_bool()).unwrap_or(false).to_string(),
        TypeRef::Named(_) if !positional && context.api.has_default(&param.ty) => "Default::default()".to_string(),
        _ => return None,
    })
}
