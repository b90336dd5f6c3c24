//! Which types have a `Default`: structs with no required field lacking a spec default.

use crate::ir::{TypeDef, TypeKind};

/// Sets [`TypeDef::defaultable`]: a struct whose required fields all have a spec default
/// ([`crate::ir::Field::default`]); its `Default` is its constructor with no arguments.
///
/// A required field without one has no honest default: an empty string, zero or an empty
/// object would be sent as if the caller had chosen it (Twilio's required `to` silently
/// becoming `""`). Enums and unions have no natural default either.
pub fn mark_defaultable(types: &mut [TypeDef]) {
    for def in types {
        def.defaultable = match &def.kind {
            TypeKind::Struct(body) => body.fields.iter().all(|field| !field.required || field.default.is_some()),
            TypeKind::Enum(_) | TypeKind::Union(_) => false,
        };
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Field, StructDef, TypeDef, TypeKind, TypeRef};

    fn field(name: &str, required: bool, default: Option<serde_json::Value>) -> Field {
        Field::string_for_tests(name, required, default)
    }

    fn structure(fields: Vec<Field>) -> TypeDef {
        TypeDef {
            name: "T".into(),
            module: "t".into(),
            defaultable: true,
            one_pass: false,
            features: Vec::new(),
            pointer: "#/components/schemas/T".into(),
            doc: None,
            deprecated: None,
            alias_of: None,
            kind: TypeKind::Struct(StructDef {
                fields,
                extra_name: "extra".into(),
                extra_ty: TypeRef::Json,
                min_properties: None,
                required_choices: Vec::new(),
                closed: false,
                constructor: "new".into(),
                extra_setter: "extra_property".into(),
                multipart: None,
            }),
        }
    }

    #[test]
    fn a_required_field_without_a_spec_default_has_no_default() {
        let mut types = vec![
            structure(vec![field("to", true, None), field("body", false, None)]),
            structure(vec![field("mode", true, Some("auto".into())), field("body", false, None)]),
            structure(vec![field("body", false, None)]),
        ];
        super::mark_defaultable(&mut types);
        let defaultable: Vec<bool> = types.iter().map(|def| def.defaultable).collect();
        assert_eq!(defaultable, [false, true, true]);
    }
}
