//! `src/types/`: one file per named type, re-exported from `types/mod.rs`.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{code, doc_attrs, prose};
use super::{ident, rust_type, Context, EmittedFile};
use crate::ir::{Api, EnumDef, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

/// `src/types/<module>.rs` for one type.
pub fn type_file(context: &Context<'_>, index: usize) -> EmittedFile {
    let def = &context.api.types[index];
    EmittedFile::Rust {
        path: format!("src/types/{}.rs", module_name(&def.name)),
        module_doc: vec![format!("The {} type.", code(&def.name))],
        tokens: type_item(context, crate::ir::TypeId(index), def),
    }
}

/// `src/types/mod.rs`: every type module, declared and re-exported in name order.
pub fn types_mod(context: &Context<'_>) -> EmittedFile {
    let mut modules: Vec<(String, &str, usize)> = context
        .api
        .types
        .iter()
        .enumerate()
        .map(|(index, def)| (module_name(&def.name), def.name.as_str(), index))
        .collect();
    modules.sort();
    let declarations = modules.iter().map(|(module, name, index)| {
        let module = ident(module);
        let name = ident(name);
        let gate = context.type_gate(crate::ir::TypeId(*index));
        quote! {
            #gate
            mod #module;
            #gate
            pub use #module::#name;
        }
    });
    EmittedFile::Rust {
        path: "src/types/mod.rs".into(),
        module_doc: vec!["Types of request and response bodies, from the spec's schemas.".into()],
        tokens: quote!(#(#declarations)*),
    }
}

/// The file/module name of a type: its snake_case name (type names are unique, and distinct
/// UpperCamel names give distinct snake names except for digit/case corner cases, which the
/// suffix below settles).
pub fn module_name(type_name: &str) -> String {
    let snake = type_name.to_snake_case();
    // A type `Type` or `Match` would give `mod type;`: keywords take a suffix.
    if crate::ir::naming::is_keyword(&snake) {
        format!("{snake}_type")
    } else {
        snake
    }
}

fn type_item(context: &Context<'_>, id: crate::ir::TypeId, def: &TypeDef) -> TokenStream {
    let api = context.api;
    let mut doc_lines = def.doc.as_deref().map(prose).unwrap_or_default();
    if !doc_lines.is_empty() {
        doc_lines.push(String::new());
    }
    doc_lines.push(format!("Schema: {}", code(&def.pointer)));
    let docs = doc_attrs(&doc_lines);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(body) => struct_item(context, id, body, docs, name),
        TypeKind::Enum(body) => enum_item(body, docs, name),
        TypeKind::Union(body) => union_item(api, body, docs, name),
    }
}

fn struct_item(
    context: &Context<'_>,
    id: crate::ir::TypeId,
    body: &StructDef,
    docs: TokenStream,
    name: proc_macro2::Ident,
) -> TokenStream {
    let api = context.api;
    let fields = body.fields.iter().map(|field| {
        let field_name = ident(&field.rust_name);
        let (base, nullable) = match &field.ty {
            TypeRef::Nullable(inner) => (inner.as_ref(), true),
            other => (other, false),
        };
        let mut ty = rust_type(api, base);
        if field.boxed {
            ty = quote!(Box<#ty>);
        }
        if nullable || !field.required {
            ty = quote!(Option<#ty>);
        }
        let rename = (field.rust_name != field.wire_name).then(|| {
            let wire = &field.wire_name;
            quote!(#[serde(rename = #wire)])
        });
        let docs = doc_attrs(&field_docs(field));
        if field.required {
            quote! { #docs #rename pub #field_name: #ty, }
        } else {
            quote! {
                #docs
                #rename
                #[serde(
                    default,
                    skip_serializing_if = "Option::is_none",
                    deserialize_with = "crate::runtime::response::lenient_optional"
                )]
                pub #field_name: #ty,
            }
        }
    });
    let extra_name = ident(&body.extra_name);
    let extra_ty = rust_type(api, &body.extra_ty);
    let derive_default = context.has_default(&TypeRef::Named(id));
    let default = derive_default.then(|| quote!(Default,));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #[doc = " Properties the spec does not list, kept so that nothing the server sends is lost."]
            #[serde(flatten)]
            pub #extra_name: std::collections::BTreeMap<String, #extra_ty>,
        }
    }
}

fn enum_item(body: &EnumDef, docs: TokenStream, name: proc_macro2::Ident) -> TokenStream {
    let variants = body.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let wire = &variant.wire;
        let doc = format!(" `{}`", wire.replace('`', "'"));
        let rename = (variant.rust_name != variant.wire).then(|| quote!(#[serde(rename = #wire)]));
        quote! { #[doc = #doc] #rename #variant_name, }
    });
    let arms = body.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let wire = &variant.wire;
        quote!(Self::#variant_name => #wire,)
    });
    let unknown = ident(&body.unknown_variant);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum #name {
            #(#variants)*
            #[doc = " A value this version of the SDK does not know; kept as sent."]
            #[serde(untagged)]
            #unknown(String),
        }

        impl #name {
            #[doc = " The value as sent on the wire."]
            pub fn as_str(&self) -> &str {
                match self {
                    #(#arms)*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

fn union_item(api: &Api, body: &UnionDef, docs: TokenStream, name: proc_macro2::Ident) -> TokenStream {
    let variants = body.variants.iter().map(|variant| {
        let variant_name = format_ident!("{}", variant.rust_name);
        let mut ty = rust_type(api, &variant.ty);
        if variant.boxed {
            ty = quote!(Box<#ty>);
        }
        let doc = format!(" The {} alternative.", code(&variant.rust_name));
        quote! { #[doc = #doc] #variant_name(#ty), }
    });
    let unknown = body.unknown_variant.as_ref().map(|unknown| {
        let unknown = ident(unknown);
        quote! {
            #[doc = " A value matching none of the alternatives; kept as sent."]
            #unknown(serde_json::Value),
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
            #unknown
        }
    }
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
