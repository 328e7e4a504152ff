//! The scheduler: binds pods without `spec.nodeName` to a fitting node (node unschedulable,
//! taints vs tolerations, nodeSelector, required node affinity incl. `matchFields`, the `pods`
//! capacity) preferring the node with the fewest pods; writes `Scheduled`, or leaves the pod
//! Pending with `PodScheduled=False` and a `FailedScheduling` event worded like the real one.
//! The node predicates are shared with the DaemonSet controller.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::events::{record_new_style, EventType};
use super::{gr_nodes, gr_pods, is_terminating, name_of, next_batch, Batch, ControllerOptions};
use crate::store::{EventType as Change, Store};

/// Whether one `nodeSelectorRequirement` holds for a value (None = key absent).
fn requirement_holds(req: &Value, value: Option<&str>) -> bool {
    let values = req["values"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let contains = |v: &str| values.iter().any(|x| x.as_str() == Some(v));
    let num = |s: &str| s.parse::<i64>().ok();
    match req["operator"].as_str().unwrap_or_default() {
        "In" => value.is_some_and(contains),
        "NotIn" => value.is_none_or(|v| !contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" => {
            matches!((value.and_then(num), values.first().and_then(|v| v.as_str()).and_then(num)),
            (Some(a), Some(b)) if a > b)
        }
        "Lt" => {
            matches!((value.and_then(num), values.first().and_then(|v| v.as_str()).and_then(num)),
            (Some(a), Some(b)) if a < b)
        }
        _ => false,
    }
}

/// One `nodeSelectorTerm`: all expressions and fields hold (an empty term matches nothing).
fn term_matches(term: &Value, node: &Value) -> bool {
    let exprs = term["matchExpressions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let fields = term["matchFields"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    let labels = &node["metadata"]["labels"];
    exprs.iter().all(|r| {
        requirement_holds(
            r,
            labels
                .get(r["key"].as_str().unwrap_or_default())
                .and_then(|v| v.as_str()),
        )
    }) && fields.iter().all(|r| {
        let v = match r["key"].as_str() {
            Some("metadata.name") => Some(name_of(node)),
            _ => None,
        };
        requirement_holds(r, v)
    })
}

/// The node names a pod's required affinity restricts it to, when every term is only a
/// `metadata.name In [...]` field match.
fn pinned_nodes(spec: &Value) -> Option<HashSet<&str>> {
    let terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        ["nodeSelectorTerms"]
        .as_array()?;
    let mut names = HashSet::new();
    for t in terms {
        if t["matchExpressions"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
        {
            return None;
        }
        let fields = t["matchFields"].as_array()?;
        let [f] = fields.as_slice() else { return None };
        if f["key"] != "metadata.name" || f["operator"] != "In" {
            return None;
        }
        names.extend(f["values"].as_array()?.iter().filter_map(|v| v.as_str()));
    }
    (!terms.is_empty()).then_some(names)
}

/// nodeSelector and required node affinity (the NodeAffinity filter).
pub fn matches_node_selector_and_affinity(spec: &Value, node: &Value) -> bool {
    let labels = &node["metadata"]["labels"];
    if let Some(sel) = spec["nodeSelector"].as_object() {
        if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    let required =
        &spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
    match required["nodeSelectorTerms"].as_array() {
        Some(terms) if required.is_object() => terms.iter().any(|t| term_matches(t, node)),
        _ => true,
    }
}

/// Whether a toleration tolerates a taint (v1.Toleration.ToleratesTaint).
pub fn tolerates(tol: &Value, taint: &Value) -> bool {
    let effect = tol["effect"].as_str().unwrap_or_default();
    if !effect.is_empty() && Some(effect) != taint["effect"].as_str() {
        return false;
    }
    let key = tol["key"].as_str().unwrap_or_default();
    if !key.is_empty() && Some(key) != taint["key"].as_str() {
        return false;
    }
    match tol["operator"].as_str().unwrap_or("Equal") {
        "Exists" => true,
        "Equal" | "" => {
            tol["value"].as_str().unwrap_or_default() == taint["value"].as_str().unwrap_or_default()
        }
        _ => false,
    }
}

/// The first NoSchedule/NoExecute taint of the node the tolerations don't tolerate.
pub fn untolerated_taint<'a>(tolerations: &[Value], node: &'a Value) -> Option<&'a Value> {
    node["spec"]["taints"].as_array()?.iter().find(|t| {
        matches!(t["effect"].as_str(), Some("NoSchedule") | Some("NoExecute"))
            && !tolerations.iter().any(|tol| tolerates(tol, t))
    })
}

fn pod_capacity(node: &Value) -> usize {
    node["status"]["allocatable"]["pods"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(110)
}

/// Why a node does not fit a pod (the first failing filter, in the scheduler's order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Misfit {
    Unschedulable,
    Taint(String),
    Affinity,
    TooManyPods,
}

impl Misfit {
    fn text(&self) -> String {
        match self {
            Misfit::Unschedulable => "node(s) were unschedulable".into(),
            Misfit::Taint(t) => format!("node(s) had untolerated taint {{{t}}}"),
            Misfit::Affinity => "node(s) didn't match Pod's node affinity/selector".into(),
            Misfit::TooManyPods => "Too many pods".into(),
        }
    }
    /// Preemption could help only when removing pods frees room.
    fn preemption_helps(&self) -> bool {
        matches!(self, Misfit::TooManyPods)
    }
}

fn check(pod: &Value, node: &Value, pods_on_node: usize) -> Result<(), Misfit> {
    let spec = &pod["spec"];
    let tolerations = spec["tolerations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if node["spec"]["unschedulable"].as_bool() == Some(true) {
        let taint = json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"});
        if !tolerations.iter().any(|t| tolerates(t, &taint)) {
            return Err(Misfit::Unschedulable);
        }
    }
    if let Some(t) = untolerated_taint(tolerations, node) {
        let key = t["key"].as_str().unwrap_or_default();
        let value = t["value"].as_str().unwrap_or_default();
        return Err(Misfit::Taint(format!("{key}: {value}")));
    }
    if !matches_node_selector_and_affinity(spec, node) {
        return Err(Misfit::Affinity);
    }
    if pods_on_node >= pod_capacity(node) {
        return Err(Misfit::TooManyPods);
    }
    Ok(())
}

/// The FailedScheduling message for per-node failures.
fn failure_message(total: usize, misfits: &[Misfit]) -> String {
    if total == 0 {
        return "no nodes available to schedule pods".into();
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut helpless, mut helpful) = (0, 0);
    for m in misfits {
        *counts.entry(m.text()).or_default() += 1;
        if m.preemption_helps() {
            helpful += 1;
        } else {
            helpless += 1;
        }
    }
    let mut reasons: Vec<String> = counts.iter().map(|(t, n)| format!("{n} {t}")).collect();
    reasons.sort();
    let mut pre = Vec::new();
    if helpful > 0 {
        pre.push(format!(
            "{helpful} No preemption victims found for incoming pod"
        ));
    }
    if helpless > 0 {
        pre.push(format!(
            "{helpless} Preemption is not helpful for scheduling"
        ));
    }
    pre.sort();
    format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
        reasons.join(", "),
        pre.join(", ")
    )
}

fn is_ours(pod: &Value) -> bool {
    matches!(
        pod["spec"]["schedulerName"].as_str(),
        None | Some("default-scheduler")
    )
}

fn set_condition(pod: &mut Value, cond: Value) {
    if !pod["status"].is_object() {
        pod["status"] = json!({});
    }
    let status = &mut pod["status"];
    let mut conds: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    match conds.iter_mut().find(|c| c["type"] == cond["type"]) {
        Some(c) => *c = cond,
        None => conds.push(cond),
    }
    status["conditions"] = json!(conds);
}

struct Scheduler {
    store: Arc<Store>,
    instance: String,
    nodes: BTreeMap<String, Value>,
    /// Bound, not finished pods per node.
    load: HashMap<String, usize>,
    /// (namespace, name) → node of bound pods (to release load on deletion).
    bound: HashMap<(String, String), String>,
    /// Unscheduled pods waiting for a node.
    pending: BTreeSet<(String, String)>,
    /// Last failure message per pod, to write each distinct one once.
    reported: HashMap<(String, String), String>,
}

fn finished(pod: &Value) -> bool {
    matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded") | Some("Failed")
    )
}

impl Scheduler {
    fn relist(&mut self) {
        self.nodes.clear();
        self.load.clear();
        self.bound.clear();
        self.pending.clear();
        for n in self.store.list(&gr_nodes(), None).0 {
            self.nodes.insert(name_of(&n).to_string(), n);
        }
        for p in self.store.list(&gr_pods(), None).0 {
            self.observe_pod(Change::Added, &p);
        }
    }

    fn release(&mut self, key: &(String, String)) {
        if let Some(node) = self.bound.remove(key) {
            if let Some(n) = self.load.get_mut(&node) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Updates the caches; true when capacity was freed.
    fn observe_pod(&mut self, kind: Change, pod: &Value) -> bool {
        let key = (super::ns_of(pod).to_string(), name_of(pod).to_string());
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        if kind == Change::Deleted || finished(pod) {
            self.pending.remove(&key);
            self.reported.remove(&key);
            let freed = self.bound.contains_key(&key);
            self.release(&key);
            return freed;
        }
        if !node.is_empty() {
            self.pending.remove(&key);
            if let std::collections::hash_map::Entry::Vacant(e) = self.bound.entry(key) {
                e.insert(node.to_string());
                *self.load.entry(node.to_string()).or_default() += 1;
            }
        } else if is_ours(pod) && !is_terminating(pod) && pod["spec"].is_object() {
            self.pending.insert(key);
        }
        false
    }

    fn schedule(&mut self, key: &(String, String)) {
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            self.pending.remove(key);
            return;
        };
        if !pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
            || is_terminating(&pod)
        {
            self.pending.remove(key);
            return;
        }
        let mut best: Option<(&String, usize)> = None;
        let mut misfits = Vec::new();
        // Like the NodeAffinity PreFilter: a pod pinned to named nodes (DaemonSet pods) is
        // only checked against those; every other node fails on affinity.
        let pinned = pinned_nodes(&pod["spec"]);
        let candidates: Vec<(&String, &Value)> = match &pinned {
            Some(names) => {
                let found: Vec<(&String, &Value)> = self
                    .nodes
                    .iter()
                    .filter(|(n, _)| names.contains(n.as_str()))
                    .collect();
                misfits.extend((found.len()..self.nodes.len()).map(|_| Misfit::Affinity));
                found
            }
            None => self.nodes.iter().collect(),
        };
        for (name, node) in candidates {
            let load = self.load.get(name).copied().unwrap_or(0);
            match check(&pod, node, load) {
                Ok(()) => {
                    if best.is_none_or(|(_, l)| load < l) {
                        best = Some((name, load));
                    }
                }
                Err(m) => misfits.push(m),
            }
        }
        match best.map(|(n, _)| n.clone()) {
            Some(node) => self.bind(key, &node),
            None => self.fail(key, &pod, failure_message(self.nodes.len(), &misfits)),
        }
    }

    fn bind(&mut self, key: &(String, String), node: &str) {
        let now = self.store.clock().rfc3339();
        let res = self.store.modify_retry(&gr_pods(), &key.0, &key.1, |p| {
            if !p["spec"]["nodeName"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
                || is_terminating(p)
            {
                return Ok(false);
            }
            p["spec"]["nodeName"] = json!(node);
            set_condition(
                p,
                json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null,
                    "lastTransitionTime": now}),
            );
            Ok(true)
        });
        self.pending.remove(key);
        self.reported.remove(key);
        if let Ok(pod) = res {
            if pod["spec"]["nodeName"] == json!(node) {
                self.bound.insert(key.clone(), node.to_string());
                *self.load.entry(node.to_string()).or_default() += 1;
                let msg = format!("Successfully assigned {}/{} to {node}", key.0, key.1);
                record_new_style(
                    &self.store,
                    &gr_pods(),
                    &pod,
                    EventType::Normal,
                    "Scheduled",
                    "Binding",
                    &msg,
                    "default-scheduler",
                    &self.instance,
                );
            }
        }
    }

    fn fail(&mut self, key: &(String, String), pod: &Value, msg: String) {
        if self.reported.get(key) == Some(&msg) {
            return;
        }
        self.reported.insert(key.clone(), msg.clone());
        let now = self.store.clock().rfc3339();
        let res = self.store.modify_retry(&gr_pods(), &key.0, &key.1, |p| {
            p["status"]["phase"] = json!("Pending");
            set_condition(
                p,
                json!({"type": "PodScheduled", "status": "False", "lastProbeTime": null,
                    "lastTransitionTime": now, "reason": "Unschedulable", "message": msg}),
            );
            Ok(true)
        });
        let pod = res.unwrap_or_else(|_| pod.clone());
        record_new_style(
            &self.store,
            &gr_pods(),
            &pod,
            EventType::Warning,
            "FailedScheduling",
            "Scheduling",
            &msg,
            "default-scheduler",
            &self.instance,
        );
    }
}

/// Scheduler loop.
pub async fn run(store: Arc<Store>, opts: ControllerOptions, mut rx: crate::store::Receiver) {
    let mut s = Scheduler {
        store,
        instance: format!("default-scheduler-{}-control-plane", opts.name),
        nodes: BTreeMap::new(),
        load: HashMap::new(),
        bound: HashMap::new(),
        pending: BTreeSet::new(),
        reported: HashMap::new(),
    };
    s.relist();
    let mut retry_all = true;
    let mut fresh: Vec<(String, String)> = Vec::new();
    loop {
        if retry_all {
            fresh = s.pending.iter().cloned().collect();
        }
        for key in std::mem::take(&mut fresh) {
            if s.pending.contains(&key) {
                super::guarded(|| s.schedule(&key));
            }
        }
        retry_all = false;
        let batch = next_batch(&mut rx).await;
        match super::settle(&mut rx, batch).await {
            Batch::Closed => return,
            Batch::Resync => {
                s.relist();
                retry_all = true;
            }
            Batch::Events(evs) => {
                for ev in evs {
                    if ev.gr == gr_nodes() {
                        match ev.kind {
                            Change::Deleted => s.nodes.remove(&ev.name),
                            _ => s.nodes.insert(ev.name.clone(), Value::clone(&ev.object)),
                        };
                        retry_all = true;
                    } else if ev.gr == gr_pods() {
                        let was_pending =
                            s.pending.contains(&(ev.namespace.clone(), ev.name.clone()));
                        if s.observe_pod(ev.kind, &ev.object) {
                            retry_all = true;
                        }
                        let key = (ev.namespace.clone(), ev.name.clone());
                        if !was_pending && s.pending.contains(&key) {
                            fresh.push(key);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, labels: Value, taints: Value) -> Value {
        json!({"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints},
            "status": {"allocatable": {"pods": "2"}}})
    }

    #[test]
    fn affinity_and_selector() {
        let n = node("w1", json!({"disk": "ssd", "gen": "5"}), json!([]));
        let by_name = json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                "values": ["w1"]}]}]}}}});
        assert!(matches_node_selector_and_affinity(&by_name, &n));
        let other = json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                "values": ["w2"]}]}, {"matchExpressions": [{"key": "gen", "operator": "Gt",
                "values": ["4"]}]}]}}}});
        assert!(matches_node_selector_and_affinity(&other, &n));
        assert!(!matches_node_selector_and_affinity(
            &json!({"nodeSelector": {"disk": "hdd"}}),
            &n
        ));
        assert!(matches_node_selector_and_affinity(
            &json!({"nodeSelector": {"disk": "ssd"}}),
            &n
        ));
    }

    #[test]
    fn taints_and_tolerations() {
        let n = node(
            "cp",
            json!({}),
            json!([{"key": "node-role.kubernetes.io/control-plane",
            "effect": "NoSchedule"}]),
        );
        assert!(untolerated_taint(&[], &n).is_some());
        let tol = [json!({"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"})];
        assert!(untolerated_taint(&tol, &n).is_none());
        assert!(untolerated_taint(&[json!({"operator": "Exists"})], &n).is_none());
        let pod = json!({"spec": {}});
        assert_eq!(
            check(&pod, &n, 0),
            Err(Misfit::Taint(
                "node-role.kubernetes.io/control-plane: ".into()
            ))
        );
        let w = node("w", json!({}), json!([]));
        assert_eq!(check(&pod, &w, 2), Err(Misfit::TooManyPods));
    }

    #[test]
    fn failure_messages_read_like_the_scheduler() {
        assert_eq!(
            failure_message(2, &[Misfit::Affinity, Misfit::Affinity]),
            "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. \
             preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
        );
        assert_eq!(
            failure_message(
                3,
                &[
                    Misfit::TooManyPods,
                    Misfit::Taint("a: ".into()),
                    Misfit::Affinity
                ]
            ),
            "0/3 nodes are available: 1 Too many pods, 1 node(s) didn't match Pod's node \
             affinity/selector, 1 node(s) had untolerated taint {a: }. preemption: 0/3 nodes are \
             available: 1 No preemption victims found for incoming pod, 2 Preemption is not \
             helpful for scheduling."
        );
        assert_eq!(
            failure_message(0, &[]),
            "no nodes available to schedule pods"
        );
    }
}
