//! `kustomize DIR` and `-k DIR`: the built-in kustomize engine against the real kubectl.
//!
//! - Every case under `tests/fixtures/kustomize/` (a kustomization directory; a file `ENTRY`
//!   names the subdirectory to build when it is not the case itself) is built by both CLIs,
//!   from that directory, and stdout, stderr and exit code must be identical. The target is
//!   kubectl v1.36.2 (kustomize v5.8.1); the oracle here is kubectl v1.33 (kustomize v5.6).
//!   Where the two differ, the case holds v1.36.2's own output, `V1_36_2.stdout`,
//!   `V1_36_2.stderr` (klog headers normalized, see [`klog_normalized`]) and `V1_36_2.rc`,
//!   written by the real kubectl v1.36.2, never by us:
//!   `KUBECTL_V136=/path/to/kubectl-v1.36.2 UPDATE_V136_GOLDENS=1 cargo test -p kubectl-rs
//!   --test it kustomize::corpus_matches_real_v136` (it writes them where v1.36.2 differs
//!   from v1.33 and removes them where the two agree). The test checks that kubectl v1.33
//!   still differs there. With `KUBECTL_V136` set (and no update), that test compares every
//!   case with the real v1.36.2 directly.
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
    s.split_inclusive('\n')
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
        .collect()
}

fn ours(args: &[&str], cwd: &Path, home: &Path) -> Output {
    run(env!("CARGO_BIN_EXE_kubectl-rs"), args, cwd, home)
}

/// The real kubectl v1.36.2's output for a case, when it differs from v1.33's (see the module
/// documentation).
fn v136_golden(case: &str) -> Option<Output> {
    let read =
        |ext: &str| std::fs::read_to_string(corpus().join(case).join(format!("V1_36_2.{ext}")));
    let stdout = read("stdout").ok()?;
    Some(Output {
        stdout,
        stderr: read("stderr").unwrap(),
        code: read("rc").unwrap().trim().parse().unwrap(),
    })
}

/// An output with its stderr's klog headers normalized, and the Go pointers kustomize prints
/// in some errors (`merging from generator &{0xc0006b2b60 <nil>}`), as goldens store it.
fn normalized(o: Output) -> Output {
    let pointers = regex::Regex::new(r"\b0x[0-9a-f]{6,}\b").unwrap();
    Output {
        stderr: pointers
            .replace_all(&klog_normalized(&o.stderr), "0xADDR")
            .into_owned(),
        ..o
    }
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
        let a = normalized(ours(&args, &corpus(), home.path()));
        let b = normalized(run(k, &args, &corpus(), home.path()));
        let want = match v136_golden(case) {
            Some(want) => {
                assert_ne!(
                    b, want,
                    "{case}: kubectl v1.33 now agrees with v1.36.2's golden"
                );
                want
            }
            None => b,
        };
        if a != want {
            failures.push(format!(
                "== {case}\n--- kubectl (code {}):\n{}{}\n--- kubectl-rs (code {}):\n{}{}",
                want.code, want.stdout, want.stderr, a.code, a.stdout, a.stderr
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

/// Every case against the real kubectl v1.36.2 named by `KUBECTL_V136` (skipped without it);
/// with `UPDATE_V136_GOLDENS=1` it (re)writes the goldens from v1.36.2's output instead.
#[test]
#[allow(clippy::disallowed_methods)] // Reads the test's own switches.
fn corpus_matches_real_v136() {
    let Ok(v136) = std::env::var("KUBECTL_V136") else {
        return;
    };
    let update = std::env::var("UPDATE_V136_GOLDENS").as_deref() == Ok("1");
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in &cases() {
        let dir = entry(case);
        let args = ["kustomize", dir.as_str()];
        let want = normalized(run(&v136, &args, &corpus(), home.path()));
        if update {
            let k = oracle().expect("the v1.33 oracle, to tell which cases need goldens");
            let old = normalized(run(k, &args, &corpus(), home.path()));
            let path = |ext: &str| corpus().join(case).join(format!("V1_36_2.{ext}"));
            if old == want {
                for ext in ["stdout", "stderr", "rc"] {
                    let _ = std::fs::remove_file(path(ext));
                }
            } else {
                std::fs::write(path("stdout"), &want.stdout).unwrap();
                std::fs::write(path("stderr"), &want.stderr).unwrap();
                std::fs::write(path("rc"), format!("{}\n", want.code)).unwrap();
            }
            continue;
        }
        let a = normalized(ours(&args, &corpus(), home.path()));
        if a != want {
            failures.push(format!(
                "== {case}\n--- kubectl v1.36.2 (code {}):\n{}{}\n--- kubectl-rs (code {}):\n{}{}",
                want.code, want.stdout, want.stderr, a.code, a.stdout, a.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
    assert!(a.stdout.contains(" deleted from prod namespace\n"), "{a:?}");
    a.stdout = a
        .stdout
        .replace(" deleted from prod namespace\n", " deleted\n");
    let mut b = t.kubectl(&args).await.unwrap();
    // (The same with `KUBECTL_ORACLE` naming kubectl v1.36.)
    b.stdout = b
        .stdout
        .replace(" deleted from prod namespace\n", " deleted\n");
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
/// `--reorder`: an `I… log.go:244]` line on stderr, after the flag's deprecation notice.
/// kubectl v1.33's Go logs it from line 245 of its `log.go`, v1.36.2's from line 244 (seen
/// running the real v1.36.2); the rest of the line is the same.
#[test]
fn sort_options_over_reorder_is_logged_as_klog() {
    let Some(k) = oracle() else { return };
    let home = tempfile::tempdir().unwrap();
    let args = ["kustomize", "26-sort-fifo", "--reorder", "legacy"];
    let a = ours(&args, &corpus(), home.path());
    let b = run(k, &args, &corpus(), home.path());
    // With `KUBECTL_ORACLE` naming kubectl v1.36.2 there is nothing to map.
    let b_stderr = klog_normalized(&b.stderr).replace("log.go:245]", "log.go:244]");
    assert!(b_stderr.contains("log.go:244] Warning: Sorting order"));
    assert_eq!((a.code, &a.stdout), (b.code, &b.stdout));
    assert_eq!(klog_normalized(&a.stderr), b_stderr);
}
