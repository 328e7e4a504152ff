//! `-k` on `edit`, `expose` and `apply view-last-applied|edit-last-applied`: the
//! kustomization's objects are the targets, as with kubectl (they were refused before).
//! Both CLIs run against one sandbox; nothing they run may change it. v1.33 prints
//! `creationTimestamp: null` in typed objects where v1.36 does not (kubernetes#130989).

use crate::common::{assert_same, oracle, snapshot, Output, TestEnv};

const KUSTOMIZATION: &str = "resources: [deploy.yaml]\nnamePrefix: kt-\n";

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx
";

/// Runs a CLI with an editor that saves nothing, so `edit` cancels.
async fn run(env: &TestEnv, program: &str, cache: &str, args: &[&str]) -> Output {
    let out = env
        .command(program, args, cache)
        .env("KUBE_EDITOR", "true")
        .output()
        .await
        .expect("run command");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
    .normalized()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kustomize_targets_match_kubectl() {
    let Some(kubectl) = oracle() else { return };
    let env = TestEnv::manual_clock().await;
    let dir = env.work.join("k");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kustomization.yaml"), KUSTOMIZATION).unwrap();
    std::fs::write(dir.join("deploy.yaml"), DEPLOY).unwrap();
    std::fs::write(env.work.join("other.yaml"), DEPLOY).unwrap();
    let applied = run(&env, kubectl, "cache-kubectl", &["apply", "-k", "k"]).await;
    assert_eq!(applied.code, 0, "{applied:?}");
    // The Deployment's controllers go on creating its ReplicaSet and pods: what these
    // commands could change is the Deployment and the Services.
    let touched = |env: &TestEnv| {
        let mut s = snapshot(env);
        s.retain(|k, _| k.starts_with("deployments/") || k.starts_with("services/"));
        s
    };
    // The deployment controller annotates the Deployment with its revision just after the
    // apply: wait for it, so that only the commands below could change it.
    crate::common::eventually(|| async {
        env.sandbox
            .store()
            .get(
                &kubectl_rs::sandbox::store::GroupResource::new("apps", "deployments"),
                "default",
                "kt-web",
            )
            .is_some_and(|d| {
                d["metadata"]["annotations"]["deployment.kubernetes.io/revision"].is_string()
            })
    })
    .await;
    let before = touched(&env);
    let cases: &[&[&str]] = &[
        &["apply", "view-last-applied", "-k", "k"],
        &["apply", "view-last-applied", "-k", "k", "-o", "json"],
        &["apply", "edit-last-applied", "-k", "k"],
        &["edit", "-k", "k"],
        &["edit", "-k", "k", "-f", "other.yaml"],
        &[
            "expose",
            "-k",
            "k",
            "--port",
            "80",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        &["expose", "-k", "k", "--port", "80", "--dry-run=server"],
        &[
            "expose",
            "-k",
            "missing",
            "--port",
            "80",
            "--dry-run=client",
        ],
    ];
    for args in cases {
        let mut theirs = run(&env, kubectl, "cache-kubectl", args).await;
        theirs.stdout = crate::create::without_null_creation_timestamp(&theirs.stdout);
        let ours = run(&env, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", args).await;
        assert_same(&args.join(" "), &ours, &theirs);
    }
    assert!(touched(&env) == before, "a -k command changed the cluster");
}
