//! A uniform view of an `openapiv3::Schema`, whichever `SchemaKind` the parser chose.
//!
//! `openapiv3` files a schema under `Type`, `AllOf`, ... or the catch-all `Any` depending on
//! which keywords appear together; lowering wants the keywords, not that classification.

use openapiv3::{AdditionalProperties, Discriminator, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};
use serde_json::Value;

/// The keywords of one schema that code generation looks at.
pub struct SchemaView<'a> {
    pub typ: Option<&'a str>,
    pub format: Option<String>,
    pub nullable: bool,
    pub description: Option<&'a str>,
    pub title: Option<&'a str>,
    pub default: Option<&'a Value>,
    pub deprecated: Option<super::Deprecation>,
    pub properties: Vec<(&'a str, &'a ReferenceOr<Box<Schema>>)>,
    pub required: Vec<&'a str>,
    pub additional: Option<&'a AdditionalProperties>,
    pub items: Option<&'a ReferenceOr<Box<Schema>>>,
    pub enumeration: Vec<Value>,
    pub one_of: &'a [ReferenceOr<Schema>],
    pub any_of: &'a [ReferenceOr<Schema>],
    pub all_of: &'a [ReferenceOr<Schema>],
    pub max_length: Option<usize>,
    pub min_length: Option<usize>,
    pub pattern: Option<&'a str>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<usize>,
    pub min_properties: Option<usize>,
    pub discriminator: Option<&'a Discriminator>,
}

impl<'a> SchemaView<'a> {
    pub fn of(schema: &'a Schema) -> Self {
        let data = &schema.schema_data;
        let mut view = SchemaView {
            typ: None,
            format: None,
            nullable: data.nullable,
            description: data.description.as_deref(),
            title: data.title.as_deref(),
            default: data.default.as_ref(),
            deprecated: super::docs::deprecation(data.deprecated, &data.extensions),
            properties: Vec::new(),
            required: Vec::new(),
            additional: None,
            items: None,
            enumeration: Vec::new(),
            one_of: &[],
            any_of: &[],
            all_of: &[],
            max_length: None,
            min_length: None,
            pattern: None,
            minimum: None,
            maximum: None,
            min_items: None,
            min_properties: None,
            discriminator: data.discriminator.as_ref(),
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                view.typ = Some("string");
                view.format = format_name(&s.format);
                view.enumeration = s.enumeration.iter().map(|v| v.clone().map_or(Value::Null, Value::String)).collect();
                view.max_length = s.max_length;
                view.min_length = s.min_length;
                view.pattern = s.pattern.as_deref();
            }
            SchemaKind::Type(Type::Number(n)) => {
                view.typ = Some("number");
                view.format = format_name(&n.format);
                view.enumeration = n.enumeration.iter().map(|v| v.map_or(Value::Null, Value::from)).collect();
                view.minimum = n.minimum;
                view.maximum = n.maximum;
            }
            SchemaKind::Type(Type::Integer(i)) => {
                view.typ = Some("integer");
                view.format = format_name(&i.format);
                view.enumeration = i.enumeration.iter().map(|v| v.map_or(Value::Null, Value::from)).collect();
                view.minimum = i.minimum.map(|v| v as f64);
                view.maximum = i.maximum.map(|v| v as f64);
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                view.typ = Some("boolean");
                view.enumeration = b.enumeration.iter().map(|v| v.map_or(Value::Null, Value::Bool)).collect();
            }
            SchemaKind::Type(Type::Object(o)) => {
                view.typ = Some("object");
                view.properties = o.properties.iter().map(|(k, v)| (k.as_str(), v)).collect();
                view.required = o.required.iter().map(String::as_str).collect();
                view.additional = o.additional_properties.as_ref();
                view.min_properties = o.min_properties;
            }
            SchemaKind::Type(Type::Array(a)) => {
                view.typ = Some("array");
                view.items = a.items.as_ref();
                view.min_items = a.min_items;
            }
            SchemaKind::OneOf { one_of } => view.one_of = one_of,
            SchemaKind::AnyOf { any_of } => view.any_of = any_of,
            SchemaKind::AllOf { all_of } => view.all_of = all_of,
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(any) => {
                view.typ = any.typ.as_deref();
                view.format = any.format.clone();
                view.properties = any.properties.iter().map(|(k, v)| (k.as_str(), v)).collect();
                view.required = any.required.iter().map(String::as_str).collect();
                view.additional = any.additional_properties.as_ref();
                view.items = any.items.as_ref();
                view.enumeration = any.enumeration.clone();
                view.one_of = &any.one_of;
                view.any_of = &any.any_of;
                view.all_of = &any.all_of;
                view.max_length = any.max_length;
                view.min_length = any.min_length;
                view.pattern = any.pattern.as_deref();
                view.minimum = any.minimum;
                view.maximum = any.maximum;
                view.min_items = any.min_items;
                view.min_properties = any.min_properties;
            }
        }
        view
    }

    /// The documentation: description, else title, as Markdown.
    pub fn doc(&self) -> Option<String> {
        self.description.and_then(super::docs::from_spec).or_else(|| self.title.and_then(super::docs::from_spec))
    }

    /// Whether this looks like an object with listed properties.
    pub fn has_properties(&self) -> bool {
        !self.properties.is_empty()
    }

    /// The alternatives of a `oneOf` (preferred) or `anyOf`, with the keyword.
    pub fn alternatives(&self) -> (&'a [ReferenceOr<Schema>], &'static str) {
        if !self.one_of.is_empty() {
            (self.one_of, "oneOf")
        } else {
            (self.any_of, "anyOf")
        }
    }

    /// A union and nothing else: alternatives without properties or `allOf` beside them.
    pub fn is_pure_union(&self) -> bool {
        !self.alternatives().0.is_empty() && !self.has_properties() && self.all_of.is_empty()
    }

    /// `enum: [null]` alone: the value can only be null.
    pub fn is_null_only(&self) -> bool {
        !self.enumeration.is_empty() && self.enumeration.iter().all(Value::is_null)
    }
}

fn format_name<T: std::fmt::Debug>(format: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => Some(format!("{item:?}").to_ascii_lowercase()),
        VariantOrUnknownOrEmpty::Unknown(name) => Some(name.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}
