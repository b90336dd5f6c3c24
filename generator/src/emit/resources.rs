//! `src/resources/`: the resource tree as borrowing handles, one module per resource.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc_attrs};
use super::operations::{operation_method, operation_statics, params_struct};
use super::{ident, Context, EmittedFile};
use crate::ir::Resource;

/// `src/resources/mod.rs`: the top-level resource modules.
pub fn resources_mod(context: &Context<'_>) -> EmittedFile {
    let modules = context.api.resources.children.keys().map(|name| {
        let module = ident(name);
        let gate = context.resource_gate(name);
        // An API resource called `resources` mirrors the API; renaming it would hide that.
        let inception = (name == "resources").then(|| quote!(#[allow(clippy::module_inception)]));
        quote!(#gate #inception pub mod #module;)
    });
    EmittedFile::Rust {
        path: "src/resources/mod.rs".into(),
        module_doc: vec!["The API's resources; start from the accessors on [`Client`](crate::Client).".into()],
        tokens: quote!(#(#modules)*),
    }
}

/// Every resource below the root with its path of module names, depth first.
pub fn all_resources(root: &Resource) -> Vec<(&Resource, Vec<String>)> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Resource, Vec<String>)> =
        root.children.values().rev().map(|child| (child, vec![child.name.clone()])).collect();
    while let Some((resource, path)) = stack.pop() {
        for child in resource.children.values().rev() {
            let mut child_path = path.clone();
            child_path.push(child.name.clone());
            stack.push((child, child_path));
        }
        out.push((resource, path));
    }
    out
}

/// One resource's module: its handle, its operations, its params structs, its sub-modules.
pub fn resource_module(context: &Context<'_>, resource: &Resource, parents: &[String]) -> EmittedFile {
    let dotted = parents.join(".");
    let path = if resource.children.is_empty() {
        format!("src/resources/{}.rs", parents.join("/"))
    } else {
        format!("src/resources/{}/mod.rs", parents.join("/"))
    };
    let handle = ident(&resource.handle);
    let submodules = resource.children.keys().map(|name| {
        let module = ident(name);
        // `zones::zones` mirrors the API's own grouping; renaming it would hide that.
        let inception = (name == &resource.name).then(|| quote!(#[allow(clippy::module_inception)]));
        quote!(#inception pub mod #module;)
    });
    let accessors = resource.children.values().map(|child| child_accessor(child, quote!(self.client)));
    let operations: Vec<_> = resource.operations.iter().map(|&index| &context.api.operations[index]).collect();
    let methods = operations.iter().map(|operation| operation_method(context, operation));
    let statics = operations.iter().map(|operation| operation_statics(context, operation));
    let params = operations.iter().filter_map(|operation| params_struct(context, operation, &resource.handle));
    let handle_doc = format!(" Operations on {}.", code(&dotted));
    let tokens = quote! {
        #(#submodules)*

        #[doc = #handle_doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #handle<'a> {
            client: &'a crate::Client,
        }

        impl<'a> #handle<'a> {
            pub(crate) fn new(client: &'a crate::Client) -> Self {
                Self { client }
            }

            #(#accessors)*

            #(#methods)*
        }

        #(#params)*

        #(#statics)*
    };
    EmittedFile::Rust { path, module_doc: vec![format!("The {} resource.", code(&dotted))], tokens }
}

/// `pub fn users(&self) -> users::Users<'a>`, used on handles and (with `'_`) on the client.
pub fn child_accessor(child: &Resource, client: TokenStream) -> TokenStream {
    let module = ident(&child.name);
    let handle = ident(&child.handle);
    let doc = doc_attrs(&[format!("The {} resource.", code(&child.name))]);
    quote! {
        #doc
        pub fn #module(&self) -> #module::#handle<'a> {
            #module::#handle::new(#client)
        }
    }
}
