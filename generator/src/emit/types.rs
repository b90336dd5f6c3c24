//! `src/types/`: one file per named type, re-exported from `types/mod.rs`.

use super::docs::{deprecated_attr, value_details, with_details, ValueFacts};
use super::escape::{code, prose};
use super::source::{literal, Source};
use super::{rust_type_text, Context, EmittedFile};
use crate::ir::{Api, EnumDef, JsonKind, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

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
    if let Some(canonical) = def.alias_of {
        alias_item(&mut out, context.api, canonical, doc_lines, def);
        return out.text;
    }
    match &def.kind {
        TypeKind::Struct(body) => struct_item(&mut out, context, id, body, &doc_lines, &def.name),
        TypeKind::Enum(body) => enum_item(&mut out, body, &doc_lines, def),
        TypeKind::Union(body) => {
            union_item(&mut out, context.api, body, &doc_lines, def);
            super::construct::union_conversions(&mut out, context.api, id, &def.name, body);
        }
    }
    out.text
}

/// `pub type Name = Canonical;` for a type identical to another (see
/// `ir::analysis::dedupe`): its own docs, and a line saying which type it names. Constructor,
/// setters and enum variants are reached through the alias.
fn alias_item(out: &mut Source, api: &Api, canonical: crate::ir::TypeId, mut docs: Vec<String>, def: &TypeDef) {
    let target = &api.type_def(canonical).name;
    docs.push(String::new());
    docs.push(format!("The same shape as [`{target}`](crate::types::{target}), under this name."));
    item_docs(out, &docs, def);
    out.line(0, format_args!("pub type {} = crate::types::{target};", def.name));
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
    item_docs(out, docs, api.type_def(id));
    let default = if super::construct::derives_default(api, id) { ", Default" } else { "" };
    out.line(0, format_args!("#[derive(Debug, Clone, PartialEq{default})]"));
    out.line(0, "#[non_exhaustive]");
    out.line(0, format_args!("pub struct {name} {{"));
    for field in &body.fields {
        out.docs(1, &field_docs(field));
        if let Some(deprecation) = &field.deprecated {
            out.line(1, deprecated_attr(deprecation));
        }
        out.line(1, format_args!("pub {}: {},", field.rust_name, field_type(api, field)));
    }
    out.line(1, "/// Properties the spec does not list, kept so that nothing the server sends is lost.");
    out.line(
        1,
        format_args!("pub {extra}: std::collections::BTreeMap<String, {}>,", rust_type_text(api, &body.extra_ty)),
    );
    out.line(0, "}");
    out.blank();
    let one_pass = api.type_def(id).one_pass;
    let reading =
        if one_pass { "object::deserialize_direct(deserializer)" } else { "object::deserialize(deserializer)" };
    deserialize_impl(out, name, reading);
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
    if one_pass {
        direct_impl(out, name, body);
        out.blank();
    }
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
    if let Some(encoding) = &body.multipart {
        out.blank();
        multipart_impl(out, name, body, encoding);
    }
}

/// `Direct`, for a list's items: the one-pass reading of the SDK's own decoders. Each field
/// has a slot in one tuple (so no local can take a field's name), each member goes straight
/// into its field's slot, and the properties the spec does not list go to `extra`; anything
/// unusual fails and the tolerant `FromFields` reading decides (see `runtime::object`). One
/// `?` per loop, not one per field, keeps the function cheap to compile.
fn direct_impl(out: &mut Source, name: &str, body: &StructDef) {
    out.line(0, format_args!("impl object::Direct for {name} {{"));
    out.line(1, "fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {");
    match body.fields.len() {
        0 => {}
        1 => out.line(2, "let mut slots = (None,);"),
        count if count <= 12 => out.line(2, format_args!("let mut slots = ({});", vec!["None"; count].join(", "))),
        count => {
            out.line(2, "let mut slots = (");
            for row in (0..count).step_by(12) {
                out.line(3, format_args!("{},", vec!["None"; (count - row).min(12)].join(", ")));
            }
            out.line(2, ");");
        }
    }
    out.line(2, "let mut rest = std::collections::BTreeMap::new();");
    out.line(2, "while let Some(name) = object::next_name(&mut map)? {");
    if body.fields.is_empty() {
        out.line(3, "object::read_other(&mut map, &mut rest, name)?;");
    } else {
        out.line(3, "match name {");
        let mut seen = std::collections::BTreeSet::new();
        for (index, field) in body.fields.iter().enumerate() {
            // A name listed twice is read by the first field; the second stays empty, which
            // fails the direct reading if it is required.
            if !seen.insert(field.wire_name.as_str()) {
                continue;
            }
            let wire = literal(&field.wire_name);
            out.line(4, format_args!("{wire} => object::read_field(&mut map, &mut slots.{index}),"));
        }
        out.line(4, "_ => object::read_other(&mut map, &mut rest, name),");
        out.line(3, "}?;");
    }
    out.line(2, "}");
    out.line(2, "Ok(Self {");
    for (index, field) in body.fields.iter().enumerate() {
        let rust = &field.rust_name;
        if field.required {
            out.line(3, format_args!("{rust}: object::take_required(slots.{index}, {})?,", literal(&field.wire_name)));
        } else {
            out.line(3, format_args!("{rust}: slots.{index}.flatten(),"));
        }
    }
    out.line(3, format_args!("{}: rest,", body.extra_name));
    out.line(2, "})");
    out.line(1, "}");
    out.line(0, "}");
}

/// `ToMultipart`: one part per property, in spec order. Files become file parts (a list of
/// files repeats the part), other values go through `Form::value` (text, JSON parts, repeats);
/// absent values send no part. Media types come from the spec's `encoding`.
fn multipart_impl(out: &mut Source, name: &str, body: &StructDef, encoding: &[crate::ir::PartEncoding]) {
    let media = |wire: &str| match encoding.iter().find(|e| e.property == wire) {
        Some(part) => format!("Some({})", literal(&part.content_type)),
        None => "None".into(),
    };
    out.line(0, format_args!("impl crate::runtime::upload::ToMultipart for {name} {{"));
    out.line(1, "fn to_multipart(");
    out.line(2, "&self,");
    out.line(2, "form: &mut crate::runtime::upload::Form,");
    out.line(1, ") -> Result<(), crate::ValidationError> {");
    for field in &body.fields {
        let wire = literal(&field.wire_name);
        let optional = !field.required || matches!(field.ty, TypeRef::Nullable(_));
        part(out, 2, &wire, &format!("&self.{}", field.rust_name), &field.ty, optional, &media(&field.wire_name));
    }
    // Unlisted properties go by the `additionalProperties` type: files as file parts too.
    out.line(2, format_args!("for (name, value) in &self.{} {{", body.extra_name));
    part(out, 3, "name", "value", &body.extra_ty, matches!(body.extra_ty, TypeRef::Nullable(_)), "None");
    out.line(2, "}");
    out.line(2, "Ok(())");
    out.line(1, "}");
    out.line(0, "}");
}

/// The statements sending one value as parts: `value` is an expression of a reference to it;
/// `optional` when its type is an `Option` (absent values send no part).
fn part(out: &mut Source, indent: usize, wire: &str, value: &str, ty: &TypeRef, optional: bool, media: &str) {
    let inner = match ty {
        TypeRef::Nullable(inner) => inner.as_ref(),
        other => other,
    };
    match inner {
        TypeRef::File if optional => {
            out.line(indent, format_args!("if let Some(file) = {value} {{"));
            out.line(indent + 1, format_args!("form.file({wire}, file, {media});"));
            out.line(indent, "}");
        }
        TypeRef::File => out.line(indent, format_args!("form.file({wire}, {value}, {media});")),
        TypeRef::Array(item) if matches!(item.as_ref(), TypeRef::File) => {
            // `&self.files` is iterated as `self.files.iter()`; a reference variable as it is.
            let place = value.strip_prefix('&').unwrap_or(value);
            let files = if optional { format!("{place}.iter().flatten()") } else { value.to_string() };
            out.line(indent, format_args!("for file in {files} {{"));
            out.line(indent + 1, format_args!("form.file({wire}, file, {media});"));
            out.line(indent, "}");
        }
        _ => out.line(indent, format_args!("form.value({wire}, {value}, {media})?;")),
    }
}

/// A type's docs, and its deprecation when the spec deprecates it.
fn item_docs(out: &mut Source, docs: &[String], def: &TypeDef) {
    out.docs(0, docs);
    if let Some(deprecation) = &def.deprecated {
        out.line(0, deprecated_attr(deprecation));
    }
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

fn enum_item(out: &mut Source, body: &EnumDef, docs: &[String], def: &TypeDef) {
    let name = def.name.as_str();
    let unknown = &body.unknown_variant;
    item_docs(out, docs, def);
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

fn union_item(out: &mut Source, api: &Api, body: &UnionDef, docs: &[String], def: &TypeDef) {
    let name = def.name.as_str();
    out.line(0, "use crate::runtime::union;");
    out.blank();
    item_docs(out, docs, def);
    out.line(0, "#[derive(Debug, Clone, PartialEq)]");
    // Alternatives stay unboxed so that matching on a decoded value reads naturally.
    out.line(0, "#[allow(clippy::large_enum_variant)]");
    out.line(0, format_args!("pub enum {name} {{"));
    for variant in &body.variants {
        let mut ty = rust_type_text(api, &variant.ty);
        if variant.boxed {
            ty = format!("Box<{ty}>");
        }
        out.docs(1, &[variant_doc(body, variant)]);
        out.line(1, format_args!("{}({ty}),", variant.rust_name));
    }
    if let Some(unknown) = &body.unknown_variant {
        out.line(1, "/// A value matching none of the alternatives; kept as sent.");
        out.line(1, format_args!("{unknown}(serde_json::Value),"));
    }
    out.line(0, "}");
    out.blank();
    union_deserialize(out, body, name);
    out.blank();
    union_shape(out, body, name);
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

/// One line on a union's variant: its name and, when a tag selects it, the tag's values.
fn variant_doc(body: &UnionDef, variant: &crate::ir::UnionVariant) -> String {
    let name = code(&variant.rust_name);
    match &body.tag {
        Some(tag) if !variant.tags.is_empty() => {
            let values: Vec<String> = variant.tags.iter().map(|value| code(value)).collect();
            format!("The {name} alternative: {} is {}.", code(tag), values.join(" or "))
        }
        _ => format!("The {name} alternative."),
    }
}

/// `Deserialize` for a union: the runtime ranks the alternatives by the evidence in
/// [`union_shape`]'s table, and a `match` on each index tries one.
fn union_deserialize(out: &mut Source, body: &UnionDef, name: &str) {
    out.line(0, format_args!("impl<'de> serde::Deserialize<'de> for {name} {{"));
    out.line(1, "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
    out.line(2, "let value = union::buffer(deserializer)?;");
    out.line(2, "for index in union::candidates(&SHAPE, &value) {");
    out.line(3, "let decoded = match index {");
    for (index, variant) in body.variants.iter().enumerate() {
        out.line(4, format_args!("{index} => union::attempt(&value).map(Self::{}),", variant.rust_name));
    }
    out.line(4, "_ => None,");
    out.line(3, "};");
    out.line(3, "if let Some(decoded) = decoded {");
    out.line(4, "return Ok(decoded);");
    out.line(3, "}");
    out.line(2, "}");
    match &body.unknown_variant {
        Some(unknown) => out.line(2, format_args!("Ok(Self::{unknown}(value.into_value()))")),
        None => out.line(2, "Err(union::no_match(&SHAPE))"),
    }
    out.line(1, "}");
    out.line(0, "}");
}

/// The static table of what the spec says about each alternative.
fn union_shape(out: &mut Source, body: &UnionDef, name: &str) {
    out.line(0, format_args!("/// What decoding a {} looks at, alternative by alternative.", code(name)));
    out.line(0, "static SHAPE: union::Shape = union::Shape {");
    out.line(1, format_args!("name: {},", literal(name)));
    match &body.tag {
        Some(tag) => out.line(1, format_args!("tag: Some({}),", literal(tag))),
        None => out.line(1, "tag: None,"),
    }
    out.line(1, "variants: &[");
    for variant in &body.variants {
        let kind = match variant.json {
            JsonKind::Object => "Object",
            JsonKind::Array => "Array",
            JsonKind::String => "String",
            JsonKind::Integer => "Integer",
            JsonKind::Number => "Number",
            JsonKind::Boolean => "Boolean",
            JsonKind::Any => "Any",
        };
        out.line(2, "union::Variant {");
        out.line(3, format_args!("kind: union::Kind::{kind},"));
        string_list(out, 3, "tags", &variant.tags);
        string_list(out, 3, "required", &variant.required);
        string_list(out, 3, "known", &variant.known);
        out.line(2, "},");
    }
    out.line(1, "],");
    out.line(0, "};");
}

/// `field: &["a", "b"],` on one line when it fits, else one string per line.
fn string_list(out: &mut Source, depth: usize, field: &str, items: &[String]) {
    let items: Vec<String> = items.iter().map(|item| literal(item)).collect();
    let one_line = format!("{field}: &[{}],", items.join(", "));
    if super::source::fits(depth, &one_line) {
        out.line(depth, &one_line);
        return;
    }
    out.line(depth, format_args!("{field}: &["));
    for item in &items {
        out.line(depth + 1, format_args!("{item},"));
    }
    out.line(depth, "],");
}

/// A field's docs: the spec's description (or title), then what the spec says about the
/// value (format, constraints, default, example); a line naming the property only when the
/// spec says nothing at all.
fn field_docs(field: &crate::ir::Field) -> Vec<String> {
    let details = value_details(ValueFacts {
        format: field.format.as_deref(),
        rules: &field.rules,
        list_allowed: false,
        default: field.documented_default.as_ref(),
        example: field.example.as_ref(),
    });
    let lines = with_details(field.doc.as_deref().map(prose).unwrap_or_default(), details);
    if lines.is_empty() {
        return vec![format!("The {} property.", code(&field.wire_name))];
    }
    lines
}
