//! Reading a spec file from disk into an `openapiv3::OpenAPI` (the only place that parses YAML/JSON).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};

mod locate;
mod normalize;
mod split;

/// JSON documents of at least this many bytes are read on every core (see `read_direct`).
pub const PARALLEL_READ_BYTES: usize = split::MIN_BYTES;

/// A spec as read from disk.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// Where it came from, for error messages.
    pub path: PathBuf,
    /// The parsed document.
    pub document: openapiv3::OpenAPI,
}

/// Reads and parses a YAML or JSON OpenAPI 3.0/3.1 document.
pub fn load_spec(path: &Path) -> Result<LoadedSpec> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    if let Some(document) = read_direct(&bytes, path) {
        return Ok(LoadedSpec { path: path.to_path_buf(), document });
    }
    let value = parse_value(&bytes, path)?;
    let document = parse_document(value, path)?;
    Ok(LoadedSpec { path: path.to_path_buf(), document })
}

/// The fast path: a JSON document that declares OpenAPI 3.0 and contains none of the forms
/// normalisation (`normalize.rs`) rewrites without the document failing to read otherwise is read
/// straight into `openapiv3`, skipping the `Value` tree and the normalising walk; from
/// [`PARALLEL_READ_BYTES`] on, its path items and components are deserialized on every core.
/// Anything else, including every document with an error, takes the full path, which gives
/// the same result (checked over the corpus by `cargo xtask test`).
pub fn read_direct(bytes: &[u8], path: &Path) -> Option<openapiv3::OpenAPI> {
    let text = without_bom(std::str::from_utf8(bytes).ok()?);
    if !is_json(path, text) || needs_normalizing(text) {
        return None;
    }
    let document: openapiv3::OpenAPI = if text.len() >= split::MIN_BYTES {
        split::read(text).or_else(|| serde_json::from_str(text).ok())?
    } else {
        serde_json::from_str(text).ok()?
    };
    document.openapi.starts_with("3.0").then_some(document)
}

/// Whether JSON text may hold a form that reads without error but means something else
/// until normalised: `const`, 3.1 `prefixItems`, a list of schema `examples`, or a `null` or
/// list `type`. A false alarm only costs the slower path.
fn needs_normalizing(text: &str) -> bool {
    // (A top-level `webhooks` or `jsonSchemaDialect`, which normalize drops, is ignored by
    // `openapiv3` anyway.)
    const KEYS: [&str; 2] = ["\"const\"", "\"prefixItems\""];
    if KEYS.iter().any(|key| text.contains(key)) {
        return true;
    }
    let value_starts = |key: &str, starts: &[&str]| {
        text.match_indices(key).any(|(index, _)| {
            let rest = text[index + key.len()..].trim_start();
            rest.strip_prefix(':').is_some_and(|rest| {
                let rest = rest.trim_start();
                starts.iter().any(|start| rest.starts_with(start))
            })
        })
    };
    value_starts("\"examples\"", &["["]) || value_starts("\"type\"", &["[", "\"null\""])
}

/// Reads a file into a JSON value (keeping key order), checking that it is an OpenAPI 3 document.
pub fn load_value(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    parse_value(&bytes, path)
}

/// Parses file contents (YAML or JSON, chosen by extension, else by the first character).
pub fn parse_value(bytes: &[u8], path: &Path) -> Result<Value> {
    let text = std::str::from_utf8(bytes).map_err(|error| Error::Syntax {
        path: path.to_path_buf(),
        format: "UTF-8",
        line: 0,
        column: 0,
        message: format!("the file is not UTF-8 text ({error})"),
    })?;
    let text = without_bom(text);
    if text.trim().is_empty() {
        return Err(spec_error(path, "#", "the file is empty; expected an OpenAPI 3 document"));
    }
    let value: Value = if is_json(path, text) {
        serde_json::from_str(text).map_err(|error| Error::Syntax {
            path: path.to_path_buf(),
            format: "JSON",
            line: error.line(),
            column: error.column(),
            message: strip_location(&error.to_string()),
        })?
    } else {
        serde_yaml::from_str(text).map_err(|error| {
            let (line, column) = error.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
            Error::Syntax {
                path: path.to_path_buf(),
                format: "YAML",
                line,
                column,
                message: strip_location(&error.to_string()),
            }
        })?
    };
    check_version(&value, path)?;
    Ok(value)
}

/// The text without a leading byte-order mark.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Whether a file is JSON: by its extension, else by its first character.
fn is_json(path: &Path, text: &str) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "json" => true,
        "yaml" | "yml" => false,
        _ => text.trim_start().starts_with('{'),
    }
}

/// Deserializes a checked JSON value into the `openapiv3` model, locating any mismatch.
pub fn parse_document(value: Value, path: &Path) -> Result<openapiv3::OpenAPI> {
    let value = normalize::normalize(value);
    // The fast path reads without tracking paths; only a failure pays for locating itself.
    if let Ok(document) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&value) {
        return Ok(document);
    }
    serde_path_to_error::deserialize(&value).map_err(|error| {
        // Prefer the innermost failing piece; the whole-document path is often too shallow.
        let (pointer, message) = locate::locate(&value)
            .unwrap_or_else(|| (pointer_from_serde_path(error.path()), error.inner().to_string()));
        spec_error(path, &pointer, &message)
    })
}

fn check_version(value: &Value, path: &Path) -> Result<()> {
    let Some(object) = value.as_object() else {
        return Err(spec_error(path, "#", "expected a mapping at the top level of an OpenAPI document"));
    };
    if let Some(swagger) = object.get("swagger") {
        return Err(spec_error(
            path,
            "#/swagger",
            &format!(
                "Swagger {} documents are not supported; convert it to OpenAPI 3 first (for example with swagger2openapi)",
                swagger.as_str().unwrap_or("2.0")
            ),
        ));
    }
    match object.get("openapi") {
        Some(Value::String(version)) if version.starts_with("3.0") || version.starts_with("3.1") => Ok(()),
        Some(Value::String(version)) => Err(spec_error(
            path,
            "#/openapi",
            &format!("OpenAPI version {version} is not supported; expected 3.0.x or 3.1.x"),
        )),
        Some(other) => Err(spec_error(path, "#/openapi", &format!("expected a version string, found {other}"))),
        None => Err(spec_error(path, "#", "missing `openapi` version field; this is not an OpenAPI 3 document")),
    }
}

/// Converts serde_path_to_error's `a.b[0].c` path into a JSON pointer `#/a/b/0/c`.
fn pointer_from_serde_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } => pointer.push_str(&crate::error::pointer_token(key)),
            Segment::Enum { variant } => pointer.push_str(&crate::error::pointer_token(variant)),
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// serde_json and serde_yaml append " at line X column Y"; we report those separately.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

fn spec_error(path: &Path, pointer: &str, message: &str) -> Error {
    Error::Spec { path: path.to_path_buf(), pointer: pointer.to_string(), message: message.to_string() }
}
