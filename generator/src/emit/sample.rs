//! Values a validating server accepts, written as Rust expressions that build them through
//! the SDK's public API from outside the crate: the spec's example where it fits the type and
//! its constraints, else a minimal valid value (required properties only, an enum's first
//! value, a string of the right format, pattern and length, a number within bounds).
//!
//! Every string from the spec leaves here as an escaped literal ([`literal`]).

use serde_json::Value;

use super::rust_type_text_in;
use super::source::literal;
use crate::ir::{
    Api, EnumDef, Field, IntegerKind, Param, Rules, StructDef, TypeId, TypeKind, TypeRef, UnionDef, UnionVariant,
};

/// How deep a value may nest before the sampler gives up (lists stop at one level less).
const MAX_DEPTH: usize = 24;

/// What the spec says about one value: its format, constraints and example.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// `format`.
    pub format: Option<&'a str>,
    /// `pattern`, lengths, bounds, allowed values.
    pub rules: Option<&'a Rules>,
    /// The spec's example.
    pub example: Option<&'a Value>,
    /// The value must not be empty (a parameter: an empty one changes a path's route, and a
    /// query or header value reads as absent); a number is then whole (in a path a
    /// fraction's `.` can read as a separator).
    pub non_empty: bool,
}

impl<'a> Facts<'a> {
    /// A parameter's facts.
    pub fn of_param(param: &'a Param) -> Self {
        Facts {
            format: param.format.as_deref(),
            rules: Some(&param.rules),
            // A parameter's default (`Accept: application/json`) is the value a server expects
            // when the spec gives no example.
            example: param.example.as_ref().or(param.default.as_ref()),
            // An empty value in a path changes the route; in a query or a header, servers
            // (and Prism: `?linkId=` fails a required `linkId`) read it as absent.
            non_empty: true,
        }
    }

    /// A struct field's facts.
    pub fn of_field(field: &'a Field) -> Self {
        Facts {
            format: field.format.as_deref(),
            rules: Some(&field.rules),
            example: field.example.as_ref(),
            non_empty: false,
        }
    }

    fn without_example(self) -> Self {
        Facts { example: None, ..self }
    }
}

/// Which named types have a finite value: the least fixed point, so that a type whose
/// required properties lead back to itself with no `null`, list or map on the way never has.
pub fn buildable(api: &Api) -> Vec<bool> {
    let has_value = |buildable: &[bool], ty: &TypeRef| match ty {
        TypeRef::Named(id) => buildable[id.0],
        _ => true,
    };
    let mut buildable: Vec<bool> = api.types.iter().map(|def| matches!(def.kind, TypeKind::Enum(_))).collect();
    loop {
        let mut changed = false;
        for (index, def) in api.types.iter().enumerate() {
            if buildable[index] {
                continue;
            }
            let possible = match &def.kind {
                TypeKind::Struct(body) => body
                    .fields
                    .iter()
                    .filter(|field| field.required && field.default.is_none())
                    .all(|field| has_value(&buildable, &field.ty)),
                TypeKind::Union(body) => body.variants.iter().any(|variant| has_value(&buildable, &variant.ty)),
                TypeKind::Enum(_) => true,
            };
            if possible {
                buildable[index] = true;
                changed = true;
            }
        }
        if !changed {
            return buildable;
        }
    }
}

/// Builds value expressions for one API, outside the crate `sdk` (the library's name).
pub struct Sampler<'a> {
    api: &'a Api,
    sdk: &'a str,
    buildable: Vec<bool>,
}

impl<'a> Sampler<'a> {
    /// A sampler of `api`'s values, spelled from a crate that calls the SDK `sdk`.
    pub fn new(api: &'a Api, sdk: &'a str) -> Self {
        Sampler { api, sdk, buildable: buildable(api) }
    }

    /// The Rust spelling of `ty` outside the crate.
    pub fn type_text(&self, ty: &TypeRef) -> String {
        rust_type_text_in(self.api, ty, self.sdk)
    }

    /// A value of exactly type `ty`, or why there is none.
    pub fn value(&self, ty: &TypeRef, facts: Facts<'_>) -> Result<String, String> {
        self.value_in(ty, facts, &mut Vec::new())
    }

    /// A value of a form body: a struct without required properties gets one of its optional
    /// ones, since a form body without fields is empty, which servers (and Prism: "body
    /// missing") read as no body. Otherwise as [`Sampler::argument`].
    pub fn form_argument(&self, ty: &TypeRef) -> Result<String, String> {
        if let TypeRef::Named(id) = ty {
            let def = self.api.type_def(*id);
            if let TypeKind::Struct(body) = &def.kind {
                let empty = body.fields.iter().all(|field| !field.required) && body.min_properties.unwrap_or(0) == 0;
                if empty && self.buildable[id.0] {
                    let body = StructDef { min_properties: Some(1), ..body.clone() };
                    let name = format!("{}::types::{}", self.sdk, def.name);
                    return self.struct_value(&name, &body, None, None, None, &mut vec![*id]);
                }
            }
        }
        self.argument(ty, Facts::default())
    }

    /// A value for an `impl Into<String>` or `&str` argument when `ty` is a string (a bare
    /// literal), else as [`Sampler::value`].
    pub fn argument(&self, ty: &TypeRef, facts: Facts<'_>) -> Result<String, String> {
        match ty {
            TypeRef::String => Ok(literal(&string_value(facts))),
            other => self.value(other, facts),
        }
    }

    fn value_in(&self, ty: &TypeRef, facts: Facts<'_>, stack: &mut Vec<TypeId>) -> Result<String, String> {
        if let Some(example) = facts.example {
            if let Some(value) = self.example_value(ty, facts, example, stack) {
                return Ok(value);
            }
        }
        let facts = facts.without_example();
        Ok(match ty {
            TypeRef::String => format!("String::from({})", literal(&string_value(facts))),
            TypeRef::Bool => "true".into(),
            TypeRef::Integer(kind) => integer_text(integer_value(facts.rules, *kind), *kind),
            TypeRef::Float => float_text(match facts.non_empty {
                // In a path a fraction's `.` can read as a separator (`{event_t}.{event_n}`).
                true => whole_float(facts.rules),
                false => float_value(facts.rules),
            }),
            TypeRef::Json => "serde_json::Value::Object(serde_json::Map::new())".into(),
            TypeRef::File => self.file(),
            TypeRef::Array(item) => {
                let recursive = matches!(**item, TypeRef::Named(id) if stack.contains(&id));
                match (recursive || stack.len() + 1 >= MAX_DEPTH).then_some(()) {
                    Some(()) => format!("Vec::<{}>::new()", self.type_text(item)),
                    // One item, or `minItems`: lists with `minItems` are common, lists
                    // without room for one rare.
                    None => match self.value_in(item, item_facts(facts), stack) {
                        Ok(value) => format!("vec![{}]", vec![value; item_count(facts.rules)].join(", ")),
                        Err(_) => format!("Vec::<{}>::new()", self.type_text(item)),
                    },
                }
            }
            TypeRef::Map(value) => format!("std::collections::BTreeMap::<String, {}>::new()", self.type_text(value)),
            // A value rather than `null` where there is one: a server (and Prism) may accept a
            // nullable body or property as `null` in a response yet require it in a request.
            TypeRef::Nullable(inner) => match self.value_in(inner, facts, stack) {
                Ok(value) => format!("Some({value})"),
                Err(_) => format!("None::<{}>", self.type_text(inner)),
            },
            TypeRef::Named(id) => self.named(*id, stack)?,
        })
    }

    fn file(&self) -> String {
        format!("{}::File::from_bytes(b\"contract\".to_vec()).filename(\"contract.txt\")", self.sdk)
    }

    /// A value of a named type: an enum's first value, a struct from its required
    /// properties, a union's first alternative that can be built.
    fn named(&self, id: TypeId, stack: &mut Vec<TypeId>) -> Result<String, String> {
        let def = self.api.type_def(id);
        let name = format!("{}::types::{}", self.sdk, def.name);
        if let TypeKind::Enum(body) = &def.kind {
            return Ok(enum_value(&name, body, None));
        }
        if !self.buildable[id.0] {
            return Err(format!("`{}` has no finite value (a required property leads back to it)", def.name));
        }
        if stack.len() >= MAX_DEPTH {
            return Err(format!("`{}` nests more than {MAX_DEPTH} levels deep", def.name));
        }
        stack.push(id);
        let result = match &def.kind {
            TypeKind::Struct(body) => self.struct_value(&name, body, None, None, None, stack),
            TypeKind::Union(body) => {
                let types: Vec<String> = body.variants.iter().map(|variant| self.type_text(&variant.ty)).collect();
                let mut chosen = Err(format!("no alternative of `{}` can be built", def.name));
                // A value only one alternative accepts first (a `oneOf` takes exactly one),
                // then each alternative in order.
                let exclusive = self.exclusive_choice(body, stack);
                let order = exclusive.iter().map(|(index, extra)| (*index, *extra)).chain(
                    (0..body.variants.len())
                        .filter(|index| exclusive.map(|(chosen, _)| chosen) != Some(*index))
                        .map(|index| (index, None)),
                );
                for (index, extra) in order {
                    let variant = &body.variants[index];
                    // An alternative already being built would only lead back here.
                    if matches!(variant.ty, TypeRef::Named(inner) if stack.contains(&inner)) {
                        continue;
                    }
                    let Ok(value) = self.alternative(body.tag.as_deref(), variant, extra, stack) else { continue };
                    let has_from = types.iter().filter(|other| **other == types[index]).count() == 1;
                    chosen = Ok(if has_from {
                        format!("{name}::from({value})")
                    } else if variant.boxed {
                        format!("{name}::{}(Box::new({value}))", variant.rust_name)
                    } else {
                        format!("{name}::{}({value})", variant.rust_name)
                    });
                    break;
                }
                chosen
            }
            TypeKind::Enum(_) => unreachable!("enums return above"),
        };
        stack.pop();
        result
    }

    /// `Name::new(required...)`: each required property without a spec default, from the
    /// example object where it has the property. `tag` is a union's tag property and the value
    /// that selects this alternative: it is set even when optional, as is the optional
    /// property `extra` (one that tells a union's alternatives apart) and, for
    /// `minProperties`, optional properties in order until there are enough.
    fn struct_value(
        &self,
        name: &str,
        body: &StructDef,
        example: Option<&serde_json::Map<String, Value>>,
        tag: Option<(&str, &Value)>,
        extra: Option<&str>,
        stack: &mut Vec<TypeId>,
    ) -> Result<String, String> {
        let mut arguments = Vec::new();
        let mut setters = String::new();
        for field in self.optional_fields(body, tag.map(|(property, _)| property), extra) {
            let Some(setter) = &field.setter else { continue };
            let tag_value = tag.filter(|(property, _)| *property == field.wire_name).map(|(_, value)| value);
            let mut facts = Facts::of_field(field);
            if let Some(value) = tag_value {
                facts.example = Some(value);
            } else if let Some(value) = example.and_then(|object| object.get(&field.wire_name)) {
                facts.example = Some(value);
            }
            let base = match &field.ty {
                TypeRef::Nullable(inner) => inner,
                other => other,
            };
            if let Ok(value) = self.argument_in(base, facts, stack) {
                setters.push_str(&format!(".{setter}({value})"));
            }
        }
        for field in body.fields.iter().filter(|field| field.required && field.default.is_none()) {
            let mut facts = Facts::of_field(field);
            if let Some(object) = example {
                facts.example = object.get(&field.wire_name).or(facts.example);
            }
            if let Some((_, value)) = tag.filter(|(property, _)| *property == field.wire_name) {
                facts.example = Some(value);
            }
            arguments.push(match &field.ty {
                // The constructor takes `Option<T>`; `null` is what the spec allows.
                TypeRef::Nullable(inner) => match facts.example {
                    Some(example) if !example.is_null() => match self.example_value(inner, facts, example, stack) {
                        Some(value) => format!("Some({value})"),
                        None => format!("None::<{}>", self.type_text(inner)),
                    },
                    _ => format!("None::<{}>", self.type_text(inner)),
                },
                other => self.argument_in(other, facts, stack)?,
            });
        }
        Ok(format!("{name}::{}({}){setters}", body.constructor, arguments.join(", ")))
    }

    /// A value of one union alternative; an object alternative selected by a tag value carries
    /// it in the tag property (a server tells the alternatives apart by it).
    fn alternative(
        &self,
        tag: Option<&str>,
        variant: &UnionVariant,
        extra: Option<&str>,
        stack: &mut Vec<TypeId>,
    ) -> Result<String, String> {
        let tag = tag.zip(variant.tags.first());
        let object = match &variant.ty {
            TypeRef::Named(id) if (tag.is_some() || extra.is_some()) && self.buildable[id.0] && !stack.contains(id) => {
                let def = self.api.type_def(*id);
                match &def.kind {
                    TypeKind::Struct(body) if stack.len() < MAX_DEPTH => {
                        let name = format!("{}::types::{}", self.sdk, def.name);
                        let wire = tag.map(|(tag, wire)| (tag, Value::String(wire.clone())));
                        stack.push(*id);
                        let value = self.struct_value(
                            &name,
                            body,
                            None,
                            wire.as_ref().map(|(tag, wire)| (*tag, wire)),
                            extra,
                            stack,
                        );
                        stack.pop();
                        Some(value)
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        object.unwrap_or_else(|| self.value_in(&variant.ty, Facts::default(), stack))
    }

    /// The optional properties a built struct sets: the union's tag, `extra`, those of the
    /// first list of a choice of required lists, then others in order while `minProperties`
    /// wants more (each one that can be built).
    fn optional_fields<'b>(&self, body: &'b StructDef, tag: Option<&str>, extra: Option<&str>) -> Vec<&'b Field> {
        let settable = |field: &&Field| {
            !field.required
                && field.setter.is_some()
                && match base(&field.ty) {
                    TypeRef::Named(id) => self.buildable[id.0],
                    _ => true,
                }
        };
        // Of a choice of required lists, the first whose properties can all be set.
        let choice = body.required_choices.iter().find(|names| {
            names.iter().all(|name| {
                body.fields.iter().any(|field| field.wire_name == *name && (field.required || settable(&field)))
            })
        });
        let chosen_by_choice = |field: &&Field| choice.is_some_and(|names| names.contains(&field.wire_name));
        let mut chosen: Vec<&Field> = body
            .fields
            .iter()
            .filter(settable)
            .filter(|field| {
                Some(field.wire_name.as_str()) == tag
                    || Some(field.wire_name.as_str()) == extra
                    || chosen_by_choice(field)
            })
            .collect();
        let wanted = body.min_properties.unwrap_or(0);
        let required = body.fields.iter().filter(|field| field.required).count();
        for field in body.fields.iter().filter(settable) {
            if required + chosen.len() >= wanted {
                break;
            }
            if !chosen.iter().any(|other| other.wire_name == field.wire_name) {
                chosen.push(field);
            }
        }
        chosen
    }

    /// An alternative of `body` (and an optional property to set in it) whose built value no
    /// other alternative accepts, as far as the model tells: by JSON type, required and
    /// listed properties (`additionalProperties: false`), and the values of enums and
    /// patterns of shared properties.
    fn exclusive_choice(&self, body: &UnionDef, stack: &[TypeId]) -> Option<(usize, Option<&'a str>)> {
        if body.variants.len() < 2 {
            return None;
        }
        for (index, variant) in body.variants.iter().enumerate() {
            if matches!(variant.ty, TypeRef::Named(inner) if stack.contains(&inner) || !self.buildable[inner.0]) {
                continue;
            }
            let tag = body.tag.as_deref().zip(variant.tags.first().map(String::as_str));
            let struct_body = match &variant.ty {
                TypeRef::Named(id) => match &self.api.type_def(*id).kind {
                    TypeKind::Struct(struct_body) => Some(struct_body),
                    _ => None,
                },
                _ => None,
            };
            let extras = std::iter::once(None).chain(
                struct_body
                    .into_iter()
                    .flat_map(|struct_body| &struct_body.fields)
                    .filter(|field| !field.required && field.setter.is_some())
                    .map(|field| Some(field.wire_name.as_str())),
            );
            for extra in extras {
                let shape = match struct_body {
                    Some(struct_body) => self.struct_shape(struct_body, tag, extra),
                    None => self.shape(&variant.ty, Facts::default()),
                };
                let others_reject = body
                    .variants
                    .iter()
                    .enumerate()
                    .filter(|(other, _)| *other != index)
                    .all(|(_, other)| !self.accepts(&other.ty, None, &shape, 0));
                if others_reject {
                    return Some((index, extra));
                }
            }
        }
        None
    }

    /// What the value [`Sampler::value`] builds for `ty` puts on the wire, one level deep.
    fn shape(&self, ty: &TypeRef, facts: Facts<'_>) -> Shape {
        match ty {
            TypeRef::String => Shape::String(Some(string_value(facts))),
            TypeRef::File => Shape::String(None),
            TypeRef::Bool => Shape::Bool,
            TypeRef::Integer(_) => Shape::Integer,
            TypeRef::Float => Shape::Number,
            TypeRef::Json => Shape::Any,
            TypeRef::Array(_) => Shape::Array,
            TypeRef::Map(_) => Shape::Object(None),
            TypeRef::Nullable(inner) => self.shape(inner, facts),
            TypeRef::Named(id) => match &self.api.type_def(*id).kind {
                TypeKind::Enum(body) => {
                    let wire = facts.example.and_then(Value::as_str);
                    let chosen = wire.and_then(|wire| body.variants.iter().find(|variant| variant.wire == wire));
                    Shape::String(Some(
                        chosen.or(body.variants.first()).map_or_else(|| "text".into(), |v| v.wire.clone()),
                    ))
                }
                TypeKind::Struct(_) => Shape::Object(None),
                TypeKind::Union(_) => Shape::Any,
            },
        }
    }

    /// The shape of a struct value built with the tag and `extra` set.
    fn struct_shape(&self, body: &StructDef, tag: Option<(&str, &str)>, extra: Option<&str>) -> Shape {
        let mut properties = Vec::new();
        for field in body.fields.iter().filter(|field| field.required) {
            let facts = Facts::of_field(field);
            let shape = match (&field.ty, tag) {
                (_, Some((property, wire))) if property == field.wire_name => Shape::String(Some(wire.to_string())),
                // A required nullable property without an example is sent as `null`.
                (TypeRef::Nullable(_), _) if facts.example.is_none_or(Value::is_null) && field.default.is_none() => {
                    Shape::Null
                }
                (ty, _) => self.shape(ty, facts),
            };
            properties.push((field.wire_name.clone(), shape));
        }
        for field in self.optional_fields(body, tag.map(|(property, _)| property), extra) {
            let shape = match tag {
                Some((property, wire)) if property == field.wire_name => Shape::String(Some(wire.to_string())),
                _ => self.shape(&field.ty, Facts::of_field(field)),
            };
            properties.push((field.wire_name.clone(), shape));
        }
        Shape::Object(Some(properties))
    }

    /// Whether a value of `ty` (with `rules`) may be `shape`: `true` unless the model says not.
    fn accepts(&self, ty: &TypeRef, rules: Option<&Rules>, shape: &Shape, depth: usize) -> bool {
        if depth > MAX_DEPTH || matches!(shape, Shape::Any) {
            return true;
        }
        match (ty, shape) {
            (TypeRef::Json, _) => true,
            (TypeRef::Nullable(_), Shape::Null) => true,
            (TypeRef::Nullable(inner), shape) => self.accepts(inner, rules, shape, depth),
            (TypeRef::String, Shape::String(text)) => text.as_deref().is_none_or(|text| string_fits(text, rules)),
            (TypeRef::File, Shape::String(_))
            | (TypeRef::Bool, Shape::Bool)
            | (TypeRef::Integer(_), Shape::Integer) => true,
            (TypeRef::Float, Shape::Integer | Shape::Number) => true,
            (TypeRef::Array(_), Shape::Array) | (TypeRef::Map(_), Shape::Object(_)) => true,
            (TypeRef::Named(id), shape) => match (&self.api.type_def(*id).kind, shape) {
                (TypeKind::Enum(body), Shape::String(text)) => {
                    body.variants.is_empty()
                        || text.as_deref().is_none_or(|text| body.variants.iter().any(|variant| variant.wire == text))
                }
                (TypeKind::Struct(_), Shape::Object(None)) => true,
                (TypeKind::Struct(body), Shape::Object(Some(properties))) => {
                    let has = |name: &str| properties.iter().any(|(property, _)| property == name);
                    body.fields.iter().filter(|field| field.required).all(|field| has(&field.wire_name))
                        && body.min_properties.is_none_or(|wanted| properties.len() >= wanted)
                        && properties.iter().all(|(property, value)| {
                            match body.fields.iter().find(|field| field.wire_name == *property) {
                                Some(field) => self.accepts(&field.ty, Some(&field.rules), value, depth + 1),
                                None => !body.closed,
                            }
                        })
                }
                (TypeKind::Union(body), shape) => {
                    body.variants.iter().any(|variant| self.accepts(&variant.ty, None, shape, depth + 1))
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn argument_in(&self, ty: &TypeRef, facts: Facts<'_>, stack: &mut Vec<TypeId>) -> Result<String, String> {
        match ty {
            TypeRef::String => Ok(literal(&string_value(facts))),
            other => self.value_in(other, facts, stack),
        }
    }

    /// The example as a value of `ty`, when it fits the type and the constraints.
    fn example_value(
        &self,
        ty: &TypeRef,
        facts: Facts<'_>,
        example: &Value,
        stack: &mut Vec<TypeId>,
    ) -> Option<String> {
        match (ty, example) {
            (TypeRef::String, Value::String(text)) if string_fits(text, facts.rules) => {
                Some(format!("String::from({})", literal(text)))
            }
            (TypeRef::Bool, Value::Bool(flag)) => Some(flag.to_string()),
            (TypeRef::Integer(kind), Value::Number(number)) => {
                let value = number.as_i64().map(i128::from).or_else(|| number.as_u64().map(i128::from))?;
                (in_kind(value, *kind) && within(value as f64, facts.rules)).then(|| integer_text(value, *kind))
            }
            (TypeRef::Float, Value::Number(number)) => {
                let value = number.as_f64()?;
                (value.is_finite() && within(value, facts.rules)).then(|| float_text(value))
            }
            (TypeRef::Json, example) => Some(json_text(example)),
            (TypeRef::Array(item), Value::Array(items))
                if stack.len() + 1 < MAX_DEPTH
                    && items.len() >= facts.rules.and_then(|rules| rules.min_items).unwrap_or(0) =>
            {
                let item_facts = item_facts(facts);
                let values: Option<Vec<String>> =
                    items.iter().map(|value| self.example_value(item, item_facts, value, stack)).collect();
                let values = values?;
                Some(match values.is_empty() {
                    true => format!("Vec::<{}>::new()", self.type_text(item)),
                    false => format!("vec![{}]", values.join(", ")),
                })
            }
            (TypeRef::Nullable(inner), Value::Null) => Some(format!("None::<{}>", self.type_text(inner))),
            (TypeRef::Nullable(inner), example) => {
                self.example_value(inner, facts, example, stack).map(|value| format!("Some({value})"))
            }
            (TypeRef::Named(id), example) => {
                let def = self.api.type_def(*id);
                let name = format!("{}::types::{}", self.sdk, def.name);
                match (&def.kind, example) {
                    (TypeKind::Enum(body), Value::String(wire)) => body
                        .variants
                        .iter()
                        .any(|variant| &variant.wire == wire)
                        .then(|| enum_value(&name, body, Some(wire))),
                    (TypeKind::Struct(body), Value::Object(object))
                        if self.buildable[id.0] && !stack.contains(id) && stack.len() < MAX_DEPTH =>
                    {
                        stack.push(*id);
                        let value = self.struct_value(&name, body, Some(object), None, None, stack).ok();
                        stack.pop();
                        value
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// What a built value looks like on the wire, as far as telling union alternatives apart
/// needs: its JSON type, an object's properties (one level), a string's text.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Null,
    Bool,
    Integer,
    Number,
    /// The text, when known.
    String(Option<String>),
    Array,
    /// The properties sent and their shapes, when known.
    Object(Option<Vec<(String, Shape)>>),
    /// Anything (free-form JSON, a nested union).
    Any,
}

/// A nullable type's inner type; any other type itself.
fn base(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => inner,
        other => other,
    }
}

/// An enum's value: the variant whose wire value is `wire`, else the first; an enum without
/// values holds any string in its catch-all variant.
fn enum_value(name: &str, body: &EnumDef, wire: Option<&str>) -> String {
    let chosen = wire.and_then(|wire| body.variants.iter().find(|variant| variant.wire == wire));
    match chosen.or(body.variants.first()) {
        Some(variant) => format!("{name}::{}", variant.rust_name),
        None => format!("{name}::{}(String::from(\"text\"))", body.unknown_variant),
    }
}

/// A JSON value as a `serde_json::Value` expression: scalars directly, anything else parsed
/// from its (escaped) JSON text.
fn json_text(value: &Value) -> String {
    match value {
        Value::Null => "serde_json::Value::Null".into(),
        Value::Bool(flag) => format!("serde_json::Value::Bool({flag})"),
        Value::String(text) => format!("serde_json::Value::String(String::from({}))", literal(text)),
        other => format!(
            "serde_json::from_str::<serde_json::Value>({}).expect(\"the spec's example is JSON\")",
            literal(&other.to_string())
        ),
    }
}

fn in_kind(value: i128, kind: IntegerKind) -> bool {
    let (low, high) = kind_range(kind);
    (low..=high).contains(&value)
}

fn kind_range(kind: IntegerKind) -> (i128, i128) {
    match kind {
        IntegerKind::I32 => (i32::MIN.into(), i32::MAX.into()),
        IntegerKind::I64 => (i64::MIN.into(), i64::MAX.into()),
        IntegerKind::U32 => (0, u32::MAX.into()),
        IntegerKind::U64 => (0, u64::MAX.into()),
    }
}

fn within(value: f64, rules: Option<&Rules>) -> bool {
    let Some(rules) = rules else { return true };
    rules.minimum.is_none_or(|minimum| value >= minimum)
        && rules.maximum.is_none_or(|maximum| value <= maximum)
        && (rules.numbers.is_empty() || rules.numbers.contains(&value))
}

/// The facts of a list's items: their format and rules, without an example.
fn item_facts<'a>(facts: Facts<'a>) -> Facts<'a> {
    Facts {
        format: facts.rules.and_then(|rules| rules.item_format.as_deref()),
        rules: facts.rules.and_then(|rules| rules.items.as_deref()),
        example: None,
        // A parameter's list items are sent one by one (`?tagKeys=a&tagKeys=b`).
        non_empty: facts.non_empty,
    }
}

/// How many items a built list has: `minItems`, at least one, at most 64.
fn item_count(rules: Option<&Rules>) -> usize {
    rules.and_then(|rules| rules.min_items).unwrap_or(1).clamp(1, 64)
}

/// An integer within the bounds: the first allowed value of an enum; the middle of both
/// bounds, one above a minimum (which may be exclusive), one below a maximum; 1 without
/// bounds.
pub fn integer_value(rules: Option<&Rules>, kind: IntegerKind) -> i128 {
    let (low, high) = kind_range(kind);
    // An enum of numbers: its first value the type holds.
    let allowed = rules.into_iter().flat_map(|rules| &rules.numbers);
    let mut whole = allowed.filter(|value| value.fract() == 0.0).map(|&value| value as i128);
    if let Some(value) = whole.find(|&value| in_kind(value, kind)) {
        return value;
    }
    let minimum =
        rules.and_then(|rules| rules.minimum).map(|minimum| minimum.ceil().clamp(low as f64, high as f64) as i128);
    let maximum =
        rules.and_then(|rules| rules.maximum).map(|maximum| maximum.floor().clamp(low as f64, high as f64) as i128);
    let value = match (minimum, maximum) {
        (Some(minimum), Some(maximum)) if minimum <= maximum => minimum + (maximum - minimum) / 2,
        (Some(minimum), Some(_)) => minimum,
        (Some(minimum), None) => minimum.saturating_add(1),
        (None, Some(maximum)) if maximum > 1 => 1,
        (None, Some(maximum)) => maximum.saturating_sub(1),
        (None, None) => 1,
    };
    value.clamp(low, high)
}

/// A number within the bounds, chosen as [`integer_value`] chooses.
pub fn float_value(rules: Option<&Rules>) -> f64 {
    if let Some(&value) = rules.and_then(|rules| rules.numbers.first()) {
        return value;
    }
    let minimum = rules.and_then(|rules| rules.minimum).filter(|value| value.is_finite());
    let maximum = rules.and_then(|rules| rules.maximum).filter(|value| value.is_finite());
    match (minimum, maximum) {
        (Some(minimum), Some(maximum)) if minimum <= maximum => minimum + (maximum - minimum) / 2.0,
        (Some(minimum), Some(_)) => minimum,
        (Some(minimum), None) => minimum + 1.0,
        (None, Some(maximum)) if maximum > 1.0 => 1.0,
        (None, Some(maximum)) => maximum - 1.0,
        (None, None) => 1.5,
    }
}

/// A number as [`float_value`] chooses, rounded to a whole one when the bounds allow.
fn whole_float(rules: Option<&Rules>) -> f64 {
    let value = float_value(rules);
    let whole = value.round();
    match within(whole, rules) {
        true => whole,
        false => value,
    }
}

fn integer_text(value: i128, kind: IntegerKind) -> String {
    let suffix = match kind {
        IntegerKind::I32 => "i32",
        IntegerKind::I64 => "i64",
        IntegerKind::U32 => "u32",
        IntegerKind::U64 => "u64",
    };
    format!("{value}_{suffix}")
}

fn float_text(value: f64) -> String {
    // Suffixed, the literal has its type wherever it stands (`1e20_f64`, `-0.5_f64`).
    format!("{value:?}_f64")
}

/// A string the constraints accept: the example; an allowed value; one generated from the
/// pattern; one of the format; `text`, padded or cut to the lengths. When nothing fits, the
/// best guess is returned and the server judges.
pub fn string_value(facts: Facts<'_>) -> String {
    let rules = facts.rules;
    let fits = |text: &str| string_fits(text, rules) && !(facts.non_empty && text.is_empty());
    if let Some(Value::String(example)) = facts.example {
        if fits(example) {
            return example.clone();
        }
    }
    if let Some(first) = rules.and_then(|rules| rules.allowed.iter().find(|value| fits(value))) {
        return first.clone();
    }
    let (minimum, maximum) = lengths(rules);
    let minimum = if facts.non_empty { minimum.max(1) } else { minimum };
    let from_regex = rules
        .and_then(|rules| rules.pattern.as_deref())
        .and_then(|pattern| from_pattern(pattern, minimum, maximum.max(minimum)));
    if let Some(value) = &from_regex {
        if fits(value) {
            return value.clone();
        }
    }
    let formatted = facts.format.and_then(format_value);
    if let Some(value) = &formatted {
        if fits(value) {
            return value.clone();
        }
    }
    let mut text = String::from("text");
    while text.chars().count() < minimum {
        text.push('a');
    }
    let text: String = text.chars().take(maximum.max(minimum)).collect();
    if fits(&text) {
        return text;
    }
    from_regex.or(formatted).unwrap_or(text)
}

fn lengths(rules: Option<&Rules>) -> (usize, usize) {
    let minimum = rules.and_then(|rules| rules.min_length).unwrap_or(0);
    let maximum = rules.and_then(|rules| rules.max_length).unwrap_or(usize::MAX);
    (minimum, maximum)
}

/// Whether `text` meets the lengths, allowed values and pattern (an invalid or unsupported
/// pattern is not held against it).
pub fn string_fits(text: &str, rules: Option<&Rules>) -> bool {
    let Some(rules) = rules else { return true };
    let (minimum, maximum) = lengths(Some(rules));
    let length = text.chars().count();
    let pattern_ok = match rules.pattern.as_deref().map(regex_lite::Regex::new) {
        Some(Ok(regex)) => regex.is_match(text),
        _ => true,
    };
    (minimum..=maximum).contains(&length)
        && (rules.allowed.is_empty() || rules.allowed.iter().any(|value| value == text))
        && pattern_ok
}

/// A value of a string `format`, for the formats a validator checks.
pub fn format_value(format: &str) -> Option<String> {
    Some(
        match format {
            "uuid" => "00000000-0000-4000-8000-000000000000",
            // The model spells OpenAPI's own string formats as `datetime`.
            "date-time" | "datetime" => "2024-01-01T00:00:00Z",
            "date" => "2024-01-01",
            "time" => "00:00:00Z",
            "duration" => "P1D",
            "email" | "idn-email" => "user@example.com",
            "uri" | "url" | "iri" => "https://example.com/",
            "uri-reference" | "iri-reference" => "/example",
            "uri-template" => "https://example.com/{id}",
            "hostname" | "idn-hostname" => "example.com",
            "ipv4" => "192.0.2.1",
            "ipv6" => "2001:db8::1",
            "byte" => "Y29udHJhY3Q=",
            "json-pointer" => "/example",
            "regex" => "^example$",
            _ => return None,
        }
        .to_string(),
    )
}

/// The shortest string the pattern matches whose length is within bounds: repetitions run
/// their minimum, then one more each, until the length is reached; alternations take their
/// first branch; classes a letter or digit when they hold one. `None` when the pattern does
/// not parse, or no such string is found (or the runtime's regex engine disagrees).
pub fn from_pattern(pattern: &str, minimum: usize, maximum: usize) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new().nest_limit(64).build().parse(pattern).ok()?;
    let regex = regex_lite::Regex::new(pattern).ok();
    for extra in 0..=minimum.min(64) {
        let mut out = String::new();
        if !walk(&hir, extra, &mut out) {
            return None;
        }
        let length = out.chars().count();
        if length > maximum {
            return None;
        }
        if length >= minimum {
            return match &regex {
                Some(regex) if !regex.is_match(&out) => None,
                _ => Some(out),
            };
        }
    }
    None
}

/// Appends a string `hir` matches; `false` when it cannot write one (bytes that are not text).
fn walk(hir: &regex_syntax::hir::Hir, extra: usize, out: &mut String) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    if out.len() > 4096 {
        return false;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => {
                out.push_str(text);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class.ranges().iter().map(|range| (range.start(), range.end())).collect();
            match pick(&ranges) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .filter(|range| range.start().is_ascii())
                .map(|range| (char::from(range.start()), char::from(range.end().min(0x7f))))
                .collect();
            match pick(&ranges) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            }
        }
        HirKind::Repetition(repetition) => {
            let wanted = (repetition.min as usize).saturating_add(extra);
            let count = match repetition.max {
                Some(max) => wanted.min(max as usize),
                None => wanted,
            };
            (0..count).all(|_| walk(&repetition.sub, extra, out))
        }
        HirKind::Capture(capture) => walk(&capture.sub, extra, out),
        HirKind::Concat(items) => items.iter().all(|item| walk(item, extra, out)),
        HirKind::Alternation(branches) => branches.first().is_none_or(|branch| walk(branch, extra, out)),
    }
}

/// A character of the ranges: `a`, `0` or `A` when one holds it, else the first printable
/// ASCII character, else the first character.
fn pick(ranges: &[(char, char)]) -> Option<char> {
    let holds = |c: char| ranges.iter().any(|&(start, end)| start <= c && c <= end);
    for preferred in ['a', '0', 'A', '-', '_'] {
        if holds(preferred) {
            return Some(preferred);
        }
    }
    (0x21u8..0x7f).map(char::from).find(|&c| holds(c)).or_else(|| ranges.first().map(|&(start, _)| start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ParamLocation;

    fn rules() -> Rules {
        Rules::default()
    }

    #[test]
    fn formats_have_values_a_validator_accepts() {
        assert_eq!(
            string_value(Facts { format: Some("uuid"), ..Facts::default() }),
            "00000000-0000-4000-8000-000000000000"
        );
        assert_eq!(string_value(Facts { format: Some("date-time"), ..Facts::default() }), "2024-01-01T00:00:00Z");
        assert_eq!(string_value(Facts { format: Some("email"), ..Facts::default() }), "user@example.com");
        assert_eq!(string_value(Facts { format: Some("ipv6"), ..Facts::default() }), "2001:db8::1");
        assert_eq!(string_value(Facts { format: Some("no-such-format"), ..Facts::default() }), "text");
    }

    #[test]
    fn patterns_give_their_shortest_match() {
        assert_eq!(from_pattern("^[0-9a-f]{32}$", 0, usize::MAX).as_deref(), Some("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert_eq!(from_pattern(r"^\d{3}-[A-Z]+$", 0, usize::MAX).as_deref(), Some("000-A"));
        assert_eq!(from_pattern("^(foo|bar)baz?$", 0, usize::MAX).as_deref(), Some("fooba"));
        assert_eq!(from_pattern("[^/]+", 0, usize::MAX).as_deref(), Some("a"));
        // Unanchored patterns match anywhere: the empty string matches `a*`.
        assert_eq!(from_pattern("a*", 0, usize::MAX).as_deref(), Some(""));
        // Lengths stretch the repetitions.
        assert_eq!(from_pattern("^[a-z]+$", 5, 10).as_deref(), Some("aaaaa"));
        assert_eq!(from_pattern("^[a-z]{8}$", 0, 4), None);
        assert_eq!(from_pattern("(unclosed", 0, usize::MAX), None);
    }

    #[test]
    fn a_pattern_drives_the_string_and_the_result_matches_it() {
        let rules = Rules { pattern: Some("^[A-Z]{2}-[0-9]{4}$".into()), ..rules() };
        let value = string_value(Facts { rules: Some(&rules), format: Some("uuid"), ..Facts::default() });
        assert_eq!(value, "AA-0000");
        assert!(string_fits(&value, Some(&rules)));
    }

    #[test]
    fn lengths_pad_and_cut() {
        let long = Rules { min_length: Some(10), ..rules() };
        assert_eq!(string_value(Facts { rules: Some(&long), ..Facts::default() }), "textaaaaaa");
        let short = Rules { max_length: Some(2), ..rules() };
        assert_eq!(string_value(Facts { rules: Some(&short), ..Facts::default() }), "te");
    }

    #[test]
    fn examples_win_when_they_fit_and_fall_back_when_they_do_not() {
        let rules = Rules { max_length: Some(5), ..rules() };
        let fits = Value::String("abc".into());
        assert_eq!(string_value(Facts { rules: Some(&rules), example: Some(&fits), ..Facts::default() }), "abc");
        let too_long = Value::String("abcdefgh".into());
        assert_eq!(string_value(Facts { rules: Some(&rules), example: Some(&too_long), ..Facts::default() }), "text");
        let enum_rules = Rules { allowed: vec!["on".into(), "off".into()], ..Rules::default() };
        let not_allowed = Value::String("maybe".into());
        assert_eq!(
            string_value(Facts { rules: Some(&enum_rules), example: Some(&not_allowed), ..Facts::default() }),
            "on"
        );
    }

    #[test]
    fn path_values_are_never_empty_and_defaults_stand_in_for_examples() {
        let empty = Value::String(String::new());
        let any = Rules { pattern: Some("^.*$".into()), ..rules() };
        let path = Facts { rules: Some(&any), example: Some(&empty), non_empty: true, ..Facts::default() };
        let value = string_value(path);
        assert!(!value.is_empty() && string_fits(&value, Some(&any)), "{value:?}");
        let query = Facts { non_empty: false, ..path };
        assert_eq!(string_value(query), "");

        let mut header = Param {
            rust_name: "accept".into(),
            wire_name: "Accept".into(),
            location: ParamLocation::Header,
            ty: TypeRef::String,
            required: true,
            setter: None,
            doc: None,
            rules: rules(),
            format: None,
            default: Some(Value::String("application/json".into())),
            example: None,
            deprecated: None,
        };
        assert_eq!(string_value(Facts::of_param(&header)), "application/json");
        header.location = ParamLocation::Path;
        header.default = None;
        assert!(!string_value(Facts::of_param(&header)).is_empty());
    }

    /// The model of a document with `schemas`, each the body of an operation.
    fn model(schemas: Value) -> Api {
        let mut paths = serde_json::Map::new();
        for name in schemas.as_object().expect("schemas by name").keys() {
            let body = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
            paths.insert(
                format!("/{}", name.to_lowercase()),
                serde_json::json!({ "post": {
                    "operationId": format!("send-{}", name.to_lowercase()),
                    "requestBody": { "required": true, "content": { "application/json": { "schema": body } } },
                    "responses": { "204": { "description": "done" } },
                } }),
            );
        }
        let document = serde_json::json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": paths,
            "components": { "schemas": schemas },
        });
        let document: openapiv3::OpenAPI = serde_json::from_value(document).expect("an OpenAPI document");
        crate::ir::lower(&document, &crate::config::Config::default()).expect("the document lowers")
    }

    /// A built value of the named schema.
    fn built(api: &Api, name: &str) -> String {
        let id = api.types.iter().position(|def| def.name == name).unwrap_or_else(|| panic!("no type {name}"));
        Sampler::new(api, "sdk").value(&TypeRef::Named(TypeId(id)), Facts::default()).expect("a value")
    }

    #[test]
    fn list_items_follow_their_own_rules_and_min_items() {
        let api = model(serde_json::json!({
            "Hosts": {
                "type": "object",
                "required": ["names", "ids"],
                "properties": {
                    "names": { "type": "array", "minItems": 2, "items": { "type": "string", "minLength": 6 } },
                    "ids": { "type": "array", "items": { "type": "string", "format": "uuid" } },
                },
            },
        }));
        assert_eq!(
            built(&api, "Hosts"),
            "sdk::types::Hosts::new(vec![String::from(\"textaa\"), String::from(\"textaa\")], \
             vec![String::from(\"00000000-0000-4000-8000-000000000000\")])"
        );
    }

    #[test]
    fn an_enum_of_numbers_gives_one_of_its_values() {
        let rules = Rules { numbers: vec![30.0, 60.0], minimum: Some(1.0), ..rules() };
        assert_eq!(integer_value(Some(&rules), IntegerKind::I64), 30);
        assert_eq!(float_value(Some(&rules)), 30.0);
        let fractions = Rules { numbers: vec![0.5, 2.0], ..Rules::default() };
        assert_eq!(integer_value(Some(&fractions), IntegerKind::I32), 2);
        assert!(within(60.0, Some(&rules)) && !within(45.0, Some(&rules)));
    }

    #[test]
    fn min_properties_sets_optional_properties_until_there_are_enough() {
        let api = model(serde_json::json!({
            "Patch": {
                "type": "object",
                "minProperties": 1,
                "properties": { "name": { "type": "string" }, "ttl": { "type": "integer" } },
            },
        }));
        assert_eq!(built(&api, "Patch"), "sdk::types::Patch::new().name(\"text\")");
    }

    #[test]
    fn a_one_of_value_is_built_so_that_only_one_alternative_accepts_it() {
        // `{"name": ..}` fits both alternatives; with `size`, which `Plain` forbids, only
        // `Sized` accepts it.
        let api = model(serde_json::json!({
            "Plain": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": false,
                "properties": { "name": { "type": "string" } },
            },
            "Sized": {
                "type": "object",
                "required": ["name"],
                "properties": { "name": { "type": "string" }, "size": { "type": "integer" } },
            },
            "Either": { "oneOf": [{ "$ref": "#/components/schemas/Plain" }, { "$ref": "#/components/schemas/Sized" }] },
        }));
        let value = built(&api, "Either");
        assert!(value.contains("Sized::new(\"text\").size(1_i64)"), "{value}");
        // A string enum value that another alternative's enum lacks tells them apart too.
        let api = model(serde_json::json!({
            "Strict": {
                "type": "object",
                "required": ["mode"],
                "properties": { "mode": { "type": "string", "enum": ["b"] } },
            },
            "Open": {
                "type": "object",
                "required": ["mode"],
                "properties": { "mode": { "type": "string", "enum": ["a", "b"] } },
            },
            "Choice": { "oneOf": [{ "$ref": "#/components/schemas/Strict" }, { "$ref": "#/components/schemas/Open" }] },
        }));
        let value = built(&api, "Choice");
        assert!(value.contains("Open::new(sdk::types::OpenMode::A)"), "{value}");
    }

    #[test]
    fn a_choice_of_required_lists_sets_the_properties_of_the_first() {
        // Cloudflare's browser-rendering bodies: `url` or `html`, both optional properties.
        let api = model(serde_json::json!({
            "Render": {
                "type": "object",
                "properties": { "note": { "type": "string" }, "url": { "type": "string", "format": "uri" }, "html": { "type": "string" } },
                "anyOf": [{ "required": ["url"] }, { "required": ["html"] }],
            },
        }));
        assert_eq!(built(&api, "Render"), "sdk::types::Render::new().url(\"https://example.com/\")");
    }

    #[test]
    fn numbers_stay_within_bounds() {
        let both = Rules { minimum: Some(5.0), maximum: Some(100.0), ..rules() };
        assert_eq!(integer_value(Some(&both), IntegerKind::I64), 52);
        let low = Rules { minimum: Some(0.0), ..rules() };
        assert_eq!(integer_value(Some(&low), IntegerKind::I32), 1);
        let high = Rules { maximum: Some(-3.0), ..rules() };
        assert_eq!(integer_value(Some(&high), IntegerKind::I64), -4);
        assert_eq!(integer_value(Some(&high), IntegerKind::U32), 0);
        assert_eq!(integer_value(None, IntegerKind::U64), 1);
        let fraction = Rules { minimum: Some(0.5), maximum: Some(0.75), ..rules() };
        assert_eq!(float_value(Some(&fraction)), 0.625);
        // Path values are whole where the bounds allow: `{event_t}.{event_n}` reads `2.2`.
        assert_eq!(whole_float(None), 2.0);
        assert_eq!(whole_float(Some(&fraction)), 0.625);
        assert_eq!(integer_text(-4, IntegerKind::I64), "-4_i64");
        assert_eq!(float_text(1e20), "1e20_f64");
        assert_eq!(float_text(-0.5), "-0.5_f64");
    }
}
