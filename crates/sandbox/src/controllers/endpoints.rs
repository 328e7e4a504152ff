//! Service endpoints: the `kubernetes` Service the API server publishes (with its Endpoints
//! and EndpointSlice), and the endpoints + endpointslice controllers that keep an Endpoints
//! object and an EndpointSlice per selector Service in step with the pods it selects.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::driver::KeyedController;
use super::podview::PodView;
use super::{apply_defaults, gr_pods, is_terminating, name_of, ns_of, uid_of};
use crate::store::{EventType as Change, Store, WatchEvent};

const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

pub(crate) use super::{gr_endpoints, gr_endpointslices, gr_services};

type Key = (String, String);

/// The API server's own Service, `default/kubernetes` (10.96.0.1:443 → apiserver:6443), with
/// its Endpoints and EndpointSlice pointing at the control plane address.
pub fn bootstrap(store: &Store, apiserver_ip: &str) {
    if store.get(&gr_services(), "default", "kubernetes").is_some() {
        return;
    }
    let mut svc = json!({
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": "kubernetes", "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "ports": [{"name": "https", "protocol": "TCP", "port": 443, "targetPort": 6443}],
            "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "type": "ClusterIP",
            "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
        },
        "status": {"loadBalancer": {}},
    });
    apply_defaults(&gr_services(), &mut svc);
    let _ = store.create(&gr_services(), svc);
    let ports = json!([{"name": "https", "port": 6443, "protocol": "TCP"}]);
    let ep = json!({
        "kind": "Endpoints", "apiVersion": "v1",
        "metadata": {"name": "kubernetes", "namespace": "default",
            "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": apiserver_ip}], "ports": ports}],
    });
    let _ = store.create(&gr_endpoints(), ep);
    let slice = json!({
        "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"name": "kubernetes", "namespace": "default",
            "labels": {SERVICE_NAME_LABEL: "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [apiserver_ip], "conditions": {"ready": true}}],
        "ports": ports,
    });
    let _ = store.create(&gr_endpointslices(), slice);
}

fn selector_matches(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|sel| !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

/// The container port a Service port targets on a pod (named ports are looked up).
fn target_port(svc_port: &Value, pod: &PodView) -> Option<i64> {
    let target = if svc_port["targetPort"].is_null() {
        &svc_port["port"]
    } else {
        &svc_port["targetPort"]
    };
    if let Some(n) = target.as_i64() {
        return Some(n);
    }
    pod.named_port(target.as_str()?)
}

fn target_ref(pod: &PodView) -> Value {
    json!({"kind": "Pod", "namespace": pod.namespace, "name": pod.name, "uid": pod.uid})
}

/// What the Endpoints object's subsets and the slice's endpoints/ports should be.
fn desired(svc: &Value, pods: &[&PodView]) -> (Value, Value, Value) {
    let svc_ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    let mut slice_endpoints = Vec::new();
    let mut ports: Option<Vec<Value>> = None;
    let mut sorted: Vec<&&PodView> = pods.iter().collect();
    sorted.sort_by(|a, b| a.pod_ip.cmp(&b.pod_ip));
    for pod in sorted {
        let Some(ip) = pod.pod_ip.as_deref() else {
            continue;
        };
        let resolved: Vec<Value> = svc_ports
            .iter()
            .filter_map(|p| {
                let port = target_port(p, pod)?;
                let mut e =
                    json!({"port": port, "protocol": p["protocol"].as_str().unwrap_or("TCP")});
                if let Some(n) = p["name"].as_str().filter(|n| !n.is_empty()) {
                    e["name"] = json!(n);
                }
                Some(e)
            })
            .collect();
        if resolved.is_empty() && !svc_ports.is_empty() {
            continue;
        }
        ports.get_or_insert(resolved);
        let mut addr = json!({"ip": ip, "targetRef": target_ref(pod)});
        let node = pod.node_name.as_str();
        if !node.is_empty() {
            addr["nodeName"] = json!(node);
        }
        let is_ready = pod.ready && !pod.terminating;
        if is_ready {
            ready.push(addr);
        } else {
            not_ready.push(addr);
        }
        let mut ep = json!({
            "addresses": [ip],
            "conditions": {"ready": is_ready, "serving": pod.ready,
                "terminating": pod.terminating},
            "targetRef": target_ref(pod),
        });
        if !node.is_empty() {
            ep["nodeName"] = json!(node);
        }
        slice_endpoints.push(ep);
    }
    let ports = ports.unwrap_or_default();
    let subsets = if ready.is_empty() && not_ready.is_empty() {
        Value::Null
    } else {
        let mut subset = json!({"ports": ports});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        json!([subset])
    };
    // Slice ports always carry a name ("" when the Service port has none).
    let slice_ports: Vec<Value> = if ports.is_empty() {
        svc_ports
            .iter()
            .filter_map(|p| {
                let port = p["targetPort"].as_i64().or(p["port"].as_i64())?;
                Some(
                    json!({"name": p["name"].as_str().unwrap_or(""), "port": port,
                    "protocol": p["protocol"].as_str().unwrap_or("TCP")}),
                )
            })
            .collect()
    } else {
        ports
            .iter()
            .map(|p| {
                let mut p = p.clone();
                if p.get("name").is_none() {
                    p["name"] = json!("");
                }
                p
            })
            .collect()
    };
    (subsets, json!(slice_endpoints), json!(slice_ports))
}

struct Controller {
    store: Arc<Store>,
    services: HashMap<Key, Value>,
    /// Pods by namespace: their views (shared with the other pod-indexing controllers).
    pods: HashMap<String, HashMap<String, Arc<PodView>>>,
}

impl Controller {
    fn write_endpoints(&self, svc: &Value, subsets: Value, now: &str) {
        let (ns, name) = (ns_of(svc), name_of(svc));
        let labels = svc["metadata"]["labels"].clone();
        match self.store.get(&gr_endpoints(), ns, name) {
            Some(cur) => {
                if cur["subsets"] == subsets && cur["metadata"]["labels"] == labels {
                    return;
                }
                let _ = self.store.modify_retry(&gr_endpoints(), ns, name, |e| {
                    e["metadata"]["labels"] = labels.clone();
                    if !e["metadata"]["annotations"].is_object() {
                        e["metadata"]["annotations"] = json!({});
                    }
                    e["metadata"]["annotations"][TRIGGER_TIME] = json!(now);
                    match subsets.is_null() {
                        true => e.as_object_mut().map(|o| o.remove("subsets")),
                        false => e
                            .as_object_mut()
                            .map(|o| o.insert("subsets".into(), subsets.clone())),
                    };
                    Ok(true)
                });
            }
            None => {
                let mut ep = json!({
                    "kind": "Endpoints", "apiVersion": "v1",
                    "metadata": {"name": name, "namespace": ns,
                        "annotations": {TRIGGER_TIME: now}},
                });
                if labels.is_object() {
                    ep["metadata"]["labels"] = labels;
                }
                if !subsets.is_null() {
                    ep["subsets"] = subsets;
                }
                let _ = self.store.create(&gr_endpoints(), ep);
            }
        }
    }

    fn write_slice(&self, svc: &Value, endpoints: Value, ports: Value, now: &str) {
        let ns = ns_of(svc);
        let mut labels = svc["metadata"]["labels"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        labels.insert(SERVICE_NAME_LABEL.into(), json!(name_of(svc)));
        labels.insert(MANAGED_BY_LABEL.into(), json!(MANAGED_BY));
        let labels = Value::Object(labels);
        let existing = self
            .store
            .list(&gr_endpointslices(), Some(ns))
            .0
            .into_iter()
            .find(|s| {
                s["metadata"]["labels"][SERVICE_NAME_LABEL] == json!(name_of(svc))
                    && s["metadata"]["labels"][MANAGED_BY_LABEL] == MANAGED_BY
            });
        match existing {
            Some(cur) => {
                let same = cur["endpoints"] == endpoints
                    && cur["ports"] == ports
                    && cur["metadata"]["labels"] == labels;
                if same {
                    return;
                }
                let _ = self
                    .store
                    .modify_retry(&gr_endpointslices(), ns, name_of(&cur), |s| {
                        s["endpoints"] = endpoints.clone();
                        s["ports"] = ports.clone();
                        s["metadata"]["labels"] = labels.clone();
                        if !s["metadata"]["annotations"].is_object() {
                            s["metadata"]["annotations"] = json!({});
                        }
                        s["metadata"]["annotations"][TRIGGER_TIME] = json!(now);
                        Ok(true)
                    });
            }
            None => {
                let slice = json!({
                    "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
                    "metadata": {
                        "generateName": format!("{}-", name_of(svc)),
                        "namespace": ns,
                        "labels": labels,
                        "annotations": {TRIGGER_TIME: now},
                        "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                            "name": name_of(svc), "uid": uid_of(svc), "controller": true,
                            "blockOwnerDeletion": true}],
                        "generation": 1,
                    },
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                });
                let _ = self.store.create(&gr_endpointslices(), slice);
            }
        }
    }
}

impl KeyedController for Controller {
    /// Rebuilds the cache from the store; returns every key.
    fn relist(&mut self) -> Vec<Key> {
        self.services.clear();
        self.pods.clear();
        for s in self.store.list(&gr_services(), None).0 {
            self.services
                .insert((ns_of(&s).to_string(), name_of(&s).to_string()), s);
        }
        for p in self
            .store
            .list_stored(&gr_pods(), None)
            .0
            .iter()
            .map(|s| s.pod_view())
        {
            self.pods
                .entry(p.namespace.clone())
                .or_default()
                .insert(p.name.clone(), p);
        }
        self.services.keys().cloned().collect()
    }

    fn observe(&mut self, ev: &WatchEvent, dirty: &mut BTreeSet<Key>) {
        let key = (ev.namespace.clone(), ev.name.clone());
        if ev.gr == gr_services() {
            if ev.kind == Change::Deleted {
                self.services.remove(&key);
                // The slice goes with its owner (GC); the Endpoints by name.
                let _ = self.store.remove(&gr_endpoints(), &key.0, &key.1);
            } else {
                self.services.insert(key.clone(), Value::clone(&ev.object));
                dirty.insert(key);
            }
        } else if ev.gr == gr_pods() {
            let old = self.pods.get(&key.0).and_then(|m| m.get(&key.1)).cloned();
            let now = ev.object.pod_view();
            if ev.kind == Change::Deleted {
                if let Some(m) = self.pods.get_mut(&key.0) {
                    m.remove(&key.1);
                }
            } else {
                self.pods
                    .entry(key.0.clone())
                    .or_default()
                    .insert(key.1.clone(), Arc::clone(&now));
            }
            // Services selecting the pod before or after the change.
            for (skey, svc) in &self.services {
                if skey.0 != key.0 {
                    continue;
                }
                let sel = &svc["spec"]["selector"];
                let hit = selector_matches(sel, &now.labels)
                    || old
                        .as_ref()
                        .is_some_and(|o| selector_matches(sel, &o.labels));
                if hit {
                    dirty.insert(skey.clone());
                }
            }
        }
    }

    fn sync(&mut self, key: &Key) -> Option<Duration> {
        let svc = self.services.get(key).cloned()?;
        let selector = &svc["spec"]["selector"];
        if !selector_matches(selector, selector) || is_terminating(&svc) {
            // No selector: the user manages the endpoints.
            return None;
        }
        let pods: Vec<&PodView> = self
            .pods
            .get(&key.0)
            .into_iter()
            .flat_map(|m| m.values())
            .map(|p| &**p)
            .filter(|p| selector_matches(selector, &p.labels))
            .filter(|p| !p.finished())
            .collect();
        let (subsets, endpoints, ports) = desired(&svc, &pods);
        let now = self.store.clock().rfc3339();
        self.write_endpoints(&svc, subsets, &now);
        self.write_slice(&svc, endpoints, ports, &now);

        None
    }
}

/// Endpoints and EndpointSlice controller loop.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let clock = store.clock().clone();
    let c = Controller {
        store,
        services: HashMap::new(),
        pods: HashMap::new(),
    };
    super::driver::drive(c, &clock, rx).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testutil::{eventually, opts, user_create};
    use crate::controllers::{deployment, spawn};

    #[tokio::test]
    async fn services_get_endpoints_of_ready_pods() {
        let store = Arc::new(Store::new());
        let handles = spawn(store.clone(), opts());
        let k = store
            .get(&gr_services(), "default", "kubernetes")
            .expect("kubernetes service");
        assert_eq!(k["spec"]["clusterIP"], "10.96.0.1");
        let kep = store.get(&gr_endpoints(), "default", "kubernetes").unwrap();
        assert_eq!(kep["subsets"][0]["ports"][0]["port"], 6443);

        user_create(
            &store,
            &deployment::gr_deployments(),
            json!({
            "kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx",
                        "ports": [{"name": "http", "containerPort": 8080}]}]}}}}),
        );
        user_create(
            &store,
            &gr_services(),
            json!({
            "kind": "Service", "apiVersion": "v1",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.10",
                "ports": [{"port": 80, "targetPort": "http"}]}}),
        );
        let ep = eventually(10, "two ready addresses", || async {
            let ep = store.get(&gr_endpoints(), "default", "web")?;
            (ep["subsets"][0]["addresses"].as_array()?.len() == 2).then_some(ep)
        })
        .await;
        let subset = &ep["subsets"][0];
        assert_eq!(subset["ports"], json!([{"port": 8080, "protocol": "TCP"}]));
        assert_eq!(subset["addresses"][0]["targetRef"]["kind"], "Pod");
        assert!(subset["addresses"][0]["ip"]
            .as_str()
            .unwrap()
            .starts_with("10.244."));
        let slices: Vec<Value> = store
            .list(&gr_endpointslices(), Some("default"))
            .0
            .into_iter()
            .filter(|s| s["metadata"]["labels"][SERVICE_NAME_LABEL] == "web")
            .collect();
        assert_eq!(slices.len(), 1);
        let s = &slices[0];
        assert!(name_of(s).starts_with("web-"));
        assert_eq!(
            s["ports"],
            json!([{"name": "", "port": 8080, "protocol": "TCP"}])
        );
        assert_eq!(s["endpoints"].as_array().unwrap().len(), 2);
        assert_eq!(s["endpoints"][0]["conditions"]["ready"], true);
        assert_eq!(s["metadata"]["ownerReferences"][0]["kind"], "Service");

        // Scaling to zero empties them.
        crate::controllers::testutil::user_update(
            &store,
            &deployment::gr_deployments(),
            "default",
            "web",
            |d| d["spec"]["replicas"] = json!(0),
        );
        eventually(10, "no addresses", || async {
            let ep = store.get(&gr_endpoints(), "default", "web")?;
            ep.get("subsets").is_none().then_some(())
        })
        .await;
        handles.iter().for_each(|h| h.abort());
    }
}
