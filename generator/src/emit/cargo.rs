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

/// The manifests of the workspace layout: the facade's (the package itself, at the root, which
/// is also the workspace root when the crate is standalone), the core's and each resource
/// crate's. The facade's features are the crate layout's; each enables its resource crate and,
/// through it, the feature of the same name in the core, which gates the shared types as one
/// crate gates them.
pub fn workspace_manifests(context: &Context<'_>, workspace: &crate::ir::Workspace) -> Vec<EmittedFile> {
    let api = context.api;
    let package = &api.package;
    let core = &workspace.core;
    let has_features = !api.features.is_empty();
    let feature_of = |resource: &String| api.resources.children.get(resource).and_then(|r| r.feature.clone());
    let mut files = Vec::new();

    // The core: the runtime (with its `tracing`), the shared types, gated as in one crate.
    let mut document = member_manifest(context, core, "The runtime and the types its resources share");
    let mut dependencies = external_dependencies();
    dependencies.insert("tracing", tracing_dependency());
    document.insert("dependencies", section(dependencies, None));
    let mut features = Table::new();
    features.insert("tracing", strings(["dep:tracing".to_string()]));
    if has_features {
        features.insert("full", strings(Vec::new()));
        for name in &api.features {
            features.insert(name, strings(Vec::new()));
        }
    }
    document.insert("features", section(features, Some("# The facade's features, which gate the shared types.\n")));
    files.push(manifest_file(&core.dir, document));

    for member in &workspace.members {
        let mut document = member_manifest(context, member, "Resources");
        let mut dependencies = external_dependencies();
        dependencies.insert(&core.package, path_dependency(&format!("../{}", core.package), &package.version));
        document.insert("dependencies", section(dependencies, None));
        if has_features {
            let mut features = Table::new();
            // Types no operation reaches, which this crate holds beside those its resources use.
            features.insert("full", strings([format!("{}/full", core.package)]));
            for feature in member.resources.iter().filter_map(feature_of) {
                let enables = strings([format!("{}/{feature}", core.package)]);
                features.insert(&feature, enables);
            }
            document.insert("features", section(features, None));
        }
        files.push(manifest_file(&member.dir, document));
    }

    // The facade.
    let mut facade = match cargo_toml(context) {
        EmittedFile::Text { text, .. } => text.parse::<DocumentMut>().unwrap_or_default(),
        _ => DocumentMut::new(),
    };
    // The facade's own code names some of them (`reqwest::Client` in the builder).
    let mut dependencies = external_dependencies();
    dependencies.insert(&core.package, path_dependency(&core.dir, &package.version));
    for member in &workspace.members {
        let mut item = path_dependency(&member.dir, &package.version);
        if has_features {
            if let Some(table) = item.as_inline_table_mut() {
                table.insert("optional", Value::from(true));
            }
        }
        dependencies.insert(&member.package, item);
    }
    facade.insert("dependencies", section(dependencies, None));
    let mut features = Table::new();
    features.insert("tracing", strings([format!("{}/tracing", core.package)]));
    if has_features {
        features.insert("default", strings(["full".to_string()]));
        let mut full: Vec<String> = api.features.clone();
        full.push(format!("{}/full", core.package));
        full.extend(workspace.members.iter().map(|member| format!("{}/full", member.package)));
        features.insert("full", strings(full));
        for member in &workspace.members {
            for feature in member.resources.iter().filter_map(feature_of) {
                let enables = [format!("dep:{}", member.package), format!("{}/{feature}", member.package)];
                features.insert(&feature, strings(enables));
            }
        }
    }
    let comment = "# One feature per top-level resource (each enables the crate that holds it, and a resource\n# compiles only the types it uses), and `tracing`: spans and events per call and attempt.\n";
    facade.insert("features", section(features, Some(comment)));
    facade.remove("workspace");
    if package.standalone {
        let mut table = Table::new();
        table.insert("resolver", string("2"));
        let members: Array = workspace.members.iter().map(|m| m.dir.as_str()).chain([core.dir.as_str()]).collect();
        table.insert("members", Item::Value(Value::Array(members)));
        let comment = "# Generated outside any workspace: the SDK's crates are their own workspace.\n";
        facade.insert("workspace", section(table, Some(comment)));
    }
    files.push(EmittedFile::Text { path: "Cargo.toml".into(), text: facade.to_string(), comment: Some("#") });
    files
}

/// `[package]` and `[lib]` of a crate of the workspace layout.
fn member_manifest(context: &Context<'_>, member: &crate::ir::MemberCrate, what: &str) -> DocumentMut {
    let package = &context.api.package;
    let mut document = DocumentMut::new();
    let mut table = Table::new();
    table.insert("name", string(&member.package));
    table.insert("version", string(&package.version));
    table.insert("edition", string("2021"));
    let resources =
        if member.resources.is_empty() { String::new() } else { format!(" ({})", member.resources.join(", ")) };
    let description = format!("{what}{resources} of {}, which re-exports them.", package.name);
    table.insert("description", string(&super::escape::line_comment(&description)));
    if let Some(license) = &package.license {
        table.insert("license", string(license));
    }
    if !package.publish {
        table.insert("publish", Item::Value(Value::from(false)));
    }
    document.insert("package", Item::Table(table));
    let mut lib = Table::new();
    lib.insert("name", string(&member.library));
    document.insert("lib", section(lib, None));
    document
}

fn manifest_file(dir: &str, document: DocumentMut) -> EmittedFile {
    EmittedFile::Text { path: format!("{dir}/Cargo.toml"), text: document.to_string(), comment: Some("#") }
}

fn external_dependencies() -> Table {
    let mut dependencies = Table::new();
    for (name, version, default_features, features) in DEPENDENCIES {
        dependencies.insert(name, dependency(version, *default_features, features));
    }
    dependencies
}

fn tracing_dependency() -> Item {
    let mut tracing = InlineTable::new();
    tracing.insert("version", Value::from("0.1"));
    tracing.insert("optional", Value::from(true));
    tracing.insert("default-features", Value::from(false));
    tracing.insert("features", Value::Array(Array::from_iter(["std"])));
    Item::Value(Value::InlineTable(tracing))
}

fn path_dependency(path: &str, version: &str) -> Item {
    let mut table = InlineTable::new();
    table.insert("path", Value::from(path));
    table.insert("version", Value::from(version));
    Item::Value(Value::InlineTable(table))
}

fn strings(items: impl IntoIterator<Item = String>) -> Item {
    Item::Value(Value::Array(items.into_iter().collect()))
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
