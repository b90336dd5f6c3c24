//! The resource limits of loading, in one place (also listed in the README).
//!
//! Each one turns input that would take unbounded memory or time, or overflow the stack, into
//! a located error. They are far above what real documents need: Cloudflare's whole document
//! (12.5 MB of JSON, about 507,000 values, nesting at most a few dozen levels deep, longest key
//! a few hundred bytes) is well inside every one of them.

/// The largest spec file read, in bytes: 256 MiB, twenty times Cloudflare's document. The size
/// is checked from the file's metadata before reading, and the read itself stops one byte past
/// the limit (for files whose metadata says nothing, such as pipes).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// The deepest nesting of arrays and objects (YAML sequences and mappings): 128 levels. It is
/// also the limit serde_json and serde_yaml enforce themselves, so no stage after loading (the
/// normalising walk, locating, typed deserialization) recurses deeper than this.
pub const MAX_DEPTH: usize = 128;

/// The most values (scalars, sequences and mappings) a YAML document with anchors may produce:
/// 1,000,000, twice what Cloudflare's whole document holds. Every replay of an alias counts
/// again, so this is the budget that stops an alias bomb (anchors each referencing the previous
/// one several times), which a small file can make expand exponentially. It is absolute, not
/// proportional to the file's size (serde_yaml's own repetition limit grows with the document,
/// so a bomb padded with filler gets past it): at the limit the tree takes about 150 MB.
/// Documents without anchors (nearly all real ones) hold no aliases and are not counted: like
/// JSON, what they expand to is bounded by the file size.
pub const MAX_YAML_VALUES: usize = 1_000_000;

/// The most bytes of keys and strings a YAML document with anchors may produce, every alias
/// replay counted again: 64 MiB. It stops an alias bomb whose leaves are long strings before the
/// value budget would.
pub const MAX_YAML_TEXT_BYTES: usize = 64 << 20;

/// The longest mapping key, in bytes: 64 KiB. Keys become names (paths, schema and property
/// names), which are short in every real document; values (descriptions, examples) are not
/// limited beyond the file's size.
pub const MAX_KEY_BYTES: usize = 64 << 10;

/// How many duplicate keys are listed at most; the rest are counted in one last entry.
pub const MAX_DUPLICATES_LISTED: usize = 100;
