//! Escaping: the one way spec and configuration text reaches the generated crate.
//!
//! Every string the generator did not write itself (spec prose, names, values, paths, the
//! configuration's values) passes through exactly one function here, chosen by where it
//! lands in the output:
//!
//! | Output context                         | Function         |
//! |----------------------------------------|------------------|
//! | Rust string literal                    | [`rust_string`]  |
//! | Doc comment built from Markdown prose  | [`prose`]        |
//! | Inline text in a doc line or README    | [`inline_text`]  |
//! | Inline code span in a doc line/README  | [`code`]         |
//! | `#[doc]` attributes / `///` lines      | [`doc_attrs`], [`doc_lines`] |
//! | Line comment (`//`, `#`) text          | [`line_comment`] |
//! | HTML comment text (README header)      | [`html_comment`] |
//!
//! `Cargo.toml` is built by a TOML serializer (see `cargo.rs`), never by concatenation.
//!
//! Spec prose is Markdown meant for a web page, and rustdoc compiles every code block it
//! finds in a doc comment as a Rust doctest. So [`prose`] renders every CommonMark code-block
//! form inert: fences become ```` ```text ```` blocks, fences inside list items or block
//! quotes are backslash-escaped, and leading whitespace is normalised so that no indented
//! code block can arise. Characters rustc refuses in comments and literals (bare carriage
//! returns, bidirectional-text controls) and other control characters are removed.

use std::borrow::Cow;

use proc_macro2::TokenStream;
use quote::quote;

/// Whether the character is a Unicode bidirectional formatting character: the embedding,
/// override and isolate controls rustc's `text_direction_codepoint_in_comment` and
/// `_in_literal` lints refuse (U+202A to U+202E, U+2066 to U+2069), and the marks that can
/// reorder what a reader sees just as well (U+061C, U+200E, U+200F). Generated text and
/// error messages never carry one raw.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{200e}' | '\u{200f}')
}

/// Characters Markdown or a reader may take as a line break: CommonMark's LF and CR, and
/// Unicode's next-line, line and paragraph separators.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether a character never belongs in one line of generated text: line breaks, other
/// control characters (tab included) and bidirectional controls.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_line_break(c) || is_bidi_control(c)
}

/// A Rust string literal (with its quotes) whose value is `text`.
///
/// `"`, `\` and every control and bidirectional-control character are escaped (`\n`, `\r`,
/// `\t`, `\0`, `\u{..}`): the literal is one physical line and passes rustc's lints. This is
/// the escaping of `str`'s `Debug`, which `proc_macro2::Literal::string` (what `quote!` uses
/// for a `&str`) shares; the tests pin both.
pub fn rust_string(text: &str) -> String {
    format!("{text:?}")
}

/// One line of text for a `//` or `#` comment: line breaks and other control characters
/// become spaces and bidirectional controls are removed.
pub fn line_comment(text: &str) -> String {
    text.chars().filter(|&c| !is_bidi_control(c)).map(|c| if is_unsafe(c) { ' ' } else { c }).collect()
}

/// Text for the inside of an HTML comment (`<!-- ... -->`): one line, as [`line_comment`],
/// and no `--`, which could end the comment.
pub fn html_comment(text: &str) -> String {
    let mut out = line_comment(text);
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    out
}

/// Doc lines as they may be written after `///`: each line split at any line break, with
/// control and bidirectional-control characters removed (tabs become four spaces).
///
/// Emitters build their lines from escaped text already; this is the last guard before a
/// line becomes a comment, so that nothing can end one early or make rustc refuse it.
pub fn doc_lines(lines: &[String]) -> Vec<Cow<'_, str>> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if !line.chars().any(is_unsafe) {
            out.push(Cow::Borrowed(line.as_str()));
            continue;
        }
        for piece in line.split(is_line_break) {
            out.push(Cow::Owned(clean_line(piece)));
        }
    }
    out
}

/// One physical line without control or bidirectional-control characters; tabs become
/// four spaces.
fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c == '\t' {
            out.push_str("    ");
        } else if !is_unsafe(c) {
            out.push(c);
        }
    }
    out
}

/// `#[doc]` attributes for each line (see [`doc_lines`]), with the leading space
/// prettyplease needs for `/// text`.
pub fn doc_attrs(lines: &[String]) -> TokenStream {
    let attrs = doc_lines(lines).into_iter().map(|line| {
        let line = line.trim_end();
        let text = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote!(#[doc = #text])
    });
    quote!(#(#attrs)*)
}

/// Text as one line of Markdown prose, with no markup: for a spec or configuration value
/// placed inside a sentence (a title, a heading, a label).
///
/// Line breaks and runs of whitespace become one space; control and bidirectional-control
/// characters are removed; Markdown's inline punctuation is backslash-escaped (`<` and `>`
/// become entities), a leading character that could start a block is escaped, and URLs are
/// written as autolinks (rustdoc warns about bare ones).
pub fn inline_text(text: &str) -> String {
    let mut flat = String::with_capacity(text.len());
    for c in text.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_whitespace() || is_unsafe(c) {
            if !flat.ends_with(' ') {
                flat.push(' ');
            }
        } else {
            flat.push(c);
        }
    }
    let flat = flat.trim();
    let mut out = String::with_capacity(flat.len() + 8);
    let mut rest = flat;
    while !rest.is_empty() {
        if let Some(url_len) = url_at(rest) {
            out.push('<');
            out.push_str(&rest[..url_len]);
            out.push('>');
            rest = &rest[url_len..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        let at_start = out.is_empty();
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            // A line starting `#`, `-`, `+`, `=` or `!` could be a heading, list item, ...
            c if at_start && c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            // `1.` or `1)` at the start of a line starts an ordered list.
            '.' | ')' if out.bytes().all(|b| b.is_ascii_digit()) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of an `http://` or `https://` URL starting `text`, when one does: up to the
/// first character an autolink cannot hold. Trailing sentence punctuation stays outside.
fn url_at(text: &str) -> Option<usize> {
    let scheme = if text.starts_with("https://") {
        8
    } else if text.starts_with("http://") {
        7
    } else {
        return None;
    };
    let mut end =
        text.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '`' | '"' | '\\')).unwrap_or(text.len());
    while end > scheme && text[..end].ends_with(['.', ',', ';', ':', ')', ']']) {
        end -= 1;
    }
    (end > scheme).then_some(end)
}

/// Text as an inline code span, by CommonMark's rule: delimited by a run of backticks longer
/// than any inside, with a space on each side when the text holds a backtick. Line breaks
/// become spaces; control and bidirectional-control characters are removed.
pub fn code(text: &str) -> String {
    let text: String = if text.chars().any(is_unsafe) {
        text.chars().filter(|&c| !is_bidi_control(c)).map(|c| if is_unsafe(c) { ' ' } else { c }).collect()
    } else {
        text.to_string()
    };
    let longest = longest_backtick_run(&text);
    if longest == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Spec prose (Markdown) as doc lines that rustdoc renders safely and never compiles.
///
/// - Line breaks: LF, CR, CRLF and the Unicode separators all end a line; control and
///   bidirectional-control characters are removed; tabs become four spaces.
/// - Fenced code blocks (```` ``` ```` or `~~~`, any length, any indentation) become
///   ```` ```text ```` blocks, fenced by more backticks than any line inside starts with, so
///   that nothing inside can close them. An unclosed fence is closed at the end.
/// - Outside fences, leading whitespace is removed and the whitespace after list and block
///   quote markers is shortened to one space, so no indented code block can arise (list
///   continuation lines are then indented under their item, which cannot make one either).
///   A fence after such markers (`- ```rust`, `> ~~~`) is defused with a backslash.
/// - HTML-like `<tag>` text and `[x]` that is not a link are escaped; bare URLs are wrapped
///   in `<>` (both would be rustdoc warnings).
pub fn prose(text: &str) -> Vec<String> {
    let text = if text.contains("\r\n") { text.replace("\r\n", "\n").into() } else { Cow::from(text) };
    let normalized: String = text.chars().map(|c| if is_line_break(c) { '\n' } else { c }).collect();
    let mut raw_lines: Vec<String> = normalized.trim_end().split('\n').map(clean_line).collect();
    let leading_blank = raw_lines.iter().take_while(|line| line.trim().is_empty()).count();
    raw_lines.drain(..leading_blank);
    let mut lines = Vec::new();
    let mut index = 0;
    // A fence defused inside a list item or block quote: its closing fence is defused too.
    let mut defused: Option<(char, usize)> = None;
    while index < raw_lines.len() {
        let line = raw_lines[index].trim_end();
        index += 1;
        let content = line.trim_start();
        if let Some((fence_char, fence_len)) = defused {
            if is_fence_closing(content, fence_char, fence_len) {
                lines.push(format!("\\{content}"));
                defused = None;
                continue;
            }
        }
        if let Some((fence_char, fence_len)) = fence_opening(content) {
            // The block runs to its closing fence, or to the end of the text.
            let indent = line.len() - content.len();
            let mut body = Vec::new();
            while index < raw_lines.len() {
                let inner = raw_lines[index].trim_end();
                index += 1;
                if is_fence_closing(inner.trim_start(), fence_char, fence_len) {
                    break;
                }
                let strip = inner.len() - inner.trim_start().len();
                body.push(inner[strip.min(indent)..].to_string());
            }
            let longest = body.iter().map(|l| leading_backticks(l.trim_start())).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            lines.push(format!("{fence}text"));
            lines.extend(body);
            lines.push(fence);
            continue;
        }
        let (line, fence) = normalize_containers(content);
        if let Some((fence_char, fence_len, bare)) = fence {
            defused = match defused {
                // `> ```` closing a fence opened by `> ````.
                Some((open_char, open_len)) if bare && fence_char == open_char && fence_len >= open_len => None,
                _ => Some((fence_char, fence_len)),
            };
        }
        lines.push(wrap_bare_urls(&escape_markup(&line)));
    }
    // Collapse runs of blank lines.
    let mut collapsed: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        if line.is_empty() && collapsed.last().is_none_or(|l: &String| l.is_empty()) {
            continue;
        }
        collapsed.push(line);
    }
    while collapsed.last().is_some_and(|l| l.is_empty()) {
        collapsed.pop();
    }
    indent_list_continuations(&mut collapsed);
    collapsed
}

/// A fence opening a code block: three or more backticks or tildes. Returns the character
/// and the run's length. (Over-approximates CommonMark, which is the safe direction: the
/// block is re-fenced as text either way.)
fn fence_opening(line: &str) -> Option<(char, usize)> {
    let first = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let run = line.chars().take_while(|&c| c == first).count();
    (run >= 3).then_some((first, run))
}

/// Whether a line (leading whitespace removed) closes a fence of `len` `fence_char`s.
fn is_fence_closing(line: &str, fence_char: char, len: usize) -> bool {
    let run = line.chars().take_while(|&c| c == fence_char).count();
    run >= len && line[run * fence_char.len_utf8()..].trim().is_empty()
}

fn leading_backticks(line: &str) -> usize {
    line.chars().take_while(|&c| c == '`').count()
}

/// The width of a list marker starting `line` without its following whitespace (`-`, `*`,
/// `+`, `1.`, `12)`), when whitespace or the end of the line follows it.
fn marker_len(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let width = if matches!(bytes.first(), Some(b'-' | b'*' | b'+' | b'>')) {
        1
    } else {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) || !matches!(bytes.get(digits), Some(b'.' | b')')) {
            return None;
        }
        digits + 1
    };
    match bytes.get(width) {
        None | Some(b' ') => Some(width),
        // A block quote marker needs no space after it.
        Some(_) if bytes[0] == b'>' => Some(width),
        Some(_) => None,
    }
}

/// Shortens the whitespace after leading list and block quote markers to one space (four
/// or more would start an indented code block inside the item) and backslash-escapes a fence
/// that follows them; returns the fence defused, if any (character, length, and whether
/// nothing follows it).
fn normalize_containers(line: &str) -> (Cow<'_, str>, Option<(char, usize, bool)>) {
    let mut rest = line;
    let mut prefix_len = 0;
    let mut changed = false;
    let mut out = String::new();
    while let Some(width) = marker_len(rest) {
        let after = &rest[width..];
        let content = after.trim_start();
        let spaces = after.len() - content.len();
        out.push_str(&rest[..width]);
        if spaces > 0 {
            out.push(' ');
        }
        changed |= spaces > 1;
        prefix_len += width;
        rest = content;
    }
    let fence = fence_opening(rest).filter(|_| prefix_len > 0).map(|(c, len)| (c, len, is_fence_closing(rest, c, len)));
    if fence.is_some() {
        out.push('\\');
        changed = true;
    }
    if !changed {
        return (line.into(), fence);
    }
    out.push_str(rest);
    (out.into(), fence)
}

/// A line that continues a Markdown list item is indented under the item's text, as
/// rustdoc (and clippy's `doc_lazy_continuation`) expect; specs rarely indent them.
fn indent_list_continuations(lines: &mut [String]) {
    let mut item_indent: Option<usize> = None;
    // The closing fence of the text block we are in.
    let mut fence: Option<String> = None;
    for line in lines.iter_mut() {
        match &fence {
            Some(closing) if line == closing => {
                fence = None;
                continue;
            }
            Some(_) => continue,
            None if line.starts_with("```") => {
                fence = Some(line.trim_end_matches("text").to_string());
                item_indent = None;
                continue;
            }
            None => {}
        }
        if line.is_empty() {
            item_indent = None;
            continue;
        }
        if let Some(width) = list_marker_width(line) {
            item_indent = Some(width);
        } else if let Some(width) = item_indent {
            if !line.starts_with(' ') {
                *line = format!("{}{line}", " ".repeat(width));
            }
        }
    }
}

/// The width of a list marker starting the line (`- `, `* `, `+ `, `1. `, `12) `).
fn list_marker_width(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    if bytes.len() >= 2 && matches!(bytes[0], b'-' | b'*' | b'+') && bytes[1] == b' ' {
        return Some(2);
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && bytes.len() > digits + 1
        && matches!(bytes[digits], b'.' | b')')
        && bytes[digits + 1] == b' '
    {
        return Some(digits + 2);
    }
    None
}

/// Escapes what rustdoc would misread: `<tag>`-like text (HTML) and `[x]` that is not a
/// Markdown link (an intra-doc link to nothing). Inline code spans (a backtick run closed by
/// a run of the same length, as CommonMark pairs them) are left alone.
fn escape_markup(line: &str) -> String {
    if !line.contains(['<', '>', '[', ']']) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c == '`' {
            let run = chars[index..].iter().take_while(|&&ch| ch == '`').count();
            let close = closing_run(&chars, index + run, run);
            let end = close.map_or(index + run, |close| close + run);
            out.extend(&chars[index..end]);
            index = end;
            continue;
        } else if c == '<' {
            let rest: String = chars[index + 1..].iter().take(8).collect();
            if rest.starts_with("http://") || rest.starts_with("https://") {
                out.push(c);
            } else {
                out.push_str("&lt;");
            }
        } else if c == '>' {
            // Closing an autolink we kept, or a plain greater-than sign.
            let opened = out.rfind("<http").is_some_and(|open| !out[open..].contains('>'));
            out.push_str(if opened { ">" } else { "&gt;" });
        } else if c == '[' {
            // A Markdown link `[text](url)` keeps its brackets.
            let close = chars[index..].iter().position(|&ch| ch == ']').map(|p| p + index);
            let is_link = close.is_some_and(|close| chars.get(close + 1) == Some(&'('));
            out.push_str(if is_link { "[" } else { "\\[" });
        } else if c == ']' {
            let is_link = chars.get(index + 1) == Some(&'(');
            out.push_str(if is_link { "]" } else { "\\]" });
        } else {
            out.push(c);
        }
        index += 1;
    }
    out
}

/// The start of the first run of exactly `len` backticks at or after `from`.
fn closing_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut index = from;
    while index < chars.len() {
        if chars[index] == '`' {
            let run = chars[index..].iter().take_while(|&&ch| ch == '`').count();
            if run == len {
                return Some(index);
            }
            index += run;
        } else {
            index += 1;
        }
    }
    None
}

/// Wraps `http://` and `https://` URLs that are not already in a link or `<>`.
fn wrap_bare_urls(line: &str) -> String {
    if !line.contains("http") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 4);
    let mut rest = line;
    while let Some(start) = rest.find("http://").or_else(|| rest.find("https://")).map(|s| {
        let other = rest.find("https://").unwrap_or(usize::MAX).min(rest.find("http://").unwrap_or(usize::MAX));
        other.min(s)
    }) {
        let before = &rest[..start];
        let after = &rest[start..];
        let end = after
            .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == ']' || c == '"' || c == '`')
            .unwrap_or(after.len());
        let mut url = &after[..end];
        // Trailing punctuation belongs to the sentence.
        while url.ends_with(['.', ',', ';', ':']) {
            url = &url[..url.len() - 1];
        }
        let previous = before.chars().last();
        out.push_str(before);
        if matches!(previous, Some('(') | Some('<') | Some('[') | Some('`') | Some('"')) {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &after[url.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(list: &[&str]) -> Vec<String> {
        list.iter().map(|line| line.to_string()).collect()
    }

    #[test]
    fn prose_is_rustdoc_safe() {
        assert_eq!(prose("See https://x.y/z. Done"), vec!["See <https://x.y/z>. Done"]);
        assert_eq!(prose("[link](https://x.y)"), vec!["[link](https://x.y)"]);
        assert_eq!(prose("a\n\n\n```\ncode\n```"), vec!["a", "", "```text", "code", "```"]);
        assert_eq!(prose("use <id> and [x] or `<a>`"), vec!["use &lt;id&gt; and \\[x\\] or `<a>`"]);
    }

    #[test]
    fn list_item_continuations_are_indented() {
        assert_eq!(
            prose("Modes:\n- `a`: first\nstill first\n10. ten\nmore\n\nafter"),
            vec!["Modes:", "- `a`: first", "  still first", "10. ten", "    more", "", "after"]
        );
        // Not a list: a number without a following space, and an emphasis star.
        assert_eq!(prose("1.5 units\n*bold*\nnext"), vec!["1.5 units", "*bold*", "next"]);
    }

    #[test]
    fn every_fence_form_becomes_a_text_block() {
        let expected = lines(&["a", "```text", "panic!(\"PWNED\");", "```", "b"]);
        for fence in ["```", "```rust", "````", "~~~", "~~~rust", "~~~~~", "   ```", "  ~~~ rust"] {
            let close = fence.trim_start().split(' ').next().unwrap().trim_end_matches("rust");
            let text = format!("a\n{fence}\npanic!(\"PWNED\");\n{close}\nb");
            assert_eq!(prose(&text), expected, "{fence:?}");
        }
        // Unclosed: closed at the end.
        assert_eq!(prose("~~~\nx"), lines(&["```text", "x", "```"]));
        // A tilde fence is not closed by backticks, and the text fence outgrows any run inside.
        assert_eq!(prose("~~~\n```\nx\n````rust\n~~~\ny"), lines(&["`````text", "```", "x", "````rust", "`````", "y"]));
        // Indentation inside a fence is kept, relative to the opening fence.
        assert_eq!(prose("  ```\n    a\n  b\n```"), lines(&["```text", "  a", "b", "```"]));
    }

    #[test]
    fn fences_inside_containers_are_defused() {
        assert_eq!(prose("- ```rust\n  panic!()\n  ```"), lines(&["- \\```rust", "  panic!()", "  \\```"]));
        assert_eq!(
            prose("1. ~~~~\n   x\n   ~~~~~\n~~~"),
            lines(&["1. \\~~~~", "   x", "   \\~~~~~", "```text", "```"])
        );
        assert_eq!(prose("1. ~~~"), lines(&["1. \\~~~"]));
        assert_eq!(prose("12) ```"), lines(&["12) \\```"]));
        assert_eq!(prose("* - ~~~~ x"), lines(&["* - \\~~~~ x"]));
        // Block quotes are escaped as text altogether.
        assert_eq!(prose("> ```"), lines(&["&gt; \\```"]));
        assert_eq!(
            prose("> ```\n> x\n> ```\n\n```\ny\n```"),
            lines(&["&gt; \\```", "&gt; x", "&gt; \\```", "", "```text", "y", "```"])
        );
        assert_eq!(prose("````\n```\n````\n- a\nb"), lines(&["````text", "```", "````", "- a", "  b"]));
        assert_eq!(prose(">```"), lines(&["&gt;\\```"]));
        assert_eq!(prose("- > ```"), lines(&["- &gt; \\```"]));
    }

    #[test]
    fn no_indented_code_block_can_arise() {
        assert_eq!(prose("a\n\n    panic!()"), lines(&["a", "", "panic!()"]));
        assert_eq!(prose("a\n\n\tpanic!()"), lines(&["a", "", "panic!()"]));
        assert_eq!(prose("-     panic!()"), lines(&["- panic!()"]));
        assert_eq!(prose("1.      panic!()"), lines(&["1. panic!()"]));
        assert_eq!(prose(">     panic!()"), lines(&["&gt; panic!()"]));
        assert_eq!(prose("- >     panic!()"), lines(&["- &gt; panic!()"]));
        assert_eq!(prose("-\t\tpanic!()"), lines(&["- panic!()"]));
    }

    #[test]
    fn line_breaks_and_controls_never_survive_in_prose() {
        assert_eq!(prose("a\rb\r\nc\u{2028}d"), lines(&["a", "b", "c", "d"]));
        assert_eq!(prose("a\u{202e}b\u{2066}c\u{7}d\u{0}e"), lines(&["abcde"]));
        assert_eq!(prose("```\nx\u{202e}\r```\n"), lines(&["```text", "x", "```"]));
    }

    #[test]
    fn comment_and_quote_characters_pass_through_prose_as_text() {
        assert_eq!(prose("*/ \" \\ `a`b"), lines(&["*/ \" \\ `a`b"]));
        // A lone backtick opens no code span, so the markup after it is still escaped.
        assert_eq!(prose("a ` <b> `` [c] ``"), lines(&["a ` &lt;b&gt; `` [c] ``"]));
    }

    #[test]
    fn code_spans_follow_commonmark() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code(""), "``");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("```"), "```` ``` ````");
        assert_eq!(code("a``b`c"), "``` a``b`c ```");
        assert_eq!(code("a\nb\r\nc"), "`a b  c`");
        assert_eq!(code("x\u{202e}y\u{2069}"), "`xy`");
        assert_eq!(code("*/ \" \\"), "`*/ \" \\`");
    }

    #[test]
    fn inline_text_is_one_line_without_markup() {
        assert_eq!(inline_text("Cloudflare API"), "Cloudflare API");
        assert_eq!(inline_text("API email + Global API key (legacy)"), "API email + Global API key (legacy)");
        assert_eq!(inline_text("a\n```rust\npanic!()\n```"), "a \\`\\`\\`rust panic!() \\`\\`\\`");
        assert_eq!(inline_text("```rust"), "\\`\\`\\`rust");
        assert_eq!(inline_text("# Title"), "\\# Title");
        assert_eq!(inline_text("- item"), "\\- item");
        assert_eq!(inline_text("1. item"), "1\\. item");
        assert_eq!(inline_text("    indented\r\nx"), "indented x");
        assert_eq!(inline_text("<b>*x*_y_[z]</b> \\ ~"), "&lt;b&gt;\\*x\\*\\_y\\_\\[z\\]&lt;/b&gt; \\\\ \\~");
        assert_eq!(inline_text("see https://x.y/a_b."), "see <https://x.y/a_b>.");
        assert_eq!(inline_text("a\u{202e}b\u{7}c"), "ab c");
        assert_eq!(inline_text("*/ \""), "\\*/ \"");
    }

    #[test]
    fn comments_are_one_line() {
        assert_eq!(line_comment("a\nb\r\u{202e}c\u{2029}d"), "a b c d");
        assert_eq!(line_comment("*/ `x`"), "*/ `x`");
        assert_eq!(html_comment("x --> y ---> z"), "x - -> y - - -> z");
    }

    #[test]
    fn doc_lines_are_single_physical_lines() {
        assert_eq!(doc_lines(&lines(&["a\nb", "c\rd", "e\u{202e}f\tg"])), lines(&["a", "b", "c", "d", "ef    g"]));
        let attrs = doc_attrs(&lines(&["x\n#[test] fn pwned() {}"])).to_string();
        assert_eq!(attrs, "# [doc = \" x\"] # [doc = \" #[test] fn pwned() {}\"]");
    }

    #[test]
    fn string_literals_escape_everything_that_matters() {
        let cases = [
            ("plain", "\"plain\""),
            ("a\"b\\c", "\"a\\\"b\\\\c\""),
            ("a\nb\rc\td\0", "\"a\\nb\\rc\\td\\0\""),
            ("\u{202e}\u{2066}\u{7f}\u{1b}", "\"\\u{202e}\\u{2066}\\u{7f}\\u{1b}\""),
            ("\u{2028}\u{85}", "\"\\u{2028}\\u{85}\""),
            ("*/ ' é", "\"*/ ' é\""),
        ];
        for (text, expected) in cases {
            assert_eq!(rust_string(text), expected, "{text:?}");
            // `quote!` writes `&str`s through proc_macro2, which must agree on what matters.
            let quoted = quote!(#text).to_string();
            assert!(!quoted.contains(['\n', '\r', '\u{202e}', '\u{2066}', '\u{2028}']), "{quoted}");
            let parsed: syn::LitStr = syn::parse_str(&quoted).unwrap();
            assert_eq!(parsed.value(), text);
            let parsed: syn::LitStr = syn::parse_str(expected).unwrap();
            assert_eq!(parsed.value(), text);
        }
    }
}
