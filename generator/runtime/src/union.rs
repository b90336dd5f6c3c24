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
//! (see [`super::object::decode_direct`]) keep its raw JSON text, borrowed from the body:
//! the evidence is read from the text (up to the tag, when the tag alone decides) and the
//! chosen alternative is decoded straight from it, so no `serde_json::Value` is built for a
//! union that decodes. Other readers (`serde_json::from_value` and the like) keep a `Value`.
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

use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

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

/// A union's value as read before an alternative is chosen: the raw JSON text, borrowed
/// from the body, during a direct reading (see [`super::object::decode_direct`]); a
/// `serde_json::Value` otherwise.
#[derive(Debug)]
pub enum Buffered<'de> {
    /// The value's JSON text.
    Raw(&'de str),
    /// The value, read.
    Value(Value),
}

/// Reads a union's value without deciding its alternative. During a direct reading it keeps
/// the value's raw text (nothing is built); a deserializer that cannot lend its input then
/// fails the direct reading, and the tolerant one reads a `Value`.
pub fn buffer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Buffered<'de>, D::Error> {
    if super::object::reading_directly() {
        let raw: &'de RawValue = Deserialize::deserialize(deserializer)?;
        Ok(Buffered::Raw(raw.get()))
    } else {
        Ok(Buffered::Value(Value::deserialize(deserializer)?))
    }
}

impl Buffered<'_> {
    /// The value as a `serde_json::Value`, for a union's unknown variant.
    pub fn into_value(self) -> Value {
        match self {
            // The text was read as one JSON value, so it reads again.
            Buffered::Raw(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            Buffered::Value(value) => value,
        }
    }
}

/// What [`candidates`] looks at in a value: its JSON type, the tag's value and, when asked
/// for, its property names.
#[doc(hidden)]
pub struct Outline<'a> {
    json: Json,
    tag: Option<Cow<'a, str>>,
    /// `None` when not asked for.
    keys: Option<Vec<Cow<'a, str>>>,
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
    /// The value's outline; its property names only when `keys`.
    #[doc(hidden)]
    fn outline(&self, tag: Option<&str>, keys: bool) -> Outline<'_>;
}

impl Evidence for Value {
    fn outline(&self, tag: Option<&str>, _: bool) -> Outline<'_> {
        let json = match self {
            Value::Null => Json::Null,
            Value::Bool(_) => Json::Bool,
            Value::Number(n) if n.is_i64() || n.is_u64() => Json::Integer,
            Value::Number(_) => Json::Float,
            Value::String(_) => Json::String,
            Value::Array(_) => Json::Array,
            Value::Object(_) => Json::Object,
        };
        let object = self.as_object();
        let keys = object.map(|object| object.keys().map(|key| Cow::Borrowed(key.as_str())).collect());
        let tag = tag.zip(object).and_then(|(property, object)| object.get(property)).and_then(Value::as_str);
        Outline { json, tag: tag.map(Cow::Borrowed), keys }
    }
}

impl Evidence for Buffered<'_> {
    fn outline(&self, tag: Option<&str>, keys: bool) -> Outline<'_> {
        match self {
            Buffered::Value(value) => value.outline(tag, keys),
            Buffered::Raw(text) => {
                let mut outline = Outline { json: Json::Null, tag: None, keys: keys.then(Vec::new) };
                // The text was read as one JSON value already. The reading stops (with an
                // error, ignored) as soon as it has what was asked for.
                let _ = Peek { tag, outline: &mut outline }.deserialize(&mut serde_json::Deserializer::from_str(text));
                outline
            }
        }
    }
}

/// Reads an [`Outline`] from a value's text, skipping everything else, and stops as soon as
/// it has the tag when the property names are not asked for.
struct Peek<'t, 'o, 'de> {
    tag: Option<&'t str>,
    outline: &'o mut Outline<'de>,
}

/// The error that stops a [`Peek`] early.
const ENOUGH: &str = "the outline is complete";

impl<'de> DeserializeSeed<'de> for Peek<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Peek<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.outline.json = Json::Null;
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.outline.json = Json::Bool;
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.outline.json = Json::Integer;
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.outline.json = Json::Integer;
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.outline.json = Json::Float;
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.outline.json = Json::String;
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.outline.json = Json::Array;
        Err(A::Error::custom(ENOUGH))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.outline.json = Json::Object;
        let wants_keys = self.outline.keys.is_some();
        while let Some(key) = map.next_key_seed(Key)? {
            if self.tag == Some(key.as_ref()) {
                // A tag that is not a string tells nothing (as in a `Value`).
                self.outline.tag = map.next_value::<Tag<'de>>()?.0;
                if !wants_keys {
                    return Err(A::Error::custom(ENOUGH));
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            if let Some(keys) = &mut self.outline.keys {
                keys.push(key);
            }
        }
        Ok(())
    }
}

/// A property name, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(name))
    }

    fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(name.to_owned()))
    }
}

/// A tag's value: its text when it is a string.
struct Tag<'de>(Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for Tag<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TagVisitor)
    }
}

struct TagVisitor;

impl<'de> Visitor<'de> for TagVisitor {
    type Value = Tag<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Tag<'de>, E> {
        Ok(Tag(Some(Cow::Borrowed(text))))
    }

    fn visit_str<E>(self, text: &str) -> Result<Tag<'de>, E> {
        Ok(Tag(Some(Cow::Owned(text.to_owned()))))
    }

    fn visit_unit<E>(self) -> Result<Tag<'de>, E> {
        Ok(Tag(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Tag<'de>, E> {
        Ok(Tag(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Tag<'de>, E> {
        Ok(Tag(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Tag<'de>, E> {
        Ok(Tag(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Tag<'de>, E> {
        Ok(Tag(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tag<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Tag(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tag<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Tag(None))
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
    let mut outline = value.outline(shape.tag, shape.tag.is_none());
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
    if outline.json == Json::Object && outline.keys.is_none() {
        outline = value.outline(shape.tag, true);
    }
    let keys = outline.keys.as_deref().filter(|_| outline.json == Json::Object);
    // (accepts anything, misses a required property, properties left unexplained, type rank, index)
    let mut ranked: Vec<(bool, bool, usize, u8, usize)> = fitting
        .into_iter()
        .map(|(index, rank)| {
            let variant = &shape.variants[index];
            let (incomplete, unexplained) = match keys {
                Some(keys) if variant.kind != Kind::Any => (
                    !variant.required.iter().all(|name| keys.iter().any(|key| key == name)),
                    keys.iter().filter(|key| !variant.known.contains(&key.as_ref())).count(),
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
        Buffered::Raw(text) => {
            if let Ok(decoded) = T::deserialize(&mut serde_json::Deserializer::from_str(text)) {
                return Some(decoded);
            }
            super::object::tolerant(|| T::deserialize(&mut serde_json::Deserializer::from_str(text)).ok())
        }
        Buffered::Value(value) => super::object::tolerant(|| T::deserialize(value).ok()),
    }
}

/// The error for a value that none of a union's alternatives holds.
pub fn no_match<E: serde::de::Error>(shape: &Shape) -> E {
    E::custom(format_args!("the value matches none of the alternatives of `{}`", shape.name))
}
