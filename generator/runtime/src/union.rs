//! Decoding of the generated unions (`oneOf`/`anyOf`) by the evidence the spec gives.
//!
//! Each generated union carries a static [`Shape`]: for every alternative, the JSON type it
//! accepts, the tag values that select it, its required properties and all the properties
//! it knows. [`candidates`] reads a received value against that table and returns the
//! alternatives worth trying, best first; the union's own code (a `match` on the index)
//! tries them in that order with [`attempt`] and keeps the first that decodes. Nothing
//! here is generic over the union, so a crate with many unions compiles one picker.
//!
//! The value is held by [`buffer`] until an alternative is chosen. The SDK's own decoders
//! (see [`super::object::decode_direct`]) keep an object as its members' names and raw
//! JSON texts, borrowed from the body, scanned once: the tag and the property names are
//! looked up in that list, and the chosen alternative reads its fields from it without
//! scanning the object again, so a union costs about what its alternative costs alone and
//! no `serde_json::Value` is built for it. Any other value (an array, a scalar), and any
//! value of other readers (`serde_json::from_value` and the like), is kept as a `Value`.
//!
//! The order, from strongest evidence to weakest:
//! 1. the tag (an OpenAPI `discriminator`, or a property every object alternative fixes to
//!    one value): when the value carries it, only the alternatives it names are tried; a
//!    tag that names none leaves only the alternatives that have no tag value at all
//!    (alternatives accepting any JSON are always kept);
//! 2. the JSON type: an alternative of another type is never tried;
//! 3. the required properties: alternatives whose required properties are all present come
//!    before those missing one (a required but nullable property may be absent);
//! 4. among those, the alternative whose known properties explain most of the object's
//!    properties comes first; ties keep the spec's order;
//! 5. alternatives accepting any JSON come last.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::object::Members;

/// The JSON type an alternative accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JSON object (a struct or a map).
    Object,
    /// A JSON array.
    Array,
    /// A JSON string (strings and string enums).
    String,
    /// A JSON number without a fraction.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any JSON value.
    Any,
}

/// What the spec says about one alternative of a union.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    /// The JSON type it accepts.
    pub kind: Kind,
    /// Values of the union's tag property that select it (empty: none is known).
    pub tags: &'static [&'static str],
    /// Properties it requires.
    pub required: &'static [&'static str],
    /// Every property it lists.
    pub known: &'static [&'static str],
}

/// What the spec says about a union: its name, its tag property and its alternatives, in
/// the order the generated `match` numbers them.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The Rust name of the union, for error messages.
    pub name: &'static str,
    /// The property whose value names the alternative, when the spec gives one.
    pub tag: Option<&'static str>,
    /// The alternatives.
    pub variants: &'static [Variant],
}

/// A union's value as read before an alternative is chosen. During a direct reading (see
/// [`super::object::decode_direct`]) an object is kept as its members' raw texts, borrowed
/// from the body; any other value, and any value of another reading, as a
/// `serde_json::Value`.
#[derive(Debug)]
pub enum Buffered<'de> {
    /// An object read directly.
    #[doc(hidden)]
    Members(Members<'de>),
    /// The value, read.
    Value(Value),
}

/// Reads a union's value without deciding its alternative. During a direct reading an
/// object is read into its members' raw texts (nothing is built but their list); any other
/// value is read into a `Value`. A deserializer that cannot lend its input then fails the
/// direct reading, and the tolerant one reads a `Value`.
pub fn buffer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Buffered<'de>, D::Error> {
    if super::object::reading_directly() {
        deserializer.deserialize_any(Buffer)
    } else {
        Ok(Buffered::Value(Value::deserialize(deserializer)?))
    }
}

/// Reads a [`Buffered`] value directly.
struct Buffer;

impl<'de> Visitor<'de> for Buffer {
    type Value = Buffered<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Buffered<'de>, A::Error> {
        Members::read(map).map(Buffered::Members)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Buffered<'de>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Buffered::Value)
    }

    fn visit_unit<E>(self) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::Null))
    }

    fn visit_bool<E>(self, value: bool) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::Bool(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::from(value)))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::from(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::from(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::String(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<Buffered<'de>, E> {
        Ok(Buffered::Value(Value::String(value)))
    }
}

impl Buffered<'_> {
    /// The value as a `serde_json::Value`, for a union's unknown variant.
    pub fn into_value(self) -> Value {
        match self {
            Buffered::Members(members) => members.to_value(),
            Buffered::Value(value) => value,
        }
    }
}

/// What [`candidates`] looks at first in a value: its JSON type and the tag's value.
#[doc(hidden)]
pub struct Outline<'a> {
    json: Json,
    tag: Option<Cow<'a, str>>,
}

/// The JSON type of a value; a number says whether it is written as an integer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Json {
    Null,
    Bool,
    Integer,
    Float,
    String,
    Array,
    Object,
}

/// A value [`candidates`] can read the evidence from: a `serde_json::Value` or a
/// [`Buffered`] one.
pub trait Evidence {
    /// The value's outline.
    #[doc(hidden)]
    fn outline(&self, tag: Option<&str>) -> Outline<'_>;

    /// The value's property names (none when it is not an object).
    #[doc(hidden)]
    fn keys(&self) -> Vec<&str>;
}

impl Evidence for Value {
    fn outline(&self, tag: Option<&str>) -> Outline<'_> {
        let json = match self {
            Value::Null => Json::Null,
            Value::Bool(_) => Json::Bool,
            Value::Number(n) if n.is_i64() || n.is_u64() => Json::Integer,
            Value::Number(_) => Json::Float,
            Value::String(_) => Json::String,
            Value::Array(_) => Json::Array,
            Value::Object(_) => Json::Object,
        };
        let tag = tag.zip(self.as_object()).and_then(|(property, object)| object.get(property)).and_then(Value::as_str);
        Outline { json, tag: tag.map(Cow::Borrowed) }
    }

    fn keys(&self) -> Vec<&str> {
        self.as_object().map(|object| object.keys().map(String::as_str).collect()).unwrap_or_default()
    }
}

impl Evidence for Buffered<'_> {
    fn outline(&self, tag: Option<&str>) -> Outline<'_> {
        match self {
            Buffered::Value(value) => value.outline(tag),
            Buffered::Members(members) => Outline {
                json: Json::Object,
                // A tag that is not a string tells nothing (as in a `Value`).
                tag: tag.and_then(|tag| members.get(tag)).and_then(string),
            },
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Buffered::Value(value) => value.keys(),
            Buffered::Members(members) => members.names().collect(),
        }
    }
}

/// The string a JSON text holds, when it is a string: borrowed from the text unless it is
/// written with escapes.
fn string(text: &str) -> Option<Cow<'_, str>> {
    if !text.starts_with('"') {
        return None;
    }
    match serde_json::from_str::<&str>(text) {
        Ok(borrowed) => Some(Cow::Borrowed(borrowed)),
        Err(_) => serde_json::from_str::<String>(text).ok().map(Cow::Owned),
    }
}

/// How well an alternative's JSON type fits a value: `None` when it cannot.
fn kind_rank(kind: Kind, json: Json) -> Option<u8> {
    match (kind, json) {
        (Kind::Any, _) => Some(3),
        (_, Json::Null) => Some(2),
        (Kind::Object, Json::Object)
        | (Kind::Array, Json::Array)
        | (Kind::String, Json::String)
        | (Kind::Boolean, Json::Bool) => Some(0),
        (Kind::Integer, Json::Integer) => Some(0),
        (Kind::Number, Json::Float) => Some(0),
        (Kind::Number, Json::Integer) => Some(1),
        _ => None,
    }
}

/// The alternatives of `shape` worth trying for `value`, best first (indices into
/// `shape.variants`). Empty when none can hold the value.
pub fn candidates(shape: &Shape, value: &impl Evidence) -> Vec<usize> {
    // The tag and the JSON type first; the property names only when they have to order
    // several alternatives (or when there is no tag).
    let outline = value.outline(shape.tag);
    let tag = outline.tag.clone();
    let tagged = |variant: &Variant| match tag.as_deref() {
        // Free-form JSON holds anything, whatever the tag says.
        _ if variant.kind == Kind::Any => true,
        None => true,
        Some(tag) if shape.variants.iter().any(|v| v.tags.contains(&tag)) => variant.tags.contains(&tag),
        // A tag value no alternative claims: only an alternative without tags may hold it.
        Some(_) => variant.tags.is_empty(),
    };
    // (index, type rank) of the alternatives that can hold the value.
    let fitting: Vec<(usize, u8)> = shape
        .variants
        .iter()
        .enumerate()
        .filter(|(_, variant)| tagged(variant))
        .filter_map(|(index, variant)| Some((index, kind_rank(variant.kind, outline.json)?)))
        .collect();
    if fitting.len() < 2 {
        return fitting.into_iter().map(|(index, _)| index).collect();
    }
    let keys = (outline.json == Json::Object).then(|| value.keys());
    let keys = keys.as_deref();
    // (accepts anything, misses a required property, properties left unexplained, type rank, index)
    let mut ranked: Vec<(bool, bool, usize, u8, usize)> = fitting
        .into_iter()
        .map(|(index, rank)| {
            let variant = &shape.variants[index];
            let (incomplete, unexplained) = match keys {
                Some(keys) if variant.kind != Kind::Any => (
                    !variant.required.iter().all(|name| keys.iter().any(|key| key == name)),
                    keys.iter().filter(|key| !variant.known.contains(key)).count(),
                ),
                _ => (false, 0),
            };
            (variant.kind == Kind::Any, incomplete, unexplained, rank, index)
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().map(|(.., index)| index).collect()
}

/// Decodes one alternative from a buffered value; `None` when it does not fit. Raw text is
/// read directly first (see [`super::object::decode_direct`]); when that fails, the tolerant
/// reading of the same text decides, as it does for a `Value`, so a failed attempt is
/// dropped here, not handed up to fail the whole direct reading.
pub fn attempt<T: DeserializeOwned>(value: &Buffered<'_>) -> Option<T> {
    match value {
        Buffered::Members(members) => {
            if let Ok(decoded) = T::deserialize(members.reader()) {
                return Some(decoded);
            }
            super::object::tolerant(|| T::deserialize(members.reader()).ok())
        }
        Buffered::Value(value) => super::object::tolerant(|| T::deserialize(value).ok()),
    }
}

/// The error for a value that none of a union's alternatives holds.
pub fn no_match<E: serde::de::Error>(shape: &Shape) -> E {
    E::custom(format_args!("the value matches none of the alternatives of `{}`", shape.name))
}
