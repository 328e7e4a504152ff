//! The Deployment and ReplicaSet controllers (one task, shared caches). Deployments own
//! ReplicaSets named `<deployment>-<pod-template-hash>` with revision annotations, roll out with
//! RollingUpdate (maxSurge/maxUnavailable) or Recreate, scale, prune old ReplicaSets and report
//! status with the Available/Progressing conditions; ReplicaSets keep their pod count and
//! status. Events: `ScalingReplicaSet` (deployment-controller), `SuccessfulCreate` /
//! `SuccessfulDelete` (replicaset-controller).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::daemonset::scaled;
use super::events::{EventType, Recorder};
use super::pods::{create_owned_pod, delete_owned_pod};
use super::podview::PodView;
use super::{
    apply_defaults, controller_ref, delete_object, gr_pods, is_terminating, name_of, ns_of,
    owner_reference, template_hash, uid_of, Batch, LabelSelector,
};
use crate::store::{EventType as Change, GroupResource, Store};

const HASH_LABEL: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX: &str = "deployment.kubernetes.io/max-replicas";
/// Deployment annotations not copied to its ReplicaSets.
const NOT_COPIED: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    DESIRED,
    MAX,
    "deprecated.deployment.rollback.to",
];

pub(crate) use super::{gr_deployments, gr_replicasets};

type Key = (String, String);

fn key_of(obj: &Value) -> Key {
    (ns_of(obj).to_string(), name_of(obj).to_string())
}

fn replicas(obj: &Value) -> i64 {
    obj["spec"]["replicas"].as_i64().unwrap_or(1)
}

fn status_int(obj: &Value, field: &str) -> i64 {
    obj["status"][field].as_i64().unwrap_or(0)
}

/// The sum of the ReplicaSets' `terminatingReplicas`: ReplicaSets never synced count 0, and
/// none when a synced one does not report it (`GetTerminatingReplicaCountForReplicaSets`).
fn terminating_replicas(all: &[&Value]) -> Option<i64> {
    let mut sum = 0i64;
    for rs in all {
        match rs["status"]["terminatingReplicas"].as_i64() {
            Some(n) => sum = sum.saturating_add(n),
            None if status_int(rs, "observedGeneration") == 0 => {}
            None => return None,
        }
    }
    Some(sum)
}

fn revision_of(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The template without the pod-template-hash label (what the hash is computed over).
fn template_without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t.get_mut("metadata").and_then(|m| m.get_mut("labels")) {
        if let Some(l) = labels.as_object_mut() {
            l.remove(HASH_LABEL);
        }
    }
    t
}

/// Sets a deployment condition the way `SetDeploymentCondition` does: unchanged when status
/// and reason match, else replaced (keeping lastTransitionTime when the status is the same)
/// and moved to the end.
fn set_condition(status: &mut Value, cond: Value) {
    let mut conds: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    let mut cond = cond;
    if let Some(cur) = conds.iter().find(|c| c["type"] == cond["type"]) {
        if cur["status"] == cond["status"] && cur["reason"] == cond["reason"] {
            return;
        }
        if cur["status"] == cond["status"] {
            cond["lastTransitionTime"] = cur["lastTransitionTime"].clone();
        }
    }
    conds.retain(|c| c["type"] != cond["type"]);
    conds.push(cond);
    status["conditions"] = json!(conds);
}

fn condition(now: &str, t: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": t, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
        "reason": reason, "message": message})
}

struct Controllers {
    store: Arc<Store>,
    deploy_events: Recorder,
    rs_events: Recorder,
    deployments: HashMap<Key, Value>,
    replicasets: HashMap<Key, Value>,
    /// The pods' views (shared with the other pod-indexing controllers).
    pods: HashMap<Key, Arc<PodView>>,
    uid_to_deploy: HashMap<String, Key>,
    uid_to_rs: HashMap<String, Key>,
    /// Owner uid → owned ReplicaSets / pods.
    rs_by_owner: HashMap<String, HashSet<Key>>,
    pods_by_owner: HashMap<String, HashSet<Key>>,
    /// ReplicaSets to sync again once a pod turns available (minReadySeconds).
    requeue: Vec<(Key, std::time::Duration)>,
}

/// The uid of the controller of `kind` ("" when the controller is something else or none).
fn owner_uid(obj: &Value, kind: &str) -> String {
    controller_ref(obj)
        .filter(|r| r["kind"] == kind)
        .and_then(|r| r["uid"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Some(owner uid) for objects this controller tracks: controlled by `kind`, or orphans
/// (Some("")); None when another kind of controller owns it.
fn tracked_owner(obj: &Value, kind: &str) -> Option<String> {
    match controller_ref(obj) {
        Some(r) if r["kind"] == kind => Some(r["uid"].as_str().unwrap_or_default().to_string()),
        Some(_) => None,
        None => Some(String::new()),
    }
}

fn index(map: &mut HashMap<String, HashSet<Key>>, owner: &str, key: &Key, present: bool) {
    if present {
        map.entry(owner.to_string())
            .or_default()
            .insert(key.clone());
    } else if let Some(s) = map.get_mut(owner) {
        s.remove(key);
        if s.is_empty() {
            map.remove(owner);
        }
    }
}

/// A cached object that is not being deleted, with its selector (None when it does not parse:
/// there is nothing to sync until the user fixes it).
fn live_with_selector(cache: &HashMap<Key, Value>, key: &Key) -> Option<(Value, LabelSelector)> {
    let obj = cache.get(key).filter(|o| !is_terminating(o))?.clone();
    let selector = LabelSelector::from_label_selector_json(&obj["spec"]["selector"]).ok()?;
    Some((obj, selector))
}

impl Controllers {
    fn relist(&mut self) {
        self.deployments.clear();
        self.replicasets.clear();
        self.pods.clear();
        self.uid_to_deploy.clear();
        self.uid_to_rs.clear();
        self.rs_by_owner.clear();
        self.pods_by_owner.clear();
        for d in self.store.list(&gr_deployments(), None).0 {
            self.observe_deployment(Change::Added, &d);
        }
        for rs in self.store.list(&gr_replicasets(), None).0 {
            self.observe_rs(Change::Added, &rs);
        }
        for p in self
            .store
            .list_stored(&gr_pods(), None)
            .0
            .iter()
            .map(|s| s.pod_view())
        {
            self.observe_pod(Change::Added, &p);
        }
    }

    fn observe_deployment(&mut self, kind: Change, d: &Value) -> Key {
        super::owned::observe_keyed(&mut self.deployments, &mut self.uid_to_deploy, kind, d)
    }

    /// Indexes a ReplicaSet under its Deployment ("" for orphans); returns the RS key and the
    /// Deployments to sync (its owner, before and after; for an orphan all of its namespace).
    fn observe_rs(&mut self, kind: Change, rs: &Value) -> (Key, Vec<Key>) {
        let key = key_of(rs);
        let mut dirty = Vec::new();
        if let Some(old) = self.replicasets.remove(&key) {
            let old_owner = owner_uid(&old, "Deployment");
            index(&mut self.rs_by_owner, &old_owner, &key, false);
            self.uid_to_rs.remove(uid_of(&old));
            dirty.extend(self.uid_to_deploy.get(&old_owner).cloned());
        }
        if kind == Change::Deleted {
            let owner = owner_uid(rs, "Deployment");
            dirty.extend(self.uid_to_deploy.get(&owner).cloned());
            return (key, dirty);
        }
        // Every ReplicaSet is synced; only Deployment-owned or orphan ones are indexed.
        self.replicasets.insert(key.clone(), rs.clone());
        self.uid_to_rs.insert(uid_of(rs).to_string(), key.clone());
        let Some(owner) = tracked_owner(rs, "Deployment") else {
            return (key, dirty);
        };
        index(&mut self.rs_by_owner, &owner, &key, true);
        if owner.is_empty() {
            dirty.extend(self.deployments.keys().filter(|k| k.0 == key.0).cloned());
        } else {
            dirty.extend(self.uid_to_deploy.get(&owner).cloned());
        }
        (key, dirty)
    }

    /// Indexes a pod under its ReplicaSet ("" for orphans); returns the ReplicaSets to sync.
    fn observe_pod(&mut self, kind: Change, pod: &Arc<PodView>) -> Vec<Key> {
        let key = pod.key();
        let rs_uid = |p: &PodView| {
            p.controller_uid("ReplicaSet")
                .unwrap_or_default()
                .to_string()
        };
        let mut dirty = Vec::new();
        if let Some(old) = self.pods.remove(&key) {
            let old_owner = rs_uid(&old);
            index(&mut self.pods_by_owner, &old_owner, &key, false);
            dirty.extend(self.uid_to_rs.get(&old_owner).cloned());
        }
        if kind == Change::Deleted {
            let owner = rs_uid(pod);
            dirty.extend(self.uid_to_rs.get(&owner).cloned());
            return dirty;
        }
        // Controlled by a ReplicaSet, or an orphan (""); another controller's pod is not ours.
        let owner = match &pod.controller {
            Some((kind, uid)) if kind == "ReplicaSet" => uid.clone(),
            Some(_) => return dirty,
            None => String::new(),
        };
        if owner.is_empty() && pod.terminating {
            return dirty;
        }
        self.pods.insert(key.clone(), Arc::clone(pod));
        index(&mut self.pods_by_owner, &owner, &key, true);
        if owner.is_empty() {
            dirty.extend(self.replicasets.keys().filter(|k| k.0 == key.0).cloned());
        } else {
            dirty.extend(self.uid_to_rs.get(&owner).cloned());
        }
        dirty
    }

    /// Adopts orphans (pods of a ReplicaSet, ReplicaSets of a Deployment) that `owner`
    /// selects, and releases owned ones it no longer selects.
    fn adopt_and_release(&mut self, owner: &Value, kind: &str, selector: &LabelSelector) {
        let (gr, owned_index) = if kind == "ReplicaSet" {
            (gr_pods(), &self.pods_by_owner)
        } else {
            (gr_replicasets(), &self.rs_by_owner)
        };
        let (pods, replicasets) = (&self.pods, &self.replicasets);
        // (terminating, labels) of an indexed pod or ReplicaSet.
        let object = |k: &Key| -> Option<(bool, &Value)> {
            if kind == "ReplicaSet" {
                pods.get(k).map(|p| (p.terminating, &p.labels))
            } else {
                replicasets
                    .get(k)
                    .map(|o| (is_terminating(o), &o["metadata"]["labels"]))
            }
        };
        let ns = ns_of(owner);
        let pick = |uid: &str, want_match: bool| -> Vec<Key> {
            owned_index
                .get(uid)
                .into_iter()
                .flatten()
                .filter(|k| k.0 == ns)
                .filter(|k| {
                    object(k).is_some_and(|(terminating, labels)| {
                        !terminating && selector.matches(labels) == want_match
                    })
                })
                .cloned()
                .collect()
        };
        let adopt = pick("", true);
        let release = pick(uid_of(owner), false);
        let owner_ref = owner_reference(owner, "apps/v1", kind);
        for k in adopt {
            if let Some(a) = super::adopt(&self.store, &gr, (&k.0, &k.1), &owner_ref) {
                self.observe_changed(&gr, &a);
            }
        }
        for k in release {
            if let Some(r) = super::release(&self.store, &gr, (&k.0, &k.1), uid_of(owner)) {
                self.observe_changed(&gr, &r);
            }
        }
    }

    fn observe_changed(&mut self, gr: &GroupResource, obj: &Value) {
        if *gr == gr_pods() {
            self.observe_pod(Change::Modified, &Arc::new(PodView::of(obj)));
        } else {
            self.observe_rs(Change::Modified, obj);
        }
    }

    fn owned_pods(&self, rs: &Value) -> Vec<Arc<PodView>> {
        self.pods_by_owner
            .get(uid_of(rs))
            .into_iter()
            .flatten()
            .filter_map(|k| self.pods.get(k).cloned())
            .collect()
    }

    // ---- ReplicaSet controller ----

    fn sync_rs(&mut self, key: &Key) {
        let Some((rs, selector)) = live_with_selector(&self.replicasets, key) else {
            return;
        };
        self.adopt_and_release(&rs, "ReplicaSet", &selector);
        let owned: Vec<Arc<PodView>> = self
            .owned_pods(&rs)
            .into_iter()
            .filter(|p| selector.matches(&p.labels))
            .collect();
        // Deleted but not yet gone, and not finished (`controller.IsPodTerminating`).
        let terminating = owned
            .iter()
            .filter(|p| p.terminating && !p.finished())
            .count();
        let mut active: Vec<Arc<PodView>> = owned.into_iter().filter(|p| p.is_active()).collect();
        let want = replicas(&rs).max(0) as usize;
        if active.len() < want {
            for _ in active.len()..want {
                if let Some(p) = self.create_rs_pod(&rs) {
                    active.push(p);
                }
            }
        } else if active.len() > want {
            // Delete the least useful first: unscheduled, pending, not ready, newest.
            active.sort_by_key(|p| {
                let unscheduled = p.node_name.is_empty();
                let created = p.creation_timestamp.clone().unwrap_or_default();
                (
                    !unscheduled,
                    p.phase_is("Running"),
                    p.ready,
                    std::cmp::Reverse(created),
                )
            });
            let excess = active.len() - want;
            for p in active.drain(..excess).collect::<Vec<_>>() {
                let pod = (p.namespace.as_str(), p.name.as_str());
                if delete_owned_pod(&self.store, &self.rs_events, &gr_replicasets(), &rs, pod) {
                    match self
                        .store
                        .get_stored(&gr_pods(), &p.namespace, &p.name)
                        .map(|s| s.pod_view())
                    {
                        Some(now) => self.observe_pod(Change::Modified, &now),
                        None => self.observe_pod(Change::Deleted, &p),
                    };
                }
            }
        }
        let min_ready = rs["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
        let template_labels = &rs["spec"]["template"]["metadata"]["labels"];
        let fully = active
            .iter()
            .filter(|p| {
                template_labels
                    .as_object()
                    .into_iter()
                    .flatten()
                    .all(|(k, v)| p.labels[k] == *v)
            })
            .count();
        let ready = active.iter().filter(|p| p.ready).count();
        let mut available = 0;
        let now = self.store.clock().now();
        for p in &active {
            match p.availability(min_ready, now) {
                Ok(true) => available += 1,
                Ok(false) => {}
                Err(wait) => self.requeue.push((key.clone(), wait)),
            }
        }
        let mut status = json!({"replicas": active.len()});
        super::set_counts(
            &mut status,
            [
                ("fullyLabeledReplicas", fully),
                ("readyReplicas", ready),
                ("availableReplicas", available),
            ],
        );
        status["observedGeneration"] = json!(rs["metadata"]["generation"].as_i64().unwrap_or(1));
        status["terminatingReplicas"] = json!(terminating);
        if !rs["status"]["conditions"].is_null() {
            status["conditions"] = rs["status"]["conditions"].clone();
        }
        if let Some(r) = super::write_status(&self.store, &gr_replicasets(), &rs, &status) {
            self.replicasets.insert(key.clone(), r);
        }
    }

    fn create_rs_pod(&mut self, rs: &Value) -> Option<Arc<PodView>> {
        let pod =
            super::pods::pod_from_template(rs, "apps/v1", "ReplicaSet", &rs["spec"]["template"]);
        let p = create_owned_pod(&self.store, &self.rs_events, &gr_replicasets(), rs, pod)?;
        let view = Arc::new(PodView::of(&p));
        self.observe_pod(Change::Added, &view);
        Some(view)
    }

    // ---- Deployment controller ----

    fn max_surge(d: &Value) -> i64 {
        if d["spec"]["strategy"]["type"] == "Recreate" {
            return 0;
        }
        scaled(
            &d["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
            replicas(d),
            true,
        )
    }

    fn max_unavailable(d: &Value) -> i64 {
        if d["spec"]["strategy"]["type"] == "Recreate" {
            return 0;
        }
        let ru = &d["spec"]["strategy"]["rollingUpdate"];
        let surge = scaled(&ru["maxSurge"], replicas(d), true);
        let unavailable = scaled(&ru["maxUnavailable"], replicas(d), false);
        if surge == 0 && unavailable == 0 {
            1
        } else {
            unavailable.min(replicas(d))
        }
    }

    /// Scales a ReplicaSet (and records the event); returns the updated object.
    fn scale(&mut self, d: &Value, rs: &Value, to: i64) -> Value {
        let from = replicas(rs);
        let desired = replicas(d).to_string();
        let max = (replicas(d) + Self::max_surge(d)).to_string();
        let key = key_of(rs);
        let res = self
            .store
            .modify_retry(&gr_replicasets(), &key.0, &key.1, |r| {
                let same = replicas(r) == to
                    && r["metadata"]["annotations"][DESIRED] == json!(desired)
                    && r["metadata"]["annotations"][MAX] == json!(max);
                if same {
                    return Ok(false);
                }
                r["spec"]["replicas"] = json!(to);
                if !r["metadata"]["annotations"].is_object() {
                    r["metadata"]["annotations"] = json!({});
                }
                r["metadata"]["annotations"][DESIRED] = json!(desired);
                r["metadata"]["annotations"][MAX] = json!(max);
                Ok(true)
            });
        let Ok(updated) = res else { return rs.clone() };
        self.observe_rs(Change::Modified, &updated);
        if from != to {
            let op = if to > from { "up" } else { "down" };
            let msg = format!(
                "Scaled {op} replica set {} from {from} to {to}",
                name_of(rs)
            );
            self.deploy_events.event(
                &gr_deployments(),
                d,
                EventType::Normal,
                "ScalingReplicaSet",
                &msg,
            );
        }
        updated
    }

    fn create_new_rs(&mut self, d: &Value, hash: &str, revision: i64, count: i64) -> Option<Value> {
        let template = template_without_hash(&d["spec"]["template"]);
        let mut labels = template["metadata"]["labels"].clone();
        if !labels.is_object() {
            labels = json!({});
        }
        labels[HASH_LABEL] = json!(hash);
        let mut rs_template = template.clone();
        rs_template["metadata"]["labels"] = labels.clone();
        let mut selector = d["spec"]["selector"].clone();
        if !selector["matchLabels"].is_object() {
            selector["matchLabels"] = json!({});
        }
        selector["matchLabels"][HASH_LABEL] = json!(hash);
        let mut annotations = json!({});
        for (k, v) in d["metadata"]["annotations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if !NOT_COPIED.contains(&k.as_str()) {
                annotations[k] = v.clone();
            }
        }
        annotations[DESIRED] = json!(replicas(d).to_string());
        annotations[MAX] = json!((replicas(d) + Self::max_surge(d)).to_string());
        annotations[REVISION] = json!(revision.to_string());
        let mut spec = json!({"replicas": count, "selector": selector, "template": rs_template});
        if let Some(m) = d["spec"]["minReadySeconds"].as_i64().filter(|m| *m > 0) {
            spec["minReadySeconds"] = json!(m);
        }
        let mut rs = json!({
            "kind": "ReplicaSet",
            "apiVersion": "apps/v1",
            "metadata": {
                "name": format!("{}-{hash}", name_of(d)),
                "namespace": ns_of(d),
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [owner_reference(d, "apps/v1", "Deployment")],
                "generation": 1,
            },
            "spec": spec,
        });
        apply_defaults(&gr_replicasets(), &mut rs);
        let created = self.store.create(&gr_replicasets(), rs).ok()?;
        self.observe_rs(Change::Added, &created);
        if count > 0 {
            let msg = format!(
                "Scaled up replica set {} from 0 to {count}",
                name_of(&created)
            );
            self.deploy_events.event(
                &gr_deployments(),
                d,
                EventType::Normal,
                "ScalingReplicaSet",
                &msg,
            );
        }
        Some(created)
    }

    fn sync_deployment(&mut self, key: &Key) {
        let Some((d, selector)) = live_with_selector(&self.deployments, key) else {
            return;
        };
        let template_ok = d["spec"]["template"]["spec"].is_object()
            && d["spec"]["template"]["metadata"]
                .as_object()
                .is_none_or(|m| m.get("labels").is_none_or(|l| l.is_object() || l.is_null()));
        if !template_ok {
            return;
        }
        self.adopt_and_release(&d, "Deployment", &selector);
        let d_uid = uid_of(&d).to_string();
        let mut owned: Vec<Value> = self
            .rs_by_owner
            .get(&d_uid)
            .into_iter()
            .flatten()
            .filter_map(|k| self.replicasets.get(k).cloned())
            .collect();
        owned.sort_by(|a, b| {
            let t = |r: &Value| {
                r["metadata"]["creationTimestamp"]
                    .as_str()
                    .map(String::from)
            };
            t(a).cmp(&t(b)).then_with(|| name_of(a).cmp(name_of(b)))
        });
        let template = template_without_hash(&d["spec"]["template"]);
        let collision = d["status"]["collisionCount"].as_i64().unwrap_or(0);
        let hash = template_hash(&template, collision);
        // Same template (ignoring the hash label); the hash label catches a template the
        // ReplicaSet's own defaulting changed.
        let new_pos = owned
            .iter()
            .position(|rs| template_without_hash(&rs["spec"]["template"]) == template)
            .or_else(|| {
                owned
                    .iter()
                    .position(|rs| rs["metadata"]["labels"][HASH_LABEL] == json!(hash))
            });
        let max_old_rev = owned
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != new_pos)
            .map(|(_, r)| revision_of(r))
            .max()
            .unwrap_or(0);
        let mut old: Vec<Value> = owned
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != new_pos)
            .map(|(_, r)| r.clone())
            .collect();
        let paused = d["spec"]["paused"].as_bool() == Some(true);
        let want = replicas(&d);
        let recreate = d["spec"]["strategy"]["type"] == "Recreate";
        let mut created_now = None;

        let mut new_rs = match new_pos {
            Some(i) => {
                let rs = owned[i].clone();
                if revision_of(&rs) <= max_old_rev && max_old_rev > 0 {
                    // A rollback reactivates an old ReplicaSet under a new revision.
                    let k = key_of(&rs);
                    let rev = (max_old_rev + 1).to_string();
                    let res = self.store.modify_retry(&gr_replicasets(), &k.0, &k.1, |r| {
                        r["metadata"]["annotations"][REVISION] = json!(rev);
                        Ok(true)
                    });
                    res.ok().inspect(|r| {
                        self.observe_rs(Change::Modified, r);
                    })
                } else {
                    Some(rs)
                }
            }
            None if paused => None,
            None => {
                let current: i64 = old.iter().map(replicas).sum();
                let count = if recreate {
                    if current > 0 {
                        0
                    } else {
                        want
                    }
                } else if old.is_empty() {
                    want
                } else {
                    let max_total = want + Self::max_surge(&d);
                    (max_total - current).clamp(0, want)
                };
                let rs = self.create_new_rs(&d, &hash, max_old_rev + 1, count);
                created_now = rs.as_ref().map(|r| name_of(r).to_string());
                rs
            }
        };

        if !paused {
            if let Some(nrs) = new_rs.clone() {
                new_rs = Some(self.rollout(&d, nrs, &mut old, recreate));
            }
        }
        self.cleanup(&d, &old);
        self.update_deployment(&d, new_rs.as_ref(), &old, created_now);
    }

    /// One step of the rollout; returns the (possibly rescaled) new ReplicaSet.
    fn rollout(&mut self, d: &Value, new_rs: Value, old: &mut [Value], recreate: bool) -> Value {
        let want = replicas(d);
        let old_active: i64 = old.iter().map(replicas).sum();
        if old_active == 0 || recreate {
            if recreate && old_active > 0 {
                for rs in old.iter_mut() {
                    if replicas(rs) > 0 {
                        *rs = self.scale(d, rs, 0);
                    }
                }
                return new_rs;
            }
            if recreate {
                // Wait for the old pods to be gone before starting new ones.
                let old_pods = old
                    .iter()
                    .any(|rs| self.owned_pods(rs).iter().any(|p| p.is_active()));
                if old_pods {
                    return new_rs;
                }
            }
            return if replicas(&new_rs) != want {
                self.scale(d, &new_rs, want)
            } else {
                new_rs
            };
        }
        // Scale up the new ReplicaSet within maxSurge.
        let mut new_rs = new_rs;
        let current: i64 = old_active + replicas(&new_rs);
        let max_total = want + Self::max_surge(d);
        if replicas(&new_rs) > want {
            new_rs = self.scale(d, &new_rs, want);
        } else if replicas(&new_rs) < want && current < max_total {
            let up = (max_total - current).min(want - replicas(&new_rs));
            let to = replicas(&new_rs) + up;
            new_rs = self.scale(d, &new_rs, to);
        }
        // Scale down old ReplicaSets within maxUnavailable.
        let all: i64 = old.iter().map(replicas).sum::<i64>() + replicas(&new_rs);
        let min_available = want - Self::max_unavailable(d);
        let new_unavailable = replicas(&new_rs) - status_int(&new_rs, "availableReplicas");
        let mut budget = all - min_available - new_unavailable;
        // Unhealthy old pods go first; they do not count as available anyway.
        for rs in old.iter_mut() {
            if budget <= 0 {
                break;
            }
            let unhealthy = replicas(rs) - status_int(rs, "availableReplicas");
            if unhealthy <= 0 {
                continue;
            }
            let down = unhealthy.min(budget);
            *rs = self.scale(d, rs, replicas(rs) - down);
            budget -= down;
        }
        let available: i64 = old
            .iter()
            .map(|r| status_int(r, "availableReplicas"))
            .sum::<i64>()
            + status_int(&new_rs, "availableReplicas");
        let mut total_down = (available - min_available).min(budget.max(0));
        for rs in old.iter_mut() {
            if total_down <= 0 {
                break;
            }
            if replicas(rs) == 0 {
                continue;
            }
            let down = replicas(rs).min(total_down);
            *rs = self.scale(d, rs, replicas(rs) - down);
            total_down -= down;
        }
        new_rs
    }

    /// Deletes old, empty ReplicaSets beyond revisionHistoryLimit.
    fn cleanup(&mut self, d: &Value, old: &[Value]) {
        let limit = d["spec"]["revisionHistoryLimit"]
            .as_i64()
            .unwrap_or(10)
            .max(0) as usize;
        let mut empty: Vec<&Value> = old
            .iter()
            .filter(|r| replicas(r) == 0 && status_int(r, "replicas") == 0 && !is_terminating(r))
            .collect();
        if empty.len() <= limit {
            return;
        }
        empty.sort_by_key(|r| revision_of(r));
        let excess = empty.len() - limit;
        for rs in empty.into_iter().take(excess) {
            let _ = delete_object(&self.store, &gr_replicasets(), ns_of(rs), name_of(rs));
        }
    }

    fn update_deployment(
        &mut self,
        d: &Value,
        new_rs: Option<&Value>,
        old: &[Value],
        created: Option<String>,
    ) {
        let now = self.store.clock().rfc3339();
        let all: Vec<&Value> = old.iter().chain(new_rs).collect();
        let want = replicas(d);
        let sum = |f: &str| all.iter().map(|r| status_int(r, f)).sum::<i64>();
        let (total, ready, available) = (
            sum("replicas"),
            sum("readyReplicas"),
            sum("availableReplicas"),
        );
        let updated = new_rs.map(|r| status_int(r, "replicas")).unwrap_or(0);
        let mut status =
            json!({"observedGeneration": d["metadata"]["generation"].as_i64().unwrap_or(1)});
        super::set_counts(
            &mut status,
            [
                ("replicas", total),
                ("updatedReplicas", updated),
                ("readyReplicas", ready),
                ("availableReplicas", available),
                ("unavailableReplicas", (want - available).max(0)),
            ],
        );
        if let Some(n) = terminating_replicas(&all) {
            status["terminatingReplicas"] = json!(n);
        }
        for f in ["conditions", "collisionCount"] {
            if !d["status"][f].is_null() {
                status[f] = d["status"][f].clone();
            }
        }
        let min_available = want - Self::max_unavailable(d);
        if available >= min_available {
            set_condition(
                &mut status,
                condition(
                    &now,
                    "Available",
                    "True",
                    "MinimumReplicasAvailable",
                    "Deployment has minimum availability.",
                ),
            );
        } else {
            set_condition(
                &mut status,
                condition(
                    &now,
                    "Available",
                    "False",
                    "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.",
                ),
            );
        }
        if let Some(rs) = new_rs {
            let name = name_of(rs);
            let old_pods = old.iter().any(|r| status_int(r, "replicas") > 0);
            let complete = updated == want && available == want && total == want && !old_pods;
            let counts_changed = [
                "replicas",
                "updatedReplicas",
                "readyReplicas",
                "availableReplicas",
            ]
            .iter()
            .any(|f| d["status"][*f] != status[*f]);
            let progressed = match created {
                Some(c) => Some((
                    "NewReplicaSetCreated",
                    format!("Created new replica set \"{c}\""),
                )),
                None if complete => Some((
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{name}\" has successfully progressed."),
                )),
                None => None,
            };
            if let Some((reason, msg)) = progressed {
                set_condition(
                    &mut status,
                    condition(&now, "Progressing", "True", reason, &msg),
                );
            } else if counts_changed {
                let mut cond = condition(
                    &now,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{name}\" is progressing."),
                );
                let conds: Vec<Value> =
                    status["conditions"].as_array().cloned().unwrap_or_default();
                if let Some(cur) = conds.iter().find(|c| c["type"] == "Progressing") {
                    if cur["status"] == "True" {
                        cond["lastTransitionTime"] = cur["lastTransitionTime"].clone();
                    }
                }
                let mut rest: Vec<Value> = conds
                    .into_iter()
                    .filter(|c| c["type"] != "Progressing")
                    .collect();
                rest.push(cond);
                status["conditions"] = json!(rest);
            }
        }
        let revision = new_rs
            .map(revision_of)
            .filter(|r| *r > 0)
            .map(|r| r.to_string());
        let revision_changed = revision
            .as_ref()
            .is_some_and(|r| d["metadata"]["annotations"][REVISION] != json!(r));
        if d["status"] == status && !revision_changed {
            return;
        }
        let key = key_of(d);
        let uid = uid_of(d).to_string();
        let res = self
            .store
            .modify_retry(&gr_deployments(), &key.0, &key.1, |o| {
                if uid_of(o) != uid {
                    return Ok(false);
                }
                if let Some(r) = &revision {
                    if !o["metadata"]["annotations"].is_object() {
                        o["metadata"]["annotations"] = json!({});
                    }
                    o["metadata"]["annotations"][REVISION] = json!(r);
                }
                o["status"] = status.clone();
                Ok(true)
            });
        if let Ok(o) = res {
            self.deployments.insert(key, o);
        }
    }
}

/// Deployment + ReplicaSet controller loop.
pub async fn run(store: Arc<Store>, mut rx: crate::store::Receiver) {
    let mut c = Controllers {
        deploy_events: Recorder::new(store.clone(), "deployment-controller", ""),
        rs_events: Recorder::new(store.clone(), "replicaset-controller", ""),
        store,
        deployments: HashMap::new(),
        replicasets: HashMap::new(),
        pods: HashMap::new(),
        uid_to_deploy: HashMap::new(),
        uid_to_rs: HashMap::new(),
        rs_by_owner: HashMap::new(),
        pods_by_owner: HashMap::new(),
        requeue: Vec::new(),
    };
    c.relist();
    let mut later = super::Requeue::new(c.store.clock());
    let mut dirty_d: BTreeSet<Key> = c.deployments.keys().cloned().collect();
    let mut dirty_rs: BTreeSet<Key> = c.replicasets.keys().cloned().collect();
    loop {
        // Deployments first (they resize ReplicaSets), then ReplicaSets (they make pods).
        for key in std::mem::take(&mut dirty_d) {
            super::guarded(|| c.sync_deployment(&key));
            let uid = c
                .deployments
                .get(&key)
                .map(|d| uid_of(d).to_string())
                .unwrap_or_default();
            dirty_rs.extend(c.rs_by_owner.get(&uid).into_iter().flatten().cloned());
        }
        for key in std::mem::take(&mut dirty_rs) {
            super::guarded(|| c.sync_rs(&key));
        }
        for (key, wait) in std::mem::take(&mut c.requeue) {
            later.add(key, wait);
        }
        let (batch, due) = later.next(&mut rx).await;
        dirty_rs.extend(due);
        let Some(batch) = batch else { continue };
        let batch = super::settle(&mut rx, batch).await;
        match batch {
            Batch::Closed => return,
            Batch::Resync => {
                c.relist();
                dirty_d.extend(c.deployments.keys().cloned());
                dirty_rs.extend(c.replicasets.keys().cloned());
            }
            Batch::Events(evs) => {
                for ev in evs {
                    if ev.gr == gr_deployments() {
                        let k = c.observe_deployment(ev.kind, &ev.object);
                        if ev.kind != Change::Deleted {
                            dirty_d.insert(k);
                        }
                    } else if ev.gr == gr_replicasets() {
                        let (k, owners) = c.observe_rs(ev.kind, &ev.object);
                        if ev.kind != Change::Deleted {
                            dirty_rs.insert(k);
                        }
                        dirty_d.extend(owners);
                    } else if ev.gr == gr_pods() {
                        dirty_rs.extend(c.observe_pod(ev.kind, &ev.object.pod_view()));
                    }
                }
            }
        }
    }
}
