//! `cargo xtask names`: how the generator's resource paths and method names compare with the
//! names of hand-curated official SDKs for the same endpoints.
//!
//! Two references, each a table of derived facts, `(HTTP method, path template) -> (resource
//! path, method name)`, committed in `xtask/names/` with the commit it was read from:
//!
//! - `cloudflare-typescript.tsv`: the official Cloudflare TypeScript SDK, from the `<code
//!   title="get /zones/{zone_id}/dns_records">client.dns.records.list</code>` lines of its
//!   `api.md` files. Compared on the operations of Cloudflare's pinned document
//!   (`spec/cloudflare-openapi.json`, generated with `spec/codegen.toml`) that carry no naming
//!   extension (`x-fern-sdk-group-name` / `x-fern-sdk-method-name`): only those are named by the
//!   generator's defaults.
//! - `octokit.tsv`: octokit's REST endpoint methods (`octokit.rest.issues.listForRepo`), from
//!   `src/generated/endpoints.ts` of `octokit/plugin-rest-endpoint-methods.js`. Compared on
//!   GitHub's document from the APIs.guru corpus (`api/github.com/api.github.com.json`, installed
//!   by `cargo xtask corpus`), generated with no configuration. An endpoint octokit lists under
//!   several names (deprecated aliases) matches any of them.
//!
//! Names are compared in snake case (`activationCheck` is `activation_check`), path templates
//! with their parameter names erased (`/zones/{zone_id}` is `/zones/{}`).
//!
//! ```text
//! cargo xtask names [--examples N] [--github-spec FILE] [--style auto|path|operation_id]
//!                   [--refresh-cloudflare DIR] [--refresh-octokit DIR]
//! ```
//!
//! `--style` overrides Cloudflare's `[naming] style` (to measure the alternatives).
//! `--refresh-cloudflare DIR` / `--refresh-octokit DIR` rebuild a table from a clone of the
//! repository (a work tree, or a bare git directory read with `git show`), e.g.
//! `git clone https://github.com/cloudflare/cloudflare-typescript && git -C cloudflare-typescript
//! checkout faaaf89ed8064a9fb54de538ec3e89487f1302b0`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const CLOUDFLARE_TABLE: &str = "xtask/names/cloudflare-typescript.tsv";
const OCTOKIT_TABLE: &str = "xtask/names/octokit.tsv";

/// One official name: the resource path (snake case, dotted) and the method (snake case).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Official {
    resource: String,
    method: String,
}

/// `(METHOD, normalised path)` -> the official names of that endpoint.
type Table = BTreeMap<(String, String), BTreeSet<Official>>;

/// `/zones/{zone_id}/` -> `/zones/{}`.
fn normalise_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let trimmed = out.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.into()
    }
}

/// A camelCase or kebab name in the generator's snake case, without a keyword's `_`.
fn snake(name: &str) -> String {
    sdkgen::ir::naming::snake(name).trim_end_matches('_').to_string()
}

/// Reads `relative` from a work tree or, failing that, from `HEAD` of a git directory.
fn read_repo_file(repo: &Path, relative: &str) -> Result<String, String> {
    if let Ok(text) = std::fs::read_to_string(repo.join(relative)) {
        return Ok(text);
    }
    git(repo, &["show", &format!("HEAD:{relative}")])
}

fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("--git-dir")
        .arg(if repo.join(".git").exists() { repo.join(".git") } else { repo.to_path_buf() })
        .args(args)
        .output()
        .map_err(|e| format!("running git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {} in {}: {}",
            args.join(" "),
            repo.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

/// The rows of Cloudflare's `api.md` files: `METHOD\tpath\tresource\tmethod`.
fn cloudflare_rows(repo: &Path) -> Result<Vec<[String; 4]>, String> {
    let files: Vec<String> = git(repo, &["ls-tree", "-r", "HEAD", "--name-only"])?
        .lines()
        .filter(|f| f.starts_with("src/resources/") && f.ends_with("/api.md"))
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for file in files {
        let text = read_repo_file(repo, &file)?;
        for line in text.lines() {
            if let Some(row) = cloudflare_row(line) {
                rows.push(row);
            }
        }
    }
    rows.sort();
    rows.dedup();
    Ok(rows)
}

/// `- <code title="get /zones">client.zones.<a href="...">list</a>(...) -> ...</code>`.
fn cloudflare_row(line: &str) -> Option<[String; 4]> {
    let rest = line.trim_start().strip_prefix("- <code title=\"")?;
    let (endpoint, rest) = rest.split_once("\">")?;
    let (method, path) = endpoint.split_once(' ')?;
    let rest = rest.strip_prefix("client.")?;
    let (resource, rest) = rest.split_once(".<a ")?;
    let name = rest.split_once('>')?.1.split_once("</a>")?.0;
    let resource: Vec<String> = resource.split('.').map(snake).collect();
    Some([method.to_uppercase(), path.to_string(), resource.join("."), snake(name)])
}

/// The rows of octokit's `endpoints.ts`: `scope: { methodName: ["METHOD /path", ...] }`.
fn octokit_rows(repo: &Path) -> Result<Vec<[String; 4]>, String> {
    let text = read_repo_file(repo, "src/generated/endpoints.ts")?;
    let mut rows = Vec::new();
    let (mut scope, mut method) = (String::new(), String::new());
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if let Some((key, _)) = trimmed.split_once(':') {
            if key.chars().all(|c| c.is_ascii_alphanumeric()) && !key.is_empty() {
                match indent {
                    2 => scope = key.to_string(),
                    4 => method = key.to_string(),
                    _ => {}
                }
            }
        }
        // The endpoint is the first string of the entry, on the key's line or the next.
        if indent < 4 || scope.is_empty() || method.is_empty() {
            continue;
        }
        if let Some(start) = trimmed.find('"') {
            let quoted = &trimmed[start + 1..];
            let Some(end) = quoted.find('"') else { continue };
            if let Some((verb, path)) = quoted[..end].split_once(' ') {
                if verb.chars().all(|c| c.is_ascii_uppercase()) && path.starts_with('/') {
                    rows.push([verb.to_string(), path.to_string(), snake(&scope), snake(&method)]);
                    method.clear();
                }
            }
        }
    }
    rows.sort();
    rows.dedup();
    Ok(rows)
}

fn write_table(relative: &str, source: &str, commit: &str, rows: &[[String; 4]]) -> Result<(), String> {
    let mut text = format!(
        "# Derived from {source} at commit {commit} by `cargo xtask names`.\n\
         # method\tpath\tresource\tname (snake case)\n"
    );
    for row in rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    let path = crate::project_root().join(relative);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {} rows to {relative}", rows.len());
    Ok(())
}

fn read_table(relative: &str) -> Result<Table, String> {
    let path = crate::project_root().join(relative);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut table = Table::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [method, path, resource, name] = fields[..] else {
            return Err(format!("{}: malformed row {line:?}", path.display()));
        };
        table
            .entry((method.to_string(), normalise_path(path)))
            .or_default()
            .insert(Official { resource: resource.to_string(), method: name.to_string() });
    }
    Ok(table)
}

/// How one document's names compare with a table.
#[derive(Default)]
struct Agreement {
    compared: usize,
    resource: usize,
    method: usize,
    both: usize,
    /// `(official, ours, METHOD path)` where they differ.
    mismatches: Vec<(String, String, String)>,
}

impl Agreement {
    fn print(&self, title: &str, examples: usize) {
        let pct = |n: usize| if self.compared == 0 { 0.0 } else { 100.0 * n as f64 / self.compared as f64 };
        println!("{title}");
        println!("  operations compared:     {}", self.compared);
        println!("  same resource path:      {} ({:.1}%)", self.resource, pct(self.resource));
        println!("  same method name:        {} ({:.1}%)", self.method, pct(self.method));
        println!("  same resource and name:  {} ({:.1}%)", self.both, pct(self.both));
        if examples > 0 && !self.mismatches.is_empty() {
            println!(
                "  mismatches (official | ours | endpoint), every {}th:",
                (self.mismatches.len() / examples).max(1)
            );
            let step = (self.mismatches.len() / examples).max(1);
            for (official, ours, endpoint) in self.mismatches.iter().step_by(step).take(examples) {
                println!("    {official} | {ours} | {endpoint}");
            }
        }
    }
}

/// Compares the operations `include` accepts with `table`.
fn compare(api: &sdkgen::ir::Api, table: &Table, include: impl Fn(&sdkgen::ir::Operation) -> bool) -> Agreement {
    let mut agreement = Agreement::default();
    for operation in api.operations.iter().filter(|o| include(o)) {
        let Some(official) = table.get(&(operation.method.clone(), normalise_path(&operation.path))) else {
            continue;
        };
        let resource: Vec<String> = operation.group.iter().map(|g| g.trim_end_matches('_').to_string()).collect();
        let resource = resource.join(".");
        let method = operation.method_name.trim_end_matches('_');
        let same_resource = official.iter().any(|o| o.resource == resource);
        let same_method = official.iter().any(|o| o.method == method);
        let same_both = official.iter().any(|o| o.resource == resource && o.method == method);
        agreement.compared += 1;
        agreement.resource += same_resource as usize;
        agreement.method += same_method as usize;
        agreement.both += same_both as usize;
        if !same_both {
            let first = official.iter().next().expect("table entries are non-empty");
            agreement.mismatches.push((
                format!("{}.{}", first.resource, first.method),
                format!("{resource}.{method}"),
                format!("{} {}", operation.method, operation.path),
            ));
        }
    }
    agreement
}

fn lower(spec: &Path, config: &sdkgen::Config) -> Result<(sdkgen::ir::Api, openapiv3::OpenAPI), String> {
    let spec_file = sdkgen::load::load_spec(spec).map_err(|e| e.to_string())?;
    let api = sdkgen::ir::lower(&spec_file.document, config).map_err(|e| e.in_file(spec).to_string())?;
    Ok((api, spec_file.document))
}

/// Pointers of the operations carrying `extension`s.
fn with_extensions(document: &openapiv3::OpenAPI, extensions: &[&str]) -> BTreeSet<String> {
    let mut pointers = BTreeSet::new();
    for (path, item) in document.paths.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, operation) in item.iter() {
            if extensions.iter().any(|e| operation.extensions.contains_key(*e)) {
                pointers.insert(format!("#/paths/{}/{method}", sdkgen::pointer::token(path)));
            }
        }
    }
    pointers
}

fn cloudflare(examples: usize, style: Option<sdkgen::config::NamingStyle>) -> Result<(), String> {
    let table = read_table(CLOUDFLARE_TABLE)?;
    let root = crate::project_root();
    let config_path = root.join(crate::codegen::CONFIG);
    let text = sdkgen::load::read_text(&config_path).map_err(|e| e.to_string())?;
    let mut config = sdkgen::Config::parse(&text, &config_path).map_err(|e| e.to_string())?;
    config.generator.lenient = true;
    if let Some(style) = style {
        config.naming.style = style;
    }
    let extensions: Vec<String> =
        [&config.naming.group_extension, &config.naming.method_extension].into_iter().flatten().cloned().collect();
    let (api, document) = lower(&crate::cloudflare::document_path(), &config)?;
    let named = with_extensions(&document, &extensions.iter().map(String::as_str).collect::<Vec<_>>());
    let defaults = compare(&api, &table, |o| !named.contains(&o.pointer));
    print_collisions("Cloudflare", &api)?;
    defaults.print(
        &format!(
            "Cloudflare ({}), operations without naming extensions vs the official TypeScript SDK:",
            crate::cloudflare::DOCUMENT
        ),
        examples,
    );
    let extended = compare(&api, &table, |o| named.contains(&o.pointer));
    extended.print("Cloudflare, operations with naming extensions (for reference):", 0);
    Ok(())
}

fn github(spec: &Path, examples: usize) -> Result<(), String> {
    let table = read_table(OCTOKIT_TABLE)?;
    let mut config = sdkgen::Config::default();
    config.generator.lenient = true;
    let (api, _) = lower(spec, &config)?;
    print_collisions("GitHub", &api)?;
    compare(&api, &table, |_| true)
        .print(&format!("GitHub ({}), no configuration, vs octokit:", spec.display()), examples);
    // What names from the path alone would give: the reason `auto` keeps GitHub's operationIds.
    config.naming.style = sdkgen::config::NamingStyle::Path;
    let (api, _) = lower(spec, &config)?;
    compare(&api, &table, |_| true).print("GitHub with `[naming] style = \"path\"`, for comparison:", 0);
    Ok(())
}

/// Collisions settled by a fallback name (`method-name-collision` diagnostics): how many,
/// and all of them in `target/names-collisions-<title>.txt`.
fn print_collisions(title: &str, api: &sdkgen::ir::Api) -> Result<(), String> {
    let all: Vec<String> = api
        .diagnostics
        .iter()
        .filter(|d| d.kind == "method-name-collision")
        .map(|d| format!("{}\t{}\n", d.pointer, d.message))
        .collect();
    let path = crate::project_root().join(format!("target/names-collisions-{}.txt", title.to_lowercase()));
    std::fs::write(&path, all.concat()).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("{title}: {} method-name collisions (listed in {})", all.len(), path.display());
    Ok(())
}

/// Runs the command.
pub fn run(args: &[String]) -> Result<bool, String> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    if let Some(dir) = value("--refresh-cloudflare") {
        let dir = PathBuf::from(dir);
        let commit = git(&dir, &["rev-parse", "HEAD"])?;
        let rows = cloudflare_rows(&dir)?;
        write_table(
            CLOUDFLARE_TABLE,
            "github.com/cloudflare/cloudflare-typescript (api.md files)",
            commit.trim(),
            &rows,
        )?;
    }
    if let Some(dir) = value("--refresh-octokit") {
        let dir = PathBuf::from(dir);
        let commit = git(&dir, &["rev-parse", "HEAD"])?;
        let rows = octokit_rows(&dir)?;
        write_table(
            OCTOKIT_TABLE,
            "github.com/octokit/plugin-rest-endpoint-methods.js (src/generated/endpoints.ts)",
            commit.trim(),
            &rows,
        )?;
    }
    let examples = match value("--examples") {
        Some(n) => n.parse().map_err(|_| format!("--examples takes a number, not {n:?}"))?,
        None => 12,
    };
    let style = match value("--style").map(String::as_str) {
        None => None,
        Some("auto") => Some(sdkgen::config::NamingStyle::Auto),
        Some("path") => Some(sdkgen::config::NamingStyle::Path),
        Some("operation_id") => Some(sdkgen::config::NamingStyle::OperationId),
        Some(other) => return Err(format!("--style takes auto, path or operation_id, not {other:?}")),
    };
    cloudflare(examples, style)?;
    let spec = match value("--github-spec") {
        Some(path) => PathBuf::from(path),
        None => crate::corpus::api_dir().join("github.com/api.github.com.json"),
    };
    if spec.exists() {
        github(&spec, examples)?;
    } else {
        println!(
            "GitHub: {} is missing; install the corpus (`cargo xtask corpus --quick` does) or pass --github-spec FILE",
            spec.display()
        );
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_api_md_line() {
        let line = "- <code title=\"put /zones/{zone_id}/activation_check\">client.zones.activationCheck.<a \
                    href=\"./src/resources/zones/activation-check.ts\">trigger</a>({ ...params }) -> X</code>";
        assert_eq!(
            cloudflare_row(line),
            Some([
                "PUT".into(),
                "/zones/{zone_id}/activation_check".into(),
                "zones.activation_check".into(),
                "trigger".into()
            ])
        );
        assert_eq!(cloudflare_row("- <code><a href=\"x\">Zone</a></code>"), None);
    }

    #[test]
    fn path_parameters_are_erased() {
        assert_eq!(normalise_path("/zones/{zone_id}/dns_records/{id}/"), "/zones/{}/dns_records/{}");
        assert_eq!(normalise_path("/"), "/");
    }
}
