//! Fixture snapshots: each tiny spec in `tests/fixtures/` beside its IR dump (`.ir`) and its
//! emitted code (`.out`, every generated file except the verbatim runtime).
//! Accept intended changes with `EXPECTORATE=overwrite cargo test -p sdkgen` and review the diff.

mod common;

fn snapshot(name: &str) {
    let generated = common::generate_fixture(name, false);
    let dir = common::fixtures_dir();
    expectorate::assert_contents(dir.join(format!("{name}.ir")), &format!("{:#?}\n", generated.api));
    let mut out = String::new();
    for file in generated.files.iter().filter(|f| !f.path.contains("src/runtime/") || f.path.ends_with("mod.rs")) {
        out.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    expectorate::assert_contents(dir.join(format!("{name}.out")), &out);
}

#[test]
fn schemas() {
    snapshot("schemas");
}

#[test]
fn operations() {
    snapshot("operations");
}

#[test]
fn hostile() {
    snapshot("hostile");
}

#[test]
fn construction() {
    snapshot("construction");
}

/// The construction check of the construction fixture: what it builds and skips, and its code.
#[test]
fn construction_check_crate() {
    let generated = common::generate_fixture("construction", false);
    let check = common::construction_check(&generated.api, "construction");
    let stats = &check.stats;
    assert_eq!((stats.bodies, stats.body_types), (6, 6), "{stats:?}");
    assert_eq!(stats.skipped, ["LoopA", "LoopB"], "a required cycle has no finite value");
    assert_eq!(stats.enums, 1, "{stats:?}");
    let mut out = String::new();
    for file in &check.files {
        out.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    expectorate::assert_contents(common::fixtures_dir().join("construction.check.out"), &out);
}

#[test]
fn dedupe() {
    snapshot("dedupe");
}

/// The dedupe fixture in the workspace layout (`[output] layout = "workspace"`).
#[test]
fn workspace() {
    snapshot("workspace");
}

/// Where the workspace layout puts each type: every type in exactly one crate; a resource
/// crate's types refer only to its own and the core's; a type that two crates reach (here
/// through an alias: the records' types are aliases of the zones') is in the core.
#[test]
fn workspace_placement() {
    use sdkgen::ir::{TypeId, TypeKind, TypeRef};
    let generated = common::generate_fixture("workspace", false);
    let api = &generated.api;
    let workspace = api.workspace.as_ref().expect("the workspace layout is configured");
    let crates: Vec<&sdkgen::ir::MemberCrate> = std::iter::once(&workspace.core).chain(&workspace.members).collect();
    let home = |id: TypeId| {
        let homes: Vec<&str> = crates.iter().filter(|c| c.types.contains(&id)).map(|c| c.package.as_str()).collect();
        assert_eq!(homes.len(), 1, "{} lives in {homes:?}", api.type_def(id).name);
        homes[0]
    };
    fn named(ty: &TypeRef, out: &mut Vec<TypeId>) {
        match ty {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => named(inner, out),
            _ => {}
        }
    }
    for (index, def) in api.types.iter().enumerate() {
        let own = home(TypeId(index));
        let mut refers = Vec::new();
        refers.extend(def.alias_of);
        match &def.kind {
            TypeKind::Struct(body) => body.fields.iter().for_each(|f| named(&f.ty, &mut refers)),
            TypeKind::Union(body) => body.variants.iter().for_each(|v| named(&v.ty, &mut refers)),
            TypeKind::Enum(_) => {}
        }
        for target in refers {
            let theirs = home(target);
            assert!(
                theirs == own || theirs == workspace.core.package,
                "{} ({own}) refers to {} ({theirs})",
                def.name,
                api.type_def(target).name
            );
        }
    }
    let by_name = |name: &str| TypeId(api.types.iter().position(|d| d.name == name).unwrap());
    assert_eq!(home(by_name("ZoneItem")), "fixture-workspace-core", "records' alias reaches it too");
    assert_eq!(home(by_name("Forest")), "fixture-workspace-trees");
    let names: Vec<&str> = workspace.members.iter().map(|m| m.package.as_str()).collect();
    assert_eq!(names, ["fixture-workspace-records", "fixture-workspace-trees", "fixture-workspace-zones"]);
}

#[test]
fn naming() {
    snapshot("naming");
}

/// A spec without operationIds or tags: resources and methods named from the path and the
/// HTTP method alone.
#[test]
fn resource_names() {
    snapshot("resource_names");
    let generated = common::generate_fixture("resource_names", false);
    let names: Vec<(String, &str)> =
        generated.api.operations.iter().map(|o| (o.group.join("."), o.method_name.as_str())).collect();
    let expected = [
        ("pets", "list"),
        ("pets", "create"),
        ("pets", "get"),
        ("pets", "update"),
        ("pets", "delete"),
        ("pets", "edit"),
        ("pets.photos", "list"),
        ("pets", "vaccinate"),
        ("store.inventory", "get"),
        ("store.inventory", "refresh"),
    ];
    assert_eq!(names, expected.map(|(g, m)| (g.to_string(), m)));
    assert!(
        generated.api.diagnostics.iter().all(|d| d.kind != "method-name-collision"),
        "{:?}",
        generated.api.diagnostics
    );
}

#[test]
fn docs() {
    snapshot("docs");
}

/// OpenAPI 3.1's forms load as specified: an operation without `responses`, a path item from
/// `components/pathItems`, a `mutualTLS` scheme, `$defs`, `$ref` siblings, type arrays,
/// `const`, `prefixItems`, schema `examples`, `webhooks` and `jsonSchemaDialect`.
#[test]
fn openapi31() {
    snapshot("openapi31");
    let generated = common::generate_fixture("openapi31", false);
    let api = &generated.api;
    let ids: Vec<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["listPets", "createPet", "getPet"]);
    let schemes: Vec<&str> = api.security_schemes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(schemes, ["token"]);
    let pet = generated.files.iter().find(|f| f.path == "src/types/pet.rs").expect("Pet is generated");
    assert!(pet.contents.contains("/// The owner (a $ref sibling)\n    pub owner: Option<crate::types::Owner>,"));
    assert!(pet.contents.contains("pub name: Option<String>,") && pet.contents.contains("Example: `\"Rex\"`."));
}

/// Docs a user reads: HTML in descriptions becomes Markdown (HTML in code spans and text
/// about HTML stays as written), fields and parameters say what the spec says about their
/// values instead of filler, and deprecations carry the spec's message.
#[test]
fn docs_come_from_the_spec_as_markdown_with_deprecations() {
    let generated = common::generate_fixture("docs", false);
    let file = |path: &str| {
        &generated.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} is generated")).contents
    };
    let scan = file("src/types/scan.rs");
    for expected in [
        "/// A scan of a page. See [the scan docs](https://example.com/docs/scans).",
        "/// * queued",
        "/// Format: `uuid`.\n    /// Exactly 36 characters.\n    /// Example: `\"2a1b3c4d-0000-4000-8000-000000000000\"`.",
        "/// The scanned URL\n    ///\n    /// Format: `uri`.",
        "/// From 0 to 100.",
        "#[deprecated(note = \"Use `ids` instead.\")]\n    pub postfix_ids: Option<Vec<String>>,",
        "/// Set the content of the page, eg `<h1>Hello World!!</h1>`. Adds a `<script>` tag when needed.",
        // Nothing in the spec but the name: the one place a naming line remains.
        "/// The `note` property.",
    ] {
        assert!(scan.contains(expected), "`{expected}` missing:\n{scan}");
    }
    assert!(!scan.contains("&lt;p&gt;") && !scan.contains("<p>"), "{scan}");
    let legacy = file("src/types/legacy_scan.rs");
    assert!(
        legacy
            .contains("/// The old scan format.\n///\n/// Schema: `#/components/schemas/LegacyScan`\n#[deprecated]\n"),
        "{legacy}"
    );
    let scans = file("src/resources/scans.rs");
    for expected in [
        "/// Some example queries:\n    ///\n    /// - 'path:\"/bundles\"': scans of a path.\n    /// - 'page.asn:AS24940': by ASN.",
        "#[deprecated(note = \"Scans expire on their own; this endpoint will be removed.\")]\n    pub fn delete",
        "/// - `scan_id`: The scan's `uuid`. Format: `uuid`.",
        "/// From 1 to 100.\n    /// Default: `20`.\n    pub limit: Option<i32>,",
        "#[deprecated(note = \"Use `cursor` pagination instead.\")]\n    pub offset: Option<i64>,",
    ] {
        assert!(scans.contains(expected), "`{expected}` missing:\n{scans}");
    }
    // The crate's own code uses what it deprecates without warnings; callers get them.
    let lib = file("src/lib.rs");
    assert!(lib.contains("#[allow(deprecated)]\npub mod resources;"), "{lib}");
}

#[test]
fn unions() {
    snapshot("unions");
}

#[test]
fn dns() {
    snapshot("dns");
}

#[test]
fn pagination() {
    snapshot("pagination");
}

/// The naming obstacle course: parameters keep the names the spec gives them, whatever the
/// generator's own variables are called; schemas named after prelude items take a suffix
/// only where they would shadow what generated code uses.
#[test]
fn parameters_keep_their_names_and_generated_locals_yield() {
    let generated = common::generate_fixture("naming", false);
    let file = |path: &str| {
        &generated.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} is generated")).contents
    };
    let files = file("src/resources/files/mod.rs");
    for argument in ["path: &str,", "parts: &str,", "value: &str,", "self_: &str,", "params: &str,", "item: &str,"] {
        assert!(files.contains(argument), "argument `{argument}` missing:\n{files}");
    }
    assert!(files.contains("params_2: &FileGetParams,"), "{files}");
    assert!(files.contains("let path_2 = crate::runtime::request::PathBuilder::new()"), "{files}");
    assert!(files.contains(".param(\"path\", path)"), "{files}");
    // A query parameter called `body` keeps its name; the request body field takes another.
    assert!(files.contains("pub body: Option<String>,") && files.contains("pub request_body: Option<"), "{files}");
    // A field called `new` cannot have a setter called `new` (the constructor).
    assert!(files.contains("pub new: Option<String>,") && files.contains("pub fn set_new(mut self"), "{files}");
    // A sub-resource called `new` keeps its accessor; the handle's own constructor yields.
    assert!(files.contains("pub fn new(&self) -> new::New<'a> {"), "{files}");
    assert!(files.contains("pub(crate) fn new_2(client: &'a crate::Client) -> Self {"), "{files}");
    let lib = file("src/lib.rs");
    assert!(lib.contains("resources::files::Files::new_2(self)"), "{lib}");
    assert!(lib.contains("pub fn builder_resource(&self)"), "{lib}");
    assert!(lib.contains("pub fn delete_resource(&self)"), "{lib}");
    let types = file("src/types/mod.rs");
    for name in ["OptionType", "StringType", "ResultType", "BoxType", "Error", "Client", "Default", "FromType", "Type"]
    {
        assert!(types.contains(&format!("::{name};")), "type `{name}` missing:\n{types}");
    }
}

/// Media types: a multipart body with files and JSON parts, a body accepted in several media
/// types (an enum), an octet-stream upload and download, NDJSON and server-sent events, and a
/// response in several media types chosen by its `Content-Type`, and an operation declared as
/// JSON whose README example reads it as events (its union body built from the alternative
/// with a `stream` flag).
#[test]
fn media() {
    snapshot("media");
    let generated = common::generate_fixture("media", false);
    let api = &generated.api;
    let accept: Vec<(&str, &str)> = api.operations.iter().map(|o| (o.id.as_str(), o.success.accept.as_str())).collect();
    assert_eq!(
        accept,
        [
            ("scripts-upload", "application/json"),
            ("documents-upload", "application/json"),
            ("bundles-put", "application/json"),
            ("sessions-connect", "*/*"),
            ("settings-patch", "*/*"),
            ("blobs-get", "application/octet-stream"),
            ("blobs-put", "*/*"),
            ("rows-export", "application/x-ndjson"),
            ("events-watch", "text/event-stream"),
            ("models-run", "application/json"),
            ("reports-get", "application/json, application/pdf, text/csv"),
        ]
    );
    let readme = &generated.files.iter().find(|f| f.path == "README.md").unwrap().contents;
    assert!(
        readme.contains(
            "let body = OtherModelsRunBodyGenerationPrompt::new(\"Tell me a story\").stream(true);\n    \
             let body = OtherModelsRunBodyGeneration::from(body);"
        ),
        "{readme}"
    );
    assert!(readme.contains(".events::<serde_json::Value>()"), "{readme}");
}

/// Path keys with a fragment: the route is the part before `#`, a `key=value` pair fixes the
/// declared header (`X-Amz-Target`) or query parameter (`Action`) it names, which the params
/// struct then leaves out, an undeclared `X-` key is a header, a bare key fixes nothing, and
/// any other pair is diagnosed and not sent. The docs keep the spec's key.
#[test]
fn fragments() {
    snapshot("fragments");
    let generated = common::generate_fixture("fragments", false);
    let api = &generated.api;
    let fixed: Vec<(&str, Vec<String>)> = api
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o.fixed.iter().map(|f| format!("{:?} {}={}", f.location, f.name, f.value)).collect()))
        .collect();
    assert_eq!(
        fixed,
        [
            ("DescribeThing", vec!["Header X-Amz-Target=Service.DescribeThing".to_string()]),
            ("ListThings", vec!["Header X-Amz-Target=Service.ListThings".to_string()]),
            ("GET_AddPermission", vec!["Query Action=AddPermission".to_string()]),
            ("UntagResource", vec![]),
            ("Ping", vec![]),
        ]
    );
    let routes: Vec<&sdkgen::ir::PathSegment> = api.operations.iter().map(|o| o.segments.last().unwrap()).collect();
    assert!(routes.iter().all(|segment| !format!("{segment:?}").contains('#')), "{routes:?}");
    assert!(
        api.diagnostics.iter().any(|d| d.kind == "path-fragment" && d.message.contains("`Operation`")),
        "{:?}",
        api.diagnostics
    );
    let file = |path: &str| &generated.files.iter().find(|f| f.path == path).unwrap().contents;
    let other = file("src/resources/other.rs");
    assert!(other.contains(r#"parts.header("X-Amz-Target", "Service.DescribeThing");"#), "{other}");
    assert!(other.contains(r#"parts.query("Action", "AddPermission");"#), "{other}");
    assert!(!other.contains("pub x_amz_target"), "the fixed header is no field: {other}");
}
