//! `attach` and `run -i/--attach/--rm` against containers the sandbox simulates: the real
//! kubectl and kubectl-rs attach to the same kind of pod (over the sandbox's `pods/attach`
//! WebSocket) and must print the same bytes, exit with the same code and leave the same pods
//! behind. The clock is manual: a container runs on only when the test advances it, and the
//! test advances it only once the CLI is where it must be (its watch open, or attached), so
//! what each CLI sees does not depend on timing.
//!
//! The oracle is kubectl v1.33; the v1.36 changes applied to its output: attach's
//! "All commands and output from this session will be recorded…" line before the prompt
//! line (attach.go), `pod "x" deleted from default namespace` (delete's wording), and run's
//! log of what the container printed before the attach (kubectl commit "fix kubectl in
//! interactive mode losing some line of logs", `handleAttachPod`).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{assert_same, Output, TestEnv};

const PROMPT: &str = "If you don't see a command prompt, try pressing enter.\n";
const RECORDED: &str = "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\n";

/// The oracle's output with the v1.36 changes (see the module comment) and kubectl-rs's name.
pub(crate) fn as_v136(o: Output) -> Output {
    Output {
        stdout: o
            .stdout
            .replace("\" deleted\n", "\" deleted from default namespace\n"),
        stderr: o
            .stderr
            .replace(PROMPT, &format!("{RECORDED}{PROMPT}"))
            .replace("'kubectl attach", "'kubectl-rs attach")
            .replace("'kubectl run", "'kubectl-rs run"),
        code: o.code,
    }
}

fn pods() -> kubectl_rs::sandbox::store::GroupResource {
    kubectl_rs::sandbox::store::GroupResource::new("", "pods")
}

fn pod(env: &TestEnv, name: &str) -> Option<Value> {
    env.sandbox.store().get(&pods(), "default", name)
}

fn running(env: &TestEnv, name: &str) -> bool {
    pod(env, name).is_some_and(|p| {
        p["status"]["containerStatuses"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["state"]["running"].is_object()))
    })
}

/// Every pod's name, phase and containers' stdin settings (what twins must agree on).
fn pod_states(env: &TestEnv) -> BTreeMap<String, Value> {
    let (list, _) = env.sandbox.store().list(&pods(), None);
    list.into_iter()
        .map(|mut p| {
            // The service-account volume's name has a random suffix.
            for c in p["spec"]["containers"].as_array_mut().into_iter().flatten() {
                c["volumeMounts"] = Value::Null;
            }
            let name = format!(
                "{}/{}",
                p["metadata"]["namespace"].as_str().unwrap_or_default(),
                p["metadata"]["name"].as_str().unwrap_or_default()
            );
            (
                name,
                serde_json::json!({
                    "phase": p["status"]["phase"],
                    "spec": p["spec"]["containers"],
                    "deleting": p["metadata"]["deletionTimestamp"].is_string(),
                }),
            )
        })
        .collect()
}

/// Every object in the default namespace, without what the server or controllers change.
fn objects(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        if matches!(
            gr.resource.as_str(),
            "events" | "leases" | "endpoints" | "endpointslices"
        ) {
            continue;
        }
        let (list, _) = store.list(&gr, Some("default"));
        for mut o in list {
            let key = format!(
                "{}/{}",
                gr.resource,
                o["metadata"]["name"].as_str().unwrap_or_default()
            );
            o["status"] = Value::Null;
            o["metadata"]["resourceVersion"] = Value::Null;
            o["metadata"]["managedFields"] = Value::Null;
            out.insert(key, o);
        }
    }
    out
}

/// Advances the clock by `step` until `cond` holds, giving the sandbox's tasks a moment
/// between steps (the machine may be busy): a poll, as `common::eventually` polls.
async fn advancing<F, Fut>(env: &TestEnv, step: Duration, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if cond().await {
            return;
        }
        env.advance(step);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("condition not reached after advancing the clock 400 times by {step:?}");
}

/// Runs `program` with `input` on stdin; once `ready` holds (polled while the clock stands
/// still), advances the clock a second at a time until the program exits.
pub(crate) async fn drive(
    env: &TestEnv,
    program: &str,
    cache: &str,
    args: &[&str],
    input: &[u8],
    ready: &dyn Fn() -> bool,
) -> Output {
    let mut c = env.command(program, args, cache);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).await.expect("write stdin");
    drop(stdin);
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let read_out = tokio::spawn(async move {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b).await;
        b
    });
    let read_err = tokio::spawn(async move {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b).await;
        b
    });
    let mut is_ready = false;
    let mut status = None;
    for _ in 0..600 {
        if let Ok(s) = tokio::time::timeout(Duration::from_millis(50), child.wait()).await {
            status = Some(s.expect("wait"));
            break;
        }
        is_ready = is_ready || ready();
        if is_ready {
            env.advance(Duration::from_secs(1));
        }
    }
    let status = status.unwrap_or_else(|| panic!("{program} {args:?} did not end"));
    Output {
        stdout: String::from_utf8_lossy(&read_out.await.unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&read_err.await.unwrap()).into_owned(),
        code: status.code().unwrap_or(-1),
    }
}

/// What runs before each CLI (creating the pod it attaches to).
type Prep =
    for<'a> fn(&'a TestEnv) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>;

/// Both CLIs run `args` (each against a fresh pod `name`, created by the command itself or
/// by `prep`), compared; `ready` says when the clock may move.
async fn twins(
    env: &TestEnv,
    name: &str,
    args: &[&str],
    input: &[u8],
    ready: &dyn Fn(&TestEnv) -> bool,
    prep: Prep,
) -> Option<(Output, Output)> {
    crate::common::oracle()?;
    prep(env).await;
    let ours = drive(
        env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        "cache-rs",
        args,
        input,
        &|| ready(env),
    )
    .await;
    // What kubectl-rs left behind, once the cluster settled.
    advancing(env, Duration::from_secs(1), || async {
        pod(env, name).is_none_or(|p| !p["metadata"]["deletionTimestamp"].is_string())
    })
    .await;
    let left_ours = pod_states(env);
    if pod(env, name).is_some() {
        env.ours(&["delete", "pod", name, "--wait=false"]).await;
        advancing(env, Duration::from_secs(1), || async {
            pod(env, name).is_none()
        })
        .await;
    }
    prep(env).await;
    let theirs = drive(
        env,
        crate::common::oracle().unwrap(),
        "cache-kubectl",
        args,
        input,
        &|| ready(env),
    )
    .await;
    advancing(env, Duration::from_secs(1), || async {
        pod(env, name).is_none_or(|p| !p["metadata"]["deletionTimestamp"].is_string())
    })
    .await;
    assert_eq!(
        left_ours,
        pod_states(env),
        "{args:?}: the pods left behind differ"
    );
    if pod(env, name).is_some() {
        env.ours(&["delete", "pod", name, "--wait=false"]).await;
        advancing(env, Duration::from_secs(1), || async {
            pod(env, name).is_none()
        })
        .await;
    }
    Some((ours, as_v136(theirs)))
}

fn no_prep(_: &TestEnv) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + '_>> {
    Box::pin(async {})
}

/// `run --rm -i --restart=Never … -- sh -c 'echo hi; exit 3'`: the pod runs and fails at
/// once; kubectl sees it running, prints its log so far, cannot attach to the ended
/// container, prints the log instead, deletes the pod and exits with the container's code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_rm_returns_the_container_exit_code() {
    let env = TestEnv::manual_clock().await;
    let store = env.sandbox.store().clone();
    let baseline = store.watchers();
    // The clock moves once the CLI watches the pod (so both see it running first).
    let ready = move |_: &TestEnv| store.watchers() > baseline;
    let args = [
        "run",
        "--rm",
        "-i",
        "--restart=Never",
        "--image=busybox",
        "x",
        "--",
        "sh",
        "-c",
        "echo hi; exit 3",
    ];
    let Some((ours, mut theirs)) = twins(&env, "x", &args, b"", &ready, no_prep).await else {
        return;
    };
    // v1.36 prints the log so far before attaching: here the whole log, printed again
    // when attaching fails.
    theirs.stdout = format!("hi\n{}", theirs.stdout);
    assert_same("run --rm -i (exit 3)", &ours, &theirs);
    assert_eq!(ours.code, 3);
    assert_eq!(
        ours.stdout,
        "hi\nhi\npod \"x\" deleted from default namespace\n"
    );
    assert!(ours.stderr.ends_with("pod default/x terminated (Error)\n"));
}

/// stdin reaches the container's process: `cat` echoes it, `sh` runs it as commands, `read`
/// takes a line; stdinOnce closes it after the first session (so `cat` ends), and with
/// --leave-stdin-open it stays open (so kubectl does not wait for the exit code).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_i_delivers_stdin_to_the_container() {
    let env = TestEnv::manual_clock().await;
    let cases: &[(&str, &[&str], &[u8], i32)] = &[
        (
            "cat",
            &[
                "run",
                "-i",
                "--rm",
                "--restart=Never",
                "--image=busybox",
                "cat",
                "--",
                "cat",
            ],
            b"hello\nworld\n",
            0,
        ),
        (
            "shell",
            &["run", "-i", "--rm", "--restart=Never", "--image=busybox", "shell"],
            b"echo one\nfor i in 1 2; do\n  echo loop $i\ndone\ncat /etc/hostname\nexit 4\necho never\n",
            4,
        ),
        (
            "reader",
            &[
                "run",
                "-i",
                "-t",
                "--rm",
                "--restart=Never",
                "--image=busybox",
                "reader",
                "--",
                "sh",
                "-c",
                "read l; echo got $l; exit 0",
            ],
            b"a line\n",
            0,
        ),
        (
            "open",
            &[
                "run",
                "-i",
                "--leave-stdin-open",
                "--rm",
                "--restart=Never",
                "--image=busybox",
                "open",
                "--",
                "sh",
                "-c",
                "read l; echo got $l; exit 5",
            ],
            b"kept\n",
            0,
        ),
        // No --rm: the pod is left, Succeeded.
        (
            "kept",
            &[
                "run",
                "-i",
                "--restart=Never",
                "--image=busybox",
                "kept",
                "--",
                "sh",
                "-c",
                "read l; echo $l >&2; exit 0",
            ],
            b"to stderr\n",
            0,
        ),
    ];
    for (name, args, input, code) in cases {
        // The container waits for its stdin: the clock may move from the start.
        let Some((ours, theirs)) = twins(&env, name, args, input, &|_| true, no_prep).await else {
            return;
        };
        assert_same(&args.join(" "), &ours, &theirs);
        assert_eq!(ours.code, *code, "{args:?}: {}", ours.stderr);
    }
}

const TICK: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: tick}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'i=0; while [ $i -lt 4 ]; do echo tick $i; i=$((i+1)); sleep 1; done']
"#;

/// Creates the `tick` pod and lets it start.
fn prep_tick(env: &TestEnv) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + '_>> {
    Box::pin(async move {
        let out = env.ours(&["apply", "-f", "tick.yaml"]).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        advancing(env, Duration::from_millis(100), || async {
            running(env, "tick")
        })
        .await;
    })
}

/// `attach` streams what the container prints from the moment it attaches, until it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_streams_a_running_container() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("tick.yaml"), TICK).unwrap();
    let runtime = env.sandbox.store().runtime().clone();
    let baseline = runtime.attached();
    let ready = move |_: &TestEnv| runtime.attached() > baseline;
    for args in [
        &["attach", "tick"][..],
        &["attach", "pod/tick", "-q"],
        &["attach", "pods", "tick", "-i"],
    ] {
        let Some((ours, theirs)) = twins(&env, "tick", args, b"ignored\n", &ready, prep_tick).await
        else {
            return;
        };
        assert_same(&args.join(" "), &ours, &theirs);
        assert_eq!(ours.stdout, "tick 1\ntick 2\ntick 3\n");
    }
}

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: half}
spec:
  restartPolicy: Never
  containers:
  - {name: a, image: busybox, command: [sh, -c, 'sleep infinity']}
  - {name: b, image: busybox, command: [sh, -c, 'exit 0']}
---
apiVersion: v1
kind: Pod
metadata: {name: done}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, command: [sh, -c, 'exit 0']}
"#;

/// Refusals, with kubectl's words and exit codes, and nothing changed on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_refuses_what_kubectl_refuses() {
    if crate::common::oracle().is_none() {
        return;
    }
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    assert_eq!(env.ours(&["apply", "-f", "pods.yaml"]).await.code, 0);
    advancing(&env, Duration::from_millis(100), || async {
        running(&env, "half")
            && pod(&env, "half").is_some_and(|p| {
                p["status"]["containerStatuses"]
                    .as_array()
                    .is_some_and(|cs| cs.iter().any(|c| c["state"]["terminated"].is_object()))
            })
            && pod(&env, "done").is_some_and(|p| p["status"]["phase"] == "Succeeded")
    })
    .await;
    for args in [
        &["attach"][..],
        &["attach", "a", "b", "c"],
        &["attach", "nosuch"],
        &["attach", "deploy/nosuch"],
        &["attach", "done"],
        &["attach", "half", "-c", "nosuch"],
        // The container ended though the pod runs: the kubelet's error.
        &["attach", "half", "-c", "b"],
        &["attach", "half", "--pod-running-timeout=0"],
        &["attach", "half", "--pod-running-timeout=soon"],
        &["attach", "configmap/kube-root-ca.crt"],
        &[
            "run",
            "x",
            "--image=busybox",
            "--rm",
            "--attach=false",
            "-i",
        ],
        &["run", "x", "--image=busybox", "-i", "--dry-run=server"],
        &["run", "x", "--image=busybox", "-t", "--attach"],
    ] {
        let before = objects(&env);
        let ours = env.ours(args).await;
        assert_eq!(
            objects(&env),
            before,
            "kubectl-rs {args:?} changed the server"
        );
        let theirs = as_v136(env.kubectl(args).await.unwrap());
        assert_eq!(objects(&env), before, "kubectl {args:?} changed the server");
        let ours = Output {
            stderr: ours.stderr.replace("kubectl-rs", "kubectl"),
            ..ours
        };
        let theirs = Output {
            // v1.36's podcmd (commit "De-ducplicate and clean logic in
            // FindOrDefaultContainerByName") names the pod's containers.
            stderr: theirs
                .stderr
                .replace(
                    "container nosuch not found in pod half",
                    "container nosuch is not valid for pod half out of: a, b",
                )
                .replace("kubectl-rs", "kubectl")
                .replace("kubectl.1.33", "kubectl"),
            ..theirs
        };
        assert_same(&format!("{args:?}"), &ours, &theirs);
        assert_ne!(ours.code, 0, "{args:?} should fail");
    }
}

const ECHOER: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: echoer}
spec:
  containers:
  - {name: main, image: busybox, stdin: true, command: [sh, -c, 'while read l; do echo got $l; done']}
"#;

/// Creates the `echoer` pod (stdin without stdinOnce) and lets it start.
fn prep_echoer(env: &TestEnv) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + '_>> {
    Box::pin(async move {
        let out = env.ours(&["apply", "-f", "echoer.yaml"]).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        advancing(env, Duration::from_millis(100), || async {
            running(env, "echoer")
        })
        .await;
    })
}

/// `attach -i` with a piped stdin to a container with stdin but no stdinOnce: when the input
/// runs out the client is detached (containerd's rule), once the process has answered what
/// it was sent; the container runs on with its stdin open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_i_detaches_when_stdin_ends_without_stdin_once() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("echoer.yaml"), ECHOER).unwrap();
    let runtime = env.sandbox.store().runtime().clone();
    let baseline = runtime.attached();
    let ready = move |_: &TestEnv| runtime.attached() > baseline;
    let args = &["attach", "echoer", "-i"];
    prep_echoer(&env).await;
    let ours = drive(
        &env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        "cache-rs",
        args,
        b"a\nb\n",
        &|| ready(&env),
    )
    .await;
    assert_eq!(
        (ours.stdout.as_str(), ours.code),
        ("got a\ngot b\n", 0),
        "{ours:?}"
    );
    assert!(running(&env, "echoer"), "the container runs on");
    // Its stdin is still open: the next client's input is read.
    let again = drive(
        &env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        "cache-rs",
        args,
        b"c\n",
        &|| true,
    )
    .await;
    assert_eq!(again.stdout, "got c\n", "{again:?}");
    env.ours(&["delete", "pod", "echoer", "--wait=false"]).await;
    advancing(&env, Duration::from_secs(1), || async {
        pod(&env, "echoer").is_none()
    })
    .await;
    let Some((ours, theirs)) = twins(&env, "echoer", args, b"a\nb\n", &ready, prep_echoer).await
    else {
        return;
    };
    assert_same("attach echoer -i", &ours, &theirs);
}
