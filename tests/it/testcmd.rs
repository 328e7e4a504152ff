//! Cross-cutting behaviours that Kubernetes' own kubectl suite (`test/cmd`, issue 19) checks,
//! each compared with the real kubectl on one sandbox: kubeconfig loading and defaults,
//! resource names with a group prefix, builders that use `-f` objects as read. Without the
//! oracle installed the comparisons are skipped.

use crate::common::{self, assert_same, Output, TestEnv};
use serde_json::Value;

/// kubectl-rs's and kubectl's output with the program names made equal.
fn masked(o: Output) -> Output {
    Output {
        stdout: o.stdout,
        stderr: o
            .stderr
            .replace("kubectl-rs", "kubectl")
            .replace("kubectl.1.33", "kubectl"),
        code: o.code,
    }
}

/// Runs `args` with both CLIs (the extra environment `env_vars` added) and compares them;
/// checks that nothing on the server changed. None without the oracle.
async fn both(env: &TestEnv, args: &[&str], env_vars: &[(&str, &str)]) -> Option<Output> {
    let oracle = common::oracle()?;
    let run = |program: &str, cache: &str| {
        let mut c = env.command(program, args, cache);
        for (k, v) in env_vars {
            c.env(k, v);
        }
        c
    };
    let before = common::snapshot(env);
    let mut outs = Vec::new();
    for (program, cache) in [
        (env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs"),
        (oracle, "cache-kubectl"),
    ] {
        let out = run(program, cache).output().await.expect("run command");
        outs.push(masked(Output {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }));
    }
    assert_eq!(common::snapshot(env), before, "{args:?} changed the server");
    let theirs = outs.pop().unwrap();
    let ours = outs.pop().unwrap();
    assert_same(&format!("{args:?}"), &ours, &theirs);
    Some(ours)
}

/// The sandbox's kubeconfig as a value, to derive broken variants from.
fn kubeconfig(env: &TestEnv) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(&env.kubeconfig).unwrap()).unwrap()
}

fn write(env: &TestEnv, name: &str, text: &str) -> String {
    let p = env.work.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kubeconfig_that_is_not_a_v1_config_fails_to_load() {
    let env = TestEnv::start().await;
    let good = std::fs::read_to_string(&env.kubeconfig).unwrap();
    for (i, header) in [
        "apiVersion: v-1\n",
        "apiVersion: apps/v1\n",
        "kind: Pod\n",
        "apiVersion: a/b/c\n",
        "apiVersion: 5\n",
    ]
    .iter()
    .enumerate()
    {
        let body: String = good
            .lines()
            .filter(|l| !l.starts_with("apiVersion:") && !l.starts_with("kind:"))
            .map(|l| format!("{l}\n"))
            .collect();
        let path = write(&env, &format!("bad{i}.yaml"), &format!("{header}{body}"));
        let Some(out) = both(&env, &["get", "pods", "--kubeconfig", &path], &[]).await else {
            return;
        };
        assert!(
            out.stderr.starts_with("error: error loading config file"),
            "{header}: {}",
            out.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_without_server_talks_to_the_default_server() {
    let env = TestEnv::start().await;
    let server = env.sandbox.server_url();
    // `$KUBERNETES_MASTER` is client-go's default server; the sandbox's CA is not configured,
    // so TLS verification is skipped on the command line.
    let vars = [("KUBERNETES_MASTER", server.as_str())];
    let mut kc = kubeconfig(&env);
    kc["clusters"][0]["cluster"] = Value::Null;
    let null_cluster = write(
        &env,
        "null-cluster.yaml",
        &serde_yaml_ng::to_string(&kc).unwrap(),
    );
    let mut kc = kubeconfig(&env);
    kc["contexts"][0]["context"]["cluster"] = "gone".into();
    let dangling = write(
        &env,
        "dangling.yaml",
        &serde_yaml_ng::to_string(&kc).unwrap(),
    );
    for file in [&null_cluster, &dangling] {
        let args = [
            "get",
            "ns",
            "default",
            "-o",
            "name",
            "--insecure-skip-tls-verify",
            "--kubeconfig",
            file,
        ];
        let Some(out) = both(&env, &args, &vars).await else {
            return;
        };
        assert_eq!(out.stdout, "namespace/default\n", "{}", out.stderr);
    }
    // Only a --cluster naming a missing cluster has no server, whatever -s says.
    let args = ["get", "pods", "--cluster=missing", "-s", &server];
    if let Some(out) = both(&env, &args, &vars).await {
        assert_eq!(
            out.stderr,
            "error: no server found for cluster \"missing\"\n"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_may_be_given_by_a_prefix_of_its_name() {
    let env = TestEnv::start().await;
    for args in [
        &["create", "deployment", "web", "--image=nginx"][..],
        &["autoscale", "deployment", "web", "--max=2"],
    ] {
        assert_eq!(env.ours(args).await.code, 0, "{args:?}");
    }
    for args in [
        &["get", "hpa.autoscal", "-o=jsonpath={.items[0].apiVersion}"][..],
        &["get", "deployments.app", "-o", "name"],
        &["get", "deploy.a", "web", "-o", "name"],
        &["get", "deployments.v1.app"],
    ] {
        both(&env, args, &[]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expose_uses_the_objects_of_f_as_read() {
    let env = TestEnv::start().await;
    // A ReplicaSet that exists only in the file (kubectl's expose builder has no Latest).
    let rs = write(
        &env,
        "rs.yaml",
        "apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: redis-slave, labels: {app: redis}}
spec:
  replicas: 1
  selector: {matchLabels: {app: redis, tier: backend}}
  template:
    metadata: {labels: {app: redis, tier: backend}}
    spec: {containers: [{name: slave, image: redis, ports: [{containerPort: 6379}]}]}
",
    );
    for args in [
        &[
            "expose",
            "-f",
            &rs,
            "--save-config",
            "--port=80",
            "--target-port=8000",
            "--dry-run=client",
            "--template={{ .metadata.name }}:{{ .spec }}",
        ][..],
        &["expose", "-f", &rs, "--dry-run=client", "-o", "name"],
        &["expose", "-f", &rs, "-n", "other", "--dry-run=client"],
    ] {
        both(&env, args, &[]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_alone_selects_the_go_template_printer() {
    let env = TestEnv::start().await;
    let t = "--template={{ .metadata.name }}:{{ .kind }}";
    for args in [
        &[
            "create",
            "clusterrole",
            "cr",
            "--verb=get",
            "--resource=pods",
            "--dry-run=client",
            t,
        ][..],
        &[
            "create",
            "clusterrolebinding",
            "crb",
            "--clusterrole=cr",
            "--dry-run=client",
            t,
        ],
        &[
            "create",
            "role",
            "r",
            "--verb=get",
            "--resource=pods",
            "--dry-run=client",
            t,
        ],
        &[
            "create",
            "rolebinding",
            "rb",
            "--clusterrole=cr",
            "--dry-run=client",
            t,
        ],
        &[
            "create",
            "configmap",
            "cm",
            "--from-literal=a=b",
            "--dry-run=client",
            t,
        ],
        &["create", "secret", "generic", "s", "--dry-run=client", t],
        &["create", "namespace", "ns1", "--dry-run=client", t],
        &[
            "create",
            "deployment",
            "d",
            "--image=nginx",
            "--dry-run=client",
            t,
        ],
        &[
            "create",
            "service",
            "clusterip",
            "svc",
            "--tcp=80",
            "--dry-run=client",
            t,
        ],
        &[
            "create",
            "quota",
            "q",
            "--hard=pods=1",
            "--dry-run=client",
            t,
        ],
        &["create", "serviceaccount", "sa", "--dry-run=client", t],
    ] {
        if both(&env, args, &[]).await.is_none() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_create_apply_and_replace_validate_f() {
    let env = TestEnv::start().await;
    // test/cmd's busybox-broken.yaml: `ind:` for `kind:`.
    let broken = write(
        &env,
        "broken.yaml",
        "apiVersion: v1\nind: Pod\nmetadata:\n  name: busybox2\n  labels: {app: busybox2}\n",
    );
    let b = broken.as_str();
    for args in [
        &["label", "-f", b, "a=b"][..],
        &["annotate", "-f", b, "a=b", "--local", "-o", "name"],
        &["delete", "-f", b],
        &["rollout", "status", "-f", b],
        &["set", "image", "-f", b, "a=b"],
        &["set", "image", "-f", b, "a=b", "--local", "-o", "name"],
        &["autoscale", "-f", b, "--max=2"],
        &["expose", "-f", b, "--port=80"],
        &["auth", "reconcile", "-f", b],
        &["certificate", "approve", "-f", b],
        &["create", "-f", b],
        &["apply", "-f", b],
        &["replace", "-f", b],
    ] {
        let Some(out) = both(&env, args, &[]).await else {
            return;
        };
        assert_ne!(out.code, 0, "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollout_history_prints_revisions_only_for_o() {
    let env = TestEnv::start().await;
    let out = env
        .ours(&["create", "deployment", "deploy", "--image=nginx"])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    common::eventually(|| async {
        !env.ours(&["get", "rs", "-o", "name"])
            .await
            .stdout
            .is_empty()
    })
    .await;
    for args in [
        // A template alone prints the deployment through it.
        &[
            "rollout",
            "history",
            "deploy/deploy",
            "--template={{.metadata.name}}:",
        ][..],
        &[
            "rollout",
            "history",
            "deploy/deploy",
            "--revision=1",
            "--template={{.kind}}:",
        ],
        // -o prints the revisions (ReplicaSets).
        &[
            "rollout",
            "history",
            "deploy/deploy",
            "-o",
            "go-template={{.kind}}:",
        ],
        &["rollout", "history", "deploy/deploy", "-o", "name"],
    ] {
        if both(&env, args, &[]).await.is_none() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_input_is_read_for_one_argument_only() {
    let env = TestEnv::start().await;
    for args in [
        &["get", "-f", "-", "-f", "-"][..],
        &["apply", "-f", "-", "-f", "-"],
        &["label", "-f", "-", "-f", "-", "a=b"],
        &["set", "image", "-f", "-", "-f", "-", "a=b", "--local"],
        // `set env -` reads the variables from stdin.
        &["set", "env", "-f", "-", "-"],
    ] {
        let Some(out) = both(&env, args, &[]).await else {
            return;
        };
        assert_eq!(
            out.stderr,
            "error: standard input cannot be used for multiple arguments\n"
        );
    }
}
