//! Lists that span several responses: the [`ListCall`] returned by generated list methods,
//! the [`Page`] it gives, and the static [`Pagination`] that says how an operation pages.
//!
//! A list call fetches its first page when awaited. From there, [`Page::next_page`] fetches
//! the following one, and [`ListCall::items`] / [`ListCall::pages`] give streams that fetch
//! pages lazily, one request at a time, as the stream is polled.
//!
//! Every following request repeats the first one (path, query, headers, per-call options,
//! credentials, retries) with only the paging parameter changed; for a next-page URL taken
//! from the body or from a `Link` header, that URL replaces the path and query instead.
//!
//! A listing ends when:
//! - a page is empty (except for a [`Shape::Cursor`] whose `has_more` says `true`);
//! - the body says so: no next cursor or URL, `has_more: false`, or the total number of
//!   pages or items is reached (the last page is not followed by a request for an empty one);
//! - for [`Shape::PageNumber`] without totals in the body: a page holds fewer items than the
//!   page size the caller asked for;
//! - the server hands back a cursor, item id or URL already requested, or the same body as the
//!   page before (a server that ignores the paging parameter): a listing never loops;
//! - the page limit set with [`ListCall::max_pages`] is reached (by default there is none).
//!
//! A next-page URL must have the base URL's origin (scheme, host and port): credentials are
//! never sent anywhere else. Another origin is a [`ConfigError`], returned by the request for
//! that page, after the items of the pages before it.

use std::collections::HashSet;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use reqwest::header::HeaderMap;
use reqwest::Url;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::client::Client;
use super::error::{ConfigError, Error};
use super::request::{decode_json_seed, request_url, Call, Decoder, OperationSpec, RequestOptions, RequestParts};
use super::response::ApiResponse;

/// How a list operation pages; one `static` per generated list method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// Path of the array holding the items, from the top of the body: `&["result"]`, or one
    /// object down (`&["result", "reports"]`); empty when the body is the array itself. The
    /// other fields of an object on the way stay in [`Page::meta`] (`meta()["result"]` holds
    /// the fields of `result` other than `reports`).
    pub items: &'static [&'static str],
    /// How the next page is requested and when the listing ends.
    pub shape: Shape,
}

/// The ways of asking for the next page. A path such as `&["result_info", "cursor"]` names a
/// value by its object keys from the top of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A page number in query parameter `page` (absent means page 1), increased by one per
    /// page; `size` is the page-size parameter. The listing ends at `total_pages`, or once
    /// `total_count` items were received; without either in the body, a page shorter than
    /// the size the caller asked for is the last.
    PageNumber {
        /// Page-number query parameter (`page`).
        page: &'static str,
        /// Page-size query parameter (`per_page`), if the operation has one.
        size: Option<&'static str>,
        /// Path of the number of pages (`["result_info", "total_pages"]`).
        total_pages: Option<&'static [&'static str]>,
        /// Path of the number of items (`["result_info", "total_count"]`).
        total_count: Option<&'static [&'static str]>,
    },
    /// An item offset in query parameter `offset` (absent means 0), advanced by the number
    /// of items received; the listing ends once the offset reaches `total_count`.
    Offset {
        /// Offset query parameter.
        offset: &'static str,
        /// Page-size query parameter, if the operation has one (informational).
        limit: Option<&'static str>,
        /// Path of the number of items.
        total_count: Option<&'static [&'static str]>,
    },
    /// An opaque cursor read from the body at `next` and sent back in query parameter
    /// `param`. The listing ends when the cursor is absent, `null` or empty, or `has_more`
    /// is `false`.
    Cursor {
        /// Cursor query parameter (`cursor`).
        param: &'static str,
        /// Path of the next cursor (`["result_info", "cursor"]`).
        next: &'static [&'static str],
        /// Path of a boolean saying whether more items follow, if the API has one.
        has_more: Option<&'static [&'static str]>,
    },
    /// The id of the last item sent in query parameter `param` (Stripe's `starting_after`).
    /// With a `has_more` path, the listing ends unless it is `true`.
    AfterLastItem {
        /// Query parameter taking the last id (`starting_after`).
        param: &'static str,
        /// The items' id field (`id`).
        id_field: &'static str,
        /// Path of the boolean saying whether more items follow (`["has_more"]`).
        has_more: Option<&'static [&'static str]>,
    },
    /// The URL of the next page, read from the body at `next`: absolute, or relative to the
    /// request (a path starting with `/` that does not start with the base URL's own path
    /// is taken under the base URL, as operation paths are).
    NextUrl {
        /// Path of the next page's URL.
        next: &'static [&'static str],
    },
    /// The `rel="next"` link of the RFC 8288 `Link` response header (GitHub).
    LinkHeader,
}

/// A pending list call: `.await` it for the first [`Page`], or stream every item with
/// [`ListCall::items`]. Returned by generated list methods.
#[must_use = "a ListCall does nothing until it is awaited or streamed"]
pub struct ListCall<'a, T> {
    client: &'a Client,
    op: &'static OperationSpec,
    parts: RequestParts,
    options: RequestOptions,
    pagination: &'static Pagination,
    max_pages: Option<u32>,
    _item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ListCall<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListCall")
            .field("operation_id", &self.op.operation_id)
            .field("path", &self.parts.path_str())
            .field("shape", &self.pagination.shape)
            .field("max_pages", &self.max_pages)
            .finish_non_exhaustive()
    }
}

impl<'a, T> ListCall<'a, T>
where
    T: DeserializeOwned + Send + 'a,
{
    /// Creates a list call (used by generated code).
    #[doc(hidden)]
    pub fn new(
        client: &'a Client,
        op: &'static OperationSpec,
        parts: RequestParts,
        pagination: &'static Pagination,
    ) -> Self {
        ListCall {
            client,
            op,
            parts,
            options: RequestOptions::default(),
            pagination,
            max_pages: None,
            _item: PhantomData,
        }
    }

    /// Per-attempt timeout for each page request.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.options.timeout = Some(d);
        self
    }

    /// Retries for each page request.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.max_retries = Some(n);
        self
    }

    /// Extra header for every page request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.push((name.into(), value.into()));
        self
    }

    /// Extra query parameter for the first page request; following requests keep it, except
    /// when the server gives the next page's URL (which then says what is sent).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.query.push((name.into(), value.into()));
        self
    }

    /// Applies a set of options to every page request (later values win).
    pub fn options(mut self, o: RequestOptions) -> Self {
        self.options = self.options.merged(o);
        self
    }

    /// Fetches at most `n` pages, the first included (`0` counts as 1). By default there is
    /// no limit: a stream goes on until the listing ends. [`Page::next_page`] returns
    /// `Ok(None)` past the limit.
    pub fn max_pages(mut self, n: u32) -> Self {
        self.max_pages = Some(n.max(1));
        self
    }

    /// Fetches the first page.
    pub async fn send(self) -> Result<Page<'a, T>, Error> {
        let request = self.start();
        let response = request.call().send_raw().await?;
        let body = fingerprint(&response.body);
        request.into_page(response, body)
    }

    /// Every item of every page, fetching pages as the stream is polled. An error (on any
    /// page) is the stream's last item; the items of the pages before it come first.
    pub fn items(self) -> impl Stream<Item = Result<T, Error>> + Send + Unpin + 'a {
        /// Where the item stream stands.
        enum State<'a, T> {
            /// The next page is to be requested.
            Fetch(Box<PageRequest<'a>>),
            /// Items of the current page are left, then `Next`.
            Items(std::vec::IntoIter<T>, Next<'a>),
            /// The stream has ended.
            Done,
        }
        let first = Box::new(self.start());
        Box::pin(futures_util::stream::unfold(State::Fetch(first), |mut state| async move {
            loop {
                state = match state {
                    State::Fetch(request) => match request.fetch::<T>().await {
                        Ok(Some(page)) => State::Items(page.items.into_iter(), page.next),
                        Ok(None) => return None,
                        Err(e) => return Some((Err(e), State::Done)),
                    },
                    State::Items(mut items, next) => match items.next() {
                        Some(item) => return Some((Ok(item), State::Items(items, next))),
                        None => match next {
                            Next::Request(request) => State::Fetch(request),
                            Next::Refused(e) => return Some((Err(e.into()), State::Done)),
                            Next::End => return None,
                        },
                    },
                    State::Done => return None,
                }
            }
        }))
    }

    /// Every page, fetched as the stream is polled. An error is the stream's last item.
    pub fn pages(self) -> impl Stream<Item = Result<Page<'a, T>, Error>> + Send + Unpin + 'a {
        let first = Next::Request(Box::new(self.start()));
        Box::pin(futures_util::stream::unfold(first, |next| async move {
            let request = match next {
                Next::Request(request) => request,
                Next::Refused(e) => return Some((Err(e.into()), Next::End)),
                Next::End => return None,
            };
            match request.fetch::<T>().await {
                Ok(Some(page)) => {
                    let following = page.next.clone();
                    Some((Ok(page), following))
                }
                Ok(None) => None,
                Err(e) => Some((Err(e), Next::End)),
            }
        }))
    }

    /// The request for the first page. What the caller already put in the paging parameter
    /// (or the first URL) counts as requested, so a server sending it back ends the listing.
    fn start(self) -> PageRequest<'a> {
        let mut request = PageRequest {
            client: self.client,
            op: self.op,
            pagination: self.pagination,
            parts: self.parts,
            options: self.options,
            max_pages: self.max_pages,
            pages_before: 0,
            items_before: 0,
            sent: Arc::default(),
            previous_body: None,
        };
        let first = match self.pagination.shape {
            Shape::Cursor { param, .. } | Shape::AfterLastItem { param, .. } => request.param(param).map(str::to_owned),
            Shape::NextUrl { .. } | Shape::LinkHeader => request.target().ok().map(String::from),
            Shape::PageNumber { .. } | Shape::Offset { .. } => None,
        };
        if let Some(first) = first {
            Arc::make_mut(&mut request.sent).insert(first);
        }
        request
    }
}

impl<'a, T> IntoFuture for ListCall<'a, T>
where
    T: DeserializeOwned + Send + 'a,
{
    type Output = Result<Page<'a, T>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// One page of a list: its items, the body's other top-level fields, the response headers,
/// and what it takes to fetch the next page.
pub struct Page<'a, T> {
    items: Vec<T>,
    meta: Map<String, Value>,
    headers: HeaderMap,
    next: Next<'a>,
}

impl<T: fmt::Debug> fmt::Debug for Page<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("items", &self.items)
            .field("meta", &self.meta)
            .field("has_next_page", &self.has_next_page())
            .finish_non_exhaustive()
    }
}

impl<'a, T> Page<'a, T> {
    /// The items of this page.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The items of this page, by value.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// The body's top-level fields other than the items (e.g. `result_info`, `messages`),
    /// as JSON; empty when the body is the array itself.
    pub fn meta(&self) -> &Map<String, Value> {
        &self.meta
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether [`Page::next_page`] would make a request. That page may still turn out empty
    /// when the body gives no totals.
    pub fn has_next_page(&self) -> bool {
        !matches!(self.next, Next::End)
    }

    /// Fetches the next page; `Ok(None)` once the listing has ended. This page is left as
    /// it is, so calling it twice requests the same page twice.
    pub fn next_page(&self) -> impl Future<Output = Result<Option<Page<'a, T>>, Error>> + Send + 'a
    where
        T: DeserializeOwned + Send + 'a,
    {
        let next = self.next.clone();
        async move {
            match next {
                Next::Request(request) => request.fetch().await,
                Next::Refused(e) => Err(e.into()),
                Next::End => Ok(None),
            }
        }
    }
}

impl<'a, T> IntoIterator for Page<'a, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// What follows a page.
#[derive(Clone)]
enum Next<'a> {
    /// The request for the next page.
    Request(Box<PageRequest<'a>>),
    /// The server named a next page that must not be requested (another origin).
    Refused(ConfigError),
    /// The listing has ended.
    End,
}

/// The request for one page, with what is remembered from the pages before it.
#[derive(Clone)]
struct PageRequest<'a> {
    client: &'a Client,
    op: &'static OperationSpec,
    pagination: &'static Pagination,
    parts: RequestParts,
    options: RequestOptions,
    max_pages: Option<u32>,
    /// Pages received before this one.
    pages_before: u32,
    /// Items received before this one.
    items_before: u64,
    /// Cursors, item ids or URLs already requested. Shared between the copies a page and a
    /// stream keep, and copied only when they go different ways.
    sent: Arc<HashSet<String>>,
    /// Fingerprint of the previous page's body.
    previous_body: Option<u64>,
}

/// What a received page says about the next one.
struct Received<'r> {
    count: usize,
    meta: &'r Map<String, Value>,
    headers: &'r HeaderMap,
    last_id: Option<String>,
    /// Fingerprint of the body.
    body: u64,
}

impl<'a> PageRequest<'a> {
    /// The call for this page; its body is decoded here, as a page.
    fn call(&self) -> Call<'a, Bytes> {
        Call::new(self.client, self.op, self.parts.clone(), Decoder::bytes()).options(self.options.clone())
    }

    /// Requests this page; `Ok(None)` when the server answers with the previous page's body
    /// again (it ignores the paging parameter, and the listing ends).
    async fn fetch<T: DeserializeOwned>(self) -> Result<Option<Page<'a, T>>, Error> {
        let response = self.call().send_raw().await?;
        let body = fingerprint(&response.body);
        if self.previous_body == Some(body) {
            return Ok(None);
        }
        self.into_page(response, body).map(Some)
    }

    /// Decodes a response (whose body has fingerprint `body`) into a page and plans the
    /// request after it.
    fn into_page<T: DeserializeOwned>(self, response: ApiResponse<Bytes>, body: u64) -> Result<Page<'a, T>, Error> {
        let items_path = self.pagination.items;
        let (items, meta) = decode_json_seed(&response.body, PageSeed::<T>::new(items_path)).map_err(|mut e| {
            e.status = Some(response.status);
            e.request_id = response.request_id().map(str::to_owned);
            Error::Decode(e)
        })?;
        let last_id = match self.pagination.shape {
            Shape::AfterLastItem { id_field, .. } => last_item_id(&response.body, items_path, id_field),
            _ => None,
        };
        let received = Received { count: items.len(), meta: &meta, headers: &response.headers, last_id, body };
        let next = self.plan(received);
        Ok(Page { items, meta, headers: response.headers, next })
    }

    /// Turns this request into the one for the page after `page`, or says why there is none.
    fn plan(mut self, page: Received<'_>) -> Next<'a> {
        let pages = self.pages_before + 1;
        if self.max_pages.is_some_and(|max| pages >= max) {
            return Next::End;
        }
        let items_seen = self.items_before + page.count as u64;
        let empty = page.count == 0;
        let more = match self.pagination.shape {
            Shape::PageNumber { page: param, size, total_pages, total_count } => {
                !empty && self.next_page_number(param, size, total_pages, total_count, &page, items_seen)
            }
            Shape::Offset { offset, limit: _, total_count } => !empty && self.next_offset(offset, total_count, &page),
            Shape::Cursor { param, next, has_more } => {
                let has_more = has_more.and_then(|path| value_at(page.meta, path)).and_then(Value::as_bool);
                has_more != Some(false)
                    && (!empty || has_more == Some(true))
                    && text_at(page.meta, next).is_some_and(|cursor| self.send_token(param, cursor))
            }
            Shape::AfterLastItem { param, id_field: _, has_more } => {
                !empty
                    && has_more.is_none_or(|path| value_at(page.meta, path).and_then(Value::as_bool) == Some(true))
                    && page.last_id.is_some_and(|id| self.send_token(param, id))
            }
            Shape::NextUrl { .. } | Shape::LinkHeader => {
                let link = match self.pagination.shape {
                    Shape::NextUrl { next } => text_at(page.meta, next),
                    _ => next_link(page.headers),
                };
                match link.filter(|_| !empty).map(|link| self.follow(&link)) {
                    Some(Ok(more)) => more,
                    Some(Err(e)) => return Next::Refused(e),
                    None => false,
                }
            }
        };
        if !more {
            return Next::End;
        }
        self.pages_before = pages;
        self.items_before = items_seen;
        self.previous_body = Some(page.body);
        Next::Request(Box::new(self))
    }

    /// Moves to the next page number unless this page was the last.
    fn next_page_number(
        &mut self,
        param: &str,
        size: Option<&str>,
        total_pages: Option<&[&str]>,
        total_count: Option<&[&str]>,
        page: &Received<'_>,
        items_seen: u64,
    ) -> bool {
        // A page number the caller set that is not a number: nothing to count from.
        let Some(current) = self.param(param).map_or(Some(1), |v| v.trim().parse::<u64>().ok()) else {
            return false;
        };
        let total_pages = total_pages.and_then(|path| count_at(page.meta, path));
        let total_count = total_count.and_then(|path| count_at(page.meta, path));
        if total_pages.is_some_and(|total| current >= total) || total_count.is_some_and(|total| items_seen >= total) {
            return false;
        }
        // Without totals, a short page is the last one. (With totals, they decide: a server
        // may cap the page size below what was asked.)
        if total_pages.is_none() && total_count.is_none() {
            let asked = size.and_then(|size| self.param(size)).and_then(|v| v.trim().parse::<u64>().ok());
            if asked.is_some_and(|asked| (page.count as u64) < asked) {
                return false;
            }
        }
        self.set_param(param, (current + 1).to_string());
        true
    }

    /// Moves the offset past this page's items unless the total is reached.
    fn next_offset(&mut self, param: &str, total_count: Option<&[&str]>, page: &Received<'_>) -> bool {
        let Some(current) = self.param(param).map_or(Some(0), |v| v.trim().parse::<u64>().ok()) else {
            return false;
        };
        let next = current + page.count as u64;
        if total_count.and_then(|path| count_at(page.meta, path)).is_some_and(|total| next >= total) {
            return false;
        }
        self.set_param(param, next.to_string());
        true
    }

    /// Sends `token` (a cursor or an item id) in `param` unless it was sent before.
    fn send_token(&mut self, param: &str, token: String) -> bool {
        if self.sent.contains(&token) {
            return false;
        }
        Arc::make_mut(&mut self.sent).insert(token.clone());
        self.set_param(param, token);
        true
    }

    /// Points this request at the next page's `link` (see [`Shape::NextUrl`] for how it is
    /// resolved); `Ok(false)` when that URL was requested before.
    fn follow(&mut self, link: &str) -> Result<bool, ConfigError> {
        let base = &self.client.config().base_url;
        let mut url = resolve_link(base, &self.target()?, link)?;
        url.set_fragment(None);
        if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
            // Name the URL without any user name or password in it.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            return Err(ConfigError::new(format!(
                "the next page's URL `{url}` is not on the API's origin `{}`; it was not requested, \
                 so that credentials are not sent there",
                base.origin().ascii_serialization()
            )));
        }
        if !Arc::make_mut(&mut self.sent).insert(url.to_string()) {
            return Ok(false);
        }
        self.parts.set_absolute_url(&url);
        self.options.query.clear();
        Ok(true)
    }

    /// The value of query parameter `name` this request sends (a per-call value first).
    fn param(&self, name: &str) -> Option<&str> {
        self.options
            .query
            .iter()
            .rev()
            .chain(self.parts.query_pairs().iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets query parameter `name` to `value`, replacing every value it had.
    fn set_param(&mut self, name: &str, value: String) {
        self.options.query.retain(|(n, _)| n != name);
        self.parts.set_query(name, value);
    }

    /// The URL this request goes to, without credentials.
    fn target(&self) -> Result<Url, ConfigError> {
        let mut url = request_url(&self.client.config().base_url, self.parts.path_str())?;
        let query = self.parts.query_pairs().iter().chain(&self.options.query);
        if query.clone().next().is_some() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }
}

/// Resolves a next-page link: absolute, relative to the request (RFC 3986), or, for a path
/// starting with `/` outside the base URL's own path, under the base URL.
fn resolve_link(base: &Url, current: &Url, link: &str) -> Result<Url, ConfigError> {
    let link = link.trim();
    let prefix = base.path().trim_end_matches('/');
    let under_prefix =
        link.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    if link.starts_with('/') && !link.starts_with("//") && !under_prefix {
        return request_url(base, link);
    }
    current.join(link).map_err(|e| ConfigError::new(format!("invalid next page URL `{link}`: {e}")))
}

/// The value at `path` (object keys from the top of the body).
fn value_at<'v>(meta: &'v Map<String, Value>, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(meta.get(*first)?, |value, key| value.get(key))
}

/// A cursor, id or URL at `path`: a non-empty string, or a number as text.
fn text_at(meta: &Map<String, Value>, path: &[&str]) -> Option<String> {
    token(value_at(meta, path)?)
}

fn token(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A count at `path`: a non-negative whole number, or a string holding one.
fn count_at(meta: &Map<String, Value>, path: &[&str]) -> Option<u64> {
    match value_at(meta, path)? {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn fingerprint(body: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    hasher.finish()
}

/// Decodes a page body in one pass: the items straight into `Vec<T>`, every other field into
/// the meta map (an object on the path to the items keeps its other fields there, under its
/// own key). A `null` or absent items field, or a `null` object on the way, is an empty page.
struct PageSeed<T> {
    items: &'static [&'static str],
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for PageSeed<T> {
    fn clone(&self) -> Self {
        PageSeed::new(self.items)
    }
}

impl<T> PageSeed<T> {
    fn new(items: &'static [&'static str]) -> Self {
        PageSeed { items, _item: PhantomData }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for PageSeed<T> {
    type Value = (Vec<T>, Map<String, Value>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        match self.items {
            [] => Ok((Vec::deserialize(deserializer)?, Map::new())),
            _ => deserializer.deserialize_map(self),
        }
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PageSeed<T> {
    type Value = (Vec<T>, Map<String, Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object with the items in `{}`", self.items.join("."))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((first, rest)) = self.items.split_first() else { return Ok((Vec::new(), Map::new())) };
        let mut items = None;
        let mut meta = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if items.is_some() || key != *first {
                let value = map.next_value()?;
                meta.insert(key, value);
            } else if rest.is_empty() {
                items = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
            } else {
                let nested = map.next_value_seed(NestedPage(PageSeed::<T>::new(rest)))?;
                let (found, others) = nested.unwrap_or_default();
                items = Some(found);
                meta.insert(key, Value::Object(others));
            }
        }
        Ok((items.unwrap_or_default(), meta))
    }
}

/// An object on the path to the items, which may be `null`.
struct NestedPage<T>(PageSeed<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for NestedPage<T> {
    type Value = Option<(Vec<T>, Map<String, Value>)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for NestedPage<T> {
    type Value = Option<(Vec<T>, Map<String, Value>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// The id of the last item, read in a second pass over the body that builds nothing but
/// that id: everything else is skipped without allocating. (Decoding `T` is not repeated.)
fn last_item_id(body: &[u8], items: &'static [&'static str], id_field: &'static str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    LastId { items, id_field }.deserialize(&mut de).ok().flatten()
}

/// Finds the item array (at path `items`, or the whole body) and the last item's id.
#[derive(Clone, Copy)]
struct LastId {
    items: &'static [&'static str],
    id_field: &'static str,
}

impl<'de> DeserializeSeed<'de> for LastId {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        match self.items {
            [] => deserializer.deserialize_seq(self),
            _ => deserializer.deserialize_map(self),
        }
    }
}

impl<'de> Visitor<'de> for LastId {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((first, rest)) = self.items.split_first() else { return Ok(None) };
        let mut last = None;
        while let Some(is_items) = map.next_key_seed(KeyIs(Some(*first)))? {
            if is_items {
                last = map.next_value_seed(LastId { items: rest, ..self })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(last)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut last = None;
        while let Some(id) = seq.next_element_seed(ItemId(self.id_field))? {
            last = id;
        }
        Ok(last)
    }
}

/// The id field of one item (an object), as text.
struct ItemId(&'static str);

impl<'de> DeserializeSeed<'de> for ItemId {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ItemId {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with field `{}`", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id = None;
        while let Some(is_id) = map.next_key_seed(KeyIs(Some(self.0)))? {
            if is_id && id.is_none() {
                id = token(&map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(id)
    }
}

/// Whether a map key is the wanted one, compared without allocating.
struct KeyIs(Option<&'static str>);

impl<'de> DeserializeSeed<'de> for KeyIs {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(self.0 == Some(key))
    }
}

/// One link of an RFC 8288 `Link` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Link {
    /// The target, as written between `<` and `>` (possibly relative).
    pub target: String,
    /// The relation types of the link's first `rel` parameter, lowercased
    /// (`rel="next last"` gives two).
    pub rel: Vec<String>,
}

/// Parses a `Link` header value (`<url>; rel="next", <url>; rel="last"`) into its links.
/// Parameters may be quoted (commas and semicolons inside quotes are kept); something that
/// is not a link is skipped up to the next comma.
pub fn parse_link_header(value: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return links;
        }
        let Some(inside) = rest.strip_prefix('<') else {
            rest = skip_to_comma(rest);
            continue;
        };
        let Some((target, after)) = inside.split_once('>') else {
            return links;
        };
        let (rel, after) = link_params(after);
        rest = after;
        let rel = rel.map(|r| r.split_ascii_whitespace().map(str::to_ascii_lowercase).collect()).unwrap_or_default();
        links.push(Link { target: target.trim().to_owned(), rel });
    }
}

/// Reads `; name=value` parameters up to the comma ending the link; gives the first `rel`
/// value and the text after the link.
fn link_params(mut rest: &str) -> (Option<String>, &str) {
    let mut rel = None;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let Some(param) = rest.strip_prefix(';') else {
            // The end of the link, or text that does not belong to it.
            return (rel, skip_to_comma(rest));
        };
        let param = param.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let name_end = param.find(|c: char| c == '=' || c == ';' || c == ',' || c.is_ascii_whitespace());
        let (name, after_name) = param.split_at(name_end.unwrap_or(param.len()));
        let after_name = after_name.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let (value, after_value) = match after_name.strip_prefix('=') {
            Some(v) => param_value(v.trim_start_matches(|c: char| c.is_ascii_whitespace())),
            None => (String::new(), after_name),
        };
        if rel.is_none() && name.eq_ignore_ascii_case("rel") {
            rel = Some(value);
        }
        rest = after_value;
    }
}

/// A parameter value: a quoted string (with `\` escapes) or a token up to `;` or `,`.
fn param_value(text: &str) -> (String, &str) {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (value, &quoted[i + 1..]),
                '\\' => value.extend(chars.next().map(|(_, escaped)| escaped)),
                c => value.push(c),
            }
        }
        return (value, "");
    }
    let end = text.find([';', ',']).unwrap_or(text.len());
    (text[..end].trim_end().to_owned(), &text[end..])
}

/// The text after the next comma that is not inside a quoted string.
fn skip_to_comma(text: &str) -> &str {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => return &text[i + 1..],
            _ => {}
        }
    }
    ""
}

/// The target of the first `rel="next"` link in the `Link` headers.
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
        .flat_map(parse_link_header)
        .find(|link| link.rel.iter().any(|rel| rel == "next"))
        .map(|link| link.target)
}
