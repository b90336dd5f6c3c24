//! `src/types/`: one file per named type, re-exported from `types/mod.rs`.

use super::escape::{code, prose};
use super::source::{literal, Source};
use super::{rust_type_text, Context, EmittedFile};
use crate::ir::{Api, EnumDef, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

/// `src/types/<module>.rs` for one type.
pub fn type_file(context: &Context<'_>, index: usize) -> EmittedFile {
    let def = &context.api.types[index];
    EmittedFile::Source {
        path: format!("src/types/{}.rs", def.module),
        module_doc: vec![format!("The {} type.", code(&def.name))],
        text: type_item(context, crate::ir::TypeId(index), def),
    }
}

/// `src/types/mod.rs`: every type module, declared and re-exported in name order.
pub fn types_mod(context: &Context<'_>) -> EmittedFile {
    let mut modules: Vec<(&str, &str, usize)> = context
        .api
        .types
        .iter()
        .enumerate()
        .map(|(index, def)| (def.module.as_str(), def.name.as_str(), index))
        .collect();
    modules.sort();
    let mut out = Source::default();
    for (position, (module, name, index)) in modules.iter().enumerate() {
        let gate = context.type_gate(crate::ir::TypeId(*index));
        for item in [format!("mod {module};"), format!("pub use {module}::{name};")] {
            // Gated declarations read better apart; plain ones stay together, as rustfmt keeps them.
            if let Some(gate) = &gate {
                if position > 0 || item.starts_with("pub") {
                    out.blank();
                }
                out.text.push_str(gate);
            }
            out.line(0, &item);
        }
    }
    EmittedFile::Source {
        path: "src/types/mod.rs".into(),
        module_doc: vec!["Types of request and response bodies, from the spec's schemas.".into()],
        text: out.text,
    }
}

fn type_item(context: &Context<'_>, id: crate::ir::TypeId, def: &TypeDef) -> String {
    let mut doc_lines = def.doc.as_deref().map(prose).unwrap_or_default();
    if !doc_lines.is_empty() {
        doc_lines.push(String::new());
    }
    doc_lines.push(format!("Schema: {}", code(&def.pointer)));
    let mut out = Source::default();
    match &def.kind {
        TypeKind::Struct(body) => struct_item(&mut out, context, id, body, &doc_lines, &def.name),
        TypeKind::Enum(body) => enum_item(&mut out, body, &doc_lines, &def.name),
        TypeKind::Union(body) => {
            union_item(&mut out, context.api, body, &doc_lines, &def.name);
            super::construct::union_conversions(&mut out, context.api, id, &def.name, body);
        }
    }
    out.text
}

/// The Rust spelling of a field's type, `Option` included when it may be absent or `null`.
fn field_type(api: &Api, field: &crate::ir::Field) -> String {
    let (base, nullable) = match &field.ty {
        TypeRef::Nullable(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let mut ty = rust_type_text(api, base);
    if field.boxed {
        ty = format!("Box<{ty}>");
    }
    if nullable || !field.required {
        ty = format!("Option<{ty}>");
    }
    ty
}

fn struct_item(
    out: &mut Source,
    context: &Context<'_>,
    id: crate::ir::TypeId,
    body: &StructDef,
    docs: &[String],
    name: &str,
) {
    let api = context.api;
    let extra = &body.extra_name;
    out.line(0, "use crate::runtime::object;");
    out.blank();
    out.docs(0, docs);
    let default = if super::construct::derives_default(api, id) { ", Default" } else { "" };
    out.line(0, format_args!("#[derive(Debug, Clone, PartialEq{default})]"));
    out.line(0, "#[non_exhaustive]");
    out.line(0, format_args!("pub struct {name} {{"));
    for field in &body.fields {
        out.docs(1, &field_docs(field));
        out.line(1, format_args!("pub {}: {},", field.rust_name, field_type(api, field)));
    }
    out.line(1, "/// Properties the spec does not list, kept so that nothing the server sends is lost.");
    out.line(
        1,
        format_args!("pub {extra}: std::collections::BTreeMap<String, {}>,", rust_type_text(api, &body.extra_ty)),
    );
    out.line(0, "}");
    out.blank();
    deserialize_impl(out, name, "object::deserialize(deserializer)");
    out.blank();
    // Each field is one line in each direction; the shared work is in `runtime::object`.
    out.line(0, format_args!("impl object::FromFields for {name} {{"));
    out.line(1, "fn from_fields(fields: &mut object::Fields) -> Result<Self, object::FieldError> {");
    out.line(2, "Ok(Self {");
    for field in &body.fields {
        let (rust, wire) = (&field.rust_name, literal(&field.wire_name));
        if field.required {
            out.line(3, format_args!("{rust}: fields.required({wire})?,"));
        } else {
            out.line(3, format_args!("{rust}: fields.optional({wire}),"));
        }
    }
    out.line(3, format_args!("{extra}: fields.rest()?,"));
    out.line(2, "})");
    out.line(1, "}");
    out.line(0, "}");
    out.blank();
    serialize_impl_start(out, name);
    out.line(2, "let mut object = object::Writer::new(serializer)?;");
    for field in &body.fields {
        let (rust, wire) = (&field.rust_name, literal(&field.wire_name));
        let method = if field.required { "required" } else { "optional" };
        out.line(2, format_args!("object.{method}({wire}, &self.{rust})?;"));
    }
    out.line(2, format_args!("object.end(&self.{extra})"));
    serialize_impl_end(out);
    out.blank();
    super::construct::struct_construction(out, api, id, name, body);
}

fn deserialize_impl(out: &mut Source, name: &str, body: &str) {
    out.line(0, format_args!("impl<'de> serde::Deserialize<'de> for {name} {{"));
    out.line(1, "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
    out.line(2, body);
    out.line(1, "}");
    out.line(0, "}");
}

fn serialize_impl_start(out: &mut Source, name: &str) {
    out.line(0, format_args!("impl serde::Serialize for {name} {{"));
    out.line(1, "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
}

fn serialize_impl_end(out: &mut Source) {
    out.line(1, "}");
    out.line(0, "}");
}

fn enum_item(out: &mut Source, body: &EnumDef, docs: &[String], name: &str) {
    let unknown = &body.unknown_variant;
    out.docs(0, docs);
    out.line(0, "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]");
    out.line(0, format_args!("pub enum {name} {{"));
    for variant in &body.variants {
        out.docs(1, &[code(&variant.wire)]);
        out.line(1, format_args!("{},", variant.rust_name));
    }
    out.line(1, "/// A value this version of the SDK does not know; kept as sent.");
    out.line(1, format_args!("{unknown}(String),"));
    out.line(0, "}");
    out.blank();
    out.line(0, format_args!("impl {name} {{"));
    out.line(1, "/// The value as sent on the wire.");
    out.line(1, "pub fn as_str(&self) -> &str {");
    out.line(2, "match self {");
    for variant in &body.variants {
        out.line(3, format_args!("Self::{} => {},", variant.rust_name, literal(&variant.wire)));
    }
    out.line(3, format_args!("Self::{unknown}(value) => value,"));
    out.line(2, "}");
    out.line(1, "}");
    out.line(0, "}");
    out.blank();
    out.line(0, format_args!("impl From<String> for {name} {{"));
    out.line(1, "fn from(value: String) -> Self {");
    out.line(2, "match value.as_str() {");
    for variant in &body.variants {
        out.line(3, format_args!("{} => Self::{},", literal(&variant.wire), variant.rust_name));
    }
    out.line(3, format_args!("_ => Self::{unknown}(value),"));
    out.line(2, "}");
    out.line(1, "}");
    out.line(0, "}");
    out.blank();
    out.line(0, format_args!("impl std::fmt::Display for {name} {{"));
    out.line(1, "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {");
    out.line(2, "f.write_str(self.as_str())");
    out.line(1, "}");
    out.line(0, "}");
    out.blank();
    deserialize_impl(out, name, "<String as serde::Deserialize>::deserialize(deserializer).map(Self::from)");
    out.blank();
    serialize_impl_start(out, name);
    out.line(2, "serializer.serialize_str(self.as_str())");
    serialize_impl_end(out);
}

fn union_item(out: &mut Source, api: &Api, body: &UnionDef, docs: &[String], name: &str) {
    out.line(0, "use crate::runtime::object;");
    out.blank();
    out.docs(0, docs);
    out.line(0, "#[derive(Debug, Clone, PartialEq)]");
    // Alternatives stay unboxed so that matching on a decoded value reads naturally.
    out.line(0, "#[allow(clippy::large_enum_variant)]");
    out.line(0, format_args!("pub enum {name} {{"));
    for variant in &body.variants {
        let mut ty = rust_type_text(api, &variant.ty);
        if variant.boxed {
            ty = format!("Box<{ty}>");
        }
        out.line(1, format_args!("/// The {} alternative.", code(&variant.rust_name)));
        out.line(1, format_args!("{}({ty}),", variant.rust_name));
    }
    if let Some(unknown) = &body.unknown_variant {
        out.line(1, "/// A value matching none of the alternatives; kept as sent.");
        out.line(1, format_args!("{unknown}(serde_json::Value),"));
    }
    out.line(0, "}");
    out.blank();
    out.line(0, format_args!("impl<'de> serde::Deserialize<'de> for {name} {{"));
    out.line(1, "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
    out.line(2, "let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;");
    // Alternatives are tried in the spec's order; the first that fits wins.
    for variant in &body.variants {
        out.line(2, "if let Some(value) = object::try_alternative(&value) {");
        out.line(3, format_args!("return Ok(Self::{}(value));", variant.rust_name));
        out.line(2, "}");
    }
    match &body.unknown_variant {
        Some(unknown) => out.line(2, format_args!("Ok(Self::{unknown}(value))")),
        None => out.line(2, format_args!("Err(object::no_alternative({}))", literal(name))),
    }
    out.line(1, "}");
    out.line(0, "}");
    out.blank();
    serialize_impl_start(out, name);
    out.line(2, "match self {");
    for variant in &body.variants {
        out.line(
            3,
            format_args!("Self::{}(value) => serde::Serialize::serialize(value, serializer),", variant.rust_name),
        );
    }
    if let Some(unknown) = &body.unknown_variant {
        out.line(3, format_args!("Self::{unknown}(value) => serde::Serialize::serialize(value, serializer),"));
    }
    out.line(2, "}");
    serialize_impl_end(out);
}

/// A field's docs: the spec's description, else a line naming the property; then the
/// spec's example when it is a short scalar.
fn field_docs(field: &crate::ir::Field) -> Vec<String> {
    let mut lines = field.doc.as_deref().map(prose).unwrap_or_default();
    if lines.is_empty() {
        lines.push(format!("The {} property.", code(&field.wire_name)));
    }
    if let Some(example) = field.example.as_ref().and_then(short_example) {
        lines.push(String::new());
        lines.push(format!("Example: {}", code(&example)));
    }
    lines
}

/// A scalar example as JSON text, when it is short enough to help.
pub fn short_example(example: &serde_json::Value) -> Option<String> {
    let text = match example {
        serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_) => example.to_string(),
        _ => return None,
    };
    (text.len() <= 80 && !text.contains('\n')).then_some(text)
}
