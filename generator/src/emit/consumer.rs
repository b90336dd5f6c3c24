//! The construction check: a crate outside the SDK that builds one value of every
//! request-body type (each operation's body and every struct and union it contains) through
//! the SDK's public API only: `Type::new(...)`, the chained setters, union `From`
//! conversions and enum variants. If it compiles, every request body can be built by a user.
//!
//! Values follow the schema types: a string, a number, `true`, an enum's first value, a
//! nested type's own builder, empty lists and maps, `serde_json::Value::Null`, `None` for
//! nullable values. A type whose required fields lead back to itself with no `null`, list or
//! map on the way has no finite JSON value; it is skipped and counted.

use std::collections::BTreeSet;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::{rust_type_text_in, EmittedFile};
use crate::error::{Error, Result};
use crate::ir::{Api, IntegerKind, TypeId, TypeKind, TypeRef};
use crate::output::{GeneratedFile, Provenance};

/// How the check crate is written.
#[derive(Debug, Clone)]
pub struct ConsumerOptions {
    /// The check crate's package name.
    pub package: String,
    /// The SDK crate's directory, as the check crate's `Cargo.toml` refers to it.
    pub sdk_path: String,
    /// Give the check crate its own `[workspace]`.
    pub standalone: bool,
    /// What the generated-file header says.
    pub provenance: Provenance,
}

/// What the check covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerStats {
    /// Operations with a typed (JSON, form or multipart) request body.
    pub bodies: usize,
    /// Distinct named types those bodies are (or are lists and maps of).
    pub body_types: usize,
    /// Structs and unions reachable from the bodies, each built by one function.
    pub built: usize,
    /// Enums reachable from the bodies (their first value is used).
    pub enums: usize,
    /// Reachable types with no finite value (a required cycle), by name; not built.
    pub skipped: Vec<String>,
}

/// The check crate's files and what it covers.
#[derive(Debug, Clone)]
pub struct ConsumerCheck {
    /// `Cargo.toml` and `src/lib.rs`.
    pub files: Vec<GeneratedFile>,
    /// Counts.
    pub stats: ConsumerStats,
}

/// The crate name the check crate gives the SDK dependency.
const SDK: &str = "sdk";

/// Emits the construction check crate for `api`.
pub fn consumer_check_crate(api: &Api, options: &ConsumerOptions) -> Result<ConsumerCheck> {
    let mut stats = ConsumerStats::default();
    let mut roots = BTreeSet::new();
    for operation in &api.operations {
        let Some(body) = operation.params.as_ref().and_then(|params| params.body.as_ref()) else { continue };
        let types = body.kind.types();
        if !types.is_empty() {
            stats.bodies += 1;
        }
        for ty in types {
            named_ids(ty, &mut roots);
        }
    }
    stats.body_types = roots.len();
    let reachable = reachable(api, &roots);
    let buildable = super::sample::buildable(api);
    // It builds deprecated types too, on purpose: their warnings would drown real ones.
    let mut text = String::from("#![allow(deprecated)]\n");
    for &id in &reachable {
        let def = api.type_def(id);
        match &def.kind {
            TypeKind::Enum(_) => stats.enums += 1,
            _ if !buildable[id.0] => stats.skipped.push(def.name.clone()),
            TypeKind::Struct(_) | TypeKind::Union(_) => {
                stats.built += 1;
                text.push_str(&builder(api, &buildable, id));
            }
        }
    }
    let tokens: proc_macro2::TokenStream = text.parse().map_err(|error: proc_macro2::LexError| Error::Internal {
        file: "src/lib.rs".into(),
        message: error.to_string(),
    })?;
    let module_doc = vec![
        format!("Builds one value of every request-body type of `{}` through its public API only.", api.package.name),
        String::new(),
        format!(
            "{} operation bodies, {} body types; {} structs and unions built, {} enum(s) used, {} skipped (no finite value).",
            stats.bodies,
            stats.body_types,
            stats.built,
            stats.enums,
            stats.skipped.len()
        ),
    ];
    let emitted = vec![
        EmittedFile::Text { path: "Cargo.toml".into(), text: cargo_toml(api, options), comment: Some("#") },
        EmittedFile::Rust { path: "src/lib.rs".into(), module_doc, tokens },
    ];
    let files = crate::format::format_files(emitted, &options.provenance)?;
    Ok(ConsumerCheck { files, stats })
}

fn cargo_toml(api: &Api, options: &ConsumerOptions) -> String {
    let mut document = DocumentMut::new();
    let mut package = Table::new();
    package.insert("name", Item::Value(Value::from(options.package.as_str())));
    package.insert("version", Item::Value(Value::from("0.0.0")));
    package.insert("edition", Item::Value(Value::from("2021")));
    package.insert("publish", Item::Value(Value::from(false)));
    document.insert("package", Item::Table(package));
    let mut dependencies = Table::new();
    let mut sdk = InlineTable::new();
    sdk.insert("path", Value::from(options.sdk_path.as_str()));
    sdk.insert("package", Value::from(api.package.name.as_str()));
    dependencies.insert(SDK, Item::Value(Value::InlineTable(sdk)));
    dependencies.insert("serde_json", Item::Value(Value::from("1")));
    let mut section = Item::Table(dependencies);
    if let Some(table) = section.as_table_mut() {
        table.decor_mut().set_prefix("\n");
    }
    document.insert("dependencies", section);
    if options.standalone {
        let mut workspace = Table::new();
        workspace.decor_mut().set_prefix("\n# Outside any workspace: this crate is its own.\n");
        document.insert("workspace", Item::Table(workspace));
    }
    document.to_string()
}

/// Named types in a type use.
fn named_ids(ty: &TypeRef, out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Named(id) => {
            out.insert(*id);
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => named_ids(inner, out),
        _ => {}
    }
}

/// Every named type reachable from `roots` through fields, extra maps and variants.
fn reachable(api: &Api, roots: &BTreeSet<TypeId>) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<TypeId> = roots.iter().copied().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let mut next = BTreeSet::new();
        match &api.type_def(id).kind {
            TypeKind::Struct(def) => {
                def.fields.iter().for_each(|field| named_ids(&field.ty, &mut next));
                named_ids(&def.extra_ty, &mut next);
            }
            TypeKind::Union(def) => def.variants.iter().for_each(|variant| named_ids(&variant.ty, &mut next)),
            TypeKind::Enum(_) => {}
        }
        stack.extend(next.into_iter().filter(|id| !seen.contains(id)));
    }
    seen
}

/// The type's spelling in the check crate.
fn type_text(api: &Api, ty: &TypeRef) -> String {
    rust_type_text_in(api, ty, SDK)
}

fn builder_name(api: &Api, id: TypeId) -> String {
    format!("build_{}", api.type_def(id).module)
}

/// A value of `ty`, or `None` when it has none (or would call the builder of `current`).
fn value(api: &Api, buildable: &[bool], current: TypeId, ty: &TypeRef) -> Option<String> {
    Some(match ty {
        TypeRef::String => "String::from(\"text\")".into(),
        TypeRef::Bool => "true".into(),
        TypeRef::Integer(kind) => match kind {
            IntegerKind::I32 => "1_i32",
            IntegerKind::I64 => "1_i64",
            IntegerKind::U32 => "1_u32",
            IntegerKind::U64 => "1_u64",
        }
        .into(),
        TypeRef::Float => "1.5_f64".into(),
        TypeRef::Json => "serde_json::Value::Null".into(),
        TypeRef::File => format!("{SDK}::File::from_bytes(b\"contents\".to_vec())"),
        TypeRef::Array(item) => format!("Vec::<{}>::new()", type_text(api, item)),
        TypeRef::Map(value) => format!("std::collections::BTreeMap::<String, {}>::new()", type_text(api, value)),
        TypeRef::Nullable(inner) => format!("None::<{}>", type_text(api, inner)),
        TypeRef::Named(id) => {
            let def = api.type_def(*id);
            match &def.kind {
                TypeKind::Enum(body) => match body.variants.first() {
                    Some(first) => format!("{SDK}::types::{}::{}", def.name, first.rust_name),
                    None => format!("{SDK}::types::{}::{}(String::from(\"text\"))", def.name, body.unknown_variant),
                },
                _ if *id == current || !buildable[id.0] => return None,
                _ => format!("{}()", builder_name(api, *id)),
            }
        }
    })
}

/// A value for a setter or a `From` conversion: a nullable type's inner value.
fn inner_value(api: &Api, buildable: &[bool], current: TypeId, ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Nullable(inner) => value(api, buildable, current, inner),
        other => value(api, buildable, current, other),
    }
}

/// `pub fn build_<module>() -> sdk::types::Name { ... }`.
fn builder(api: &Api, buildable: &[bool], id: TypeId) -> String {
    let def = api.type_def(id);
    let name = format!("{SDK}::types::{}", def.name);
    let expression = match &def.kind {
        TypeKind::Struct(body) => {
            let arguments: Vec<String> = body
                .fields
                .iter()
                .filter(|field| field.required && field.default.is_none())
                .map(|field| {
                    // A required self-reference is nullable (else the type has no value): `None`.
                    value(api, buildable, id, &field.ty).unwrap_or_else(|| "None".into())
                })
                .collect();
            let mut expression = format!("{name}::{}({})", body.constructor, arguments.join(", "));
            for field in &body.fields {
                let Some(setter) = &field.setter else { continue };
                if let Some(value) = inner_value(api, buildable, id, &field.ty) {
                    expression.push_str(&format!(".{setter}({value})"));
                }
            }
            // The extra map's values are of `extra_ty` as it is, `Option` included.
            if let Some(value) = value(api, buildable, id, &body.extra_ty) {
                expression.push_str(&format!(".{}(String::from(\"key\"), {value})", body.extra_setter));
            }
            expression
        }
        TypeKind::Union(body) => {
            let types: Vec<String> = body.variants.iter().map(|variant| type_text(api, &variant.ty)).collect();
            let has_from = |index: usize| {
                types.iter().filter(|other| **other == types[index]).count() == 1
                    && body.variants[index].ty != TypeRef::Named(id)
            };
            // A `From` conversion where the variant has one, else the variant itself.
            let candidates = (0..body.variants.len()).filter(|&index| has_from(index)).chain(0..body.variants.len());
            let mut chosen = None;
            for index in candidates {
                let variant = &body.variants[index];
                if let Some(value) = value(api, buildable, id, &variant.ty) {
                    chosen = Some(if has_from(index) {
                        format!("{name}::from({value})")
                    } else if variant.boxed {
                        format!("{name}::{}(Box::new({value}))", variant.rust_name)
                    } else {
                        format!("{name}::{}({value})", variant.rust_name)
                    });
                    break;
                }
            }
            chosen.unwrap_or_else(|| "unreachable!()".into())
        }
        TypeKind::Enum(_) => unreachable!("enums have no builder"),
    };
    format!("pub fn {}() -> {name} {{ {expression} }}\n", builder_name(api, id))
}
