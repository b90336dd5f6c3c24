//! Writing generated files to disk, or checking that disk already matches (the drift check).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::GeneratedFile;

/// Which files under the output directory the generator owns: `Cargo.toml`, `README.md`
/// and everything under `src/`. Hand-written files elsewhere (e.g. `tests/`) are never
/// touched or reported.
fn is_owned(relative: &str) -> bool {
    relative == "Cargo.toml" || relative == "README.md" || relative.starts_with("src/")
}

/// The difference between generated output and the files on disk.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Files whose contents differ, with a unified diff (disk -> generated).
    pub changed: Vec<(String, String)>,
    /// Files that should exist but do not.
    pub missing: Vec<String>,
    /// Owned files on disk that generation no longer produces.
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

/// Compares generated files with `out_dir` without writing anything.
pub fn check(files: &[GeneratedFile], out_dir: &Path) -> Result<Drift> {
    let mut drift = Drift::default();
    for file in files {
        let path = out_dir.join(&file.path);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let on_disk = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                if on_disk != file.contents {
                    let diff = similar::TextDiff::from_lines(&on_disk, &file.contents)
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                        .to_string();
                    drift.changed.push((file.path.clone(), diff));
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => drift.missing.push(file.path.clone()),
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    drift.stale = stale_files(files, out_dir)?;
    Ok(drift)
}

/// Writes generated files into `out_dir` and removes stale owned files.
///
/// Every file is written to a temporary sibling and renamed into place, so an interrupted
/// run never leaves a half-written file. Unchanged files are not rewritten (their
/// modification times stay, so cargo does not rebuild needlessly).
pub fn write(files: &[GeneratedFile], out_dir: &Path) -> Result<Vec<String>> {
    let mut touched = Vec::new();
    let mut made_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for file in files {
        let path = out_dir.join(&file.path);
        if std::fs::read(&path).is_ok_and(|existing| existing == file.contents.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            if !made_dirs.contains(parent) {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io { path: parent.to_path_buf(), source })?;
                made_dirs.insert(parent.to_path_buf());
            }
        }
        let temporary = path.with_extension("sdkgen-tmp");
        std::fs::write(&temporary, &file.contents).map_err(|source| Error::Io { path: temporary.clone(), source })?;
        std::fs::rename(&temporary, &path).map_err(|source| Error::Io { path: path.clone(), source })?;
        touched.push(file.path.clone());
    }
    for stale in stale_files(files, out_dir)? {
        let path = out_dir.join(&stale);
        std::fs::remove_file(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
        touched.push(stale);
    }
    remove_empty_dirs(&out_dir.join("src"));
    Ok(touched)
}

fn stale_files(files: &[GeneratedFile], out_dir: &Path) -> Result<Vec<String>> {
    let generated: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut on_disk = Vec::new();
    list_files(out_dir, out_dir, &mut on_disk)?;
    Ok(on_disk.into_iter().filter(|p| is_owned(p) && !generated.contains(p.as_str())).collect())
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(Error::Io { path: dir.to_path_buf(), source }),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            list_files(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push(relative);
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if entry.path().is_dir() {
            remove_empty_dirs(&entry.path());
        }
    }
    // Fails harmlessly when the directory is not empty.
    let _ = std::fs::remove_dir(dir);
}
