//! `object`: the hand-written (de)serialization that generated structs and unions use.
//! The types below are written the way the generator writes them: `Session` and `Node` as
//! the items of a list response (with the one-pass `Direct` reading), `Geo` and `Device` as
//! the types nested in them (read from their members' raw texts).

use std::collections::BTreeMap;

use bytes::Bytes;
use sdk_runtime::object::{self, FieldError, Fields, FromFields};
use sdk_runtime::request::decode_json;
use sdk_runtime::union;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Default)]
struct Session {
    id: String,
    iat: Option<f64>,
    geo: Option<Geo>,
    devices: Option<Vec<Device>>,
    deleted_at: Option<String>,
    extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Geo {
    country: String,
    extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Device {
    id: u32,
    extra: BTreeMap<String, u32>,
}

impl<'de> serde::Deserialize<'de> for Session {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object::deserialize_direct(deserializer)
    }
}

impl object::Direct for Session {
    fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut slots = (None, None, None, None, None);
        let mut rest = BTreeMap::new();
        while let Some(name) = object::next_name(&mut map)? {
            match name {
                "id" => object::read_field(&mut map, &mut slots.0),
                "iat" => object::read_field(&mut map, &mut slots.1),
                "geo" => object::read_field(&mut map, &mut slots.2),
                "devices" => object::read_field(&mut map, &mut slots.3),
                "deleted_at" => object::read_field(&mut map, &mut slots.4),
                _ => object::read_other(&mut map, &mut rest, name),
            }?;
        }
        Ok(Self {
            id: object::take_required(slots.0, "id")?,
            iat: slots.1.flatten(),
            geo: slots.2.flatten(),
            devices: slots.3.flatten(),
            deleted_at: object::take_required(slots.4, "deleted_at")?,
            extra: rest,
        })
    }
}

impl FromFields for Session {
    fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
        Ok(Self {
            id: fields.required("id")?,
            iat: fields.optional("iat"),
            geo: fields.optional("geo"),
            devices: fields.optional("devices"),
            // Required but nullable: may be absent.
            deleted_at: fields.required("deleted_at")?,
            extra: fields.rest()?,
        })
    }
}

impl serde::Serialize for Session {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = object::Writer::new(serializer)?;
        object.required("id", &self.id)?;
        object.optional("iat", &self.iat)?;
        object.optional("geo", &self.geo)?;
        object.optional("devices", &self.devices)?;
        object.required("deleted_at", &self.deleted_at)?;
        object.end(&self.extra)
    }
}

impl<'de> serde::Deserialize<'de> for Geo {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object::deserialize(deserializer)
    }
}

impl FromFields for Geo {
    fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
        Ok(Self { country: fields.required("country")?, extra: fields.rest()? })
    }
}

impl serde::Serialize for Geo {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = object::Writer::new(serializer)?;
        object.required("country", &self.country)?;
        object.end(&self.extra)
    }
}

impl<'de> serde::Deserialize<'de> for Device {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object::deserialize(deserializer)
    }
}

impl FromFields for Device {
    fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
        Ok(Self { id: fields.required("id")?, extra: fields.rest()? })
    }
}

impl serde::Serialize for Device {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = object::Writer::new(serializer)?;
        object.required("id", &self.id)?;
        object.end(&self.extra)
    }
}

/// A union as generated: a table of evidence, one `match` arm per alternative, then the
/// value kept as sent.
#[derive(Debug, Clone, PartialEq)]
enum IdOrGeo {
    Id(u32),
    Geo(Geo),
    UnknownValue(serde_json::Value),
}

static ID_OR_GEO: union::Shape = union::Shape {
    name: "IdOrGeo",
    tag: None,
    variants: &[
        union::Variant { kind: union::Kind::Integer, tags: &[], required: &[], known: &[] },
        union::Variant { kind: union::Kind::Object, tags: &[], required: &["country"], known: &["country", "city"] },
    ],
};

impl<'de> serde::Deserialize<'de> for IdOrGeo {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = union::buffer(deserializer)?;
        for index in union::candidates(&ID_OR_GEO, &value) {
            let decoded = match index {
                0 => union::attempt(&value).map(Self::Id),
                1 => union::attempt(&value).map(Self::Geo),
                _ => None,
            };
            if let Some(decoded) = decoded {
                return Ok(decoded);
            }
        }
        Ok(Self::UnknownValue(value.into_value()))
    }
}

fn decode<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, sdk_runtime::error::DecodeError> {
    decode_json(&Bytes::from(json.to_string()), None)
}

#[test]
fn fields_decode_and_unknown_properties_are_kept() {
    let session: Session = decode(json!({
        "id": "s1", "iat": 1.5, "geo": {"country": "PT", "city": "Porto"},
        "devices": [{"id": 1}], "new_field": [1, 2]
    }))
    .unwrap();
    assert_eq!(session.id, "s1");
    assert_eq!(session.iat, Some(1.5));
    assert_eq!(session.deleted_at, None);
    let geo = session.geo.as_ref().unwrap();
    assert_eq!(geo.country, "PT");
    assert_eq!(geo.extra["city"], json!("Porto"));
    assert_eq!(session.devices.as_ref().unwrap()[0].id, 1);
    assert_eq!(session.extra["new_field"], json!([1, 2]));
}

#[test]
fn one_odd_optional_value_does_not_fail_the_whole_body_and_is_kept() {
    let session: Session = decode(json!({"id": "a", "iat": "yesterday", "geo": {"city": "no country"}})).unwrap();
    assert_eq!(session.iat, None);
    assert_eq!(session.geo, None);
    // Nothing is lost: the values that did not fit are in `extra`, as sent.
    assert_eq!(session.extra["iat"], json!("yesterday"));
    assert_eq!(session.extra["geo"], json!({"city": "no country"}));
    assert_eq!(
        serde_json::to_value(&session).unwrap(),
        json!({"id": "a", "iat": "yesterday", "geo": {"city": "no country"}, "deleted_at": null})
    );
    let session: Session = decode(json!({"id": "a", "iat": null})).unwrap();
    assert_eq!(session.iat, None);
    assert!(session.extra.is_empty());
    // A kept value that does not fit the declared `additionalProperties` either is dropped.
    let device: Device = decode(json!({"id": 1, "n": 2})).unwrap();
    assert_eq!(device.extra, BTreeMap::from([("n".to_string(), 2)]));
}

#[test]
fn a_field_that_is_set_wins_over_a_kept_value_of_the_same_name() {
    let mut session: Session = decode(json!({"id": "a", "iat": "yesterday"})).unwrap();
    session.iat = Some(5.0);
    let written = serde_json::to_string(&session).unwrap();
    assert_eq!(written.matches("\"iat\"").count(), 1, "{written}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&written).unwrap()["iat"], json!(5.0));
}

/// JSON equality as the module documents it: numbers by value, the rest exactly.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(key, value)| y.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => a == b,
    }
}

/// A random JSON value, small and varied: any shape may land in any field.
fn any_json(rng: &mut fastrand::Rng, depth: u32) -> serde_json::Value {
    let strings = ["a", "yesterday", "", "NL", "1694791905", "\u{e9}t\u{e9}"];
    match rng.u32(0..if depth > 2 { 5 } else { 7 }) {
        0 => json!(rng.bool()),
        1 => json!(rng.i64(-1_000_000..1_000_000)),
        2 => json!(rng.f64() * 1e6),
        3 => json!(strings[rng.usize(0..strings.len())]),
        4 => json!(rng.u32(0..100)),
        5 => serde_json::Value::Array((0..rng.usize(0..3)).map(|_| any_json(rng, depth + 1)).collect()),
        _ => {
            let keys = ["country", "id", "x", "iat"];
            let object: serde_json::Map<String, serde_json::Value> = (0..rng.usize(0..4))
                .map(|_| (keys[rng.usize(0..keys.len())].to_string(), any_json(rng, depth + 1)))
                .collect();
            serde_json::Value::Object(object)
        }
    }
}

/// Property: for any object with a valid required `id`, whatever shapes the other members
/// have (fitting, odd or unknown), decoding then serializing gives back the same JSON,
/// except explicit `null`s on optional fields. Seeded, so a failure reproduces.
#[test]
fn decode_then_serialize_gives_back_what_was_received() {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for case in 0..2_000 {
        let mut body = serde_json::Map::new();
        body.insert("id".into(), json!(format!("id-{case}")));
        body.insert("deleted_at".into(), if rng.bool() { json!("2024-01-01") } else { serde_json::Value::Null });
        for name in ["iat", "geo", "devices", "unknown", "more"] {
            if rng.bool() {
                let value = match (name, rng.u32(0..3)) {
                    ("iat", 0) => json!(rng.f64() * 1e9),
                    ("geo", 0) => json!({"country": "NL", "city": any_json(&mut rng, 1)}),
                    ("devices", 0) => json!([{"id": rng.u32(0..9), "n": rng.u32(0..9)}]),
                    _ => any_json(&mut rng, 0),
                };
                if !value.is_null() {
                    body.insert(name.into(), value);
                }
            }
        }
        let body = serde_json::Value::Object(body);
        let session: Session = decode(body.clone()).unwrap_or_else(|e| panic!("case {case}: {e}\n{body}"));
        // The SDK's decoders read objects directly; serde_json's own reads them the tolerant way.
        assert_eq!(session, serde_json::from_value::<Session>(body.clone()).unwrap(), "case {case}: {body}");
        let written = serde_json::to_value(&session).unwrap();
        assert!(same_json(&body, &written), "case {case}:\nreceived {body}\nwritten  {written}");
    }
}

/// The SDK's decoders read objects directly (member values as raw text) and read again
/// the tolerant way when anything does not fit; serde_json's own functions read tolerantly.
/// Both give the same values, for repeated and escaped names and values that do not fit too.
#[test]
fn direct_and_tolerant_readings_agree() {
    for text in [
        r#"{"id": "a", "id": "b"}"#,
        r#"{"id": "a", "x": 1, "x": 2}"#,
        r#"{"\u0069d": "a", "g\u0065o": {"country": "PT"}, "n\u00e9": 1}"#,
        r#"{"id": "a", "geo": {"country": "PT", "country": 5}}"#,
        r#"{"id": "a", "devices": [{"id": 1}, {"id": "odd"}], "iat": "x"}"#,
        r#"{"id": "a", "geo": null, "iat": 1e3, "devices": [{"id": 2, "n": 3}]}"#,
    ] {
        let direct: Session = decode_json(&Bytes::from(text), None).unwrap();
        let tolerant: Session = serde_json::from_str(text).unwrap();
        assert_eq!(direct, tolerant, "{text}");
        let wrapped = format!(r#"{{"result": [{text}, {text}]}}"#);
        let direct: Vec<Session> = decode_json(&Bytes::from(wrapped), Some("result")).unwrap();
        assert_eq!(direct, [tolerant.clone(), tolerant], "{text}");
    }
    let text = r#"[5, {"country": "PT"}, {"country": 5}, "x", {"c\u006funtry": "PT", "city": "Porto"},
        {"country": "PT", "country": "ES"}, 2.5, null, {"country": "PT", "x": [1, {"y": null}]},
        {"country": "P\u0054", "city": "Porto", "meta": {"a": [1, "b"], "c": {}}}, {"country": "PT", "n": 1.5e300},
        {"country": "PT", "city": 5}, {"city": "Porto"}, [1, 2], {}]"#;
    let direct: Vec<IdOrGeo> = decode_json(&Bytes::from(text), None).unwrap();
    assert_eq!(direct, serde_json::from_str::<Vec<IdOrGeo>>(text).unwrap());
}

#[test]
fn required_fields_fail_naming_their_path() {
    let e = decode::<Session>(json!({"iat": 1})).unwrap_err();
    assert_eq!(e.path, None);
    assert!(e.message.starts_with("missing field `id`"), "{}", e.message);

    let e = decode::<Session>(json!({"id": 7})).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("id"));
    assert!(e.message.starts_with("invalid type: integer `7`, expected a string"), "{}", e.message);

    // Inside the unwrapped `result`, through an array, and inside a typed `extra` map.
    let body = Bytes::from(json!({"result": [{"id": 1}, {"id": 2, "n": "x"}]}).to_string());
    let e = decode_json::<Vec<Device>>(&body, Some("result")).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("result[1].n"));
    let e = decode::<Vec<Geo>>(json!([{"country": "PT"}, {"country": 3}])).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("[1].country"));
}

#[test]
fn nested_required_errors_compose_their_paths() {
    #[derive(Debug)]
    struct Outer {
        #[allow(dead_code)]
        geos: Vec<Geo>,
    }
    impl<'de> serde::Deserialize<'de> for Outer {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object::deserialize(deserializer)
        }
    }
    impl FromFields for Outer {
        fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
            Ok(Self { geos: fields.required("geos")? })
        }
    }
    let body = Bytes::from(json!({"result": {"geos": [{"country": "PT"}, {"country": false}]}}).to_string());
    let e = decode_json::<Outer>(&body, Some("result")).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("result.geos[1].country"));
    assert!(e.message.starts_with("invalid type: boolean `false`"), "{}", e.message);
    let body = Bytes::from(json!({"result": {"geos": [{}]}}).to_string());
    let e = decode_json::<Outer>(&body, Some("result")).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("result.geos[0]"));
    assert!(e.message.starts_with("missing field `country`"), "{}", e.message);
}

#[test]
fn serialization_skips_absent_optionals_and_writes_extra() {
    let mut session = Session { id: "s".into(), iat: Some(2.0), ..Session::default() };
    session.extra.insert("later".into(), json!(true));
    let value = serde_json::to_value(&session).unwrap();
    assert_eq!(value, json!({"id": "s", "iat": 2.0, "deleted_at": null, "later": true}));
    // And back again.
    let again: Session = serde_json::from_value(value).unwrap();
    assert_eq!(again, session);
}

#[test]
fn unions_take_the_alternative_the_evidence_names_and_keep_the_rest() {
    assert_eq!(serde_json::from_value::<IdOrGeo>(json!(5)).unwrap(), IdOrGeo::Id(5));
    let geo = serde_json::from_value::<IdOrGeo>(json!({"country": "PT"})).unwrap();
    assert!(matches!(geo, IdOrGeo::Geo(ref g) if g.country == "PT"));
    assert_eq!(serde_json::from_value::<IdOrGeo>(json!("x")).unwrap(), IdOrGeo::UnknownValue(json!("x")));
    let error: serde_json::Error = union::no_match(&ID_OR_GEO);
    assert!(error.to_string().contains("`IdOrGeo`"));
}

#[test]
fn a_non_object_is_a_clear_error() {
    let e = decode::<Geo>(json!("PT")).unwrap_err();
    assert!(e.message.contains("expected a map"), "{}", e.message);
}

/// A recursive type, for nesting deeper than the reading keeps member lists for.
#[derive(Debug, Clone, PartialEq, Default)]
struct Node {
    name: Option<String>,
    child: Option<Box<Node>>,
    extra: BTreeMap<String, serde_json::Value>,
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object::deserialize_direct(deserializer)
    }
}

impl object::Direct for Node {
    fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut slots = (None, None);
        let mut rest = BTreeMap::new();
        while let Some(name) = object::next_name(&mut map)? {
            match name {
                "name" => object::read_field(&mut map, &mut slots.0),
                "child" => object::read_field(&mut map, &mut slots.1),
                _ => object::read_other(&mut map, &mut rest, name),
            }?;
        }
        Ok(Self { name: slots.0.flatten(), child: slots.1.flatten(), extra: rest })
    }
}

impl FromFields for Node {
    fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
        Ok(Self { name: fields.optional("name"), child: fields.optional("child"), extra: fields.rest()? })
    }
}

/// The direct reading reuses its member lists from object to object: nothing of one object
/// shows in the next, and nesting deeper (or objects wider) than the lists it keeps reads
/// the same as the tolerant reading.
#[test]
fn reused_member_lists_carry_nothing_over() {
    let text =
        r#"[{"id": "a", "x": 1, "geo": {"country": "PT", "city": "Porto"}}, {"id": "b"}, {"id": "c", "y": [2]}]"#;
    for _ in 0..3 {
        let direct: Vec<Session> = decode_json(&Bytes::from(text), None).unwrap();
        assert_eq!(direct, serde_json::from_str::<Vec<Session>>(text).unwrap());
        assert!(direct[1].extra.is_empty() && direct[1].geo.is_none());
        assert_eq!(direct[2].extra.keys().collect::<Vec<_>>(), ["y"]);
    }

    let mut deep = json!({"name": "leaf", "odd": true});
    for depth in 0..60 {
        deep = json!({"name": format!("n{depth}"), "child": deep, "n": depth});
    }
    let wide: serde_json::Value =
        (0..300).map(|i| (format!("k{i}"), json!(i))).collect::<serde_json::Map<_, _>>().into();
    for value in [deep, wide, json!({"name": "x", "child": {"child": {"name": 5}}})] {
        let text = value.to_string();
        let twice: Vec<Node> = decode_json(&Bytes::from(format!("[{text}, {text}]")), None).unwrap();
        assert_eq!((twice.len(), &twice[0]), (2, &twice[1]));
        let direct: Node = decode_json(&Bytes::from(text.clone()), None).unwrap();
        assert_eq!(direct, serde_json::from_str::<Node>(&text).unwrap(), "{text}");
    }
}

/// The direct reading checks the body's UTF-8 once, up front; a body that is not UTF-8 is
/// then read the tolerant way, whose error names where the bad bytes are.
#[test]
fn a_body_that_is_not_utf8_fails_naming_where() {
    let mut body = br#"{"id": "a", "geo": {"country": "P"#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.extend_from_slice(br#""}}"#);
    let e = decode_json::<Session>(&Bytes::from(body.clone()), None).unwrap_err();
    assert!(e.message.contains("invalid unicode code point"), "{}", e.message);
    assert_eq!(e.path.as_deref(), Some("geo.country"));
    // The same bytes in a member no field takes fail too, as `serde_json` fails on them.
    let body = [br#"{"id": "a", "other": ""#.as_slice(), &[0xc3], br#""}"#].concat();
    let e = decode_json::<Session>(&Bytes::from(body), None).unwrap_err();
    assert!(e.message.contains("invalid unicode code point"), "{}", e.message);
}

/// A list item decodes in one pass when nothing is unusual: `from_fields` (the tolerant
/// reading) runs only for a body the one-pass reading refuses, and then gives the same
/// value the rules give.
#[test]
fn list_items_are_read_in_one_pass_unless_something_is_unusual() {
    use std::cell::Cell;
    thread_local! {
        static TOLERANT: Cell<usize> = const { Cell::new(0) };
    }

    #[derive(Debug, PartialEq)]
    struct Item {
        id: String,
        n: Option<i64>,
        extra: BTreeMap<String, serde_json::Value>,
    }
    impl<'de> serde::Deserialize<'de> for Item {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object::deserialize_direct(deserializer)
        }
    }
    impl object::Direct for Item {
        fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let mut slots = (None, None);
            let mut rest = BTreeMap::new();
            while let Some(name) = object::next_name(&mut map)? {
                match name {
                    "id" => object::read_field(&mut map, &mut slots.0),
                    "n" => object::read_field(&mut map, &mut slots.1),
                    _ => object::read_other(&mut map, &mut rest, name),
                }?;
            }
            Ok(Self { id: object::take_required(slots.0, "id")?, n: slots.1.flatten(), extra: rest })
        }
    }
    impl FromFields for Item {
        fn from_fields(fields: &mut Fields) -> Result<Self, FieldError> {
            TOLERANT.with(|count| count.set(count.get() + 1));
            Ok(Self { id: fields.required("id")?, n: fields.optional("n"), extra: fields.rest()? })
        }
    }

    let decode = |text: &str| {
        TOLERANT.with(|count| count.set(0));
        let items: Vec<Item> = decode_json(&Bytes::from(text.to_owned()), Some("result")).unwrap();
        (items, TOLERANT.with(Cell::get))
    };
    let (items, tolerant) = decode(r#"{"result": [{"n": 1, "id": "a", "x": [true]}, {"id": "b", "n": null}]}"#);
    assert_eq!(tolerant, 0, "read in one pass");
    assert_eq!(items[0], Item { id: "a".into(), n: Some(1), extra: [("x".into(), json!([true]))].into() });
    assert_eq!(items[1], Item { id: "b".into(), n: None, extra: BTreeMap::new() });
    // A value that does not fit its optional field, a repeated name, an escaped name: the
    // tolerant reading decides, and keeps what does not fit.
    for (text, expected) in [
        (
            r#"{"result": [{"id": "a", "n": "many"}]}"#,
            Item { id: "a".into(), n: None, extra: [("n".into(), json!("many"))].into() },
        ),
        (r#"{"result": [{"id": "a", "id": "b"}]}"#, Item { id: "b".into(), n: None, extra: BTreeMap::new() }),
        (r#"{"result": [{"\u0069d": "a"}]}"#, Item { id: "a".into(), n: None, extra: BTreeMap::new() }),
    ] {
        let (items, tolerant) = decode(text);
        assert!(tolerant > 0, "{text}: read the tolerant way");
        assert_eq!(items, [expected], "{text}");
    }
}
