//! `apply --server-side` on an object last written by client-side apply migrates its field
//! ownership (kubectl's `migrateToSSAIfNecessary`, client-go `csaupgrade`): the
//! client-side manager's fields become the server-side manager's, so a field left out of a
//! later server-side apply is removed. Compared with kubectl (v1.33) on the same sandbox,
//! each on its own ConfigMap: outputs, then the data and managed fields left.

use serde_json::Value;

use crate::common;
use common::{assert_same, TestEnv};

fn manifest(name: &str, data: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{data}")
}

/// `data` and managed fields (without their times) of ConfigMap `name`.
fn state(env: &TestEnv, name: &str) -> Value {
    let store = env.sandbox.store();
    let gr = kubectl_rs::sandbox::store::GroupResource::new("", "configmaps");
    let o = store.get(&gr, "default", name).expect("configmap");
    let mut fields = o["metadata"]["managedFields"].clone();
    for e in fields.as_array_mut().into_iter().flatten() {
        if let Some(m) = e.as_object_mut() {
            m.remove("time");
        }
    }
    serde_json::json!({"data": o["data"], "managedFields": fields})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_apply_takes_over_client_side_fields() {
    let env = TestEnv::start().await;
    let mut results = Vec::new();
    for who in ["kubectl", "ours"] {
        let name = format!("mig-{who}");
        let first = manifest(&name, "  key: value\n  legacy: unused\n");
        let second = manifest(&name, "  key: value\n  ssaKey: ssaValue\n");
        std::fs::write(env.work.join(format!("{name}-1.yaml")), &first).unwrap();
        std::fs::write(env.work.join(format!("{name}-2.yaml")), &second).unwrap();
        let f1 = format!("{name}-1.yaml");
        let f2 = format!("{name}-2.yaml");
        let steps: [&[&str]; 3] = [
            &["apply", "-f", &f1],
            &["apply", "--server-side", "-f", &f1],
            &["apply", "--server-side", "-f", &f2],
        ];
        let mut outputs = Vec::new();
        for args in steps {
            let out = if who == "kubectl" {
                let Some(o) = env.kubectl(args).await else {
                    return;
                };
                o
            } else {
                env.ours(args).await
            };
            outputs.push(out.normalized());
        }
        results.push((outputs, state(&env, &name)));
    }
    let (ours, our_state) = results.pop().unwrap();
    let (theirs, their_state) = results.pop().unwrap();
    for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        let o = common::Output {
            stdout: o.stdout.replace("mig-ours", "mig-kubectl"),
            ..o.clone()
        };
        assert_same(&format!("step {i}"), &o, t);
    }
    assert_eq!(
        our_state["data"],
        serde_json::json!({"key": "value", "ssaKey": "ssaValue"}),
        "the field left out of the server-side apply is gone"
    );
    assert_eq!(our_state, their_state);
}
