//! Comparisons with kubectl output for kinds the v1.36 recordings do not cover
//! (`tests/fixtures/describe/`, see its README for how the expectations were made).

use serde_json::Value;

use super::text::parse_time;
use super::*;

fn dir() -> String {
    format!("{}/tests/fixtures/describe", env!("CARGO_MANIFEST_DIR"))
}

fn routes() -> Value {
    let text = std::fs::read_to_string(format!("{}/oracle-routes.json", dir())).expect("routes");
    serde_json::from_str(&text).expect("routes are JSON")
}

/// The list served at `path`, or (like the server's GETs) every object under `path/`.
fn list(routes: &Value, path: &str) -> Vec<Value> {
    if let Some(items) = routes[path]["items"].as_array() {
        return items.clone();
    }
    let prefix = format!("{path}/");
    routes
        .as_object()
        .expect("routes object")
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix) && !k[prefix.len()..].contains('/'))
        .map(|(_, v)| v.clone())
        .collect()
}

/// Renders `path`'s object with the lists the fake server answered, as kubectl saw them.
fn check(group: &str, kind: &str, path: &str, related: &[(&str, &str)], expected: &str) {
    let routes = routes();
    let obj = &routes[path];
    assert!(obj.is_object(), "{path} missing");
    // `<case>.now` is when kubectl ran (ages are hours, so a second either way is harmless).
    let case = expected.trim_end_matches(".stdout");
    let now_text = std::fs::read_to_string(format!("{}/{case}.now", dir())).expect("now");
    let now = parse_time(now_text.trim()).expect("time");
    let mut rel = Related::new();
    for (key, list_path) in related {
        let mut items = list(&routes, list_path);
        if kind == "Service" && *key == "endpointslices" {
            // The fake server honours the service-name label selector kubectl sends.
            let name = obj["metadata"]["name"].clone();
            items.retain(|sl| sl["metadata"]["labels"]["kubernetes.io/service-name"] == name);
        }
        rel.insert(key, items);
    }
    let got = describe(group, kind, obj, &rel, &DescribeOptions::fixed_utc(now));
    let want = std::fs::read_to_string(format!("{}/{expected}", dir())).expect("expected");
    if got != want {
        panic!("--- got ---\n{got}\n--- want ---\n{want}\n--- end ---");
    }
}

const EVENTS: &str = "/api/v1/namespaces/default/events";

#[test]
fn deployment() {
    check(
        "apps",
        "Deployment",
        "/apis/apps/v1/namespaces/default/deployments/web",
        &[
            ("events", EVENTS),
            (
                "replicasets",
                "/apis/apps/v1/namespaces/default/replicasets",
            ),
        ],
        "deployment-web.stdout",
    );
}

#[test]
fn replicaset() {
    check(
        "apps",
        "ReplicaSet",
        "/apis/apps/v1/namespaces/default/replicasets/web-5d8f7c",
        &[
            ("events", EVENTS),
            ("pods", "/api/v1/namespaces/default/pods"),
        ],
        "replicaset-web-5d8f7c.stdout",
    );
}

#[test]
fn services() {
    let slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";
    for name in ["web", "lb"] {
        check(
            "",
            "Service",
            &format!("/api/v1/namespaces/default/services/{name}"),
            &[("events", EVENTS), ("endpointslices", slices)],
            &format!("service-{name}.stdout"),
        );
    }
}

#[test]
fn configmap_secret_serviceaccount() {
    let p = "/api/v1/namespaces/default";
    let ev = [("events", EVENTS)];
    check(
        "",
        "ConfigMap",
        &format!("{p}/configmaps/cfg"),
        &ev,
        "configmap-cfg.stdout",
    );
    check(
        "",
        "Secret",
        &format!("{p}/secrets/db"),
        &[],
        "secret-db.stdout",
    );
    check(
        "",
        "ServiceAccount",
        &format!("{p}/serviceaccounts/websa"),
        &ev,
        "serviceaccount-websa.stdout",
    );
}

#[test]
fn generic_lease() {
    check(
        "coordination.k8s.io",
        "Lease",
        "/apis/coordination.k8s.io/v1/namespaces/default/leases/lk",
        &[("events", EVENTS)],
        "lease-lk.stdout",
    );
}

#[test]
fn pod_with_every_section() {
    check(
        "",
        "Pod",
        "/api/v1/namespaces/default/pods/full",
        &[("events", EVENTS)],
        "pod-full.stdout",
    );
}

#[test]
fn node_with_roles_taints_pods_and_extended_resources() {
    // Both event queries of a node were answered with the same list, hence the duplicates.
    check(
        "",
        "Node",
        "/api/v1/nodes/n1",
        &[
            ("pods", "/api/v1/pods"),
            ("events", "/api/v1/events"),
            ("events-by-name", "/api/v1/events"),
        ],
        "node-n1.stdout",
    );
}

#[test]
fn pending_mirror_pod_with_devices_and_odd_volumes() {
    check(
        "",
        "Pod",
        "/api/v1/namespaces/default/pods/mini",
        &[("events", EVENTS)],
        "pod-mini.stdout",
    );
}

#[test]
fn headless_service_with_app_protocol() {
    let slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";
    check(
        "",
        "Service",
        "/api/v1/namespaces/default/services/hl",
        &[("events", EVENTS), ("endpointslices", slices)],
        "service-hl.stdout",
    );
}

#[test]
fn generic_controllerrevision_and_event() {
    check(
        "apps",
        "ControllerRevision",
        "/apis/apps/v1/namespaces/default/controllerrevisions/node-exporter-b86844d6",
        &[("events", EVENTS)],
        "controllerrevision-node-exporter-b86844d6.stdout",
    );
    check(
        "",
        "Event",
        "/api/v1/namespaces/default/events/node-exporter.18ebff02ca9f11cd",
        &[("events", EVENTS)],
        "event-node-exporter.18ebff02ca9f11cd.stdout",
    );
}

#[test]
fn endpoints() {
    check(
        "",
        "Endpoints",
        "/api/v1/namespaces/default/endpoints/web",
        &[("events", EVENTS)],
        "endpoints-web.stdout",
    );
}

#[test]
fn statefulset_with_claim_templates() {
    check(
        "apps",
        "StatefulSet",
        "/apis/apps/v1/namespaces/default/statefulsets/db",
        &[
            ("events", EVENTS),
            ("pods", "/api/v1/namespaces/default/pods"),
        ],
        "statefulset-db.stdout",
    );
}

#[test]
fn indexed_job() {
    check(
        "batch",
        "Job",
        "/apis/batch/v1/namespaces/default/jobs/pi",
        &[("events", EVENTS)],
        "job-pi.stdout",
    );
}

#[test]
fn cronjobs() {
    for name in ["tick", "bare"] {
        check(
            "batch",
            "CronJob",
            &format!("/apis/batch/v1/namespaces/default/cronjobs/{name}"),
            &[("events", EVENTS)],
            &format!("cronjob-{name}.stdout"),
        );
    }
}

#[test]
fn replication_controller() {
    check(
        "",
        "ReplicationController",
        "/api/v1/namespaces/default/replicationcontrollers/old",
        &[
            ("events", EVENTS),
            ("pods", "/api/v1/namespaces/default/pods"),
        ],
        "replicationcontroller-old.stdout",
    );
}

#[test]
fn persistent_volume_claims() {
    for name in ["data-pvc", "pending"] {
        check(
            "",
            "PersistentVolumeClaim",
            &format!("/api/v1/namespaces/default/persistentvolumeclaims/{name}"),
            &[
                ("events", EVENTS),
                ("pods", "/api/v1/namespaces/default/pods"),
            ],
            &format!("persistentvolumeclaim-{name}.stdout"),
        );
    }
}

#[test]
fn rbac_roles_and_bindings() {
    let g = "rbac.authorization.k8s.io";
    let base = "/apis/rbac.authorization.k8s.io/v1";
    let cases = [
        (
            "Role",
            format!("{base}/namespaces/default/roles/reader"),
            "role-reader.stdout",
        ),
        (
            "ClusterRole",
            format!("{base}/clusterroles/viewer"),
            "clusterrole-viewer.stdout",
        ),
        (
            "RoleBinding",
            format!("{base}/namespaces/default/rolebindings/rb"),
            "rolebinding-rb.stdout",
        ),
        (
            "ClusterRoleBinding",
            format!("{base}/clusterrolebindings/crb"),
            "clusterrolebinding-crb.stdout",
        ),
    ];
    for (kind, path, expected) in cases {
        check(g, kind, &path, &[], expected);
    }
}

#[test]
fn ingresses_and_ingress_class() {
    let base = "/apis/networking.k8s.io/v1";
    let rel = [
        ("events", EVENTS),
        ("services", "/api/v1/namespaces/default/services"),
        (
            "endpointslices",
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        ),
    ];
    for name in ["site", "bare"] {
        check(
            "networking.k8s.io",
            "Ingress",
            &format!("{base}/namespaces/default/ingresses/{name}"),
            &rel,
            &format!("ingress-{name}.stdout"),
        );
    }
    check(
        "networking.k8s.io",
        "IngressClass",
        &format!("{base}/ingressclasses/nginx"),
        &[("events", "/api/v1/events")],
        "ingressclass-nginx.stdout",
    );
}

#[test]
fn policy_scheduling_storage_discovery_and_quota_kinds() {
    let ns_events = [("events", EVENTS)];
    let cluster_events = [("events", "/api/v1/events")];
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 10] = [
        (
            "policy",
            "PodDisruptionBudget",
            "/apis/policy/v1/namespaces/default/poddisruptionbudgets/pdb",
            &ns_events,
            "poddisruptionbudget-pdb.stdout",
        ),
        (
            "policy",
            "PodDisruptionBudget",
            "/apis/policy/v1/namespaces/default/poddisruptionbudgets/pdb2",
            &ns_events,
            "poddisruptionbudget-pdb2.stdout",
        ),
        (
            "scheduling.k8s.io",
            "PriorityClass",
            "/apis/scheduling.k8s.io/v1/priorityclasses/high",
            &cluster_events,
            "priorityclass-high.stdout",
        ),
        (
            "storage.k8s.io",
            "StorageClass",
            "/apis/storage.k8s.io/v1/storageclasses/fast",
            &cluster_events,
            "storageclass-fast.stdout",
        ),
        (
            "storage.k8s.io",
            "StorageClass",
            "/apis/storage.k8s.io/v1/storageclasses/plain",
            &cluster_events,
            "storageclass-plain.stdout",
        ),
        (
            "discovery.k8s.io",
            "EndpointSlice",
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-x",
            &ns_events,
            "endpointslice-web-x.stdout",
        ),
        (
            "discovery.k8s.io",
            "EndpointSlice",
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/empty",
            &ns_events,
            "endpointslice-empty.stdout",
        ),
        (
            "",
            "ResourceQuota",
            "/api/v1/namespaces/default/resourcequotas/q",
            &[],
            "resourcequota-q.stdout",
        ),
        (
            "",
            "LimitRange",
            "/api/v1/namespaces/default/limitranges/lr",
            &[],
            "limitrange-lr.stdout",
        ),
        (
            "",
            "Namespace",
            "/api/v1/namespaces/team",
            &[
                ("resourcequotas", "/api/v1/namespaces/team/resourcequotas"),
                ("limitranges", "/api/v1/namespaces/team/limitranges"),
            ],
            "namespace-team.stdout",
        ),
    ];
    for (group, kind, path, related, expected) in cases {
        check(group, kind, path, related, expected);
    }
}

#[test]
fn horizontal_pod_autoscaler_v2() {
    check(
        "autoscaling",
        "HorizontalPodAutoscaler",
        "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web",
        &[("events", EVENTS)],
        "horizontalpodautoscaler-web.stdout",
    );
}

#[test]
fn persistent_volumes() {
    for name in ["pv-1", "local-1", "rbd-1"] {
        check(
            "",
            "PersistentVolume",
            &format!("/api/v1/persistentvolumes/{name}"),
            &[("events", "/api/v1/events")],
            &format!("persistentvolume-{name}.stdout"),
        );
    }
}

#[test]
fn network_policies() {
    for name in ["np", "deny", "egress"] {
        check(
            "networking.k8s.io",
            "NetworkPolicy",
            &format!("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/{name}"),
            &[],
            &format!("networkpolicy-{name}.stdout"),
        );
    }
}

#[test]
fn csi_node_attributes_class_service_cidr_ip_address() {
    let ev = [("events", "/api/v1/events")];
    let cases = [
        (
            "storage.k8s.io",
            "CSINode",
            "/apis/storage.k8s.io/v1/csinodes/n1",
            "csinode-n1.stdout",
        ),
        (
            "storage.k8s.io",
            "VolumeAttributesClass",
            "/apis/storage.k8s.io/v1/volumeattributesclasses/gold",
            "volumeattributesclass-gold.stdout",
        ),
        (
            "networking.k8s.io",
            "ServiceCIDR",
            "/apis/networking.k8s.io/v1/servicecidrs/kubernetes",
            "servicecidr-kubernetes.stdout",
        ),
        (
            "networking.k8s.io",
            "IPAddress",
            "/apis/networking.k8s.io/v1/ipaddresses/10.96.0.1",
            "ipaddress-10.96.0.1.stdout",
        ),
    ];
    for (group, kind, path, expected) in cases {
        check(group, kind, path, &ev, expected);
    }
}

/// Forty events over three timestamps: the order of ties is Go's pdqsort's, not input order.
#[test]
fn many_events_tie_order_matches_go_sort() {
    check(
        "",
        "Pod",
        "/api/v1/namespaces/other/pods/busy",
        &[("events", "/api/v1/namespaces/other/events")],
        "pod-busy.stdout",
    );
}

#[test]
fn certificate_signing_requests() {
    let path = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    check(
        "certificates.k8s.io",
        "CertificateSigningRequest",
        &format!("{path}/node-csr"),
        &[("events", "/api/v1/events")],
        "certificatesigningrequest-node-csr.stdout",
    );
    // kubectl refuses a request that is not a PEM CSR: `error: <message>` on stderr.
    let routes = routes();
    let bad = &routes[format!("{path}/bad").as_str()];
    let opts = DescribeOptions::fixed_utc(chrono::Utc::now());
    let err = try_describe(
        "certificates.k8s.io",
        "CertificateSigningRequest",
        bad,
        &Related::new(),
        &opts,
    )
    .expect_err("a bad CSR is an error");
    let want = std::fs::read_to_string(format!("{}/certificatesigningrequest-bad.stderr", dir()))
        .expect("stderr");
    assert_eq!(format!("error: {err}\n"), want);
}

#[test]
fn generic_custom_resource_with_odd_fields() {
    check(
        "example.com",
        "Widget",
        "/apis/example.com/v1/namespaces/default/widgets/w1",
        &[("events", EVENTS)],
        "widget-w1.stdout",
    );
}
