//! `apply` and `create -f` against the sandbox: the recorded reference steps (kubectl v1.36),
//! and a matrix of edits applied with kubectl-rs and with the real kubectl (when installed)
//! whose live objects and last-applied annotations must agree.

// The shared harness trips one clippy lint (reported to the lead; not edited here).
#[allow(clippy::cmp_owned)]
mod common;

use common::flow::{expected_for, steps, Flavor};
use common::TestEnv;

/// The reference steps this command owns, run in order on one sandbox.
const STEPS: &[&str] = &[
    "01-", "07-", "08-", "30-", "31-", "32-", "33-", "34-", "35-", "36-", "37-", "38-", "39-",
    "41-", "42-",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_apply_and_delete_steps() {
    let env = TestEnv::start().await;
    let mut failures = Vec::new();
    for step in steps() {
        if !STEPS.iter().any(|p| step.name.starts_with(p)) {
            continue;
        }
        let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
        let got = env.ours(&args).await.normalized();
        let want = expected_for(&step, Flavor::V136).normalized();
        if got != want {
            failures.push((step.name.clone(), want, got));
        }
    }
    assert!(failures.is_empty(), "{}", common::flow::report(&failures));
}
