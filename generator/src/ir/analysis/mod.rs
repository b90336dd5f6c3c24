//! Analysis passes: facts computed over the lowered model (recursion boxing, which Cargo
//! feature compiles each type, which types have a `Default`, how list operations page, which
//! types are identical to another,
//! which crate of the workspace layout holds each type). Emission reads their results
//! from the model and computes nothing of its own.

pub mod bulk;
pub mod cycles;
pub mod dedupe;
pub mod defaults;
pub mod features;
pub mod pagination;
pub mod placement;

use crate::ir::{Operation, TypeId, TypeKind, TypeRef};

/// Pushes the named types a type's body names onto `out`: its fields' and extra map's for a
/// struct, its variants' for a union (an alias's target is the caller's to add).
fn member_types(kind: &TypeKind, out: &mut Vec<TypeId>) {
    match kind {
        TypeKind::Struct(body) => {
            body.fields.iter().for_each(|f| collect_ids(&f.ty, out));
            collect_ids(&body.extra_ty, out);
        }
        TypeKind::Union(body) => body.variants.iter().for_each(|v| collect_ids(&v.ty, out)),
        TypeKind::Enum(_) => {}
    }
}

/// Pushes the named types `ty` names onto `out`, through lists, maps and nullables.
fn collect_ids(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => collect_ids(inner, out),
        _ => {}
    }
}

/// Pushes the named types an operation names itself onto `out`: its positional and
/// parameter types, its body's, its success response's and its error body's.
fn operation_types(operation: &Operation, out: &mut Vec<TypeId>) {
    let mut add = |ty: &TypeRef| collect_ids(ty, out);
    operation.positional.iter().for_each(|p| add(&p.ty));
    if let Some(params) = &operation.params {
        params.fields.iter().for_each(|p| add(&p.ty));
        if let Some(body) = &params.body {
            body.kind.types().into_iter().for_each(&mut add);
        }
    }
    if let Some(ty) = operation.success.kind.ty() {
        add(ty);
    }
    if let Some(error) = &operation.error {
        add(error);
    }
}
