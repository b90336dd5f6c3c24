//! Reading a spec file from disk into an `openapiv3::OpenAPI` (the only place that parses YAML/JSON).
//!
//! Every limit on what a file may cost is in [`limits`]; every failure names the file and a line
//! and column or a JSON pointer.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result, SpecProblem};

mod duplicates;
pub mod limits;
mod locate;
mod normalize;
mod openapi31;
mod split;
mod value;

/// The document extension that carries a 3.1 document's `webhooks` (normalised) from loading
/// to lowering, since `openapiv3`'s 3.0 model has no place for them.
pub const WEBHOOKS_EXTENSION: &str = "x-sdkgen-webhooks";

/// JSON documents of at least this many bytes are read on every core (see `read_direct`).
pub const PARALLEL_READ_BYTES: usize = split::MIN_BYTES;

/// A spec as read from disk.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// Where it came from, for error messages.
    pub path: PathBuf,
    /// The parsed document.
    pub document: openapiv3::OpenAPI,
    /// Keys that appear twice in one object (the document holds the last value of each), in
    /// document order. Strict generation refuses the document for the first; lenient generation
    /// lists them all.
    pub duplicates: Vec<SpecProblem>,
}

/// Reads and parses a YAML or JSON OpenAPI 3.0/3.1 document.
pub fn load_spec(path: &Path) -> Result<LoadedSpec> {
    let bytes = read_file(path)?;
    if let Some((document, duplicates)) = read_direct_checked(&bytes, path) {
        return Ok(LoadedSpec { path: path.to_path_buf(), document, duplicates: duplicates.into_problems() });
    }
    let (value, duplicates) = parse_value_and_duplicates(&bytes, path)?;
    let document = parse_document(value, path)?;
    Ok(LoadedSpec { path: path.to_path_buf(), document, duplicates: duplicates.into_problems() })
}

/// Reads a file whole, refusing one larger than [`limits::MAX_FILE_BYTES`] before reading it
/// (by its metadata) and while reading it (for files whose size the metadata does not tell).
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let too_large = |size: String| {
        let limit = limits::MAX_FILE_BYTES >> 20;
        spec_error(path, "#", &format!("the file is {size} than {limit} MiB, the limit for a spec file"))
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let length = file.metadata().map_err(io)?.len();
    if length > limits::MAX_FILE_BYTES {
        return Err(too_large(format!("{length} bytes, larger")));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(limits::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        // The metadata did not tell (a pipe) or the file grew while it was read.
        return Err(too_large("larger (as read, not by its metadata)".into()));
    }
    Ok(bytes)
}

/// The fast path: a JSON document that declares OpenAPI 3.0 and contains none of the forms
/// normalisation (`normalize.rs`) rewrites without the document failing to read otherwise is read
/// straight into `openapiv3`, skipping the `Value` tree and the normalising walk; from
/// [`PARALLEL_READ_BYTES`] on, its path items and components are deserialized on every core.
/// Anything else, including every document with an error, takes the full path, which gives
/// the same result (checked over the corpus by `cargo xtask test`).
pub fn read_direct(bytes: &[u8], path: &Path) -> Option<openapiv3::OpenAPI> {
    read_direct_text(without_bom(std::str::from_utf8(bytes).ok()?), path)
}

/// [`read_direct`], and the document's duplicate keys; `None` also when the text is past a
/// limit of [`limits`] (the full read then reports it).
///
/// The scan for duplicates (one pass over the bytes, a tenth of the read's work on Cloudflare's
/// document) runs on a thread of its own beside the read, most of whose first steps (the
/// normalisation check, the split scan) use one core.
fn read_direct_checked(bytes: &[u8], path: &Path) -> Option<(openapiv3::OpenAPI, value::Duplicates)> {
    let text = without_bom(std::str::from_utf8(bytes).ok()?);
    if !is_json(path, text) {
        return None;
    }
    std::thread::scope(|scope| {
        let duplicates = scope.spawn(|| duplicates::scan(text));
        let document = read_direct_text(text, path);
        // A panic in the scan is a bug; resume it rather than hide it.
        let duplicates = duplicates.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Some((document?, duplicates?))
    })
}

fn read_direct_text(text: &str, path: &Path) -> Option<openapiv3::OpenAPI> {
    if !is_json(path, text) || needs_normalizing(text) {
        return None;
    }
    let document: openapiv3::OpenAPI = if text.len() >= split::MIN_BYTES {
        split::read(text).or_else(|| read_piece(text))?
    } else {
        read_piece(text)?
    };
    document.openapi.starts_with("3.0").then_some(document)
}

/// Whether JSON text may hold a form that reads without error but means something else
/// until normalised: `const`, 3.1 `prefixItems`, a list of schema `examples`, or a `null` or
/// list `type`. A false alarm only costs the slower path. (A `$ref` with applied siblings
/// is rewritten on the fast path itself, by [`read_piece`].)
fn needs_normalizing(text: &str) -> bool {
    // (A top-level `jsonSchemaDialect`, which normalize drops, is ignored by `openapiv3`
    // anyway; `webhooks` and the extension that carries them are 3.1, which always normalises.)
    const KEYS: [&str; 3] = ["\"const\"", "\"prefixItems\"", "\"x-sdkgen-webhooks\""];
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

/// Reads JSON text of a 3.0 document, or of a piece of one ([`split`]), into `openapiv3`. A
/// schema `$ref` beside a keyword servers apply ([`openapi31::APPLIED_SIBLINGS`]) is rewritten
/// as the full path rewrites it (`allOf: [{$ref}]` beside the keyword) first, through a `Value`
/// of this text only: the rewrite is local to the schema, so a piece rewritten alone reads as
/// it would inside the whole document, and pieces without such a reference (most of them) are
/// read straight from the text.
fn read_piece(text: &str) -> Option<openapiv3::OpenAPI> {
    if !(text.contains("\"$ref\"") && has_applied_ref_siblings(text)) {
        return serde_json::from_str(text).ok();
    }
    let mut value: Value = serde_json::from_str(text).ok()?;
    openapi31::wrap_applied_siblings(value.as_object_mut()?);
    serde_json::from_value(value).ok()
}

/// Whether some JSON object has a `$ref` key beside a keyword 3.0 readers rewrite
/// ([`openapi31::APPLIED_SIBLINGS`]): one pass over the text, keys of each open object
/// tracked (a key inside an example counts too; a false alarm only costs the slower path).
fn has_applied_ref_siblings(text: &str) -> bool {
    // Per open object or array: (is an object, has `$ref`, has an applied sibling).
    let mut open: Vec<(bool, bool, bool)> = Vec::new();
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => open.push((true, false, false)),
            b'[' => open.push((false, false, false)),
            b'}' | b']' => {
                if let Some((true, true, true)) = open.pop() {
                    return true;
                }
            }
            b'"' => {
                let start = index + 1;
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    index += if bytes[index] == b'\\' { 2 } else { 1 };
                }
                let Some(key) = text.get(start..index.min(bytes.len())) else { return true };
                let is_key = text[(index + 1).min(text.len())..].trim_start().starts_with(':');
                if let (true, Some((true, has_ref, has_applied))) = (is_key, open.last_mut()) {
                    *has_ref |= key == "$ref";
                    *has_applied |= openapi31::APPLIED_SIBLINGS.contains(&key);
                }
            }
            _ => {}
        }
        index += 1;
    }
    false
}

/// Reads a file into a JSON value (keeping key order), checking that it is an OpenAPI 3 document;
/// a key repeated in one object is an error.
pub fn load_value(path: &Path) -> Result<Value> {
    let bytes = read_file(path)?;
    let (value, duplicates) = parse_value_and_duplicates(&bytes, path)?;
    match duplicates.into_problems().into_iter().next() {
        Some(duplicate) => Err(duplicate.in_file(path)),
        None => Ok(value),
    }
}

/// Parses file contents (YAML or JSON, chosen by extension, else by the first character); of a
/// key repeated in one object, the last value is kept.
pub fn parse_value(bytes: &[u8], path: &Path) -> Result<Value> {
    parse_value_and_duplicates(bytes, path).map(|(value, _)| value)
}

/// Reads a UTF-8 text file (the configuration) under the same size limit as a spec; a byte
/// that is not UTF-8 is reported at its line and column.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_file(path)?;
    String::from_utf8(bytes).map_err(|error| {
        let place = line_column(error.as_bytes(), error.utf8_error().valid_up_to());
        Error::Syntax {
            path: path.to_path_buf(),
            format: "UTF-8",
            line: place.0,
            column: place.1,
            message: format!("the file is not UTF-8 text ({})", error.utf8_error()),
        }
    })
}

/// [`parse_value`], and the duplicate keys met.
fn parse_value_and_duplicates(bytes: &[u8], path: &Path) -> Result<(Value, value::Duplicates)> {
    let syntax = |format, (line, column), message: String| Error::Syntax {
        path: path.to_path_buf(),
        format,
        line,
        column,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let place = line_column(bytes, error.valid_up_to());
        syntax("UTF-8", place, format!("the file is not UTF-8 text ({error})"))
    })?;
    let text = without_bom(text);
    if text.trim().is_empty() {
        return Err(spec_error(path, "#", "the file is empty; expected an OpenAPI 3 document"));
    }
    let (value, duplicates) = if is_json(path, text) {
        value::json(text).map_err(|error| syntax("JSON", (error.line(), error.column()), json_message(&error)))?
    } else {
        value::yaml(text).map_err(|error| match error {
            value::YamlError::Parse(error) => {
                let place = error.location().map_or_else(|| document_start(text), |l| (l.line(), l.column()));
                syntax("YAML", place, yaml_message(&error))
            }
            value::YamlError::NoDocument => {
                spec_error(path, "#", "the file holds no YAML document; expected an OpenAPI 3 document")
            }
            value::YamlError::SecondDocument(line, column) => syntax(
                "YAML",
                document_marker(text, line, column),
                "a second document starts here; the file must hold one OpenAPI document".into(),
            ),
        })?
    };
    check_version(&value, path)?;
    Ok((value, duplicates))
}

/// The 1-based line and column (in characters) of byte `offset` of `bytes`, which are valid
/// UTF-8 up to there.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |index| index + 1);
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}

/// Where the document of YAML text starts (its first line that is not blank, a comment or a
/// directive), for errors serde_yaml does not locate.
fn document_start(text: &str) -> (usize, usize) {
    for (index, line) in text.lines().enumerate() {
        let content = line.trim_start();
        if !(content.is_empty() || content.starts_with('#') || content.starts_with('%')) {
            return (index + 1, line.len() - content.len() + 1);
        }
    }
    (1, 1)
}

/// The `---` line that starts the document whose first node is at `line`:`column`, if the lines
/// between hold nothing else (else the node's place).
fn document_marker(text: &str, line: usize, column: usize) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().take(line).collect();
    for (index, content) in lines.iter().enumerate().rev() {
        let content = content.trim_start();
        if content.starts_with("---") {
            return (index + 1, 1);
        }
        if index + 1 < line && !(content.is_empty() || content.starts_with('#')) {
            break;
        }
    }
    (line, column)
}

/// serde_json's message, without its location, naming our limit where it hit its own.
fn json_message(error: &serde_json::Error) -> String {
    let message = strip_location(&error.to_string());
    if message.starts_with("recursion limit exceeded") {
        return format!("nesting deeper than {} levels, the limit", limits::MAX_DEPTH);
    }
    message
}

/// serde_yaml's message, without its location, naming our limits where it hit its own.
fn yaml_message(error: &serde_yaml::Error) -> String {
    let message = strip_location(&error.to_string());
    if message.ends_with("recursion limit exceeded") {
        return format!("nesting deeper than {} levels, the limit", limits::MAX_DEPTH);
    }
    if message.ends_with("repetition limit exceeded") {
        return "aliases in the document expand too far (are they nested to expand exponentially?)".into();
    }
    message
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
            .unwrap_or_else(|| (crate::pointer::from_serde_path(error.path()), error.inner().to_string()));
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_reference_with_an_applied_sibling_is_found() {
        let applied = r##"{"a": {"$ref": "#/x", "minLength": 36}, "b": {"description": "\"$ref\""}}"##;
        assert!(super::has_applied_ref_siblings(applied));
        let nested = r##"{"$ref": "#/x", "description": "d", "items": {"required": ["id"]}}"##;
        assert!(!super::has_applied_ref_siblings(nested));
        let data = r#"{"example": [{"$ref": 1}], "required": ["a"]}"#;
        assert!(!super::has_applied_ref_siblings(data));
    }

    /// A 3.0 document whose `$ref`s carry `required` reads on the fast path (whole and, past
    /// [`super::split::MIN_BYTES`], in pieces) exactly as the normalising path reads it.
    #[test]
    fn applied_reference_siblings_read_alike_on_both_paths() {
        let path = std::path::Path::new("spec.json");
        for schemas in [1, 4_000] {
            let mut components = serde_json::Map::new();
            for index in 0..schemas {
                let schema = serde_json::json!({
                    "type": "object",
                    "description": "padding ".repeat(30),
                    "properties": {"id": {"type": "string"}, "next": {"$ref": "#/components/schemas/S0", "required": ["id"]}},
                });
                components.insert(format!("S{index}"), schema);
            }
            let body =
                serde_json::json!({"$ref": "#/components/schemas/S0", "required": ["id"], "description": "dropped"});
            let document = serde_json::json!({
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/things": {"post": {
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "ok"}},
                }}},
                "components": {"schemas": components},
            });
            let text = serde_json::to_string(&document).unwrap();
            assert_eq!(text.len() >= super::split::MIN_BYTES, schemas > 1, "{} bytes", text.len());
            let fast = super::read_direct(text.as_bytes(), path).expect("the fast path reads it");
            let slow = super::parse_document(document, path).unwrap();
            assert_eq!(fast, slow);
            let operation = fast.paths.paths["/things"].as_item().unwrap().post.as_ref().unwrap();
            let body = operation.request_body.as_ref().unwrap().as_item().unwrap();
            let schema = body.content["application/json"].schema.as_ref().unwrap().as_item().unwrap();
            let all_of = match &schema.schema_kind {
                openapiv3::SchemaKind::AllOf { all_of } => all_of,
                openapiv3::SchemaKind::Any(any) => &any.all_of,
                other => panic!("{other:?}"),
            };
            assert_eq!(all_of.len(), 1, "{schema:?}");
        }
    }
}
