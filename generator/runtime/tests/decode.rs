//! Decoders, snippets and path building without a server.

use bytes::Bytes;
use sdk_runtime::error::{body_snippet, SNIPPET_LIMIT};
use sdk_runtime::request::{decode_bytes, decode_empty, decode_json, decode_text, PathBuilder, RequestParts};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Item {
    #[allow(dead_code)]
    id: u32,
}

#[test]
fn decode_json_paths() {
    let body = Bytes::from_static(br#"{"result": [{"id": 1}, {"id": "x"}], "unknown": true}"#);
    let e = decode_json::<Vec<Item>>(&body, Some("result")).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("result[1].id"));
    let e = decode_json::<Item>(&Bytes::from_static(br#"{"id": -1}"#), None).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("id"));
    assert!(decode_json::<Item>(&Bytes::from_static(br#"{"id": 1} trailing"#), None).is_err());
    let e = decode_json::<Item>(&Bytes::from_static(b"[1]"), Some("result")).unwrap_err();
    assert!(e.message.contains("`result`"));
    assert!(decode_json::<Item>(&Bytes::from_static(b"<html>"), Some("result")).is_err());
    assert!(decode_json::<Item>(&Bytes::new(), None).is_err());
}

#[test]
fn other_decoders() {
    assert!(decode_empty(&Bytes::from_static(b"whatever"), None).is_ok());
    assert_eq!(decode_text(&Bytes::from_static("héllo".as_bytes()), None).unwrap(), "héllo");
    assert!(decode_text(&Bytes::from_static(&[0xff, 0xfe]), None).is_err());
    assert_eq!(decode_bytes(&Bytes::from_static(b"\x00\x01"), None).unwrap(), Bytes::from_static(b"\x00\x01"));
}

#[test]
fn snippets_are_bounded_and_char_safe() {
    assert_eq!(body_snippet(b"short"), "short");
    assert_eq!(body_snippet(b""), "");
    for pad in 0..4 {
        let mut s = "a".repeat(pad);
        s.push_str(&"é日".repeat(2000));
        let snip = body_snippet(s.as_bytes());
        assert!(snip.len() <= SNIPPET_LIMIT + "…[truncated]".len());
        assert!(snip.ends_with("[truncated]"));
    }
    let invalid = vec![0xffu8; 10_000];
    assert!(body_snippet(&invalid).len() <= SNIPPET_LIMIT + "…[truncated]".len());
    let exact = "x".repeat(SNIPPET_LIMIT);
    assert_eq!(body_snippet(exact.as_bytes()), exact);
}

#[test]
fn path_builder_encodes_and_records_errors() {
    let p = PathBuilder::new().literal("/a/").param("x", "b/c d").literal("/e");
    assert_eq!(p.as_str(), "/a/b%2Fc%20d/e");
    let parts = RequestParts::new(PathBuilder::new().param("x", "").param("y", ".."));
    let errs = parts.errors();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].param, "x");
    assert_eq!(errs[1].param, "y");
}

#[test]
fn form_and_multipart_fields_flatten_the_top_level() {
    let body = serde_json::json!({"name": "a b", "n": 2, "tags": ["x", "y"], "skip": null, "obj": {"k": 1}});
    let mut pairs = sdk_runtime::request::field_pairs(&body).unwrap();
    // Key order depends on serde_json's `preserve_order` feature, which the workspace may unify.
    pairs.sort();
    let expected: Vec<(String, String)> =
        [("n", "2"), ("name", "a b"), ("obj", "{\"k\":1}"), ("tags", "x"), ("tags", "y")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    assert_eq!(pairs, expected);
    assert!(sdk_runtime::request::field_pairs(&"text").is_err());
}
