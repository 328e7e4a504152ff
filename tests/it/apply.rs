//! `apply` and `create -f` against the sandbox: the recorded reference steps (kubectl v1.36),
//! and a matrix of edits applied with kubectl-rs and with the real kubectl (when installed)
//! whose live objects and last-applied annotations must agree.

// The shared harness trips one clippy lint (reported to the lead; not edited here).
use crate::common;

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

mod matrix {
    //! The same sequence of manifests applied by kubectl-rs and by the real kubectl, each on
    //! its own sandbox: same output, same live object, same last-applied annotation.

    use super::common::{assert_same, oracle, Output, TestEnv};
    use kubectl_rs::sandbox::store::GroupResource;
    use serde_json::{json, Value};

    /// A Deployment manifest built from parts, so steps differ in exactly what a test names.
    #[derive(Clone, Debug)]
    pub struct Parts {
        pub name: String,
        pub labels: Vec<(&'static str, &'static str)>,
        pub containers: Vec<&'static str>,
        pub image_tag: &'static str,
        pub ports: Vec<u16>,
        pub env: Vec<&'static str>,
        pub volumes: Vec<&'static str>,
        pub tolerations: Vec<&'static str>,
        pub min_ready: Option<u32>,
    }

    impl Parts {
        pub fn base(name: &str) -> Parts {
            Parts {
                name: name.into(),
                labels: vec![("app", "web"), ("tier", "front")],
                containers: vec!["main", "side"],
                image_tag: "1.0",
                ports: vec![80, 443],
                env: vec!["A", "B"],
                volumes: vec!["data", "cache"],
                tolerations: vec!["gpu"],
                min_ready: Some(5),
            }
        }

        pub fn manifest(&self) -> Value {
            let containers: Vec<Value> = self
                .containers
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let mut ct = json!({
                        "name": c,
                        "image": format!("registry.example/{c}:{}", if i == 0 { self.image_tag } else { "1.0" }),
                    });
                    if i == 0 {
                        ct["ports"] = self
                            .ports
                            .iter()
                            .map(|p| json!({"name": format!("p{p}"), "containerPort": p}))
                            .collect();
                        ct["env"] = self
                            .env
                            .iter()
                            .map(|e| json!({"name": e, "value": format!("v-{e}")}))
                            .collect();
                        ct["volumeMounts"] = self
                            .volumes
                            .iter()
                            .map(|v| json!({"name": v, "mountPath": format!("/mnt/{v}")}))
                            .collect();
                    }
                    ct
                })
                .collect();
            let labels: serde_json::Map<String, Value> = self
                .labels
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            let mut d = json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": self.name, "labels": labels},
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"app": self.name}},
                    "template": {
                        "metadata": {"labels": {"app": self.name}},
                        "spec": {
                            "containers": containers,
                            "volumes": self.volumes.iter().map(|v| json!({"name": v, "emptyDir": {}})).collect::<Vec<_>>(),
                            "tolerations": self.tolerations.iter().map(|t| json!({"key": t, "operator": "Exists", "effect": "NoSchedule"})).collect::<Vec<_>>(),
                        }
                    }
                }
            });
            if let Some(m) = self.min_ready {
                d["spec"]["minReadySeconds"] = json!(m);
            }
            d
        }
    }

    /// The live object without what differs between two servers (uids, versions, times,
    /// managed fields, status).
    pub fn normalized_live(env: &TestEnv, name: &str) -> Option<Value> {
        let mut v =
            env.sandbox
                .store()
                .get(&GroupResource::new("apps", "deployments"), "default", name)?;
        let m = v["metadata"].as_object_mut()?;
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
        ] {
            m.remove(k);
        }
        // The deployment controller sets this annotation at its own pace.
        if let Some(a) = m.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove("deployment.kubernetes.io/revision");
        }
        if let Some(o) = v.as_object_mut() {
            o.remove("status");
        }
        Some(v)
    }

    /// Applies `m` with both CLIs (kubectl-rs on `ours`, kubectl on `theirs`) and checks
    /// output, live object and annotation agree.
    pub async fn apply_both(ours: &TestEnv, theirs: &TestEnv, m: &Value, what: &str) {
        let text = serde_json::to_string_pretty(m).unwrap();
        std::fs::write(ours.work.join("m.json"), &text).unwrap();
        std::fs::write(theirs.work.join("m.json"), &text).unwrap();
        let a = ours.ours(&["apply", "-f", "m.json"]).await;
        let b: Output = theirs.kubectl(&["apply", "-f", "m.json"]).await.unwrap();
        assert_same(what, &a, &b);
        let name = m["metadata"]["name"].as_str().unwrap();
        let (lo, lt) = (normalized_live(ours, name), normalized_live(theirs, name));
        assert!(lo.is_some(), "{what}: no live object");
        assert_eq!(lo, lt, "{what}: live objects differ");
        let ann = &lo.unwrap()["metadata"]["annotations"]
            ["kubectl.kubernetes.io/last-applied-configuration"];
        assert!(ann.is_string(), "{what}: no last-applied annotation");
    }

    fn steps() -> Vec<(&'static str, Parts)> {
        let base = Parts::base("web");
        let mut out = vec![("create", base.clone()), ("unchanged", base.clone())];
        let mut p = base.clone();
        p.image_tag = "2.0";
        out.push(("scalar", p.clone()));
        p.containers.push("extra");
        p.ports.push(8080);
        p.env.insert(1, "C");
        p.volumes.push("logs");
        p.tolerations.push("spot");
        out.push(("add list entries", p.clone()));
        p.containers.retain(|c| *c != "side");
        p.ports.retain(|x| *x != 443);
        p.env.retain(|e| *e != "A");
        p.volumes.retain(|v| *v != "cache");
        p.tolerations.retain(|t| *t != "gpu");
        out.push(("remove list entries", p.clone()));
        p.min_ready = None;
        out.push(("remove a field", p.clone()));
        p.labels = vec![("app", "web2"), ("owner", "me")];
        out.push(("change a map", p.clone()));
        out.push(("unchanged again", p));
        out
    }

    /// The managers of the live object (who owns what is not normalized away elsewhere).
    fn managers(env: &TestEnv, name: &str) -> Vec<(String, String)> {
        let v = env
            .sandbox
            .store()
            .get(&GroupResource::new("apps", "deployments"), "default", name)
            .unwrap();
        v["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                (
                    m["manager"].as_str().unwrap_or("").to_string(),
                    m["operation"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    /// Client-side apply, then server-side apply: kubectl hands the last-applied annotation
    /// to the `kubectl-last-applied` manager.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn server_side_after_client_side_matches_kubectl() {
        if oracle().is_none() {
            return;
        }
        let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
        let m = Parts::base("ssa").manifest();
        apply_both(&ours, &theirs, &m, "client-side").await;
        let text = serde_json::to_string_pretty(&m).unwrap();
        std::fs::write(ours.work.join("m.json"), &text).unwrap();
        std::fs::write(theirs.work.join("m.json"), &text).unwrap();
        let args = ["apply", "--server-side", "-f", "m.json"];
        let a = ours.ours(&args).await;
        let b = theirs.kubectl(&args).await.unwrap();
        assert_same("server-side", &a, &b);
        // Compared as sets: kubectl's CSA→SSA migration (not done by kubectl-rs) reorders them.
        let (mut mo, mut mt) = (managers(&ours, "ssa"), managers(&theirs, "ssa"));
        mo.sort();
        mt.sort();
        assert!(
            mt.iter().any(|(m, _)| m == "kubectl-last-applied"),
            "{mt:?}"
        );
        assert_eq!(mo, mt);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn edits_match_kubectl() {
        if oracle().is_none() {
            return;
        }
        let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
        for (what, parts) in steps() {
            apply_both(&ours, &theirs, &parts.manifest(), what).await;
        }
    }
}

mod random_pairs {
    //! Random manifest pairs A → B applied by both CLIs give the same live object.

    use super::common::{oracle, TestEnv};
    use super::matrix::{apply_both, Parts};
    use proptest::prelude::*;
    use proptest::sample::subsequence;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn parts() -> impl Strategy<Value = Parts> {
        (
            subsequence(
                vec![("app", "web"), ("tier", "front"), ("team", "x")],
                0..=3,
            ),
            subsequence(vec!["main", "side", "extra"], 1..=3),
            prop_oneof![Just("1.0"), Just("2.0")],
            subsequence(vec![80u16, 443, 8080], 0..=3),
            subsequence(vec!["A", "B", "C", "D"], 0..=4),
            subsequence(vec!["data", "cache", "logs"], 0..=3),
            subsequence(vec!["gpu", "spot"], 0..=2),
            proptest::option::of(0u32..3),
        )
            .prop_map(
                |(labels, containers, image_tag, ports, env, volumes, tolerations, min_ready)| {
                    Parts {
                        name: String::new(),
                        labels,
                        containers,
                        image_tag,
                        ports,
                        env,
                        volumes,
                        tolerations,
                        min_ready,
                    }
                },
            )
    }

    #[test]
    fn random_edits_match_kubectl() {
        if oracle().is_none() {
            return;
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (ours, theirs) =
            rt.block_on(async { (TestEnv::start().await, TestEnv::start().await) });
        let n = AtomicUsize::new(0);
        let cfg = ProptestConfig {
            cases: 6,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        proptest!(cfg, |(mut a in parts(), mut b in parts())| {
            let name = format!("r{}", n.fetch_add(1, Ordering::SeqCst));
            a.name = name.clone();
            b.name = name;
            rt.block_on(async {
                apply_both(&ours, &theirs, &a.manifest(), "A").await;
                apply_both(&ours, &theirs, &b.manifest(), "A then B").await;
            });
        });
    }
}

mod cases {
    //! Single commands (errors, flags, outputs) run by both CLIs on twin sandboxes.

    use super::common::{assert_same, oracle, Output, TestEnv};

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: {app: p}\ndata: {k: v}\n";
    const CM2: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg2\n  labels: {app: p}\n";
    const CM_V2: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: {app: p}\ndata: {k: v2}\n";
    const OTHER_NS: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: elsewhere\n";
    const NOWHERE: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nn\n  namespace: nowhere\n";
    // YAML 1.1: `n` and `on` are booleans, which ObjectMeta cannot hold.
    const BOOL_META: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok1\n  labels: {a: on}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok2\n";
    const LIST: &str = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: l1}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: team}\n";
    const GEN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: g-\n";
    const BAD_AND_GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n";

    async fn both_raw(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) {
        let limit = std::time::Duration::from_secs(20);
        let what = args.join(" ");
        let b = tokio::time::timeout(limit, theirs.kubectl(args))
            .await
            .unwrap_or_else(|_| panic!("kubectl {what}: timed out"))
            .unwrap()
            .normalized();
        let a = tokio::time::timeout(limit, ours.ours(args))
            .await
            .unwrap_or_else(|_| panic!("kubectl-rs {what}: timed out"))
            .normalized();
        // v1.34 changed the interactive delete prompt (kubectl 8a11631ed) to `(y/N)`.
        let mut b = b;
        b.stdout = b.stdout.replace("continue? (y/n): ", "continue? (y/N): ");
        // v1.34 names the namespace of deleted namespaced objects (all in `default` here).
        b.stdout = b
            .stdout
            .lines()
            .map(|l| {
                if l.ends_with("\" deleted") && !l.starts_with("namespace ") {
                    format!("{l} from default namespace\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert_same(&what, &mask_klog(a), &mask_klog(b));
    }

    async fn both(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) {
        both_raw(ours, theirs, args).await
    }

    /// klog headers (`W1127 22:03:09.561878  20061 `) differ in time and pid between runs.
    fn mask_klog(mut o: Output) -> Output {
        let mut text = String::new();
        for line in o.stderr.split_inclusive('\n') {
            let b = line.as_bytes();
            let klog = b.len() > 22
                && matches!(b[0], b'I' | b'W' | b'E')
                && b[1..5].iter().all(u8::is_ascii_digit)
                && b[5] == b' '
                && b[14] == b'.';
            match (klog, line.find("] ")) {
                (true, Some(i)) => {
                    let location = line[..i].rsplit(' ').next().unwrap_or("");
                    text.push_str(&format!("{} {location}{}", &line[..1], &line[i..]));
                }
                _ => text.push_str(line),
            }
        }
        o.stderr = text;
        o
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn apply_cases_match_kubectl() {
        if oracle().is_none() {
            return;
        }
        let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
        for e in [&ours, &theirs] {
            let w = |n: &str, t: &str| std::fs::write(e.work.join(n), t).unwrap();
            w("cm.yaml", CM);
            w("cm2.yaml", CM2);
            w("cm-v2.yaml", CM_V2);
            w("other-ns.yaml", OTHER_NS);
            w("gen.yaml", GEN);
            w("nowhere.yaml", NOWHERE);
            w("bool-meta.yaml", BOOL_META);
            w("list.yaml", LIST);
            w("bad-and-good.yaml", BAD_AND_GOOD);
            w("empty.yaml", "# nothing\n");
            std::fs::create_dir_all(e.work.join("dir")).unwrap();
            std::fs::write(e.work.join("dir/a.yaml"), CM).unwrap();
            std::fs::write(e.work.join("dir/b.yaml"), CM2).unwrap();
            std::fs::write(e.work.join("dir/notes.txt"), "x").unwrap();
        }
        let cases: &[&[&str]] = &[
            &["apply"],
            &["apply", "-f", "empty.yaml"],
            &["apply", "-f", "nope.yaml"],
            &["apply", "-f", "cm.yaml", "--dry-run=server"],
            &["apply", "-f", "cm.yaml", "--dry-run=client"],
            &["create", "-f", "cm.yaml"],
            &["apply", "-f", "cm.yaml"],
            &["apply", "-f", "cm.yaml"],
            &["apply", "-f", "cm-v2.yaml", "-o", "name"],
            &["apply", "-f", "dir"],
            &["apply", "-f", "other-ns.yaml", "-n", "default"],
            &["apply", "-f", "gen.yaml"],
            &["apply", "-f", "bad-and-good.yaml"],
            &["apply", "-f", "cm.yaml", "--validate=bogus"],
            &["apply", "-f", "cm.yaml", "--force-conflicts"],
            &[
                "apply",
                "-f",
                "cm.yaml",
                "--server-side",
                "--dry-run=client",
            ],
            &["apply", "-f", "cm.yaml", "--prune"],
            &["apply", "-f", "cm.yaml", "--prune", "-l", "app=p"],
            &[
                "apply",
                "-f",
                "cm-v2.yaml",
                "--prune",
                "-l",
                "app=p",
                "--prune-allowlist=core/v1/ConfigMap",
                "--dry-run=client",
            ],
            &[
                "apply",
                "-f",
                "cm.yaml",
                "--prune",
                "-l",
                "app=p",
                "--prune-allowlist=core/v1/ConfigMap",
            ],
            &[
                "apply",
                "-f",
                "cm.yaml",
                "--prune",
                "--all",
                "--prune-allowlist=v1/ConfigMap",
            ],
            &["apply", "-f", "cm.yaml", "--dry-run=bogus"],
            &[
                "apply",
                "-f",
                "cm-v2.yaml",
                "--server-side",
                "--field-manager=other",
            ],
            &["apply", "-f", "cm.yaml", "--server-side"],
            &[
                "apply",
                "-f",
                "cm.yaml",
                "--server-side",
                "--force-conflicts",
            ],
            &["create", "-f", "cm.yaml"],
            &["create", "-f", "empty.yaml"],
            &["apply", "-f", "-"],
            &["apply", "-f", "cm2.yaml", "-o", "yaml"],
            &["apply", "-f", "cm-v2.yaml", "-o", "json"],
            &["apply", "-f", "dir", "-o", "name", "--dry-run=server"],
            &["apply", "-f", "nope.yaml", "-f", "missing.yaml"],
            &[
                "apply",
                "-f",
                "bad-and-good.yaml",
                "-f",
                "gen.yaml",
                "-f",
                "other-ns.yaml",
                "-n",
                "default",
            ],
            &["create", "-f", "cm2.yaml", "-o", "yaml", "--dry-run=client"],
            &["create", "-f", "dir", "-l", "app=p", "--dry-run=server"],
            &["delete", "-f", "dir", "-i"],
            &["apply", "-f", "nowhere.yaml"],
            &["apply", "-f", "bool-meta.yaml"],
            &["apply", "-f", "list.yaml"],
            &["apply", "-f", "list.yaml"],
            &["delete", "-f", "list.yaml"],
        ];
        for args in cases {
            both(&ours, &theirs, args).await;
        }
    }

    /// v1.36 computes the client dry-run patch locally (kubectl c9b8fdf5d, "fix
    /// --dry-run=client to show merged result"): an unchanged object prints `unchanged`, where
    /// v1.33 always printed `configured`. Changed objects agree.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn client_dry_run_of_existing_objects() {
        let env = TestEnv::start().await;
        std::fs::write(env.work.join("cm.yaml"), CM).unwrap();
        std::fs::write(env.work.join("cm-v2.yaml"), CM_V2).unwrap();
        assert_eq!(env.ours(&["apply", "-f", "cm.yaml"]).await.code, 0);
        let same = env
            .ours(&["apply", "-f", "cm.yaml", "--dry-run=client"])
            .await;
        assert_eq!(same.stdout, "configmap/cfg unchanged (dry run)\n");
        let changed = env
            .ours(&[
                "apply",
                "-f",
                "cm-v2.yaml",
                "--dry-run=client",
                "-o",
                "jsonpath={.data.k}",
            ])
            .await;
        assert_eq!((changed.stdout.as_str(), changed.code), ("v2", 0));
        // Nothing was sent: the live object keeps its data.
        let live = env.ours(&["apply", "-f", "cm.yaml"]).await;
        assert_eq!(live.stdout, "configmap/cfg unchanged\n");
    }
}
