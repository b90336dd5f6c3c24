//! Construction through the public API: each struct's constructor, chained setters and (where
//! honest) `Default`; each union's `From` conversions. Generated structs are
//! `#[non_exhaustive]`, so outside the crate these are the only way to build a request body.

use super::escape::code;
use super::rust_type_text;
use super::source::{literal, Source};
use crate::ir::{Api, Field, StructDef, TypeId, TypeKind, TypeRef, UnionDef};

/// Whether the struct derives `Default`: it is defaultable and no field starts at a spec
/// default (then `Default` is written by hand, as the constructor without arguments).
pub fn derives_default(api: &Api, id: TypeId) -> bool {
    let def = api.type_def(id);
    match &def.kind {
        TypeKind::Struct(body) => def.defaultable && body.fields.iter().all(|field| field.default.is_none()),
        TypeKind::Enum(_) | TypeKind::Union(_) => false,
    }
}

/// `impl Name { new, setters }`, and `impl Default` when it starts from spec defaults.
pub fn struct_construction(out: &mut Source, api: &Api, id: TypeId, name: &str, body: &StructDef) {
    let arguments: Vec<&Field> = body.fields.iter().filter(|f| f.required && f.default.is_none()).collect();
    out.line(0, format_args!("impl {name} {{"));
    let mut docs = vec![format!("A {} from its required values; the optional ones are unset.", code(name))];
    if body.fields.iter().any(|f| f.default.is_some()) {
        docs.push(String::new());
        docs.push("Required values with a default in the spec start at that default; their setters change it.".into());
    }
    out.docs(1, &docs);
    if arguments.len() > 7 {
        out.line(1, "// One argument per required property without a default, in the spec's order.");
        out.line(1, "#[allow(clippy::too_many_arguments)]");
    }
    let signature: Vec<String> =
        arguments.iter().map(|f| format!("{}: {}", f.rust_name, argument_type(api, f))).collect();
    out.call(1, &format!("pub fn {}", body.constructor), &signature, " -> Self {");
    out.line(2, "Self {");
    for field in &body.fields {
        let rust = &field.rust_name;
        if let Some(value) = &field.default {
            out.line(3, format_args!("{rust}: {},", default_value(api, field, value)));
        } else if !field.required {
            out.line(3, format_args!("{rust}: None,"));
        } else {
            let converted = matches!(field_base(field), TypeRef::String | TypeRef::File) && !is_nullable(field);
            match (is_nullable(field), field.boxed, converted) {
                (true, false, _) | (false, false, false) => out.line(3, format_args!("{rust},")),
                (true, true, _) => out.line(3, format_args!("{rust}: {rust}.map(Box::new),")),
                (false, false, true) => out.line(3, format_args!("{rust}: {rust}.into(),")),
                (false, true, true) => out.line(3, format_args!("{rust}: Box::new({rust}.into()),")),
                (false, true, false) => out.line(3, format_args!("{rust}: Box::new({rust}),")),
            }
        }
    }
    out.line(3, format_args!("{}: std::collections::BTreeMap::new(),", body.extra_name));
    out.line(2, "}");
    out.line(1, "}");
    for field in &body.fields {
        let Some(setter) = &field.setter else { continue };
        out.blank();
        out.docs(1, &[format!("Sets {}.", code(&field.wire_name))]);
        let (parameter, mut value) = taken(api, field_base(field));
        out.call(1, &format!("pub fn {setter}"), &["mut self".into(), format!("value: {parameter}")], " -> Self {");
        if field.boxed {
            value = format!("Box::new({value})");
        }
        if is_nullable(field) || !field.required {
            value = format!("Some({value})");
        }
        out.line(2, format_args!("self.{} = {value};", field.rust_name));
        out.line(2, "self");
        out.line(1, "}");
    }
    out.blank();
    out.docs(1, &[format!("Adds a property the spec does not list (kept in {}).", code(&body.extra_name))]);
    let extra_ty = rust_type_text(api, &body.extra_ty);
    out.call(
        1,
        &format!("pub fn {}", body.extra_setter),
        &["mut self".into(), "key: impl Into<String>".into(), format!("value: {extra_ty}")],
        " -> Self {",
    );
    out.line(2, format_args!("self.{}.insert(key.into(), value);", body.extra_name));
    out.line(2, "self");
    out.line(1, "}");
    out.line(0, "}");
    if api.type_def(id).defaultable && !derives_default(api, id) {
        out.blank();
        // Spelled out: the type itself may be called `Default`.
        out.line(0, format_args!("impl std::default::Default for {name} {{"));
        out.line(1, "fn default() -> Self {");
        out.line(2, format_args!("Self::{}()", body.constructor));
        out.line(1, "}");
        out.line(0, "}");
    }
}

/// `From<Variant>` for each variant whose Rust type no other variant shares (two `From`
/// impls of one type would conflict), except a variant of the union's own type (the standard
/// library's `From<T> for T` has it).
pub fn union_conversions(out: &mut Source, api: &Api, id: TypeId, name: &str, body: &UnionDef) {
    // Compared through aliases: two names of one type are one type (`ir::analysis::dedupe`).
    let types: Vec<TypeRef> = body.variants.iter().map(|variant| api.canonical_ref(&variant.ty)).collect();
    for (variant, canonical) in body.variants.iter().zip(&types) {
        if types.iter().filter(|other| *other == canonical).count() > 1
            || *canonical == TypeRef::Named(api.canonical(id))
        {
            continue;
        }
        let ty = rust_type_text(api, &variant.ty);
        let value = if variant.boxed { "Box::new(value)" } else { "value" };
        out.blank();
        out.line(0, format_args!("impl From<{ty}> for {name} {{"));
        out.line(1, format_args!("fn from(value: {ty}) -> Self {{"));
        out.line(2, format_args!("Self::{}({value})", variant.rust_name));
        out.line(1, "}");
        out.line(0, "}");
    }
}

fn is_nullable(field: &Field) -> bool {
    matches!(field.ty, TypeRef::Nullable(_))
}

/// The field's type without `Option` (and `Box`, which the model does not show).
fn field_base(field: &Field) -> &TypeRef {
    match &field.ty {
        TypeRef::Nullable(inner) => inner,
        other => other,
    }
}

/// How a value of `ty` is taken, and the expression that makes it the field's type: strings
/// as `impl Into<String>` (so `"text"` works), files as `impl Into<File>`, everything else as itself. Generic parameters
/// cost compile time in every one of the SDK's many setters, so they are kept where they help.
fn taken(api: &Api, ty: &TypeRef) -> (String, String) {
    match ty {
        TypeRef::String => ("impl Into<String>".into(), "value.into()".into()),
        // Bytes, a path or a stream.
        TypeRef::File => ("impl Into<crate::File>".into(), "value.into()".into()),
        other => (rust_type_text(api, other), "value".into()),
    }
}

/// A constructor argument: as [`taken`], or `Option<T>` for a nullable field (`None` must
/// infer its type).
fn argument_type(api: &Api, field: &Field) -> String {
    if is_nullable(field) {
        format!("Option<{}>", rust_type_text(api, field_base(field)))
    } else {
        taken(api, field_base(field)).0
    }
}

/// A spec default as a value of the field (lowering kept only those that fit its type).
fn default_value(api: &Api, field: &Field, value: &serde_json::Value) -> String {
    let text = value_text(api, &field.ty, value);
    if field.boxed && text != "None" {
        match text.strip_prefix("Some(").and_then(|rest| rest.strip_suffix(')')) {
            Some(inner) => format!("Some(Box::new({inner}))"),
            None => format!("Box::new({text})"),
        }
    } else {
        text
    }
}

fn value_text(api: &Api, ty: &TypeRef, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match (ty, value) {
        (TypeRef::Nullable(_), Value::Null) => "None".into(),
        (TypeRef::Nullable(inner), value) => format!("Some({})", value_text(api, inner, value)),
        (TypeRef::String, Value::String(text)) => format!("String::from({})", literal(text)),
        (TypeRef::Bool, Value::Bool(flag)) => flag.to_string(),
        (TypeRef::Integer(_), Value::Number(number)) => number.to_string(),
        (TypeRef::Float, Value::Number(number)) => {
            proc_macro2::Literal::f64_unsuffixed(number.as_f64().unwrap_or_default()).to_string()
        }
        (TypeRef::Json, Value::Bool(flag)) => format!("serde_json::Value::Bool({flag})"),
        (TypeRef::Json, Value::String(text)) => format!("serde_json::Value::String(String::from({}))", literal(text)),
        (TypeRef::Json, Value::Number(number)) => format!("serde_json::Value::from({number}_i64)"),
        (TypeRef::File, Value::String(text)) => format!("crate::File::from(String::from({}))", literal(text)),
        (TypeRef::Array(_), _) => "Vec::new()".into(),
        (TypeRef::Map(_), _) => "std::collections::BTreeMap::new()".into(),
        (TypeRef::Named(id), Value::String(wire)) => {
            let def = api.type_def(*id);
            match &def.kind {
                TypeKind::Enum(body) => match body.variants.iter().find(|variant| &variant.wire == wire) {
                    Some(variant) => format!("crate::types::{}::{}", def.name, variant.rust_name),
                    None => format!("crate::types::{}::from(String::from({}))", def.name, literal(wire)),
                },
                _ => "serde_json::Value::Null".into(),
            }
        }
        _ => "serde_json::Value::Null".into(),
    }
}
