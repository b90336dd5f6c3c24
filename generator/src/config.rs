//! The generator configuration (`codegen.toml`): everything specific to one API lives here.

use std::collections::BTreeMap;

use serde::Deserialize;

pub mod pagination;

pub use pagination::PaginationConfig;

/// Settings that adapt the generic generator to one API.
///
/// Every field has a default, so a spec can be generated with no configuration at all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The generated crate's package metadata.
    pub package: PackageConfig,
    /// Client-wide behaviour (environment variables, headers).
    pub client: ClientConfig,
    /// Security schemes: builder setters and environment variables.
    pub auth: AuthConfig,
    /// How operations and types are named and grouped.
    pub naming: NamingConfig,
    /// How responses are returned.
    pub response: ResponseConfig,
    /// Extra documentation drawn from the spec.
    pub docs: DocsConfig,
    /// How the generator treats problems in the spec.
    pub generator: GeneratorConfig,
    /// How list operations page (declarations and overrides of what detection finds).
    pub pagination: PaginationConfig,
    /// Tests generated into the crate.
    pub tests: TestsConfig,
    /// How the output is laid out: one crate, or a workspace of crates.
    pub output: OutputConfig,
}

/// `[output]`: the shape of what is written under `--out`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// `"crate"` (the default): one crate. `"workspace"`: a facade crate at the root, a core
    /// crate with the runtime and the types several resources share, and crates holding the
    /// top-level resources with their own types, which cargo compiles in parallel (see
    /// `ir::analysis::placement`). The public API is the same either way.
    pub layout: Layout,
    /// In the workspace layout, the least weight (operations plus the types a resource reaches)
    /// of a resource crate: consecutive small resources are grouped into one crate until it
    /// weighs this much; `0` gives every top-level resource a crate of its own.
    pub crate_weight: usize,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self { layout: Layout::Crate, crate_weight: 400 }
    }
}

/// How the generated SDK is laid out in crates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One crate.
    #[default]
    Crate,
    /// A workspace: facade, core and resource crates.
    Workspace,
}

impl std::str::FromStr for Layout {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "crate" => Ok(Layout::Crate),
            "workspace" => Ok(Layout::Workspace),
            other => Err(format!("unknown layout `{other}`: expected `crate` or `workspace`")),
        }
    }
}

/// `[tests]`: tests generated into the crate beside its code.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestsConfig {
    /// Write `tests/contract.rs`: one `#[ignore]`d test per operation that calls it through
    /// the public API with values derived from the spec and checks the decoded response,
    /// against a mock server of the spec at `SDKGEN_CONTRACT_URL`.
    pub contract: bool,
}

/// `[generator]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GeneratorConfig {
    /// Turn problems confined to one operation or schema into skips and simplifications,
    /// each listed with its reason, instead of stopping. Off by default: a clean spec
    /// should stay clean.
    pub lenient: bool,
    /// Give the crate its own `[workspace]` table (for a crate generated outside any workspace).
    pub standalone: bool,
}

/// `[package]`: the generated crate's `Cargo.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PackageConfig {
    /// Package name, e.g. `cloudflare-sdk`; the library is its snake_case form. Derived
    /// from `info.title` when not set (`Cloudflare API` gives `cloudflare-sdk`).
    pub name: Option<String>,
    /// Package version. Never copied from `info.version`, which is often not semver.
    pub version: String,
    /// Package description; defaults to one built from the spec title.
    pub description: Option<String>,
    /// Package license expression.
    pub license: Option<String>,
    /// Whether the crate is published; `false` writes `publish = false`.
    pub publish: bool,
    /// Extra `[dev-dependencies]` for the crate's hand-written tests, as TOML values.
    #[serde(rename = "dev-dependencies")]
    pub dev_dependencies: BTreeMap<String, toml::Value>,
}

impl Default for PackageConfig {
    fn default() -> Self {
        Self {
            name: None,
            version: "0.1.0".into(),
            description: None,
            license: None,
            publish: false,
            dev_dependencies: BTreeMap::new(),
        }
    }
}

/// `[client]`: runtime settings baked into the generated client.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientConfig {
    /// Environment variable that overrides the base URL.
    pub base_url_env: Option<String>,
    /// Response header that carries the server's request id (e.g. `cf-ray`).
    pub request_id_header: Option<String>,
    /// Request header that tells the server which retry this is.
    pub retry_count_header: Option<String>,
    /// Base URL to use when the spec has no `servers`.
    pub default_base_url: Option<String>,
}

/// `[auth]`: what each security scheme means to a user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Per scheme name in `components.securitySchemes`.
    pub schemes: BTreeMap<String, SchemeConfig>,
    /// Names for the security alternatives, for documentation.
    pub alternatives: Vec<AlternativeConfig>,
}

/// `[auth.schemes.<name>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchemeConfig {
    /// Name of the builder setter; defaults to the scheme name in snake_case.
    pub setter: Option<String>,
    /// Environment variable `from_env()` reads.
    pub env: Option<String>,
}

/// `[[auth.alternatives]]`: one way to authenticate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlternativeConfig {
    /// Human name, e.g. `API token`.
    pub name: String,
    /// The schemes that must all be present.
    pub schemes: Vec<String>,
}

/// `[naming]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NamingConfig {
    /// Operation extension holding the dotted resource path (`zero-trust.access.users`).
    pub group_extension: Option<String>,
    /// Operation extension holding the method name (`get`).
    pub method_extension: Option<String>,
    /// Where resource paths and method names come from when no extension gives them.
    pub style: NamingStyle,
    /// Path parameters carried in the params struct instead of as positional arguments.
    pub params_in_struct: Vec<String>,
    /// Type name overrides, keyed by the JSON pointer of the schema that defines the type.
    pub types: BTreeMap<String, String>,
}

impl Default for NamingConfig {
    fn default() -> Self {
        Self {
            group_extension: Some("x-fern-sdk-group-name".into()),
            method_extension: Some("x-fern-sdk-method-name".into()),
            style: NamingStyle::Auto,
            params_in_struct: Vec::new(),
            types: BTreeMap::new(),
        }
    }
}

/// `[naming] style`: how operations without naming extensions are named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamingStyle {
    /// `operation_id` when nearly every operationId is namespaced by its first tag
    /// (`issues/list-for-repo`, as GitHub's are), else `path`.
    #[default]
    Auto,
    /// Resources from the path's static segments, methods from the HTTP method and the
    /// path's end (`list`, `create`, `get`, `update`, `edit`, `delete`, actions).
    Path,
    /// The first tag is the resource, the operationId (less a leading tag) the method.
    OperationId,
}

/// `[response]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResponseConfig {
    /// Envelope field returned instead of the whole success body (e.g. `result`), when the
    /// success schema has it.
    pub unwrap_field: Option<String>,
}

/// `[docs]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocsConfig {
    /// Operation extensions holding lists of strings, rendered under the given heading.
    pub extensions: BTreeMap<String, String>,
    /// operationId of the call shown in the crate's opening example.
    pub example_operation: Option<String>,
    /// operationId of the list the README streams (default: the first that pages).
    pub list_example: Option<String>,
    /// operationId of the upload the README shows (default: the first that sends files).
    pub upload_example: Option<String>,
    /// operationId of the download the README streams (default: the first returning bytes).
    pub download_example: Option<String>,
    /// operationId of the streamed response the README reads (default: the first SSE or NDJSON one).
    pub stream_example: Option<String>,
}

impl Config {
    /// Parses and validates `codegen.toml` text; `origin` names the file in errors, which
    /// give the TOML key path and, for a bad value, its line and column.
    pub fn parse(text: &str, origin: &std::path::Path) -> crate::Result<Self> {
        // The key path leads the message (`tests.contract: TOML parse error at line 2 ...`):
        // a value of the wrong type is otherwise shown only by its line.
        let config: Self = serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|error| {
            let key = error.path().to_string();
            let message = error.into_inner().to_string().trim_end().to_string();
            let message = if key == "." || key.is_empty() { message } else { format!("{key}: {message}") };
            crate::Error::Config { path: origin.to_path_buf(), message }
        })?;
        config.check(origin, Some(text))?;
        Ok(config)
    }

    /// Checks every value that the generated crate spells out: names that become
    /// identifiers, crate names, environment variable and header names, URLs, versions and
    /// plain text. [`Config::parse`] calls this; call it for a configuration built in code.
    pub fn validate(&self) -> crate::Result<()> {
        self.check(std::path::Path::new("<configuration>"), None)
    }

    fn check(&self, origin: &std::path::Path, text: Option<&str>) -> crate::Result<()> {
        let problems = validate::problems(self);
        if problems.is_empty() {
            return Ok(());
        }
        let document = text.and_then(|text| toml_edit::ImDocument::parse(text).ok());
        let separator = format!("\n{}: ", origin.display());
        let message = problems
            .iter()
            .map(|problem| {
                let location = match (&document, text) {
                    (Some(document), Some(text)) => validate::locate(document, text, problem),
                    _ => String::new(),
                };
                format!("{}{location}: {}", problem.path, problem.message)
            })
            .collect::<Vec<_>>()
            .join(&separator);
        Err(crate::Error::Config { path: origin.to_path_buf(), message })
    }
}

/// Whether `name` is a plain Rust identifier: ASCII letters, digits and `_`, not starting
/// with a digit, not `_` alone, not a keyword.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !crate::ir::naming::is_keyword(name)
}

/// Validation of configuration values, with the key path of each problem.
mod validate {
    use super::{is_identifier, Config};

    /// One step of a key path.
    #[derive(Debug, Clone)]
    pub enum Step {
        Key(String),
        Index(usize),
    }

    /// A key path, displayed as TOML spells it: `auth.schemes.api_token.setter`.
    #[derive(Debug, Clone, Default)]
    pub struct KeyPath(pub Vec<Step>);

    impl std::fmt::Display for KeyPath {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            for (index, step) in self.0.iter().enumerate() {
                match step {
                    Step::Key(key) => {
                        if index > 0 {
                            f.write_str(".")?;
                        }
                        let bare =
                            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                        if bare {
                            f.write_str(key)?;
                        } else {
                            // A TOML basic string, on one line.
                            f.write_str("\"")?;
                            for c in key.chars() {
                                match c {
                                    '"' => f.write_str("\\\"")?,
                                    '\\' => f.write_str("\\\\")?,
                                    '\n' => f.write_str("\\n")?,
                                    c if c.is_control() || crate::emit::escape::is_bidi_control(c) => {
                                        write!(f, "\\u{:04X}", c as u32)?
                                    }
                                    c => write!(f, "{c}")?,
                                }
                            }
                            f.write_str("\"")?;
                        }
                    }
                    Step::Index(position) => write!(f, "[{position}]")?,
                }
            }
            Ok(())
        }
    }

    /// What is wrong where. `at_key`: the key itself is wrong, not its value.
    pub struct Problem {
        pub path: KeyPath,
        pub at_key: bool,
        pub message: String,
    }

    fn path(steps: &[&str]) -> KeyPath {
        KeyPath(steps.iter().map(|s| Step::Key(s.to_string())).collect())
    }

    /// A value as the message shows it: quoted by Rust's rules, so that nothing in it can
    /// fake a line of the error output.
    fn shown(value: &str) -> String {
        format!("{value:?}")
    }

    /// Names the generated type files use unqualified (see `ir::naming`), which a type
    /// name override must not shadow.
    const RESERVED_TYPES: &[&str] = &["Option", "Some", "None", "String", "Vec", "Box", "Result", "Ok", "Err", "Self"];

    pub fn problems(config: &Config) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut value = |steps: KeyPath, problem: Option<String>| {
            if let Some(message) = problem {
                out.push(Problem { path: steps, at_key: false, message });
            }
        };
        let package = &config.package;
        if let Some(name) = &package.name {
            value(path(&["package", "name"]), crate_name(name));
        }
        value(path(&["package", "version"]), version(&package.version));
        if let Some(description) = &package.description {
            value(path(&["package", "description"]), plain_text(description));
        }
        if let Some(license) = &package.license {
            value(path(&["package", "license"]), plain_text(license));
        }
        let client = &config.client;
        if let Some(env) = &client.base_url_env {
            value(path(&["client", "base_url_env"]), env_name(env));
        }
        if let Some(header) = &client.request_id_header {
            value(path(&["client", "request_id_header"]), header_name(header));
        }
        if let Some(header) = &client.retry_count_header {
            value(path(&["client", "retry_count_header"]), header_name(header));
        }
        if let Some(url) = &client.default_base_url {
            value(path(&["client", "default_base_url"]), base_url(url));
        }
        let mut setters: Vec<&str> = Vec::new();
        for (scheme, settings) in &config.auth.schemes {
            if let Some(setter) = &settings.setter {
                let problem = snake_identifier(setter).or_else(|| {
                    if crate::ir::naming::BUILDER_METHODS.contains(&setter.as_str()) {
                        Some(format!("{} is already a `ClientBuilder` method", shown(setter)))
                    } else if setters.contains(&setter.as_str()) {
                        Some(format!("{} is the setter of another scheme too", shown(setter)))
                    } else {
                        None
                    }
                });
                setters.push(setter);
                value(path(&["auth", "schemes", scheme, "setter"]), problem);
            }
            if let Some(env) = &settings.env {
                value(path(&["auth", "schemes", scheme, "env"]), env_name(env));
            }
        }
        for (index, alternative) in config.auth.alternatives.iter().enumerate() {
            let steps = KeyPath(vec![
                Step::Key("auth".into()),
                Step::Key("alternatives".into()),
                Step::Index(index),
                Step::Key("name".into()),
            ]);
            value(steps, plain_text(&alternative.name));
        }
        for (pointer, name) in &config.naming.types {
            value(path(&["naming", "types", pointer]), type_name(name));
        }
        for (extension, heading) in &config.docs.extensions {
            value(path(&["docs", "extensions", extension]), plain_text(heading));
        }
        if config.tests.contract {
            if let Some(tokio) = package.dev_dependencies.get("tokio") {
                value(path(&["package", "dev-dependencies", "tokio"]), contract_tokio(tokio));
            }
        }
        for name in package.dev_dependencies.keys() {
            if let Some(message) = crate_name(name) {
                out.push(Problem { path: path(&["package", "dev-dependencies", name]), at_key: true, message });
            }
        }
        super::pagination::problems(&config.pagination, &mut out);
        out
    }

    /// The contract tests (`[tests] contract = true`) run on `#[tokio::test]`, which needs the
    /// `macros` and `rt-multi-thread` features of a configured tokio dev-dependency.
    fn contract_tokio(value: &toml::Value) -> Option<String> {
        let features: Vec<&str> = value
            .get("features")
            .and_then(toml::Value::as_array)
            .map(|items| items.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default();
        let missing: Vec<&str> =
            ["macros", "rt-multi-thread"].into_iter().filter(|feature| !features.contains(feature)).collect();
        (!missing.is_empty()).then(|| {
            format!(
                "the contract tests (`tests.contract`) need tokio's features {}",
                missing.iter().map(|feature| format!("`{feature}`")).collect::<Vec<_>>().join(" and ")
            )
        })
    }

    /// Where a problem is in the text: ` (line L, column C)`, or nothing when not found.
    pub fn locate(document: &toml_edit::ImDocument<&str>, text: &str, problem: &Problem) -> String {
        let mut item: &toml_edit::Item = document.as_item();
        let mut span = None;
        for (index, step) in problem.path.0.iter().enumerate() {
            let last = index + 1 == problem.path.0.len();
            let next = match step {
                Step::Key(key) => {
                    let Some((found_key, found)) = item.as_table_like().and_then(|t| t.get_key_value(key)) else {
                        return String::new();
                    };
                    if last && problem.at_key {
                        span = found_key.span();
                    }
                    found
                }
                Step::Index(position) => match item.get(*position) {
                    Some(found) => found,
                    None => return String::new(),
                },
            };
            item = next;
        }
        let Some(span) = span.or_else(|| item.span()) else { return String::new() };
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
        format!(" (line {line}, column {column})")
    }

    /// A crate name as crates.io accepts it.
    pub fn crate_name(name: &str) -> Option<String> {
        let ok = name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !crate::ir::naming::is_keyword(&name.replace('-', "_"));
        (!ok).then(|| {
            format!(
                "{} is not a crate name (ASCII letters, digits, `-` and `_`, starting with a letter, at most 64, \
                 not a keyword)",
                shown(name)
            )
        })
    }

    /// `MAJOR.MINOR.PATCH`, optionally `-pre` and `+build` (ASCII alphanumerics, `.`, `-`).
    pub fn version(text: &str) -> Option<String> {
        let (core, build) = text.split_once('+').map_or((text, None), |(c, b)| (c, Some(b)));
        let (core, pre) = core.split_once('-').map_or((core, None), |(c, p)| (c, Some(p)));
        let numbers: Vec<&str> = core.split('.').collect();
        let numbers_ok = numbers.len() == 3
            && numbers.iter().all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && n.len() < 20);
        let label_ok = |label: Option<&str>| {
            label.is_none_or(|l| {
                !l.is_empty()
                    && l.split('.').all(|part| !part.is_empty())
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            })
        };
        (!(numbers_ok && label_ok(pre) && label_ok(build)))
            .then(|| format!("{} is not a semver version (such as `0.1.0`)", shown(text)))
    }

    /// Text with no control or bidirectional-control characters.
    pub fn plain_text(text: &str) -> Option<String> {
        let bad = text.chars().any(|c| c.is_control() || crate::emit::escape::is_bidi_control(c));
        bad.then(|| format!("{} holds control characters; plain text only", shown(text)))
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    pub fn env_name(name: &str) -> Option<String> {
        let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        (!ok).then(|| format!("{} is not an environment variable name (`[A-Za-z_][A-Za-z0-9_]*`)", shown(name)))
    }

    /// An HTTP header name: one or more token characters (RFC 9110).
    pub fn header_name(name: &str) -> Option<String> {
        let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
        (!ok).then(|| format!("{} is not an HTTP header name", shown(name)))
    }

    /// `http://` or `https://`, then no whitespace, control characters, quotes, backslashes
    /// or angle brackets.
    pub fn base_url(url: &str) -> Option<String> {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        let ok = rest.is_some_and(|rest| {
            !rest.is_empty()
                && !rest.chars().any(|c| {
                    c.is_whitespace()
                        || c.is_control()
                        || crate::emit::escape::is_bidi_control(c)
                        || matches!(c, '"' | '\'' | '\\' | '`' | '<' | '>')
                })
        });
        (!ok).then(|| {
            format!(
                "{} is not a base URL (`http://` or `https://`, without spaces, quotes, backslashes or `<>`)",
                shown(url)
            )
        })
    }

    /// A snake_case Rust identifier, not a keyword.
    pub fn snake_identifier(name: &str) -> Option<String> {
        let snake = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !is_identifier(name) {
            Some(format!("{} is not a Rust identifier", shown(name)))
        } else if !snake {
            Some(format!("{} is not snake_case", shown(name)))
        } else {
            None
        }
    }

    /// An UpperCamelCase Rust identifier, not a keyword nor a name the crate uses.
    pub fn type_name(name: &str) -> Option<String> {
        let camel = name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains('_');
        if !is_identifier(name) {
            Some(format!("{} is not a Rust identifier", shown(name)))
        } else if !camel {
            Some(format!("{} is not an UpperCamelCase type name", shown(name)))
        } else if RESERVED_TYPES.contains(&name) {
            Some(format!("{} would shadow a name the generated code uses", shown(name)))
        } else if name.len() > 72 {
            Some(format!("{} is longer than 72 characters", shown(name)))
        } else {
            None
        }
    }
}
