//! The simulated kubelet's pod lifecycle as kubectl shows it: init containers run one after
//! the other before the app containers (`Init:N/M`, `Init:Error`, `Init:CrashLoopBackOff`,
//! `PodInitializing`, sidecars). The real kubectl and kubectl-rs read the same sandbox and must print the same;
//! time is the sandbox's manual clock.

use std::time::Duration;

use crate::common::{advancing, assert_same, Output, TestEnv};
use serde_json::Value;

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: kubelet-inits
spec:
  initContainers:
  - {name: first, image: busybox, command: [sh, -c, 'echo first here; sleep 5']}
  - {name: second, image: busybox, command: [sh, -c, 'echo second here; sleep 5']}
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'echo app here; sleep infinity']}
---
apiVersion: v1
kind: Pod
metadata:
  name: kubelet-initfail
spec:
  restartPolicy: Never
  initContainers:
  - {name: bad, image: busybox, command: [sh, -c, 'echo cannot; exit 2']}
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'sleep infinity']}
---
apiVersion: v1
kind: Pod
metadata:
  name: kubelet-initloop
spec:
  initContainers:
  - {name: flaky, image: busybox, command: [sh, -c, 'sleep 1; exit 1']}
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'sleep infinity']}
---
apiVersion: v1
kind: Pod
metadata:
  name: kubelet-sidecar
spec:
  initContainers:
  - {name: proxy, image: busybox, restartPolicy: Always, command: [sh, -c, 'echo proxy up; sleep infinity']}
  - {name: setup, image: busybox, command: [sh, -c, 'echo setup done']}
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'sleep infinity']}
"#;

fn pod(env: &TestEnv, name: &str) -> Option<Value> {
    env.sandbox.store().get(
        &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
        "default",
        name,
    )
}

async fn settled() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

/// kubectl-rs names itself in usage hints.
fn theirs_as_ours(o: Output) -> Output {
    Output {
        stderr: o.stderr.replace("'kubectl ", "'kubectl-rs "),
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

/// The STATUS and RESTARTS cells of `get pod NAME` (as both CLIs print them).
async fn status(env: &TestEnv, name: &str) -> String {
    let out = same(env, &["get", "pod", name, "--no-headers"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let cells: Vec<&str> = out.stdout.split_whitespace().collect();
    format!("{} {} {}", cells[1], cells[2], cells[3])
}

fn init_state(env: &TestEnv, pod_name: &str, i: usize) -> Value {
    pod(env, pod_name)
        .map(|p| p["status"]["initContainerStatuses"][i]["state"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_containers_run_in_order_before_the_app() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // The first init container runs; the second and the app wait.
    advancing(&env, Duration::from_millis(200), || async {
        settled().await;
        init_state(&env, "kubelet-inits", 0)["running"].is_object()
    })
    .await;
    let p = pod(&env, "kubelet-inits").unwrap();
    let st = &p["status"];
    assert_eq!(st["phase"], "Pending", "{st}");
    assert_eq!(
        st["initContainerStatuses"][1]["state"]["waiting"]["reason"],
        "PodInitializing"
    );
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"],
        "PodInitializing"
    );
    assert_eq!(st["initContainerStatuses"][0]["started"], true);
    assert_eq!(st["initContainerStatuses"][0]["ready"], false);
    let init = st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Initialized")
        .unwrap();
    assert_eq!(init["status"], "False");
    assert_eq!(
        init["message"],
        "containers with incomplete status: [first second]"
    );
    assert_eq!(status(&env, "kubelet-inits").await, "0/1 Init:0/2 0");
    // The app has not started: kubectl's waiting message.
    let logs = same(&env, &["logs", "kubelet-inits"]).await;
    assert_ne!(logs.code, 0);
    assert!(logs.stderr.contains("PodInitializing"), "{logs:?}");
    let logs = same(&env, &["logs", "kubelet-inits", "-c", "first"]).await;
    assert_eq!(logs.stdout, "first here\n");

    // Five seconds later the first is done and the second runs.
    advancing(&env, Duration::from_secs(1), || async {
        settled().await;
        init_state(&env, "kubelet-inits", 1)["running"].is_object()
    })
    .await;
    let p = pod(&env, "kubelet-inits").unwrap();
    let first = &p["status"]["initContainerStatuses"][0];
    assert_eq!(
        first["state"]["terminated"]["reason"], "Completed",
        "{first}"
    );
    assert_eq!(first["ready"], true);
    assert_eq!(first["started"], false);
    assert_eq!(status(&env, "kubelet-inits").await, "0/1 Init:1/2 0");

    // The second is done: for a moment (the kubelet's next sync) the pod is initialized and
    // still pending, its app container waiting with `PodInitializing`.
    advancing(&env, Duration::from_millis(100), || async {
        settled().await;
        init_state(&env, "kubelet-inits", 1)["terminated"].is_object()
    })
    .await;
    let p = pod(&env, "kubelet-inits").unwrap();
    let st = &p["status"];
    assert_eq!(st["phase"], "Pending", "{st}");
    assert_eq!(
        st["containerStatuses"][0]["state"]["waiting"]["reason"], "PodInitializing",
        "{st}"
    );
    let init = st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Initialized")
        .unwrap();
    assert_eq!(init["status"], "True", "{st}");
    assert_eq!(status(&env, "kubelet-inits").await, "0/1 PodInitializing 0");
    let args = ["describe", "pod", "kubelet-inits"];
    let described = env.ours(&args).await;
    if let Some(theirs) = env.kubectl(&args).await {
        // v1.36 puts the container's field path before a kubelet event's message ("kubectl:
        // include container fieldPath in event messages"); v1.33 does not.
        let v133 = Output {
            stdout: described
                .stdout
                .lines()
                .map(|l| match (l.find("spec.initContainers{"), l.find("}: ")) {
                    (Some(a), Some(b)) if a < b => format!("{}{}\n", &l[..a], &l[b + 3..]),
                    _ => format!("{l}\n"),
                })
                .collect(),
            ..described.clone()
        };
        // The events' ages are relative to each CLI's own start: normalised (alignment aside).
        let aged = |o: &Output| Output {
            stdout: crate::common::normalize::normalize(&o.stdout),
            ..o.clone()
        };
        assert_same("describe pod kubelet-inits", &aged(&v133), &aged(&theirs));
    }
    assert!(
        described.stdout.contains("Status:           Pending\n"),
        "{}",
        described.stdout
    );
    assert!(
        described
            .stdout
            .contains("    State:          Waiting\n      Reason:       PodInitializing\n"),
        "{}",
        described.stdout
    );

    // Then the app runs.
    advancing(&env, Duration::from_secs(1), || async {
        settled().await;
        pod(&env, "kubelet-inits").is_some_and(|p| p["status"]["phase"] == "Running")
    })
    .await;
    assert_eq!(status(&env, "kubelet-inits").await, "1/1 Running 0");
    // The app's process runs on its own: wait for its first line.
    crate::common::eventually(|| async {
        env.ours(&["logs", "kubelet-inits", "-c", "app"])
            .await
            .stdout
            .contains("app here")
    })
    .await;
    let logs = same(&env, &["logs", "kubelet-inits", "-c", "second"]).await;
    assert_eq!(logs.stdout, "second here\n");
    // kubectl v1.33 reads the containers' logs from a Go map (in any order): compare lines.
    let args = ["logs", "kubelet-inits", "--all-containers"];
    let ours = env.ours(&args).await;
    assert_eq!(ours.stdout, "first here\nsecond here\napp here\n");
    if let Some(theirs) = env.kubectl(&args).await {
        let mut want: Vec<&str> = theirs.stdout.lines().collect();
        want.sort();
        assert_eq!(want, ["app here", "first here", "second here"]);
    }
    // The events name the init containers by their field path, in order.
    let ev = env.sandbox.store().list(
        &kubectl_rs::sandbox::store::GroupResource::new("", "events"),
        Some("default"),
    );
    let started: Vec<String> =
        ev.0.iter()
            .filter(|e| e["involvedObject"]["name"] == "kubelet-inits" && e["reason"] == "Started")
            .map(|e| {
                e["involvedObject"]["fieldPath"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
    assert_eq!(
        started,
        [
            "spec.initContainers{first}",
            "spec.initContainers{second}",
            "spec.containers{app}"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_init_containers_fail_or_back_off_by_restart_policy() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // restartPolicy Never: the pod fails with its init container.
    advancing(&env, Duration::from_millis(200), || async {
        settled().await;
        pod(&env, "kubelet-initfail").is_some_and(|p| p["status"]["phase"] == "Failed")
    })
    .await;
    assert_eq!(status(&env, "kubelet-initfail").await, "0/1 Init:Error 0");
    let p = pod(&env, "kubelet-initfail").unwrap();
    assert_eq!(
        p["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"],
        2
    );
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "PodInitializing"
    );
    let logs = same(&env, &["logs", "kubelet-initfail", "-c", "bad"]).await;
    assert_eq!(logs.stdout, "cannot\n");

    // restartPolicy Always: retried with the crash back-off; the app never starts.
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        init_state(&env, "kubelet-initloop", 0)["waiting"]["reason"] == "CrashLoopBackOff"
    })
    .await;
    assert_eq!(
        status(&env, "kubelet-initloop").await,
        "0/1 Init:CrashLoopBackOff 1"
    );
    let get = same(&env, &["get", "pod", "kubelet-initloop"]).await;
    assert!(get.stdout.contains(" 1 ("), "{get:?}");
    let p = pod(&env, "kubelet-initloop").unwrap();
    assert_eq!(p["status"]["phase"], "Pending");
    let cs = &p["status"]["initContainerStatuses"][0];
    assert_eq!(cs["lastState"]["terminated"]["reason"], "Error", "{cs}");
    assert!(cs["state"]["waiting"]["message"]
        .as_str()
        .unwrap()
        .starts_with(
            "back-off 10s restarting failed container=flaky pod=kubelet-initloop_default("
        ));
    let prev = same(&env, &["logs", "kubelet-initloop", "-c", "flaky", "-p"]).await;
    assert_eq!(prev.code, 0, "{prev:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sidecars_start_before_the_next_init_container_and_keep_running() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(200), || async {
        settled().await;
        pod(&env, "kubelet-sidecar").is_some_and(|p| p["status"]["phase"] == "Running")
    })
    .await;
    let p = pod(&env, "kubelet-sidecar").unwrap();
    let proxy = &p["status"]["initContainerStatuses"][0];
    assert!(proxy["state"]["running"].is_object(), "{proxy}");
    assert_eq!(proxy["ready"], true);
    assert_eq!(
        p["status"]["initContainerStatuses"][1]["state"]["terminated"]["reason"],
        "Completed"
    );
    // The sidecar counts in READY.
    assert_eq!(status(&env, "kubelet-sidecar").await, "2/2 Running 0");
    let logs = same(&env, &["logs", "kubelet-sidecar", "-c", "proxy"]).await;
    assert_eq!(logs.stdout, "proxy up\n");
}

const PROBED: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: kubelet-live
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'touch /tmp/healthy; sleep 20; rm /tmp/healthy; sleep infinity']
    livenessProbe:
      exec: {command: [cat, /tmp/healthy]}
      periodSeconds: 5
      failureThreshold: 2
---
apiVersion: v1
kind: Pod
metadata:
  name: kubelet-unready
spec:
  containers:
  - name: web
    image: nginx
    readinessProbe:
      httpGet: {path: /healthz, port: 8080}
---
apiVersion: v1
kind: Pod
metadata:
  name: kubelet-ready
spec:
  containers:
  - name: web
    image: nginx
    ports: [{name: http, containerPort: 80}]
    readinessProbe:
      httpGet: {path: /, port: http}
    startupProbe:
      exec: {command: [sh, -c, 'test -e /tmp/up']}
      periodSeconds: 3
      failureThreshold: 100
    command: [sh, -c, 'sleep 7; touch /tmp/up; sleep infinity']
"#;

fn events_of(env: &TestEnv, pod_name: &str, reason: &str) -> Vec<String> {
    env.sandbox
        .store()
        .list(
            &kubectl_rs::sandbox::store::GroupResource::new("", "events"),
            Some("default"),
        )
        .0
        .iter()
        .filter(|e| e["involvedObject"]["name"] == pod_name && e["reason"] == reason)
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_restart_unhealthy_containers_and_gate_readiness() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("probed.yaml"), PROBED).unwrap();
    let out = env.ours(&["apply", "-f", "probed.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        ["kubelet-live", "kubelet-unready", "kubelet-ready"]
            .iter()
            .all(|n| pod(&env, n).is_some_and(|p| p["status"]["phase"] == "Running"))
    })
    .await;
    // A readiness probe of a port the container does not declare is refused: never ready.
    advancing(&env, Duration::from_millis(500), || async {
        settled().await;
        !events_of(&env, "kubelet-unready", "Unhealthy").is_empty()
    })
    .await;
    let p = pod(&env, "kubelet-unready").unwrap();
    let ip = p["status"]["podIP"].as_str().unwrap().to_string();
    assert_eq!(
        events_of(&env, "kubelet-unready", "Unhealthy")[0],
        format!(
            "Readiness probe failed: Get \"http://{ip}:8080/healthz\": dial tcp {ip}:8080: connect: connection refused"
        )
    );
    assert_eq!(status(&env, "kubelet-unready").await, "0/1 Running 0");
    let ready = p["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap()
        .clone();
    assert_eq!(ready["status"], "False");
    assert_eq!(ready["message"], "containers with unready status: [web]");
    // A startup probe holds `started` (and readiness) until it passes, 7s in.
    let p = pod(&env, "kubelet-ready").unwrap();
    assert_eq!(p["status"]["containerStatuses"][0]["started"], false);
    assert_eq!(status(&env, "kubelet-ready").await, "0/1 Running 0");
    advancing(&env, Duration::from_secs(1), || async {
        settled().await;
        pod(&env, "kubelet-ready")
            .is_some_and(|p| p["status"]["containerStatuses"][0]["ready"] == true)
    })
    .await;
    assert_eq!(status(&env, "kubelet-ready").await, "1/1 Running 0");
    assert!(events_of(&env, "kubelet-ready", "Unhealthy")
        .iter()
        .all(|m| m == "Startup probe failed: "));
    // The liveness probe passes for 20s, then fails twice: the container is restarted.
    advancing(&env, Duration::from_secs(1), || async {
        settled().await;
        pod(&env, "kubelet-live")
            .is_some_and(|p| p["status"]["containerStatuses"][0]["restartCount"] == 1)
    })
    .await;
    let unhealthy = events_of(&env, "kubelet-live", "Unhealthy");
    assert!(
        unhealthy[0].starts_with("Liveness probe failed: cat: "),
        "{unhealthy:?}"
    );
    assert_eq!(
        events_of(&env, "kubelet-live", "Killing"),
        ["Container app failed liveness probe, will be restarted"]
    );
    assert_eq!(status(&env, "kubelet-live").await, "1/1 Running 1");
    let desc = same(&env, &["get", "pod", "kubelet-live", "-o", "wide"]).await;
    assert_eq!(desc.code, 0);
}

/// `get cs`: computed component statuses with kube-apiserver's deprecation warning, on
/// success and on errors alike.
#[tokio::test]
async fn component_statuses_match_kubectl() {
    let env = TestEnv::start().await;
    let out = same(&env, &["get", "cs"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "Warning: v1 ComponentStatus is deprecated in v1.19+\n"
    );
    assert!(
        out.stdout.contains("etcd-0               Healthy   ok"),
        "{out:?}"
    );
    let out = same(&env, &["get", "cs", "etcd-0", "-o", "json"]).await;
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["metadata"], serde_json::json!({"name": "etcd-0"}));
    let out = same(&env, &["get", "cs", "nope"]).await;
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .ends_with("Error from server (NotFound): componentstatus \"nope\" not found\n"));
    same(&env, &["get", "componentstatuses", "-o", "name"]).await;
    same(&env, &["delete", "cs", "etcd-0"]).await;
}

/// The control-plane leases a v1.36 server shows in `kube-system` beside the node leases.
#[tokio::test]
async fn control_plane_leases_are_listed_like_a_real_cluster() {
    // Manual clock: AGE (seconds on a fresh cluster) cannot tick between the two CLIs' runs.
    let env = TestEnv::manual_clock().await;
    let out = same(&env, &["get", "leases", "-A", "--no-headers"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows: Vec<(String, String, String)> = out
        .stdout
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            (c[0].to_string(), c[1].to_string(), c[2].to_string())
        })
        .collect();
    let system: Vec<&(String, String, String)> =
        rows.iter().filter(|r| r.0 == "kube-system").collect();
    assert_eq!(system.len(), 3, "{rows:?}");
    assert!(system[0].1.starts_with("apiserver-") && system[0].1.len() == 36);
    assert!(system[0].2.starts_with(&format!("{}_", system[0].1)));
    assert_eq!(system[1].1, "kube-controller-manager");
    assert!(system[1].2.starts_with("kind-multinodes-control-plane_"));
    assert_eq!(system[2].1, "kube-scheduler");
    let out = same(
        &env,
        &[
            "get",
            "leases",
            "-n",
            "kube-system",
            "-l",
            "apiserver.kubernetes.io/identity=kube-apiserver",
            "-o",
            "name",
        ],
    )
    .await;
    assert_eq!(
        out.stdout,
        format!("lease.coordination.k8s.io/{}\n", system[0].1)
    );
}

/// Service ClusterIPs have IPAddress objects, as on a v1.36 server, created and removed with
/// their Service.
#[tokio::test]
async fn service_cluster_ips_have_ipaddresses() {
    // Manual clock: the AGE column cannot tick between the two CLIs' runs.
    let env = TestEnv::manual_clock().await;
    let out = env
        .ours(&[
            "create",
            "service",
            "clusterip",
            "kubelet-svc",
            "--tcp=80:80",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let ip = env
        .ours(&[
            "get",
            "svc",
            "kubelet-svc",
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .await
        .stdout;
    crate::common::eventually(|| async { env.ours(&["get", "ipaddress", &ip]).await.code == 0 })
        .await;
    let out = same(&env, &["get", "ipaddresses"]).await;
    assert!(
        out.stdout
            .contains(&format!("{ip}   services/default/kubelet-svc\n")),
        "{out:?}"
    );
    assert!(out.stdout.contains("10.96.0.1 "), "{out:?}");
    same(
        &env,
        &["get", "ip", &ip, "-o", "jsonpath={.metadata.labels}"],
    )
    .await;
    let out = env.ours(&["delete", "svc", "kubelet-svc"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    crate::common::eventually(|| async { env.ours(&["get", "ipaddress", &ip]).await.code == 1 })
        .await;
    same(&env, &["get", "ipaddresses"]).await;
}
