//! `kustomize DIR` and `-k DIR`: the built-in kustomize engine against the real kubectl.
//!
//! - Every case under `tests/fixtures/kustomize/` (a kustomization directory; a file `ENTRY`
//!   names the subdirectory to build when it is not the case itself) is built by both CLIs,
//!   from that directory, and stdout, stderr and exit code must be identical. kubectl v1.33
//!   embeds kustomize v5.6; where v5.8 (kubectl v1.36) differs, the case holds
//!   `EXPECTED_V5_8`, v5.8's stdout read from its source (replacement selectors took
//!   regexes in v5.8; `images` reach image volumes' `reference` since v5.8; the managed-by
//!   label names kustomize's release, `kustomize-v5.8.1`, where v5.6 in kubectl wrote
//!   `kustomize-(devel)`; replacements' static `sourceValue` is v5.8's), and the test checks
//!   that kubectl v1.33 still differs there. `EXPECTED_V5_8_ERROR` is v5.8's stderr for a
//!   case that fails (exit code 1).
//! - `01-base-reference` and `02-overlay-reference` are `manifests/kustomize/` of the v1.36
//!   recordings; their output must equal the recorded v1.36 stdout.
//! - `apply -k` of an overlay on twin sandboxes: same output, same live objects.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::common::{assert_same, fixtures, oracle, Output, TestEnv};

fn corpus() -> PathBuf {
    fixtures().join("kustomize")
}

fn cases() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The directory argument of a case, relative to the corpus directory.
fn entry(case: &str) -> String {
    match std::fs::read_to_string(corpus().join(case).join("ENTRY")) {
        Ok(e) => format!("{case}/{}", e.trim()),
        Err(_) => case.to_string(),
    }
}

#[allow(clippy::disallowed_methods)] // A test helper: passes PATH on to the child.
fn run(program: &str, args: &[&str], cwd: &Path, home: &Path) -> Output {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("run command");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Stderr with the klog header of kustomize's log lines (`I1206 18:48:54.415218   29487 `,
/// the time and the pid) replaced, so that two runs compare.
fn klog_normalized(s: &str) -> String {
    s.lines()
        .map(|l| {
            let b = l.as_bytes();
            let is_klog = b.len() > 22
                && b[0] == b'I'
                && b[1..5].iter().all(u8::is_ascii_digit)
                && b[5] == b' '
                && b[14] == b'.';
            match (is_klog, l.find(" log.go:")) {
                (true, Some(i)) => format!("I<header>{}", &l[i..]),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ours(args: &[&str], cwd: &Path, home: &Path) -> Output {
    run(env!("CARGO_BIN_EXE_kubectl-rs"), args, cwd, home)
}

#[test]
fn corpus_builds_as_kubectl_does() {
    let Some(k) = oracle() else { return };
    let home = tempfile::tempdir().unwrap();
    let all = cases();
    assert!(all.len() >= 40, "corpus has {} cases", all.len());
    let mut failures = Vec::new();
    for case in &all {
        let dir = entry(case);
        let args = ["kustomize", dir.as_str()];
        let a = ours(&args, &corpus(), home.path());
        let b = run(k, &args, &corpus(), home.path());
        let v58 = std::fs::read_to_string(corpus().join(case).join("EXPECTED_V5_8"))
            .map(|stdout| (stdout, String::new(), 0));
        let v58 = v58.or_else(|_| {
            std::fs::read_to_string(corpus().join(case).join("EXPECTED_V5_8_ERROR"))
                .map(|stderr| (String::new(), stderr, 1))
        });
        if let Ok((stdout, stderr, code)) = v58 {
            let want = Output {
                stdout,
                stderr,
                code,
            };
            assert_same(case, &a, &want);
            assert_ne!(b, want, "{case}: kubectl v1.33 (kustomize v5.6) now agrees");
            continue;
        }
        // kustomize's log lines (unused vars) carry the time and pid in their klog header.
        let same = (a.code, &a.stdout, klog_normalized(&a.stderr))
            == (b.code, &b.stdout, klog_normalized(&b.stderr));
        if !same {
            failures.push(format!(
                "== {case}\n--- kubectl (code {}):\n{}{}\n--- kubectl-rs (code {}):\n{}{}",
                b.code, b.stdout, b.stderr, a.code, a.stdout, a.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// The v1.36 recordings (`kubectl kustomize kustomize/base` and `.../overlays/prod`).
#[test]
fn reference_kustomizations_match_v136_recordings() {
    let home = tempfile::tempdir().unwrap();
    let rec = fixtures().join("kustomize-v136");
    for (case, recording) in [
        ("01-base-reference", "13-kustomize-base"),
        ("02-overlay-reference", "14-kustomize-prod"),
    ] {
        let dir = entry(case);
        let out = ours(&["kustomize", dir.as_str()], &corpus(), home.path());
        let want = Output {
            stdout: std::fs::read_to_string(rec.join(format!("{recording}.stdout"))).unwrap(),
            stderr: std::fs::read_to_string(rec.join(format!("{recording}.stderr"))).unwrap(),
            code: std::fs::read_to_string(rec.join(format!("{recording}.rc")))
                .unwrap()
                .trim()
                .parse()
                .unwrap(),
        };
        assert_same(case, &out, &want);
    }
}

/// Flags: `-o FILE`, `-o DIR` (one file per resource), `--load-restrictor`, `--reorder`
/// (deprecated), too many arguments, a directory that does not exist.
#[test]
fn flags_match_kubectl() {
    let Some(k) = oracle() else { return };
    let home = tempfile::tempdir().unwrap();
    let cwd = corpus();
    let restricted = entry("40-err-load-restrictor");
    let cases: Vec<Vec<&str>> = vec![
        vec!["kustomize", "01-base-reference", "--reorder", "none"],
        vec!["kustomize", "01-base-reference", "--reorder=legacy"],
        vec!["kustomize", "01-base-reference", "--reorder", "bogus"],
        vec![
            "kustomize",
            "01-base-reference",
            "--load-restrictor",
            "bogus",
        ],
        vec![
            "kustomize",
            restricted.as_str(),
            "--load-restrictor",
            "LoadRestrictionsNone",
        ],
        vec!["kustomize", "01-base-reference", "--enable-alpha-plugins"],
        vec!["kustomize", "a", "b"],
        vec!["kustomize", "does-not-exist"],
        vec!["kustomize", "01-base-reference/kustomization.yaml"],
    ];
    for args in cases {
        let a = ours(&args, &cwd, home.path());
        let b = run(k, &args, &cwd, home.path());
        assert_same(&args.join(" "), &a, &b);
    }
    // -o FILE and -o DIR write what kubectl writes.
    for to_dir in [false, true] {
        let (o, t) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (po, pt) = if to_dir {
            (o.path().to_path_buf(), t.path().to_path_buf())
        } else {
            (o.path().join("out.yaml"), t.path().join("out.yaml"))
        };
        let case = entry("04-prefix-suffix-namerefs");
        let a = ours(
            &["kustomize", &case, "-o", po.to_str().unwrap()],
            &cwd,
            home.path(),
        );
        let b = run(
            k,
            &["kustomize", &case, "-o", pt.to_str().unwrap()],
            &cwd,
            home.path(),
        );
        assert_same("-o", &a, &b);
        let list = |d: &Path| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().path())
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read_to_string(&p).unwrap(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        let (lo, lt) = (list(o.path()), list(t.path()));
        assert!(!lt.is_empty());
        assert_eq!(lo, lt, "-o {}", if to_dir { "DIR" } else { "FILE" });
    }
}

/// What `-k` reads: the same objects as `kustomize DIR`, on every builder command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_k_matches_kubectl_on_twin_sandboxes() {
    if oracle().is_none() {
        return;
    }
    let (o, t) = (TestEnv::start().await, TestEnv::start().await);
    let dir = corpus().join(entry("02-overlay-reference"));
    let dir = dir.to_str().unwrap();
    for env in [&o, &t] {
        let create_ns = ["create", "namespace", "prod"];
        let out = env.ours(&create_ns).await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    for args in [
        vec!["apply", "-k", dir, "--dry-run=client"],
        vec!["apply", "-k", dir],
        vec!["apply", "-k", dir],
        vec!["get", "-k", dir, "-o", "name"],
        vec![
            "get",
            "-k",
            dir,
            "-o",
            "custom-columns=NAME:.metadata.name,NS:.metadata.namespace",
        ],
        vec!["label", "-k", dir, "stage=two"],
        vec!["annotate", "-k", dir, "note=x"],
        vec!["scale", "-k", dir, "--replicas=2"],
        vec!["apply", "-k", dir, "-f", dir],
        vec!["get", "-k", "/nonexistent/kustomize-dir"],
    ] {
        let a = o.ours(&args).await;
        let b = t.kubectl(&args).await.unwrap();
        assert_same(&args.join(" "), &a.normalized(), &b.normalized());
    }
    // The live objects are the same (what the server set itself aside).
    let (lo, lt) = (live(&o).await, live(&t).await);
    assert!(lt.contains("ConfigMap/prod-web-config-dfk4bdbtkk"), "{lt}");
    assert_eq!(lo, lt);
    // delete -k removes what apply -k made. v1.36 names the namespace ("deleted from prod
    // namespace") where the v1.33 oracle does not (reference README).
    let args = ["delete", "-k", dir];
    let mut a = o.ours(&args).await;
    a.stdout = a
        .stdout
        .replace(" deleted from prod namespace\n", " deleted\n");
    let b = t.kubectl(&args).await.unwrap();
    assert_same("delete -k", &a.normalized(), &b.normalized());
    assert!(
        a.stdout.contains("deployment.apps \"prod-web\" deleted"),
        "{a:?}"
    );
}

/// The fields of the live objects `-k` made that came from the kustomization.
async fn live(env: &TestEnv) -> String {
    let out = env
        .ours(&[
            "get",
            "-n",
            "prod",
            "configmaps,services,deployments",
            "-l",
            "app.kubernetes.io/name=web",
            "-o",
            "jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.labels} {.metadata.annotations.note} {.data} {.spec.replicas} {.spec.selector} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].resources}{\"\\n\"}{end}",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
}

/// kustomize logs (Go's `log`, routed to klog by kubectl) that `sortOptions` wins over
/// `--reorder`: an `I… log.go:245]` line on stderr, after the flag's deprecation notice.
#[test]
fn sort_options_over_reorder_is_logged_as_klog() {
    let Some(k) = oracle() else { return };
    let home = tempfile::tempdir().unwrap();
    let header = klog_normalized;
    let args = ["kustomize", "26-sort-fifo", "--reorder", "legacy"];
    let a = ours(&args, &corpus(), home.path());
    let b = run(k, &args, &corpus(), home.path());
    assert!(b.stderr.contains("log.go:245] Warning: Sorting order"));
    assert_eq!((a.code, &a.stdout), (b.code, &b.stdout));
    assert_eq!(header(&a.stderr), header(&b.stderr));
}
