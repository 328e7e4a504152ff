//! The committed generated files (`man/`, `completions/`) match what the clap tree produces,
//! and every man page renders without groff warnings.
//!
//! `UPDATE_GENERATED=1 cargo test --test it generated` rewrites them (and removes stale pages).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use kubectl_rs::cmd::{generate, Cli};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    generate::files(Cli::command())
}

/// Files currently committed under the generated directories.
fn on_disk() -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for dir in ["man", "completions"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            out.insert(PathBuf::from(dir).join(e.file_name()));
        }
    }
    out
}

#[test]
#[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
fn generated_files_are_current() {
    let files = generated();
    let expected: BTreeSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        for stale in on_disk().difference(&expected) {
            std::fs::remove_file(root().join(stale)).expect("remove stale file");
        }
        for (path, bytes) in &files {
            let full = root().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, bytes).expect("write generated file");
        }
        return;
    }
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        match std::fs::read(root().join(path)) {
            Ok(old) if &old == bytes => {}
            Ok(_) => problems.push(format!("stale: {}", path.display())),
            Err(_) => problems.push(format!("missing: {}", path.display())),
        }
    }
    for extra in on_disk().difference(&expected) {
        problems.push(format!("no longer generated: {}", extra.display()));
    }
    assert!(
        problems.is_empty(),
        "generated files out of date (run `UPDATE_GENERATED=1 cargo test --test it generated`):\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_command_has_a_page_and_every_shell_a_script() {
    let names: BTreeSet<String> = generated()
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    for page in [
        "man/kubectl-rs.1",
        "man/kubectl-rs-describe.1",
        "man/kubectl-rs-completion.1",
        "man/kubectl-rs-config-view.1",
        "completions/kubectl-rs.bash",
        "completions/_kubectl-rs",
        "completions/kubectl-rs.fish",
        "completions/kubectl-rs.ps1",
    ] {
        assert!(names.contains(page), "{page} not generated: {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.contains("__complete")),
        "hidden commands get no page: {names:?}"
    );
}

#[test]
fn man_pages_render_without_warnings() {
    if Command::new("groff").arg("--version").output().is_err() {
        eprintln!("note: groff not installed, man page rendering not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut pages = 0;
    for (path, bytes) in generated() {
        if !path.starts_with("man") {
            continue;
        }
        pages += 1;
        let file = dir.path().join(path.file_name().unwrap());
        std::fs::write(&file, &bytes).unwrap();
        let out = Command::new("groff")
            .args(["-ww", "-man", "-Tutf8"])
            .arg(&file)
            .output()
            .expect("run groff");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "groff warns on {}:\n{stderr}",
            path.display()
        );
        assert!(
            !out.stdout.is_empty(),
            "{} renders to nothing",
            path.display()
        );
    }
    assert!(pages > 5, "only {pages} man pages");
}
