//! What a run produces: the generated files with their provenance, and what writing or
//! checking them against the output directory found.

/// A finished file: path relative to the output directory and its exact contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// `/`-separated path relative to the crate root.
    pub path: String,
    /// File contents (LF line endings).
    pub contents: String,
}

/// Where the output came from, for the header.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The spec, as the user should read it (relative to the repository when possible).
    pub spec: String,
    /// The command that regenerates the output.
    pub command: String,
}

/// The difference between generated output and the files on disk.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Files whose contents differ, with a unified diff (disk -> generated).
    pub changed: Vec<(String, String)>,
    /// Files that should exist but do not.
    pub missing: Vec<String>,
    /// Files sdkgen wrote earlier that generation no longer produces.
    pub stale: Vec<String>,
}

impl Drift {
    /// Whether disk matches the generated output.
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.stale.is_empty()
    }

    /// A report for humans, ending with the command that fixes the drift.
    pub fn report(&self, fix_command: &str) -> String {
        let mut text = String::new();
        for (path, diff) in &self.changed {
            text.push_str(&format!("changed: {path}\n{diff}\n"));
        }
        for path in &self.missing {
            text.push_str(&format!("missing: {path}\n"));
        }
        for path in &self.stale {
            text.push_str(&format!("stale (no longer generated): {path}\n"));
        }
        text.push_str(&format!(
            "{} file(s) changed, {} missing, {} stale; run `{fix_command}` to regenerate.\n",
            self.changed.len(),
            self.missing.len(),
            self.stale.len()
        ));
        text
    }
}

/// What [`write()`](crate::write::write()) did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files created or replaced (the manifest included), sorted.
    pub written: Vec<String>,
    /// Files sdkgen wrote earlier that generation no longer produces, now removed, sorted.
    pub removed: Vec<String>,
    /// Files in the output directory that sdkgen did not write, left alone, sorted.
    /// Dot-files and a top-level `target/` are not listed.
    pub kept: Vec<String>,
}

impl Written {
    /// Every file written or removed, in that order.
    pub fn touched(&self) -> Vec<&str> {
        self.written.iter().chain(&self.removed).map(String::as_str).collect()
    }

    /// A note naming the files that were kept, if any.
    pub fn kept_note(&self) -> Option<String> {
        const SHOWN: usize = 10;
        if self.kept.is_empty() {
            return None;
        }
        let mut names = self.kept.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
        if self.kept.len() > SHOWN {
            names.push_str(&format!(" and {} more", self.kept.len() - SHOWN));
        }
        Some(format!("kept {} file(s) sdkgen did not write: {names}", self.kept.len()))
    }
}
