//! Reading YAML or JSON text into a `serde_json::Value` (keeping key order) under the limits of
//! [`limits`](super::limits), noting duplicate keys.
//!
//! The value is built by a visitor of our own rather than `Value`'s: it counts what it receives
//! and fails as soon as a budget is exceeded. serde_yaml replays an alias by replaying the events
//! of its anchor, so the visitor sees (and counts) every value an alias expands to before any of
//! it is kept: the counts bound the memory the tree can take, whatever the file's size.
//! A failure from inside the visitor is located by the parser (serde_yaml attaches the mark of
//! the node being read, serde_json its current position).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

use super::limits::{MAX_DEPTH, MAX_DUPLICATES_LISTED, MAX_KEY_BYTES, MAX_YAML_TEXT_BYTES, MAX_YAML_VALUES};
use crate::error::SpecProblem;
use crate::pointer;

/// Duplicate keys found while reading: the first [`MAX_DUPLICATES_LISTED`], then a count.
#[derive(Debug, Default)]
pub struct Duplicates {
    listed: Vec<SpecProblem>,
    more: usize,
}

impl Duplicates {
    /// Notes key `key` repeated in the object at `pointer`; `place` (e.g. ` (line 3, column 5)`)
    /// is appended to the message.
    pub fn push(&mut self, pointer: String, key: &str, place: &str) {
        if self.listed.len() < MAX_DUPLICATES_LISTED {
            let message = format!("duplicate key `{key}` in this object{place}");
            self.listed.push(SpecProblem::new(pointer, message));
        } else {
            self.more += 1;
        }
    }

    /// The problems, in document order, the count of unlisted ones last.
    pub fn into_problems(self) -> Vec<SpecProblem> {
        let mut problems = self.listed;
        if self.more > 0 {
            problems.push(SpecProblem::new("#", format!("{} more duplicate key(s) not listed", self.more)));
        }
        problems
    }
}

/// What the visitor counts, and what it found.
struct State {
    /// Whether the alias budgets apply: YAML with anchors (without, like JSON, what the text
    /// expands to is bounded by the file's size).
    budget: bool,
    values: usize,
    text_bytes: usize,
    duplicates: Duplicates,
}

impl State {
    /// Counts one value of `bytes` bytes of text against the budgets.
    fn count<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        self.add(1, bytes)
    }

    /// Counts `values` values and `bytes` bytes of text against the budgets.
    fn add<E: de::Error>(&mut self, values: usize, bytes: usize) -> Result<(), E> {
        self.values += values;
        self.text_bytes += bytes;
        if self.budget && self.values > MAX_YAML_VALUES {
            return Err(E::custom(format!(
                "the document, with its aliases expanded, holds more than {MAX_YAML_VALUES} values, the limit for \
                 YAML documents with anchors (are aliases nested to expand exponentially?)"
            )));
        }
        if self.budget && self.text_bytes > MAX_YAML_TEXT_BYTES {
            return Err(E::custom(format!(
                "the document, with its aliases expanded, holds more than {} MiB of keys and strings, the limit for \
                 YAML documents with anchors (are aliases nested to expand exponentially?)",
                MAX_YAML_TEXT_BYTES >> 20
            )));
        }
        Ok(())
    }
}

/// Where a value is: a linked list from the value up to the root, borrowed from the stack.
struct At<'p> {
    parent: Option<&'p At<'p>>,
    segment: Segment<'p>,
}

enum Segment<'p> {
    Key(&'p str),
    Index(usize),
}

/// The JSON pointer of the value at `at` (`#` for the root).
fn pointer(at: Option<&At<'_>>) -> String {
    let mut segments = Vec::new();
    let mut next = at;
    while let Some(node) = next {
        segments.push(match node.segment {
            Segment::Key(key) => pointer::token(key),
            Segment::Index(index) => index.to_string(),
        });
        next = node.parent;
    }
    let mut out = String::from("#");
    for segment in segments.iter().rev() {
        out.push('/');
        out.push_str(segment);
    }
    out
}

/// Builds one value.
struct ValueSeed<'s, 'p> {
    state: &'s mut State,
    at: Option<&'p At<'p>>,
    /// How many sequences and mappings enclose the value.
    depth: usize,
}

impl ValueSeed<'_, '_> {
    /// Checks that a sequence or mapping here is not nested too deep.
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("nesting deeper than {MAX_DEPTH} levels, the limit")));
        }
        self.state.count(0)
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML or JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        self.state.count(0)?;
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        self.state.count(0)?;
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.state.count(0)?;
        Ok(Value::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        self.state.count(0)?;
        serde::Deserialize::deserialize(de::value::I128Deserializer::<E>::new(value)).map(Value::Number)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        self.state.count(0)?;
        serde::Deserialize::deserialize(de::value::U128Deserializer::<E>::new(value)).map(Value::Number)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        self.state.count(0)?;
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        self.state.count(value.len())?;
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        self.state.count(value.len())?;
        Ok(Value::String(value))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.state.count(0)?;
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.state.count(0)?;
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut access: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            let at = At { parent: self.at, segment: Segment::Index(items.len()) };
            let seed = ValueSeed { state: &mut *self.state, at: Some(&at), depth: self.depth + 1 };
            match access.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut access: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut map = Map::new();
        while let Some(key) = access.next_key_seed(KeySeed { state: &mut *self.state })? {
            let at = At { parent: self.at, segment: Segment::Key(&key) };
            let value =
                access.next_value_seed(ValueSeed { state: &mut *self.state, at: Some(&at), depth: self.depth + 1 })?;
            match map.entry(key) {
                Entry::Vacant(entry) => {
                    entry.insert(value);
                }
                Entry::Occupied(mut entry) => {
                    // Like serde_json's own `Value`: the last value wins, in the first one's place.
                    self.state.duplicates.push(pointer(self.at), entry.key(), "");
                    entry.insert(value);
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// Reads a mapping key as a string (as `Value` does: YAML scalars of any type read as their text).
struct KeySeed<'s> {
    state: &'s mut State,
}

impl KeySeed<'_> {
    fn check<E: de::Error>(&mut self, key: &str) -> Result<(), E> {
        if key.len() > MAX_KEY_BYTES {
            return Err(E::custom(format!(
                "a mapping key of {} bytes is longer than {MAX_KEY_BYTES} bytes, the limit",
                key.len()
            )));
        }
        // A key is no value of its own, but its text counts.
        self.state.add(0, key.len())
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = String;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string key")
    }

    fn visit_str<E: de::Error>(mut self, value: &str) -> Result<String, E> {
        self.check(value)?;
        Ok(value.to_owned())
    }

    fn visit_string<E: de::Error>(mut self, value: String) -> Result<String, E> {
        self.check(&value)?;
        Ok(value)
    }
}

/// A value read, and the duplicate keys met on the way.
pub type Read = (Value, Duplicates);

/// Reads JSON text (one value, then only whitespace).
pub fn json(text: &str) -> Result<Read, serde_json::Error> {
    let mut state = State { budget: false, values: 0, text_bytes: 0, duplicates: Duplicates::default() };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = ValueSeed { state: &mut state, at: None, depth: 0 }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok((value, state.duplicates))
}

/// Why YAML text did not read.
pub enum YamlError {
    /// The parser's (or a budget's) error.
    Parse(serde_yaml::Error),
    /// The stream holds no document.
    NoDocument,
    /// The stream holds a second document, whose first node is at this 1-based line and column.
    SecondDocument(usize, usize),
}

/// Reads YAML text holding one document.
pub fn yaml(text: &str) -> Result<Read, YamlError> {
    let mut state =
        State { budget: may_have_anchors(text), values: 0, text_bytes: 0, duplicates: Duplicates::default() };
    let mut documents = serde_yaml::Deserializer::from_str(text);
    let first = documents.next().ok_or(YamlError::NoDocument)?;
    let value = ValueSeed { state: &mut state, at: None, depth: 0 }.deserialize(first).map_err(YamlError::Parse)?;
    if let Some(second) = documents.next() {
        // Reading the second document with a visitor that accepts nothing yields an error
        // located at its first node (or the parser's error, located too, if it is malformed).
        let location = de::Deserializer::deserialize_any(second, Reject).err().and_then(|error| error.location());
        let (line, column) = location.map_or((1, 1), |location| (location.line(), location.column()));
        return Err(YamlError::SecondDocument(line, column));
    }
    Ok((value, state.duplicates))
}

/// Whether YAML text may define an anchor (`&name` where a node can start): without one it
/// can hold no alias (an alias of an unknown anchor does not parse). A false alarm (`a &b` in
/// a plain scalar) only puts the document under the alias budgets.
fn may_have_anchors(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'&', bytes).any(|at| {
        let before = at.checked_sub(1).map_or(b'\n', |index| bytes[index]);
        let after = bytes.get(at + 1).copied().unwrap_or(b' ');
        matches!(before, b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',') && !after.is_ascii_whitespace()
    })
}

/// A visitor that accepts nothing.
struct Reject;

impl Visitor<'_> for Reject {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("nothing")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_noticed() {
        assert!(may_have_anchors("a: &x 1\nb: *x\n"));
        assert!(may_have_anchors("&x [1]"));
        assert!(may_have_anchors("a: [&x 1, *x]"));
        assert!(!may_have_anchors("a: R&D\nb: 'x & y'\nc: http://h/?a=1&b=2\n"));
    }

    #[test]
    fn without_anchors_no_budget_applies() {
        let text = format!("a: [{}]\n", vec!["1"; 100].join(", "));
        let (value, _) = yaml(&text).ok().unwrap();
        assert_eq!(value["a"].as_array().map(Vec::len), Some(100));
    }
}
