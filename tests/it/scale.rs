//! `scale` against the sandbox, compared command by command with the real kubectl (when
//! installed) on a twin sandbox given the same commands, plus the points where v1.36 (the
//! target) differs from the v1.33 oracle, checked against kubectl's own texts:
//! - v1.36 prints the object with its new size (v1.33: as it was before);
//! - v1.36 returns the builder's errors as they are when nothing was found (v1.33 prefixes
//!   `no objects passed to scale`);
//! - v1.36 lists `kyaml` among the output formats.

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
";

const SOLO: &str = "apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: solo
  labels: {tier: x}
spec:
  replicas: 1
  selector:
    matchLabels: {app: solo}
  template:
    metadata:
      labels: {app: solo}
    spec:
      containers:
      - name: c
        image: busybox
";

/// kubectl's output as v1.36 prints it, and our program name in usage hints.
fn as_v136(mut o: Output) -> Output {
    o.stderr = o
        .stderr
        .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,")
        .replace("'kubectl scale --help'", "'kubectl-rs scale --help'");
    o
}

const LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

async fn theirs_run(theirs: &TestEnv, args: &[&str]) -> Output {
    let what = args.join(" ");
    let b = tokio::time::timeout(LIMIT, theirs.kubectl(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl {what}: timed out"))
        .unwrap();
    as_v136(b).normalized()
}

async fn ours_run(ours: &TestEnv, args: &[&str]) -> Output {
    let what = args.join(" ");
    tokio::time::timeout(LIMIT, ours.ours(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl-rs {what}: timed out"))
        .normalized()
}

async fn both(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) {
    let b = theirs_run(theirs, args).await;
    let a = ours_run(ours, args).await;
    assert_same(&args.join(" "), &a, &b);
}

fn write(envs: [&TestEnv; 2], name: &str, text: &str) {
    for e in envs {
        std::fs::write(e.work.join(name), text).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_cases_match_kubectl() {
    if oracle().is_none() {
        return;
    }
    // Manual clocks: no controller timer (a kubelet starting pods, a grace period) fires
    // between the two CLIs' runs, so status fields such as availableReplicas are the same.
    let (ours, theirs) = (TestEnv::manual_clock().await, TestEnv::manual_clock().await);
    write([&ours, &theirs], "web.yaml", WEB);
    write([&ours, &theirs], "solo.yaml", SOLO);
    let cases: &[&[&str]] = &[
        &["apply", "-f", "node-exporter-daemonset.yaml"],
        &["apply", "-f", "web.yaml"],
        &["apply", "-f", "solo.yaml"],
        &["scale", "deploy", "web", "--replicas=3"],
        &["scale", "deployment/web", "--replicas=3", "-o", "name"],
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=4",
            "--current-replicas=2",
        ],
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=4",
            "--current-replicas=3",
        ],
        &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
        &["scale", "rs", "solo", "--replicas=2", "--timeout=20s"],
        &["scale", "deploy", "web", "--replicas=2", "--timeout=20s"],
        &["scale", "rs", "-l", "tier=x", "--replicas=3"],
        &["scale", "-f", "solo.yaml", "--replicas=2", "-o", "name"],
        &[
            "scale",
            "deploy",
            "--all",
            "--replicas=1",
            "--dry-run=client",
        ],
        &[
            "scale",
            "deploy",
            "--all",
            "--replicas=1",
            "--dry-run=server",
        ],
        &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
        &["scale", "rs,deploy", "--all", "--replicas=1"],
        &["scale", "deploy", "web", "nope", "--replicas=2"],
        // Kinds without a scale subresource.
        &["scale", "ds", "node-exporter", "--replicas=3"],
        &[
            "scale",
            "ds",
            "node-exporter",
            "--replicas=3",
            "--current-replicas=2",
        ],
        &["scale", "nodes", "kind-multinodes-worker", "--replicas=2"],
        // Errors.
        &["scale", "deploy", "web"],
        &["scale", "deploy", "web", "--replicas=-1"],
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=1",
            "--current-replicas=-2",
        ],
        &["scale", "deploy", "web", "--replicas=abc"],
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=1",
            "--current-replicas=x",
        ],
        &["scale", "deploy", "web", "--replicas=1", "--timeout=soon"],
        &["scale", "deploy", "web", "--replicas=1", "--dry-run=bogus"],
        &["scale", "deploy", "web", "--replicas=1", "-o", "wide"],
        &["scale", "deploy", "--replicas=1"],
        &["scale", "--replicas=1"],
        &["scale", "bogus", "x", "--replicas=1"],
        &["scale", "deploy", "web", "-l", "a=b", "--replicas=2"],
        &[
            "scale",
            "deploy/web",
            "rs/solo",
            "--replicas=2",
            "--resource-version=5",
        ],
        &["scale", "-f", "solo.yaml", "deploy", "--replicas=2"],
    ];
    for args in cases {
        both(&ours, &theirs, args).await;
    }

    // The deprecated --record: the command line lands in the change-cause annotation.
    both(
        &ours,
        &theirs,
        &["scale", "deploy", "web", "--replicas=2", "--record"],
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
    let program = std::path::Path::new(common::ORACLE)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(got, want.replacen(&program, "kubectl-rs", 1));
    assert!(got.starts_with("kubectl-rs "), "{got}");

    // v1.36: nothing found means the lookup errors alone, as `get` words them.
    let lookups: [&[&str]; 3] = [&["nope"], &["nope", "nope2"], &["web", "-n", "foo"]];
    for names in lookups {
        let mut get = vec!["get", "deploy"];
        get.extend_from_slice(names);
        let want = theirs_run(&theirs, &get).await;
        let mut scale = vec!["scale", "deploy", "--replicas=1"];
        scale.extend_from_slice(names);
        let got = ours_run(&ours, &scale).await;
        assert_eq!((got.stderr, got.code), (want.stderr, want.code));
        assert!(got.stdout.is_empty());
    }

    // The same for a file whose kind the server does not serve: v1.36 prints the mapping error.
    let args = ["scale", "-f", "unknown-kind.yaml", "--replicas=2"];
    let mut want = theirs_run(&theirs, &args).await;
    want.stderr = want
        .stderr
        .replacen("error: no objects passed to scale ", "error: ", 1);
    assert_same(&args.join(" "), &ours_run(&ours, &args).await, &want);

    // v1.36 prints the new size, on a real scale and on a client dry run alike.
    let got = ours_run(
        &ours,
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=5",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    )
    .await;
    assert_eq!((got.stdout.as_str(), got.code), ("5", 0));
    let got = ours_run(
        &ours,
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=6",
            "--dry-run=client",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    )
    .await;
    assert_eq!((got.stdout.as_str(), got.code), ("6", 0));
    let live = ours_run(
        &ours,
        &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
    )
    .await;
    assert_eq!(live.stdout, "5");

    // A precondition on a resource version that moved on.
    let rv = ours_run(
        &ours,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ],
    )
    .await
    .stdout;
    let got = ours
        .ours(&[
            "scale",
            "deploy",
            "web",
            "--replicas=2",
            "--resource-version=1",
        ])
        .await;
    assert_eq!(
        got.stderr,
        format!("error: Expected resource version to be 1, was {rv}\n")
    );
    let got = ours
        .ours(&[
            "scale",
            "deploy",
            "web",
            "--replicas=2",
            &format!("--resource-version={rv}"),
        ])
        .await;
    assert_eq!(
        (got.stdout.as_str(), got.code),
        ("deployment.apps/web scaled\n", 0)
    );
}
