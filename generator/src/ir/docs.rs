//! Documentation text from the spec, as the model keeps it: trimmed, and with HTML markup
//! turned into Markdown so that rustdoc renders what the authors meant.
//!
//! Descriptions are CommonMark by the OpenAPI specification, but many documents use HTML
//! for formatting (`<br/>` between lines, `<p>` paragraphs, `<a href>` links, `<ul>` lists).
//! Only formatting tags outside code spans and code blocks count as markup: a description
//! that *talks about* HTML (``adds a `<script>` tag``, "cid: URI (e.g., <img src=...>)")
//! keeps its text. Conversion works one paragraph at a time, so Markdown around an HTML
//! paragraph keeps its structure; a paragraph whose only markup is `<br>` gets line breaks
//! and keeps its Markdown (lists after a `<br/>` stay lists).
//!
//! The result is still untrusted text: emission escapes it like any other spec string.

use std::borrow::Cow;

use super::Deprecation;

/// Tags that format text. Anything else in angle brackets (`<n>`, `<script>`, `<img>`) is
/// taken as text about HTML or a placeholder, not as markup.
const FORMATTING_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

/// Placeholder delimiters for code spans while a paragraph goes through the HTML converter
/// (private-use characters; a text that already has them is not converted).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Extensions that carry a deprecation message.
const DEPRECATION_MESSAGES: &[&str] =
    &["x-stainless-deprecation-message", "x-deprecation-message", "x-deprecated-message"];

/// The deprecation of a schema, parameter or operation: `deprecated: true`, or a message in
/// one of the extensions that carry one (a message alone means deprecated too).
pub fn deprecation(
    deprecated: bool,
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
) -> Option<Deprecation> {
    let note = DEPRECATION_MESSAGES
        .iter()
        .find_map(|key| extensions.get(*key).and_then(serde_json::Value::as_str).and_then(from_spec));
    (deprecated || note.is_some()).then_some(Deprecation { note })
}

/// A description, summary or title as the model keeps it: `None` when blank.
pub fn from_spec(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let converted = html_to_markdown(text);
    let converted = converted.trim();
    (!converted.is_empty()).then(|| converted.to_string())
}

/// Converts the paragraphs that use HTML formatting; the rest is returned as written.
pub fn html_to_markdown(text: &str) -> Cow<'_, str> {
    if !text.contains('<') || text.contains(OPEN) || text.contains(CLOSE) {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut changed = false;
    for line in text.lines() {
        let content = line.trim_start();
        if let Some((fence_char, fence_len)) = fence {
            out.push(Cow::Borrowed(line));
            if fence_run(content).is_some_and(|(c, n)| c == fence_char && n >= fence_len) {
                fence = None;
            }
            continue;
        }
        if let Some(opening) = fence_run(content) {
            changed |= flush(&mut paragraph, &mut out);
            fence = Some(opening);
            out.push(Cow::Borrowed(line));
            continue;
        }
        if content.is_empty() {
            changed |= flush(&mut paragraph, &mut out);
            out.push(Cow::Borrowed(""));
        } else {
            paragraph.push(line);
        }
    }
    changed |= flush(&mut paragraph, &mut out);
    if changed {
        Cow::Owned(out.join("\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Converts one paragraph when it has markup; says whether it changed.
fn flush<'t>(paragraph: &mut Vec<&'t str>, out: &mut Vec<Cow<'t, str>>) -> bool {
    if paragraph.is_empty() {
        return false;
    }
    let text = paragraph.join("\n");
    paragraph.clear();
    match convert_paragraph(&text) {
        Some(converted) => {
            out.push(Cow::Owned(converted));
            true
        }
        None => {
            out.push(Cow::Owned(text));
            false
        }
    }
}

fn convert_paragraph(text: &str) -> Option<String> {
    let (masked, spans) = mask_code_spans(text);
    let tags = formatting_tags(&masked);
    if tags.is_empty() {
        return None;
    }
    let converted =
        if tags.iter().all(|tag| *tag == "br") { replace_line_breaks(&masked) } else { htmd::convert(&masked).ok()? };
    Some(unmask(&converted, &spans))
}

/// Replaces code spans by numbered placeholders, so that their text is never read as markup.
fn mask_code_spans(text: &str) -> (String, Vec<&str>) {
    let mut masked = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].bytes().take_while(|b| *b == b'`').count();
        let after = &rest[start + ticks..];
        let closing = "`".repeat(ticks);
        // The closing run has exactly as many backticks as the opening one.
        let end = after
            .match_indices(&closing)
            .find(|(at, _)| !after[at + ticks..].starts_with('`') && (*at == 0 || !after[..*at].ends_with('`')));
        masked.push_str(&rest[..start]);
        match end {
            Some((at, _)) => {
                let span = &rest[start..start + ticks + at + ticks];
                masked.push(OPEN);
                masked.push_str(&spans.len().to_string());
                masked.push(CLOSE);
                spans.push(span);
                rest = &rest[start + ticks + at + ticks..];
            }
            None => {
                masked.push_str(&rest[start..start + ticks]);
                rest = after;
            }
        }
    }
    masked.push_str(rest);
    (masked, spans)
}

fn unmask(text: &str, spans: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        match after.find(CLOSE).and_then(|end| Some((end, spans.get(after[..end].parse::<usize>().ok()?)?))) {
            Some((end, span)) => {
                out.push_str(span);
                rest = &after[end + CLOSE.len_utf8()..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out.retain(|c| c != OPEN && c != CLOSE);
    out
}

/// The formatting tags (lower-case names) that open or close in the text.
fn formatting_tags(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('<') {
        let mut index = at + 1;
        if bytes.get(index) == Some(&b'/') {
            index += 1;
        }
        let name_end = index + bytes[index..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        let name = text[index..name_end].to_ascii_lowercase();
        let terminated = matches!(bytes.get(name_end), Some(b'>' | b'/' | b' ' | b'\t' | b'\n'));
        if let Some(tag) = FORMATTING_TAGS.iter().find(|tag| **tag == name) {
            if terminated && !found.contains(tag) {
                found.push(*tag);
            }
        }
    }
    found
}

/// `<br>`, `<br/>` and `<br />` become line breaks; two in a row make a paragraph break.
fn replace_line_breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let tag_end = tail.find('>').filter(|end| {
            let inner = tail[1..*end].trim_end_matches('/').trim();
            inner.eq_ignore_ascii_case("br")
        });
        match tag_end {
            Some(end) => {
                // Spaces before the break are dropped, and so are those after it.
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                out.push('\n');
                rest = tail[end + 1..].trim_start_matches([' ', '\t']);
                if rest.starts_with('\n') {
                    rest = &rest[1..];
                    out.push('\n');
                }
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The backtick or tilde run that opens a code fence, if the line starts with one.
fn fence_run(line: &str) -> Option<(char, usize)> {
    let first = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = line.chars().take_while(|c| *c == first).count();
    (run >= 3).then_some((first, run))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_markdown_are_kept_as_written() {
        let text = "Lists *all* zones.\n\n- one\n- two\n\nUse `<n>` for the count; see <https://example.com>.";
        assert!(matches!(html_to_markdown(text), Cow::Borrowed(_)));
        assert_eq!(from_spec("  \n "), None);
        assert_eq!(from_spec("  a  ").as_deref(), Some("a"));
    }

    #[test]
    fn line_breaks_become_markdown_line_breaks_and_lists_survive() {
        let text = "Some example queries:<br/> <br/>- 'path:\"/a\"': scans of a path.<br/>- 'page.asn:AS1': by ASN.";
        assert_eq!(
            from_spec(text).unwrap(),
            "Some example queries:\n\n- 'path:\"/a\"': scans of a path.\n- 'page.asn:AS1': by ASN."
        );
        assert_eq!(from_spec("a <BR> b").unwrap(), "a\nb");
    }

    #[test]
    fn html_paragraphs_become_markdown() {
        let text = "<p>Sends a <b>message</b>. See <a href=\"https://example.com/docs\">the docs</a>.</p><ul><li>one</li><li>two</li></ul>";
        let markdown = from_spec(text).unwrap();
        assert!(markdown.contains("Sends a **message**."), "{markdown}");
        assert!(markdown.contains("[the docs](https://example.com/docs)"), "{markdown}");
        assert!(markdown.contains("one") && markdown.contains("two") && !markdown.contains("<li>"), "{markdown}");
    }

    #[test]
    fn html_in_code_spans_and_fences_and_talk_about_html_is_text() {
        for text in [
            "Set the content of the page, eg: `<h1>Hello World!!</h1>`.",
            "Adds a `<script>` tag into the page.",
            "Reference it via cid: URI (e.g., <img src=\"cid:logo\">).",
            "```html\n<p>kept</p>\n```",
            "Use <n> seconds.",
        ] {
            assert_eq!(html_to_markdown(text), text);
        }
        // Markup beside a code span: the span comes back unchanged.
        let markdown = from_spec("<p>Use `<b>x</b>` or <em>y</em>.</p>").unwrap();
        assert_eq!(markdown, "Use `<b>x</b>` or *y*.");
    }

    #[test]
    fn markdown_paragraphs_around_an_html_one_keep_their_structure() {
        let text = "# Title\n\n- a\n- b\n\n<p>Then <i>this</i>.</p>\n\n```\nx < y\n```";
        let markdown = from_spec(text).unwrap();
        assert_eq!(markdown, "# Title\n\n- a\n- b\n\nThen *this*.\n\n```\nx < y\n```");
    }

    #[test]
    fn placeholder_characters_in_the_input_disable_conversion() {
        let text = "<p>\u{E000}0\u{E001}</p>";
        assert_eq!(html_to_markdown(text), text);
    }
}
