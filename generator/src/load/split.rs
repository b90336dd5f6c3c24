//! Reading a large JSON document on two threads.
//!
//! Deserializing into `openapiv3` is the one stage of loading that cannot be made cheaper
//! (it is the parse floor), but its work divides cleanly: every path item and every component
//! is a value of its own. A byte scan (no allocation, no decoding) finds the members of the
//! top-level object, of `paths` and of each map under `components`; the entries are cut into
//! two runs of about equal size, in document order; each run is rebuilt as a small JSON
//! document of its own and deserialized on its own thread; the second result is then appended
//! to the first, map by map, so keys keep their document order.
//!
//! The scan only finds boundaries: each piece is still fully parsed by serde_json, and the
//! scan checks the separators between members, so malformed text either fails here (and the
//! caller falls back to the single-threaded read, which reports the error) or would have
//! failed a whole-document parse too.

use openapiv3::OpenAPI;

/// Documents smaller than this are read on one thread; a thread costs more than it saves.
pub const MIN_BYTES: usize = 1 << 20;

/// The component maps that are split entry by entry, by their JSON names.
const COMPONENT_MAPS: [&str; 9] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

/// One `"key": value` member of an object, as slices of the original text.
#[derive(Clone, Copy)]
struct Member<'a> {
    /// The key with its quotes, as written.
    key: &'a str,
    /// The value, as written.
    value: &'a str,
}

impl Member<'_> {
    fn is(&self, name: &str) -> bool {
        self.key.len() == name.len() + 2 && &self.key[1..self.key.len() - 1] == name
    }
}

/// An entry that may go to either thread: which map it belongs to, and the member.
struct Entry<'a> {
    /// `None` for `paths`, else the index in [`COMPONENT_MAPS`].
    map: Option<usize>,
    member: Member<'a>,
}

/// Reads `text` into `openapiv3` on two threads; `None` when the text does not scan or a
/// piece does not deserialize (the caller then reads it the ordinary way).
pub fn read(text: &str) -> Option<OpenAPI> {
    let top = object_members(text)?;
    let mut rest = Vec::new();
    let mut entries = Vec::new();
    let mut component_others = Vec::new();
    let (mut has_paths, mut has_components) = (false, false);
    for member in top {
        if member.is("paths") && !has_paths {
            has_paths = true;
            entries.extend(object_members(member.value)?.into_iter().map(|member| Entry { map: None, member }));
        } else if member.is("components") && !has_components {
            has_components = true;
            let mut seen = [false; COMPONENT_MAPS.len()];
            for inner in object_members(member.value)? {
                match COMPONENT_MAPS.iter().position(|name| inner.is(name)) {
                    // A repeated map is an error a whole read reports; leave it to that read.
                    Some(map) if std::mem::replace(&mut seen[map], true) => return None,
                    Some(map) => entries.extend(
                        object_members(inner.value)?.into_iter().map(|member| Entry { map: Some(map), member }),
                    ),
                    None => component_others.push(inner),
                }
            }
        } else {
            rest.push(member);
        }
    }
    // Cut where the first run holds about half the bytes of all entries.
    let total: usize = entries.iter().map(|entry| entry.member.value.len()).sum();
    let mut running = 0;
    let cut = entries
        .iter()
        .position(|entry| {
            running += entry.member.value.len();
            running > total / 2
        })
        .unwrap_or(entries.len());
    let (first, second) = entries.split_at(cut);
    let first_text = document(Some(&rest), &component_others, first, has_components);
    let second_text = document(None, &[], second, has_components);
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| serde_json::from_str::<OpenAPI>(&second_text).ok());
        let first = serde_json::from_str::<OpenAPI>(&first_text).ok();
        (first, second.join().ok().flatten())
    });
    let (mut document, second) = (first?, second?);
    document.paths.paths.extend(second.paths.paths);
    document.paths.extensions.extend(second.paths.extensions);
    if let (Some(into), Some(from)) = (document.components.as_mut(), second.components) {
        into.schemas.extend(from.schemas);
        into.responses.extend(from.responses);
        into.parameters.extend(from.parameters);
        into.examples.extend(from.examples);
        into.request_bodies.extend(from.request_bodies);
        into.headers.extend(from.headers);
        into.security_schemes.extend(from.security_schemes);
        into.links.extend(from.links);
        into.callbacks.extend(from.callbacks);
    }
    Some(document)
}

/// A JSON document of `rest` (verbatim top-level members), `paths` and `components` holding
/// `entries`, and the components' other members. The second run's document has no `rest`;
/// it gets the `openapi` and `info` members `openapiv3` requires instead, and only its paths
/// and components are used.
fn document(
    rest: Option<&[Member<'_>]>,
    component_others: &[Member<'_>],
    entries: &[Entry<'_>],
    components: bool,
) -> String {
    let filler = rest.is_none();
    let rest = rest.unwrap_or_default();
    let size: usize = entries.iter().map(|e| e.member.key.len() + e.member.value.len() + 2).sum::<usize>()
        + rest.iter().chain(component_others).map(|m| m.key.len() + m.value.len() + 2).sum::<usize>();
    let mut out = String::with_capacity(size + 256);
    out.push('{');
    if filler {
        out.push_str(r#""openapi":"3.0.0","info":{"title":"","version":""},"#);
    }
    for member in rest {
        push_member(&mut out, member);
        out.push(',');
    }
    out.push_str(r#""paths":"#);
    push_object(&mut out, entries.iter().filter(|entry| entry.map.is_none()).map(|entry| &entry.member));
    if components {
        out.push_str(r#","components":{"#);
        for member in component_others {
            push_member(&mut out, member);
            out.push(',');
        }
        for (index, name) in COMPONENT_MAPS.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            push_object(&mut out, entries.iter().filter(|entry| entry.map == Some(index)).map(|entry| &entry.member));
        }
        out.push('}');
    }
    out.push('}');
    out
}

fn push_member(out: &mut String, member: &Member<'_>) {
    out.push_str(member.key);
    out.push(':');
    out.push_str(member.value);
}

fn push_object<'a>(out: &mut String, members: impl Iterator<Item = &'a Member<'a>>) {
    out.push('{');
    for (index, member) in members.enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_member(out, member);
    }
    out.push('}');
}

/// The members of the JSON object `text` (which must be exactly one object, surrounding
/// whitespace aside); `None` if it is not one.
fn object_members(text: &str) -> Option<Vec<Member<'_>>> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(bytes, at + 1);
    let mut members = Vec::new();
    if bytes.get(at) == Some(&b'}') {
        return (skip_space(bytes, at + 1) == bytes.len()).then_some(members);
    }
    loop {
        let key_end = string_end(bytes, at)?;
        let key = &text[at..key_end];
        at = skip_space(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        let value_start = skip_space(bytes, at + 1);
        let value_end = value_end(bytes, value_start)?;
        members.push(Member { key, value: &text[value_start..value_end] });
        at = skip_space(bytes, value_end);
        match bytes.get(at) {
            Some(b',') => at = skip_space(bytes, at + 1),
            Some(b'}') => return (skip_space(bytes, at + 1) == bytes.len()).then_some(members),
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The index just past the string starting at `at` (which must be a `"`).
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut index = at + 1;
    loop {
        index += memchr::memchr2(b'"', b'\\', bytes.get(index..)?)?;
        if bytes[index] == b'"' {
            return Some(index + 1);
        }
        // A backslash and the character it escapes.
        index += 2;
    }
}

/// The bytes that matter when skipping an object or array: brackets, and quotes that open
/// strings (whose contents are skipped whole).
static STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The index just past the value starting at `at`.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut index = at;
            loop {
                index += bytes.get(index..)?.iter().position(|&b| STRUCTURAL[usize::from(b)])?;
                match bytes[index] {
                    b'"' => {
                        index = string_end(bytes, index)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(index + 1);
                        }
                    }
                }
                index += 1;
            }
        }
        _ => {
            let end = bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(bytes.len(), |offset| at + offset);
            (end > at).then_some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with paths, extensions and every kind of component, big enough that the
    /// cut falls inside both `paths` and `components`.
    fn sample() -> String {
        let paths: Vec<String> = (0..40)
            .map(|i| format!(r#""/items/{i}": {{"get": {{"operationId": "get{i}", "responses": {{"200": {{"description": "ok \"{i}\" }}"}}}}}}}}"#))
            .collect();
        let schemas: Vec<String> = (0..40)
            .map(|i| format!(r#""S{i}": {{"type": "object", "properties": {{"a": {{"type": "string"}}}}}}"#))
            .collect();
        format!(
            r#"{{ "openapi": "3.0.3", "info": {{"title": "T", "version": "1"}}, "x-top": [1, 2, {{"a": "]"}}],
              "paths": {{ {}, "x-paths-ext": true }},
              "components": {{ "schemas": {{ {} }}, "x-comp": null,
                "parameters": {{"P": {{"name": "p", "in": "query", "schema": {{"type": "integer"}}}}}},
                "responses": {{"R": {{"description": "r"}}}} }},
              "tags": [{{"name": "t"}}] }}"#,
            paths.join(", "),
            schemas.join(", ")
        )
    }

    #[test]
    fn a_split_read_equals_a_whole_read() {
        let text = sample();
        let whole: OpenAPI = serde_json::from_str(&text).unwrap();
        assert_eq!(read(&text), Some(whole.clone()));
        // 40 path items of about 100 bytes come before 40 schemas of about 70: the cut falls
        // inside `paths`, and the second run holds the rest of them and every schema.
        assert_eq!(whole.paths.paths.len(), 40);
        assert_eq!(whole.components.as_ref().unwrap().schemas.len(), 40);
        // Minified text splits the same way.
        let minified = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
        assert_eq!(read(&minified), Some(whole));
    }

    #[test]
    fn documents_without_components_or_paths_split_too() {
        let text = r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {}}"#;
        assert_eq!(read(text), serde_json::from_str(text).ok());
        let text = r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {}, "/b": {}}}"#;
        assert_eq!(read(text), serde_json::from_str(text).ok());
    }

    #[test]
    fn a_document_missing_required_members_is_not_completed_by_the_filler() {
        let text = r#"{"paths": {"/a": {}, "/b": {}}, "components": {"schemas": {"A": {}, "B": {}}}}"#;
        assert!(serde_json::from_str::<OpenAPI>(text).is_err());
        assert_eq!(read(text), None);
        let repeated = r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {},
            "components": {"schemas": {"A": {}}, "schemas": {"B": {}}}}"#;
        assert_eq!(read(repeated), None);
    }

    #[test]
    fn malformed_text_is_refused_not_misread() {
        for text in [
            r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {} "x": 1}"#,
            r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {}} trailing"#,
            r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {]}}"#,
            r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": "#,
            r#"["not", "an", "object"]"#,
            // Only JSON's own whitespace may surround the document (not a no-break space).
            "{\"openapi\": \"3.0.0\", \"info\": {\"title\": \"T\", \"version\": \"1\"}, \"paths\": {}}\u{a0}",
            "",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
