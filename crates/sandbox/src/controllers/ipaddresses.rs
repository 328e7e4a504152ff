//! IPAddress objects (`networking.k8s.io/v1`) for Service ClusterIPs, as kube-apiserver's
//! IP allocator keeps them: one per allocated ClusterIP, named by the address, labelled with
//! its family and `managed-by: ipallocator.k8s.io`, with the Service as `parentRef`; removed
//! when the Service goes. The real allocator writes them in the Service's create; here a
//! resync after each batch of Service changes does (a moment later, on the store's feed).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::{name_of, ns_of};
use crate::store::Store;

const MANAGED_BY: &str = "ipaddress.kubernetes.io/managed-by";
const ALLOCATOR: &str = "ipallocator.k8s.io";

use super::{gr_ipaddresses, gr_services};

/// The IPAddress of `ip` held by Service `ns/name`.
fn ip_address(ip: &str, ns: &str, name: &str) -> Value {
    let family = if ip.contains(':') { "IPv6" } else { "IPv4" };
    json!({
        "kind": "IPAddress",
        "apiVersion": "networking.k8s.io/v1",
        "metadata": {"name": ip, "labels": {
            "ipaddress.kubernetes.io/ip-family": family,
            MANAGED_BY: ALLOCATOR,
        }},
        "spec": {"parentRef": {"resource": "services", "namespace": ns, "name": name}},
    })
}

/// Creates the missing IPAddresses and removes those whose Service no longer holds them.
pub fn sync(store: &Store) {
    let mut want: BTreeMap<String, (String, String)> = BTreeMap::new();
    for svc in store.list(&gr_services(), None).0 {
        for ip in svc["spec"]["clusterIPs"].as_array().into_iter().flatten() {
            let Some(ip) = ip.as_str().filter(|i| !i.is_empty() && *i != "None") else {
                continue;
            };
            want.insert(
                ip.to_string(),
                (ns_of(&svc).to_string(), name_of(&svc).to_string()),
            );
        }
    }
    let gr = gr_ipaddresses();
    let have = store.list(&gr, None).0;
    for ip in &have {
        if ip["metadata"]["labels"][MANAGED_BY] != ALLOCATOR {
            continue;
        }
        let parent = &ip["spec"]["parentRef"];
        let held = want.get(name_of(ip)).is_some_and(|(ns, name)| {
            parent["resource"] == "services"
                && parent["namespace"] == ns.as_str()
                && parent["name"] == name.as_str()
        });
        if !held {
            let _ = store.remove(&gr, "", name_of(ip));
        }
    }
    for (ip, (ns, name)) in want {
        if have.iter().any(|h| name_of(h) == ip) {
            continue;
        }
        let _ = store.create(&gr, ip_address(&ip, &ns, &name));
    }
}

/// Runs the controller: a resync after each batch that touches Services.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let gr = gr_services();
    super::driver::converge_on(rx, |ev| ev.gr == gr, || sync(&store)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ips_get_ipaddresses_that_go_with_the_service() {
        let store = Store::new();
        let svc = json!({"kind": "Service", "apiVersion": "v1",
            "metadata": {"name": "kubelet-web", "namespace": "default"},
            "spec": {"clusterIP": "10.96.3.4", "clusterIPs": ["10.96.3.4"]}});
        store.create(&gr_services(), svc).unwrap();
        let headless = json!({"kind": "Service", "apiVersion": "v1",
            "metadata": {"name": "kubelet-headless", "namespace": "default"},
            "spec": {"clusterIP": "None", "clusterIPs": ["None"]}});
        store.create(&gr_services(), headless).unwrap();
        sync(&store);
        let ip = store.get(&gr_ipaddresses(), "", "10.96.3.4").unwrap();
        assert_eq!(
            ip["spec"]["parentRef"],
            json!({"resource": "services", "namespace": "default", "name": "kubelet-web"})
        );
        assert_eq!(
            ip["metadata"]["labels"]["ipaddress.kubernetes.io/ip-family"],
            "IPv4"
        );
        assert_eq!(store.list(&gr_ipaddresses(), None).0.len(), 1);
        store
            .remove(&gr_services(), "default", "kubelet-web")
            .unwrap();
        sync(&store);
        assert!(store.list(&gr_ipaddresses(), None).0.is_empty());
    }
}
