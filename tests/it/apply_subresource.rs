//! `apply --subresource` (server-side only: the object's status or scale applied through its
//! subresource) and `apply --openapi-patch` (accepted; false uses the baked-in types, which
//! give the same patch for built-in kinds). Both CLIs against one sandbox, step by step.

use crate::common::{assert_same, snapshot, TestEnv};

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
";

/// The deployment's spec and labels/annotations as applied (its controller adds a revision
/// annotation and pods whenever it runs).
fn web(env: &TestEnv) -> (serde_json::Value, serde_json::Value) {
    let d = snapshot(env)
        .remove("deployments/default/web")
        .unwrap_or_default();
    (
        d["spec"].clone(),
        d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].clone(),
    )
}

#[tokio::test]
async fn apply_subresource_and_openapi_patch_as_kubectl() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("deploy.yaml"), DEPLOY).unwrap();
    std::fs::write(
        env.work.join("deploy2.yaml"),
        DEPLOY.replace("image: nginx", "image: nginx:1.27"),
    )
    .unwrap();
    let out = env.ours(&["apply", "-f", "deploy.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");

    // Refused without --server-side, before anything is sent.
    let before = web(&env);
    let args = ["apply", "-f", "deploy.yaml", "--subresource=status"];
    let ours = env.ours(&args).await;
    assert_eq!(
        (ours.code, ours.stderr.as_str()),
        (
            1,
            "error: --subresource can only be specified for --server-side\n"
        )
    );
    if let Some(theirs) = env.kubectl(&args).await {
        assert_same("client-side --subresource", &ours, &theirs);
    }
    assert_eq!(web(&env), before);

    // --openapi-patch=false: the client-side patch from the baked-in types.
    for (file, program_is_ours) in [("deploy2.yaml", true), ("deploy.yaml", false)] {
        let args = ["apply", "-f", file, "--openapi-patch=false"];
        let out = if program_is_ours {
            env.ours(&args).await
        } else {
            match env.kubectl(&args).await {
                Some(o) => o,
                None => env.ours(&args).await,
            }
        };
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "deployment.apps/web configured\n"),
            "{out:?}"
        );
    }

    // Server-side through the status and scale subresources: the same request as
    // kubectl's, answered alike (a Deployment body to /scale is the server's to refuse).
    for sub in ["--subresource=status", "--subresource=scale"] {
        let args = [
            "apply",
            "--server-side",
            "--field-manager=sub",
            sub,
            "-f",
            "deploy2.yaml",
        ];
        let before = env
            .ours(&["get", "deploy", "web", "-o", "jsonpath={.spec}"])
            .await;
        let ours = env.ours(&args).await;
        if let Some(theirs) = env.kubectl(&args).await {
            assert_same(sub, &ours, &theirs);
        }
        // Only the subresource is written: the spec stays as it was.
        let after = env
            .ours(&["get", "deploy", "web", "-o", "jsonpath={.spec}"])
            .await;
        assert_eq!(before, after, "{sub}: {ours:?}");
    }

    // A subresource the kind lacks: the server's error.
    let args = [
        "apply",
        "--server-side",
        "--subresource=nope",
        "-f",
        "deploy.yaml",
    ];
    let before = web(&env);
    let ours = env.ours(&args).await;
    assert_eq!(ours.code, 1, "{ours:?}");
    if let Some(theirs) = env.kubectl(&args).await {
        assert_same("unknown subresource", &ours, &theirs);
    }
    assert_eq!(web(&env), before);
}
