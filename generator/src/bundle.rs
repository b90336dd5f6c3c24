//! One self-contained Rust file from a generated crate's sources, for `include!` from a
//! consumer's crate (the [`build`](crate::build) mode).
//!
//! The crate's `src/` files become one `pub mod <module> { ... }`: every `mod x;` is replaced by
//! the contents of its file, so nothing depends on where the file is included from. Three
//! rewrites make the code work inside someone else's crate, at any depth:
//!
//! - `crate::` paths (in code and in intra-doc links) become relative ones: `self::` at the
//!   module's top, `super::super::` two modules down, so the module may be included at the
//!   consumer's crate root or inside any module;
//! - Rust code blocks in docs become `text` blocks: they name the stand-alone crate, which does
//!   not exist here, and would fail as the consumer's doctests (an `ignore`d block would still
//!   be compiled by `cargo test -- --include-ignored`);
//! - the crate's inner attributes (its README as docs, `deny(missing_docs)`) are dropped, and
//!   `#[cfg(test)]` items are left out.
//!
//! The rewrites work on tokens, so string literals (wire names, spec text) are never touched;
//! only doc attributes' text is.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

use crate::error::{Error, Result};
use crate::output::GeneratedFile;

/// Bundles the crate's `src/**/*.rs` files into one formatted file holding `pub mod <module>`,
/// with `doc` as the module's docs and `header` (comment lines) on top. Other files (the
/// manifest, README, tests) are not part of it.
pub fn bundle(files: &[GeneratedFile], module: &str, doc: &[String], header: &str) -> Result<String> {
    let mut sources = BTreeMap::new();
    for file in files {
        if let Some(path) = module_path(&file.path) {
            let syntax = syn::parse_file(&file.contents)
                .map_err(|error| Error::Internal { file: file.path.clone(), message: error.to_string() })?;
            sources.insert(path, syntax);
        }
    }
    let mut root = sources
        .remove(&Vec::new())
        .ok_or_else(|| Error::Internal { file: "src/lib.rs".into(), message: "the crate has no lib.rs".into() })?;
    inline_modules(&mut root.items, &[], &mut sources)?;
    let items = root.items;
    let ident = Ident::new(module, Span::call_site());
    let doc = doc.iter().map(|line| format!(" {line}"));
    let tokens = quote! {
        #(#[doc = #doc])*
        #[allow(dead_code, unexpected_cfgs)]
        #[forbid(unsafe_code)]
        pub mod #ident {
            #(#items)*
        }
    };
    let tokens = rewrite(tokens, None);
    let syntax: syn::File = syn::parse2(tokens)
        .map_err(|error| Error::Internal { file: format!("{module}.rs"), message: error.to_string() })?;
    Ok(format!("{header}\n{}", prettyplease::unparse(&syntax)))
}

/// The module path of a crate source file: `src/lib.rs` is the root, `src/a/mod.rs` and
/// `src/a.rs` are `a`; `None` for anything else.
fn module_path(path: &str) -> Option<Vec<String>> {
    let relative = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut parts: Vec<String> = relative.split('/').map(str::to_string).collect();
    if parts == ["lib"] || parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// Replaces each `mod x;` under `path` with `mod x { <its file> }`, recursively, and drops
/// `#[cfg(test)]` items.
fn inline_modules(
    items: &mut Vec<syn::Item>,
    path: &[String],
    sources: &mut BTreeMap<Vec<String>, syn::File>,
) -> Result<()> {
    items.retain(|item| !is_test_only(item));
    for item in items.iter_mut() {
        let syn::Item::Mod(module) = item else { continue };
        let mut child = path.to_vec();
        child.push(module.ident.to_string());
        match &mut module.content {
            Some((_, inner)) => inline_modules(inner, &child, sources)?,
            None => {
                let file = sources.remove(&child).ok_or_else(|| Error::Internal {
                    file: format!("src/{}.rs", child.join("/")),
                    message: "a module's file is missing".into(),
                })?;
                let mut inner = file.items;
                inline_modules(&mut inner, &child, sources)?;
                module.attrs.extend(file.attrs);
                module.content = Some((syn::token::Brace::default(), inner));
                module.semi = None;
            }
        }
    }
    Ok(())
}

fn is_test_only(item: &syn::Item) -> bool {
    let attrs = match item {
        syn::Item::Mod(item) => &item.attrs,
        syn::Item::Fn(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        _ => return false,
    };
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg") && attr.meta.require_list().is_ok_and(|list| list.tokens.to_string() == "test")
    })
}

/// Rewrites one token stream level; `depth` is how many modules down from the bundle's
/// module it is (`None` outside it).
fn rewrite(tokens: TokenStream, depth: Option<usize>) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut after_mod = false;
    let mut in_fence = false;
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        match token {
            TokenTree::Ident(ident) if ident == "crate" && depth.is_some() && is_path_separator(&tokens, index + 1) => {
                out.extend(relative_prefix(depth.unwrap_or(0)));
            }
            TokenTree::Ident(ident) => {
                after_mod = ident == "mod" || (after_mod && ident != "fn");
                out.push(token.clone());
            }
            TokenTree::Group(group) => {
                let inner_depth = match (group.delimiter(), after_mod) {
                    (Delimiter::Brace, true) => Some(depth.map_or(0, |depth| depth + 1)),
                    _ => depth,
                };
                let is_attribute = group.delimiter() == Delimiter::Bracket
                    && index > 0
                    && matches!(&tokens[index - 1], TokenTree::Punct(p) if p.as_char() == '#' || p.as_char() == '!');
                let stream = match is_attribute.then(|| doc_attribute(group, depth, &mut in_fence)).flatten() {
                    Some(stream) => stream,
                    None => rewrite(group.stream(), inner_depth),
                };
                let mut rewritten = Group::new(group.delimiter(), stream);
                rewritten.set_span(group.span());
                out.push(TokenTree::Group(rewritten));
                after_mod = false;
            }
            TokenTree::Punct(punct) => {
                if punct.as_char() == ';' {
                    after_mod = false;
                }
                out.push(token.clone());
            }
            TokenTree::Literal(_) => out.push(token.clone()),
        }
        index += 1;
    }
    out.into_iter().collect()
}

fn is_path_separator(tokens: &[TokenTree], index: usize) -> bool {
    matches!(
        (tokens.get(index), tokens.get(index + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// `self` at depth 0, `super :: super` at depth 2 (the `::` after it is kept from the input).
fn relative_prefix(depth: usize) -> Vec<TokenTree> {
    if depth == 0 {
        return vec![TokenTree::Ident(Ident::new("self", Span::call_site()))];
    }
    let mut out = Vec::new();
    for step in 0..depth {
        if step > 0 {
            out.push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
            out.push(TokenTree::Punct(Punct::new(':', Spacing::Alone)));
        }
        out.push(TokenTree::Ident(Ident::new("super", Span::call_site())));
    }
    out
}

/// The rewritten inside of a `doc = "..."` attribute, or `None` for another attribute.
fn doc_attribute(group: &Group, depth: Option<usize>, in_fence: &mut bool) -> Option<TokenStream> {
    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
    let [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(literal)] = tokens.as_slice() else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' {
        return None;
    }
    let text = syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into()).ok()?.value();
    let text = doc_text(&text, depth, in_fence);
    let mut out = TokenStream::new();
    out.extend([TokenTree::Ident(name.clone()), TokenTree::Punct(eq.clone())]);
    out.extend([TokenTree::Literal(Literal::string(&text))]);
    Some(out)
}

/// Doc text inside the bundle: intra-doc `crate::` links made relative, Rust code blocks
/// marked `text` (never compiled, not even with `--include-ignored`). `in_fence` carries an open code block from one doc line to the next.
fn doc_text(text: &str, depth: Option<usize>, in_fence: &mut bool) -> String {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|fence| trimmed.starts_with(fence));
        let line = match fence {
            Some(fence) if !*in_fence => {
                *in_fence = true;
                let info = trimmed.trim_start_matches(fence.chars().next().unwrap_or('`')).trim();
                if is_rust_block(info) {
                    format!("{}{fence}text", &line[..line.len() - trimmed.len()])
                } else {
                    line.to_string()
                }
            }
            Some(_) => {
                *in_fence = false;
                line.to_string()
            }
            None => line.to_string(),
        };
        lines.push(line);
    }
    let text = lines.join("\n");
    match depth {
        Some(depth) if text.contains("crate::") => {
            let prefix = if depth == 0 { "self::".to_string() } else { "super::".repeat(depth) };
            text.replace("crate::", &prefix)
        }
        _ => text,
    }
}

/// Whether a code block's info string makes rustdoc compile it as Rust.
fn is_rust_block(info: &str) -> bool {
    info.split([',', ' ']).filter(|token| !token.is_empty()).all(|token| {
        matches!(token, "rust" | "no_run" | "should_panic" | "compile_fail" | "ignore" | "test_harness")
            || token.starts_with("edition")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile { path: path.into(), contents: contents.into() }
    }

    #[test]
    fn modules_are_inlined_and_paths_made_relative() {
        let files = [
            file("Cargo.toml", "[package]"),
            file("src/lib.rs", "#![deny(missing_docs)]\n//! Crate docs.\npub mod types;\nmod api;\npub use types::Pet;\n"),
            file("src/types/mod.rs", "//! Types.\nmod pet;\npub use pet::Pet;\n"),
            file(
                "src/types/pet.rs",
                "/// See [`Client`](crate::Client).\n///\n/// ```\n/// let x = crate_name::Pet;\n/// ```\npub struct Pet(pub crate::api::Id, &'static str);\nfn f() -> Pet { Pet(crate::api::Id, \"crate::x\") }\n#[cfg(test)]\nmod tests {}\n",
            ),
            file("src/api.rs", "use crate::types::Pet;\npub(crate) struct Id;\n"),
        ];
        let text = bundle(&files, "sdk", &["The SDK.".into()], "// header").unwrap();
        assert!(text.starts_with("// header\n"), "{text}");
        assert!(text.contains("pub mod sdk {"), "{text}");
        assert!(text.contains("pub struct Pet(pub super::super::api::Id, &'static str);"), "{text}");
        assert!(text.contains("Pet(super::super::api::Id, \"crate::x\")"), "{text}");
        assert!(text.contains("use super::types::Pet;"), "{text}");
        assert!(text.contains("pub use types::Pet;"), "{text}");
        assert!(text.contains("pub(crate) struct Id;"), "{text}");
        assert!(text.contains("(super::super::Client)"), "{text}");
        assert!(text.contains("```text"), "{text}");
        assert!(text.contains("//! Types."), "{text}");
        assert!(!text.contains("missing_docs"), "{text}");
        assert!(!text.contains("mod tests"), "{text}");
        assert!(!text.contains("Crate docs"), "{text}");
    }

    #[test]
    fn only_rust_blocks_become_text() {
        let mut fence = false;
        assert_eq!(doc_text("```json\n{}\n```", None, &mut fence), "```json\n{}\n```");
        assert!(!fence);
        assert_eq!(doc_text(" ```rust,no_run", None, &mut fence), " ```text");
        assert!(fence);
        assert_eq!(doc_text(" ```", None, &mut fence), " ```");
        assert!(!fence);
    }
}
