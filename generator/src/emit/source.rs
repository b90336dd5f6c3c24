//! Rust source laid out line by line, for the files whose shapes are fixed (types and
//! resources: the bulk of every SDK). Writing them directly skips tokens, syn and
//! prettyplease, the most expensive stage of generation. The layout follows rustfmt's:
//! four-space indents, `///` docs, a blank line between items, and a call or signature
//! broken one argument per line when it would pass [`WIDTH`] columns.

/// Lines longer than this are broken where the layout allows.
pub const WIDTH: usize = 100;

/// Whether `text` fits on one line at `depth` levels of indentation: the one place that
/// decides between one line and one item per line.
pub fn fits(depth: usize, text: &str) -> bool {
    depth * 4 + text.len() <= WIDTH
}

/// Source text under construction.
#[derive(Default)]
pub struct Source {
    /// The text so far.
    pub text: String,
}

impl Source {
    /// One line at `depth` levels of indentation. `text` is a `&str`, or `format_args!(...)`,
    /// which is written straight into the buffer without a `String` of its own.
    pub fn line(&mut self, depth: usize, text: impl std::fmt::Display) {
        use std::fmt::Write;
        for _ in 0..depth {
            self.text.push_str("    ");
        }
        // Writing into a `String` cannot fail.
        let _ = write!(self.text, "{text}");
        self.text.push('\n');
    }

    /// An empty line.
    pub fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `///` lines.
    pub fn docs(&mut self, depth: usize, lines: &[String]) {
        // A `///` comment ends at a line break and cannot hold a bare carriage return or
        // bidirectional controls: each line is made one clean physical line first.
        for line in &super::escape::doc_lines(lines) {
            for _ in 0..depth {
                self.text.push_str("    ");
            }
            self.text.push_str("///");
            if !line.is_empty() {
                self.text.push(' ');
                self.text.push_str(line);
                let trimmed = self.text.trim_end_matches(' ').len();
                self.text.truncate(trimmed);
            }
            self.text.push('\n');
        }
    }

    /// `head(arg, arg)tail` on one line when it fits, else one argument per line.
    pub fn call(&mut self, depth: usize, head: &str, args: &[String], tail: &str) {
        let one_line = format!("{head}({}){tail}", args.join(", "));
        if fits(depth, &one_line) || args.is_empty() {
            self.line(depth, &one_line);
            return;
        }
        self.line(depth, format_args!("{head}("));
        for arg in args {
            self.line(depth + 1, format_args!("{arg},"));
        }
        self.line(depth, format_args!("){tail}"));
    }
}

/// A Rust string literal (see [`super::escape::rust_string`]).
pub fn literal(text: &str) -> String {
    super::escape::rust_string(text)
}
