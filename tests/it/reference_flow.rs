//! The recorded reference flow replayed against the sandbox: first with the real kubectl
//! (proving the sandbox answers like a real v1.36 cluster), then with kubectl-rs (proving it
//! prints what kubectl v1.36 prints).

use crate::common;

use common::flow::{replay, report, Flavor};
use common::TestEnv;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_against_the_sandbox_matches_the_reference() {
    if common::oracle().is_none() {
        eprintln!("skipped: the kubectl oracle is not installed");
        return;
    }
    let env = TestEnv::start().await;
    let failures = replay(&env, Flavor::V133, |args| {
        let env = &env;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            env.kubectl(&args).await.unwrap()
        }
    })
    .await;
    assert!(
        failures.is_empty(),
        "{} steps differ:\n{}",
        failures.len(),
        report(&failures)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_rs_against_the_sandbox_matches_the_reference() {
    let env = TestEnv::start().await;
    let failures = replay(&env, Flavor::V136, |args| {
        let env = &env;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            env.ours(&args).await
        }
    })
    .await;
    assert!(
        failures.is_empty(),
        "{} steps differ:\n{}",
        failures.len(),
        report(&failures)
    );
}
