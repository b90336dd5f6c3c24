//! Recursion: which fields and variants are boxed so that recursive types have a size.

use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Boxes struct fields and union variants that lead back to their own type without going
/// through a `Vec` or map (which already add indirection): exactly the edges inside one
/// strongly connected component of the "contains directly" graph.
pub fn mark_recursive_fields(types: &mut [TypeDef]) {
    fn direct(ty: &TypeRef) -> Option<usize> {
        match ty {
            TypeRef::Named(id) => Some(id.0),
            TypeRef::Nullable(inner) => direct(inner),
            _ => None,
        }
    }
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().filter_map(|f| direct(&f.ty)).collect(),
            TypeKind::Union(u) => u.variants.iter().filter_map(|v| direct(&v.ty)).collect(),
            TypeKind::Enum(_) => Vec::new(),
        })
        .collect();
    let component = strongly_connected_components(&edges);
    for (index, def) in types.iter_mut().enumerate() {
        let cyclic = |target: usize| component[target] == component[index];
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    field.boxed = direct(&field.ty).is_some_and(cyclic);
                }
            }
            TypeKind::Union(u) => {
                for variant in &mut u.variants {
                    variant.boxed = direct(&variant.ty).is_some_and(cyclic);
                }
            }
            TypeKind::Enum(_) => {}
        }
    }
}

/// Kosaraju's algorithm with explicit stacks (specs nest deeply enough to overflow recursion).
fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<usize> {
    let count = edges.len();
    let mut order = Vec::with_capacity(count);
    let mut visited = vec![false; count];
    for start in 0..count {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            if let Some(&target) = edges[node].get(next) {
                stack.push((node, next + 1));
                if !visited[target] {
                    visited[target] = true;
                    stack.push((target, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    let mut reverse = vec![Vec::new(); count];
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets {
            reverse[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; count];
    for (label, &root) in order.iter().rev().enumerate() {
        if component[root] != usize::MAX {
            continue;
        }
        component[root] = label;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            for &source in &reverse[node] {
                if component[source] == usize::MAX {
                    component[source] = label;
                    stack.push(source);
                }
            }
        }
    }
    component
}
