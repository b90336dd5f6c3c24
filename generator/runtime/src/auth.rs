//! API description supplied by generated code ([`ApiSpec`]), security schemes,
//! credential storage and application of credentials to requests.
//!
//! Nothing here is specific to one API: environment variable names, header
//! names and alternatives all come from the generated `static` [`ApiSpec`].

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::error::ConfigError;

/// Static description of an API, one `static` per generated SDK.
#[derive(Debug)]
pub struct ApiSpec {
    /// Default base URL, e.g. `https://api.example.com/client/v4`. Its path
    /// prefix is kept when operation paths are appended.
    pub default_base_url: &'static str,
    /// Environment variable that overrides the base URL in
    /// [`ClientBuilder::from_env`](super::client::ClientBuilder::from_env).
    pub base_url_env: Option<&'static str>,
    /// `User-Agent` sent with every request.
    pub user_agent: &'static str,
    /// Response header carrying the server's request id (e.g. `cf-ray`).
    pub request_id_header: Option<&'static str>,
    /// Request header telling the server which retry this is (0 for the
    /// first attempt).
    pub retry_count_header: Option<&'static str>,
    /// All security schemes of the API.
    pub schemes: &'static [SecurityScheme],
    /// API-wide security alternatives: each is a list of scheme names that
    /// must all be present. Used to check credentials when the client is
    /// built, so it should contain every alternative any operation accepts.
    /// Empty means the API has no security.
    pub alternatives: &'static [&'static [&'static str]],
}

impl ApiSpec {
    /// Index of the scheme called `name` in [`ApiSpec::schemes`].
    pub fn scheme_index(&self, name: &str) -> Option<usize> {
        self.schemes.iter().position(|s| s.name == name)
    }

    /// Describes how to configure `alt` for error messages, e.g.
    /// `CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY`.
    pub(crate) fn describe_alternative(&self, alt: &[&str]) -> String {
        alt.iter().map(|n| self.describe_scheme(n)).collect::<Vec<_>>().join(" + ")
    }

    /// Env var of a scheme if it has one, else its name in backticks.
    pub(crate) fn describe_scheme(&self, name: &str) -> String {
        match self.scheme_index(name).and_then(|i| self.schemes[i].env) {
            Some(env) => env.to_owned(),
            None => format!("`{name}`"),
        }
    }

    /// "set A, or B + C" for all API-wide alternatives.
    pub(crate) fn describe_alternatives(&self, alts: &[&[&str]]) -> String {
        alts.iter().map(|a| self.describe_alternative(a)).collect::<Vec<_>>().join(", or ")
    }
}

/// One security scheme (an OpenAPI `securitySchemes` entry).
#[derive(Debug)]
pub struct SecurityScheme {
    /// Scheme name as in the OpenAPI document (used by `credential`).
    pub name: &'static str,
    /// How the credential is sent.
    pub kind: SchemeKind,
    /// Environment variable read by `from_env`, if any.
    pub env: Option<&'static str>,
}

/// How a credential is attached to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <value>`.
    Bearer,
    /// `Authorization: Basic base64(<value>)`; the value is `user:pass`.
    Basic,
    /// The value is sent as this header.
    Header(&'static str),
    /// The value is sent as this query parameter.
    Query(&'static str),
    /// The value is sent as this cookie.
    Cookie(&'static str),
}

/// A credential value. `Debug` and `Display` print `[redacted]` so it can
/// never end up in logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value; only call this to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Credentials of a client, one optional slot per scheme of the spec.
#[derive(Clone)]
pub struct Credentials {
    spec: &'static ApiSpec,
    values: Vec<Option<Secret>>,
}

impl Credentials {
    /// Empty credentials for `spec`.
    pub fn new(spec: &'static ApiSpec) -> Self {
        Credentials { spec, values: vec![None; spec.schemes.len()] }
    }

    /// Sets the credential of scheme `name`.
    pub fn set(&mut self, name: &str, value: Secret) -> Result<(), ConfigError> {
        match self.spec.scheme_index(name) {
            Some(i) => {
                self.values[i] = Some(value);
                Ok(())
            }
            None => Err(ConfigError::new(format!(
                "unknown security scheme `{name}` (known: {})",
                self.spec.schemes.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// Removes the credential of scheme `name` (no-op if unknown).
    pub fn remove(&mut self, name: &str) {
        if let Some(i) = self.spec.scheme_index(name) {
            self.values[i] = None;
        }
    }

    /// Whether scheme `name` has a credential.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The credential of scheme `name`.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.spec.scheme_index(name).and_then(|i| self.values[i].as_ref())
    }

    /// Names of the schemes that have a credential.
    pub fn present(&self) -> Vec<&'static str> {
        self.spec.schemes.iter().zip(&self.values).filter(|(_, v)| v.is_some()).map(|(s, _)| s.name).collect()
    }

    /// Whether every scheme of `alt` has a credential.
    pub fn satisfies(&self, alt: &[&str]) -> bool {
        alt.iter().all(|n| self.has(n))
    }

    /// First alternative of `alts` whose schemes all have credentials.
    pub fn select<'s>(&self, alts: &'s [&'s [&'s str]]) -> Option<&'s [&'s str]> {
        alts.iter().copied().find(|a| self.satisfies(a))
    }

    /// Checks the credentials against the API-wide alternatives (see the
    /// rules on [`ClientBuilder::build`](super::client::ClientBuilder::build)).
    pub fn check(&self) -> Result<(), ConfigError> {
        let alts = self.spec.alternatives;
        if alts.is_empty() {
            return Ok(());
        }
        let present = self.present();
        if present.is_empty() {
            return Err(ConfigError::new(format!("no credentials: set {}", self.spec.describe_alternatives(alts))));
        }
        for name in &present {
            let complete = alts.iter().any(|a| a.contains(name) && self.satisfies(a));
            if complete {
                continue;
            }
            // Name what is missing for each alternative this credential is
            // part of, so "email without key" says "set ..._API_KEY".
            let partial: Vec<String> = alts
                .iter()
                .filter(|a| a.contains(name))
                .map(|a| {
                    let missing: Vec<&str> = a.iter().copied().filter(|n| !self.has(n)).collect();
                    self.spec.describe_alternative(&missing)
                })
                .collect();
            let msg = if partial.is_empty() {
                format!(
                    "credential {} is not used by any security alternative; set {}",
                    self.spec.describe_scheme(name),
                    self.spec.describe_alternatives(alts)
                )
            } else {
                format!(
                    "credential {} was set but {} is missing",
                    self.spec.describe_scheme(name),
                    partial.join(", or ")
                )
            };
            return Err(ConfigError::new(msg));
        }
        Ok(())
    }

    /// Drops credentials that are part of no complete API-wide alternative.
    /// Used for values picked up from the environment, so that a stray
    /// variable (say an email without its key) does not break a client that
    /// is otherwise fully configured.
    pub(crate) fn drop_incomplete(&mut self, candidates: &[&'static str]) {
        let alts = self.spec.alternatives;
        let orphans: Vec<&str> =
            candidates.iter().copied().filter(|n| !alts.iter().any(|a| a.contains(n) && self.satisfies(a))).collect();
        // Only drop them if something else remains complete; otherwise keep
        // them so `check` can name what is missing.
        if alts.iter().any(|a| !a.is_empty() && a.iter().all(|n| !orphans.contains(n)) && self.satisfies(a)) {
            for n in orphans {
                self.remove(n);
            }
        }
    }

    /// Applies the credentials of `alt` to `headers` and `query`.
    /// Header values are marked sensitive so `Debug` of the request redacts
    /// them.
    pub fn apply(
        &self,
        alt: &[&str],
        headers: &mut HeaderMap,
        query: &mut Vec<(String, String)>,
    ) -> Result<(), ConfigError> {
        let mut cookies: Vec<String> = Vec::new();
        for name in alt {
            let Some(i) = self.spec.scheme_index(name) else {
                return Err(ConfigError::new(format!("unknown security scheme `{name}`")));
            };
            let scheme = &self.spec.schemes[i];
            let Some(secret) = self.values[i].as_ref() else { continue };
            let value = secret.expose();
            let bad = || {
                ConfigError::new(format!(
                    "credential {} contains characters not allowed in an HTTP header",
                    self.spec.describe_scheme(name)
                ))
            };
            match scheme.kind {
                SchemeKind::Bearer => {
                    headers
                        .insert(reqwest::header::AUTHORIZATION, sensitive(&format!("Bearer {value}")).ok_or_else(bad)?);
                }
                SchemeKind::Basic => {
                    headers.insert(
                        reqwest::header::AUTHORIZATION,
                        sensitive(&format!("Basic {}", base64(value.as_bytes()))).ok_or_else(bad)?,
                    );
                }
                SchemeKind::Header(h) => {
                    let name = HeaderName::from_bytes(h.as_bytes())
                        .map_err(|_| ConfigError::new(format!("invalid header name `{h}` in security scheme")))?;
                    headers.insert(name, sensitive(value).ok_or_else(bad)?);
                }
                SchemeKind::Query(q) => query.push((q.to_owned(), value.to_owned())),
                SchemeKind::Cookie(c) => cookies.push(format!("{c}={value}")),
            }
        }
        if !cookies.is_empty() {
            let v = sensitive(&cookies.join("; ")).ok_or_else(|| {
                ConfigError::new("cookie credential contains characters not allowed in an HTTP header")
            })?;
            headers.insert(reqwest::header::COOKIE, v);
        }
        Ok(())
    }

    /// Names of query parameters that carry credentials (for redaction).
    pub fn query_param_names(&self) -> Vec<&'static str> {
        self.spec
            .schemes
            .iter()
            .filter_map(|s| match s.kind {
                SchemeKind::Query(q) => Some(q),
                _ => None,
            })
            .collect()
    }

    /// Header names that carry credentials (used to decide which configured
    /// default headers to redact).
    pub fn header_names(&self) -> Vec<&'static str> {
        self.spec
            .schemes
            .iter()
            .filter_map(|s| match s.kind {
                SchemeKind::Header(h) => Some(h),
                SchemeKind::Bearer | SchemeKind::Basic => Some("authorization"),
                SchemeKind::Cookie(_) => Some("cookie"),
                SchemeKind::Query(_) => None,
            })
            .collect()
    }
}

impl fmt::Debug for Credentials {
    /// Lists which schemes are set, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.present().into_iter().map(|n| (n, "[redacted]"))).finish()
    }
}

fn sensitive(s: &str) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(s).ok()?;
    v.set_sensitive(true);
    Some(v)
}

/// Standard base64 (RFC 4648, with padding); only needed for Basic auth, so
/// a few lines here beat another dependency.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
