//! The DaemonSet controller (as kube-controller-manager v1.36): one pod per eligible node,
//! ControllerRevisions of the pod template, the `deprecated.daemonset.template.generation`
//! annotation, RollingUpdate (maxUnavailable/maxSurge) and OnDelete, status counters and
//! `SuccessfulCreate`/`SuccessfulDelete` events.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::driver::KeyedController;
use super::events::Recorder;
use super::pods::{create_owned_pod, delete_owned_pod};
use super::podview::PodView;
use super::scheduler::{matches_node_selector_and_affinity, untolerated_taint};
use super::{
    controller_ref, gr_controllerrevisions, gr_daemonsets, gr_nodes, gr_pods, is_terminating,
    name_of, ns_of, owner_reference, template_hash, uid_of, LabelSelector,
};
use crate::store::{EventType as Change, Store, WatchEvent};

const GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";
const HASH_LABEL: &str = "controller-revision-hash";
const GENERATION_LABEL: &str = "pod-template-generation";

type Key = (String, String);

/// The tolerations the controller adds to every daemon pod, in its order.
fn daemon_tolerations(host_network: bool) -> Vec<Value> {
    let mut t = vec![
        json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}),
        json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}),
        json!({"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}),
    ];
    if host_network {
        t.push(
            json!({"key": "node.kubernetes.io/network-unavailable", "operator": "Exists",
            "effect": "NoSchedule"}),
        );
    }
    t
}

/// Template tolerations plus the daemon ones (replacing same key+effect entries).
fn pod_tolerations(spec: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = spec["tolerations"].as_array().cloned().unwrap_or_default();
    for t in daemon_tolerations(spec["hostNetwork"].as_bool() == Some(true)) {
        match out
            .iter_mut()
            .find(|o| o["key"] == t["key"] && o["effect"] == t["effect"])
        {
            Some(o) => *o = t,
            None => out.push(t),
        }
    }
    out
}

/// An int-or-percent of `total` (percentages rounded up, as for DaemonSets).
pub(crate) fn scaled(v: &Value, total: i64, round_up: bool) -> i64 {
    if let Some(n) = v.as_i64() {
        return n;
    }
    let Some(p) = v
        .as_str()
        .and_then(|s| s.strip_suffix('%'))
        .and_then(|p| p.parse::<i64>().ok())
    else {
        return 0;
    };
    if round_up {
        (p * total + 99) / 100
    } else {
        p * total / 100
    }
}

struct Controller {
    store: Arc<Store>,
    recorder: Recorder,
    dss: HashMap<Key, Value>,
    uid_to_ds: HashMap<String, Key>,
    nodes: BTreeMap<String, Value>,
    pods: HashMap<Key, Arc<PodView>>,
    /// DaemonSet uid → its pods.
    pods_by_owner: HashMap<String, HashSet<Key>>,
    /// DaemonSet uid → its ControllerRevisions.
    revisions: HashMap<String, BTreeMap<String, Value>>,
    /// Pod → owning DaemonSet uid ("" for orphans).
    pod_owner: HashMap<Key, String>,
    /// Pods without a controller, by namespace (adoption candidates).
    orphans: HashMap<String, HashSet<Key>>,
    /// ControllerRevisions without a controller, by namespace and name.
    rev_orphans: HashMap<String, BTreeMap<String, Value>>,
}

fn relevant_node_change(old: Option<&Value>, new: &Value) -> bool {
    let Some(old) = old else { return true };
    old["metadata"]["labels"] != new["metadata"]["labels"]
        || old["spec"]["taints"] != new["spec"]["taints"]
        || old["spec"]["unschedulable"] != new["spec"]["unschedulable"]
}

impl Controller {
    fn observe_ds(&mut self, kind: Change, ds: &Value) -> Key {
        super::owned::observe_keyed(&mut self.dss, &mut self.uid_to_ds, kind, ds)
    }

    /// Indexes a pod by its DaemonSet (or as an orphan that one may adopt); returns what to
    /// sync: the owning DaemonSet, or for an orphan every DaemonSet of its namespace.
    /// The cache keeps the view shared with the other pod-indexing controllers, not a copy.
    fn observe_pod(&mut self, kind: Change, pod: &Arc<PodView>) -> Vec<Key> {
        let key = pod.key();
        if let Some(old) = self.pod_owner.remove(&key) {
            match old.as_str() {
                "" => {
                    if let Some(s) = self.orphans.get_mut(&key.0) {
                        s.remove(&key);
                    }
                }
                uid => {
                    if let Some(s) = self.pods_by_owner.get_mut(uid) {
                        s.remove(&key);
                    }
                }
            }
        }
        self.pods.remove(&key);
        if kind == Change::Deleted {
            return Vec::new();
        }
        match &pod.controller {
            Some((kind, uid)) if kind == "DaemonSet" => {
                let owner_uid = uid.clone();
                self.pods.insert(key.clone(), Arc::clone(pod));
                self.pods_by_owner
                    .entry(owner_uid.clone())
                    .or_default()
                    .insert(key.clone());
                self.pod_owner.insert(key, owner_uid.clone());
                self.uid_to_ds
                    .get(&owner_uid)
                    .cloned()
                    .into_iter()
                    .collect()
            }
            Some(_) => Vec::new(),
            None if pod.terminating => Vec::new(),
            None => {
                self.pods.insert(key.clone(), Arc::clone(pod));
                self.orphans
                    .entry(key.0.clone())
                    .or_default()
                    .insert(key.clone());
                self.pod_owner.insert(key.clone(), String::new());
                self.dss.keys().filter(|k| k.0 == key.0).cloned().collect()
            }
        }
    }

    /// Adopts orphan pods and revisions the DaemonSet selects; releases pods it no longer does.
    fn adopt_and_release(&mut self, ds: &Value, selector: &LabelSelector) {
        let owner = owner_reference(ds, "apps/v1", "DaemonSet");
        let ns = ns_of(ds).to_string();
        let candidates: Vec<Arc<PodView>> = self
            .orphans
            .get(&ns)
            .into_iter()
            .flatten()
            .filter_map(|k| self.pods.get(k))
            .filter(|p| selector.matches(&p.labels))
            .cloned()
            .collect();
        for p in candidates {
            if let Some(adopted) =
                super::adopt(&self.store, &gr_pods(), (&p.namespace, &p.name), &owner)
            {
                self.observe_pod(Change::Modified, &Arc::new(PodView::of(&adopted)));
            }
        }
        let owned: Vec<Arc<PodView>> = self
            .pods_by_owner
            .get(uid_of(ds))
            .into_iter()
            .flatten()
            .filter_map(|k| self.pods.get(k))
            .filter(|p| !p.terminating && !selector.matches(&p.labels))
            .cloned()
            .collect();
        for p in owned {
            if let Some(released) =
                super::release(&self.store, &gr_pods(), (&p.namespace, &p.name), uid_of(ds))
            {
                self.observe_pod(Change::Modified, &Arc::new(PodView::of(&released)));
            }
        }
        let revs: Vec<Value> = self
            .rev_orphans
            .get(&ns)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|r| selector.matches(&r["metadata"]["labels"]))
            .cloned()
            .collect();
        for r in revs {
            if let Some(adopted) = super::adopt(
                &self.store,
                &gr_controllerrevisions(),
                (ns_of(&r), name_of(&r)),
                &owner,
            ) {
                self.observe_revision(Change::Modified, &adopted);
            }
        }
    }

    fn observe_revision(&mut self, kind: Change, rev: &Value) {
        let (ns, name) = (ns_of(rev).to_string(), name_of(rev).to_string());
        for revs in self.revisions.values_mut() {
            revs.retain(|n, r| !(n == &name && ns_of(r) == ns));
        }
        if let Some(m) = self.rev_orphans.get_mut(&ns) {
            m.remove(&name);
        }
        if kind == Change::Deleted {
            return;
        }
        match controller_ref(rev) {
            Some(owner) if owner["kind"] == "DaemonSet" => {
                let owner_uid = owner["uid"].as_str().unwrap_or_default().to_string();
                self.revisions
                    .entry(owner_uid)
                    .or_default()
                    .insert(name, rev.clone());
            }
            Some(_) => {}
            None => {
                self.rev_orphans
                    .entry(ns)
                    .or_default()
                    .insert(name, rev.clone());
            }
        }
    }

    /// Ensures the revision for the current template exists and is the newest; returns
    /// (hash, template generation).
    fn revision(&mut self, ds: &Value) -> Option<(String, String)> {
        let template = &ds["spec"]["template"];
        let collision = ds["status"]["collisionCount"].as_i64().unwrap_or(0);
        let hash = template_hash(template, collision);
        let ds_uid = uid_of(ds).to_string();
        let (ns, name) = (ns_of(ds).to_string(), name_of(ds).to_string());
        let revs = self.revisions.get(&ds_uid).cloned().unwrap_or_default();
        let newest = revs
            .values()
            .max_by_key(|r| r["revision"].as_i64().unwrap_or(0));
        let max_rev = newest
            .map(|r| r["revision"].as_i64().unwrap_or(0))
            .unwrap_or(0);
        // The registry keeps the template generation annotation (bumped on template changes);
        // an object stored without it counts as generation 1.
        let generation = ds["metadata"]["annotations"][GENERATION_ANNOTATION]
            .as_str()
            .unwrap_or("1")
            .to_string();
        let rev_name = format!("{name}-{hash}");
        match revs.get(&rev_name) {
            Some(existing) => {
                if existing["revision"].as_i64().unwrap_or(0) < max_rev {
                    if let Some(r) =
                        super::renumber_revision(&self.store, &ns, &rev_name, max_rev + 1)
                    {
                        self.observe_revision(Change::Modified, &r);
                    }
                }
            }
            None => {
                let mut rev = super::revision_object(
                    ds,
                    "DaemonSet",
                    &rev_name,
                    template,
                    (HASH_LABEL, &hash),
                    max_rev + 1,
                );
                rev["metadata"]["annotations"] = ds["metadata"]["annotations"].clone();
                if let Ok(r) = self.store.create(&gr_controllerrevisions(), rev) {
                    self.observe_revision(Change::Added, &r);
                }
            }
        }
        Some((hash, generation))
    }

    /// Drops revisions beyond revisionHistoryLimit that no pod uses.
    fn prune_history(&mut self, ds: &Value, live_hashes: &HashSet<String>, current: &str) {
        let limit = ds["spec"]["revisionHistoryLimit"]
            .as_i64()
            .unwrap_or(10)
            .max(0) as usize;
        let Some(revs) = self.revisions.get(uid_of(ds)) else {
            return;
        };
        let mut old: Vec<(i64, String)> = revs
            .values()
            .filter(|r| {
                let h = r["metadata"]["labels"][HASH_LABEL]
                    .as_str()
                    .unwrap_or_default();
                h != current && !live_hashes.contains(h)
            })
            .map(|r| (r["revision"].as_i64().unwrap_or(0), name_of(r).to_string()))
            .collect();
        if old.len() <= limit {
            return;
        }
        old.sort();
        let excess = old.len() - limit;
        for (_, name) in old.into_iter().take(excess) {
            let _ = self
                .store
                .remove(&gr_controllerrevisions(), ns_of(ds), &name);
        }
    }

    fn new_pod(&self, ds: &Value, node: &str, hash: &str, generation: &str) -> Value {
        let template = &ds["spec"]["template"];
        let mut labels = template["metadata"]["labels"].clone();
        if !labels.is_object() {
            labels = json!({});
        }
        labels[HASH_LABEL] = json!(hash);
        labels[GENERATION_LABEL] = json!(generation);
        let mut spec = template["spec"].clone();
        spec["tolerations"] = json!(pod_tolerations(&template["spec"]));
        let required = json!({"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name",
            "operator": "In", "values": [node]}]}]});
        if !spec["affinity"].is_object() {
            spec["affinity"] = json!({});
        }
        if !spec["affinity"]["nodeAffinity"].is_object() {
            spec["affinity"]["nodeAffinity"] = json!({});
        }
        spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] =
            required;
        let mut pod = super::pods::pod_from_template(ds, "apps/v1", "DaemonSet", template);
        pod["metadata"]["labels"] = labels;
        pod["spec"] = spec;
        pod
    }

    fn create(&mut self, ds: &Value, node: &str, hash: &str, generation: &str) {
        let pod = self.new_pod(ds, node, hash, generation);
        if let Some(p) = create_owned_pod(&self.store, &self.recorder, &gr_daemonsets(), ds, pod) {
            self.observe_pod(Change::Added, &Arc::new(PodView::of(&p)));
        }
    }

    fn delete(&mut self, ds: &Value, key: &Key) {
        let pod = (key.0.as_str(), key.1.as_str());
        if delete_owned_pod(&self.store, &self.recorder, &gr_daemonsets(), ds, pod) {
            match self
                .store
                .get_stored(&gr_pods(), &key.0, &key.1)
                .map(|s| s.pod_view())
            {
                Some(p) => {
                    self.observe_pod(Change::Modified, &p);
                }
                None => {
                    if let Some(p) = self.pods.get(key).cloned() {
                        self.observe_pod(Change::Deleted, &p);
                    }
                }
            }
        }
    }

    /// (should run, may keep running) for one node.
    fn placement(ds: &Value, tolerations: &[Value], node: &Value) -> (bool, bool) {
        let spec = &ds["spec"]["template"]["spec"];
        if let Some(n) = spec["nodeName"].as_str().filter(|n| !n.is_empty()) {
            if n != name_of(node) {
                return (false, false);
            }
        }
        if !matches_node_selector_and_affinity(spec, node) {
            return (false, false);
        }
        match untolerated_taint(tolerations, node) {
            None => (true, true),
            Some(t) if t["effect"] == "NoSchedule" => {
                // Not schedulable, but a running pod may stay unless a NoExecute taint says no.
                let no_exec_only = tolerations;
                let node_no_exec = node["spec"]["taints"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|t| t["effect"] == "NoExecute")
                    .any(|t| {
                        !no_exec_only
                            .iter()
                            .any(|tol| super::scheduler::tolerates(tol, t))
                    });
                (false, !node_no_exec)
            }
            Some(_) => (false, false),
        }
    }
}

impl KeyedController for Controller {
    /// Rebuilds the cache from the store; returns every key.
    fn relist(&mut self) -> Vec<Key> {
        self.dss.clear();
        self.uid_to_ds.clear();
        self.nodes.clear();
        self.pods.clear();
        self.pods_by_owner.clear();
        self.revisions.clear();
        self.pod_owner.clear();
        self.orphans.clear();
        self.rev_orphans.clear();
        for ds in self.store.list(&gr_daemonsets(), None).0 {
            self.observe_ds(Change::Added, &ds);
        }
        for n in self.store.list(&gr_nodes(), None).0 {
            self.nodes.insert(name_of(&n).to_string(), n);
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
        for r in self.store.list(&gr_controllerrevisions(), None).0 {
            self.observe_revision(Change::Added, &r);
        }
        self.dss.keys().cloned().collect()
    }

    fn observe(&mut self, ev: &WatchEvent, dirty: &mut BTreeSet<Key>) {
        if ev.gr == gr_daemonsets() {
            let key = self.observe_ds(ev.kind, &ev.object);
            if ev.kind != Change::Deleted {
                dirty.insert(key);
            }
        } else if ev.gr == gr_pods() {
            dirty.extend(self.observe_pod(ev.kind, &ev.object.pod_view()));
        } else if ev.gr == gr_nodes() {
            let all = if ev.kind == Change::Deleted {
                self.nodes.remove(&ev.name);
                true
            } else {
                let relevant = relevant_node_change(self.nodes.get(&ev.name), &ev.object);
                self.nodes.insert(ev.name.clone(), Value::clone(&ev.object));
                relevant
            };
            if all {
                dirty.extend(self.dss.keys().cloned());
            }
        } else if ev.gr == gr_controllerrevisions() {
            self.observe_revision(ev.kind, &ev.object);
        }
    }

    fn sync(&mut self, key: &Key) -> Option<Duration> {
        // Sync again when the soonest pod turns available (minReadySeconds).
        let mut requeue: Option<Duration> = None;
        let ds = self.dss.get(key).cloned()?;
        if is_terminating(&ds) {
            return None;
        }
        let Ok(selector) = LabelSelector::from_label_selector_json(&ds["spec"]["selector"]) else {
            return None;
        };
        if !ds["spec"]["template"]["spec"].is_object() {
            return None;
        }
        self.adopt_and_release(&ds, &selector);
        let (hash, generation) = self.revision(&ds)?;
        let min_ready = ds["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
        let ds_uid = uid_of(&ds).to_string();

        // Daemon pods by target node (terminating ones only block nothing).
        let mut by_node: BTreeMap<String, Vec<Arc<PodView>>> = BTreeMap::new();
        let owned: Vec<Key> = self
            .pods_by_owner
            .get(&ds_uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        for k in &owned {
            let Some(p) = self.pods.get(k) else { continue };
            if p.terminating || !selector.matches(&p.labels) {
                continue;
            }
            if let Some(n) = p.target_node() {
                by_node.entry(n).or_default().push(p.clone());
            }
        }
        for pods in by_node.values_mut() {
            pods.sort_by(|a, b| {
                a.creation_timestamp
                    .cmp(&b.creation_timestamp)
                    .then_with(|| a.name.cmp(&b.name))
            });
        }

        let is_updated = |p: &PodView| {
            let l = &p.labels;
            l[HASH_LABEL] == json!(hash) || l[GENERATION_LABEL] == json!(generation)
        };
        let mut to_create: Vec<String> = Vec::new();
        let mut to_delete: Vec<Key> = Vec::new();
        let mut desired = 0i64;
        let node_names: Vec<String> = self.nodes.keys().cloned().collect();
        let tolerations = pod_tolerations(&ds["spec"]["template"]["spec"]);
        let mut placements: HashMap<String, (bool, bool)> = HashMap::new();
        for n in &node_names {
            let node = &self.nodes[n];
            let (should_run, may_continue) = Self::placement(&ds, &tolerations, node);
            placements.insert(n.clone(), (should_run, may_continue));
            if should_run {
                desired += 1;
            }
            let pods = by_node.get(n).cloned().unwrap_or_default();
            let failed: Vec<&PodView> = pods
                .iter()
                .map(|p| p.as_ref())
                .filter(|p| p.phase_is("Failed"))
                .collect();
            for p in &failed {
                to_delete.push(p.key());
            }
            let alive: Vec<&PodView> = pods
                .iter()
                .map(|p| p.as_ref())
                .filter(|p| !p.phase_is("Failed"))
                .collect();
            if !may_continue {
                for p in alive {
                    to_delete.push(p.key());
                }
                continue;
            }
            if alive.is_empty() {
                if should_run {
                    to_create.push(n.clone());
                }
                continue;
            }
            // More than one pod: keep the oldest updated (or oldest) one, plus a surging new one.
            if alive.len() > 1 {
                let keep_new = alive.iter().position(|p| is_updated(p));
                let keep_old = alive.iter().position(|p| !is_updated(p));
                let surging = keep_new.is_some() && keep_old.is_some() && alive.len() == 2;
                if !surging {
                    let keep = keep_new.unwrap_or(0);
                    for (i, p) in alive.iter().enumerate() {
                        if i != keep {
                            to_delete.push(p.key());
                        }
                    }
                }
            }
        }
        // Unscheduled daemon pods pinned to nodes that no longer exist.
        for (n, pods) in &by_node {
            if !self.nodes.contains_key(n) {
                for p in pods.iter().filter(|p| p.node_name.is_empty()) {
                    to_delete.push(p.key());
                }
            }
        }

        // Rolling update of nodes whose pod is from an older template.
        let strategy = &ds["spec"]["updateStrategy"];
        if strategy["type"].as_str().unwrap_or("RollingUpdate") == "RollingUpdate" {
            let ru = &strategy["rollingUpdate"];
            let max_surge = scaled(&ru["maxSurge"], desired, true);
            let mut max_unavailable = scaled(&ru["maxUnavailable"], desired, true);
            if max_surge == 0 && max_unavailable == 0 {
                max_unavailable = 1;
            }
            let mut unavailable = 0i64;
            let mut candidates: Vec<(String, Key)> = Vec::new();
            let mut surge_in_use = 0i64;
            let now = self.store.clock().now();
            for n in &node_names {
                if !placements.get(n).is_some_and(|p| p.0) {
                    continue;
                }
                let pods = by_node.get(n).cloned().unwrap_or_default();
                let new = pods.iter().find(|p| is_updated(p));
                let old = pods.iter().find(|p| !is_updated(p));
                match (old, new) {
                    (None, None) => unavailable += 1,
                    (None, Some(new)) => {
                        if new.availability(min_ready, now) != Ok(true) {
                            unavailable += 1;
                        }
                    }
                    (Some(old), Some(new)) => {
                        // A surge pair: drop the old one once the new one is available.
                        surge_in_use += 1;
                        if new.availability(min_ready, now) == Ok(true) {
                            to_delete.push(old.key());
                        } else {
                            unavailable += 1;
                        }
                    }
                    (Some(old), None) => {
                        let k = old.key();
                        if old.availability(min_ready, now) != Ok(true) {
                            to_delete.push(k);
                            unavailable += 1;
                        } else {
                            candidates.push((n.clone(), k));
                        }
                    }
                }
            }
            // With a surge, new pods start beside the old; else old pods go, within the budget.
            if max_surge > 0 {
                let budget = usize::try_from(max_surge - surge_in_use).unwrap_or(0);
                to_create.extend(candidates.into_iter().take(budget).map(|(node, _)| node));
            } else {
                let budget = usize::try_from(max_unavailable - unavailable).unwrap_or(0);
                to_delete.extend(candidates.into_iter().take(budget).map(|(_, k)| k));
            }
        }

        let mut seen = HashSet::new();
        for k in to_delete {
            if seen.insert(k.clone()) {
                self.delete(&ds, &k);
            }
        }
        for n in to_create {
            self.create(&ds, &n, &hash, &generation);
        }

        // History and status from the (now updated) cache.
        let mut live_hashes = HashSet::new();
        let mut by_node: BTreeMap<String, Vec<Arc<PodView>>> = BTreeMap::new();
        for k in self.pods_by_owner.get(&ds_uid).into_iter().flatten() {
            let Some(p) = self.pods.get(k) else { continue };
            if let Some(h) = p.labels[HASH_LABEL].as_str() {
                live_hashes.insert(h.to_string());
            }
            if p.terminating {
                continue;
            }
            if let Some(n) = p.target_node() {
                by_node.entry(n).or_default().push(p.clone());
            }
        }
        self.prune_history(&ds, &live_hashes, &hash);
        let (mut current, mut misscheduled, mut ready, mut available, mut updated) =
            (0, 0, 0, 0, 0);
        for (n, pods) in &by_node {
            let Some(&(should_run, _)) = placements.get(n) else {
                continue;
            };
            if pods.is_empty() {
                continue;
            }
            if !should_run {
                misscheduled += 1;
                continue;
            }
            current += 1;
            // The oldest pod on the node stands for it.
            let first = pods
                .iter()
                .min_by_key(|p| p.creation_timestamp.as_deref().unwrap_or_default())
                .unwrap_or(&pods[0]);
            if first.ready {
                ready += 1;
                match first.availability(min_ready, self.store.clock().now()) {
                    Ok(true) => available += 1,
                    Ok(false) => {}
                    Err(wait) => requeue = Some(requeue.map_or(wait, |w| w.min(wait))),
                }
            }
            if pods.iter().any(|p| is_updated(p)) {
                updated += 1;
            }
        }
        let mut status = json!({
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "observedGeneration": ds["metadata"]["generation"].as_i64().unwrap_or(1),
        });
        if updated > 0 {
            status["updatedNumberScheduled"] = json!(updated);
        }
        if available > 0 {
            status["numberAvailable"] = json!(available);
        }
        if desired - available > 0 {
            status["numberUnavailable"] = json!(desired - available);
        }
        for f in ["collisionCount", "conditions"] {
            if !ds["status"][f].is_null() {
                status[f] = ds["status"][f].clone();
            }
        }
        if let Some(d) = super::write_status(&self.store, &gr_daemonsets(), &ds, &status) {
            self.dss.insert(key.clone(), d);
        }

        requeue
    }
}

/// DaemonSet controller loop.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let clock = store.clock().clone();
    let recorder = Recorder::new(store.clone(), "daemonset-controller", "");
    let c = Controller {
        store,
        recorder,
        dss: HashMap::new(),
        uid_to_ds: HashMap::new(),
        nodes: BTreeMap::new(),
        pods: HashMap::new(),
        pods_by_owner: HashMap::new(),
        revisions: HashMap::new(),
        pod_owner: HashMap::new(),
        orphans: HashMap::new(),
        rev_orphans: HashMap::new(),
    };
    super::driver::drive(c, &clock, rx).await
}
