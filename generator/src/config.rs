//! The generator configuration (`codegen.toml`): everything specific to one API lives here.

use std::collections::BTreeMap;

use serde::Deserialize;

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
    /// Package name, e.g. `cloudflare-sdk`; the library is its snake_case form.
    pub name: String,
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
            name: "openapi-sdk".into(),
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
            params_in_struct: Vec::new(),
            types: BTreeMap::new(),
        }
    }
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
}

impl Config {
    /// Parses `codegen.toml` text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &std::path::Path) -> crate::Result<Self> {
        toml::from_str(text).map_err(|error| crate::Error::Config {
            path: origin.to_path_buf(),
            message: error.to_string().trim_end().to_string(),
        })
    }

    /// The library name of the generated crate (`cloudflare_sdk`).
    pub fn library_name(&self) -> String {
        self.package.name.replace('-', "_")
    }
}
