//! Emission: turns the model into generated files: laid-out Rust source for types and
//! resources (the bulk), tokens for the few small root files, text for the rest.

mod cargo;
pub use cargo::{dependency_lines, DependencyLine};
mod construct;
pub mod consumer;
pub mod contract;
mod docs;
pub mod escape;
mod operations;
mod pagination;
mod readme;
mod resources;
mod root;
mod sample;
mod source;
mod types;
mod webhooks;
mod workspace;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, IntegerKind, TypeRef};

/// One generated file before formatting.
#[derive(Debug, Clone)]
pub enum EmittedFile {
    /// Rust tokens, formatted later with prettyplease.
    Rust {
        /// Path relative to the crate root, `/`-separated.
        path: String,
        /// The module's inner doc line(s).
        module_doc: Vec<String>,
        /// Items.
        tokens: TokenStream,
    },
    /// Rust source the emitter laid out itself (type files), printed as is under the header
    /// and module docs.
    Source {
        /// Path relative to the crate root, `/`-separated.
        path: String,
        /// The module's inner doc line(s).
        module_doc: Vec<String>,
        /// Items, formatted.
        text: String,
    },
    /// Rust source copied verbatim (the runtime).
    Verbatim {
        /// Path relative to the crate root.
        path: String,
        /// Contents.
        text: String,
    },
    /// Other text (`Cargo.toml`, `README.md`).
    Text {
        /// Path relative to the crate root.
        path: String,
        /// Contents, without the generated-file header.
        text: String,
        /// Comment syntax for the header: `#` for TOML; `None` for Markdown (an HTML comment).
        comment: Option<&'static str>,
    },
}

/// What the emitters share: the model, which is all they read.
pub struct Context<'a> {
    /// The model.
    pub api: &'a Api,
}

impl<'a> Context<'a> {
    /// A context for emitting `api`.
    pub fn new(api: &'a Api) -> Self {
        Context { api }
    }

    /// `#[cfg(feature = "...")]` for a top-level resource, when the crate has features.
    pub fn resource_gate(&self, resource: &crate::ir::Resource) -> Option<TokenStream> {
        resource.feature.as_ref().map(|feature| quote!(#[cfg(feature = #feature)]))
    }

    /// The `#[cfg(...)]` line(s) for a type, ending in a newline: the features of the
    /// resources that use it. Laid out as rustfmt does: one line when it fits in
    /// `source::WIDTH`, else one feature per line.
    pub fn type_gate(&self, id: crate::ir::TypeId) -> Option<String> {
        let features = &self.api.type_def(id).features;
        (!features.is_empty()).then(|| cfg_attribute(features))
    }
}

/// `#[cfg(feature = ...)]` or `#[cfg(any(feature = ..., ...))]` and a newline, one feature per
/// line when the attribute would not fit in [`source::WIDTH`] (rustfmt's layout).
fn cfg_attribute(features: &[String]) -> String {
    let terms: Vec<String> = features.iter().map(|name| format!("feature = {}", escape::rust_string(name))).collect();
    if let [term] = terms.as_slice() {
        return format!("#[cfg({term})]\n");
    }
    let one_line = format!("#[cfg(any({}))]\n", terms.join(", "));
    if source::fits(0, one_line.trim_end()) {
        return one_line;
    }
    format!("#[cfg(any(\n    {}\n))]\n", terms.join(",\n    "))
}

/// One independent unit of emission; jobs can run on different threads.
pub enum Job<'a> {
    /// `Cargo.toml`.
    Cargo,
    /// `tests/contract.rs`, when asked for.
    Contract,
    /// `README.md`.
    Readme,
    /// `lib.rs`, `api.rs` and the runtime.
    Root,
    /// `types/mod.rs`.
    TypesMod,
    /// One type's file.
    Type(usize),
    /// `resources/mod.rs`.
    ResourcesMod,
    /// `webhooks.rs`, when the API has webhooks.
    Webhooks,
    /// One resource's module, with its path of module names.
    Resource(&'a crate::ir::Resource, Vec<String>),
}

/// Every job of the SDK crate.
pub fn jobs<'a>(context: &Context<'a>) -> Vec<Job<'a>> {
    let api = context.api;
    // The large single files first, so no worker is left with one of them at the end.
    let mut jobs = vec![Job::TypesMod, Job::Root, Job::Readme, Job::ResourcesMod, Job::Cargo];
    if api.package.contract_tests {
        jobs.push(Job::Contract);
    }
    if !api.webhooks.is_empty() {
        jobs.push(Job::Webhooks);
    }
    jobs.extend((0..api.types.len()).map(Job::Type));
    jobs.extend(resources::all_resources(&api.resources).into_iter().map(|(r, path)| Job::Resource(r, path)));
    jobs
}

/// Runs one job.
pub fn emit_job(context: &Context<'_>, job: &Job<'_>) -> Vec<EmittedFile> {
    if let Some(layout) = &context.api.workspace {
        return workspace::emit_job(context, layout, job);
    }
    match job {
        Job::Cargo => vec![cargo::cargo_toml(context)],
        Job::Contract => vec![contract::contract_file(context)],
        Job::Readme => vec![readme::readme(context)],
        Job::Root => root::root_files(context),
        Job::TypesMod => vec![types::types_mod(context)],
        Job::Type(index) => vec![types::type_file(context, *index)],
        Job::ResourcesMod => vec![resources::resources_mod(context)],
        Job::Webhooks => vec![webhooks::webhooks_file(context)],
        Job::Resource(resource, path) => vec![resources::resource_module(context, resource, path)],
    }
}

/// Emits every file of the SDK crate, in one thread.
pub fn emit(context: &Context<'_>) -> Vec<EmittedFile> {
    jobs(context).iter().flat_map(|job| emit_job(context, job)).collect()
}

/// [`rust_type_text`] as code outside the SDK writes it: `crate::` paths name the SDK crate
/// `sdk` instead (the construction check and the contract tests).
pub fn rust_type_text_in(api: &Api, ty: &TypeRef, sdk: &str) -> String {
    rust_type_text(api, ty).replace("crate::", &format!("{sdk}::"))
}

/// The Rust spelling of a type use (`Option` for optional fields is added by callers).
pub fn rust_type_text(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::Integer(IntegerKind::I32) => "i32".into(),
        TypeRef::Integer(IntegerKind::I64) => "i64".into(),
        TypeRef::Integer(IntegerKind::U32) => "u32".into(),
        TypeRef::Integer(IntegerKind::U64) => "u64".into(),
        TypeRef::Float => "f64".into(),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::File => "crate::File".into(),
        TypeRef::Named(id) => format!("crate::types::{}", api.type_def(*id).name),
        TypeRef::Array(item) => format!("Vec<{}>", rust_type_text(api, item)),
        TypeRef::Map(value) => format!("std::collections::BTreeMap<String, {}>", rust_type_text(api, value)),
        TypeRef::Nullable(inner) => format!("Option<{}>", rust_type_text(api, inner)),
    }
}

/// An identifier from a name the model already made valid (the configuration's names are
/// checked by `Config::validate`). Should anything else reach here, it is made an identifier
/// rather than a panic.
pub fn ident(name: &str) -> proc_macro2::Ident {
    if crate::config::is_identifier(name) {
        format_ident!("{}", name)
    } else {
        format_ident!("{}", crate::ir::naming::snake(name))
    }
}

#[cfg(test)]
mod tests {
    use super::cfg_attribute;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn cfg_attributes_take_one_line_when_they_fit() {
        assert_eq!(cfg_attribute(&names(&["dns"])), "#[cfg(feature = \"dns\")]\n");
        assert_eq!(cfg_attribute(&names(&["dns", "zones"])), "#[cfg(any(feature = \"dns\", feature = \"zones\"))]\n");
    }

    #[test]
    fn long_cfg_attributes_take_one_feature_per_line_as_rustfmt_does() {
        let long = names(&["access_authenticator_device_aagui_ds", "access_id_p_federation_grants", "zero_trust"]);
        assert_eq!(
            cfg_attribute(&long),
            "#[cfg(any(\n    feature = \"access_authenticator_device_aagui_ds\",\n    \
             feature = \"access_id_p_federation_grants\",\n    feature = \"zero_trust\"\n))]\n"
        );
    }
}
