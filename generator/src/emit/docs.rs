//! Documentation pieces shared by fields, parameters and arguments: what the spec says about
//! a value besides its type (format, constraints, default, example), and deprecations.

use super::escape::{code, inline_text, prose, rust_string};
use crate::ir::{Deprecation, Rules};

/// What the spec says about one value, for its docs.
#[derive(Clone, Copy)]
pub struct ValueFacts<'a> {
    /// `format`.
    pub format: Option<&'a str>,
    /// Constraints (`allowed` is listed only for plain strings: an enum type lists its own).
    pub rules: &'a Rules,
    /// Whether the value is a plain string, whose allowed values only the docs can list.
    pub list_allowed: bool,
    /// `default`.
    pub default: Option<&'a serde_json::Value>,
    /// `example`.
    pub example: Option<&'a serde_json::Value>,
}

/// Formats the Rust type already says; naming them again would be noise.
const TYPE_FORMATS: &[&str] = &["int32", "int64", "uint32", "uint64", "float", "double"];

/// Sentences about a value, one per line (rendered as one paragraph): format, length,
/// pattern, range, allowed values, default and example.
pub fn value_details(facts: ValueFacts<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(format) = facts.format.filter(|f| !TYPE_FORMATS.contains(f)) {
        lines.push(format!("Format: {}.", code(format)));
    }
    let rules = facts.rules;
    match (rules.min_length, rules.max_length) {
        (Some(min), Some(max)) if min == max => lines.push(format!("Exactly {max} characters.")),
        (Some(min), Some(max)) if min > 0 => lines.push(format!("From {min} to {max} characters.")),
        (_, Some(max)) => lines.push(format!("At most {max} characters.")),
        (Some(min), None) if min > 0 => lines.push(format!("At least {min} characters.")),
        _ => {}
    }
    if let Some(pattern) = &rules.pattern {
        lines.push(format!("Matches {}.", code(pattern)));
    }
    match (rules.minimum, rules.maximum) {
        (Some(min), Some(max)) => lines.push(format!("From {} to {}.", number(min), number(max))),
        (Some(min), None) => lines.push(format!("At least {}.", number(min))),
        (None, Some(max)) => lines.push(format!("At most {}.", number(max))),
        (None, None) => {}
    }
    if facts.list_allowed && !rules.allowed.is_empty() {
        let values: Vec<String> = rules.allowed.iter().map(|value| code(value)).collect();
        lines.push(format!("One of {}.", values.join(", ")));
    }
    if let Some(default) = facts.default.and_then(short_json) {
        lines.push(format!("Default: {}.", code(&default)));
    }
    if let Some(example) = facts.example.and_then(short_json) {
        lines.push(format!("Example: {}.", code(&example)));
    }
    lines
}

/// A description (as prose lines) followed by the value's details as a paragraph of its own.
pub fn with_details(mut lines: Vec<String>, details: Vec<String>) -> Vec<String> {
    if !details.is_empty() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(details);
    }
    lines
}

/// `#[deprecated]`, with the spec's message as its note. rustdoc renders the note as
/// Markdown, so it is escaped as prose (joined into one line; plain text when it holds a
/// code block) and then written as a Rust string literal.
pub fn deprecated_attr(deprecation: &Deprecation) -> String {
    match &deprecation.note {
        Some(note) => format!("#[deprecated(note = {})]", rust_string(&one_line(note))),
        None => "#[deprecated]".to_string(),
    }
}

/// Prose on one line, for a list item or an attribute: lines joined, or plain text when the
/// prose had a code block.
pub fn one_line(text: &str) -> String {
    let lines = prose(text);
    if lines.iter().any(|line| line.trim_start().starts_with("```")) {
        inline_text(text)
    } else {
        lines.iter().map(|line| line.trim()).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ")
    }
}

/// A scalar as JSON text, when it is short enough to help (objects and arrays are left to
/// the type's docs).
pub fn short_json(value: &serde_json::Value) -> Option<String> {
    let text = match value {
        serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_) => value.to_string(),
        _ => return None,
    };
    (text.len() <= 80 && !text.contains('\n')).then_some(text)
}

/// A bound as written: `5` rather than `5.0`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_sentences() {
        let rules = Rules {
            max_length: Some(32),
            min_length: Some(1),
            pattern: Some("^[a-f0-9]+$".into()),
            minimum: None,
            maximum: None,
            allowed: Vec::new(),
            ..Rules::default()
        };
        let example = serde_json::json!("023e105f4ecef8ad9ca31a8372d0c353");
        let lines = value_details(ValueFacts {
            format: Some("uuid"),
            rules: &rules,
            list_allowed: true,
            default: None,
            example: Some(&example),
        });
        assert_eq!(
            lines,
            [
                "Format: `uuid`.",
                "From 1 to 32 characters.",
                "Matches `^[a-f0-9]+$`.",
                "Example: `\"023e105f4ecef8ad9ca31a8372d0c353\"`."
            ]
        );
        let range = Rules { minimum: Some(1.0), maximum: Some(1000.0), ..Rules::default() };
        let default = serde_json::json!(20);
        let lines = value_details(ValueFacts {
            format: Some("int32"),
            rules: &range,
            list_allowed: true,
            default: Some(&default),
            example: None,
        });
        assert_eq!(lines, ["From 1 to 1000.", "Default: `20`."]);
    }

    #[test]
    fn deprecation_notes_are_escaped_string_literals() {
        assert_eq!(deprecated_attr(&Deprecation { note: None }), "#[deprecated]");
        let hostile = "Use `ids` instead.\"] fn x() {} #[doc = \"\n\n```\nassert!(false);\n```";
        let attr = deprecated_attr(&Deprecation { note: Some(hostile.into()) });
        // One attribute on the item, whatever the note says.
        let item: syn::ItemFn = syn::parse_str(&format!("{attr} fn f() {{}}")).unwrap();
        assert_eq!(item.attrs.len(), 1, "{attr}");
        assert!(!attr.contains('\n'), "{attr}");
        assert_eq!(
            deprecated_attr(&Deprecation { note: Some("Use `ids` instead.".into()) }),
            "#[deprecated(note = \"Use `ids` instead.\")]"
        );
    }
}
