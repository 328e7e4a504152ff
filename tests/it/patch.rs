//! `patch` against the sandbox, compared command by command with the real kubectl (when
//! installed) on a twin sandbox given the same commands: server-side patches of every type,
//! subresources, dry runs, `-f`, `--local`, output formats and errors.
//!
//! v1.33 (the oracle) and v1.36 (the target) differ here only in v1.36 listing `kyaml` among
//! the output formats; that is applied to kubectl's output before comparing.

use crate::common;

use common::{assert_same, oracle, Output, TestEnv};

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
      - name: sidecar
        image: busybox
";

const PATCH_YAML: &str = "spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: busybox:1.36
";

/// v1.36 lists `kyaml` among the formats of cli-runtime's print flags.
fn as_v136(mut o: Output) -> Output {
    o.stderr = o
        .stderr
        .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,");
    o
}

async fn both(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) {
    let limit = std::time::Duration::from_secs(20);
    let what = args.join(" ");
    let b = tokio::time::timeout(limit, theirs.kubectl(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl {what}: timed out"))
        .unwrap();
    let b = as_v136(b).normalized();
    let a = tokio::time::timeout(limit, ours.ours(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl-rs {what}: timed out"))
        .normalized();
    assert_same(&what, &a, &b);
}

fn write(envs: [&TestEnv; 2], name: &str, text: &str) {
    for e in envs {
        std::fs::write(e.work.join(name), text).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_cases_match_kubectl() {
    if oracle().is_none() {
        return;
    }
    // Manual clocks: no controller timer (a kubelet starting pods, a grace period) fires
    // between the two CLIs' runs, so status fields such as availableReplicas are the same.
    let (ours, theirs) = (TestEnv::manual_clock().await, TestEnv::manual_clock().await);
    write([&ours, &theirs], "web.yaml", WEB);
    write([&ours, &theirs], "sidecar.yaml", PATCH_YAML);
    let ds = "node-exporter-daemonset.yaml";
    let label = r#"{"metadata":{"labels":{"tier":"x"}}}"#;
    let image =
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}"#;
    let cases: &[&[&str]] = &[
        &["apply", "-f", ds],
        &["apply", "-f", "web.yaml"],
        // Strategic merge (the default): a change, then the same again.
        &["patch", "ds", "node-exporter", "-p", label],
        &["patch", "ds", "node-exporter", "-p", label],
        &[
            "patch",
            "deployment/web",
            "-p",
            image,
            "-o",
            "jsonpath={.spec.template.spec.containers[*].image}",
        ],
        &[
            "patch",
            "deploy",
            "web",
            "--patch-file",
            "sidecar.yaml",
            "-o",
            "name",
        ],
        &[
            "patch",
            "deploy",
            "web",
            "-p",
            "metadata:\n  annotations:\n    a: b",
        ],
        // Merge and JSON patches.
        &[
            "patch",
            "deploy",
            "web",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"minReadySeconds":3}}"#,
        ],
        &[
            "patch",
            "deploy",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/minReadySeconds","value":4}]"#,
        ],
        &["patch", "deploy", "web", "--type=json", "-p", "[]"],
        &[
            "patch",
            "deploy",
            "web",
            "--type=JSON",
            "-p",
            r#"[{"op":"remove","path":"/metadata/annotations/a"}]"#,
            "-o",
            "yaml",
        ],
        // Several objects, cluster scope, subresources, dry runs.
        &[
            "patch",
            "ds/node-exporter",
            "deploy/web",
            "-p",
            r#"{"metadata":{"labels":{"z":"1"}}}"#,
        ],
        &[
            "patch",
            "node",
            "kind-multinodes-worker",
            "-p",
            r#"{"spec":{"unschedulable":true}}"#,
        ],
        &[
            "patch",
            "node",
            "kind-multinodes-worker",
            "-p",
            r#"{"spec":{"unschedulable":false}}"#,
            "--dry-run=client",
        ],
        &[
            "patch",
            "node",
            "kind-multinodes-worker",
            "-p",
            r#"{"spec":{"unschedulable":false}}"#,
            "--dry-run=server",
            "-o",
            "jsonpath={.spec.unschedulable}",
        ],
        &[
            "get",
            "node",
            "kind-multinodes-worker",
            "-o",
            "jsonpath={.spec.unschedulable}",
        ],
        &[
            "patch",
            "deploy",
            "web",
            "--subresource=scale",
            "--type=merge",
            "-p",
            r#"{"spec":{"replicas":3}}"#,
        ],
        &[
            "patch",
            "deploy",
            "web",
            "--subresource=scale",
            "-p",
            r#"{"spec":{"replicas":3}}"#,
        ],
        &["patch", "deploy", "web", "--subresource=foo", "-p", "{}"],
        &[
            "patch",
            "deploy",
            "web",
            "-p",
            r#"{"spec":{"paused":true}}"#,
            "--field-manager=me",
            "-o",
            "jsonpath={.spec.paused}",
        ],
        // -f and --local.
        &["patch", "-f", ds, "-p", "{}"],
        &[
            "patch", "-f", ds, "-f", "web.yaml", "-p", label, "-o", "name",
        ],
        &["patch", "-f", ds, "-p", "{}", "-n", "other"],
        &["patch", "-f", ds, "--local", "-p", label, "-o", "yaml"],
        &["patch", "-f", ds, "--local", "-p", "{}"],
        &[
            "patch",
            "-f",
            ds,
            "--local",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/spec/minReadySeconds","value":1}]"#,
            "-o",
            "json",
        ],
        &[
            "patch",
            "-f",
            ds,
            "--local",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/nope/x","value":1}]"#,
        ],
        &["patch", "-f", ds, "--local", "-p", "{bad"],
        &["patch", "-f", ds, "--local", "--type=merge", "-p", "{bad"],
        &["patch", "-f", ds, "--local", "--type=json", "-p", "{bad"],
        &["patch", "-f", ds, "--local", "--type=merge", "-p", "[1]"],
        &["patch", "-f", "unknown-kind.yaml", "--local", "-p", "{}"],
        &[
            "patch",
            "-f",
            "unknown-kind.yaml",
            "--local",
            "--type=merge",
            "-p",
            r#"{"spec":{"size":4}}"#,
            "-o",
            "json",
        ],
        &[
            "patch",
            "-f",
            "web.yaml",
            "--dry-run=client",
            "-p",
            image,
            "-o",
            "yaml",
        ],
        &["patch", "-f", "missing-kind.yaml", "-p", "{}"],
        &["patch", "-f", "bad-syntax.yaml", "-p", "{}"],
        &["patch", "-f", "unknown-kind.yaml", "-p", "{}"],
        &["patch", "-f", "nope.yaml", "-p", "{}"],
        // Errors.
        &["patch", "ds", "node-exporter"],
        &[
            "patch",
            "ds",
            "node-exporter",
            "-p",
            "{}",
            "--patch-file",
            "x",
        ],
        &[
            "patch",
            "ds",
            "node-exporter",
            "--patch-file",
            "/nonexistent",
        ],
        &["patch", "ds", "node-exporter", "-p", "{bad"],
        &["patch", "ds", "node-exporter", "-p", "a: b: c"],
        &["patch", "ds", "node-exporter", "-p", "[1]"],
        &["patch", "ds", "node-exporter", "-p", "null"],
        &["patch", "ds", "node-exporter", "--type=foo", "-p", "{}"],
        &["patch", "ds", "node-exporter", "--local", "-p", "{}"],
        &["patch", "-f", ds, "--local", "-p", "{}", "--dry-run=server"],
        &["patch", "--local", "-p", "{}"],
        &["patch", "ds", "nope", "-p", "{}"],
        &["patch", "ds", "node-exporter", "-p", "{}", "-n", "foo"],
        &[
            "patch",
            "ds",
            "node-exporter",
            "-p",
            "{}",
            "-n",
            "kube-system",
        ],
        &["patch", "ds", "nope", "ds", "node-exporter", "-p", "{}"],
        &["patch", "ds", "-p", "{}"],
        &["patch", "-p", "{}"],
        &["patch", "bogus", "x", "-p", "{}"],
        &["patch", "-f", ds, "ds", "x", "-p", "{}"],
        &[
            "patch",
            "deploy",
            "web",
            "--type=merge",
            "-p",
            r#"{"spec":{"replicas":-1}}"#,
        ],
        &[
            "patch",
            "deploy",
            "web",
            "--type=merge",
            "-p",
            r#"{"metadata":{"name":"other"}}"#,
        ],
        &["patch", "ds", "node-exporter", "-p", "{}", "-o", "wide"],
        &[
            "patch",
            "ds",
            "node-exporter",
            "-p",
            "{}",
            "-o",
            "custom-columns=A:.x",
        ],
        &[
            "patch",
            "ds",
            "node-exporter",
            "-p",
            "{}",
            "--template",
            "{{.metadata.name}}",
        ],
        &[
            "patch",
            "ds",
            "node-exporter",
            "-p",
            "{}",
            "--dry-run=bogus",
        ],
    ];
    for args in cases {
        both(&ours, &theirs, args).await;
    }

    // The deprecated --record: the command line lands in the change-cause annotation.
    both(
        &ours,
        &theirs,
        &[
            "patch",
            "deploy",
            "web",
            "-p",
            r#"{"metadata":{"labels":{"rec":"1"}}}"#,
            "--record",
        ],
    )
    .await;
    let get = [
        "get",
        "deploy",
        "web",
        "-o",
        r"jsonpath={.metadata.annotations.kubernetes\.io/change-cause}",
    ];
    let want = theirs.kubectl(&get).await.unwrap().stdout;
    let got = ours.ours(&get).await.stdout;
    let program = common::oracle_name();
    assert_eq!(got, want.replacen(&program, "kubectl-rs", 1));
    assert!(got.starts_with("kubectl-rs "), "{got}");
}
