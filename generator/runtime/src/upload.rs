//! Request bodies made of files: [`File`] (bytes in memory, a path read at send
//! time, or a one-shot stream), the `multipart/form-data` builder [`Form`], and
//! [`ToMultipart`], implemented by generated multipart body types.
//!
//! # Retries
//!
//! A body held in memory or read from paths can be sent again: a retry re-opens
//! each path and reads it from the start. A body holding a stream
//! ([`File::from_stream`]) can be sent once, so a call carrying one is never
//! retried; its first failure (a 503, a timeout, a reset connection) is the
//! call's error.
//!
//! # Memory and `Content-Length`
//!
//! Paths and streams are never buffered whole: they are read in chunks of
//! 64 KiB while the request is written. A body made only of bytes and regular
//! files has a known length (each file is measured from its metadata when it is
//! opened, at each attempt) and is sent with `Content-Length`; a body holding a
//! stream or a path that is not a regular file (a pipe, a device) is sent with
//! `Transfer-Encoding: chunked`. A file that shrinks while it is sent fails the
//! attempt; one that grows is sent as long as it was when opened.
//!
//! The call's timeout bounds each attempt including the upload: raise it
//! (`Call::timeout`) for large files on slow links.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;

use super::error::ValidationError;

// The examples below are `ignore`d: this module is copied into generated SDKs under
// another path, so no one import line fits both; `tests/upload.rs` runs the same calls.

/// Size of the reads from a file being uploaded.
const CHUNK: usize = 64 * 1024;

/// Content type of a file part that names none.
const OCTET_STREAM: &str = "application/octet-stream";

/// A stream of bytes that can be read once.
type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;

/// The shared source of a streamed [`File`]: clones of the file share it, and
/// whichever sends first takes it.
#[derive(Clone)]
pub(crate) struct OneShot(Arc<Mutex<Option<ByteStream>>>);

impl OneShot {
    /// Takes the stream out; `None` once it has been sent.
    fn take(&self) -> Option<ByteStream> {
        // A panic elsewhere while holding the lock leaves the `Option` intact.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
    }

    fn is_sent(&self) -> bool {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).is_none()
    }
}

/// Where the bytes of a [`File`] come from.
#[derive(Clone)]
enum Data {
    Bytes(Bytes),
    Path(PathBuf),
    Stream(OneShot),
}

/// A summary: never the data itself.
impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Data::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Data::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Data::Stream(source) => f.debug_struct("Stream").field("sent", &source.is_sent()).finish(),
        }
    }
}

impl PartialEq for Data {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Data::Bytes(a), Data::Bytes(b)) => a == b,
            (Data::Path(a), Data::Path(b)) => a == b,
            (Data::Stream(a), Data::Stream(b)) => Arc::ptr_eq(&a.0, &b.0),
            _ => false,
        }
    }
}

/// A file to upload, as a multipart part ([`Form::file`]) or as a whole request
/// body: bytes in memory, a path read when the request is sent, or a stream
/// sent once. It carries an optional file name and content type.
///
/// Cloning is cheap: bytes are reference-counted, and a clone of a streamed
/// file shares the same one-shot stream (whichever is sent first consumes it).
/// Two files are equal when their name, content type and data are: bytes by
/// value, paths by path, streams by identity (a stream equals its clones).
///
/// For the sake of generated types that derive serde traits, a `File`
/// serializes as a JSON string when it holds UTF-8 bytes in memory (anything
/// else is a serialization error) and deserializes from a string.
///
/// ```text
/// let module = File::from("export default { fetch() { return new Response(\"hi\") } }")
///     .filename("worker.js")
///     .content_type("application/javascript+module");
/// let archive = File::from_path("site.tar.gz"); // named `site.tar.gz`, read at send time
/// ```
#[derive(Clone, PartialEq)]
pub struct File {
    data: Data,
    filename: Option<String>,
    content_type: Option<String>,
}

impl File {
    fn new(data: Data, filename: Option<String>) -> Self {
        File { data, filename, content_type: None }
    }

    /// A file held in memory (no file name until [`filename`](Self::filename) sets one).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        File::new(Data::Bytes(bytes.into()), None)
    }

    /// A file on disk, opened when the request is sent (and re-opened for each
    /// retry) and read in chunks, never whole. Its file name defaults to the
    /// last component of the path. A file that cannot be opened fails the call
    /// with a validation error before anything is sent.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let filename = path.file_name().map(|name| name.to_string_lossy().into_owned());
        File::new(Data::Path(path), filename)
    }

    /// A stream of chunks, sent once and never buffered whole. A call whose body
    /// holds a stream is not retried; sending the same stream (or a clone of
    /// this file) a second time fails with a validation error rather than
    /// sending an empty part.
    pub fn from_stream<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
    {
        File::new(Data::Stream(OneShot(Arc::new(Mutex::new(Some(Box::pin(stream)))))), None)
    }

    /// Sets the file name sent with a multipart part (`filename=` of its
    /// `Content-Disposition`).
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// Sets the content type; it wins over the one an operation declares.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name, if one is set (or taken from the path).
    pub fn name(&self) -> Option<&str> {
        self.filename.as_deref()
    }

    /// The content type, if one is set.
    pub fn mime_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The bytes, when the file is held in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.data {
            Data::Bytes(bytes) => Some(bytes),
            Data::Path(_) | Data::Stream(_) => None,
        }
    }

    /// The path, when the file is read from disk.
    pub fn path(&self) -> Option<&Path> {
        match &self.data {
            Data::Path(path) => Some(path),
            Data::Bytes(_) | Data::Stream(_) => None,
        }
    }

    /// `true` for a streamed file, which a request can send once.
    pub fn is_stream(&self) -> bool {
        matches!(self.data, Data::Stream(_))
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("data", &self.data)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Bytes> for File {
    fn from(bytes: Bytes) -> Self {
        File::from_bytes(bytes)
    }
}

impl From<Vec<u8>> for File {
    fn from(bytes: Vec<u8>) -> Self {
        File::from_bytes(bytes)
    }
}

impl From<String> for File {
    fn from(text: String) -> Self {
        File::from_bytes(text)
    }
}

impl From<&'static str> for File {
    fn from(text: &'static str) -> Self {
        File::from_bytes(text)
    }
}

impl From<&'static [u8]> for File {
    fn from(bytes: &'static [u8]) -> Self {
        File::from_bytes(bytes)
    }
}

impl serde::Serialize for File {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        match &self.data {
            Data::Bytes(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => serializer.serialize_str(text),
                Err(_) => Err(S::Error::custom("a file of binary data cannot be serialized as text; upload it")),
            },
            Data::Path(_) => Err(S::Error::custom("a file read from a path cannot be serialized; upload it")),
            Data::Stream(_) => Err(S::Error::custom("a streamed file cannot be serialized; upload it")),
        }
    }
}

impl<'de> serde::Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = File;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the contents of a file as a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<File, E> {
                Ok(File::from_bytes(text.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<File, E> {
                Ok(File::from_bytes(text))
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<File, E> {
                Ok(File::from_bytes(bytes.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<File, E> {
                Ok(File::from_bytes(bytes))
            }
        }
        deserializer.deserialize_string(Visitor)
    }
}

/// Fills a [`Form`] from a value: generated for every multipart request body type.
pub trait ToMultipart {
    /// Adds this value's parts to `form`, in field order.
    fn to_multipart(&self, form: &mut Form) -> Result<(), ValidationError>;
}

/// One part of a [`Form`].
#[derive(Debug, Clone)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Data,
}

/// A `multipart/form-data` body (RFC 7578): text parts, JSON parts and file
/// parts, in the order they are added; a name may repeat.
///
/// Each part has a `Content-Disposition` with its name (and file name for
/// files) and, for files and JSON, a `Content-Type`. Quotes and line breaks in
/// names and file names are sent percent-encoded (`%22`, `%0D`, `%0A`) as
/// browsers do, so they cannot end the header early. The boundary is random
/// and checked not to occur in any part held in memory.
///
/// ```text
/// let mut form = Form::new();
/// form.value("metadata", &serde_json::json!({ "main_module": "worker.js" }), None)?;
/// form.file("files", &File::from("export default {}").filename("worker.js"), Some("application/javascript+module"));
/// form.text("comment", "first deploy");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Form {
    parts: Vec<Part>,
    errors: Vec<ValidationError>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Form::default()
    }

    /// Adds a text part (no `Content-Type`, which means `text/plain`).
    pub fn text(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let value: String = value.into();
        self.push(name.into(), None, None, Data::Bytes(Bytes::from(value)));
        self
    }

    /// Adds a value by its JSON form: a string as a text part, a number or a
    /// boolean as its JSON text, an object as a JSON part
    /// (`Content-Type: application/json`), an array as one part per item under
    /// the same name, and `null` as no part. With `content_type` (from the
    /// spec's `encoding`), the part carries it; a JSON content type (such as
    /// `application/json` or `application/merge-patch+json`) sends the whole
    /// value as one JSON part, arrays included.
    pub fn value<V: serde::Serialize + ?Sized>(
        &mut self,
        name: impl Into<String>,
        value: &V,
        content_type: Option<&str>,
    ) -> Result<(), ValidationError> {
        let name = name.into();
        let value = serde_json::to_value(value)
            .map_err(|e| ValidationError::new(name.as_str(), format!("cannot serialize: {e}")))?;
        if content_type.is_some_and(is_json) {
            if !value.is_null() {
                self.push(name, None, content_type.map(str::to_owned), Data::Bytes(Bytes::from(value.to_string())));
            }
            return Ok(());
        }
        match value {
            serde_json::Value::Array(items) => {
                for item in &items {
                    self.push_value(name.clone(), item, content_type);
                }
            }
            other => self.push_value(name, &other, content_type),
        }
        Ok(())
    }

    /// Adds a file part. Its content type is the file's own, else
    /// `default_content_type` (the one the spec declares), else
    /// `application/octet-stream`; its file name is the file's own, else the
    /// part's name (servers tell file parts from text parts by the file name).
    pub fn file(&mut self, name: impl Into<String>, file: &File, default_content_type: Option<&str>) -> &mut Self {
        let name = name.into();
        let filename = file.filename.clone().unwrap_or_else(|| name.clone());
        let content_type = file.content_type.as_deref().or(default_content_type).unwrap_or(OCTET_STREAM);
        self.push(name, Some(filename), Some(content_type.to_owned()), file.data.clone());
        self
    }

    /// The number of parts so far.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// `true` when no part has been added.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// One item of [`Form::value`] (arrays inside arrays become JSON parts).
    fn push_value(&mut self, name: String, value: &serde_json::Value, content_type: Option<&str>) {
        let (text, default_type) = match value {
            serde_json::Value::Null => return,
            serde_json::Value::String(text) => (text.clone(), None),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => (value.to_string(), None),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => (value.to_string(), Some("application/json")),
        };
        let content_type = content_type.or(default_type).map(str::to_owned);
        self.push(name, None, content_type, Data::Bytes(Bytes::from(text)));
    }

    fn push(&mut self, name: String, filename: Option<String>, content_type: Option<String>, data: Data) {
        // A content type is written into the part's headers: a control character
        // (a line break above all) could add headers of its own.
        if let Some(content_type) = &content_type {
            if content_type.chars().any(char::is_control) {
                let reason = "content type of a multipart part must not contain control characters";
                self.errors.push(ValidationError::new(name, reason));
                return;
            }
        }
        self.parts.push(Part { name, filename, content_type, data });
    }

    /// The body: its `Content-Type` (with the boundary) and its content. The
    /// first problem recorded while adding parts is the error.
    pub(crate) fn encode(self) -> Result<(String, Payload), ValidationError> {
        if let Some(error) = self.errors.into_iter().next() {
            return Err(error);
        }
        let heads: Vec<String> = self.parts.iter().map(part_head).collect();
        let boundary = loop {
            let candidate = format!("sdk-boundary-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
            let clashes = |bytes: &[u8]| contains(bytes, candidate.as_bytes());
            let in_data = self.parts.iter().any(|part| matches!(&part.data, Data::Bytes(b) if clashes(b)));
            if !in_data && !heads.iter().any(|head| clashes(head.as_bytes())) {
                break candidate;
            }
        };
        let mut segments = Vec::with_capacity(self.parts.len() * 2 + 1);
        let mut pending = BytesMut::new();
        for (part, head) in self.parts.into_iter().zip(heads) {
            pending.extend_from_slice(format!("--{boundary}\r\n{head}\r\n").as_bytes());
            match part.data {
                Data::Bytes(bytes) => pending.extend_from_slice(&bytes),
                Data::Path(path) => {
                    segments.push(Segment::Bytes(pending.split().freeze()));
                    segments.push(Segment::Path { part: part.name, path });
                }
                Data::Stream(source) => {
                    segments.push(Segment::Bytes(pending.split().freeze()));
                    segments.push(Segment::Stream { part: part.name, source });
                }
            }
            pending.extend_from_slice(b"\r\n");
        }
        pending.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let payload = if segments.is_empty() {
            Payload::Bytes(pending.freeze())
        } else {
            segments.push(Segment::Bytes(pending.freeze()));
            Payload::Segments(segments)
        };
        Ok((format!("multipart/form-data; boundary={boundary}"), payload))
    }
}

/// `true` for `application/json` and `+json` media types (parameters ignored).
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// The headers of one part, each line ending in CRLF.
fn part_head(part: &Part) -> String {
    let mut head = format!("Content-Disposition: form-data; name=\"{}\"", escape(&part.name));
    if let Some(filename) = &part.filename {
        head.push_str(&format!("; filename=\"{}\"", escape(filename)));
    }
    head.push_str("\r\n");
    if let Some(content_type) = &part.content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head
}

/// A name or file name inside a quoted header parameter: quotes and line
/// breaks percent-encoded (the WHATWG form encoding browsers use).
fn escape(value: &str) -> String {
    value.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// A request body as the send loop sees it: bytes, or pieces some of which are
/// read from disk or from a stream at send time.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// The whole body in memory.
    Bytes(Bytes),
    /// Bytes, paths and streams, sent in order.
    Segments(Vec<Segment>),
}

/// A piece of a streamed body.
#[derive(Clone)]
pub(crate) enum Segment {
    Bytes(Bytes),
    /// A file read at send time; `part` names it in errors.
    Path {
        part: String,
        path: PathBuf,
    },
    /// A one-shot stream; `part` names it in errors.
    Stream {
        part: String,
        source: OneShot,
    },
}

impl fmt::Debug for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Segment::Path { part, path } => f.debug_struct("Path").field("part", part).field("path", path).finish(),
            Segment::Stream { part, .. } => f.debug_struct("Stream").field("part", part).finish_non_exhaustive(),
        }
    }
}

/// One piece of a body being sent.
enum Source {
    Bytes(Bytes),
    /// `remaining` is `None` for what is not a regular file (a pipe, a device):
    /// it is read to its end.
    File {
        file: tokio::fs::File,
        remaining: Option<u64>,
        path: PathBuf,
    },
    Stream(ByteStream),
}

impl Payload {
    /// The body of a single file (`application/octet-stream` uploads and the like).
    pub(crate) fn file(file: &File) -> Payload {
        match &file.data {
            Data::Bytes(bytes) => Payload::Bytes(bytes.clone()),
            Data::Path(path) => Payload::Segments(vec![Segment::Path { part: "body".to_owned(), path: path.clone() }]),
            Data::Stream(source) => {
                Payload::Segments(vec![Segment::Stream { part: "body".to_owned(), source: source.clone() }])
            }
        }
    }

    /// `false` when the body holds a stream, which can be sent once.
    pub(crate) fn can_resend(&self) -> bool {
        match self {
            Payload::Bytes(_) => true,
            Payload::Segments(segments) => !segments.iter().any(|s| matches!(s, Segment::Stream { .. })),
        }
    }

    /// The body for one attempt and its length when known. Paths are opened
    /// first (a missing file is an error before any stream is consumed), then
    /// streams are taken (one already sent is an error).
    pub(crate) async fn open(&self) -> Result<(reqwest::Body, Option<u64>), ValidationError> {
        let segments = match self {
            Payload::Bytes(bytes) => return Ok((reqwest::Body::from(bytes.clone()), Some(bytes.len() as u64))),
            Payload::Segments(segments) => segments,
        };
        let mut files = VecDeque::new();
        for segment in segments {
            if let Segment::Path { part, path } = segment {
                let cannot = |e: io::Error| {
                    ValidationError::new(part.as_str(), format!("cannot read `{}`: {e}", path.display()))
                };
                let file = tokio::fs::File::open(path).await.map_err(cannot)?;
                let metadata = file.metadata().await.map_err(cannot)?;
                let remaining = metadata.is_file().then_some(metadata.len());
                files.push_back(Source::File { file, remaining, path: path.clone() });
            }
        }
        let mut sources = VecDeque::with_capacity(segments.len());
        let mut length = Some(0u64);
        for segment in segments {
            let source = match segment {
                Segment::Bytes(bytes) => Source::Bytes(bytes.clone()),
                Segment::Path { .. } => match files.pop_front() {
                    Some(file) => file,
                    None => continue,
                },
                Segment::Stream { part, source } => Source::Stream(source.take().ok_or_else(|| {
                    ValidationError::new(part.as_str(), "this stream was already sent; a stream can be sent once")
                })?),
            };
            length = match (&source, length) {
                (Source::Bytes(bytes), Some(n)) => Some(n + bytes.len() as u64),
                (Source::File { remaining: Some(len), .. }, Some(n)) => Some(n + len),
                _ => None,
            };
            sources.push_back(source);
        }
        let body = futures_util::stream::unfold(sources, |mut sources| async move {
            let chunk = next_chunk(&mut sources).await?;
            if chunk.is_err() {
                sources.clear();
            }
            Some((chunk, sources))
        });
        Ok((reqwest::Body::wrap_stream(body), length))
    }
}

/// The next chunk of a streamed body; `None` at its end.
async fn next_chunk(sources: &mut VecDeque<Source>) -> Option<io::Result<Bytes>> {
    loop {
        match sources.front_mut()? {
            Source::Bytes(bytes) => {
                let bytes = std::mem::take(bytes);
                sources.pop_front();
                if !bytes.is_empty() {
                    return Some(Ok(bytes));
                }
            }
            Source::File { remaining: Some(0), .. } => {
                sources.pop_front();
            }
            Source::File { file, remaining, path } => {
                let mut buf = BytesMut::with_capacity(CHUNK);
                // A regular file is read up to the length announced in `Content-Length`, never past it.
                let read = match *remaining {
                    Some(left) => (&mut *file).take(left).read_buf(&mut buf).await,
                    None => file.read_buf(&mut buf).await,
                };
                match (read, remaining) {
                    (Ok(0), Some(_)) => {
                        let shorter = format!("`{}` became shorter while it was being sent", path.display());
                        return Some(Err(io::Error::new(io::ErrorKind::UnexpectedEof, shorter)));
                    }
                    (Ok(0), None) => {
                        sources.pop_front();
                    }
                    (Ok(n), remaining) => {
                        if let Some(left) = remaining {
                            *left = left.saturating_sub(n as u64);
                        }
                        return Some(Ok(buf.freeze()));
                    }
                    (Err(e), _) => return Some(Err(e)),
                }
            }
            Source::Stream(stream) => match stream.next().await {
                Some(chunk) => return Some(chunk),
                None => {
                    sources.pop_front();
                }
            },
        }
    }
}
