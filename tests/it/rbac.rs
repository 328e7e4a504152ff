//! RBAC in the sandbox, against the real kubectl (the oracle, v1.33) on the same sandbox:
//! a service account authenticated by a token from `create token` gets what its RoleBindings
//! grant and the real server's Forbidden Status otherwise; `auth can-i` (`--list` too) answers
//! from the same authorizer; impersonation (`--as`, `--as-group`) works for the admin and is
//! refused to others. Every case also checks that nothing on the server changed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::common;
use crate::create::without_null_creation_timestamp;
use common::{assert_same, Output, TestEnv};

/// Every stored object, without what the sandbox's loops change.
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        if gr.resource == "leases" || gr.resource == "events" {
            continue;
        }
        for mut o in store.list(&gr, None).0 {
            let m = &o["metadata"];
            let key = format!(
                "{}/{}/{}",
                gr.resource,
                m["namespace"].as_str().unwrap_or_default(),
                m["name"].as_str().unwrap_or_default()
            );
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            if let Some(m) = o["metadata"].as_object_mut() {
                m.remove("resourceVersion");
                m.remove("managedFields");
            }
            out.insert(key, o);
        }
    }
    out
}

/// Creates service account `default/x`, a Role `reader` (pods and pods/log: get, list;
/// configmap kube-root-ca.crt: get) bound to it, a RoleBinding to a Role that does not exist,
/// and writes a kubeconfig that authenticates with a token of `x` (no client certificate).
async fn service_account_kubeconfig(env: &TestEnv) -> PathBuf {
    for args in [
        &["create", "serviceaccount", "x"][..],
        &[
            "create",
            "role",
            "reader",
            "--verb=get,list",
            "--resource=pods,pods/log",
        ],
        &[
            "create",
            "role",
            "ca",
            "--verb=get",
            "--resource=configmaps",
            "--resource-name=kube-root-ca.crt",
        ],
        &[
            "create",
            "rolebinding",
            "reader",
            "--role=reader",
            "--serviceaccount=default:x",
        ],
        &[
            "create",
            "rolebinding",
            "ca",
            "--role=ca",
            "--serviceaccount=default:x",
        ],
        &[
            "create",
            "rolebinding",
            "dangling",
            "--role=gone",
            "--serviceaccount=default:x",
        ],
    ] {
        let out = env.ours(args).await;
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let token = env.ours(&["create", "token", "x"]).await;
    assert_eq!(token.code, 0, "{}", token.stderr);
    token_kubeconfig(env, token.stdout.trim(), "sa-kubeconfig")
}

/// The sandbox's kubeconfig with `token` as its user's only credential, written to `file`.
fn token_kubeconfig(env: &TestEnv, token: &str, file: &str) -> PathBuf {
    let mut kc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&env.sandbox.kubeconfig_yaml())
        .expect("the sandbox's kubeconfig parses");
    let mut user = serde_yaml_ng::Mapping::new();
    user.insert("token".into(), token.into());
    kc["users"][0]["user"] = serde_yaml_ng::Value::Mapping(user);
    let path = env.dir.path().join(file);
    std::fs::write(&path, serde_yaml_ng::to_string(&kc).unwrap()).unwrap();
    path
}

/// Runs `args` through both CLIs (with `--kubeconfig kubeconfig` when given), comparing them
/// and checking the server is untouched; returns our output.
async fn compare(env: &TestEnv, kubeconfig: Option<&PathBuf>, args: &[&str]) -> Output {
    let mut full: Vec<&str> = Vec::new();
    let kc = kubeconfig.map(|p| format!("--kubeconfig={}", p.display()));
    if let Some(kc) = &kc {
        full.push(kc);
    }
    full.extend_from_slice(args);
    let before = snapshot(env);
    let ours = env.ours(&full).await;
    assert_eq!(snapshot(env), before, "{args:?} changed the server");
    if let Some(mut theirs) = env.kubectl(&full).await {
        // v1.34+ omits the zero creationTimestamp of typed objects (kubernetes#130989).
        theirs.stdout = without_null_creation_timestamp(&theirs.stdout);
        assert_eq!(snapshot(env), before, "{args:?} changed the server");
        assert_same(
            &format!("{args:?}"),
            &ours.normalized(),
            &theirs.normalized(),
        );
    }
    ours
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_account_gets_what_its_bindings_grant() {
    let env = TestEnv::start().await;
    let sa = service_account_kubeconfig(&env).await;
    let sa = Some(&sa);
    // Denials: the real server's Forbidden text, exit 1.
    let out = compare(&env, sa, &["get", "pods", "-A"]).await;
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (1, "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:x\" cannot list resource \"pods\" in API group \"\" at the cluster scope\n")
    );
    let out = compare(&env, sa, &["get", "configmap", "other"]).await;
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): configmaps \"other\" is forbidden: User \"system:serviceaccount:default:x\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"default\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found\n"
    );
    // Allowed by the bindings.
    let out = compare(&env, sa, &["get", "pods"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = compare(
        &env,
        sa,
        &["get", "configmap", "kube-root-ca.crt", "-o", "name"],
    )
    .await;
    assert_eq!(out.stdout, "configmap/kube-root-ca.crt\n");
    for args in [
        &["auth", "whoami"][..],
        &["get", "deployments"],
        &["get", "nodes"],
        &["get", "namespace", "default"],
        &["get", "rolebindings"],
        &["delete", "pod", "nothing"],
        &["create", "configmap", "c", "--from-literal=a=b"],
        &["logs", "nothing"],
        &["auth", "can-i", "list", "pods"],
        &["auth", "can-i", "create", "pods"],
        &["auth", "can-i", "get", "pods", "--subresource=log"],
        &["auth", "can-i", "get", "pods/log"],
        &["auth", "can-i", "get", "configmaps/kube-root-ca.crt"],
        &["auth", "can-i", "get", "configmaps/other"],
        &["auth", "can-i", "list", "pods", "-A"],
        &["auth", "can-i", "list", "pods", "-n", "kube-system"],
        &["auth", "can-i", "get", "/healthz"],
        &["auth", "can-i", "get", "/logs"],
        &[
            "auth",
            "can-i",
            "create",
            "selfsubjectaccessreviews.authorization.k8s.io",
        ],
        &["auth", "can-i", "--list"],
        &["auth", "can-i", "--list", "-n", "kube-system"],
        &["auth", "can-i", "list", "pods", "--as=bob"],
        &["get", "pods", "--as=bob"],
        &["get", "pods", "--as=system:serviceaccount:default:default"],
        &["get", "pods", "--as=bob", "--as-group=devs"],
    ] {
        compare(&env, sa, args).await;
    }
    let out = compare(&env, sa, &["auth", "can-i", "create", "pods"]).await;
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            1,
            "no - RBAC: role.rbac.authorization.k8s.io \"gone\" not found\n"
        )
    );
    let out = compare(&env, sa, &["get", "pods", "--as=bob"]).await;
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): users \"bob\" is forbidden: User \"system:serviceaccount:default:x\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_impersonates_and_sees_what_others_may_do() {
    let env = TestEnv::start().await;
    service_account_kubeconfig(&env).await;
    let x = "--as=system:serviceaccount:default:x";
    let out = compare(&env, None, &["get", "pods", "-A", x]).await;
    assert_eq!(out.code, 1);
    assert!(out
        .stderr
        .contains("User \"system:serviceaccount:default:x\" cannot list"));
    let out = compare(&env, None, &["auth", "can-i", "list", "pods", x]).await;
    assert_eq!(out.stdout, "yes\n");
    for args in [
        &["auth", "can-i", "list", "pods"][..],
        &["auth", "can-i", "--list"],
        &["auth", "can-i", "--list", x],
        &["auth", "can-i", "--list", "-n", "kube-system", x],
        &["auth", "can-i", "get", "pods", "--subresource=log", x],
        &["auth", "can-i", "delete", "pods", x],
        &["auth", "can-i", "create", "pods", "--as=bob"],
        &[
            "auth",
            "can-i",
            "create",
            "pods",
            "--as=bob",
            "--as-group=system:masters",
        ],
        &[
            "auth",
            "whoami",
            "--as=bob",
            "--as-group=devs",
            "--as-group=ops",
        ],
        &["auth", "whoami", x, "-o", "json"],
        &["get", "pods", "--as=bob"],
        &["get", "pods", "--as=bob", "--as-group=system:masters"],
        &["get", "clusterroles"],
        &["get", "clusterrolebindings", "-o", "wide"],
    ] {
        compare(&env, None, args).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_or_foreign_token_is_unauthorized() {
    let env = TestEnv::manual_clock().await;
    let sa = service_account_kubeconfig(&env).await;
    let out = compare(&env, Some(&sa), &["get", "pods"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Past the token's hour.
    env.advance(std::time::Duration::from_secs(3601));
    let out = compare(&env, Some(&sa), &["get", "pods"]).await;
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "error: You must be logged in to the server (Unauthorized)\n"
        )
    );
    // A token whose service account is gone.
    let fresh = service_account_kubeconfig_after_delete(&env).await;
    let out = compare(&env, Some(&fresh), &["get", "pods"]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
}

/// A kubeconfig with a fresh token of `y`, after `y` was deleted.
async fn service_account_kubeconfig_after_delete(env: &TestEnv) -> PathBuf {
    assert_eq!(env.ours(&["create", "serviceaccount", "y"]).await.code, 0);
    let token = env.ours(&["create", "token", "y"]).await;
    assert_eq!(env.ours(&["delete", "serviceaccount", "y"]).await.code, 0);
    token_kubeconfig(env, token.stdout.trim(), "gone-kubeconfig")
}
