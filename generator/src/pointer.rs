//! JSON pointers (`#/paths/~1pets/get`), the way every error and diagnostic locates a place
//! in the spec: escaping and decoding of tokens, in one place.

/// Escapes one token (`~` -> `~0`, `/` -> `~1`).
pub fn token(raw: &str) -> String {
    raw.replace('~', "~0").replace('/', "~1")
}

/// Decodes one token of a `$ref` fragment: percent-escapes first (a `$ref` is a URI
/// fragment, so `%7B` may appear), then `~1` -> `/` and `~0` -> `~`.
pub fn decode_token(token: &str) -> String {
    if !token.contains(['%', '~']) {
        return token.to_string();
    }
    percent_decode(token).replace("~1", "/").replace("~0", "~")
}

/// `#/components/schemas/<escaped name>`.
pub fn schema_component(name: &str) -> String {
    format!("#/components/schemas/{}", token(name))
}

/// Converts serde_path_to_error's `a.b[0].c` path into a JSON pointer `#/a/b/0/c`.
pub fn from_serde_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } => pointer.push_str(&token(key)),
            Segment::Enum { variant } => pointer.push_str(&token(variant)),
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

fn percent_decode(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let high = (bytes[index + 1] as char).to_digit(16);
            let low = (bytes[index + 2] as char).to_digit(16);
            if let (Some(high), Some(low)) = (high, low) {
                out.push((high * 16 + low) as u8);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for raw in ["plain", "/pets/{id}", "a~b", "~1", "%7B"] {
            assert_eq!(decode_token(&token(raw).replace('%', "%25")), raw);
        }
        assert_eq!(token("/a~b"), "~1a~0b");
        assert_eq!(decode_token("%7Bid%7D~1x"), "{id}/x");
        assert_eq!(schema_component("a/b"), "#/components/schemas/a~1b");
    }
}
