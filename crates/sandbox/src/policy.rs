//! PodDisruptionBudgets (policy/v1) and PriorityClasses (scheduling.k8s.io/v1) as kube-apiserver
//! v1.36 validates and serves them (`pkg/apis/policy/validation`,
//! `pkg/apis/scheduling/validation`, the registries' status reset).

use serde_json::{json, Value};

use crate::status::{ApiError, StatusDetails};
use crate::store::{GroupResource, Store};

use crate::validation::{
    forbidden, invalid, not_more_than_100_percent, not_supported, positive_int_or_percent,
    required, validate_label_selector, Cause,
};

/// `ValidatePodDisruptionBudgetSpec`: the int-or-percent budgets, the selector and the
/// unhealthy pod eviction policy.
pub fn validate_pdb(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    for k in ["minAvailable", "maxUnavailable"] {
        if let Some(v) = spec.get(k).filter(|v| !v.is_null()) {
            let field = format!("spec.{k}");
            positive_int_or_percent(v, &field, out);
            not_more_than_100_percent(v, &field, out);
        }
    }
    if spec["selector"].is_object() {
        validate_label_selector(&spec["selector"], "spec.selector", out);
    }
    if let Some(p) = spec
        .get("unhealthyPodEvictionPolicy")
        .filter(|v| !v.is_null())
    {
        const POLICIES: [&str; 2] = ["AlwaysAllow", "IfHealthyBudget"];
        if !p.as_str().is_some_and(|p| POLICIES.contains(&p)) {
            out.push(not_supported(
                "spec.unhealthyPodEvictionPolicy",
                p,
                &POLICIES,
            ));
        }
    }
}

/// The system classes the apiserver creates, and the only ones a `system-` name may have.
const SYSTEM_CLASSES: [(&str, i64); 2] = [
    ("system-node-critical", 2_000_001_000),
    ("system-cluster-critical", 2_000_000_000),
];
const HIGHEST_USER_DEFINABLE_PRIORITY: i64 = 1_000_000_000;

/// `ValidatePriorityClass` (the metadata checks are the common ones).
pub fn validate_priority_class(obj: &Value, out: &mut Vec<Cause>) {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let value = obj["value"].as_i64().unwrap_or(0);
    let global = obj["globalDefault"].as_bool().unwrap_or(false);
    if name.starts_with("system-") {
        let err = match SYSTEM_CLASSES.iter().find(|(n, _)| *n == name) {
            None => Some(format!("{name} is not a known system priority class")),
            Some((n, v)) if *v != value => Some(format!("value of {n} PriorityClass must be {v}")),
            Some((n, _)) if global => {
                Some(format!("globalDefault of {n} PriorityClass must be false"))
            }
            Some(_) => None,
        };
        if let Some(err) = err {
            out.push(forbidden(
                "metadata.name",
                &format!("priority class names with 'system-' prefix are reserved for system use only. error: {err}"),
            ));
        }
    } else if value > HIGHEST_USER_DEFINABLE_PRIORITY {
        out.push(forbidden(
            "value",
            &format!(
                "maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
            ),
        ));
    }
    if let Some(p) = obj.get("preemptionPolicy").filter(|v| !v.is_null()) {
        match p.as_str() {
            Some("PreemptLowerPriority" | "Never") => {}
            Some("") => out.push(required("preemptionPolicy", "")),
            _ => out.push(not_supported(
                "preemptionPolicy",
                p,
                &["PreemptLowerPriority", "Never"],
            )),
        }
    }
}

/// `ValidatePriorityClassUpdate`'s own checks: value and preemption policy are immutable.
pub fn validate_priority_class_update(new: &Value, old: &Value, out: &mut Vec<Cause>) {
    if new["value"] != old["value"] {
        out.push(forbidden("value", "may not be changed in an update."));
    }
    if new["preemptionPolicy"] != old["preemptionPolicy"] {
        out.push(invalid(
            "preemptionPolicy",
            &new["preemptionPolicy"],
            "field is immutable",
        ));
    }
}

/// The Priority admission plugin's rule: only one PriorityClass may be the global default
/// (403 `... is forbidden: PriorityClass d is already marked as default. Only one default can
/// exist`). `obj` is the class being created or updated.
pub fn admit_priority_class(store: &Store, obj: &Value) -> Result<(), ApiError> {
    if obj["globalDefault"] != json!(true) {
        return Ok(());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let gr = GroupResource::new("scheduling.k8s.io", "priorityclasses");
    let (all, _) = store.list(&gr, None);
    let Some(existing) = all
        .iter()
        .find(|pc| pc["globalDefault"] == json!(true) && pc["metadata"]["name"] != name)
    else {
        return Ok(());
    };
    let other = existing["metadata"]["name"].as_str().unwrap_or_default();
    Err(ApiError {
        code: 403,
        reason: "Forbidden",
        message: format!(
            "{gr} \"{name}\" is forbidden: PriorityClass {other} is already marked as default. Only one default can exist"
        ),
        details: Some(Box::new(StatusDetails {
            name: name.to_string(),
            group: gr.group.clone(),
            kind: gr.resource.clone(),
            ..Default::default()
        })),
    })
}

/// The status a PodDisruptionBudget is served with before the disruption controller has
/// looked at it: the counters Go always writes.
pub fn served_pdb(obj: &Value) -> Value {
    let mut out = obj.clone();
    if let Some(st) = out.get_mut("status").and_then(Value::as_object_mut) {
        for k in [
            "disruptionsAllowed",
            "currentHealthy",
            "desiredHealthy",
            "expectedPods",
        ] {
            st.entry(k).or_insert(json!(0));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs(out: &[Cause]) -> Vec<String> {
        out.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn pdb_budgets_and_policy() {
        let mut out = vec![];
        validate_pdb(
            &json!({"spec": {"minAvailable": "150%", "maxUnavailable": -1,
                "unhealthyPodEvictionPolicy": "Sometimes"}}),
            &mut out,
        );
        assert_eq!(
            msgs(&out),
            [
                "spec.minAvailable: Invalid value: \"150%\": must not be greater than 100%",
                "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0",
                "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Sometimes\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"",
            ]
        );
    }

    #[test]
    fn priority_class_rules() {
        let mut out = vec![];
        validate_priority_class(
            &json!({"metadata": {"name": "system-x"}, "value": 1, "preemptionPolicy": "Sometimes"}),
            &mut out,
        );
        validate_priority_class(
            &json!({"metadata": {"name": "big"}, "value": 1_000_000_001}),
            &mut out,
        );
        assert_eq!(
            msgs(&out),
            [
                "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-x is not a known system priority class",
                "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\"",
                "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
            ]
        );
    }
}
