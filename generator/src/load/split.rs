//! Reading a large JSON document on several threads.
//!
//! Deserializing into `openapiv3` is the one stage of loading that cannot be made cheaper
//! (it is the parse floor), but its work divides cleanly: every path item and every component
//! is a value of its own. One byte scan (no allocation, no decoding) finds the members of the
//! top-level object, of `paths` and of each map under `components`. The entries are cut, in
//! document order, into chunks of about equal size; each chunk is rebuilt as a small JSON
//! document of its own and deserialized by whichever thread is free (bytes of schemas cost
//! more to deserialize than bytes of examples, so a fixed two-way cut leaves one thread
//! waiting); the results are then appended to the first, map by map, in chunk order, so keys
//! keep their document order.
//!
//! The scan only finds boundaries: each piece is still fully parsed by serde_json, and the
//! scan checks the separators between members, so malformed text either fails here (and the
//! caller falls back to the single-threaded read, which reports the error) or would have
//! failed a whole-document parse too.

use openapiv3::OpenAPI;

/// Documents smaller than this are read on one thread; a thread costs more than it saves.
pub const MIN_BYTES: usize = 1 << 20;

/// The size of a chunk: small enough that threads finish together, large enough that the
/// per-chunk document costs nothing.
const CHUNK_BYTES: usize = 256 << 10;

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

/// An entry that may go to either thread: which map it belongs to, and the member.
struct Entry<'a> {
    /// `None` for `paths`, else the index in [`COMPONENT_MAPS`].
    map: Option<usize>,
    member: Member<'a>,
}

/// Where a document's pieces are.
struct Layout<'a> {
    /// Top-level members other than `paths` and `components`, verbatim.
    rest: Vec<Member<'a>>,
    /// Members of `components` other than the split maps (extensions), verbatim.
    component_others: Vec<Member<'a>>,
    /// Path items and component entries, in document order.
    entries: Vec<Entry<'a>>,
    /// Whether the document has `components`.
    has_components: bool,
}

/// Reads `text` into `openapiv3` on several threads; `None` when the text does not scan or a
/// piece does not deserialize (the caller then reads it the ordinary way).
pub fn read(text: &str) -> Option<OpenAPI> {
    read_in_chunks(text, CHUNK_BYTES)
}

/// [`read`], with chunks of about `chunk_bytes`.
fn read_in_chunks(text: &str, chunk_bytes: usize) -> Option<OpenAPI> {
    let layout = scan(text)?;
    let chunks = chunks(&layout.entries, chunk_bytes);
    let parsed = crate::parallel::map(&chunks, |index, chunk| {
        // The first chunk carries everything outside the split maps.
        let first = index == 0;
        let rest = first.then_some(layout.rest.as_slice());
        let others = if first { layout.component_others.as_slice() } else { &[] };
        super::read_piece(&document(rest, others, chunk, layout.has_components))
    });
    let mut pieces = parsed.into_iter();
    let mut document = pieces.next()??;
    for piece in pieces {
        let piece = piece?;
        document.paths.paths.extend(piece.paths.paths);
        document.paths.extensions.extend(piece.paths.extensions);
        if let (Some(into), Some(from)) = (document.components.as_mut(), piece.components) {
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
    }
    Some(document)
}

/// Finds the pieces of `text`, in one pass over its bytes.
fn scan(text: &str) -> Option<Layout<'_>> {
    let mut layout =
        Layout { rest: Vec::new(), component_others: Vec::new(), entries: Vec::new(), has_components: false };
    let mut has_paths = false;
    let end = object(text, skip_space(text.as_bytes(), 0), |key, at| {
        if is(key, "paths") && !has_paths {
            has_paths = true;
            return object(text, at, |key, at| {
                let (member, end) = member(text, key, at)?;
                layout.entries.push(Entry { map: None, member });
                Some(end)
            });
        }
        if is(key, "components") && !layout.has_components {
            layout.has_components = true;
            let mut seen = [false; COMPONENT_MAPS.len()];
            return object(text, at, |key, at| match COMPONENT_MAPS.iter().position(|name| is(key, name)) {
                // A repeated map is an error a whole read reports; leave it to that read.
                Some(map) if std::mem::replace(&mut seen[map], true) => None,
                Some(map) => object(text, at, |key, at| {
                    let (member, end) = member(text, key, at)?;
                    layout.entries.push(Entry { map: Some(map), member });
                    Some(end)
                }),
                None => {
                    let (member, end) = member(text, key, at)?;
                    layout.component_others.push(member);
                    Some(end)
                }
            });
        }
        let (member, end) = member(text, key, at)?;
        layout.rest.push(member);
        Some(end)
    })?;
    (skip_space(text.as_bytes(), end) == text.len()).then_some(layout)
}

/// The entries cut into consecutive chunks of about `chunk_bytes` (at least one chunk).
fn chunks<'e, 'a>(entries: &'e [Entry<'a>], chunk_bytes: usize) -> Vec<&'e [Entry<'a>]> {
    let mut chunks = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (index, entry) in entries.iter().enumerate() {
        size += entry.member.key.len() + entry.member.value.len();
        if size >= chunk_bytes {
            chunks.push(&entries[start..=index]);
            (start, size) = (index + 1, 0);
        }
    }
    if start < entries.len() || chunks.is_empty() {
        chunks.push(&entries[start..]);
    }
    chunks
}

/// A JSON document of `rest` (verbatim top-level members), `paths` and `components` holding
/// `entries`, and the components' other members. Only the first chunk has `rest`; the others
/// get the `openapi` and `info` members `openapiv3` requires instead, and only their paths and
/// components are used.
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

/// Walks the JSON object starting at byte `at` of `text`: `member` gets each key (with its
/// quotes, as written) and the index where its value starts, and returns the index just past
/// the value. Returns the index just past the object; `None` if it is not one.
fn object<'a>(text: &'a str, at: usize, mut member: impl FnMut(&'a str, usize) -> Option<usize>) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let mut at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Some(at + 1);
    }
    loop {
        let key_end = string_end(bytes, at)?;
        let key = &text[at..key_end];
        at = skip_space(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        let value_end = member(key, skip_space(bytes, at + 1))?;
        at = skip_space(bytes, value_end);
        match bytes.get(at) {
            Some(b',') => at = skip_space(bytes, at + 1),
            Some(b'}') => return Some(at + 1),
            _ => return None,
        }
    }
}

/// The member with `key` whose value starts at byte `at`, and the index just past the value.
fn member<'a>(text: &'a str, key: &'a str, at: usize) -> Option<(Member<'a>, usize)> {
    let end = value_end(text.as_bytes(), at)?;
    Some((Member { key, value: &text[at..end] }, end))
}

/// Whether a key, as written with its quotes, is `name`.
fn is(key: &str, name: &str) -> bool {
    key.len() == name.len() + 2 && &key[1..key.len() - 1] == name
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
static STRUCTURAL: [bool; 256] = byte_table(b"\"{}[]");

/// A lookup table that is `true` for each of `bytes`: the bytes a JSON scan stops at.
pub(super) const fn byte_table(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut index = 0;
    while index < bytes.len() {
        table[bytes[index] as usize] = true;
        index += 1;
    }
    table
}

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

    /// A document with paths, extensions and every kind of component.
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

    /// Reads `text` with chunk sizes from one entry per chunk to one chunk for everything.
    fn assert_reads_as_whole(text: &str) {
        let whole = serde_json::from_str::<OpenAPI>(text).ok();
        for chunk_bytes in [1, 100, 1000, CHUNK_BYTES] {
            assert_eq!(read_in_chunks(text, chunk_bytes), whole, "chunks of {chunk_bytes} bytes: {text}");
        }
    }

    #[test]
    fn a_chunked_read_equals_a_whole_read() {
        let text = sample();
        let layout = scan(&text).unwrap();
        // 40 path items, the paths extension, 40 schemas, a parameter and a response.
        assert_eq!(layout.entries.len(), 83);
        assert!(chunks(&layout.entries, 1000).len() > 4);
        assert_reads_as_whole(&text);
        // Minified text splits the same way.
        let minified = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
        assert_reads_as_whole(&minified);
    }

    #[test]
    fn documents_without_components_or_paths_split_too() {
        assert_reads_as_whole(r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {}}"#);
        assert_reads_as_whole(
            r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {}, "/b": {}}}"#,
        );
    }

    #[test]
    fn a_document_missing_required_members_is_not_completed_by_the_filler() {
        let text = r#"{"paths": {"/a": {}, "/b": {}}, "components": {"schemas": {"A": {}, "B": {}}}}"#;
        assert!(serde_json::from_str::<OpenAPI>(text).is_err());
        assert_eq!(read_in_chunks(text, 1), None);
        let repeated = r#"{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {},
            "components": {"schemas": {"A": {}}, "schemas": {"B": {}}}}"#;
        assert_eq!(read_in_chunks(repeated, 1), None);
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
            assert_eq!(read_in_chunks(text, 1), None, "{text}");
        }
    }
}
