//! `auth reconcile` with the real kubectl (the oracle, v1.33; v1.36's reconcile.go and
//! component-helpers' reconciliation are the same) on the same sandbox. Each case starts from
//! the same RBAC objects (none, or those of its setup files reconciled by kubectl-rs), runs
//! kubectl, records its output and the RBAC objects and namespaces, resets, runs kubectl-rs,
//! and compares both. Fixtures: `tests/fixtures/reconcile/`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common;
use common::{assert_same, Output, TestEnv};
use kubectl_rs::sandbox::store::GroupResource;

const RBAC: &str = "rbac.authorization.k8s.io";
const KINDS: &[&str] = &[
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
];

/// Removes every RBAC object and the namespaces the cases create, then reconciles `setup`.
async fn reset(env: &TestEnv, setup: &[&str]) {
    let store = env.sandbox.store();
    for k in KINDS {
        let gr = GroupResource::new(RBAC, k);
        for o in store.list(&gr, None).0 {
            let m = &o["metadata"];
            store
                .remove(
                    &gr,
                    m["namespace"].as_str().unwrap_or_default(),
                    m["name"].as_str().unwrap(),
                )
                .unwrap();
        }
    }
    for ns in ["team", "fresh"] {
        let _ = store.remove(&GroupResource::new("", "namespaces"), "", ns);
    }
    for f in setup {
        let out = env.ours(&["auth", "reconcile", "-f", f]).await;
        assert_eq!(out.code, 0, "setup {f}: {out:?}");
    }
}

/// The RBAC objects and namespaces, without what differs between two runs.
/// The state once the ClusterRole aggregation controller, which rewrites aggregated roles after
/// the command returns, has stopped changing it (two equal reads 100 ms apart, at most ~4 s).
async fn settled_state(env: &TestEnv) -> BTreeMap<String, Value> {
    let mut last = state(env);
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = state(env);
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

fn state(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    let mut grs: Vec<GroupResource> = KINDS.iter().map(|k| GroupResource::new(RBAC, k)).collect();
    grs.push(GroupResource::new("", "namespaces"));
    for gr in grs {
        for mut o in store.list(&gr, None).0 {
            let key = format!(
                "{}/{}/{}",
                gr.resource,
                o["metadata"]["namespace"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            );
            if let Some(m) = o["metadata"].as_object_mut() {
                for f in [
                    "uid",
                    "resourceVersion",
                    "creationTimestamp",
                    "managedFields",
                ] {
                    m.remove(f);
                }
            }
            out.insert(key, o);
        }
    }
    out
}

/// kubectl's output with v1.36's differences: `kyaml` among the output formats; typed
/// objects without their zero `creationTimestamp` (kubernetes#130989).
fn v136(o: Output) -> Output {
    Output {
        stdout: crate::create::without_null_creation_timestamp(&o.stdout),
        stderr: o
            .stderr
            .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,"),
        ..o
    }
}

async fn case(env: &TestEnv, setup: &[&str], args: &[&str]) -> bool {
    reset(env, setup).await;
    let Some(theirs) = env.kubectl(args).await else {
        return false;
    };
    let theirs = v136(theirs).normalized();
    let their_state = settled_state(env).await;
    reset(env, setup).await;
    let ours = env.ours(args).await.normalized();
    let what = format!("{setup:?} then {}", args.join(" "));
    assert_same(&what, &ours, &theirs);
    let our_state = settled_state(env).await;
    assert_eq!(our_state, their_state, "state after {what}");
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_matches_kubectl() {
    let env = TestEnv::manual_clock().await;
    for f in std::fs::read_dir(common::fixtures().join("reconcile")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, env.work.join(f.file_name().unwrap())).unwrap();
    }
    let cases: &[(&[&str], &[&str])] = &[
        // Everything missing: created, with the namespace; the ConfigMap skipped.
        (&[], &["auth", "reconcile", "-f", "rbac.yaml"]),
        (
            &[],
            &["auth", "reconcile", "-f", "rbac.yaml", "--dry-run=client"],
        ),
        (&[], &["auth", "reconcile", "-f", "rbac.yaml", "-o", "json"]),
        (
            &[],
            &["auth", "reconcile", "-f", "other-ns.yaml", "-o", "yaml"],
        ),
        (
            &[],
            &[
                "auth",
                "reconcile",
                "-f",
                "other-ns.yaml",
                "-n",
                "fresh",
                "-o",
                "name",
            ],
        ),
        // Already reconciled: nothing required.
        (&["rbac.yaml"], &["auth", "reconcile", "-f", "rbac.yaml"]),
        (
            &["rbac.yaml"],
            &["auth", "reconcile", "-f", "rbac.yaml", "-o", "json"],
        ),
        // Changed rules and subjects, another roleRef (recreated).
        (
            &["rbac.yaml"],
            &["auth", "reconcile", "-f", "rbac-changed.yaml"],
        ),
        (
            &["rbac.yaml"],
            &[
                "auth",
                "reconcile",
                "-f",
                "rbac-changed.yaml",
                "--remove-extra-permissions",
            ],
        ),
        (
            &["rbac.yaml"],
            &[
                "auth",
                "reconcile",
                "-f",
                "rbac-changed.yaml",
                "--remove-extra-subjects",
                "--remove-extra-permissions",
                "-o",
                "yaml",
            ],
        ),
        (
            &["rbac.yaml"],
            &[
                "auth",
                "reconcile",
                "-f",
                "rbac-changed.yaml",
                "--remove-extra-subjects",
                "--dry-run=client",
                "-o",
                "json",
            ],
        ),
        // Annotations merged; an opted-out object reported, not changed.
        (
            &["rbac.yaml"],
            &["auth", "reconcile", "-f", "protected.yaml"],
        ),
        (
            &["protected.yaml"],
            &["auth", "reconcile", "-f", "rbac.yaml"],
        ),
        // Aggregation rules.
        (
            &["rbac.yaml"],
            &["auth", "reconcile", "-f", "aggregated.yaml"],
        ),
        (
            &["aggregated.yaml"],
            &[
                "auth",
                "reconcile",
                "-f",
                "rbac.yaml",
                "--remove-extra-permissions",
            ],
        ),
    ];
    for (setup, args) in cases {
        if !case(&env, setup, args).await {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_changes_nothing() {
    let env = TestEnv::manual_clock().await;
    for f in std::fs::read_dir(common::fixtures().join("reconcile")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, env.work.join(f.file_name().unwrap())).unwrap();
    }
    let cases: &[&[&str]] = &[
        &["auth", "reconcile"],
        &["auth", "reconcile", "-f", "rbac.yaml", "extra"],
        &["auth", "reconcile", "-f", "rbac.yaml", "--dry-run=server"],
        &["auth", "reconcile", "-f", "rbac.yaml", "--dry-run=maybe"],
        &["auth", "reconcile", "-f", "rbac.yaml", "-o", "bogus"],
        &["auth", "reconcile", "-f", "missing.yaml"],
        &["auth", "reconcile", "-f", "rbac.yaml", "-n", "other"],
        // The builder reads locally with kubectl's scheme (cli-runtime `Local()`): another
        // RBAC version is refused by reconcile itself, not by the server's mappings; an
        // unknown kind is a decode error reported after the others; a Role without a
        // namespace gets none (its namespace name is empty when creating it).
        &["auth", "reconcile", "-f", "v1beta1.yaml"],
        &["auth", "reconcile", "-f", "local-mix.yaml"],
        &[
            "auth",
            "reconcile",
            "-f",
            "local-mix.yaml",
            "-f",
            "v1beta1.yaml",
            "-f",
            "other-ns.yaml",
            "-n",
            "fresh",
        ],
    ];
    for args in cases {
        reset(&env, &[]).await;
        let before = state(&env);
        let Some(theirs) = env.kubectl(args).await else {
            return;
        };
        let after_theirs = state(&env);
        reset(&env, &[]).await;
        let ours = env.ours(args).await;
        assert_same(
            &args.join(" "),
            &ours.normalized(),
            &v136(theirs.clone()).normalized(),
        );
        assert_eq!(state(&env), after_theirs, "{args:?}");
        // A refused command changes nothing (a file with some objects in another namespace
        // still reconciles the others, as kubectl does).
        if theirs.code != 0 && theirs.stdout.is_empty() {
            assert_eq!(after_theirs, before, "{args:?}");
        }
    }
}
