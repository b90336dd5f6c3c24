//! An oracle for "no spec string escapes into code".
//!
//! Given the files of a generated crate, it finds everything rustc, rustdoc and Cargo would
//! treat as code or configuration and reports each place where a payload marker reached it:
//!
//! - every `.rs` file must parse, and the marker's payload form, a macro call `PWNED!(..)`,
//!   must not appear as tokens: inside string literals (doc comments are string literals once
//!   lexed) it is data. A bare identifier containing the marker is not a finding on its own:
//!   the generator legitimately derives identifiers from spec names (`x\nPWNED!()` as an
//!   operation name becomes `x_pwned` and its `static X_PWNED`), but sanitising never
//!   leaves the `!` that makes the payload a macro call;
//! - no two items of one module (per namespace), methods of one impl, fields of one struct,
//!   variants of one enum or parameters of one function share a name;
//! - the documentation of each item, gathered as rustdoc gathers it (`///`, `//!`, `#[doc]`,
//!   `#![doc = include_str!(..)]`, unindented the way rustdoc unindents), is read as
//!   CommonMark; every code block rustdoc would compile as a Rust doctest must come from the
//!   generator's own examples (they start with `use <crate>::Client;`) and may carry the
//!   marker only inside string literals;
//! - no raw HTML in documentation carries the marker (rustdoc copies raw HTML into its pages);
//! - no documentation line and no `.rs` file holds a carriage return or a bidi control
//!   character (rustc rejects both), and the `//` header lines hold nothing that ends a line;
//! - every file path stays inside the crate and is a portable name (no component over 255
//!   bytes);
//! - `Cargo.toml` parses, and neither its keys nor its dependency tables nor `package.build`
//!   carry the marker.
#![allow(dead_code)]

use std::collections::HashSet;
use std::fmt;

use proc_macro2::{TokenStream, TokenTree};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use quote::ToTokens;
use syn::visit::Visit;

/// The string hostile test inputs hide in their payloads.
pub const MARKER: &str = "PWNED";

/// Bidi control characters; rustc denies them in comments and literals.
pub const BIDI: [char; 9] =
    ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'];

/// One problem the oracle found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The generated file.
    pub file: String,
    /// The item whose documentation it is, or where in the file.
    pub place: String,
    /// What is wrong.
    pub problem: String,
    /// The offending text.
    pub excerpt: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut excerpt: String = self.excerpt.chars().take(400).collect();
        if excerpt.len() < self.excerpt.len() {
            excerpt.push_str("...");
        }
        write!(f, "{} [{}]: {}: {:?}", self.file, self.place, self.problem, excerpt)
    }
}

/// A code block as CommonMark (and so rustdoc) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's info string; `None` for an indented block.
    pub info: Option<String>,
    /// The block's text.
    pub text: String,
}

impl CodeBlock {
    /// Whether rustdoc would treat the block as Rust (a doctest, possibly ignored).
    pub fn is_rust(&self) -> bool {
        self.info.as_deref().is_none_or(is_rust_info)
    }
}

/// Rustdoc's reading of a fence info string, erring towards "Rust": an empty info string,
/// `rust`, or only rustdoc's own attributes (`no_run`, `ignore`, `edition2021`, ...) mean Rust;
/// any other word (`text`, `json`, `sh`) means not Rust unless a Rust attribute is present too.
pub fn is_rust_info(info: &str) -> bool {
    let mut seen_rust = false;
    let mut seen_other = false;
    for token in info.split([',', ' ', '\t', '{', '}']).filter(|t| !t.is_empty()) {
        match token {
            "rust" | "should_panic" | "no_run" | "ignore" | "test_harness" | "compile_fail" | "standalone_crate" => {
                seen_rust = true
            }
            "custom" => return false,
            _ if token.starts_with("ignore-") || token.starts_with("edition") => seen_rust = true,
            _ if token.len() == 5 && token.starts_with('E') && token[1..].chars().all(|c| c.is_ascii_digit()) => {
                seen_rust = true
            }
            // Class and key=value attributes say nothing about the language.
            _ if token.starts_with('.') || token.contains('=') => {}
            _ => seen_other = true,
        }
    }
    !seen_other || seen_rust
}

/// Every code block of a Markdown text, parsed with the options rustdoc uses.
pub fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let options = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_FOOTNOTES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_TASKLISTS
        | pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION;
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => Some(info.to_string()),
                    CodeBlockKind::Indented => None,
                };
                current = Some(CodeBlock { info, text: String::new() });
            }
            Event::Text(text) | Event::Html(text) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks.extend(current);
    blocks
}

/// Raw HTML (blocks and inline tags) that holds the marker: rustdoc passes raw HTML through to
/// the rendered page, so spec text there is markup, not text.
pub fn raw_html_with_marker(markdown: &str, marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut block = String::new();
    for event in Parser::new_ext(markdown, pulldown_cmark::Options::empty()) {
        match event {
            Event::Html(html) => block.push_str(&html),
            Event::InlineHtml(html) if html.contains(marker) => found.push(html.to_string()),
            Event::End(TagEnd::HtmlBlock) => {
                if block.contains(marker) {
                    found.push(std::mem::take(&mut block));
                }
                block.clear();
            }
            _ => {}
        }
    }
    found
}

/// The source rustdoc compiles for a doctest: `# ` hidden lines are unhidden, `##` becomes `#`.
pub fn doctest_source(block: &str) -> String {
    let mut out = String::with_capacity(block.len());
    for line in block.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("##") {
            out.push_str(&line.replacen("##", "#", 1));
        } else if let Some(hidden) = trimmed.strip_prefix("# ") {
            out.push_str(hidden);
        } else if trimmed != "#" {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Where in Rust code the payload `<marker>!` is a macro call (or a non-string literal holds
/// the marker), or why code holding the marker does not lex. `None` when the marker is only
/// data: inside string, char or byte string literals, or part of a sanitised identifier.
pub fn marker_outside_literals(code: &str, marker: &str) -> Option<String> {
    match code.parse::<TokenStream>() {
        Ok(tokens) => marker_in_tokens(tokens, marker),
        Err(error) => code.contains(marker).then(|| format!("does not lex ({error})")),
    }
}

fn marker_in_tokens(tokens: TokenStream, marker: &str) -> Option<String> {
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Group(group) => {
                if let Some(found) = marker_in_tokens(group.stream(), marker) {
                    return Some(found);
                }
            }
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let is_marker = name == marker || name.strip_prefix("r#") == Some(marker);
                if is_marker && matches!(tokens.peek(), Some(TokenTree::Punct(punct)) if punct.as_char() == '!') {
                    return Some(format!("macro call `{name}!`"));
                }
            }
            TokenTree::Punct(_) => {}
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                let quoted = text.starts_with(['"', '\'']) || text.starts_with("b\"") || text.starts_with("r");
                let quoted = quoted || text.starts_with("br") || text.starts_with("c\"") || text.starts_with("cr");
                if text.contains(marker) && !quoted {
                    return Some(format!("literal `{text}`"));
                }
            }
        }
    }
    None
}

/// One piece of an item's documentation: a `///` line, a `#[doc]` string, an included file.
#[derive(Debug, Clone)]
pub struct Fragment {
    pub text: String,
    /// `#[doc = "..."]` written as an attribute (rustdoc unindents those differently). A
    /// string with a line break cannot come from a `///` line; every other one is taken as
    /// sugared, which is what the generator writes.
    pub raw: bool,
}

/// The documentation rustdoc renders for one item.
#[derive(Debug, Clone)]
pub struct DocBlock {
    /// A description of the item (kind and name).
    pub place: String,
    pub fragments: Vec<Fragment>,
}

impl DocBlock {
    /// The Markdown rustdoc renders: fragments unindented and joined as rustdoc does.
    pub fn markdown(&self) -> String {
        unindent_and_join(&self.fragments)
    }
}

/// Rustdoc's `unindent_doc_fragments` followed by its joining of fragments.
pub fn unindent_and_join(fragments: &[Fragment]) -> String {
    let mixed = fragments.windows(2).any(|pair| pair[0].raw != pair[1].raw) && fragments.iter().any(|f| !f.raw);
    let add = usize::from(mixed);
    let min_indent = fragments
        .iter()
        .map(|fragment| {
            fragment
                .text
                .lines()
                .filter(|line| line.chars().any(|c| !c.is_whitespace()))
                .map(|line| {
                    line.chars().take_while(|c| *c == ' ' || *c == '\t').count() + if fragment.raw { add } else { 0 }
                })
                .min()
                .unwrap_or(usize::MAX)
        })
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for fragment in fragments {
        if fragment.text.is_empty() {
            out.push('\n');
            continue;
        }
        let indent = if fragment.raw && min_indent > 0 { min_indent - add } else { min_indent };
        for line in fragment.text.lines() {
            if line.chars().any(|c| !c.is_whitespace()) {
                // Only spaces and tabs are counted, so this strips characters, not bytes.
                let strip: usize = line.chars().take(indent).map(char::len_utf8).sum();
                out.push_str(&line[strip..]);
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
    }
    out
}

/// Collects the documentation of every item of a parsed file, grouped per item.
struct DocCollector<'a> {
    file_path: &'a str,
    files: &'a [(String, String)],
    blocks: Vec<DocBlock>,
    /// Doc attributes that belong to some item's group.
    grouped: HashSet<usize>,
    /// Every doc attribute met, in order, for those attached to nothing rustdoc documents.
    all: Vec<(usize, Fragment)>,
    findings: Vec<Finding>,
}

impl DocCollector<'_> {
    fn fragment(&mut self, attr: &syn::Attribute) -> Option<Fragment> {
        if !attr.path().is_ident("doc") {
            return None;
        }
        let syn::Meta::NameValue(name_value) = &attr.meta else {
            return None; // `#[doc(hidden)]` and the like.
        };
        match &name_value.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) => {
                let text = text.value();
                let raw = text.contains('\n');
                Some(Fragment { text, raw })
            }
            syn::Expr::Macro(mac) if mac.mac.path.is_ident("include_str") => {
                let Ok(relative) = mac.mac.parse_body::<syn::LitStr>() else {
                    self.finding("crate", "include_str! of something other than a string", &mac.mac.tokens.to_string());
                    return None;
                };
                let target = resolve_relative(self.file_path, &relative.value());
                match self.files.iter().find(|(path, _)| *path == target) {
                    Some((_, contents)) => Some(Fragment { text: contents.clone(), raw: true }),
                    None => {
                        self.finding("crate", "include_str! of a file that was not generated", &target);
                        None
                    }
                }
            }
            other => {
                self.finding("attribute", "doc attribute that is not a string", &other.to_token_stream().to_string());
                None
            }
        }
    }

    fn group(&mut self, place: String, attrs: &[syn::Attribute]) {
        let mut fragments = Vec::new();
        for attr in attrs {
            if let Some(fragment) = self.fragment(attr) {
                self.grouped.insert(attr as *const syn::Attribute as usize);
                fragments.push(fragment);
            }
        }
        if !fragments.is_empty() {
            self.blocks.push(DocBlock { place, fragments });
        }
    }

    fn finding(&mut self, place: &str, problem: &str, excerpt: &str) {
        self.findings.push(Finding {
            file: self.file_path.to_string(),
            place: place.to_string(),
            problem: problem.to_string(),
            excerpt: excerpt.to_string(),
        });
    }
}

fn resolve_relative(from_file: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = from_file.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn item_name_and_attrs(item: &syn::Item) -> (String, &[syn::Attribute]) {
    use syn::Item;
    match item {
        Item::Const(i) => (format!("const {}", i.ident), &i.attrs),
        Item::Enum(i) => (format!("enum {}", i.ident), &i.attrs),
        Item::ExternCrate(i) => (format!("extern crate {}", i.ident), &i.attrs),
        Item::Fn(i) => (format!("fn {}", i.sig.ident), &i.attrs),
        Item::ForeignMod(i) => ("extern block".into(), &i.attrs),
        Item::Impl(i) => (format!("impl {}", i.self_ty.to_token_stream()), &i.attrs),
        Item::Macro(i) => ("macro".into(), &i.attrs),
        Item::Mod(i) => (format!("mod {}", i.ident), &i.attrs),
        Item::Static(i) => (format!("static {}", i.ident), &i.attrs),
        Item::Struct(i) => (format!("struct {}", i.ident), &i.attrs),
        Item::Trait(i) => (format!("trait {}", i.ident), &i.attrs),
        Item::TraitAlias(i) => (format!("trait alias {}", i.ident), &i.attrs),
        Item::Type(i) => (format!("type {}", i.ident), &i.attrs),
        Item::Union(i) => (format!("union {}", i.ident), &i.attrs),
        Item::Use(i) => ("use".into(), &i.attrs),
        _ => ("item".into(), &[]),
    }
}

impl<'ast> Visit<'ast> for DocCollector<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        self.group("crate or module (inner docs)".into(), &file.attrs);
        syn::visit::visit_file(self, file);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        let (place, attrs) = item_name_and_attrs(item);
        self.group(place, attrs);
        syn::visit::visit_item(self, item);
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        let place = field.ident.as_ref().map_or("tuple field".into(), |ident| format!("field {ident}"));
        self.group(place, &field.attrs);
        syn::visit::visit_field(self, field);
    }

    fn visit_variant(&mut self, variant: &'ast syn::Variant) {
        self.group(format!("variant {}", variant.ident), &variant.attrs);
        syn::visit::visit_variant(self, variant);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let (place, attrs): (String, &[syn::Attribute]) = match item {
            syn::ImplItem::Const(i) => (format!("assoc const {}", i.ident), &i.attrs),
            syn::ImplItem::Fn(i) => (format!("method {}", i.sig.ident), &i.attrs),
            syn::ImplItem::Type(i) => (format!("assoc type {}", i.ident), &i.attrs),
            syn::ImplItem::Macro(i) => ("impl macro".into(), &i.attrs),
            _ => ("impl item".into(), &[]),
        };
        self.group(place, attrs);
        syn::visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let (place, attrs): (String, &[syn::Attribute]) = match item {
            syn::TraitItem::Const(i) => (format!("trait const {}", i.ident), &i.attrs),
            syn::TraitItem::Fn(i) => (format!("trait method {}", i.sig.ident), &i.attrs),
            syn::TraitItem::Type(i) => (format!("trait type {}", i.ident), &i.attrs),
            syn::TraitItem::Macro(i) => ("trait macro".into(), &i.attrs),
            _ => ("trait item".into(), &[]),
        };
        self.group(place, attrs);
        syn::visit::visit_trait_item(self, item);
    }

    fn visit_foreign_item(&mut self, item: &'ast syn::ForeignItem) {
        let (place, attrs): (String, &[syn::Attribute]) = match item {
            syn::ForeignItem::Fn(i) => (format!("foreign fn {}", i.sig.ident), &i.attrs),
            syn::ForeignItem::Static(i) => (format!("foreign static {}", i.ident), &i.attrs),
            syn::ForeignItem::Type(i) => (format!("foreign type {}", i.ident), &i.attrs),
            syn::ForeignItem::Macro(i) => ("foreign macro".into(), &i.attrs),
            _ => ("foreign item".into(), &[]),
        };
        self.group(place, attrs);
        syn::visit::visit_foreign_item(self, item);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if attr.path().is_ident("doc") {
            if let syn::Meta::NameValue(syn::MetaNameValue {
                value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }),
                ..
            }) = &attr.meta
            {
                let text = text.value();
                let raw = text.contains('\n');
                self.all.push((attr as *const syn::Attribute as usize, Fragment { text, raw }));
            }
        }
        syn::visit::visit_attribute(self, attr);
    }
}

/// The documentation of every item of one Rust file, as rustdoc groups it. `files` are the
/// crate's files (path, contents), for `include_str!`.
pub fn doc_blocks(path: &str, file: &syn::File, files: &[(String, String)]) -> (Vec<DocBlock>, Vec<Finding>) {
    let mut collector = DocCollector {
        file_path: path,
        files,
        blocks: Vec::new(),
        grouped: HashSet::new(),
        all: Vec::new(),
        findings: Vec::new(),
    };
    collector.visit_file(file);
    // Doc attributes on things rustdoc does not document (expressions, statements, generic
    // parameters): still read, each run of them as one block.
    let mut loose: Vec<Fragment> = Vec::new();
    let mut loose_blocks = Vec::new();
    for (address, fragment) in std::mem::take(&mut collector.all) {
        if collector.grouped.contains(&address) {
            if !loose.is_empty() {
                loose_blocks
                    .push(DocBlock { place: "other doc attributes".into(), fragments: std::mem::take(&mut loose) });
            }
        } else {
            loose.push(fragment);
        }
    }
    if !loose.is_empty() {
        loose_blocks.push(DocBlock { place: "other doc attributes".into(), fragments: loose });
    }
    collector.blocks.extend(loose_blocks);
    (collector.blocks, collector.findings)
}

/// Whether a Rust doctest block is one of the generator's README examples.
fn is_generator_example(code: &str) -> bool {
    let first = code.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
    first
        .strip_prefix("use ")
        .and_then(|rest| rest.strip_suffix("::Client;"))
        .is_some_and(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Every Rust doctest of a generated crate that contains `needle`, as (file, item, block):
/// the documentation of every item of every `.rs` file, the README included through
/// `include_str!`. An empty needle lists them all.
pub fn rust_doctests(files: &[(String, String)], needle: &str) -> Vec<(String, String, CodeBlock)> {
    let mut found = Vec::new();
    for (path, contents) in files.iter().filter(|(path, _)| path.ends_with(".rs")) {
        let Ok(file) = syn::parse_file(contents) else { continue };
        for block in doc_blocks(path, &file, files).0 {
            for code in code_blocks(&block.markdown()) {
                if code.is_rust() && code.text.contains(needle) {
                    found.push((path.clone(), block.place.clone(), code));
                }
            }
        }
    }
    found
}

/// Checks one piece of Markdown documentation.
pub fn check_markdown(file: &str, place: &str, markdown: &str, marker: &str, findings: &mut Vec<Finding>) {
    for html in raw_html_with_marker(markdown, marker) {
        findings.push(Finding {
            file: file.to_string(),
            place: place.to_string(),
            problem: "raw HTML carries the marker".into(),
            excerpt: html,
        });
    }
    for block in code_blocks(markdown) {
        if !block.is_rust() {
            continue;
        }
        let code = doctest_source(&block.text);
        let kind = match &block.info {
            Some(info) => format!("fenced Rust doctest (info {info:?})"),
            None => "indented Rust doctest".to_string(),
        };
        let mut push = |problem: String| {
            findings.push(Finding {
                file: file.to_string(),
                place: place.to_string(),
                problem,
                excerpt: block.text.clone(),
            })
        };
        if !is_generator_example(&code) {
            push(format!("{kind} that is not one of the generator's examples"));
        } else if let Some(found) = marker_outside_literals(&code, marker) {
            push(format!("{kind} carries the marker: {found}"));
        }
    }
}

fn has_line_breaking_or_bidi(line: &str) -> Option<char> {
    line.chars().find(|c| *c == '\r' || BIDI.contains(c))
}

/// Checks one `.rs` file.
pub fn check_rust(path: &str, contents: &str, files: &[(String, String)], marker: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut push = |place: &str, problem: String, excerpt: &str| {
        findings.push(Finding {
            file: path.to_string(),
            place: place.to_string(),
            problem,
            excerpt: excerpt.to_string(),
        })
    };
    // The `//` header: every line up to the first that is not a plain comment.
    for (number, line) in contents.split('\n').enumerate() {
        if !line.starts_with("//") || line.starts_with("///") || line.starts_with("//!") {
            break;
        }
        if let Some(c) =
            line.chars().find(|c| matches!(c, '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}'))
        {
            push(&format!("header line {}", number + 1), format!("header line holds {c:?}"), line);
        }
    }
    if let Some((number, line)) =
        contents.split('\n').enumerate().find(|(_, line)| has_line_breaking_or_bidi(line).is_some())
    {
        let c = has_line_breaking_or_bidi(line).unwrap_or_default();
        push(&format!("line {}", number + 1), format!("carriage return or bidi control {c:?} in the file"), line);
    }
    let file = match syn::parse_file(contents) {
        Ok(file) => file,
        Err(error) => {
            // Lexing errors carry no position; point at the likely culprits instead: lines
            // holding the marker or a carriage return outside `///` and `//!` comments.
            let suspects: Vec<String> = contents
                .split('\n')
                .enumerate()
                .filter(|(_, line)| {
                    let trimmed = line.trim_start();
                    (line.contains(marker) || line.contains('\r'))
                        && !trimmed.starts_with("///")
                        && !trimmed.starts_with("//!")
                })
                .take(3)
                .map(|(number, line)| format!("line {}: {line}", number + 1))
                .collect();
            push("file", format!("does not parse: {error}"), &suspects.join("\n"));
            return findings;
        }
    };
    if let Some(found) = marker_in_tokens(file.to_token_stream(), marker) {
        push("code", format!("the marker reached code: {found}"), "");
    }
    for (place, name) in duplicate_names(&file) {
        push(&place, format!("`{name}` is defined twice"), &name);
    }
    let (blocks, mut doc_findings) = doc_blocks(path, &file, files);
    findings.append(&mut doc_findings);
    for block in &blocks {
        for fragment in &block.fragments {
            // Fragments from an included file (README.md) are checked as that file.
            if let Some(c) = has_line_breaking_or_bidi(&fragment.text) {
                if !(fragment.raw && files.iter().any(|(_, text)| *text == fragment.text)) {
                    findings.push(Finding {
                        file: path.to_string(),
                        place: block.place.clone(),
                        problem: format!("doc line holds {c:?}"),
                        excerpt: fragment.text.clone(),
                    });
                }
            }
        }
        check_markdown(path, &block.place, &block.markdown(), marker, &mut findings);
    }
    findings
}

/// Names defined twice in one scope: (scope, name).
pub fn duplicate_names(file: &syn::File) -> Vec<(String, String)> {
    let mut found = Vec::new();
    module_duplicates("file", &file.items, &mut found);
    found
}

fn first_duplicate(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names.into_iter().filter(|name| !seen.insert(name.clone())).collect()
}

fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map(str::to_string).unwrap_or(name)
}

fn use_leaves(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(path) => use_leaves(&path.tree, out),
        syn::UseTree::Name(name) if name.ident != "self" => out.push(unraw(&name.ident)),
        syn::UseTree::Name(_) => {}
        syn::UseTree::Rename(rename) => {
            if rename.rename != "_" {
                out.push(unraw(&rename.rename))
            }
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(group) => group.items.iter().for_each(|tree| use_leaves(tree, out)),
    }
}

fn fn_params(place: &str, sig: &syn::Signature, found: &mut Vec<(String, String)>) {
    let names = sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(typed) => match &*typed.pat {
            syn::Pat::Ident(ident) => Some(unraw(&ident.ident)),
            _ => None,
        },
        syn::FnArg::Receiver(_) => Some("self".into()),
    });
    for name in first_duplicate(names) {
        found.push((format!("{place}: parameters of fn {}", sig.ident), name));
    }
}

fn module_duplicates(place: &str, items: &[syn::Item], found: &mut Vec<(String, String)>) {
    let mut types = Vec::new();
    let mut values = Vec::new();
    let mut macros = Vec::new();
    for item in items {
        match item {
            syn::Item::Const(i) => values.push(unraw(&i.ident)),
            syn::Item::Static(i) => values.push(unraw(&i.ident)),
            syn::Item::Fn(i) => {
                values.push(unraw(&i.sig.ident));
                fn_params(place, &i.sig, found);
            }
            syn::Item::Struct(i) => {
                types.push(unraw(&i.ident));
                if !matches!(i.fields, syn::Fields::Named(_)) {
                    values.push(unraw(&i.ident));
                }
                let fields = i.fields.iter().filter_map(|f| f.ident.as_ref().map(unraw));
                for name in first_duplicate(fields) {
                    found.push((format!("{place}: fields of struct {}", i.ident), name));
                }
            }
            syn::Item::Enum(i) => {
                types.push(unraw(&i.ident));
                for name in first_duplicate(i.variants.iter().map(|v| unraw(&v.ident))) {
                    found.push((format!("{place}: variants of enum {}", i.ident), name));
                }
                for variant in &i.variants {
                    let fields = variant.fields.iter().filter_map(|f| f.ident.as_ref().map(unraw));
                    for name in first_duplicate(fields) {
                        found.push((format!("{place}: fields of {}::{}", i.ident, variant.ident), name));
                    }
                }
            }
            syn::Item::Union(i) => types.push(unraw(&i.ident)),
            syn::Item::Type(i) => types.push(unraw(&i.ident)),
            syn::Item::Trait(i) => types.push(unraw(&i.ident)),
            syn::Item::Mod(i) => {
                types.push(unraw(&i.ident));
                if let Some((_, content)) = &i.content {
                    module_duplicates(&format!("{place}::{}", i.ident), content, found);
                }
            }
            syn::Item::Use(i) => {
                // A `use` brings the name into every namespace it exists in; counting it once
                // per namespace, as a type, catches the collisions the generator can make.
                use_leaves(&i.tree, &mut types);
            }
            syn::Item::Macro(i) => macros.extend(i.ident.as_ref().map(unraw)),
            syn::Item::Impl(i) => {
                let target = i.self_ty.to_token_stream().to_string();
                let mut members = Vec::new();
                for member in &i.items {
                    match member {
                        syn::ImplItem::Fn(f) => {
                            members.push(unraw(&f.sig.ident));
                            fn_params(place, &f.sig, found);
                        }
                        syn::ImplItem::Const(c) => members.push(unraw(&c.ident)),
                        syn::ImplItem::Type(t) => members.push(format!("type {}", t.ident)),
                        _ => {}
                    }
                }
                for name in first_duplicate(members) {
                    found.push((format!("{place}: impl {target}"), name));
                }
            }
            _ => {}
        }
    }
    for (namespace, names) in [("types", types), ("values", values), ("macros", macros)] {
        for name in first_duplicate(names) {
            found.push((format!("{place} ({namespace})"), name));
        }
    }
}

/// Checks `Cargo.toml`.
pub fn check_cargo_toml(contents: &str, marker: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut push = |place: &str, problem: &str, excerpt: String| {
        findings.push(Finding {
            file: "Cargo.toml".into(),
            place: place.to_string(),
            problem: problem.to_string(),
            excerpt,
        })
    };
    let table: toml::Table = match contents.parse() {
        Ok(table) => table,
        Err(error) => {
            push("file", "does not parse as TOML", error.to_string());
            return findings;
        }
    };
    fn keys(value: &toml::Value, path: &str, out: &mut Vec<String>) {
        match value {
            toml::Value::Table(table) => {
                for (key, value) in table {
                    let path = format!("{path}.{key}");
                    out.push(path.clone());
                    keys(value, &path, out);
                }
            }
            toml::Value::Array(items) => {
                for item in items {
                    keys(item, path, out);
                }
            }
            _ => {}
        }
    }
    let mut all_keys = Vec::new();
    keys(&toml::Value::Table(table.clone()), "", &mut all_keys);
    for key in all_keys.iter().filter(|key| key.contains(marker)) {
        push(key, "the marker reached a key", key.clone());
    }
    let mut sensitive: Vec<(String, &toml::Value)> = Vec::new();
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(value) = table.get(section) {
            sensitive.push((section.to_string(), value));
        }
    }
    if let Some(toml::Value::Table(targets)) = table.get("target") {
        for (target, value) in targets {
            sensitive.push((format!("target.{target}"), value));
        }
    }
    if let Some(toml::Value::Table(package)) = table.get("package") {
        for key in ["build", "links", "workspace"] {
            if let Some(value) = package.get(key) {
                sensitive.push((format!("package.{key}"), value));
            }
        }
    }
    for (place, value) in sensitive {
        let text = value.to_string();
        if text.contains(marker) {
            push(&place, "the marker reached a dependency or build setting", text);
        }
    }
    findings
}

/// What is wrong with a generated file's path, if anything: it must stay inside the crate
/// (relative, no `.` or `..`), and each component must be a portable file name of at most
/// 255 bytes (the usual file-system limit) made of ASCII letters, digits, `_`, `-` and `.`.
pub fn path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() || path.starts_with('/') {
        return Some("path is empty or absolute");
    }
    for component in path.split('/') {
        if component.is_empty() || component == "." || component == ".." {
            return Some("path component is empty, `.` or `..`");
        }
        if component.len() > 255 {
            return Some("path component is longer than 255 bytes");
        }
        if !component.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            return Some("path component holds a character other than ASCII letters, digits, `_`, `-`, `.`");
        }
    }
    None
}

/// Checks every file of a generated crate. `files` are (path, contents).
pub fn check_files(files: &[(String, String)], marker: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (path, _) in files {
        if let Some(problem) = path_problem(path) {
            findings.push(Finding {
                file: path.clone(),
                place: "path".into(),
                problem: problem.into(),
                excerpt: path.clone(),
            });
        }
    }
    for (path, contents) in files {
        if path.ends_with(".rs") {
            findings.extend(check_rust(path, contents, files, marker));
        } else if path == "Cargo.toml" {
            findings.extend(check_cargo_toml(contents, marker));
        } else if path.ends_with(".md") {
            for (number, line) in contents.split('\n').enumerate() {
                if let Some(c) = has_line_breaking_or_bidi(line) {
                    findings.push(Finding {
                        file: path.clone(),
                        place: format!("line {}", number + 1),
                        problem: format!("carriage return or bidi control {c:?}"),
                        excerpt: line.to_string(),
                    });
                }
            }
        }
    }
    // README.md is read through `include_str!` from `src/lib.rs` as the crate documentation,
    // and so checked there; check it on its own too in case it is not included.
    if let Some((_, readme)) = files.iter().find(|(path, _)| path == "README.md") {
        let included =
            files.iter().any(|(path, text)| path == "src/lib.rs" && text.contains("include_str!(\"../README.md\")"));
        if !included {
            check_markdown("README.md", "file", readme, marker, &mut findings);
        }
    }
    findings
}

/// Checks a generated crate's files.
pub fn check(generated: &sdkgen::Generated, marker: &str) -> Vec<Finding> {
    let files: Vec<(String, String)> =
        generated.files.iter().map(|file| (file.path.clone(), file.contents.clone())).collect();
    check_files(&files, marker)
}

/// Fails with every finding when the oracle finds anything.
pub fn assert_clean(generated: &sdkgen::Generated, what: &str) {
    let findings = check(generated, MARKER);
    if !findings.is_empty() {
        let list: Vec<String> = findings.iter().map(ToString::to_string).collect();
        panic!("{what}: {} finding(s):\n{}", findings.len(), list.join("\n"));
    }
}
