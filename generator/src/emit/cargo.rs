//! The generated crate's `Cargo.toml`, built as a TOML document from data: every name and
//! value from the spec or the configuration is written by the TOML serializer, which quotes
//! and escapes it, so none can add a key, a table or a dependency.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use super::{Context, EmittedFile};

/// Dependencies of every generated crate: exactly what the runtime and the types use, as
/// (name, version, default features, features).
const DEPENDENCIES: &[(&str, &str, bool, &[&str])] = &[
    ("bytes", "1", true, &[]),
    ("fastrand", "2", true, &[]),
    ("futures-core", "0.3", true, &[]),
    ("futures-util", "0.3", false, &["std"]),
    ("httpdate", "1", true, &[]),
    ("percent-encoding", "2", true, &[]),
    ("regex-lite", "0.1", true, &[]),
    ("reqwest", "0.12", false, &["rustls-tls", "http2", "stream"]),
    ("serde", "1", true, &["derive"]),
    // Numbers read back exactly as sent (decoding then serializing gives back the JSON).
    ("serde_json", "1", true, &["float_roundtrip", "raw_value"]),
    ("serde_path_to_error", "0.1", true, &[]),
    ("thiserror", "2", true, &[]),
    ("tokio", "1", true, &["time", "fs", "io-util"]),
];

/// A `[dependencies]` line generated code needs.
#[derive(Debug, Clone)]
pub struct DependencyLine {
    /// The crate, e.g. `reqwest`.
    pub name: &'static str,
    /// The features the generated code relies on.
    pub features: &'static [&'static str],
    /// The whole line, e.g. `reqwest = { version = "0.12", ... }`.
    pub line: String,
}

/// The `[dependencies]` lines generated code needs; the optional `tracing` is not listed.
pub fn dependency_lines() -> Vec<DependencyLine> {
    DEPENDENCIES
        .iter()
        .map(|(name, version, default_features, features)| {
            let item = dependency(version, *default_features, features);
            DependencyLine { name, features, line: format!("{name} = {}", item.to_string().trim()) }
        })
        .collect()
}

/// `Cargo.toml`.
pub fn cargo_toml(context: &Context<'_>) -> EmittedFile {
    let package = &context.api.package;
    let description = &package.description;
    let mut document = DocumentMut::new();

    let mut table = Table::new();
    table.insert("name", string(&package.name));
    table.insert("version", string(&package.version));
    table.insert("edition", string("2021"));
    // A description is one line of plain text on crates.io.
    table.insert("description", string(&super::escape::line_comment(description)));
    if let Some(license) = &package.license {
        table.insert("license", string(license));
    }
    table.insert("readme", string("README.md"));
    if !package.publish {
        table.insert("publish", Item::Value(Value::from(false)));
    }
    document.insert("package", Item::Table(table));

    let mut lib = Table::new();
    lib.insert("name", string(&package.library));
    document.insert("lib", section(lib, None));

    let mut dependencies = Table::new();
    for (name, version, default_features, features) in DEPENDENCIES {
        dependencies.insert(name, dependency(version, *default_features, features));
    }
    // The runtime's spans and events (`runtime/trace.rs`), for those who ask for them.
    let mut tracing = InlineTable::new();
    tracing.insert("version", Value::from("0.1"));
    tracing.insert("optional", Value::from(true));
    tracing.insert("default-features", Value::from(false));
    tracing.insert("features", Value::Array(Array::from_iter(["std"])));
    dependencies.insert("tracing", Item::Value(Value::InlineTable(tracing)));
    document.insert("dependencies", section(dependencies, None));

    let mut dev_dependencies = Table::new();
    // The README's examples (doctests) need an async runtime; the configuration may ask for more.
    if !package.dev_dependencies.contains_key("tokio") {
        dev_dependencies.insert("tokio", dependency("1", true, &["macros", "rt-multi-thread"]));
    }
    for (name, value) in &package.dev_dependencies {
        dev_dependencies.insert(name, Item::Value(toml_value(value)));
    }
    document.insert("dev-dependencies", section(dev_dependencies, None));

    let mut features = Table::new();
    let tracing = Item::Value(Value::Array(Array::from_iter(["dep:tracing"])));
    let comment = if context.api.features.is_empty() {
        features.insert("tracing", tracing);
        "# `tracing`: spans and events per call and attempt.\n"
    } else {
        let names = &context.api.features;
        features.insert("default", Item::Value(Value::Array(Array::from_iter(["full"]))));
        features.insert("full", Item::Value(Value::Array(names.iter().map(String::as_str).collect())));
        features.insert("tracing", tracing);
        for name in names {
            features.insert(name, Item::Value(Value::Array(Array::new())));
        }
        "# One feature per top-level resource (a resource compiles only the types it uses), and\n# `tracing`: spans and events per call and attempt.\n"
    };
    document.insert("features", section(features, Some(comment)));
    if package.standalone {
        let comment = "# Generated outside any workspace: this crate is its own.\n";
        document.insert("workspace", section(Table::new(), Some(comment)));
    }
    EmittedFile::Text { path: "Cargo.toml".into(), text: document.to_string(), comment: Some("#") }
}

/// A table after the first: a blank line, then its comment, if any.
fn section(mut table: Table, comment: Option<&str>) -> Item {
    table.decor_mut().set_prefix(format!("\n{}", comment.unwrap_or_default()));
    Item::Table(table)
}

fn string(value: &str) -> Item {
    Item::Value(Value::from(value))
}

/// `"1"`, or `{ version = "1", default-features = false, features = [...] }`.
fn dependency(version: &str, default_features: bool, features: &[&str]) -> Item {
    if default_features && features.is_empty() {
        return string(version);
    }
    let mut table = InlineTable::new();
    table.insert("version", Value::from(version));
    if !default_features {
        table.insert("default-features", Value::from(false));
    }
    if !features.is_empty() {
        table.insert("features", Value::Array(features.iter().copied().collect()));
    }
    Item::Value(Value::InlineTable(table))
}

/// A configured TOML value, as data (tables become inline tables).
fn toml_value(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::from(text.as_str()),
        toml::Value::Integer(number) => Value::from(*number),
        toml::Value::Float(number) => Value::from(*number),
        toml::Value::Boolean(flag) => Value::from(*flag),
        toml::Value::Datetime(datetime) => Value::from(*datetime),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_value).collect()),
        toml::Value::Table(table) => {
            let mut inline = InlineTable::new();
            for (key, item) in table {
                inline.insert(key, toml_value(item));
            }
            Value::InlineTable(inline)
        }
    }
}
