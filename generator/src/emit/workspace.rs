//! The workspace layout (`[output] layout = "workspace"`, [`crate::ir::Workspace`]): the same
//! files as one crate, placed in crates that cargo compiles in parallel.
//!
//! - the facade, the package itself at the root: `Client` (a newtype around the core's
//!   client, so that the resource accessors stay inherent methods), its `ClientBuilder`, the
//!   API description, the README, and `types` and `resources` modules re-exporting the others;
//! - the core crate: the runtime, the webhooks and the types several resource crates share;
//! - the resource crates: top-level resources with their handles, operations and own types.
//!
//! Every crate has `types` and (hidden) `runtime` at its root, so generated code and doc links
//! written as `crate::types::X` and `crate::runtime::...` resolve in whichever crate holds them.

use proc_macro2::TokenStream;
use quote::quote;

use super::escape::code;
use super::source::Source;
use super::{ident, Context, EmittedFile, Job};
use crate::ir::{MemberCrate, Workspace};

/// Runs one job of the workspace layout.
pub fn emit_job(context: &Context<'_>, workspace: &Workspace, job: &Job<'_>) -> Vec<EmittedFile> {
    match job {
        Job::Cargo => super::cargo::workspace_manifests(context, workspace),
        Job::Contract => vec![super::contract::contract_file(context)],
        Job::Readme => vec![super::readme::readme(context)],
        Job::Root => root_files(context, workspace),
        Job::TypesMod => std::iter::once(&workspace.core)
            .chain(&workspace.members)
            .map(|member| types_mod(context, workspace, member))
            .collect(),
        Job::Type(index) => {
            let home = home_of_type(workspace, *index);
            vec![relocate(super::types::type_file(context, *index), home)]
        }
        Job::ResourcesMod => {
            let mut files = vec![facade_resources(context, workspace)];
            files.extend(workspace.members.iter().map(|member| member_resources(context, member)));
            files
        }
        Job::Webhooks => vec![relocate(super::webhooks::webhooks_file(context), &workspace.core)],
        Job::Resource(resource, path) => {
            let home = home_of_resource(workspace, &path[0]);
            vec![relocate(super::resources::resource_module(context, resource, path), home)]
        }
    }
}

/// The crate that holds a type.
fn home_of_type(workspace: &Workspace, index: usize) -> &MemberCrate {
    let id = crate::ir::TypeId(index);
    workspace.members.iter().find(|member| member.types.binary_search(&id).is_ok()).unwrap_or(&workspace.core)
}

/// The crate that holds a top-level resource (the core, should the model lack it).
fn home_of_resource<'a>(workspace: &'a Workspace, resource: &str) -> &'a MemberCrate {
    workspace.members.iter().find(|member| member.resources.iter().any(|r| r == resource)).unwrap_or(&workspace.core)
}

/// A file of the one-crate layout, moved under a member crate's folder.
fn relocate(file: EmittedFile, member: &MemberCrate) -> EmittedFile {
    let moved = |path: String| format!("{}/{path}", member.dir);
    match file {
        EmittedFile::Rust { path, module_doc, tokens } => EmittedFile::Rust { path: moved(path), module_doc, tokens },
        EmittedFile::Source { path, module_doc, text } => EmittedFile::Source { path: moved(path), module_doc, text },
        EmittedFile::Verbatim { path, text } => EmittedFile::Verbatim { path: moved(path), text },
        EmittedFile::Text { path, text, comment } => EmittedFile::Text { path: moved(path), text, comment },
    }
}

/// The `#[cfg(...)]` of a resource crate in the facade: any of its resources' features.
fn member_gate(context: &Context<'_>, member: &MemberCrate) -> Option<TokenStream> {
    let features: Vec<&String> = member
        .resources
        .iter()
        .filter_map(|name| context.api.resources.children.get(name).and_then(|r| r.feature.as_ref()))
        .collect();
    match features.as_slice() {
        [] => None,
        [one] => Some(quote!(#[cfg(feature = #one)])),
        many => Some(quote!(#[cfg(any(#(feature = #many),*))])),
    }
}

/// A crate's `src/types/mod.rs`: its own types, and for a resource crate the core's by glob.
fn types_mod(context: &Context<'_>, workspace: &Workspace, member: &MemberCrate) -> EmittedFile {
    let mut modules: Vec<(&str, &str, usize)> = member
        .types
        .iter()
        .map(|id| {
            let def = context.api.type_def(*id);
            (def.module.as_str(), def.name.as_str(), id.0)
        })
        .collect();
    modules.sort();
    let mut out = Source::default();
    if member.dir != workspace.core.dir {
        out.line(0, "// The types several resource crates share (those this crate uses may be none).");
        out.line(0, "#[allow(unused_imports)]");
        out.line(0, format_args!("pub use {}::types::*;", workspace.core.library));
        out.blank();
    }
    for (module, name, index) in modules {
        let gate = context.type_gate(crate::ir::TypeId(index));
        for item in [format!("mod {module};"), format!("pub use {module}::{name};")] {
            if let Some(gate) = &gate {
                out.text.push_str(gate);
            }
            out.line(0, &item);
        }
    }
    relocate(
        EmittedFile::Source {
            path: "src/types/mod.rs".into(),
            module_doc: vec!["Types of request and response bodies, from the spec's schemas.".into()],
            text: out.text,
        },
        member,
    )
}

/// The facade's `src/resources.rs`: each top-level resource's module, from its crate.
fn facade_resources(context: &Context<'_>, workspace: &Workspace) -> EmittedFile {
    let modules = context.api.resources.children.iter().map(|(name, child)| {
        let module = ident(name);
        let library = ident(&home_of_resource(workspace, name).library);
        let gate = context.resource_gate(child);
        quote!(#gate pub use #library::resources::#module;)
    });
    EmittedFile::Rust {
        path: "src/resources.rs".into(),
        module_doc: vec!["The API's resources; start from the accessors on [`Client`](crate::Client).".into()],
        tokens: quote!(#(#modules)*),
    }
}

/// A resource crate's `src/resources/mod.rs`.
fn member_resources(context: &Context<'_>, member: &MemberCrate) -> EmittedFile {
    let modules = member.resources.iter().filter_map(|name| {
        let child = context.api.resources.children.get(name)?;
        let module = ident(name);
        let gate = context.resource_gate(child);
        let inception = (name == "resources").then(|| quote!(#[allow(clippy::module_inception)]));
        Some(quote!(#gate #inception pub mod #module;))
    });
    relocate(
        EmittedFile::Rust {
            path: "src/resources/mod.rs".into(),
            module_doc: vec!["Resources of this crate, re-exported by the SDK's `resources` module.".into()],
            tokens: quote!(#(#modules)*),
        },
        member,
    )
}

/// Every crate's root, the facade's client and API description, and the runtime in the core.
fn root_files(context: &Context<'_>, workspace: &Workspace) -> Vec<EmittedFile> {
    let api = context.api;
    let package = code(&api.package.name);
    let mut files = Vec::new();
    // The core: the runtime, the shared types, the webhooks.
    for file in super::root::runtime_files() {
        files.push(relocate(file, &workspace.core));
    }
    let allow_deprecated = super::root::has_deprecations(api).then(|| quote!(#[allow(deprecated)]));
    let webhooks_module = (!api.webhooks.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            #allow_deprecated
            pub mod webhooks;
        }
    });
    let exports = super::root::runtime_exports();
    files.push(relocate(
        EmittedFile::Rust {
            path: "src/lib.rs".into(),
            module_doc: vec![format!(
                "The runtime and the shared types of {package}, which re-exports them; depend on {package}."
            )],
            tokens: quote! {
                #![deny(missing_docs)]
                #![forbid(unsafe_code)]

                // The runtime is what generated code calls; it is no part of the public API.
                #[doc(hidden)]
                #[rustfmt::skip]
                pub mod runtime;
                #[rustfmt::skip]
                #allow_deprecated
                pub mod types;
                #webhooks_module

                pub use runtime::client::{Client, ClientBuilder, Config};
                #exports
            },
        },
        &workspace.core,
    ));
    let core = ident(&workspace.core.library);
    for member in &workspace.members {
        let names: Vec<String> = member.resources.iter().map(|name| code(name)).collect();
        files.push(relocate(
            EmittedFile::Rust {
                path: "src/lib.rs".into(),
                module_doc: vec![format!(
                    "The {} resource(s) of {package}, which re-exports them; depend on {package}.",
                    names.join(", ")
                )],
                tokens: quote! {
                    #![deny(missing_docs)]
                    #![forbid(unsafe_code)]

                    // The core's root (`runtime`, `Client`, `File`, `Error`, ...), so that
                    // generated code's `crate::` paths resolve here as in one crate.
                    #[doc(hidden)]
                    pub use #core::*;
                    #[rustfmt::skip]
                    #allow_deprecated
                    pub mod resources;
                    #[rustfmt::skip]
                    #allow_deprecated
                    pub mod types;
                },
            },
            member,
        ));
    }
    files.push(facade_lib(context, workspace));
    files.push(facade_client(context));
    files.push(super::root::api_rs(context, true));
    files.push(facade_types(context, workspace));
    files
}

/// The facade's `src/types.rs`: the core's types and those of every enabled resource crate.
fn facade_types(context: &Context<'_>, workspace: &Workspace) -> EmittedFile {
    let core = ident(&workspace.core.library);
    let members = workspace.members.iter().map(|member| {
        let library = ident(&member.library);
        let gate = member_gate(context, member);
        // A crate's own types may all be another feature's, or none.
        quote!(#gate #[allow(unused_imports)] pub use #library::types::*;)
    });
    EmittedFile::Rust {
        path: "src/types.rs".into(),
        module_doc: vec!["Types of request and response bodies, from the spec's schemas.".into()],
        tokens: quote! {
            pub use #core::types::*;
            #(#members)*
        },
    }
}

fn facade_lib(context: &Context<'_>, workspace: &Workspace) -> EmittedFile {
    let api = context.api;
    let core = ident(&workspace.core.library);
    let webhooks = (!api.webhooks.is_empty()).then(|| quote!(pub use #core::webhooks;));
    let exports = super::root::runtime_exports();
    let tokens = quote! {
        #![doc = include_str!("../README.md")]
        #![deny(missing_docs)]
        #![forbid(unsafe_code)]

        // The generator formats its output with prettyplease; rustfmt would only reflow it.
        #[rustfmt::skip]
        mod api;
        #[rustfmt::skip]
        mod client;
        #[rustfmt::skip]
        pub mod resources;
        #[rustfmt::skip]
        pub mod types;
        // The runtime is what generated code calls; it is no part of the public API.
        #[doc(hidden)]
        pub use #core::runtime;
        #webhooks

        pub use client::{Client, ClientBuilder};
        pub use runtime::client::Config;
        #exports
    };
    EmittedFile::Rust { path: "src/lib.rs".into(), module_doc: Vec::new(), tokens }
}

/// The facade's `src/client.rs`: `Client` wraps the runtime's client (it dereferences to it,
/// so its methods are the runtime's) and owns the accessors and constructors; `ClientBuilder`
/// forwards every setter of the runtime's builder, with its documentation.
fn facade_client(context: &Context<'_>) -> EmittedFile {
    let (client_doc, builder_doc, forwarded) = runtime_builder();
    let accessors = super::root::resource_accessors(context, quote!(crate::resources), quote!(&self.0));
    let (builder, from_env) = super::root::constructor_docs(context);
    let tokens = quote! {
        use std::time::Duration;

        use crate::runtime::client as runtime;
        use crate::Error;

        #client_doc
        #[derive(Debug, Clone)]
        pub struct Client(runtime::Client);

        impl std::ops::Deref for Client {
            type Target = runtime::Client;

            fn deref(&self) -> &runtime::Client {
                &self.0
            }
        }

        impl Client {
            #builder
            pub fn builder() -> ClientBuilder {
                ClientBuilder(runtime::ClientBuilder::new(&crate::api::API))
            }

            #from_env
            pub fn from_env() -> Result<Client, Error> {
                Client::builder().from_env().build()
            }

            #(#accessors)*
        }

        #builder_doc
        #[derive(Debug)]
        pub struct ClientBuilder(runtime::ClientBuilder);

        impl ClientBuilder {
            #(#forwarded)*
        }
    };
    EmittedFile::Rust {
        path: "src/client.rs".into(),
        module_doc: vec!["The client, its builder and the resource accessors.".into()],
        tokens,
    }
}

/// From the runtime's `client.rs`: the docs of `Client` and `ClientBuilder`, and a forwarding
/// method for every public method of `ClientBuilder` that takes `self` (all but `new`), with
/// the same signature and docs: a setter returns `Self(...)`, `build` wraps its client.
fn runtime_builder() -> (TokenStream, TokenStream, Vec<TokenStream>) {
    let source = super::root::RUNTIME_MODULES.iter().find(|(name, _)| *name == "client").map(|(_, text)| *text);
    // The runtime is part of the generator, so it always parses; `unwrap_or` keeps a broken
    // build from panicking here (the facade then fails to compile, loudly).
    let file = source.and_then(|text| syn::parse_file(text).ok());
    let items = file.map(|file| file.items).unwrap_or_default();
    let docs = |name: &str| -> TokenStream {
        items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(item) if item.ident == name => {
                    let attrs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
                    Some(quote!(#(#attrs)*))
                }
                _ => None,
            })
            .unwrap_or_default()
    };
    let mut forwarded = Vec::new();
    for item in &items {
        let syn::Item::Impl(block) = item else { continue };
        let is_builder = block.trait_.is_none()
            && matches!(&*block.self_ty, syn::Type::Path(path) if path.path.is_ident("ClientBuilder"));
        if !is_builder {
            continue;
        }
        for member in &block.items {
            let syn::ImplItem::Fn(method) = member else { continue };
            if !matches!(method.vis, syn::Visibility::Public(_)) || method.sig.receiver().is_none() {
                continue;
            }
            let attrs = method.attrs.iter().filter(|a| a.path().is_ident("doc"));
            let name = &method.sig.ident;
            let mut inputs = Vec::new();
            let mut arguments = Vec::new();
            for input in &method.sig.inputs {
                if let syn::FnArg::Typed(typed) = input {
                    if let syn::Pat::Ident(pattern) = &*typed.pat {
                        let argument = &pattern.ident;
                        let ty = &typed.ty;
                        inputs.push(quote!(#argument: #ty));
                        arguments.push(quote!(#argument));
                    }
                }
            }
            let generics = &method.sig.generics;
            let output = &method.sig.output;
            let returns_self = matches!(output, syn::ReturnType::Type(_, ty) if matches!(&**ty, syn::Type::Path(p) if p.path.is_ident("Self")));
            let body = if returns_self {
                quote!(Self(self.0.#name(#(#arguments),*)))
            } else {
                quote!(self.0.#name(#(#arguments),*).map(Client))
            };
            forwarded.push(quote! {
                #(#attrs)*
                pub fn #name #generics (self, #(#inputs),*) #output {
                    #body
                }
            });
        }
    }
    (docs("Client"), docs("ClientBuilder"), forwarded)
}

/// The names of the builder methods the facade forwards.
#[cfg(test)]
fn forwarded_builder_methods() -> Vec<String> {
    runtime_builder()
        .2
        .iter()
        .filter_map(|tokens| {
            let text = tokens.to_string();
            let after = text.split("pub fn ").nth(1)?;
            Some(after.split(|c: char| !c.is_alphanumeric() && c != '_').next()?.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_facade_forwards_every_setter_of_the_runtime_builder() {
        let methods = super::forwarded_builder_methods();
        for expected in ["credential", "from_env", "base_url", "timeout", "max_retries", "http_client", "build"] {
            assert!(methods.iter().any(|m| m == expected), "{expected} not forwarded: {methods:?}");
        }
        assert!(!methods.iter().any(|m| m == "new"), "new is the facade's own: {methods:?}");
    }
}
