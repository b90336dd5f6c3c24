//! Every Rust name the generator produces is decided here: case, keywords, symbols, collisions.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers (strict and reserved keywords, 2021 edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Spells out symbols so that names like `==` or `>=` still give readable identifiers.
fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '=' => " eq ",
        '!' => " not ",
        '>' => " gt ",
        '<' => " lt ",
        '+' => " plus ",
        '*' => " star ",
        '/' => " slash ",
        '%' => " percent ",
        '&' => " and ",
        '|' => " or ",
        '~' => " tilde ",
        '^' => " caret ",
        '@' => " at ",
        '#' => " hash ",
        '$' => " dollar ",
        '?' => " question ",
        _ => return None,
    })
}

/// Breaks `raw` into words heck can case: separators become spaces, symbols become words.
/// Symbols are spelled out only when the name has no letters or digits at all, so that
/// `a.b-c` stays `a b c` but `>=` becomes `gt eq`.
fn words(raw: &str) -> String {
    let has_alphanumeric = raw.chars().any(char::is_alphanumeric);
    let mut out = String::with_capacity(raw.len() + 8);
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_alphanumeric() {
            // Rust accepts non-ASCII letters, but ASCII names are friendlier in every editor
            // and keyboard: a letter is transliterated (`é` -> `e`, `ß` -> `ss`, `宠物` ->
            // `Chong Wu`), and one without a transliteration separates words.
            match deunicode::deunicode_char(c) {
                Some(ascii) => out.push_str(ascii),
                None => out.push(' '),
            }
        } else if !has_alphanumeric {
            match symbol_word(c) {
                Some(word) => out.push_str(word),
                None if c == '-' => out.push_str(" minus "),
                None if c == '.' => out.push_str(" dot "),
                None => out.push(' '),
            }
        } else {
            out.push(' ');
        }
    }
    out
}

/// Calls `each` with the words heck finds in ASCII text: runs of letters and digits, split
/// before an uppercase letter that follows a lowercase one (`fooBar`) and before the last
/// capital of a run that a lowercase letter follows (`HTTPServer` -> `HTTP`, `Server`).
fn ascii_words(text: &str, mut each: impl FnMut(&str)) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    for run in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|run| !run.is_empty()) {
        let bytes = run.as_bytes();
        let mut start = 0;
        let mut mode = Mode::Boundary;
        for (i, pair) in bytes.windows(2).enumerate() {
            let (c, next) = (pair[0], pair[1]);
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                each(&run[start..=i]);
                start = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                each(&run[start..i]);
                start = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
        each(&run[start..]);
    }
}

/// `snake_case`, as heck's `to_snake_case` spells it. heck formats each character through
/// `fmt`; names are ASCII once `words` has cleaned them, and a byte loop over ASCII is
/// many times faster (casing is a measurable part of generation on large specs). Other text
/// goes to heck.
pub fn snake_case(text: &str) -> String {
    if !text.is_ascii() {
        return text.to_snake_case();
    }
    let mut out = String::with_capacity(text.len() + 4);
    ascii_words(text, |word| {
        if !out.is_empty() {
            out.push('_');
        }
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
    });
    out
}

/// `UpperCamelCase`, as heck's `to_upper_camel_case` spells it (see [`snake_case`]).
pub fn upper_camel_case(text: &str) -> String {
    if !text.is_ascii() {
        return text.to_upper_camel_case();
    }
    let mut out = String::with_capacity(text.len());
    ascii_words(text, |word| {
        let mut bytes = word.bytes();
        if let Some(first) = bytes.next() {
            out.push(first.to_ascii_uppercase() as char);
        }
        out.extend(bytes.map(|b| b.to_ascii_lowercase() as char));
    });
    out
}

/// A type or variant name: `UpperCamelCase`, never a keyword, never starting with a digit.
pub fn camel(raw: &str, leading_digit_prefix: &str, empty: &str) -> String {
    let mut name = upper_camel_case(&words(raw));
    if name.is_empty() {
        name = empty.to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("{leading_digit_prefix}{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Prelude names that generated code uses unqualified; a type of that name would shadow
/// them in its own file, so it takes a `Type` suffix instead.
const PRELUDE_TYPES: &[&str] = &["Option", "Some", "None", "String", "Vec", "Box", "Result", "Ok", "Err"];

/// Traits a type's own file names unqualified (`impl From<String> for ...`): a type of
/// exactly that name takes a `Type` suffix once all names are known (see [`Scope`]).
pub const SHADOWED_TRAITS: &[&str] = &["From"];

/// Whether a word is a Rust keyword.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// The longest type name we emit; longer derived names (which become file names too) are
/// cut and given a hash of the full name, so distinct names stay distinct.
const MAX_TYPE_NAME: usize = 72;

pub fn cap_length(name: String) -> String {
    if name.len() <= MAX_TYPE_NAME {
        return name;
    }
    let cut: String = name.chars().take(MAX_TYPE_NAME - 9).collect();
    format!("{cut}H{:08x}", name_hash(&name))
}

/// A short hash of a name that was cut: FNV-1a, tiny and stable across platforms and releases.
fn name_hash(name: &str) -> u32 {
    name.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3)) as u32
}

/// A type name.
pub fn type_name(raw: &str) -> String {
    let name = cap_length(camel(raw, "T", "Type"));
    if PRELUDE_TYPES.contains(&name.as_str()) {
        format!("{name}Type")
    } else {
        name
    }
}

/// An enum or union variant name.
pub fn variant_name(raw: &str) -> String {
    camel(raw, "V", "Empty")
}

/// The deepest resource tree a spec may ask for (`a.b.c...` in a group extension); each
/// level is a module directory and a handle, so the depth is bounded like any other input.
/// Cloudflare's deepest is 9.
pub const MAX_RESOURCE_DEPTH: usize = 16;

/// The longest module or method name we emit (module names become file and directory
/// names); longer ones are cut and given a hash of the full name, as type names are.
pub const MAX_SNAKE_NAME: usize = 128;

/// A module or method name: [`snake`], cut to [`MAX_SNAKE_NAME`] bytes with a hash of the
/// whole when longer, so distinct long names stay distinct.
pub fn member(raw: &str) -> String {
    let name = snake(raw);
    if name.len() <= MAX_SNAKE_NAME {
        return name;
    }
    let cut: String = name.chars().take(MAX_SNAKE_NAME - 10).collect();
    format!("{}_h{:08x}", cut.trim_end_matches('_'), name_hash(&name))
}

/// A field, parameter, method or module name: `snake_case`, keywords get a trailing `_`.
pub fn snake(raw: &str) -> String {
    let mut name = snake_case(&words(raw));
    if name.is_empty() {
        name = "value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("n{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A `static` item's name: `SCREAMING_SNAKE_CASE` of a method name.
pub fn static_name(method: &str) -> String {
    use heck::ToShoutySnakeCase;
    method.trim_end_matches('_').to_shouty_snake_case()
}

/// The `static` describing an operation's pagination, after the operation's own (`LIST_PAGES`).
pub fn pages_static_name(operation_static: &str) -> String {
    format!("{operation_static}_PAGES")
}

/// The module (and file) name of a type: its snake_case name; a keyword (`Type` would give
/// `mod type;`) takes a `_type` suffix.
pub fn type_module(type_name: &str) -> String {
    let snake = snake_case(type_name);
    if is_keyword(&snake) {
        format!("{snake}_type")
    } else {
        snake
    }
}

/// The crate's own Cargo features, which no resource's feature may take.
pub const CRATE_FEATURES: &[&str] = &["default", "full", "tracing"];

/// The Cargo feature of a top-level resource: its module name without a keyword's `_`
/// (the crate's own features, [`CRATE_FEATURES`], are also reserved by the caller's scope).
pub fn feature_name(resource: &str) -> String {
    let name = resource.trim_end_matches('_');
    match name {
        _ if CRATE_FEATURES.contains(&name) => format!("{name}_resource"),
        _ => name.to_string(),
    }
}

/// A setter of an optional field: the field's name, or `set_<name>` where that is taken (the
/// constructor `new`, or another setter).
pub fn setter(scope: &mut Scope, field: &str) -> String {
    if scope.contains(field) {
        scope.claim(&format!("set_{}", field.trim_end_matches('_')))
    } else {
        scope.claim(field)
    }
}

/// Method names a generated struct has, or reaches by method-call resolution, besides its
/// setters: the constructor, the methods of the traits it implements (`Clone`, `PartialEq`,
/// `Debug`, `Default`, serde's) and the prelude's conversions. An inherent setter of one of
/// these names would be picked before the trait method in `value.clone()`, so it takes a
/// `set_` prefix instead.
pub const STRUCT_METHODS: &[&str] = &[
    "new",
    "clone",
    "clone_from",
    "eq",
    "ne",
    "fmt",
    "default",
    "serialize",
    "deserialize",
    "from_fields",
    "into",
    "try_into",
    "from",
    "try_from",
    "to_owned",
    "borrow",
    "borrow_mut",
    "type_id",
    // Binary operators: a by-value method of two arguments with one of these names is one
    // clippy expects to implement the operator trait (`should_implement_trait`).
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "shl",
    "shr",
    "bitand",
    "bitor",
    "bitxor",
];

/// The constructor of a generated struct.
pub const STRUCT_CONSTRUCTOR: &str = "new";

/// Names a struct's construction methods: the constructor ([`STRUCT_CONSTRUCTOR`]), a
/// setter for each optional field and each required field with a spec default (the field's
/// name, or `set_<name>` where a method has it, see [`STRUCT_METHODS`]), in field order, then
/// `extra_property`, which adds one unlisted property.
pub fn struct_methods(def: &mut crate::ir::StructDef) {
    let mut scope = Scope::with_reserved(STRUCT_METHODS);
    for field in &mut def.fields {
        field.setter = (!field.required || field.default.is_some()).then(|| setter(&mut scope, &field.rust_name));
    }
    def.constructor = STRUCT_CONSTRUCTOR.to_string();
    def.extra_setter = setter(&mut scope, "extra_property");
}

/// Methods the runtime's `ClientBuilder` has; a credential setter must not take one's name.
pub const BUILDER_METHODS: &[&str] = &[
    "new",
    "credential",
    "from_env",
    "from_env_with",
    "base_url",
    "timeout",
    "max_retries",
    "retry_backoff",
    "default_header",
    "http_client",
    "build",
    "clone",
    "fmt",
];

/// A naive English singular, enough for resource names (`users` -> `user`, `policies` -> `policy`).
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        if stem.len() > 1 {
            return format!("{stem}y");
        }
    }
    for keep in ["ss", "us", "is"] {
        if word.ends_with(keep) {
            return word.to_string();
        }
    }
    for sibilant in ["ches", "shes", "xes", "sses", "zzes"] {
        if let Some(stem) = word.strip_suffix(sibilant) {
            return format!("{stem}{}", &sibilant[..sibilant.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 => stem.to_string(),
        _ => word.to_string(),
    }
}

/// A set of names in one scope; later claimants of a taken name get a numeric suffix.
///
/// Claims happen in document order, so the suffixes are deterministic.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope where `names` are already taken.
    pub fn with_reserved(names: &[&str]) -> Self {
        Self { taken: names.iter().map(|n| n.to_string()).collect() }
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Claims `name`, or `name2`, `name3`, ... (snake names get `name_2`).
    pub fn claim(&mut self, name: &str) -> String {
        if !self.taken.contains(name) {
            self.taken.insert(name.to_string());
            return name.to_string();
        }
        let separator = if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) { "" } else { "_" };
        let base = name.trim_end_matches('_');
        (2..)
            .map(|n| format!("{base}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded counter always finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_the_obstacle_course() {
        assert_eq!(snake("devicePosture"), "device_posture");
        assert_eq!(snake("isActive"), "is_active");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake("X-Auth-Email"), "x_auth_email");
        assert_eq!(type_name("access_device_posture_rule-2"), "AccessDevicePostureRule2");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("2fa"), "T2fa");
        assert_eq!(type_name("Option"), "OptionType");
        assert_eq!(type_name("result"), "ResultType");
        assert_eq!(type_name("Client"), "Client");
        let long = type_name(&"very_long_segment_".repeat(10));
        assert!(long.len() <= 72, "{long}");
        assert_ne!(long, type_name(&"very_long_segment_".repeat(11)));
        assert_eq!(variant_name("=="), "EqEq");
        assert_eq!(variant_name(">="), "GtEq");
        assert_eq!(variant_name("!="), "NotEq");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("-"), "Minus");
        assert_eq!(variant_name("1h"), "V1h");
        assert_eq!(singular("users"), "user");
        assert_eq!(singular("active_sessions"), "active_session");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("access"), "access");
        assert_eq!(singular("dns"), "dns");
        assert_eq!(singular("matches"), "match");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("boxes"), "box");
    }

    #[test]
    fn letters_outside_ascii_are_transliterated() {
        assert_eq!(snake("Données"), "donnees");
        assert_eq!(snake("straßeName"), "strasse_name");
        assert_eq!(snake("Größe"), "grosse");
        assert_eq!(type_name("AdresseÉlectronique"), "AdresseElectronique");
        assert_eq!(type_name("宠物"), "ChongWu");
        assert_eq!(snake("Имя"), "imia");
        assert_eq!(variant_name("été"), "Ete");
        // Characters that are not letters or digits still separate words.
        assert_eq!(snake("a→b"), "a_b");
        // Every name is ASCII.
        for raw in ["Données", "宠物", "Имя", "ǅemal", "ﬁle", "Ⅻ", "٣", "𝒜bc"] {
            for name in [snake(raw), type_name(raw), variant_name(raw)] {
                assert!(name.is_ascii() && !name.is_empty(), "{raw:?} -> {name:?}");
            }
        }
    }

    #[test]
    fn ascii_casing_agrees_with_heck() {
        let mut samples: Vec<String> = [
            "",
            "a",
            "A",
            "_",
            "fooBar",
            "FooBar",
            "HTTPServer",
            "XMLHttpRequest",
            "getHTTPResponseCode",
            "ABC",
            "abc",
            "a1b2",
            "A1B2",
            "1a",
            "a1",
            "ipv4Address",
            "IPv4Address",
            "UUID",
            "uuid_v4",
            "x-Auth-Email",
            "__proto__",
            "access_device_posture_rule-2",
            "zone.settings",
            "  spaced  out  ",
            "aB",
            "Ab",
            "AB",
            "aBC",
            "ABc",
            "a_B_c",
            "PostAccountsAccountBankAccountsIdRequestBody",
            "v1.2.3",
            "9lives",
            "A9b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every string of up to four characters over a small alphabet that reaches each branch.
        let alphabet = ['a', 'B', 'c', 'D', '1', '_', '-', ' '];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            frontier =
                frontier.iter().flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}"))).collect();
            samples.extend(frontier.iter().cloned());
        }
        for sample in &samples {
            assert_eq!(snake_case(sample), sample.to_snake_case(), "snake case of {sample:?}");
            assert_eq!(upper_camel_case(sample), sample.to_upper_camel_case(), "camel case of {sample:?}");
        }
        // Non-ASCII text is heck's.
        assert_eq!(snake_case("ÄpfelBäume"), "ÄpfelBäume".to_snake_case());
    }

    #[test]
    fn struct_setters_yield_to_the_constructor_trait_methods_and_each_other() {
        use crate::ir::{Field, StructDef, TypeRef};
        let field = Field::string_for_tests;
        let mut def = StructDef {
            fields: vec![
                field("to", true, None),
                field("new", false, None),
                field("clone", false, None),
                field("add", false, None),
                field("mode", true, Some("auto".into())),
                field("extra_property", false, None),
            ],
            extra_name: "extra".into(),
            extra_ty: TypeRef::Json,
            min_properties: None,
            required_choices: Vec::new(),
            closed: false,
            constructor: String::new(),
            extra_setter: String::new(),
            multipart: None,
        };
        struct_methods(&mut def);
        let setters: Vec<Option<&str>> = def.fields.iter().map(|f| f.setter.as_deref()).collect();
        assert_eq!(
            setters,
            [None, Some("set_new"), Some("set_clone"), Some("set_add"), Some("mode"), Some("extra_property")]
        );
        assert_eq!((def.constructor.as_str(), def.extra_setter.as_str()), ("new", "set_extra_property"));
    }

    #[test]
    fn collisions_get_deterministic_suffixes() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("Foo"), "Foo");
        assert_eq!(scope.claim("Foo"), "Foo2");
        assert_eq!(scope.claim("foo"), "foo");
        assert_eq!(scope.claim("foo"), "foo_2");
        assert_eq!(scope.claim("type_"), "type_");
        assert_eq!(scope.claim("type_"), "type_2");
    }
}
