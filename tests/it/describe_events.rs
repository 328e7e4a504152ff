//! `describe --show-events` as kubectl v1.36 has it ("Skip events for multi-object kubectl
//! describe", v0.36 describe.go): unless the flag is given, events are listed for a single
//! object only; several objects, or a name-prefix match, print none. The v1.33 oracle always
//! lists them, so these cases are checked against v1.36's source rather than the oracle.

use crate::common::TestEnv;

const CMS: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: web-a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-b
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_show_for_one_object_unless_told() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("cms.yaml"), CMS).unwrap();
    assert_eq!(env.ours(&["create", "-f", "cms.yaml"]).await.code, 0);
    let events = |args: &'static [&'static str]| {
        let env = &env;
        async move {
            let o = env.ours(args).await;
            assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
            o.stdout.matches("\nEvents:").count()
        }
    };
    // One object: events by default, none when turned off.
    assert_eq!(events(&["describe", "cm", "web-a"]).await, 1);
    assert_eq!(
        events(&["describe", "cm", "web-a", "--show-events=false"]).await,
        0
    );
    // Several objects, or a prefix match: none by default, all when asked for.
    assert_eq!(events(&["describe", "cm", "web-a", "web-b"]).await, 0);
    assert_eq!(events(&["describe", "-f", "cms.yaml"]).await, 0);
    assert_eq!(events(&["describe", "cm", "web"]).await, 0);
    assert_eq!(
        events(&["describe", "cm", "web-a", "web-b", "--show-events"]).await,
        2
    );
    assert_eq!(
        events(&["describe", "cm", "web", "--show-events=true"]).await,
        2
    );
}
