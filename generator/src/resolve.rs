//! `$ref` lookup: turns `ReferenceOr<T>` into the `T` it names, following chains.

use std::borrow::{Borrow, Cow};

use openapiv3::{OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema};

use crate::error::SpecProblem;

/// The longest `$ref` chain followed before declaring a cycle.
const MAX_REF_CHAIN: usize = 64;

/// Resolves local references against one document's `components`.
#[derive(Clone, Copy)]
pub struct Resolver<'a> {
    document: &'a OpenAPI,
}

/// A schema after resolution, with the component it came from (if any).
#[derive(Clone, Copy)]
pub struct ResolvedSchema<'a> {
    /// The schema itself.
    pub schema: &'a Schema,
    /// The name in `components.schemas` when reached through a `$ref`.
    pub component: Option<&'a str>,
}

impl<'a> Resolver<'a> {
    /// A resolver for `document`.
    pub fn new(document: &'a OpenAPI) -> Self {
        Self { document }
    }

    /// Resolves a schema reference; `at` is the pointer of the node holding it.
    pub fn schema<S: Borrow<Schema>>(
        &self,
        node: &'a ReferenceOr<S>,
        at: &str,
    ) -> Result<ResolvedSchema<'a>, SpecProblem> {
        match node {
            ReferenceOr::Item(schema) => Ok(ResolvedSchema { schema: schema.borrow(), component: None }),
            ReferenceOr::Reference { reference } => {
                let (name, schema) = self.schema_component(reference, at)?;
                Ok(ResolvedSchema { schema, component: Some(name) })
            }
        }
    }

    /// Looks up `#/components/schemas/<name>`, following `$ref` chains between components.
    pub fn schema_component(&self, reference: &str, at: &str) -> Result<(&'a str, &'a Schema), SpecProblem> {
        let mut reference = reference;
        for _ in 0..MAX_REF_CHAIN {
            let name = component_name(reference, "schemas", at)?;
            let components = self.document.components.as_ref();
            let Some((key, node)) = components.and_then(|c| c.schemas.get_key_value(name.as_ref())) else {
                return Err(missing(reference, at));
            };
            match node {
                ReferenceOr::Item(schema) => return Ok((key.as_str(), schema)),
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        Err(SpecProblem::new(at, format!("$ref chain starting at `{reference}` is circular")))
    }

    /// Resolves a parameter reference.
    pub fn parameter(&self, node: &'a ReferenceOr<Parameter>, at: &str) -> Result<&'a Parameter, SpecProblem> {
        self.follow(node, "parameters", at, |c| &c.parameters)
    }

    /// Resolves a request-body reference.
    pub fn request_body(&self, node: &'a ReferenceOr<RequestBody>, at: &str) -> Result<&'a RequestBody, SpecProblem> {
        self.follow(node, "requestBodies", at, |c| &c.request_bodies)
    }

    /// Resolves a response reference.
    pub fn response(&self, node: &'a ReferenceOr<Response>, at: &str) -> Result<&'a Response, SpecProblem> {
        self.follow(node, "responses", at, |c| &c.responses)
    }

    fn follow<T>(
        &self,
        node: &'a ReferenceOr<T>,
        section: &str,
        at: &str,
        map: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
    ) -> Result<&'a T, SpecProblem> {
        let mut node = node;
        for _ in 0..MAX_REF_CHAIN {
            match node {
                ReferenceOr::Item(item) => return Ok(item),
                ReferenceOr::Reference { reference } => {
                    let name = component_name(reference, section, at)?;
                    let components = self.document.components.as_ref();
                    node = components.and_then(|c| map(c).get(name.as_ref())).ok_or_else(|| missing(reference, at))?;
                }
            }
        }
        Err(SpecProblem::new(at, format!("$ref chain in `{section}` is circular")))
    }
}

/// Extracts `<name>` from `#/components/<section>/<name>`, unescaping the pointer token.
pub fn component_name<'r>(reference: &'r str, section: &str, at: &str) -> Result<Cow<'r, str>, SpecProblem> {
    if !reference.starts_with('#') {
        return Err(SpecProblem::new(
            format!("{at}/$ref"),
            format!("external $ref `{reference}` is not supported; bundle the spec into one file first"),
        ));
    }
    let Some(token) = reference
        .strip_prefix("#/components/")
        .and_then(|rest| rest.strip_prefix(section))
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return Err(SpecProblem::new(
            format!("{at}/$ref"),
            format!("$ref `{reference}` does not point into `#/components/{section}`"),
        ));
    };
    if !token.contains(['%', '~']) {
        return Ok(Cow::Borrowed(token));
    }
    Ok(Cow::Owned(crate::pointer::decode_token(token)))
}

fn missing(reference: &str, at: &str) -> SpecProblem {
    SpecProblem::new(format!("{at}/$ref"), format!("$ref `{reference}` points to nothing: no such component"))
}
