//! Where the compile time of Cloudflare's SDK goes: `cargo xtask cloudflare --profile` prints
//! rustc's own pass timings (`-Z time-passes`) for `zero_trust` and for every feature, and
//! `--growth` checks growing sets of top-level resources to give the cost per type.
//!
//! `-Z` flags need a nightly compiler; `RUSTC_BOOTSTRAP=1` lets the stable one accept them.
//! Profiling runs get their own target directory, since that variable changes how cargo
//! fingerprints the dependencies (mixing the two would rebuild them every time).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The passes worth reporting, in the order rustc runs them, with what each covers.
const PASSES: [(&str, &str); 10] = [
    ("macro_expand_crate", "macro expansion (derives) and module loading"),
    ("resolve_crate", "name resolution"),
    ("type_check_crate", "type checking: signatures, impls, item bodies"),
    ("coherence_checking", "trait impl coherence"),
    ("MIR_borrow_checking", "MIR building and borrow checking of every function body"),
    ("misc_checking_3", "privacy, lints, late checks"),
    ("generate_crate_metadata", "crate metadata (.rmeta)"),
    ("monomorphization_collector_graph_walk", "monomorphisation (builds only)"),
    ("codegen_to_LLVM_IR", "codegen to LLVM IR (builds only)"),
    ("LLVM_passes", "LLVM (builds only)"),
];

/// One pass of one run: seconds and resident memory after it, in MB as rustc prints it.
struct Pass {
    name: String,
    seconds: f64,
    rss_after_mb: u64,
}

/// `--profile`: `-Z time-passes` for `zero_trust` alone, then for every feature.
pub fn profile(sdk: &Path) -> Result<(), String> {
    let target = crate::project_root().join("target/cloudflare-profile");
    let zero_trust = ["--no-default-features", "--features", "zero_trust"];
    // A warm-up builds the dependencies; the crate itself is then checked from scratch.
    time_passes(sdk, &target, &zero_trust)?;
    for (label, features) in [("zero_trust", &zero_trust[..]), ("all features", &[][..])] {
        let started = Instant::now();
        let passes = time_passes(sdk, &target, features)?;
        let wall = started.elapsed().as_secs_f64();
        let total = passes.iter().find(|p| p.name == "total").map_or(wall, |p| p.seconds);
        println!("\ncargo check, {label}: rustc {total:.1} s (wall {wall:.1} s)");
        println!("{:<40} {:>8} {:>7} {:>10}  what", "pass", "seconds", "share", "RSS after");
        for (name, what) in PASSES {
            let Some(pass) = passes.iter().find(|p| p.name == name) else { continue };
            println!(
                "{:<40} {:>8.2} {:>6.1}% {:>7} MB  {what}",
                name,
                pass.seconds,
                100.0 * pass.seconds / total,
                pass.rss_after_mb
            );
        }
        let peak = passes.iter().map(|p| p.rss_after_mb).max().unwrap_or(0);
        println!("{:<40} {:>8} {:>7} {:>7} MB  largest RSS rustc reports after a pass", "peak", "", "", peak);
    }
    Ok(())
}

/// `cargo rustc --profile check --lib` on the SDK with `-Z time-passes`; the crate is
/// rebuilt without incremental reuse.
fn time_passes(sdk: &Path, target: &Path, features: &[&str]) -> Result<Vec<Pass>, String> {
    let lib = sdk.join("src/lib.rs");
    let text = std::fs::read(&lib).map_err(|e| e.to_string())?;
    std::fs::write(&lib, text).map_err(|e| e.to_string())?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(sdk)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["rustc", "--profile", "check", "--lib", "--message-format", "short"])
        .args(features)
        .args(["--", "-Z", "time-passes"])
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        return Err(format!("cargo rustc failed:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n")));
    }
    Ok(parse_time_passes(&stderr))
}

/// Lines such as `time:   3.412; rss:  412MB ->  615MB ( +203MB)\ttype_check_crate`. Only the
/// SDK's own rustc prints them (dependencies are built without the flag).
fn parse_time_passes(text: &str) -> Vec<Pass> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("time:")?;
            let (seconds, rest) = rest.split_once(';')?;
            let name = rest.rsplit('\t').next()?.trim().to_string();
            let after = rest.split("->").nth(1)?.trim_start();
            let rss_after_mb = after.split("MB").next()?.trim().parse().ok()?;
            Some(Pass { name, seconds: seconds.trim().parse().ok()?, rss_after_mb })
        })
        .collect()
}

/// `--growth`: `cargo check` with 5, 20 and 100 top-level resources (spread evenly over the
/// feature list) and with all, against the number of types each compiles.
pub fn growth(api: &sdkgen::ir::Api, sdk: &Path) -> Result<(), String> {
    let target = crate::project_root().join("target/cloudflare-check");
    let all = api.features.len();
    // Warm-up: the dependencies, so the first measured run does not pay for them.
    crate::cloudflare::cargo_check(sdk, &target, "check", &["--no-default-features", "--features", &api.features[0]])?;
    println!(
        "\n{:>9} {:>7} {:>8} {:>8} {:>9} {:>10} {:>11}",
        "resources", "types", "emitted", "aliases", "seconds", "peak MiB", "ms/emitted"
    );
    for count in [5, 20, 100, all] {
        let count = count.min(all);
        let chosen: Vec<String> = (0..count).map(|i| api.features[i * all / count].clone()).collect();
        let enabled: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
        let compiled: Vec<&sdkgen::ir::TypeDef> = api
            .types
            .iter()
            .filter(|def| def.features.iter().any(|f| enabled.contains(f.as_str()) || (count == all && f == "full")))
            .collect();
        let aliases = compiled.iter().filter(|def| def.alias_of.is_some()).count();
        let emitted = compiled.len() - aliases;
        let list = chosen.join(",");
        let features: Vec<&str> =
            if count == all { Vec::new() } else { vec!["--no-default-features", "--features", &list] };
        // Peak RSS is that of any child so far: runs go from small to large.
        let run = crate::cloudflare::cargo_check(sdk, &target, "check", &features)?;
        if run.errors > 0 {
            return Err(format!("{count} resources: {} error(s)", run.errors));
        }
        println!(
            "{count:>9} {:>7} {emitted:>8} {aliases:>8} {:>9.1} {:>10.0} {:>11.2}",
            compiled.len(),
            run.seconds,
            run.peak_rss_mib,
            1000.0 * run.seconds / emitted.max(1) as f64
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_passes_lines_parse() {
        let text = "time:   3.412; rss:  412MB ->  615MB ( +203MB)\ttype_check_crate\nnoise\n\
                    time:  23.561; rss:   28MB ->   99MB (  +71MB)\ttotal\n";
        let passes = super::parse_time_passes(text);
        assert_eq!(passes.len(), 2);
        assert_eq!(passes[0].name, "type_check_crate");
        assert!((passes[0].seconds - 3.412).abs() < 1e-9);
        assert_eq!(passes[0].rss_after_mb, 615);
        assert_eq!(passes[1].name, "total");
    }
}
