//! `rollout` against the sandbox, compared command by command with the real kubectl (when
//! installed) on a twin sandbox given the same commands.
//!
//! Progress lines printed while a rollout runs depend on timing, so a watch is checked line by
//! line against kubectl's formats and its last line compared; once a rollout has settled both
//! tools must print the same bytes. Documented v1.33 → v1.36 difference applied to kubectl's
//! output: v1.36's `rollout undo` warns about objects managed by `kubectl apply`.

// The shared harness trips one clippy lint (reported to the lead; not edited here).
use crate::common;

use std::time::Duration;

use common::{assert_same, oracle, Output, TestEnv};

const LIMIT: Duration = Duration::from_secs(60);

const UNDO_WARNING: &str = "Warning: resource {res} was previously managed with 'kubectl apply'. Rolling back will not update the kubectl.kubernetes.io/last-applied-configuration annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.\n";

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: 'nginx:1.25'}]
";

const STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: 'redis:7'}]
";

/// A template using most of what describe prints (no named ports: v1.36 prints their names,
/// v1.33 does not).
const RICH: &str = r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: rich
spec:
  selector: {matchLabels: {app: rich}}
  template:
    metadata:
      labels: {app: rich, tier: backend, zone: a}
      annotations: {note: "hello  world", other: x}
    spec:
      serviceAccountName: default
      nodeSelector: {kubernetes.io/os: linux, disk: ssd}
      tolerations:
      - {key: a, operator: Exists, effect: NoSchedule}
      - {key: b, operator: Equal, value: v, effect: NoExecute, tolerationSeconds: 30}
      initContainers:
      - name: init
        image: busybox
        command: [sh, -c, "echo  hi: there"]
      containers:
      - name: main
        image: nginx
        command: ["/bin/app"]
        args: ["--flag=1", "--x:  y"]
        ports: [{containerPort: 80}]
        env:
        - {name: A, value: "1"}
        - name: B
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: C
          valueFrom: {configMapKeyRef: {name: cm, key: k}}
        - name: D
          valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}
        envFrom:
        - configMapRef: {name: cm}
        - secretRef: {name: sec, optional: true}
          prefix: P_
        resources:
          requests: {cpu: 100m, memory: 10Mi}
          limits: {cpu: 200m}
        livenessProbe: {httpGet: {path: /healthz, port: 80}, initialDelaySeconds: 3}
        readinessProbe: {exec: {command: [cat, /tmp/ok]}}
        volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /cfg, subPath: x}]
      volumes:
      - {name: data, emptyDir: {}}
      - {name: cfg, configMap: {name: cm}}
      - {name: sec, secret: {secretName: sec}}
      - {name: pvc, persistentVolumeClaim: {claimName: c}}
      - name: proj
        projected:
          sources:
          - configMap: {name: cm}
          - secret: {name: sec}
"#;

fn write(envs: [&TestEnv; 2], name: &str, text: &str) {
    for e in envs {
        std::fs::write(e.work.join(name), text).unwrap();
    }
}

async fn ours(env: &TestEnv, args: &[&str]) -> Output {
    tokio::time::timeout(LIMIT, env.ours(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl-rs {}: timed out", args.join(" ")))
}

async fn theirs(env: &TestEnv, args: &[&str]) -> Output {
    tokio::time::timeout(LIMIT, env.kubectl(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl {}: timed out", args.join(" ")))
        .expect("the oracle is installed")
}

/// kubectl v1.33's output as v1.36 prints it: `undo` of an applied object first warns
/// (`res` is `daemonsets/node-exporter`).
fn with_undo_warning(mut o: Output, res: &str) -> Output {
    o.stderr = UNDO_WARNING.replace("{res}", res) + &o.stderr;
    o
}

/// Runs `args` with kubectl-rs on `a` and kubectl on `b` and requires the same output.
async fn both(a: &TestEnv, b: &TestEnv, args: &[&str]) {
    let theirs = theirs(b, args).await.normalized();
    let ours = ours(a, args).await.normalized();
    assert_same(&args.join(" "), &ours, &theirs);
}

/// Like [`both`] for an `undo` of an applied object.
async fn both_undo(a: &TestEnv, b: &TestEnv, args: &[&str], res: &str) {
    let theirs = with_undo_warning(theirs(b, args).await, res).normalized();
    let ours = ours(a, args).await.normalized();
    assert_same(&args.join(" "), &ours, &theirs);
}

/// Whether `line` is one of kubectl's progress lines (`rollout_status.go`).
fn is_progress_line(line: &str) -> bool {
    let waiting = [
        "Waiting for daemon set spec update to be observed...",
        "Waiting for deployment spec update to be observed...",
        "Waiting for statefulset spec update to be observed...",
    ];
    if waiting.contains(&line) {
        return true;
    }
    let shapes = [
        (
            "Waiting for daemon set \"",
            " new pods have been updated...",
        ),
        (
            "Waiting for daemon set \"",
            " updated pods are available...",
        ),
        (
            "Waiting for deployment \"",
            " new replicas have been updated...",
        ),
        (
            "Waiting for deployment \"",
            " old replicas are pending termination...",
        ),
        (
            "Waiting for deployment \"",
            " updated replicas are available...",
        ),
        ("Waiting for ", " pods to be ready..."),
        (
            "Waiting for partitioned roll out to finish: ",
            " new pods have been updated...",
        ),
        ("waiting for statefulset rolling update to complete ", "..."),
    ];
    shapes
        .iter()
        .any(|(start, end)| line.starts_with(start) && line.ends_with(end))
}

/// Watches a rollout to its end with both tools (each on its own sandbox): every line but
/// the last must be a progress line, and the last lines and exit codes must agree.
async fn settle(a: &TestEnv, b: &TestEnv, args: &[&str]) {
    let theirs = theirs(b, args).await;
    let ours = ours(a, args).await;
    let what = args.join(" ");
    assert_eq!(ours.code, 0, "{what}: {ours:?}");
    assert_eq!(ours.stderr, theirs.stderr, "{what}");
    let last = |o: &Output| o.stdout.lines().last().unwrap_or("").to_string();
    assert_eq!(last(&ours), last(&theirs), "{what}: {ours:?} vs {theirs:?}");
    let lines: Vec<&str> = ours.stdout.lines().collect();
    for l in &lines[..lines.len().saturating_sub(1)] {
        assert!(is_progress_line(l), "{what}: unexpected line {l:?}");
    }
}

/// Starts `program args`, sends SIGINT once it has printed a line, and returns what it did.
async fn interrupted(env: &TestEnv, program: &str, cache: &str, args: &[&str]) -> Output {
    use tokio::io::AsyncReadExt;
    let mut child = env
        .command(program, args, cache)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.contains(&b'\n') {
        let n = tokio::time::timeout(LIMIT, stdout.read(&mut buf))
            .await
            .expect("a first line")
            .unwrap();
        assert!(n > 0, "{program} ended before printing a line");
        seen.extend_from_slice(&buf[..n]);
    }
    let pid = child.id().unwrap().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = tokio::time::timeout(LIMIT, child.wait())
        .await
        .expect("ends on SIGINT")
        .unwrap();
    stdout.read_to_end(&mut seen).await.unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .await
        .unwrap();
    Output {
        stdout: String::from_utf8_lossy(&seen).into_owned(),
        stderr: err,
        code: status.code().unwrap_or(-1),
    }
}

async fn twins() -> Option<(TestEnv, TestEnv)> {
    oracle()?;
    Some((TestEnv::start().await, TestEnv::start().await))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemonset_rollouts_match_kubectl() {
    let Some((a, b)) = twins().await else { return };
    let ds = "daemonset/node-exporter";
    let res = "daemonsets/node-exporter";
    both(&a, &b, &["apply", "-f", "node-exporter-daemonset.yaml"]).await;
    // The seed tutorial's command, while the pods start.
    settle(&a, &b, &["rollout", "status", ds]).await;
    both(&a, &b, &["rollout", "status", ds]).await;
    both(&a, &b, &["rollout", "status", ds, "--watch=false"]).await;
    both(
        &a,
        &b,
        &["rollout", "status", "ds/node-exporter", "--timeout=30s"],
    )
    .await;
    both(
        &a,
        &b,
        &["rollout", "status", "-f", "node-exporter-daemonset.yaml"],
    )
    .await;
    both(
        &a,
        &b,
        &["rollout", "status", "ds", "-l", "app=node-exporter"],
    )
    .await;
    both(&a, &b, &["rollout", "history", ds]).await;

    // A second template: revision 2.
    both(&a, &b, &["apply", "-f", "node-exporter-daemonset-v2.yaml"]).await;
    let first = ours(&a, &["rollout", "status", ds, "--watch=false"]).await;
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(first.stdout.lines().count(), 1, "{first:?}");
    settle(&a, &b, &["rollout", "status", ds]).await;
    both(&a, &b, &["rollout", "history", ds]).await;
    both(&a, &b, &["rollout", "history", ds, "--revision=1"]).await;
    both(&a, &b, &["rollout", "history", ds, "--revision=2"]).await;
    both(&a, &b, &["rollout", "history", ds, "--revision=3"]).await;
    both(&a, &b, &["rollout", "history", ds, "-o", "name"]).await;

    // Restart: a third revision.
    both(&a, &b, &["rollout", "restart", ds]).await;
    let tmpl = ours(
        &a,
        &[
            "get",
            ds,
            "-o",
            "jsonpath={.spec.template.metadata.annotations}",
        ],
    )
    .await;
    assert!(
        tmpl.stdout.contains("kubectl.kubernetes.io/restartedAt"),
        "{tmpl:?}"
    );
    settle(&a, &b, &["rollout", "status", ds]).await;
    both(&a, &b, &["rollout", "history", ds]).await;

    // Undo: back to revision 2's template (renumbered 4), then to revision 1.
    both_undo(&a, &b, &["rollout", "undo", ds, "--dry-run=client"], res).await;
    both_undo(&a, &b, &["rollout", "undo", ds, "--dry-run=server"], res).await;
    both_undo(&a, &b, &["rollout", "undo", ds], res).await;
    settle(&a, &b, &["rollout", "status", ds]).await;
    both(&a, &b, &["rollout", "history", ds]).await;
    both_undo(&a, &b, &["rollout", "undo", ds, "--to-revision=1"], res).await;
    settle(&a, &b, &["rollout", "status", ds]).await;
    both(&a, &b, &["rollout", "history", ds]).await;
    both(&a, &b, &["rollout", "history", ds, "--revision=5"]).await;
    both_undo(&a, &b, &["rollout", "undo", ds, "--to-revision=9"], res).await;
    both_undo(&a, &b, &["rollout", "undo", ds, "--to-revision=-1"], res).await;

    // Errors and empty selections.
    let cases: &[&[&str]] = &[
        &["rollout", "status"],
        &["rollout", "history"],
        &["rollout", "restart"],
        &["rollout", "undo"],
        &["rollout", "pause"],
        &["rollout", "resume"],
        &["rollout", "status", "ds/nope"],
        &["rollout", "status", ds, "ds/nope"],
        &["rollout", "status", "configmap/kube-root-ca.crt"],
        &["rollout", "status", "ds", "-l", "app=none"],
        &["rollout", "status", ds, "--revision=-1"],
        &["rollout", "status", "ds", "node-exporter", "-l", "a=b"],
        &["rollout", "restart", "configmap/kube-root-ca.crt"],
        &["rollout", "restart", "ds", "-l", "app=none"],
        &["rollout", "pause", ds],
        &["rollout", "resume", ds],
        &["rollout", "undo", "configmap/kube-root-ca.crt"],
        &["rollout", "history", "configmap/kube-root-ca.crt"],
        &["rollout", "history", ds, "--revision=-2"],
        &["rollout", "history", "ds/nope"],
        &["rollout", "status", "nosuchtype/x"],
    ];
    for c in cases {
        both(&a, &b, c).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_rollouts_match_kubectl() {
    let Some((a, b)) = twins().await else { return };
    let d = "deployment/web";
    let res = "deployments/web";
    write([&a, &b], "web.yaml", DEPLOY);
    write(
        [&a, &b],
        "web-v2.yaml",
        &DEPLOY.replace("nginx:1.25", "nginx:1.26"),
    );
    write(
        [&a, &b],
        "web-v3.yaml",
        &DEPLOY.replace("nginx:1.25", "nginx:1.27"),
    );
    both(&a, &b, &["apply", "-f", "web.yaml"]).await;
    settle(&a, &b, &["rollout", "status", d]).await;
    both_undo(&a, &b, &["rollout", "undo", d], res).await;
    both(&a, &b, &["apply", "-f", "web-v2.yaml"]).await;
    settle(&a, &b, &["rollout", "status", d]).await;
    both(&a, &b, &["rollout", "status", d, "--revision=2"]).await;
    both(&a, &b, &["rollout", "status", d, "--revision=1"]).await;
    both(&a, &b, &["rollout", "history", d]).await;
    both(&a, &b, &["rollout", "history", d, "--revision=1"]).await;
    both(&a, &b, &["rollout", "history", d, "-o", "name"]).await;
    both(
        &a,
        &b,
        &[
            "rollout",
            "history",
            d,
            "--revision=2",
            "-o",
            "jsonpath={.metadata.annotations}",
        ],
    )
    .await;

    // Paused: updates wait, restart and undo refuse.
    both(&a, &b, &["rollout", "pause", d]).await;
    both(&a, &b, &["rollout", "pause", d]).await;
    both(&a, &b, &["rollout", "restart", d]).await;
    both_undo(&a, &b, &["rollout", "undo", d], res).await;
    both(&a, &b, &["apply", "-f", "web-v3.yaml"]).await;
    settle(&a, &b, &["rollout", "status", d, "--watch=false"]).await;
    both(&a, &b, &["rollout", "status", d, "--timeout=1s"]).await;
    // A termination signal ends the watch: exit 1, nothing on stderr.
    let args = ["rollout", "status", d];
    let mine = interrupted(&a, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", &args).await;
    let real = interrupted(
        &b,
        common::oracle().expect("oracle"),
        "cache-kubectl",
        &args,
    )
    .await;
    assert_same("rollout status, interrupted", &mine, &real);
    both(&a, &b, &["rollout", "resume", d, "-o", "name"]).await;
    both(&a, &b, &["rollout", "resume", d]).await;
    both(
        &a,
        &b,
        &["rollout", "pause", d, "-o", "jsonpath={.spec.paused}"],
    )
    .await;
    both(
        &a,
        &b,
        &["rollout", "resume", d, "-o", "jsonpath={.spec.paused}"],
    )
    .await;
    settle(&a, &b, &["rollout", "status", d]).await;
    both(&a, &b, &["rollout", "history", d]).await;

    both_undo(&a, &b, &["rollout", "undo", d, "--dry-run=client"], res).await;
    both_undo(&a, &b, &["rollout", "undo", d], res).await;
    settle(&a, &b, &["rollout", "status", d]).await;
    both(&a, &b, &["rollout", "history", d]).await;
    both_undo(&a, &b, &["rollout", "undo", d, "--to-revision=1"], res).await;
    settle(&a, &b, &["rollout", "status", d]).await;
    both(&a, &b, &["rollout", "history", d]).await;
    both_undo(&a, &b, &["rollout", "undo", d, "--to-revision=7"], res).await;
    both(
        &a,
        &b,
        &["rollout", "restart", "deployment", "-l", "app=web"],
    )
    .await;
    settle(&a, &b, &["rollout", "status", "deployment"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulset_rollouts_match_kubectl() {
    let Some((a, b)) = twins().await else { return };
    let s = "statefulset/db";
    write([&a, &b], "db.yaml", STS);
    write([&a, &b], "db-v2.yaml", &STS.replace("redis:7", "redis:7.2"));
    both(&a, &b, &["apply", "-f", "db.yaml"]).await;
    settle(&a, &b, &["rollout", "status", s]).await;
    both(&a, &b, &["apply", "-f", "db-v2.yaml"]).await;
    settle(&a, &b, &["rollout", "status", s]).await;
    both(&a, &b, &["rollout", "status", "sts/db", "--watch=false"]).await;
    both(&a, &b, &["rollout", "history", s]).await;
    both(&a, &b, &["rollout", "history", s, "--revision=1"]).await;
    both(&a, &b, &["rollout", "pause", s]).await;
    both_undo(
        &a,
        &b,
        &["rollout", "undo", s, "--dry-run=client"],
        "statefulsets/db",
    )
    .await;
    both_undo(&a, &b, &["rollout", "undo", s], "statefulsets/db").await;
    settle(&a, &b, &["rollout", "status", s]).await;
    both(&a, &b, &["rollout", "history", s]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_templates_print_like_kubectl() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    std::fs::write(env.work.join("rich.yaml"), RICH).unwrap();
    std::fs::write(
        env.work.join("rich-v2.yaml"),
        RICH.replace("image: nginx", "image: nginx:2"),
    )
    .unwrap();
    for step in [
        &["apply", "-f", "rich.yaml"][..],
        &["apply", "-f", "rich-v2.yaml"],
    ] {
        let o = ours(&env, step).await;
        assert_eq!(o.code, 0, "{o:?}");
    }
    let cases: &[&[&str]] = &[
        &["rollout", "history", "ds/rich", "--revision=1"],
        &["rollout", "history", "ds/rich", "--revision=2"],
        &[
            "rollout",
            "undo",
            "ds/rich",
            "--to-revision=1",
            "--dry-run=client",
        ],
    ];
    for c in cases {
        let mut theirs = theirs(&env, c).await;
        if c[1] == "undo" {
            theirs = with_undo_warning(theirs, "daemonsets/rich");
        }
        assert_same(&c.join(" "), &ours(&env, c).await, &theirs);
    }
}

/// rollout decodes typed objects, so kubectl prints their JSON in Go struct order (not sorted
/// as `get -o json` is). Volatile values (times, versions, generations, status counters) and
/// v1.33's `creationTimestamp: null` (omitted since v1.34) are left out of the comparison.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_keeps_go_struct_order() {
    let env = TestEnv::start().await;
    if oracle().is_none() {
        return;
    }
    let o = env
        .kubectl(&["apply", "-f", "node-exporter-daemonset.yaml"])
        .await
        .unwrap();
    assert_eq!(o.code, 0, "{o:?}");
    let o = env
        .kubectl(&["create", "deployment", "web", "--image=nginx"])
        .await
        .unwrap();
    assert_eq!(o.code, 0, "{o:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let keep = |o: &Output| -> String {
        o.stdout
            .lines()
            .filter(|l| {
                !(l.contains("\"creationTimestamp\": null")
                    || l.contains("Time\"")
                    || l.contains("\"resourceVersion\"")
                    || l.contains("eneration")
                    || l.contains("umber")
                    || l.contains("Replicas\"")
                    || l.contains("restartedAt"))
            })
            .map(|l| l.trim_end_matches(','))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let steps: &[(&[&str], &[&str])] = &[
        (
            &["rollout", "pause", "deployment/web", "-o", "json"],
            &["rollout", "resume", "deployment/web"],
        ),
        (
            &[
                "rollout",
                "history",
                "daemonset/node-exporter",
                "--revision=1",
                "-o",
                "json",
            ],
            &[],
        ),
        (
            &[
                "rollout",
                "restart",
                "daemonset/node-exporter",
                "-o",
                "json",
            ],
            &[],
        ),
    ];
    for (args, undo) in steps {
        let theirs = env.kubectl(args).await.unwrap();
        if !undo.is_empty() {
            env.kubectl(undo).await.unwrap();
        }
        // restartedAt has a one-second resolution: a second restart in the same second fails.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let ours = env.ours(args).await;
        assert_eq!(
            (ours.code, theirs.code),
            (0, 0),
            "{args:?}: {ours:?} {theirs:?}"
        );
        assert_eq!(keep(&ours), keep(&theirs), "{args:?}");
    }
    env.sandbox.shutdown().await;
}
