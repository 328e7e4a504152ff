//! The `pods/eviction` subresource's disruption-budget check (kube-apiserver
//! `pkg/registry/core/pod/storage/eviction.go`): which PodDisruptionBudgets cover a pod, and
//! whether one more disruption is allowed.
//!
//! The budgets are read straight from the store under `policy/poddisruptionbudgets`, whether
//! or not that resource is served yet. The sandbox has no disruption controller, so instead of
//! trusting `status.disruptionsAllowed` the check counts the budget's healthy pods itself at
//! the time of the eviction (what the controller would have written): a matching pod is
//! healthy when it is Ready and not being deleted. The expected pod count for percentages and
//! `maxUnavailable` is the number of matching pods that are not finished (the real controller
//! reads it from the owners' scale, which is the same number once they have settled).

use serde_json::{json, Value};

use crate::selectors::LabelSelector;
use crate::status::{ApiError, StatusCause, StatusDetails};
use crate::store::{GroupResource, Store};

/// Where budgets are stored.
pub fn pdb_resource() -> GroupResource {
    GroupResource::new("policy", "poddisruptionbudgets")
}

/// What the eviction may do with the pod.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Delete it; when a budget allowed it, the budget (namespace, name) to charge.
    Delete(Option<String>),
}

/// Whether the budgets allow evicting `pod` now: `Ok` to delete it, or the API error the real
/// server answers (429 when a budget would be violated).
pub fn check(store: &Store, pod: &Value) -> Result<Verdict, ApiError> {
    if can_ignore_budget(pod) {
        return Ok(Verdict::Delete(None));
    }
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let (budgets, _) = store.list(&pdb_resource(), Some(ns));
    let labels = &pod["metadata"]["labels"];
    let covering: Vec<&Value> = budgets
        .iter()
        .filter(|b| selector_of(b).is_some_and(|s| s.matches(labels)))
        .collect();
    let budget = match covering.as_slice() {
        [] => return Ok(Verdict::Delete(None)),
        [one] => *one,
        _ => {
            return Err(ApiError::internal(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ))
        }
    };
    let name = budget["metadata"]["name"].as_str().unwrap_or_default();
    let (pods, _) = store.list(&GroupResource::new("", "pods"), Some(ns));
    let selector = selector_of(budget).unwrap_or_else(LabelSelector::everything);
    let matching: Vec<&Value> = pods
        .iter()
        .filter(|p| selector.matches(&p["metadata"]["labels"]))
        .filter(|p| !is_finished(p))
        .collect();
    let expected = matching.len() as i64;
    let healthy = matching
        .iter()
        .filter(|p| p["metadata"].get("deletionTimestamp").is_none() && is_ready(p))
        .count() as i64;
    let desired = desired_healthy(&budget["spec"], expected);
    // An unhealthy pod does not count against the budget when the policy says so.
    if !is_ready(pod) {
        let policy = budget["spec"]["unhealthyPodEvictionPolicy"]
            .as_str()
            .unwrap_or("IfHealthyBudget");
        if policy == "AlwaysAllow" || healthy >= desired {
            return Ok(Verdict::Delete(None));
        }
    }
    if healthy - desired <= 0 {
        return Err(too_many_requests(format!(
            "The disruption budget {name} needs {desired} healthy pods and has {healthy} currently"
        )));
    }
    Ok(Verdict::Delete(Some(name.to_string())))
}

/// Records the disruption on the budget's status, as the real registry does (best effort: the
/// budget may be gone by now).
pub fn charge(store: &Store, namespace: &str, budget: &str, pod: &str) {
    let now = store.clock().rfc3339();
    let _ = store.modify_retry(&pdb_resource(), namespace, budget, |b| {
        let allowed = b["status"]["disruptionsAllowed"].as_i64().unwrap_or(0);
        if !b["status"].is_object() {
            b["status"] = json!({});
        }
        b["status"]["disruptionsAllowed"] = json!((allowed - 1).max(0));
        if !b["status"]["disruptedPods"].is_object() {
            b["status"]["disruptedPods"] = json!({});
        }
        b["status"]["disruptedPods"][pod] = json!(now);
        Ok(true)
    });
}

/// `canIgnorePDB`: finished or pending pods, and pods already being deleted.
fn can_ignore_budget(pod: &Value) -> bool {
    is_finished(pod)
        || pod["status"]["phase"].as_str() == Some("Pending")
        || pod["metadata"].get("deletionTimestamp").is_some()
}

fn is_finished(pod: &Value) -> bool {
    matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded") | Some("Failed")
    )
}

pub(crate) fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The budget's selector; `None` when it is missing or does not convert (such a budget covers
/// no pod, as in the real server). In policy/v1 an empty selector covers every pod.
pub(crate) fn selector_of(budget: &Value) -> Option<LabelSelector> {
    let sel = budget["spec"].get("selector")?;
    LabelSelector::from_label_selector_json(sel).ok()
}

/// How many pods must stay healthy: `minAvailable` (a count or a percentage of `expected`,
/// rounded up) or `expected - maxUnavailable` (a percentage rounded up too).
pub(crate) fn desired_healthy(spec: &Value, expected: i64) -> i64 {
    let scaled = |v: &Value| -> i64 {
        match v {
            Value::Number(n) => n.as_i64().unwrap_or(0),
            Value::String(s) => {
                let pct = s.trim_end_matches('%').parse::<i64>().unwrap_or(0);
                (pct * expected + 99) / 100
            }
            _ => 0,
        }
    };
    if let Some(max) = spec.get("maxUnavailable").filter(|v| !v.is_null()) {
        (expected - scaled(max)).max(0)
    } else if let Some(min) = spec.get("minAvailable").filter(|v| !v.is_null()) {
        scaled(min)
    } else {
        0
    }
}

/// 429 `Cannot evict pod as it would violate the pod's disruption budget.` with the budget's
/// own words as the cause.
fn too_many_requests(cause: String) -> ApiError {
    ApiError {
        code: 429,
        reason: "TooManyRequests",
        message: "Cannot evict pod as it would violate the pod's disruption budget.".into(),
        details: Some(Box::new(StatusDetails {
            causes: vec![StatusCause {
                reason: "DisruptionBudget".into(),
                message: cause,
                field: String::new(),
            }],
            ..Default::default()
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ready: bool) -> Value {
        json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": if ready { "True" } else { "False" }}
            ]},
        })
    }

    fn store_with(pods: &[Value], budget: Option<Value>) -> Store {
        let s = Store::new();
        for p in pods {
            s.create(&GroupResource::new("", "pods"), p.clone())
                .unwrap();
        }
        if let Some(b) = budget {
            s.create(&pdb_resource(), b).unwrap();
        }
        s
    }

    fn budget(spec: Value) -> Value {
        json!({"metadata": {"name": "web-pdb", "namespace": "default"}, "spec": spec})
    }

    #[test]
    fn no_budget_allows() {
        let p = pod("a", true);
        let s = store_with(std::slice::from_ref(&p), None);
        assert_eq!(check(&s, &p), Ok(Verdict::Delete(None)));
    }

    #[test]
    fn min_available_blocks_then_allows() {
        let (a, b) = (pod("a", true), pod("b", false));
        let spec = json!({"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}});
        let s = store_with(&[a.clone(), b.clone()], Some(budget(spec.clone())));
        let err = check(&s, &a).unwrap_err();
        assert_eq!(err.code, 429);
        assert_eq!(
            err.message,
            "Cannot evict pod as it would violate the pod's disruption budget."
        );
        assert_eq!(
            err.details.unwrap().causes[0].message,
            "The disruption budget web-pdb needs 1 healthy pods and has 1 currently"
        );
        // Once the other pod is ready, one disruption is allowed.
        let b2 = pod("b", true);
        let s = store_with(&[a.clone(), b2], Some(budget(spec)));
        assert_eq!(check(&s, &a), Ok(Verdict::Delete(Some("web-pdb".into()))));
    }

    #[test]
    fn max_unavailable_percent_and_unhealthy_pods() {
        let pods = [pod("a", true), pod("b", true), pod("c", false)];
        let spec = json!({"maxUnavailable": "50%", "selector": {"matchLabels": {"app": "web"}}});
        let s = store_with(&pods, Some(budget(spec)));
        // expected 3, max unavailable ceil(1.5) = 2, desired 1, healthy 2: allowed.
        assert!(check(&s, &pods[0]).is_ok());
        // The unready pod goes without charging the budget.
        assert_eq!(check(&s, &pods[2]), Ok(Verdict::Delete(None)));
    }

    #[test]
    fn two_budgets_are_an_internal_error() {
        let p = pod("a", true);
        let s = store_with(
            std::slice::from_ref(&p),
            Some(budget(json!({"selector": {}}))),
        );
        let mut second = budget(json!({"selector": {"matchLabels": {"app": "web"}}}));
        second["metadata"]["name"] = json!("other");
        s.create(&pdb_resource(), second).unwrap();
        let err = check(&s, &p).unwrap_err();
        assert_eq!(err.code, 500);
        assert!(err.message.contains("more than one PodDisruptionBudget"));
    }
}
