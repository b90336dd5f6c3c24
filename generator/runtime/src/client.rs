//! The [`Client`] and its [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::auth::{ApiSpec, Credentials, Secret};
use super::error::{ConfigError, Error};
use super::request::Call;
use super::retry::{RetryPolicy, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRIES};

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Resolved client configuration. `Debug` redacts secret-looking default
/// headers (credentials are not part of `Config` at all).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Base URL; operation paths are appended to its path.
    pub base_url: Url,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Retry count and backoff.
    pub retry: RetryPolicy,
    /// Headers sent with every request (secret-looking ones are marked
    /// sensitive, so their `Debug` output is redacted).
    pub default_headers: HeaderMap,
}

impl Config {
    /// Retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.retry.max_retries
    }
}

/// An API client. Cloning is cheap (the state is behind an `Arc`) and clones
/// share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    spec: &'static ApiSpec,
    config: Config,
    credentials: Credentials,
    http: reqwest::Client,
}

// `Client::builder()` and `Client::from_env()` are generated next to the API description,
// since they need the generated `ApiSpec`; the runtime starts from `ClientBuilder::new`.
impl Client {
    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The API description this client was built for.
    #[doc(hidden)]
    pub fn spec(&self) -> &'static ApiSpec {
        self.inner.spec
    }

    /// The configured credentials (their `Debug` is redacted).
    #[doc(hidden)]
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// The underlying HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}

/// Requests to endpoints the API description does not have, with the client's base URL,
/// credentials (the API's default security alternatives), retries and errors. The answer is
/// decoded as JSON into the caller's type (`serde_json::Value` for anything, `()` or
/// `Option<_>` for an empty answer).
///
/// The path is relative to the base URL and may carry a query string (`/zones?per_page=5`);
/// an absolute URL, a `.` or `..` segment, or anything else that would leave the base URL
/// fails the call with a validation error before anything is sent. Errors name the request
/// as `GET /path`.
impl Client {
    /// A `GET` request.
    pub fn get<T: DeserializeOwned + Send + 'static>(&self, path: &str) -> Call<'_, T> {
        Call::custom(self, Method::GET, path, None::<&()>)
    }

    /// A `DELETE` request.
    pub fn delete<T: DeserializeOwned + Send + 'static>(&self, path: &str) -> Call<'_, T> {
        Call::custom(self, Method::DELETE, path, None::<&()>)
    }

    /// A `POST` request with a JSON body.
    pub fn post<T: DeserializeOwned + Send + 'static, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Call<'_, T> {
        Call::custom(self, Method::POST, path, Some(body))
    }

    /// A `PUT` request with a JSON body.
    pub fn put<T: DeserializeOwned + Send + 'static, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Call<'_, T> {
        Call::custom(self, Method::PUT, path, Some(body))
    }

    /// A `PATCH` request with a JSON body.
    pub fn patch<T: DeserializeOwned + Send + 'static, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Call<'_, T> {
        Call::custom(self, Method::PATCH, path, Some(body))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

/// Where a credential came from; environment values that complete no
/// alternative are dropped instead of failing the build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Explicit,
    Env,
}

/// Builds a [`Client`].
///
/// Precedence: values set explicitly (`credential`, `base_url`) always win
/// over the environment, whichever order `from_env` and the setters are
/// called in.
pub struct ClientBuilder {
    spec: &'static ApiSpec,
    credentials: Vec<(String, Secret, Source)>,
    base_url: Option<(String, Source)>,
    timeout: Duration,
    retry: RetryPolicy,
    default_headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let creds: Vec<&str> = self.credentials.iter().map(|(n, _, _)| n.as_str()).collect();
        let headers: Vec<&str> = self.default_headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("credentials_set", &creds)
            .field("base_url", &self.base_url.as_ref().map(|(u, _)| u))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("default_header_names", &headers)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with defaults: the spec's base URL, 60 s timeout per
    /// attempt, 2 retries, backoff 0.5 s..8 s, no credentials. Generated
    /// code calls it with the API's description; users start from
    /// `Client::builder()`.
    #[doc(hidden)]
    pub fn new(spec: &'static ApiSpec) -> Self {
        ClientBuilder {
            spec,
            credentials: Vec::new(),
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy {
                max_retries: DEFAULT_MAX_RETRIES,
                initial_backoff: DEFAULT_INITIAL_BACKOFF,
                max_backoff: DEFAULT_MAX_BACKOFF,
            },
            default_headers: Vec::new(),
            http: None,
        }
    }

    /// Sets the credential of security scheme `scheme` (an unknown name is
    /// reported by [`build`](Self::build)). Overrides any environment value.
    pub fn credential(mut self, scheme: &str, value: impl Into<String>) -> Self {
        self.credentials.retain(|(n, _, _)| n != scheme);
        self.credentials.push((scheme.to_owned(), Secret::new(value), Source::Explicit));
        self
    }

    /// Reads each scheme's environment variable and the base-URL variable
    /// (empty values count as unset). Values already set explicitly, or set
    /// explicitly later, win.
    pub fn from_env(self) -> Self {
        self.from_env_with(|k| std::env::var(k).ok())
    }

    /// Like [`from_env`](Self::from_env) with an injected lookup (for tests
    /// and for callers with their own configuration source).
    pub fn from_env_with(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        for scheme in self.spec.schemes {
            let Some(var) = scheme.env else { continue };
            if self.credentials.iter().any(|(n, _, _)| n == scheme.name) {
                continue;
            }
            if let Some(v) = get(var) {
                self.credentials.push((scheme.name.to_owned(), Secret::new(v), Source::Env));
            }
        }
        if let Some(var) = self.spec.base_url_env {
            if self.base_url.is_none() {
                if let Some(v) = get(var) {
                    self.base_url = Some((v.trim().to_owned(), Source::Env));
                }
            }
        }
        self
    }

    /// Overrides the base URL (must be `http` or `https`; a path prefix such
    /// as `/client/v4` is kept).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some((url.into(), Source::Explicit));
        self
    }

    /// Per-attempt timeout (default 60 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Retries after the first attempt (default 2; 0 disables retries).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_retries = n;
        self
    }

    /// Backoff between retries: `initial` doubled per retry, capped at `max`
    /// (default 0.5 s and 8 s).
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.retry.initial_backoff = initial;
        self.retry.max_backoff = max;
        self
    }

    /// A header sent with every request (per-request headers override it).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Uses a preconfigured `reqwest::Client` (proxies, TLS roots, ...).
    ///
    /// Note: the default client only follows same-origin redirects (so
    /// credential headers never reach another host); a supplied client keeps
    /// its own redirect policy.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// Builds the client.
    ///
    /// Fails with [`Error::Config`] when: a credential names an unknown
    /// scheme; the API has security but no credential is set (the message
    /// names the environment variables of every alternative); an explicit
    /// credential belongs to no complete alternative (e.g. an email without
    /// its key; the message names what is missing); the base URL is invalid;
    /// a default header is invalid; or the HTTP client cannot be created.
    pub fn build(self) -> Result<Client, Error> {
        let spec = self.spec;
        let mut credentials = Credentials::new(spec);
        let mut from_env = Vec::new();
        for (name, value, source) in self.credentials {
            // An empty value would be sent as `Authorization: Bearer ` and fail on the
            // server; say so here. (Empty environment variables never get this far.)
            if value.expose().is_empty() {
                return Err(ConfigError::new(format!("the credential for `{name}` is empty")).into());
            }
            credentials.set(&name, value)?;
            if source == Source::Env {
                if let Some(i) = spec.scheme_index(&name) {
                    from_env.push(spec.schemes[i].name);
                }
            }
        }
        credentials.drop_incomplete(&from_env);
        credentials.check()?;

        let (raw_url, source) = match self.base_url {
            Some((u, s)) => (u, Some(s)),
            None => (spec.default_base_url.to_owned(), None),
        };
        let base_url = parse_base_url(&raw_url).map_err(|why| {
            let origin = match (source, spec.base_url_env) {
                (Some(Source::Env), Some(var)) => format!(" (from {var})"),
                _ => String::new(),
            };
            ConfigError::new(format!("invalid base URL{origin}: {why}"))
        })?;

        check_spec(spec)?;

        let secret_headers = credentials.header_names();
        let mut default_headers = HeaderMap::new();
        for (name, value) in self.default_headers {
            let hn = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ConfigError::new(format!("invalid default header name `{name}`")))?;
            let mut hv = HeaderValue::from_str(&value)
                .map_err(|_| ConfigError::new(format!("invalid value for default header `{name}`")))?;
            if looks_secret(hn.as_str()) || secret_headers.iter().any(|h| h.eq_ignore_ascii_case(hn.as_str())) {
                hv.set_sensitive(true);
            }
            default_headers.append(hn, hv);
        }

        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .redirect(same_origin_redirects())
                .build()
                .map_err(|e| ConfigError::new(format!("could not create HTTP client: {e}")))?,
        };

        Ok(Client {
            inner: Arc::new(Inner {
                spec,
                config: Config { base_url, timeout: self.timeout, retry: self.retry, default_headers },
                credentials,
                http,
            }),
        })
    }
}

/// Follows redirects only within the same origin (at most 10). Credentials
/// in custom headers (e.g. an API-key header) are not stripped by reqwest on
/// cross-origin redirects, so following those could leak them.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Checks the header names and values of the static spec once, so sending
/// never fails on them later.
fn check_spec(spec: &ApiSpec) -> Result<(), ConfigError> {
    if HeaderValue::from_str(spec.user_agent).is_err() {
        return Err(ConfigError::new("invalid user agent in API spec"));
    }
    for h in [spec.request_id_header, spec.retry_count_header].into_iter().flatten() {
        if HeaderName::from_bytes(h.as_bytes()).is_err() {
            return Err(ConfigError::new(format!("invalid header name `{h}` in API spec")));
        }
    }
    Ok(())
}

/// Header names whose values should never be printed.
pub(crate) fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["auth", "key", "token", "secret", "cookie", "password", "signature", "session"].iter().any(|w| n.contains(w))
}

fn parse_base_url(raw: &str) -> Result<Url, String> {
    // Never echo the URL itself: it could contain userinfo credentials.
    let url = Url::parse(raw.trim()).map_err(|e| e.to_string())?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("scheme must be http or https, not `{}`", url.scheme()));
    }
    match url.host_str() {
        Some(h) if !h.is_empty() => {}
        _ => return Err("missing host".to_owned()),
    }
    // Userinfo would be printed by `Debug` of `Config` and end up in error
    // URLs; credentials belong in the credential setters.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not contain a query or fragment".to_owned());
    }
    Ok(url)
}
