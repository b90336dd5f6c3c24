//! The union picker: which alternatives are tried for a value, in which order.

use sdk_runtime::union::{candidates, Kind, Shape, Variant};
use serde_json::json;

const fn object(
    tags: &'static [&'static str],
    required: &'static [&'static str],
    known: &'static [&'static str],
) -> Variant {
    Variant { kind: Kind::Object, tags, required, known }
}

const fn scalar(kind: Kind) -> Variant {
    Variant { kind, tags: &[], required: &[], known: &[] }
}

static TAGGED: Shape = Shape {
    name: "Pet",
    tag: Some("kind"),
    variants: &[
        object(&["Cat", "cat"], &[], &["kind", "name", "lives"]),
        object(&["Dog", "dog"], &[], &["kind", "name", "good"]),
        object(&["Dog", "puppy"], &["age"], &["kind", "name", "age"]),
    ],
};

#[test]
fn the_tag_selects_against_the_properties() {
    // `lives` is a cat property, but the tag says dog.
    assert_eq!(candidates(&TAGGED, &json!({"kind": "dog", "lives": 9})), [1]);
    assert_eq!(candidates(&TAGGED, &json!({"kind": "cat"})), [0]);
}

#[test]
fn a_tag_shared_by_several_alternatives_leaves_them_to_the_properties() {
    assert_eq!(candidates(&TAGGED, &json!({"kind": "Dog", "age": 1})), [2, 1]);
    assert_eq!(candidates(&TAGGED, &json!({"kind": "Dog", "good": true})), [1, 2]);
}

#[test]
fn an_unclaimed_tag_value_leaves_nothing_to_try() {
    assert!(candidates(&TAGGED, &json!({"kind": "bird"})).is_empty());
    // Without the tag, every object alternative is a candidate.
    assert_eq!(candidates(&TAGGED, &json!({"name": "Rex", "good": true})), [1, 0, 2]);
}

static MIXED: Shape = Shape {
    name: "Mixed",
    tag: Some("type"),
    variants: &[
        scalar(Kind::Number),
        scalar(Kind::Integer),
        scalar(Kind::String),
        scalar(Kind::Array),
        scalar(Kind::Boolean),
        object(&["a"], &[], &["type"]),
        scalar(Kind::Any),
    ],
};

#[test]
fn the_json_type_narrows_and_an_exact_number_type_comes_first() {
    assert_eq!(candidates(&MIXED, &json!(3)), [1, 0, 6]);
    assert_eq!(candidates(&MIXED, &json!(3.5)), [0, 6]);
    assert_eq!(candidates(&MIXED, &json!("x")), [2, 6]);
    assert_eq!(candidates(&MIXED, &json!([1])), [3, 6]);
    assert_eq!(candidates(&MIXED, &json!(false)), [4, 6]);
    assert_eq!(candidates(&MIXED, &json!({"type": "a"})), [5, 6]);
    // A tag no alternative claims leaves the alternatives without tags: here only `Any`.
    assert_eq!(candidates(&MIXED, &json!({"type": "b"})), [6]);
}

static UNTAGGED: Shape = Shape {
    name: "Vehicle",
    tag: None,
    variants: &[
        object(&[], &[], &["wheels"]),
        object(&[], &[], &["wheels", "doors", "seats"]),
        object(&[], &["plate"], &["plate", "wheels", "doors", "seats", "owner"]),
    ],
};

#[test]
fn complete_alternatives_come_first_then_the_one_explaining_most() {
    // The third explains everything but misses its required `plate`: it is tried last.
    assert_eq!(candidates(&UNTAGGED, &json!({"wheels": 4, "doors": 5, "owner": "x"})), [1, 0, 2]);
    assert_eq!(candidates(&UNTAGGED, &json!({"wheels": 4, "doors": 5, "seats": 2})), [1, 0, 2]);
    assert_eq!(candidates(&UNTAGGED, &json!({"plate": "AB", "owner": "x"})), [2, 0, 1]);
    // Ties keep the spec's order.
    assert_eq!(candidates(&UNTAGGED, &json!({"wheels": 2})), [0, 1, 2]);
    assert_eq!(candidates(&UNTAGGED, &json!({})), [0, 1, 2]);
    // Not an object: nothing fits.
    assert!(candidates(&UNTAGGED, &json!("car")).is_empty());
}

#[test]
fn null_is_left_to_every_alternative_in_order() {
    assert_eq!(candidates(&UNTAGGED, &json!(null)), [0, 1, 2]);
}

/// The SDK's decoders keep an object of a union as its members' raw texts instead of a
/// `Value`, and read the tag and the property names from them: the same alternatives in the
/// same order as from the `Value`, for escaped names and tags, tags that are not strings,
/// tags after the other properties and values of every JSON type.
#[test]
fn the_raw_members_give_the_same_candidates_as_the_value() {
    use sdk_runtime::object::decode_direct;
    use sdk_runtime::union::{buffer, Buffered};
    static SCALAR: Shape = Shape {
        name: "Scalar",
        tag: None,
        variants: &[scalar(Kind::Integer), scalar(Kind::Number), scalar(Kind::String), scalar(Kind::Any)],
    };
    let texts = [
        r#"{"kind": "dog", "lives": 9}"#,
        r#"{"lives": 9, "name": "Rex", "kind": "Dog", "age": 1}"#,
        r#"{"kind": "Dog", "good": true}"#,
        r#"{"kind": "c\u0061t", "n": 1}"#,
        r#"{"k\u0069nd": "cat", "n\u00e9": 1}"#,
        r#"{"kind": 5, "age": 2}"#,
        r#"{"kind": null}"#,
        r#"{"kind": {"nested": "Dog"}, "age": [1, 2]}"#,
        r#"{"kind": "unknown", "name": "x"}"#,
        r#"{"kind": "cat", "kind": "Dog"}"#,
        r#"{}"#,
        "[1, 2]",
        "3",
        "3.5",
        "-2",
        "\"text\"",
        "true",
        "null",
    ];
    for text in texts {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        // Names written with escapes are not borrowed: that object is read the tolerant way.
        let direct = value.is_object() && !text.contains("\\u0069");
        for shape in [&TAGGED, &SCALAR] {
            let (buffered, picked) = decode_direct(|| {
                let buffered = buffer(&mut serde_json::Deserializer::from_str(text))?;
                let picked = candidates(shape, &buffered);
                Ok::<_, serde_json::Error>((buffered, picked))
            })
            .unwrap();
            assert_eq!(matches!(buffered, Buffered::Members(_)), direct, "{text}");
            assert_eq!(picked, candidates(shape, &value), "{text}");
            assert_eq!(candidates(shape, &Buffered::Value(value.clone())), candidates(shape, &value), "{text}");
            assert_eq!(buffered.into_value(), value, "{text}");
        }
    }
}
