//! Operations: parameters, request bodies and responses.

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};

use super::path_names::{self, Naming};
use super::types::TypeLowerer;
use crate::config::Config;
use crate::error::SpecProblem;
use crate::ir::docs;
use crate::ir::naming::{self, Scope};
use crate::pointer;
use crate::resolve::Resolver;

/// Methods `Client` already has (runtime and generated); a top-level resource must not shadow them.
const CLIENT_METHODS: &[&str] = &[
    "builder",
    "from_env",
    "config",
    "spec",
    "credentials",
    "http",
    "clone",
    "fmt",
    // The escape hatch for endpoints missing from the spec.
    "get",
    "post",
    "put",
    "patch",
    "delete",
];
use crate::ir::schema_view::SchemaView;
use crate::ir::{
    BodyKind, BodyVariant, Diagnostic, FixedParam, Locals, Operation, Param, ParamLocation, ParamsStruct, PartEncoding,
    PathSegment, RequestBody, ResponseKind, Rules, SuccessResponse, TypeKind, TypeRef,
};

/// A lowered value and the JSON pointer it came from.
type Located<T> = (T, String);

/// An operation's decided names.
pub(super) struct OperationName {
    pub(super) id: String,
    pub(super) group: Vec<String>,
    pub(super) method_name: String,
    /// The name a colliding method takes instead (see `resources::resolve_method_collisions`).
    pub(super) fallback: String,
}

pub(super) struct OperationContext<'a> {
    pub(super) document: &'a OpenAPI,
    pub(super) config: &'a Config,
    pub(super) path: &'a str,
    pub(super) method: &'a str,
    pub(super) pointer: String,
    pub(super) path_params: &'a [ReferenceOr<Parameter>],
}

impl<'a> OperationContext<'a> {
    fn lenient(&self) -> bool {
        self.config.generator.lenient
    }

    /// The operation's security alternatives (its own, else the document's). An alternative
    /// naming a scheme `components.securitySchemes` does not define can never be satisfied (the
    /// client has no setter for it), so it is left out and diagnosed; when none is left, the
    /// call sends no credentials and the caller adds what the server needs as a header.
    fn security(&self, operation: &openapiv3::Operation, diagnostics: &mut Vec<Diagnostic>) -> Vec<Vec<String>> {
        let (requirements, pointer) = match &operation.security {
            Some(requirements) => (requirements, format!("{}/security", self.pointer)),
            None => match &self.document.security {
                Some(requirements) => (requirements, "#/security".to_string()),
                None => return Vec::new(),
            },
        };
        let defined = |name: &str| {
            self.document.components.as_ref().is_some_and(|components| components.security_schemes.contains_key(name))
        };
        let mut alternatives = Vec::new();
        for (index, requirement) in requirements.iter().enumerate() {
            let schemes: Vec<String> = requirement.keys().cloned().collect();
            match schemes.iter().find(|name| !defined(name)) {
                Some(missing) => diagnostics.push(Diagnostic {
                    pointer: format!("{pointer}/{index}"),
                    kind: "undefined-security-scheme",
                    message: format!(
                        "security scheme `{missing}` is not defined in components.securitySchemes; this alternative is left out"
                    ),
                }),
                None => alternatives.push(schemes),
            }
        }
        alternatives
    }

    pub(super) fn lower(
        &self,
        operation: &'a openapiv3::Operation,
        name: OperationName,
        types: &mut TypeLowerer<'a>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Operation, SpecProblem> {
        let OperationName { id, group, method_name, .. } = name;
        // A fragment (`/#X-Amz-Target=...`) is never sent as path text: the route is what
        // precedes it, and its `key=value` pairs may fix a header or query value.
        let (route, fragment) = match self.path.split_once('#') {
            Some((route, fragment)) => (if route.is_empty() { "/" } else { route }, Some(fragment)),
            None => (self.path, None),
        };
        let segments = parse_template(route, &self.pointer)?;
        let template_params: Vec<&str> = segments
            .iter()
            .filter_map(|s| if let PathSegment::Param(p) = s { Some(p.as_str()) } else { None })
            .collect();

        let params_name = format!(
            "{}{}Params",
            naming::type_name(&naming::singular(group.last().map(String::as_str).unwrap_or("api"))),
            naming::type_name(&method_name)
        );
        let (declared, fixed) = self.parameters(operation, types, diagnostics, &params_name, fragment)?;
        // Positional arguments follow the URL, whatever order the document lists them in.
        let mut path_params = Vec::new();
        for name in &template_params {
            match declared.iter().find(|(p, _)| p.location == ParamLocation::Path && p.wire_name == *name) {
                Some((param, _)) => path_params.push(param.clone()),
                None => {
                    diagnostics.push(Diagnostic {
                        pointer: self.pointer.to_string(),
                        kind: "undeclared-path-parameter",
                        message: format!(
                            "path parameter `{name}` is in the template but not declared; generated as a string"
                        ),
                    });
                    path_params.push(Param {
                        rust_name: naming::snake(name),
                        wire_name: name.to_string(),
                        location: ParamLocation::Path,
                        ty: TypeRef::String,
                        required: true,
                        setter: None,
                        doc: None,
                        rules: Rules::default(),
                        format: None,
                        default: None,
                        example: None,
                        deprecated: None,
                    });
                }
            }
        }
        let mut unused = Vec::new();
        for (param, param_pointer) in &declared {
            if param.location == ParamLocation::Path && !template_params.contains(&param.wire_name.as_str()) {
                let message = format!(
                    "path parameter `{}` does not appear in the path template `{}`",
                    param.wire_name, self.path
                );
                let problem = SpecProblem::new(param_pointer.clone(), message);
                super::tolerate(problem, self.lenient(), "unused-path-parameter", "left out", diagnostics)?;
                unused.push(param_pointer.clone());
            }
        }
        let declared: Vec<(Param, String)> = declared.into_iter().filter(|(_, at)| !unused.contains(at)).collect();
        let (in_struct, positional): (Vec<Param>, Vec<Param>) =
            path_params.into_iter().partition(|p| self.config.naming.params_in_struct.contains(&p.wire_name));
        let mut struct_fields = in_struct;
        struct_fields.extend(declared.into_iter().map(|(p, _)| p).filter(|p| p.location != ParamLocation::Path));

        let body = self.request_body(operation, types, &params_name)?;
        let params = (!struct_fields.is_empty() || body.is_some())
            .then(|| params_struct(params_name.clone(), struct_fields, body));
        // Parameters are named first; the method's own variables take what is left.
        let mut positional = positional;
        let mut scope = Scope::new();
        for param in &mut positional {
            param.rust_name = scope.claim(&param.rust_name);
        }
        let locals = Locals {
            params: scope.claim("params"),
            path: scope.claim("path"),
            parts: scope.claim("parts"),
            value: scope.claim("value"),
            item: scope.claim("item"),
        };

        let (success, error) = self.responses(operation, types, &params_name)?;
        let security = self.security(operation, diagnostics);
        let doc_lists = self
            .config
            .docs
            .extensions
            .iter()
            .filter_map(|(extension, heading)| {
                let items: Vec<String> = operation
                    .extensions
                    .get(extension)?
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                (!items.is_empty()).then(|| (heading.clone(), items))
            })
            .collect();
        Ok(Operation {
            id,
            pointer: self.pointer.to_string(),
            method: self.method.to_ascii_uppercase(),
            path: self.path.to_string(),
            segments,
            fixed,
            group,
            method_name,
            // Settled per resource module once every operation is known.
            static_name: String::new(),
            locals,
            summary: operation.summary.as_deref().and_then(docs::from_spec),
            description: operation.description.as_deref().and_then(docs::from_spec),
            deprecated: docs::deprecation(operation.deprecated, &operation.extensions),
            doc_lists,
            positional,
            params,
            success,
            error,
            security,
            // Decided over the whole model (`analysis::pagination`).
            pagination: None,
        })
    }

    /// Resource path, method name and the method's fallback name: the configured extensions,
    /// else (when neither is present) names from the path or from tag and operationId, as
    /// `defaults` decided for the document. The fallback, which a method takes when its name collides, is the name from
    /// tag and operationId. A resource path deeper than [`naming::MAX_RESOURCE_DEPTH`] is an
    /// error (cut, when lenient).
    pub(super) fn names(
        &self,
        operation: &openapiv3::Operation,
        id: &str,
        defaults: &Naming,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(Vec<String>, String, String), SpecProblem> {
        let extension = |name: &Option<String>| {
            name.as_ref().and_then(|n| operation.extensions.get(n)).and_then(|v| v.as_str()).map(str::to_string)
        };
        let group_ext = extension(&self.config.naming.group_extension);
        let method_ext = extension(&self.config.naming.method_extension);
        let tag_group = || vec![naming::member(operation.tags.first().map(String::as_str).unwrap_or("other"))];
        // Names from the path only when neither extension names the operation: a resource
        // given by an extension is not the path's, so the path's verb would not fit it.
        let unnamed = group_ext.is_none() && method_ext.is_none();
        let by_path = (defaults.by_path && unnamed)
            .then(|| {
                let envelope = self.config.response.unwrap_field.as_deref();
                let lists = path_names::returns_list(Resolver::new(self.document), operation, envelope);
                defaults.paths.name(self.method, self.path, lists)
            })
            .flatten();
        let mut group: Vec<String> = match &group_ext {
            Some(dotted) => {
                let depth = dotted.split('.').count();
                if depth > naming::MAX_RESOURCE_DEPTH {
                    let extension = self.config.naming.group_extension.as_deref().unwrap_or_default();
                    let problem = SpecProblem::new(
                        format!("{}/{}", self.pointer, pointer::token(extension)),
                        format!(
                            "the resource path has {depth} levels; at most {} are supported",
                            naming::MAX_RESOURCE_DEPTH
                        ),
                    );
                    let instead = format!("cut to the first {}", naming::MAX_RESOURCE_DEPTH);
                    super::tolerate(problem, self.lenient(), "resource-too-deep", &instead, diagnostics)?;
                }
                dotted.split('.').take(naming::MAX_RESOURCE_DEPTH).map(naming::member).collect()
            }
            None => match &by_path {
                Some((group, _)) => group.clone(),
                None => tag_group(),
            },
        };
        if let Some(first) = group.first_mut() {
            // Top-level resources become methods on `Client`, beside the runtime's own.
            if CLIENT_METHODS.contains(&first.as_str()) {
                *first = format!("{first}_resource");
            }
        }
        // Drop leading group words from the operationId so `pets_list` under `pets` is `list`.
        let from_id = |group: &[String]| {
            let snake_id = naming::snake(id);
            let prefix = format!("{}_", group.join("_"));
            match snake_id.strip_prefix(&prefix) {
                Some(rest) if !rest.is_empty() => naming::member(rest),
                _ => naming::member(&snake_id),
            }
        };
        // The name tag and operationId give (what a path-named method would be called by
        // them), for a method whose name collides.
        let fallback = if by_path.is_some() && group_ext.is_none() { from_id(&tag_group()) } else { from_id(&group) };
        let method = match (method_ext, &by_path) {
            (Some(method), _) => naming::member(&method),
            (None, Some((_, method))) => method.clone(),
            (None, None) => from_id(&group),
        };
        Ok((group, method, fallback))
    }

    /// Path-level and operation-level parameters (the latter override), in document order,
    /// and the values the path key's fragment fixes (see [`fixed_by_fragment`]); a declared
    /// parameter whose value the fragment fixes is sent with it and is not lowered.
    fn parameters(
        &self,
        operation: &'a openapiv3::Operation,
        types: &mut TypeLowerer<'a>,
        diagnostics: &mut Vec<Diagnostic>,
        params_name: &str,
        fragment: Option<&str>,
    ) -> Result<(Vec<Located<Param>>, Vec<FixedParam>), SpecProblem> {
        let resolver = types.resolver();
        let path_pointer = self.pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or(&self.pointer);
        let same = |a: &Parameter, b: &Parameter| {
            a.parameter_data_ref().name == b.parameter_data_ref().name
                && std::mem::discriminant(a) == std::mem::discriminant(b)
        };
        let mut merged: Vec<(&'a Parameter, String)> = Vec::new();
        let lists = [(path_pointer, self.path_params), (self.pointer.as_str(), operation.parameters.as_slice())];
        for (level, (list_pointer, list)) in lists.into_iter().enumerate() {
            // An operation's parameter overrides the path item's of the same name and location;
            // the same parameter twice in one list is a mistake in the spec.
            let first_of_level = merged.len();
            let mut overridden = Vec::new();
            for (index, node) in list.iter().enumerate() {
                let at = format!("{list_pointer}/parameters/{index}");
                let parameter = resolver.parameter(node, &at)?;
                match merged.iter().position(|(existing, _)| same(existing, parameter)) {
                    Some(position) if level == 1 && position < first_of_level && !overridden.contains(&position) => {
                        overridden.push(position);
                        merged[position] = (parameter, at);
                    }
                    Some(position) => {
                        let data = parameter.parameter_data_ref();
                        let message =
                            format!("parameter `{}` is listed twice (also at `{}`)", data.name, merged[position].1);
                        let problem = SpecProblem::new(at.clone(), message);
                        let lenient = self.lenient();
                        super::tolerate(problem, lenient, "duplicate-parameter", "the later one is used", diagnostics)?;
                        merged[position] = (parameter, at);
                    }
                    None => merged.push((parameter, at)),
                }
            }
        }
        let declared: Vec<(ParamLocation, &str)> = merged
            .iter()
            .filter_map(|(parameter, _)| match parameter {
                Parameter::Query { parameter_data, .. } => Some((ParamLocation::Query, parameter_data.name.as_str())),
                Parameter::Header { parameter_data, .. } => Some((ParamLocation::Header, parameter_data.name.as_str())),
                _ => None,
            })
            .collect();
        let fixed = match fragment {
            Some(fragment) => fixed_by_fragment(fragment, &declared, &self.pointer, diagnostics),
            None => Vec::new(),
        };
        let mut lowered = Vec::new();
        for (parameter, at) in merged {
            let data = parameter.parameter_data_ref();
            if fixed.iter().any(|f| {
                f.name == data.name
                    && matches!(
                        (f.location, parameter),
                        (ParamLocation::Header, Parameter::Header { .. })
                            | (ParamLocation::Query, Parameter::Query { .. })
                    )
            }) {
                continue;
            }
            let location = match parameter {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => {
                    diagnostics.push(Diagnostic {
                        pointer: at,
                        kind: "cookie-parameter",
                        message: format!(
                            "cookie parameter `{}` is not supported and was left out",
                            parameter.parameter_data_ref().name
                        ),
                    });
                    continue;
                }
            };
            let hint = format!(
                "{}{}",
                params_name.strip_suffix("Params").unwrap_or(params_name),
                naming::type_name(&data.name)
            );
            let (ty, rules, schema_doc, example, schema_facts) = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    let ty = types.lower(schema, &format!("{at}/schema"), &hint)?;
                    let resolved = resolver.schema(schema, &format!("{at}/schema"))?;
                    let view = SchemaView::of(resolved.schema);
                    let (format, rules, member_example) = types.value_facts(&view, &format!("{at}/schema"));
                    let example = resolved.schema.schema_data.example.clone().or_else(|| member_example.cloned());
                    let facts = (format, view.default.cloned(), view.deprecated.clone());
                    (ty, rules, view.doc(), example, facts)
                }
                ParameterSchemaOrContent::Content(_) => {
                    (TypeRef::String, Rules::default(), None, None, (None, None, None))
                }
            };
            let (format, default, schema_deprecated) = schema_facts;
            // A parameter is sent or not: `null` has no spelling in a path, query or header, so
            // a `nullable` parameter is a plain value (optional unless required).
            let ty = match ty {
                TypeRef::Nullable(inner) => *inner,
                other => other,
            };
            let param = Param {
                rust_name: naming::snake(&data.name),
                wire_name: data.name.clone(),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                setter: None,
                doc: data.description.as_deref().and_then(docs::from_spec).or(schema_doc),
                rules,
                format,
                default,
                example: data.example.clone().or(example),
                deprecated: docs::deprecation(data.deprecated.unwrap_or(false), &data.extensions).or(schema_deprecated),
            };
            lowered.push((param, at));
        }
        Ok((lowered, fixed))
    }

    fn request_body(
        &self,
        operation: &'a openapiv3::Operation,
        types: &mut TypeLowerer<'a>,
        params_name: &str,
    ) -> Result<Option<RequestBody>, SpecProblem> {
        let Some(node) = &operation.request_body else { return Ok(None) };
        let at = format!("{}/requestBody", self.pointer);
        let body = types.resolver().request_body(node, &at)?;
        let stem = params_name.strip_suffix("Params").unwrap_or(params_name);
        let media: Vec<(&str, &openapiv3::MediaType)> =
            body.content.iter().filter(|(ct, _)| ct.contains('/')).map(|(ct, m)| (ct.as_str(), m)).collect();
        let kind = match media.as_slice() {
            [] => match preferred_media(&body.content) {
                // A media type that is not one (`string`): sent as given.
                Some((content_type, media)) => {
                    self.body_kind(content_type, media, &at, &format!("{stem}Body"), types)?
                }
                None => return Ok(None),
            },
            [(content_type, media)] => self.body_kind(content_type, media, &at, &format!("{stem}Body"), types)?,
            several => {
                let mut names = Scope::new();
                let mut variants = Vec::new();
                for (position, (content_type, media)) in several.iter().enumerate() {
                    // `text/javascript` beside `application/javascript` is `TextJavascript`.
                    let (short, long) = media_variant_name(content_type);
                    let rust_name = names.claim(if names.contains(&short) { &long } else { &short });
                    let hint = if position == 0 { format!("{stem}Body") } else { format!("{stem}{rust_name}Body") };
                    let kind = self.body_kind(content_type, media, &at, &hint, types)?;
                    variants.push(BodyVariant { rust_name, content_type: content_type.to_string(), kind });
                }
                BodyKind::Choice { name: format!("{stem}Content"), variants }
            }
        };
        Ok(Some(RequestBody {
            field: String::new(),
            setter: None,
            kind,
            required: body.required,
            doc: body.description.as_deref().and_then(docs::from_spec),
        }))
    }

    /// How one media type of a request body is encoded.
    fn body_kind(
        &self,
        content_type: &str,
        media: &'a openapiv3::MediaType,
        at: &str,
        hint: &str,
        types: &mut TypeLowerer<'a>,
    ) -> Result<BodyKind, SpecProblem> {
        let media_pointer = format!("{at}/content/{}", pointer::token(content_type));
        let schema_ty = |types: &mut TypeLowerer<'a>| -> Result<TypeRef, SpecProblem> {
            match &media.schema {
                Some(schema) => types.lower_body(schema, &format!("{media_pointer}/schema"), hint),
                None => Ok(TypeRef::Json),
            }
        };
        let essence = media_essence(content_type);
        Ok(if is_json(&essence) {
            BodyKind::Json { content_type: content_type.to_string(), ty: schema_ty(types)? }
        } else if essence == "application/x-www-form-urlencoded" {
            BodyKind::Form { ty: schema_ty(types)? }
        } else if essence == "multipart/form-data" {
            let encoding = media
                .encoding
                .iter()
                .filter_map(|(property, encoding)| {
                    let content_type = encoding.content_type.as_deref()?.split(',').next()?.trim();
                    (!content_type.is_empty())
                        .then(|| PartEncoding { property: property.clone(), content_type: content_type.to_string() })
                })
                .collect();
            BodyKind::Multipart { ty: schema_ty(types)?, encoding }
        } else if essence.starts_with("text/") {
            BodyKind::Text { content_type: content_type.to_string() }
        } else {
            BodyKind::Bytes { content_type: content_type.to_string() }
        })
    }

    fn responses(
        &self,
        operation: &'a openapiv3::Operation,
        types: &mut TypeLowerer<'a>,
        params_name: &str,
    ) -> Result<(SuccessResponse, Option<TypeRef>), SpecProblem> {
        let resolver = types.resolver();
        let stem = params_name.strip_suffix("Params").unwrap_or(params_name).to_string();
        let responses = &operation.responses;
        let entries: Vec<(String, &ReferenceOr<openapiv3::Response>)> = responses
            .responses
            .iter()
            .map(|(status, response)| (status_text(status), response))
            .chain(responses.default.iter().map(|d| ("default".to_string(), d)))
            .collect();
        let is_success = |status: &str| status.starts_with('2');
        let is_error = |status: &str| status.starts_with('4') || status.starts_with('5') || status == "default";

        let mut success = SuccessResponse { status: "2XX".into(), accept: "*/*".into(), kind: ResponseKind::Empty };
        if let Some((status, node)) = entries.iter().find(|(status, _)| is_success(status)) {
            let at = format!("{}/responses/{}", self.pointer, pointer::token(status));
            let response = resolver.response(node, &at)?;
            success.status = status.clone();
            let (accept, kind) = self.success_kind(&response.content, &at, &stem, types)?;
            success.accept = accept;
            success.kind = kind;
        } else if entries.iter().any(|(status, _)| status == "101") {
            // A WebSocket endpoint: the only answer that is not an error switches protocols.
            success.status = "101".into();
            success.kind = ResponseKind::Upgrade;
        }
        let mut error = None;
        for (status, node) in entries.iter().filter(|(status, _)| is_error(status)) {
            let at = format!("{}/responses/{}", self.pointer, pointer::token(status));
            let response = resolver.response(node, &at)?;
            if let Some((content_type, media)) = preferred_media(&response.content) {
                if let (true, Some(schema)) = (is_json(content_type), &media.schema) {
                    let media_pointer = format!("{at}/content/{}/schema", pointer::token(content_type));
                    error = Some(types.lower(schema, &media_pointer, &format!("{stem}Error"))?);
                    break;
                }
            }
        }
        Ok((success, error))
    }

    /// How a success body is decoded, and the `Accept` header that asks for it.
    ///
    /// One media type decides alone. With several, JSON beside only streaming forms of the
    /// same data (`text/event-stream`, NDJSON) asks for JSON; JSON beside other forms
    /// (HTML, images, PDF...) is decoded by the response's `Content-Type`.
    fn success_kind(
        &self,
        content: &'a indexmap::IndexMap<String, openapiv3::MediaType>,
        at: &str,
        stem: &str,
        types: &mut TypeLowerer<'a>,
    ) -> Result<(String, ResponseKind), SpecProblem> {
        let media: Vec<(&str, &openapiv3::MediaType)> =
            content.iter().filter(|(ct, _)| ct.contains('/')).map(|(ct, m)| (ct.as_str(), m)).collect();
        let Some((content_type, chosen)) = preferred_media(content) else {
            return Ok(("*/*".into(), ResponseKind::Empty));
        };
        let lower = |types: &mut TypeLowerer<'a>, content_type: &str, media: &'a openapiv3::MediaType| {
            let media_pointer = format!("{at}/content/{}/schema", pointer::token(content_type));
            match &media.schema {
                Some(schema) => types.lower(schema, &media_pointer, &format!("{stem}Response")).map(Some),
                None => Ok(None),
            }
        };
        let essence = media_essence(content_type);
        let streaming_only = media.iter().all(|(ct, _)| {
            let e = media_essence(ct);
            is_json(&e) || is_json_lines(&e) || e == "text/event-stream"
        });
        if is_json(&essence) && (media.len() <= 1 || streaming_only) {
            let ty = lower(types, content_type, chosen)?.unwrap_or(TypeRef::Json);
            return Ok((accept_of(&[content_type]), self.unwrap_envelope(ty, types)));
        }
        if is_json(&essence) {
            // JSON among other forms: decoded by what the server sends.
            let ty = lower(types, content_type, chosen)?.unwrap_or(TypeRef::Json);
            let kind = match self.unwrap_envelope(ty, types) {
                ResponseKind::Json { ty, unwrap } => ResponseKind::ByContentType { ty, unwrap },
                other => other,
            };
            let all: Vec<&str> = media.iter().map(|(ct, _)| *ct).collect();
            return Ok((accept_of(&all), kind));
        }
        let all: Vec<&str> =
            if media.is_empty() { vec![content_type] } else { media.iter().map(|(ct, _)| *ct).collect() };
        let kind = if media.len() > 1 {
            if all.iter().all(|ct| media_essence(ct).starts_with("text/") && media_essence(ct) != "text/event-stream") {
                ResponseKind::Text
            } else {
                ResponseKind::Bytes
            }
        } else if is_json_lines(&essence) {
            // Each line is one value of the schema when it describes an object; otherwise any JSON.
            let item = lower(types, content_type, chosen)?.filter(|ty| !matches!(ty, TypeRef::String));
            ResponseKind::JsonLines { item: item.unwrap_or(TypeRef::Json) }
        } else if essence == "text/event-stream" {
            let data = lower(types, content_type, chosen)?;
            ResponseKind::EventStream { data: data.unwrap_or(TypeRef::String) }
        } else if essence.starts_with("text/") {
            ResponseKind::Text
        } else {
            ResponseKind::Bytes
        };
        Ok((accept_of(&all), kind))
    }

    /// With `[response] unwrap_field`, a success envelope returns that field's type.
    fn unwrap_envelope(&self, ty: TypeRef, types: &TypeLowerer<'a>) -> ResponseKind {
        let Some(field_name) = &self.config.response.unwrap_field else {
            return ResponseKind::Json { ty, unwrap: None };
        };
        if let TypeRef::Named(id) = &ty {
            if let Some(Some(def)) = types.types.get(id.0) {
                if let TypeKind::Struct(def) = &def.kind {
                    if let Some(field) = def.fields.iter().find(|f| &f.wire_name == field_name) {
                        // A result that may be absent comes back as `null`: make it optional
                        // only when the spec says it can be null, so callers get the plain type.
                        return ResponseKind::Json { ty: field.ty.clone(), unwrap: Some(field_name.clone()) };
                    }
                }
            }
        }
        ResponseKind::Json { ty, unwrap: None }
    }
}

/// The params struct: its fields keep their names, the body field takes `body` or what is
/// left, and each optional field gets a setter beside the constructor `new`.
fn params_struct(name: String, mut fields: Vec<Param>, mut body: Option<RequestBody>) -> ParamsStruct {
    let mut scope = Scope::new();
    for field in &mut fields {
        field.rust_name = scope.claim(&field.rust_name);
    }
    let mut setters = Scope::with_reserved(&["new"]);
    for field in fields.iter_mut().filter(|f| !f.required) {
        field.setter = Some(naming::setter(&mut setters, &field.rust_name));
    }
    if let Some(body) = &mut body {
        body.field = if scope.contains("body") { scope.claim("request_body") } else { scope.claim("body") };
        if !body.required {
            body.setter = Some(naming::setter(&mut setters, &body.field));
        }
    }
    ParamsStruct { name, fields, body }
}

fn status_text(status: &StatusCode) -> String {
    match status {
        StatusCode::Code(code) => code.to_string(),
        StatusCode::Range(range) => format!("{range}XX"),
    }
}

/// The media type without parameters, lower-cased: `text/plain;charset=UTF-8` is `text/plain`.
pub(super) fn media_essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Newline-delimited JSON under its common names.
fn is_json_lines(essence: &str) -> bool {
    matches!(
        essence,
        "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "application/jsonlines"
    )
}

/// An `Accept` header listing the media types (without duplicates); `*/*` when none is usable.
fn accept_of(media: &[&str]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for ct in media {
        let essence = media_essence(ct);
        // Header values are visible ASCII; anything else is not a media type we can ask for.
        if essence.contains('/') && essence.bytes().all(|b| b.is_ascii_graphic()) && !seen.contains(&essence) {
            seen.push(essence);
        }
    }
    if seen.is_empty() {
        "*/*".into()
    } else {
        seen.join(", ")
    }
}

/// A body enum variant named after its media type: `Json`, `Multipart`, `Form`, else the subtype
/// (`application/merge-patch+json` is `MergePatchJson`, `text/plain` is `Plain`); the second
/// name adds the top-level type (`TextPlain`) for when the first is taken.
fn media_variant_name(content_type: &str) -> (String, String) {
    let essence = media_essence(content_type);
    let (top, subtype) = essence.split_once('/').unwrap_or(("", essence.as_str()));
    let subtype = subtype.strip_prefix("x-").unwrap_or(subtype);
    let short = match essence.as_str() {
        "application/json" => "Json".into(),
        "multipart/form-data" => "Multipart".into(),
        "application/x-www-form-urlencoded" => "Form".into(),
        _ => naming::type_name(subtype),
    };
    let short = if short.is_empty() { "Body".to_string() } else { short };
    let long = naming::type_name(&format!("{top} {subtype}"));
    (short, long)
}

pub(super) fn is_json(content_type: &str) -> bool {
    let essence = media_essence(content_type);
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "application/*"
}

/// JSON first, then the first listed type.
fn preferred_media(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> Option<(&str, &openapiv3::MediaType)> {
    content
        .iter()
        .find(|(ct, _)| is_json(ct) && !ct.contains("merge-patch") && !ct.contains("json-patch"))
        .or_else(|| content.iter().find(|(ct, _)| is_json(ct)))
        .or_else(|| content.iter().next())
        .map(|(ct, media)| (ct.as_str(), media))
}

/// Splits `/a/{b}/c{d}` into literals and parameter names.
/// The values a path key's fragment fixes. The fragment is `&`-separated `key=value` pairs
/// (APIs.guru: `X-Amz-Target=Service.Operation` for AWS's JSON protocol, `Action=Name` for
/// its query protocol) or bare keys (`#tagKeys`, which only tell two keys apart). A pair whose
/// key is a declared header (any case) or query parameter fixes that parameter; an undeclared
/// `X-...` key is a header; any other pair is not sent, and diagnosed.
pub(super) fn fixed_by_fragment(
    fragment: &str,
    declared: &[(ParamLocation, &str)],
    pointer: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<FixedParam> {
    let mut fixed: Vec<FixedParam> = Vec::new();
    for pair in fragment.split('&').filter(|pair| !pair.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else { continue };
        let found = declared.iter().find(|(location, name)| match location {
            ParamLocation::Header => name.eq_ignore_ascii_case(key),
            _ => *name == key,
        });
        let (location, name) = match found {
            Some((location, name)) => (*location, name.to_string()),
            None if key.len() > 2 && key.get(..2).is_some_and(|prefix| prefix.eq_ignore_ascii_case("x-")) => {
                (ParamLocation::Header, key.to_string())
            }
            None => {
                diagnostics.push(Diagnostic {
                    pointer: pointer.to_string(),
                    kind: "path-fragment",
                    message: format!(
                        "the path key's fragment sets `{key}`, which is no declared header or query parameter; it is not sent"
                    ),
                });
                continue;
            }
        };
        if !fixed.iter().any(|f| f.location == location && f.name.eq_ignore_ascii_case(&name)) {
            fixed.push(FixedParam { location, name, value: value.to_string() });
        }
    }
    fixed
}

fn parse_template(path: &str, pointer: &str) -> Result<Vec<PathSegment>, SpecProblem> {
    let mut segments = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            return Err(SpecProblem::new(pointer, format!("unclosed `{{` in path template `{path}`")));
        };
        if open > 0 {
            segments.push(PathSegment::Literal(rest[..open].to_string()));
        }
        let name = &rest[open + 1..close];
        if name.is_empty() {
            return Err(SpecProblem::new(pointer, format!("empty parameter `{{}}` in path template `{path}`")));
        }
        segments.push(PathSegment::Param(name.to_string()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        segments.push(PathSegment::Literal(rest.to_string()));
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(fragment: &str, declared: &[(ParamLocation, &str)]) -> (Vec<String>, Vec<&'static str>) {
        let mut diagnostics = Vec::new();
        let fixed = fixed_by_fragment(fragment, declared, "#/paths/x/post", &mut diagnostics);
        let fixed = fixed.iter().map(|f| format!("{:?} {}={}", f.location, f.name, f.value)).collect();
        (fixed, diagnostics.iter().map(|d| d.kind).collect())
    }

    #[test]
    fn fragment_pairs_fix_declared_parameters_and_x_headers() {
        let declared = [(ParamLocation::Header, "x-amz-target"), (ParamLocation::Query, "Action")];
        // The declared parameter's spelling wins; a pair repeated is sent once.
        assert_eq!(
            fixed("X-Amz-Target=S.Op&X-AMZ-TARGET=S.Other", &declared),
            (vec!["Header x-amz-target=S.Op".to_string()], vec![])
        );
        assert_eq!(
            fixed("Action=Add&Version=1", &declared),
            (vec!["Query Action=Add".to_string()], vec!["path-fragment"])
        );
        assert_eq!(fixed("X-Custom=1", &[]), (vec!["Header X-Custom=1".to_string()], vec![]));
        // Bare keys, empty pieces and keys that are not ASCII fix nothing, and never panic.
        assert_eq!(fixed("tagKeys&&", &declared), (vec![], vec![]));
        assert_eq!(fixed("éx=1&\u{1F600}=2&x=", &declared).0, Vec::<String>::new());
    }
}
