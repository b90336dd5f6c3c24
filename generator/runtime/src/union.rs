//! Decoding of the generated unions (`oneOf`/`anyOf`) by the evidence the spec gives.
//!
//! Each generated union carries a static [`Shape`]: for every alternative, the JSON type it
//! accepts, the tag values that select it, its required properties and all the properties
//! it knows. [`candidates`] reads a received value against that table and returns the
//! alternatives worth trying, best first; the union's own code (a `match` on the index)
//! tries them in that order with [`attempt`] and keeps the first that decodes. Nothing
//! here is generic over the union, so a crate with many unions compiles one picker.
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

use serde::de::DeserializeOwned;
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

/// How well an alternative's JSON type fits a value: `None` when it cannot.
fn kind_rank(kind: Kind, value: &Value) -> Option<u8> {
    match (kind, value) {
        (Kind::Any, _) => Some(3),
        (_, Value::Null) => Some(2),
        (Kind::Object, Value::Object(_))
        | (Kind::Array, Value::Array(_))
        | (Kind::String, Value::String(_))
        | (Kind::Boolean, Value::Bool(_)) => Some(0),
        (Kind::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Some(0),
        (Kind::Number, Value::Number(n)) if n.is_f64() => Some(0),
        (Kind::Number, Value::Number(_)) => Some(1),
        _ => None,
    }
}

/// The alternatives of `shape` worth trying for `value`, best first (indices into
/// `shape.variants`). Empty when none can hold the value.
pub fn candidates(shape: &Shape, value: &Value) -> Vec<usize> {
    let object = value.as_object();
    let tag = shape.tag.zip(object).and_then(|(property, object)| object.get(property)).and_then(Value::as_str);
    let tagged = |variant: &Variant| match tag {
        // Free-form JSON holds anything, whatever the tag says.
        _ if variant.kind == Kind::Any => true,
        None => true,
        Some(tag) if shape.variants.iter().any(|v| v.tags.contains(&tag)) => variant.tags.contains(&tag),
        // A tag value no alternative claims: only an alternative without tags may hold it.
        Some(_) => variant.tags.is_empty(),
    };
    // (accepts anything, misses a required property, properties left unexplained, type rank, index)
    let mut ranked: Vec<(bool, bool, usize, u8, usize)> = shape
        .variants
        .iter()
        .enumerate()
        .filter(|(_, variant)| tagged(variant))
        .filter_map(|(index, variant)| {
            let rank = kind_rank(variant.kind, value)?;
            let (incomplete, unexplained) = match object {
                Some(object) if variant.kind != Kind::Any => (
                    !variant.required.iter().all(|name| object.contains_key(*name)),
                    object.keys().filter(|key| !variant.known.contains(&key.as_str())).count(),
                ),
                _ => (false, 0),
            };
            Some((variant.kind == Kind::Any, incomplete, unexplained, rank, index))
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().map(|(.., index)| index).collect()
}

/// Decodes one alternative from an already-read value; `None` when it does not fit.
/// Objects inside are read the tolerant way (see [`super::object::decode_direct`]): a
/// failed attempt is dropped here, not handed up to fail the direct reading.
pub fn attempt<T: DeserializeOwned>(value: &Value) -> Option<T> {
    super::object::tolerant(|| T::deserialize(value).ok())
}

/// The error for a value that none of a union's alternatives holds.
pub fn no_match<E: serde::de::Error>(shape: &Shape) -> E {
    E::custom(format_args!("the value matches none of the alternatives of `{}`", shape.name))
}
