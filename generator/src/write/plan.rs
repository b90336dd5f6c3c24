//! Deciding what a write changes, touching nothing: path validation, type conflicts,
//! ownership, stale files and kept files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use super::MANIFEST;
use crate::error::{Error, Result};
use crate::output::GeneratedFile;
use crate::output::HEADER_MARK;

/// The longest file name most file systems accept, in bytes.
const MAX_COMPONENT: usize = 255;
/// The longest path Linux accepts in one system call, in bytes (with the terminating NUL).
const MAX_PATH: usize = 4096;
/// Temporary and backup files start with this; generated paths may not.
pub(super) const RESERVED_PREFIX: &str = ".sdkgen-";

/// Whether the plan is for [`super::write()`] (refusals are errors) or [`super::check()`]
/// (previous contents are kept for diffs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Write,
    Check,
}

/// Everything a write would change.
#[derive(Debug)]
pub(super) struct Plan<'a> {
    /// The output directory, with symbolic links resolved when it exists.
    pub root: PathBuf,
    /// Directories to create for the output directory itself, outermost first.
    pub create_root: Vec<PathBuf>,
    /// Directories to create under `root`, parents before children.
    pub create_dirs: Vec<String>,
    /// Every generated file (the manifest included), sorted by path.
    pub targets: Vec<Target<'a>>,
    /// Files sdkgen wrote earlier that are no longer generated, sorted.
    pub stale: Vec<String>,
    /// Files sdkgen did not write and does not touch, sorted.
    pub kept: Vec<String>,
}

/// One generated file and how it relates to disk.
#[derive(Debug)]
pub(super) struct Target<'a> {
    pub path: &'a str,
    pub contents: &'a str,
    pub state: State,
}

#[derive(Debug)]
pub(super) enum State {
    /// Nothing is there yet.
    Create,
    /// The file on disk has exactly these contents.
    Unchanged,
    /// A regular file with other contents is there.
    Replace {
        /// Its contents, kept in check mode only.
        previous: Option<Vec<u8>>,
    },
}

/// What is at a path, without following symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Missing,
    File,
    Dir,
    Symlink,
    Other,
}

pub(super) fn kind(path: &Path) -> Result<Kind> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            let file_type = meta.file_type();
            Ok(if file_type.is_symlink() {
                Kind::Symlink
            } else if file_type.is_dir() {
                Kind::Dir
            } else if file_type.is_file() {
                Kind::File
            } else {
                Kind::Other
            })
        }
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(Kind::Missing),
        Err(source) => Err(Error::Io { path: path.to_path_buf(), source }),
    }
}

/// An error about `path` with our own message.
pub(super) fn refusal(path: PathBuf, kind: ErrorKind, message: String) -> Error {
    Error::Io { path, source: std::io::Error::new(kind, message) }
}

/// Why `relative` is not a path sdkgen may write or remove under the output directory.
pub(super) fn invalid_path(relative: &str) -> Option<String> {
    if relative.is_empty() {
        return Some("the path is empty".into());
    }
    if relative.contains('\0') {
        return Some("the path contains a NUL byte".into());
    }
    if relative.starts_with('/') {
        return Some("the path is absolute".into());
    }
    for component in relative.split('/') {
        let problem = match component {
            "" => "the path has an empty component (`//` or a trailing `/`)".to_owned(),
            "." | ".." => format!("the path has a `{component}` component"),
            _ if component.contains(['\\', ':']) => {
                format!("the component `{component}` contains `\\` or `:`, which are not portable")
            }
            _ if component.len() > MAX_COMPONENT => format!(
                "the component `{}...` is {} bytes long; file systems allow at most {MAX_COMPONENT}",
                truncate(component, 40),
                component.len()
            ),
            _ if component.starts_with(RESERVED_PREFIX) => {
                format!("names starting with `{RESERVED_PREFIX}` are reserved for sdkgen's own files")
            }
            _ => continue,
        };
        return Some(problem);
    }
    None
}

fn truncate(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Whether the first line of `bytes` carries sdkgen's generated-file header.
pub(super) fn carries_header(bytes: &[u8]) -> bool {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    first_line.windows(HEADER_MARK.len()).any(|window| window == HEADER_MARK.as_bytes())
}

/// Plans writing `files` and `manifest` into `out_dir`.
pub(super) fn plan<'a>(
    files: &'a [GeneratedFile],
    manifest: &'a GeneratedFile,
    out_dir: &Path,
    mode: Mode,
) -> Result<Plan<'a>> {
    let mut sorted: Vec<&GeneratedFile> = files.iter().chain(std::iter::once(manifest)).collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    validate_generated(&sorted, manifest)?;
    let (root, create_root) = resolve_root(out_dir)?;
    for file in &sorted {
        let length = root.as_os_str().len() + 1 + file.path.len();
        if length >= MAX_PATH {
            return Err(refusal(
                root.join(&file.path),
                ErrorKind::InvalidInput,
                format!("sdkgen will not write `{}`: the full path is {length} bytes long", file.path),
            ));
        }
    }
    let previous = previous_manifest(&root)?;

    // Directories on the way to each file: what is there, and which ones to create.
    let mut dirs: BTreeMap<&str, bool> = BTreeMap::new(); // path -> exists
    let mut targets = Vec::with_capacity(sorted.len());
    let mut refused = Vec::new();
    for file in sorted {
        let path = file.path.as_str();
        let mut parent_exists = true;
        for (index, _) in path.match_indices('/') {
            let dir = &path[..index];
            if let Some(&exists) = dirs.get(dir) {
                parent_exists = exists;
                continue;
            }
            let exists = parent_exists && {
                let on_disk = root.join(dir);
                match kind(&on_disk)? {
                    Kind::Missing => false,
                    Kind::Dir => true,
                    Kind::Symlink => return Err(symlink_error(on_disk, dir)),
                    Kind::File | Kind::Other => {
                        return Err(refusal(
                            on_disk,
                            ErrorKind::AlreadyExists,
                            format!(
                                "`{dir}` is a file, but sdkgen needs a directory there for `{path}`; \
                                 move it away and run again (nothing was changed)"
                            ),
                        ))
                    }
                }
            };
            dirs.insert(dir, exists);
            parent_exists = exists;
        }
        let on_disk = root.join(path);
        let state = if !parent_exists {
            State::Create
        } else {
            match kind(&on_disk)? {
                Kind::Missing => State::Create,
                Kind::File => {
                    let bytes =
                        std::fs::read(&on_disk).map_err(|source| Error::Io { path: on_disk.clone(), source })?;
                    if bytes == file.contents.as_bytes() {
                        State::Unchanged
                    } else {
                        let ours = previous.as_ref().is_some_and(|p| p.contains(path)) || carries_header(&bytes);
                        if !ours {
                            refused.push(path);
                        }
                        State::Replace { previous: (mode == Mode::Check).then_some(bytes) }
                    }
                }
                Kind::Dir => {
                    return Err(refusal(
                        on_disk,
                        ErrorKind::AlreadyExists,
                        format!(
                            "`{path}` is a directory, but sdkgen writes a file there; \
                             move it away and run again (nothing was changed)"
                        ),
                    ))
                }
                Kind::Symlink => return Err(symlink_error(on_disk, path)),
                Kind::Other => {
                    return Err(refusal(
                        on_disk,
                        ErrorKind::AlreadyExists,
                        format!(
                            "`{path}` is not a regular file, but sdkgen writes a file there; \
                             move it away and run again (nothing was changed)"
                        ),
                    ))
                }
            }
        };
        targets.push(Target { path, contents: &file.contents, state });
    }
    if mode == Mode::Write {
        if let Some(first) = refused.first() {
            let others = match refused.len() {
                1 => String::new(),
                n => format!(" (and {} more: {})", n - 1, refused[1..].join(", ")),
            };
            return Err(refusal(
                root.join(first),
                ErrorKind::AlreadyExists,
                format!(
                    "refusing to overwrite `{first}`{others}: it was not written by sdkgen (not in \
                     {MANIFEST}, no sdkgen header); move it away or delete it and run again (nothing was changed)"
                ),
            ));
        }
    }
    let create_dirs = dirs.into_iter().filter(|(_, exists)| !exists).map(|(dir, _)| dir.to_owned()).collect();

    let generated: BTreeSet<&str> = targets.iter().map(|t| t.path).collect();
    let mut on_disk = Vec::new();
    if create_root.is_empty() {
        list_files(&root, "", &mut on_disk)?;
        on_disk.sort();
    }
    let stale: Vec<String> = match &previous {
        Some(listed) => {
            let mut stale = Vec::new();
            for path in listed {
                if !generated.contains(path.as_str()) && reachable_file(&root, path)? {
                    stale.push(path.clone());
                }
            }
            stale
        }
        None => {
            let mut stale = Vec::new();
            for path in &on_disk {
                if !generated.contains(path.as_str())
                    && legacy_owned(path)
                    && reachable_file(&root, path)?
                    && first_line_carries_header(&root.join(path))?
                {
                    stale.push(path.clone());
                }
            }
            stale
        }
    };
    let stale_set: BTreeSet<&str> = stale.iter().map(String::as_str).collect();
    let kept = on_disk
        .iter()
        .filter(|p| !generated.contains(p.as_str()) && !stale_set.contains(p.as_str()))
        .cloned()
        .collect();
    Ok(Plan { root, create_root, create_dirs, targets, stale, kept })
}

fn symlink_error(path: PathBuf, relative: &str) -> Error {
    refusal(
        path,
        ErrorKind::AlreadyExists,
        format!(
            "`{relative}` is a symbolic link; sdkgen never writes through symbolic links inside the output \
             directory; replace it with a real directory or file, or move it away (nothing was changed)"
        ),
    )
}

/// Generated paths are valid, distinct, and no file is also a directory of another.
/// The manifest is the one file with a reserved name (a generated file named like it is not).
fn validate_generated(sorted: &[&GeneratedFile], manifest: &GeneratedFile) -> Result<()> {
    let paths: BTreeSet<&str> = sorted.iter().map(|f| f.path.as_str()).collect();
    for (index, file) in sorted.iter().enumerate() {
        let path = file.path.as_str();
        if let Some(reason) = invalid_path(path).filter(|_| !std::ptr::eq(*file, manifest)) {
            return Err(refusal(
                PathBuf::from(path),
                ErrorKind::InvalidInput,
                format!("sdkgen will not write `{path}`: {reason}"),
            ));
        }
        if index > 0 && sorted[index - 1].path == path {
            return Err(bug(path, format!("`{path}` was generated twice")));
        }
        if let Some(dir) = path.match_indices('/').map(|(i, _)| &path[..i]).find(|dir| paths.contains(dir)) {
            return Err(bug(path, format!("`{dir}` was generated both as a file and as the directory of `{path}`")));
        }
    }
    Ok(())
}

/// A generated file set that cannot be written: a bug in the generator, not in the spec.
fn bug(path: &str, problem: String) -> Error {
    refusal(
        PathBuf::from(path),
        ErrorKind::InvalidInput,
        format!("internal error: {problem}; please report this with the spec (nothing was changed)"),
    )
}

/// The output directory (resolved once if it exists) and the directories to create for it.
fn resolve_root(out_dir: &Path) -> Result<(PathBuf, Vec<PathBuf>)> {
    let not_a_dir =
        |path: &Path| refusal(path.to_path_buf(), ErrorKind::AlreadyExists, "exists and is not a directory".into());
    match std::fs::metadata(out_dir) {
        Ok(meta) if meta.is_dir() => {
            let root =
                std::fs::canonicalize(out_dir).map_err(|source| Error::Io { path: out_dir.to_path_buf(), source })?;
            Ok((root, Vec::new()))
        }
        Ok(_) => Err(not_a_dir(out_dir)),
        Err(error) if error.kind() == ErrorKind::NotFound => {
            let mut missing = Vec::new();
            for ancestor in out_dir.ancestors().filter(|a| !a.as_os_str().is_empty()) {
                match std::fs::metadata(ancestor) {
                    Ok(meta) if meta.is_dir() => break,
                    Ok(_) => return Err(not_a_dir(ancestor)),
                    Err(error) if error.kind() == ErrorKind::NotFound => missing.push(ancestor.to_path_buf()),
                    Err(source) => return Err(Error::Io { path: ancestor.to_path_buf(), source }),
                }
            }
            missing.reverse();
            Ok((out_dir.to_path_buf(), missing))
        }
        Err(source) => Err(Error::Io { path: out_dir.to_path_buf(), source }),
    }
}

/// The files the previous run's manifest lists, or `None` when there is no manifest written
/// by sdkgen (a hand-written one is refused later, like any file sdkgen did not write).
fn previous_manifest(root: &Path) -> Result<Option<BTreeSet<String>>> {
    let path = root.join(MANIFEST);
    if kind(&path)? != Kind::File {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
    if !carries_header(&bytes) {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut listed = BTreeSet::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(reason) = invalid_path(line) {
            return Err(refusal(
                path,
                ErrorKind::InvalidData,
                format!(
                    "line {}: `{line}` is not a file sdkgen could have written ({reason}); \
                     remove the line and run again (nothing was changed)",
                    number + 1
                ),
            ));
        }
        listed.insert(line.to_owned());
    }
    Ok(Some(listed))
}

/// Whether `relative` is a regular file reached through real directories only.
fn reachable_file(root: &Path, relative: &str) -> Result<bool> {
    for (index, _) in relative.match_indices('/') {
        if kind(&root.join(&relative[..index]))? != Kind::Dir {
            return Ok(false);
        }
    }
    Ok(kind(&root.join(relative))? == Kind::File)
}

/// What sdkgen owned before manifests existed.
fn legacy_owned(relative: &str) -> bool {
    relative == "Cargo.toml" || relative == "README.md" || relative.starts_with("src/")
}

fn first_line_carries_header(path: &Path) -> Result<bool> {
    let mut start = Vec::with_capacity(512);
    std::fs::File::open(path)
        .and_then(|file| file.take(512).read_to_end(&mut start))
        .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    Ok(carries_header(&start))
}

/// Every non-directory entry under `root` (symbolic links included, never followed), as
/// sorted `/`-separated relative paths; dot-files and a top-level `target/` are skipped.
fn list_files(root: &Path, relative: &str, out: &mut Vec<String>) -> Result<()> {
    let dir = if relative.is_empty() { root.to_path_buf() } else { root.join(relative) };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(Error::Io { path: dir, source }),
    };
    let mut children = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io { path: dir.clone(), source })?;
        let file_type = entry.file_type().map_err(|source| Error::Io { path: entry.path(), source })?;
        children.push((entry.file_name().to_string_lossy().into_owned(), file_type.is_dir()));
    }
    children.sort();
    for (name, is_dir) in children {
        if name.starts_with('.') || (relative.is_empty() && name == "target") {
            continue;
        }
        let child = if relative.is_empty() { name } else { format!("{relative}/{name}") };
        if is_dir {
            list_files(root, &child, out)?;
        } else {
            out.push(child);
        }
    }
    Ok(())
}
