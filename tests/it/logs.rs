//! `logs` against containers the sandbox simulates: the real kubectl and kubectl-rs read the
//! same sandbox (so the same pods, logs and times) and must print the same bytes and exit with
//! the same code. Time is the sandbox's manual clock: containers `sleep` on it, so advancing it
//! is what makes a ticking loop print.

use std::time::Duration;

use crate::common::running::Running;
use crate::common::{advancing, assert_same, Output, TestEnv};
use serde_json::Value;

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: ticker
  labels: {app: ticker}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done']
---
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo "run at $(date +%s)"; echo failing >&2; sleep 1; exit 3']
---
apiVersion: v1
kind: Pod
metadata:
  name: two
  labels: {app: two}
spec:
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, 'echo init done']}
  containers:
  - {name: a, image: busybox, command: [sh, -c, 'echo "from a: $(cat /etc/hostname)"; sleep infinity']}
  - {name: b, image: nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox
        command: [sh, -c, 'echo "hello from $HOSTNAME"; while true; do sleep 5; echo still here; done']
"#;

fn pod(env: &TestEnv, name: &str) -> Option<Value> {
    env.sandbox.store().get(
        &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
        "default",
        name,
    )
}

/// Lets the controllers act on the last clock step before a condition is checked (the
/// polling interval of `advancing`, as `eventually` has one).
async fn settled() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

fn running(env: &TestEnv, name: &str) -> bool {
    pod(env, name).is_some_and(|p| p["status"]["phase"] == "Running")
}

/// kubectl-rs names itself in usage hints.
fn theirs_as_ours(o: Output) -> Output {
    Output {
        stderr: o.stderr.replace("'kubectl logs", "'kubectl-rs logs"),
        ..o
    }
}

async fn same(env: &TestEnv, args: &[&str]) -> Output {
    let ours = env.ours(args).await;
    if let Some(theirs) = env.kubectl(args).await {
        assert_same(&args.join(" "), &ours, &theirs_as_ours(theirs));
    }
    ours
}

/// Like `same`, with the stdout lines compared in sorted order (kubectl reads several pods'
/// logs from a Go map, in a random order).
async fn same_lines(env: &TestEnv, args: &[&str]) -> Output {
    let sorted = |o: &Output| {
        let mut l: Vec<&str> = o.stdout.lines().collect();
        l.sort();
        Output {
            stdout: l.join("\n"),
            ..o.clone()
        }
    };
    let ours = env.ours(args).await;
    if let Some(theirs) = env.kubectl(args).await {
        assert_same(
            &args.join(" "),
            &sorted(&ours),
            &sorted(&theirs_as_ours(theirs)),
        );
    }
    ours
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_simulated_containers_match_kubectl() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        ["ticker", "crash", "two"].iter().all(|p| {
            pod(&env, p)
                .is_some_and(|p| p["status"]["containerStatuses"][0]["containerID"].is_string())
        })
    })
    .await;
    crate::common::eventually(|| async { running(&env, "ticker") && running(&env, "two") }).await;
    // Ten seconds of cluster time: the loop ticks once a second.
    env.advance(Duration::from_secs(10));
    crate::common::eventually(|| async {
        env.ours(&["logs", "ticker", "--tail=1"])
            .await
            .stdout
            .starts_with("tick 1")
    })
    .await;
    let all = same(&env, &["logs", "ticker"]).await;
    assert!(
        all.stdout.starts_with("tick 0\ntick 1\ntick 2\n"),
        "{all:?}"
    );
    let tail = same(&env, &["logs", "ticker", "--tail", "3"]).await;
    assert_eq!(tail.stdout.lines().count(), 3, "{tail:?}");
    let since = same(&env, &["logs", "ticker", "--since=3s"]).await;
    assert!(!since.stdout.contains("tick 0\n"), "{since:?}");
    let ts = same(&env, &["logs", "ticker", "--timestamps", "--tail=2"]).await;
    assert!(ts.stdout.lines().all(|l| l.contains("Z tick ")), "{ts:?}");
    same(&env, &["logs", "ticker", "--limit-bytes=10"]).await;
    same(&env, &["logs", "ticker", "-p"]).await;
    same(&env, &["logs", "-l", "app=ticker", "--prefix", "--tail=2"]).await;
    same(&env, &["logs", "pod/ticker", "--tail=1", "-c", "nope"]).await;
    // Several containers: the default one with kubectl's notice, one by name, all of them.
    let two = same(&env, &["logs", "two"]).await;
    assert_eq!(two.stdout, "from a: two\n", "{two:?}");
    same(&env, &["logs", "two", "b"]).await;
    // kubectl v1.33 also keeps one pod's containers in a Go map: init and app logs come in a
    // random order.
    same_lines(&env, &["logs", "two", "--all-containers", "--prefix"]).await;
    same(&env, &["logs", "two", "-c", "zz"]).await;
    // A workload: the first of its pods.
    advancing(&env, Duration::from_millis(500), || async {
        let out = env
            .ours(&["get", "pods", "-l", "app=web", "-o", "name"])
            .await;
        out.stdout.lines().count() == 2
            && out
                .stdout
                .lines()
                .all(|p| running(&env, p.trim_start_matches("pod/")))
    })
    .await;
    let web = same(&env, &["logs", "deploy/web"]).await;
    assert!(
        web.stderr.starts_with("Found 2 pods, using pod/web-"),
        "{web:?}"
    );
    same_lines(&env, &["logs", "-l", "app=web", "--prefix"]).await;
    same(
        &env,
        &["logs", "-f", "-l", "app=web", "--max-log-requests=1"],
    )
    .await;
    // Errors.
    for args in [
        &["logs"][..],
        &["logs", "nope"],
        &["logs", "a", "b", "c"],
        &["logs", "-l", "app=web", "ticker"],
        &["logs", "ticker", "--tail=-2"],
        &["logs", "ticker", "--since-time=yesterday"],
        &[
            "logs",
            "ticker",
            "--since=1s",
            "--since-time=2024-01-01T00:00:00Z",
        ],
        &["logs", "ticker", "--all-containers", "-c", "c"],
        &["logs", "cm/kube-root-ca.crt"],
    ] {
        let out = same(&env, args).await;
        assert_ne!(out.code, 0, "{args:?}: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_container_backs_off_and_keeps_its_previous_log() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // Run, crash, restart at once, crash again: back-off.
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        pod(&env, "crash").is_some_and(|p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        })
    })
    .await;
    let p = pod(&env, "crash").unwrap();
    let cs = &p["status"]["containerStatuses"][0];
    assert_eq!(cs["restartCount"], 1, "{cs}");
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 3, "{cs}");
    assert_eq!(cs["lastState"]["terminated"]["reason"], "Error", "{cs}");
    assert!(cs["state"]["waiting"]["message"]
        .as_str()
        .unwrap()
        .starts_with("back-off 10s restarting failed container=c pod=crash_default("));
    let get = same(&env, &["get", "pod", "crash"]).await;
    assert!(get.stdout.contains("CrashLoopBackOff"), "{get:?}");
    assert!(get.stdout.contains(" 1 ("), "{get:?}");
    // Waiting in back-off, the kubelet serves the last terminated instance both as the
    // current log and as the previous one.
    let cur = same(&env, &["logs", "crash"]).await;
    assert!(cur.stdout.ends_with("failing\n"), "{cur:?}");
    let prev = same(&env, &["logs", "crash", "-p", "--timestamps"]).await;
    assert!(prev.stdout.contains("Z run at "), "{prev:?}");
    // Ten seconds later it runs again (restart 2), then backs off for 20s.
    advancing(&env, Duration::from_secs(1), || async {
        settled().await;
        pod(&env, "crash").is_some_and(|p| {
            let cs = &p["status"]["containerStatuses"][0];
            cs["restartCount"] == 2 && cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        })
    })
    .await;
    let p = pod(&env, "crash").unwrap();
    assert!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
            .as_str()
            .unwrap()
            .starts_with("back-off 20s ")
    );
    same(&env, &["get", "pods", "crash", "ticker"]).await;
    // A pod whose containers do not restart ends Failed; its log stays readable.
    let job = env
        .ours(&[
            "create",
            "job",
            "once",
            "--image=busybox",
            "--",
            "sh",
            "-c",
            "echo done; exit 0",
        ])
        .await;
    assert_eq!(job.code, 0, "{job:?}");
    advancing(&env, Duration::from_millis(500), || async {
        env.ours(&["get", "jobs", "once", "-o", "jsonpath={.status.succeeded}"])
            .await
            .stdout
            == "1"
    })
    .await;
    let logs = same(&env, &["logs", "job/once"]).await;
    assert_eq!(logs.stdout, "done\n");
}

const WIRED: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello, mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cr3t}
---
apiVersion: v1
kind: Pod
metadata:
  name: wired
  labels: {tier: demo}
spec:
  volumes:
  - {name: cfg, configMap: {name: settings}}
  - {name: shared, emptyDir: {}}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
  containers:
  - name: writer
    image: busybox
    env:
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: PASS, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: GREETING_TWICE, value: "$(POD)-$(POD)"}
    envFrom:
    - {prefix: CFG_, configMapRef: {name: settings}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: shared, mountPath: /data}
    - {name: info, mountPath: /etc/info}
    command: [sh, -c]
    args:
    - |
      echo "$(cat /etc/cfg/greeting) from $POD ($GREETING_TWICE) mode=$CFG_mode pass-len=${#PASS}"
      cat /etc/info/labels; echo
      ls /etc/cfg
      grep nameserver /etc/resolv.conf
      wc -c < /var/run/secrets/kubernetes.io/serviceaccount/namespace
      echo shared-note > /data/note
      echo nope > /etc/cfg/x || echo "read-only: $?"
      sleep infinity
  - name: reader
    image: busybox
    volumeMounts:
    - {name: shared, mountPath: /in}
    command: [sh, -c, 'while [ ! -f /in/note ]; do sleep 1; done; cat /in/note; sleep infinity']
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_see_their_volumes_and_environment() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("wired.yaml"), WIRED).unwrap();
    let out = env.ours(&["apply", "-f", "wired.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        env.ours(&["logs", "wired", "-c", "reader"]).await.stdout == "shared-note\n"
    })
    .await;
    let w = same(&env, &["logs", "wired", "-c", "writer"]).await;
    assert_eq!(
        w.stdout,
        "hello from wired (wired-wired) mode=fast pass-len=6\ntier=\"demo\"\ngreeting\nmode\nnameserver 10.96.0.10\n7\nsh: can't create /etc/cfg/x: Read-only file system\nread-only: 1\n"
    );
    // The secret's value is in the environment, never in what the API returns about it.
    assert!(!w.stdout.contains("s3cr3t"));
    // kubectl keeps the containers' requests in a Go map: their order is random.
    same_lines(&env, &["logs", "wired", "--all-containers", "--prefix"]).await;
}

const TRAPPER: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: trapper}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'trap "echo got TERM; exit 0" TERM; echo up; while true; do sleep 1; done']
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_sends_sigterm_which_a_trap_can_catch() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("trapper.yaml"), TRAPPER).unwrap();
    let out = env.ours(&["apply", "-f", "trapper.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        env.ours(&["logs", "trapper"]).await.stdout == "up\n"
    })
    .await;
    let out = env
        .ours(&["delete", "pod", "trapper", "--wait=false"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    // Terminating, not yet removed (the clock has not moved): the trap ran.
    crate::common::eventually(|| async {
        env.ours(&["logs", "trapper"]).await.stdout == "up\ngot TERM\n"
    })
    .await;
    same(&env, &["logs", "trapper"]).await;
}

/// `logs -f` of the ticking loop for a few seconds of cluster time: each CLI prints the log
/// so far, then every new line as the container writes it, until Ctrl-C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_streams_new_lines_until_interrupted() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        env.ours(&["logs", "ticker"]).await.stdout == "tick 0\n"
    })
    .await;
    let args = ["logs", "-f", "ticker"];
    let mut followers = vec![Running::ours(&env, &args)];
    followers.extend(Running::kubectl(&env, &args));
    // Each follows once it printed the log so far; then each second of cluster time is a
    // line (the clock moves only when every follower has the previous one).
    let mut expect = "tick 0\n".to_string();
    for i in 1..=3 {
        crate::common::eventually(|| async { followers.iter().all(|f| f.seen() == expect) }).await;
        env.advance(Duration::from_secs(1));
        expect.push_str(&format!("tick {i}\n"));
    }
    crate::common::eventually(|| async { followers.iter().all(|f| f.seen() == expect) }).await;
    let theirs = match followers.len() {
        2 => Some(followers.pop().unwrap().interrupt().await),
        _ => None,
    };
    let ours = followers.pop().unwrap().interrupt().await;
    // kubectl's interrupt handler: exit 1, nothing more printed.
    assert_eq!(
        (ours.stdout.as_str(), ours.stderr.as_str(), ours.code),
        (expect.as_str(), "", 1),
        "{ours:?}"
    );
    if let Some(theirs) = theirs {
        assert_same("logs -f ticker, then Ctrl-C", &ours, &theirs);
    }
}
