//! Streaming response bodies: raw bytes ([`ByteStream`]), newline-delimited JSON
//! ([`JsonLines`]) and server-sent events ([`EventStream`] of [`Event`]s); and connections
//! switched to the WebSocket protocol ([`Upgraded`]).
//!
//! A streaming call returns as soon as the response headers arrive; the body is read as the
//! stream is polled, so memory stays bounded whatever the size of the body.
//!
//! **Timeouts.** The call's per-attempt timeout covers the request until the headers arrive.
//! After that it becomes an *idle* timeout: if no bytes arrive for that long, the stream
//! yields an [`Error::Timeout`] and ends. A body that keeps flowing is never cut, however long
//! it takes. Raise the call's `.timeout(...)` for event streams that stay quiet for long.
//!
//! **Retries** happen only before a successful response starts streaming; a stream that fails
//! half-way yields the error and ends (nothing is replayed).
//!
//! **Limits.** NDJSON lines and server-sent events are held whole while they are parsed;
//! one longer than [`MAX_LINE`] bytes yields an error and ends the stream, so a server that
//! never sends a line break cannot exhaust memory.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::error::{ConnectionError, DecodeError, Error, TimeoutError};

/// The longest NDJSON line or server-sent event accepted (16 MiB).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// A response body as a stream of byte chunks (`Stream<Item = Result<Bytes, Error>>`).
///
/// Returned by `Call::send_stream` (on every call) and by operations that download files.
/// Read it with any stream combinator, or turn it into [`JsonLines`] ([`ByteStream::ndjson`])
/// or [`EventStream`] ([`ByteStream::sse`]). After the first error the stream ends.
///
/// Poll it with `futures_util::StreamExt::next` (or any stream combinator); it is `Send`,
/// `Sync` and `Unpin`.
pub struct ByteStream {
    // Behind a `Mutex` only so that `ByteStream` is `Sync` (and can feed an upload): it is
    // reached through `get_mut`, which never locks.
    state: Mutex<State>,
    status: Option<StatusCode>,
}

struct State {
    chunks: Chunks,
    idle: Option<Idle>,
    done: bool,
}

/// The idle timeout of a network body, with what its error reports.
struct Idle {
    timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    method: String,
    url: String,
}

impl ByteStream {
    /// A byte stream from any stream of chunks (e.g. a body received elsewhere, or test data).
    pub fn new<S>(chunks: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        ByteStream { state: Mutex::new(State { chunks: Box::pin(chunks), idle: None, done: false }), status: None }
    }

    /// A byte stream of one chunk.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        ByteStream::new(futures_util::stream::once(std::future::ready(Ok(bytes.into()))))
    }

    /// The body of a successful response. `url` must already be redacted.
    pub(super) fn from_response(
        response: reqwest::Response,
        idle_timeout: Duration,
        method: String,
        url: String,
    ) -> Self {
        let status = response.status();
        let (error_method, error_url) = (method.clone(), url.clone());
        let chunks = futures_util::StreamExt::map(response.bytes_stream(), move |chunk| {
            chunk.map_err(|e| {
                Error::Connection(ConnectionError::from_reqwest(e, 1, error_method.clone(), error_url.clone()))
            })
        });
        let idle = Idle { timeout: idle_timeout, sleep: Box::pin(tokio::time::sleep(idle_timeout)), method, url };
        ByteStream {
            state: Mutex::new(State { chunks: Box::pin(chunks), idle: Some(idle), done: false }),
            status: Some(status),
        }
    }

    /// The HTTP status of the response this body belongs to (`None` for [`ByteStream::new`]).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// Reads the whole body into memory.
    pub async fn collect_bytes(mut self) -> Result<Bytes, Error> {
        let mut out = BytesMut::new();
        while let Some(chunk) = futures_util::StreamExt::next(&mut self).await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// Parses the body as newline-delimited JSON, one `U` per line.
    pub fn ndjson<U: DeserializeOwned>(self) -> JsonLines<U> {
        JsonLines { lines: Lines::new(self), _marker: PhantomData }
    }

    /// Parses the body as server-sent events whose `data` is decoded as `U`
    /// (see [`EventStream`]).
    pub fn sse<U: DeserializeOwned + 'static>(self) -> EventStream<U> {
        EventStream {
            parser: SseParser::new(self),
            sentinel: Sentinel::DoneUnlessDecodable,
            reconnect: None,
            _marker: PhantomData,
        }
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream").field("status", &self.status).finish_non_exhaustive()
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let state = self.get_mut().state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if state.done {
            return Poll::Ready(None);
        }
        match state.chunks.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(idle) = &mut state.idle {
                    let deadline = tokio::time::Instant::now() + idle.timeout;
                    idle.sleep.as_mut().reset(deadline);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                state.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                state.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => {
                let Some(idle) = &mut state.idle else { return Poll::Pending };
                if idle.sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                state.done = true;
                let error = TimeoutError::new(idle.timeout, 1, idle.method.clone(), idle.url.clone());
                Poll::Ready(Some(Err(Error::Timeout(error))))
            }
        }
    }
}

/// Splits a byte stream into lines ending in LF, CRLF or (with `lone_cr`) a lone CR.
struct Lines {
    source: ByteStream,
    buf: BytesMut,
    /// How far `buf` has been searched for a line end.
    scanned: usize,
    /// Whether a lone CR ends a line (server-sent events) or is kept (NDJSON).
    lone_cr: bool,
    /// The last line ended in CR at the end of a chunk: an LF right after belongs to it.
    skip_lf: bool,
    finished: bool,
}

/// What [`Lines::poll_line`] found.
enum Line {
    /// A complete line, without its terminator.
    Complete(Bytes),
    /// Bytes after the last line end when the body ended (not empty).
    Tail(Bytes),
}

impl Lines {
    fn new(source: ByteStream) -> Self {
        Lines { source, buf: BytesMut::new(), scanned: 0, lone_cr: false, skip_lf: false, finished: false }
    }

    fn status(&self) -> Option<StatusCode> {
        self.source.status
    }

    /// The next line; `None` at the end of the body. An error ends the lines.
    fn poll_line(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Line, Error>>> {
        loop {
            if self.skip_lf && !self.buf.is_empty() {
                if self.buf[0] == b'\n' {
                    let _ = self.buf.split_to(1);
                }
                self.skip_lf = false;
            }
            if let Some(line) = self.take_line() {
                return Poll::Ready(Some(Ok(Line::Complete(line))));
            }
            if self.finished {
                return Poll::Ready(None);
            }
            if self.buf.len() > MAX_LINE {
                self.finish();
                let message = format!("a line of the response body is longer than {MAX_LINE} bytes");
                return Poll::Ready(Some(Err(self.error(message, &[]))));
            }
            match Pin::new(&mut self.source).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => self.buf.extend_from_slice(&chunk),
                Poll::Ready(Some(Err(e))) => {
                    self.finish();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    let tail = std::mem::take(&mut self.buf).freeze();
                    self.finish();
                    if tail.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Ok(Line::Tail(tail))));
                }
            }
        }
    }

    /// Takes a complete line from the buffer.
    fn take_line(&mut self) -> Option<Bytes> {
        let lone_cr = self.lone_cr;
        let found = self.buf[self.scanned..].iter().position(|&b| b == b'\n' || (lone_cr && b == b'\r'));
        let Some(offset) = found else {
            self.scanned = self.buf.len();
            return None;
        };
        let end = self.scanned + offset;
        self.scanned = 0;
        let mut line = self.buf.split_to(end + 1);
        let terminator = line[end];
        line.truncate(end);
        if terminator == b'\r' {
            match self.buf.first() {
                Some(b'\n') => {
                    let _ = self.buf.split_to(1);
                }
                Some(_) => {}
                None => self.skip_lf = true,
            }
        } else if line.last() == Some(&b'\r') {
            line.truncate(end - 1);
        }
        Some(line.freeze())
    }

    fn finish(&mut self) {
        self.finished = true;
        self.buf = BytesMut::new();
        self.scanned = 0;
    }

    fn error(&self, message: String, body: &[u8]) -> Error {
        let mut error = DecodeError::new(None, message, body);
        error.status = self.status();
        Error::Decode(error)
    }
}

/// A newline-delimited JSON body (`application/x-ndjson`, JSON Lines): a stream of `U`, one
/// per line, read lazily.
///
/// Lines may end in LF or CRLF; blank lines are skipped; a last line without a line break is
/// read too. A line that is not valid JSON for `U` yields an [`Error::Decode`] naming the JSON
/// path, and the stream goes on with the next line. A body cut inside a line (the connection
/// closed early) yields an error item, never silently a shorter list; so does a line longer
/// than [`MAX_LINE`]. Both end the stream.
pub struct JsonLines<U> {
    lines: Lines,
    _marker: PhantomData<fn() -> U>,
}

impl<U> fmt::Debug for JsonLines<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLines").field("status", &self.lines.status()).finish_non_exhaustive()
    }
}

impl<U: DeserializeOwned> Stream for JsonLines<U> {
    type Item = Result<U, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let lines = &mut self.get_mut().lines;
        loop {
            let (line, at_end) = match lines.poll_line(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(Line::Complete(line)))) => (line, false),
                Poll::Ready(Some(Ok(Line::Tail(line)))) => (line, true),
            };
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Poll::Ready(Some(match super::request::decode_json::<U>(&line, None) {
                Ok(value) => Ok(value),
                Err(mut error) => {
                    if at_end {
                        error.message = format!(
                            "the body ended inside a line (was the connection closed early?): {}",
                            error.message
                        );
                    }
                    error.status = lines.status();
                    Err(Error::Decode(error))
                }
            }));
        }
    }
}

/// One server-sent event.
///
/// `U` is the type of `data`: `String` keeps the raw text; any other type is decoded from
/// the data as JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event<U> {
    /// The `event:` field, `None` when absent (the spec's default type `message`).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`, decoded as `U`.
    pub data: U,
    /// The last event id: the latest `id:` field seen so far in the stream (it carries over
    /// to later events, as in the spec's `lastEventId`); `None` when unset or reset.
    pub id: Option<String>,
    /// A `retry:` field (reconnection time) received since the previous event, if any.
    pub retry: Option<Duration>,
}

/// A `text/event-stream` body parsed per the WHATWG HTML specification ("server-sent
/// events"): a stream of [`Event<U>`].
///
/// Handled: `data:` (several lines joined with `\n`), `event:`, `id:` (ignored when it holds
/// NUL), `retry:` (digits only), comments (lines starting with `:`), a field without a colon
/// (empty value), one optional space after the colon, CR, LF and CRLF line ends, a leading
/// byte-order mark, invalid UTF-8 (replaced). An event is dispatched on a blank line; one
/// without `data` is not dispatched; an unterminated event at the end of the body is
/// discarded, as the spec says.
///
/// Typed data: an event whose data does not decode as `U` yields an [`Error::Decode`] and
/// the stream goes on.
///
/// End-of-stream sentinels: OpenAI-style streams (Workers AI among them) end with a
/// `data: [DONE]` event. By default such an event ends the stream quietly when its data does
/// not decode as `U` (so a typed or `serde_json::Value` stream stops there, and a `String`
/// stream yields it like any other event). The caller decides otherwise with
/// [`EventStream::stop_at`] (end at an event whose data is exactly a given text, whatever
/// `U`) or [`EventStream::no_sentinel`] (no special case: `[DONE]` is then a decode error
/// for a typed stream).
///
/// Reconnecting is opt-in (`Call::events_resuming`): when the connection drops while events
/// stream (a connection error or the idle timeout), the request is sent again, after the
/// reconnection time (the server's latest `retry:`, at most [`MAX_RECONNECTION_TIME`]; else
/// [`DEFAULT_RECONNECTION_TIME`]), with a `Last-Event-ID` header when an id was seen, at most
/// the number of times the caller allowed; the events continue as if nothing happened. A body
/// that ends cleanly, an error status or a failed reconnection ends the stream (the last two
/// with their error). Otherwise, when the connection drops, the stream yields the error and
/// ends; to resume by hand, send the call again with a `Last-Event-ID` header set from
/// [`EventStream::last_event_id`] (honouring [`EventStream::reconnection_time`]).
pub struct EventStream<U> {
    parser: SseParser,
    sentinel: Sentinel,
    // Behind a `Mutex` only so that `EventStream` stays `Sync`: reached through `get_mut`.
    reconnect: Option<Mutex<Reconnect>>,
    _marker: PhantomData<fn() -> U>,
}

/// The reconnection time until the server sets one with `retry:` (1 s).
pub const DEFAULT_RECONNECTION_TIME: Duration = Duration::from_secs(1);

/// The longest reconnection time a server's `retry:` can impose (60 s).
pub const MAX_RECONNECTION_TIME: Duration = Duration::from_secs(60);

/// A request sent again: the body of its (successful) answer.
pub(super) type Reconnection = Pin<Box<dyn Future<Output = Result<ByteStream, Error>> + Send>>;

/// Sends the request again, with the last event id seen (if any).
pub(super) type Connect = Box<dyn Fn(Option<String>) -> Reconnection + Send + Sync>;

/// What an [`EventStream`] needs to reconnect.
struct Reconnect {
    connect: Connect,
    /// Reconnections left.
    remaining: u32,
    /// The reconnection under way (waiting for the reconnection time, then for the answer).
    pending: Option<Reconnection>,
}

/// Which event data ends an [`EventStream`] without being yielded.
#[derive(Debug, Clone)]
enum Sentinel {
    /// `[DONE]`, when it does not decode as the stream's type (the default).
    DoneUnlessDecodable,
    /// Exactly this data, whatever the stream's type.
    Exactly(String),
    /// Nothing: every event is yielded.
    Nothing,
}

/// The data that ends OpenAI-style event streams.
const DONE: &str = "[DONE]";

impl<U> EventStream<U> {
    /// Ends the stream, quietly, at the first event whose data is exactly `data` (compared
    /// before decoding, so it works for any `U`, `String` included): e.g. `stop_at("[DONE]")`.
    /// Replaces the default `[DONE]` rule (see [`EventStream`]).
    pub fn stop_at(mut self, data: impl Into<String>) -> Self {
        self.sentinel = Sentinel::Exactly(data.into());
        self
    }

    /// Reconnects with `connect` when the connection drops, at most `max_reconnects` times.
    pub(super) fn with_reconnect(mut self, connect: Connect, max_reconnects: u32) -> Self {
        if max_reconnects > 0 {
            self.reconnect = Some(Mutex::new(Reconnect { connect, remaining: max_reconnects, pending: None }));
        }
        self
    }

    /// Starts a reconnection after `error` if it is a dropped connection and any are left.
    fn start_reconnect(&mut self, error: &Error) -> bool {
        let Some(reconnect) = &mut self.reconnect else { return false };
        let reconnect = reconnect.get_mut().unwrap_or_else(PoisonError::into_inner);
        if reconnect.remaining == 0 || !(error.is_connection() || error.is_timeout()) {
            return false;
        }
        reconnect.remaining -= 1;
        let delay = self.parser.reconnection.map_or(DEFAULT_RECONNECTION_TIME, |d| d.min(MAX_RECONNECTION_TIME));
        let last_id = (!self.parser.last_id.is_empty()).then(|| self.parser.last_id.clone());
        let answer = (reconnect.connect)(last_id);
        reconnect.pending = Some(Box::pin(async move {
            tokio::time::sleep(delay).await;
            answer.await
        }));
        true
    }

    /// Polls the reconnection under way: `Ready(Ok)` once the events flow again (or when
    /// there is none), `Ready(Err)` when it failed.
    fn poll_reconnect(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let Some(reconnect) = &mut self.reconnect else { return Poll::Ready(Ok(())) };
        let reconnect = reconnect.get_mut().unwrap_or_else(PoisonError::into_inner);
        let Some(pending) = &mut reconnect.pending else { return Poll::Ready(Ok(())) };
        let result = std::task::ready!(pending.as_mut().poll(cx));
        reconnect.pending = None;
        Poll::Ready(match result {
            Ok(body) => {
                self.parser.restart(body);
                Ok(())
            }
            Err(error) => {
                reconnect.remaining = 0;
                Err(error)
            }
        })
    }

    /// Yields every event, `[DONE]` included (as a decode error when it does not decode as
    /// `U`): the stream ends only when the body does.
    pub fn no_sentinel(mut self) -> Self {
        self.sentinel = Sentinel::Nothing;
        self
    }

    /// The last event id seen so far (to resume with a `Last-Event-ID` header).
    pub fn last_event_id(&self) -> Option<&str> {
        (!self.parser.last_id.is_empty()).then_some(self.parser.last_id.as_str())
    }

    /// The reconnection time most recently set by the server with `retry:`.
    pub fn reconnection_time(&self) -> Option<Duration> {
        self.parser.reconnection
    }
}

impl<U> fmt::Debug for EventStream<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.parser.lines.status())
            .field("last_event_id", &self.last_event_id())
            .finish_non_exhaustive()
    }
}

/// An event's fields as text, before `data` is decoded.
struct RawEvent {
    event: Option<String>,
    data: String,
    id: Option<String>,
    retry: Option<Duration>,
}

/// The spec's parsing state: buffers of the event being received, and the stream's own.
struct SseParser {
    lines: Lines,
    at_start: bool,
    data: String,
    event: String,
    last_id: String,
    /// A `retry:` received since the last dispatched event.
    pending_retry: Option<Duration>,
    reconnection: Option<Duration>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    fn new(source: ByteStream) -> Self {
        let mut lines = Lines::new(source);
        lines.lone_cr = true;
        SseParser {
            lines,
            at_start: true,
            data: String::new(),
            event: String::new(),
            last_id: String::new(),
            pending_retry: None,
            reconnection: None,
        }
    }

    /// Reads a new connection's body: the event being received is discarded; the last event
    /// id and the reconnection time carry over.
    fn restart(&mut self, source: ByteStream) {
        let mut lines = Lines::new(source);
        lines.lone_cr = true;
        self.lines = lines;
        self.at_start = true;
        self.data.clear();
        self.event.clear();
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RawEvent, Error>>> {
        loop {
            let line = match self.lines.poll_line(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                // The end of the body: a pending event is discarded.
                Poll::Ready(None) | Poll::Ready(Some(Ok(Line::Tail(_)))) => return Poll::Ready(None),
                Poll::Ready(Some(Ok(Line::Complete(line)))) => line,
            };
            let mut line: &[u8] = &line;
            if self.at_start {
                self.at_start = false;
                line = line.strip_prefix(BOM).unwrap_or(line);
            }
            if line.is_empty() {
                if let Some(event) = self.dispatch() {
                    return Poll::Ready(Some(Ok(event)));
                }
                continue;
            }
            self.field(&String::from_utf8_lossy(line));
            if self.data.len() > MAX_LINE {
                self.lines.finish();
                let message = format!("a server-sent event is longer than {MAX_LINE} bytes");
                return Poll::Ready(Some(Err(self.lines.error(message, &[]))));
            }
        }
    }

    /// Processes one non-empty line.
    fn field(&mut self, line: &str) {
        if line.starts_with(':') {
            return; // a comment
        }
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match name {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.last_id),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Digits only, so parsing fails only on overflow: saturate.
                let millis = value.parse::<u64>().unwrap_or(u64::MAX);
                self.pending_retry = Some(Duration::from_millis(millis));
                self.reconnection = self.pending_retry;
            }
            _ => {}
        }
    }

    /// A blank line: the event received so far, unless it has no data.
    fn dispatch(&mut self) -> Option<RawEvent> {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the final `\n`
        Some(RawEvent {
            event: (!event.is_empty()).then_some(event),
            data,
            id: (!self.last_id.is_empty()).then(|| self.last_id.clone()),
            retry: self.pending_retry.take(),
        })
    }
}

impl<U: DeserializeOwned + 'static> Stream for EventStream<U> {
    type Item = Result<Event<U>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let raw = loop {
            if let Err(error) = std::task::ready!(this.poll_reconnect(cx)) {
                this.parser.lines.finish();
                return Poll::Ready(Some(Err(error)));
            }
            match this.parser.poll_event(cx) {
                Poll::Ready(Some(Ok(raw))) => break raw,
                Poll::Ready(Some(Err(e))) if this.start_reconnect(&e) => continue,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        };
        let parser = &mut this.parser;
        if matches!(&this.sentinel, Sentinel::Exactly(sentinel) if *sentinel == raw.data) {
            parser.lines.finish();
            return Poll::Ready(None);
        }
        let data = match decode_data::<U>(&raw.data) {
            Ok(data) => data,
            Err(_) if matches!(this.sentinel, Sentinel::DoneUnlessDecodable) && raw.data == DONE => {
                parser.lines.finish();
                return Poll::Ready(None);
            }
            Err(mut error) => {
                error.status = parser.lines.status();
                return Poll::Ready(Some(Err(Error::Decode(error))));
            }
        };
        Poll::Ready(Some(Ok(Event { event: raw.event, data, id: raw.id, retry: raw.retry })))
    }
}

/// An event's data as `U`: the text itself for `String`, JSON for anything else.
fn decode_data<U: DeserializeOwned + 'static>(data: &str) -> Result<U, DecodeError> {
    if std::any::TypeId::of::<U>() == std::any::TypeId::of::<String>() {
        let text = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(data);
        return U::deserialize(text).map_err(|e| DecodeError::new(None, e.to_string(), data.as_bytes()));
    }
    super::request::decode_json::<U>(&Bytes::copy_from_slice(data.as_bytes()), None)
}

/// A connection switched to the WebSocket protocol: what an operation that opens a WebSocket
/// returns once the server answers `101 Switching Protocols`.
///
/// The call sent RFC 6455's opening handshake (`Upgrade: websocket`, a fresh
/// `Sec-WebSocket-Key`, version 13) with the operation's credentials, parameters and headers,
/// over HTTP/1.1. The connection reads and writes raw bytes ([`tokio::io::AsyncRead`] and
/// [`tokio::io::AsyncWrite`]): hand it to a WebSocket library to speak the protocol, e.g.
/// `tokio_tungstenite::WebSocketStream::from_raw_socket(connection, Role::Client, None)`.
/// The `Sec-WebSocket-Accept` answer is not checked here; the response's headers are in the
/// call's [`ApiResponse`](super::response::ApiResponse) (`send_raw`).
pub struct Upgraded {
    io: reqwest::Upgraded,
}

impl Upgraded {
    pub(crate) fn new(io: reqwest::Upgraded) -> Self {
        Upgraded { io }
    }
}

impl fmt::Debug for Upgraded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upgraded").finish_non_exhaustive()
    }
}

impl tokio::io::AsyncRead for Upgraded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Upgraded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
