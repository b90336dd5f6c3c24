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
        let docs = doc_attrs(&field_docs(field));
        quote! { #docs pub #field_name: #ty, }
    });
    // Each field is one line in each direction; the shared work is in `runtime::object`.
    let decode = body.fields.iter().map(|field| {
        let field_name = ident(&field.rust_name);
        let wire = &field.wire_name;
        if field.required {
            quote!(#field_name: fields.required(#wire)?,)
        } else {
            quote!(#field_name: fields.optional(#wire),)
        }
    });
    let encode = body.fields.iter().map(|field| {
        let field_name = ident(&field.rust_name);
        let wire = &field.wire_name;
        if field.required {
            quote!(object.required(#wire, &self.#field_name)?;)
        } else {
            quote!(object.optional(#wire, &self.#field_name)?;)
        }
    });
    let extra_name = ident(&body.extra_name);
    let extra_ty = rust_type(api, &body.extra_ty);
    let derive_default = context.has_default(&TypeRef::Named(id));
    let default = derive_default.then(|| quote!(, Default));
    quote! {
        use crate::runtime::object;

        #docs
        #[derive(Debug, Clone, PartialEq #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #[doc = " Properties the spec does not list, kept so that nothing the server sends is lost."]
            pub #extra_name: std::collections::BTreeMap<String, #extra_ty>,
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                object::deserialize(deserializer)
            }
        }

        impl object::FromFields for #name {
            fn from_fields(fields: &mut object::Fields) -> Result<Self, object::FieldError> {
                Ok(Self {
                    #(#decode)*
                    #extra_name: fields.rest()?,
                })
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut object = object::Writer::new(serializer)?;
                #(#encode)*
                object.end(&self.#extra_name)
            }
        }
    }
}

fn enum_item(body: &EnumDef, docs: TokenStream, name: proc_macro2::Ident) -> TokenStream {
    let variants = body.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let doc = format!(" `{}`", variant.wire.replace('`', "'"));
        quote! { #[doc = #doc] #variant_name, }
    });
    let to_wire = body.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let wire = &variant.wire;
        quote!(Self::#variant_name => #wire,)
    });
    let from_wire = body.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let wire = &variant.wire;
        quote!(#wire => Self::#variant_name,)
    });
    let unknown = ident(&body.unknown_variant);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            #[doc = " A value this version of the SDK does not know; kept as sent."]
            #unknown(String),
        }

        impl #name {
            #[doc = " The value as sent on the wire."]
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from_wire)*
                    _ => Self::#unknown(value),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
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
    // Alternatives are tried in the spec's order; the first that fits wins.
    let tries = body.variants.iter().map(|variant| {
        let variant_name = format_ident!("{}", variant.rust_name);
        quote! {
            if let Some(value) = object::try_alternative(&value) {
                return Ok(Self::#variant_name(value));
            }
        }
    });
    let writes = body.variants.iter().map(|variant| {
        let variant_name = format_ident!("{}", variant.rust_name);
        quote!(Self::#variant_name(value) => serde::Serialize::serialize(value, serializer),)
    });
    let (unknown_variant, unknown_arm, fallback) = match &body.unknown_variant {
        Some(unknown) => {
            let unknown = ident(unknown);
            (
                quote! {
                    #[doc = " A value matching none of the alternatives; kept as sent."]
                    #unknown(serde_json::Value),
                },
                quote!(Self::#unknown(value) => serde::Serialize::serialize(value, serializer),),
                quote!(Ok(Self::#unknown(value))),
            )
        }
        None => {
            let type_name = name.to_string();
            (quote!(), quote!(), quote!(Err(object::no_alternative(#type_name))))
        }
    };
    quote! {
        use crate::runtime::object;

        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            #unknown_variant
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                #(#tries)*
                #fallback
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#writes)*
                    #unknown_arm
                }
            }
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
