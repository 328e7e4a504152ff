//! The disruption controller (kube-controller-manager's `disruption`): keeps each
//! PodDisruptionBudget's status: the pods it expects (its pods' controllers' scale, or the
//! matching pods for an integer `minAvailable`), how many are healthy (Ready, not being
//! deleted, not just evicted), how many must stay healthy, the disruptions allowed, and the
//! `DisruptionAllowed` condition.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::events::{EventType, Recorder};
use super::{gr_deployments, gr_pods, gr_replicasets, gr_statefulsets, name_of, ns_of};
use crate::eviction::{desired_healthy, is_ready, pdb_resource, selector_of};
use crate::store::{GroupResource, Store};

/// How long an eviction's entry in `disruptedPods` keeps its pod out of the healthy count.
const DELETION_TIMEOUT: Duration = Duration::from_secs(120);

/// The replicas of the controller (kind, name) of a pod, through a ReplicaSet's Deployment.
fn scale(store: &Store, ns: &str, kind: &str, name: &str) -> Option<(String, i64)> {
    let replicas = |gr: &GroupResource, name: &str| {
        let obj = store.get(gr, ns, name)?;
        let uid = obj["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Some((uid, obj["spec"]["replicas"].as_i64().unwrap_or(1), obj))
    };
    match kind {
        "ReplicaSet" => {
            let (uid, n, rs) = replicas(&gr_replicasets(), name)?;
            let owner = controller_of(&rs).filter(|o| o["kind"] == "Deployment");
            match owner.and_then(|o| replicas(&gr_deployments(), o["name"].as_str()?)) {
                Some((duid, dn, _)) => Some((duid, dn)),
                None => Some((uid, n)),
            }
        }
        "StatefulSet" => replicas(&gr_statefulsets(), name).map(|(u, n, _)| (u, n)),
        "ReplicationController" => {
            replicas(&GroupResource::new("", "replicationcontrollers"), name)
                .map(|(u, n, _)| (u, n))
        }
        _ => None,
    }
}

fn controller_of(obj: &Value) -> Option<&Value> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|o| o["controller"] == true)
}

/// The sum of the scales of the pods' controllers, each counted once.
fn expected_scale(store: &Store, ns: &str, pods: &[&Value]) -> i64 {
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for pod in pods {
        let Some(owner) = controller_of(pod) else {
            continue;
        };
        let (kind, name) = (owner["kind"].as_str(), owner["name"].as_str());
        let Some((uid, n)) = kind.zip(name).and_then(|(k, n)| scale(store, ns, k, n)) else {
            continue;
        };
        if seen.insert(uid) {
            total += n;
        }
    }
    total
}

/// The status `pdb` should have now, keeping the condition's transition time when its status
/// does not change.
fn status(store: &Store, pdb: &Value, pods: &[Arc<Value>], now: DateTime<Utc>) -> Value {
    let ns = ns_of(pdb);
    let spec = &pdb["spec"];
    let matching: Vec<&Value> = match selector_of(pdb) {
        Some(sel) => pods
            .iter()
            .map(|p| p.as_ref())
            .filter(|p| sel.matches(&p["metadata"]["labels"]))
            .collect(),
        None => vec![],
    };
    let whole_min = spec["minAvailable"].is_number() && spec["maxUnavailable"].is_null();
    let expected = if whole_min {
        matching.len() as i64
    } else {
        expected_scale(store, ns, &matching)
    };
    let desired = desired_healthy(spec, expected);
    // Evictions not yet seen through: pods still there, not being deleted, within the timeout.
    let mut disrupted = serde_json::Map::new();
    for (name, at) in pdb["status"]["disruptedPods"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let live = matching
            .iter()
            .any(|p| name_of(p) == name && p["metadata"]["deletionTimestamp"].is_null());
        let fresh = at
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| t.with_timezone(&Utc) + DELETION_TIMEOUT > now);
        if live && fresh {
            disrupted.insert(name.clone(), at.clone());
        }
    }
    let healthy = matching
        .iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| !disrupted.contains_key(name_of(p)))
        .filter(|p| is_ready(p))
        .count() as i64;
    let allowed = if expected > 0 {
        (healthy - desired).max(0)
    } else {
        0
    };
    let generation = pdb["metadata"]["generation"].as_i64().unwrap_or(1);
    let (cond_status, reason) = if allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    let old = pdb["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "DisruptionAllowed");
    let since = match old {
        Some(c) if c["status"] == cond_status => c["lastTransitionTime"].clone(),
        _ => json!(now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    };
    let mut out = json!({
        "observedGeneration": generation,
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "expectedPods": expected,
        "conditions": [{"type": "DisruptionAllowed", "status": cond_status,
            "observedGeneration": generation, "lastTransitionTime": since,
            "reason": reason, "message": ""}],
    });
    if !disrupted.is_empty() {
        out["disruptedPods"] = Value::Object(disrupted);
    }
    out
}

/// Brings every budget's status up to date; writes only those that change.
pub fn sync_all(store: &Store, recorder: &Recorder) {
    let gr = pdb_resource();
    let now = store.clock().now();
    let mut pods_by_ns: BTreeMap<String, Vec<Arc<Value>>> = BTreeMap::new();
    for pdb in store.list_shared(&gr, None).0 {
        let ns = ns_of(&pdb).to_string();
        let pods = pods_by_ns
            .entry(ns.clone())
            .or_insert_with(|| store.list_shared(&gr_pods(), Some(&ns)).0);
        let want = status(store, &pdb, pods, now);
        if want["expectedPods"] == 0 && want["currentHealthy"] == 0 {
            let any = selector_of(&pdb)
                .is_some_and(|s| pods.iter().any(|p| s.matches(&p["metadata"]["labels"])));
            if !any {
                recorder.event(
                    &gr,
                    &pdb,
                    EventType::Normal,
                    "NoPods",
                    "No matching pods found",
                );
            }
        }
        if pdb["status"] == want {
            continue;
        }
        let _ = store.modify_retry(&gr, &ns, name_of(&pdb), |live| {
            live["status"] = want.clone();
            Ok(true)
        });
    }
}

/// Runs the controller until the store closes `rx`.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let recorder = Recorder::new(store.clone(), "controllermanager", "");
    let pdbs = pdb_resource();
    let matters = move |ev: &crate::store::WatchEvent| {
        ev.gr == pdbs
            || ev.gr == gr_pods()
            || ev.gr == gr_replicasets()
            || ev.gr == gr_deployments()
            || ev.gr == gr_statefulsets()
    };
    super::driver::converge_on(rx, matters, || sync_all(&store, &recorder)).await
}
