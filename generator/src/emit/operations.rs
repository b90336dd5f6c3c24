//! One operation: its method on the resource handle, its params struct and its static spec,
//! written as laid-out source (see [`super::source`]).

use super::docs::{deprecated_attr, one_line, value_details, with_details, ValueFacts};
use super::escape::{code, inline_text, prose};
use super::rust_type_text;
use super::source::{fits, literal, Source};
use super::Context;
use crate::ir::{Api, BodyKind, Locals, Operation, Param, ParamLocation, PathSegment, ResponseKind, TypeKind, TypeRef};

const REQUEST: &str = "crate::runtime::request";
const VALIDATE: &str = "crate::runtime::validate";

/// The method on the resource handle, at one level of indentation (inside `impl`).
pub fn operation_method(out: &mut Source, context: &Context<'_>, operation: &Operation) {
    let api = context.api;
    let locals = &operation.locals;
    out.docs(1, &operation_docs(api, operation));
    if let Some(deprecation) = &operation.deprecated {
        out.line(1, deprecated_attr(deprecation));
    }
    let mut arguments = vec!["&self".to_string()];
    for param in &operation.positional {
        arguments.push(format!("{}: {}", param.rust_name, argument_type(api, &param.ty)));
    }
    if let Some(params) = &operation.params {
        arguments.push(format!("{}: &{}", locals.params, params.name));
    }
    if arguments.len() > 7 {
        out.line(1, "// One argument per path parameter, in URL order, as for every operation.");
        out.line(1, "#[allow(clippy::too_many_arguments)]");
    }
    if operation.method_name == "new" {
        super::resources::allow_new_not_returning_self(out);
    }
    let (success_ty, decoder) = success(context, &operation.success.kind);
    let (call_type, success_ty) = match &operation.pagination {
        Some(pagination) => super::pagination::list_call_type(api, pagination),
        None => ("crate::Call", success_ty),
    };
    let returns = format!("{call_type}<'a, {success_ty}>");
    let head = format!("pub fn {}", operation.method_name);
    let one_line = format!("{head}({}) -> {returns} {{", arguments.join(", "));
    if fits(1, &one_line) {
        out.line(1, &one_line);
    } else {
        out.line(1, format_args!("{head}("));
        for argument in &arguments {
            out.line(2, format_args!("{argument},"));
        }
        let close = format!(") -> {returns} {{");
        if fits(1, &close) {
            out.line(1, &close);
        } else {
            out.line(1, format_args!(") -> {call_type}<"));
            for part in ["'a", &success_ty] {
                out.line(2, format_args!("{part},"));
            }
            out.line(1, "> {");
        }
    }

    // The path, segment by segment.
    let calls: Vec<String> = operation
        .segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Literal(text) => format!(".literal({})", literal(text)),
            PathSegment::Param(wire) => format!(".param({}, {})", literal(wire), path_value(api, operation, wire)),
        })
        .collect();
    let start = format!("let {} = {REQUEST}::PathBuilder::new()", locals.path);
    let one_line = format!("{start}{};", calls.concat());
    if fits(2, &one_line) {
        out.line(2, &one_line);
    } else {
        out.line(2, &start);
        for (index, call) in calls.iter().enumerate() {
            let end = if index + 1 == calls.len() { ";" } else { "" };
            out.line(3, format_args!("{call}{end}"));
        }
    }

    let mut body = Source::default();
    // Values the spec's path key fixes (its fragment), sent by every call.
    for fixed in &operation.fixed {
        let call = if fixed.location == ParamLocation::Query { "query" } else { "header" };
        body.line(2, format_args!("{}.{call}({}, {});", locals.parts, literal(&fixed.name), literal(&fixed.value)));
    }
    for param in &operation.positional {
        checks(&mut body, 2, locals, param, &param.rust_name, &param.rust_name);
    }
    if let Some(params) = &operation.params {
        for field in &params.fields {
            field_statements(&mut body, api, locals, field);
        }
        if let Some(request_body) = &params.body {
            let Locals { params: params_arg, parts, value, .. } = locals;
            let field = &request_body.field;
            if request_body.required {
                body.line(2, format_args!("let {value} = &{params_arg}.{field};"));
                send_body(&mut body, 2, api, &request_body.kind, parts, value);
            } else {
                body.line(2, format_args!("if let Some({value}) = &{params_arg}.{field} {{"));
                send_body(&mut body, 3, api, &request_body.kind, parts, value);
                body.line(2, "}");
            }
        }
    }
    let mutable = if body.text.is_empty() { "" } else { "mut " };
    out.line(2, format_args!("let {mutable}{} = {REQUEST}::RequestParts::new({});", locals.parts, locals.path));
    out.text.push_str(&body.text);
    if let Some(pagination) = &operation.pagination {
        super::pagination::list_call(out, operation, pagination);
    } else {
        let spec = format!("&{}", operation.static_name);
        out.call(2, &format!("{REQUEST}::Call::new"), &["self.client".into(), spec, locals.parts.clone(), decoder], "");
    }
    out.line(1, "}");
}

/// Puts the body bound to `value` into the request, in its media type.
fn send_body(out: &mut Source, depth: usize, api: &Api, kind: &BodyKind, parts: &str, value: &str) {
    match kind {
        BodyKind::Json { content_type, .. } if content_type == "application/json" => {
            out.line(depth, format_args!("{parts}.json_body({value});"))
        }
        BodyKind::Json { content_type, .. } => {
            out.line(depth, format_args!("{parts}.json_body_as({}, {value});", literal(content_type)))
        }
        BodyKind::Form { .. } => out.line(depth, format_args!("{parts}.form_body_from({value});")),
        // A struct encodes its own parts (files, JSON parts, repeated parts); anything else
        // sends its fields as text parts.
        BodyKind::Multipart { ty, .. } if multipart_struct(api, ty) => {
            out.line(depth, format_args!("{parts}.multipart_from({value});"))
        }
        BodyKind::Multipart { .. } => out.line(depth, format_args!("{parts}.multipart_body({value});")),
        BodyKind::Text { content_type } => {
            out.line(depth, format_args!("{parts}.text_body({}, {value}.clone());", literal(content_type)))
        }
        BodyKind::Bytes { content_type } => {
            out.line(depth, format_args!("{parts}.file_body({}, {value});", literal(content_type)))
        }
        BodyKind::Choice { name, variants } => {
            out.line(depth, format_args!("match {value} {{"));
            for variant in variants {
                out.line(depth + 1, format_args!("{name}::{}({value}) => {{", variant.rust_name));
                send_body(out, depth + 2, api, &variant.kind, parts, value);
                out.line(depth + 1, "}");
            }
            out.line(depth, "}");
        }
    }
}

/// Whether a multipart body is a struct, which implements `ToMultipart`.
pub fn multipart_struct(api: &Api, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Struct(_)))
}

/// Checks and sending of one field of the params struct.
fn field_statements(out: &mut Source, api: &Api, locals: &Locals, field: &Param) {
    let access = format!("{}.{}", locals.params, field.rust_name);
    let Locals { parts, value: bound, .. } = locals;
    let optional = !field.required;
    // `place` names the value; `value` is how it is passed: numbers and booleans by value,
    // everything else by reference. Optional fields are bound by `if let`.
    let copy = matches!(field.ty, TypeRef::Integer(_) | TypeRef::Float | TypeRef::Bool);
    let (place, value, number) = match (optional, copy) {
        (true, _) => (bound.clone(), bound.clone(), format!("*{bound}")),
        (false, true) => (access.clone(), access.clone(), access.clone()),
        (false, false) => (access.clone(), format!("&{access}"), access.clone()),
    };
    let depth = if optional { 3 } else { 2 };
    let mut body = Source::default();
    checks(&mut body, depth, locals, field, &value, &number);
    let wire = literal(&field.wire_name);
    match field.location {
        ParamLocation::Query => send_value(&mut body, depth, api, locals, &field.ty, (&place, &value), &|v| {
            format!("{parts}.query({wire}, {v});")
        }),
        ParamLocation::Header => send_value(&mut body, depth, api, locals, &field.ty, (&place, &value), &|v| {
            format!("{parts}.header({wire}, {v});")
        }),
        ParamLocation::Path => {}
    }
    if body.text.is_empty() {
        return;
    }
    if optional {
        out.line(2, format_args!("if let Some({bound}) = &{access} {{"));
        out.text.push_str(&body.text);
        out.line(2, "}");
    } else {
        out.text.push_str(&body.text);
    }
}

/// The `static OperationSpec` for an operation.
pub fn operation_statics(out: &mut Source, operation: &Operation) {
    out.line(
        0,
        format_args!("static {}: {REQUEST}::OperationSpec = {REQUEST}::OperationSpec {{", operation.static_name),
    );
    out.line(1, format_args!("operation_id: {},", literal(&operation.id)));
    out.line(1, format_args!("method: reqwest::Method::{},", operation.method));
    out.line(1, format_args!("path_template: {},", literal(&operation.path)));
    let alternatives: Vec<String> = operation
        .security
        .iter()
        .map(|alternative| {
            let names: Vec<String> = alternative.iter().map(|name| literal(name)).collect();
            format!("&[{}]", names.join(", "))
        })
        .collect();
    out.line(1, format_args!("security: &[{}],", alternatives.join(", ")));
    out.line(1, format_args!("accept: {},", literal(&operation.success.accept)));
    out.line(0, "};");
    if let Some(pagination) = &operation.pagination {
        super::pagination::pagination_static(out, pagination);
    }
}

/// The params struct and its constructor and setters.
pub fn params_struct(out: &mut Source, context: &Context<'_>, operation: &Operation, handle: &str) {
    let api = context.api;
    let Some(params) = operation.params.as_ref() else { return };
    let name = &params.name;
    let mut fields: Vec<ParamsField> = Vec::new();
    for field in &params.fields {
        let details = value_details(param_facts(field));
        let mut docs = with_details(field.doc.as_deref().map(prose).unwrap_or_default(), details);
        if docs.is_empty() {
            docs.push(format!("The {} parameter.", code(&field.wire_name)));
        }
        let rules = &field.rules;
        let checked = rules.max_length.is_some() || rules.min_length.is_some() || rules.pattern.is_some();
        if checked || (field.ty == TypeRef::String && !rules.allowed.is_empty()) {
            docs.push(String::new());
            docs.push("Values outside these rules are refused before sending.".to_string());
        }
        fields.push(ParamsField {
            docs,
            name: field.rust_name.clone(),
            ty: rust_type_text(api, &field.ty),
            required: field.required,
            setter: field.setter.clone(),
            setter_doc: format!("Sets {}.", code(&field.wire_name)),
            deprecated: field.deprecated.as_ref().map(deprecated_attr),
        });
    }
    if let Some(body) = &params.body {
        fields.push(ParamsField {
            docs: prose_or(body.doc.as_deref(), || "The request body.".to_string()),
            name: body.field.clone(),
            ty: body_type(api, &body.kind),
            required: body.required,
            setter: body.setter.clone(),
            setter_doc: "Sets the request body.".into(),
            deprecated: None,
        });
    }
    let required: Vec<&ParamsField> = fields.iter().filter(|f| f.required).collect();

    out.line(0, format_args!("/// Parameters for [`{handle}::{}`].", operation.method_name));
    // With nothing required, `new()` takes no arguments and `Default` is the same thing.
    let default = if required.is_empty() { ", Default" } else { "" };
    out.line(0, format_args!("#[derive(Debug, Clone, PartialEq{default})]"));
    out.line(0, "#[non_exhaustive]");
    out.line(0, format_args!("pub struct {name} {{"));
    for field in &fields {
        out.docs(1, &field.docs);
        if let Some(attr) = &field.deprecated {
            out.line(1, attr);
        }
        if field.required {
            out.line(1, format_args!("pub {}: {},", field.name, field.ty));
        } else {
            out.line(1, format_args!("pub {}: Option<{}>,", field.name, field.ty));
        }
    }
    out.line(0, "}");
    out.blank();
    out.line(0, format_args!("impl {name} {{"));
    out.line(1, "/// Parameters with the required values set and the optional ones unset.");
    let arguments: Vec<String> = required.iter().map(|f| format!("{}: impl Into<{}>", f.name, f.ty)).collect();
    out.call(1, "pub fn new", &arguments, " -> Self {");
    out.line(2, "Self {");
    for field in &required {
        out.line(3, format_args!("{0}: {0}.into(),", field.name));
    }
    for field in fields.iter().filter(|f| !f.required) {
        out.line(3, format_args!("{}: None,", field.name));
    }
    out.line(2, "}");
    out.line(1, "}");
    for field in &fields {
        let Some(setter) = &field.setter else { continue };
        out.blank();
        out.docs(1, std::slice::from_ref(&field.setter_doc));
        if let Some(attr) = &field.deprecated {
            out.line(1, attr);
        }
        out.line(1, format_args!("pub fn {setter}(mut self, value: impl Into<{}>) -> Self {{", field.ty));
        out.line(2, format_args!("self.{} = Some(value.into());", field.name));
        out.line(2, "self");
        out.line(1, "}");
    }
    out.line(0, "}");
}

/// One field of a params struct, as the struct, its constructor and its setter need it.
struct ParamsField {
    docs: Vec<String>,
    name: String,
    ty: String,
    required: bool,
    setter: Option<String>,
    /// The `#[deprecated]` attribute of a deprecated parameter.
    deprecated: Option<String>,
    setter_doc: String,
}

/// Spec prose, or a fallback line when the spec says nothing (or only whitespace).
fn prose_or(text: Option<&str>, fallback: impl FnOnce() -> String) -> Vec<String> {
    let lines = text.map(prose).unwrap_or_default();
    if lines.is_empty() {
        vec![fallback()]
    } else {
        lines
    }
}

fn operation_docs(api: &Api, operation: &Operation) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(summary) = &operation.summary {
        lines.extend(prose(summary));
    }
    if let Some(description) = &operation.description {
        let description = prose(description);
        if !description.is_empty() && Some(&description) != operation.summary.as_ref().map(|s| prose(s)).as_ref() {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.extend(description);
        }
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(code(&format!("{} {}", operation.method, operation.path)));
    if !operation.fixed.is_empty() {
        // The spec's key holds a fragment, which is no part of the URL: say what is sent.
        let route: String = operation
            .segments
            .iter()
            .map(|segment| match segment {
                PathSegment::Literal(text) => text.clone(),
                PathSegment::Param(wire) => format!("{{{wire}}}"),
            })
            .collect();
        let fixed: Vec<String> = operation
            .fixed
            .iter()
            .map(|f| match f.location {
                ParamLocation::Query => format!("query {}", code(&format!("{}={}", f.name, f.value))),
                _ => format!("header {}", code(&format!("{}: {}", f.name, f.value))),
            })
            .collect();
        lines.push(String::new());
        lines.push(format!("Sent as {} with {}.", code(&format!("{} {route}", operation.method)), fixed.join(" and ")));
    }
    if let Some(pagination) = &operation.pagination {
        lines.push(String::new());
        lines.extend(super::pagination::doc_lines(pagination));
    }
    if operation.success.kind == ResponseKind::Upgrade {
        lines.push(String::new());
        lines.push(
            "Opens a WebSocket: the call asks to switch protocols and returns the connection \
             ([`Upgraded`](crate::Upgraded)) once the server answers `101 Switching Protocols`."
                .to_string(),
        );
    }
    for (heading, items) in &operation.doc_lists {
        lines.push(String::new());
        let items: Vec<String> = items.iter().map(|i| code(i)).collect();
        lines.push(format!("{}: {}", inline_text(heading), items.join(", ")));
    }
    // Positional arguments have no struct field to carry their docs; list them here.
    let arguments: Vec<String> = operation.positional.iter().map(argument_doc).collect();
    if !arguments.is_empty() {
        lines.push(String::new());
        lines.push("# Arguments".to_string());
        lines.push(String::new());
        lines.extend(arguments);
    }
    lines.extend(errors_doc(api, operation));
    lines
}

/// The `# Errors` section: every failure is a [`crate::Error`]; the documented error body,
/// when there is one, is named with the call that decodes it.
fn errors_doc(api: &Api, operation: &Operation) -> Vec<String> {
    let mut lines = vec![String::new(), "# Errors".to_string(), String::new()];
    let Some(error) = &operation.error else {
        lines.push("Fails with an [`Error`](crate::Error) (the API documents no typed error body).".to_string());
        return lines;
    };
    let ty = rust_type_text(api, error);
    let named = match error {
        TypeRef::Named(id) => format!("[`{0}`](crate::types::{0})", api.type_def(*id).name),
        _ => code(&ty),
    };
    lines.push(format!(
        "Fails with an [`Error`](crate::Error). For an error status the API documents the body as {named}: \
         {} decodes it.",
        code(&format!("error.api_error_body::<{ty}>()"))
    ));
    lines
}

/// `- `user_id`: UUID. At most 36 characters.`
fn argument_doc(param: &Param) -> String {
    let mut text = format!("- {}", code(&param.rust_name));
    let mut details = Vec::new();
    if let Some(doc) = param.doc.as_deref().map(one_line).filter(|doc| !doc.is_empty()) {
        details.push(doc);
    }
    details.extend(value_details(param_facts(param)));
    if let Some(deprecation) = &param.deprecated {
        let note = deprecation.note.as_deref().map(one_line).unwrap_or_default();
        details.push(format!("Deprecated. {note}").trim_end().to_string());
    }
    if !details.is_empty() {
        text.push_str(": ");
        text.push_str(&details.join(" "));
    }
    text
}

/// What the spec says about a parameter's value.
fn param_facts(param: &Param) -> ValueFacts<'_> {
    ValueFacts {
        format: param.format.as_deref(),
        rules: &param.rules,
        list_allowed: param.ty == TypeRef::String,
        default: param.default.as_ref(),
        example: param.example.as_ref(),
    }
}

/// How a positional argument is taken: strings by `&str`, numbers and booleans by value,
/// everything else by reference.
fn argument_type(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "&str".into(),
        TypeRef::Integer(_) | TypeRef::Float | TypeRef::Bool => rust_type_text(api, ty),
        other => format!("&{}", rust_type_text(api, other)),
    }
}

/// The `&str` to put in the path for parameter `wire`.
fn path_value(api: &Api, operation: &Operation, wire: &str) -> String {
    if let Some(param) = operation.positional.iter().find(|p| p.wire_name == wire) {
        return as_str(api, &param.ty, &param.rust_name, true);
    }
    let field = operation
        .params
        .as_ref()
        .and_then(|p| p.fields.iter().find(|f| f.wire_name == wire))
        .expect("every template parameter is positional or in the params struct");
    as_str(api, &field.ty, &format!("{}.{}", operation.locals.params, field.rust_name), false)
}

/// An expression of type `&str` for a scalar value.
fn as_str(api: &Api, ty: &TypeRef, value: &str, by_value: bool) -> String {
    match ty {
        TypeRef::String if by_value => value.to_string(),
        TypeRef::String => format!("&{value}"),
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => format!("{value}.as_str()"),
        TypeRef::Integer(_) | TypeRef::Float | TypeRef::Bool => format!("&{value}.to_string()"),
        // Unions, objects and arrays have no `Display`; they travel as their JSON text.
        _ if by_value => format!("&{REQUEST}::param_text({value})"),
        _ => format!("&{REQUEST}::param_text(&{value})"),
    }
}

/// Checks of a parameter's rules: `value` is the string by reference, `number` the number
/// by value.
fn checks(out: &mut Source, depth: usize, locals: &Locals, param: &Param, value: &str, number: &str) {
    let parts = &locals.parts;
    let name = literal(&param.wire_name);
    let rules = &param.rules;
    if matches!(param.ty, TypeRef::String) && rules.has_string_rules() {
        out.line(depth, format_args!("{VALIDATE}::check_string("));
        out.line(depth + 1, format_args!("&mut {parts},"));
        out.line(depth + 1, format_args!("{name},"));
        out.line(depth + 1, format_args!("{value},"));
        out.line(depth + 1, format_args!("&{VALIDATE}::StringRules {{"));
        out.line(depth + 2, format_args!("max_length: {},", option_literal(rules.max_length.map(|n| n.to_string()))));
        out.line(depth + 2, format_args!("min_length: {},", option_literal(rules.min_length.map(|n| n.to_string()))));
        out.line(depth + 2, format_args!("pattern: {},", option_literal(rules.pattern.as_deref().map(literal))));
        let allowed: Vec<String> = rules.allowed.iter().map(|v| literal(v)).collect();
        let one_line = format!("allowed: &[{}],", allowed.join(", "));
        if fits(depth + 2, &one_line) {
            out.line(depth + 2, &one_line);
        } else {
            out.line(depth + 2, "allowed: &[");
            for value in &allowed {
                out.line(depth + 3, format_args!("{value},"));
            }
            out.line(depth + 2, "],");
        }
        out.line(depth + 1, "},");
        out.line(depth, ");");
    }
    let is_number = matches!(param.ty, TypeRef::Integer(_) | TypeRef::Float);
    if is_number && (rules.minimum.is_some() || rules.maximum.is_some()) {
        let number = match param.ty {
            TypeRef::Float => number.to_string(),
            _ => format!("{number} as f64"),
        };
        // A bound that is not a finite number (YAML's `.inf`) has no literal; it bounds nothing.
        let bound = |b: Option<f64>| {
            option_literal(b.filter(|b| b.is_finite()).map(|b| proc_macro2::Literal::f64_unsuffixed(b).to_string()))
        };
        out.call(
            depth,
            &format!("{VALIDATE}::check_number"),
            &[format!("&mut {parts}"), name, number, bound(rules.minimum), bound(rules.maximum)],
            ";",
        );
    }
}

/// `Some(<literal>)` or `None`.
fn option_literal(value: Option<String>) -> String {
    value.map_or_else(|| "None".to_string(), |v| format!("Some({v})"))
}

/// Sends a parameter's value with `send`: `place` names it (for iterating a list), `value`
/// is the expression to pass for a scalar.
fn send_value(
    out: &mut Source,
    depth: usize,
    api: &Api,
    locals: &Locals,
    ty: &TypeRef,
    (place, value): (&str, &str),
    send: &dyn Fn(&str) -> String,
) {
    match ty {
        TypeRef::Array(item) => {
            let (item, iterate) = match item.as_ref() {
                // A list of nullable items sends the items that are present.
                TypeRef::Nullable(inner) => {
                    (inner.as_ref(), format!("for {} in {place}.iter().flatten() {{", locals.item))
                }
                item => (item, format!("for {} in {place}.iter() {{", locals.item)),
            };
            out.line(depth, &iterate);
            send_value(out, depth + 1, api, locals, item, (&locals.item, &locals.item), send);
            out.line(depth, "}");
        }
        TypeRef::Nullable(inner) => {
            out.line(depth, format_args!("if let Some({}) = {value} {{", locals.value));
            send_value(out, depth + 1, api, locals, inner, (&locals.value, &locals.value), send);
            out.line(depth, "}");
        }
        TypeRef::String | TypeRef::Bool | TypeRef::Integer(_) | TypeRef::Float | TypeRef::Json => {
            out.line(depth, send(value))
        }
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => out.line(depth, send(value)),
        TypeRef::Named(_) | TypeRef::Map(_) | TypeRef::File => {
            out.line(depth, send(&format!("{REQUEST}::param_text({value})")))
        }
    }
}

/// The success type and the decoder expression.
fn success(context: &Context<'_>, kind: &ResponseKind) -> (String, String) {
    let api = context.api;
    match kind {
        // An envelope whose field is missing or null still yields a value when the type has
        // a natural empty value (a struct of optional fields): one odd response must not fail
        // a call the caller could otherwise use.
        ResponseKind::Json { ty, unwrap: Some(field) }
            if context.api.has_default(ty) && matches!(ty, TypeRef::Named(_)) =>
        {
            (rust_type_text(api, ty), format!("{REQUEST}::Decoder::json_field_or_default({})", literal(field)))
        }
        ResponseKind::Json { ty, unwrap: Some(field) } => {
            (rust_type_text(api, ty), format!("{REQUEST}::Decoder::json_field({})", literal(field)))
        }
        ResponseKind::Json { ty, unwrap: None } => (rust_type_text(api, ty), format!("{REQUEST}::Decoder::json()")),
        ResponseKind::Text => ("String".into(), format!("{REQUEST}::Decoder::text()")),
        ResponseKind::Bytes => ("bytes::Bytes".into(), format!("{REQUEST}::Decoder::bytes()")),
        ResponseKind::Empty => ("()".into(), format!("{REQUEST}::Decoder::empty()")),
        ResponseKind::JsonLines { item } => {
            (format!("crate::JsonLines<{}>", rust_type_text(api, item)), format!("{REQUEST}::Decoder::ndjson()"))
        }
        ResponseKind::EventStream { data } => {
            (format!("crate::EventStream<{}>", rust_type_text(api, data)), format!("{REQUEST}::Decoder::sse()"))
        }
        ResponseKind::Upgrade => ("crate::Upgraded".into(), format!("{REQUEST}::Decoder::upgrade()")),
        ResponseKind::ByContentType { ty, unwrap } => (
            format!("crate::Content<{}>", rust_type_text(api, ty)),
            format!("{REQUEST}::Decoder::by_content_type({})", option_literal(unwrap.as_deref().map(literal))),
        ),
    }
}

fn body_type(api: &Api, kind: &BodyKind) -> String {
    match kind {
        BodyKind::Json { ty, .. } | BodyKind::Form { ty } | BodyKind::Multipart { ty, .. } => rust_type_text(api, ty),
        BodyKind::Text { .. } => "String".into(),
        BodyKind::Bytes { .. } => "crate::File".into(),
        BodyKind::Choice { name, .. } => name.clone(),
    }
}

/// The enum of a body that accepts several media types, with a `From` per distinct variant type.
pub fn body_choice(out: &mut Source, api: &Api, operation: &Operation, handle: &str) {
    let Some(body) = operation.params.as_ref().and_then(|p| p.body.as_ref()) else { return };
    let BodyKind::Choice { name, variants } = &body.kind else { return };
    out.blank();
    out.line(
        0,
        format_args!(
            "/// The request body of [`{handle}::{}`], in one of the media types it accepts.",
            operation.method_name
        ),
    );
    out.line(0, "#[derive(Debug, Clone, PartialEq)]");
    out.line(0, "#[non_exhaustive]");
    // Variants stay unboxed so that building and matching one reads naturally.
    out.line(0, "#[allow(clippy::large_enum_variant)]");
    out.line(0, format_args!("pub enum {name} {{"));
    for variant in variants {
        out.docs(1, &[format!("Sent as {}.", code(&variant.content_type))]);
        out.line(1, format_args!("{}({}),", variant.rust_name, body_type(api, &variant.kind)));
    }
    out.line(0, "}");
    let mut seen = Vec::new();
    for variant in variants {
        let ty = body_type(api, &variant.kind);
        // Two names of one type (an alias, `ir::analysis::dedupe`) are one type.
        let canonical: Vec<TypeRef> = variant.kind.types().into_iter().map(|t| api.canonical_ref(t)).collect();
        if seen.iter().any(|(c, t): &(Vec<TypeRef>, String)| *t == ty || (!c.is_empty() && *c == canonical)) {
            continue;
        }
        out.blank();
        out.line(0, format_args!("impl From<{ty}> for {name} {{"));
        out.line(1, format_args!("fn from(value: {ty}) -> Self {{"));
        out.line(2, format_args!("Self::{}(value)", variant.rust_name));
        out.line(1, "}");
        out.line(0, "}");
        seen.push((canonical, ty));
    }
}
