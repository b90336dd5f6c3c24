//! One operation: its method on the resource handle, its params struct and its static spec.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{code, doc_attrs, prose};
use super::{ident, rust_type, Context};
use crate::ir::naming::Scope;
use crate::ir::{Api, BodyKind, Operation, Param, PathSegment, ResponseKind, TypeKind, TypeRef};

/// The method on the resource handle.
pub fn operation_method(context: &Context<'_>, operation: &Operation) -> TokenStream {
    let api = context.api;
    let method = ident(&operation.method_name);
    let docs = doc_attrs(&operation_docs(operation));
    let deprecated = operation.deprecated.then(|| quote!(#[deprecated]));

    let mut arguments = Vec::new();
    for param in &operation.positional {
        let name = ident(&param.rust_name);
        let ty = argument_type(api, &param.ty);
        arguments.push(quote!(#name: #ty));
    }
    let params_ident = format_ident!("params");
    if let Some(params) = &operation.params {
        let ty = ident(&params.name);
        arguments.push(quote!(#params_ident: &#ty));
    }

    let path_calls = operation.segments.iter().map(|segment| match segment {
        PathSegment::Literal(text) => quote!(.literal(#text)),
        PathSegment::Param(wire) => {
            let value = path_value(api, operation, wire);
            quote!(.param(#wire, #value))
        }
    });
    let mut statements = Vec::new();
    for param in &operation.positional {
        let name = ident(&param.rust_name);
        statements.extend(checks(param, &quote!(#name), &quote!(#name)));
    }
    if let Some(params) = &operation.params {
        for field in &params.fields {
            let name = ident(&field.rust_name);
            let access = quote!(params.#name);
            let optional = !field.required;
            // `place` names the value; `value` is how it is passed: numbers and booleans by
            // value, everything else by reference. Optional fields are bound by `if let`.
            let copy = matches!(field.ty, TypeRef::Integer(_) | TypeRef::Float(_) | TypeRef::Bool);
            let (place, value, number) = match (optional, copy) {
                (true, _) => (quote!(value), quote!(value), quote!(*value)),
                (false, true) => (access.clone(), access.clone(), access.clone()),
                (false, false) => (access.clone(), quote!(&#access), access.clone()),
            };
            let mut body = checks(field, &value, &number);
            let wire = &field.wire_name;
            match field.location {
                crate::ir::ParamLocation::Query => {
                    body.push(send_value(api, &field.ty, &place, &value, &|v| quote!(parts.query(#wire, #v);)))
                }
                crate::ir::ParamLocation::Header => {
                    body.push(send_value(api, &field.ty, &place, &value, &|v| quote!(parts.header(#wire, #v);)))
                }
                crate::ir::ParamLocation::Path => {}
            }
            if body.is_empty() {
                continue;
            }
            if optional {
                statements.push(quote!(if let Some(value) = &#access { #(#body)* }));
            } else {
                statements.extend(body);
            }
        }
        if let Some(body) = &params.body {
            let send = match &body.kind {
                BodyKind::Json { .. } => quote!(parts.json_body(value);),
                BodyKind::Form { .. } => quote!(parts.form_body_from(value);),
                BodyKind::Multipart { .. } => quote!(parts.multipart_body(value);),
                BodyKind::Text { content_type } => quote!(parts.text_body(#content_type, value.clone());),
                BodyKind::Bytes { content_type } => quote!(parts.bytes_body(#content_type, value.clone());),
            };
            if body.required {
                statements.push(quote!(let value = &params.body; #send));
            } else {
                statements.push(quote!(if let Some(value) = &params.body { #send }));
            }
        }
    }
    let (success_ty, decoder) = success(context, &operation.success.kind);
    let error_ty = operation.error.as_ref().map(|e| rust_type(api, e)).unwrap_or_else(|| quote!(serde_json::Value));
    let spec = static_name(operation);
    let mutable = (!statements.is_empty()).then(|| quote!(mut));
    quote! {
        #docs
        #deprecated
        pub fn #method(&self, #(#arguments),*) -> crate::runtime::request::Call<'a, #success_ty, #error_ty> {
            let path = crate::runtime::request::PathBuilder::new() #(#path_calls)*;
            let #mutable parts = crate::runtime::request::RequestParts::new(path);
            #(#statements)*
            crate::runtime::request::Call::new(self.client, &#spec, parts, #decoder)
        }
    }
}

/// The `static OperationSpec` for an operation.
pub fn operation_statics(_context: &Context<'_>, operation: &Operation) -> TokenStream {
    let name = static_name(operation);
    let id = &operation.id;
    let method = format_ident!("{}", operation.method);
    let template = &operation.path;
    let alternatives = operation.security.iter().map(|alternative| quote!(&[#(#alternative),*]));
    quote! {
        static #name: crate::runtime::request::OperationSpec = crate::runtime::request::OperationSpec {
            operation_id: #id,
            method: reqwest::Method::#method,
            path_template: #template,
            security: &[#(#alternatives),*],
        };
    }
}

/// The params struct and its constructor and setters.
pub fn params_struct(context: &Context<'_>, operation: &Operation, handle: &str) -> Option<TokenStream> {
    let api = context.api;
    let params = operation.params.as_ref()?;
    let name = ident(&params.name);
    let mut fields = Vec::new();
    let mut required_args = Vec::new();
    let mut required_inits = Vec::new();
    let mut optional_inits = Vec::new();
    let mut setters = Vec::new();
    let mut setter_scope = Scope::with_reserved(&["new"]);
    for field in &params.fields {
        let field_name = ident(&field.rust_name);
        let ty = rust_type(api, &field.ty);
        let mut lines = prose_or(field.doc.as_deref(), || format!("The {} parameter.", code(&field.wire_name)));
        if let Some(max) = field.rules.max_length {
            lines.push(String::new());
            lines.push(format!("At most {max} characters; longer values are refused before sending."));
        }
        let docs = doc_attrs(&lines);
        if field.required {
            fields.push(quote!(#docs pub #field_name: #ty,));
            required_args.push(quote!(#field_name: impl Into<#ty>));
            required_inits.push(quote!(#field_name: #field_name.into(),));
        } else {
            fields.push(quote!(#docs pub #field_name: Option<#ty>,));
            optional_inits.push(quote!(#field_name: None,));
            let setter = ident(&setter_scope.claim(&field.rust_name));
            let doc = format!(" Sets {}.", code(&field.wire_name));
            setters.push(quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                    self.#field_name = Some(value.into());
                    self
                }
            });
        }
    }
    if let Some(body) = &params.body {
        let ty = body_type(api, &body.kind);
        let docs = doc_attrs(&prose_or(body.doc.as_deref(), || "The request body.".to_string()));
        if body.required {
            fields.push(quote!(#docs pub body: #ty,));
            required_args.push(quote!(body: impl Into<#ty>));
            required_inits.push(quote!(body: body.into(),));
        } else {
            fields.push(quote!(#docs pub body: Option<#ty>,));
            optional_inits.push(quote!(body: None,));
            let setter = ident(&setter_scope.claim("body"));
            setters.push(quote! {
                #[doc = " Sets the request body."]
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                    self.body = Some(value.into());
                    self
                }
            });
        }
    }
    let doc = format!(" Parameters for [`{handle}::{method}`].", method = operation.method_name);
    // With nothing required, `new()` takes no arguments and `Default` is the same thing.
    let default = required_args.is_empty().then(|| quote!(Default,));
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #[doc = " Parameters with the required values set and the optional ones unset."]
            pub fn new(#(#required_args),*) -> Self {
                Self {
                    #(#required_inits)*
                    #(#optional_inits)*
                }
            }

            #(#setters)*
        }
    })
}

/// Spec prose, or a fallback line when the spec says nothing (or only whitespace).
fn prose_or(text: Option<&str>, fallback: impl FnOnce() -> String) -> Vec<String> {
    let lines = text.map(prose).unwrap_or_default();
    if lines.is_empty() {
        vec![fallback()]
    } else {
        lines
    }
}

fn static_name(operation: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", operation.method_name.trim_end_matches('_').to_shouty_snake_case())
}

fn operation_docs(operation: &Operation) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(summary) = &operation.summary {
        lines.extend(prose(summary));
    }
    if let Some(description) = &operation.description {
        let description = prose(description);
        if !description.is_empty() && Some(&description) != operation.summary.as_ref().map(|s| prose(s)).as_ref() {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.extend(description);
        }
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(format!("`{} {}`", operation.method, operation.path.replace('`', "'")));
    for (heading, items) in &operation.doc_lists {
        lines.push(String::new());
        lines.push(format!("{heading}: {}", items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", ")));
    }
    // Positional arguments have no struct field to carry their docs; list them here.
    let arguments: Vec<String> = operation.positional.iter().map(argument_doc).collect();
    if !arguments.is_empty() {
        lines.push(String::new());
        lines.push("# Arguments".to_string());
        lines.push(String::new());
        lines.extend(arguments);
    }
    lines
}

/// `- `user_id`: UUID. At most 36 characters.`
fn argument_doc(param: &Param) -> String {
    let mut text = format!("- {}", code(&param.rust_name));
    let doc = param.doc.as_deref().map(prose).unwrap_or_default().join(" ");
    let mut details = Vec::new();
    if !doc.is_empty() {
        details.push(doc);
    }
    if let Some(max) = param.rules.max_length {
        details.push(format!("At most {max} characters."));
    }
    if let Some(pattern) = &param.rules.pattern {
        details.push(format!("Matches {}.", code(pattern)));
    }
    if !details.is_empty() {
        text.push_str(": ");
        text.push_str(&details.join(" "));
    }
    text
}

/// How a positional argument is taken: strings by `&str`, numbers and booleans by value,
/// everything else by reference.
fn argument_type(api: &Api, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(&str),
        TypeRef::Integer(_) | TypeRef::Float(_) | TypeRef::Bool => rust_type(api, ty),
        other => {
            let ty = rust_type(api, other);
            quote!(&#ty)
        }
    }
}

/// The `&str` to put in the path for parameter `wire`.
fn path_value(api: &Api, operation: &Operation, wire: &str) -> TokenStream {
    if let Some(param) = operation.positional.iter().find(|p| p.wire_name == wire) {
        let name = ident(&param.rust_name);
        return as_str(api, &param.ty, quote!(#name), true);
    }
    let field = operation
        .params
        .as_ref()
        .and_then(|p| p.fields.iter().find(|f| f.wire_name == wire))
        .expect("every template parameter is positional or in the params struct");
    let name = ident(&field.rust_name);
    as_str(api, &field.ty, quote!(params.#name), false)
}

/// An expression of type `&str` for a scalar value.
fn as_str(api: &Api, ty: &TypeRef, value: TokenStream, by_value: bool) -> TokenStream {
    match ty {
        TypeRef::String if by_value => value,
        TypeRef::String => quote!(&#value),
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => quote!(#value.as_str()),
        TypeRef::Integer(_) | TypeRef::Float(_) | TypeRef::Bool => quote!(&#value.to_string()),
        // Unions, objects and arrays have no `Display`; they travel as their JSON text.
        _ if by_value => quote!(&crate::runtime::request::param_text(#value)),
        _ => quote!(&crate::runtime::request::param_text(&#value)),
    }
}

/// Validation statements for one parameter value (`value` is a `&T` or, for positional
/// strings, a `&str`).
/// Checks of a parameter's rules: `value` is the string by reference, `number` the number
/// by value.
fn checks(param: &Param, value: &TokenStream, number: &TokenStream) -> Vec<TokenStream> {
    let name = &param.wire_name;
    let rules = &param.rules;
    let mut out = Vec::new();
    let is_string = matches!(param.ty, TypeRef::String);
    if is_string && rules.has_string_rules() {
        let max = option_tokens(rules.max_length);
        let min = option_tokens(rules.min_length);
        let pattern = match &rules.pattern {
            Some(p) => quote!(Some(#p)),
            None => quote!(None),
        };
        let allowed = &rules.allowed;
        out.push(quote! {
            crate::runtime::validate::check_string(&mut parts, #name, #value, &crate::runtime::validate::StringRules {
                max_length: #max,
                min_length: #min,
                pattern: #pattern,
                allowed: &[#(#allowed),*],
            });
        });
    }
    let is_number = matches!(param.ty, TypeRef::Integer(_) | TypeRef::Float(_));
    if is_number && (rules.minimum.is_some() || rules.maximum.is_some()) {
        let min = option_tokens(rules.minimum);
        let max = option_tokens(rules.maximum);
        let number = match param.ty {
            TypeRef::Float(crate::ir::FloatKind::F64) => number.clone(),
            _ => quote!(#number as f64),
        };
        out.push(quote!(crate::runtime::validate::check_number(&mut parts, #name, #number, #min, #max);));
    }
    out
}

/// `Some(<literal>)` or `None`, with unsuffixed literals (`Some(36)`, not `Some(36usize)`).
fn option_tokens<T: UnsuffixedLiteral>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => {
            let literal = value.literal();
            quote!(Some(#literal))
        }
        None => quote!(None),
    }
}

trait UnsuffixedLiteral {
    fn literal(self) -> proc_macro2::Literal;
}

impl UnsuffixedLiteral for usize {
    fn literal(self) -> proc_macro2::Literal {
        proc_macro2::Literal::usize_unsuffixed(self)
    }
}

impl UnsuffixedLiteral for f64 {
    fn literal(self) -> proc_macro2::Literal {
        proc_macro2::Literal::f64_unsuffixed(self)
    }
}

/// Sends a query or header value: arrays as repeated pairs, scalars with `to_string`,
/// structured values as JSON text.
/// Sends a parameter's value with `send`: `place` names it (for iterating a list), `value`
/// is the expression to pass for a scalar.
fn send_value(
    api: &Api,
    ty: &TypeRef,
    place: &TokenStream,
    value: &TokenStream,
    send: &dyn Fn(TokenStream) -> TokenStream,
) -> TokenStream {
    match ty {
        TypeRef::Array(item) => match item.as_ref() {
            // A list of nullable items sends the items that are present.
            TypeRef::Nullable(inner) => {
                let each = send_value(api, inner, &quote!(item), &quote!(item), send);
                quote!(for item in #place.iter().flatten() { #each })
            }
            item => {
                let each = send_value(api, item, &quote!(item), &quote!(item), send);
                quote!(for item in #place.iter() { #each })
            }
        },
        TypeRef::Nullable(inner) => {
            let each = send_value(api, inner, &quote!(value), &quote!(value), send);
            quote!(if let Some(value) = #value { #each })
        }
        TypeRef::String | TypeRef::Bool | TypeRef::Integer(_) | TypeRef::Float(_) | TypeRef::Json => {
            send(value.clone())
        }
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => send(value.clone()),
        TypeRef::Named(_) | TypeRef::Map(_) => send(quote!(crate::runtime::request::param_text(#value))),
    }
}

/// The success type and the decoder expression.
fn success(context: &Context<'_>, kind: &ResponseKind) -> (TokenStream, TokenStream) {
    let api = context.api;
    match kind {
        // An envelope whose field is missing or null still yields a value when the type has
        // a natural empty value (a struct of optional fields): one odd response must not fail
        // a call the caller could otherwise use.
        ResponseKind::Json { ty, unwrap: Some(field) }
            if context.has_default(ty) && matches!(ty, TypeRef::Named(_)) =>
        {
            (rust_type(api, ty), quote!(crate::runtime::request::Decoder::json_field_or_default(#field)))
        }
        ResponseKind::Json { ty, unwrap: Some(field) } => {
            (rust_type(api, ty), quote!(crate::runtime::request::Decoder::json_field(#field)))
        }
        ResponseKind::Json { ty, unwrap: None } => {
            (rust_type(api, ty), quote!(crate::runtime::request::Decoder::json()))
        }
        ResponseKind::Text => (quote!(String), quote!(crate::runtime::request::Decoder::text())),
        ResponseKind::Bytes => (quote!(bytes::Bytes), quote!(crate::runtime::request::Decoder::bytes())),
        ResponseKind::Empty => (quote!(()), quote!(crate::runtime::request::Decoder::empty())),
    }
}

fn body_type(api: &Api, kind: &BodyKind) -> TokenStream {
    match kind {
        BodyKind::Json { ty, .. } | BodyKind::Form { ty } | BodyKind::Multipart { ty } => rust_type(api, ty),
        BodyKind::Text { .. } => quote!(String),
        BodyKind::Bytes { .. } => quote!(bytes::Bytes),
    }
}
