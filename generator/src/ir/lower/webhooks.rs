//! 3.1 `webhooks`: the requests the API sends to its users' servers. Each webhook with a JSON
//! request body becomes a [`Webhook`] with a payload type (named after the webhook when the
//! schema is inline, else the referenced component's type).

use openapiv3::{OpenAPI, PathItem};

use super::operations::is_json;
use super::types::TypeLowerer;
use crate::error::SpecProblem;
use crate::ir::{naming, Diagnostic, Webhook};
use crate::pointer;
use crate::HTTP_METHODS as METHODS;

/// The document's webhooks (carried by [`crate::load::WEBHOOKS_EXTENSION`]), parsed, with the
/// pointer of each; a webhook that does not parse is an error at its pointer (or, lenient,
/// skipped with a diagnostic).
pub(super) fn parse(
    document: &OpenAPI,
    lenient: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<(String, String, PathItem)>, SpecProblem> {
    let Some(serde_json::Value::Object(webhooks)) = document.extensions.get(crate::load::WEBHOOKS_EXTENSION) else {
        return Ok(Vec::new());
    };
    let mut parsed = Vec::new();
    for (name, item) in webhooks {
        let at = format!("#/webhooks/{}", pointer::token(name));
        match serde_json::from_value::<PathItem>(item.clone()) {
            Ok(item) => parsed.push((name.clone(), at, item)),
            Err(error) => {
                let problem = SpecProblem::new(at, format!("the webhook's path item does not read: {error}"));
                super::tolerate(problem, lenient, "skipped-webhook", "the webhook is left out", diagnostics)?;
            }
        }
    }
    Ok(parsed)
}

/// Lowers each webhook operation with a JSON request body; others are listed as diagnostics.
pub(super) fn lower<'a>(
    parsed: &'a [(String, String, PathItem)],
    types: &mut TypeLowerer<'a>,
    lenient: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<Webhook>, SpecProblem> {
    let mut variants = naming::Scope::with_reserved(&["Other"]);
    let mut functions = naming::Scope::with_reserved(&["parse", "decode"]);
    let mut webhooks = Vec::new();
    for (name, at, item) in parsed {
        let entries =
            [&item.get, &item.put, &item.post, &item.delete, &item.options, &item.head, &item.patch, &item.trace];
        let present: Vec<_> = METHODS
            .iter()
            .zip(entries)
            .filter_map(|(method, operation)| Some((*method, operation.as_ref()?)))
            .collect();
        for (method, operation) in &present {
            let at = format!("{at}/{method}");
            // One method (the usual case) is named after the webhook alone.
            let label = if present.len() == 1 { name.clone() } else { format!("{name} {method}") };
            let body = match &operation.request_body {
                Some(body) => match types.resolver().request_body(body, &format!("{at}/requestBody")) {
                    Ok(body) => Some(body),
                    Err(problem) => {
                        super::tolerate(problem, lenient, "skipped-webhook", "the webhook is left out", diagnostics)?;
                        continue;
                    }
                },
                None => None,
            };
            let media = body.and_then(|body| body.content.iter().find(|(content_type, _)| is_json(content_type)));
            let Some((content_type, media)) = media else {
                diagnostics.push(Diagnostic {
                    pointer: at,
                    kind: "webhook-without-json",
                    message: "the webhook has no JSON request body; no payload type or decoder is generated".into(),
                });
                continue;
            };
            let schema_at = format!("{at}/requestBody/content/{}/schema", pointer::token(content_type));
            let hint = naming::type_name(&format!("{label} payload"));
            let payload = match &media.schema {
                Some(schema) => match types.lower(schema, &schema_at, &hint) {
                    Ok(ty) => ty,
                    Err(problem) => {
                        super::tolerate(problem, lenient, "skipped-webhook", "the webhook is left out", diagnostics)?;
                        continue;
                    }
                },
                None => crate::ir::TypeRef::Json,
            };
            let description = [operation.summary.as_deref(), operation.description.as_deref()]
                .into_iter()
                .flatten()
                .filter_map(crate::ir::docs::from_spec)
                .collect::<Vec<_>>();
            let responses = operation
                .responses
                .responses
                .iter()
                .map(|(status, response)| {
                    let description = match response {
                        openapiv3::ReferenceOr::Item(response) => response.description.clone(),
                        openapiv3::ReferenceOr::Reference { .. } => String::new(),
                    };
                    (status.to_string(), description)
                })
                .collect();
            webhooks.push(Webhook {
                name: name.clone(),
                method: method.to_ascii_uppercase(),
                variant: variants.claim(&naming::variant_name(&label)),
                function: functions.claim(&naming::snake(&label)),
                doc: (!description.is_empty()).then(|| description.join("\n\n")),
                payload,
                responses,
                pointer: at,
            });
        }
    }
    Ok(webhooks)
}
