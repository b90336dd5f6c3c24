//! Serialization of the generated object types, written out by hand instead of derived.
//!
//! A generated struct implements [`FromFields`] (one line per field) and `Serialize`
//! through [`Writer`] (one line per field). The work that `#[derive(Deserialize)]` would
//! expand into every type (a visitor, a field enum, a map loop) lives here once, so a
//! crate with thousands of types stays cheap to compile.
//!
//! An object is read in one of two ways; both give the same value (see [`decode_direct`]):
//! - *tolerant*: the object is read into a JSON map (`serde_json::Value`s), then each field
//!   is taken out of it and decoded; a nested object is read from its `Value` into a new map
//!   again. Any deserializer works; this is what `serde_json::from_str` and the like do.
//! - *direct*: the SDK's own decoders (`request::decode_json` and the other response
//!   decoders) read the body first straight from its bytes: no map, no `Value`s, member
//!   names borrowed from the body (below, the two forms this takes). Anything unusual (a
//!   value that does not fit, a missing field, a repeated name) makes the direct reading
//!   fail, and the decoder reads the body again the tolerant way, which gives the rules
//!   below and the error's path. A property name written with escapes (`"\u0069d"`) is
//!   such an unusual case too.
//!
//! The direct reading has two forms:
//! - *one pass*, for the structs a response returns a list of (the generator marks them;
//!   they implement [`Direct`]): a generated `read` matches each member's name and parses
//!   the value straight into the field's slot, as `#[derive(Deserialize)]` does. It is about
//!   as fast as derive (`benches/decode.rs`; figures in the README, under `cargo bench`).
//! - *raw texts*, for every other struct: each member is kept as its raw text and each field
//!   is parsed from its text by `from_fields`, so a value is read twice (a scan that keeps
//!   its text, then the parse) and a nested object once more per level. It needs no code of
//!   its own per type: the one-pass `read` costs compile time for every type that has it
//!   (about half again the whole Cloudflare SDK's `cargo check` when every struct had it), so
//!   only the types decoded in bulk pay for it. Objects are small outside lists.
//!
//! A union keeps an object's member list and hands it to the alternative it picks (see
//! `union.rs`), so its members are scanned once too, and an alternative with the one-pass
//! reading reads that list in one pass. The lists of members are reused from object to
//! object (a thread-local pool), so reading an object allocates nothing of its own. Two
//! readings without per-type code measured slower than the raw texts: a borrowed value
//! tree (0.61x of derive, its nested lists costing more than the scan), and scalars parsed
//! once into per-field slots learned from a type's first reading (the scan saved, the
//! slots' bookkeeping costing more; figures in the README).
//!
//! The rules, as the tolerant reading applies them:
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

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A type decoded from the fields of a JSON object.
pub trait FromFields: Sized {
    /// Builds the value, taking its fields out of `fields`.
    fn from_fields(fields: &mut Fields<'_>) -> Result<Self, FieldError>;
}

thread_local! {
    /// Whether objects are read directly (see [`decode_direct`]) on this thread.
    static DIRECT: Cell<bool> = const { Cell::new(false) };
}

/// Sets the reading mode until dropped, then restores the previous one.
struct Mode(bool);

impl Mode {
    fn set(direct: bool) -> Self {
        Mode(DIRECT.with(|cell| cell.replace(direct)))
    }
}

impl Drop for Mode {
    fn drop(&mut self) {
        DIRECT.with(|cell| cell.set(self.0));
    }
}

/// Runs `decode` with objects read directly: each object's members are kept as the raw
/// JSON text of their values (borrowed from the input, not parsed into a map) and each
/// field is decoded from its text. When anything fails (a value that does not fit, a
/// missing field, a repeated property, any other error), `decode` runs again reading
/// objects the tolerant way, which keeps what does not fit and names the failing path, so
/// the result is the same either way.
///
/// `decode` must read the same input each time, with a `serde_json` deserializer over a
/// slice or a string (raw values are borrowed from it); with any other input the direct
/// reading fails and the tolerant one decides.
pub fn decode_direct<R, E>(mut decode: impl FnMut() -> Result<R, E>) -> Result<R, E> {
    let direct = {
        let _mode = Mode::set(true);
        decode()
    };
    match direct {
        Ok(value) => Ok(value),
        Err(_) => {
            let _mode = Mode::set(false);
            decode()
        }
    }
}

/// Whether objects are being read directly on this thread: a decoder's first reading, whose
/// error is dropped when the tolerant reading runs again, so it need not track paths.
pub(crate) fn reading_directly() -> bool {
    DIRECT.with(Cell::get)
}

/// Runs `decode` with objects read the tolerant way, whatever the current mode (for
/// decoders that try a value and drop the error, which must not fail the direct reading).
pub(crate) fn tolerant<R>(decode: impl FnOnce() -> R) -> R {
    let _mode = Mode::set(false);
    decode()
}

/// A type that also reads itself in one pass, for the direct reading: its generated
/// [`Direct::read`] matches each member's name and parses the value straight into the
/// field, the way `#[derive(Deserialize)]` does, instead of keeping the members' raw texts
/// and parsing each field from its text (see [`decode_direct`]). Anything unusual (a value
/// that does not fit its field, a repeated or escaped name, a missing required field) is an
/// error, and the decoder reads the whole value again the tolerant way ([`FromFields`]).
pub trait Direct: FromFields {
    /// Reads the object's members, in one pass.
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` for a [`Direct`] type: in one pass when objects are read
/// directly, the tolerant way otherwise.
pub fn deserialize_direct<'de, D: Deserializer<'de>, T: Direct>(deserializer: D) -> Result<T, D::Error> {
    if DIRECT.with(Cell::get) {
        deserializer.deserialize_map(ReadDirect(PhantomData))
    } else {
        deserialize(deserializer)
    }
}

/// Calls [`Direct::read`] on an object.
struct ReadDirect<T>(PhantomData<fn() -> T>);

impl<'de, T: Direct> Visitor<'de> for ReadDirect<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// The next member's name, borrowed from the input, for [`Direct::read`] (a name written
/// with escapes fails the direct reading).
pub fn next_name<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<&'de str>, A::Error> {
    map.next_key_seed(Name)
}

/// Reads a field's value into its slot, for [`Direct::read`]. An optional field's slot
/// holds an `Option` (`null` reads as `Some(None)`); a second value for the same field is an
/// error (the tolerant reading keeps the last).
pub fn read_field<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::custom("a property is repeated"));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads a property the type does not list into its `extra` map, for [`Direct::read`].
pub fn read_other<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
    rest: &mut BTreeMap<String, T>,
    name: &str,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    match rest.insert(name.to_owned(), value) {
        Some(_) => Err(A::Error::custom("a property is repeated")),
        None => Ok(()),
    }
}

/// A required field's value once the object is read: an absent field decodes as `null`
/// (so a required but nullable field may be left out), as [`Fields::required`] does.
pub fn take_required<T: DeserializeOwned, E: serde::de::Error>(slot: Option<T>, name: &str) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Value::Null).map_err(|_| E::custom(format_args!("missing field `{name}`"))),
    }
}

/// `Deserialize::deserialize` for a [`FromFields`] type.
pub fn deserialize<'de, D: Deserializer<'de>, T: FromFields>(deserializer: D) -> Result<T, D::Error> {
    let source = if DIRECT.with(Cell::get) {
        Source::Raw(deserializer.deserialize_map(RawEntries)?)
    } else {
        Source::Map(Map::<String, Value>::deserialize(deserializer)?)
    };
    let mut fields = Fields { source, kept: Vec::new() };
    let value = T::from_fields(&mut fields);
    match fields.source {
        Source::Raw(Raw { entries, failed, .. }) => {
            give_back(entries);
            match value {
                Ok(_) if failed => Err(D::Error::custom("a value does not fit its field")),
                value => value.map_err(D::Error::custom),
            }
        }
        Source::Map(_) => value.map_err(D::Error::custom),
    }
}

/// An object's members as read directly.
type Entries<'de> = Vec<Entry<'de>>;

/// A member read directly: its name and raw value, the value `None` once taken.
#[derive(Debug)]
struct Entry<'de> {
    name: &'de str,
    text: Option<&'de str>,
}

/// How many member lists a thread keeps for reuse (one per nesting level in use), and
/// the longest list kept (a large map's list is let go).
const POOL_LISTS: usize = 32;
const POOL_ENTRIES: usize = 256;

thread_local! {
    /// Emptied member lists, reused so that reading an object directly allocates nothing
    /// for its members.
    static POOL: RefCell<Vec<Entries<'static>>> = const { RefCell::new(Vec::new()) };
}

/// An empty member list, from the pool when it has one.
fn borrow_list<'de>(capacity: usize) -> Entries<'de> {
    // `try_with`: a thread being torn down has no pool, and allocates.
    match POOL.try_with(|pool| pool.borrow_mut().pop()).ok().flatten() {
        Some(list) => relabel(list),
        None => Vec::with_capacity(capacity),
    }
}

/// Returns a member list to the pool.
fn give_back(mut list: Entries<'_>) {
    if list.capacity() > POOL_ENTRIES {
        return;
    }
    list.clear();
    let list = relabel(list);
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < POOL_LISTS {
            pool.push(list);
        }
    });
}

/// The same (empty) list with other lifetimes: nothing is borrowed from an empty list, and
/// collecting a `Vec`'s own iterator into elements of the same layout keeps its buffer.
fn relabel<'a, 'b>(list: Entries<'a>) -> Entries<'b> {
    list.into_iter().take(0).map(|_| Entry { name: "", text: None }).collect()
}

/// The fields of one JSON object, taken out one by one.
#[derive(Debug)]
pub struct Fields<'de> {
    source: Source<'de>,
    /// Values of optional fields that did not fit, for `extra` (tolerant reading only).
    kept: Vec<(String, Value)>,
}

/// Where the fields are taken from.
#[derive(Debug)]
enum Source<'de> {
    /// The tolerant reading: the object read as a JSON map.
    Map(Map<String, Value>),
    /// The direct reading: the members' names and the raw text of their values.
    Raw(Raw<'de>),
}

/// An object's members as read directly, in the input's order.
#[derive(Debug)]
struct Raw<'de> {
    /// Name and raw value; the value is `None` once taken by a field.
    entries: Entries<'de>,
    /// Where the next search starts: fields are usually sent in the order they are taken.
    next: usize,
    /// Set when a value did not fit: the direct reading fails and the tolerant one decides.
    failed: bool,
}

impl<'de> Raw<'de> {
    /// The raw value of the first member named `name` not taken yet.
    fn take(&mut self, name: &str) -> Option<&'de str> {
        let start = self.next.min(self.entries.len());
        let (after, before) = (&self.entries[start..], &self.entries[..start]);
        let is = |entry: &Entry<'_>| entry.text.is_some() && entry.name == name;
        let found = match after.iter().position(is) {
            Some(i) => start + i,
            None => before.iter().position(is)?,
        };
        self.next = found + 1;
        self.entries[found].text.take()
    }
}

/// Decodes a value from its raw JSON text.
fn from_raw<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    T::deserialize(&mut serde_json::Deserializer::from_str(text))
}

/// A deserializer over one JSON value's raw text (a member of a [`Members`] list read
/// again): asked for the text itself (see [`Text`]) it hands it over without scanning it;
/// anything else is read by `serde_json` from the text.
struct RawText<'de>(&'de str);

/// Methods `RawText` leaves to `serde_json`.
macro_rules! read_by_serde_json {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            serde_json::Deserializer::from_str(self.0).$method(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for RawText<'de> {
    type Error = serde_json::Error;

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if name == TEXT {
            return visitor.visit_borrowed_str(self.0);
        }
        serde_json::Deserializer::from_str(self.0).deserialize_newtype_struct(name, visitor)
    }

    read_by_serde_json! {
        deserialize_any deserialize_bool deserialize_str deserialize_string deserialize_option
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        serde_json::Deserializer::from_str(self.0).deserialize_unit_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        serde_json::Deserializer::from_str(self.0).deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        serde_json::Deserializer::from_str(self.0).deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        serde_json::Deserializer::from_str(self.0).deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        serde_json::Deserializer::from_str(self.0).deserialize_enum(name, variants, visitor)
    }
}

/// Reads an object's members as names and raw values (nothing is built but the list).
struct RawEntries;

impl<'de> Visitor<'de> for RawEntries {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raw<'de>, A::Error> {
        Ok(Raw { entries: read_entries(map)?, next: 0, failed: false })
    }
}

/// Reads an object's members as names and raw values, into a list from the pool.
fn read_entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Entries<'de>, A::Error> {
    // A reused list, or room for most objects' members at once (under 1 KiB).
    let mut entries = borrow_list(map.size_hint().unwrap_or(24));
    while let Some(name) = map.next_key_seed(Name)? {
        let text = map.next_value_seed(Text)?;
        entries.push(Entry { name, text: Some(text) });
    }
    Ok(entries)
}

/// The name under which [`Text`] asks a deserializer for a value's raw text: [`RawText`]
/// and [`Members`] hand over what they hold without reading it again, any other
/// deserializer is asked for a `RawValue`.
const TEXT: &str = "$sdk_runtime::RawText";

/// A value's raw JSON text, borrowed from the input.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = &'de str;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<&'de str, D::Error> {
        deserializer.deserialize_newtype_struct(TEXT, self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = &'de str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<&'de str, E> {
        Ok(text)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<&'de str, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(deserializer)?;
        Ok(raw.get())
    }
}

/// An object's members as read directly, kept for reading again: a union's value while its
/// alternative is chosen (see `union.rs`). Reading it again (through [`Members::reader`])
/// hands each member's raw text over as it is, without scanning it again.
#[doc(hidden)]
#[derive(Debug)]
pub struct Members<'de>(Entries<'de>);

impl<'de> Members<'de> {
    /// Reads an object's members; fails (with any deserializer that cannot lend its input,
    /// or a name written with escapes) where a direct reading fails.
    pub(crate) fn read<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        read_entries(map).map(Members)
    }

    /// The raw text of the member named `name` (the last one, when the name is repeated,
    /// as in a `serde_json::Value`).
    pub(crate) fn get(&self, name: &str) -> Option<&'de str> {
        self.0.iter().rev().find(|entry| entry.name == name).and_then(|entry| entry.text)
    }

    /// The members' names, in the input's order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'de str> + '_ {
        self.0.iter().map(|entry| entry.name)
    }

    /// The object as a `serde_json::Value` (the texts were read as JSON values, so they
    /// read again).
    pub(crate) fn to_value(&self) -> Value {
        let members =
            self.0.iter().filter_map(|entry| Some((entry.name.to_owned(), serde_json::from_str(entry.text?).ok()?)));
        Value::Object(members.collect())
    }

    /// A deserializer that reads the object again.
    pub(crate) fn reader(&self) -> MembersReader<'_, 'de> {
        MembersReader(&self.0)
    }
}

impl Drop for Members<'_> {
    fn drop(&mut self) {
        give_back(std::mem::take(&mut self.0));
    }
}

/// Reads a [`Members`] object again, as a map of its names and raw texts.
pub(crate) struct MembersReader<'m, 'de>(&'m [Entry<'de>]);

impl<'de> Deserializer<'de> for MembersReader<'_, 'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Replay { entries: self.0.iter(), text: None })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct enum identifier
    }
}

/// The members of a [`MembersReader`], one by one.
struct Replay<'m, 'de> {
    entries: std::slice::Iter<'m, Entry<'de>>,
    /// The text of the member whose name was read last.
    text: Option<&'de str>,
}

impl<'de> MapAccess<'de> for Replay<'_, 'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some(entry) = self.entries.next() else { return Ok(None) };
        self.text = entry.text;
        seed.deserialize(serde::de::value::BorrowedStrDeserializer::new(entry.name)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let text = self.text.take().ok_or_else(|| serde_json::Error::custom("a value without its name"))?;
        seed.deserialize(RawText(text))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A member name, borrowed from the input. A name written with escapes cannot be borrowed,
/// so it fails the direct reading (the tolerant one reads it).
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = &'de str;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = &'de str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name without escapes")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
        Ok(name)
    }
}

impl Fields<'_> {
    /// A required field. An absent field decodes as `null`, so a required but nullable
    /// field may be left out; anything else that does not fit is an error naming the field.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, FieldError> {
        match &mut self.source {
            Source::Map(map) => match map.remove(name) {
                Some(value) => serde_path_to_error::deserialize(value).map_err(|e| FieldError::inside(name, e)),
                None => T::deserialize(Value::Null).map_err(|_| FieldError::missing(name)),
            },
            Source::Raw(raw) => match raw.take(name) {
                Some(text) => from_raw(text).map_err(|e| FieldError { path: name.to_owned(), message: e.to_string() }),
                None => from_raw("null").map_err(|_| FieldError::missing(name)),
            },
        }
    }

    /// An optional field: absent, `null` and values of the wrong shape are all `None`; a
    /// value of the wrong shape is kept for [`Fields::rest`].
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        match &mut self.source {
            Source::Map(map) => match map.remove_entry(name)? {
                (_, Value::Null) => None,
                (key, value) => match T::deserialize(&value) {
                    Ok(decoded) => Some(decoded),
                    Err(_) => {
                        self.kept.push((key, value));
                        None
                    }
                },
            },
            Source::Raw(raw) => match raw.take(name)? {
                "null" => None,
                text => match from_raw(text) {
                    Ok(decoded) => Some(decoded),
                    Err(_) => {
                        raw.failed = true;
                        None
                    }
                },
            },
        }
    }

    /// The properties not taken as fields. Each must have the type's
    /// `additionalProperties` shape; an error names the property.
    /// Values of optional fields that did not fit are kept here too (when they fit the
    /// `additionalProperties` shape; otherwise they are dropped).
    pub fn rest<T: DeserializeOwned>(&mut self) -> Result<BTreeMap<String, T>, FieldError> {
        let map = match &mut self.source {
            Source::Map(map) => std::mem::take(map),
            Source::Raw(raw) => return raw.rest(),
        };
        let mut rest: BTreeMap<String, T> = map
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

impl Raw<'_> {
    /// [`Fields::rest`] read directly. Fails (so that the tolerant reading decides) when a
    /// value did not fit, or when a name is repeated (the tolerant reading keeps the last).
    fn rest<T: DeserializeOwned>(&mut self) -> Result<BTreeMap<String, T>, FieldError> {
        let refuse = |message: &str| FieldError { path: String::new(), message: message.to_owned() };
        if self.failed {
            return Err(refuse("a value does not fit its field"));
        }
        if self.entries.iter().all(|entry| entry.text.is_none()) {
            return Ok(BTreeMap::new());
        }
        // The names fields took (a few); a large map of other properties stays linear.
        let taken: Vec<&str> =
            self.entries.iter().filter(|entry| entry.text.is_none()).map(|entry| entry.name).collect();
        let mut rest = BTreeMap::new();
        for Entry { name, text, .. } in &self.entries {
            let Some(text) = text else { continue };
            if taken.contains(name) {
                return Err(refuse("a property is repeated"));
            }
            let value = from_raw(text).map_err(|e| FieldError { path: (*name).to_owned(), message: e.to_string() })?;
            if rest.insert((*name).to_owned(), value).is_some() {
                return Err(refuse("a property is repeated"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relabelled_list_keeps_its_buffer() {
        let text = String::from("name");
        let mut list: Entries<'_> = Vec::with_capacity(24);
        list.push(Entry { name: &text, text: None });
        list.clear();
        let pointer = list.as_ptr() as usize;
        let list: Entries<'static> = relabel(list);
        assert_eq!((list.capacity(), list.as_ptr() as usize), (24, pointer));
    }
}
