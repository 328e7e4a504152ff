//! `componentstatuses` (v1 ComponentStatus, deprecated since v1.19 but still served by
//! kube-apiserver v1.36): not stored, computed at each request from the health of the
//! control-plane components. The sandbox's scheduler and controller manager run in process
//! and its store stands in for etcd, so all three are healthy ("ok"). Every response carries
//! the deprecation warning the real server sends.

use serde_json::{json, Value};

/// The warning kube-apiserver attaches to every ComponentStatus response.
pub const WARNING: &str = "v1 ComponentStatus is deprecated in v1.19+";

/// The component names, in the order the real server lists them (its probes run in a map,
/// so its order varies; etcd comes last).
const COMPONENTS: &[&str] = &["scheduler", "controller-manager", "etcd-0"];

/// One component's status object, as the real server returns it (no uid, no
/// resourceVersion, no creationTimestamp: it is not a stored object).
pub fn object(name: &str) -> Option<Value> {
    COMPONENTS.contains(&name).then(|| {
        json!({
            "kind": "ComponentStatus",
            "apiVersion": "v1",
            "metadata": {"name": name},
            "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}],
        })
    })
}

/// Every component's status.
pub fn all() -> Vec<Value> {
    COMPONENTS.iter().filter_map(|n| object(n)).collect()
}

/// The list object.
pub fn list() -> Value {
    let items: Vec<Value> = all()
        .into_iter()
        .map(|mut o| {
            if let Some(m) = o.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            o
        })
        .collect();
    json!({"kind": "ComponentStatusList", "apiVersion": "v1", "metadata": {}, "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_healthy_and_unstored() {
        let l = list();
        assert_eq!(l["items"].as_array().unwrap().len(), 3);
        assert_eq!(l["items"][2]["metadata"], json!({"name": "etcd-0"}));
        assert!(l["items"][0]["kind"].is_null());
        assert_eq!(object("etcd-0").unwrap()["conditions"][0]["message"], "ok");
        assert!(object("nope").is_none());
    }
}
