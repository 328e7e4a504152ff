//! Stand-ins for `sandbox::defaults::apply_defaults` and `sandbox::selectors::LabelSelector`
//! (branch `sbx-objects`) with the same signatures, so that the controllers build and are
//! tested before that branch lands. Delete this file and re-export theirs once merged.

use serde_json::{json, Value};

use crate::sandbox::store::GroupResource;

/// A metav1.LabelSelector: `matchLabels` and `matchExpressions` (In, NotIn, Exists,
/// DoesNotExist), all ANDed.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSelector {
    /// (key, operator, values); matchLabels become `In` with one value.
    reqs: Vec<(String, String, Vec<String>)>,
    /// A null selector selects nothing (an empty one selects everything).
    nothing: bool,
}

impl LabelSelector {
    /// Builds a selector from its JSON form; errors name the bad operator.
    pub fn from_label_selector_json(sel: &Value) -> Result<LabelSelector, String> {
        if sel.is_null() {
            return Ok(LabelSelector {
                reqs: Vec::new(),
                nothing: true,
            });
        }
        let mut reqs = Vec::new();
        if let Some(m) = sel["matchLabels"].as_object() {
            for (k, v) in m {
                reqs.push((
                    k.clone(),
                    "In".into(),
                    vec![v.as_str().unwrap_or_default().into()],
                ));
            }
        }
        for e in sel["matchExpressions"].as_array().into_iter().flatten() {
            let op = e["operator"].as_str().unwrap_or_default();
            if !matches!(op, "In" | "NotIn" | "Exists" | "DoesNotExist") {
                return Err(format!("{op:?} is not a valid label selector operator"));
            }
            let values = e["values"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            reqs.push((
                e["key"].as_str().unwrap_or_default().into(),
                op.into(),
                values,
            ));
        }
        Ok(LabelSelector {
            reqs,
            nothing: false,
        })
    }

    /// Whether `labels` (a metadata.labels object, or null) satisfies every requirement.
    pub fn matches(&self, labels: &Value) -> bool {
        if self.nothing {
            return false;
        }
        self.reqs.iter().all(|(k, op, vals)| {
            let v = labels.get(k).and_then(|v| v.as_str());
            match op.as_str() {
                "In" => v.is_some_and(|v| vals.iter().any(|x| x == v)),
                "NotIn" => v.is_none_or(|v| !vals.iter().any(|x| x == v)),
                "Exists" => v.is_some(),
                _ => v.is_none(),
            }
        })
    }
}

fn set_default(obj: &mut Value, key: &str, v: Value) {
    if obj.get(key).is_none_or(|x| x.is_null()) {
        obj[key] = v;
    }
}

fn default_pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        *spec = json!({});
    }
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    set_default(spec, "securityContext", json!({}));
    let host_network = spec["hostNetwork"].as_bool() == Some(true);
    for list in ["initContainers", "containers"] {
        for c in super::array_mut(spec, list).into_iter().flatten() {
            set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
            set_default(c, "terminationMessagePolicy", json!("File"));
            let image = c["image"].as_str().unwrap_or_default();
            let tag = image.rsplit('/').next().unwrap_or_default();
            let policy = if !tag.contains(':') || tag.ends_with(":latest") {
                "Always"
            } else {
                "IfNotPresent"
            };
            set_default(c, "imagePullPolicy", json!(policy));
            set_default(c, "resources", json!({}));
            if let (Some(lim), true) = (c["resources"]["limits"].as_object().cloned(), true) {
                let req = &mut c["resources"]["requests"];
                if !req.is_object() {
                    *req = json!({});
                }
                for (k, v) in lim {
                    set_default(req, &k, v);
                }
            }
            for p in super::array_mut(c, "ports").into_iter().flatten() {
                set_default(p, "protocol", json!("TCP"));
                if host_network {
                    let cp = p["containerPort"].clone();
                    set_default(p, "hostPort", cp);
                }
            }
        }
    }
    for v in super::array_mut(spec, "volumes").into_iter().flatten() {
        if v["hostPath"].is_object() {
            set_default(&mut v["hostPath"], "type", json!(""));
        }
    }
}

/// Scheme defaults (and the defaulting admission plugins) for the kinds the controllers create.
pub fn apply_defaults(gr: &GroupResource, obj: &mut Value) {
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => {
            default_pod_spec(&mut obj["spec"]);
            let spec = &mut obj["spec"];
            set_default(spec, "serviceAccountName", json!("default"));
            let sa = spec["serviceAccountName"].clone();
            set_default(spec, "serviceAccount", sa);
            set_default(spec, "priority", json!(0));
            set_default(spec, "enableServiceLinks", json!(true));
            set_default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
            let tol = spec["tolerations"].as_array().cloned().unwrap_or_default();
            let mut tol2 = tol.clone();
            for key in [
                "node.kubernetes.io/not-ready",
                "node.kubernetes.io/unreachable",
            ] {
                let has = tol.iter().any(|t| {
                    (t["key"] == key || t["key"].is_null() && t["operator"] == "Exists")
                        && (t["effect"] == "NoExecute" || t["effect"].is_null())
                });
                if !has {
                    tol2.push(
                        json!({"key": key, "operator": "Exists", "effect": "NoExecute",
                        "tolerationSeconds": 300}),
                    );
                }
            }
            spec["tolerations"] = json!(tol2);
        }
        ("apps", "daemonsets") => {
            default_pod_spec(&mut obj["spec"]["template"]["spec"]);
            let spec = &mut obj["spec"];
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
        }
        ("apps", "deployments") => {
            default_pod_spec(&mut obj["spec"]["template"]["spec"]);
            let spec = &mut obj["spec"];
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "progressDeadlineSeconds", json!(600));
            set_default(
                spec,
                "strategy",
                json!({"type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
            );
        }
        ("apps", "replicasets") => {
            default_pod_spec(&mut obj["spec"]["template"]["spec"]);
            set_default(&mut obj["spec"], "replicas", json!(1));
        }
        ("", "namespaces") => {
            let name = obj["metadata"]["name"].clone();
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
            set_default(&mut obj["spec"], "finalizers", json!(["kubernetes"]));
            set_default(&mut obj["status"], "phase", json!("Active"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_semantics() {
        let s = LabelSelector::from_label_selector_json(&json!({"matchLabels": {"app": "a"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}))
        .unwrap();
        assert!(s.matches(&json!({"app": "a"})));
        assert!(!s.matches(&json!({"app": "a", "tier": "db"})));
        assert!(!s.matches(&Value::Null));
        assert!(LabelSelector::from_label_selector_json(&json!({}))
            .unwrap()
            .matches(&Value::Null));
        assert!(!LabelSelector::from_label_selector_json(&Value::Null)
            .unwrap()
            .matches(&json!({})));
        assert!(LabelSelector::from_label_selector_json(
            &json!({"matchExpressions": [{"key": "a", "operator": "Bad"}]})
        )
        .is_err());
    }

    #[test]
    fn daemonset_defaults_match_reference_spec() {
        let mut ds = json!({"spec": {"selector": {"matchLabels": {"app": "node-exporter"}},
            "template": {"metadata": {"labels": {"app": "node-exporter"}}, "spec": {
                "hostNetwork": true,
                "containers": [{"name": "node-exporter", "image": "prom/node-exporter:latest",
                    "ports": [{"containerPort": 9100, "hostPort": 9100}],
                    "volumeMounts": [{"name": "proc", "mountPath": "/host/proc", "readOnly": true},
                        {"name": "sys", "mountPath": "/host/sys", "readOnly": true}]}],
                "volumes": [{"name": "proc", "hostPath": {"path": "/proc"}},
                    {"name": "sys", "hostPath": {"path": "/sys"}}]}}}});
        apply_defaults(&GroupResource::new("apps", "daemonsets"), &mut ds);
        let reference = crate::sandbox::controllers::testutil::reference("daemonset.json");
        let d = crate::sandbox::controllers::testutil::diff(&ds["spec"], &reference["spec"]);
        assert!(d.is_empty(), "{d:#?}");
    }
}
