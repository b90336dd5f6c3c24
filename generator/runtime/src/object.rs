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
//! - an optional field that is absent, `null` or of the wrong shape is `None`, so one odd
//!   value never costs the caller everything else the server sent;
//! - properties the type does not list are kept in its `extra` map.

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
    T::from_fields(&mut Fields { map }).map_err(D::Error::custom)
}

/// The fields of one JSON object, taken out one by one.
#[derive(Debug, Default)]
pub struct Fields {
    map: Map<String, Value>,
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

    /// An optional field: absent, `null` and values of the wrong shape are all `None`.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        match self.map.remove(name)? {
            Value::Null => None,
            value => T::deserialize(value).ok(),
        }
    }

    /// The properties not taken as fields. Each must have the type's
    /// `additionalProperties` shape; an error names the property.
    pub fn rest<T: DeserializeOwned>(&mut self) -> Result<BTreeMap<String, T>, FieldError> {
        std::mem::take(&mut self.map)
            .into_iter()
            .map(|(key, value)| match serde_path_to_error::deserialize(value) {
                Ok(value) => Ok((key, value)),
                Err(e) => Err(FieldError::inside(&key, e)),
            })
            .collect()
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
pub struct Writer<S: Serializer> {
    map: S::SerializeMap,
}

impl<S: Serializer> Writer<S> {
    /// Starts the object.
    pub fn new(serializer: S) -> Result<Self, S::Error> {
        Ok(Writer { map: serializer.serialize_map(None)? })
    }

    /// A field that is always written.
    pub fn required<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), S::Error> {
        self.map.serialize_entry(name, value)
    }

    /// A field that is left out when `None`.
    pub fn optional<T: Serialize>(&mut self, name: &str, value: &Option<T>) -> Result<(), S::Error> {
        match value {
            Some(value) => self.map.serialize_entry(name, value),
            None => Ok(()),
        }
    }

    /// Writes the properties kept in `extra` and ends the object.
    pub fn end<T: Serialize>(mut self, extra: &BTreeMap<String, T>) -> Result<S::Ok, S::Error> {
        for (key, value) in extra {
            self.map.serialize_entry(key, value)?;
        }
        self.map.end()
    }
}
