//! Byte-for-byte comparisons with real kubectl v1.36 output (`tests/fixtures/reference/`).
//! The API snapshots were taken a little after the describe runs, so each test rebuilds the
//! objects as they were at that moment (the edits are listed in each test) and pins `now` to
//! the recording time, computed from the reference ages.

use serde_json::{json, Value};

use super::text::parse_time;
use super::*;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json_fixture(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("fixture is JSON")
}

fn items(name: &str) -> Vec<Value> {
    json_fixture(name)["items"]
        .as_array()
        .expect("a list")
        .clone()
}

fn at(t: &str) -> DescribeOptions {
    DescribeOptions::fixed_utc(parse_time(t).expect("valid time"))
}

/// Prints both texts in full on mismatch.
fn assert_text(got: &str, want: &str) {
    if got != want {
        panic!("--- got ---\n{got}\n--- want ---\n{want}\n--- end ---");
    }
}

/// The events kubectl saw for the first DaemonSet run: uid 7b0bae77, up to `until`.
fn ds_events(until: &str) -> Vec<Value> {
    let until = parse_time(until).unwrap();
    items("events-for-daemonset.json")
        .into_iter()
        .filter(|e| e["involvedObject"]["uid"] == "7b0bae77-41ba-4cd5-95b3-6baded642466")
        .filter(|e| parse_time(e["lastTimestamp"].as_str().unwrap()).unwrap() <= until)
        .collect()
}

fn run(group: &str, kind: &str, obj: &Value, related: &Related, opts: &DescribeOptions) -> String {
    describe(group, kind, obj, related, opts)
}

/// The DaemonSet with the two pods of pods-list.json and the recorded run's events (last
/// seen at `events_at`), described at `now`.
fn describe_daemonset(ds: &Value, events_at: &str, now: &str) -> String {
    let mut related = Related::new();
    related.insert("pods", items("pods-list.json"));
    related.insert("events", ds_events(events_at));
    run("apps", "DaemonSet", ds, &related, &at(now))
}

#[test]
fn daemonset_matches_reference_06() {
    // The stored DaemonSet is a later run of the same manifest; its pods are the two pods
    // of pods-list.json, the events those of the recorded run.
    let ds = json_fixture("daemonset.json");
    let got = describe_daemonset(&ds, "2026-11-27T19:54:23Z", "2026-11-27T19:54:28Z");
    assert_text(&got, &fixture("06-describe-daemonset.stdout"));
}

#[test]
fn daemonset_matches_reference_10_after_update() {
    // The DaemonSet as the API server stores the -v2 manifest (defaults filled in).
    let mut ds = json_fixture("daemonset.json");
    ds["metadata"]["labels"] = json!({"team": "observability"});
    ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] = json!("2");
    let spec = &mut ds["spec"]["template"]["spec"];
    spec["volumes"] = json!([{"name": "proc", "hostPath": {"path": "/proc", "type": ""}}]);
    let c = &mut spec["containers"][0];
    c["image"] = json!("prom/node-exporter:v1.8.2");
    c["args"] = json!(["--path.procfs=/host/proc"]);
    c["env"] = json!([{"name": "GOMAXPROCS", "value": "1"}]);
    c["resources"] = json!({"limits": {"memory": "64Mi"}});
    c["volumeMounts"] = json!([{"name": "proc", "readOnly": true, "mountPath": "/host/proc"}]);
    let got = describe_daemonset(&ds, "2026-11-27T19:54:34Z", "2026-11-27T19:54:34Z");
    assert_text(&got, &fixture("10-describe-daemonset-after-update.stdout"));
}

/// Pod `node-exporter-hhrkk` as it was when 19/22 were recorded: pods-list.json's first pod
/// with the -v2 template, its own name, labels, IDs and token volume.
fn hhrkk_pod() -> Value {
    let mut pod = items("pods-list.json").remove(0);
    pod["metadata"]["name"] = json!("node-exporter-hhrkk");
    pod["metadata"]["creationTimestamp"] = json!("2026-11-27T19:54:28Z");
    pod["metadata"]["labels"] = json!({"app": "node-exporter",
        "controller-revision-hash": "7885d5cfdc", "pod-template-generation": "2"});
    let spec = &mut pod["spec"];
    spec["priority"] = json!(0);
    spec["volumes"][0] = json!({"name": "proc", "hostPath": {"path": "/proc", "type": ""}});
    let token = spec["volumes"][2].clone();
    spec["volumes"] = json!([spec["volumes"][0].clone(), token]);
    spec["volumes"][1]["name"] = json!("kube-api-access-qqc94");
    let c = &mut spec["containers"][0];
    c["image"] = json!("prom/node-exporter:v1.8.2");
    c["args"] = json!(["--path.procfs=/host/proc"]);
    c["env"] = json!([{"name": "GOMAXPROCS", "value": "1"}]);
    c["resources"] = json!({"limits": {"memory": "64Mi"}, "requests": {"memory": "64Mi"}});
    c["volumeMounts"] = json!([
        {"name": "proc", "readOnly": true, "mountPath": "/host/proc"},
        {"name": "kube-api-access-qqc94", "readOnly": true,
         "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]);
    let st = &mut pod["status"];
    st["startTime"] = json!("2026-11-27T19:54:28Z");
    st["qosClass"] = json!("Burstable");
    let cs = &mut st["containerStatuses"][0];
    cs["containerID"] =
        json!("containerd://95efd302e99a0743802d700cadddb689cb97d75221b7525a68367bc847ac925a");
    cs["imageID"] = json!("docker.io/prom/node-exporter@sha256:dea9538338304804271787e0bc70b88a4e992d2f7f23f7323563ff45c83a1e56");
    cs["state"]["running"]["startedAt"] = json!("2026-11-27T19:54:28Z");
    pod
}

fn kubelet_event(reason: &str, message: &str, time: &str, field_path: &str) -> Value {
    json!({"type": "Normal", "reason": reason, "message": message, "count": 1,
           "firstTimestamp": time, "lastTimestamp": time,
           "source": {"component": "kubelet", "host": "kind-multinodes-worker"},
           "involvedObject": {"kind": "Pod", "fieldPath": field_path}})
}

#[test]
fn pod_matches_reference_19() {
    let pod = hhrkk_pod();
    let t = "2026-11-27T19:54:28Z";
    let fp = "spec.containers{node-exporter}";
    let events = vec![
        // A new-style (events.k8s.io) event: eventTime only, no source.
        json!({"type": "Normal", "reason": "Scheduled", "eventTime": "2026-11-27T19:54:28.512345Z",
               "reportingComponent": "default-scheduler", "source": {},
               "message": "Successfully assigned default/node-exporter-hhrkk to kind-multinodes-worker",
               "involvedObject": {"kind": "Pod"}}),
        kubelet_event("Pulling", "Pulling image \"prom/node-exporter:v1.8.2\"", t, fp),
        kubelet_event("Pulled", "Successfully pulled image \"prom/node-exporter:v1.8.2\" in 512ms (512ms including waiting). Image size: 12345678 bytes.", t, fp),
        kubelet_event("Created", "Container created", t, fp),
        kubelet_event("Started", "Container started", t, fp),
    ];
    let mut related = Related::new();
    related.insert("events", events);
    let got = run("", "Pod", &pod, &related, &at("2026-11-27T19:54:35Z"));
    assert_text(&got, &fixture("19-describe-pod.stdout"));
}

#[test]
fn node_matches_reference_22() {
    let mut node = items("nodes-list.json").remove(0);
    for c in node["status"]["conditions"].as_array_mut().unwrap() {
        c["lastHeartbeatTime"] = json!("2026-11-27T19:53:41Z");
    }
    let node_event = |reason: &str, message: &str| {
        json!({"type": "Normal", "reason": reason, "message": message, "count": 1,
               "firstTimestamp": "2026-11-27T19:53:41Z", "lastTimestamp": "2026-11-27T19:53:41Z",
               "source": {"component": "kubelet", "host": "kind-multinodes-worker"}})
    };
    let by_name = vec![
        node_event("Starting", "Starting kubelet."),
        node_event(
            "NodeAllocatableEnforced",
            "Updated Node Allocatable limit across pods",
        ),
        node_event(
            "NodeHasSufficientMemory",
            "Node kind-multinodes-worker status is now: NodeHasSufficientMemory",
        ),
        node_event(
            "NodeHasNoDiskPressure",
            "Node kind-multinodes-worker status is now: NodeHasNoDiskPressure",
        ),
        node_event(
            "NodeHasSufficientPID",
            "Node kind-multinodes-worker status is now: NodeHasSufficientPID",
        ),
        node_event(
            "NodeReady",
            "Node kind-multinodes-worker status is now: NodeReady",
        ),
    ];
    let by_uid = vec![json!({"type": "Normal", "reason": "RegisteredNode",
        "message": "Node kind-multinodes-worker event: Registered Node kind-multinodes-worker in Controller",
        "count": 1, "firstTimestamp": "2026-11-27T19:53:45Z", "lastTimestamp": "2026-11-27T19:53:45Z",
        "source": {"component": "node-controller"}})];
    let mut related = Related::new();
    related.insert("pods", vec![hhrkk_pod()]);
    related.insert("events", by_uid);
    related.insert("events-by-name", by_name);
    related.insert(
        "lease",
        vec![json!({"spec": {"holderIdentity": "kind-multinodes-worker",
                              "renewTime": "2026-11-27T19:54:31.123456Z"}})],
    );
    let got = run("", "Node", &node, &related, &at("2026-11-27T19:54:35Z"));
    assert_text(&got, &fixture("22-describe-node.stdout"));
}

#[test]
fn related_queries_match_kubectls_requests() {
    let ds = json_fixture("daemonset.json");
    let q = related_queries("apps", "DaemonSet", &ds, true);
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].key, "pods");
    assert_eq!(q[0].label_selector.as_deref(), Some("app=node-exporter"));
    assert_eq!(q[0].namespace.as_deref(), Some("default"));
    assert_eq!(q[1].key, "events");
    assert_eq!(
        q[1].field_selector.as_deref(),
        Some("involvedObject.name=node-exporter,involvedObject.namespace=default,\
              involvedObject.kind=DaemonSet,involvedObject.uid=f70cc98e-e2cc-42cd-8726-d504ccf11594")
    );
    assert!(related_queries("apps", "DaemonSet", &ds, false)
        .iter()
        .all(|q| q.key != "events"));
    let node = items("nodes-list.json").remove(0);
    let keys: Vec<&str> = related_queries("", "Node", &node, true)
        .iter()
        .map(|q| q.key)
        .collect();
    assert_eq!(
        keys,
        [
            "pods",
            "events",
            "events-by-name",
            "lease",
            "resourceslices"
        ]
    );
    let pod_q = related_queries("", "Pod", &hhrkk_pod(), true);
    assert!(!pod_q[0].field_selector.as_deref().unwrap().contains("kind"));
}

#[test]
fn events_off_omits_the_section() {
    let ds = json_fixture("daemonset.json");
    let mut opts = at("2026-11-27T19:54:28Z");
    opts.show_events = false;
    let got = run("apps", "DaemonSet", &ds, &Related::new(), &opts);
    assert!(!got.contains("Events"));
    assert!(got.contains("Pods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"));
}

#[test]
fn query_paths_and_parameters() {
    let ds = json_fixture("daemonset.json");
    let q = related_queries("apps", "DaemonSet", &ds, true);
    assert_eq!(q[0].path().unwrap(), "/api/v1/namespaces/default/pods");
    assert_eq!(
        q[0].query_pairs(),
        vec![
            ("labelSelector", "app=node-exporter".to_string()),
            ("limit", "500".to_string())
        ]
    );
    let node = items("nodes-list.json").remove(0);
    let q = related_queries("", "Node", &node, true);
    assert_eq!(q[0].path().unwrap(), "/api/v1/pods");
    assert_eq!(
        q[0].field_selector.as_deref(),
        Some("spec.nodeName=kind-multinodes-worker,status.phase!=Succeeded,status.phase!=Failed")
    );
    assert_eq!(q[1].path().unwrap(), "/api/v1/events");
    assert_eq!(
        q[3].path().unwrap(),
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
    );
}

#[test]
fn rendered_cli_errors_are_reduced_to_the_api_message() {
    let mut r = Related::new();
    r.insert_error(
        "a",
        "Error from server (NotFound): leases.coordination.k8s.io \"n\" not found\n",
    );
    r.insert_error(
        "b",
        "error: the server could not find the requested resource\n",
    );
    r.insert_error("c", "Error from server: etcdserver: request timed out");
    r.insert_error("d", "plain message");
    assert_eq!(
        r.error("a"),
        Some("leases.coordination.k8s.io \"n\" not found")
    );
    assert_eq!(
        r.error("b"),
        Some("the server could not find the requested resource")
    );
    assert_eq!(r.error("c"), Some("etcdserver: request timed out"));
    assert_eq!(r.error("d"), Some("plain message"));
}

#[test]
fn node_lease_and_pod_errors_print_kubectls_text() {
    let node = items("nodes-list.json").remove(0);
    let mut related = Related::new();
    related.insert_error(
        "pods",
        "pods is forbidden: User \"x\" cannot list resource \"pods\"",
    );
    related.insert_error(
        "lease",
        "leases.coordination.k8s.io \"kind-multinodes-worker\" is forbidden",
    );
    let got = run("", "Node", &node, &related, &at("2026-11-27T19:54:35Z"));
    assert!(got.contains(
        "Lease:              Failed to get lease: leases.coordination.k8s.io \"kind-multinodes-worker\" is forbidden\n"
    ));
    assert!(
        got.contains("\nPods:                         not authorized\nEvents:"),
        "{got}"
    );
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    /// Arbitrary JSON with the field names describers look at, so that odd types and shapes
    /// reach the rendering code.
    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null)),
            "[a-zA-Z0-9:./=,\\-\n\t\u{1b}é]{0,12}".prop_map(Value::from),
            Just(json!("2026-11-27T19:54:28Z")),
            Just(json!("64Mi")),
            Just(json!("1e-5")),
        ];
        let keys = prop::sample::select(vec![
            "metadata",
            "spec",
            "status",
            "name",
            "namespace",
            "uid",
            "labels",
            "annotations",
            "containers",
            "initContainers",
            "ports",
            "env",
            "valueFrom",
            "fieldRef",
            "resourceFieldRef",
            "resources",
            "limits",
            "requests",
            "volumes",
            "hostPath",
            "projected",
            "sources",
            "selector",
            "matchLabels",
            "matchExpressions",
            "template",
            "conditions",
            "type",
            "state",
            "running",
            "terminated",
            "containerStatuses",
            "tolerations",
            "taints",
            "items",
            "ownerReferences",
            "controller",
            "capacity",
            "allocatable",
            "cpu",
            "memory",
            "httpGet",
            "port",
            "livenessProbe",
            "data",
            "subsets",
            "addresses",
            "ip",
            "series",
            "count",
            "eventTime",
            "involvedObject",
        ]);
        leaf.prop_recursive(4, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| {
                    Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn no_kind_panics_on_odd_objects(obj in arb_json(), pods in arb_json(), events in arb_json()) {
            let opts = at("2026-11-27T19:54:35Z");
            for (group, kind) in [("", "Pod"), ("", "Node"), ("", "Service"), ("", "Namespace"),
                ("", "ConfigMap"), ("", "Secret"), ("", "ServiceAccount"), ("", "Endpoints"),
                ("apps", "DaemonSet"), ("apps", "Deployment"), ("apps", "ReplicaSet"),
                ("", "Event"), ("x.io", "Widget"), ("apps", "StatefulSet"), ("batch", "Job"),
                ("batch", "CronJob"), ("", "ReplicationController"), ("", "PersistentVolumeClaim"),
                ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "RoleBinding"),
                ("networking.k8s.io", "Ingress"), ("networking.k8s.io", "IngressClass"),
                ("", "ResourceQuota"), ("", "LimitRange"), ("discovery.k8s.io", "EndpointSlice"),
                ("policy", "PodDisruptionBudget"), ("scheduling.k8s.io", "PriorityClass"),
                ("storage.k8s.io", "StorageClass"), ("autoscaling", "HorizontalPodAutoscaler"),
                ("", "PersistentVolume"), ("networking.k8s.io", "NetworkPolicy"),
                ("networking.k8s.io", "ServiceCIDR"), ("networking.k8s.io", "IPAddress"),
                ("storage.k8s.io", "CSINode"), ("storage.k8s.io", "VolumeAttributesClass"),
                ("certificates.k8s.io", "CertificateSigningRequest")] {
                let mut related = Related::new();
                for q in related_queries(group, kind, &obj, true) {
                    related.insert(q.key, vec![pods.clone(), events.clone()]);
                }
                let _ = describe(group, kind, &obj, &related, &opts);
                let _ = try_describe(group, kind, &obj, &related, &opts);
            }
        }
    }
}
