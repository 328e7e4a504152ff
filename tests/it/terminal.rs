//! `exec -it`, `attach -it` and `run -it --rm` under a real terminal: each CLI runs in a
//! shell in tmux against the same sandbox, the same keys are typed, and the screens (what a
//! person sees: the remote shell's prompt, the echo of what was typed, the output, kubectl's
//! messages), the exit codes and the terminal's settings afterwards must be the same. Plus
//! `-t` without a terminal: kubectl's message, and no TTY asked for.
//!
//! The oracle is kubectl v1.33: v1.36's "All commands and output from this session will be
//! recorded…" line before attach's prompt line is taken out of our screen.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::tmux::Tmux;
use crate::common::{advancing, oracle, TestEnv};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-rs");
const RECORDED: &str = "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.";

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
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
        .is_some_and(|p| p["status"]["containerStatuses"][0]["state"]["running"].is_object())
}

/// A bash in tmux with `$K` naming the CLI and `$S` the terminal's settings.
fn shell(env: &TestEnv, cli: &str) -> Tmux {
    let t = Tmux::start(env, &["bash", "--norc", "--noprofile"]);
    t.setup(&format!("PS1='$ '; K={cli}; S=$(stty -g)"));
    t
}

/// [`shell`] with `kubeconfig` as `$KUBECONFIG`.
fn shell_using(env: &TestEnv, cli: &str, kubeconfig: Option<&Path>) -> Tmux {
    let t = shell(env, cli);
    if let Some(kc) = kubeconfig {
        t.setup(&format!("export KUBECONFIG='{}'", kc.display()));
    }
    t
}

/// A v1.33 screen as v1.36 shows it: attach's reattach message (kubectl commits "Fix missing
/// namespace flag in attach reattach message" and "Add --detach-keys for kubectl attach
/// command") names the namespace, and is printed whatever the pod's restart policy (after
/// `run -it --rm … -- sh` of `pod` too), with kubectl-rs's name.
fn as_v136(screen: &str, run_pod: Option<&str>) -> String {
    let mut s = screen
        .replace("'kubectl attach", "'kubectl-rs attach")
        .replace(
            " -i -t' command when the pod is running",
            " -n default -i -t' command",
        );
    if let Some(pod) = run_pod {
        s = s.replacen(
            "/ # exit\n",
            &format!("/ # exit\nSession ended, resume using 'kubectl-rs attach {pod} -c {pod} -n default -i -t' command\n"),
            1,
        );
    }
    s
}

/// Types a line.
fn line(t: &Tmux, text: &str) {
    t.type_text(text);
    t.keys(&["Enter"]);
}

/// After the CLI ended: its exit code and whether the terminal's settings are back.
fn finish(t: &Tmux) -> String {
    // The local shell's prompt: the CLI has exited (keys typed before would be its input).
    t.wait_for("the local prompt", |s| s.trim_end().ends_with("\n$"));
    line(
        t,
        "echo rc=$?; [ \"$(stty -g)\" = \"$S\" ] && echo settings-restored",
    );
    let s = t.wait_for("the exit code", |s| {
        s.lines().any(|l| l.starts_with("rc=")) && s.trim_end().ends_with("\n$")
    });
    s.lines()
        .filter(|l| !l.trim().is_empty() && *l != RECORDED)
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `exec -it box -- sh`, a command and `exit 3`.
fn exec_session(env: &TestEnv, cli: &str, kubeconfig: Option<&Path>) -> String {
    let t = shell_using(env, cli, kubeconfig);
    line(&t, "$K exec -it box -- sh");
    t.wait_for("the remote prompt", |s| s.contains("/ # "));
    line(&t, "echo hi; exit 3");
    t.wait_for("the end", |s| {
        s.contains("command terminated with exit code 3")
    });
    finish(&t)
}

/// `attach -it` to a container running `sh` with a TTY, then `exit 3` (attach ends with 0).
fn attach_session(env: &TestEnv, cli: &str, pod: &str, kubeconfig: Option<&Path>) -> String {
    let t = shell_using(env, cli, kubeconfig);
    line(&t, &format!("$K attach -it {pod}"));
    t.wait_for("the prompt line", |s| s.contains("try pressing enter"));
    line(&t, "");
    t.wait_for("the remote prompt", |s| s.contains("/ # "));
    line(&t, "echo hi from $HOSTNAME");
    t.wait_for("the output", |s| s.contains(&format!("hi from {pod}")));
    line(&t, "exit 3");
    finish(&t)
}

/// `run -it --rm` of a shell, a command, then `exit`.
fn run_session(env: &TestEnv, cli: &str, pod: &str) -> String {
    let t = shell(env, cli);
    line(
        &t,
        &format!("$K run {pod} -it --rm --restart=Never --image=busybox -- sh"),
    );
    // The pod starts, and ends, as the cluster's time goes on.
    let tick = || env.advance(Duration::from_millis(500));
    t.wait_for("the prompt line", |s| {
        tick();
        s.contains("try pressing enter")
    });
    line(&t, "");
    t.wait_for("the remote prompt", |s| s.contains("/ # "));
    line(&t, "echo hi");
    t.wait_for("the output", |s| s.contains("\nhi"));
    line(&t, "exit");
    t.wait_for("the deletion", |s| {
        tick();
        s.contains("deleted")
    });
    finish(&t)
}

/// What `exec_session` leaves on the screen.
const EXEC_SCREEN: &str = "$ $K exec -it box -- sh\n/ # echo hi; exit 3\nhi\ncommand terminated with exit code 3\n$ echo rc=$?; [ \"$(stty -g)\" = \"$S\" ] && echo settings-restored\nrc=3\nsettings-restored\n$";

fn tty_pod(env: &TestEnv, name: &str) {
    std::fs::write(
        env.work.join(format!("{name}.yaml")),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - {{name: main, image: busybox, command: [sh], stdin: true, tty: true}}\n"
        ),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn interactive_sessions_under_a_terminal_match_kubectl() {
    // As completion.rs finds it (`.ci/run` installs it).
    if !std::path::Path::new("/usr/bin/tmux").exists() {
        eprintln!("note: tmux not installed, test skipped");
        return;
    }
    let Some(k) = oracle() else { return };
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    tty_pod(&env, "ours");
    tty_pod(&env, "theirs");
    for f in ["pods.yaml", "ours.yaml", "theirs.yaml"] {
        let out = env.ours(&["apply", "-f", f]).await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env, "box") && running(&env, "ours") && running(&env, "theirs")
    })
    .await;

    let (ours, theirs) = tokio::task::block_in_place(|| {
        (exec_session(&env, BIN, None), exec_session(&env, k, None))
    });
    let expect = EXEC_SCREEN;
    assert_eq!(theirs, expect);
    assert_eq!(ours, theirs);

    let (ours, theirs) = tokio::task::block_in_place(|| {
        (
            attach_session(&env, BIN, "ours", None),
            attach_session(&env, k, "theirs", None),
        )
    });
    assert!(
        theirs.contains("/ # echo hi from $HOSTNAME\nhi from theirs\n/ # exit 3\n"),
        "{theirs}"
    );
    assert_eq!(ours.replace("ours", "theirs"), as_v136(&theirs, None));

    let (ours, theirs) = tokio::task::block_in_place(|| {
        (
            run_session(&env, BIN, "run-a"),
            run_session(&env, k, "run-b"),
        )
    });
    assert!(theirs.contains("rc=0\nsettings-restored"), "{theirs}");
    assert_eq!(
        ours.replace("run-a", "run-b")
            .replace(" deleted from default namespace", " deleted"),
        as_v136(&theirs, Some("run-b"))
    );
}

/// `-it` without a terminal on stdin: kubectl's message, and the command runs without a TTY
/// (stderr stays apart).
#[tokio::test]
async fn tty_without_a_terminal_is_dropped_with_kubectls_message() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env, "box")
    })
    .await;
    let args = [
        "exec",
        "-it",
        "box",
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2",
    ];
    let ours = env.ours(&args).await;
    assert_eq!(ours.stdout, "out\n");
    assert_eq!(
        ours.stderr,
        "Unable to use a TTY - input is not a terminal or the right kind of file\nerr\n"
    );
    assert_eq!(ours.code, 0);
    if let Some(theirs) = env.kubectl(&args).await {
        assert_eq!(ours, theirs);
    }
}

/// `exec -it` and `attach -it` through a middlebox that refuses WebSockets: the terminal
/// session goes over SPDY/3.1 (with its resize stream, without which the server writes
/// nothing) and looks the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminal_sessions_over_spdy_match_kubectl() {
    if !std::path::Path::new("/usr/bin/tmux").exists() {
        eprintln!("note: tmux not installed, test skipped");
        return;
    }
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    tty_pod(&env, "ours");
    tty_pod(&env, "theirs");
    for f in ["pods.yaml", "ours.yaml", "theirs.yaml"] {
        let out = env.ours(&["apply", "-f", f]).await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env, "box") && running(&env, "ours") && running(&env, "theirs")
    })
    .await;
    let (kc, refused, spdy, _proxy) = crate::portforward::behind_no_websocket_middlebox(&env).await;
    let kc = Some(kc.as_path());

    let ours = tokio::task::block_in_place(|| exec_session(&env, BIN, kc));
    assert_eq!(ours, EXEC_SCREEN);
    let ours_attach = tokio::task::block_in_place(|| attach_session(&env, BIN, "ours", kc));
    assert!(
        ours_attach.contains("/ # echo hi from $HOSTNAME\nhi from ours\n/ # exit 3\n")
            && ours_attach.contains("rc=0\nsettings-restored"),
        "{ours_attach}"
    );
    assert_eq!(refused.load(Ordering::SeqCst), 2, "WebSocket tried first");
    assert_eq!(spdy.load(Ordering::SeqCst), 2, "then SPDY/3.1");

    let Some(k) = oracle() else { return };
    let theirs = tokio::task::block_in_place(|| exec_session(&env, k, kc));
    assert_eq!(ours, theirs);
    let theirs = tokio::task::block_in_place(|| attach_session(&env, k, "theirs", kc));
    assert_eq!(
        ours_attach.replace("ours", "theirs"),
        as_v136(&theirs, None)
    );
    assert_eq!(
        spdy.load(Ordering::SeqCst),
        4,
        "kubectl fell back to SPDY/3.1 too"
    );
}

/// kubectl v1.36 (for flags v1.33 does not have): `KUBECTL_ORACLE_136`, else the copy the
/// realk8s kit installs; None (the comparison is skipped) when neither is there.
#[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
fn oracle_136() -> Option<String> {
    let found = std::env::var("KUBECTL_ORACLE_136")
        .ok()
        .unwrap_or_else(|| "/work/kit/bin-1.36/kubectl".into());
    if Path::new(&found).exists() {
        return Some(found);
    }
    eprintln!("note: no kubectl v1.36 ({found}), the comparison is skipped");
    None
}

/// `attach -it POD [FLAGS]`, a command, then `keys` (the detach sequence).
fn detach_session(env: &TestEnv, cli: &str, attach: &str, keys: &[&str]) -> String {
    let t = shell(env, cli);
    line(&t, attach);
    t.wait_for("the prompt line", |s| s.contains("try pressing enter"));
    line(&t, "");
    t.wait_for("the remote prompt", |s| s.contains("/ # "));
    line(&t, "echo hi from $HOSTNAME");
    t.wait_for("the output", |s| s.contains("hi from det"));
    t.keys(keys);
    finish(&t)
}

/// `attach -it`, then the detach keys (kubectl v1.36's `--detach-keys`, default
/// `ctrl-p,ctrl-q`): the session ends with kubectl's reattach message and exit 0, the
/// container's shell runs on (the next attach gets its prompt), and the same with other keys;
/// keys kubectl cannot bind are its error. Compared with kubectl v1.36 (v1.33 has no detach
/// keys: it sends them on).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn detach_keys_end_an_attached_terminal_session() {
    if !std::path::Path::new("/usr/bin/tmux").exists() {
        eprintln!("note: tmux not installed, test skipped");
        return;
    }
    let env = TestEnv::manual_clock().await;
    tty_pod(&env, "det");
    let out = env.ours(&["apply", "-f", "det.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env, "det")
    })
    .await;
    let k136 = oracle_136();
    let mut clis = vec![BIN.to_string()];
    clis.extend(k136.clone());
    let sessions: &[(&str, &[&str])] = &[
        ("$K attach -it det", &["C-p", "C-q"]),
        ("$K attach -it det --detach-keys=ctrl-x,x", &["C-x", "x"]),
        ("$K attach det -ti --detach-keys=DEL", &["BSpace"]),
    ];
    for (attach, keys) in sessions {
        let screens: Vec<String> = clis
            .iter()
            .map(|cli| {
                let s = tokio::task::block_in_place(|| detach_session(&env, cli, attach, keys));
                assert!(
                    running(&env, "det"),
                    "{cli} {attach}: the container runs on"
                );
                s
            })
            .collect();
        let ours = &screens[0];
        assert!(
            ours.ends_with("/ # echo hi from $HOSTNAME\nhi from det\n/ # Session ended, resume using 'kubectl-rs attach det -c main -n default -i -t' command\n$ echo rc=$?; [ \"$(stty -g)\" = \"$S\" ] && echo settings-restored\nrc=0\nsettings-restored\n$"),
            "{attach}: {ours}"
        );
        if let Some(theirs) = screens.get(1) {
            assert_eq!(
                ours,
                &theirs.replace("'kubectl attach", "'kubectl-rs attach"),
                "{attach}"
            );
        }
    }

    // `run -it --rm` (stdinOnce with a TTY: detached, not closed; restarted always, so kubectl waits for no exit) with its own keys: the
    // session ends at the keys, then the pod is deleted.
    let screens: Vec<String> = clis
        .iter()
        .map(|cli| {
            let t = shell(&env, cli);
            line(
                &t,
                "$K run rdet -it --rm --image=busybox --detach-keys=ctrl-x,x -- sh",
            );
            let tick = || env.advance(Duration::from_millis(500));
            t.wait_for("the prompt line", |s| {
                tick();
                s.contains("try pressing enter")
            });
            line(&t, "");
            t.wait_for("the remote prompt", |s| s.contains("/ # "));
            line(&t, "echo hi");
            t.wait_for("the output", |s| s.contains("\nhi"));
            t.keys(&["C-x", "x"]);
            t.wait_for("the deletion", |s| {
                tick();
                s.contains("deleted")
            });
            let screen = tokio::task::block_in_place(|| finish(&t));
            // `--rm` asks for the deletion without waiting for it: the next CLI's pod of the
            // same name must wait for the grace period to run out.
            t.wait_for("the pod gone", |_| {
                tick();
                env.sandbox
                    .store()
                    .get(&pods(), "default", "rdet")
                    .is_none()
            });
            screen
        })
        .collect();
    assert!(
        screens[0].ends_with("/ # echo hi\nhi\n/ # Session ended, resume using 'kubectl-rs attach rdet -c rdet -n default -i -t' command\npod \"rdet\" deleted from default namespace\n$ echo rc=$?; [ \"$(stty -g)\" = \"$S\" ] && echo settings-restored\nrc=0\nsettings-restored\n$"),
        "{}",
        screens[0]
    );
    if let Some(theirs) = screens.get(1) {
        assert_eq!(
            screens[0],
            theirs.replace("'kubectl attach", "'kubectl-rs attach"),
        );
    }

    for cli in &clis {
        let t = shell(&env, cli);
        line(&t, "$K attach -it det --detach-keys=ctrl-");
        let screen = tokio::task::block_in_place(|| finish(&t));
        assert_eq!(
            screen,
            "$ $K attach -it det --detach-keys=ctrl-\nIf you don't see a command prompt, try pressing enter.\nerror: could not bind detach keys: Unknown character: 'ctrl-'\n$ echo rc=$?; [ \"$(stty -g)\" = \"$S\" ] && echo settings-restored\nrc=1\nsettings-restored\n$",
            "{cli}"
        );
    }
    assert!(running(&env, "det"), "the container runs on");
}

/// `stty size` in the remote shell, then again once the terminal is resized (tmux's window
/// from 200×50 to 120×40: the CLI's SIGWINCH, a resize message the sandbox takes), then
/// `end` typed.
fn resize_session(env: &TestEnv, cli: &str, command: &str, end: &str) -> String {
    let t = shell(env, cli);
    line(&t, command);
    if command.contains(" attach ") {
        t.wait_for("the prompt line", |s| s.contains("try pressing enter"));
        line(&t, "");
    }
    t.wait_for("the remote prompt", |s| s.contains("/ # "));
    line(&t, "stty size");
    t.wait_for("the first size", |s| s.contains("\n50 200"));
    let runtime = env.sandbox.store().runtime().clone();
    let before = runtime.resized();
    t.tmux(&["resize-window", "-x", "120", "-y", "40"]);
    // The new size reached the sandbox (as the screen is polled).
    t.wait_for("the resize message", |_| runtime.resized() > before);
    line(&t, "stty size");
    t.wait_for("the new size", |s| s.contains("\n40 120"));
    line(&t, end);
    finish(&t)
}

/// The terminal size a container's shell reads (`stty size`) follows the client's terminal:
/// its size when `exec -it`/`attach -it` start, then its new size on SIGWINCH; as kubectl.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resized_terminal_reaches_the_container_as_with_kubectl() {
    if !std::path::Path::new("/usr/bin/tmux").exists() {
        eprintln!("note: tmux not installed, test skipped");
        return;
    }
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    tty_pod(&env, "ours");
    tty_pod(&env, "theirs");
    for f in ["pods.yaml", "ours.yaml", "theirs.yaml"] {
        let out = env.ours(&["apply", "-f", f]).await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env, "box") && running(&env, "ours") && running(&env, "theirs")
    })
    .await;
    let exec = "$K exec -it box -- sh";
    let ours = tokio::task::block_in_place(|| resize_session(&env, BIN, exec, "exit 3"));
    assert_eq!(ours, "$ $K exec -it box -- sh\n/ # stty size\n50 200\n/ # stty size\n40 120\n/ # exit 3\ncommand terminated with exit code 3\n$ echo rc=$?; [ \"$(stty -g)\" = \"$S\" ] && echo settings-restored\nrc=3\nsettings-restored\n$");
    let attach = |pod: &str| format!("$K attach -it {pod}");
    let ours_attach =
        tokio::task::block_in_place(|| resize_session(&env, BIN, &attach("ours"), "exit"));
    assert!(
        ours_attach.contains("/ # stty size\n50 200\n/ # stty size\n40 120\n/ # exit\n"),
        "{ours_attach}"
    );
    let Some(k) = oracle() else { return };
    let theirs = tokio::task::block_in_place(|| resize_session(&env, k, exec, "exit 3"));
    assert_eq!(ours, theirs);
    let theirs = tokio::task::block_in_place(|| resize_session(&env, k, &attach("theirs"), "exit"));
    // From attach's prompt line on: the lines above may have been reflowed out of the
    // shrunk window (ours has v1.36's longer notice there).
    let from_prompt = |s: &str| s[s.find("If you don't see").unwrap_or(0)..].to_string();
    assert_eq!(
        from_prompt(&ours_attach.replace("ours", "theirs")),
        from_prompt(&as_v136(&theirs, None))
    );
}
