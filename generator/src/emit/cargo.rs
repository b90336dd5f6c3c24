//! The generated crate's `Cargo.toml`.

use super::{Context, EmittedFile};

/// Dependencies of every generated crate: exactly what the runtime and the types use.
const DEPENDENCIES: &str = r#"[dependencies]
bytes = "1"
fastrand = "2"
httpdate = "1"
percent-encoding = "2"
regex-lite = "0.1"
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls", "http2"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
serde_path_to_error = "0.1"
thiserror = "2"
tokio = { version = "1", features = ["time"] }
"#;

/// `Cargo.toml`.
pub fn cargo_toml(context: &Context<'_>) -> EmittedFile {
    let package = &context.api.package;
    let description = &package.description;
    let mut text = String::new();
    text.push_str("[package]\n");
    text.push_str(&format!("name = {}\n", toml_string(&package.name)));
    text.push_str(&format!("version = {}\n", toml_string(&package.version)));
    text.push_str("edition = \"2021\"\n");
    text.push_str(&format!("description = {}\n", toml_string(description)));
    if let Some(license) = &package.license {
        text.push_str(&format!("license = {}\n", toml_string(license)));
    }
    text.push_str("readme = \"README.md\"\n");
    if !package.publish {
        text.push_str("publish = false\n");
    }
    text.push_str(&format!("\n[lib]\nname = {}\n\n", toml_string(&package.library)));
    text.push_str(DEPENDENCIES);
    text.push_str("\n[dev-dependencies]\n");
    // The README's examples (doctests) need an async runtime; the configuration may ask for more.
    if !package.dev_dependencies.contains_key("tokio") {
        text.push_str("tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n");
    }
    for (name, value) in &package.dev_dependencies {
        text.push_str(&format!("{name} = {value}\n"));
    }
    if !context.api.features.is_empty() {
        let names = &context.api.features;
        text.push_str(
            "\n# One feature per top-level resource; a resource compiles only the types it uses.\n[features]\n",
        );
        text.push_str("default = [\"full\"]\n");
        text.push_str(&format!("full = [{}]\n", names.iter().map(|n| toml_string(n)).collect::<Vec<_>>().join(", ")));
        for name in names {
            text.push_str(&format!("{} = []\n", toml_key(name)));
        }
    }
    if package.standalone {
        text.push_str("\n# Generated outside any workspace: this crate is its own.\n[workspace]\n");
    }
    EmittedFile::Text { path: "Cargo.toml".into(), text, comment: Some("#") }
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        key.to_string()
    } else {
        toml_string(key)
    }
}
