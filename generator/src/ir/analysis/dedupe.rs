//! Structurally identical types: the first of each set is emitted, the others become aliases.
//!
//! Large documents repeat shapes: Cloudflare's inline response envelopes, message lists and
//! settings objects recur under different names. Each repetition costs the compiler a struct,
//! its decoder, its encoder and its constructor. Two types are identical when everything that
//! reaches the emitted item is: the kind, every field (wire and Rust names, required, boxing,
//! setters, defaults, and the docs, formats, rules and examples shown on it), the constructor,
//! the extra map, multipart encodings, enum values, union alternatives and their evidence, the
//! deprecation, and, recursively, the types they name. Only the type's own name, module,
//! pointer and doc comment may differ; those stay on the alias. So no documentation is lost:
//! an alias keeps its own doc comment, and every field doc it would have had is the canonical
//! type's, word for word.
//!
//! Identity is decided by partition refinement (as in automaton minimisation), so recursive
//! types merge too: types start grouped by their shape with references blanked out, and a
//! group splits until every member names types of the same groups, field by field.

use std::collections::{BTreeMap, BTreeSet};

use super::collect_ids;
use crate::ir::{Api, TypeDef, TypeId, TypeKind, TypeRef};

/// What must agree for two types to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// Everything the emitted item shows, field docs included (what [`merge_identical`] uses).
    Exact,
    /// The same, except the docs, formats, rules, examples and documented defaults of fields:
    /// what merging would reach if it accepted losing field docs (reported, never applied).
    IgnoringFieldDocs,
}

/// How many types merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DedupeReport {
    /// Named types in the model.
    pub types: usize,
    /// Types emitted as aliases of an identical type.
    pub aliases: usize,
    /// Aliases there would be if field docs were allowed to differ.
    pub aliases_ignoring_field_docs: usize,
}

impl DedupeReport {
    /// The report of a model whose aliases are already set.
    pub fn of(api: &Api) -> DedupeReport {
        let loose = classes(&api.types, Identity::IgnoringFieldDocs);
        let distinct: BTreeSet<usize> = loose.iter().copied().collect();
        DedupeReport {
            types: api.types.len(),
            aliases: api.types.iter().filter(|def| def.alias_of.is_some()).count(),
            aliases_ignoring_field_docs: api.types.len() - distinct.len(),
        }
    }
}

impl std::fmt::Display for DedupeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let percent = |n: usize| if self.types == 0 { 0.0 } else { 100.0 * n as f64 / self.types as f64 };
        write!(
            f,
            "{} types, {} emitted, {} aliases of an identical type ({:.1}%); {} ({:.1}%) if field docs could differ",
            self.types,
            self.types - self.aliases,
            self.aliases,
            percent(self.aliases),
            self.aliases_ignoring_field_docs,
            percent(self.aliases_ignoring_field_docs)
        )
    }
}

/// Sets [`TypeDef::alias_of`] on every type identical to an earlier one (in [`Api::types`]
/// order, so the choice is stable), and widens features where the merge needs it: a canonical
/// type is compiled whenever any of its aliases is, and every type an emitted type names is
/// compiled whenever that type is. An alias nothing emitted names keeps its own features.
/// Runs after [`super::features::assign`].
pub fn merge_identical(api: &mut Api) {
    // Types that a union or a body choice holds side by side keep their own `From`
    // conversions: merging them would make two conversions from one type. Such types are
    // kept apart (pinned to a class of their own) and the classes computed again.
    let mut pinned = BTreeSet::new();
    let classes = loop {
        let classes = classes_pinned(&api.types, Identity::Exact, &pinned);
        let conflicts = side_by_side_conflicts(api, &classes);
        if conflicts.is_empty() {
            break classes;
        }
        pinned.extend(conflicts);
    };
    let count = classes.iter().max().map_or(0, |max| max + 1);
    let mut first: Vec<Option<TypeId>> = vec![None; count];
    for (index, (def, class)) in api.types.iter_mut().zip(&classes).enumerate() {
        let canonical = *first[*class].get_or_insert(TypeId(index));
        def.alias_of = (canonical.0 != index).then_some(canonical);
    }
    widen_features(&mut api.types, &api.features);
}

/// Widens [`TypeDef::features`] until every alias's features are its canonical type's too,
/// and every type an emitted type names has the emitted type's features.
fn widen_features(types: &mut [TypeDef], order: &[String]) {
    let mut features: Vec<BTreeSet<String>> = types.iter().map(|def| def.features.iter().cloned().collect()).collect();
    let mut pending: Vec<usize> = Vec::new();
    for (index, def) in types.iter().enumerate() {
        if let Some(canonical) = def.alias_of {
            let own = features[index].clone();
            widen(&mut features[canonical.0], &own);
        }
    }
    pending.extend((0..types.len()).filter(|index| types[*index].alias_of.is_none()).rev());
    // Emitted types only: an alias's item names nothing but its canonical type.
    while let Some(index) = pending.pop() {
        let mut kind = types[index].kind.clone();
        let mut named = Vec::new();
        visit_kind(&mut kind, &mut |id| named.push(*id));
        let source = features[index].clone();
        for id in named {
            if !widen(&mut features[id.0], &source) {
                continue;
            }
            match types[id.0].alias_of {
                Some(canonical) => {
                    let alias = features[id.0].clone();
                    if widen(&mut features[canonical.0], &alias) {
                        pending.push(canonical.0);
                    }
                }
                None => pending.push(id.0),
            }
        }
    }
    let order: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect();
    for (def, set) in types.iter_mut().zip(features) {
        let mut list: Vec<String> = set.into_iter().collect();
        list.sort_by_key(|feature| (order.get(feature.as_str()).copied().unwrap_or(usize::MAX), feature.clone()));
        def.features = list;
    }
}

/// Adds `source`'s features to `target`; whether `target` changed. `full` enables every
/// feature, so beside another feature it adds nothing and is dropped.
fn widen(target: &mut BTreeSet<String>, source: &BTreeSet<String>) -> bool {
    let mut changed = false;
    for feature in source {
        if feature == "full" && !target.is_empty() {
            continue;
        }
        changed |= target.insert(feature.clone());
    }
    if target.len() > 1 && target.remove("full") {
        changed = true;
    }
    changed
}

/// The class of each type: equal numbers for identical types, numbered by first appearance.
pub fn classes(types: &[TypeDef], identity: Identity) -> Vec<usize> {
    classes_pinned(types, identity, &BTreeSet::new())
}

/// Types that would become one although a union's alternatives or a body's media types hold
/// them side by side (each with its own `From` conversion): the later of each pair.
fn side_by_side_conflicts(api: &Api, classes: &[usize]) -> BTreeSet<usize> {
    let mut conflicts = BTreeSet::new();
    let mut groups: Vec<Vec<&TypeRef>> = Vec::new();
    for (index, def) in api.types.iter().enumerate() {
        if let TypeKind::Union(body) = &def.kind {
            groups.push(body.variants.iter().map(|variant| &variant.ty).collect());
            // An alternative of the union's own shape would convert from the union itself.
            let own = TypeRef::Named(TypeId(index));
            for variant in &body.variants {
                pin_differences(&own, &variant.ty, classes, &mut conflicts);
            }
        }
    }
    for operation in &api.operations {
        if let Some(body) = operation.params.as_ref().and_then(|params| params.body.as_ref()) {
            if let crate::ir::BodyKind::Choice { .. } = &body.kind {
                groups.push(body.kind.types());
            }
        }
    }
    for group in groups {
        for (position, later) in group.iter().enumerate() {
            for earlier in &group[..position] {
                pin_differences(earlier, later, classes, &mut conflicts);
            }
        }
    }
    conflicts
}

/// When `earlier` and `later` are different uses that would name one type once merged, the
/// ids of `later` that differ from `earlier`'s.
fn pin_differences(earlier: &TypeRef, later: &TypeRef, classes: &[usize], out: &mut BTreeSet<usize>) {
    if earlier == later || !same_after_merging(earlier, later, classes) {
        return;
    }
    let mut left = Vec::new();
    let mut right = Vec::new();
    collect_ids(earlier, &mut left);
    collect_ids(later, &mut right);
    for (a, b) in left.iter().zip(&right) {
        if a != b {
            out.insert(b.0);
        }
    }
}

fn same_after_merging(a: &TypeRef, b: &TypeRef, classes: &[usize]) -> bool {
    match (a, b) {
        (TypeRef::Named(x), TypeRef::Named(y)) => classes[x.0] == classes[y.0],
        (TypeRef::Array(x), TypeRef::Array(y))
        | (TypeRef::Map(x), TypeRef::Map(y))
        | (TypeRef::Nullable(x), TypeRef::Nullable(y)) => same_after_merging(x, y, classes),
        (x, y) => x == y,
    }
}

/// [`classes`], with the `pinned` types each in a class of its own.
fn classes_pinned(types: &[TypeDef], identity: Identity, pinned: &BTreeSet<usize>) -> Vec<usize> {
    let mut references: Vec<Vec<usize>> = Vec::with_capacity(types.len());
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    let mut class: Vec<usize> = Vec::with_capacity(types.len());
    for (index, def) in types.iter().enumerate() {
        let mut kind = def.kind.clone();
        let mut named = Vec::new();
        visit_kind(&mut kind, &mut |id| {
            named.push(id.0);
            *id = TypeId(0);
        });
        if identity == Identity::IgnoringFieldDocs {
            strip_field_docs(&mut kind);
        }
        // A union without a catch-all names itself in its decoding error, so its name is
        // part of what a user sees.
        let name = match &def.kind {
            TypeKind::Union(body) if body.unknown_variant.is_none() => def.name.as_str(),
            _ => "",
        };
        let own = if pinned.contains(&index) { index.to_string() } else { String::new() };
        let key = format!("{kind:?}\n{:?}\n{}\n{name}\n{own}", def.deprecated, def.defaultable);
        let next = keys.len();
        class.push(*keys.entry(key).or_insert(next));
        references.push(named);
    }
    let mut count = keys.len();
    loop {
        let mut signatures: BTreeMap<(usize, Vec<usize>), usize> = BTreeMap::new();
        let refined: Vec<usize> = references
            .iter()
            .zip(&class)
            .map(|(named, own)| {
                let signature = (*own, named.iter().map(|id| class[*id]).collect());
                let next = signatures.len();
                *signatures.entry(signature).or_insert(next)
            })
            .collect();
        // Refinement only splits classes: the same count means nothing split.
        let stable = signatures.len() == count;
        count = signatures.len();
        class = refined;
        if stable {
            return class;
        }
    }
}

/// Calls `visit` on every type id the kind names, in a fixed order.
fn visit_kind(kind: &mut TypeKind, visit: &mut impl FnMut(&mut TypeId)) {
    match kind {
        TypeKind::Struct(body) => {
            for field in &mut body.fields {
                visit_ref(&mut field.ty, visit);
            }
            visit_ref(&mut body.extra_ty, visit);
        }
        TypeKind::Union(body) => body.variants.iter_mut().for_each(|variant| visit_ref(&mut variant.ty, visit)),
        TypeKind::Enum(_) => {}
    }
}

fn visit_ref(ty: &mut TypeRef, visit: &mut impl FnMut(&mut TypeId)) {
    match ty {
        TypeRef::Named(id) => visit(id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => visit_ref(inner, visit),
        TypeRef::String | TypeRef::Bool | TypeRef::Integer(_) | TypeRef::Float | TypeRef::Json | TypeRef::File => {}
    }
}

fn strip_field_docs(kind: &mut TypeKind) {
    if let TypeKind::Struct(body) = kind {
        for field in &mut body.fields {
            field.doc = None;
            field.example = None;
            field.format = None;
            field.rules = crate::ir::Rules::default();
            field.documented_default = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{classes, Identity};
    use crate::ir::{EnumDef, EnumVariant, Field, StructDef, TypeDef, TypeId, TypeKind, TypeRef};

    fn structure(name: &str, fields: Vec<Field>) -> TypeDef {
        TypeDef {
            name: name.into(),
            module: name.to_lowercase(),
            defaultable: false,
            one_pass: false,
            features: Vec::new(),
            pointer: format!("#/components/schemas/{name}"),
            doc: Some(format!("The {name}.")),
            deprecated: None,
            alias_of: None,
            kind: TypeKind::Struct(StructDef {
                fields,
                extra_name: "extra".into(),
                extra_ty: TypeRef::Json,
                min_properties: None,
                required_choices: Vec::new(),
                closed: false,
                constructor: "new".into(),
                extra_setter: "extra_property".into(),
                multipart: None,
            }),
        }
    }

    fn field(name: &str, ty: TypeRef) -> Field {
        let mut field = Field::string_for_tests(name, true, None);
        field.ty = ty;
        field
    }

    fn enumeration(name: &str, values: &[&str]) -> TypeDef {
        let mut def = structure(name, Vec::new());
        def.kind = TypeKind::Enum(EnumDef {
            variants: values.iter().map(|v| EnumVariant { rust_name: v.to_uppercase(), wire: v.to_string() }).collect(),
            unknown_variant: "Unknown".into(),
        });
        def
    }

    #[test]
    fn types_naming_identical_types_merge_and_different_ones_do_not() {
        let types = vec![
            enumeration("A", &["x", "y"]),
            enumeration("B", &["x", "y"]),
            enumeration("C", &["x", "z"]),
            structure("S", vec![field("v", TypeRef::Named(TypeId(0)))]),
            structure("T", vec![field("v", TypeRef::Named(TypeId(1)))]),
            structure("U", vec![field("v", TypeRef::Named(TypeId(2)))]),
        ];
        let class = classes(&types, Identity::Exact);
        assert_eq!(class[0], class[1]);
        assert_ne!(class[0], class[2]);
        assert_eq!(class[3], class[4], "S and T name identical enums");
        assert_ne!(class[3], class[5], "U names a different enum");
    }

    #[test]
    fn canonical_types_and_what_they_name_compile_under_their_aliases_features() {
        struct Types {
            types: Vec<TypeDef>,
        }
        let with = |mut def: TypeDef, features: &[&str]| {
            def.features = features.iter().map(|f| f.to_string()).collect();
            def
        };
        // S (zones) and T (dns) merge; S names A, T names B (identical enums). U (dns) is an
        // alias-free bystander; E (full only) merges with nothing.
        let types = vec![
            with(enumeration("A", &["x"]), &["zones"]),
            with(enumeration("B", &["x"]), &["dns"]),
            with(structure("S", vec![field("v", TypeRef::Named(TypeId(0)))]), &["zones"]),
            with(structure("T", vec![field("v", TypeRef::Named(TypeId(1)))]), &["dns"]),
            with(structure("U", vec![field("w", TypeRef::String)]), &["dns"]),
            with(enumeration("E", &["only"]), &["full"]),
            with(enumeration("F", &["only"]), &["zones"]),
        ];
        let mut types = types;
        let class = classes(&types, Identity::Exact);
        for index in 0..types.len() {
            let first = class.iter().position(|c| *c == class[index]).unwrap();
            types[index].alias_of = (first != index).then_some(TypeId(first));
        }
        super::widen_features(&mut types, &["dns".to_string(), "zones".to_string()]);
        let api = Types { types };
        let features = |index: usize| api.types[index].features.join(",");
        assert_eq!(api.types[1].alias_of, Some(TypeId(0)));
        assert_eq!(api.types[3].alias_of, Some(TypeId(2)));
        assert_eq!(features(2), "dns,zones", "S is emitted for T's feature too");
        assert_eq!(features(0), "dns,zones", "and so is A, which S names");
        assert_eq!(features(1), "dns", "B, an alias nothing emitted names, keeps its own");
        assert_eq!(features(3), "dns");
        assert_eq!(features(4), "dns");
        assert_eq!(api.types[6].alias_of, Some(TypeId(5)));
        assert_eq!(features(5), "zones", "`full` beside another feature adds nothing");
        assert_eq!(features(6), "zones");
    }

    #[test]
    fn recursive_types_merge_when_their_cycles_agree() {
        let node = |name: &str, next: usize| {
            let mut next = field("next", TypeRef::Nullable(Box::new(TypeRef::Named(TypeId(next)))));
            next.boxed = true;
            structure(name, vec![next])
        };
        // P -> P and Q -> R -> Q are the same infinite shape; W -> W holds a string beside.
        let mut w = node("W", 3);
        if let TypeKind::Struct(body) = &mut w.kind {
            body.fields.push(field("label", TypeRef::String));
        }
        let types = vec![node("P", 0), node("Q", 2), node("R", 1), w];
        let class = classes(&types, Identity::Exact);
        assert_eq!(class[0], class[1]);
        assert_eq!(class[1], class[2]);
        assert_ne!(class[0], class[3]);
    }

    #[test]
    fn field_docs_keep_types_apart_unless_ignored() {
        let mut documented = field("v", TypeRef::String);
        documented.doc = Some("The value.".into());
        let types = vec![structure("A", vec![documented]), structure("B", vec![field("v", TypeRef::String)])];
        let exact = classes(&types, Identity::Exact);
        assert_ne!(exact[0], exact[1]);
        let loose = classes(&types, Identity::IgnoringFieldDocs);
        assert_eq!(loose[0], loose[1]);
    }

    #[test]
    fn names_wire_names_and_requiredness_keep_types_apart() {
        let mut optional = field("v", TypeRef::String);
        optional.required = false;
        let mut renamed = field("v", TypeRef::String);
        renamed.rust_name = "value".into();
        let types = vec![
            structure("A", vec![field("v", TypeRef::String)]),
            structure("B", vec![optional]),
            structure("C", vec![renamed]),
            structure("D", vec![field("w", TypeRef::String)]),
            structure("E", vec![field("v", TypeRef::String)]),
        ];
        let class = classes(&types, Identity::Exact);
        assert_eq!(class[0], class[4]);
        let distinct: std::collections::BTreeSet<usize> = class[..4].iter().copied().collect();
        assert_eq!(distinct.len(), 4);
    }
}
