//! The same input gives byte-identical output, whatever the working directory.

mod common;

use std::process::Command;

#[test]
fn generating_twice_gives_identical_bytes() {
    for fixture in ["schemas", "operations", "naming"] {
        let first = common::generate_fixture(fixture, false);
        let second = common::generate_fixture(fixture, false);
        assert_eq!(first.files, second.files, "{fixture}");
    }
}

#[test]
fn output_does_not_depend_on_the_working_directory() {
    let fixtures = common::fixtures_dir();
    let out_a = std::env::temp_dir().join(format!("sdkgen-cwd-a-{}", std::process::id()));
    let out_b = std::env::temp_dir().join(format!("sdkgen-cwd-b-{}", std::process::id()));
    // Once from the fixtures directory with a relative spec path, once from `/` with an
    // absolute one; the header records the spec as given, so give the same text both times
    // through `--spec` being relative to each working directory.
    let run = |cwd: &std::path::Path, spec: &std::path::Path, out: &std::path::Path| {
        let status = Command::new(env!("CARGO_BIN_EXE_sdkgen"))
            .current_dir(cwd)
            .args(["generate", "--spec"])
            .arg(spec)
            .arg("--out")
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success());
    };
    run(&fixtures, std::path::Path::new("schemas.yaml"), &out_a);
    let nested = fixtures.join("nested-cwd");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(fixtures.join("schemas.yaml"), nested.join("schemas.yaml")).unwrap();
    run(&nested, std::path::Path::new("schemas.yaml"), &out_b);
    std::fs::remove_dir_all(&nested).unwrap();
    let mut files_a = Vec::new();
    let mut files_b = Vec::new();
    collect(&out_a, &out_a, &mut files_a);
    collect(&out_b, &out_b, &mut files_b);
    // The header names the output directory in the command line; compare without it.
    let strip = |files: Vec<(String, String)>, out: &std::path::Path| -> Vec<(String, String)> {
        files.into_iter().map(|(p, c)| (p, c.replace(&out.display().to_string(), "<out>"))).collect()
    };
    assert_eq!(strip(files_a, &out_a), strip(files_b, &out_b));
    std::fs::remove_dir_all(&out_a).unwrap();
    std::fs::remove_dir_all(&out_b).unwrap();
}

fn collect(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}
