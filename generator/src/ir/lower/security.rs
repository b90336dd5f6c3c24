//! Security schemes, the API-wide credential alternatives, and the base URL.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};

use crate::config::Config;
use crate::ir::naming;
use crate::ir::{Operation, SchemeKind, SecurityAlternative, SecuritySchemeDef};

pub(super) fn lower_security(
    document: &OpenAPI,
    config: &Config,
    operations: &[Operation],
) -> (Vec<SecuritySchemeDef>, Vec<SecurityAlternative>) {
    let used: BTreeSet<&str> =
        operations.iter().flat_map(|o| o.security.iter().flatten().map(String::as_str)).collect();
    let mut schemes = Vec::new();
    // Credential setters sit beside the builder's own methods.
    let mut setters = naming::Scope::with_reserved(naming::BUILDER_METHODS);
    if let Some(components) = &document.components {
        for (name, scheme) in &components.security_schemes {
            let ReferenceOr::Item(scheme) = scheme else { continue };
            if !used.contains(name.as_str()) {
                continue;
            }
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
            schemes.push(SecuritySchemeDef {
                name: name.clone(),
                kind,
                setter: setters.claim(&settings.and_then(|s| s.setter.clone()).unwrap_or_else(|| naming::member(name))),
                env: settings.and_then(|s| s.env.clone()),
                description,
            });
        }
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
