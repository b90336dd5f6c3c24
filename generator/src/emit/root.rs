//! The crate root (`lib.rs`), the API description (`api.rs`) and the runtime copy.

use proc_macro2::TokenStream;
use quote::quote;

use super::escape::{code, doc_attrs, inline_text, prose};
use super::{ident, Context, EmittedFile};
use crate::ir::SchemeKind;

/// The runtime sources, copied verbatim: (module name, source text).
pub const RUNTIME_MODULES: &[(&str, &str)] = &[
    ("auth", include_str!("../../runtime/src/auth.rs")),
    ("client", include_str!("../../runtime/src/client.rs")),
    ("error", include_str!("../../runtime/src/error.rs")),
    ("object", include_str!("../../runtime/src/object.rs")),
    ("page", include_str!("../../runtime/src/page.rs")),
    ("request", include_str!("../../runtime/src/request.rs")),
    ("response", include_str!("../../runtime/src/response.rs")),
    ("retry", include_str!("../../runtime/src/retry.rs")),
    ("stream", include_str!("../../runtime/src/stream.rs")),
    ("trace", include_str!("../../runtime/src/trace.rs")),
    ("union", include_str!("../../runtime/src/union.rs")),
    ("upload", include_str!("../../runtime/src/upload.rs")),
    ("validate", include_str!("../../runtime/src/validate.rs")),
];

/// `lib.rs`, `api.rs`, `runtime/mod.rs` and the runtime modules.
pub fn root_files(context: &Context<'_>) -> Vec<EmittedFile> {
    let mut files = vec![lib_rs(context), api_rs(context, false)];
    files.extend(runtime_files());
    files
}

/// `runtime/mod.rs` and the runtime modules.
pub fn runtime_files() -> Vec<EmittedFile> {
    let mut files = Vec::new();
    let modules = RUNTIME_MODULES.iter().map(|(name, _)| {
        let module = ident(name);
        quote!(pub mod #module;)
    });
    files.push(EmittedFile::Rust {
        path: "src/runtime/mod.rs".into(),
        module_doc: vec![
            "The HTTP runtime: client, authentication, retries, errors.".into(),
            String::new(),
            "These modules are the generator's hand-written runtime, copied verbatim.".into(),
        ],
        tokens: quote!(#(#modules)*),
    });
    for (name, text) in RUNTIME_MODULES {
        files.push(EmittedFile::Verbatim { path: format!("src/runtime/{name}.rs"), text: text.to_string() });
    }
    files
}

/// `Client`'s accessor of each top-level resource: `resources` is the path of the resources
/// module, `client` what the handle's constructor is given.
pub(super) fn resource_accessors(
    context: &Context<'_>,
    resources: TokenStream,
    client: TokenStream,
) -> Vec<TokenStream> {
    let accessors = context.api.resources.children.values().map(|child| {
        let module = ident(&child.name);
        let handle = ident(&child.handle);
        let constructor = ident(&child.constructor);
        let doc = doc_attrs(&[format!("The {} resource.", code(&child.name))]);
        let gate = context.resource_gate(child);
        // The API calls this resource `new`; its accessor is not a constructor.
        let allow = (child.name == "new").then(|| quote!(#[allow(clippy::new_ret_no_self)]));
        quote! {
            #doc
            #gate
            #allow
            pub fn #module(&self) -> #resources::#module::#handle<'_> {
                #resources::#module::#handle::#constructor(#client)
            }
        }
    });
    accessors.collect()
}

fn lib_rs(context: &Context<'_>) -> EmittedFile {
    let api = context.api;
    let accessors = resource_accessors(context, quote!(resources), quote!(self));
    let (builder_doc, from_env_doc) = constructor_docs(context);
    let exports = runtime_exports();
    // Generated code refers to the deprecated items it defines; only callers get the warning.
    let allow_deprecated = has_deprecations(api).then(|| quote!(#[allow(deprecated)]));
    let webhooks_module = (!api.webhooks.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            #allow_deprecated
            pub mod webhooks;
        }
    });
    let tokens = quote! {
        #![doc = include_str!("../README.md")]
        #![deny(missing_docs)]
        #![forbid(unsafe_code)]

        // The generator formats its output with prettyplease; rustfmt would only reflow it.
        #[rustfmt::skip]
        mod api;
        #[rustfmt::skip]
        #allow_deprecated
        pub mod resources;
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

        impl Client {
            #builder_doc
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new(&api::API)
            }

            #from_env_doc
            pub fn from_env() -> Result<Client, Error> {
                ClientBuilder::new(&api::API).from_env().build()
            }

            #(#accessors)*
        }
    };
    EmittedFile::Rust { path: "src/lib.rs".into(), module_doc: Vec::new(), tokens }
}

/// The crate root's re-exports of the runtime's public items (besides those of its `client`
/// module: the workspace layout's facade defines `Client` and `ClientBuilder` itself).
pub fn runtime_exports() -> TokenStream {
    quote! {
        pub use runtime::error::{ApiError, ConfigError, ConnectionError, DecodeError, Error};
        pub use runtime::error::{TimeoutError, ValidationError};
        pub use runtime::page::{ListCall, Page};
        pub use runtime::request::{Call, Content, RequestOptions};
        pub use runtime::response::ApiResponse;
        pub use runtime::retry::RetryPolicy;
        pub use runtime::stream::{ByteStream, Event, EventStream, JsonLines, Upgraded};
        pub use runtime::upload::File;
    }
}

/// The docs of `Client::builder` and `Client::from_env`.
pub fn constructor_docs(context: &Context<'_>) -> (TokenStream, TokenStream) {
    let builder = doc_attrs(&[format!("Starts building a client for the {}.", inline_text(&context.api.title))]);
    (builder, doc_attrs(&from_env_doc(context)))
}

fn from_env_doc(context: &Context<'_>) -> Vec<String> {
    let api = context.api;
    let mut lines = vec!["Builds a client from the environment:".to_string(), String::new()];
    for scheme in &api.security_schemes {
        if let Some(env) = &scheme.env {
            lines.push(format!("- {} for {}", code(env), code(&scheme.name)));
        }
    }
    if let Some(env) = &context.api.client.base_url_env {
        lines.push(format!("- {} overrides the base URL", code(env)));
    }
    lines.push(String::new());
    lines.push("Fails when no complete set of credentials is found.".into());
    lines
}

/// `api.rs`; in the workspace layout (`facade`), its setters extend the facade's own
/// `ClientBuilder`.
pub fn api_rs(context: &Context<'_>, facade: bool) -> EmittedFile {
    let api = context.api;
    let client = &api.client;
    let base_url = &api.base_url;
    let base_url_env = option_str(client.base_url_env.as_deref());
    let user_agent = &client.user_agent;
    let request_id = option_str(client.request_id_header.as_deref());
    let retry_count = option_str(client.retry_count_header.as_deref());
    let schemes = api.security_schemes.iter().map(|scheme| {
        let name = &scheme.name;
        let kind = match &scheme.kind {
            SchemeKind::Bearer => quote!(Bearer),
            SchemeKind::Basic => quote!(Basic),
            SchemeKind::Header(header) => quote!(Header(#header)),
            SchemeKind::Query(query) => quote!(Query(#query)),
            SchemeKind::Cookie(cookie) => quote!(Cookie(#cookie)),
        };
        let env = option_str(scheme.env.as_deref());
        quote! {
            crate::runtime::auth::SecurityScheme {
                name: #name,
                kind: crate::runtime::auth::SchemeKind::#kind,
                env: #env,
            },
        }
    });
    let alternatives = api.security_alternatives.iter().map(|alternative| {
        let schemes = &alternative.schemes;
        quote!(&[#(#schemes),*])
    });
    let setters = api.security_schemes.iter().map(|scheme| {
        let setter = ident(&scheme.setter);
        let name = &scheme.name;
        let mut lines = scheme.description.as_deref().map(prose).unwrap_or_default();
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(match &scheme.kind {
            SchemeKind::Bearer => "Sent as `Authorization: Bearer <value>`.".to_string(),
            SchemeKind::Basic => "Sent as HTTP Basic authentication.".to_string(),
            SchemeKind::Header(header) => format!("Sent in the {} header.", code(header)),
            SchemeKind::Query(query) => format!("Sent as the {} query parameter.", code(query)),
            SchemeKind::Cookie(cookie) => format!("Sent as the {} cookie.", code(cookie)),
        });
        match (&scheme.env, &scheme.kind) {
            (Some(env), SchemeKind::Basic) => lines.push(format!(
                "[`Client::from_env`](crate::Client::from_env) reads `user:password` from {}.",
                code(env)
            )),
            (Some(env), _) => {
                lines.push(format!("[`Client::from_env`](crate::Client::from_env) reads it from {}.", code(env)))
            }
            (None, _) => {}
        }
        let docs = doc_attrs(&lines);
        match scheme.kind {
            SchemeKind::Basic => quote! {
                #docs
                pub fn #setter(self, user: impl Into<String>, password: impl Into<String>) -> Self {
                    self.credential(#name, format!("{}:{}", user.into(), password.into()))
                }
            },
            _ => quote! {
                #docs
                pub fn #setter(self, value: impl Into<String>) -> Self {
                    self.credential(#name, value)
                }
            },
        }
    });
    let builder_import = if facade {
        quote!(
            use crate::ClientBuilder;
        )
    } else {
        quote!(
            use crate::runtime::client::ClientBuilder;
        )
    };
    let tokens: TokenStream = quote! {
        use crate::runtime::auth::ApiSpec;
        #builder_import

        /// What the runtime needs to know about this API.
        pub(crate) static API: ApiSpec = ApiSpec {
            default_base_url: #base_url,
            base_url_env: #base_url_env,
            user_agent: #user_agent,
            request_id_header: #request_id,
            retry_count_header: #retry_count,
            schemes: &[#(#schemes)*],
            alternatives: &[#(#alternatives),*],
        };

        /// Credential setters, one per security scheme of the API.
        impl ClientBuilder {
            #(#setters)*
        }
    };
    EmittedFile::Rust {
        path: "src/api.rs".into(),
        module_doc: vec!["The API description the runtime works from, and the credential setters.".into()],
        tokens,
    }
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

/// Whether the spec deprecates anything the crate defines (an operation, a parameter, a type
/// or a property).
pub fn has_deprecations(api: &crate::ir::Api) -> bool {
    let operations = api.operations.iter().any(|operation| {
        operation.deprecated.is_some()
            || operation
                .positional
                .iter()
                .chain(operation.params.iter().flat_map(|p| &p.fields))
                .any(|p| p.deprecated.is_some())
    });
    let types = api.types.iter().any(|def| {
        def.deprecated.is_some()
            || matches!(&def.kind, crate::ir::TypeKind::Struct(body) if body.fields.iter().any(|f| f.deprecated.is_some()))
    });
    operations || types
}
