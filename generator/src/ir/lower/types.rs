//! Lowering schemas to [`TypeRef`]s and [`TypeDef`]s: one registry, one name per defining schema.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{AdditionalProperties, Discriminator, OpenAPI, ReferenceOr, Schema};
use serde_json::Value;

use crate::error::SpecProblem;
use crate::ir::naming::{self, Scope};
use crate::ir::schema_view::SchemaView;
use crate::ir::{
    Deprecation, Diagnostic, EnumDef, EnumVariant, Field, IntegerKind, JsonKind, Rules, StructDef, TypeDef, TypeId,
    TypeKind, TypeRef, UnionDef, UnionVariant,
};
use crate::pointer;
use crate::resolve::Resolver;

/// How deeply inline schemas may nest before the rest is kept as JSON; far beyond any
/// real schema, and well within the stack.
const MAX_DEPTH: usize = 96;

/// Lowers schemas, memoized by the JSON pointer of the schema that defines each type.
pub struct TypeLowerer<'a> {
    resolver: Resolver<'a>,
    overrides: &'a BTreeMap<String, String>,
    pub types: Vec<Option<TypeDef>>,
    by_pointer: BTreeMap<String, TypeRef>,
    in_progress: BTreeSet<String>,
    component_names: BTreeMap<String, String>,
    scope: Scope,
    lenient: bool,
    depth: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> TypeLowerer<'a> {
    /// Reserves the names of all component schemas that become named types, in document
    /// order, so that a component's name never depends on which operations use it.
    ///
    /// When `lenient`, a broken reference becomes `serde_json::Value` with a diagnostic
    /// instead of an error, so one bad schema does not stop a whole document.
    pub fn new(document: &'a OpenAPI, overrides: &'a BTreeMap<String, String>, lenient: bool) -> Self {
        let mut lowerer = TypeLowerer {
            resolver: Resolver::new(document),
            overrides,
            types: Vec::new(),
            by_pointer: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            component_names: BTreeMap::new(),
            scope: Scope::new(),
            lenient,
            depth: 0,
            diagnostics: Vec::new(),
        };
        if let Some(components) = &document.components {
            for (name, schema) in &components.schemas {
                if let ReferenceOr::Item(schema) = schema {
                    if is_named_shape(&SchemaView::of(schema)) {
                        let pointer = pointer::schema_component(name);
                        let wanted = overrides.get(&pointer).cloned().unwrap_or_else(|| naming::type_name(name));
                        let claimed = lowerer.scope.claim(&wanted);
                        lowerer.component_names.insert(name.clone(), claimed);
                    }
                }
            }
        }
        lowerer
    }

    /// The resolver, for callers that look schemas up themselves.
    pub fn resolver(&self) -> Resolver<'a> {
        self.resolver
    }

    /// The final registry; every id handed out must have been filled.
    pub fn finish(self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        let types = self
            .types
            .into_iter()
            .enumerate()
            .map(|(index, def)| def.unwrap_or_else(|| panic!("type #{index} was reserved but never defined")))
            .collect();
        (types, self.diagnostics)
    }

    /// Lowers a schema node found at `pointer`; `hint` names the type if it must be named.
    pub fn lower<S: std::borrow::Borrow<Schema>>(
        &mut self,
        node: &'a ReferenceOr<S>,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        match node {
            ReferenceOr::Item(schema) => match self.by_pointer.get(pointer) {
                // An inline schema reached again (through an `allOf` merge) is the same type.
                Some(done) => Ok(done.clone()),
                None => self.lower_schema(schema.borrow(), pointer, hint),
            },
            ReferenceOr::Reference { reference } => match self.resolver.schema_component(reference, pointer) {
                Ok((name, schema)) => self.lower_component(name, schema),
                Err(problem) if self.lenient => {
                    self.diagnose(
                        &problem.pointer,
                        "broken-reference",
                        &format!("{}; generated as serde_json::Value", problem.message),
                    );
                    Ok(TypeRef::Json)
                }
                Err(problem) => Err(problem),
            },
        }
    }

    fn lower_component(&mut self, name: &'a str, schema: &'a Schema) -> Result<TypeRef, SpecProblem> {
        let pointer = pointer::schema_component(name);
        if let Some(done) = self.by_pointer.get(&pointer) {
            return Ok(done.clone());
        }
        if !self.in_progress.insert(pointer.clone()) {
            // An alias that refers back to itself (e.g. `A: {type: array, items: {$ref: A}}`)
            // has no finite Rust spelling without a named type; keep it as JSON.
            self.diagnose(
                &pointer,
                "recursive-alias",
                "a schema that is an alias of itself is generated as serde_json::Value",
            );
            return Ok(TypeRef::Json);
        }
        let hint = self.component_names.get(name).cloned().unwrap_or_else(|| naming::type_name(name));
        let lowered = self.lower_schema(schema, &pointer, &hint);
        self.in_progress.remove(&pointer);
        let lowered = lowered?;
        self.by_pointer.insert(pointer, lowered.clone());
        Ok(lowered)
    }

    fn lower_schema(&mut self, schema: &'a Schema, pointer: &str, hint: &str) -> Result<TypeRef, SpecProblem> {
        if self.depth >= MAX_DEPTH {
            self.diagnose(pointer, "too-deep", "schemas nested deeper than this are generated as serde_json::Value");
            return Ok(TypeRef::Json);
        }
        let view = SchemaView::of(schema);
        self.depth += 1;
        let lowered = self.lower_view(schema, &view, pointer, hint);
        self.depth -= 1;
        let lowered = lowered?;
        Ok(if view.nullable { nullable(lowered) } else { lowered })
    }

    fn lower_view(
        &mut self,
        schema: &'a Schema,
        view: &SchemaView<'a>,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        if view.is_null_only() {
            return Ok(nullable(TypeRef::Json));
        }
        if !view.all_of.is_empty() {
            return self.lower_all_of(schema, view, pointer, hint);
        }
        let (alternatives, keyword) = view.alternatives();
        if !alternatives.is_empty() {
            // Properties beside the alternatives are shared by every object alternative.
            let shared = view.has_properties().then(|| Merged {
                properties: view
                    .properties
                    .iter()
                    .map(|(name, property)| (*name, *property, Some(pointer.to_string())))
                    .collect(),
                required: view.required.clone(),
                unions: Vec::new(),
            });
            let part =
                UnionPart { alternatives, keyword, pointer: pointer.to_string(), discriminator: view.discriminator };
            return self.lower_union(view, part, shared, pointer, hint);
        }
        if !view.enumeration.is_empty() {
            if let Some(lowered) = self.lower_enum(view, pointer, hint) {
                return Ok(lowered);
            }
        }
        match view.typ {
            Some("string") if view.format.as_deref() == Some("binary") => Ok(TypeRef::File),
            Some("string") => Ok(TypeRef::String),
            Some("boolean") => Ok(TypeRef::Bool),
            Some("integer") => Ok(TypeRef::Integer(match view.format.as_deref() {
                Some("int32") => IntegerKind::I32,
                Some("uint32") => IntegerKind::U32,
                Some("uint64") => IntegerKind::U64,
                _ => IntegerKind::I64,
            })),
            // Every number is an `f64`, `format: float` too: JSON numbers are doubles, and an
            // `f32` would round what the server sent (a latitude loses its last digits).
            Some("number") => Ok(TypeRef::Float),
            Some("array") => self.lower_array(view, pointer, hint),
            Some("object") | None if view.has_properties() => {
                let properties = view.properties.iter().map(|(name, schema)| (*name, *schema, None)).collect();
                self.lower_struct(view, properties, &view.required, pointer, hint)
            }
            Some("object") | None => self.lower_map_or_json(view, pointer, hint),
            Some(other) => {
                self.diagnose(
                    pointer,
                    "non-standard-type",
                    &format!("`type: {other}` is not an OpenAPI type; generated as serde_json::Value"),
                );
                Ok(TypeRef::Json)
            }
        }
    }

    fn lower_array(&mut self, view: &SchemaView<'a>, pointer: &str, hint: &str) -> Result<TypeRef, SpecProblem> {
        let item = match view.items {
            Some(items) => self.lower(items, &format!("{pointer}/items"), &format!("{hint}Item"))?,
            None => TypeRef::Json,
        };
        Ok(TypeRef::Array(Box::new(item)))
    }

    fn lower_map_or_json(&mut self, view: &SchemaView<'a>, pointer: &str, hint: &str) -> Result<TypeRef, SpecProblem> {
        match view.additional {
            Some(AdditionalProperties::Schema(values)) => {
                let value =
                    self.lower(values.as_ref(), &format!("{pointer}/additionalProperties"), &format!("{hint}Value"))?;
                Ok(TypeRef::Map(Box::new(value)))
            }
            Some(AdditionalProperties::Any(true)) => Ok(TypeRef::Map(Box::new(TypeRef::Json))),
            _ => Ok(TypeRef::Json),
        }
    }

    /// A string enum becomes a named type; integer, boolean and mixed enums keep their base type.
    fn lower_enum(&mut self, view: &SchemaView<'a>, pointer: &str, hint: &str) -> Option<TypeRef> {
        let values: Vec<&Value> = view.enumeration.iter().filter(|v| !v.is_null()).collect();
        if values.is_empty() || !values.iter().all(|v| v.is_string()) || matches!(view.typ, Some(t) if t != "string") {
            return None;
        }
        let (id, name) = self.reserve(pointer, hint);
        let mut scope = Scope::new();
        let mut seen = BTreeSet::new();
        let variants = values
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|wire| seen.insert(*wire))
            .map(|wire| EnumVariant { rust_name: scope.claim(&naming::variant_name(wire)), wire: wire.to_string() })
            .collect();
        let unknown_variant = scope.claim("UnknownValue");
        self.define(id, name, pointer, view.doc(), TypeKind::Enum(EnumDef { variants, unknown_variant }));
        self.deprecate(id, view);
        let named = TypeRef::Named(id);
        Some(if view.enumeration.iter().any(Value::is_null) { nullable(named) } else { named })
    }

    fn lower_struct(
        &mut self,
        view: &SchemaView<'a>,
        properties: Vec<Property<'a>>,
        required: &[&str],
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        let (id, name) = self.reserve(pointer, hint);
        let mut scope = Scope::new();
        let mut fields = Vec::with_capacity(properties.len());
        for (wire_name, property, owner) in properties {
            // A property merged in from an `allOf` member is lowered where it is defined, so
            // that every struct merging it shares one type (and recursion through `allOf`
            // meets the memo instead of nesting forever).
            let owner_pointer = owner.as_deref().unwrap_or(pointer);
            let property_pointer = format!("{owner_pointer}/properties/{}", pointer::token(wire_name));
            let owner_name = owner.as_deref().and_then(|o| self.component_type_name(o)).unwrap_or_else(|| name.clone());
            let property_hint = format!("{owner_name}{}", naming::type_name(wire_name));
            let ty = self.lower(property, &property_pointer, &property_hint)?;
            let facts = self.property_doc(property, &property_pointer);
            let required = required.contains(&wire_name);
            let default = if required { self.property_default(property, &property_pointer, &ty) } else { None };
            fields.push(facts.field(scope.claim(&naming::snake(wire_name)), wire_name, ty, required, default));
        }
        let extra_ty = match view.additional {
            Some(AdditionalProperties::Schema(values)) => {
                self.lower(values.as_ref(), &format!("{pointer}/additionalProperties"), &format!("{name}Value"))?
            }
            _ => TypeRef::Json,
        };
        self.unlisted_required(view, required, &extra_ty, pointer, &mut scope, &mut fields);
        let extra_name = scope.claim("extra");
        let mut def = StructDef {
            fields,
            extra_name,
            extra_ty,
            min_properties: view.min_properties.filter(|&count| count > 0),
            required_choices: Vec::new(),
            closed: matches!(view.additional, Some(AdditionalProperties::Any(false))),
            constructor: String::new(),
            extra_setter: String::new(),
            multipart: None,
        };
        naming::struct_methods(&mut def);
        self.define(id, name, pointer, view.doc(), TypeKind::Struct(def));
        self.deprecate(id, view);
        Ok(TypeRef::Named(id))
    }

    /// Required names the schema does not list as properties but types through
    /// `additionalProperties` (`required: [files]` beside `additionalProperties: {$ref: Files}`)
    /// are fields a value must have, of that type. With `additionalProperties: false` no value
    /// can have them: left out, with a diagnostic. Where nothing types them they stay in the
    /// extra map: in real documents such names are mostly envelope members or typos the
    /// authors left behind (`modified_one`), and a required any-JSON field would make every
    /// response without them undecodable.
    fn unlisted_required(
        &mut self,
        view: &SchemaView<'a>,
        required: &[&str],
        extra_ty: &TypeRef,
        pointer: &str,
        scope: &mut Scope,
        fields: &mut Vec<Field>,
    ) {
        let mut seen = BTreeSet::new();
        for &wire_name in required {
            if fields.iter().any(|field| field.wire_name == wire_name) || !seen.insert(wire_name) {
                continue;
            }
            let values = match view.additional {
                Some(AdditionalProperties::Any(false)) => {
                    self.diagnose(
                        pointer,
                        "required-not-allowed",
                        &format!(
                            "`{wire_name}` is required but neither listed in `properties` nor allowed by \
                             `additionalProperties: false`; no value can satisfy it, so it is left out"
                        ),
                    );
                    continue;
                }
                Some(AdditionalProperties::Schema(values)) => values.as_ref(),
                _ => continue,
            };
            let mut facts = self.property_doc(values, &format!("{pointer}/additionalProperties"));
            let note = "Required by the spec, which types it through `additionalProperties`.";
            facts.doc = Some(match facts.doc {
                Some(doc) => format!("{doc}\n\n{note}"),
                None => note.to_string(),
            });
            fields.push(facts.field(scope.claim(&naming::snake(wire_name)), wire_name, extra_ty.clone(), true, None));
        }
    }

    /// `allOf` merges the members' properties into one struct; a lone member is that member.
    fn lower_all_of(
        &mut self,
        schema: &'a Schema,
        view: &SchemaView<'a>,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        // `allOf: [{$ref: X}, {description: ...}]` is the common way to annotate a reference;
        // members that only annotate do not change the type, so one substantive member is
        // that member.
        let substantive: Vec<usize> = (0..view.all_of.len())
            .filter(|&index| match &view.all_of[index] {
                ReferenceOr::Reference { .. } => true,
                ReferenceOr::Item(member) => !is_annotation_only(&SchemaView::of(member)),
            })
            .collect();
        // Required properties or `minProperties` beside the member make a type of their own.
        let constrains = !view.required.is_empty() || view.min_properties.is_some();
        if substantive.len() == 1 && !view.has_properties() && view.alternatives().0.is_empty() && !constrains {
            let index = substantive[0];
            return self.lower(&view.all_of[index], &format!("{pointer}/allOf/{index}"), hint);
        }
        let mut merged = Merged::default();
        let mut visited = BTreeSet::new();
        self.collect_all_of(schema, pointer, true, &mut merged, &mut visited)?;
        // The schema's own properties are lowered where they are written, also when they
        // end up in the structs of a union's alternatives.
        for property in &mut merged.properties {
            property.2.get_or_insert_with(|| pointer.to_string());
        }
        if merged.unions.len() == 1 {
            // One member (or the schema itself) is a union: each of its object alternatives
            // gets the merged properties.
            let part = merged.unions.remove(0);
            return self.lower_union(view, part, Some(merged), pointer, hint);
        }
        if merged.unions.len() > 1 {
            self.diagnose(
                pointer,
                "allof-union",
                "an allOf with several oneOf/anyOf members is merged by its listed properties only",
            );
        }
        let Merged { properties, required, .. } = merged;
        if properties.is_empty() {
            return Ok(TypeRef::Json);
        }
        self.lower_struct(view, properties, &required, pointer, hint)
    }

    /// Gathers properties depth-first, members before the schema's own properties, so the
    /// struct reads base fields first, as the authors wrote them.
    fn collect_all_of(
        &mut self,
        member: &'a Schema,
        member_pointer: &str,
        is_outer: bool,
        merged: &mut Merged<'a>,
        visited: &mut BTreeSet<String>,
    ) -> Result<(), SpecProblem> {
        let member_view = SchemaView::of(member);
        for (index, nested) in member_view.all_of.iter().enumerate() {
            let nested_pointer = format!("{member_pointer}/allOf/{index}");
            let Some(resolved) = self.resolve_or_skip(nested, &nested_pointer)? else { continue };
            let key = resolved.component.map(pointer::schema_component).unwrap_or(nested_pointer);
            if visited.insert(key.clone()) {
                self.collect_all_of(resolved.schema, &key, false, merged, visited)?;
            }
        }
        let (alternatives, keyword) = member_view.alternatives();
        if !alternatives.is_empty() {
            merged.unions.push(UnionPart {
                alternatives,
                keyword,
                pointer: member_pointer.to_string(),
                discriminator: member_view.discriminator,
            });
        }
        let owner = (!is_outer).then(|| member_pointer.to_string());
        for (name, property) in member_view.properties {
            match merged.properties.iter_mut().find(|(existing, _, _)| *existing == name) {
                Some(existing) => {
                    existing.1 = property;
                    existing.2 = owner.clone();
                }
                None => merged.properties.push((name, property, owner.clone())),
            }
        }
        merged.required.extend(member_view.required);
        Ok(())
    }

    /// A `oneOf`/`anyOf`: one variant per alternative, with the evidence that picks it when
    /// decoding. Alternatives that are unions themselves (untitled, without properties) are
    /// flattened into this one; with `shared` properties (written beside the alternatives,
    /// or merged by an `allOf`), each object alternative becomes a struct holding both.
    fn lower_union(
        &mut self,
        view: &SchemaView<'a>,
        part: UnionPart<'a>,
        shared: Option<Merged<'a>>,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        let mut alternatives = Vec::new();
        let mut has_null = false;
        let mut visited = BTreeSet::new();
        let discriminators: Vec<&'a Discriminator> = part.discriminator.into_iter().collect();
        self.gather(&part, "", &discriminators, 0, &mut visited, &mut alternatives, &mut has_null)?;
        let tag = alternatives
            .iter()
            .flat_map(|alternative| alternative.discriminators.first())
            .map(|d| d.property_name.clone())
            .next()
            .or_else(|| self.inferred_tag(&alternatives));
        let any_object = alternatives.iter().any(|a| is_object_like(&SchemaView::of(a.schema)));
        let shared = match shared.filter(|merged| !merged.properties.is_empty()) {
            // No alternative is an object: the listed properties are the type.
            Some(Merged { properties, required, .. }) if !any_object => {
                let lowered = self.lower_struct(view, properties, &required, pointer, hint)?;
                // Alternatives that only list required properties (`anyOf: [{required: [url]},
                // {required: [html]}]`): a value needs the properties of one of them.
                let choices: Vec<Vec<String>> = alternatives
                    .iter()
                    .map(|alternative| SchemaView::of(alternative.schema))
                    .filter(|alternative| !alternative.required.is_empty())
                    .map(|alternative| alternative.required.iter().map(|name| name.to_string()).collect())
                    .collect();
                if let TypeRef::Named(id) = &lowered {
                    if let Some(TypeDef { kind: TypeKind::Struct(body), .. }) = self.types[id.0].as_mut() {
                        body.required_choices = choices;
                    }
                }
                return Ok(lowered);
            }
            other => other,
        };
        // (type, label, tags)
        let mut lowered: Vec<(TypeRef, String, Vec<String>)> = Vec::new();
        for (position, alternative) in alternatives.iter().enumerate() {
            let alternative_view = SchemaView::of(alternative.schema);
            let given = self.given_label(alternative, &alternative_view, tag.as_deref(), hint);
            let type_hint = format!("{hint}{}", given.clone().unwrap_or_else(|| format!("Variant{position}")));
            let ty = match &shared {
                // A lone alternative and the shared properties are one struct, the schema's own.
                Some(merged) if alternatives.len() == 1 && is_object_like(&alternative_view) => {
                    self.lower_merged(merged, alternative, &alternative_view, pointer, hint)?
                }
                Some(merged) if is_object_like(&alternative_view) => self.lower_merged(
                    merged,
                    alternative,
                    &alternative_view,
                    &format!("{pointer}{}", alternative.path),
                    &type_hint,
                )?,
                _ => self.lower(alternative.node, &alternative.location, &type_hint)?,
            };
            let label = given.or_else(|| self.structural_label(&ty)).unwrap_or_else(|| format!("Variant{position}"));
            let tags = tag.as_deref().map(|tag| self.tag_values(alternative, tag)).unwrap_or_default();
            // `null` is the union's own business: it is `Option`al as a whole.
            let ty = match ty {
                TypeRef::Nullable(inner) => {
                    has_null = true;
                    *inner
                }
                other => other,
            };
            // Alternatives of one type are one variant, selected by the tags of each.
            match lowered.iter_mut().find(|(existing, _, _)| existing == &ty) {
                Some((_, _, existing_tags)) => {
                    for tag in tags {
                        if !existing_tags.contains(&tag) {
                            existing_tags.push(tag);
                        }
                    }
                }
                None => lowered.push((ty, label, tags)),
            }
        }
        let result = match lowered.len() {
            0 => TypeRef::Json,
            1 => lowered.remove(0).0,
            _ => {
                let (id, name) = self.reserve(pointer, hint);
                let mut scope = Scope::new();
                let has_json = lowered.iter().any(|(ty, _, _)| *ty == TypeRef::Json);
                let variants = lowered
                    .into_iter()
                    .map(|(ty, label, tags)| {
                        let (json, required, known) = self.evidence(&ty);
                        UnionVariant { rust_name: scope.claim(&label), ty, boxed: false, json, tags, required, known }
                    })
                    .collect();
                let unknown_variant = (!has_json).then(|| scope.claim("UnknownValue"));
                let def = UnionDef { variants, unknown_variant, tag };
                self.define(id, name, pointer, view.doc(), TypeKind::Union(def));
                TypeRef::Named(id)
            }
        };
        Ok(if has_null { nullable(result) } else { result })
    }

    /// Collects the alternatives of `part`, descending into alternatives that are untitled
    /// unions themselves.
    #[allow(clippy::too_many_arguments)]
    fn gather(
        &mut self,
        part: &UnionPart<'a>,
        path: &str,
        discriminators: &[&'a Discriminator],
        depth: usize,
        visited: &mut BTreeSet<String>,
        out: &mut Vec<Alternative<'a>>,
        has_null: &mut bool,
    ) -> Result<(), SpecProblem> {
        for (index, node) in part.alternatives.iter().enumerate() {
            let location = format!("{}/{}/{index}", part.pointer, part.keyword);
            let path = format!("{path}/{}/{index}", part.keyword);
            let Some(resolved) = self.resolve_or_skip(node, &location)? else { continue };
            let alternative_view = SchemaView::of(resolved.schema);
            if alternative_view.is_null_only() || alternative_view.typ == Some("null") {
                *has_null = true;
                continue;
            }
            let key = resolved.component.map(pointer::schema_component).unwrap_or_else(|| location.clone());
            if alternative_view.is_pure_union()
                && alternative_view.title.is_none()
                && depth < MAX_FLATTEN_DEPTH
                && visited.insert(key.clone())
            {
                *has_null |= alternative_view.nullable;
                let (alternatives, keyword) = alternative_view.alternatives();
                let nested =
                    UnionPart { alternatives, keyword, pointer: key, discriminator: alternative_view.discriminator };
                let mut inner: Vec<&'a Discriminator> = discriminators.to_vec();
                inner.extend(alternative_view.discriminator);
                self.gather(&nested, &path, &inner, depth + 1, visited, out, has_null)?;
                continue;
            }
            out.push(Alternative {
                node,
                location,
                path,
                schema: resolved.schema,
                component: resolved.component,
                discriminators: discriminators.to_vec(),
            });
        }
        Ok(())
    }

    /// A struct for an object alternative holding the shared properties too: the
    /// alternative's own properties first (they win a name both define), then the shared.
    fn lower_merged(
        &mut self,
        shared: &Merged<'a>,
        alternative: &Alternative<'a>,
        alternative_view: &SchemaView<'a>,
        merged_pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        if let Some(done) = self.by_pointer.get(merged_pointer) {
            return Ok(done.clone());
        }
        let mut own = Merged::default();
        let mut visited = BTreeSet::new();
        let key = alternative.component.map(pointer::schema_component).unwrap_or_else(|| alternative.location.clone());
        visited.insert(key.clone());
        self.collect_all_of(alternative.schema, &key, false, &mut own, &mut visited)?;
        if !own.unions.is_empty() {
            self.diagnose(
                &key,
                "nested-union",
                "a union inside an alternative of a union with shared properties is merged by its listed properties only",
            );
        }
        let mut properties = own.properties;
        for (name, property, owner) in &shared.properties {
            if !properties.iter().any(|(existing, _, _)| existing == name) {
                properties.push((*name, *property, owner.clone()));
            }
        }
        let mut required = own.required;
        for name in &shared.required {
            if properties.iter().any(|(existing, _, _)| existing == name) && !required.contains(name) {
                required.push(name);
            }
        }
        self.lower_struct(alternative_view, properties, &required, merged_pointer, hint)
    }

    /// The name the spec gives an alternative: its reference name (less the words it shares
    /// with the union's name), its title, or the value it fixes the tag to.
    fn given_label(
        &self,
        alternative: &Alternative<'a>,
        view: &SchemaView<'a>,
        tag: Option<&str>,
        union_name: &str,
    ) -> Option<String> {
        if let Some(component) = alternative.component {
            return Some(strip_shared_words(&naming::variant_name(component), union_name));
        }
        if let Some(title) = view.title.map(str::trim).filter(|t| t.chars().any(char::is_alphanumeric)) {
            return Some(naming::variant_name(title));
        }
        let constant = tag.and_then(|tag| self.property_values(alternative.schema, tag, 0)).filter(|v| v.len() == 1);
        if let Some(values) = constant {
            return Some(naming::variant_name(&values[0]));
        }
        // An `allOf` around one reference is named by the reference.
        let references: Vec<&str> = view
            .all_of
            .iter()
            .filter_map(|member| match member {
                ReferenceOr::Reference { reference } => reference.strip_prefix("#/components/schemas/"),
                ReferenceOr::Item(_) => None,
            })
            .collect();
        if let [reference] = references.as_slice() {
            let component = reference.replace("~1", "/").replace("~0", "~");
            return Some(strip_shared_words(&naming::variant_name(&component), union_name));
        }
        // A string enum is named by its values, when they are few.
        let values: Vec<&str> = view.enumeration.iter().filter_map(Value::as_str).collect();
        if (1..=3).contains(&values.len()) {
            let joined = values.iter().map(|v| naming::variant_name(v)).collect::<Vec<_>>().join("Or");
            if joined.len() <= 40 {
                return Some(joined);
            }
        }
        // An inline object with one required property (or one property) is named by it.
        let single = match (view.required.as_slice(), view.properties.as_slice()) {
            ([one], _) => Some(*one),
            (_, [(one, _)]) => Some(*one),
            _ => None,
        };
        single.filter(|_| is_object_like(view)).map(naming::variant_name)
    }

    /// A name from the shape when the spec names nothing: the type of a scalar or array.
    fn structural_label(&self, ty: &TypeRef) -> Option<String> {
        match ty {
            TypeRef::Named(_) => None,
            other => Some(self.label(other)),
        }
    }

    /// A property that every object alternative (two or more) fixes to one string value.
    fn inferred_tag(&self, alternatives: &[Alternative<'a>]) -> Option<String> {
        let objects: Vec<&Alternative<'a>> =
            alternatives.iter().filter(|a| is_object_like(&SchemaView::of(a.schema))).collect();
        if objects.len() < 2 {
            return None;
        }
        let mut names = Vec::new();
        self.collect_properties(objects[0].schema, 0, &mut names);
        names
            .into_iter()
            .map(|(name, _)| name)
            .find(|name| {
                let mut values = BTreeSet::new();
                objects.iter().all(|alternative| match self.property_values(alternative.schema, name, 0).as_deref() {
                    Some([value]) => {
                        values.insert(value.clone());
                        true
                    }
                    _ => false,
                }) && values.len() > 1
            })
            .map(str::to_string)
    }

    /// The tag values that select an alternative: the discriminator mapping's keys that
    /// name it, its component name (the implicit mapping), and the values its schema
    /// allows for the tag property.
    fn tag_values(&self, alternative: &Alternative<'a>, tag: &str) -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        let mut add = |value: &str| {
            if !values.iter().any(|v| v == value) {
                values.push(value.to_string());
            }
        };
        for discriminator in alternative.discriminators.iter().filter(|d| d.property_name == tag) {
            if let Some(component) = alternative.component {
                for (key, target) in &discriminator.mapping {
                    if mapping_target(target) == component {
                        add(key);
                    }
                }
                add(component);
            }
        }
        for value in self.property_values(alternative.schema, tag, 0).unwrap_or_default() {
            add(&value);
        }
        values
    }

    /// The string values a schema's property `name` allows (its `enum`, or `const`),
    /// looking through `allOf` members.
    fn property_values(&self, schema: &'a Schema, name: &str, depth: usize) -> Option<Vec<String>> {
        let mut properties = Vec::new();
        self.collect_properties(schema, depth, &mut properties);
        let (_, property) = properties.into_iter().rev().find(|(existing, _)| *existing == name)?;
        let resolved = self.resolver.schema(property, "").ok()?;
        let view = SchemaView::of(resolved.schema);
        let values: Vec<String> = view.enumeration.iter().filter_map(|v| v.as_str().map(String::from)).collect();
        (!values.is_empty()).then_some(values)
    }

    /// The properties a schema lists itself and through its `allOf` members, in order.
    fn collect_properties(
        &self,
        schema: &'a Schema,
        depth: usize,
        out: &mut Vec<(&'a str, &'a ReferenceOr<Box<Schema>>)>,
    ) {
        if depth > MAX_FLATTEN_DEPTH {
            return;
        }
        let view = SchemaView::of(schema);
        for member in view.all_of {
            if let Ok(resolved) = self.resolver.schema(member, "") {
                self.collect_properties(resolved.schema, depth + 1, out);
            }
        }
        out.extend(view.properties);
    }

    /// What decoding checks about an alternative: its JSON type, required and known properties.
    fn evidence(&self, ty: &TypeRef) -> (JsonKind, Vec<String>, Vec<String>) {
        let none = |kind| (kind, Vec::new(), Vec::new());
        match ty {
            TypeRef::String => none(JsonKind::String),
            TypeRef::Bool => none(JsonKind::Boolean),
            TypeRef::Integer(_) => none(JsonKind::Integer),
            TypeRef::Float => none(JsonKind::Number),
            TypeRef::Json => none(JsonKind::Any),
            // Bytes inside JSON travel as a string.
            TypeRef::File => none(JsonKind::String),
            TypeRef::Array(_) => none(JsonKind::Array),
            TypeRef::Map(_) => none(JsonKind::Object),
            TypeRef::Nullable(inner) => self.evidence(inner),
            TypeRef::Named(id) => match self.types[id.0].as_ref().map(|def| &def.kind) {
                Some(TypeKind::Struct(def)) => (
                    JsonKind::Object,
                    def.fields.iter().filter(|f| f.required).map(|f| f.wire_name.clone()).collect(),
                    def.fields.iter().map(|f| f.wire_name.clone()).collect(),
                ),
                Some(TypeKind::Enum(_)) => none(JsonKind::String),
                Some(TypeKind::Union(def)) => {
                    // A nested union: what all its alternatives share.
                    let kind =
                        def.variants.first().map(|v| v.json).filter(|k| def.variants.iter().all(|v| v.json == *k));
                    let mut required: Vec<String> =
                        def.variants.first().map(|v| v.required.clone()).unwrap_or_default();
                    required.retain(|name| def.variants.iter().all(|v| v.required.contains(name)));
                    let mut known: Vec<String> = Vec::new();
                    for name in def.variants.iter().flat_map(|v| &v.known) {
                        if !known.contains(name) {
                            known.push(name.clone());
                        }
                    }
                    (kind.unwrap_or(JsonKind::Any), required, known)
                }
                None => none(JsonKind::Any),
            },
        }
    }

    fn label(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::String => "String".into(),
            TypeRef::Bool => "Bool".into(),
            TypeRef::Integer(_) => "Integer".into(),
            TypeRef::Float => "Number".into(),
            TypeRef::Json => "Json".into(),
            TypeRef::File => "File".into(),
            TypeRef::Array(_) => "Array".into(),
            TypeRef::Map(_) => "Map".into(),
            TypeRef::Nullable(inner) => self.label(inner),
            TypeRef::Named(id) => self.types[id.0].as_ref().map(|d| d.name.clone()).unwrap_or_else(|| "Object".into()),
        }
    }

    /// What documents a property: description, example, format, constraints, default and
    /// deprecation.
    fn property_doc<S: std::borrow::Borrow<Schema>>(&self, property: &'a ReferenceOr<S>, pointer: &str) -> PropertyDoc {
        // `$ref` siblings are ignored by OpenAPI 3.0, so a referenced property takes the
        // description of the schema it points to.
        let Ok(resolved) = self.resolver.schema(property, pointer) else { return PropertyDoc::default() };
        let view = SchemaView::of(resolved.schema);
        // An `allOf` that annotates a reference documents the property in its annotation.
        let annotation = view.all_of.iter().find_map(|member| match member {
            ReferenceOr::Item(member) if is_annotation_only(&SchemaView::of(member)) => SchemaView::of(member).doc(),
            _ => None,
        });
        // The member that gives the type, for its description, format and constraints.
        let substantive = view.all_of.iter().find_map(|member| {
            let resolved = self.resolver.schema(member, pointer).ok()?;
            (!is_annotation_only(&SchemaView::of(resolved.schema))).then_some(resolved.schema)
        });
        let typed = substantive.map(SchemaView::of);
        let facts = if view.typ.is_none() { typed.as_ref().unwrap_or(&view) } else { &view };
        let doc = view.doc().or(annotation).or_else(|| typed.as_ref().and_then(SchemaView::doc));
        PropertyDoc {
            doc,
            example: resolved.schema.schema_data.example.clone(),
            format: facts.format.clone(),
            rules: Rules { allowed: Vec::new(), ..overlaid(self.rules_of(facts, pointer), &view) },
            default: view.default.or(facts.default).cloned(),
            deprecated: view.deprecated.clone().or_else(|| facts.deprecated.clone()),
        }
    }

    /// A request body's type: as [`TypeLowerer::lower`], except that a schema which only lists
    /// required properties (`{required: [id]}`, no properties) is a struct of those, each any
    /// JSON, so that a body built through the SDK has them (a validating server checks them).
    pub fn lower_body(
        &mut self,
        schema: &'a ReferenceOr<Schema>,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        static ANY: std::sync::LazyLock<ReferenceOr<Box<Schema>>> = std::sync::LazyLock::new(|| {
            ReferenceOr::Item(Box::new(Schema {
                schema_data: Default::default(),
                schema_kind: openapiv3::SchemaKind::Any(Default::default()),
            }))
        });
        if let Ok(resolved) = self.resolver.schema(schema, pointer) {
            let view = SchemaView::of(resolved.schema);
            let only_required = matches!(view.typ, None | Some("object"))
                && resolved.component.is_none()
                && !view.has_properties()
                && view.alternatives().0.is_empty()
                && view.all_of.is_empty()
                && view.additional.is_none()
                && !view.required.is_empty();
            if only_required {
                let any: &'static ReferenceOr<Box<Schema>> = &ANY;
                let properties = view.required.iter().map(|name| (*name, any, None)).collect();
                return self.lower_struct(&view, properties, &view.required, pointer, hint);
            }
        }
        self.lower(schema, pointer, hint)
    }

    /// The format and constraints of a value; for `{allOf: [{$ref}], minLength}` (a 3.0
    /// reference with applied siblings) the referenced schema's under its own.
    pub(super) fn value_facts(
        &self,
        view: &SchemaView<'a>,
        pointer: &str,
    ) -> (Option<String>, Rules, Option<&'a Value>) {
        let rules = self.rules_of(view, pointer);
        match view.all_of {
            [member] if view.typ.is_none() => match self.resolver.schema(member, &format!("{pointer}/allOf/0")) {
                Ok(member) => {
                    let member_view = SchemaView::of(member.schema);
                    let member_rules = self.rules_of(&member_view, pointer);
                    let example = member.schema.schema_data.example.as_ref();
                    (view.format.clone().or(member_view.format.clone()), overlaid(member_rules, view), example)
                }
                Err(_) => (view.format.clone(), rules, None),
            },
            _ => (view.format.clone(), rules, None),
        }
    }

    /// The constraints of a value: its own, and for a list its items' (one level).
    pub(super) fn rules_of(&self, view: &SchemaView<'_>, pointer: &str) -> Rules {
        let mut rules = own_rules(view);
        if let Some(items) = view.items {
            if let Ok(resolved) = self.resolver.schema(items, &format!("{pointer}/items")) {
                let item_view = SchemaView::of(resolved.schema);
                let item_rules = own_rules(&item_view);
                // An item `{allOf: [{$ref}], minLength}`: the referenced schema's rules under
                // the item's own.
                let (item_format, item_rules) = match item_view.all_of {
                    [member] if item_view.typ.is_none() => match self.resolver.schema(member, pointer) {
                        Ok(member) => {
                            let member_view = SchemaView::of(member.schema);
                            let format = item_view.format.clone().or(member_view.format.clone());
                            (format, overlaid(own_rules(&member_view), &item_view))
                        }
                        Err(_) => (item_view.format.clone(), item_rules),
                    },
                    _ => (item_view.format.clone(), item_rules),
                };
                rules.item_format = item_format;
                if item_rules != Rules::default() {
                    rules.items = Some(Box::new(item_rules));
                }
            }
        }
        rules
    }

    /// The `default` of a property, when it can be written as a value of the field's type.
    fn property_default(&self, property: &'a ReferenceOr<Box<Schema>>, pointer: &str, ty: &TypeRef) -> Option<Value> {
        let resolved = self.resolver.schema(property, pointer).ok()?;
        let value = resolved.schema.schema_data.default.as_ref()?;
        self.default_fits(ty, value).then(|| value.clone())
    }

    /// Whether a default value can be written as a value of `ty`: scalars of the same kind
    /// (integers in range), a known value of a string enum, `null` for a nullable type, and an
    /// empty list or map. Anything else (objects of named types, non-empty lists) is left out,
    /// and the field stays a constructor argument.
    fn default_fits(&self, ty: &TypeRef, value: &Value) -> bool {
        match (ty, value) {
            (TypeRef::Nullable(_), Value::Null) => true,
            (TypeRef::Nullable(inner), value) => self.default_fits(inner, value),
            (TypeRef::String, Value::String(_)) | (TypeRef::Bool, Value::Bool(_)) => true,
            (TypeRef::Integer(kind), Value::Number(number)) => match kind {
                IntegerKind::I32 => number.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                IntegerKind::I64 => number.as_i64().is_some(),
                IntegerKind::U32 => number.as_u64().is_some_and(|n| u32::try_from(n).is_ok()),
                IntegerKind::U64 => number.as_u64().is_some(),
            },
            (TypeRef::Float, Value::Number(number)) => number.as_f64().is_some_and(f64::is_finite),
            (TypeRef::Json, Value::Null | Value::Bool(_) | Value::String(_)) => true,
            (TypeRef::Json, Value::Number(number)) => number.as_i64().is_some(),
            (TypeRef::Array(_), Value::Array(items)) => items.is_empty(),
            (TypeRef::Map(_), Value::Object(entries)) => entries.is_empty(),
            (TypeRef::Named(id), Value::String(wire)) => match self.types[id.0].as_ref().map(|def| &def.kind) {
                Some(TypeKind::Enum(def)) => def.variants.iter().any(|variant| &variant.wire == wire),
                _ => false,
            },
            _ => false,
        }
    }

    /// The type name of a component schema, from its pointer.
    fn component_type_name(&self, pointer: &str) -> Option<String> {
        let token = pointer.strip_prefix("#/components/schemas/").filter(|rest| !rest.contains('/'))?;
        let name = token.replace("~1", "/").replace("~0", "~");
        Some(self.component_names.get(&name).cloned().unwrap_or_else(|| naming::type_name(&name)))
    }

    /// Resolves a schema; in lenient mode a broken reference is reported and skipped.
    fn resolve_or_skip(
        &mut self,
        node: &'a ReferenceOr<Schema>,
        pointer: &str,
    ) -> Result<Option<crate::resolve::ResolvedSchema<'a>>, SpecProblem> {
        match self.resolver.schema(node, pointer) {
            Ok(resolved) => Ok(Some(resolved)),
            Err(problem) if self.lenient => {
                self.diagnose(&problem.pointer, "broken-reference", &format!("{}; left out", problem.message));
                Ok(None)
            }
            Err(problem) => Err(problem),
        }
    }

    fn reserve(&mut self, pointer: &str, hint: &str) -> (TypeId, String) {
        let id = TypeId(self.types.len());
        self.types.push(None);
        let name = if let Some(component) =
            pointer.strip_prefix("#/components/schemas/").filter(|rest| !rest.contains('/'))
        {
            let component = component.replace("~1", "/").replace("~0", "~");
            match self.component_names.get(&component) {
                Some(reserved) => reserved.clone(),
                None => self.scope.claim(&naming::cap_length(hint.to_string())),
            }
        } else {
            // Derived names grow with nesting; cap them (they become file names too).
            let wanted = self.overrides.get(pointer).cloned().unwrap_or_else(|| naming::cap_length(hint.to_string()));
            self.scope.claim(&wanted)
        };
        // Recursion through this type returns the id before its fields are lowered.
        self.by_pointer.insert(pointer.to_string(), TypeRef::Named(id));
        (id, name)
    }

    fn define(&mut self, id: TypeId, name: String, pointer: &str, doc: Option<String>, kind: TypeKind) {
        self.types[id.0] = Some(TypeDef {
            name,
            // Settled once every type is named (see `lower`); the analysis passes set the rest.
            module: String::new(),
            defaultable: false,
            one_pass: false,
            features: Vec::new(),
            pointer: pointer.to_string(),
            doc,
            deprecated: None,
            alias_of: None,
            kind,
        });
    }

    /// Marks a defined type deprecated when its schema says so.
    fn deprecate(&mut self, id: TypeId, view: &SchemaView<'_>) {
        if let Some(def) = self.types[id.0].as_mut() {
            def.deprecated = view.deprecated.clone();
        }
    }

    fn diagnose(&mut self, pointer: &str, kind: &'static str, message: &str) {
        self.diagnostics.push(Diagnostic { pointer: pointer.to_string(), kind, message: message.to_string() });
    }
}

/// Properties gathered from an `allOf`, and the unions among its members.
#[derive(Default)]
struct Merged<'a> {
    properties: Vec<Property<'a>>,
    required: Vec<&'a str>,
    unions: Vec<UnionPart<'a>>,
}

/// The alternatives of one `oneOf`/`anyOf`, the schema they belong to and its discriminator.
struct UnionPart<'a> {
    alternatives: &'a [ReferenceOr<Schema>],
    keyword: &'static str,
    /// Pointer of the schema holding the keyword.
    pointer: String,
    discriminator: Option<&'a Discriminator>,
}

/// One alternative of a union, after nested unions are flattened into their parent.
struct Alternative<'a> {
    node: &'a ReferenceOr<Schema>,
    /// Where the alternative is written.
    location: String,
    /// Its place below the union being lowered (`/anyOf/0/anyOf/3`), unique to that union.
    path: String,
    schema: &'a Schema,
    component: Option<&'a str>,
    /// The discriminators of the unions it was reached through, outermost first.
    discriminators: Vec<&'a Discriminator>,
}

/// How deeply nested unions are flattened into their parent.
const MAX_FLATTEN_DEPTH: usize = 8;

/// Whether an alternative is an object that shared properties can join.
fn is_object_like(view: &SchemaView<'_>) -> bool {
    view.typ == Some("object") || view.has_properties() || !view.all_of.is_empty()
}

/// The component a discriminator mapping names (`#/components/schemas/Cat` or `Cat`).
fn mapping_target(target: &str) -> String {
    let name = target.strip_prefix("#/components/schemas/").unwrap_or(target);
    name.replace("~1", "/").replace("~0", "~")
}

/// `name` less the leading words it shares with `union_name` (`DnsRecordsARecord` in
/// `DnsRecordsDnsRecord` reads `ARecord`), when a name is left.
fn strip_shared_words(name: &str, union_name: &str) -> String {
    let (a, b) = (name.as_bytes(), union_name.as_bytes());
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let cut = (1..=common.min(a.len().saturating_sub(1)))
        .rev()
        .find(|&at| a[at].is_ascii_uppercase() && (at == b.len() || b[at].is_ascii_uppercase()));
    match cut {
        Some(at) if !naming::is_keyword(&name[at..]) => name[at..].to_string(),
        _ => name.to_string(),
    }
}

/// A property to lower: its name, its schema, and the pointer of the schema that defines
/// it when that is not the struct being lowered (an `allOf` member).
type Property<'a> = (&'a str, &'a ReferenceOr<Box<Schema>>, Option<String>);

/// A schema that only documents (description, title, example, ...) and constrains nothing
/// a type can express.
fn is_annotation_only(view: &SchemaView<'_>) -> bool {
    view.typ.is_none()
        && !view.has_properties()
        && view.items.is_none()
        && view.additional.is_none()
        && view.enumeration.is_empty()
        && view.all_of.is_empty()
        && view.one_of.is_empty()
        && view.any_of.is_empty()
}

/// Wraps in `Nullable` once.
pub fn nullable(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) => ty,
        other => TypeRef::Nullable(Box::new(other)),
    }
}

/// Whether a schema, lowered in place, becomes a named type (struct, string enum or union).
fn is_named_shape(view: &SchemaView<'_>) -> bool {
    let string_enum = !view.enumeration.is_empty()
        && view.enumeration.iter().any(Value::is_string)
        && view.enumeration.iter().all(|v| v.is_string() || v.is_null())
        && matches!(view.typ, None | Some("string"));
    view.has_properties() || view.all_of.len() > 1 || view.one_of.len() > 1 || view.any_of.len() > 1 || string_enum
}

/// The constraints a schema puts on its own value (not on its items).
pub(super) fn own_rules(view: &SchemaView<'_>) -> Rules {
    Rules {
        max_length: view.max_length,
        min_length: view.min_length,
        pattern: view.pattern.map(String::from),
        allowed: view.enumeration.iter().filter_map(|value| value.as_str().map(String::from)).collect(),
        minimum: view.minimum,
        maximum: view.maximum,
        numbers: match view.typ {
            Some("integer" | "number") => view.enumeration.iter().filter_map(Value::as_f64).collect(),
            _ => Vec::new(),
        },
        min_items: view.min_items.filter(|&count| count > 0),
        item_format: None,
        items: None,
    }
}

/// `rules` with the constraints `view` states itself in their place (a reference's
/// `minLength` beside it wins over the referenced schema's).
fn overlaid(rules: Rules, view: &SchemaView<'_>) -> Rules {
    let own = own_rules(view);
    Rules {
        max_length: own.max_length.or(rules.max_length),
        min_length: own.min_length.or(rules.min_length),
        pattern: own.pattern.or(rules.pattern),
        minimum: own.minimum.or(rules.minimum),
        maximum: own.maximum.or(rules.maximum),
        min_items: own.min_items.or(rules.min_items),
        ..rules
    }
}

/// What documents a property besides its type.
#[derive(Default)]
struct PropertyDoc {
    doc: Option<String>,
    example: Option<Value>,
    format: Option<String>,
    rules: Rules,
    default: Option<Value>,
    deprecated: Option<Deprecation>,
}

impl PropertyDoc {
    /// A struct field documented by these facts; `default` is a required field's spec
    /// default as its constructor uses it (see `property_default`).
    fn field(self, rust_name: String, wire_name: &str, ty: TypeRef, required: bool, default: Option<Value>) -> Field {
        Field {
            rust_name,
            wire_name: wire_name.to_string(),
            ty,
            required,
            doc: self.doc,
            boxed: false,
            example: self.example,
            format: self.format,
            rules: self.rules,
            documented_default: self.default,
            deprecated: self.deprecated,
            default,
            setter: None,
        }
    }
}
