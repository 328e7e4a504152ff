//! `diff` (with `diff -u -N` and with an external program) and `edit` (driven by a scripted
//! editor), both CLIs against the same sandbox state: the same stdout, stderr and exit code,
//! and the server left as it was (diff) or changed the same way (edit, on twin sandboxes).

use std::collections::BTreeMap;

use crate::common::{normalize::normalize, oracle, Output, TestEnv};
use serde_json::Value;

const OBJECTS: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"1\"
---
apiVersion: v1
kind: Secret
metadata:
  name: s1
data:
  x: eA==
  keep: eQ==
";

const CHANGED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"2\"
  b: new
---
apiVersion: v1
kind: Secret
metadata:
  name: s1
data:
  x: eg==
  keep: eQ==
  w: dw==
";

const NEW: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: fresh
data:
  k: v
---
apiVersion: v1
kind: Secret
metadata:
  name: fresh-secret
data:
  k: dg==
";

/// Every object in the `default` namespace and cluster-scoped, without status (the
/// controllers' part): what a command may have changed.
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        let (items, _) = store.list(&gr, None);
        for mut o in items {
            let ns = o["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if ns.starts_with("kube-") || o["kind"] == "Event" || o["kind"] == "Lease" {
                continue;
            }
            if o["kind"] == "Node" {
                continue;
            }
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            out.insert(format!("{gr:?} {ns}/{name}"), o);
        }
    }
    out
}

/// Temporary directory numbers, the file times of `---`/`+++` lines, klog headers, uids and
/// times become placeholders.
fn norm(o: &Output) -> Output {
    let fix = |t: &str| {
        let mut out = String::new();
        for line in t.split_inclusive('\n') {
            let mut l = line.to_string();
            for prefix in ["LIVE-", "MERGED-"] {
                let mut from = 0;
                while let Some(i) = l[from..].find(prefix) {
                    let start = from + i + prefix.len();
                    let end = l[start..]
                        .find(|c: char| !c.is_ascii_digit())
                        .map_or(l.len(), |e| start + e);
                    l.replace_range(start..end, "N");
                    from = start;
                }
            }
            if (l.starts_with("--- ") || l.starts_with("+++ ")) && l.contains('\t') {
                let cut = l.find('\t').unwrap_or(l.len());
                l = format!("{}\tTIME\n", &l[..cut]);
            }
            if l.starts_with('W') && l.contains(".go:") {
                let cut = l.find(']').unwrap_or(0);
                l = format!("W-HEADER{}", &l[cut..]);
            }
            out.push_str(&l);
        }
        normalize(&out)
    };
    Output {
        stdout: fix(&o.stdout),
        stderr: fix(&o.stderr),
        code: o.code,
    }
}

/// Runs `program` like `TestEnv::ours`/`kubectl`, with extra environment variables for the
/// child only.
async fn run(
    env: &TestEnv,
    program: &str,
    cache: &str,
    args: &[&str],
    vars: &[(&str, &str)],
) -> Output {
    let mut c = env.command(program, args, cache);
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c.output().await.expect("run");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Both CLIs, normalised; panics when they differ. Returns ours.
async fn both(env: &TestEnv, oracle: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let ours = norm(
        &run(
            env,
            env!("CARGO_BIN_EXE_kubectl-rs"),
            "cache-rs",
            args,
            vars,
        )
        .await,
    );
    let theirs = norm(&run(env, oracle, "cache-kubectl", args, vars).await);
    let ours_cmp = Output {
        stderr: ours.stderr.replace("kubectl-rs diff", "kubectl diff"),
        ..ours.clone()
    };
    crate::common::assert_same(&args.join(" "), &ours_cmp, &theirs);
    ours
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_matches_kubectl_and_changes_nothing() {
    let Some(k) = oracle() else { return };
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("objects.yaml"), OBJECTS).unwrap();
    std::fs::write(env.work.join("changed.yaml"), CHANGED).unwrap();
    std::fs::write(env.work.join("new.yaml"), NEW).unwrap();
    std::fs::write(
        env.work.join("extdiff.sh"),
        "#!/bin/sh\necho \"args: $*\"\nls \"$1\" \"$2\"\necho to-stderr >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::write(env.work.join("fails.sh"), "#!/bin/sh\nexit 3\n").unwrap();
    for f in ["extdiff.sh", "fails.sh"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(env.work.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let setup = env
        .ours(&[
            "apply",
            "-f",
            "objects.yaml",
            "-f",
            "node-exporter-daemonset.yaml",
        ])
        .await;
    assert_eq!(setup.code, 0, "{setup:?}");
    // An applied object the files do not mention: what --prune shows as deleted.
    let extra = env
        .ours(&[
            "create",
            "configmap",
            "extra",
            "--from-literal=k=v",
            "--save-config",
        ])
        .await;
    assert_eq!(extra.code, 0, "{extra:?}");
    let before = snapshot(&env);

    // Unchanged: no output, exit 0.
    let o = both(&env, k, &["diff", "-f", "objects.yaml"], &[]).await;
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    // Changed (a DaemonSet's template and generation; Secret values masked): exit 1.
    let o = both(
        &env,
        k,
        &[
            "diff",
            "-f",
            "changed.yaml",
            "-f",
            "node-exporter-daemonset-v2.yaml",
        ],
        &[],
    )
    .await;
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("diff -u -N /tmp/LIVE-N/apps.v1.DaemonSet.default.node-exporter /tmp/MERGED-N/apps.v1.DaemonSet.default.node-exporter"), "{}", o.stdout);
    assert!(o.stdout.contains("-  x: '*** (before)'\n"), "{}", o.stdout);
    assert!(o.stdout.contains("+  x: '*** (after)'\n"), "{}", o.stdout);
    assert!(
        !o.stdout.contains("eg=="),
        "secret value leaked: {}",
        o.stdout
    );
    assert!(!o.stdout.contains("managedFields"), "{}", o.stdout);
    // Objects that do not exist yet: the server's dry-run create.
    let o = both(&env, k, &["diff", "-f", "new.yaml"], &[]).await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("v1.ConfigMap.default.fresh"),
        "{}",
        o.stdout
    );
    // Managed fields on request, secrets shown on request.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml", "--show-managed-fields"],
        &[],
    )
    .await;
    assert!(o.stdout.contains("+  f:b: {}"), "{}", o.stdout);
    // An external program with its arguments: only plain words are passed, after the dirs.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "./extdiff.sh -a --b=c x/y 'q'")],
    )
    .await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout
            .starts_with("args: /tmp/LIVE-N /tmp/MERGED-N -a --b=c\n"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stderr, "to-stderr\n");
    // A program that fails (>1), one that cannot be found: kubectl's error, exit 2.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "./fails.sh")],
    )
    .await;
    assert_eq!(o.code, 2);
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "no-such-diff-program -u")],
    )
    .await;
    assert_eq!(o.code, 2);
    // Server-side: a conflict with the client-side owner, then forced.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml", "--server-side"],
        &[],
    )
    .await;
    assert_eq!(o.code, 2, "{o:?}");
    let o = both(
        &env,
        k,
        &[
            "diff",
            "-f",
            "changed.yaml",
            "--server-side",
            "--force-conflicts",
            "--field-manager=other",
            "--concurrency=4",
        ],
        &[],
    )
    .await;
    assert_eq!(o.code, 1);
    // --prune with an allowlist: the applied ConfigMap not in the file shows as removed.
    let o = both(
        &env,
        k,
        &[
            "diff",
            "-f",
            "objects.yaml",
            "--prune",
            "--prune-allowlist=core/v1/ConfigMap",
        ],
        &[],
    )
    .await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("v1.ConfigMap.default.extra"),
        "{}",
        o.stdout
    );
    // The default allowlist (the sandbox lacks some of its kinds: a warning, no pruning).
    both(
        &env,
        k,
        &["diff", "-f", "objects.yaml", "--prune", "-l", "app=x"],
        &[],
    )
    .await;
    // Bad input: kubectl's messages, exit 2.
    for args in [
        &["diff"][..],
        &["diff", "x", "-f", "objects.yaml"],
        &["diff", "-f", "objects.yaml", "--force-conflicts"],
        &["diff", "-f", "objects.yaml", "--concurrency=x"],
        &["diff", "-f", "nope.yaml"],
        &[
            "diff",
            "-f",
            "objects.yaml",
            "--prune",
            "--prune-allowlist=v1/ConfigMap",
        ],
        &[
            "diff",
            "-f",
            "objects.yaml",
            "--prune",
            "--prune-allowlist=apps/v1/Nope",
        ],
        &["diff", "-f", "unknown-kind.yaml"],
    ] {
        let o = both(&env, k, args, &[]).await;
        assert_eq!(o.code, 2, "{args:?}: {o:?}");
    }
    assert_eq!(snapshot(&env), before, "diff changed the server");
}
