//! Lowering schemas to [`TypeRef`]s and [`TypeDef`]s: one registry, one name per defining schema.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{AdditionalProperties, OpenAPI, ReferenceOr, Schema};
use serde_json::Value;

use crate::error::SpecProblem;
use crate::ir::naming::{self, Scope};
use crate::ir::schema_view::SchemaView;
use crate::ir::{
    Diagnostic, EnumDef, EnumVariant, Field, FloatKind, IntegerKind, StructDef, TypeDef, TypeId, TypeKind, TypeRef,
    UnionDef, UnionVariant,
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
        let (alternatives, keyword) =
            if !view.one_of.is_empty() { (view.one_of, "oneOf") } else { (view.any_of, "anyOf") };
        if !alternatives.is_empty() && !view.has_properties() {
            return self.lower_union(alternatives, keyword, pointer, hint);
        }
        if !view.enumeration.is_empty() {
            if let Some(lowered) = self.lower_enum(view, pointer, hint) {
                return Ok(lowered);
            }
        }
        match view.typ {
            Some("string") => Ok(TypeRef::String),
            Some("boolean") => Ok(TypeRef::Bool),
            Some("integer") => Ok(TypeRef::Integer(match view.format.as_deref() {
                Some("int32") => IntegerKind::I32,
                Some("uint32") => IntegerKind::U32,
                Some("uint64") => IntegerKind::U64,
                _ => IntegerKind::I64,
            })),
            Some("number") => Ok(TypeRef::Float(match view.format.as_deref() {
                Some("float") => FloatKind::F32,
                _ => FloatKind::F64,
            })),
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
            let (doc, example) = self.property_doc(property, &property_pointer);
            let required = required.contains(&wire_name);
            let default = if required { self.property_default(property, &property_pointer, &ty) } else { None };
            fields.push(Field {
                rust_name: scope.claim(&naming::snake(wire_name)),
                wire_name: wire_name.to_string(),
                ty,
                required,
                doc,
                boxed: false,
                example,
                default,
                setter: None,
            });
        }
        let extra_ty = match view.additional {
            Some(AdditionalProperties::Schema(values)) => {
                self.lower(values.as_ref(), &format!("{pointer}/additionalProperties"), &format!("{name}Value"))?
            }
            _ => TypeRef::Json,
        };
        let extra_name = scope.claim("extra");
        let mut def =
            StructDef { fields, extra_name, extra_ty, constructor: String::new(), extra_setter: String::new() };
        naming::struct_methods(&mut def);
        self.define(id, name, pointer, view.doc(), TypeKind::Struct(def));
        Ok(TypeRef::Named(id))
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
        if substantive.len() == 1 && !view.has_properties() {
            let index = substantive[0];
            return self.lower(&view.all_of[index], &format!("{pointer}/allOf/{index}"), hint);
        }
        let mut merged = Merged::default();
        let mut visited = BTreeSet::new();
        self.collect_all_of(schema, pointer, true, &mut merged, &mut visited)?;
        let Merged { properties, required } = merged;
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
        if !member_view.one_of.is_empty() || !member_view.any_of.is_empty() {
            self.diagnose(
                member_pointer,
                "allof-union",
                "an allOf member with oneOf/anyOf is merged by its listed properties only",
            );
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

    fn lower_union(
        &mut self,
        alternatives: &'a [ReferenceOr<Schema>],
        keyword: &str,
        pointer: &str,
        hint: &str,
    ) -> Result<TypeRef, SpecProblem> {
        let mut lowered = Vec::new();
        let mut has_null = false;
        for (index, alternative) in alternatives.iter().enumerate() {
            let alternative_pointer = format!("{pointer}/{keyword}/{index}");
            let Some(resolved) = self.resolve_or_skip(alternative, &alternative_pointer)? else { continue };
            let alternative_view = SchemaView::of(resolved.schema);
            if alternative_view.is_null_only() || alternative_view.typ == Some("null") {
                has_null = true;
                continue;
            }
            let ty = self.lower(alternative, &alternative_pointer, &format!("{hint}Variant{index}"))?;
            let label = match (&ty, resolved.component) {
                (_, Some(component)) => naming::variant_name(component),
                (TypeRef::Nullable(inner), None) => self.label(inner),
                (ty, None) => self.label(ty),
            };
            if !lowered.iter().any(|(existing, _)| existing == &ty) {
                lowered.push((ty, label));
            }
        }
        // Untagged decoding takes the first alternative that fits, and a struct whose fields
        // are all optional fits any object; so alternatives with more required fields go
        // first (a stable sort keeps the spec's order otherwise).
        lowered.sort_by_key(|(ty, _)| std::cmp::Reverse(self.required_count(ty)));
        let result = match lowered.len() {
            0 => TypeRef::Json,
            1 => lowered.remove(0).0,
            _ => {
                let (id, name) = self.reserve(pointer, hint);
                let mut scope = Scope::new();
                let has_json = lowered.iter().any(|(ty, _)| *ty == TypeRef::Json);
                let variants = lowered
                    .into_iter()
                    .map(|(ty, label)| UnionVariant { rust_name: scope.claim(&label), ty, boxed: false })
                    .collect();
                let unknown_variant = (!has_json).then(|| scope.claim("UnknownValue"));
                self.define(id, name, pointer, None, TypeKind::Union(UnionDef { variants, unknown_variant }));
                TypeRef::Named(id)
            }
        };
        Ok(if has_null { nullable(result) } else { result })
    }

    fn required_count(&self, ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Named(id) => match self.types[id.0].as_ref().map(|d| &d.kind) {
                Some(TypeKind::Struct(def)) => def.fields.iter().filter(|f| f.required).count(),
                _ => 0,
            },
            _ => 0,
        }
    }

    fn label(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::String => "String".into(),
            TypeRef::Bool => "Bool".into(),
            TypeRef::Integer(_) => "Integer".into(),
            TypeRef::Float(_) => "Number".into(),
            TypeRef::Json => "Json".into(),
            TypeRef::Array(_) => "Array".into(),
            TypeRef::Map(_) => "Map".into(),
            TypeRef::Nullable(inner) => self.label(inner),
            TypeRef::Named(id) => self.types[id.0].as_ref().map(|d| d.name.clone()).unwrap_or_else(|| "Object".into()),
        }
    }

    /// Description and example of a property.
    fn property_doc(&self, property: &'a ReferenceOr<Box<Schema>>, pointer: &str) -> (Option<String>, Option<Value>) {
        // `$ref` siblings are ignored by OpenAPI 3.0, so a referenced property takes the
        // description of the schema it points to.
        let Ok(resolved) = self.resolver.schema(property, pointer) else { return (None, None) };
        let view = SchemaView::of(resolved.schema);
        // An `allOf` that annotates a reference documents the property in its annotation.
        let annotation = view.all_of.iter().find_map(|member| match member {
            ReferenceOr::Item(member) if is_annotation_only(&SchemaView::of(member)) => SchemaView::of(member).doc(),
            _ => None,
        });
        let referenced = || {
            view.all_of.iter().find_map(|member| {
                self.resolver.schema(member, pointer).ok().and_then(|r| SchemaView::of(r.schema).doc())
            })
        };
        let doc = view.doc().or(annotation).or_else(referenced);
        (doc, resolved.schema.schema_data.example.clone())
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
            (TypeRef::Float(FloatKind::F32), Value::Number(number)) => {
                number.as_f64().is_some_and(|n| (n as f32).is_finite())
            }
            (TypeRef::Float(FloatKind::F64), Value::Number(number)) => number.as_f64().is_some_and(f64::is_finite),
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
            features: Vec::new(),
            pointer: pointer.to_string(),
            doc,
            kind,
        });
    }

    fn diagnose(&mut self, pointer: &str, kind: &'static str, message: &str) {
        self.diagnostics.push(Diagnostic { pointer: pointer.to_string(), kind, message: message.to_string() });
    }
}

/// Properties gathered from an `allOf`.
#[derive(Default)]
struct Merged<'a> {
    properties: Vec<Property<'a>>,
    required: Vec<&'a str>,
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
