//! Which types have a `Default`: structs whose required fields all have one.

use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Sets [`TypeDef::defaultable`]: found as a fixed point, so recursive structs work; never
/// enums or unions, which have no natural default.
pub fn mark_defaultable(types: &mut [TypeDef]) {
    let mut defaultable: Vec<bool> = types.iter().map(|def| matches!(def.kind, TypeKind::Struct(_))).collect();
    let has_default = |defaultable: &[bool], ty: &TypeRef| match ty {
        TypeRef::Named(id) => defaultable[id.0],
        _ => true,
    };
    loop {
        let mut changed = false;
        for (index, def) in types.iter().enumerate() {
            if let TypeKind::Struct(body) = &def.kind {
                let all = body.fields.iter().all(|f| !f.required || has_default(&defaultable, &f.ty));
                if defaultable[index] && !all {
                    defaultable[index] = false;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (def, defaultable) in types.iter_mut().zip(defaultable) {
        def.defaultable = defaultable;
    }
}
