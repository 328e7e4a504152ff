//! The StatefulSet controller: pods `<set>-0` … `<set>-(n-1)` with stable names (one at a
//! time with OrderedReady, all at once with Parallel), their PersistentVolumeClaims from
//! `volumeClaimTemplates` (bound at once, as kind's local-path provisioner does),
//! ControllerRevisions, RollingUpdate from the highest ordinal down to the partition, OnDelete,
//! status and events worded like the real controller's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::driver::KeyedController;
use super::events::{EventType, Recorder};
use super::pods::create_pod;
use super::{
    controller_ref, delete_object, gr_controllerrevisions, is_terminating, name_of, ns_of,
    owner_reference, template_hash, uid_of, LabelSelector,
};
use crate::store::{EventType as Change, Store, WatchEvent};

const REVISION_LABEL: &str = "controller-revision-hash";

use super::gr_pvcs;
pub(crate) use super::gr_statefulsets;

use super::owned::Key;

fn running_and_ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running"
        && super::pod_availability(pod, 0, Default::default()) == Ok(true)
}

fn ordinal_of(set: &str, pod: &str) -> Option<i64> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}

struct Controller {
    store: Arc<Store>,
    events: Recorder,
    idx: super::owned::OwnedPods,
    revisions: HashMap<String, BTreeMap<String, Value>>,
}

impl Controller {
    fn observe_set(&mut self, kind: Change, obj: &Value) -> Key {
        self.idx.observe_owner(kind, obj)
    }

    fn observe_pod(&mut self, kind: Change, pod: &Value) -> Option<Key> {
        self.idx.observe_pod(kind, pod)
    }

    fn observe_revision(&mut self, kind: Change, rev: &Value) {
        let Some(owner) = controller_ref(rev).filter(|r| r["kind"] == "StatefulSet") else {
            return;
        };
        let owner_uid = owner["uid"].as_str().unwrap_or_default().to_string();
        let revs = self.revisions.entry(owner_uid).or_default();
        if kind == Change::Deleted {
            revs.remove(name_of(rev));
        } else {
            revs.insert(name_of(rev).to_string(), rev.clone());
        }
    }

    /// Ensures the revision of the current template; returns its name (the pods' label value).
    fn revision(&mut self, set: &Value) -> Option<String> {
        let template = &set["spec"]["template"];
        let collision = set["status"]["collisionCount"].as_i64().unwrap_or(0);
        let name = format!("{}-{}", name_of(set), template_hash(template, collision));
        let revs = self.revisions.get(uid_of(set)).cloned().unwrap_or_default();
        let max = revs
            .values()
            .filter_map(|r| r["revision"].as_i64())
            .max()
            .unwrap_or(0);
        match revs.get(&name) {
            Some(r) if r["revision"].as_i64().unwrap_or(0) < max => {
                if let Some(r) = super::renumber_revision(&self.store, ns_of(set), &name, max + 1) {
                    self.observe_revision(Change::Modified, &r);
                }
            }
            Some(_) => {}
            None => {
                let rev = super::revision_object(
                    set,
                    "StatefulSet",
                    &name,
                    template,
                    (REVISION_LABEL, &name),
                    max + 1,
                );
                if let Ok(r) = self.store.create(&gr_controllerrevisions(), rev) {
                    self.observe_revision(Change::Added, &r);
                }
            }
        }
        Some(name)
    }

    fn claim_name(claim: &Value, set: &Value, ordinal: i64) -> String {
        format!("{}-{}-{ordinal}", name_of(claim), name_of(set))
    }

    /// Creates (bound) the pod's claims that do not exist yet.
    fn ensure_claims(&mut self, set: &Value, ordinal: i64, pod_name: &str) {
        for claim in set["spec"]["volumeClaimTemplates"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let name = Self::claim_name(&claim, set, ordinal);
            if self.store.get(&gr_pvcs(), ns_of(set), &name).is_some() {
                continue;
            }
            let mut spec = claim["spec"].clone();
            if !spec.is_object() {
                spec = json!({});
            }
            if spec["storageClassName"].is_null() {
                spec["storageClassName"] = json!("standard");
            }
            spec["volumeName"] = json!(format!("pvc-{}", crate::store::new_uid()));
            let pvc = json!({
                "kind": "PersistentVolumeClaim", "apiVersion": "v1",
                "metadata": {"name": name, "namespace": ns_of(set),
                    "labels": set["spec"]["selector"]["matchLabels"],
                    "annotations": {"pv.kubernetes.io/bind-completed": "yes",
                        "pv.kubernetes.io/bound-by-controller": "yes",
                        "volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
                        "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path"},
                    "finalizers": ["kubernetes.io/pvc-protection"]},
                "spec": spec,
                "status": {"phase": "Bound", "accessModes": claim["spec"]["accessModes"],
                    "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]}},
            });
            let ok = self.store.create(&gr_pvcs(), pvc).is_ok();
            let (kind, reason, word) = if ok {
                (EventType::Normal, "SuccessfulCreate", "success")
            } else {
                (EventType::Warning, "FailedCreate", "failed")
            };
            let msg = format!(
                "create Claim {name} Pod {pod_name} in StatefulSet {} {word}",
                name_of(set)
            );
            self.events
                .event(&gr_statefulsets(), set, kind, reason, &msg);
        }
    }

    fn create(&mut self, set: &Value, ordinal: i64, revision: &str) {
        let name = format!("{}-{ordinal}", name_of(set));
        self.ensure_claims(set, ordinal, &name);
        let template = &set["spec"]["template"];
        let mut labels = template["metadata"]["labels"].clone();
        if !labels.is_object() {
            labels = json!({});
        }
        labels[REVISION_LABEL] = json!(revision);
        labels["statefulset.kubernetes.io/pod-name"] = json!(name);
        labels["apps.kubernetes.io/pod-index"] = json!(ordinal.to_string());
        let mut spec = template["spec"].clone();
        spec["hostname"] = json!(name);
        if let Some(svc) = set["spec"]["serviceName"]
            .as_str()
            .filter(|s| !s.is_empty())
        {
            spec["subdomain"] = json!(svc);
        }
        let claims: Vec<Value> = set["spec"]["volumeClaimTemplates"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !claims.is_empty() {
            let mut vols: Vec<Value> = spec["volumes"].as_array().cloned().unwrap_or_default();
            for c in &claims {
                vols.retain(|v| v["name"] != c["metadata"]["name"]);
                vols.push(json!({"name": c["metadata"]["name"],
                    "persistentVolumeClaim": {"claimName": Self::claim_name(c, set, ordinal)}}));
            }
            spec["volumes"] = json!(vols);
        }
        let mut meta = json!({"name": name, "namespace": ns_of(set), "labels": labels,
            "ownerReferences": [owner_reference(set, "apps/v1", "StatefulSet")]});
        if template["metadata"]["annotations"].is_object() {
            meta["annotations"] = template["metadata"]["annotations"].clone();
        }
        let (kind, reason, word) =
            match create_pod(&self.store, json!({"metadata": meta, "spec": spec})) {
                Ok(p) => {
                    self.observe_pod(Change::Added, &p);
                    (EventType::Normal, "SuccessfulCreate", "successful")
                }
                Err(_) => (EventType::Warning, "FailedCreate", "failed"),
            };
        let msg = format!("create Pod {name} in StatefulSet {} {word}", name_of(set));
        self.events
            .event(&gr_statefulsets(), set, kind, reason, &msg);
    }

    fn delete(&mut self, set: &Value, pod: &Value) {
        if delete_object(&self.store, &super::gr_pods(), ns_of(pod), name_of(pod)).is_ok() {
            let msg = format!(
                "delete Pod {} in StatefulSet {} successful",
                name_of(pod),
                name_of(set)
            );
            self.events.event(
                &gr_statefulsets(),
                set,
                EventType::Normal,
                "SuccessfulDelete",
                &msg,
            );
            if let Some(p) = self.store.get(&super::gr_pods(), ns_of(pod), name_of(pod)) {
                self.observe_pod(Change::Modified, &p);
            } else {
                self.observe_pod(Change::Deleted, pod);
            }
        }
    }

    fn update_status(&mut self, set: &Value, update_rev: &str, selector: &LabelSelector) {
        let pods: Vec<&Value> = self
            .idx
            .pods_by_owner
            .get(uid_of(set))
            .into_iter()
            .flatten()
            .filter_map(|k| self.idx.pods.get(k))
            .filter(|p| selector.matches(&p["metadata"]["labels"]) && !is_terminating(p))
            .collect();
        let min_ready = set["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
        let ready = pods.iter().filter(|p| running_and_ready(p)).count();
        let now = self.store.clock().now();
        let available = pods
            .iter()
            .filter(|p| super::pod_availability(p, min_ready, now) == Ok(true))
            .count();
        let updated = pods
            .iter()
            .filter(|p| p["metadata"]["labels"][REVISION_LABEL] == json!(update_rev))
            .count();
        let mut current_rev = set["status"]["currentRevision"]
            .as_str()
            .unwrap_or(update_rev)
            .to_string();
        let replicas = set["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
        if updated == replicas && ready == replicas && pods.len() == replicas {
            current_rev = update_rev.to_string();
        }
        let current = pods
            .iter()
            .filter(|p| p["metadata"]["labels"][REVISION_LABEL] == json!(current_rev))
            .count();
        let mut status = json!({
            "observedGeneration": set["metadata"]["generation"].as_i64().unwrap_or(1),
            "replicas": pods.len(),
            "availableReplicas": available,
            "currentRevision": current_rev,
            "updateRevision": update_rev,
            "collisionCount": set["status"]["collisionCount"].as_i64().unwrap_or(0),
        });
        super::set_counts(
            &mut status,
            [
                ("readyReplicas", ready),
                ("currentReplicas", current),
                ("updatedReplicas", updated),
            ],
        );
        if let Some(s) = super::write_status(&self.store, &gr_statefulsets(), set, &status) {
            self.observe_set(Change::Modified, &s);
        }
    }
}

impl KeyedController for Controller {
    /// Rebuilds the cache from the store; returns every key.
    fn relist(&mut self) -> Vec<Key> {
        self.idx.clear();
        self.revisions.clear();
        for s in self.store.list(&gr_statefulsets(), None).0 {
            self.observe_set(Change::Added, &s);
        }
        for p in self.store.list(&super::gr_pods(), None).0 {
            self.observe_pod(Change::Added, &p);
        }
        for r in self.store.list(&gr_controllerrevisions(), None).0 {
            self.observe_revision(Change::Added, &r);
        }
        self.idx.owners.keys().cloned().collect()
    }

    fn observe(&mut self, ev: &WatchEvent, dirty: &mut BTreeSet<Key>) {
        if ev.gr == gr_statefulsets() {
            let k = self.observe_set(ev.kind, &ev.object);
            if ev.kind != Change::Deleted {
                dirty.insert(k);
            }
        } else if ev.gr == super::gr_pods() {
            dirty.extend(self.observe_pod(ev.kind, &ev.object));
        } else if ev.gr == gr_controllerrevisions() {
            self.observe_revision(ev.kind, &ev.object);
        }
    }

    fn sync(&mut self, key: &Key) -> Option<Duration> {
        let set = self.idx.owners.get(key).cloned()?;
        if is_terminating(&set) || !set["spec"]["template"]["spec"].is_object() {
            return None;
        }
        let Ok(selector) = LabelSelector::from_label_selector_json(&set["spec"]["selector"]) else {
            return None;
        };
        let update_rev = self.revision(&set)?;
        let replicas = set["spec"]["replicas"].as_i64().unwrap_or(1).max(0);
        let parallel = set["spec"]["podManagementPolicy"] == "Parallel";
        let mut by_ordinal: BTreeMap<i64, Value> = BTreeMap::new();
        for k in self
            .idx
            .pods_by_owner
            .get(uid_of(&set))
            .into_iter()
            .flatten()
        {
            let Some(p) = self.idx.pods.get(k) else {
                continue;
            };
            if let Some(o) = ordinal_of(name_of(&set), name_of(p)) {
                if selector.matches(&p["metadata"]["labels"]) {
                    by_ordinal.insert(o, p.clone());
                }
            }
        }
        // Create missing pods (in order unless Parallel), then remove condemned ones.
        let mut blocked = false;
        for i in 0..replicas {
            match by_ordinal.get(&i) {
                None => {
                    if !blocked {
                        self.create(&set, i, &update_rev);
                    }
                    if !parallel {
                        blocked = true;
                    }
                }
                Some(p) => {
                    if p["status"]["phase"] == "Failed" && !is_terminating(p) {
                        self.delete(&set, &p.clone());
                    }
                    if !parallel && (!running_and_ready(p) || is_terminating(p)) {
                        blocked = true;
                    }
                }
            }
        }
        let condemned: Vec<Value> = by_ordinal
            .range(replicas..)
            .rev()
            .map(|(_, p)| p.clone())
            .collect();
        for p in condemned {
            if blocked && !parallel {
                break;
            }
            if !is_terminating(&p) {
                self.delete(&set, &p);
            }
            if !parallel {
                break;
            }
        }
        // Rolling update: the highest ordinal at or above the partition still on an old
        // revision goes once every pod is running and ready.
        let strategy = &set["spec"]["updateStrategy"];
        let all_ready = !blocked
            && (0..replicas).all(|i| {
                by_ordinal
                    .get(&i)
                    .is_some_and(|p| running_and_ready(p) && !is_terminating(p))
            });
        if strategy["type"].as_str().unwrap_or("RollingUpdate") == "RollingUpdate" && all_ready {
            let partition = strategy["rollingUpdate"]["partition"].as_i64().unwrap_or(0);
            let stale = (partition.max(0)..replicas).rev().find_map(|i| {
                let p = by_ordinal.get(&i)?;
                (p["metadata"]["labels"][REVISION_LABEL] != json!(update_rev)).then(|| p.clone())
            });
            if let Some(p) = stale {
                self.delete(&set, &p);
            }
        }
        self.update_status(&set, &update_rev, &selector);

        None
    }
}

/// StatefulSet controller loop.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let clock = store.clock().clone();
    let c = Controller {
        events: Recorder::new(store.clone(), "statefulset-controller", ""),
        store,
        idx: super::owned::OwnedPods::new("StatefulSet"),
        revisions: HashMap::new(),
    };
    super::driver::drive(c, &clock, rx).await
}
