//! `top node` and `top pod` against the sandbox's simulated Metrics API, flag by flag and error
//! by error, with the real kubectl (when installed) on the same cluster: the same stdout,
//! stderr and exit code. Both CLIs read one sandbox on a manual clock, so the usage they see is
//! the same.
//!
//! What the oracle (v1.33) prints differently from the v1.36 target (kubectl v0.36.2's
//! `top_node.go`/`top_pod.go`/`metrics_printer.go`): `--show-swap` is new, so its output is
//! checked against the text its source gives instead.

use std::time::Duration;

use serde_json::Value;

use crate::common;
use common::{assert_same, Output, TestEnv};
use kubectl_rs::sandbox::store::GroupResource;
use kubectl_rs::sandbox::SandboxOptions;

const WORKLOADS: &str = "apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources:
          requests: {cpu: 250m, memory: 128Mi}
      - name: sidecar
        image: redis:7
        resources:
          requests: {cpu: 20m, memory: 16Mi}
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels: {app: db}
spec:
  containers:
  - name: postgres
    image: postgres:16
    resources:
      requests: {cpu: '1', memory: 1Gi}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {app: solo}}
spec:
  containers:
  - name: c
    image: nginx:1.27
";

/// The oracle's usage hints name kubectl; ours name kubectl-rs.
fn as_ours(mut o: Output) -> Output {
    for cmd in ["top node", "top pod"] {
        o.stderr = o.stderr.replace(
            &format!("'kubectl {cmd} -h'"),
            &format!("'kubectl-rs {cmd} -h'"),
        );
    }
    o
}

/// `Metrics not available for pod ns/x, age: 10m2.123456789s`: the age is the wall clock's.
fn mask_age(mut o: Output) -> Output {
    if let Some(i) = o.stderr.find(", age: ") {
        o.stderr = format!("{}, age: <age>\n", &o.stderr[..i]);
    }
    o
}

async fn both(env: &TestEnv, args: &[&str]) -> Output {
    let ours = mask_age(env.ours(args).await);
    if let Some(mut theirs) = env.kubectl(args).await {
        if args[0] == "__complete" {
            // cobra's debug line for the shell scripts, which kubectl-rs's scripts do not read.
            theirs.stderr = theirs.stderr.replace(
                "Completion ended with directive: ShellCompDirectiveNoFileComp\n",
                "",
            );
        }
        assert_same(&args.join(" "), &ours, &mask_age(as_ours(theirs)));
    }
    ours
}

fn running(env: &TestEnv) -> usize {
    env.sandbox
        .store()
        .list(&GroupResource::new("", "pods"), None)
        .0
        .iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .count()
}

/// A cluster with the workloads running for longer than a metrics scrape.
async fn cluster() -> TestEnv {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("workloads.yaml"), WORKLOADS).unwrap();
    let o = env.ours(&["apply", "-f", "workloads.yaml"]).await;
    assert_eq!(o.code, 0, "{o:?}");
    common::advancing(&env, Duration::from_secs(1), || async {
        running(&env) == 5
    })
    .await;
    env.advance(Duration::from_secs(30));
    settle(&env).await;
    env
}

/// Waits until the controllers have written everything the clock's last step caused (the
/// store's version stops moving), so that both CLIs read the same cluster.
async fn settle(env: &TestEnv) {
    let store = env.sandbox.store();
    let (mut last, mut stable) = (u64::MAX, 0);
    common::eventually(|| {
        let now = store.current_rv();
        stable = if now == last { stable + 1 } else { 0 };
        last = now;
        let done = stable >= 10;
        async move { done }
    })
    .await;
}

fn snapshot(env: &TestEnv) -> Vec<Value> {
    let store = env.sandbox.store();
    let mut all = Vec::new();
    for r in ["pods", "nodes", "namespaces"] {
        let (mut items, _) = store.list(&GroupResource::new("", r), None);
        for i in &mut items {
            // Heartbeats and leases move on their own; what top could change is the rest.
            i["status"]["conditions"] = Value::Null;
        }
        all.extend(items);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_node_matches_kubectl() {
    let env = cluster().await;
    let before = snapshot(&env);
    let out = both(&env, &["top", "node"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0].starts_with("NAME "));
    assert!(lines[1].starts_with("kind-multinodes-worker ") && lines[1].contains('%'));
    for args in [
        &["top", "nodes", "--no-headers"][..],
        &["top", "no", "--sort-by=cpu"],
        &["top", "node", "--sort-by", "memory", "--show-capacity"],
        &["top", "node", "kind-multinodes-worker2"],
        &[
            "top",
            "node",
            "-l",
            "kubernetes.io/hostname=kind-multinodes-worker",
        ],
        &["top", "node", "-l", "nope=1"],
        &["top", "node", "--use-protocol-buffers=false"],
        &["__complete", "top", "node", "kind"],
        // The Metrics API through `get`: metrics-server's Table and objects.
        &["get", "nodes.metrics.k8s.io"],
        &[
            "get",
            "--raw",
            "/apis/metrics.k8s.io/v1beta1/nodes/kind-multinodes-worker",
        ],
        // Errors, in kubectl's order of checks.
        &["top", "node", "a", "b"],
        &["top", "node", "--sort-by=name"],
        &["top", "node", "x", "-l", "a=b"],
        &["top", "node", "-l", "a=(b"],
        &["top", "node", "nope"],
    ] {
        both(&env, args).await;
    }
    assert!(before == snapshot(&env), "top changed the cluster");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_pod_matches_kubectl() {
    let env = cluster().await;
    let before = snapshot(&env);
    let out = both(&env, &["top", "pod", "-n", "shop"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 5, "{}", out.stdout);
    for args in [
        &["top", "pod"][..],
        &["top", "pods", "-A"],
        &["top", "po", "-A", "--containers"],
        &["top", "pod", "-n", "shop", "--containers", "--sort-by=cpu"],
        &["top", "pod", "-n", "shop", "--sort-by=memory", "--sum"],
        &["top", "pod", "-A", "--containers", "--sum"],
        &["top", "pod", "-A", "--no-headers", "--sum"],
        &[
            "top",
            "pod",
            "-n",
            "shop",
            "--containers",
            "--no-headers",
            "--sum",
        ],
        &["top", "pod", "-n", "shop", "-l", "app=web"],
        &[
            "top",
            "pod",
            "-n",
            "shop",
            "-l",
            "tier in (front,back)",
            "--sort-by=cpu",
        ],
        &[
            "top",
            "pod",
            "-A",
            "--field-selector",
            "metadata.namespace!=shop",
        ],
        &["top", "pod", "-n", "shop", "db", "--containers"],
        &["top", "pod", "solo", "--use-protocol-buffers=false"],
        // Shell completion of the NAME (one name, of the subcommand's type).
        &["__complete", "top", "pod", "-n", "shop", ""],
        &["__complete", "top", "pod", "db", ""],
        &["get", "podmetrics", "-A"],
        &[
            "get",
            "pods.metrics.k8s.io",
            "-n",
            "shop",
            "db",
            "-o",
            "json",
        ],
        // Nothing to show, and errors.
        &["top", "pod", "-n", "empty"],
        &["top", "pod", "-n", "shop", "-l", "app=none"],
        &["top", "pod", "a", "b"],
        &["top", "pod", "--sort-by=disk"],
        &["top", "pod", "x", "-l", "a=b"],
        &["top", "pod", "x", "--field-selector", "a=b"],
        &["top", "pod", "-l", "a in b"],
        &["top", "pod", "--field-selector", "nonsense"],
        &["top", "pod", "--field-selector", "status.phase=Running"],
        &["top", "pod", "nope"],
        &["top", "pod", "-A", "nope"],
    ] {
        both(&env, args).await;
    }
    assert!(before == snapshot(&env), "top changed the cluster");
}

/// Pods that have no metrics: too new (not available yet), or old enough that metrics
/// should exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_without_metrics_match_kubectl() {
    let env = TestEnv::manual_clock().await;
    // Pending for ever: nothing can schedule it.
    let pending = "apiVersion: v1
kind: Pod
metadata: {name: stuck, namespace: default}
spec:
  nodeSelector: {no: where}
  containers: [{name: c, image: busybox}]
";
    std::fs::write(env.work.join("stuck.yaml"), pending).unwrap();
    assert_eq!(env.ours(&["apply", "-f", "stuck.yaml"]).await.code, 0);
    env.advance(Duration::from_secs(30));
    // The manual clock is ten minutes behind the wall clock the CLIs measure ages with.
    let out = both(&env, &["top", "pod"]).await;
    assert_eq!(
        out.stderr,
        "error: Metrics not available for pod default/stuck, age: <age>\n"
    );
    both(&env, &["top", "pod", "-A"]).await;
    both(&env, &["top", "pod", "-n", "kube-system"]).await;
    // A pod created within the last two minutes of wall-clock time.
    env.advance(Duration::from_secs(9 * 60 + 30));
    std::fs::write(
        env.work.join("stuck.yaml"),
        pending.replace("stuck", "fresh"),
    )
    .unwrap();
    assert_eq!(env.ours(&["apply", "-f", "stuck.yaml"]).await.code, 0);
    assert_eq!(
        env.ours(&["delete", "pod", "stuck", "--wait=false"])
            .await
            .code,
        0
    );
    common::advancing(&env, Duration::from_secs(1), || async {
        env.sandbox
            .store()
            .get(&GroupResource::new("", "pods"), "default", "stuck")
            .is_none()
    })
    .await;
    let out = both(&env, &["top", "pod"]).await;
    assert_eq!(out.stderr, "error: metrics not available yet\n");
}

/// Right after the cluster starts, no node has been scraped twice yet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_nodes_have_no_metrics_yet() {
    let env = TestEnv::manual_clock().await;
    let out = both(&env, &["top", "node"]).await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        ("", "error: metrics not available yet\n", 1)
    );
    env.advance(Duration::from_secs(20));
    assert_eq!(both(&env, &["top", "node"]).await.code, 0);
}

/// A cluster without metrics-server: kubectl's `Metrics API not available`, as recorded from
/// a real v1.36 cluster (tests/fixtures/reference/kubectl-1.36-more/26-top-nodes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_metrics_api() {
    let env = TestEnv::with(SandboxOptions {
        name: "kind-multinodes".into(),
        metrics: false,
        ..Default::default()
    })
    .await;
    let dir = common::fixtures().join("reference/kubectl-1.36-more");
    let read =
        |ext: &str| std::fs::read_to_string(dir.join(format!("26-top-nodes.{ext}"))).unwrap();
    let recorded = Output {
        stdout: read("stdout"),
        stderr: read("stderr"),
        code: read("rc").trim().parse().unwrap(),
    };
    assert_same("top nodes", &env.ours(&["top", "nodes"]).await, &recorded);
    for args in [
        &["top", "node"][..],
        &["top", "pod"],
        &["top", "pod", "-A", "--containers"],
        &["get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes"],
    ] {
        both(&env, args).await;
    }
}

/// v1.36's `--show-swap` (not in the v1.33 oracle): the sandbox's nodes report no swap, so
/// their swap columns are `<unknown>`; pods report none, which sums to 0Mi.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_swap_as_kubectl_v136_prints_it() {
    let env = cluster().await;
    let out = env
        .ours(&["top", "node", "--show-swap", "--no-headers"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    for line in out.stdout.lines() {
        assert!(line.ends_with("<unknown>   <unknown>   "), "{line:?}");
    }
    let out = env.ours(&["top", "node", "--show-swap"]).await;
    assert!(
        out.stdout.starts_with("NAME ")
            && out
                .stdout
                .lines()
                .next()
                .unwrap()
                .ends_with("SWAP(bytes)   SWAP(%)     "),
        "{}",
        out.stdout
    );
    let out = env.ours(&["top", "pod", "solo", "--show-swap"]).await;
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "NAME   CPU(cores)   MEMORY(bytes)   SWAP(bytes)   "
    );
    assert!(
        lines[1].starts_with("solo   ") && lines[1].ends_with("   0Mi           "),
        "{lines:?}"
    );
}
