//! `autoscale`, `create poddisruptionbudget` and `create priorityclass` against the real
//! kubectl (the oracle, v1.33) on the same sandbox: stdout, stderr, exit code and the object
//! each one leaves on the server; bad input leaves the server unchanged. v1.33 → v1.36
//! differences applied to the oracle's output: typed objects lose their null
//! `creationTimestamp`, `kyaml` joins the output formats, `--cpu-percent` is deprecated (a
//! notice on stderr). Where v1.36 behaves differently (`--cpu`/`--memory`, the namespace of a
//! client dry run, the v1 fallback's `canCreateHPAV1`), the v1.36 text is asserted directly.
//! Also the sandbox's autoscaling/v1 ⇄ v2 conversion as a client sees it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common;
use crate::create::without_null_creation_timestamp;
use common::{assert_same, snapshot, Output, TestEnv};

const CPU_PERCENT_DEPRECATED: &str = "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).\n";

/// Asserts the server is as `before`, naming the objects that changed.
#[track_caller]
fn unchanged(env: &TestEnv, before: &BTreeMap<String, Value>, what: &str) {
    let now = snapshot(env);
    let changed: Vec<&String> = before
        .keys()
        .chain(now.keys())
        .filter(|k| before.get(*k) != now.get(*k))
        .collect();
    assert!(changed.is_empty(), "{what} changed the server: {changed:?}");
}

/// A stored object without what differs between two creations of it.
fn live(env: &TestEnv, group: &str, resource: &str, ns: &str, name: &str) -> Option<Value> {
    let gr = kubectl_rs::sandbox::store::GroupResource::new(group, resource);
    let mut o = env.sandbox.store().get(&gr, ns, name)?;
    if let Some(m) = o["metadata"].as_object_mut() {
        for k in ["uid", "resourceVersion", "creationTimestamp"] {
            m.remove(k);
        }
    }
    let last = "kubectl.kubernetes.io/last-applied-configuration";
    if let Some(a) = o["metadata"]["annotations"][last].as_str() {
        let a = a.replace(",\"creationTimestamp\":null", "");
        o["metadata"]["annotations"][last] = json!(a);
    }
    for f in o["metadata"]["managedFields"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if let Some(m) = f.as_object_mut() {
            m.remove("time");
        }
    }
    Some(o)
}

/// The oracle's output as v1.36 would print it.
fn as_v136(theirs: Output, args: &[&str]) -> Output {
    let mut stdout = theirs
        .stdout
        .replace(",\\\"creationTimestamp\\\":null", "")
        .replace(",\"creationTimestamp\":null", "");
    if stdout.contains("creationTimestamp") {
        stdout = without_null_creation_timestamp(&stdout);
    }
    let mut stderr = theirs
        .stderr
        .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,");
    if args.first() == Some(&"autoscale") && args.iter().any(|a| a.starts_with("--cpu-percent")) {
        stderr = format!("{CPU_PERCENT_DEPRECATED}{stderr}");
    }
    Output {
        stdout,
        stderr,
        code: theirs.code,
    }
}

/// Runs ours (usage errors name the program as kubectl).
async fn ours(env: &TestEnv, args: &[&str]) -> Output {
    let o = env.ours(args).await;
    Output {
        stderr: o.stderr.replace("'kubectl-rs ", "'kubectl "),
        ..o
    }
    .normalized()
}

/// Bad input: the same output from both, and the server unchanged by either.
async fn refused(env: &TestEnv, cases: &[&[&str]]) {
    for args in cases {
        let before = snapshot(env);
        let mine = ours(env, args).await;
        assert_ne!(mine.code, 0, "{args:?} succeeded: {}", mine.stdout);
        unchanged(env, &before, &format!("{args:?} changed the server"));
        let Some(theirs) = env.kubectl(args).await else {
            continue;
        };
        unchanged(env, &before, &format!("kubectl {args:?}"));
        assert_same(
            &format!("{args:?}"),
            &mine,
            &as_v136(theirs, args).normalized(),
        );
    }
}

/// A creation: the oracle creates `what` (group, resource, namespace, name), it is deleted,
/// then ours creates it; the outputs and the two live objects must agree.
async fn created(env: &TestEnv, args: &[&str], what: (&str, &str, &str, &str)) {
    let (g, r, ns, n) = what;
    let gr = kubectl_rs::sandbox::store::GroupResource::new(g, r);
    let theirs = match env.kubectl(args).await {
        Some(t) => {
            let obj = live(env, g, r, ns, n);
            env.sandbox.store().remove(&gr, ns, n).ok();
            Some((as_v136(t, args).normalized(), obj))
        }
        None => None,
    };
    let mine = ours(env, args).await;
    assert_eq!(mine.code, 0, "{args:?}: {}", mine.stderr);
    let obj = live(env, g, r, ns, n);
    assert!(obj.is_some(), "{args:?} created no {r}/{n}");
    env.sandbox.store().remove(&gr, ns, n).ok();
    if let Some((t, their_obj)) = theirs {
        assert_same(&format!("{args:?}"), &mine, &t);
        // What the CLIs sent; the controllers fill `status` on their own time.
        let sent = |o: Option<Value>| {
            o.map(|mut o| {
                o.as_object_mut().map(|m| m.remove("status"));
                o
            })
        };
        assert_eq!(
            sent(obj),
            sent(their_obj),
            "{args:?}: the live objects differ"
        );
    }
}

async fn with_web() -> TestEnv {
    let env = TestEnv::start().await;
    let out = env
        .ours(&["create", "deployment", "web", "--image=nginx"])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = env.ours(&["run", "pod1", "--image=nginx"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The controllers settle (replica set, pods bound) before snapshots are compared.
    let store = env.sandbox.store();
    common::eventually(|| {
        let store = store.clone();
        async move {
            let (pods, _) = store.list(
                &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
                Some("default"),
            );
            pods.len() == 2 && pods.iter().all(|p| p["spec"]["nodeName"].is_string())
        }
    })
    .await;
    std::fs::write(
        env.work.join("ghost.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ghost\nspec:\n  selector:\n    matchLabels: {app: ghost}\n  template:\n    metadata:\n      labels: {app: ghost}\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    )
    .unwrap();
    env
}

const HPA: (&str, &str) = ("autoscaling", "horizontalpodautoscalers");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscale_creates_the_hpa_kubectl_creates() {
    let env = with_web().await;
    let web = (HPA.0, HPA.1, "default", "web");
    for args in [
        &["autoscale", "deploy", "web", "--max=5"][..],
        &[
            "autoscale",
            "deployment/web",
            "--min=2",
            "--max=5",
            "--cpu-percent=50",
        ],
        &["autoscale", "deploy", "web", "--max=3", "-o", "json"],
        &[
            "autoscale",
            "deploy",
            "web",
            "--max=3",
            "-o",
            "yaml",
            "--save-config",
        ],
        &["autoscale", "deploy", "web", "--max=3", "-o", "name"],
        &[
            "autoscale",
            "deploy",
            "web",
            "--max=3",
            "--field-manager=me",
        ],
    ] {
        created(&env, args, web).await;
    }
    created(
        &env,
        &["autoscale", "deploy", "web", "--max=3", "--name=other"],
        (HPA.0, HPA.1, "default", "other"),
    )
    .await;
    // -f: the object as read is the target; kubectl does not look it up.
    created(
        &env,
        &["autoscale", "-f", "ghost.yaml", "--max=2"],
        (HPA.0, HPA.1, "default", "ghost"),
    )
    .await;
    // -k: the kustomization's objects, as built.
    std::fs::create_dir_all(env.work.join("kdir")).unwrap();
    std::fs::copy(
        env.work.join("ghost.yaml"),
        env.work.join("kdir/ghost.yaml"),
    )
    .unwrap();
    std::fs::write(
        env.work.join("kdir/kustomization.yaml"),
        "resources: [ghost.yaml]\nnamePrefix: k-\n",
    )
    .unwrap();
    created(
        &env,
        &["autoscale", "-k", "kdir", "--max=2"],
        (HPA.0, HPA.1, "default", "k-ghost"),
    )
    .await;
    // --record: the change cause names the command as typed (the program's base name first).
    let gr = kubectl_rs::sandbox::store::GroupResource::new(HPA.0, HPA.1);
    let args = ["autoscale", "deploy", "web", "--max=2", "--record"];
    let mut causes = Vec::new();
    if env.kubectl(&args).await.is_some() {
        let o = env.sandbox.store().get(&gr, "default", "web").unwrap();
        causes.push(o["metadata"]["annotations"]["kubernetes.io/change-cause"].clone());
        env.sandbox.store().remove(&gr, "default", "web").unwrap();
    }
    let mine = env.ours(&args).await;
    assert_eq!(
        (mine.stderr.as_str(), mine.code),
        (
            "Flag --record has been deprecated, --record will be removed in the future\n",
            0
        )
    );
    let o = env.sandbox.store().get(&gr, "default", "web").unwrap();
    env.sandbox.store().remove(&gr, "default", "web").unwrap();
    let cause = &o["metadata"]["annotations"]["kubernetes.io/change-cause"];
    assert_eq!(
        cause,
        "kubectl-rs autoscale deploy web --max=2 --record=true"
    );
    for theirs in causes {
        let theirs = theirs.as_str().unwrap();
        assert_eq!(
            theirs.split_once(' ').unwrap().1,
            cause.as_str().unwrap().split_once(' ').unwrap().1
        );
    }
    // Dry runs create nothing.
    for args in [
        &[
            "autoscale",
            "deploy/web",
            "--max=5",
            "--min=2",
            "--dry-run=client",
            "-o",
            "yaml",
        ][..],
        &[
            "autoscale",
            "deploy/web",
            "--max=5",
            "--dry-run=server",
            "-o",
            "name",
        ],
        &["autoscale", "deploy/web", "--max=5", "--dry-run=server"],
    ] {
        let before = snapshot(&env);
        let mine = ours(&env, args).await;
        unchanged(&env, &before, &format!("{args:?} changed the server"));
        if let Some(t) = env.kubectl(args).await {
            assert_same(&format!("{args:?}"), &mine, &as_v136(t, args).normalized());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscale_refuses_what_kubectl_refuses() {
    let env = with_web().await;
    refused(
        &env,
        &[
            &["autoscale", "deploy/web", "--min=2"],
            &["autoscale", "deploy/web", "--max=0"],
            &["autoscale", "deploy/web", "--max=-3"],
            &["autoscale", "deploy/web", "--max=3", "--min=4"],
            &["autoscale", "deploy/web", "--max=x"],
            &["autoscale", "deploy/web", "--max=99999999999"],
            &["autoscale", "deploy/web", "--max=3", "--dry-run=bogus"],
            &["autoscale", "deploy/nope", "--max=3"],
            &["autoscale", "deploy/nope", "deploy/nope2", "--max=3"],
            &["autoscale", "pod/pod1", "--max=3"],
            &["autoscale", "pod/nope", "--max=3"],
            &["autoscale", "deploy", "--max=3"],
            &["autoscale", "--max=3"],
            &["autoscale", "foo/bar", "--max=3"],
            &["autoscale", "-f", "ghost.yaml", "deploy/web", "--max=3"],
            &["autoscale", "-f", "missing.yaml", "--max=3"],
            &["autoscale", "deploy/web", "--max=3", "-n", "bad..ns"],
        ],
    )
    .await;
}

/// What v1.36 does that v1.33 does not: `--cpu`, `--memory`, the namespace in a client dry
/// run, and `canCreateHPAV1` parsing the (empty) `--cpu` before deciding on the fallback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscale_v136_targets_and_fallback() {
    let env = with_web().await;
    let out = env
        .ours(&[
            "autoscale",
            "deploy",
            "web",
            "--max=4",
            "--cpu=60%",
            "--memory=200",
        ])
        .await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        (
            "horizontalpodautoscaler.autoscaling/web autoscaled\n",
            "",
            0
        )
    );
    let v2 = env
        .ours(&[
            "get",
            "--raw",
            "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web",
        ])
        .await;
    let v2: Value = serde_json::from_str(&v2.stdout).unwrap();
    assert_eq!(
        v2["spec"]["metrics"],
        json!([
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "200Mi"}}}
        ])
    );
    // The v1 view: the cpu percentage, the memory metric in the annotation.
    let v1 = env
        .ours(&[
            "get",
            "--raw",
            "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web",
        ])
        .await;
    let v1: Value = serde_json::from_str(&v1.stdout).unwrap();
    assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 60);
    assert_eq!(
        v1["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"],
        r#"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"200Mi"}}]"#
    );
    let table = env.ours(&["get", "hpa"]).await;
    assert!(
        table
            .stdout
            .starts_with("NAME   REFERENCE        TARGETS    "),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("cpu: <unknown>/60%, memory: <unknown>/200Mi"),
        "{}",
        table.stdout
    );

    // A second v2 create fails (AlreadyExists); without --cpu the fallback check fails first.
    let before = snapshot(&env);
    let again = env.ours(&["autoscale", "deploy", "web", "--max=4"]).await;
    assert_eq!(
        (again.stdout.as_str(), again.stderr.as_str(), again.code),
        ("", "error: failed to create autoscaling/v2 HPA and the configuration is incompatible with autoscaling/v1: empty input\n", 1)
    );
    // With a cpu utilization the v1 HPA is tried, and the server refuses it too.
    let again = env
        .ours(&["autoscale", "deploy", "web", "--max=4", "--cpu=50%"])
        .await;
    assert_eq!(
        (again.stdout.as_str(), again.stderr.as_str(), again.code),
        ("", "Error from server (AlreadyExists): horizontalpodautoscalers.autoscaling \"web\" already exists\n", 1)
    );
    // A memory target cannot be v1.
    let again = env
        .ours(&[
            "autoscale",
            "deploy",
            "web",
            "--max=4",
            "--cpu=50%",
            "--memory=1Gi",
        ])
        .await;
    assert_eq!(
        again.stderr,
        "error: failed to create autoscaling/v2 HPA and the configuration is incompatible with autoscaling/v1: %!w(<nil>)\n"
    );
    unchanged(&env, &before, "the refused command");

    // Bad targets are refused before anything is sent.
    for (args, err) in [
        (&["autoscale", "deploy/web", "--max=3", "--cpu=x%"][..], "error: invalid percentage value: x\n"),
        (&["autoscale", "deploy/web", "--max=3", "--cpu=-5%"], "error: invalid percentage value: -5\n"),
        (&["autoscale", "deploy/web", "--max=3", "--memory=lots"], "error: invalid resource memory value: lots\n"),
        (&["autoscale", "deploy/web", "--max=3", "--cpu-percent=50", "--cpu=1"],
            "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).\nerror: --cpu-percent and --cpu are mutually exclusive\n"),
    ] {
        let out = env.ours(args).await;
        assert_eq!((out.stderr.as_str(), out.code), (err, 1), "{args:?}");
        unchanged(&env, &before, &format!("{args:?} changed the server"));
    }

    // A client dry run prints the v2 object, with the namespace when one was given.
    let dry = env
        .ours(&[
            "autoscale",
            "deploy/web",
            "--max=3",
            "--cpu=500m",
            "--dry-run=client",
            "-o",
            "json",
            "-n",
            "default",
        ])
        .await;
    assert_eq!(
        dry.stdout,
        r#"{
    "kind": "HorizontalPodAutoscaler",
    "apiVersion": "autoscaling/v2",
    "metadata": {
        "name": "web",
        "namespace": "default"
    },
    "spec": {
        "scaleTargetRef": {
            "kind": "Deployment",
            "name": "web",
            "apiVersion": "apps/v1"
        },
        "maxReplicas": 3,
        "metrics": [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {
                        "type": "AverageValue",
                        "averageValue": "500m"
                    }
                }
            }
        ]
    },
    "status": {
        "desiredReplicas": 0,
        "currentMetrics": null
    }
}
"#
    );
    unchanged(&env, &before, "the refused command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hpa_versions_convert_like_the_apiserver() {
    let env = with_web().await;
    std::fs::write(
        env.work.join("v1.yaml"),
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: old\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 6\n",
    )
    .unwrap();
    let out = env.ours(&["create", "-f", "v1.yaml"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    // As v2: the default 80% cpu metric and minReplicas 1.
    let v2 = env
        .ours(&[
            "get",
            "--raw",
            "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/old",
        ])
        .await;
    let v2: Value = serde_json::from_str(&v2.stdout).unwrap();
    assert_eq!(v2["apiVersion"], "autoscaling/v2");
    assert_eq!(v2["spec"]["minReplicas"], 1);
    assert_eq!(
        v2["spec"]["metrics"][0]["resource"]["target"],
        json!({"type": "Utilization", "averageUtilization": 80})
    );
    assert_eq!(
        v2["status"],
        json!({"desiredReplicas": 0, "currentMetrics": null})
    );
    // A merge patch through v1 changes the v2 metric.
    let out = env
        .ours(&[
            "patch",
            "hpa.v1.autoscaling",
            "old",
            "--type=merge",
            "-p",
            r#"{"spec":{"targetCPUUtilizationPercentage":55}}"#,
        ])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list = env
        .ours(&[
            "get",
            "--raw",
            "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
        ])
        .await;
    let list: Value = serde_json::from_str(&list.stdout).unwrap();
    let item = &list["items"][0];
    assert_eq!(item["spec"]["targetCPUUtilizationPercentage"], 55);
    assert_eq!(
        item["status"],
        json!({"currentReplicas": 0, "desiredReplicas": 0})
    );
    assert!(item["spec"].get("metrics").is_none());
    // The server-side table is the same for both versions.
    let table = env.ours(&["get", "hpa", "old", "--no-headers"]).await;
    let cells: Vec<&str> = table.stdout.split("   ").map(str::trim).collect();
    assert_eq!(
        cells[..6],
        ["old", "Deployment/web", "cpu: <unknown>/55%", "1", "6", "0"],
        "{}",
        table.stdout
    );
    for args in [
        &["get", "hpa", "old"][..],
        &["get", "hpa", "-o", "wide"],
        &["describe", "hpa", "old"],
    ] {
        if let Some(theirs) = env.kubectl(args).await {
            let mine = env.ours(args).await;
            assert_same(
                &format!("{args:?}"),
                &mine.normalized(),
                &theirs.normalized(),
            );
        }
    }
    // Validation of the converted object, with the server's messages.
    std::fs::write(
        env.work.join("bad.yaml"),
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: bad\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  minReplicas: 3\n  maxReplicas: 2\n  targetCPUUtilizationPercentage: 0\n",
    )
    .unwrap();
    let before = snapshot(&env);
    let out = env.ours(&["create", "-f", "bad.yaml"]).await;
    assert_eq!(
        out.stderr,
        "The HorizontalPodAutoscaler \"bad\" is invalid: \n* spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`\n* spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0\n"
    );
    unchanged(&env, &before, "the refused command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pdb_and_priorityclass_like_kubectl() {
    let env = TestEnv::start().await;
    let pdb = ("policy", "poddisruptionbudgets", "default", "p1");
    for args in [
        &[
            "create",
            "pdb",
            "p1",
            "--selector=app=web",
            "--min-available=1",
        ][..],
        &[
            "create",
            "poddisruptionbudget",
            "p1",
            "--selector=app=web,tier in (b,a),!x",
            "--max-unavailable=50%",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "pdb",
            "p1",
            "--selector=a=b",
            "--min-available=2",
            "--save-config",
            "-o",
            "json",
        ],
    ] {
        created(&env, args, pdb).await;
    }
    let pc = ("scheduling.k8s.io", "priorityclasses", "", "high");
    for args in [
        &[
            "create",
            "priorityclass",
            "high",
            "--value=1000",
            "--description=high priority",
        ][..],
        &[
            "create",
            "pc",
            "high",
            "--value=1000",
            "--global-default=true",
            "--preemption-policy=Never",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "pc",
            "high",
            "--value=-5",
            "-o",
            "json",
            "--save-config",
        ],
        &["create", "pc", "high"],
    ] {
        created(&env, args, pc).await;
    }
    for args in [
        &[
            "create",
            "pdb",
            "p1",
            "--selector=a=b",
            "--min-available=1",
            "--dry-run=client",
            "-o",
            "json",
        ][..],
        &[
            "create",
            "pc",
            "high",
            "--value=7",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        &["create", "pc", "high", "--value=7", "--dry-run=server"],
    ] {
        let before = snapshot(&env);
        let mine = ours(&env, args).await;
        unchanged(&env, &before, &format!("{args:?} changed the server"));
        if let Some(t) = env.kubectl(args).await {
            assert_same(&format!("{args:?}"), &mine, &as_v136(t, args).normalized());
        }
    }
    // One existing of each for the conflicts.
    let out = env
        .ours(&["create", "pdb", "p2", "--selector=a=b", "--min-available=1"])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = env
        .ours(&["create", "pc", "dflt", "--value=5", "--global-default"])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    refused(
        &env,
        &[
            &["create", "pdb", "p1", "--min-available=1"],
            &["create", "pdb", "p1", "--selector=a=b"],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a=b",
                "--min-available=1",
                "--max-unavailable=1",
            ],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a=b",
                "--min-available=1x",
            ],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a=b",
                "--max-unavailable=-1",
            ],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a!=b",
                "--min-available=1",
            ],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a in (",
                "--min-available=1",
            ],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a=b",
                "--min-available=150%",
            ],
            &[
                "create",
                "pdb",
                "p1",
                "--selector=a=b",
                "--min-available=1",
                "-o",
                "bogus",
            ],
            &["create", "pdb", "--selector=a=b", "--min-available=1"],
            &["create", "pdb", "P1", "--selector=a=b", "--min-available=1"],
            &["create", "pdb", "p2", "--selector=a=b", "--min-available=1"],
            &["create", "pc", "high", "--value=x"],
            &["create", "pc", "high", "--value=3000000000"],
            &["create", "pc", "high", "--value=1000000001"],
            &["create", "pc", "system-foo", "--value=1"],
            &["create", "pc", "high", "--preemption-policy=Sometimes"],
            &["create", "pc"],
            &["create", "pc", "a", "b"],
            &["create", "pc", "dflt", "--value=1"],
        ],
    )
    .await;
    // Only one global default (the Priority admission plugin; v1.33's oracle agrees).
    let before = snapshot(&env);
    let out = env
        .ours(&["create", "pc", "second", "--value=5", "--global-default"])
        .await;
    assert_eq!(
        (out.stderr.as_str(), out.code),
        ("error: failed to create priorityclass: priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist\n", 1)
    );
    unchanged(&env, &before, "the refused command");
    for args in [
        &["get", "pdb"][..],
        &["get", "pc"],
        &["describe", "pdb", "p2"],
    ] {
        if let Some(t) = env.kubectl(args).await {
            assert_same(
                &format!("{args:?}"),
                &ours(&env, args).await,
                &t.normalized(),
            );
        }
    }
}
