//! `exec` and `attach` over SPDY/3.1: through a middlebox that refuses WebSocket upgrades
//! (see `portforward::no_websocket_middlebox`), kubectl falls back to SPDY, and so must
//! kubectl-rs; the sandbox answers the SPDY upgrade as the kubelet does. Both CLIs must print
//! the same bytes and exit with the same codes. The clock is manual.

use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::common::{advancing, assert_same, Output, TestEnv};
use crate::portforward::behind_no_websocket_middlebox;

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  containers:
  - {name: main, image: busybox, command: [sh, -c, 'sleep infinity']}
---
apiVersion: v1
kind: Pod
metadata: {name: cat-ours}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, command: [cat], stdin: true, stdinOnce: true}
---
apiVersion: v1
kind: Pod
metadata: {name: cat-theirs}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, command: [cat], stdin: true, stdinOnce: true}
---
apiVersion: v1
kind: Pod
metadata: {name: nowhere}
spec:
  nodeSelector: {no-such-node: "true"}
  containers:
  - {name: main, image: busybox, command: [sh, -c, 'sleep infinity']}
"#;

fn pods() -> kubectl_rs::sandbox::store::GroupResource {
    kubectl_rs::sandbox::store::GroupResource::new("", "pods")
}

fn running(env: &TestEnv, name: &str) -> bool {
    env.sandbox
        .store()
        .get(&pods(), "default", name)
        .is_some_and(|p: serde_json::Value| {
            p["status"]["containerStatuses"][0]["state"]["running"].is_object()
        })
}

/// Runs `program` with `kubeconfig`, `input` on stdin (none when `None`).
async fn run(
    env: &TestEnv,
    program: &str,
    cache: &str,
    kubeconfig: &std::path::Path,
    args: &[&str],
    input: Option<&[u8]>,
) -> Output {
    let mut c = env.command(program, args, cache);
    c.env("KUBECONFIG", kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if input.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("spawn");
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input).await.expect("write stdin");
        drop(stdin);
    }
    let out = child.wait_with_output().await.expect("wait");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn renamed(o: Output) -> Output {
    Output {
        stderr: o
            .stderr
            .replace("'kubectl exec", "'kubectl-rs exec")
            .replace("'kubectl attach", "'kubectl-rs attach"),
        ..o
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_and_attach_fall_back_to_spdy_when_websockets_are_refused() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        ["one", "cat-ours", "cat-theirs"]
            .iter()
            .all(|p| running(&env, p))
    })
    .await;
    let (kc, refused, spdy, _proxy) = behind_no_websocket_middlebox(&env).await;
    let oracle = crate::common::oracle();
    let mut runs = 0;
    let mut both = |args: &[&str], input: Option<&'static [u8]>| {
        runs += 1 + usize::from(oracle.is_some());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (env, kc) = (&env, kc.clone());
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let ours = run(
                env,
                env!("CARGO_BIN_EXE_kubectl-rs"),
                "cache-rs",
                &kc,
                &args,
                input,
            )
            .await;
            if let Some(k) = oracle {
                let theirs = run(env, k, "cache-kubectl", &kc, &args, input).await;
                assert_same(&args.join(" "), &ours, &renamed(theirs));
            }
            ours
        }
    };

    // Output on both streams and the exit code from the error stream's Status.
    let fail = both(
        &[
            "exec",
            "one",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ],
        None,
    )
    .await;
    assert_eq!(
        (fail.stdout.as_str(), fail.stderr.as_str(), fail.code),
        ("out\n", "err\ncommand terminated with exit code 3\n", 3),
        "{fail:?}"
    );
    let ok = both(&["exec", "one", "--", "sh", "-c", "echo fine"], None).await;
    assert_eq!((ok.stdout.as_str(), ok.code), ("fine\n", 0), "{ok:?}");
    // -i: stdin over its own stream, its end a FIN.
    let cat = both(
        &["exec", "-i", "one", "--", "wc", "-l"],
        Some(b"line one\nline two\n"),
    )
    .await;
    assert_eq!((cat.stdout.trim(), cat.code), ("2", 0), "{cat:?}");
    // The server's refusal of the SPDY upgrade (a pod not scheduled: kubectl v1.36 does not
    // check that itself), after the fallback: the same error either way.
    let bad = both(&["exec", "nowhere", "--", "true"], None).await;
    assert_eq!(
        (bad.stderr.as_str(), bad.code),
        (
            "Error from server (BadRequest): pod nowhere does not have a host assigned\n",
            1
        ),
        "{bad:?}"
    );
    assert_eq!(
        refused.load(Ordering::SeqCst),
        runs,
        "WebSocket tried first"
    );
    assert_eq!(spdy.load(Ordering::SeqCst), runs, "then SPDY/3.1");

    // attach -i: stdin reaches the container's `cat`, which echoes it; stdinOnce closes it
    // at the session's end of stdin, `cat` exits and the session ends.
    let before = refused.load(Ordering::SeqCst);
    let ours = run(
        &env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        "cache-rs",
        &kc,
        &["attach", "-i", "cat-ours"],
        Some(b"hello\nworld\n"),
    )
    .await;
    assert_eq!(
        (ours.stdout.as_str(), ours.code),
        ("hello\nworld\n", 0),
        "{ours:?}"
    );
    if let Some(k) = oracle {
        let theirs = run(
            &env,
            k,
            "cache-kubectl",
            &kc,
            &["attach", "-i", "cat-theirs"],
            Some(b"hello\nworld\n"),
        )
        .await;
        assert_same("attach -i", &ours, &crate::attach::as_v136(renamed(theirs)));
    }
    let attaches = 1 + usize::from(oracle.is_some());
    assert_eq!(refused.load(Ordering::SeqCst), before + attaches);
}
