//! Writing generated files to disk, or checking that disk already matches (the drift check).
//!
//! The output directory is shared with its user, so writing follows three rules:
//!
//! - **Atomic.** [`write()`] first plans every change without touching anything (`plan.rs`), then
//!   stages new contents in temporary files and swaps them in, keeping the replaced and removed
//!   files aside until everything is in place (`apply.rs`). A failure at any point puts every
//!   file and directory back as it was.
//! - **Contained.** Nothing under the output directory is reached through a symbolic link:
//!   the tree is listed without following them, and a symbolic link where a generated file or
//!   one of its directories belongs is an error. Only the output directory itself may be one.
//! - **Only its own files.** [`MANIFEST`] lists the files sdkgen wrote. A file at a generated
//!   path is replaced only if it is listed there or its first line carries sdkgen's header;
//!   otherwise the write is refused. Only listed files are removed when no longer generated (in
//!   a directory generated before manifests existed: files under `src/`, `Cargo.toml` and
//!   `README.md` carrying the header). Any other file is kept and reported.

mod apply;
mod plan;

use std::path::Path;

use crate::error::Result;
use crate::output::{Drift, GeneratedFile, Written};

/// The manifest at the crate root: a header line, then every file sdkgen wrote, one
/// `/`-separated path per line, sorted.
pub const MANIFEST: &str = ".sdkgen-manifest";

use crate::output::HEADER_MARK;

/// The manifest for a set of generated files.
fn manifest_file(files: &[GeneratedFile]) -> GeneratedFile {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut contents =
        format!("# {HEADER_MARK}: the files it wrote here, which it may replace or remove. Do not edit it by hand.\n");
    for path in paths {
        contents.push_str(path);
        contents.push('\n');
    }
    GeneratedFile { path: MANIFEST.into(), contents }
}

/// Compares generated files (and the manifest) with `out_dir` without writing anything.
///
/// Files sdkgen did not write are neither stale nor otherwise reported, unless they sit at
/// a generated path (then they are `changed`, and [`write()`] would refuse to replace them).
pub fn check(files: &[GeneratedFile], out_dir: &Path) -> Result<Drift> {
    let manifest = manifest_file(files);
    let plan = plan::plan(files, &manifest, out_dir, plan::Mode::Check)?;
    let mut drift = Drift::default();
    for target in &plan.targets {
        match &target.state {
            plan::State::Unchanged => {}
            plan::State::Create => drift.missing.push(target.path.to_owned()),
            plan::State::Replace { previous, .. } => {
                let on_disk = String::from_utf8_lossy(previous.as_deref().unwrap_or_default()).replace("\r\n", "\n");
                if on_disk == target.contents {
                    continue;
                }
                let diff = similar::TextDiff::from_lines(on_disk.as_str(), target.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", target.path), &format!("b/{}", target.path))
                    .to_string();
                drift.changed.push((target.path.to_owned(), diff));
            }
        }
    }
    drift.stale = plan.stale;
    Ok(drift)
}

/// Writes one stand-alone file (the [`build`](crate::build) mode's bundle): staged in a
/// temporary file beside it, then renamed over it, so a reader never sees half a file. An
/// unchanged file is not rewritten (cargo then has nothing to rebuild); returns whether it was.
pub fn write_file(path: &Path, contents: &str) -> Result<bool> {
    let io = |source| crate::error::Error::Io { path: path.to_path_buf(), source };
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    let mut staged = path.as_os_str().to_owned();
    staged.push(format!(".{}.tmp", std::process::id()));
    let staged = std::path::PathBuf::from(staged);
    std::fs::write(&staged, contents).map_err(io)?;
    if let Err(error) = std::fs::rename(&staged, path) {
        let _ = std::fs::remove_file(&staged);
        return Err(io(error));
    }
    Ok(true)
}

/// Writes generated files and the manifest into `out_dir` (creating it if needed) and
/// removes the files sdkgen wrote earlier that are no longer generated.
///
/// Either every change happens or none does: on any error `out_dir` is left as it was.
///
/// Unchanged files are not rewritten (their modification times stay, so cargo does not
/// rebuild needlessly). A file sdkgen did not write is never replaced (that is an error) nor
/// removed (it is listed in [`Written::kept`]).
pub fn write(files: &[GeneratedFile], out_dir: &Path) -> Result<Written> {
    write_with(files, out_dir, &mut |_| Ok(()))
}

/// [`write()`], calling `fault` before every change to the file system; an error from it
/// stands for that change failing (tests use it to fail each step in turn).
fn write_with(
    files: &[GeneratedFile],
    out_dir: &Path,
    fault: &mut dyn FnMut(&Path) -> std::io::Result<()>,
) -> Result<Written> {
    let manifest = manifest_file(files);
    let plan = plan::plan(files, &manifest, out_dir, plan::Mode::Write)?;
    apply::apply(&plan, fault)?;
    let written =
        plan.targets.iter().filter(|t| !matches!(t.state, plan::State::Unchanged)).map(|t| t.path.to_owned()).collect();
    Ok(Written { written, removed: plan.stale, kept: plan.kept })
}

#[cfg(test)]
mod tests;
