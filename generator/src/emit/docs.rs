//! Documentation attributes built from spec text.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for each line, with the leading space prettyplease needs for `/// text`.
pub fn doc_attrs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|line| {
        let text = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote!(#[doc = #text])
    });
    quote!(#(#attrs)*)
}

/// Spec prose as rustdoc lines: trimmed, tabs expanded, and made safe for rustdoc.
///
/// Spec descriptions are Markdown meant for a web page. Two things break rustdoc: indented
/// or fenced blocks (rustdoc compiles them as Rust doctests) and bare URLs (a lint). Fences
/// are tagged `text`, indented blocks are de-indented, and bare URLs are wrapped in `<>`.
pub fn prose(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_fence = false;
    for raw in text.trim().lines() {
        let line = if raw.contains('\t') { std::borrow::Cow::Owned(raw.replace('\t', "    ")) } else { raw.into() };
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with("```") {
            if in_fence {
                lines.push("```".to_string());
            } else {
                lines.push("```text".to_string());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            lines.push(trimmed.to_string());
        } else {
            lines.push(wrap_bare_urls(&escape_markup(trimmed.trim_start())));
        }
    }
    if in_fence {
        lines.push("```".to_string());
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

/// A line that continues a Markdown list item is indented under the item's text, as
/// rustdoc (and clippy's `doc_lazy_continuation`) expect; specs rarely indent them.
fn indent_list_continuations(lines: &mut [String]) {
    let mut item_indent: Option<usize> = None;
    let mut in_fence = false;
    for line in lines.iter_mut() {
        if line.starts_with("```") {
            in_fence = !in_fence;
            item_indent = None;
            continue;
        }
        if in_fence || line.is_empty() {
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
/// Markdown link (an intra-doc link to nothing). Inline code spans are left alone.
fn escape_markup(line: &str) -> String {
    if !line.contains(['<', '>', '[', ']']) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut in_code = false;
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
        } else if in_code {
            out.push(c);
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

/// Escapes text for use inside inline code (backticks).
pub fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
