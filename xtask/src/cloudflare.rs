//! `cargo xtask cloudflare [--check-build [--runs N]] [--build] [--clippy] [--construction] [--pagination] [--profile] [--growth]`:
//! Cloudflare's whole document, generated into `target/cloudflare-sdk/` (not committed), with a report of
//! everything simplified or skipped; `--construction` (also part of `--check-build`) runs the construction
//! check on it; `--build` times `cargo build` (the dev profile, code generation included) of `zero_trust`
//! alone and of all features; `--profile` and `--growth` report where its compile time goes
//! (`compile_cost.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sdkgen::{Options, Provenance};

/// Cloudflare's complete document, pinned in `spec/` (see `spec/cloudflare-openapi.md`),
/// relative to the root.
pub const DOCUMENT: &str = "spec/cloudflare-openapi.json";

/// Cloudflare's complete document.
pub fn document_path() -> PathBuf {
    crate::project_root().join(DOCUMENT)
}

/// `--pagination`: how many operations are lists and how many page, by shape, from the model
/// alone (nothing is emitted).
fn pagination_report() -> Result<bool, String> {
    let root = crate::project_root();
    let config_path = root.join(crate::codegen::CONFIG);
    let text = sdkgen::load::read_text(&config_path).map_err(|e| e.to_string())?;
    let mut config = sdkgen::Config::parse(&text, &config_path).map_err(|e| e.to_string())?;
    // As `generate` runs: problems confined to one operation are listed, not fatal.
    config.generator.lenient = true;
    let spec = sdkgen::load::load_spec(&document_path()).map_err(|e| e.to_string())?;
    let api = sdkgen::ir::lower(&spec.document, &config).map_err(|e| e.in_file(document_path()).to_string())?;
    let report = sdkgen::ir::analysis::pagination::PaginationReport::of(&api);
    print!("{report}");
    let mut listing = String::from("operation\tshape\titems\n");
    for (id, shape, items) in &report.paginated_operations {
        listing.push_str(&format!("{id}\t{shape}\t{}\n", items.join(".")));
    }
    for id in &report.unpaginated_lists {
        listing.push_str(&format!("{id}\tnone\t\n"));
    }
    let path = root.join("target/cloudflare-pagination.tsv");
    std::fs::write(&path, listing).map_err(|e| e.to_string())?;
    println!("every list operation and its shape: {}", path.display());
    Ok(true)
}

/// Generates the full SDK in memory with the committed configuration.
pub fn generate() -> Result<sdkgen::Generated, String> {
    generate_in(None)
}

/// [`generate`], in the given layout instead of the configuration's.
pub fn generate_in(layout: Option<sdkgen::config::Layout>) -> Result<sdkgen::Generated, String> {
    let root = crate::project_root();
    let options = Options {
        provenance: Provenance {
            spec: DOCUMENT.into(),
            command: "cargo xtask cloudflare".into(),
            crate_path: "target/cloudflare-sdk".into(),
        },
        standalone: true,
        // The real document has operations declaring path parameters their path lacks;
        // those parameters are dropped and listed rather than stopping the run.
        lenient: true,
        contract_tests: false,
    };
    let mut config = sdkgen::load_config(Some(&root.join(crate::codegen::CONFIG))).map_err(|e| e.to_string())?;
    if let Some(layout) = layout {
        config.output.layout = layout;
    }
    // An experiment's grouping of resources into crates (`[output] crate_weight`).
    if let Some(weight) = std::env::var("SDKGEN_CRATE_WEIGHT").ok().and_then(|w| w.parse().ok()) {
        config.output.crate_weight = weight;
    }
    sdkgen::generate_from_spec_path(&document_path(), &config, &options).map_err(|e| e.to_string())
}

/// Runs the command.
pub fn run(args: &[String]) -> Result<bool, String> {
    if args.iter().any(|a| a == "--pagination") {
        return pagination_report();
    }
    if args.iter().any(|a| a == "--profile" || a == "--growth") {
        let generated = generate()?;
        let out = crate::project_root().join("target/cloudflare-sdk");
        sdkgen::write::write(&generated.files, &out).map_err(|e| e.to_string())?;
        std::fs::copy(crate::project_root().join("Cargo.lock"), out.join("Cargo.lock")).map_err(|e| e.to_string())?;
        eprintln!("dedupe: {}", sdkgen::ir::analysis::dedupe::DedupeReport::of(&generated.api));
        if args.iter().any(|a| a == "--profile") {
            crate::compile_cost::profile(&out)?;
        }
        if args.iter().any(|a| a == "--growth") {
            crate::compile_cost::growth(&generated.api, &out)?;
        }
        return Ok(true);
    }
    if args.iter().any(|a| a == "--compare-layouts") {
        return compare_layouts(args.iter().any(|a| a == "--build"));
    }
    let layout = match args.iter().position(|a| a == "--layout").and_then(|i| args.get(i + 1)) {
        Some(text) => text.parse::<sdkgen::config::Layout>()?,
        // The whole SDK is a workspace of crates, compiled in parallel (`xtask/COMPILE-COST.md`).
        None => sdkgen::config::Layout::Workspace,
    };
    let check_build = args.iter().any(|a| a == "--check-build" || a == "--clippy");
    let build = args.iter().any(|a| a == "--build");
    let construction = check_build || args.iter().any(|a| a == "--construction");
    let out = crate::project_root().join("target/cloudflare-sdk");
    eprintln!("generating from {} ...", document_path().display());
    let started = Instant::now();
    let generated = generate_in(Some(layout))?;
    let elapsed = started.elapsed();
    let api = &generated.api;
    let lines: usize = generated.files.iter().map(|f| f.contents.lines().count()).sum();
    eprintln!(
        "generated in {:.2} s: {} operations, {} resources, {} types, {} files, {} lines",
        elapsed.as_secs_f64(),
        api.operations.len(),
        api.resources.descendant_count(),
        api.types.len(),
        generated.files.len(),
        lines
    );
    let mut by_kind: BTreeMap<&str, Vec<&sdkgen::ir::Diagnostic>> = BTreeMap::new();
    for diagnostic in &api.diagnostics {
        by_kind.entry(diagnostic.kind).or_default().push(diagnostic);
    }
    let mut report = String::new();
    for (kind, diagnostics) in &by_kind {
        eprintln!("  {kind}: {}", diagnostics.len());
        for diagnostic in diagnostics {
            report.push_str(&format!("{kind}\t{}\t{}\n", diagnostic.pointer, diagnostic.message));
        }
    }
    media_report(api);
    eprintln!("dedupe: {}", sdkgen::ir::analysis::dedupe::DedupeReport::of(api));
    if let Some(workspace) = &api.workspace {
        eprintln!("{}", workspace_summary(api, workspace));
    }
    sdkgen::write::write(&generated.files, &out).map_err(|e| e.to_string())?;
    // Pin the crate's dependencies to the versions this repository tests with.
    std::fs::copy(crate::project_root().join("Cargo.lock"), out.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let report_path = out.with_file_name("cloudflare-sdk-report.tsv");
    std::fs::write(&report_path, report).map_err(|e| e.to_string())?;
    eprintln!("wrote {} and the full list of simplifications to {}", out.display(), report_path.display());
    let target = crate::project_root().join("target/cloudflare-check");
    // After the SDK's own checks, whose artifacts it reuses where cargo can.
    let construct = |api: &sdkgen::ir::Api| {
        let dir = out.with_file_name("cloudflare-construction-check");
        crate::construction::run(api, &out, &dir, &target, DOCUMENT)
    };
    if build && !check_build {
        return builds(&out, &target);
    }
    if check_build {
        // `ru_maxrss` of children only grows, so the smaller checks are measured first: a
        // warm-up compiles the dependencies, then `dns` alone (a small resource), `zero_trust`
        // alone, then everything; `--runs N` repeats the three and reports each and the median.
        let runs: usize = match args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)) {
            Some(n) => n.parse().ok().filter(|&n| n > 0).ok_or(format!("--runs takes a positive number, not `{n}`"))?,
            None => 1,
        };
        let zero_trust = ["--no-default-features", "--features", "zero_trust"];
        let dns = ["--no-default-features", "--features", "dns"];
        cargo_check(&out, &target, "check", &zero_trust)?;
        let mut series: [(&str, Vec<CheckRun>); 3] =
            [("dns only", Vec::new()), ("zero_trust only", Vec::new()), ("all features", Vec::new())];
        for run in 1..=runs {
            for (what, extra) in
                [("dns only", &dns[..]), ("zero_trust only", &zero_trust[..]), ("all features", &[][..])]
            {
                let measured = cargo_check(&out, &target, "check", extra)?;
                eprintln!("run {run} of {runs}: cargo check ({what}): {measured}");
                if let Some((_, list)) = series.iter_mut().find(|(name, _)| *name == what) {
                    list.push(measured);
                }
            }
        }
        for (what, list) in &series {
            let mut seconds: Vec<f64> = list.iter().map(|r| r.seconds).collect();
            seconds.sort_by(f64::total_cmp);
            let tree = list.iter().map(|r| r.tree_peak_mib).fold(0.0, f64::max);
            eprintln!(
                "cargo check ({what}): median {:.1} s of {} run(s) ({}), tree peak at most {tree:.0} MiB",
                seconds[seconds.len() / 2],
                seconds.len(),
                seconds.iter().map(|s| format!("{s:.1}")).collect::<Vec<_>>().join(", ")
            );
        }
        let [_, (_, zero_trust_runs), (_, full_runs)] = series;
        let (one, full) = (zero_trust_runs.into_iter().last(), full_runs.into_iter().last());
        let (Some(one), Some(full)) = (one, full) else { return Err("no check ran".into()) };
        let clippy = if args.iter().any(|a| a == "--clippy") {
            let clippy = cargo_check(&out, &target, "clippy", &[])?;
            eprintln!("cargo clippy (all features):   {clippy}");
            Some(clippy)
        } else {
            None
        };
        let constructed = construct(api)?;
        // Builds last: their peaks are higher than the checks', and `ru_maxrss` only grows.
        let built = !build || builds(&out, &target)?;
        if !built {
            return Ok(false);
        }
        if let Some(clippy) = clippy {
            return Ok(full.errors == 0 && one.errors == 0 && clippy.errors == 0 && constructed);
        }
        return Ok(full.errors == 0 && one.errors == 0 && constructed);
    }
    if construction {
        return construct(api);
    }
    Ok(true)
}

/// `--build`: `cargo build` (dev profile) of `zero_trust` alone and of all features, after a
/// warm-up build of the dependencies. The smaller build comes first because the peak memory of
/// children only grows.
fn builds(out: &Path, target: &Path) -> Result<bool, String> {
    let zero_trust = ["--no-default-features", "--features", "zero_trust"];
    cargo_check(out, target, "build", &zero_trust)?;
    let one = cargo_check(out, target, "build", &zero_trust)?;
    let full = cargo_check(out, target, "build", &[])?;
    eprintln!("cargo build (all features):    {full}");
    eprintln!("cargo build (zero_trust only): {one}");
    Ok(full.errors == 0 && one.errors == 0)
}

/// `--compare-layouts`: the SDK in both layouts, each `cargo check`ed (`zero_trust` alone, then
/// all features) and, with `--build`, built the same way, one layout after the other in one
/// run; reports wall time, the largest rustc's peak and the peak of the whole process tree.
fn compare_layouts(build: bool) -> Result<bool, String> {
    use sdkgen::config::Layout;
    let root = crate::project_root();
    let target = root.join("target/cloudflare-check");
    let mut rows = Vec::new();
    let mut clean = true;
    for (layout, name) in [(Layout::Crate, "crate"), (Layout::Workspace, "workspace")] {
        let generated = generate_in(Some(layout))?;
        if let Some(workspace) = &generated.api.workspace {
            eprintln!("{}", workspace_summary(&generated.api, workspace));
        }
        let out = root.join(format!("target/cloudflare-sdk-{name}"));
        sdkgen::write::write(&generated.files, &out).map_err(|e| e.to_string())?;
        std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).map_err(|e| e.to_string())?;
        let zero_trust = ["--no-default-features", "--features", "zero_trust"];
        let mut subcommands = vec!["check"];
        if build {
            subcommands.push("build");
        }
        for subcommand in subcommands {
            // Warm-up: the dependencies.
            cargo_check(&out, &target, subcommand, &zero_trust)?;
            // `--timings` writes each crate's start and duration (`target/cloudflare-sdk-*/target/cargo-timings`
            // is cargo's choice of place: beside the target directory's own report).
            for (what, extra) in [("zero_trust", &zero_trust[..]), ("all features", &["--timings"][..])] {
                let run = cargo_check(&out, &target, subcommand, extra)?;
                eprintln!("{name}: cargo {subcommand} ({what}): {run}");
                clean &= run.errors == 0;
                rows.push(format!("| {name} | {subcommand} | {what} | {run} |"));
            }
        }
    }
    println!("| layout | command | features | result |\n| --- | --- | --- | --- |");
    for row in rows {
        println!("{row}");
    }
    Ok(clean)
}

/// One line on the crates of the workspace layout.
fn workspace_summary(api: &sdkgen::ir::Api, workspace: &sdkgen::ir::Workspace) -> String {
    let emitted =
        |types: &[sdkgen::ir::TypeId]| types.iter().filter(|id| api.type_def(**id).alias_of.is_none()).count();
    let mut sizes: Vec<(usize, &str)> =
        workspace.members.iter().map(|m| (emitted(&m.types), m.package.as_str())).collect();
    sizes.sort_by(|a, b| b.cmp(a));
    let largest: Vec<String> = sizes.iter().take(5).map(|(n, name)| format!("{name} {n}")).collect();
    format!(
        "workspace: {} resource crates and the core; emitted types: core {}, resource crates {} (largest: {})",
        workspace.members.len(),
        emitted(&workspace.core.types),
        sizes.iter().map(|(n, _)| n).sum::<usize>(),
        largest.join(", ")
    )
}

/// Every crate root of a generated SDK: its `src/lib.rs`, and in the workspace layout every
/// member crate's too (sorted).
pub(crate) fn crate_roots(dir: &Path) -> Vec<PathBuf> {
    let mut roots = vec![dir.join("src/lib.rs")];
    if let Ok(entries) = std::fs::read_dir(dir.join("crates")) {
        let mut members: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("src/lib.rs")).collect();
        members.sort();
        roots.extend(members.into_iter().filter(|path| path.exists()));
    }
    roots
}

/// The outcome of one `cargo check`.
pub(crate) struct CheckRun {
    pub(crate) seconds: f64,
    pub(crate) peak_rss_mib: f64,
    /// The peak of the summed resident memory of cargo and every process below it (rustc
    /// processes running side by side), sampled every 50 ms.
    pub(crate) tree_peak_mib: f64,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

impl std::fmt::Display for CheckRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} s, peak RSS {:.0} MiB (largest process so far), {:.0} MiB (process tree), {} error(s), {} warning(s)",
            self.seconds, self.peak_rss_mib, self.tree_peak_mib, self.errors, self.warnings
        )
    }
}

/// Runs `cargo <subcommand>` (`check`, `clippy` or `build`) on the crate, touching `lib.rs` first so
/// the crate itself is rebuilt without incremental reuse, and measures wall time and the peak
/// resident memory of the largest child (rustc).
pub(crate) fn cargo_check(dir: &Path, target: &Path, subcommand: &str, extra: &[&str]) -> Result<CheckRun, String> {
    for lib in crate_roots(dir) {
        let text = std::fs::read(&lib).map_err(|e| e.to_string())?;
        std::fs::write(&lib, text).map_err(|e| e.to_string())?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let mut command = Command::new(cargo);
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // A first build, as a consumer sees it: nothing reused from an earlier session.
        .env("CARGO_INCREMENTAL", "0")
        .args([subcommand, "--message-format", "short"])
        .args(extra);
    let (output, tree_peak) = output_sampling_memory(command).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let is_error = |l: &&str| l.contains(": error") || l.starts_with("error");
    let mut errors = stderr.lines().filter(is_error).count();
    if !output.status.success() && errors == 0 {
        errors = 1;
    }
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains(": warning")).collect();
    for line in stderr.lines().filter(is_error).take(20) {
        eprintln!("  {line}");
    }
    // Warnings grouped by message, most frequent first.
    let mut by_message: BTreeMap<&str, usize> = BTreeMap::new();
    for line in &warnings {
        let message = line.split_once(": warning: ").map_or(*line, |(_, m)| m);
        *by_message.entry(message).or_default() += 1;
    }
    let mut by_count: Vec<(&str, usize)> = by_message.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (message, count) in by_count.iter().take(20) {
        eprintln!("  {count:>6}  warning: {message}");
    }
    Ok(CheckRun {
        seconds,
        peak_rss_mib: peak_child_rss_kib() as f64 / 1024.0,
        tree_peak_mib: tree_peak as f64 / (1024.0 * 1024.0),
        errors,
        warnings: warnings.len(),
    })
}

/// Runs `command` to completion like `Command::output`, polling `/proc` every 50 ms for the
/// summed resident memory of the child and all its descendants; returns the output and the
/// largest sum seen, in bytes (0 where `/proc` is missing).
pub(crate) fn output_sampling_memory(mut command: Command) -> std::io::Result<(std::process::Output, u64)> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let mut peak = 0;
    let status = loop {
        peak = peak.max(tree_rss_bytes(child.id()));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    Ok((std::process::Output { status, stdout, stderr }, peak))
}

/// The resident memory of process `root` and every descendant, in bytes, from `/proc`.
fn tree_rss_bytes(root: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    // (pid, parent, resident pages) of every process readable now.
    let mut processes: Vec<(u32, u32, u64)> = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name may hold spaces and parentheses: the fields follow the last `)`.
        let Some(fields) = stat.rfind(')').map(|end| &stat[end + 1..]) else { continue };
        let Some(parent) = fields.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) else { continue };
        let pages = std::fs::read_to_string(format!("/proc/{pid}/statm"))
            .ok()
            .and_then(|statm| statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
            .unwrap_or(0);
        processes.push((pid, parent, pages));
    }
    let mut tree = vec![root];
    let mut grew = true;
    while grew {
        grew = false;
        for (pid, parent, _) in &processes {
            if tree.contains(parent) && !tree.contains(pid) {
                tree.push(*pid);
                grew = true;
            }
        }
    }
    // SAFETY: sysconf reads a constant of the system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64;
    processes.iter().filter(|(pid, _, _)| tree.contains(pid)).map(|(_, _, pages)| pages * page).sum()
}

/// The peak resident set of any waited-for descendant so far, in KiB (Linux `ru_maxrss`).
pub(crate) fn peak_child_rss_kib() -> i64 {
    // SAFETY: getrusage only writes the struct we pass, which is zero-initialised and ours.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

/// How the operations send and receive bodies: media-type choices, multipart bodies and the
/// files in them, raw uploads, and each way a success body is decoded.
fn media_report(api: &sdkgen::ir::Api) {
    use sdkgen::ir::{BodyKind, ResponseKind, TypeKind, TypeRef};
    let mut bodies: BTreeMap<&str, usize> = BTreeMap::new();
    let count = |kind: &BodyKind, bodies: &mut BTreeMap<&str, usize>| {
        let name = match kind {
            BodyKind::Json { .. } => "json",
            BodyKind::Form { .. } => "form",
            BodyKind::Multipart { .. } => "multipart",
            BodyKind::Text { .. } => "text",
            BodyKind::Bytes { .. } => "bytes (File)",
            BodyKind::Choice { .. } => "several media types (enum)",
        };
        *bodies.entry(name).or_default() += 1;
    };
    for operation in &api.operations {
        let Some(body) = operation.params.as_ref().and_then(|p| p.body.as_ref()) else { continue };
        count(&body.kind, &mut bodies);
        if let BodyKind::Choice { variants, .. } = &body.kind {
            variants.iter().for_each(|v| count(&v.kind, &mut bodies));
        }
    }
    let mut responses: BTreeMap<&str, usize> = BTreeMap::new();
    for operation in &api.operations {
        let name = match &operation.success.kind {
            ResponseKind::Json { unwrap: Some(_), .. } => "json (unwrapped envelope)",
            ResponseKind::Json { .. } => "json",
            ResponseKind::Text => "text",
            ResponseKind::Bytes => "bytes",
            ResponseKind::Empty => "empty",
            ResponseKind::JsonLines { .. } => "ndjson stream",
            ResponseKind::EventStream { .. } => "server-sent events",
            ResponseKind::ByContentType { .. } => "by content type",
            ResponseKind::Upgrade => "websocket (101)",
        };
        *responses.entry(name).or_default() += 1;
    }
    let multipart_files = api
        .types
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Struct(body) if body.multipart.is_some() => Some(body),
            _ => None,
        })
        .map(|body| {
            body.fields
                .iter()
                .filter(|f| match &f.ty {
                    TypeRef::File => true,
                    TypeRef::Array(item) => **item == TypeRef::File,
                    _ => false,
                })
                .count()
        })
        .sum::<usize>();
    eprintln!("request bodies (choice variants counted too): {bodies:?}; file properties in multipart bodies: {multipart_files}");
    eprintln!("success responses: {responses:?}");
}

#[cfg(test)]
mod tests {
    use sdkgen::emit::rust_type_text;
    use sdkgen::ir::{Api, Operation};

    /// A CI-sized part of the full run: the whole document generates (in memory), every
    /// operation included, and the one-operation SDK agrees with it.
    #[test]
    fn whole_cloudflare_document_generates_and_agrees_with_the_fragment() {
        let full = super::generate().expect("the whole document generates");
        assert_eq!(full.api.operations.len(), 3207);
        let skipped: Vec<_> = full.api.diagnostics.iter().filter(|d| d.kind == "skipped-operation").collect();
        assert!(skipped.is_empty(), "skipped operations: {skipped:#?}");

        // Type names are unique across a document, so a name the fragment has to itself may
        // take a numeric suffix in the whole document (`ScriptUpdateError2`), where another
        // operation claimed it first: names are compared without such suffixes.
        let fragment = crate::codegen::generate().expect("the fragment generates");
        for operation in &fragment.api.operations {
            let twin = full.api.operations.iter().find(|o| o.id == operation.id).expect("operation in the full run");
            assert_eq!(unsuffixed(&signature(&fragment.api, operation)), unsuffixed(&signature(&full.api, twin)));
        }
        // Every type of the fragment is generated the same in the full run (headers and name
        // suffixes aside), found by its schema's pointer.
        let strip = |text: &str| unsuffixed(&text.lines().skip(2).collect::<Vec<_>>().join("\n"));
        let file_of = |generated: &sdkgen::Generated, module: &str| {
            let path = format!("src/types/{module}.rs");
            generated.files.iter().find(|f| f.path == path).map(|f| f.contents.clone())
        };
        for def in &fragment.api.types {
            let twin = full
                .api
                .types
                .iter()
                .find(|t| t.pointer == def.pointer)
                .unwrap_or_else(|| panic!("{} ({}) missing from the full run", def.name, def.pointer));
            if def.alias_of.is_some() || twin.alias_of.is_some() {
                // Identical shapes are merged over the whole document (`ir::analysis::dedupe`):
                // a type may be an alias in one run and emitted in the other, or name another
                // type. What must agree is its shape, with named types compared by schema.
                assert_eq!(shape(&fragment.api, def), shape(&full.api, twin), "{}", def.pointer);
                continue;
            }
            let (mut ours, mut theirs) =
                (file_of(&fragment, &def.module).unwrap(), file_of(&full, &twin.module).unwrap());
            // Whether a struct is read in one pass depends on the whole document: a type that
            // some other operation returns a list of has it in the full run only. Apart from
            // that reading, the two must agree.
            if def.one_pass != twin.one_pass {
                let (with, without) = if def.one_pass { (&mut ours, &theirs) } else { (&mut theirs, &ours) };
                assert!(!without.contains("impl object::Direct for"), "{}", def.pointer);
                *with = without_one_pass(with);
            }
            assert_eq!(strip(&ours), strip(&theirs), "{}", def.pointer);
        }
    }

    /// A struct's file as it is without the one-pass reading: no `object::Direct` impl, and
    /// `Deserialize` through the tolerant reading.
    fn without_one_pass(text: &str) -> String {
        let start = text.find("impl object::Direct for").expect("a one-pass struct has a Direct impl");
        let end = start + text[start..].find("\n}\n").expect("the impl's closing brace") + "\n}\n".len();
        let rest = format!("{}{}", &text[..start], text[end..].trim_start_matches('\n'));
        let replaced = rest.replace("object::deserialize_direct(deserializer)", "object::deserialize(deserializer)");
        assert_ne!(replaced, rest, "a one-pass struct deserializes through deserialize_direct");
        replaced
    }

    /// A type's shape as the model dumps it, each named type given by its schema's pointer.
    fn shape(api: &Api, def: &sdkgen::ir::TypeDef) -> String {
        let dump = format!("{:?}", def.kind);
        let mut out = String::with_capacity(dump.len());
        let mut rest = dump.as_str();
        while let Some(start) = rest.find("TypeId(") {
            out.push_str(&rest[..start]);
            let after = &rest[start + "TypeId(".len()..];
            let end = after.find(')').expect("a TypeId's closing parenthesis");
            let index: usize = after[..end].parse().expect("a TypeId holds an index");
            out.push_str(&api.types[index].pointer);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        unsuffixed(&out)
    }

    /// The vendored document is the one its note pins: the sha256 in
    /// `spec/cloudflare-openapi.md` is the file's.
    #[test]
    fn vendored_document_matches_its_pin() {
        use sha2::Digest;
        let note = std::fs::read_to_string(crate::project_root().join("spec/cloudflare-openapi.md")).unwrap();
        let pinned = note
            .lines()
            .find_map(|line| line.trim_start_matches("- ").strip_prefix("sha256: `"))
            .and_then(|rest| rest.split('`').next())
            .expect("the note has a `sha256: `...`` line");
        let bytes = std::fs::read(super::document_path()).unwrap();
        let actual: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(actual, pinned, "{} does not match its pin in spec/cloudflare-openapi.md", super::DOCUMENT);
    }

    /// What a caller sees of an operation: where it lives, its arguments and its types.
    fn signature(api: &Api, operation: &Operation) -> String {
        let ty = |t: &sdkgen::ir::TypeRef| rust_type_text(api, t);
        let positional: Vec<String> =
            operation.positional.iter().map(|p| format!("{}: {}", p.rust_name, ty(&p.ty))).collect();
        let params = operation.params.as_ref().map(|p| {
            let fields: Vec<String> = p.fields.iter().map(|f| format!("{}: {}", f.rust_name, ty(&f.ty))).collect();
            format!("{} {{ {} }}", p.name, fields.join(", "))
        });
        let success = match &operation.success.kind {
            sdkgen::ir::ResponseKind::Json { ty: t, unwrap } => format!("{} (unwrap {unwrap:?})", ty(t)),
            other => format!("{:?} of {:?}", std::mem::discriminant(other), other.ty().map(ty)),
        };
        let pages = operation.pagination.as_ref().map(|p| format!("{:?} of {}", p.shape, ty(&p.item)));
        format!(
            "{}.{}({}; {:?}) -> {success} / {:?} / pages {pages:?}",
            operation.group.join("."),
            operation.method_name,
            positional.join(", "),
            params,
            operation.error.as_ref().map(ty)
        )
    }

    /// The text with the numeric suffix of every capitalised identifier removed.
    fn unsuffixed(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let trimmed = if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                word.trim_end_matches(|c: char| c.is_ascii_digit())
            } else {
                word.as_str()
            };
            out.push_str(trimmed);
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}
