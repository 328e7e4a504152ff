//! What the controllers that index every pod (ReplicaSet, DaemonSet, Endpoints) keep of one:
//! the few fields they read, typed. Shared by them through `Stored::pod_view`. As a `Value`
//! tree the same fields cost ~6 KB a pod (every small map is a ~0.6 KB B-tree node); this
//! record is a few hundred bytes besides the labels.

use std::time::Duration;

use serde_json::Value;

/// A pod as the pod-indexing controllers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// `metadata.creationTimestamp`, when a string.
    pub creation_timestamp: Option<String>,
    /// `metadata.deletionTimestamp` is set.
    pub terminating: bool,
    /// `metadata.labels` as stored (null when absent): what selectors match.
    pub labels: Value,
    /// The ownerReference with `controller: true`: (kind, uid), "" for a non-string field.
    pub controller: Option<(String, String)>,
    /// `status.phase`, when a string.
    pub phase: Option<String>,
    /// A Ready condition with status True exists; the first one's lastTransitionTime.
    pub ready: bool,
    pub ready_since: Option<String>,
    /// `spec.nodeName` ("" when absent).
    pub node_name: String,
    /// The node a required node affinity pins the pod to (`matchFields` on metadata.name,
    /// as the DaemonSet controller writes it).
    pub affinity_node: Option<String>,
    /// `status.podIP`, when a string.
    pub pod_ip: Option<String>,
    /// The containers' named ports, in order, the first of each name per container: (name,
    /// containerPort when an integer).
    pub named_ports: Vec<(String, Option<i64>)>,
}

fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

impl PodView {
    pub fn of(pod: &Value) -> PodView {
        let meta = &pod["metadata"];
        let controller = meta["ownerReferences"]
            .as_array()
            .and_then(|refs| {
                refs.iter()
                    .find(|r| r["controller"].as_bool() == Some(true))
            })
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                (s("kind"), s("uid"))
            });
        let ready = pod["status"]["conditions"].as_array().and_then(|c| {
            c.iter()
                .find(|c| c["type"] == "Ready" && c["status"] == "True")
        });
        let terms = &pod["spec"]["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
        let affinity_node = terms.as_array().and_then(|terms| {
            terms.iter().find_map(|t| {
                t["matchFields"].as_array()?.iter().find_map(|f| {
                    (f["key"] == "metadata.name" && f["operator"] == "In")
                        .then(|| string(&f["values"][0]))
                        .flatten()
                })
            })
        });
        // Per container, the first port of each name (the one a lookup by name finds).
        let mut named_ports: Vec<(String, Option<i64>)> = Vec::new();
        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
            let first = named_ports.len();
            for p in c["ports"].as_array().into_iter().flatten() {
                let Some(name) = string(&p["name"]) else {
                    continue;
                };
                if !named_ports[first..].iter().any(|(n, _)| *n == name) {
                    named_ports.push((name, p["containerPort"].as_i64()));
                }
            }
        }
        PodView {
            namespace: meta["namespace"].as_str().unwrap_or_default().to_string(),
            name: meta["name"].as_str().unwrap_or_default().to_string(),
            uid: meta["uid"].as_str().unwrap_or_default().to_string(),
            creation_timestamp: string(&meta["creationTimestamp"]),
            terminating: meta["deletionTimestamp"].is_string(),
            labels: meta["labels"].clone(),
            controller,
            phase: string(&pod["status"]["phase"]),
            ready: ready.is_some(),
            ready_since: ready.and_then(|c| string(&c["lastTransitionTime"])),
            node_name: pod["spec"]["nodeName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            affinity_node,
            pod_ip: string(&pod["status"]["podIP"]),
            named_ports,
        }
    }

    /// (namespace, name).
    pub fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }

    /// The uid of the pod's controller when it is a `kind`.
    pub fn controller_uid(&self, kind: &str) -> Option<&str> {
        self.controller
            .as_ref()
            .filter(|(k, _)| k == kind)
            .map(|(_, uid)| uid.as_str())
    }

    pub fn phase_is(&self, phase: &str) -> bool {
        self.phase.as_deref() == Some(phase)
    }

    /// Succeeded or Failed.
    pub fn finished(&self) -> bool {
        self.phase_is("Succeeded") || self.phase_is("Failed")
    }

    /// Not being deleted and not finished (`controller.IsPodActive`).
    pub fn is_active(&self) -> bool {
        !self.terminating && !self.finished()
    }

    /// `pod_availability` of the pod.
    pub fn availability(
        &self,
        min_ready: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, Duration> {
        super::ready_availability(self.ready, self.ready_since.as_deref(), min_ready, now)
    }

    /// The node the pod runs on or is pinned to.
    pub fn target_node(&self) -> Option<String> {
        if !self.node_name.is_empty() {
            return Some(self.node_name.clone());
        }
        self.affinity_node.clone()
    }

    /// The containerPort of the port named `name` of the first container that has one with
    /// an integer port (as endpoints resolve a named `targetPort`).
    pub fn named_port(&self, name: &str) -> Option<i64> {
        self.named_ports
            .iter()
            .filter(|(n, _)| n == name)
            .find_map(|(_, p)| *p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_view_keeps_what_the_pod_indexing_controllers_read() {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "a", "uid": "u", "labels": {"app": "x"},
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "ownerReferences": [{"kind": "ReplicaSet", "uid": "o"},
                    {"kind": "DaemonSet", "uid": "ds", "controller": true}],
                "managedFields": [{"manager": "m"}]},
            "spec": {"terminationGracePeriodSeconds": 30,
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                    {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name",
                        "operator": "In", "values": ["n2"]}]}]}}},
                "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 81},
                    {"name": "http", "containerPort": 80}]},
                    {"name": "d", "ports": [{"name": "http", "containerPort": 90},
                    {"name": "odd", "containerPort": "x"}, {"name": "odd", "containerPort": 7}]},
                    {"name": "e", "ports": [{"name": "odd", "containerPort": 8}]}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                "conditions": [{"type": "PodScheduled", "status": "True"},
                    {"type": "Ready", "status": "False", "lastTransitionTime": "f"},
                    {"type": "Ready", "status": "True", "lastTransitionTime": "t"}]},
        });
        let v = PodView::of(&pod);
        assert_eq!(v.key(), ("a".to_string(), "p".to_string()));
        assert_eq!(v.uid, "u");
        assert_eq!(v.labels, json!({"app": "x"}));
        assert_eq!(v.controller_uid("DaemonSet"), Some("ds"));
        assert_eq!(v.controller_uid("ReplicaSet"), None);
        assert!(!v.terminating && v.is_active() && v.phase_is("Running"));
        assert!(v.ready);
        assert_eq!(v.ready_since.as_deref(), Some("t"));
        assert_eq!(v.node_name, "");
        assert_eq!(v.target_node().as_deref(), Some("n2"));
        assert_eq!(v.pod_ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(v.named_port("http"), Some(80));
        // The first "odd" port of d is not an integer: e's is found.
        assert_eq!(v.named_port("odd"), Some(8));
        assert_eq!(v.named_port("none"), None);
        assert_eq!(
            v.creation_timestamp.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );

        let bare = PodView::of(&json!({"metadata": {"name": "q",
            "deletionTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"nodeName": "n1"},
            "status": {"phase": "Failed"}}));
        assert!(bare.terminating && !bare.is_active() && bare.finished());
        assert_eq!(bare.controller, None);
        assert_eq!(bare.labels, Value::Null);
        assert_eq!(bare.target_node().as_deref(), Some("n1"));
        assert!(!bare.ready);
        assert_eq!(bare.availability(0, Default::default()), Ok(false));
    }
}
