//! Which structs are read in one pass: the items of the lists responses return.
//!
//! A list response is where decoding speed shows (thousands of records in one body), so the
//! structs it holds get a generated `object::Direct` reading that parses each member once,
//! straight into its field, as `#[derive(Deserialize)]` does. Every other struct is read by
//! the runtime's shared reading, which needs no per-type code: the one-pass reading costs
//! compile time for each type that has it (about half again the whole Cloudflare SDK's
//! `cargo check` when every struct had it), so only the types read in bulk pay for it.

use crate::ir::{Api, ResponseKind, TypeId, TypeKind, TypeRef};

/// Marks as `one_pass` the structs that are the items of a list a response returns: a JSON
/// array body (after the envelope is unwrapped), the pages of a paginated list, the lines of
/// a JSON Lines stream; for an item that is a union, the structs among its alternatives.
/// Aliases give way to the type they name, which is the one emitted.
pub fn mark_list_items(api: &mut Api) {
    let mut items: Vec<TypeId> = Vec::new();
    for operation in &api.operations {
        if let Some(pagination) = &operation.pagination {
            named(&pagination.item, &mut items);
        }
        match &operation.success.kind {
            ResponseKind::JsonLines { item } => named(item, &mut items),
            kind => {
                if let Some(TypeRef::Array(item)) = kind.ty().map(TypeRef::without_null) {
                    named(item, &mut items);
                }
            }
        }
    }
    let mut marked: Vec<TypeId> = Vec::new();
    for id in items {
        let id = api.canonical(id);
        match &api.type_def(id).kind {
            TypeKind::Struct(_) => marked.push(id),
            TypeKind::Union(union) => {
                for variant in &union.variants {
                    let mut alternatives = Vec::new();
                    named(&variant.ty, &mut alternatives);
                    for alternative in alternatives {
                        let alternative = api.canonical(alternative);
                        if matches!(api.type_def(alternative).kind, TypeKind::Struct(_)) {
                            marked.push(alternative);
                        }
                    }
                }
            }
            TypeKind::Enum(_) => {}
        }
    }
    for id in marked {
        api.types[id.0].one_pass = true;
    }
}

/// Pushes the type `ty` names itself (a nullable one included) onto `out`.
fn named(ty: &TypeRef, out: &mut Vec<TypeId>) {
    if let TypeRef::Named(id) = ty.without_null() {
        out.push(*id);
    }
}
