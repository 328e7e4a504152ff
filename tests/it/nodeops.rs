//! `cordon`, `uncordon`, `taint`, `drain` and `events` against twin sandboxes (manual clocks),
//! command by command with the real kubectl (when installed): the same stdout, stderr and exit
//! code, and the same node and pod state afterwards. Hostile inputs also check that nothing
//! on the server changed.
//!
//! What the oracle (v1.33) prints differently from the v1.36 target, taken from kubectl's
//! source at v0.36.2 and applied to the oracle's text:
//! - drain's unmanaged-pod error no longer doubles `cannot delete` (commit "Remove the
//!   unnecessary `cannot delete` from the error message");
//! - `kyaml` is among the output formats.
//!
//! kubectl evicts a node's pods concurrently and groups its drain warnings and errors in Go
//! maps, so the order of those lines (and of the parts of one line) is random in kubectl;
//! [`canon`] sorts them before comparing.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use crate::common;
use common::{assert_same, oracle, snapshot, Output, TestEnv};
use kubectl_rs::sandbox::store::GroupResource;

const WORKER: &str = "kind-multinodes-worker";
const WORKER2: &str = "kind-multinodes-worker2";

const LIMIT: Duration = Duration::from_secs(60);

/// Workloads on the first worker: a DaemonSet pod, a Deployment pod, an unmanaged pod and a
/// ReplicaSet pod with an emptyDir volume.
const WORKLOADS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      nodeSelector: {kubernetes.io/hostname: kind-multinodes-worker}
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
spec:
  nodeName: kind-multinodes-worker
  terminationGracePeriodSeconds: 5
  containers:
  - name: c
    image: busybox
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: cache
spec:
  replicas: 1
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache}
    spec:
      nodeSelector: {kubernetes.io/hostname: kind-multinodes-worker}
      volumes:
      - name: scratch
        emptyDir: {}
      containers:
      - name: c
        image: redis
";

/// The oracle's text as v1.36 prints it, and our program name in usage hints.
fn as_v136(mut o: Output) -> Output {
    for cmd in ["cordon", "uncordon", "drain", "taint", "events"] {
        o.stderr = o
            .stderr
            .replace(
                &format!("'kubectl {cmd} -h'"),
                &format!("'kubectl-rs {cmd} -h'"),
            )
            .replace(
                &format!("'kubectl {cmd} --help'"),
                &format!("'kubectl-rs {cmd} --help'"),
            );
    }
    o.stderr = o
        .stderr
        .replace("cannot delete cannot delete", "cannot delete")
        .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,");
    o
}

/// Sorts what kubectl orders at random: the lines between the first and the last line of
/// drain's stdout, the `; ` parts of a warning, the `, ` parts of a bracketed aggregate, and
/// runs of `cannot delete` lines.
fn canon(o: Output) -> Output {
    fn sort_parts(line: &str) -> String {
        if let Some(rest) = line.strip_prefix("Warning: ") {
            let mut parts: Vec<&str> = rest.split("; ").collect();
            parts.sort();
            return format!("Warning: {}", parts.join("; "));
        }
        if let (Some(a), Some(b)) = (line.find("[cannot delete "), line.rfind(']')) {
            let inner = &line[a + "[cannot delete ".len()..b];
            let mut parts: Vec<&str> = inner.split(", cannot delete ").collect();
            parts.sort();
            return format!(
                "{}[cannot delete {}]{}",
                &line[..a],
                parts.join(", cannot delete "),
                &line[b + 1..]
            );
        }
        line.to_string()
    }
    let stderr: Vec<String> = o.stderr.lines().map(sort_parts).collect();
    let mut err_lines = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in stderr {
        if l.starts_with("cannot delete ") || l.starts_with("error when evicting") {
            run.push(l);
            continue;
        }
        run.sort();
        err_lines.append(&mut run);
        err_lines.push(l);
    }
    run.sort();
    err_lines.append(&mut run);
    let mut out: Vec<&str> = o.stdout.lines().collect();
    if out.len() > 2 {
        let last = out.len() - 1;
        out[1..last].sort();
    }
    let join = |v: Vec<String>| {
        if v.is_empty() {
            String::new()
        } else {
            v.join("\n") + "\n"
        }
    };
    Output {
        stdout: join(out.into_iter().map(str::to_string).collect()),
        stderr: join(err_lines),
        code: o.code,
    }
}

async fn ours_run(env: &TestEnv, args: &[&str]) -> Output {
    let what = args.join(" ");
    let o = tokio::time::timeout(LIMIT, env.ours(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl-rs {what}: timed out"));
    canon(o).normalized()
}

async fn theirs_run(env: &TestEnv, args: &[&str]) -> Output {
    let what = args.join(" ");
    let o = tokio::time::timeout(LIMIT, env.kubectl(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl {what}: timed out"))
        .unwrap();
    canon(as_v136(o)).normalized()
}

async fn both(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) -> Output {
    let (a, b) = tokio::join!(ours_run(ours, args), theirs_run(theirs, args));
    assert_same(&args.join(" "), &a, &b);
    a
}

/// What the commands under test may change on the nodes: schedulability and taints.
fn node_state(env: &TestEnv) -> BTreeMap<String, Value> {
    let (nodes, _) = env
        .sandbox
        .store()
        .list(&GroupResource::new("", "nodes"), None);
    nodes
        .into_iter()
        .map(|n| {
            let taints: Vec<Value> = n["spec"]["taints"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| json!({"key": t["key"], "value": t["value"], "effect": t["effect"]}))
                .collect();
            (
                n["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                json!({"unschedulable": n["spec"]["unschedulable"], "taints": taints}),
            )
        })
        .collect()
}

/// The pods on `node` by owner kind and name prefix (names end in random suffixes).
fn pods_on(env: &TestEnv, node: &str) -> Vec<String> {
    let (pods, _) = env
        .sandbox
        .store()
        .list(&GroupResource::new("", "pods"), None);
    let mut v: Vec<String> = pods
        .iter()
        .filter(|p| p["spec"]["nodeName"] == node && p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default();
            let stem = name.split('-').next().unwrap_or(name).to_string();
            format!("{stem} ({})", p["status"]["phase"].as_str().unwrap_or(""))
        })
        .collect();
    v.sort();
    v
}

/// Whether the five workload pods of [`setup`] run.
async fn running_pods(env: &TestEnv) -> bool {
    let (pods, _) = env
        .sandbox
        .store()
        .list(&GroupResource::new("", "pods"), None);
    pods.iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .count()
        >= 5
}

async fn setup(env: &TestEnv) {
    std::fs::write(env.work.join("workloads.yaml"), WORKLOADS).unwrap();
    for f in ["node-exporter-daemonset.yaml", "workloads.yaml"] {
        let o = env.ours(&["apply", "-f", f]).await;
        assert_eq!(o.code, 0, "{o:?}");
    }
    // Two DaemonSet pods, web, solo and cache: all running. One clock step per poll, so
    // the controllers get real time to act on each step even on a loaded machine.
    common::eventually(|| {
        env.advance(Duration::from_secs(1));
        running_pods(env)
    })
    .await;
    settle(env).await;
}

/// Waits until the controllers have written everything the clock's last step caused (the
/// store's version stops moving), so that two CLIs reading one after the other see the same.
async fn settle(env: &TestEnv) {
    let store = env.sandbox.store();
    let last = std::sync::atomic::AtomicU64::new(u64::MAX);
    let stable = std::sync::atomic::AtomicUsize::new(0);
    common::eventually(|| {
        let now = store.current_rv();
        let before = last.swap(now, std::sync::atomic::Ordering::SeqCst);
        let n = if now == before {
            stable.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
        } else {
            stable.store(0, std::sync::atomic::Ordering::SeqCst);
            0
        };
        // Unchanged for ten polls in a row (half a second).
        async move { n >= 10 }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cordon_and_uncordon_match_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = tokio::join!(TestEnv::manual_clock(), TestEnv::manual_clock());
    let cases: &[&[&str]] = &[
        &["cordon", WORKER2],
        &["cordon", WORKER2],
        &[
            "get",
            "nodes",
            "-o",
            "custom-columns=NAME:.metadata.name,U:.spec.unschedulable",
        ],
        &["cordon", WORKER, "--dry-run=client"],
        &["cordon", WORKER, "--dry-run=server"],
        &["uncordon", WORKER],
        &["uncordon", WORKER2],
        &["uncordon", WORKER2, "--dry-run=client"],
        &[
            "cordon",
            "-l",
            "kubernetes.io/hostname=kind-multinodes-worker",
        ],
        &[
            "uncordon",
            "--selector=kubernetes.io/hostname=kind-multinodes-worker",
        ],
        &["cordon", "-l", "nothing=here"],
        &["cordon", &format!("node/{WORKER}")],
        &["uncordon", "nodes/kind-multinodes-worker"],
    ];
    for c in cases {
        both(&ours, &theirs, c).await;
        assert_eq!(node_state(&ours), node_state(&theirs), "{c:?}");
    }
    assert_eq!(node_state(&ours)[WORKER]["unschedulable"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taint_matches_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = tokio::join!(TestEnv::manual_clock(), TestEnv::manual_clock());
    let cases: &[&[&str]] = &[
        &[
            "taint",
            "nodes",
            WORKER2,
            "dedicated=infra:NoSchedule",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        &[
            "taint",
            "nodes",
            WORKER2,
            "dedicated=infra:NoSchedule",
            "--dry-run=client",
        ],
        &["taint", "nodes", WORKER2, "dedicated=infra:NoSchedule"],
        &["taint", "nodes", WORKER2, "dedicated=other:NoSchedule"],
        &[
            "taint",
            "nodes",
            WORKER2,
            "dedicated=other:NoSchedule",
            "--overwrite",
        ],
        &[
            "taint",
            "node",
            WORKER2,
            "gpu:NoExecute",
            "spot=yes:PreferNoSchedule",
            "-o",
            "name",
        ],
        &[
            "taint",
            "no",
            WORKER2,
            "dedicated:NoSchedule-",
            "--dry-run=server",
        ],
        &["taint", "nodes", WORKER2, "dedicated:NoSchedule-"],
        &["taint", "nodes", WORKER2, "spot-", "gpu=x:NoSchedule"],
        &["taint", "nodes", "--all", "zone=a:NoSchedule"],
        &[
            "taint",
            "nodes",
            "-l",
            "kubernetes.io/hostname=kind-multinodes-worker",
            "zone-",
        ],
        &["taint", "nodes", WORKER2, "dedicated-"],
        &["taint", "nodes", "--all", "gpu-"],
        &["get", "nodes", "-o", "jsonpath={.items[*].spec.taints}"],
    ];
    for c in cases {
        both(&ours, &theirs, c).await;
        assert_eq!(node_state(&ours), node_state(&theirs), "{c:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_node_commands_match_kubectl_and_change_nothing() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = tokio::join!(TestEnv::manual_clock(), TestEnv::manual_clock());
    both(
        &ours,
        &theirs,
        &["taint", "nodes", WORKER, "keep=me:NoSchedule"],
    )
    .await;
    let cases: &[&[&str]] = &[
        &["cordon"],
        &["uncordon", "nope"],
        &["cordon", WORKER, "-l", "a=b"],
        &["cordon", "-l", "a,,b"],
        &["cordon", "pod/x"],
        &["cordon", WORKER, "--dry-run=maybe"],
        &["drain"],
        &["drain", "nope"],
        &["drain", WORKER, "--pod-selector=a=,="],
        &["drain", WORKER, "--timeout=soon"],
        &["drain", WORKER, "--grace-period=x"],
        &["taint", "nodes", WORKER, "a=b"],
        &["taint", "nodes", WORKER, "a=b:Sometimes"],
        &["taint", "nodes", WORKER, "a=b=c:NoSchedule"],
        &["taint", "nodes", WORKER, "a:b:c"],
        &["taint", "nodes", WORKER, "bad_:NoSchedule"],
        &["taint", "nodes", WORKER, "a=bad value:NoSchedule"],
        &["taint", "nodes", WORKER, "x=1:NoSchedule", "x=2:NoSchedule"],
        &["taint", "nodes", WORKER, "a=b:NoSchedule", "a-"],
        &["taint", "nodes", WORKER, "keep=other:NoSchedule"],
        &["taint", "nodes", WORKER, "missing-"],
        &["taint", "nodes", WORKER, "keep:NoExecute-"],
        &["taint", "pods", "x", "a=b:NoSchedule"],
        &["taint", "widgets", "x", "a=b:NoSchedule"],
        &["taint", "nodes", "a=b:NoSchedule"],
        &["taint", "nodes", WORKER],
        &["taint", "nodes", WORKER, "a:NoSchedule", "late"],
        &["taint", "nodes", "nope", "a:NoSchedule"],
        &["taint", "nodes", "--all", "-l", "a=b", "a:NoSchedule"],
        &["taint", "nodes", "--all", "missing-"],
        &["taint", "nodes", WORKER, "a:NoSchedule", "-o", "wide"],
    ];
    let (before_a, before_b) = (snapshot(&ours), snapshot(&theirs));
    for c in cases {
        let out = both(&ours, &theirs, c).await;
        assert_ne!(out.code, 0, "{c:?} should fail");
        assert_eq!(snapshot(&ours), before_a, "{c:?} changed the server");
        assert_eq!(
            snapshot(&theirs),
            before_b,
            "{c:?} changed the oracle's server"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_matches_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = tokio::join!(TestEnv::manual_clock(), TestEnv::manual_clock());
    tokio::join!(setup(&ours), setup(&theirs));
    assert_eq!(pods_on(&ours, WORKER), pods_on(&theirs, WORKER));
    let refused: &[&[&str]] = &[
        &["drain", WORKER],
        &["drain", WORKER, "--ignore-daemonsets"],
        &["drain", WORKER, "--ignore-daemonsets", "--force"],
        &[
            "drain",
            WORKER,
            "--ignore-daemonsets",
            "--delete-emptydir-data",
        ],
        &["drain", WORKER, "--pod-selector=app=cache"],
        &["uncordon", WORKER],
    ];
    let (before_a, before_b) = (pods_on(&ours, WORKER), pods_on(&theirs, WORKER));
    for c in refused {
        both(&ours, &theirs, c).await;
        assert_eq!(pods_on(&ours, WORKER), before_a, "{c:?} removed pods");
        assert_eq!(pods_on(&theirs, WORKER), before_b);
    }
    let dry: &[&[&str]] = &[
        &[
            "drain",
            WORKER,
            "--ignore-daemonsets",
            "--force",
            "--delete-emptydir-data",
            "--dry-run=client",
        ],
        &[
            "drain",
            WORKER,
            "--ignore-daemonsets",
            "--force",
            "--delete-emptydir-data",
            "--dry-run=server",
        ],
        &[
            "drain",
            WORKER,
            "--ignore-daemonsets",
            "--pod-selector=app=web",
            "--dry-run=client",
        ],
        &[
            "drain",
            "-l",
            "kubernetes.io/hostname=kind-multinodes-worker",
            "--ignore-daemonsets",
            "--force",
            "--delete-emptydir-data",
            "--dry-run=client",
            "--chunk-size=1",
        ],
        // v1.36 (as v1.33) waits for pods deleted in a server dry run until --timeout.
        &[
            "drain",
            WORKER,
            "--ignore-daemonsets",
            "--force",
            "--delete-emptydir-data",
            "--disable-eviction",
            "--dry-run=server",
            "--timeout=1s",
        ],
    ];
    for c in dry {
        both(&ours, &theirs, c).await;
        assert_eq!(pods_on(&ours, WORKER), before_a, "{c:?} removed pods");
        assert_eq!(node_state(&ours), node_state(&theirs));
    }
    // The real drain: the pods go after their grace period, on the sandbox clock.
    let args = [
        "drain",
        WORKER,
        "--ignore-daemonsets",
        "--force",
        "--delete-emptydir-data",
        "--grace-period=3",
    ];
    let (a, b) = tokio::join!(
        run_advancing(&ours, &args, false),
        run_advancing(&theirs, &args, true)
    );
    assert_same("drain", &a, &b);
    assert_eq!(a.code, 0, "{a:?}");
    assert!(a.stdout.contains("pod/solo evicted\n"), "{}", a.stdout);
    assert_eq!(node_state(&ours), node_state(&theirs));
    assert_eq!(node_state(&ours)[WORKER]["unschedulable"], true);
    // Only the DaemonSet pod stays on the drained node.
    assert_eq!(pods_on(&ours, WORKER), vec!["node (Running)".to_string()]);
    assert_eq!(pods_on(&ours, WORKER), pods_on(&theirs, WORKER));
    both(&ours, &theirs, &["drain", WORKER, "--ignore-daemonsets"]).await;
}

/// Runs a command that waits on cluster time while advancing the sandbox clock, until it
/// ends; its output canonicalized like `both`'s.
async fn run_advancing(env: &TestEnv, args: &[&str], oracle_cli: bool) -> Output {
    let program = if oracle_cli {
        oracle().unwrap().to_string()
    } else {
        env!("CARGO_BIN_EXE_kubectl-rs").to_string()
    };
    let cache = if oracle_cli {
        "cache-kubectl"
    } else {
        "cache-rs"
    };
    let mut child = env
        .command(&program, args, cache)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let read = async {
        let (mut o, mut e) = (String::new(), String::new());
        let _ = tokio::join!(out.read_to_string(&mut o), err.read_to_string(&mut e));
        (o, e)
    };
    tokio::pin!(read);
    let done = loop {
        tokio::select! {
            r = &mut read => break r,
            _ = tokio::time::sleep(Duration::from_millis(100)) => env.advance(Duration::from_secs(1)),
        }
    };
    let status = child.wait().await.unwrap();
    let o = Output {
        stdout: done.0,
        stderr: done.1,
        code: status.code().unwrap_or(-1),
    };
    let o = if oracle_cli { as_v136(o) } else { o };
    canon(o).normalized()
}

/// A PodDisruptionBudget written straight into the store (the eviction check reads budgets
/// from there whether or not policy/v1 is served).
fn add_budget(env: &TestEnv) {
    env.sandbox
        .store()
        .create(
            &GroupResource::new("policy", "poddisruptionbudgets"),
            json!({
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": "web-pdb", "namespace": "default"},
                "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
            }),
        )
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_waits_for_a_disruption_budget_like_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = tokio::join!(TestEnv::manual_clock(), TestEnv::manual_clock());
    tokio::join!(setup(&ours), setup(&theirs));
    add_budget(&ours);
    add_budget(&theirs);
    // The only web pod may not go: kubectl retries until --timeout.
    let blocked = ["drain", WORKER, "--pod-selector=app=web", "--timeout=2s"];
    both(&ours, &theirs, &blocked).await;
    assert_eq!(pods_on(&ours, WORKER), pods_on(&theirs, WORKER));
    assert!(pods_on(&ours, WORKER).contains(&"web (Running)".to_string()));
    // With a second web pod ready elsewhere, the next retry evicts it.
    let args = ["drain", WORKER, "--pod-selector=app=web", "--timeout=50s"];
    let (a, b) = tokio::join!(
        drain_then_scale(&ours, &args, false),
        drain_then_scale(&theirs, &args, true)
    );
    assert_same("drain with budget", &a, &b);
    assert_eq!(a.code, 0, "{a:?}");
    assert!(a
        .stderr
        .contains("Cannot evict pod as it would violate the pod's disruption budget."));
    assert!(!pods_on(&ours, WORKER).iter().any(|p| p.starts_with("web")));
}

/// Starts `args` (a drain), waits until it reports the budget's refusal, then adds a second
/// web pod on the other worker and advances the clock (the pod gets ready) until the drain
/// ends.
async fn drain_then_scale(env: &TestEnv, args: &[&str], oracle_cli: bool) -> Output {
    let program = if oracle_cli {
        oracle().unwrap().to_string()
    } else {
        env!("CARGO_BIN_EXE_kubectl-rs").to_string()
    };
    let cache = if oracle_cli {
        "cache-kubectl"
    } else {
        "cache-rs"
    };
    let mut child = env
        .command(&program, args, cache)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = String::new();
    while let Ok(Some(l)) = err_lines.next_line().await {
        stderr.push_str(&l);
        stderr.push('\n');
        if l.contains("will retry after") {
            break;
        }
    }
    // Another ready pod of the budget's, on the other worker.
    let extra = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-extra\n  labels: {{app: web}}\nspec:\n  nodeName: {WORKER2}\n  containers:\n  - name: nginx\n    image: nginx:1.27\n"
    );
    std::fs::write(env.work.join("extra.yaml"), extra).unwrap();
    let o = env.ours(&["apply", "-f", "extra.yaml"]).await;
    assert_eq!(o.code, 0, "{o:?}");
    let read = async {
        let mut o = String::new();
        let mut rest = String::new();
        let _ = out.read_to_string(&mut o).await;
        while let Ok(Some(l)) = err_lines.next_line().await {
            rest.push_str(&l);
            rest.push('\n');
        }
        (o, rest)
    };
    tokio::pin!(read);
    let (stdout, rest) = loop {
        tokio::select! {
            r = &mut read => break r,
            _ = tokio::time::sleep(Duration::from_millis(100)) => env.advance(Duration::from_secs(1)),
        }
    };
    stderr.push_str(&rest);
    let status = child.wait().await.unwrap();
    let o = Output {
        stdout,
        stderr,
        code: status.code().unwrap_or(-1),
    };
    let o = if oracle_cli { as_v136(o) } else { o };
    canon(o).normalized()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_match_kubectl() {
    if oracle().is_none() {
        return;
    }
    // One sandbox for both CLIs: the events (and their ages) are the same objects.
    let env = TestEnv::manual_clock().await;
    setup(&env).await;
    let cases: &[&[&str]] = &[
        &["events", "--for", "daemonset/node-exporter"],
        &["events", "--for", "ds/node-exporter", "--no-headers"],
        &["events", "--for", "replicaset/cache", "-o", "yaml"],
        &["events", "--for", "replicaset/cache", "-o", "json"],
        &["events", "--for", "replicaset/cache", "-o", "name"],
        &[
            "events",
            "--for",
            "pod/solo",
            "-o",
            "jsonpath={.items[*].reason}",
        ],
        &["events", "--types=Warning"],
        &["events", "-A", "--types=Warning"],
        &[
            "events",
            "--types=normal,WARNING",
            "--for",
            "ds/node-exporter",
        ],
        &["events", "-n", "kube-system"],
        &["events", "--for", "node-exporter"],
        &["events", "--for", "ds/a/b"],
        &["events", "--for", "widgets/x"],
        &["events", "--types=Sometimes"],
        &["events", "-o", "wide"],
    ];
    let before = snapshot(&env);
    for c in cases {
        let (a, b) = tokio::join!(ours_run(&env, c), theirs_run(&env, c));
        assert_same(&c.join(" "), &a, &b);
    }
    assert_eq!(snapshot(&env), before, "events changed the server");
    // Whole listings, many events at the same second: kubectl's sort is Go's unstable
    // sort.Sort, and the order of equal times must come out the same.
    for c in [
        &["events"][..],
        &["events", "-A"][..],
        &["events", "-A", "-o", "json"][..],
        &["events", "-A", "-o", "yaml"][..],
    ] {
        let (a, b) = tokio::join!(ours_run(&env, c), theirs_run(&env, c));
        assert!(a.stdout.lines().count() > 13, "{}", a.stdout);
        assert_same(&c.join(" "), &a, &b);
    }
}

/// Starts `events -w` with one CLI, reads `lines` lines, then interrupts it (SIGINT).
async fn watch_lines(env: &TestEnv, args: &[&str], oracle_cli: bool, lines: usize) -> Output {
    let program = if oracle_cli {
        oracle().unwrap().to_string()
    } else {
        env!("CARGO_BIN_EXE_kubectl-rs").to_string()
    };
    let cache = if oracle_cli {
        "cache-kubectl"
    } else {
        "cache-rs"
    };
    let mut child = env
        .command(&program, args, cache)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdout = String::new();
    for _ in 0..lines {
        let l = tokio::time::timeout(LIMIT, out.next_line())
            .await
            .expect("watch line in time")
            .unwrap()
            .expect("a line");
        stdout.push_str(&l);
        stdout.push('\n');
    }
    let pid = child.id().unwrap() as i32;
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let status = child.wait().await.unwrap();
    while let Ok(Some(l)) = out.next_line().await {
        stdout.push_str(&l);
        stdout.push('\n');
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    Output {
        stdout,
        stderr,
        code: status.code().unwrap_or(-1),
    }
    .normalized()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_watch_matches_kubectl() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::manual_clock().await;
    setup(&env).await;
    let args = ["events", "-w", "--for", "daemonset/node-exporter"];
    let (a, b) = tokio::join!(
        watch_lines(&env, &args, false, 3),
        watch_lines(&env, &args, true, 3)
    );
    assert_same("events -w", &a, &b);
    assert!(a.stdout.starts_with("LAST SEEN"), "{}", a.stdout);
    let args = [
        "events",
        "-w",
        "--for",
        "daemonset/node-exporter",
        "-o",
        "name",
    ];
    let (a, b) = tokio::join!(
        watch_lines(&env, &args, false, 2),
        watch_lines(&env, &args, true, 2)
    );
    assert_same("events -w -o name", &a, &b);
}
