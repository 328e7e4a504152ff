//! Defaulting of the newer API groups' kinds, as their `SetDefaults_*` functions in
//! kubernetes/pkg/apis/<group>/v1/defaults.go do.

use serde_json::{json, Value};

use crate::store::GroupResource;

/// Sets `key` of `obj` when it is absent or null.
fn set(obj: &mut Value, key: &str, v: Value) {
    if let Some(m) = obj.as_object_mut() {
        if m.get(key).is_none_or(Value::is_null) {
            m.insert(key.to_string(), v);
        }
    }
}

fn each(obj: &mut Value, key: &str, mut f: impl FnMut(&mut Value)) {
    if let Some(items) = obj.get_mut(key).and_then(Value::as_array_mut) {
        items.iter_mut().filter(|x| x.is_object()).for_each(&mut f);
    }
}

const RBAC: &str = "rbac.authorization.k8s.io";

pub(crate) fn apply_defaults(gr: &GroupResource, obj: &mut Value) {
    match (gr.group.as_str(), gr.resource.as_str()) {
        (RBAC, "rolebindings" | "clusterrolebindings") => {
            if let Some(r) = obj.get_mut("roleRef").filter(|r| r.is_object()) {
                if r["apiGroup"].as_str().unwrap_or_default().is_empty() {
                    r["apiGroup"] = json!(RBAC);
                }
            }
            each(obj, "subjects", |s| {
                if s["apiGroup"].as_str().unwrap_or_default().is_empty()
                    && matches!(s["kind"].as_str(), Some("User" | "Group"))
                {
                    s["apiGroup"] = json!(RBAC);
                }
            });
        }
        // `rules` has no omitempty: a role without rules is stored and served with null.
        (RBAC, "roles" | "clusterroles") => {
            if let Some(m) = obj.as_object_mut() {
                m.entry("rules").or_insert(Value::Null);
            }
        }
        ("autoscaling", "horizontalpodautoscalers") => crate::autoscaling::apply_defaults(obj),
        ("scheduling.k8s.io", "priorityclasses") => {
            set(obj, "preemptionPolicy", json!("PreemptLowerPriority"))
        }
        ("storage.k8s.io", "storageclasses") => {
            set(obj, "reclaimPolicy", json!("Delete"));
            set(obj, "volumeBindingMode", json!("Immediate"));
        }
        ("storage.k8s.io", "csidrivers") => {
            if let Some(spec) = obj.get_mut("spec").filter(|s| s.is_object()) {
                set(spec, "attachRequired", json!(true));
                set(spec, "podInfoOnMount", json!(false));
                set(spec, "storageCapacity", json!(false));
                set(spec, "fsGroupPolicy", json!("ReadWriteOnceWithFSType"));
                set(spec, "requiresRepublish", json!(false));
                set(spec, "seLinuxMount", json!(false));
                set(spec, "volumeLifecycleModes", json!(["Persistent"]));
            }
        }
        // IngressStatus.loadBalancer is a struct, written even when empty.
        ("networking.k8s.io", "ingresses") => {
            if !obj["status"].is_object() {
                obj["status"] = json!({});
            }
            set(&mut obj["status"], "loadBalancer", json!({}));
        }
        ("networking.k8s.io", "networkpolicies") => {
            let Some(spec) = obj.get_mut("spec").filter(|s| s.is_object()) else {
                return;
            };
            for dir in ["ingress", "egress"] {
                each(spec, dir, |rule| {
                    each(rule, "ports", |p| set(p, "protocol", json!("TCP")));
                });
            }
            let empty = spec["policyTypes"].as_array().is_none_or(Vec::is_empty);
            if empty {
                let mut types = vec![json!("Ingress")];
                if spec["egress"].as_array().is_some_and(|e| !e.is_empty()) {
                    types.push(json!("Egress"));
                }
                spec["policyTypes"] = json!(types);
            }
        }
        (
            "admissionregistration.k8s.io",
            r @ ("validatingwebhookconfigurations" | "mutatingwebhookconfigurations"),
        ) => {
            let mutating = r.starts_with("mutating");
            each(obj, "webhooks", |w| {
                set(w, "failurePolicy", json!("Fail"));
                set(w, "matchPolicy", json!("Equivalent"));
                set(w, "namespaceSelector", json!({}));
                set(w, "objectSelector", json!({}));
                set(w, "timeoutSeconds", json!(10));
                if mutating {
                    set(w, "reinvocationPolicy", json!("Never"));
                }
                each(w, "rules", |rule| set(rule, "scope", json!("*")));
                if let Some(svc) = w
                    .get_mut("clientConfig")
                    .and_then(|c| c.get_mut("service"))
                    .filter(|s| s.is_object())
                {
                    set(svc, "port", json!(443));
                }
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_of_the_newer_groups() {
        let mut rb = json!({"roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "s"}]});
        let mut agg = json!({"aggregationRule": {"clusterRoleSelectors": []}});
        apply_defaults(&GroupResource::new(RBAC, "clusterroles"), &mut agg);
        assert!(agg.get("rules").is_some_and(Value::is_null));
        let mut kept = json!({"rules": []});
        apply_defaults(&GroupResource::new(RBAC, "roles"), &mut kept);
        assert_eq!(kept["rules"], json!([]));
        apply_defaults(&GroupResource::new(RBAC, "rolebindings"), &mut rb);
        assert_eq!(rb["roleRef"]["apiGroup"], RBAC);
        assert_eq!(rb["subjects"][0]["apiGroup"], RBAC);
        assert!(rb["subjects"][1].get("apiGroup").is_none());
        let mut pc = json!({"value": 1});
        apply_defaults(
            &GroupResource::new("scheduling.k8s.io", "priorityclasses"),
            &mut pc,
        );
        assert_eq!(pc["preemptionPolicy"], "PreemptLowerPriority");
        let mut np = json!({"spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}});
        apply_defaults(
            &GroupResource::new("networking.k8s.io", "networkpolicies"),
            &mut np,
        );
        assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
        assert_eq!(np["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");
        let mut sc = json!({"provisioner": "x"});
        apply_defaults(
            &GroupResource::new("storage.k8s.io", "storageclasses"),
            &mut sc,
        );
        assert_eq!(
            (&sc["reclaimPolicy"], &sc["volumeBindingMode"]),
            (&json!("Delete"), &json!("Immediate"))
        );
    }
}
