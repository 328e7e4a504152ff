//! `delete --raw`: a DELETE of a raw URI, with the `-f` file (or stdin) as the body, the
//! server's answer printed as it came; kubectl's refusals of the flags it does not combine
//! with (which change nothing on the server).

use crate::common::{self, assert_same, snapshot, TestEnv};

async fn both(env: &TestEnv, args: &[&str]) -> common::Output {
    let ours = env.ours(args).await;
    if let Some(theirs) = env.kubectl(args).await {
        assert_same(&args.join(" "), &ours, &theirs);
    }
    ours
}

#[tokio::test]
async fn raw_deletes_the_uri_with_the_files_body() {
    let env = TestEnv::start().await;
    for name in ["one", "two"] {
        let out = env
            .ours(&["create", "configmap", name, "--from-literal=k=v"])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    // A DeleteOptions body with dryRun: the server answers with the object and keeps it
    // (so both CLIs see the same object).
    std::fs::write(
        env.work.join("dry.json"),
        r#"{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"]}"#,
    )
    .unwrap();
    let before = snapshot(&env);
    let out = both(
        &env,
        &[
            "delete",
            "--raw",
            "/api/v1/namespaces/default/configmaps/one",
            "-f",
            "dry.json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let status: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status["details"]["name"], "one", "{out:?}");
    assert_eq!(snapshot(&env), before, "a dry-run body must not delete");

    // No body: the object goes.
    let out = env
        .ours(&[
            "delete",
            "--raw",
            "/api/v1/namespaces/default/configmaps/one",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    // The apiserver's answer to an immediate delete: a Success status naming the object.
    let status: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (&status["status"], &status["details"]["name"]),
        (&"Success".into(), &"one".into()),
        "{out:?}"
    );
    let gone = env.ours(&["get", "configmap", "one"]).await;
    assert_eq!(
        gone.stderr,
        "Error from server (NotFound): configmaps \"one\" not found\n"
    );
    // The server's error, as kubectl prints it.
    let out = both(
        &env,
        &[
            "delete",
            "--raw",
            "/api/v1/namespaces/default/configmaps/one",
        ],
    )
    .await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("NotFound"), "{out:?}");
}

#[tokio::test]
async fn raw_refuses_what_kubectl_refuses_and_changes_nothing() {
    let env = TestEnv::start().await;
    let out = env
        .ours(&["create", "configmap", "keep", "--from-literal=k=v"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let uri = "/api/v1/namespaces/default/configmaps/keep";
    let before = snapshot(&env);
    for (args, want) in [
        (
            vec!["delete", "--raw", "api/v1/x"],
            "error: --raw must be a valid URL path: parse \"api/v1/x\": invalid URI for request\n",
        ),
        (
            vec!["delete", "--raw", uri, "-i"],
            "error: --interactive can not be used with --raw\n",
        ),
        (
            vec!["delete", "--raw", uri, "-f", "a", "-f", "b"],
            "error: --raw can only use a single local file or stdin\n",
        ),
        (
            vec!["delete", "--raw", uri, "-f", "https://example.com/x"],
            "error: --raw cannot read from a url\n",
        ),
        (
            vec!["delete", "--raw", uri, "-f", "x", "-R"],
            "error: --raw and --recursive are mutually exclusive\n",
        ),
        (
            vec!["delete", "--raw", uri, "-o", "name"],
            "error: --raw and --output are mutually exclusive\n",
        ),
    ] {
        let out = both(&env, &args).await;
        assert_eq!(
            (out.code, out.stderr.as_str(), out.stdout.as_str()),
            (1, want, ""),
            "{args:?}"
        );
    }
    assert_eq!(snapshot(&env), before);
}
