//! CRDs in `/openapi/v2` and their CEL validation rules, against goldens recorded from a real
//! v1.36 server (tests/fixtures/crdv2/README.md): `explain --output=plaintext-openapiv2` of
//! custom resources (kubectl reads the v2 document, in protobuf) prints what it prints against
//! the real server, with the oracle and with kubectl-rs; a new CRD changes the document's
//! ETag, so a client's HTTP cache picks it up.

use crate::common;
use common::{Output, TestEnv};

fn golden(name: &str) -> String {
    std::fs::read_to_string(common::fixtures().join("crdv2").join(name)).unwrap()
}

async fn apply(env: &TestEnv, file: &str) {
    std::fs::write(env.work.join(file), golden(file)).unwrap();
    let out = env.ours(&["apply", "-f", file]).await;
    assert_eq!(out.code, 0, "{out:?}");
}

/// Runs `args` with both CLIs; each must print `want` on stdout, nothing on stderr, exit 0.
async fn both_print(env: &TestEnv, args: &[&str], want: &str) {
    let ours = env.ours(args).await;
    let expected = Output {
        stdout: want.to_string(),
        stderr: String::new(),
        code: 0,
    };
    common::assert_same(&format!("kubectl-rs {}", args.join(" ")), &ours, &expected);
    if let Some(theirs) = env.kubectl(args).await {
        common::assert_same(&format!("kubectl {}", args.join(" ")), &theirs, &expected);
    }
}

#[tokio::test]
async fn explain_openapiv2_of_custom_resources_prints_what_a_real_server_gives() {
    let env = TestEnv::manual_clock().await;
    apply(&env, "widgets-crd.yaml").await;
    let v2 = ["--output=plaintext-openapiv2"];
    both_print(
        &env,
        &["explain", "widgets", v2[0]],
        &golden("explain-widgets.txt"),
    )
    .await;
    both_print(
        &env,
        &[
            "explain",
            "widgets.spec",
            "--api-version=crdv2.example.com/v1",
            v2[0],
        ],
        &golden("explain-widgets-v1-spec.txt"),
    )
    .await;
    // Same HTTP caches as above: the document changes with the new CRD, and so does its ETag.
    let before = env.sandbox.store().current_rv();
    apply(&env, "gadgets-crd.yaml").await;
    assert_ne!(env.sandbox.store().current_rv(), before);
    both_print(
        &env,
        &["explain", "gadgets", "--recursive", v2[0]],
        &golden("explain-gadgets-recursive.txt"),
    )
    .await;
}
