//! `exec` into containers the sandbox simulates: the real kubectl and kubectl-rs run the same
//! commands in the same pods (over the sandbox's `pods/exec` WebSocket) and must print the
//! same bytes and exit with the same code. The clock is manual: nothing moves unless advanced.

use std::process::Stdio;
use std::time::Duration;

use crate::common::{advancing, assert_same, Output, TestEnv};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

const PODS: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {key: hello-value}
---
apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'sleep infinity']
    env: [{name: GREETING, value: hi}]
    volumeMounts: [{name: cfg, mountPath: /etc/config}]
  volumes: [{name: cfg, configMap: {name: cfg}}]
---
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  containers:
  - {name: a, image: busybox, command: [sh, -c, 'sleep infinity']}
  - {name: b, image: busybox, command: [sh, -c, 'sleep infinity'], env: [{name: WHO, value: bee}]}
---
apiVersion: v1
kind: Pod
metadata: {name: half}
spec:
  restartPolicy: Never
  containers:
  - {name: a, image: busybox, command: [sh, -c, 'sleep infinity']}
  - {name: b, image: busybox, command: [sh, -c, 'exit 0']}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: busybox, command: [sh, -c, 'sleep infinity']}
"#;

fn theirs_as_ours(o: Output) -> Output {
    Output {
        stderr: as_v136(&o.stderr).replace("'kubectl exec", "'kubectl-rs exec"),
        ..o
    }
}

/// kubectl v1.36 checks `-c` against the pod's containers itself (podcmd
/// `FindContainerByName`) before asking the server; v1.33 let the server refuse it. Checked
/// with the kit's kubectl v1.36.2: `error: container zz is not valid for pod P out of: C`.
fn as_v136(stderr: &str) -> String {
    stderr.replace(
        "Error from server (BadRequest): container zz is not valid for pod two\n",
        "error: container zz is not valid for pod two out of: a, b\n",
    )
}

async fn same(env: &TestEnv, args: &[&str]) -> Output {
    let ours = env.ours(args).await;
    if let Some(theirs) = env.kubectl(args).await {
        assert_same(&args.join(" "), &ours, &theirs_as_ours(theirs));
    }
    ours
}

async fn run_with_stdin(
    env: &TestEnv,
    program: &str,
    args: &[&str],
    cache: &str,
    input: &[u8],
) -> Output {
    let mut c = env.command(program, args, cache);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).await.expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().await.expect("wait");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn pod_status(env: &TestEnv, name: &str) -> Value {
    env.sandbox
        .store()
        .get(
            &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
            "default",
            name,
        )
        .map(|p| p["status"].clone())
        .unwrap_or_default()
}

fn running(env: &TestEnv, name: &str) -> bool {
    env.sandbox
        .store()
        .get(
            &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
            "default",
            name,
        )
        .is_some_and(|p: Value| {
            p["status"]["containerStatuses"]
                .as_array()
                .is_some_and(|cs| cs.iter().all(|c| c["state"]["running"].is_object()))
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_in_simulated_containers_matches_kubectl() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env, "one")
            && running(&env, "two")
            && env
                .sandbox
                .store()
                .list(
                    &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
                    Some("default"),
                )
                .0
                .iter()
                .any(|p| {
                    p["metadata"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("web-"))
                        && p["status"]["containerStatuses"][0]["state"]["running"].is_object()
                })
            && pod_status(&env, "half")["containerStatuses"][1]["state"]["terminated"].is_object()
    })
    .await;
    // A mounted ConfigMap key, the container's environment.
    let cat = same(&env, &["exec", "one", "--", "cat", "/etc/config/key"]).await;
    assert_eq!(
        (cat.stdout.as_str(), cat.code),
        ("hello-value", 0),
        "{cat:?}"
    );
    let envv = same(&env, &["exec", "one", "--", "sh", "-c", "echo $GREETING"]).await;
    assert_eq!(envv.stdout, "hi\n", "{envv:?}");
    // A failing command: its stderr, kubectl's line, and its exit code.
    let fail = same(
        &env,
        &[
            "exec",
            "one",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ],
    )
    .await;
    assert_eq!(fail.code, 3, "{fail:?}");
    assert_eq!(fail.stdout, "out\n");
    assert_eq!(fail.stderr, "err\ncommand terminated with exit code 3\n");
    // A program the container does not have ends with sh's 127 rather than running forever.
    let missing = same(&env, &["exec", "one", "--", "sh", "-c", "nosuchcmd"]).await;
    assert_eq!(missing.code, 127, "{missing:?}");
    assert_eq!(
        missing.stderr,
        "sh: nosuchcmd: not found\ncommand terminated with exit code 127\n"
    );
    // Several containers: the default one with kubectl's notice (or not, with -q), one by name.
    let def = same(&env, &["exec", "two", "--", "hostname"]).await;
    assert_eq!(
        def.stderr, "Defaulted container \"a\" out of: a, b\n",
        "{def:?}"
    );
    let quiet = same(&env, &["exec", "-q", "two", "--", "true"]).await;
    assert_eq!(quiet.stderr, "", "{quiet:?}");
    let b = same(
        &env,
        &["exec", "two", "-c", "b", "--", "sh", "-c", "echo $WHO"],
    )
    .await;
    assert_eq!(b.stdout, "bee\n", "{b:?}");
    same(
        &env,
        &["exec", "pod/two", "-c", "a", "--", "ls", "/etc/config"],
    )
    .await;
    // -i: stdin reaches the command and ends it.
    let input = b"line one\nline two\n";
    let args = ["exec", "-i", "one", "--", "cat"];
    let ours = run_with_stdin(
        &env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        &args,
        "cache-rs",
        input,
    )
    .await;
    assert_eq!(
        (ours.stdout.as_str(), ours.code),
        ("line one\nline two\n", 0),
        "{ours:?}"
    );
    if let Some(k) = crate::common::oracle() {
        let theirs = run_with_stdin(&env, k, &args, "cache-kubectl", input).await;
        assert_same("exec -i one -- cat", &ours, &theirs);
    }
    let wc = ["exec", "-i", "one", "--", "wc", "-l"];
    let ours = run_with_stdin(
        &env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        &wc,
        "cache-rs",
        input,
    )
    .await;
    assert!(ours.stdout.trim() == "2", "{ours:?}");
    // Errors; nothing on the server changes.
    let before = env.ours(&["get", "pods,configmaps", "-o", "json"]).await;
    for args in [
        &["exec"][..],
        &["exec", "one"],
        &["exec", "one", "--"],
        &["exec", "one", "cat", "/etc/hostname"],
        &["exec", "nope", "--", "true"],
        &["exec", "deploy/nope", "--", "true"],
        &["exec", "cm/cfg", "--", "true"],
        &["exec", "two", "-c", "zz", "--", "true"],
        &["exec", "half", "-c", "b", "--", "true"],
        &["exec", "one", "--pod-running-timeout=0", "--", "true"],
    ] {
        let out = same(&env, args).await;
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
    }
    let after = env.ours(&["get", "pods,configmaps", "-o", "json"]).await;
    assert_eq!(before, after);
}
