//! The intermediate model: a plain-data description of the API, with every name decided.
//!
//! Nothing here holds `openapiv3` values or tokens. Emitters read this and nothing else, so
//! the `{:#?}` dump of an [`Api`] is the complete contract between lowering and emission.

pub mod analysis;
pub mod docs;
mod lower;
pub mod naming;
mod schema_view;

use std::collections::BTreeMap;

pub use lower::lower;

/// The whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version` (documentation only).
    pub spec_version: String,
    /// The first server URL, with variables substituted by their defaults (or the configured one).
    pub base_url: String,
    /// The generated crate: its names and package metadata.
    pub package: Package,
    /// Client-wide runtime settings.
    pub client: ClientSettings,
    /// Security schemes the operations use, in `components.securitySchemes` order.
    pub security_schemes: Vec<SecuritySchemeDef>,
    /// API-wide security alternatives, in order of preference.
    pub security_alternatives: Vec<SecurityAlternative>,
    /// The operation the crate's examples call (index into [`Api::operations`]).
    pub example_operation: Option<usize>,
    /// Operations configured for the README's list, upload, download and stream examples.
    pub feature_examples: FeatureExamples,
    /// Cargo features, one per top-level resource; empty when the API has only one.
    pub features: Vec<String>,
    /// Every operation, in document order.
    pub operations: Vec<Operation>,
    /// The resource tree the operations hang from.
    pub resources: Resource,
    /// Every named type; [`TypeId`] indexes this.
    pub types: Vec<TypeDef>,
    /// 3.1 webhooks with a JSON payload, in document order (the `webhooks` module).
    pub webhooks: Vec<Webhook>,
    /// Things generated in simplified form or skipped, each with its reason.
    pub diagnostics: Vec<Diagnostic>,
    /// The crates of the workspace layout and which types each holds
    /// ([`analysis::placement`]); `None` for one crate.
    pub workspace: Option<Workspace>,
}

/// The SDK as a workspace of crates: the facade (the package itself, at the root) re-exports a
/// core crate and the resource crates, so that cargo compiles them in parallel.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    /// The runtime, the webhooks and every type that resources of more than one crate use.
    pub core: MemberCrate,
    /// Crates of top-level resources, in resource order.
    pub members: Vec<MemberCrate>,
}

/// One crate of the workspace layout.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberCrate {
    /// Package name, e.g. `cloudflare-sdk-zones`.
    pub package: String,
    /// Library name, e.g. `cloudflare_sdk_zones`.
    pub library: String,
    /// Its folder under the output, `/`-separated, e.g. `crates/cloudflare-sdk-zones`.
    pub dir: String,
    /// The top-level resources it holds (module names), in order; none for the core.
    pub resources: Vec<String>,
    /// The types it holds, in [`Api::types`] order.
    pub types: Vec<TypeId>,
}

/// A request the API sends to its users' servers (a 3.1 webhook), which the generated crate
/// decodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// The webhook's key in `webhooks`.
    pub name: String,
    /// The HTTP method the API sends it with, upper case.
    pub method: String,
    /// The variant of the crate's `Webhook` enum.
    pub variant: String,
    /// The decoding function of the `webhooks` module.
    pub function: String,
    /// Summary and description, converted to Markdown.
    pub doc: Option<String>,
    /// The payload's type.
    pub payload: TypeRef,
    /// What the receiver may answer: status (`200`, `4XX`) and description.
    pub responses: Vec<(String, String)>,
    /// JSON pointer of the webhook's operation.
    pub pointer: String,
}

/// The operations the configuration names for the README's examples of lists, uploads,
/// downloads and streams (indexes into [`Api::operations`]); unset, the README shows the first
/// operation of each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureExamples {
    /// A list that pages.
    pub list: Option<usize>,
    /// An upload.
    pub upload: Option<usize>,
    /// A download.
    pub download: Option<usize>,
    /// A streamed response.
    pub stream: Option<usize>,
}

/// The generated crate's identity and package metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// Package name, e.g. `cloudflare-sdk`.
    pub name: String,
    /// Library (crate) name, e.g. `cloudflare_sdk`.
    pub library: String,
    /// Package version.
    pub version: String,
    /// Package description.
    pub description: String,
    /// License expression.
    pub license: Option<String>,
    /// Whether the package may be published.
    pub publish: bool,
    /// Extra dev-dependencies, by crate name, as TOML values.
    pub dev_dependencies: BTreeMap<String, toml::Value>,
    /// Whether the crate is its own workspace.
    pub standalone: bool,
    /// Whether the crate gets `tests/contract.rs` (`[tests] contract`, or `--tests`).
    pub contract_tests: bool,
    /// The crate's folder as a dependent writes its `path` (from the provenance).
    pub crate_path: String,
    /// The command that regenerates the crate (from the provenance).
    pub regenerate: String,
    /// The spec the crate is generated from, as the provenance names it.
    pub spec: String,
}

/// Settings the runtime is generated with.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSettings {
    /// Environment variable that overrides the base URL.
    pub base_url_env: Option<String>,
    /// Response header carrying the server's request id.
    pub request_id_header: Option<String>,
    /// Request header telling the server which retry this is.
    pub retry_count_header: Option<String>,
    /// The `User-Agent` sent with every request.
    pub user_agent: String,
}

/// One way to authenticate: schemes that must all be present.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityAlternative {
    /// A human name for documentation (from the configuration), e.g. `API token`.
    pub label: Option<String>,
    /// Scheme names (keys of [`Api::security_schemes`]).
    pub schemes: Vec<String>,
}

/// Something the generator simplified or skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// JSON pointer of the node concerned.
    pub pointer: String,
    /// A short stable kind, for grouping in reports (e.g. `non-standard-type`).
    pub kind: &'static str,
    /// What was done instead.
    pub message: String,
}

/// A security scheme from `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecuritySchemeDef {
    /// The scheme's key in the spec.
    pub name: String,
    /// How the credential travels.
    pub kind: SchemeKind,
    /// Builder setter name.
    pub setter: String,
    /// Environment variable read by `from_env()`.
    pub env: Option<String>,
    /// The scheme's description.
    pub description: Option<String>,
}

/// How a credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64(user:password)>`.
    Basic,
    /// An API key in the named header.
    Header(String),
    /// An API key in the named query parameter.
    Query(String),
    /// An API key in the named cookie.
    Cookie(String),
}

/// One HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`, or one derived from method and path when absent.
    pub id: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template as written in the spec.
    pub path: String,
    /// The template split into literals and parameters, in URL order: the part of the
    /// spec's path before a `#` (a fragment is never sent as path text).
    pub segments: Vec<PathSegment>,
    /// Values every call sends, fixed by a `key=value` fragment of the spec's path key
    /// (APIs.guru writes AWS's JSON protocol as `/#X-Amz-Target=Service.Operation`: the
    /// request is `POST /` with that header).
    pub fixed: Vec<FixedParam>,
    /// Resource path (snake_case module names), e.g. `[zero_trust, access, users]`.
    pub group: Vec<String>,
    /// The method's Rust name, e.g. `get`.
    pub method_name: String,
    /// Name of the `static` that describes the operation to the runtime, e.g. `GET`.
    pub static_name: String,
    /// Names of the generated method's own variables; they yield to the parameters' names.
    pub locals: Locals,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`, with the spec's message when it gives one.
    pub deprecated: Option<Deprecation>,
    /// Lists drawn from configured extensions: (heading, items).
    pub doc_lists: Vec<(String, Vec<String>)>,
    /// Path parameters passed as positional arguments, in URL order.
    pub positional: Vec<Param>,
    /// The params struct, when the operation has non-positional inputs.
    pub params: Option<ParamsStruct>,
    /// What a successful call returns.
    pub success: SuccessResponse,
    /// The typed error body (from `4XX`, `4xx` codes or `default`), if documented.
    pub error: Option<TypeRef>,
    /// Security alternatives for this operation (empty: no authentication).
    pub security: Vec<Vec<String>>,
    /// How a list operation pages, when it does (see [`analysis::pagination`]).
    pub pagination: Option<Pagination>,
}

/// The names a generated method uses for its own variables, chosen so that no parameter
/// is renamed for them: a positional parameter called `path` keeps its name, and the
/// method's path variable becomes `path_2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locals {
    /// The params struct argument.
    pub params: String,
    /// The path being built.
    pub path: String,
    /// The request parts.
    pub parts: String,
    /// A bound optional value.
    pub value: String,
    /// An item of a list.
    pub item: String,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text, sent as is.
    Literal(String),
    /// A parameter, by wire name.
    Param(String),
}

/// An operation's inputs other than positional path parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamsStruct {
    /// Rust type name, e.g. `ActiveSessionGetParams`.
    pub name: String,
    /// Path (configured), query and header parameters.
    pub fields: Vec<Param>,
    /// The request body, as the field `body`.
    pub body: Option<RequestBody>,
}

/// A header or query parameter whose value the spec's path key fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedParam {
    /// `Header` or `Query`.
    pub location: ParamLocation,
    /// Wire name, as the declared parameter spells it (else as the fragment does).
    pub name: String,
    /// The value, from the fragment.
    pub value: String,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the URL path.
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Rust name (snake_case).
    pub rust_name: String,
    /// Name on the wire.
    pub wire_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Its type.
    pub ty: TypeRef,
    /// Whether the spec requires it.
    pub required: bool,
    /// The setter of an optional params-struct field (`None` for required and positional ones).
    pub setter: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
    /// Constraints checked before sending.
    pub rules: Rules,
    /// The schema's `format` (documentation).
    pub format: Option<String>,
    /// The spec's default value (documentation: the server applies it).
    pub default: Option<serde_json::Value>,
    /// The spec's example value, if any (used in generated examples).
    pub example: Option<serde_json::Value>,
    /// Whether the spec deprecates the parameter.
    pub deprecated: Option<Deprecation>,
}

/// A deprecation, from `deprecated: true` and the message beside it
/// (`x-stainless-deprecation-message`, `x-deprecation-message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// What to use instead, or why; `None` when the spec gives no message.
    pub note: Option<String>,
}

/// Constraints on a parameter value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// `maxLength`.
    pub max_length: Option<usize>,
    /// `minLength`.
    pub min_length: Option<usize>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// Allowed string values (`enum`).
    pub allowed: Vec<String>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// Allowed numbers (`enum` of an integer or number).
    pub numbers: Vec<f64>,
    /// `minItems` of a list.
    pub min_items: Option<usize>,
    /// The `format` of a list's items.
    pub item_format: Option<String>,
    /// The rules of a list's items, when they have any.
    pub items: Option<Box<Rules>>,
}

impl Rules {
    /// Whether any string rule is set.
    pub fn has_string_rules(&self) -> bool {
        self.max_length.is_some() || self.min_length.is_some() || self.pattern.is_some() || !self.allowed.is_empty()
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// The params struct field that holds it (`body` unless a parameter has that name).
    pub field: String,
    /// The field's setter, when the body is optional.
    pub setter: Option<String>,
    /// How it is encoded.
    pub kind: BodyKind,
    /// Whether the spec requires it.
    pub required: bool,
    /// Documentation.
    pub doc: Option<String>,
}

/// Request body encodings.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// `application/json` (or `+json`), typed.
    Json { content_type: String, ty: TypeRef },
    /// `application/x-www-form-urlencoded`, typed and flattened to pairs.
    Form { ty: TypeRef },
    /// `multipart/form-data`, typed; one part per property (files from `format: binary`).
    Multipart { ty: TypeRef, encoding: Vec<PartEncoding> },
    /// `text/*`.
    Text { content_type: String },
    /// Anything else (octet-stream, ndjson, ...), sent as a file: bytes, a path or a stream.
    Bytes { content_type: String },
    /// Several media types: the body is an enum with one variant per media type.
    Choice { name: String, variants: Vec<BodyVariant> },
}

impl BodyKind {
    /// The concrete encodings the body may be sent in: a choice's variants, else itself.
    pub fn encodings(&self) -> Vec<&BodyKind> {
        match self {
            BodyKind::Choice { variants, .. } => variants.iter().map(|v| &v.kind).collect(),
            other => vec![other],
        }
    }

    /// The schema types this body carries (every variant's for a choice).
    pub fn types(&self) -> Vec<&TypeRef> {
        match self {
            BodyKind::Json { ty, .. } | BodyKind::Form { ty } | BodyKind::Multipart { ty, .. } => vec![ty],
            BodyKind::Text { .. } | BodyKind::Bytes { .. } => Vec::new(),
            BodyKind::Choice { .. } => self.encodings().into_iter().flat_map(BodyKind::types).collect(),
        }
    }
}

/// The `encoding` of one multipart property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartEncoding {
    /// The property's wire name.
    pub property: String,
    /// `contentType`: the part's media type (for files, the default when the file has none).
    pub content_type: String,
}

/// One media type of a request body that accepts several.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyVariant {
    /// The enum variant, e.g. `Json`, `Multipart`.
    pub rust_name: String,
    /// The media type as the spec writes it.
    pub content_type: String,
    /// How this variant is encoded (never itself a `Choice`).
    pub kind: BodyKind,
}

impl ResponseKind {
    /// The schema type the body decodes into, if any.
    pub fn ty(&self) -> Option<&TypeRef> {
        match self {
            ResponseKind::Json { ty, .. } | ResponseKind::ByContentType { ty, .. } => Some(ty),
            ResponseKind::JsonLines { item } => Some(item),
            ResponseKind::EventStream { data } => Some(data),
            ResponseKind::Text | ResponseKind::Bytes | ResponseKind::Empty | ResponseKind::Upgrade => None,
        }
    }
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessResponse {
    /// The status the spec lists first among successes (e.g. `200`, `2XX`).
    pub status: String,
    /// The `Accept` header: the success media types, in the spec's order (`*/*` when none).
    pub accept: String,
    /// Decoding.
    pub kind: ResponseKind,
}

/// How a success body is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    /// JSON into `ty`; when `unwrap` is set, only that top-level field is decoded.
    Json { ty: TypeRef, unwrap: Option<String> },
    /// Text.
    Text,
    /// Raw bytes.
    Bytes,
    /// No body.
    Empty,
    /// Newline-delimited JSON (`application/x-ndjson`, `application/jsonl`...): a stream of items.
    JsonLines { item: TypeRef },
    /// Server-sent events (`text/event-stream`): a stream of events whose data is `data`.
    EventStream { data: TypeRef },
    /// Several media types, chosen by the response's `Content-Type`; JSON decodes into `ty`.
    ByContentType { ty: TypeRef, unwrap: Option<String> },
    /// `101 Switching Protocols` and no 2xx: the operation opens a WebSocket, and the call
    /// returns the connection.
    Upgrade,
}

/// How a list operation's pages follow one another: the runtime's `page::Pagination`, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The path of the array holding the page's items, from the top of the body (`result`,
    /// `data`, or one object down: `result.reports`); empty when the body itself is the array.
    pub items: Vec<String>,
    /// The type of one item.
    pub item: TypeRef,
    /// How the next page is requested.
    pub shape: PaginationShape,
    /// Whether the spec's shape was recognised or the configuration declared it.
    pub origin: PaginationOrigin,
    /// Name of the `static` describing the pagination to the runtime, e.g. `LIST_PAGES`.
    pub static_name: String,
}

/// The ways a next page is requested. Parameters are query parameters by wire name; field
/// paths lead from the top of the response body (`["result_info", "cursor"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaginationShape {
    /// A page number, optionally a page size; the body may say how many pages or items exist.
    PageNumber {
        /// The page number parameter.
        page: String,
        /// The page size parameter.
        size: Option<String>,
        /// The body field with the number of pages.
        total_pages: Option<Vec<String>>,
        /// The body field with the number of items.
        total_count: Option<Vec<String>>,
    },
    /// An item offset, optionally a limit; the body may say how many items exist.
    Offset {
        /// The offset parameter.
        offset: String,
        /// The limit parameter.
        limit: Option<String>,
        /// The body field with the number of items.
        total_count: Option<Vec<String>>,
    },
    /// An opaque cursor read from the body and sent back in a parameter.
    Cursor {
        /// The cursor parameter.
        param: String,
        /// The body field with the next cursor.
        next: Vec<String>,
        /// The body field saying whether more pages exist.
        has_more: Option<Vec<String>>,
    },
    /// The last item's id sent back in a parameter (`starting_after`).
    AfterLastItem {
        /// The parameter.
        param: String,
        /// The item field holding the id.
        id_field: String,
        /// The body field saying whether more pages exist.
        has_more: Option<Vec<String>>,
    },
    /// The URL of the next page, read from the body.
    NextUrl {
        /// The body field with the URL.
        next: Vec<String>,
    },
    /// The `rel="next"` link of the RFC 8288 `Link` response header.
    LinkHeader,
}

/// Where an operation's pagination comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaginationOrigin {
    /// Recognised in the spec by [`analysis::pagination`].
    Detected,
    /// Declared in `codegen.toml`, by the key shown (`pagination.operations."zones-get"`).
    Configured(String),
}

/// Index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A use of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// An integer of the given kind.
    Integer(IntegerKind),
    /// `f64`: every JSON number that is not an integer (`format: float` included, since an
    /// `f32` would round what the server sent).
    Float,
    /// Free-form JSON (`serde_json::Value`).
    Json,
    /// Raw bytes (`format: binary`): a file part of a multipart body, an upload, a download.
    File,
    /// A named type.
    Named(TypeId),
    /// A JSON array.
    Array(Box<TypeRef>),
    /// A JSON object used as a map with string keys.
    Map(Box<TypeRef>),
    /// A value that may be `null`.
    Nullable(Box<TypeRef>),
}

impl TypeRef {
    /// The type without the `Option` of a nullable value, however deeply nested.
    pub fn without_null(&self) -> &TypeRef {
        match self {
            TypeRef::Nullable(inner) => inner.without_null(),
            other => other,
        }
    }
}

/// Integer widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegerKind {
    /// `format: int32`.
    I32,
    /// `format: int64` or no format.
    I64,
    /// `format: uint32`.
    U32,
    /// `format: uint64`.
    U64,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// Module (and file) name under `src/types/`.
    pub module: String,
    /// Whether `Default::default()` exists for it: structs whose required fields all have a
    /// spec default (so a default value never invents a required value the caller forgot).
    pub defaultable: bool,
    /// Whether it is also read in one pass, straight from the body (`object::Direct`): the
    /// structs a response returns a list of (see [`analysis::bulk`]). Others are read by the
    /// runtime's shared reading, which costs the crate nothing per type to compile.
    pub one_pass: bool,
    /// The Cargo features that compile it: those of the top-level resources that use it
    /// (`full` when no operation reaches it); empty when the crate has no features.
    pub features: Vec<String>,
    /// JSON pointer of the defining schema.
    pub pointer: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Whether the spec deprecates the schema.
    pub deprecated: Option<Deprecation>,
    /// When another type has exactly this shape (see [`analysis::dedupe`]): that type, which is
    /// emitted, while this one is emitted as `pub type Name = Other;` with its own docs. Its
    /// `kind` still describes the shape, so every public name (constructor, setters, enum
    /// variants) works through the alias.
    pub alias_of: Option<TypeId>,
    /// Shape.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructDef),
    /// A string enum; unknown values decode into a catch-all variant.
    Enum(EnumDef),
    /// `oneOf`/`anyOf`: decoded by evidence (tag, JSON type, properties); anything no
    /// alternative holds is kept as JSON.
    Union(UnionDef),
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Properties in spec order.
    pub fields: Vec<Field>,
    /// Rust name of the map that keeps properties not listed in the spec.
    pub extra_name: String,
    /// Type of the values of unlisted properties (`Json` unless `additionalProperties` says).
    pub extra_ty: TypeRef,
    /// `minProperties`: how many properties a value needs at least.
    pub min_properties: Option<usize>,
    /// A `oneOf`/`anyOf` beside the properties whose alternatives only require some of them:
    /// a value needs every property of one list.
    pub required_choices: Vec<Vec<String>>,
    /// `additionalProperties: false`: a property not listed is rejected.
    pub closed: bool,
    /// The constructor taking the required fields that have no spec default.
    pub constructor: String,
    /// The chained setter that adds one unlisted property to the extra map.
    pub extra_setter: String,
    /// When an operation sends it as `multipart/form-data`: the parts' media types from the
    /// spec's `encoding` (the type then encodes itself as parts: files, JSON parts, repeats).
    pub multipart: Option<Vec<PartEncoding>>,
}

/// A struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust name.
    pub rust_name: String,
    /// Name on the wire.
    pub wire_name: String,
    /// Type (without the `Option` added for optional fields).
    pub ty: TypeRef,
    /// Whether the spec requires the property.
    pub required: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// Whether the type is boxed to break a recursive cycle.
    pub boxed: bool,
    /// The spec's example value, if any.
    pub example: Option<serde_json::Value>,
    /// The schema's `format` (documentation).
    pub format: Option<String>,
    /// Constraints the spec states (documentation; not checked on decoding).
    pub rules: Rules,
    /// The spec's default value of any property, as the docs show it (the server applies it).
    pub documented_default: Option<serde_json::Value>,
    /// Whether the spec deprecates the property.
    pub deprecated: Option<Deprecation>,
    /// The spec's `default` of a required property, kept only when it can be written as a
    /// value of the field's type (see `ir::lower`); the constructor and `Default` use it.
    pub default: Option<serde_json::Value>,
    /// The chained setter of an optional field, or of a required one with a default (the
    /// constructor takes the other required fields).
    pub setter: Option<String>,
}

#[cfg(test)]
impl Field {
    /// A `String` field named `name` on the wire and in Rust, with nothing else from the spec.
    pub(crate) fn string_for_tests(name: &str, required: bool, default: Option<serde_json::Value>) -> Field {
        Field {
            rust_name: name.into(),
            wire_name: name.into(),
            ty: TypeRef::String,
            required,
            doc: None,
            boxed: false,
            example: None,
            format: None,
            rules: Rules::default(),
            documented_default: None,
            deprecated: None,
            default,
            setter: None,
        }
    }
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Known values.
    pub variants: Vec<EnumVariant>,
    /// Name of the catch-all variant holding unknown values.
    pub unknown_variant: String,
}

/// One enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    /// Rust name.
    pub rust_name: String,
    /// Value on the wire.
    pub wire: String,
}

/// A union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    /// Alternatives in spec order.
    pub variants: Vec<UnionVariant>,
    /// Name of the catch-all variant holding JSON that matched no alternative.
    pub unknown_variant: Option<String>,
    /// The property whose value names the alternative: the `discriminator`'s
    /// `propertyName`, or a property that every object alternative fixes to one value.
    pub tag: Option<String>,
}

/// The JSON type an alternative accepts (what decoding checks first after the tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// A string (strings and string enums).
    String,
    /// A number without a fraction.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Anything (free-form JSON, or a nested union).
    Any,
}

/// One alternative of a union, with the evidence that selects it when decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// Rust name.
    pub rust_name: String,
    /// The alternative's type.
    pub ty: TypeRef,
    /// Whether the type is boxed to break a recursive cycle.
    pub boxed: bool,
    /// The JSON type it accepts.
    pub json: JsonKind,
    /// Values of the union's tag property that select it: the discriminator's mapping keys
    /// (or, without a mapping, the component name) and the value the alternative fixes.
    pub tags: Vec<String>,
    /// Wire names of the properties it requires (objects only).
    pub required: Vec<String>,
    /// Wire names of every property it lists (objects only).
    pub known: Vec<String>,
}

/// A node of the resource tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resource {
    /// Module and accessor name (snake_case); empty for the root.
    pub name: String,
    /// Handle type name (UpperCamelCase); empty for the root.
    pub handle: String,
    /// The handle's crate-private constructor (`new` unless a method or sub-resource has that name).
    pub constructor: String,
    /// The file of the resource's module, e.g. `src/resources/zones/dns.rs`; empty for the root.
    pub file: String,
    /// The Cargo feature that compiles a top-level resource, when the crate has features.
    pub feature: Option<String>,
    /// Indices into [`Api::operations`], in document order.
    pub operations: Vec<usize>,
    /// Sub-resources by name.
    pub children: BTreeMap<String, Resource>,
}

impl Resource {
    /// How many resources hang below this one, at any depth.
    pub fn descendant_count(&self) -> usize {
        self.children.values().map(|child| 1 + child.descendant_count()).sum()
    }
}

impl Api {
    /// The type behind an id.
    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The type emitted for `id`: itself, or the type it is an alias of.
    pub fn canonical(&self, id: TypeId) -> TypeId {
        self.type_def(id).alias_of.unwrap_or(id)
    }

    /// A type use with every named type replaced by its canonical type (two uses name the
    /// same Rust type exactly when their canonical forms are equal).
    pub fn canonical_ref(&self, ty: &TypeRef) -> TypeRef {
        match ty {
            TypeRef::Named(id) => TypeRef::Named(self.canonical(*id)),
            TypeRef::Array(item) => TypeRef::Array(Box::new(self.canonical_ref(item))),
            TypeRef::Map(value) => TypeRef::Map(Box::new(self.canonical_ref(value))),
            TypeRef::Nullable(inner) => TypeRef::Nullable(Box::new(self.canonical_ref(inner))),
            other => other.clone(),
        }
    }

    /// Whether `Default::default()` exists for a use of a type.
    pub fn has_default(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => self.type_def(*id).defaultable,
            _ => true,
        }
    }
}
