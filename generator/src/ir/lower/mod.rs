//! Lowering: the parsed document and the configuration become the model ([`Api`]).
//!
//! One module per concern: [`operations`] (parameters, bodies, responses), [`types`]
//! (schemas), [`resources`] (the resource tree and method collisions), [`path_names`]
//! (default names from the path), [`security`] (schemes and
//! credentials). Facts computed over the finished model live in [`super::analysis`].

mod operations;
mod package;
mod path_names;
mod resources;
mod security;
pub(super) mod types;
mod webhooks;

use openapiv3::{OpenAPI, ReferenceOr};

use self::operations::{OperationContext, OperationName};
use self::path_names::Naming;
use self::types::TypeLowerer;
use super::naming;
use super::{Api, Diagnostic};
use crate::config::{Config, NamingStyle};
use crate::error::SpecProblem;
use crate::pointer;
use crate::HTTP_METHODS as METHODS;

/// A problem confined to one place in the spec: an error when strict; when lenient, a
/// diagnostic of `kind` that says what was done `instead`.
pub(super) fn tolerate(
    problem: SpecProblem,
    lenient: bool,
    kind: &'static str,
    instead: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), SpecProblem> {
    if !lenient {
        return Err(problem);
    }
    let message = if instead.is_empty() { problem.message } else { format!("{}; {instead}", problem.message) };
    diagnostics.push(Diagnostic { pointer: problem.pointer, kind, message });
    Ok(())
}

/// Lowers a parsed document into the intermediate model.
pub fn lower(document: &OpenAPI, config: &Config) -> Result<Api, SpecProblem> {
    let lenient = config.generator.lenient;
    let mut diagnostics = Vec::new();
    let parsed_webhooks = webhooks::parse(document, lenient, &mut diagnostics)?;
    let mut types = TypeLowerer::new(document, &config.naming.types, lenient);
    // First every operation's name, so collisions are settled before anything is named
    // after the method (params structs, inline body and response types).
    let mut pending = Vec::new();
    let mut ids: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let all_operations = document.paths.paths.values().filter_map(|item| item.as_item()).flat_map(|item| item.iter());
    let naming = Naming {
        by_path: match config.naming.style {
            NamingStyle::Path => true,
            NamingStyle::OperationId => false,
            NamingStyle::Auto => !path_names::prefers_operation_ids(all_operations.map(|(_, operation)| operation)),
        },
        paths: path_names::PathNamer::new(
            document.paths.paths.keys().map(String::as_str),
            &config.naming.params_in_struct,
        ),
    };
    for (path, item) in document.paths.paths.iter() {
        let path_pointer = format!("#/paths/{}", pointer::token(path));
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                let problem = SpecProblem::new(path_pointer, "path items given by $ref are not supported");
                tolerate(problem, lenient, "skipped-operation", "", &mut diagnostics)?;
                continue;
            }
        };
        let entries =
            [&item.get, &item.put, &item.post, &item.delete, &item.options, &item.head, &item.patch, &item.trace];
        for (method, operation) in METHODS.iter().zip(entries) {
            let Some(operation) = operation else { continue };
            let pointer = format!("{path_pointer}/{method}");
            let context = OperationContext { document, config, path, method, pointer, path_params: &item.parameters };
            let id = operation.operation_id.clone().unwrap_or_else(|| naming::snake(&format!("{method} {path}")));
            if operation.operation_id.is_some() {
                if let Some(first) = ids.get(&id) {
                    let problem = SpecProblem::new(
                        format!("{}/operationId", context.pointer),
                        format!("operationId `{id}` is also the id of the operation at `{first}`"),
                    );
                    tolerate(problem, lenient, "duplicate-operation-id", "both are generated", &mut diagnostics)?;
                } else {
                    ids.insert(id.clone(), context.pointer.clone());
                }
            }
            let (group, method_name, fallback) = context.names(operation, &id, &naming, &mut diagnostics)?;
            pending.push((context, operation, OperationName { id, group, method_name, fallback }));
        }
    }
    resources::resolve_method_collisions(&mut pending, &mut diagnostics);
    let mut operations = Vec::new();
    for (context, operation, name) in pending {
        match context.lower(operation, name, &mut types, &mut diagnostics) {
            Ok(lowered) => operations.push(lowered),
            Err(problem) if lenient => diagnostics.push(Diagnostic {
                pointer: problem.pointer,
                kind: "skipped-operation",
                message: format!("operation skipped: {}", problem.message),
            }),
            Err(problem) => return Err(problem),
        }
    }
    let webhooks = webhooks::lower(&parsed_webhooks, &mut types, lenient, &mut diagnostics)?;
    let resources = resources::build_resources(&mut operations);
    let package = package::package(config, &document.info.title);
    let (security_schemes, security_alternatives) =
        security::lower_security(document, config, &operations, &package::env_prefix(&package.name));
    let (mut type_defs, type_diagnostics) = types.finish();
    diagnostics.extend(type_diagnostics);
    let mut api = Api {
        title: document.info.title.clone(),
        description: document.info.description.as_deref().and_then(crate::ir::docs::from_spec),
        spec_version: document.info.version.clone(),
        base_url: security::base_url(document, config),
        client: package::client_settings(config, &package),
        package,
        security_schemes,
        security_alternatives,
        // Chosen once pagination is known (a list call reads differently).
        example_operation: None,
        feature_examples: super::FeatureExamples::default(),
        features: Vec::new(),
        operations,
        resources,
        types: Vec::new(),
        webhooks,
        diagnostics,
        workspace: None,
    };
    name_type_modules(&mut type_defs);
    super::analysis::cycles::mark_recursive_fields(&mut type_defs);
    api.types = type_defs;
    super::analysis::pagination::assign(document, config, &mut api)?;
    api.example_operation = example_operation(&api.operations, config);
    let find = |id: &Option<String>| id.as_ref().and_then(|id| api.operations.iter().position(|o| &o.id == id));
    api.feature_examples = super::FeatureExamples {
        list: find(&config.docs.list_example),
        upload: find(&config.docs.upload_example),
        download: find(&config.docs.download_example),
        stream: find(&config.docs.stream_example),
    };
    super::analysis::defaults::mark_defaultable(&mut api.types);
    mark_multipart(&mut api);
    super::analysis::features::assign(&mut api);
    super::analysis::dedupe::merge_identical(&mut api);
    super::analysis::bulk::mark_list_items(&mut api);
    super::analysis::features::ungate_webhook_types(&mut api);
    if config.output.layout == crate::config::Layout::Workspace {
        super::analysis::placement::assign(&mut api, config.output.crate_weight);
    }
    Ok(api)
}

/// Marks the structs sent as `multipart/form-data`, with the parts' media types (the first
/// operation that names a property's encoding decides it).
fn mark_multipart(api: &mut Api) {
    let mut bodies: Vec<(super::TypeId, Vec<super::PartEncoding>)> = Vec::new();
    for operation in &api.operations {
        let Some(body) = operation.params.as_ref().and_then(|p| p.body.as_ref()) else { continue };
        for kind in body.kind.encodings() {
            if let super::BodyKind::Multipart { ty: super::TypeRef::Named(id), encoding } = kind {
                bodies.push((*id, encoding.clone()));
            }
        }
    }
    for (id, encoding) in bodies {
        if let super::TypeKind::Struct(def) = &mut api.types[id.0].kind {
            let parts = def.multipart.get_or_insert_with(Vec::new);
            for part in encoding {
                if !parts.iter().any(|p| p.property == part.property) {
                    parts.push(part);
                }
            }
        }
    }
}

/// Settles what naming a type alone cannot: a name that would shadow a trait its own file
/// uses takes a `Type` suffix, and each type gets its module (and file) name.
fn name_type_modules(types: &mut [super::TypeDef]) {
    let shadowing = |def: &super::TypeDef| naming::SHADOWED_TRAITS.contains(&def.name.as_str());
    if types.iter().any(shadowing) {
        let mut names = naming::Scope::with_reserved(&types.iter().map(|def| def.name.as_str()).collect::<Vec<_>>());
        for def in types.iter_mut().filter(|def| shadowing(def)) {
            def.name = names.claim(&format!("{}Type", def.name));
        }
    }
    let mut modules = naming::Scope::new();
    for def in types {
        def.module = modules.claim(&naming::type_module(&def.name));
    }
}

/// The operation the crate's examples show: the configured one, else the first `GET` that
/// returns one response (not pages, not a WebSocket), else the first `GET` (not a
/// WebSocket), else the first.
fn example_operation(operations: &[super::Operation], config: &Config) -> Option<usize> {
    let get = |o: &super::Operation| o.method == "GET" && o.success.kind != super::ResponseKind::Upgrade;
    match config.docs.example_operation.as_deref() {
        Some(id) => operations.iter().position(|o| o.id == id),
        None => operations
            .iter()
            .position(|o| get(o) && o.pagination.is_none())
            .or_else(|| operations.iter().position(get))
            .or((!operations.is_empty()).then_some(0)),
    }
}
