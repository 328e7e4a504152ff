//! `cluster-info dump` with the real kubectl (the oracle, v1.33) on the same sandbox: stdout,
//! stderr, exit code, and with `--output-directory` the same files with the same contents.
//! v1.36 creates the directories 0700 and the files 0600 (kubectl commit "restrict cluster-info
//! dump output permissions"), v1.33 with the umask: kubectl-rs's modes are checked apart.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common;
use common::{assert_same, Output, TestEnv};

const WORKLOADS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  initContainers:
  - name: init
    image: busybox
    command: [sh, -c, 'echo init done']
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'echo hello from main; echo second line']
  - name: side
    image: busybox
    command: [sh, -c, 'echo side']
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: default
spec:
  selector: {app: api}
  ports:
  - port: 80
";

/// Every file under `dir`, by relative path, with its normalized contents (v1.36's omitted
/// zero `creationTimestamp` applied: kubectl-rs never prints it).
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                let text = std::fs::read_to_string(&p).unwrap();
                let text = without_null_creation_timestamp(&text);
                out.insert(rel, common::normalize::normalize(&text));
            }
        }
    }
    out
}

fn without_null_creation_timestamp(s: &str) -> String {
    if s.contains("\"creationTimestamp\": null") || s.contains("creationTimestamp: null") {
        crate::create::without_null_creation_timestamp(s)
    } else {
        s.to_string()
    }
}

/// kubectl's output with v1.36's differences: `kyaml` among the output formats, typed
/// objects without their zero `creationTimestamp` (kubernetes#130989).
fn v136(o: Output) -> Output {
    Output {
        stdout: without_null_creation_timestamp(&o.stdout),
        // kubectl-rs names itself in cobra's usage hint.
        stderr: o
            .stderr
            .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,")
            .replace("'kubectl cluster-info", "'kubectl-rs cluster-info"),
        ..o
    }
}

async fn setup() -> TestEnv {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("workloads.yaml"), WORKLOADS).unwrap();
    let out = env.ours(&["apply", "-f", "workloads.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // Let the kubelet start the pods and the containers write their logs.
    common::advancing(&env, std::time::Duration::from_secs(1), || async {
        let out = env
            .ours(&["get", "pod", "web", "-o", "jsonpath={.status.phase}"])
            .await;
        out.stdout == "Running"
    })
    .await;
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_matches_kubectl() {
    let env = setup().await;
    let cases: &[&[&str]] = &[
        &["cluster-info", "dump"],
        &["cluster-info", "dump", "-A"],
        &[
            "cluster-info",
            "dump",
            "--namespaces",
            "default,kube-public",
            "-o",
            "yaml",
        ],
        &[
            "cluster-info",
            "dump",
            "-n",
            "kube-public",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ],
        &["cluster-info", "dump", "--namespaces", "nope"],
        &[
            "cluster-info",
            "dump",
            "--output-directory",
            "-",
            "--namespaces",
            "default",
        ],
        &["cluster-info", "dump", "-o", "bogus"],
        &["cluster-info", "dump", "-o", "wide"],
        &["cluster-info", "dump", "--pod-running-timeout=0"],
        &["cluster-info", "dump", "--pod-running-timeout=soon"],
        &[
            "cluster-info",
            "dump",
            "--pod-running-timeout=5s",
            "--namespaces",
            "default",
        ],
        &[
            "cluster-info",
            "dump",
            "--output-directory",
            "workloads.yaml",
        ],
    ];
    for args in cases {
        let Some(theirs) = env.kubectl(args).await else {
            return;
        };
        let ours = env.ours(args).await;
        assert_same(
            &args.join(" "),
            &ours.normalized(),
            &v136(theirs).normalized(),
        );
    }
    // Into directories: the same files with the same contents.
    for (extra, ext) in [(&[][..], "json"), (&["-o", "yaml", "-A"][..], "yaml")] {
        let mine = env.dir.path().join(format!("mine-{ext}"));
        let theirs = env.dir.path().join(format!("theirs-{ext}"));
        let mut a = vec!["cluster-info", "dump", "--output-directory"];
        let t = theirs.display().to_string();
        let m = mine.display().to_string();
        let mut b = a.clone();
        a.push(&t);
        b.push(&m);
        a.extend(extra);
        b.extend(extra);
        let their_out = env.kubectl(&a).await.unwrap();
        let our_out = env.ours(&b).await;
        assert_eq!(
            our_out.stdout.replace(&m, "DIR"),
            their_out.stdout.replace(&t, "DIR")
        );
        assert_eq!((our_out.code, &our_out.stderr), (0, &String::new()));
        let (ours, theirs) = (tree(&mine), tree(&theirs));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        assert!(
            ours.contains_key("default/web/logs.txt"),
            "{:?}",
            ours.keys()
        );
        assert!(ours.contains_key(&format!("nodes.{ext}")));
        for (k, v) in &ours {
            assert_eq!(v, &theirs[k], "{ext}: {k}");
        }
        assert!(ours["default/web/logs.txt"].contains(
            "==== END logs for container init of pod default/web ====\n==== START logs for container main of pod default/web ====\nhello from main\nsecond line\n==== END logs for container main of pod default/web ====\n"
        ), "{}", ours["default/web/logs.txt"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&mine.join("default")), 0o700);
            assert_eq!(mode(&mine.join(format!("nodes.{ext}"))), 0o600);
            assert_eq!(mode(&mine.join("default/web/logs.txt")), 0o600);
        }
    }
}
