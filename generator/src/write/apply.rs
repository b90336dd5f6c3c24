//! Carrying out a [`Plan`]: stage, commit, and undo everything on failure.
//!
//! 1. Stage: create the missing directories and write every new or changed file to a fresh
//!    temporary file (`.sdkgen-tmp-*`) in its target directory.
//! 2. Commit: rename each file to be replaced or removed aside (`.sdkgen-bak-*`), and each
//!    temporary file into place.
//! 3. On success, delete the backups and the directories that removal left empty. On any
//!    failure before that, undo every step in reverse order and return the first error.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::plan::{refusal, Kind, Plan, State, RESERVED_PREFIX};
use crate::error::{Error, Result};

/// One change made so far, and how to take it back.
#[derive(Debug)]
enum Step {
    /// A directory was created: remove it.
    CreatedDir(PathBuf),
    /// A temporary file was created: delete it.
    Staged(PathBuf),
    /// A file was renamed aside: rename it back.
    MovedAside { original: PathBuf, backup: PathBuf },
    /// A temporary file was renamed into place: rename it back.
    Placed { temporary: PathBuf, target: PathBuf },
}

struct Journal<'f> {
    steps: Vec<Step>,
    counter: u64,
    fault: &'f mut dyn FnMut(&Path) -> std::io::Result<()>,
}

impl Journal<'_> {
    /// Runs one change to the file system after giving the fault hook its say.
    fn change<T>(&mut self, path: &Path, action: impl FnOnce() -> std::io::Result<T>) -> Result<T> {
        (self.fault)(path).and_then(|()| action()).map_err(|source| Error::Io { path: path.to_path_buf(), source })
    }

    fn create_dir(&mut self, dir: &Path) -> Result<()> {
        self.change(dir, || std::fs::create_dir(dir))?;
        self.steps.push(Step::CreatedDir(dir.to_path_buf()));
        Ok(())
    }

    /// A name in `dir` for a temporary or backup file that nothing uses.
    fn fresh_name(&mut self, dir: &Path, kind: &str) -> Result<PathBuf> {
        loop {
            self.counter += 1;
            let candidate = dir.join(format!("{RESERVED_PREFIX}{kind}-{}-{}", std::process::id(), self.counter));
            if super::plan::kind(&candidate)? == Kind::Missing {
                return Ok(candidate);
            }
        }
    }

    /// Writes `contents` to a new temporary file next to `target`; errors name `target`.
    fn stage(&mut self, target: &Path, contents: &str) -> Result<PathBuf> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let (path, mut file) = loop {
            let candidate = self.fresh_name(dir, "tmp")?;
            let created =
                self.change(target, || std::fs::OpenOptions::new().write(true).create_new(true).open(&candidate));
            match created {
                Ok(file) => break (candidate, file),
                // Someone else took the name since we looked: take another.
                Err(Error::Io { source, .. }) if source.kind() == ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        };
        self.steps.push(Step::Staged(path.clone()));
        self.change(target, || file.write_all(contents.as_bytes()))?;
        Ok(path)
    }

    fn move_aside(&mut self, original: &Path) -> Result<()> {
        let dir = original.parent().unwrap_or(Path::new("."));
        let backup = self.fresh_name(dir, "bak")?;
        self.change(original, || std::fs::rename(original, &backup))?;
        self.steps.push(Step::MovedAside { original: original.to_path_buf(), backup });
        Ok(())
    }

    fn place(&mut self, temporary: &Path, target: &Path) -> Result<()> {
        self.change(target, || std::fs::rename(temporary, target))?;
        self.steps.push(Step::Placed { temporary: temporary.to_path_buf(), target: target.to_path_buf() });
        Ok(())
    }

    /// Takes back every change, newest first; returns the undo steps that failed.
    fn undo(self) -> Vec<String> {
        let mut failures = Vec::new();
        for step in self.steps.into_iter().rev() {
            let (path, result) = match &step {
                Step::CreatedDir(dir) => (dir, std::fs::remove_dir(dir)),
                Step::Staged(temporary) => (temporary, std::fs::remove_file(temporary)),
                Step::MovedAside { original, backup } => (original, std::fs::rename(backup, original)),
                Step::Placed { temporary, target } => (target, std::fs::rename(target, temporary)),
            };
            if let Err(error) = result {
                failures.push(format!("{}: {error}", path.display()));
            }
        }
        failures
    }
}

/// Carries out `plan`; on error, the file system is as it was before.
pub(super) fn apply(plan: &Plan<'_>, fault: &mut dyn FnMut(&Path) -> std::io::Result<()>) -> Result<()> {
    let mut journal = Journal { steps: Vec::new(), counter: 0, fault };
    if let Err(error) = commit(plan, &mut journal) {
        let failures = journal.undo();
        if failures.is_empty() {
            return Err(error);
        }
        return Err(match error {
            Error::Io { path, source } => {
                let message = format!("{source}; undoing the partial write also failed: {}", failures.join("; "));
                refusal(path, source.kind(), message)
            }
            other => other,
        });
    }
    // Everything is in place: the backups can go.
    let mut failures = Vec::new();
    for step in &journal.steps {
        if let Step::MovedAside { backup, .. } = step {
            if let Err(error) = std::fs::remove_file(backup) {
                failures.push(format!("{}: {error}", backup.display()));
            }
        }
    }
    for stale in &plan.stale {
        remove_empty_parents(&plan.root, stale);
    }
    if !failures.is_empty() {
        return Err(refusal(
            plan.root.clone(),
            ErrorKind::Other,
            format!("the files were written, but these backups could not be deleted: {}", failures.join("; ")),
        ));
    }
    Ok(())
}

fn commit(plan: &Plan<'_>, journal: &mut Journal<'_>) -> Result<()> {
    for dir in &plan.create_root {
        journal.create_dir(dir)?;
    }
    for dir in &plan.create_dirs {
        journal.create_dir(&plan.root.join(dir))?;
    }
    let mut staged = Vec::new();
    for target in &plan.targets {
        if matches!(target.state, State::Unchanged) {
            continue;
        }
        let path = plan.root.join(target.path);
        let temporary = journal.stage(&path, target.contents)?;
        staged.push((path, temporary, matches!(target.state, State::Replace { .. })));
    }
    for (path, temporary, replaces) in &staged {
        if *replaces {
            journal.move_aside(path)?;
        }
        journal.place(temporary, path)?;
    }
    for stale in &plan.stale {
        journal.move_aside(&plan.root.join(stale))?;
    }
    Ok(())
}

/// Removes the directories between `relative` and the root that are now empty.
fn remove_empty_parents(root: &Path, relative: &str) {
    for (index, _) in relative.rmatch_indices('/') {
        // Fails harmlessly when the directory is not empty.
        if std::fs::remove_dir(root.join(&relative[..index])).is_err() {
            return;
        }
    }
}
