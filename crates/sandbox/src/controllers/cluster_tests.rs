//! End-to-end tests of the controllers together: a Store, `spawn`, and the seed's DaemonSet.

use std::sync::Arc;

use serde_json::{json, Value};

use super::testutil::{
    diff, eventually, eventually_gone, opts, reference, user_create, user_update,
};
use super::*;

fn seed_daemonset() -> Value {
    json!({
        "kind": "DaemonSet", "apiVersion": "apps/v1",
        "metadata": {"name": "node-exporter", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "node-exporter"}},
            "template": {"metadata": {"labels": {"app": "node-exporter"}}, "spec": {
                "hostNetwork": true,
                "containers": [{"name": "node-exporter", "image": "prom/node-exporter:latest",
                    "ports": [{"containerPort": 9100, "hostPort": 9100}],
                    "volumeMounts": [{"name": "proc", "mountPath": "/host/proc", "readOnly": true},
                        {"name": "sys", "mountPath": "/host/sys", "readOnly": true}]}],
                "volumes": [{"name": "proc", "hostPath": {"path": "/proc"}},
                    {"name": "sys", "hostPath": {"path": "/sys"}}]}}}})
}

fn ds_pods(store: &Store) -> Vec<Value> {
    store
        .list(&gr_pods(), Some("default"))
        .0
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "node-exporter" && !is_terminating(p))
        .collect()
}

async fn running_pods(store: &Store, n: usize) -> Vec<Value> {
    running_pods_of(store, n, n).await
}

async fn running_pods_of(store: &Store, n: usize, total: usize) -> Vec<Value> {
    eventually(10, &format!("{n} running daemon pods"), || async {
        let pods = ds_pods(store);
        let all = store.list(&gr_pods(), Some("default")).0.len();
        (pods.len() == n && all == total && pods.iter().all(|p| p["status"]["phase"] == "Running"))
            .then_some(pods)
    })
    .await
}

async fn ds_status(store: &Store, want: Value) -> Value {
    eventually(10, &format!("daemonset status {want}"), || async {
        let ds = store.get(&gr_daemonsets(), "default", "node-exporter")?;
        (ds["status"] == want).then_some(ds)
    })
    .await
}

/// The DaemonSet's status once all `n` daemon pods of its first generation are up.
async fn ds_settled(store: &Store, n: usize) -> Value {
    ds_status(
        store,
        json!({"currentNumberScheduled": n, "numberMisscheduled": 0, "desiredNumberScheduled": n,
            "numberReady": n, "observedGeneration": 1, "updatedNumberScheduled": n,
            "numberAvailable": n}),
    )
    .await
}

/// The controllers' tasks: dropping it (at the end of a test) stops them.
struct Running(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.iter().for_each(|h| h.abort());
    }
}

fn start(o: ControllerOptions) -> (Arc<Store>, Running) {
    start_on(o, Clock::real())
}

/// How many SuccessfulCreate events `component` recorded.
fn creates(events: &[Value], component: &str) -> usize {
    events
        .iter()
        .filter(|e| e["reason"] == "SuccessfulCreate" && e["source"]["component"] == component)
        .count()
}

/// The usual options with `n` worker nodes.
fn with_nodes(n: usize) -> ControllerOptions {
    ControllerOptions { nodes: n, ..opts() }
}

/// Like `start`, on `clock`.
fn start_on(o: ControllerOptions, clock: Clock) -> (Arc<Store>, Running) {
    let store = Arc::new(Store::with_clock(clock));
    let handles = spawn(store.clone(), o);
    (store, Running(handles))
}

/// Blanks what legitimately differs between two runs (identity, times, random names).
fn normalize_pod(p: &Value) -> Value {
    let mut p = p.clone();
    p["metadata"] = json!({
        "labels": p["metadata"]["labels"],
        "ownerReferences": p["metadata"]["ownerReferences"],
        "generateName": p["metadata"]["generateName"],
        "generation": p["metadata"]["generation"],
    });
    p["metadata"]["ownerReferences"][0]["uid"] = json!("");
    p["metadata"]["labels"]["controller-revision-hash"] = json!("");
    let vol = p["spec"]["volumes"][2]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let s = p.to_string().replace(&vol, "kube-api-access-xxxxx");
    let mut p: Value = serde_json::from_str(&s).unwrap();
    for c in p["status"]["conditions"].as_array_mut().unwrap() {
        c["lastTransitionTime"] = json!("");
    }
    p["status"]["startTime"] = json!("");
    let cs = &mut p["status"]["containerStatuses"][0];
    cs["state"]["running"]["startedAt"] = json!("");
    cs["containerID"] = json!("");
    cs["imageID"] = json!("");
    p.as_object_mut().unwrap().remove("kind");
    p.as_object_mut().unwrap().remove("apiVersion");
    p
}

#[tokio::test]
async fn spawn_bootstraps_synchronously() {
    let (store, _running) = start(opts());
    let names: Vec<String> = store
        .list(&gr_namespaces(), None)
        .0
        .iter()
        .map(|n| name_of(n).to_string())
        .collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    let nodes: Vec<String> = store
        .list(&gr_nodes(), None)
        .0
        .iter()
        .map(|n| name_of(n).to_string())
        .collect();
    assert_eq!(nodes, ["kind-multinodes-worker", "kind-multinodes-worker2"]);
    assert_eq!(ControllerOptions::default().name, "sandbox");
    assert_eq!(ControllerOptions::default().server_version, SERVER_VERSION);
}

#[tokio::test]
async fn seed_daemonset_runs_like_the_reference() {
    let (store, _running) = start(opts());
    let ds = user_create(&store, &gr_daemonsets(), seed_daemonset());
    let pods = running_pods(&store, 2).await;
    let mut on: Vec<&str> = pods
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().unwrap())
        .collect();
    on.sort();
    assert_eq!(on, ["kind-multinodes-worker", "kind-multinodes-worker2"]);

    let want = reference("pods-list.json");
    for p in &pods {
        let node = p["spec"]["nodeName"].as_str().unwrap();
        let w = want["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["spec"]["nodeName"] == node)
            .unwrap();
        let d = diff(&normalize_pod(p), &normalize_pod(w));
        assert!(d.is_empty(), "pod on {node}: {d:#?}");
        assert_eq!(
            p["metadata"]["ownerReferences"][0]["uid"],
            ds["metadata"]["uid"]
        );
        assert_eq!(p["status"]["podIP"], p["status"]["hostIP"]);
    }

    let ds = ds_settled(&store, 2).await;
    assert_eq!(
        ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
        "1"
    );

    let (revs, _) = store.list(&gr_controllerrevisions(), Some("default"));
    assert_eq!(revs.len(), 1);
    let rev = &revs[0];
    let hash = pods[0]["metadata"]["labels"]["controller-revision-hash"]
        .as_str()
        .unwrap();
    assert_eq!(rev["metadata"]["name"], format!("node-exporter-{hash}"));
    let want_rev = &reference("controllerrevisions.json")["items"][0];
    let d = diff(&rev["data"], &want_rev["data"]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(rev["revision"], 1);
    assert_eq!(rev["metadata"]["labels"]["app"], "node-exporter");
    assert_eq!(rev["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");

    let (events, _) = store.list(&gr_events(), Some("default"));
    let mut created: Vec<String> = events
        .iter()
        .filter(|e| e["reason"] == "SuccessfulCreate")
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    created.sort();
    let mut want_msgs: Vec<String> = pods
        .iter()
        .map(|p| format!("Created pod: {}", name_of(p)))
        .collect();
    want_msgs.sort();
    assert_eq!(created, want_msgs);
    let scheduled = events.iter().filter(|e| e["reason"] == "Scheduled").count();
    assert_eq!(scheduled, 2);
    let started = events.iter().filter(|e| e["reason"] == "Started").count();
    assert_eq!(started, 2);
}

#[tokio::test]
async fn nodes_coming_and_going_move_daemon_pods() {
    let (store, _running) = start(opts());
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    running_pods(&store, 2).await;
    user_create(
        &store,
        &gr_nodes(),
        json!({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "kind-multinodes-worker3"}}),
    );
    let pods = running_pods(&store, 3).await;
    assert!(pods
        .iter()
        .any(|p| p["spec"]["nodeName"] == "kind-multinodes-worker3"));
    store
        .remove(&gr_nodes(), "", "kind-multinodes-worker3")
        .unwrap();
    let pods = running_pods(&store, 2).await;
    assert!(pods
        .iter()
        .all(|p| p["spec"]["nodeName"] != "kind-multinodes-worker3"));
    ds_settled(&store, 2).await;
    // A label the template selects on takes a node out.
    user_update(&store, &gr_daemonsets(), "default", "node-exporter", |d| {
        d["spec"]["template"]["spec"]["nodeSelector"] = json!({"disk": "ssd"});
    });
    store
        .modify(&gr_nodes(), "", "kind-multinodes-worker2", |n| {
            n["metadata"]["labels"]["disk"] = json!("ssd");
            Ok(true)
        })
        .unwrap();
    let pods = running_pods(&store, 1).await;
    assert_eq!(pods[0]["spec"]["nodeName"], "kind-multinodes-worker2");
    assert_eq!(
        pods[0]["metadata"]["labels"]["pod-template-generation"],
        "2"
    );
}

#[tokio::test]
async fn rolling_update_replaces_pods_one_by_one() {
    let (store, _running) = start(opts());
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    let old = running_pods(&store, 2).await;
    user_update(&store, &gr_daemonsets(), "default", "node-exporter", |d| {
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["image"] = json!("prom/node-exporter:v1.8.2");
        c["imagePullPolicy"] = json!("IfNotPresent");
    });
    let new = eventually(10, "updated pods", || async {
        let pods = ds_pods(&store);
        let all = store.list(&gr_pods(), Some("default")).0.len();
        (all == 2
            && pods.len() == 2
            && pods.iter().all(|p| {
                p["status"]["phase"] == "Running"
                    && p["metadata"]["labels"]["pod-template-generation"] == "2"
            }))
        .then_some(pods)
    })
    .await;
    for p in &old {
        assert!(new.iter().all(|n| name_of(n) != name_of(p)));
    }
    let ds = store
        .get(&gr_daemonsets(), "default", "node-exporter")
        .unwrap();
    assert_eq!(
        ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
        "2"
    );
    let (revs, _) = store.list(&gr_controllerrevisions(), Some("default"));
    let mut numbers: Vec<i64> = revs
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, [1, 2]);
    let (events, _) = store.list(&gr_events(), Some("default"));
    let deletes = events
        .iter()
        .filter(|e| e["reason"] == "SuccessfulDelete")
        .count();
    assert_eq!(deletes, 2);
    // Rolling back reuses the first revision under a new number.
    let first_hash = old[0]["metadata"]["labels"]["controller-revision-hash"].clone();
    user_update(&store, &gr_daemonsets(), "default", "node-exporter", |d| {
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["image"] = json!("prom/node-exporter:latest");
        c["imagePullPolicy"] = json!("Always");
    });
    eventually(10, "rolled back pods", || async {
        let pods = ds_pods(&store);
        let all = store.list(&gr_pods(), Some("default")).0.len();
        (all == 2
            && pods.iter().all(|p| {
                p["status"]["phase"] == "Running"
                    && p["metadata"]["labels"]["controller-revision-hash"] == first_hash
                    && p["metadata"]["labels"]["pod-template-generation"] == "3"
            }))
        .then_some(())
    })
    .await;
    let (revs, _) = store.list(&gr_controllerrevisions(), Some("default"));
    let first = revs
        .iter()
        .find(|r| r["metadata"]["labels"]["controller-revision-hash"] == first_hash)
        .unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(first["revision"], 3);
}

async fn delete_ds_with(store: &Store, finalizer: Option<&str>) {
    match finalizer {
        None => {
            store
                .remove(&gr_daemonsets(), "default", "node-exporter")
                .unwrap();
        }
        Some(f) => {
            user_update(store, &gr_daemonsets(), "default", "node-exporter", |d| {
                d["metadata"]["finalizers"] = json!([f]);
                d["metadata"]["deletionTimestamp"] = json!(store.clock().rfc3339());
            });
        }
    }
}

#[tokio::test]
async fn deleting_the_daemonset_background_foreground_orphan() {
    for mode in [None, Some("foregroundDeletion"), Some("orphan")] {
        let (store, _running) = start(opts());
        user_create(&store, &gr_daemonsets(), seed_daemonset());
        let pods = running_pods(&store, 2).await;
        delete_ds_with(&store, mode).await;
        if mode == Some("foregroundDeletion") {
            // The owner waits for its pods.
            let ds = store.get(&gr_daemonsets(), "default", "node-exporter");
            assert!(ds.is_some_and(|d| is_terminating(&d)));
        }
        eventually_gone(&store, &gr_daemonsets(), "default", "node-exporter").await;
        if mode == Some("orphan") {
            super::testutil::gc_barrier(&store).await;
            let left = ds_pods(&store);
            assert_eq!(left.len(), 2);
            assert!(left
                .iter()
                .all(|p| p["metadata"].get("ownerReferences").is_none()));
        } else {
            eventually(10, "pods gone", || async {
                let gone = pods
                    .iter()
                    .all(|p| store.get(&gr_pods(), "default", name_of(p)).is_none());
                gone.then_some(())
            })
            .await;
            eventually(10, "revisions gone", || async {
                store
                    .list(&gr_controllerrevisions(), Some("default"))
                    .0
                    .is_empty()
                    .then_some(())
            })
            .await;
        }
    }
}

#[tokio::test]
async fn namespace_deletion_empties_it() {
    let (store, _running) = start(opts());
    store
        .create(&gr_namespaces(), namespaces::namespace_object("demo"))
        .unwrap();
    let mut ds = seed_daemonset();
    ds["metadata"]["namespace"] = json!("demo");
    user_create(&store, &gr_daemonsets(), ds);
    eventually(10, "pods in demo", || async {
        (store.list(&gr_pods(), Some("demo")).0.len() == 2).then_some(())
    })
    .await;
    super::testutil::delete_namespace(&store, "demo");
    eventually_gone(&store, &gr_namespaces(), "", "demo").await;
    for gr in store.resources() {
        assert!(
            store.list(&gr, Some("demo")).0.is_empty(),
            "{gr} left in demo"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_nodes_run_a_daemon_pod_each() {
    let (store, _running) = start(with_nodes(500));
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    let pods = eventually(120, "500 running pods", || async {
        let pods = ds_pods(&store);
        (pods.len() == 500 && pods.iter().all(|p| p["status"]["phase"] == "Running"))
            .then_some(pods)
    })
    .await;
    let nodes: std::collections::HashSet<&str> = pods
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().unwrap())
        .collect();
    assert_eq!(nodes.len(), 500);
    ds_settled(&store, 500).await;
}

fn web_deployment(replicas: i64) -> Value {
    json!({
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}})
}

fn web_pods(store: &Store) -> Vec<Value> {
    store
        .list(&gr_pods(), Some("default"))
        .0
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "web")
        .collect()
}

/// Changes the `web` Deployment as a PUT would.
fn update_web(store: &Store, f: impl Fn(&mut Value)) -> Value {
    user_update(store, &deployment::gr_deployments(), "default", "web", f)
}

async fn deployment_ready(store: &Store, n: i64, secs: u64) -> Value {
    eventually(
        secs,
        &format!("deployment with {n} available replicas"),
        || async {
            let d = store.get(&deployment::gr_deployments(), "default", "web")?;
            let s = &d["status"];
            let pods = web_pods(store);
            let done = s["observedGeneration"] == d["metadata"]["generation"]
                && s["availableReplicas"] == json!(n)
                && s["updatedReplicas"] == json!(n)
                && s["replicas"] == json!(n)
                && pods.len() as i64 == n
                && s["conditions"].as_array().is_some_and(|c| {
                    c.iter().any(|c| {
                        c["type"] == "Progressing" && c["reason"] == "NewReplicaSetAvailable"
                    })
                });
            done.then_some(d)
        },
    )
    .await
}

#[tokio::test]
async fn deployment_rolls_out_scales_and_updates() {
    let (store, _running) = start(opts());
    user_create(&store, &deployment::gr_deployments(), web_deployment(3));
    let d = deployment_ready(&store, 3, 10).await;
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let conds: Vec<(&str, &str)> = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["type"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        conds,
        [
            ("Available", "MinimumReplicasAvailable"),
            ("Progressing", "NewReplicaSetAvailable")
        ]
    );
    let (rss, _) = store.list(&deployment::gr_replicasets(), Some("default"));
    assert_eq!(rss.len(), 1);
    let rs = &rss[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap();
    assert_eq!(name_of(rs), format!("web-{hash}"));
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"]["pod-template-hash"],
        hash
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"],
        "3"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "4"
    );
    assert_eq!(rs["status"]["readyReplicas"], 3);
    for p in web_pods(&store) {
        assert!(name_of(&p).starts_with(&format!("web-{hash}-")));
        assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
        assert_eq!(p["status"]["phase"], "Running");
    }
    let (events, _) = store.list(&gr_events(), Some("default"));
    let msg = format!("Scaled up replica set web-{hash} from 0 to 3");
    assert!(events.iter().any(|e| e["reason"] == "ScalingReplicaSet"
        && e["message"] == json!(msg)
        && e["source"]["component"] == "deployment-controller"));
    assert_eq!(creates(&events, "replicaset-controller"), 3);

    // Scale down.
    update_web(&store, |d| {
        d["spec"]["replicas"] = json!(1);
    });
    deployment_ready(&store, 1, 10).await;

    // New template: a second ReplicaSet takes over, the first is scaled to zero.
    update_web(&store, |d| {
        d["spec"]["replicas"] = json!(2);
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    });
    let d = deployment_ready(&store, 2, 10).await;
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    assert_eq!(d["status"]["observedGeneration"], 3);
    let (rss, _) = store.list(&deployment::gr_replicasets(), Some("default"));
    assert_eq!(rss.len(), 2);
    let old = rss.iter().find(|r| name_of(r) == name_of(rs)).unwrap();
    assert_eq!(old["spec"]["replicas"], 0);
    for p in web_pods(&store) {
        assert_eq!(p["spec"]["containers"][0]["image"], "nginx:1.28");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_replicas_run() {
    let (store, _running) = start(with_nodes(10));
    user_create(&store, &deployment::gr_deployments(), web_deployment(1));
    deployment_ready(&store, 1, 10).await;
    update_web(&store, |d| {
        d["spec"]["replicas"] = json!(1000);
    });
    deployment_ready(&store, 1000, 120).await;
    let pods = web_pods(&store);
    assert!(pods.iter().all(|p| p["status"]["phase"] == "Running"));
    let mut per_node: std::collections::HashMap<&str, usize> = Default::default();
    for p in &pods {
        *per_node
            .entry(p["spec"]["nodeName"].as_str().unwrap())
            .or_default() += 1;
    }
    assert_eq!(per_node.len(), 10);
    assert!(per_node.values().all(|n| *n == 100), "{per_node:?}");
    let ips: std::collections::HashSet<&str> = pods
        .iter()
        .map(|p| p["status"]["podIP"].as_str().unwrap())
        .collect();
    assert_eq!(ips.len(), 1000);
}

#[tokio::test]
async fn unschedulable_pods_stay_pending_with_the_real_message() {
    let (store, _running) = start(opts());
    let pod = json!({"metadata": {"name": "picky", "namespace": "default"},
        "spec": {"nodeSelector": {"disk": "ssd"}, "containers": [{"name": "c", "image": "nginx"}]}});
    pods::create_pod(&store, pod).unwrap();
    let p = eventually(10, "PodScheduled=False", || async {
        let p = store.get(&gr_pods(), "default", "picky")?;
        p["status"]["conditions"]
            .as_array()?
            .iter()
            .any(|c| c["type"] == "PodScheduled")
            .then_some(p)
    })
    .await;
    let msg = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. \
               preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    let cond = &p["status"]["conditions"][0];
    assert_eq!(cond["status"], "False");
    assert_eq!(cond["reason"], "Unschedulable");
    assert_eq!(cond["message"], msg);
    let (events, _) = store.list(&gr_events(), Some("default"));
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["reason"] == "FailedScheduling")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["message"], msg);
    assert_eq!(failed[0]["type"], "Warning");
    // A matching node appears: the pod gets bound and runs.
    store
        .modify(&gr_nodes(), "", "kind-multinodes-worker", |n| {
            n["metadata"]["labels"]["disk"] = json!("ssd");
            Ok(true)
        })
        .unwrap();
    let p = eventually(10, "picky running", || async {
        store
            .get(&gr_pods(), "default", "picky")
            .filter(|p| p["status"]["phase"] == "Running")
    })
    .await;
    assert_eq!(p["spec"]["nodeName"], "kind-multinodes-worker");
}

#[tokio::test]
async fn min_ready_seconds_delays_availability_then_settles_idle() {
    let clock = Clock::manual(parse_time("2026-03-01T00:00:00Z").unwrap());
    let (store, _running) = start_on(opts(), clock.clone());
    let mut d = web_deployment(2);
    d["spec"]["minReadySeconds"] = json!(3);
    user_create(&store, &deployment::gr_deployments(), d);
    let mut ds = seed_daemonset();
    ds["spec"]["minReadySeconds"] = json!(3);
    user_create(&store, &gr_daemonsets(), ds);
    // The kubelet starts pods after its delay (5 ms of cluster time).
    let early = eventually(10, "pods ready", || async {
        clock.advance(Duration::from_millis(5));
        let rs = store.list(&deployment::gr_replicasets(), Some("default")).0;
        rs.first()
            .filter(|r| r["status"]["readyReplicas"] == 2)
            .cloned()
    })
    .await;
    assert!(
        early["status"].get("availableReplicas").is_none(),
        "{early}"
    );
    // Ready for less than minReadySeconds: not available, however long the test takes.
    eventually(10, "daemonset pods ready", || async {
        let ds = store.get(&gr_daemonsets(), "default", "node-exporter")?;
        (ds["status"]["numberReady"] == 2).then_some(())
    })
    .await;
    testutil::quiet(&store).await;
    let rs = store.list(&deployment::gr_replicasets(), Some("default")).0;
    assert!(
        rs[0]["status"].get("availableReplicas").is_none(),
        "{}",
        rs[0]
    );
    let ds = store
        .get(&gr_daemonsets(), "default", "node-exporter")
        .unwrap();
    assert_eq!(ds["status"]["numberUnavailable"], 2, "{}", ds["status"]);
    // Three seconds later both are available (the controllers' requeue timers fire).
    clock.advance(Duration::from_secs(3));
    deployment_ready(&store, 2, 10).await;
    ds_settled(&store, 2).await;
    // The node controller registered the nodes a second after they joined.
    eventually(10, "nodes registered", || async {
        let (evs, _) = store.list(&gr_events(), Some("default"));
        (evs.iter()
            .filter(|e| e["reason"] == "RegisteredNode")
            .count()
            == 2)
            .then_some(())
    })
    .await;
    // Nothing is written once everything has settled, until the next lease renewal (10 s
    // after the start).
    let rv = testutil::quiet(&store).await;
    clock.advance(Duration::from_secs(6));
    assert_eq!(testutil::quiet(&store).await, rv);
    clock.advance(Duration::from_secs(2));
    eventually(10, "leases renewed", || async {
        (store.current_rv() > rv).then_some(())
    })
    .await;
}

#[tokio::test]
async fn no_execute_taint_evicts_pods_that_do_not_tolerate_it() {
    let (store, _running) = start(opts());
    user_create(&store, &deployment::gr_deployments(), web_deployment(4));
    deployment_ready(&store, 4, 10).await;
    let on_worker = |store: &Store| {
        web_pods(store)
            .iter()
            .filter(|p| p["spec"]["nodeName"] == "kind-multinodes-worker")
            .count()
    };
    assert_eq!(on_worker(&store), 2, "spread by least pods");
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    running_pods_at_least(&store, 2).await;
    user_update(&store, &gr_nodes(), "", "kind-multinodes-worker", |n| {
        n["spec"]["taints"] = json!([{"key": "maintenance", "effect": "NoExecute"}]);
    });
    eventually(10, "web pods moved off the tainted node", || async {
        let pods = web_pods(&store);
        let moved = pods.len() == 4
            && on_worker(&store) == 0
            && pods.iter().all(|p| p["status"]["phase"] == "Running");
        moved.then_some(())
    })
    .await;
    let (events, _) = store.list(&gr_events(), Some("default"));
    let evictions = events
        .iter()
        .filter(|e| e["reason"] == "TaintManagerEviction")
        .filter(|e| e["source"]["component"] == "taint-eviction-controller")
        .filter(|e| {
            e["involvedObject"]["name"]
                .as_str()
                .unwrap()
                .starts_with("web-")
        })
        .count();
    assert_eq!(evictions, 2);
    // The daemon pod goes too (the DaemonSet controller or the eviction, whichever is first).
    eventually(10, "daemon pod gone from the tainted node", || async {
        let pods = ds_pods(&store);
        let gone = pods.len() == 1 && pods[0]["spec"]["nodeName"] == "kind-multinodes-worker2";
        gone.then_some(())
    })
    .await;
}

async fn running_pods_at_least(store: &Store, n: usize) {
    eventually(30, "daemon pods running", || async {
        let pods = ds_pods(store);
        (pods.len() >= n && pods.iter().all(|p| p["status"]["phase"] == "Running")).then_some(())
    })
    .await;
}

#[tokio::test]
async fn controllers_recover_when_their_subscription_overflows() {
    let (store, _running) = start(opts());
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    user_create(&store, &deployment::gr_deployments(), web_deployment(2));
    // More changes than the watch channel holds, before any controller runs: each one
    // lags and must relist.
    let cm = crate::store::GroupResource::new("", "configmaps");
    for i in 0..70_000 {
        store
            .create(
                &cm,
                json!({"metadata": {"name": format!("c{i}"), "namespace": "kube-public"}}),
            )
            .unwrap();
    }
    running_pods_at_least(&store, 2).await;
    deployment_ready(&store, 2, 30).await;
}

#[tokio::test]
async fn recreated_owners_adopt_what_an_orphaning_delete_left() {
    let (store, _running) = start(opts());
    user_create(&store, &deployment::gr_deployments(), web_deployment(2));
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    deployment_ready(&store, 2, 10).await;
    let daemon_pods = running_pods_of(&store, 2, 4).await;
    let names = |pods: &[Value]| {
        let mut n: Vec<String> = pods.iter().map(|p| name_of(p).to_string()).collect();
        n.sort();
        n
    };
    let before = names(&store.list(&gr_pods(), Some("default")).0);
    assert_eq!(daemon_pods.len(), 2);
    for (gr, name) in [
        (deployment::gr_deployments(), "web"),
        (gr_daemonsets(), "node-exporter"),
    ] {
        user_update(&store, &gr, "default", name, |o| {
            o["metadata"]["finalizers"] = json!(["orphan"]);
            o["metadata"]["deletionTimestamp"] = json!(store.clock().rfc3339());
        });
    }
    eventually(10, "owners gone", || async {
        let gone = store
            .get(&deployment::gr_deployments(), "default", "web")
            .is_none()
            && store
                .get(&gr_daemonsets(), "default", "node-exporter")
                .is_none();
        gone.then_some(())
    })
    .await;
    let ds = user_create(&store, &gr_daemonsets(), seed_daemonset());
    let d = user_create(&store, &deployment::gr_deployments(), web_deployment(2));
    deployment_ready(&store, 2, 10).await;
    ds_settled(&store, 2).await;
    // The very same pods, now owned again.
    let pods = store.list(&gr_pods(), Some("default")).0;
    assert_eq!(names(&pods), before);
    let (rss, _) = store.list(&deployment::gr_replicasets(), Some("default"));
    assert_eq!(rss.len(), 1);
    assert_eq!(
        rss[0]["metadata"]["ownerReferences"][0]["uid"],
        d["metadata"]["uid"]
    );
    let (revs, _) = store.list(&gr_controllerrevisions(), Some("default"));
    assert_eq!(revs.len(), 1);
    assert_eq!(
        revs[0]["metadata"]["ownerReferences"][0]["uid"],
        ds["metadata"]["uid"]
    );
    for p in &pods {
        let owner = &p["metadata"]["ownerReferences"][0];
        assert_eq!(owner["controller"], true, "{p}");
        if owner["kind"] == "DaemonSet" {
            assert_eq!(owner["uid"], ds["metadata"]["uid"]);
        }
    }
}

#[tokio::test]
async fn recreate_strategy_stops_old_pods_first() {
    let (store, _running) = start(opts());
    let mut d = web_deployment(2);
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    user_create(&store, &deployment::gr_deployments(), d);
    deployment_ready(&store, 2, 10).await;
    update_web(&store, |d| {
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    });
    let d = deployment_ready(&store, 2, 10).await;
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    let (events, _) = store.list(&gr_events(), Some("default"));
    let mut scaling: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["reason"] == "ScalingReplicaSet")
        .map(|e| {
            (
                e["firstTimestamp"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    scaling.sort();
    let msgs: Vec<&str> = scaling.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs
        .iter()
        .any(|m| m.starts_with("Scaled down replica set web-") && m.ends_with(" from 2 to 0")));
    let (rss, _) = store.list(&deployment::gr_replicasets(), Some("default"));
    let new = rss.iter().find(|r| r["spec"]["replicas"] == 2).unwrap();
    let up = format!("Scaled up replica set {} from 0 to 2", name_of(new));
    assert!(msgs.contains(&up.as_str()), "{msgs:?}");
}

#[tokio::test]
async fn odd_objects_do_not_stop_the_controllers() {
    let (store, _running) = start(opts());
    let odd = [
        (
            gr_daemonsets(),
            json!({"metadata": {"name": "a", "namespace": "default"}, "spec": "x"}),
        ),
        (
            gr_daemonsets(),
            json!({"metadata": {"name": "b", "namespace": "default"},
            "spec": {"selector": {"matchExpressions": [{"key": "k", "operator": "Bogus"}]},
                "template": 7}}),
        ),
        (
            deployment::gr_deployments(),
            json!({"metadata": {"name": "c", "namespace": "default",
            "annotations": "no"}, "spec": {"replicas": "three", "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": "x"}, "spec": []}}}),
        ),
        (
            deployment::gr_replicasets(),
            json!({"metadata": {"name": "d", "namespace": "default"},
            "spec": {"replicas": -4, "selector": {}, "template": null}}),
        ),
        (
            gr_pods(),
            json!({"metadata": {"name": "e", "namespace": "default", "ownerReferences": 5},
            "spec": {"nodeName": "kind-multinodes-worker", "containers": {"name": "x"}}}),
        ),
        (
            gr_pods(),
            json!({"metadata": {"name": "f", "namespace": "default"},
            "spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                {"nodeSelectorTerms": "all"}}}, "tolerations": [1, 2]}}),
        ),
        (
            endpoints::gr_services(),
            json!({"metadata": {"name": "g", "namespace": "default"},
            "spec": {"selector": {"app": "node-exporter"}, "ports": [{"port": "http"}, 3]}}),
        ),
        (
            gr_nodes(),
            json!({"metadata": {"name": "h", "labels": []}, "spec": {"taints": "none"},
            "status": "?"}),
        ),
    ];
    for (gr, obj) in odd {
        store.create(&gr, obj).unwrap();
    }
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    running_pods_at_least(&store, 2).await;
    user_create(&store, &deployment::gr_deployments(), web_deployment(1));
    deployment_ready(&store, 1, 10).await;
}

#[tokio::test]
async fn daemonset_surge_update_starts_new_pods_before_stopping_old_ones() {
    let (store, _running) = start(opts());
    let mut ds = seed_daemonset();
    ds["spec"]["updateStrategy"] =
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}});
    // Surge needs a free host port: drop the hostPort/hostNetwork of the seed.
    ds["spec"]["template"]["spec"]["hostNetwork"] = json!(false);
    ds["spec"]["template"]["spec"]["containers"][0]["ports"] = json!([{"containerPort": 9100}]);
    user_create(&store, &gr_daemonsets(), ds);
    let old = running_pods(&store, 2).await;
    let rv_before = store.current_rv();
    user_update(&store, &gr_daemonsets(), "default", "node-exporter", |d| {
        d["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!("prom/node-exporter:v1.8.2");
    });
    eventually(10, "surge update done", || async {
        let all = store.list(&gr_pods(), Some("default")).0;
        let done = all.len() == 2
            && all.iter().all(|p| {
                p["status"]["phase"] == "Running"
                    && p["metadata"]["labels"]["pod-template-generation"] == "2"
            });
        done.then_some(())
    })
    .await;
    // Replaying the changes: at some point a node ran both its old and its new pod.
    let (history, _) = store.watch_from(rv_before).unwrap();
    let mut live: std::collections::HashMap<String, String> = old
        .iter()
        .map(|p| {
            (
                name_of(p).to_string(),
                p["spec"]["nodeName"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut saw_surge = false;
    for ev in history.iter().filter(|e| e.gr == gr_pods()) {
        let node = ev.object["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if ev.kind == crate::store::EventType::Deleted || is_terminating(&ev.object) {
            live.remove(&ev.name);
        } else if !node.is_empty() {
            live.insert(ev.name.clone(), node);
        }
        let mut per_node: std::collections::HashMap<&String, usize> = Default::default();
        for n in live.values() {
            *per_node.entry(n).or_default() += 1;
        }
        saw_surge |= per_node.values().any(|n| *n == 2);
    }
    assert!(saw_surge, "no node ran two pods during the update");
    let now = store.list(&gr_pods(), Some("default")).0;
    assert!(now
        .iter()
        .all(|p| old.iter().all(|o| name_of(o) != name_of(p))));
}

#[tokio::test]
async fn control_plane_is_tainted_for_workloads() {
    let (store, _running) = start(ControllerOptions {
        control_plane: true,
        ..opts()
    });
    user_create(&store, &gr_daemonsets(), seed_daemonset());
    let pods = running_pods_of(&store, 2, 2).await;
    assert!(pods
        .iter()
        .all(|p| p["spec"]["nodeName"] != "kind-multinodes-control-plane"));
    ds_settled(&store, 2).await;
    let pod = json!({"metadata": {"name": "picky", "namespace": "default"},
        "spec": {"nodeSelector": {"disk": "ssd"}, "containers": [{"name": "c", "image": "nginx"}]}});
    pods::create_pod(&store, pod).unwrap();
    let p = eventually(10, "unschedulable", || async {
        let p = store.get(&gr_pods(), "default", "picky")?;
        p["status"]["conditions"][0]["message"]
            .is_string()
            .then_some(p)
    })
    .await;
    assert_eq!(
        p["status"]["conditions"][0]["message"],
        "0/3 nodes are available: 1 node(s) had untolerated taint \
         {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node \
         affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful \
         for scheduling."
    );
}

/// Creates Job `name` with the `spec` fields given and pods that run `container` once.
fn create_job(store: &Store, name: &str, spec: Value, container: Value) -> Value {
    let mut job = json!({"kind": "Job", "apiVersion": "batch/v1",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [container]}}}});
    for (k, v) in spec.as_object().into_iter().flatten() {
        job["spec"][k] = v.clone();
    }
    user_create(store, &job::gr_jobs(), job)
}

fn busybox() -> Value {
    json!({"name": "c", "image": "busybox"})
}

#[tokio::test]
async fn jobs_run_pods_to_completion() {
    let (store, _running) = start(opts());
    let pi = json!({"name": "pi", "image": "perl", "command": ["perl", "-e", "1"]});
    let job = create_job(&store, "pi", json!({"completions": 2}), pi);
    let done = eventually(10, "job complete", || async {
        let j = store.get(&job::gr_jobs(), "default", "pi")?;
        let conds = j["status"]["conditions"].as_array()?;
        conds
            .iter()
            .any(|c| c["type"] == "Complete" && c["status"] == "True")
            .then_some(j)
    })
    .await;
    let st = &done["status"];
    assert_eq!(st["succeeded"], 2);
    assert!(st.get("active").is_none());
    assert!(st["completionTime"].is_string() && st["startTime"].is_string());
    let types: Vec<&str> = st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["SuccessCriteriaMet", "Complete"]);
    let uid = job["metadata"]["uid"].as_str().unwrap();
    assert_eq!(
        done["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
        uid
    );
    let pods = store.list(&gr_pods(), Some("default")).0;
    assert_eq!(pods.len(), 2);
    for p in &pods {
        assert_eq!(p["status"]["phase"], "Succeeded");
        assert_eq!(p["metadata"]["labels"]["job-name"], "pi");
        assert_eq!(
            p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"],
            "Completed"
        );
        assert!(p["metadata"]
            .get("finalizers")
            .is_none_or(|f| f.as_array().unwrap().is_empty()));
    }
    let (events, _) = store.list(&gr_events(), Some("default"));
    assert!(events
        .iter()
        .any(|e| e["reason"] == "Completed" && e["message"] == "Job completed"));
    assert_eq!(creates(&events, "job-controller"), 2);
}

#[tokio::test]
async fn suspended_jobs_wait_and_resume() {
    let (store, _running) = start(opts());
    let jobs = job::gr_jobs();
    create_job(&store, "later", json!({"suspend": true}), busybox());
    let j = eventually(10, "suspended", || async {
        let j = store.get(&jobs, "default", "later")?;
        (j["status"]["conditions"][0]["type"] == "Suspended").then_some(j)
    })
    .await;
    let c = &j["status"]["conditions"][0];
    assert_eq!(
        (&c["status"], &c["reason"]),
        (&json!("True"), &json!("JobSuspended"))
    );
    assert!(j["status"].get("startTime").is_none());
    assert!(store.list(&gr_pods(), Some("default")).0.is_empty());
    store
        .modify_retry(&jobs, "default", "later", |j| {
            j["spec"]["suspend"] = json!(false);
            Ok(true)
        })
        .unwrap();
    let j = eventually(10, "resumed and complete", || async {
        let j = store.get(&jobs, "default", "later")?;
        j["status"]["completionTime"].is_string().then_some(j)
    })
    .await;
    let c = &j["status"]["conditions"][0];
    assert_eq!(
        (&c["status"], &c["reason"]),
        (&json!("False"), &json!("JobResumed"))
    );
    assert!(j["status"]["startTime"].is_string());
    let (events, _) = store.list(&gr_events(), Some("default"));
    for reason in ["Suspended", "Resumed"] {
        assert!(events.iter().any(|e| e["reason"] == reason), "{reason}");
    }
}

#[tokio::test]
async fn finished_jobs_with_a_ttl_are_deleted() {
    let (store, _running) = start(opts());
    create_job(
        &store,
        "brief",
        json!({"ttlSecondsAfterFinished": 1}),
        busybox(),
    );
    // With a one-second TTL on the real clock a slow poll may first see the job already
    // deleted: only a finished job is, so gone counts as complete here.
    eventually(10, "job complete", || async {
        let Some(j) = store.get(&job::gr_jobs(), "default", "brief") else {
            return Some(());
        };
        j["status"]["completionTime"].is_string().then_some(())
    })
    .await;
    eventually_gone(&store, &job::gr_jobs(), "default", "brief").await;
}

#[tokio::test]
async fn pods_of_a_gone_job_lose_the_tracking_finalizer() {
    let (store, _running) = start(opts());
    let pod = json!({"metadata": {"name": "orphan", "namespace": "default",
            "finalizers": ["batch.kubernetes.io/job-tracking"],
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "gone",
                "uid": "0000-gone", "controller": true}]},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
    pods::create_pod(&store, pod).unwrap();
    eventually(10, "finalizer released", || async {
        let p = store.get(&gr_pods(), "default", "orphan")?;
        p["metadata"]
            .get("finalizers")
            .is_none_or(|f| f.as_array().is_some_and(|f| f.is_empty()))
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn statefulset_pods_come_up_in_order_update_and_scale_down() {
    let (store, _running) = start(opts());
    let sts = statefulset::gr_statefulsets();
    user_create(
        &store,
        &sts,
        json!({"kind": "StatefulSet", "apiVersion": "apps/v1",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 3, "serviceName": "web", "selector": {"matchLabels": {"app": "db"}},
                "template": {"metadata": {"labels": {"app": "db"}},
                    "spec": {"containers": [{"name": "db", "image": "postgres:16",
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}]}}),
    );
    let ready = |store: Arc<Store>, image: &'static str| async move {
        let s = store.get(&statefulset::gr_statefulsets(), "default", "web")?;
        let pods: Vec<Value> = store
            .list(&gr_pods(), Some("default"))
            .0
            .into_iter()
            .filter(|p| p["metadata"]["labels"]["app"] == "db")
            .collect();
        let st = &s["status"];
        let ok = st["readyReplicas"] == json!(pods.len())
            && st["observedGeneration"] == s["metadata"]["generation"]
            && st["currentRevision"] == st["updateRevision"]
            && pods.iter().all(|p| {
                p["status"]["phase"] == "Running" && p["spec"]["containers"][0]["image"] == image
            });
        ok.then_some((s, pods))
    };
    let (s, pods) = eventually(10, "3 ready", || ready(store.clone(), "postgres:16")).await;
    let mut names: Vec<&str> = pods.iter().map(name_of).collect();
    names.sort();
    assert_eq!(names, ["web-0", "web-1", "web-2"]);
    assert_eq!(s["status"]["replicas"], 3);
    let p0 = pods.iter().find(|p| name_of(p) == "web-0").unwrap();
    assert_eq!(p0["spec"]["hostname"], "web-0");
    assert_eq!(p0["spec"]["subdomain"], "web");
    assert_eq!(
        p0["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
        "0"
    );
    assert_eq!(
        p0["metadata"]["labels"]["controller-revision-hash"],
        s["status"]["updateRevision"]
    );
    let pvc_gr = crate::store::GroupResource::new("", "persistentvolumeclaims");
    let pvc = store.get(&pvc_gr, "default", "data-web-0").expect("claim");
    assert_eq!(pvc["status"]["phase"], "Bound");
    assert_eq!(
        p0["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "data-web-0"
    );
    // Ordered start: web-1 was created only after web-0 ran.
    let (events, _) = store.list(&gr_events(), Some("default"));
    assert!(events
        .iter()
        .any(|e| e["message"] == "create Pod web-0 in StatefulSet web successful"));
    assert!(events
        .iter()
        .any(|e| e["message"] == "create Claim data-web-2 Pod web-2 in StatefulSet web success"));

    user_update(&store, &sts, "default", "web", |s| {
        s["spec"]["template"]["spec"]["containers"][0]["image"] = json!("postgres:17");
    });
    let (s2, _) = eventually(15, "updated", || ready(store.clone(), "postgres:17")).await;
    assert_ne!(
        s2["status"]["updateRevision"],
        s["status"]["updateRevision"]
    );
    assert_eq!(s2["status"]["updatedReplicas"], 3);

    user_update(&store, &sts, "default", "web", |s| {
        s["spec"]["replicas"] = json!(1)
    });
    let (_, pods) = eventually(15, "scaled down", || async {
        let r = ready(store.clone(), "postgres:17").await?;
        (r.1.len() == 1).then_some(r)
    })
    .await;
    assert_eq!(name_of(&pods[0]), "web-0");
    // Claims are retained.
    assert!(store.get(&pvc_gr, "default", "data-web-2").is_some());
}

#[tokio::test]
async fn cronjobs_start_jobs_on_schedule() {
    // Cluster time stands at 00:00:30 until the test moves it.
    let t0 = parse_time("2026-03-01T00:00:30Z").unwrap();
    let clock = Clock::manual(t0);
    let (store, _running) = start_on(opts(), clock.clone());
    let cronjob = |name: &str, created: &str| {
        let mut cj = json!({"kind": "CronJob", "apiVersion": "batch/v1",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": created},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "c", "image": "busybox", "command": ["date"]}]}}}}}});
        apply_defaults(&cronjob::gr_cronjobs(), &mut cj);
        store.create(&cronjob::gr_cronjobs(), cj).unwrap();
    };
    // `early` was created before 00:00 and is due at once; `tick` is due at 00:01. Both reach
    // the controller in one batch, synced in name order: once `early` has its Job, `tick` has
    // been looked at too.
    cronjob("early", "2026-02-28T23:59:30Z");
    cronjob("tick", "2026-03-01T00:00:30Z");
    eventually(10, "early job", || async {
        store.get(
            &job::gr_jobs(),
            "default",
            &format!("early-{}", t0.timestamp() / 60),
        )
    })
    .await;
    let only_early = || {
        let jobs = store.list(&job::gr_jobs(), Some("default")).0;
        jobs.iter().all(|j| name_of(j).starts_with("early-"))
    };
    assert!(only_early());
    clock.advance(Duration::from_secs(29));
    tokio::task::yield_now().await;
    assert!(only_early(), "a job before its time");
    // At 00:01:00 the Job is created, and its pod runs (kubelet delay) and succeeds.
    clock.advance(Duration::from_secs(1));
    let job = eventually(10, "job created", || async {
        store.get(
            &job::gr_jobs(),
            "default",
            &format!("tick-{}", (t0.timestamp() + 30) / 60),
        )
    })
    .await;
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    let c = eventually(10, "job ran", || async {
        clock.advance(Duration::from_millis(5));
        let c = store.get(&cronjob::gr_cronjobs(), "default", "tick")?;
        c["status"]["lastSuccessfulTime"].is_string().then_some(c)
    })
    .await;
    assert_eq!(c["status"]["lastScheduleTime"], "2026-03-01T00:01:00Z");
    let (jobs, _) = store.list(&job::gr_jobs(), Some("default"));
    assert_eq!(
        jobs.len(),
        3,
        "early at 00:00 and 00:01, tick at 00:01: {jobs:?}"
    );
    let (events, _) = store.list(&gr_events(), Some("default"));
    let msg = format!("Created job {}", name_of(&job));
    assert!(events
        .iter()
        .any(|e| e["reason"] == "SuccessfulCreate" && e["message"] == json!(msg)));
    assert!(events.iter().any(|e| e["reason"] == "SawCompletedJob"));
}
