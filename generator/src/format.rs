//! Formatting: tokens to text with prettyplease, plus the generated-file header.

use crate::emit::escape::{doc_lines, html_comment, line_comment};
use crate::emit::EmittedFile;
use crate::error::{Error, Result};
use crate::output::{GeneratedFile, Provenance, HEADER_MARK};

/// Formats every emitted file.
pub fn format_files(files: Vec<EmittedFile>, provenance: &Provenance) -> Result<Vec<GeneratedFile>> {
    files.into_iter().map(|file| format_file(file, provenance)).collect()
}

/// The generated-file notice: two comment lines. The spec path and the command are made one
/// line each, so that neither can end the comment.
fn header(comment: &str, provenance: &Provenance) -> String {
    format!(
        "{comment} {HEADER_MARK} from `{}`. Do not edit it by hand.\n{comment} Regenerate with `{}`.\n",
        line_comment(&provenance.spec),
        line_comment(&provenance.command)
    )
}

fn format_file(file: EmittedFile, provenance: &Provenance) -> Result<GeneratedFile> {
    let (path, contents) = match file {
        EmittedFile::Rust { path, module_doc, tokens } => {
            let syntax: syn::File = syn::parse2(tokens)
                .map_err(|error| Error::Internal { file: path.clone(), message: error.to_string() })?;
            let text = with_module_doc(provenance, &module_doc, &space_items(&prettyplease::unparse(&syntax)));
            (path, text)
        }
        EmittedFile::Source { path, module_doc, text } => {
            let text = with_module_doc(provenance, &module_doc, &text);
            (path, text)
        }
        EmittedFile::Verbatim { path, text } => (path, format!("{}\n{}", header("//", provenance), text)),
        EmittedFile::Text { path, text, comment: Some(comment) } => {
            (path, format!("{}\n{}", header(comment, provenance), text))
        }
        EmittedFile::Text { path, text, comment: None } => {
            let notice = html_comment(&header("", provenance).lines().map(str::trim).collect::<Vec<_>>().join(" "));
            (path, format!("<!-- {notice} -->\n\n{text}"))
        }
    };
    let contents = if contents.contains('\r') { contents.replace("\r\n", "\n") } else { contents };
    Ok(GeneratedFile { path, contents })
}

/// The header, the module's `//!` docs, then the items.
fn with_module_doc(provenance: &Provenance, module_doc: &[String], items: &str) -> String {
    let mut text = header("//", provenance);
    text.reserve(items.len() + 256);
    text.push('\n');
    for line in &doc_lines(module_doc) {
        if line.is_empty() {
            text.push_str("//!\n");
        } else {
            text.push_str(&format!("//! {line}\n"));
        }
    }
    if !module_doc.is_empty() {
        text.push('\n');
    }
    text.push_str(items);
    text
}

/// prettyplease prints items back to back; a blank line between items (as rustfmt keeps
/// them in hand-written code) makes the output read like a person wrote it.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let starts_item =
            ["///", "#[", "pub ", "pub(", "impl", "static ", "fn ", "mod ", "const ", "struct ", "enum ", "use "]
                .iter()
                .any(|prefix| trimmed.starts_with(prefix));
        if let Some(previous) = previous {
            let previous_trimmed = previous.trim_start();
            let same_indent = indent(previous) == indent(line);
            let ends_item = previous_trimmed == "}" || previous_trimmed == "};";
            let after_imports = (previous_trimmed.starts_with("use ")
                || previous_trimmed.starts_with("mod ")
                || previous_trimmed.starts_with("pub mod ")
                || previous_trimmed.starts_with("pub use "))
                && !(trimmed.starts_with("use ")
                    || trimmed.starts_with("mod ")
                    || trimmed.starts_with("pub mod ")
                    || trimmed.starts_with("pub use "));
            if starts_item && same_indent && (ends_item || after_imports) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}
