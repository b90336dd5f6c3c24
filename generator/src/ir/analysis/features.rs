//! Cargo features per top-level resource: which types each resource needs.
//!
//! A consumer that enables one resource compiles its operations and exactly the types they
//! reach; a type that several resources use is gated by `any(...)` of them, so it is
//! compiled once whichever of them are on.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, BodyKind, ResponseKind, TypeId, TypeKind, TypeRef};

/// For each type, the top-level resources whose operations reach it.
#[derive(Debug, Clone, Default)]
pub struct Features {
    users: Vec<BTreeSet<String>>,
}

impl Features {
    /// Walks every operation's inputs and outputs through the type graph.
    pub fn compute(api: &Api) -> Self {
        let mut users = vec![BTreeSet::new(); api.types.len()];
        let mut per_resource: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
        for operation in &api.operations {
            let Some(top) = operation.group.first() else { continue };
            let roots = per_resource.entry(top.as_str()).or_default();
            let mut add = |ty: &TypeRef| collect_ids(ty, roots);
            operation.positional.iter().for_each(|p| add(&p.ty));
            if let Some(params) = &operation.params {
                params.fields.iter().for_each(|p| add(&p.ty));
                if let Some(body) = &params.body {
                    match &body.kind {
                        BodyKind::Json { ty, .. } | BodyKind::Form { ty } | BodyKind::Multipart { ty } => add(ty),
                        BodyKind::Text { .. } | BodyKind::Bytes { .. } => {}
                    }
                }
            }
            if let ResponseKind::Json { ty, .. } = &operation.success.kind {
                add(ty);
            }
            if let Some(error) = &operation.error {
                add(error);
            }
        }
        for (resource, roots) in per_resource {
            let mut stack = roots;
            while let Some(id) = stack.pop() {
                if !users[id.0].insert(resource.to_string()) {
                    continue;
                }
                match &api.type_def(id).kind {
                    TypeKind::Struct(def) => {
                        def.fields.iter().for_each(|f| collect_ids(&f.ty, &mut stack));
                        collect_ids(&def.extra_ty, &mut stack);
                    }
                    TypeKind::Union(def) => def.variants.iter().for_each(|v| collect_ids(&v.ty, &mut stack)),
                    TypeKind::Enum(_) => {}
                }
            }
        }
        Features { users }
    }

    /// The resources that use a type.
    pub fn type_users(&self, id: TypeId) -> &BTreeSet<String> {
        &self.users[id.0]
    }
}

fn collect_ids(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => collect_ids(inner, out),
        _ => {}
    }
}

/// The Cargo feature of a top-level resource: its module name (`default` and `full` are
/// taken by the crate's own features).
pub fn feature_name(resource: &str) -> String {
    let name = resource.trim_end_matches('_');
    match name {
        "default" | "full" => format!("{name}_resource"),
        _ => name.to_string(),
    }
}
