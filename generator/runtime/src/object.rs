//! Serialization of the generated object types, written out by hand instead of derived.
//!
//! A generated struct implements [`FromFields`] (one line per field) and `Serialize`
//! through [`Writer`] (one line per field). The work that `#[derive(Deserialize)]` would
//! expand into every type (a visitor, a field enum, a map loop) lives here once, so a
//! crate with thousands of types stays cheap to compile.
//!
//! Decoding reads the object into a JSON map first, then takes each field out of it:
//! - a required field must be present (or accept `null`) and have the right shape;
//!   otherwise the error names the path to the failing value (`a.b[2].c`);
//! - an optional field that is absent or `null` is `None`; one whose value has the wrong
//!   shape is `None` too, and the value is kept, as sent, in the type's `extra` map under the
//!   property's name, so one odd value neither costs the caller everything else the server
//!   sent nor disappears;
//! - properties the type does not list are kept in its `extra` map.
//!
//! Decoding then serializing gives back the JSON that was received, in this sense: the same
//! members, with numbers equal by value (`2` and `2.0`; `f32` fields hold what `f32` holds),
//! except that an explicit `null` on an optional field reads as absent. When the type's
//! `additionalProperties` declares a value type, a kept value that does not fit it either is
//! dropped. The writer never writes a name twice: a field that is set wins over a kept value.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A type decoded from the fields of a JSON object.
pub trait FromFields: Sized {
    /// Builds the value, taking its fields out of `fields`.
    fn from_fields(fields: &mut Fields) -> Result<Self, FieldError>;
}

/// `Deserialize::deserialize` for a [`FromFields`] type.
pub fn deserialize<'de, D: Deserializer<'de>, T: FromFields>(deserializer: D) -> Result<T, D::Error> {
    let map = Map::<String, Value>::deserialize(deserializer)?;
    T::from_fields(&mut Fields { map, kept: Vec::new() }).map_err(D::Error::custom)
}

/// The fields of one JSON object, taken out one by one.
#[derive(Debug, Default)]
pub struct Fields {
    map: Map<String, Value>,
    /// Values of optional fields that did not fit, for `extra`.
    kept: Vec<(String, Value)>,
}

impl Fields {
    /// A required field. An absent field decodes as `null`, so a required but nullable
    /// field may be left out; anything else that does not fit is an error naming the field.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, FieldError> {
        match self.map.remove(name) {
            Some(value) => serde_path_to_error::deserialize(value).map_err(|e| FieldError::inside(name, e)),
            None => T::deserialize(Value::Null).map_err(|_| FieldError::missing(name)),
        }
    }

    /// An optional field: absent, `null` and values of the wrong shape are all `None`; a
    /// value of the wrong shape is kept for [`Fields::rest`].
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        match self.map.remove_entry(name)? {
            (_, Value::Null) => None,
            (key, value) => match T::deserialize(&value) {
                Ok(decoded) => Some(decoded),
                Err(_) => {
                    self.kept.push((key, value));
                    None
                }
            },
        }
    }

    /// The properties not taken as fields. Each must have the type's
    /// `additionalProperties` shape; an error names the property.
    /// Values of optional fields that did not fit are kept here too (when they fit the
    /// `additionalProperties` shape; otherwise they are dropped).
    pub fn rest<T: DeserializeOwned>(&mut self) -> Result<BTreeMap<String, T>, FieldError> {
        let mut rest: BTreeMap<String, T> = std::mem::take(&mut self.map)
            .into_iter()
            .map(|(key, value)| match serde_path_to_error::deserialize(value) {
                Ok(value) => Ok((key, value)),
                Err(e) => Err(FieldError::inside(&key, e)),
            })
            .collect::<Result<_, _>>()?;
        for (key, value) in std::mem::take(&mut self.kept) {
            if let Ok(value) = T::deserialize(value) {
                rest.insert(key, value);
            }
        }
        Ok(rest)
    }
}

/// A field that could not be decoded: where (a path relative to the object) and why.
///
/// Its text is the message prefixed by ``at `path`: ``. Nested objects prefix their own
/// field, so the outermost error reads ``at `geo.country`: invalid type: ...``; the
/// runtime's decoders split that prefix off again into a `DecodeError`'s `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the failing value below the object (`geo.country`, `items[2].id`).
    pub path: String,
    /// What went wrong there.
    pub message: String,
}

impl FieldError {
    fn missing(name: &str) -> Self {
        FieldError { path: String::new(), message: format!("missing field `{name}`") }
    }

    /// An error while decoding the value of field `name`.
    fn inside(name: &str, e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let mut path = name.to_owned();
        let tracked = e.path().to_string();
        push_path(&mut path, &tracked);
        let (inner, message) = split_path(&e.into_inner().to_string());
        if let Some(inner) = inner {
            push_path(&mut path, &inner);
        }
        FieldError { path, message }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for FieldError {}

/// Appends a relative path (`.` is "here", `[2]` an index, `a.b` fields).
pub fn push_path(path: &mut String, more: &str) {
    if more.is_empty() || more == "." {
        return;
    }
    if !path.is_empty() && !more.starts_with('[') {
        path.push('.');
    }
    path.push_str(more);
}

/// Splits the ``at `path`: `` prefix of a [`FieldError`] text off a message.
pub fn split_path(message: &str) -> (Option<String>, String) {
    if let Some(rest) = message.strip_prefix("at `") {
        if let Some((path, message)) = rest.split_once("`: ") {
            return (Some(path.to_owned()), message.to_owned());
        }
    }
    (None, message.to_owned())
}

/// Writes a generated struct as a JSON object, one field at a time.
pub struct Writer<'n, S: Serializer> {
    map: S::SerializeMap,
    /// Names written so far, which `extra` may not write again.
    written: Vec<&'n str>,
}

impl<'n, S: Serializer> Writer<'n, S> {
    /// Starts the object.
    pub fn new(serializer: S) -> Result<Self, S::Error> {
        Ok(Writer { map: serializer.serialize_map(None)?, written: Vec::new() })
    }

    /// A field that is always written.
    pub fn required<T: Serialize + ?Sized>(&mut self, name: &'n str, value: &T) -> Result<(), S::Error> {
        self.written.push(name);
        self.map.serialize_entry(name, value)
    }

    /// A field that is left out when `None`.
    pub fn optional<T: Serialize>(&mut self, name: &'n str, value: &Option<T>) -> Result<(), S::Error> {
        match value {
            Some(value) => {
                self.written.push(name);
                self.map.serialize_entry(name, value)
            }
            None => Ok(()),
        }
    }

    /// Writes the properties kept in `extra`, except those a field has written, and ends
    /// the object.
    pub fn end<T: Serialize>(mut self, extra: &BTreeMap<String, T>) -> Result<S::Ok, S::Error> {
        for (key, value) in extra {
            if !self.written.contains(&key.as_str()) {
                self.map.serialize_entry(key, value)?;
            }
        }
        self.map.end()
    }
}
