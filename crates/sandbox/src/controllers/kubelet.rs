//! The simulated kubelets (one task for all nodes) and the pod garbage collector: a pod bound
//! to a node starts after `kubelet_delay` (IPs, conditions, container statuses, image events),
//! a terminating pod is killed and removed after its grace (capped at 1 s), and pods bound to
//! a node that no longer exists are force-deleted.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::events::{EventType, Recorder};
use super::pods::{image_id, image_size, normalize_image, qos_class};
use super::scheduler::tolerates;
use super::ControllerOptions;
use super::{gr_nodes, gr_pods, is_terminating, name_of, next_batch, ns_of, uid_of, Batch};
use crate::runtime::Exit;
use crate::store::{EventType as Change, Store};

/// Longest time a terminating pod stays (the sandbox does not wait out 30 s graces).
const MAX_GRACE: Duration = Duration::from_secs(1);

type Key = (String, String);

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Start(Key, String),
    Remove(Key, String),
    Evict(Key, String),
    /// Start container (name) again after its exit (and back-off).
    Restart(Key, String, String),
    /// Every init container is done: start the app containers (see `init::init_done`).
    StartApps(Key, String),
    /// Run a probe: pod, uid, container name, container instance ID.
    Probe(Key, String, String, String, ProbeKind),
}

struct NodeNet {
    ip: Option<Ipv4Addr>,
    /// Network address of the pod CIDR (a /24).
    cidr: Option<Ipv4Addr>,
    /// Host offsets in the CIDR handed out to pods.
    used: BTreeSet<u32>,
    /// The node's NoExecute taints (pods not tolerating them are evicted).
    no_execute: Vec<Value>,
}

fn node_net(node: &Value) -> NodeNet {
    let ip = node["status"]["addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["type"] == "InternalIP")
        .and_then(|a| a["address"].as_str()?.parse().ok());
    let cidr = node["spec"]["podCIDR"]
        .as_str()
        .and_then(|c| c.split('/').next())
        .and_then(|a| a.parse().ok());
    NodeNet {
        ip,
        cidr,
        used: BTreeSet::new(),
        no_execute: node["spec"]["taints"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["effect"] == "NoExecute")
            .cloned()
            .collect(),
    }
}

/// Go's `time.Duration.String()` of a millisecond-truncated duration.
fn go_duration_ms(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = format!("{}.{:03}", ms / 1000, ms % 1000);
    format!("{}s", secs.trim_end_matches('0').trim_end_matches('.'))
}

use kcore::rand::random_hex;

mod init;
mod probes;
use init::{is_sidecar, ContainerKind};
use probes::{starts_ready, starts_started, ProbeKey, ProbeKind, ProbeResult};

fn status_mounts(c: &Value) -> Value {
    let mounts: Vec<Value> = c["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let mut s = json!({"name": m["name"], "mountPath": m["mountPath"]});
            if m["readOnly"].as_bool() == Some(true) {
                s["readOnly"] = json!(true);
                s["recursiveReadOnly"] = json!("Disabled");
            }
            s
        })
        .collect();
    json!(mounts)
}

struct Kubelet {
    store: Arc<Store>,
    delay: Duration,
    nodes: HashMap<String, NodeNet>,
    /// Pods per node (for pod GC when a node goes).
    on_node: HashMap<String, HashSet<Key>>,
    /// uid → (node, offset) of allocated pod IPs.
    ips: HashMap<String, (String, u32)>,
    /// uids whose start is scheduled or done.
    started: HashSet<String>,
    /// uids being killed.
    killing: HashSet<String>,
    /// Images already pulled per node (for IfNotPresent).
    pulled: HashSet<(String, String)>,
    /// Timers in cluster time (see `clock`).
    timers: BinaryHeap<Reverse<(DateTime<Utc>, u64, Action)>>,
    seq: u64,
    recorders: HashMap<String, Arc<Recorder>>,
    evictions: Arc<Recorder>,
    /// Where the simulated containers report their exits.
    exits: mpsc::UnboundedSender<Exit>,
    /// Crash back-off per (pod uid, container): last update and current back-off.
    backoff: HashMap<(String, String), (DateTime<Utc>, Duration)>,
    /// Where exec probes report their outcomes.
    probes: mpsc::UnboundedSender<ProbeResult>,
    /// Consecutive successes and failures per probe worker.
    probe_runs: HashMap<ProbeKey, (u32, u32)>,
}

impl Kubelet {
    fn recorder(&mut self, node: &str) -> Arc<Recorder> {
        let store = self.store.clone();
        self.recorders
            .entry(node.to_string())
            .or_insert_with(|| Arc::new(Recorder::new(store, "kubelet", node)))
            .clone()
    }

    fn at(&mut self, when: DateTime<Utc>, action: Action) {
        self.seq += 1;
        self.timers.push(Reverse((when, self.seq, action)));
    }

    fn relist(&mut self) {
        self.nodes.clear();
        self.on_node.clear();
        for n in self.store.list(&gr_nodes(), None).0 {
            self.nodes.insert(name_of(&n).to_string(), node_net(&n));
        }
        let mut ips = std::mem::take(&mut self.ips);
        for p in self.store.list(&gr_pods(), None).0 {
            // Keep known IP allocations; learn those of pods started before a resync.
            if let Some((node, off)) = ips.remove(uid_of(&p)) {
                self.ips.insert(uid_of(&p).to_string(), (node, off));
            }
            self.observe(&p);
        }
        for (node, net) in self.nodes.iter_mut() {
            net.used = self
                .ips
                .values()
                .filter(|(n, _)| n == node)
                .map(|(_, o)| *o)
                .collect();
        }
    }

    fn forget(&mut self, pod: &Value) {
        let uid = uid_of(pod);
        if let Some((node, off)) = self.ips.remove(uid) {
            if let Some(net) = self.nodes.get_mut(&node) {
                net.used.remove(&off);
            }
        }
        self.started.remove(uid);
        self.killing.remove(uid);
        self.store.runtime().remove_pod(uid);
        self.backoff.retain(|(u, _), _| u != uid);
        for list in ["containerStatuses", "initContainerStatuses"] {
            for cs in pod["status"][list].as_array().into_iter().flatten() {
                let id = cs["containerID"].as_str().unwrap_or_default();
                self.probe_runs.retain(|(i, _), _| i != id);
            }
        }
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        if let Some(set) = self.on_node.get_mut(node) {
            set.remove(&(ns_of(pod).to_string(), name_of(pod).to_string()));
        }
    }

    fn observe(&mut self, pod: &Value) {
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if node.is_empty() {
            return;
        }
        let key = (ns_of(pod).to_string(), name_of(pod).to_string());
        let uid = uid_of(pod).to_string();
        if !self.nodes.contains_key(&node) {
            // Pod GC: nothing runs on a node that does not exist.
            let _ = self.store.remove(&gr_pods(), &key.0, &key.1);
            return;
        }
        self.on_node
            .entry(node.clone())
            .or_default()
            .insert(key.clone());
        if is_terminating(pod) {
            if self.killing.insert(uid.clone()) {
                self.kill(pod, &node, key, uid);
            }
            return;
        }
        let tainted = self
            .nodes
            .get(&node)
            .is_some_and(|n| !n.no_execute.is_empty());
        if tainted && !self.started.contains(&uid) {
            self.check_taints(pod, false);
        }
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if matches!(phase, "Running" | "Succeeded" | "Failed") {
            if phase == "Running" {
                self.started.insert(uid.clone());
                self.learn_ip(pod, &node, &uid);
                if pod["spec"]["ephemeralContainers"].is_array() {
                    self.start_ephemeral(&key, &uid, &node);
                }
            }
            return;
        }
        if self.started.insert(uid.clone()) {
            if !self.delay.is_zero() && pod["status"]["containerStatuses"].is_null() {
                self.accept(&key, &uid, &node);
            }
            let when = self.store.clock().after(self.delay);
            self.at(when, Action::Start(key, uid));
        }
    }

    /// What a kubelet reports as soon as it takes a pod: Pending, containers being created.
    fn accept(&mut self, key: &Key, uid: &str, node: &str) {
        let Some(host_ip) = self.nodes.get(node).and_then(|n| n.ip) else {
            return;
        };
        let now = self.store.clock().rfc3339();
        let _ = self.store.modify_keep(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != uid || is_terminating(p) || !p["status"]["containerStatuses"].is_null()
            {
                return Ok(false);
            }
            p["status"] = pending_status(p, &host_ip.to_string(), &now);
            Ok(true)
        });
    }

    fn learn_ip(&mut self, pod: &Value, node: &str, uid: &str) {
        if self.ips.contains_key(uid) || pod["spec"]["hostNetwork"].as_bool() == Some(true) {
            return;
        }
        let Some(net) = self.nodes.get_mut(node) else {
            return;
        };
        let (Some(cidr), Some(ip)) = (
            net.cidr,
            pod["status"]["podIP"]
                .as_str()
                .and_then(|s| s.parse::<Ipv4Addr>().ok()),
        ) else {
            return;
        };
        let off = u32::from(ip).wrapping_sub(u32::from(cidr));
        if off < 256 {
            net.used.insert(off);
            self.ips.insert(uid.to_string(), (node.to_string(), off));
        }
    }

    fn kill(&mut self, pod: &Value, node: &str, key: Key, uid: String) {
        let rec = self.recorder(node);
        if pod["status"]["phase"] == "Running" {
            for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                let name = c["name"].as_str().unwrap_or_default();
                let fp = format!("spec.containers{{{name}}}");
                let msg = format!("Stopping container {name}");
                rec.container_event(pod, &fp, EventType::Normal, "Killing", &msg);
            }
        }
        // SIGTERM: a container ends at once unless its script traps it.
        self.store.runtime().terminate_pod(&uid);
        let grace = pod["metadata"]["deletionGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(0);
        let wait = Duration::from_secs(grace).min(MAX_GRACE);
        let when = self.store.clock().after(wait);
        self.at(when, Action::Remove(key, uid));
    }

    fn remove(&mut self, key: &Key, uid: &str) {
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        if uid_of(&pod) != uid {
            return;
        }
        let has_finalizers = pod["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        if has_finalizers {
            // Like a kubelet delete with grace 0: the object waits for its finalizers.
            let _ = self.store.modify_retry(&gr_pods(), &key.0, &key.1, |p| {
                if p["metadata"]["deletionGracePeriodSeconds"] == 0 {
                    return Ok(false);
                }
                p["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                Ok(true)
            });
        } else {
            let _ = self.store.remove(&gr_pods(), &key.0, &key.1);
        }
    }

    fn allocate_ip(&mut self, pod: &Value, node: &str, uid: &str) -> Option<String> {
        let net = self.nodes.get_mut(node)?;
        if pod["spec"]["hostNetwork"].as_bool() == Some(true) {
            return net.ip.map(|ip| ip.to_string());
        }
        if let Some((_, off)) = self.ips.get(uid) {
            return net
                .cidr
                .map(|c| Ipv4Addr::from(u32::from(c) + off).to_string());
        }
        let Some(cidr) = net.cidr else {
            return net.ip.map(|ip| ip.to_string());
        };
        let off = (2..255).find(|o| !net.used.contains(o))?;
        net.used.insert(off);
        self.ips.insert(uid.to_string(), (node.to_string(), off));
        Some(Ipv4Addr::from(u32::from(cidr) + off).to_string())
    }

    /// Image events for one container; returns nothing, the status is built separately.
    fn pull_and_start_events(&mut self, pod: &Value, node: &str, c: &Value, list: &str) {
        let rec = self.recorder(node);
        let name = c["name"].as_str().unwrap_or_default();
        let image = c["image"].as_str().unwrap_or_default();
        let fp = format!("spec.{list}{{{name}}}");
        let n = EventType::Normal;
        let policy = c["imagePullPolicy"].as_str().unwrap_or("IfNotPresent");
        let present = self.pulled.contains(&(node.to_string(), image.to_string()));
        if policy != "Always" && present {
            let msg = format!("Container image \"{image}\" already present on machine");
            rec.container_event(pod, &fp, n, "Pulled", &msg);
        } else {
            rec.container_event(
                pod,
                &fp,
                n,
                "Pulling",
                &format!("Pulling image \"{image}\""),
            );
            let ms = rand::thread_rng().gen_range(400..2500u64);
            let d = go_duration_ms(ms);
            let msg = format!(
                "Successfully pulled image \"{image}\" in {d} ({d} including waiting). \
                 Image size: {} bytes.",
                image_size(image)
            );
            rec.container_event(pod, &fp, n, "Pulled", &msg);
            self.pulled.insert((node.to_string(), image.to_string()));
        }
        rec.container_event(
            pod,
            &fp,
            n,
            "Created",
            &format!("Created container: {name}"),
        );
        rec.container_event(pod, &fp, n, "Started", &format!("Started container {name}"));
    }

    fn start(&mut self, key: &Key, uid: &str) {
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        if uid_of(&pod) != uid || is_terminating(&pod) || pod["status"]["phase"] == "Running" {
            return;
        }
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let Some(host_ip) = self.nodes.get(&node).and_then(|n| n.ip) else {
            return;
        };
        let Some(pod_ip) = self.allocate_ip(&pod, &node, uid) else {
            return;
        };
        if pod["spec"]["initContainers"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            self.start_initializing(key, uid, &host_ip.to_string(), &pod_ip);
            return;
        }
        for c in pod["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            self.pull_and_start_events(&pod, &node, &c, "containers");
        }
        let now = self.store.clock().rfc3339();
        let res = self.store.modify_retry(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != uid || is_terminating(p) {
                return Ok(false);
            }
            p["status"] = running_status(p, &host_ip.to_string(), &pod_ip, &now);
            refresh_ready(p, &now);
            Ok(true)
        });
        match res {
            Err(_) => {
                self.started.remove(uid);
            }
            Ok(p) => {
                let at = self.store.clock().now();
                for cs in p["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    self.run_container(&p, cs, at);
                }
            }
        }
    }

    /// Starts the ephemeral containers of a running pod that have no status yet (added
    /// through `pods/ephemeralcontainers`): image events, a running status in
    /// `ephemeralContainerStatuses`, then the process. They are never restarted.
    fn start_ephemeral(&mut self, key: &Key, uid: &str, node: &str) {
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        if uid_of(&pod) != uid || is_terminating(&pod) || pod["status"]["phase"] != "Running" {
            return;
        }
        let has_status = |name: &Value| {
            pod["status"]["ephemeralContainerStatuses"]
                .as_array()
                .is_some_and(|l| l.iter().any(|s| &s["name"] == name))
        };
        let new: Vec<Value> = pod["spec"]["ephemeralContainers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| !has_status(&c["name"]))
            .cloned()
            .collect();
        if new.is_empty() {
            return;
        }
        for c in &new {
            self.pull_and_start_events(&pod, node, c, "ephemeralContainers");
        }
        let now = self.store.clock().rfc3339();
        let res = self.store.modify_retry(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != uid || is_terminating(p) {
                return Ok(false);
            }
            let mut list = p["status"]["ephemeralContainerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for c in &new {
                if list.iter().any(|s| s["name"] == c["name"]) {
                    continue;
                }
                let mut cs = container_status(c, true, &now);
                cs["ready"] = json!(false);
                cs.as_object_mut().map(|o| o.remove("started"));
                list.push(cs);
            }
            p["status"]["ephemeralContainerStatuses"] = json!(list);
            Ok(true)
        });
        let Ok(p) = res else { return };
        let at = self.store.clock().now();
        for c in &new {
            let cs = p["status"]["ephemeralContainerStatuses"]
                .as_array()
                .and_then(|l| l.iter().find(|s| s["name"] == c["name"]))
                .cloned();
            if let Some(cs) = cs {
                let id = cs["containerID"].as_str().unwrap_or_default();
                self.store
                    .runtime()
                    .start(&self.store, &p, c, id, at, self.exits.clone());
            }
        }
    }

    /// An ephemeral container exited: its status says so (the pod's phase is unaffected).
    fn ephemeral_exited(&mut self, e: &Exit) -> bool {
        let key = (e.namespace.clone(), e.pod.clone());
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return false;
        };
        let is_ephemeral = pod["status"]["ephemeralContainerStatuses"]
            .as_array()
            .is_some_and(|l| {
                l.iter().any(|s| {
                    s["name"] == e.container.as_str() && s["containerID"] == e.container_id.as_str()
                })
            });
        if !is_ephemeral {
            return false;
        }
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let _ = self.store.modify_keep(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != e.pod_uid {
                return Ok(false);
            }
            let Some(list) = super::array_mut(&mut p["status"], "ephemeralContainerStatuses")
            else {
                return Ok(false);
            };
            let Some(cs) = list
                .iter_mut()
                .find(|s| s["containerID"] == e.container_id.as_str())
            else {
                return Ok(false);
            };
            cs["state"] = json!({"terminated": {
                "exitCode": e.code,
                "reason": if e.code == 0 { "Completed" } else { "Error" },
                "startedAt": fmt(e.started),
                "finishedAt": fmt(e.finished),
                "containerID": e.container_id,
            }});
            Ok(true)
        });
        true
    }

    /// Starts the process of the container whose status is `cs`.
    fn run_container(&mut self, pod: &Value, cs: &Value, at: DateTime<Utc>) {
        let name = cs["name"].as_str().unwrap_or_default();
        let Some(spec) = ["containers", "initContainers"].iter().find_map(|l| {
            pod["spec"][*l]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["name"] == name))
        }) else {
            return;
        };
        let id = cs["containerID"].as_str().unwrap_or_default();
        self.store
            .runtime()
            .start(&self.store, pod, spec, id, at, self.exits.clone());
        if ContainerKind::of(pod, name, id) != ContainerKind::Init {
            let spec = spec.clone();
            self.schedule_probes(pod, &spec, id, at);
        }
    }

    /// A container exited: record it, and restart it (after its back-off) or finish the pod.
    fn exited(&mut self, e: Exit) {
        if self.ephemeral_exited(&e) {
            return;
        }
        let key = (e.namespace.clone(), e.pod.clone());
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        if uid_of(&pod) != e.pod_uid || is_terminating(&pod) {
            return;
        }
        let policy = pod["spec"]["restartPolicy"]
            .as_str()
            .unwrap_or("Always")
            .to_string();
        let kind = ContainerKind::of(&pod, &e.container, &e.container_id);
        let restart = match kind {
            // A sidecar is restarted whatever the pod's policy; an init container that
            // succeeded is done, one that failed is retried unless the pod never restarts.
            ContainerKind::Sidecar => true,
            ContainerKind::Init => e.code != 0 && policy != "Never",
            ContainerKind::App => policy == "Always" || (policy == "OnFailure" && e.code != 0),
        };
        let (list, spec_list) = kind.lists();
        // The kubelet's crash back-off: the first restart is immediate, then 10s doubling to
        // 5m; it starts over once a container ran 10 minutes past the last back-off.
        let bkey = (e.pod_uid.clone(), e.container.clone());
        let in_backoff = match self.backoff.get(&bkey) {
            Some((last, _)) => (e.finished - *last).to_std().unwrap_or_default() <= MAX_BACKOFF * 2,
            None => false,
        };
        let delay = if in_backoff {
            self.backoff
                .get(&bkey)
                .map(|(_, d)| *d)
                .unwrap_or(INITIAL_BACKOFF)
        } else {
            Duration::ZERO
        };
        let finished = e.finished.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let started = e.started.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let terminated = json!({"terminated": {
            "exitCode": e.code,
            "reason": if e.code == 0 { "Completed" } else { "Error" },
            "startedAt": started,
            "finishedAt": finished,
            "containerID": e.container_id,
        }});
        let message = format!(
            "back-off {} restarting failed container={} pod={}_{}({})",
            go_duration_secs(delay.as_secs()),
            e.container,
            e.pod,
            e.namespace,
            e.pod_uid
        );
        let now = finished.clone();
        let mut applied = false;
        let res = self.store.modify_keep(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != e.pod_uid || is_terminating(p) {
                return Ok(false);
            }
            let Some(statuses) = super::array_mut(&mut p["status"], list) else {
                return Ok(false);
            };
            let Some(cs) = statuses.iter_mut().find(|c| {
                c["name"] == e.container.as_str() && c["containerID"] == e.container_id.as_str()
            }) else {
                return Ok(false);
            };
            // A completed init container counts as ready (the kubelet's prober manager).
            cs["ready"] = json!(kind == ContainerKind::Init && e.code == 0);
            cs["started"] = json!(false);
            if restart && !delay.is_zero() {
                cs["lastState"] = terminated.clone();
                cs["state"] =
                    json!({"waiting": {"reason": "CrashLoopBackOff", "message": message}});
            } else {
                cs["state"] = terminated.clone();
            }
            let all_done = statuses
                .iter()
                .all(|c| c["state"]["terminated"].is_object());
            if kind == ContainerKind::Init {
                if !restart && e.code != 0 {
                    // A failed init container of a pod that never restarts fails the pod.
                    finish_pod(p, true, &now);
                }
                init::refresh_initialized(p, &now);
            } else if kind == ContainerKind::App && !restart && all_done {
                let failed = statuses
                    .iter()
                    .any(|c| c["state"]["terminated"]["exitCode"].as_i64() != Some(0));
                finish_pod(p, failed, &now);
            } else {
                refresh_ready(p, &now);
            }
            applied = true;
            Ok(true)
        });
        if res.is_err() || !applied {
            return;
        }
        if kind == ContainerKind::Init && e.code == 0 {
            self.advance_init(&key, &e.pod_uid, e.finished);
            return;
        }
        if !restart {
            return;
        }
        if !delay.is_zero() {
            let node = pod["spec"]["nodeName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let rec = self.recorder(&node);
            let fp = format!("spec.{spec_list}{{{}}}", e.container);
            let msg = format!(
                "Back-off restarting failed container {} in pod {}_{}({})",
                e.container, e.pod, e.namespace, e.pod_uid
            );
            rec.container_event(&pod, &fp, EventType::Warning, "BackOff", &msg);
        }
        let next = if in_backoff {
            (delay * 2).min(MAX_BACKOFF)
        } else {
            INITIAL_BACKOFF
        };
        let when = e.finished + chrono::Duration::from_std(delay).unwrap_or_default();
        self.backoff.insert(bkey, (when, next));
        self.at(when, Action::Restart(key, e.pod_uid, e.container));
    }

    /// The back-off is over: a new instance of the container starts.
    fn restart(&mut self, key: &Key, uid: &str, container: &str, at: DateTime<Utc>) {
        let now = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let id = format!("containerd://{}", random_hex(64));
        let mut applied = false;
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        let kind = ContainerKind::of(&pod, container, "");
        let (list, spec_list) = kind.lists();
        let spec = pod["spec"][spec_list]
            .as_array()
            .and_then(|l| l.iter().find(|c| c["name"] == container))
            .cloned()
            .unwrap_or_default();
        let res = self.store.modify_keep(&gr_pods(), &key.0, &key.1, |p| {
            let phase_ok = match kind {
                ContainerKind::App => p["status"]["phase"] == "Running",
                _ => matches!(p["status"]["phase"].as_str(), Some("Running" | "Pending")),
            };
            if uid_of(p) != uid || is_terminating(p) || !phase_ok {
                return Ok(false);
            }
            let Some(statuses) = super::array_mut(&mut p["status"], list) else {
                return Ok(false);
            };
            let Some(cs) = statuses.iter_mut().find(|c| c["name"] == container) else {
                return Ok(false);
            };
            if cs["state"]["running"].is_object() {
                return Ok(false);
            }
            if cs["state"]["terminated"].is_object() {
                cs["lastState"] = json!({"terminated": cs["state"]["terminated"].clone()});
            }
            cs["state"] = json!({"running": {"startedAt": now}});
            cs["restartCount"] = json!(cs["restartCount"].as_i64().unwrap_or(0) + 1);
            cs["containerID"] = json!(id);
            // An init container is ready only once it completed; others once their probes
            // passed.
            cs["ready"] = json!(kind != ContainerKind::Init && starts_ready(&spec));
            cs["started"] = json!(kind == ContainerKind::Init || starts_started(&spec));
            if kind == ContainerKind::Init {
                init::refresh_initialized(p, &now);
            } else {
                refresh_ready(p, &now);
            }
            applied = true;
            Ok(true)
        });
        let Ok(p) = res else { return };
        if !applied {
            return;
        }
        let keep: HashSet<String> = ["containerStatuses", "initContainerStatuses"]
            .iter()
            .flat_map(|l| p["status"][*l].as_array().cloned().unwrap_or_default())
            .flat_map(|c| {
                [
                    c["containerID"].as_str().unwrap_or_default().to_string(),
                    c["lastState"]["terminated"]["containerID"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ]
            })
            .collect();
        // Only the current and the previous instance of each container keep their logs.
        self.store.runtime().forget_pod_logs_except(uid, &keep);
        let node = p["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let rec = self.recorder(&node);
        let fp = format!("spec.{spec_list}{{{container}}}");
        let image = p["spec"][spec_list]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == container))
            .and_then(|c| c["image"].as_str())
            .unwrap_or_default()
            .to_string();
        let msg = format!("Container image \"{image}\" already present on machine");
        rec.container_event(&p, &fp, EventType::Normal, "Pulled", &msg);
        rec.container_event(
            &p,
            &fp,
            EventType::Normal,
            "Created",
            &format!("Created container: {container}"),
        );
        rec.container_event(
            &p,
            &fp,
            EventType::Normal,
            "Started",
            &format!("Started container {container}"),
        );
        if let Some(cs) = p["status"][list]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == container))
        {
            let cs = cs.clone();
            self.run_container(&p, &cs, at);
        }
        if kind == ContainerKind::Sidecar {
            // A sidecar that starts again may let initialization go on.
            self.advance_init(key, uid, at);
        }
    }

    fn fire(&mut self, action: Action, when: DateTime<Utc>) {
        match action {
            Action::Start(key, uid) => self.start(&key, &uid),
            Action::Remove(key, uid) => self.remove(&key, &uid),
            Action::Restart(key, uid, c) => self.restart(&key, &uid, &c, when),
            Action::StartApps(key, uid) => self.finish_init(&key, &uid, when),
            Action::Probe(key, uid, c, id, kind) => self.fire_probe(key, uid, c, id, kind),
            Action::Evict(key, uid) => {
                if let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) {
                    if uid_of(&pod) == uid {
                        self.check_taints(&pod, true);
                    }
                }
            }
        }
    }

    /// The taint eviction controller: a pod on a node with a NoExecute taint it does not
    /// tolerate is deleted, at once or after its smallest matching `tolerationSeconds`.
    fn check_taints(&mut self, pod: &Value, timer_fired: bool) {
        if is_terminating(pod) {
            return;
        }
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        let Some(taints) = self.nodes.get(node).map(|n| n.no_execute.clone()) else {
            return;
        };
        let tolerations = pod["spec"]["tolerations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut wait: Option<u64> = None;
        for taint in &taints {
            let matching: Vec<&Value> =
                tolerations.iter().filter(|t| tolerates(t, taint)).collect();
            if matching.is_empty() {
                wait = Some(0);
                break;
            }
            // A toleration without tolerationSeconds tolerates forever.
            if let Some(secs) = matching
                .iter()
                .map(|t| t["tolerationSeconds"].as_i64())
                .collect::<Option<Vec<i64>>>()
                .and_then(|v| v.into_iter().min())
            {
                let secs = secs.max(0) as u64;
                wait = Some(wait.map_or(secs, |w| w.min(secs)));
            }
        }
        let Some(wait) = wait else { return };
        let key = (ns_of(pod).to_string(), name_of(pod).to_string());
        let uid = uid_of(pod).to_string();
        if wait > 0 && !timer_fired {
            let when = self.store.clock().after(Duration::from_secs(wait));
            self.at(when, Action::Evict(key, uid));
            return;
        }
        let msg = format!("Marking for deletion Pod {}/{}", key.0, key.1);
        let rec = self.evictions.clone();
        rec.event(
            &gr_pods(),
            pod,
            EventType::Normal,
            "TaintManagerEviction",
            &msg,
        );
        let _ = super::delete_object(&self.store, &gr_pods(), &key.0, &key.1);
    }
}

const INITIAL_BACKOFF: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Go's `time.Duration.String()` of whole seconds (10s, 1m20s, 5m0s).
fn go_duration_secs(s: u64) -> String {
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{}h{}m{}s", s / 3600, s % 3600 / 60, s % 60)
    }
}

fn set_condition(p: &mut Value, t: &str, ok: bool, reason: Option<(&str, String)>, now: &str) {
    let Some(conds) = super::array_mut(&mut p["status"], "conditions") else {
        return;
    };
    let Some(c) = conds.iter_mut().find(|c| c["type"] == t) else {
        return;
    };
    let status = if ok { "True" } else { "False" };
    if c["status"] != status {
        c["lastTransitionTime"] = json!(now);
    }
    c["status"] = json!(status);
    let Some(m) = c.as_object_mut() else { return };
    match reason {
        Some((r, msg)) => {
            m.insert("reason".into(), json!(r));
            if msg.is_empty() {
                m.remove("message");
            } else {
                m.insert("message".into(), json!(msg));
            }
        }
        None => {
            m.remove("reason");
            m.remove("message");
        }
    }
}

/// Ready/ContainersReady from the container statuses (sidecars first, as the kubelet lists
/// them).
fn refresh_ready(p: &mut Value, now: &str) {
    let unready_in = |spec_list: &str, list: &str, only_sidecars: bool| -> Vec<String> {
        p["spec"][spec_list]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| !only_sidecars || is_sidecar(c))
            .filter_map(|c| c["name"].as_str())
            .filter(|n| {
                !p["status"][list]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|s| s["name"] == *n && s["ready"] == true)
            })
            .map(str::to_string)
            .collect()
    };
    let mut unready = unready_in("initContainers", "initContainerStatuses", true);
    unready.extend(unready_in("containers", "containerStatuses", false));
    let reason = (!unready.is_empty()).then(|| {
        (
            "ContainersNotReady",
            format!("containers with unready status: [{}]", unready.join(" ")),
        )
    });
    set_condition(p, "Ready", unready.is_empty(), reason.clone(), now);
    set_condition(p, "ContainersReady", unready.is_empty(), reason, now);
}

/// Every container ended and none restarts: the pod Succeeded or Failed.
fn finish_pod(p: &mut Value, failed: bool, now: &str) {
    p["status"]["phase"] = json!(if failed { "Failed" } else { "Succeeded" });
    let reason = if failed { "PodFailed" } else { "PodCompleted" };
    set_condition(p, "PodReadyToStartContainers", false, None, now);
    if !failed {
        if let Some(conds) = super::array_mut(&mut p["status"], "conditions") {
            if let Some(c) = conds.iter_mut().find(|c| c["type"] == "Initialized") {
                c["reason"] = json!("PodCompleted");
            }
        }
    }
    set_condition(p, "Ready", false, Some((reason, String::new())), now);
    set_condition(
        p,
        "ContainersReady",
        false,
        Some((reason, String::new())),
        now,
    );
}

fn container_status(c: &Value, running: bool, now: &str) -> Value {
    let image = c["image"].as_str().unwrap_or_default();
    let state = if running {
        json!({"running": {"startedAt": now}})
    } else {
        json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now,
            "finishedAt": now, "containerID": ""}})
    };
    let id = format!("containerd://{}", random_hex(64));
    let mut s = json!({
        "name": c["name"],
        "state": state,
        "lastState": {},
        "ready": running && starts_ready(c),
        "restartCount": 0,
        "image": normalize_image(image),
        "imageID": image_id(image),
        "containerID": id,
        "started": running && starts_started(c),
        "volumeMounts": status_mounts(c),
    });
    if !running {
        s["state"]["terminated"]["containerID"] = json!(id);
    }
    let res = &c["resources"];
    if res.as_object().is_some_and(|r| !r.is_empty()) {
        s["resources"] = res.clone();
    }
    if s["volumeMounts"].as_array().is_some_and(|m| m.is_empty()) {
        s.as_object_mut().map(|o| o.remove("volumeMounts"));
    }
    s
}

fn waiting_status(c: &Value, reason: &str) -> Value {
    let mut s = json!({
        "name": c["name"],
        "state": {"waiting": {"reason": reason}},
        "lastState": {},
        "ready": false,
        "restartCount": 0,
        "image": c["image"],
        "imageID": "",
        "started": false,
        "volumeMounts": status_mounts(c),
    });
    if c["resources"].as_object().is_some_and(|r| !r.is_empty()) {
        s["resources"] = c["resources"].clone();
    }
    if s["volumeMounts"].as_array().is_some_and(|m| m.is_empty()) {
        s.as_object_mut().map(|o| o.remove("volumeMounts"));
    }
    s
}

fn names(pod: &Value, list: &str) -> String {
    let n: Vec<&str> = pod["spec"][list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    n.join(" ")
}

/// The status a kubelet reports between taking a pod and its containers running.
fn pending_status(pod: &Value, host_ip: &str, now: &str) -> Value {
    let gen = pod["metadata"]["generation"].as_i64();
    let cond = |t: &str, ok: bool, reason: Option<(&str, String)>| {
        let mut c = json!({"type": t, "status": if ok { "True" } else { "False" },
            "lastProbeTime": null, "lastTransitionTime": now});
        if let Some((r, m)) = reason {
            c["reason"] = json!(r);
            c["message"] = json!(m);
        }
        if let Some(g) = gen {
            c["observedGeneration"] = json!(g);
        }
        c
    };
    let has_init = pod["spec"]["initContainers"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    let not_ready = format!(
        "containers with unready status: [{}]",
        names(pod, "containers")
    );
    let initialized = if has_init {
        let msg = format!(
            "containers with incomplete status: [{}]",
            names(pod, "initContainers")
        );
        cond(
            "Initialized",
            false,
            Some(("ContainersNotInitialized", msg)),
        )
    } else {
        cond("Initialized", true, None)
    };
    let scheduled = scheduled_condition(pod, now);
    let waiting = if has_init {
        "PodInitializing"
    } else {
        "ContainerCreating"
    };
    let mut containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| waiting_status(c, if has_init { "PodInitializing" } else { waiting }))
        .collect();
    containers.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut status = json!({
        "phase": "Pending",
        "conditions": [
            cond("PodReadyToStartContainers", false, None),
            initialized,
            cond("Ready", false, Some(("ContainersNotReady", not_ready.clone()))),
            cond("ContainersReady", false, Some(("ContainersNotReady", not_ready))),
            scheduled,
        ],
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "startTime": now,
        "containerStatuses": containers,
        "qosClass": pod["status"]["qosClass"].as_str().unwrap_or_else(|| qos_class(pod)),
    });
    if has_init {
        let inits: Vec<Value> = pod["spec"]["initContainers"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, c)| {
                waiting_status(
                    c,
                    if i == 0 {
                        "ContainerCreating"
                    } else {
                        "PodInitializing"
                    },
                )
            })
            .collect();
        status["initContainerStatuses"] = json!(inits);
    }
    if let Some(g) = gen {
        status["observedGeneration"] = json!(g);
    }
    status
}

/// The pod's PodScheduled condition as the scheduler wrote it (a true one, set now, if none).
fn scheduled_condition(pod: &Value, now: &str) -> Value {
    pod["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "PodScheduled").cloned())
        .unwrap_or_else(|| {
            json!({"type": "PodScheduled", "status": "True",
            "lastProbeTime": null, "lastTransitionTime": now})
        })
}

/// The status a kubelet reports once the pod's containers run.
fn running_status(pod: &Value, host_ip: &str, pod_ip: &str, now: &str) -> Value {
    let gen = pod["metadata"]["generation"].as_i64();
    let cond = |t: &str| {
        let mut c = json!({"type": t, "status": "True", "lastProbeTime": null,
            "lastTransitionTime": now});
        if let Some(g) = gen {
            c["observedGeneration"] = json!(g);
        }
        c
    };
    let scheduled = scheduled_condition(pod, now);
    let statuses = |list: &str, running: bool| {
        let mut v: Vec<Value> = pod["spec"][list]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| container_status(c, running, now))
            .collect();
        if running {
            v.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        }
        v
    };
    let containers = statuses("containers", true);
    let inits = statuses("initContainers", false);
    let mut status = json!({
        "phase": "Running",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"),
            cond("ContainersReady"), scheduled],
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": pod["status"]["startTime"].as_str().unwrap_or(now),
        "containerStatuses": containers,
        // Fixed at creation by the registry; computed only for pods stored without it.
        "qosClass": pod["status"]["qosClass"].as_str().unwrap_or_else(|| qos_class(pod)),
    });
    if !inits.is_empty() {
        status["initContainerStatuses"] = json!(inits);
    }
    if let Some(g) = gen {
        status["observedGeneration"] = json!(g);
    }
    status
}

/// Kubelet loop for every node.
pub async fn run(store: Arc<Store>, opts: ControllerOptions, mut rx: crate::store::Receiver) {
    let (exits_tx, mut exits) = mpsc::unbounded_channel();
    let (probes_tx, mut probes) = mpsc::unbounded_channel();
    let mut k = Kubelet {
        probes: probes_tx,
        probe_runs: HashMap::new(),
        exits: exits_tx,
        backoff: HashMap::new(),
        delay: opts.kubelet_delay,
        nodes: HashMap::new(),
        on_node: HashMap::new(),
        ips: HashMap::new(),
        started: HashSet::new(),
        killing: HashSet::new(),
        pulled: HashSet::new(),
        timers: BinaryHeap::new(),
        seq: 0,
        evictions: Arc::new(Recorder::new(
            store.clone(),
            "taint-eviction-controller",
            "",
        )),
        store,
        recorders: HashMap::new(),
    };
    k.relist();
    loop {
        // Fire due timers first (a burst of starts is one pass).
        let clock = k.store.clock().clone();
        let now = clock.now();
        while let Some(Reverse((when, _, _))) = k.timers.peek() {
            if *when > now {
                break;
            }
            let Some(Reverse((when, _, action))) = k.timers.pop() else {
                break;
            };
            super::guarded(|| k.fire(action, when));
        }
        let next = k.timers.peek().map(|Reverse((w, _, _))| *w);
        let timer = async {
            match next {
                Some(when) => clock.sleep_until(when).await,
                None => std::future::pending().await,
            }
        };
        let batch = tokio::select! {
            b = next_batch(&mut rx) => Some(b),
            _ = timer => None,
            Some(e) = exits.recv() => {
                super::guarded(|| k.exited(e));
                None
            }
            Some(r) = probes.recv() => {
                super::guarded(|| k.probe_result(r));
                None
            }
        };
        match batch {
            None => {}
            Some(Batch::Closed) => return,
            Some(Batch::Resync) => k.relist(),
            Some(Batch::Events(evs)) => {
                for ev in evs {
                    if ev.gr == gr_nodes() {
                        if ev.kind == Change::Deleted {
                            k.nodes.remove(&ev.name);
                            let orphans = k.on_node.remove(&ev.name).unwrap_or_default();
                            for (ns, name) in orphans {
                                let _ = k.store.remove(&gr_pods(), &ns, &name);
                            }
                        } else {
                            let fresh = node_net(&ev.object);
                            let net = k
                                .nodes
                                .entry(ev.name.clone())
                                .or_insert(node_net(&ev.object));
                            let taints_changed = net.no_execute != fresh.no_execute;
                            net.ip = fresh.ip;
                            net.cidr = fresh.cidr;
                            net.no_execute = fresh.no_execute;
                            if taints_changed {
                                let keys: Vec<Key> = k
                                    .on_node
                                    .get(&ev.name)
                                    .into_iter()
                                    .flatten()
                                    .cloned()
                                    .collect();
                                for (ns, name) in keys {
                                    if let Some(p) = k.store.get(&gr_pods(), &ns, &name) {
                                        k.check_taints(&p, false);
                                    }
                                }
                            }
                        }
                    } else if ev.gr == gr_pods() {
                        if ev.kind == Change::Deleted {
                            k.forget(&ev.object);
                        } else {
                            super::guarded(|| k.observe(&ev.object));
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
    use crate::controllers::testutil::{eventually, eventually_gone, opts, reference};
    use crate::controllers::{nodes, pods::create_pod};

    /// A store with the nodes and a running kubelet.
    async fn start(o: ControllerOptions) -> (Arc<Store>, tokio::task::JoinHandle<()>) {
        let store = Arc::new(Store::new());
        nodes::bootstrap(&store, &o);
        let h = tokio::spawn(run(store.clone(), o, store.subscribe()));
        tokio::task::yield_now().await;
        (store, h)
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration_ms(512), "512ms");
        assert_eq!(go_duration_ms(1234), "1.234s");
        assert_eq!(go_duration_ms(1500), "1.5s");
        assert_eq!(go_duration_ms(2000), "2s");
    }

    #[tokio::test]
    async fn bound_pod_runs_then_terminates() {
        let (store, h) = start(opts()).await;
        let pod = json!({"metadata": {"name": "web", "namespace": "default"},
            "spec": {"nodeName": "kind-multinodes-worker2",
                "containers": [{"name": "c", "image": "nginx:1.27",
                    "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
                "initContainers": [{"name": "init", "image": "busybox"}]}});
        create_pod(&store, pod).unwrap();
        let p = eventually(5, "pod running", || async {
            store
                .get(&gr_pods(), "default", "web")
                .filter(|p| p["status"]["phase"] == "Running")
        })
        .await;
        let st = &p["status"];
        assert_eq!(st["hostIP"], "172.18.0.5");
        assert_eq!(st["podIP"], "10.244.2.2");
        // The init container has no limits, so the pod is not Guaranteed.
        assert_eq!(st["qosClass"], "Burstable");
        let types: Vec<_> = st["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].clone())
            .collect();
        let want = reference("pods-list.json");
        let want_types: Vec<_> = want["items"][0]["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].clone())
            .collect();
        assert_eq!(types, want_types);
        assert_eq!(
            st["initContainerStatuses"][0]["state"]["terminated"]["reason"],
            "Completed"
        );
        let cs = &st["containerStatuses"][0];
        assert_eq!(cs["image"], "docker.io/library/nginx:1.27");
        assert_eq!(
            cs["containerID"].as_str().unwrap().len(),
            "containerd://".len() + 64
        );
        assert_eq!(cs["ready"], true);
        let (evs, _) = store.list(&super::super::gr_events(), Some("default"));
        let reasons: Vec<_> = evs
            .iter()
            .filter(|e| e["involvedObject"]["name"] == "web")
            .map(|e| {
                (
                    e["reason"].as_str().unwrap(),
                    e["message"].as_str().unwrap(),
                )
            })
            .collect();
        assert!(
            reasons.contains(&("Created", "Created container: c")),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&("Started", "Started container init")),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&("Pulling", "Pulling image \"nginx:1.27\"")),
            "{reasons:?}"
        );

        crate::controllers::delete_object(&store, &gr_pods(), "default", "web").unwrap();
        let p = store.get(&gr_pods(), "default", "web").unwrap();
        assert_eq!(p["metadata"]["deletionGracePeriodSeconds"], 30);
        eventually_gone(&store, &gr_pods(), "default", "web").await;
        let (evs, _) = store.list(&super::super::gr_events(), Some("default"));
        assert!(evs
            .iter()
            .any(|e| e["reason"] == "Killing" && e["message"] == "Stopping container c"));
        h.abort();
    }

    #[tokio::test]
    async fn accepted_pod_is_container_creating_until_the_delay_passes() {
        let (store, h) = start(ControllerOptions {
            kubelet_delay: Duration::from_secs(3600),
            ..opts()
        })
        .await;
        let pod = json!({"metadata": {"name": "slow", "namespace": "default"},
            "spec": {"nodeName": "kind-multinodes-worker", "containers": [{"name": "b", "image": "x"},
                {"name": "a", "image": "y"}]}});
        create_pod(&store, pod).unwrap();
        let p = eventually(5, "pending status", || async {
            store
                .get(&gr_pods(), "default", "slow")
                .filter(|p| p["status"]["hostIP"].is_string())
        })
        .await;
        let st = &p["status"];
        assert_eq!(st["phase"], "Pending");
        assert_eq!(st["containerStatuses"][0]["name"], "a");
        assert_eq!(
            st["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ContainerCreating"
        );
        assert_eq!(
            st["conditions"][2]["message"],
            "containers with unready status: [b a]"
        );
        assert_eq!(st["conditions"][0]["status"], "False");
        h.abort();
    }

    #[tokio::test]
    async fn pods_on_missing_nodes_are_collected() {
        let (store, h) = start(opts()).await;
        let pod = json!({"metadata": {"name": "lost", "namespace": "default"},
            "spec": {"nodeName": "nowhere", "containers": [{"name": "c", "image": "x"}]}});
        create_pod(&store, pod).unwrap();
        eventually_gone(&store, &gr_pods(), "default", "lost").await;
        h.abort();
    }
}
