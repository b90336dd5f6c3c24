//! The generated crate's `README.md`, which is also its crate documentation (so every
//! example in it is compiled as a doctest).

use super::escape::{code, inline_text, rust_string};
use super::{Context, EmittedFile};
use crate::ir::{BodyKind, IntegerKind, Operation, Param, ResponseKind, TypeRef};

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
    text.push_str(&lists_files_streams(context));
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
    /// Further items the example imports, as full paths (`my_sdk::File`, `futures_util::StreamExt`).
    uses: Vec<String>,
    /// Statements before the call (building its body).
    prelude: Vec<String>,
    /// Setter calls chained on the params constructor (`.body(body)`).
    params_setters: Vec<String>,
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
        for path in &self.uses {
            text.push_str(&format!("use {path};\n"));
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
            let setters: String = self.params_setters.iter().map(|s| format!(".{s}")).collect();
            arguments.push(format!("&{name}::new({}){setters}", self.params_arguments.join(", ")));
        }
        for line in &self.prelude {
            text.push_str(&format!("    {line}\n"));
        }
        let arguments = if arguments.is_empty() {
            String::new()
        } else {
            format!("\n{}        ", arguments.iter().map(|a| format!("            {a},\n")).collect::<String>())
        };
        text.push_str(&format!(
            "    let result = client\n        .{}()\n        .{}({arguments})\n        {send};\n",
            self.resource_path.join("()\n        ."),
            self.method,
        ));
        text.push_str(&format!("    {use_result}\n    Ok(())\n}}\n"));
        text
    }
}

fn example_operation(context: &Context<'_>) -> Option<ExampleCall> {
    let api = context.api;
    example_call(context, &api.operations[api.example_operation?], None)
}

/// A call of `operation` with literal arguments; `body` is the expression of its body when it
/// requires one (without it, such an operation has no example).
fn example_call(context: &Context<'_>, operation: &Operation, body: Option<String>) -> Option<ExampleCall> {
    let api = context.api;
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
                // Bodies are too varied for a literal: only a caller that builds one shows it.
                params_arguments.push(body.clone()?);
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
        uses: Vec::new(),
        prelude: Vec::new(),
        params_setters: Vec::new(),
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
    literal_value(context, &param.ty, param.example.as_ref(), !positional)
}

/// A Rust literal of a value of `ty` (a parameter, or a constructor argument), from the
/// spec's example when it has one that fits; `Default::default()` for a named type that has
/// one when `defaulted` allows it.
fn literal_value(
    context: &Context<'_>,
    ty: &TypeRef,
    example: Option<&serde_json::Value>,
    defaulted: bool,
) -> Option<String> {
    Some(match ty {
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
        TypeRef::Float => format!("{:?}", example.and_then(|e| e.as_f64()).filter(|f| f.is_finite()).unwrap_or(1.0)),
        TypeRef::Bool => example.and_then(|e| e.as_bool()).unwrap_or(false).to_string(),
        TypeRef::Named(_) if defaulted && context.api.has_default(ty) => "Default::default()".to_string(),
        _ => return None,
    })
}

/// How deep [`streaming_body`] looks into unions of unions.
const MAX_BODY_DEPTH: usize = 4;

/// A JSON body built through the public API, for the example that reads a call as events.
struct BodyValue {
    /// `Type::new(...)` with its flags set.
    expression: String,
    /// The unions it is wrapped in, innermost first, each converting from the one before.
    wrappers: Vec<String>,
    /// Its type and the wrappers' types.
    types: Vec<String>,
    /// Whether it sets a `stream` flag (what servers that stream when asked look for).
    streams: bool,
}

/// A value of `ty` for a request body: a struct through its constructor (literal arguments,
/// a boolean `stream` property set to `true`), or a union through the `From` impl of the
/// first alternative that has such a flag (depth first, nested unions included), else of
/// the first alternative that can be built at all.
fn streaming_body(context: &Context<'_>, ty: &TypeRef, depth: usize) -> Option<BodyValue> {
    let api = context.api;
    let TypeRef::Named(id) = ty else { return None };
    let def = api.type_def(*id);
    match &def.kind {
        crate::ir::TypeKind::Struct(body) => {
            let is_stream = |f: &&crate::ir::Field| f.wire_name == "stream" && f.ty == TypeRef::Bool;
            let mut arguments = Vec::new();
            for field in body.fields.iter().filter(|f| f.required && f.default.is_none()) {
                arguments.push(if is_stream(&field) {
                    "true".to_string()
                } else {
                    literal_value(context, &field.ty, field.example.as_ref(), true)?
                });
            }
            let mut expression = format!("{}::{}({})", def.name, body.constructor, arguments.join(", "));
            let flag = body.fields.iter().find(is_stream);
            if let Some(setter) = flag.and_then(|field| field.setter.as_ref()) {
                expression.push_str(&format!(".{setter}(true)"));
            }
            Some(BodyValue { expression, wrappers: Vec::new(), types: vec![def.name.clone()], streams: flag.is_some() })
        }
        crate::ir::TypeKind::Union(union) if depth < MAX_BODY_DEPTH => {
            // Only alternatives with a `From` impl (see `emit::construct::union_conversions`).
            let types: Vec<String> = union.variants.iter().map(|v| super::rust_type_text(api, &v.ty)).collect();
            let convertible = union.variants.iter().zip(&types).filter(|(variant, ty)| {
                types.iter().filter(|other| other == ty).count() == 1 && variant.ty != TypeRef::Named(*id)
            });
            let built: Vec<BodyValue> =
                convertible.filter_map(|(variant, _)| streaming_body(context, &variant.ty, depth + 1)).collect();
            let index = built.iter().position(|value| value.streams).unwrap_or(0);
            let mut value = built.into_iter().nth(index)?;
            value.wrappers.push(def.name.clone());
            value.types.push(def.name.clone());
            Some(value)
        }
        _ => None,
    }
}

/// A call of `operation` for the example that reads an answer as events: with its JSON body
/// built by [`streaming_body`] when it takes one.
fn events_example(context: &Context<'_>, operation: &Operation) -> Option<ExampleCall> {
    let library = &context.api.package.library;
    let body = operation.params.as_ref().and_then(|params| params.body.as_ref());
    let value = body.and_then(|body| match &body.kind {
        BodyKind::Json { ty, .. } => streaming_body(context, ty, 0).map(|value| (body, value, true)),
        // A choice of media types converts only from each media type's own value.
        BodyKind::Choice { .. } => body.kind.encodings().into_iter().find_map(|kind| match kind {
            BodyKind::Json { ty, .. } => streaming_body(context, ty, 0).map(|value| (body, value, false)),
            _ => None,
        }),
        _ => None,
    });
    let Some((body, value, into_outermost)) = value else { return example_call(context, operation, None) };
    let mut call = example_call(context, operation, Some("body".into()))?;
    call.prelude.push(format!("let body = {};", value.expression));
    let explicit = if into_outermost { value.wrappers.len().saturating_sub(1) } else { value.wrappers.len() };
    for wrapper in &value.wrappers[..explicit] {
        call.prelude.push(format!("let body = {wrapper}::from(body);"));
    }
    let types = &value.types[..value.types.len() - (value.wrappers.len() - explicit)];
    call.uses.extend(types.iter().map(|name| format!("{library}::types::{name}")));
    if !body.required {
        call.params_setters.push(format!("{}(body)", body.setter.as_ref()?));
    }
    Some(call)
}

/// "Lists, files and streams": one example for each kind of operation the API has (a list
/// streamed across pages, an upload, a download read as a stream, a streamed response), then
/// reading any call as a stream, and calling a path the spec does not have.
fn lists_files_streams(context: &Context<'_>) -> String {
    let api = context.api;
    let library = &api.package.library;
    let mut text = String::from("## Lists, files and streams\n\n");
    let stream_ext = "futures_util::StreamExt".to_string();
    let examples = &api.feature_examples;
    if let Some(call) = candidates(api, examples.list, paginated).find_map(|o| example_call(context, o, None)) {
        let call = ExampleCall { uses: vec![stream_ext.clone()], ..call };
        text.push_str(
            "A list call pages for you. `.await` gives the first page (its items, the envelope's metadata and \
             `next_page()`); `.items()` is a stream of every item that fetches the next page only when needed \
             (`.max_pages(n)` bounds it). It stops at the last page and never requests a page twice.\n\n",
        );
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program_with(
            library,
            ".build()?",
            ".build()?",
            ".items()",
            "let mut items = result;\n    while let Some(item) = items.next().await {\n        println!(\"{:?}\", item?);\n    }",
        ));
        text.push_str("```\n\n");
    }
    if let Some(call) = upload_example(context) {
        text.push_str(
            "Files are `File`s: from bytes, from a path (read in chunks while sending, re-read if the call is \
             retried) or from a stream (sent once). Multipart bodies send each file as its own part with its file \
             name and media type; objects in a multipart body go as JSON parts. An operation that accepts several \
             media types takes an enum with one variant per media type, and each variant's value converts into it.\n\n",
        );
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program(library, "let _ = result;"));
        text.push_str("```\n\n");
    }
    let download = candidates(api, examples.download, |o| matches!(o.success.kind, ResponseKind::Bytes))
        .find_map(|o| example_call(context, o, None));
    if let Some(call) = download {
        let call = ExampleCall { uses: vec![stream_ext.clone(), "std::io::Write".into()], ..call };
        text.push_str(
            "Every call can be read as a stream instead of a decoded body: `send_stream()` returns as soon as the \
             headers arrive, with the body as a stream of chunks, so a large download never sits whole in memory:\n\n",
        );
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program_with(
            library,
            ".build()?",
            ".build()?",
            ".send_stream()\n        .await?",
            "let mut body = result.into_body();\n    let mut file = std::fs::File::create(\"download.bin\")?;\n    while let Some(chunk) = body.next().await {\n        file.write_all(&chunk?)?;\n    }",
        ));
        text.push_str("```\n\n");
    }
    let is_stream =
        |o: &Operation| matches!(o.success.kind, ResponseKind::EventStream { .. } | ResponseKind::JsonLines { .. });
    let streamed = candidates(api, examples.stream.filter(|&i| is_stream(&api.operations[i])), is_stream)
        .find_map(|o| example_call(context, o, None));
    if let Some(call) = streamed {
        let call = ExampleCall { uses: vec![stream_ext.clone()], ..call };
        text.push_str(
            "Responses the spec declares as server-sent events (`text/event-stream`) or newline-delimited JSON \
             arrive as streams of typed values, decoded as they come:\n\n",
        );
        text.push_str("```rust,no_run\n");
        text.push_str(&call.program(
            library,
            "let mut stream = result;\n    while let Some(value) = stream.next().await {\n        println!(\"{:?}\", value?);\n    }",
        ));
        text.push_str("```\n\n");
    }
    let configured = examples.stream.filter(|&i| !is_stream(&api.operations[i]));
    let events = configured.and_then(|i| events_example(context, &api.operations[i]));
    text.push_str(
        "Any call's answer can be read as server-sent events of a type you choose (`.events::<T>()`, which asks \
         for `text/event-stream`), or as newline-delimited JSON (`.json_lines::<T>()`): for a server that \
         streams where the spec declares one JSON answer, or that streams when the request asks for it (a \
         `stream: true` option). Credentials, retries and errors are those of any call. A `data: [DONE]` \
         event that is not a `T` ends the stream (`.stop_at(...)` and `.no_sentinel()` choose otherwise); \
         `.events_resuming::<T>(n)` also reconnects, up to `n` times, when the connection drops (with \
         `Last-Event-ID`, after the server's `retry:` time)",
    );
    match events {
        Some(mut call) => {
            call.uses.push(stream_ext.clone());
            text.push_str(":\n\n```rust,no_run\n");
            text.push_str(&call.program_with(
                library,
                ".build()?",
                ".build()?",
                ".events::<serde_json::Value>()\n        .await?",
                "let mut events = result;\n    while let Some(event) = events.next().await {\n        println!(\"{}\", event?.data);\n    }",
            ));
            text.push_str("```\n\n");
        }
        None => text.push_str(".\n\n"),
    }
    text.push_str("### Endpoints missing from the spec\n\n");
    text.push_str(
        "`Client::get`, `post`, `put`, `patch` and `delete` call a path relative to the base URL with the same \
         credentials, retries and errors as the generated methods, and decode the JSON answer into any type:\n\n",
    );
    let credentials = example_operation(context).map(|call| call.credentials).unwrap_or_default();
    text.push_str(&format!(
        "```rust,no_run\nuse {library}::Client;\n\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {{\n    \
         let client = Client::builder()\n{}        .build()?;\n    let answer: serde_json::Value = client.get(\"/a/path/the/spec/lacks\").await?;\n    \
         println!(\"{{answer}}\");\n    Ok(())\n}}\n```\n\n",
        credentials.iter().map(|c| format!("        {c}\n")).collect::<String>()
    ));
    text
}

/// An upload to show: the first operation that sends files (a multipart body with a file
/// property, or raw bytes), with its body built from the model.
fn upload_example(context: &Context<'_>) -> Option<ExampleCall> {
    let api = context.api;
    let library = &api.package.library;
    candidates(api, api.feature_examples.upload, |_| true).find_map(|operation| {
        let body = operation.params.as_ref()?.body.as_ref()?;
        let kinds = body.kind.encodings();
        // A multipart body with files reads best; raw bytes next.
        let multipart = kinds.iter().find_map(|kind| match kind {
            BodyKind::Multipart { ty: TypeRef::Named(id), .. } => multipart_example(context, *id),
            _ => None,
        });
        let (expression, uses) = match multipart {
            Some(found) => found,
            None if kinds.iter().any(|k| matches!(k, BodyKind::Bytes { .. })) => {
                ("File::from_path(\"upload.bin\")".to_string(), vec![format!("{library}::File")])
            }
            None => return None,
        };
        let call = example_call(context, operation, Some("body".into()))?;
        Some(ExampleCall { uses, prelude: vec![format!("let body = {expression};")], ..call })
    })
}

/// `Body::new(...)` with its file properties set, when the struct has one and its required
/// values have literals.
fn multipart_example(context: &Context<'_>, id: crate::ir::TypeId) -> Option<(String, Vec<String>)> {
    let api = context.api;
    let library = &api.package.library;
    let def = api.type_def(id);
    let crate::ir::TypeKind::Struct(body) = &def.kind else { return None };
    let is_file = |ty: &TypeRef| match ty {
        TypeRef::File => Some(false),
        TypeRef::Array(item) if **item == TypeRef::File => Some(true),
        _ => None,
    };
    if !body.fields.iter().any(|f| is_file(&f.ty).is_some()) {
        return None;
    }
    let mut arguments = Vec::new();
    let mut uses = vec![format!("{library}::types::{}", def.name), format!("{library}::File")];
    for field in body.fields.iter().filter(|f| f.required && f.default.is_none()) {
        arguments.push(match (&field.ty, is_file(&field.ty)) {
            (_, Some(false)) => "File::from_path(\"upload.bin\")".to_string(),
            (_, Some(true)) => "vec![File::from_path(\"upload.bin\")]".to_string(),
            (TypeRef::String, None) => rust_string(field.example.as_ref().and_then(|e| e.as_str()).unwrap_or("...")),
            // A part that is an object whose constructor takes nothing (a JSON part).
            (TypeRef::Named(part), None) => {
                let part_def = api.type_def(*part);
                match &part_def.kind {
                    crate::ir::TypeKind::Struct(part_body)
                        if !part_body.fields.iter().any(|f| f.required && f.default.is_none()) =>
                    {
                        uses.push(format!("{library}::types::{}", part_def.name));
                        format!("{}::{}()", part_def.name, part_body.constructor)
                    }
                    _ => return None,
                }
            }
            _ => return None,
        });
    }
    let mut expression = format!("{}::{}({})", def.name, body.constructor, arguments.join(", "));
    for field in body.fields.iter().filter(|f| !f.required) {
        let Some(setter) = &field.setter else { continue };
        match is_file(&field.ty) {
            Some(false) => expression.push_str(&format!("\n        .{setter}(File::from_path(\"upload.bin\"))")),
            Some(true) => expression.push_str(&format!(
                "\n        .{setter}(vec![File::from_path(\"first.bin\"), File::from_path(\"second.bin\")])"
            )),
            None => {}
        }
    }
    Some((expression, uses))
}

/// Whether the operation's method returns a `ListCall` (see `ir::analysis::pagination`).
fn paginated(operation: &Operation) -> bool {
    operation.pagination.is_some()
}

/// The configured operation first (whatever its kind), then every operation of the kind.
fn candidates<'a>(
    api: &'a crate::ir::Api,
    configured: Option<usize>,
    kind: impl Fn(&Operation) -> bool + 'a,
) -> impl Iterator<Item = &'a Operation> + 'a {
    configured.map(|index| &api.operations[index]).into_iter().chain(api.operations.iter().filter(move |o| kind(o)))
}
