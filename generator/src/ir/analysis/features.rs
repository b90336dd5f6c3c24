//! Cargo features per top-level resource: which types each resource needs.
//!
//! A consumer that enables one resource compiles its operations and exactly the types they
//! reach; a type that several resources use is gated by `any(...)` of them, so it is
//! compiled once whichever of them are on.

use std::collections::{BTreeMap, BTreeSet};

use super::{collect_ids, member_types, operation_types};
use crate::ir::naming;
use crate::ir::{Api, TypeId};

/// Sets the crate's features when it has more than one top-level resource: one per
/// top-level resource ([`Api::features`], [`crate::ir::Resource::feature`]), and for each
/// type the features that compile it ([`crate::ir::TypeDef::features`]).
pub fn assign(api: &mut Api) {
    if api.resources.children.len() <= 1 {
        return;
    }
    let mut scope = naming::Scope::with_reserved(naming::CRATE_FEATURES);
    let mut by_resource = BTreeMap::new();
    for child in api.resources.children.values_mut() {
        let feature = scope.claim(&naming::feature_name(&child.name));
        by_resource.insert(child.name.clone(), feature.clone());
        child.feature = Some(feature);
    }
    api.features = by_resource.values().cloned().collect();
    let users = type_users(api);
    for (def, users) in api.types.iter_mut().zip(users) {
        def.features = if users.is_empty() {
            // Reached by no operation (e.g. only through a skipped one): compiled with `full`.
            vec!["full".to_string()]
        } else {
            users.iter().map(|resource| by_resource[resource].clone()).collect()
        };
    }
}

/// Takes the features away again: every resource and type compiles unconditionally. For
/// output that is not a crate of its own (the `build.rs` mode, [`crate::build`]), where the
/// consumer's features are not the SDK's.
pub fn remove(api: &mut Api) {
    api.features.clear();
    for child in api.resources.children.values_mut() {
        child.feature = None;
    }
    for def in &mut api.types {
        def.features.clear();
    }
}

/// Makes the webhooks' payload types, and every type they reach, compile whatever features
/// are on (the `webhooks` module is not behind a feature: a server receives whichever webhooks
/// it subscribed to). Runs last, after [`super::dedupe::merge_identical`], so that a payload
/// that became an alias takes its canonical type along.
pub fn ungate_webhook_types(api: &mut Api) {
    let mut stack = Vec::new();
    for webhook in &api.webhooks {
        collect_ids(&webhook.payload, &mut stack);
    }
    let mut seen = vec![false; api.types.len()];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.0], true) {
            continue;
        }
        let def = &mut api.types[id.0];
        def.features.clear();
        if let Some(canonical) = def.alias_of {
            stack.push(canonical);
        }
        member_types(&def.kind, &mut stack);
    }
}

/// For each type, the top-level resources whose operations reach it (walking every
/// operation's inputs and outputs through the type graph).
fn type_users(api: &Api) -> Vec<BTreeSet<String>> {
    let mut users = vec![BTreeSet::new(); api.types.len()];
    let mut per_resource: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
    for operation in &api.operations {
        let Some(top) = operation.group.first() else { continue };
        operation_types(operation, per_resource.entry(top.as_str()).or_default());
    }
    for (resource, roots) in per_resource {
        let mut stack = roots;
        while let Some(id) = stack.pop() {
            if !users[id.0].insert(resource.to_string()) {
                continue;
            }
            member_types(&api.type_def(id).kind, &mut stack);
        }
    }
    users
}
