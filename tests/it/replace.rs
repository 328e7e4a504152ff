//! `replace` against the real kubectl (v1.33, when installed): the same commands on twin
//! sandboxes give the same stdout, stderr and exit code and leave the same objects; refused
//! and failing commands, run by both CLIs on one sandbox, change nothing. kubectl v1.33
//! prints `… deleted` where v1.36 (the target) prints `… deleted from <ns> namespace`, and
//! lists no kyaml among the output formats; both documented differences are applied to
//! kubectl's output before comparing.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{self, assert_same, Output, TestEnv};

/// `c1` made by `create` (no last-applied annotation), `c2` by `apply` (with one).
const C1: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"1\"
";

const C2: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c2
  labels: {team: a}
data:
  b: \"1\"
";

const OTHER: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: other
";

const CHANGED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"2\"
  z: new
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c2
data:
  b: \"2\"
";

/// Replaced in place of `other`'s status (phase only: the status subresource keeps the rest).
const OTHER_STATUS: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: other
  labels: {ignored: here}
status:
  phase: Terminating
";

const KUSTOMIZATION: &str = "resources:
- c1.yaml
commonLabels:
  from: kustomize
";

const RAW: &str = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1","namespace":"default"},"data":{"raw":"yes"}}"#;

/// Objects that do not exist, and a kind the server does not serve.
const MISSING: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: nope
data:
  a: \"1\"
---
apiVersion: v1
kind: Nope
metadata:
  name: z
";

const BAD_NAME: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: ../c1
";

/// The objects replace may change (configmaps and namespaces outside the system ones),
/// without what the server assigns.
fn objects(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        if !matches!(gr.resource.as_str(), "configmaps" | "namespaces") {
            continue;
        }
        let (items, _) = store.list(&gr, None);
        for mut o in items {
            let ns = o["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            // Each sandbox makes its own CA.
            if ns.starts_with("kube-") || name.starts_with("kube-") {
                continue;
            }
            if let Some(m) = o["metadata"].as_object_mut() {
                for k in ["resourceVersion", "uid", "creationTimestamp"] {
                    m.remove(k);
                }
                if let Some(Value::Array(fields)) = m.get_mut("managedFields") {
                    for f in fields {
                        if let Some(f) = f.as_object_mut() {
                            f.remove("time");
                            // `--raw` writes as the program (its User-Agent), named apart.
                            if let Some(Value::String(name)) = f.get_mut("manager") {
                                *name = name.replace("kubectl.1.33", "kubectl-rs");
                            }
                        }
                    }
                }
                // A re-created object's annotation records the server's fields it was read with.
                if let Some(Value::String(c)) = m
                    .get_mut("annotations")
                    .and_then(|a| a.get_mut("kubectl.kubernetes.io/last-applied-configuration"))
                {
                    *c = normalize_json(c);
                }
            }
            out.insert(format!("{}/{ns}/{name}", gr.resource), o);
        }
    }
    out
}

/// JSON text with the server-assigned fields masked (raw answers, annotations).
fn normalize_json(text: &str) -> String {
    fn mask(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if matches!(
                        k.as_str(),
                        "uid" | "resourceVersion" | "creationTimestamp" | "time"
                    ) {
                        *v = Value::String("X".into());
                    } else {
                        mask(v);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(mask),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text.trim_end()) {
        Ok(mut v) => {
            mask(&mut v);
            v.to_string()
        }
        Err(_) => text.to_string(),
    }
}

/// kubectl v1.33's output as v1.36 prints it (every namespaced test object is in `default`).
fn as_v136(o: Output) -> Output {
    let stdout = o
        .stdout
        .split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches('\n');
            if body.ends_with("\" deleted") && body.starts_with("configmap ") {
                format!("{body} from default namespace\n")
            } else {
                line.to_string()
            }
        })
        .collect();
    Output {
        stdout,
        stderr: o.stderr.replace(
            "jsonpath-file,name,template",
            "jsonpath-file,kyaml,name,template",
        ),
        code: o.code,
    }
}

fn masked(o: Output) -> Output {
    let o = if o.stdout.starts_with('{') && !o.stdout.contains('\n') {
        Output {
            stdout: normalize_json(&o.stdout),
            ..o
        }
    } else {
        o
    };
    let o = o.normalized();
    Output {
        // `--raw` writes as the program (its User-Agent), named apart.
        stdout: o
            .stdout
            .replace("\"manager\":\"kubectl.1.33\"", "\"manager\":\"kubectl-rs\""),
        stderr: o.stderr.replace("kubectl-rs", "kubectl"),
        ..o
    }
}

/// The same files and objects in a sandbox (made by kubectl-rs, so that twins start equal).
async fn setup(env: &TestEnv) {
    let files = [
        ("c1.yaml", C1),
        ("c2.yaml", C2),
        ("other.yaml", OTHER),
        ("changed.yaml", CHANGED),
        ("other-status.yaml", OTHER_STATUS),
        ("raw.json", RAW),
        ("missing.yaml", MISSING),
        ("bad-name.yaml", BAD_NAME),
    ];
    for (name, text) in files {
        std::fs::write(env.work.join(name), text).unwrap();
    }
    std::fs::create_dir_all(env.work.join("k")).unwrap();
    std::fs::write(env.work.join("k/kustomization.yaml"), KUSTOMIZATION).unwrap();
    std::fs::write(env.work.join("k/c1.yaml"), C1).unwrap();
    for args in [
        &["create", "-f", "c1.yaml"][..],
        &["apply", "-f", "c2.yaml"],
        &["create", "-f", "other.yaml"],
    ] {
        let out = env.ours(args).await;
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
}

/// Runs `cases` on twin sandboxes (kubectl-rs on one, kubectl on the other), comparing each
/// output, then the objects both leave.
async fn twins(cases: &[&[&str]]) {
    if common::oracle().is_none() {
        return;
    }
    let (ours_env, theirs_env) = (TestEnv::start().await, TestEnv::start().await);
    setup(&ours_env).await;
    setup(&theirs_env).await;
    for args in cases {
        let ours = masked(ours_env.ours(args).await);
        let theirs = masked(as_v136(theirs_env.kubectl(args).await.unwrap()));
        assert_same(&format!("{args:?}"), &ours, &theirs);
        let (a, b) = (objects(&ours_env), objects(&theirs_env));
        assert_eq!(a, b, "{args:?}: the twins' objects differ");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_matches_kubectl_on_twin_sandboxes() {
    twins(&[
        // In place: c1 keeps no annotation, c2's last-applied follows the new object.
        &["replace", "-f", "changed.yaml"],
        &["replace", "-f", "c1.yaml", "-o", "yaml"],
        &[
            "replace",
            "-f",
            "changed.yaml",
            "-o",
            "name",
            "--dry-run=server",
        ],
        &["replace", "-f", "c2.yaml", "--dry-run=client", "-o", "json"],
        &["replace", "-f", "changed.yaml", "--dry-run=server"],
        &["replace", "-f", "c2.yaml", "--dry-run=client"],
        &[
            "replace",
            "-f",
            "c1.yaml",
            "--field-manager=me",
            "--show-managed-fields",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}",
        ],
        &["replace", "-f", "c1.yaml", "--template={{.metadata.name}}"],
        &["replace", "-k", "k"],
        &["replace", "--save-config", "-f", "c1.yaml", "-o", "yaml"],
        // Delete, wait until gone, create again.
        &["replace", "--force", "-f", "changed.yaml"],
        &[
            "replace",
            "--force",
            "-f",
            "c2.yaml",
            "-o",
            "name",
            "--cascade=foreground",
            "--wait",
        ],
        &[
            "replace",
            "--force",
            "--grace-period=0",
            "-k",
            "k",
            "-o",
            "yaml",
        ],
        &["replace", "--subresource=status", "-f", "other-status.yaml"],
        // The deletion and its wait are on the object itself, whatever --subresource says.
        &["replace", "--force", "--subresource=../x", "-f", "c2.yaml"],
        &[
            "replace",
            "--raw",
            "/api/v1/namespaces/default/configmaps/c1",
            "-f",
            "raw.json",
        ],
        // Nothing to delete: the objects are created.
        &["delete", "-f", "changed.yaml"],
        &["replace", "--force", "-f", "changed.yaml", "-o", "name"],
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_object_conflicts_as_in_kubectl() {
    if common::oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    setup(&env).await;
    let live = env.ours(&["get", "configmap", "c1", "-o", "yaml"]).await;
    std::fs::write(env.work.join("stale.yaml"), live.stdout).unwrap();
    let out = env.ours(&["label", "configmap", "c1", "x=y"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let args = ["replace", "-f", "stale.yaml"];
    let before = objects(&env);
    let ours = masked(env.ours(&args).await);
    assert_eq!(objects(&env), before, "kubectl-rs changed the server");
    let theirs = masked(as_v136(env.kubectl(&args).await.unwrap()));
    assert_same("replace of a stale object", &ours, &theirs);
    assert_eq!(
        ours.stderr,
        "Error from server (Conflict): error when replacing \"stale.yaml\": Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again\n"
    );
    assert_eq!(ours.code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_and_failing_replaces_change_nothing() {
    if common::oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    setup(&env).await;
    let cases: &[&[&str]] = &[
        &["replace"],
        &["replace", "--raw", "/api/v1"],
        &["replace", "-k", ""],
        &["replace", "-f", ""],
        &["replace", "-f", "missing.yaml"],
        &["replace", "--force", "-f", "missing.yaml"],
        &["replace", "-f", "no-such-file.yaml"],
        &["replace", "-k", "no-such-dir"],
        &["replace", "-f", "bad-name.yaml"],
        &["replace", "--force", "-f", "bad-name.yaml"],
        &["replace", "--force", "--dry-run=client", "-f", "c1.yaml"],
        &["replace", "--force", "--dry-run=server", "-f", "c1.yaml"],
        &["replace", "--grace-period=3", "-f", "c1.yaml"],
        &["replace", "--grace-period=0", "-f", "c1.yaml"],
        &["replace", "--timeout=5s", "-f", "c1.yaml"],
        &["replace", "--cascade=bad", "--force", "-f", "c1.yaml"],
        &["replace", "--validate=bad", "-f", "c1.yaml"],
        &["replace", "-o", "wide", "-f", "c1.yaml"],
        &["replace", "--force", "configmap", "-f", "c1.yaml"],
        &["replace", "--force", "configmap/c1", "-f", "c1.yaml"],
        &["replace", "--subresource=nope", "-f", "changed.yaml"],
        &["replace", "-f", "c1.yaml", "-k", "k"],
        &["replace", "--raw", "api/v1", "-f", "raw.json"],
        &[
            "replace", "--raw", "/api/v1", "-f", "raw.json", "-o", "yaml",
        ],
        &[
            "replace", "--raw", "/api/v1", "-f", "raw.json", "-f", "c1.yaml",
        ],
        &["replace", "--raw", "/api/v1", "-f", "https://example.com/x"],
        &["replace", "--raw", "/api/v1", "-R", "-f", "raw.json"],
        &[
            "replace",
            "--raw",
            "/api/v1/namespaces/default/configmaps/nope",
            "-f",
            "raw.json",
        ],
    ];
    for args in cases {
        let before = objects(&env);
        let ours = masked(env.ours(args).await);
        assert_eq!(
            objects(&env),
            before,
            "kubectl-rs {args:?} changed the server"
        );
        let theirs = masked(as_v136(env.kubectl(args).await.unwrap()));
        assert_eq!(objects(&env), before, "kubectl {args:?} changed the server");
        assert_same(&format!("{args:?}"), &ours, &theirs);
        assert_ne!(ours.code, 0, "{args:?} should fail");
    }
}
