//! The resource tree: where each operation hangs, and the method names within a resource.

use std::collections::BTreeSet;

use super::operations::{OperationContext, OperationName};
use crate::ir::naming::{self, Scope};
use crate::ir::{Diagnostic, Operation, Resource};

/// Two operations wanting the same method on the same resource: the later one (in document
/// order) takes its fallback name (from its operationId), else its whole operationId, so both
/// stay reachable and names stay stable.
pub(super) fn resolve_method_collisions<O>(
    operations: &mut [(OperationContext<'_>, O, OperationName)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut taken: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
    let groups: BTreeSet<Vec<String>> = operations.iter().map(|(_, _, n)| n.group.clone()).collect();
    for (context, _, name) in operations.iter_mut() {
        // A method must not shadow a sub-resource accessor of the same name.
        let mut child_path = name.group.clone();
        child_path.push(name.method_name.clone());
        let shadows_child = groups.iter().any(|g| g.starts_with(&child_path));
        let key = (name.group.clone(), name.method_name.clone());
        if !shadows_child && taken.insert(key) {
            continue;
        }
        let fallback = name.fallback.clone();
        let whole_id = naming::member(&name.id);
        let free = |candidate: &String| !taken.contains(&(name.group.clone(), candidate.clone()));
        let base =
            [fallback, whole_id.clone()].into_iter().find(|c| *c != name.method_name && free(c)).unwrap_or(whole_id);
        let mut candidate = base.clone();
        let mut counter = 2;
        while !taken.insert((name.group.clone(), candidate.clone())) {
            candidate = format!("{base}_{counter}");
            counter += 1;
        }
        diagnostics.push(Diagnostic {
            pointer: context.pointer.clone(),
            kind: "method-name-collision",
            message: format!(
                "method `{}` is taken in `{}`; named `{candidate}`",
                name.method_name,
                name.group.join(".")
            ),
        });
        name.method_name = candidate;
    }
}

pub(super) fn build_resources(operations: &mut [Operation]) -> Resource {
    let mut root = Resource::default();
    for (index, operation) in operations.iter().enumerate() {
        let mut node = &mut root;
        for segment in &operation.group {
            node = node.children.entry(segment.clone()).or_insert_with(|| Resource {
                name: segment.clone(),
                handle: naming::type_name(segment),
                ..Resource::default()
            });
        }
        node.operations.push(index);
    }
    name_resource(&mut root, &mut Vec::new(), operations);
    root
}

/// Names what a resource module holds besides its methods and sub-resources: its file, its
/// handle's constructor (which yields to a method or sub-resource called `new`), and the
/// statics describing its operations.
fn name_resource(resource: &mut Resource, path: &mut Vec<String>, operations: &mut [Operation]) {
    if !path.is_empty() {
        let joined = path.join("/");
        resource.file = if resource.children.is_empty() {
            format!("src/resources/{joined}.rs")
        } else {
            format!("src/resources/{joined}/mod.rs")
        };
        // The constructor also avoids the handle's own name in snake case (`New::new` reads
        // as a constructor of the type, which clippy's `self_named_constructors` rejects).
        let mut members = Scope::with_reserved(&[&naming::snake_case(&resource.handle)]);
        resource.children.keys().for_each(|name| {
            members.claim(name);
        });
        resource.operations.iter().for_each(|&index| {
            members.claim(&operations[index].method_name);
        });
        resource.constructor = members.claim("new");
        let mut statics = Scope::new();
        for &index in &resource.operations {
            let operation = &mut operations[index];
            operation.static_name = statics.claim(&naming::static_name(&operation.method_name));
        }
    }
    for child in resource.children.values_mut() {
        path.push(child.name.clone());
        name_resource(child, path, operations);
        path.pop();
    }
}
