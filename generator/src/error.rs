//! Errors the generator reports to its users, each located in the input.

use std::path::PathBuf;

/// Everything that can stop generation.
///
/// Spec problems carry the file and a JSON pointer (`#/paths/~1pets/get/...`) so the user can
/// jump to the offending node; syntax problems carry a line and column instead.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The file is not valid YAML or JSON.
    #[error("{path}:{line}:{column}: invalid {format}: {message}")]
    Syntax {
        /// The file that failed to parse.
        path: PathBuf,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// 1-based line of the problem (0 when the parser gave none).
        line: usize,
        /// 1-based column of the problem (0 when the parser gave none).
        column: usize,
        /// The parser's message.
        message: String,
    },

    /// The document parsed but is not an OpenAPI document we can use.
    #[error("{path}: {pointer}: {message}")]
    Spec {
        /// The spec file.
        path: PathBuf,
        /// JSON pointer of the offending node, starting with `#`.
        pointer: String,
        /// What is wrong there.
        message: String,
    },

    /// The generator configuration is invalid.
    #[error("{path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// The generated code could not be parsed back; this is a bug in the generator.
    #[error("internal error: emitted code for {file} does not parse ({message}); please report this with the spec")]
    Internal {
        /// Generated file whose tokens were rejected.
        file: String,
        /// The parser's message.
        message: String,
    },
}

/// The generator's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one JSON-pointer token (`~` -> `~0`, `/` -> `~1`).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

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
