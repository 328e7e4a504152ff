//! Shell completion end to end: real bash (with bash-completion), zsh and fish, driven through
//! tmux against an in-process sandbox, plus the `__complete` protocol answered by the binary
//! (names of 5,000 pods from one Table request without objects) and script-friendliness properties
//! (no colours, errors only on stderr, exit codes, nothing interactive without a TTY).
//!
//! A shell or tmux that is not installed skips its test with a printed note (`.ci/run`
//! installs them).

use crate::common;

use std::path::Path;
use std::time::Instant;

use common::tmux::Tmux;
use common::TestEnv;
use kubectl_rs::sandbox::store::GroupResource;
use serde_json::{json, Value};

fn installed(path: &str) -> bool {
    Path::new(path).exists()
}

/// Creates the seed's DaemonSet `node-exporter` in `default` through the sandbox's store.
fn create_daemonset(env: &TestEnv) {
    let text =
        std::fs::read_to_string(common::fixtures().join("manifests/node-exporter-daemonset.yaml"))
            .unwrap();
    let mut obj: Value = serde_yaml_ng::from_str(&text).unwrap();
    obj["metadata"]["namespace"] = json!("default");
    env.sandbox
        .store()
        .create(&GroupResource::new("apps", "daemonsets"), obj)
        .expect("create daemonset");
}

fn skip_unless(paths: &[&str]) -> bool {
    for p in paths {
        if !installed(p) {
            eprintln!("note: {p} not installed, test skipped");
            return true;
        }
    }
    false
}

/// Whether `get` is in the command tree (it is written on another branch); its lines are
/// exercised once it is.
fn has_get() -> bool {
    use clap::CommandFactory;
    kubectl_rs::cmd::Cli::command()
        .find_subcommand("get")
        .is_some()
}

/// The completions every shell must offer, on a sandbox holding the seed's DaemonSet.
fn exercise(t: &Tmux, list_keys: usize) {
    // One candidate: completed in place.
    t.complete(
        "kubectl-rs describe daemonset ",
        1,
        &["kubectl-rs describe daemonset node-exporter"],
    );
    t.complete("kubectl-rs describe ds/", 1, &["ds/node-exporter"]);
    // Several: listed.
    t.complete(
        "kubectl-rs describe po -n kube-",
        list_keys,
        &["kube-system", "kube-public"],
    );
    t.complete(
        "kubectl-rs describe daemonsets -n kube-s",
        1,
        &["-n kube-system"],
    );
    // `=` is a word break for bash: the value must still complete whole.
    t.complete(
        "kubectl-rs describe ds --namespace=kube-s",
        1,
        &["ds --namespace=kube-system"],
    );
    t.complete("kubectl-rs config use-con", 1, &["config use-context"]);
    t.complete("kubectl-rs completion fi", 1, &["completion fish"]);
    if has_get() {
        t.complete(
            "kubectl-rs get daemonset ",
            1,
            &["kubectl-rs get daemonset node-exporter"],
        );
        t.complete(
            "kubectl-rs get po -n kube-",
            list_keys,
            &["kube-system", "kube-public"],
        );
        t.complete(
            "kubectl-rs get pods -o ",
            list_keys,
            &["jsonpath", "yaml", "custom-columns"],
        );
    } else {
        eprintln!("note: no `get` command in this build, its completions not exercised");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bash_completes_from_the_cluster() {
    if skip_unless(&[
        "/usr/bin/tmux",
        "/usr/bin/bash",
        "/usr/share/bash-completion/bash_completion",
    ]) {
        return;
    }
    let env = TestEnv::start().await;
    create_daemonset(&env);
    let t = Tmux::start(&env, &["bash", "--norc", "--noprofile"]);
    t.setup(
        "PS1='$ '; source /usr/share/bash-completion/bash_completion; source <(kubectl-rs completion bash)",
    );
    tokio::task::block_in_place(|| exercise(&t, 2));
    drop(t);
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zsh_completes_from_the_cluster() {
    if skip_unless(&["/usr/bin/tmux", "/usr/bin/zsh"]) {
        return;
    }
    let env = TestEnv::start().await;
    create_daemonset(&env);
    let t = Tmux::start(&env, &["zsh", "-f"]);
    t.setup("PS1='$ '; autoload -U compinit; compinit -u; source <(kubectl-rs completion zsh)");
    tokio::task::block_in_place(|| exercise(&t, 1));
    drop(t);
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fish_completes_from_the_cluster() {
    if skip_unless(&["/usr/bin/tmux", "/usr/bin/fish"]) {
        return;
    }
    let env = TestEnv::start().await;
    create_daemonset(&env);
    let t = Tmux::start(&env, &["fish", "--no-config"]);
    t.setup("function fish_prompt; echo '$ '; end; kubectl-rs completion fish | source");
    tokio::task::block_in_place(|| exercise(&t, 1));
    drop(t);
    env.sandbox.shutdown().await;
}

/// Runs `kubectl-rs __complete <words>` against `env`.
async fn protocol(env: &TestEnv, words: &[&str]) -> common::Output {
    let mut args = vec!["__complete"];
    args.extend_from_slice(words);
    env.ours(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_answers_from_the_sandbox() {
    let env = TestEnv::start().await;
    create_daemonset(&env);
    let o = protocol(&env, &["describe", "daemonset", ""]).await;
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.code),
        ("node-exporter\n:4\n", "", 0)
    );
    // `-A` lists names from every namespace.
    let o = protocol(&env, &["describe", "-n", "kube-system", "ds", ""]).await;
    assert_eq!(o.stdout, ":4\n");
    let o = protocol(&env, &["describe", "-n", "kube-system", "-A", "ds", ""]).await;
    assert_eq!(o.stdout, "node-exporter\n:4\n");
    let o = protocol(&env, &["describe", "ds/node"]).await;
    assert_eq!(o.stdout, "ds/node-exporter\n:4\n");
    let o = protocol(&env, &["describe", "-n", "kube-"]).await;
    assert_eq!(o.stdout, "kube-node-lease\nkube-public\nkube-system\n:4\n");
    let o = protocol(&env, &["describe", "daemonsets."]).await;
    assert_eq!(o.stdout, "daemonsets.apps\n:4\n");
    // The kubeconfig named on the line is used: a missing one completes nothing, silently.
    let o = protocol(
        &env,
        &["--kubeconfig", "/nonexistent", "describe", "ds", ""],
    )
    .await;
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.code),
        (":4\n", "", 0)
    );
    let o = protocol(&env, &["--context", ""]).await;
    assert!(
        o.stdout.ends_with("\n:4\n") && o.stdout.lines().count() >= 2,
        "{o:?}"
    );
    let o = env.ours(&["__completeNoDesc", "describ"]).await;
    assert_eq!(o.stdout, "describe\n:4\n");
    let o = protocol(&env, &["describ"]).await;
    assert!(o.stdout.starts_with("describe\tShow details"), "{o:?}");
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_pod_names_in_one_request() {
    let env = TestEnv::start().await;
    // Warm the discovery cache, as any earlier command would have (before the bulk below
    // keeps the simulated kubelet busy).
    let o = protocol(&env, &["describe", ""]).await;
    assert!(o.stdout.contains("pods\n"), "{o:?}");
    let store = env.sandbox.store();
    let ns = GroupResource::new("", "namespaces");
    store
        .create(
            &ns,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bulk"}}),
        )
        .unwrap();
    let pods = GroupResource::new("", "pods");
    for i in 0..5000 {
        store
            .create(
                &pods,
                json!({"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": format!("web-{i:04}"), "namespace": "bulk"},
                   "spec": {"nodeName": "kind-multinodes-worker",
                            "containers": [{"name": "c", "image": "nginx"}]}}),
            )
            .unwrap();
    }
    let start = Instant::now();
    // A generous timeout: under a loaded machine the kubelet starting 5,000 containers may
    // delay the answer past completion's default 5 s.
    let o = protocol(
        &env,
        &[
            "describe",
            "pods",
            "-n",
            "bulk",
            "--request-timeout=1m",
            "web-49",
        ],
    )
    .await;
    let took = start.elapsed();
    let names: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(names.len(), 101, "{:?}", &names[..names.len().min(5)]);
    assert_eq!(names[0], "web-4900");
    assert_eq!(names[100], ":4");
    // Reported, not asserted: speed is measured in benches/compare.sh, never timed in tests.
    eprintln!("completing among 5000 pods took {took:?} (debug build, process start included)");
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_friendly_without_a_terminal() {
    let env = TestEnv::start().await;
    create_daemonset(&env);
    // stdout is a pipe here: no escape sequences anywhere.
    for args in [
        &["describe", "ds", "node-exporter"][..],
        &["api-resources"][..],
        &["version", "--bogus"][..],
        &["describe", "ds", "nope"][..],
        &["completion", "bash"][..],
        &["config", "view"][..],
    ] {
        let o = env.ours(args).await;
        assert!(
            !o.stdout.contains('\x1b') && !o.stderr.contains('\x1b'),
            "{args:?} printed escape sequences: {o:?}"
        );
    }
    // Errors only on stderr, kubectl's exit codes.
    let o = env.ours(&["describe", "ds", "nope"]).await;
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        "Error from server (NotFound): daemonsets.apps \"nope\" not found\n"
    );
    let o = env.ours(&["version", "--bogus"]).await;
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.starts_with("error: unknown flag: --bogus\n"),
        "{o:?}"
    );
    let o = env.ours(&["completion", "tcsh"]).await;
    assert_eq!((o.code, o.stdout.as_str()), (1, ""));
    let o = env.ours(&["completion", "zsh"]).await;
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    assert!(o.stdout.starts_with("#compdef kubectl-rs"), "{o:?}");
    // Nothing interactive: with stdin closed every command finishes on its own.
    let o = env.ours(&["describe", "ds", "node-exporter"]).await;
    assert_eq!(o.code, 0, "{o:?}");
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_matches_kubectl() {
    let env = TestEnv::start().await;
    if common::oracle().is_none() {
        eprintln!("note: the kubectl oracle is not installed, not compared");
        return;
    }
    create_daemonset(&env);
    for line in [
        &["describe", ""][..],
        &["describe", "ds", ""][..],
        &["describe", "ds/"][..],
        &["describe", "ds", "node-exporter", ""][..],
        &["describe", "-n", ""][..],
        &["describe", "--namespace=kube-"][..],
        &["describe", "--context", ""][..],
        &["--cluster", ""][..],
        &["describe", "-l", ""][..],
        &["version", ""][..],
        &["config", "use-context", ""][..],
        &["describe", "daemonsets.apps", ""][..],
        &["describe", "ds/node-exporter", "n"][..],
        &["describe", "no,ds", ""][..],
        &["describe", "--user", ""][..],
        &["describe", "-n", "kube-system", "ds", ""][..],
        &["describe", "--kubeconfig", ""][..],
    ]
    .into_iter()
    .chain(if has_get() {
        vec![
            &["get", "--output", ""][..],
            &["get", "-o", "js"][..],
            &["get", ""][..],
            &["get", "ds", ""][..],
            &["get", "po", "-n", "kube-"][..],
        ]
    } else {
        vec![]
    }) {
        let mut args = vec!["__complete"];
        args.extend_from_slice(line);
        let ours = env.ours(&args).await;
        let theirs = env.kubectl(&args).await.unwrap();
        assert_eq!(ours.stdout, theirs.stdout, "__complete {line:?}");
        assert_eq!((ours.code, ours.stderr.as_str()), (0, ""));
    }
    env.sandbox.shutdown().await;
}
