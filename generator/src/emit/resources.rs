//! `src/resources/`: the resource tree as borrowing handles, one module per resource.

use quote::quote;

use super::escape::code;
use super::operations::{body_choice, operation_method, operation_statics, params_struct};
use super::source::Source;
use super::{ident, Context, EmittedFile};
use crate::ir::Resource;

/// `src/resources/mod.rs`: the top-level resource modules.
pub fn resources_mod(context: &Context<'_>) -> EmittedFile {
    let modules = context.api.resources.children.iter().map(|(name, child)| {
        let module = ident(name);
        let gate = context.resource_gate(child);
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

/// Lets a method called `new` (an operation or sub-resource the API names so) return
/// something other than `Self`.
pub fn allow_new_not_returning_self(out: &mut Source) {
    out.line(1, "// The API calls this `new`; it is not a constructor.");
    out.line(1, "#[allow(clippy::new_ret_no_self)]");
}

/// One resource's module: its handle, its operations, its params structs, its sub-modules.
pub fn resource_module(context: &Context<'_>, resource: &Resource, parents: &[String]) -> EmittedFile {
    let dotted = parents.join(".");
    let path = resource.file.clone();
    let handle = &resource.handle;
    let mut out = Source::default();
    for name in resource.children.keys() {
        // `zones::zones` mirrors the API's own grouping; renaming it would hide that.
        if name == &resource.name {
            out.line(0, "#[allow(clippy::module_inception)]");
        }
        out.line(0, format_args!("pub mod {name};"));
    }
    if !resource.children.is_empty() {
        out.blank();
    }
    out.line(0, format_args!("/// Operations on {}.", code(&dotted)));
    out.line(0, "#[derive(Debug, Clone, Copy)]");
    out.line(0, format_args!("pub struct {handle}<'a> {{"));
    out.line(1, "client: &'a crate::Client,");
    out.line(0, "}");
    out.blank();
    out.line(0, format_args!("impl<'a> {handle}<'a> {{"));
    if context.api.workspace.is_some() && parents.len() == 1 {
        // The facade's accessor, in another crate, calls it.
        out.line(1, "#[doc(hidden)]");
        out.line(1, format_args!("pub fn {}(client: &'a crate::Client) -> Self {{", resource.constructor));
    } else {
        out.line(1, format_args!("pub(crate) fn {}(client: &'a crate::Client) -> Self {{", resource.constructor));
    }
    out.line(2, "Self { client }");
    out.line(1, "}");
    for child in resource.children.values() {
        out.blank();
        out.line(1, format_args!("/// The {} resource.", code(&child.name)));
        if child.name == "new" {
            allow_new_not_returning_self(&mut out);
        }
        out.line(1, format_args!("pub fn {}(&self) -> {}::{}<'a> {{", child.name, child.name, child.handle));
        out.line(2, format_args!("{}::{}::{}(self.client)", child.name, child.handle, child.constructor));
        out.line(1, "}");
    }
    let operations: Vec<_> = resource.operations.iter().map(|&index| &context.api.operations[index]).collect();
    for operation in &operations {
        out.blank();
        operation_method(&mut out, context, operation);
    }
    out.line(0, "}");
    for operation in &operations {
        if operation.params.is_some() {
            out.blank();
            params_struct(&mut out, context, operation, handle);
            body_choice(&mut out, context.api, operation, handle);
        }
    }
    for operation in &operations {
        out.blank();
        operation_statics(&mut out, operation);
    }
    EmittedFile::Source { path, module_doc: vec![format!("The {} resource.", code(&dotted))], text: out.text }
}
