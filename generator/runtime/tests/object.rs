//! `object`: the hand-written (de)serialization that generated structs and unions use.
//! The types below are written the way the generator writes them.

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
        object::deserialize(deserializer)
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
        let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
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
        Ok(Self::UnknownValue(value))
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
fn one_odd_optional_value_does_not_fail_the_whole_body() {
    let session: Session = decode(json!({"id": "a", "iat": "yesterday", "geo": {"city": "no country"}})).unwrap();
    assert_eq!(session.iat, None);
    assert_eq!(session.geo, None);
    let session: Session = decode(json!({"id": "a", "iat": null})).unwrap();
    assert_eq!(session.iat, None);
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
