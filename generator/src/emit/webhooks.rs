//! `src/webhooks.rs`: a decoding function per 3.1 webhook, and the `Webhook` enum over them.

use proc_macro2::TokenStream;
use quote::quote;

use super::escape::{code, doc_attrs, prose};
use super::{ident, rust_type_text, Context, EmittedFile};
use crate::ir::Webhook;

/// The module, when the API has webhooks.
pub fn webhooks_file(context: &Context<'_>) -> EmittedFile {
    let api = context.api;
    let functions = api.webhooks.iter().map(|webhook| function(context, webhook));
    let variants = api.webhooks.iter().map(|webhook| {
        let variant = ident(&webhook.variant);
        let ty = payload_type(context, webhook);
        let doc = doc_attrs(&[format!("The {} webhook.", code(&webhook.name))]);
        quote!(#doc #variant(#ty),)
    });
    let arms = api.webhooks.iter().map(|webhook| {
        let (variant, function, name) = (ident(&webhook.variant), ident(&webhook.function), &webhook.name);
        quote!(#name => #function(body).map(Self::#variant),)
    });
    let names = api.webhooks.iter().map(|webhook| {
        let (variant, name) = (ident(&webhook.variant), &webhook.name);
        quote!(Self::#variant(_) => #name,)
    });
    let all_names = api.webhooks.iter().map(|webhook| &webhook.name);
    let enum_doc = doc_attrs(&[
        "A received webhook, decoded by its name ([`Webhook::parse`]).".into(),
        String::new(),
        "A name the spec does not list decodes as [`Webhook::Other`], with the body as JSON, so that".into(),
        "a webhook added to the API after this crate was generated is not lost.".into(),
    ]);
    let tokens = quote! {
        #(#functions)*

        #enum_doc
        // Decoded once and matched on; boxing the larger payloads would only add a step.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Webhook {
            #(#variants)*
            /// A webhook this crate does not know, with its JSON body.
            Other {
                /// The webhook's name, as given to [`Webhook::parse`].
                name: String,
                /// The body.
                body: serde_json::Value,
            },
        }

        impl Webhook {
            /// The names of the webhooks the spec lists, as [`Webhook::parse`] takes them.
            pub const NAMES: &'static [&'static str] = &[#(#all_names),*];

            /// Decodes the body of the webhook called `name` (its key in the spec).
            ///
            /// # Errors
            ///
            /// Fails with [`Error::Decode`](crate::Error::Decode) (naming the JSON path that failed)
            /// when the body does not match the webhook's payload, or is not JSON.
            pub fn parse(name: &str, body: &[u8]) -> Result<Self, crate::Error> {
                match name {
                    #(#arms)*
                    _ => decode(body).map(|body| Self::Other { name: name.to_string(), body }),
                }
            }

            /// The webhook's name, as the spec gives it.
            pub fn name(&self) -> &str {
                match self {
                    #(#names)*
                    Self::Other { name, .. } => name,
                }
            }
        }

        fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, crate::Error> {
            let body = bytes::Bytes::copy_from_slice(body);
            crate::runtime::request::decode_json(&body, None).map_err(crate::Error::Decode)
        }
    };
    EmittedFile::Rust {
        path: "src/webhooks.rs".into(),
        module_doc: vec![
            "Webhooks: the requests the API sends to your server, and their payloads.".into(),
            String::new(),
            "Decode a received request body with the webhook's function (`&[u8]` in, its payload".into(),
            "type out), or with [`Webhook::parse`] when the webhook's name comes with the request.".into(),
        ],
        tokens,
    }
}

fn payload_type(context: &Context<'_>, webhook: &Webhook) -> TokenStream {
    let text = rust_type_text(context.api, &webhook.payload);
    syn::parse_str::<syn::Type>(&text).map(|ty| quote!(#ty)).unwrap_or_else(|_| quote!(serde_json::Value))
}

fn function(context: &Context<'_>, webhook: &Webhook) -> TokenStream {
    let mut lines = vec![format!("Decodes the body of the {} webhook.", code(&webhook.name))];
    if let Some(doc) = &webhook.doc {
        lines.push(String::new());
        lines.extend(prose(doc));
    }
    lines.push(String::new());
    lines.push(format!("The API sends it as a `{}` request to the URL you registered.", webhook.method));
    if !webhook.responses.is_empty() {
        lines.push(String::new());
        lines.push("What to answer:".into());
        lines.push(String::new());
        for (status, description) in &webhook.responses {
            let description = prose(description).join(" ");
            let description = description.trim();
            if description.is_empty() {
                lines.push(format!("- {}", code(status)));
            } else {
                lines.push(format!("- {}: {description}", code(status)));
            }
        }
    }
    lines.push(String::new());
    lines.push("# Errors".into());
    lines.push(String::new());
    lines.push("Fails with [`Error::Decode`](crate::Error::Decode) (naming the JSON path that failed)".into());
    lines.push("when the body does not match the payload, or is not JSON.".into());
    let doc = doc_attrs(&lines);
    let function = ident(&webhook.function);
    let ty = payload_type(context, webhook);
    quote! {
        #doc
        pub fn #function(body: &[u8]) -> Result<#ty, crate::Error> {
            decode(body)
        }
    }
}
