//! `cargo xtask bench [--runs N] [--check-github]`: generation time and peak memory on the
//! largest documents, beside their parse floor.
//!
//! Documents: the largest `github.com/` document of the corpus (`api.github.com`), the largest
//! `stripe.com` one, the largest `kubernetes.io` one (all from the corpus that
//! `cargo xtask corpus` installs), and Cloudflare's whole document, pinned in
//! `spec/cloudflare-openapi.json`.
//!
//! For each document:
//! - **parse floor**: read the file and deserialize it into `openapiv3::OpenAPI` with serde_json
//!   (or serde_yaml) and nothing else; median of N runs (default 3).
//! - **generate**: `sdkgen::load::load_spec` + `sdkgen::generate` in process, no disk writes;
//!   median of N runs. `ratio` = generate / floor. Beside it, the median of each stage:
//!   load (read and parse), lower (build the model), emit and format (on all cores).
//! - Both timings end when the work returns: freeing the result is not counted on either side.
//! - **CPU ms**: generation reads large JSON documents and emits on every core,
//!   so its wall time is below its work; the mean CPU time of a run (all threads) and its ratio
//!   to the floor show the work itself.
//! - **peak RSS**: the release `sdkgen generate --standalone --lenient` binary on the document
//!   (writing into `target/bench/out`), in its own process. Its peak resident set is the kernel's
//!   high-water mark `VmHWM` from `/proc/<pid>/status`, polled every millisecond until the
//!   process exits. `VmHWM` only grows, so the last reading is the peak up to that instant; what
//!   could be missed is growth in the final millisecond, while the binary writes files (which
//!   allocates little). This needs no `/usr/bin/time` and no `libc` (Linux only).
//! - **lines**: lines of all generated files.
//!
//! Timings are meaningless in a debug build, so when `cargo xtask` (a debug build) runs this,
//! it re-runs itself as `cargo run --release -p xtask -- bench ...`.
//!
//! `--check-github` also writes the GitHub SDK in both layouts, one crate (the default) to
//! `target/bench/github-sdk` and a workspace of crates to `target/bench/github-sdk-workspace`,
//! and times `cargo check` on each with its own target directory `target/bench-check`: once as
//! it comes (which includes compiling dependencies the first time), then the SDK alone after
//! touching every crate's `lib.rs`, from scratch (`CARGO_INCREMENTAL=0`, the figure
//! compile-cost goals use), and last the SDK alone reusing incremental state, as a developer's
//! re-check after an edit does. The last is two to four times lower than the one from scratch (5.7 s against 15.8 to
//! 24.2 s when measured by hand under load), which is why figures taken by different methods
//! disagreed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sdkgen::{Options, Provenance};

/// One benchmarked document.
struct Row {
    name: String,
    bytes: u64,
    floor_ms: Option<f64>,
    floor_note: String,
    generate_ms: f64,
    /// Median of each stage over the runs: load, lower, emit and format.
    stages_ms: [f64; 3],
    /// Mean CPU time (user + system, every thread) of one generate run.
    cpu_ms: Option<f64>,
    peak_rss_mb: Option<f64>,
    lines: usize,
}

/// `cargo xtask bench ...`.
pub fn run(args: &[String]) -> Result<bool, String> {
    let mut runs = 3usize;
    let mut check_github = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--runs" => runs = iter.next().and_then(|v| v.parse().ok()).ok_or("--runs takes a number")?,
            "--check-github" => check_github = true,
            other => {
                return Err(format!("unknown argument `{other}`; usage: cargo xtask bench [--runs N] [--check-github]"))
            }
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("re-running in release (timings of a debug build mean nothing)...");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["run", "--release", "--quiet", "-p", "xtask", "--", "bench"])
            .args(args)
            .current_dir(crate::project_root())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        return Ok(status.success());
    }

    let api = crate::corpus::install()?;
    let docs = crate::corpus::documents(&api)?;
    let largest = |prefix: &str| -> Result<PathBuf, String> {
        docs.iter()
            .filter(|d| d.starts_with(prefix))
            .map(|d| api.join(d))
            .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .ok_or_else(|| format!("no `{prefix}` document in the corpus"))
    };
    let mut targets = vec![largest("github.com/")?, largest("stripe.com")?, largest("kubernetes.io")?];
    targets.push(crate::cloudflare::document_path());
    let bin = crate::corpus::generator_binary()?;
    let out_root = crate::project_root().join("target/bench");
    std::fs::create_dir_all(&out_root).map_err(|e| e.to_string())?;

    let mut rows = Vec::new();
    for path in &targets {
        let name =
            path.strip_prefix(&api).map(|p| p.display().to_string()).unwrap_or_else(|_| path.display().to_string());
        eprintln!("{name}...");
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (floor_ms, floor_note) = match median_ms(runs, || parse_floor(path)) {
            Ok((ms, _)) => (Some(ms), String::new()),
            Err(error) => (None, error),
        };
        let options = Options {
            provenance: Provenance {
                spec: name.clone(),
                command: "cargo xtask bench".into(),
                crate_path: format!("target/bench/{name}"),
            },
            standalone: true,
            lenient: true,
            contract_tests: false,
        };
        let mut lines = 0;
        let mut stages: [Vec<f64>; 3] = Default::default();
        let mut cpu_total = Some(0.0);
        let generate_ms = median_ms(runs, || {
            let cpu_before = process_cpu_ms();
            let started = Instant::now();
            let spec = sdkgen::load::load_spec(path).map_err(|e| e.to_string())?;
            stages[0].push(started.elapsed().as_secs_f64() * 1000.0);
            let generated = sdkgen::generate(&spec, &sdkgen::Config::default(), &options).map_err(|e| e.to_string())?;
            for (stage, (_, time)) in stages[1..].iter_mut().zip(&generated.timings) {
                stage.push(time.as_secs_f64() * 1000.0);
            }
            cpu_total =
                cpu_total.zip(process_cpu_ms().zip(cpu_before)).map(|(sum, (after, before))| sum + after - before);
            Ok((spec, generated))
        })
        .map(|(ms, (_, generated))| {
            lines = generated.files.iter().map(|f| f.contents.lines().count()).sum();
            ms
        })?;
        let stages_ms = stages.map(|mut times| {
            times.sort_by(f64::total_cmp);
            times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
        });
        let peak_rss_mb = peak_rss(&bin, path, &out_root.join("out"))?;
        let cpu_ms = cpu_total.map(|total| total / runs.max(1) as f64);
        rows.push(Row { name, bytes, floor_ms, floor_note, generate_ms, stages_ms, cpu_ms, peak_rss_mb, lines });
    }

    println!(
        "\n| document | size MB | parse floor ms | generate ms | ratio | load / lower / emit ms | CPU ms | CPU / floor | peak RSS MB | lines generated |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for row in &rows {
        let floor = row.floor_ms.map(|ms| format!("{ms:.0}")).unwrap_or_else(|| "n/a".into());
        let ratio = row.floor_ms.map(|ms| format!("{:.1}x", row.generate_ms / ms)).unwrap_or_else(|| "n/a".into());
        let rss = row.peak_rss_mb.map(|mb| format!("{mb:.0}")).unwrap_or_else(|| "n/a".into());
        let cpu = row.cpu_ms.map(|ms| format!("{ms:.0}")).unwrap_or_else(|| "n/a".into());
        let cpu_ratio = row
            .cpu_ms
            .zip(row.floor_ms)
            .map(|(cpu, floor)| format!("{:.1}x", cpu / floor))
            .unwrap_or_else(|| "n/a".into());
        println!(
            "| {} | {:.1} | {floor} | {:.0} | {ratio} | {:.0} / {:.0} / {:.0} | {cpu} | {cpu_ratio} | {rss} | {} |",
            row.name,
            row.bytes as f64 / 1e6,
            row.generate_ms,
            row.stages_ms[0],
            row.stages_ms[1],
            row.stages_ms[2],
            row.lines
        );
    }
    for row in rows.iter().filter(|r| !r.floor_note.is_empty()) {
        println!("parse floor n/a for {}: {}", row.name, row.floor_note);
    }
    println!(
        "\n(times: median of {runs} in-process runs, wall clock; loading large JSON and emitting use every core, \
         so CPU ms (mean, all threads, 10 ms ticks) shows the work done; peak RSS = VmHWM of the release binary, \
         polled from /proc)"
    );

    if check_github {
        check_github_crate(&targets[0], &out_root)?;
    }
    Ok(true)
}

/// CPU time of this process so far (user + system, every thread, finished ones included), in
/// milliseconds, from `/proc/self/stat` (clock ticks of 10 ms: Linux's fixed `USER_HZ` of 100).
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces):
    // state is field 3, utime field 14 and stime field 15.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 * 10.0)
}

/// Reads the file and deserializes it into `openapiv3::OpenAPI`, nothing more.
fn parse_floor(path: &Path) -> Result<openapiv3::OpenAPI, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let is_yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    let document: openapiv3::OpenAPI = if is_yaml {
        serde_yaml::from_slice(&bytes).map_err(|e| format!("not a 3.0 document for openapiv3: {e}"))?
    } else {
        serde_json::from_slice(&bytes).map_err(|e| format!("not a 3.0 document for openapiv3: {e}"))?
    };
    Ok(document)
}

/// Runs `f` `runs` times: the median wall time in milliseconds and the last result. Each
/// timing ends when `f` returns, so neither side pays for freeing its result (the floor's
/// document or the generated files), and the caller can inspect the result untimed.
fn median_ms<T>(runs: usize, mut f: impl FnMut() -> Result<T, String>) -> Result<(f64, T), String> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        drop(last.take());
        let start = Instant::now();
        let result = std::hint::black_box(f()?);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        last = Some(result);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], last.expect("at least one run")))
}

/// Peak resident set (MB) of the release binary generating `spec`, from `VmHWM` polling.
fn peak_rss(bin: &Path, spec: &Path, out: &Path) -> Result<Option<f64>, String> {
    let _ = std::fs::remove_dir_all(out);
    let mut child = Command::new(bin)
        .args(["generate", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .args(["--standalone", "--lenient"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb: Option<u64> = None;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kb = Some(peak_kb.map_or(kb, |p| p.max(kb)));
            }
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let _ = std::fs::remove_dir_all(out);
    if !status.success() {
        eprintln!("  note: the binary exited with {status} on {}", spec.display());
    }
    Ok(peak_kb.map(|kb| kb as f64 / 1024.0))
}

/// Writes the GitHub crate and times `cargo check` on it (as it comes, then the crate alone).
fn check_github_crate(spec: &Path, out_root: &Path) -> Result<(), String> {
    use sdkgen::config::Layout;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = crate::project_root().join("target/bench-check");
    let mut report = String::new();
    for (layout, name) in [(Layout::Crate, "github-sdk"), (Layout::Workspace, "github-sdk-workspace")] {
        let dir = out_root.join(name);
        let options = Options {
            provenance: Provenance {
                spec: spec.display().to_string(),
                command: "cargo xtask bench --check-github".into(),
                crate_path: format!("target/bench/{name}"),
            },
            standalone: true,
            lenient: true,
            contract_tests: false,
        };
        let mut config = sdkgen::Config::default();
        config.output.layout = layout;
        let generated = sdkgen::generate_from_spec_path(spec, &config, &options).map_err(|e| e.to_string())?;
        // A fresh folder: a layout's files must not mix with another run's.
        let _ = std::fs::remove_dir_all(&dir);
        sdkgen::write::write(&generated.files, &dir).map_err(|e| e.to_string())?;
        // `incremental`: the value of `CARGO_INCREMENTAL` for this check.
        let check = |incremental: &str| -> Result<(f64, bool), String> {
            let start = Instant::now();
            let status = Command::new(&cargo)
                .args(["check", "--quiet"])
                .env("CARGO_TARGET_DIR", &target)
                .env("CARGO_INCREMENTAL", incremental)
                .current_dir(&dir)
                .status()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            Ok((start.elapsed().as_secs_f64(), status.success()))
        };
        let roots = crate::cloudflare::crate_roots(&dir);
        let touch = || -> Result<(), String> {
            for lib in &roots {
                let text = std::fs::read(lib).map_err(|e| e.to_string())?;
                std::fs::write(lib, text).map_err(|e| e.to_string())?;
            }
            Ok(())
        };
        eprintln!("cargo check on {} ...", dir.display());
        let (first, ok_first) = check("0")?;
        // The crate alone, checked from scratch: no reuse of an earlier build's incremental state.
        touch()?;
        let (alone, ok_alone) = check("0")?;
        // The largest process so far: the one crate's rustc is checked first, so the
        // workspace's figure is at least the one crate's.
        let peak_mib = crate::cloudflare::peak_child_rss_kib() as f64 / 1024.0;
        // An edit-compile loop: the first incremental check writes the incremental state, the
        // second (after touching `lib.rs`) reuses it. This is what a developer's re-check costs
        // and is much lower than a check from scratch, so the two must not be compared.
        check("1")?;
        touch()?;
        let (reused, ok_reused) = check("1")?;
        let failed = |ok: bool| if ok { "" } else { " — FAILED" };
        let crates = roots.len();
        report.push_str(&format!(
            "\ncargo check of the GitHub SDK, {} layout ({crates} crate(s), {} files, {} lines):\n  as it came (dependencies included if not yet built): {first:.1} s{}\n  the SDK alone, from scratch (CARGO_INCREMENTAL=0): {alone:.1} s{}, largest process so far {peak_mib:.0} MiB\n  the SDK alone, reusing incremental state (CARGO_INCREMENTAL=1, after touching every lib.rs): {reused:.1} s{}\n",
            if layout == Layout::Crate { "one-crate (the default)" } else { "workspace" },
            generated.files.len(),
            generated.files.iter().map(|f| f.contents.lines().count()).sum::<usize>(),
            failed(ok_first),
            failed(ok_alone),
            failed(ok_reused),
        ));
    }
    print!("{report}");
    Ok(())
}
