//! `debug` against a cluster without the EphemeralContainers feature (the sandbox without
//! `pods/ephemeralcontainers`): kubectl's "ephemeral containers are disabled" error, nothing
//! changed; a missing pod still gets the plain NotFound.

use crate::common::{assert_same, snapshot, TestEnv};
use kubectl_rs::sandbox::server::SandboxOptions;

#[tokio::test]
async fn debug_says_ephemeral_containers_are_disabled() {
    let env = TestEnv::with(SandboxOptions {
        name: "kind-multinodes".into(),
        ephemeral_containers: false,
        ..Default::default()
    })
    .await;
    let out = env.ours(&["run", "web", "--image=nginx"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let before = snapshot(&env).len();
    let args = [
        "debug",
        "web",
        "--image=busybox",
        "--profile=general",
        "--container=dbg",
    ];
    let ours = env.ours(&args).await;
    assert_eq!(
        (ours.code, ours.stdout.as_str(), ours.stderr.as_str()),
        (
            1,
            "",
            "error: ephemeral containers are disabled for this cluster (error from server: \"the server could not find the requested resource\")\n"
        )
    );
    if let Some(theirs) = env.kubectl(&args).await {
        assert_same("debug", &ours, &theirs);
    }
    // Nothing was added: no object, no ephemeral container (the scheduler may meanwhile
    // bind the pod, so the objects themselves are not compared).
    let after = snapshot(&env);
    assert_eq!(after.len(), before, "nothing may be created");
    let pod = after.get("pods/default/web").expect("the pod");
    assert!(pod["spec"].get("ephemeralContainers").is_none(), "{pod}");
}
