//! The control-plane Leases in `kube-system` that a v1.36 control plane keeps: the API
//! server's identity lease (`apiserver-<hash>`, labelled `apiserver.kubernetes.io/identity`,
//! one hour long) and the leader-election leases of `kube-controller-manager` and
//! `kube-scheduler` (15 s, held by `<host>_<uuid>`). The sandbox creates them at start and
//! renews them with the node leases (every 10 s of cluster time; the real leader elections
//! renew every 2 s, which would only churn resourceVersions here).

use std::sync::Arc;

use serde_json::{json, Value};

use super::{gr_leases, ControllerOptions};
use crate::store::Store;
use kcore::rand::random_hex;

const NS: &str = "kube-system";

/// RFC 4648 base32 without padding, lowercased (how kube-apiserver names its identity
/// lease).
fn base32_lower(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let mut buf: u32 = 0;
    let mut bits = 0;
    for b in data {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// `apiserver-` + base32 of the first 16 bytes of the SHA-256 of the host name.
pub fn apiserver_lease_name(host: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, host.as_bytes());
    format!("apiserver-{}", base32_lower(&digest.as_ref()[..16]))
}

fn uuid() -> String {
    let h = random_hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn lease(name: &str, labels: Option<Value>, spec: Value) -> Value {
    let mut l = json!({
        "kind": "Lease",
        "apiVersion": "coordination.k8s.io/v1",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    });
    if let Some(labels) = labels {
        l["metadata"]["labels"] = labels;
    }
    l
}

/// Creates the control-plane leases (the control plane's host is `<name>-control-plane`, as
/// kind names it).
pub fn bootstrap(store: &Arc<Store>, opts: &ControllerOptions) {
    let host = format!("{}-control-plane", opts.name);
    let now = store.clock().micro();
    let id = apiserver_lease_name(&host);
    let _ = store.create(
        &gr_leases(),
        lease(
            &id,
            Some(json!({"apiserver.kubernetes.io/identity": "kube-apiserver",
                "kubernetes.io/hostname": host})),
            json!({"holderIdentity": format!("{id}_{}", uuid()),
                "leaseDurationSeconds": 3600, "renewTime": now}),
        ),
    );
    for name in ["kube-controller-manager", "kube-scheduler"] {
        let _ = store.create(
            &gr_leases(),
            lease(
                name,
                None,
                json!({"holderIdentity": format!("{host}_{}", uuid()),
                    "leaseDurationSeconds": 15, "acquireTime": now, "renewTime": now,
                    "leaseTransitions": 0}),
            ),
        );
    }
}

/// Renews the control-plane leases that still exist.
pub fn renew(store: &Store) {
    let now = store.clock().micro();
    let (leases, _) = store.list(&gr_leases(), Some(NS));
    for l in leases {
        let name = l["metadata"]["name"].as_str().unwrap_or_default();
        let ours = name == "kube-controller-manager"
            || name == "kube-scheduler"
            || l["metadata"]["labels"]["apiserver.kubernetes.io/identity"] == "kube-apiserver";
        if !ours {
            continue;
        }
        let _ = store.modify(&gr_leases(), NS, name, |l| {
            l["spec"]["renewTime"] = json!(now);
            Ok(true)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_lease_names_hash_the_host_like_kube_apiserver() {
        // RFC 4648 test vectors.
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32_lower(b"f"), "my");
        let n = apiserver_lease_name("vm");
        assert_eq!(n.len(), "apiserver-".len() + 26);
        assert!(uuid().len() == 36);
    }

    #[test]
    fn bootstrap_creates_the_three_control_plane_leases() {
        let store = Arc::new(Store::new());
        bootstrap(&store, &crate::controllers::testutil::opts());
        let (l, _) = store.list(&gr_leases(), Some(NS));
        let names: Vec<&str> = l
            .iter()
            .map(|l| l["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.contains(&"kube-scheduler"));
        let cm = store
            .get(&gr_leases(), NS, "kube-controller-manager")
            .unwrap();
        assert_eq!(cm["spec"]["leaseDurationSeconds"], 15);
        assert!(cm["spec"]["holderIdentity"]
            .as_str()
            .unwrap()
            .starts_with("kind-multinodes-control-plane_"));
    }
}
