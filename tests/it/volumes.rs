//! Statically provisioned volumes behave as on a real v1.36 cluster (recordings in
//! tests/fixtures/volumes, made by record.sh there from a real server with kubectl v1.36): a
//! new PersistentVolume is `Available`, a claim binds to the smallest volume that fits (both
//! sides `Bound`, with the controller's annotations and the protection finalizers), a claim
//! nothing fits stays `Pending` with the `FailedBinding` event, and deleting the bound claim
//! releases the volume. The same recordings hold `explain --output plaintext-openapiv2`, which
//! the real kubectl answers from `/openapi/v2` in protobuf.

use crate::common::{eventually, TestEnv};
use crate::roles::{cases, comparable, recorded};

const DIR: &str = "volumes";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volumes_bind_and_explain_v2_as_on_a_real_server() {
    let env = TestEnv::start().await;
    let setup = crate::common::fixtures().join(DIR).join("setup.yaml");
    let applied = env.ours(&["apply", "-f", setup.to_str().unwrap()]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let phase = |kind: &'static str, name: &'static str| {
        let env = &env;
        async move {
            let out = env
                .ours(&["get", kind, name, "-o", "jsonpath={.status.phase}"])
                .await;
            out.stdout
        }
    };
    eventually(|| async { phase("pvc", "sb13-pvc").await == "Bound" }).await;
    eventually(|| async {
        let ev = env
            .ours(&[
                "get",
                "events",
                "--field-selector",
                "involvedObject.name=sb13-pvc-nofit",
            ])
            .await;
        ev.stdout.contains("FailedBinding")
    })
    .await;
    let mut failures = Vec::new();
    for (name, args) in cases(DIR) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let want = recorded(DIR, &name);
        let mut runs = vec![("kubectl-rs", env.ours(&args).await)];
        if let Some(theirs) = env.kubectl(&args).await {
            runs.push(("oracle", theirs));
        }
        for (who, got) in runs {
            if (comparable(&got.stdout), &got.stderr, got.code)
                != (comparable(&want.stdout), &want.stderr, want.code)
            {
                failures.push(format!(
                    "{who} {name} {args:?}:\n--- got (rc {}):\n{}{}\n--- recorded from v1.36 (rc {}):\n{}{}",
                    got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // Deleting the bound claim (it is in no pod's use) releases the volume; deleting the
    // volume then goes through (its protection finalizer is dropped once it is not Bound).
    let del = env.ours(&["delete", "pvc", "sb13-pvc"]).await;
    assert_eq!(del.code, 0, "{}", del.stderr);
    eventually(|| async { phase("pv", "sb13-pv").await == "Released" }).await;
    let del = env.ours(&["delete", "pv", "sb13-pv"]).await;
    assert_eq!(del.code, 0, "{}", del.stderr);
    let gone = env.ours(&["get", "pv", "sb13-pv"]).await;
    assert_eq!(gone.code, 1, "{}", gone.stdout);
}
