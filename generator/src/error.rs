//! Errors the generator reports to its users, each located in the input.
//!
//! Messages echo text from the spec (keys, names, values) and paths. Every field of an error
//! is passed through [`escape`] when it is displayed, so no control character or bidirectional
//! formatting character from the input reaches the terminal raw, whichever path built the error.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Everything that can stop generation.
///
/// Spec problems carry the file and a JSON pointer (`#/paths/~1pets/get/...`) so the user can
/// jump to the offending node; syntax problems carry a line and column instead.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read or written.
    #[error("{}: {}", shown(path), escape(&source.to_string()))]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The file is not valid YAML or JSON.
    #[error("{}:{line}:{column}: invalid {format}: {}", shown(path), escape(message))]
    Syntax {
        /// The file that failed to parse.
        path: PathBuf,
        /// `YAML`, `JSON` or `UTF-8`.
        format: &'static str,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's message.
        message: String,
    },

    /// The document parsed but is not an OpenAPI document we can use.
    #[error("{}: {}: {}", shown(path), escape(pointer), escape(message))]
    Spec {
        /// The spec file.
        path: PathBuf,
        /// JSON pointer of the offending node, starting with `#`.
        pointer: String,
        /// What is wrong there.
        message: String,
    },

    /// The generator configuration is invalid.
    ///
    /// (Its messages, from the TOML parser, span several lines on purpose: each is escaped.)
    #[error("{}: {}", shown(path), escape_lines(message))]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// The generated code could not be parsed back; this is a bug in the generator.
    #[error(
        "internal error: emitted code for {} does not parse ({}); please report this with the spec",
        escape(file),
        escape(message)
    )]
    Internal {
        /// Generated file whose tokens were rejected.
        file: String,
        /// The parser's message.
        message: String,
    },
}

/// A path, escaped for display.
fn shown(path: &Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

/// Escapes each line of a message meant to span several lines.
fn escape_lines(message: &str) -> String {
    message.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Text safe to print to a terminal: control characters (C0, DEL, C1, including line breaks,
/// tabs, ESC, BEL), the Unicode line and paragraph separators (U+2028, U+2029) and Unicode
/// bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
/// U+2069) are written as Rust escapes such as `\u{1b}`. Text
/// without them is returned as it is.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether [`escape`] rewrites `c`.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || crate::emit::escape::is_bidi_control(c)
}

/// The generator's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A spec problem before the file name is known: the pointer and the message.
///
/// The pure stages (resolve, lower) raise these; `lib.rs` attaches the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// JSON pointer of the offending node.
    pub pointer: String,
    /// What is wrong there.
    pub message: String,
}

impl SpecProblem {
    /// A problem at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), message: message.into() }
    }

    /// Attaches the spec file's path.
    pub fn in_file(self, path: impl Into<PathBuf>) -> Error {
        Error::Spec { path: path.into(), pointer: self.pointer, message: self.message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_renders_control_and_bidi_characters() {
        assert_eq!(escape("plain /pets ~1 é"), "plain /pets ~1 é");
        assert_eq!(escape("a\u{1b}[31mb\u{7}c\rd\ne\u{9b}"), "a\\u{1b}[31mb\\u{7}c\\u{d}d\\u{a}e\\u{9b}");
        assert_eq!(escape("x\u{202e}y\u{2066}z\u{200f}\u{61c}"), "x\\u{202e}y\\u{2066}z\\u{200f}\\u{61c}");
    }

    #[test]
    fn every_field_of_an_error_is_escaped() {
        let error = Error::Spec {
            path: PathBuf::from("a\u{1b}.yaml"),
            pointer: "#/components/schemas/P\u{7}".into(),
            message: "`#/components/schemas/P\u{7}\r` points to nothing".into(),
        };
        let shown = error.to_string();
        assert!(!shown.chars().any(needs_escape), "{shown:?}");
        assert_eq!(
            shown,
            "a\\u{1b}.yaml: #/components/schemas/P\\u{7}: `#/components/schemas/P\\u{7}\\u{d}` points to nothing"
        );
    }
}
