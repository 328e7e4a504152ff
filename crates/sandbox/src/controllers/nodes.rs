//! Nodes: the kind-like nodes created at start, the node part of the simulated kubelets (status
//! for nodes registered through the API without one, lease renewal every 10 s, condition
//! heartbeats every 40 s) and the node events kubelet and node-controller write.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::events::{EventType, Recorder};
use super::{
    apply_defaults, gr_leases, gr_nodes, name_of, next_batch, uid_of, Batch, ControllerOptions,
};
use crate::clock::Ticker;
use crate::store::{new_uid, EventType as Change, Store, WatchEvent};

const LEASE_RENEW: Duration = Duration::from_secs(10);
const HEARTBEAT: Duration = Duration::from_secs(40);
const REGISTER_DELAY: Duration = Duration::from_secs(1);

/// The first worker's InternalIP; later nodes count up from it (kind's docker network).
const FIRST_WORKER_IP: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 4);
const CONTROL_PLANE_IP: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 3);

/// Where the `kubernetes` Service's endpoints point: the control plane's address.
pub const APISERVER_IP: &str = "172.18.0.3";

/// Worker names as kind makes them: `<name>-worker`, `<name>-worker2`, …
pub fn worker_name(cluster: &str, i: usize) -> String {
    if i == 0 {
        format!("{cluster}-worker")
    } else {
        format!("{cluster}-worker{}", i + 1)
    }
}

/// The node's pod CIDR: the control plane gets 10.244.0.0/24, worker i gets the (i+1)th /24.
fn pod_cidr(index: u32) -> String {
    let a = 244 + (index >> 8);
    format!("10.{a}.{}.0/24", index & 0xff)
}

use kcore::rand::random_hex;

fn node_conditions(now: &str) -> Value {
    let c = |t: &str, s: &str, reason: &str, msg: &str| {
        json!({"type": t, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now,
            "reason": reason, "message": msg})
    };
    json!([
        c(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        c(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        c(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        c(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status"
        ),
    ])
}

/// A node's status as its kubelet reports it.
fn node_status(now: &str, name: &str, ip: Ipv4Addr, version: &str) -> Value {
    let machine = random_hex(32);
    let resources = json!({"cpu": "8", "ephemeral-storage": "263174212Ki", "hugepages-1Gi": "0",
        "hugepages-2Mi": "0", "memory": "32863360Ki", "pods": "110"});
    json!({
        "capacity": resources,
        "allocatable": resources,
        "conditions": node_conditions(now),
        "addresses": [{"type": "InternalIP", "address": ip.to_string()},
            {"type": "Hostname", "address": name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": machine,
            "systemUUID": machine,
            "bootID": new_uid(),
            "kernelVersion": "6.18.44-fc-v669",
            "osImage": "Debian GNU/Linux 12 (bookworm)",
            "containerRuntimeVersion": "containerd://2.1.3",
            "kubeletVersion": version,
            "kubeProxyVersion": "",
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    })
}

fn base_labels(name: &str) -> Value {
    json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    })
}

/// A complete kind-like Node object (before the store adds identity).
pub fn node_object(
    now: &str,
    cluster: &str,
    name: &str,
    ip: Ipv4Addr,
    cidr_index: u32,
    version: &str,
    control_plane: bool,
) -> Value {
    let mut labels = base_labels(name);
    let mut spec = json!({
        "podCIDR": pod_cidr(cidr_index),
        "podCIDRs": [pod_cidr(cidr_index)],
        "providerID": format!("kind://docker/{cluster}/{name}"),
    });
    if control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        spec["taints"] =
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    }
    json!({
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": node_status(now, name, ip, version),
    })
}

fn lease_object(node: &Value, now: &str) -> Value {
    json!({
        "kind": "Lease",
        "apiVersion": "coordination.k8s.io/v1",
        "metadata": {
            "name": name_of(node),
            "namespace": "kube-node-lease",
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name_of(node),
                "uid": uid_of(node)}],
        },
        "spec": {
            "holderIdentity": name_of(node),
            "leaseDurationSeconds": 40,
            "renewTime": now,
        },
    })
}

/// The events a kubelet and the node controller write when a node joins.
fn node_join_events(store: &Arc<Store>, node: &Value) {
    let name = name_of(node);
    let kubelet = Recorder::new(store.clone(), "kubelet", name);
    // The kubelet refers to its node by name, with the name as uid.
    let by_name = json!({"kind": "Node", "name": name, "uid": name});
    let n = EventType::Normal;
    kubelet.record(by_name.clone(), None, n, "Starting", "Starting kubelet.");
    kubelet.record(
        by_name.clone(),
        None,
        n,
        "NodeAllocatableEnforced",
        "Updated Node Allocatable limit across pods",
    );
    for reason in [
        "NodeHasSufficientMemory",
        "NodeHasNoDiskPressure",
        "NodeHasSufficientPID",
    ] {
        let msg = format!("Node {name} status is now: {reason}");
        kubelet.record(by_name.clone(), None, n, reason, &msg);
    }
    let msg = format!("Node {name} status is now: NodeReady");
    kubelet.record(by_name, None, n, "NodeReady", &msg);
}

/// The node lifecycle controller's event for nodes it has just started watching.
fn registered_events(store: &Arc<Store>, nodes: &[Value]) {
    let controller = Recorder::new(store.clone(), "node-controller", "");
    for node in nodes {
        let name = name_of(node);
        let by_uid = json!({"kind": "Node", "name": name, "uid": uid_of(node), "apiVersion": "v1"});
        let msg = format!("Node {name} event: Registered Node {name} in Controller");
        controller.record(by_uid, None, EventType::Normal, "RegisteredNode", &msg);
    }
}

/// Registers nodes with the node controller a moment after they joined (as the real one
/// notices them a few seconds later).
fn register_later(store: &Arc<Store>, nodes: Vec<Value>) {
    let store = store.clone();
    tokio::spawn(async move {
        store.clock().sleep(REGISTER_DELAY).await;
        let live: Vec<Value> = nodes
            .into_iter()
            .filter(|n| store.get(&gr_nodes(), "", name_of(n)).is_some())
            .collect();
        registered_events(&store, &live);
    });
}

/// Creates the initial nodes, their leases and join events.
pub fn bootstrap(store: &Arc<Store>, opts: &ControllerOptions) {
    let mut specs = Vec::new();
    if opts.control_plane {
        specs.push((
            format!("{}-control-plane", opts.name),
            CONTROL_PLANE_IP,
            0,
            true,
        ));
    }
    for i in 0..opts.nodes {
        let ip = Ipv4Addr::from(u32::from(FIRST_WORKER_IP) + i as u32);
        specs.push((worker_name(&opts.name, i), ip, i as u32 + 1, false));
    }
    for (name, ip, cidr, cp) in specs {
        let now = store.clock().rfc3339();
        let mut node = node_object(&now, &opts.name, &name, ip, cidr, &opts.server_version, cp);
        apply_defaults(&gr_nodes(), &mut node);
        if let Ok(created) = store.create(&gr_nodes(), node) {
            let _ = store.create(&gr_leases(), lease_object(&created, &store.clock().micro()));
            node_join_events(store, &created);
        }
    }
}

fn internal_ip(node: &Value) -> Option<Ipv4Addr> {
    node["status"]["addresses"]
        .as_array()?
        .iter()
        .find(|a| a["type"] == "InternalIP")
        .and_then(|a| a["address"].as_str()?.parse().ok())
}

/// Gives a node registered through the API without a status what its kubelet would report.
fn register(
    store: &Arc<Store>,
    opts: &ControllerOptions,
    node: &Value,
    nodes: &BTreeMap<String, Value>,
) {
    let used_ips: Vec<Ipv4Addr> = nodes.values().filter_map(internal_ip).collect();
    let mut ip = FIRST_WORKER_IP;
    while used_ips.contains(&ip) {
        ip = Ipv4Addr::from(u32::from(ip) + 1);
    }
    let used_cidrs: Vec<&str> = nodes
        .values()
        .filter_map(|n| n["spec"]["podCIDR"].as_str())
        .collect();
    let mut idx = 1;
    while used_cidrs.contains(&pod_cidr(idx).as_str()) {
        idx += 1;
    }
    let name = name_of(node).to_string();
    let res = store.modify_retry(&gr_nodes(), "", &name, |n| {
        if n["status"]["conditions"].is_array() {
            return Ok(false);
        }
        let labels = &mut n["metadata"]["labels"];
        if !labels.is_object() {
            *labels = json!({});
        }
        for (k, v) in base_labels(&name).as_object().into_iter().flatten() {
            if labels.get(k).is_none() {
                labels[k] = v.clone();
            }
        }
        if n["spec"]["podCIDR"].as_str().unwrap_or_default().is_empty() {
            n["spec"]["podCIDR"] = json!(pod_cidr(idx));
            n["spec"]["podCIDRs"] = json!([pod_cidr(idx)]);
        }
        let mut status = node_status(&store.clock().rfc3339(), &name, ip, &opts.server_version);
        // Keep what the user did set (defaulting leaves empty placeholders elsewhere).
        for k in ["capacity", "allocatable", "addresses"] {
            let given = &n["status"][k];
            let non_empty = given.as_object().is_some_and(|o| !o.is_empty())
                || given.as_array().is_some_and(|a| !a.is_empty());
            if non_empty {
                status[k] = given.clone();
            }
        }
        n["status"] = status;
        Ok(true)
    });
    if let Ok(updated) = res {
        if store.get(&gr_leases(), "kube-node-lease", &name).is_none() {
            let _ = store.create(&gr_leases(), lease_object(&updated, &store.clock().micro()));
        }
        node_join_events(store, &updated);
        register_later(store, vec![updated]);
    }
}

fn renew_leases(store: &Store, nodes: &BTreeMap<String, Value>) {
    let now = store.clock().micro();
    for name in nodes.keys() {
        let _ = store.modify(&gr_leases(), "kube-node-lease", name, |l| {
            l["spec"]["renewTime"] = json!(now);
            Ok(true)
        });
    }
}

fn heartbeat(store: &Store, nodes: &BTreeMap<String, Value>) {
    let now = store.clock().rfc3339();
    for name in nodes.keys() {
        let _ = store.modify(&gr_nodes(), "", name, |n| {
            let Some(conds) = n
                .get_mut("status")
                .and_then(|s| super::array_mut(s, "conditions"))
            else {
                return Ok(false);
            };
            for c in conds {
                c["lastHeartbeatTime"] = json!(now);
            }
            Ok(true)
        });
    }
}

fn observe(nodes: &mut BTreeMap<String, Value>, ev: &WatchEvent) -> bool {
    if ev.gr != gr_nodes() {
        return false;
    }
    match ev.kind {
        Change::Deleted => {
            nodes.remove(&ev.name);
            false
        }
        _ => {
            let fresh = !ev.object["status"]["conditions"].is_array();
            nodes.insert(ev.name.clone(), Value::clone(&ev.object));
            fresh
        }
    }
}

/// The node loop: registers API-created nodes, renews leases, sends heartbeats, and deletes
/// a node's lease when the node goes away.
pub async fn run(store: Arc<Store>, opts: ControllerOptions, mut rx: crate::store::Receiver) {
    let mut nodes: BTreeMap<String, Value> = BTreeMap::new();
    let relist = |nodes: &mut BTreeMap<String, Value>| {
        nodes.clear();
        for n in store.list(&gr_nodes(), None).0 {
            nodes.insert(name_of(&n).to_string(), n);
        }
    };
    relist(&mut nodes);
    // The bootstrap nodes get registered once the controllers run.
    register_later(&store, nodes.values().cloned().collect());
    let mut lease_tick = Ticker::new(store.clock(), LEASE_RENEW);
    let mut beat_tick = Ticker::new(store.clock(), HEARTBEAT);
    lease_tick.tick().await;
    beat_tick.tick().await;
    loop {
        let mut to_register = Vec::new();
        tokio::select! {
            batch = next_batch(&mut rx) => match batch {
                Batch::Closed => return,
                Batch::Resync => {
                    relist(&mut nodes);
                    to_register = nodes.values()
                        .filter(|n| !n["status"]["conditions"].is_array()).cloned().collect();
                }
                Batch::Events(evs) => {
                    for ev in &evs {
                        if observe(&mut nodes, ev) {
                            to_register.push(Value::clone(&ev.object));
                        }
                        if ev.gr == gr_nodes() && ev.kind == Change::Deleted {
                            let _ = store.remove(&gr_leases(), "kube-node-lease", &ev.name);
                        }
                    }
                }
            },
            _ = lease_tick.tick() => {
                renew_leases(&store, &nodes);
                super::leases::renew(&store);
            }
            _ = beat_tick.tick() => heartbeat(&store, &nodes),
        }
        for node in to_register {
            if nodes.contains_key(name_of(&node)) {
                super::guarded(|| register(&store, &opts, &node, &nodes));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testutil::{eventually, eventually_gone, opts, reference};
    use crate::controllers::SERVER_VERSION;

    #[test]
    fn names_and_cidrs() {
        assert_eq!(worker_name("kind-multinodes", 0), "kind-multinodes-worker");
        assert_eq!(worker_name("kind-multinodes", 1), "kind-multinodes-worker2");
        assert_eq!(pod_cidr(1), "10.244.1.0/24");
        assert_eq!(pod_cidr(256), "10.245.0.0/24");
    }

    #[test]
    fn nodes_look_like_reference() {
        let store = Arc::new(Store::new());
        bootstrap(&store, &opts());
        let (nodes, _) = store.list(&gr_nodes(), None);
        let want = reference("nodes-list.json");
        assert_eq!(nodes.len(), 2);
        for (got, want) in nodes.iter().zip(want["items"].as_array().unwrap()) {
            assert_eq!(got["metadata"]["name"], want["metadata"]["name"]);
            assert_eq!(got["metadata"]["labels"], want["metadata"]["labels"]);
            assert_eq!(
                got["metadata"]["annotations"],
                want["metadata"]["annotations"]
            );
            assert_eq!(got["spec"], want["spec"]);
            let (mut gs, mut ws) = (got["status"].clone(), want["status"].clone());
            for s in [&mut gs, &mut ws] {
                for f in ["machineID", "systemUUID", "bootID"] {
                    assert_eq!(
                        s["nodeInfo"][f].as_str().unwrap().len(),
                        want["status"]["nodeInfo"][f].as_str().unwrap().len()
                    );
                    s["nodeInfo"][f] = json!(null);
                }
                for c in s["conditions"].as_array_mut().unwrap() {
                    c["lastHeartbeatTime"] = json!(null);
                    c["lastTransitionTime"] = json!(null);
                }
            }
            assert_eq!(gs, ws);
        }
        let lease = store
            .get(&gr_leases(), "kube-node-lease", "kind-multinodes-worker")
            .unwrap();
        assert_eq!(lease["spec"]["holderIdentity"], "kind-multinodes-worker");
        let (evs, _) = store.list(&super::super::gr_events(), Some("default"));
        // Kubelet events now; RegisteredNode comes from the running node loop.
        assert_eq!(evs.len(), 12);
    }

    #[test]
    fn control_plane_node_is_tainted() {
        let store = Arc::new(Store::new());
        let o = ControllerOptions {
            control_plane: true,
            nodes: 1,
            ..opts()
        };
        bootstrap(&store, &o);
        let cp = store
            .get(&gr_nodes(), "", "kind-multinodes-control-plane")
            .unwrap();
        assert_eq!(
            cp["spec"]["taints"][0]["key"],
            "node-role.kubernetes.io/control-plane"
        );
        assert_eq!(cp["spec"]["podCIDR"], "10.244.0.0/24");
        let w = store
            .get(&gr_nodes(), "", "kind-multinodes-worker")
            .unwrap();
        assert_eq!(internal_ip(&w), Some(FIRST_WORKER_IP));
    }

    #[tokio::test]
    async fn api_created_node_gets_a_status_and_lease() {
        let store = Arc::new(Store::new());
        let o = opts();
        bootstrap(&store, &o);
        let h = tokio::spawn(run(store.clone(), o, store.subscribe()));
        tokio::task::yield_now().await;
        store
            .create(&gr_nodes(), json!({"metadata": {"name": "extra"}}))
            .unwrap();
        let n = eventually(5, "node status", || async {
            store
                .get(&gr_nodes(), "", "extra")
                .filter(|n| n["status"]["conditions"].is_array())
        })
        .await;
        assert_eq!(internal_ip(&n), Some(Ipv4Addr::new(172, 18, 0, 6)));
        assert_eq!(n["spec"]["podCIDR"], "10.244.3.0/24");
        assert_eq!(n["metadata"]["labels"]["kubernetes.io/hostname"], "extra");
        assert_eq!(n["status"]["nodeInfo"]["kubeletVersion"], SERVER_VERSION);
        assert_eq!(
            n["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"],
            10250
        );
        assert!(store
            .get(&gr_leases(), "kube-node-lease", "extra")
            .is_some());
        eventually(5, "RegisteredNode events", || async {
            let (evs, _) = store.list(&super::super::gr_events(), Some("default"));
            let n = evs
                .iter()
                .filter(|e| e["reason"] == "RegisteredNode")
                .count();
            (n == 3).then_some(())
        })
        .await;
        store.remove(&gr_nodes(), "", "extra").unwrap();
        eventually_gone(&store, &gr_leases(), "kube-node-lease", "extra").await;
        h.abort();
    }
}
