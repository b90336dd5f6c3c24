//! Finding duplicate keys in JSON text that already parsed, in one pass over its bytes.
//!
//! serde_json keeps the last of two equal keys silently, and the fast read deserializes straight
//! into `openapiv3`, where no visitor of ours sees the keys; this scan sees them instead. It
//! keeps the keys of every open object (compared as written, decoded only when they hold an
//! escape): a short list for small objects, a hash set once an object has many keys, so the
//! cost is one pass over the bytes and about one comparison per key. It also enforces the depth
//! and key-length limits, which the fast read would not report with a location: past them it
//! gives up and the caller takes the full read, which reports them.

use std::borrow::Cow;
use std::collections::HashSet;

use super::limits::{MAX_DEPTH, MAX_KEY_BYTES};
use super::value::Duplicates;
use crate::pointer;

/// Objects with more keys than this keep them in a hash set.
const LIST_KEYS: usize = 16;

/// The bytes that matter: quotes (strings, whose contents are skipped whole), brackets and commas.
static STRUCTURAL: [bool; 256] = super::split::byte_table(b"\"{}[],");

/// Where the scan is inside one open object or array.
struct Frame<'a> {
    object: bool,
    /// In an object: whether the next string is a key.
    expect_key: bool,
    /// The member being read: its key, or its index in an array.
    child: Child,
    /// Where this object's keys start in the shared list.
    keys_start: usize,
    /// This object's keys, once it has more than [`LIST_KEYS`].
    set: Option<HashSet<Cow<'a, str>>>,
}

enum Child {
    /// The byte offset of the key's opening quote (decoded only to write a pointer).
    Key(usize),
    Index(usize),
}

/// The duplicate keys of `text`, which must be valid JSON; `None` when the text is nested
/// deeper than the limit, has a key longer than the limit, or does not scan.
pub fn scan(text: &str) -> Option<Duplicates> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut keys: Vec<Cow<'_, str>> = Vec::new();
    let mut duplicates = Duplicates::default();
    let mut lines = LineCounter::default();
    let mut at = 0;
    while let Some(offset) = bytes.get(at..)?.iter().position(|&b| STRUCTURAL[usize::from(b)]) {
        at += offset;
        match bytes[at] {
            b'"' => {
                let (end, escaped) = string_end(bytes, at)?;
                if let Some(top) = stack.last_mut().filter(|top| top.object && top.expect_key) {
                    if end - at - 2 > MAX_KEY_BYTES {
                        return None;
                    }
                    let key = decode(text, at, end, escaped)?;
                    top.expect_key = false;
                    top.child = Child::Key(at);
                    let repeated = match &mut top.set {
                        Some(set) => !set.insert(key.clone()),
                        None if keys.len() - top.keys_start >= LIST_KEYS => {
                            let mut set: HashSet<Cow<'_, str>> = keys.drain(top.keys_start..).collect();
                            let repeated = !set.insert(key.clone());
                            top.set = Some(set);
                            repeated
                        }
                        None => {
                            let repeated = keys[top.keys_start..].contains(&key);
                            keys.push(key.clone());
                            repeated
                        }
                    };
                    if repeated {
                        let (line, column) = lines.at(text, at);
                        duplicates.push(
                            pointer(text, &stack[..stack.len() - 1]),
                            &key,
                            &format!(" (line {line}, column {column})"),
                        );
                    }
                }
                at = end;
            }
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                let object = bytes[at] == b'{';
                stack.push(Frame {
                    object,
                    expect_key: object,
                    child: Child::Index(0),
                    keys_start: keys.len(),
                    set: None,
                });
                at += 1;
            }
            b'}' | b']' => {
                let frame = stack.pop()?;
                keys.truncate(frame.keys_start);
                at += 1;
            }
            _ => {
                // A comma: the next member of an object, or the next item of an array.
                if let Some(top) = stack.last_mut() {
                    if top.object {
                        top.expect_key = true;
                    } else if let Child::Index(index) = &mut top.child {
                        *index += 1;
                    }
                }
                at += 1;
            }
        }
    }
    stack.is_empty().then_some(duplicates)
}

/// The JSON pointer of the object whose enclosing frames are `frames`.
fn pointer(text: &str, frames: &[Frame<'_>]) -> String {
    let mut out = String::from("#");
    for frame in frames {
        out.push('/');
        match frame.child {
            Child::Key(at) => {
                let key = string_end(text.as_bytes(), at).and_then(|(end, escaped)| decode(text, at, end, escaped));
                out.push_str(&pointer::token(&key.unwrap_or_default()));
            }
            Child::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// The string from the quote at `at` to the one before `end`, unescaped.
fn decode(text: &str, at: usize, end: usize, escaped: bool) -> Option<Cow<'_, str>> {
    if escaped {
        serde_json::from_str::<String>(text.get(at..end)?).ok().map(Cow::Owned)
    } else {
        text.get(at + 1..end - 1).map(Cow::Borrowed)
    }
}

/// 1-based line and column of byte offsets, asked in increasing order (one pass in all).
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineCounter {
    fn at(&mut self, text: &str, offset: usize) -> (usize, usize) {
        let bytes = text.as_bytes();
        for newline in memchr::memchr_iter(b'\n', bytes.get(self.offset..offset).unwrap_or_default()) {
            self.line += 1;
            self.line_start = self.offset + newline + 1;
        }
        self.offset = offset.max(self.offset);
        let column = text.get(self.line_start..offset).map_or(0, |prefix| prefix.chars().count());
        (self.line + 1, column + 1)
    }
}

/// The index just past the string starting at `at` (which must be a `"`), and whether it
/// holds an escape.
fn string_end(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut index = at + 1;
    let mut escaped = false;
    loop {
        index += memchr::memchr2(b'"', b'\\', bytes.get(index..)?)?;
        if bytes[index] == b'"' {
            return Some((index + 1, escaped));
        }
        escaped = true;
        index += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String)> {
        scan(text).unwrap().into_problems().into_iter().map(|p| (p.pointer, p.message)).collect()
    }

    #[test]
    fn duplicates_are_found_with_pointer_and_line() {
        let text = "{\"a\": 1,\n \"b\": {\"x\": [1, {\"k\": 1, \"k\": 2}], \"x\": 3},\n \"a\": 2}";
        assert_eq!(
            found(text),
            [
                ("#/b/x/1".to_string(), "duplicate key `k` in this object (line 2, column 26)".to_string()),
                ("#/b".to_string(), "duplicate key `x` in this object (line 2, column 36)".to_string()),
                ("#".to_string(), "duplicate key `a` in this object (line 3, column 2)".to_string()),
            ]
        );
    }

    #[test]
    fn strings_and_escapes_are_compared_decoded() {
        // Values equal to keys are not keys; an escaped key equals its plain spelling.
        assert!(found(r#"{"a": "a", "b": ["a", "a"], "c": {"a": "}"}}"#).is_empty());
        assert_eq!(found(r#"{"a/b": 1, "a\/b": 2}"#).len(), 1);
        assert_eq!(found(r#"{"a\"": 1, "a\u0022": 2}"#)[0].0, "#");
    }

    #[test]
    fn large_objects_use_a_set() {
        let members: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {{\"k{i}\": {i}}}")).collect();
        let text = format!("{{{}, \"k7\": 0, \"k99\": 1}}", members.join(", "));
        let problems = found(&text);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].1.starts_with("duplicate key `k7`"), "{problems:?}");
        assert!(found(&format!("{{{}}}", members.join(", "))).is_empty());
    }

    #[test]
    fn limits_give_up() {
        assert!(scan(&format!("{}{}", "[".repeat(200), "]".repeat(200))).is_none());
        assert!(scan(&format!("{{\"{}\": 1}}", "k".repeat(MAX_KEY_BYTES + 1))).is_none());
        assert!(scan(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_some());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // The scan runs beside the parse, on text that may not be JSON at all.
        let sample = r#"{"a": {"b\"": [1, {"c": "}"}, "a"], "b\"": null}, "d": "\u0041", "A": true}"#;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut bytes = sample.as_bytes().to_vec();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if bytes.is_empty() {
                    break;
                }
                let at = (state % bytes.len() as u64) as usize;
                let byte = b"{}[]\",:\\ a"[(state >> 32) as usize % 10];
                if state & 1 == 0 {
                    bytes[at] = byte;
                } else {
                    bytes.truncate(at);
                }
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = scan(text);
            }
        }
    }
}
