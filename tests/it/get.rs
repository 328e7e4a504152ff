//! `kubectl-rs get` against an in-process sandbox, compared with the real kubectl (the oracle,
//! v1.33) on the same state: the recorded reference cases and a wider matrix of formats,
//! flags, kinds and errors. Without the oracle installed the comparisons are skipped.

// The shared harness is owned elsewhere; its lint findings are reported, not fixed here.
use crate::common;

use common::flow::wait_rolled_out;
use common::running::Running;
use common::{assert_same, Output, TestEnv};

/// kubectl-rs names itself in usage texts; the oracle says `kubectl`. The oracle (v1.33)
/// does not know v1.36's `-o kyaml` yet.
fn as_kubectl(o: &Output) -> Output {
    let fix = |s: &str| s.replace("kubectl-rs", "kubectl").replace(",kyaml,", ",");
    Output {
        stdout: fix(&o.stdout),
        stderr: fix(&o.stderr),
        code: o.code,
    }
}

/// Runs `args` with both CLIs and asserts equal normalised output.
async fn same(env: &TestEnv, args: &[&str]) {
    if let Some(diff) = differs(env, args).await {
        panic!("{diff}");
    }
}

/// Runs `args` with both CLIs; describes the difference of their normalised outputs.
async fn differs(env: &TestEnv, args: &[&str]) -> Option<String> {
    let theirs = env.kubectl(args).await?;
    let ours = env.ours(args).await;
    // kubectl names itself after its binary in a few messages.
    let theirs = Output {
        stderr: theirs.stderr.replace(&common::oracle_name(), "kubectl"),
        ..theirs
    };
    let (ours, theirs) = (as_kubectl(&ours).normalized(), theirs.normalized());
    let what = args.join(" ");
    if ours == theirs {
        return None;
    }
    let first_diff = |a: &str, b: &str| {
        let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        let tail = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(20))
                .take(60)
                .collect::<String>()
        };
        format!(
            "at char {at}: kubectl {:?} vs kubectl-rs {:?}",
            tail(b),
            tail(a)
        )
    };
    let mut text = std::panic::catch_unwind(|| assert_same(&what, &ours, &theirs))
        .err()
        .and_then(|e| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| what.clone());
    if ours.stdout != theirs.stdout {
        text.push_str(&format!(
            "\nstdout differs {}",
            first_diff(&ours.stdout, &theirs.stdout)
        ));
    }
    if ours.stderr != theirs.stderr {
        text.push_str(&format!(
            "\nstderr differs {}",
            first_diff(&ours.stderr, &theirs.stderr)
        ));
    }
    Some(text)
}

/// Runs every case and fails once with all differences.
async fn all_same(env: &TestEnv, cases: &[&[&str]]) {
    let mut diffs = Vec::new();
    for args in cases {
        diffs.extend(differs(env, args).await);
    }
    assert!(
        diffs.is_empty(),
        "{} case(s) differ:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

/// The seed state: the node-exporter DaemonSet applied (by the oracle) and rolled out.
async fn seeded() -> Option<TestEnv> {
    common::oracle()?;
    let env = TestEnv::start().await;
    let out = env
        .kubectl(&["apply", "-f", "node-exporter-daemonset.yaml"])
        .await?;
    assert_eq!(out.code, 0, "{}", out.stderr);
    wait_rolled_out(&env).await;
    Some(env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_get_cases() {
    let Some(env) = seeded().await else { return };
    let cases: &[&[&str]] = &[
        &["get", "daemonset"],
        &["get", "ds", "-o", "wide"],
        &["get", "pods", "-l", "app=node-exporter"],
        &["get", "pods", "-o", "wide", "-l", "app=node-exporter"],
        &["get", "ds", "node-exporter", "-o", "yaml"],
        &["get", "ds", "node-exporter", "-o", "json"],
        &["get", "ds", "-o", "name"],
        &["get", "ds", "-A"],
        &["get", "ds", "--show-labels"],
        &[
            "get",
            "ds",
            "node-exporter",
            "-o",
            "jsonpath={.status.numberReady}",
        ],
        &[
            "get",
            "pods",
            "-l",
            "app=node-exporter",
            "-o",
            "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
        ],
        &["get", "pods", "-l", "app=node-exporter", "--no-headers"],
        &["get", "nodes"],
        &["get", "nodes", "-o", "wide"],
        &["get", "pods", "-A"],
        &["get", "namespaces"],
        &["get", "ds,pods", "-l", "app=node-exporter"],
        &["get", "foo"],
        &["get", "ds", "nope"],
        &["get", "pods", "-l", "app=nothing"],
    ];
    all_same(&env, cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_after_update_and_delete() {
    let Some(env) = seeded().await else { return };
    let out = env
        .kubectl(&["apply", "-f", "node-exporter-daemonset-v2.yaml"])
        .await
        .unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    wait_rolled_out(&env).await;
    same(&env, &["get", "ds"]).await;
    let out = env
        .kubectl(&["delete", "-f", "node-exporter-daemonset-v2.yaml"])
        .await
        .unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    common::flow::wait_pods_gone(&env).await;
    same(&env, &["get", "pods", "-l", "app=node-exporter"]).await;
    same(&env, &["get", "ds", "--ignore-not-found"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formats_and_flags() {
    let Some(env) = seeded().await else { return };
    std::fs::write(
        env.work.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: {app: cfg}\ndata:\n  a: b\n",
    )
    .unwrap();
    let cm = env.kubectl(&["apply", "-f", "cm.yaml"]).await.unwrap();
    assert_eq!(cm.code, 0, "{}", cm.stderr);
    let cases: &[&[&str]] = &[
        // Output formats over lists and single objects, several kinds.
        &["get", "configmaps"],
        &["get", "cm", "cfg", "-o", "yaml"],
        &["get", "cm", "-o", "json"],
        &["get", "cm", "-o", "yaml"],
        &["get", "cm/cfg", "-o", "name"],
        &["get", "cm", "cfg", "kube-root-ca.crt", "-o", "name"],
        &["get", "nodes", "-o", "name"],
        &[
            "get",
            "namespaces",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ],
        &[
            "get",
            "ns",
            "default",
            "-o",
            "jsonpath-as-json={.metadata.name}",
        ],
        &["get", "nodes", "-o", "custom-columns=NAME:.metadata.name"],
        &[
            "get",
            "nodes",
            "-o",
            "go-template={{range .items}}{{.metadata.name}} {{end}}",
        ],
        &["get", "nodes", "--template={{len .items}}"],
        &["get", "services", "-A"],
        &["get", "svc", "kubernetes", "-o", "wide"],
        &["get", "ds", "node-exporter", "-o", "jsonpath={.missing}"],
        &[
            "get",
            "ns",
            "default",
            "-o",
            "jsonpath={.missing}",
            "--allow-missing-template-keys=false",
        ],
        &["get", "ns", "-o", "name", "--sort-by=.metadata.name"],
        &["get", "nodes", "--sort-by={.metadata.name}"],
        &[
            "get",
            "pods",
            "-A",
            "--sort-by=.spec.nodeName",
            "-o",
            "wide",
        ],
        &["get", "ns", "--no-headers"],
        // Table decorations.
        &["get", "ds", "-L", "app,missing"],
        &[
            "get",
            "pods",
            "-L",
            "app",
            "-L",
            "controller-revision-hash",
            "-A",
        ],
        &["get", "ds", "--show-kind"],
        &["get", "nodes", "--show-labels"],
        &["get", "daemonsets.apps", "--server-print=false"],
        &["get", "ds,cm", "--no-headers"],
        &["get", "all"],
        &["get", "ds/node-exporter", "cm/cfg"],
        &[
            "get",
            "pods",
            "--field-selector",
            "spec.nodeName=kind-multinodes-worker",
        ],
        &["get", "pods", "--chunk-size=1"],
        &["get", "pods", "--chunk-size=1", "-o", "name"],
        &["get", "ns", "kube-system", "default"],
        &["get", "ns", "default", "nope", "-o", "name"],
        &["get", "cm", "-n", "kube-system"],
        &["get", "ds", "-n", "kube-system"],
        &["get", "nodes", "-n", "kube-system", "-l", "nothing=here"],
        // Errors.
        &["get"],
        &["get", "ds", "node-exporter", "-A"],
        &["get", "ds", "nope", "node-exporter"],
        &["get", "ds", "nope", "node-exporter", "-o", "name"],
        &["get", "ds", "nope", "-o", "yaml"],
        &["get", "ds", "nope", "--ignore-not-found"],
        &["get", "cm", "x", "-n", "missing-ns"],
        &["get", "cm", "-n", "missing-ns"],
        &["get", "ds", "-o", "foo"],
        &["get", "ds", "-o", "json", "--show-labels"],
        &["get", "ds", "--output-watch-events"],
        &["get", "ds", "--raw", "/api"],
        &["get", "--raw", "/api", "-o", "json"],
        &["get", "--raw", "api"],
        &["get", "--raw", "/api/v1/namespaces/default"],
        &["get", "--raw", "/api/v1/namespaces/nope"],
        &["get", "ds", "--bogus"],
        &["get", "ds", "-o", "jsonpath-file=/nonexistent"],
        &["get", "ds", "-o", "custom-columns="],
    ];
    all_same(&env, cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_changes() {
    let Some(env) = seeded().await else { return };
    for args in [
        &["get", "ns", "default", "-w"][..],
        &["get", "ns", "-w", "--output-watch-events"][..],
        &["get", "ns", "default", "-w", "-o", "name"][..],
        &["get", "ns", "-w", "--output-watch-events", "-o", "json"][..],
        &["get", "ns", "-w", "--output-watch-events", "-o", "yaml"][..],
        &["get", "ns", "-w", "-o", "yaml"][..],
        &["get", "ds", "-w", "-o", "wide"][..],
        &["get", "ds", "--watch-only"][..],
    ] {
        let mut full = args.to_vec();
        full.push("--request-timeout=2s");
        let ours = env.ours(&full).await;
        let theirs = env.kubectl(&full).await.unwrap();
        assert_eq!(
            as_kubectl(&ours).normalized().stdout,
            theirs.normalized().stdout,
            "{args:?}\nours: {ours:?}\ntheirs: {theirs:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_scopes_selectors_and_sorting() {
    let Some(env) = seeded().await else { return };
    let cases: &[&[&str]] = &[
        &["get", "ds,nodes", "-l", "x=y"],
        &["get", "nodes,ds", "-l", "x=y", "-A"],
        &["get", "pods,nodes"],
        &["get", "nodes,namespaces", "--show-kind", "-o", "wide"],
        &["get", "all", "-A"],
        &["get", "all", "-o", "name"],
        &["get", "ds", "-L", "app", "-o", "json"],
        &[
            "get",
            "ds",
            "-L",
            "app",
            "-o",
            "custom-columns=N:.metadata.name",
        ],
        &[
            "get",
            "pods",
            "-o",
            "name",
            "--sort-by=.metadata.name",
            "-A",
        ],
        &["get", "pods", "-o", "yaml", "--sort-by=.spec.nodeName"],
        &["get", "ns", "--sort-by=.metadata.nope"],
        &["get", "ns", "--sort-by=.metadata.nope", "-o", "name"],
        &["get", "ns/default", "ns/kube-system", "-o", "json"],
        &["get", "ns/default", "-o", "jsonpath={.kind}"],
        &["get", "ns", "default", "-o", "jsonpath={.kind}"],
        &[
            "get",
            "ns",
            "-o",
            "jsonpath={.kind} {.apiVersion} {.metadata}",
        ],
        &[
            "get",
            "nodes",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
        ],
        &[
            "get",
            "namespace",
            "default",
            "-o",
            "go-template={{.metadata.name}}",
        ],
        &[
            "get",
            "ns",
            "default",
            "--template={{.metadata.name}}",
            "-o",
            "go-template",
        ],
        &[
            "get",
            "ns",
            "default",
            "-o",
            "go-template={{.nope}}",
            "--allow-missing-template-keys=false",
        ],
        &["get", "ns", "default", "-o", "template"],
        &[
            "get",
            "ns",
            "default",
            "-o",
            "custom-columns=NAME:.metadata.name,PHASE:.status.phase",
            "--no-headers",
        ],
        &["get", "pods", "-A", "-o", "wide", "--show-labels"],
        &["get", "pods", "-A", "--no-headers", "-L", "app"],
        &["get", "services", "kubernetes", "-o", "yaml"],
        &["get", "nodes", "--chunk-size=0", "-o", "json"],
        &["get", "nodes", "--chunk-size=1", "-o", "wide"],
        &["get", "ds", "-o", "wide", "--no-headers"],
        &[
            "get",
            "ds",
            "node-exporter",
            "--show-managed-fields",
            "-o",
            "json",
        ],
        &["get", "DaemonSet"],
        &["get", "daemonsets.v1.apps"],
        &["get", "ds.apps", "node-exporter", "nope", "-o", "yaml"],
        &["get", "ds", "nope", "also-nope"],
        &["get", "ds", "nope", "--ignore-not-found", "-o", "json"],
        &["get", "ds", "--ignore-not-found", "-n", "kube-system"],
        &["get", "cm", "x", "-n", "missing-ns", "--ignore-not-found"],
        &["get", "foo,ds"],
        &["get", "ds", "foo/bar"],
        &["get", "ds/"],
        &["get", "a/b/c"],
        &["get", "ds,pods", "x"],
        &["get", "--raw", "/api/v1/namespaces?limit=1"],
        &["get", "--raw", "/api", "-l", "a=b"],
        &["get", "--raw", "/version", "ds"],
        &[
            "get",
            "ds",
            "--sort-by=.metadata.name",
            "-w",
            "--request-timeout=1s",
        ],
        &["get", "-w", "--request-timeout=1s"],
        &["get", "ds,pods", "-w", "--request-timeout=1s"],
        &["get", "pods", "--field-selector", "bogus=x"],
        &["get", "pods", "-l", "=bad"],
        &["get", "ds", "--chunk-size=-1"],
        &["get", "ds", "node-exporter", "--subresource=status"],
        &[
            "get",
            "ds",
            "node-exporter",
            "--subresource=status",
            "-o",
            "jsonpath={.status.numberReady}",
        ],
        &["get", "ds", "--subresource=status"],
        &["get", "ds", "node-exporter", "--subresource=scale"],
        &[
            "get",
            "nodes",
            "kind-multinodes-worker",
            "--subresource=status",
            "-o",
            "name",
        ],
    ];
    all_same(&env, cases).await;
}

/// Starts `args` with both CLIs and waits until both have opened their watch (the sandbox
/// counts one more watcher each, over `idle`), applies `manifest` (by the oracle), waits until
/// kubectl-rs printed `seen` and both printed the same, then ends both with Ctrl-C and
/// compares all they printed and their exit codes. No timing: each step waits for the last.
async fn watch_during_change(
    env: &TestEnv,
    idle: usize,
    args: &[&str],
    manifest: &str,
    seen: &str,
) -> Option<String> {
    let file = format!("change-{}.yaml", manifest.len());
    std::fs::write(env.work.join(&file), manifest).unwrap();
    let store = env.sandbox.store();
    // The previous case's watches are gone.
    common::eventually(|| async { store.watchers() == idle }).await;
    let ours = Running::ours(env, args);
    let theirs = Running::kubectl(env, args)?;
    common::eventually(|| async { store.watchers() == idle + 2 }).await;
    let out = env.kubectl(&["apply", "-f", &file]).await.unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let printed = |o: &Running| {
        as_kubectl(&Output {
            stdout: o.seen(),
            stderr: String::new(),
            code: 0,
        })
        .normalized()
        .stdout
    };
    // Bounded: when they never agree, the comparison below shows how.
    for _ in 0..200 {
        if ours.seen().contains(seen) && printed(&ours) == printed(&theirs) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (ours, theirs) = (ours.interrupt().await, theirs.interrupt().await);
    assert!(ours.stdout.contains(seen), "{args:?}: {ours:?}");
    let (ours, theirs) = (as_kubectl(&ours).normalized(), theirs.normalized());
    (ours != theirs)
        .then(|| format!("{args:?}\n--- kubectl:\n{theirs:?}\n--- kubectl-rs:\n{ours:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_sees_live_changes() {
    let Some(env) = seeded().await else { return };
    let cm = |v: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: live\ndata:\n  v: \"{v}\"\n")
    };
    let idle = env.sandbox.store().watchers();
    let mut diffs = Vec::new();
    diffs.extend(watch_during_change(&env, idle, &["get", "cm", "-w"], &cm("1"), "live").await);
    diffs.extend(
        watch_during_change(
            &env,
            idle,
            &["get", "cm", "live", "-w", "-o", "name"],
            &cm("2"),
            "configmap/live\nconfigmap/live",
        )
        .await,
    );
    diffs.extend(
        watch_during_change(
            &env,
            idle,
            &["get", "cm", "-w", "--output-watch-events", "-o", "wide"],
            &cm("3"),
            "MODIFIED",
        )
        .await,
    );
    diffs.extend(
        watch_during_change(
            &env,
            idle,
            &["get", "cm", "--watch-only", "-o", "jsonpath={.data.v};"],
            &cm("4"),
            "4;",
        )
        .await,
    );
    diffs.extend(
        watch_during_change(
            &env,
            idle,
            &["get", "ns", "--watch-only", "--output-watch-events"],
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: watched\n",
            "ADDED",
        )
        .await,
    );
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
}

/// The `"Request"` lines kubectl-rs logs at `-v=7`: (url, Accept).
fn requests(stderr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(l) = lines.next() {
        let Some(at) = l.find("\"Request\" verb=") else {
            continue;
        };
        let url = l[at..]
            .split("url=\"")
            .nth(1)
            .and_then(|u| u.split('"').next())
            .unwrap_or("")
            .to_string();
        let mut accept = String::new();
        while let Some(h) = lines.peek() {
            if !h.starts_with(char::is_whitespace) {
                break;
            }
            if let Some(v) = h.trim().strip_prefix("Accept: ") {
                accept = v.to_string();
            }
            lines.next();
        }
        out.push((url, accept));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_per_get_with_a_warm_cache() {
    let env = TestEnv::start().await;
    let base = env.sandbox.server_url();
    let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    // The first run fills the discovery cache.
    let first = env.ours(&["get", "ds", "-v=7"]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(requests(&first.stderr).len() > 1);
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["get", "ds", "-v=7"],
            "/apis/apps/v1/namespaces/default/daemonsets?limit=500",
            table,
        ),
        (
            &[
                "get",
                "pods",
                "-o",
                "wide",
                "-l",
                "app=node-exporter",
                "-v=7",
            ],
            "/api/v1/namespaces/default/pods?labelSelector=app%3Dnode-exporter&limit=500",
            table,
        ),
        (
            &["get", "ds", "-A", "-v=7"],
            "/apis/apps/v1/daemonsets?limit=500",
            table,
        ),
        (
            &["get", "ds", "nope", "-v=7"],
            "/apis/apps/v1/namespaces/default/daemonsets/nope",
            table,
        ),
        (
            // kubectl turns chunking off to sort; kubectl-rs still pages a sorted list so
            // that no response holds it whole (README, "Big lists"): a documented difference.
            &["get", "nodes", "--sort-by=.metadata.name", "-v=7"],
            "/api/v1/nodes?includeObject=Object&limit=500",
            table,
        ),
        (
            &["get", "ns", "-o", "name", "--chunk-size=0", "-v=7"],
            "/api/v1/namespaces",
            "application/json",
        ),
    ];
    for (args, path, accept) in cases {
        let out = env.ours(args).await;
        let reqs = requests(&out.stderr);
        assert_eq!(
            reqs,
            vec![(format!("{base}{path}"), accept.to_string())],
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_from_files() {
    let Some(env) = seeded().await else { return };
    let write = |name: &str, text: &str| std::fs::write(env.work.join(name), text).unwrap();
    write(
        "two.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\n",
    );
    write(
        "in-ns.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-root-ca.crt\n  namespace: kube-system\n",
    );
    std::fs::create_dir_all(env.work.join("dir/sub")).unwrap();
    write(
        "dir/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n",
    );
    write(
        "dir/sub/ds.json",
        r#"{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "node-exporter"}}"#,
    );
    let cases: &[&[&str]] = &[
        &["get", "-f", "node-exporter-daemonset.yaml"],
        &["get", "-f", "node-exporter-daemonset.yaml", "-o", "wide"],
        &["get", "-f", "node-exporter-daemonset.yaml", "-o", "name"],
        &[
            "get",
            "-f",
            "node-exporter-daemonset.yaml",
            "-o",
            "jsonpath={.kind}",
        ],
        &["get", "-f", "two.yaml"],
        &["get", "-f", "two.yaml", "-o", "name"],
        &["get", "-f", "two.yaml", "--ignore-not-found"],
        &["get", "-f", "in-ns.yaml"],
        &["get", "-f", "in-ns.yaml", "-n", "default"],
        &["get", "-f", "in-ns.yaml", "-n", "kube-system", "-o", "name"],
        &[
            "get",
            "-f",
            "node-exporter-daemonset.yaml",
            "-n",
            "kube-system",
        ],
        &[
            "get",
            "-f",
            "node-exporter-daemonset.yaml,two.yaml",
            "-o",
            "name",
        ],
        &["get", "-f", "dir"],
        &["get", "-f", "dir", "-R", "-o", "name"],
        &["get", "-f", "missing.yaml"],
        &["get", "-f", "node-exporter-daemonset.yaml", "ds"],
        &["get", "-f", "unknown-kind.yaml"],
        &["get", "-f", "bad-syntax.yaml"],
        &["get", "-f", "-"],
        &["get", "-f", "dir", "-w", "--request-timeout=1s"],
        &[
            "get",
            "-f",
            "dir/ns.yaml",
            "-w",
            "--request-timeout=1s",
            "-o",
            "name",
        ],
    ];
    all_same(&env, cases).await;
}

/// The recorded v1.36 flow: `get` steps run by kubectl-rs, the others (apply, describe,
/// delete) by the oracle to build the same state; every `get` step must print what the real
/// v1.36 printed (normalised).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_flow_get_steps_match_v1_36() {
    use common::flow::{replay, report, Flavor};
    if common::oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    let failures = replay(&env, Flavor::V136, |args| {
        let env = &env;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            if args.first() == Some(&"get") {
                env.ours(&args).await
            } else {
                env.kubectl(&args).await.unwrap()
            }
        }
    })
    .await;
    let gets: Vec<_> = failures
        .into_iter()
        .filter(|(name, _, _)| name.contains("-get-"))
        .collect();
    assert!(gets.is_empty(), "{}", report(&gets));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_files_and_more_combinations() {
    let Some(env) = seeded().await else { return };
    let write = |name: &str, text: &str| std::fs::write(env.work.join(name), text).unwrap();
    write(
        "cols.txt",
        "NAME          NS\n.metadata.name .metadata.namespace\n",
    );
    write(
        "path.txt",
        "{range .items[*]}{.metadata.name}{\"\\n\"}{end}",
    );
    write(
        "tpl.txt",
        "{{range .items}}{{.metadata.name}}={{.status.phase}}\n{{end}}",
    );
    let cases: &[&[&str]] = &[
        &["get", "ds,cm", "-o", "yaml"],
        &["get", "ds,cm", "-o", "name", "--show-kind"],
        &["get", "ds", "-A", "-o", "name"],
        &["get", "pods", "-A", "-o", "custom-columns-file=cols.txt"],
        &[
            "get",
            "pods",
            "-A",
            "-o",
            "custom-columns-file=cols.txt",
            "--no-headers",
        ],
        &["get", "pods", "-A", "-o", "custom-columns-file=nope.txt"],
        &["get", "ns", "-o", "jsonpath-file=path.txt"],
        &["get", "ns", "-o", "go-template-file=tpl.txt"],
        &["get", "ns", "--template=tpl.txt", "-o", "templatefile"],
        &[
            "get",
            "ns",
            "-o",
            "go-template={{range .items}}{{.nope}}{{end}}",
            "--allow-missing-template-keys=false",
        ],
        &["get", "ns", "-L", "kubernetes.io/metadata.name"],
        &[
            "get",
            "pods",
            "-A",
            "-o",
            "wide",
            "--field-selector=status.phase=Running",
        ],
        &["get", "ds", "--show-labels", "--no-headers"],
        &[
            "get",
            "ds",
            "node-exporter",
            "-o",
            "json",
            "--show-managed-fields=false",
        ],
        &[
            "get",
            "nodes",
            "-o",
            "wide",
            "--sort-by=.metadata.name",
            "--no-headers",
        ],
        &[
            "get",
            "pods",
            "-A",
            "--sort-by=.metadata.name",
            "-o",
            "custom-columns=N:.metadata.name",
        ],
        &[
            "get",
            "ns",
            "default",
            "kube-system",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ],
        &["get", "ns", "default", "-o", "jsonpath-as-json={.items}"],
        &["get", "ns", "-o", "jsonpath={.items[0].metadata.name"],
        &["get", "ns", "-o", "go-template={{.items"],
        &["get", "svc", "-A", "-o", "wide", "--show-kind"],
        &["get", "ds", "node-exporter", "-l", "app=node-exporter"],
        &[
            "get",
            "ds",
            "node-exporter",
            "--field-selector=metadata.name=node-exporter",
        ],
        &["get", "ds/node-exporter", "-l", "app"],
    ];
    all_same(&env, cases).await;
}

/// Starts `args` with `program`, waits for its first line of output, sends `signal` and
/// returns what it printed and its exit code.
async fn interrupted(env: &TestEnv, program: &str, args: &[&str], signal: &str) -> Output {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut child = env
        .command(program, args, "cache-signal")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).await.unwrap();
    assert!(!first.is_empty(), "{program} {args:?} printed nothing");
    // The handler is installed once the watch request is under way (after the initial list
    // is printed), in kubectl as here.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let pid = child.id().unwrap().to_string();
    let kill = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    let status = child.wait().await.unwrap();
    Output {
        stdout: first + &rest,
        stderr,
        code: status.code().unwrap_or(-1),
    }
}

/// kubectl's interrupt handler: a termination signal ends a watch quietly with exit code 1
/// (scripts running `timeout 10 kubectl get -w` see 1, not a signal death).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_ends_a_watch_with_exit_code_1() {
    let env = TestEnv::start().await;
    for signal in ["INT", "TERM", "HUP", "QUIT"] {
        let args = ["get", "ns", "-w"];
        let ours = interrupted(&env, env!("CARGO_BIN_EXE_kubectl-rs"), &args, signal).await;
        assert_eq!(
            (ours.code, ours.stderr.as_str()),
            (1, ""),
            "SIG{signal}: {ours:?}"
        );
        assert!(ours.stdout.starts_with("NAME "), "{ours:?}");
        if let Some(k) = common::oracle() {
            let theirs = interrupted(&env, k, &args, signal).await;
            assert_same(
                &format!("SIG{signal}"),
                &ours.normalized(),
                &theirs.normalized(),
            );
        }
    }
    env.sandbox.shutdown().await;
}
