//! Security schemes, the API-wide credential alternatives, and the base URL.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};

use crate::config::Config;
use crate::ir::naming;
use crate::ir::{Operation, SchemeKind, SecurityAlternative, SecuritySchemeDef};

/// The schemes operations use, with their setters and environment variables, and the
/// API-wide alternatives. Without configuration, setters are named by kind (`bearer_token`,
/// `api_key`, `basic_auth`) and variables by the crate's prefix and the kind
/// (`SPOTIFY_ACCESS_TOKEN`); a name two schemes would share falls back to the scheme's key.
pub(super) fn lower_security(
    document: &OpenAPI,
    config: &Config,
    operations: &[Operation],
    env_prefix: &str,
) -> (Vec<SecuritySchemeDef>, Vec<SecurityAlternative>) {
    let used: BTreeSet<&str> =
        operations.iter().flat_map(|o| o.security.iter().flatten().map(String::as_str)).collect();
    let mut schemes = Vec::new();
    // Credential setters sit beside the builder's own methods.
    let mut setters = naming::Scope::with_reserved(naming::BUILDER_METHODS);
    let in_use: Vec<(&String, &SecurityScheme)> = document
        .components
        .iter()
        .flat_map(|components| &components.security_schemes)
        .filter_map(|(name, scheme)| match scheme {
            ReferenceOr::Item(scheme) if used.contains(name.as_str()) => Some((name, scheme)),
            _ => None,
        })
        .collect();
    // Whether another scheme in use would get the same name by kind.
    let shared = |pick: fn((&'static str, &'static str)) -> &'static str, scheme: &SecurityScheme| {
        in_use.iter().filter(|(_, other)| pick(kind_names(other)) == pick(kind_names(scheme))).count() > 1
    };
    for &(name, scheme) in &in_use {
        let kind = match scheme {
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => SchemeKind::Bearer,
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => SchemeKind::Basic,
            SecurityScheme::APIKey { location, name: key, .. } => match location {
                openapiv3::APIKeyLocation::Header => SchemeKind::Header(key.clone()),
                openapiv3::APIKeyLocation::Query => SchemeKind::Query(key.clone()),
                openapiv3::APIKeyLocation::Cookie => SchemeKind::Cookie(key.clone()),
            },
            // OAuth2 and OpenID Connect end in a bearer token the caller obtains.
            _ => SchemeKind::Bearer,
        };
        let description = match scheme {
            SecurityScheme::HTTP { description, .. }
            | SecurityScheme::APIKey { description, .. }
            | SecurityScheme::OAuth2 { description, .. }
            | SecurityScheme::OpenIDConnect { description, .. } => {
                description.as_deref().and_then(crate::ir::docs::from_spec)
            }
        };
        let settings = config.auth.schemes.get(name);
        let (kind_setter, kind_env) = kind_names(scheme);
        let default_setter =
            if shared(|names| names.0, scheme) { naming::member(name) } else { kind_setter.to_string() };
        let env_suffix = if shared(|names| names.1, scheme) {
            heck::ToShoutySnakeCase::to_shouty_snake_case(name.as_str())
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        } else {
            kind_env.to_string()
        };
        let default_env = format!("{env_prefix}_{env_suffix}");
        schemes.push(SecuritySchemeDef {
            name: name.clone(),
            kind,
            setter: setters.claim(&settings.and_then(|s| s.setter.clone()).unwrap_or(default_setter)),
            env: Some(settings.and_then(|s| s.env.clone()).unwrap_or(default_env)),
            description,
        });
    }
    // API-wide alternatives, in the configured order of preference, then as operations use
    // them, then the document's; only alternatives whose schemes are all defined count.
    let mut alternatives: Vec<Vec<String>> = Vec::new();
    let from_config = config.auth.alternatives.iter().map(|a| a.schemes.clone());
    let from_operations = operations.iter().flat_map(|o| o.security.iter().cloned());
    let from_document = document.security.iter().flatten().map(|r| r.keys().cloned().collect::<Vec<_>>());
    for alternative in from_config.chain(from_operations).chain(from_document) {
        let defined = alternative.iter().all(|name| schemes.iter().any(|s: &SecuritySchemeDef| &s.name == name));
        let known = alternatives.iter().any(|a| same_set(a, &alternative));
        if !alternative.is_empty() && defined && !known {
            alternatives.push(alternative);
        }
    }
    let alternatives = alternatives
        .into_iter()
        .map(|schemes| SecurityAlternative {
            // Labelled when the configuration names exactly this list (as the documentation shows it).
            label: config.auth.alternatives.iter().find(|a| a.schemes == schemes).map(|a| a.name.clone()),
            schemes,
        })
        .collect();
    (schemes, alternatives)
}

/// The setter and environment-variable suffix a scheme gets by its kind.
fn kind_names(scheme: &SecurityScheme) -> (&'static str, &'static str) {
    match scheme {
        SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => ("basic_auth", "BASIC_AUTH"),
        SecurityScheme::HTTP { .. } => ("bearer_token", "TOKEN"),
        SecurityScheme::APIKey { .. } => ("api_key", "API_KEY"),
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => ("bearer_token", "ACCESS_TOKEN"),
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

pub(super) fn base_url(document: &OpenAPI, config: &Config) -> String {
    let from_servers = document.servers.first().map(|server| {
        let mut url = server.url.clone();
        for (name, variable) in server.variables.iter().flatten() {
            url = url.replace(&format!("{{{name}}}"), &variable.default);
        }
        url
    });
    let url = config.client.default_base_url.clone().or(from_servers).unwrap_or_else(|| "http://localhost".into());
    url.trim_end_matches('/').to_string()
}
