//! The ClusterRole aggregation controller (kube-controller-manager's
//! `clusterrole-aggregation`): a ClusterRole with an `aggregationRule` gets as `rules` the
//! rules of every other ClusterRole matched by one of its `clusterRoleSelectors`, selector by
//! selector, roles in name order, each rule once. It resyncs every aggregated role whenever a
//! ClusterRole changes, so labelling a role `rbac.authorization.k8s.io/aggregate-to-edit` adds
//! its rules to `edit` (and, through `edit`'s own label, to `admin`).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{name_of, LabelSelector};
use crate::store::Store;

use super::gr_clusterroles;

/// A rule without its empty fields, so that `[]`, `null` and a missing list compare equal
/// (as `equality.Semantic.DeepEqual` does with nil and empty slices).
fn normalized(rule: &Value) -> Value {
    let mut out = Map::new();
    for (k, v) in rule.as_object().into_iter().flatten() {
        let empty = v.is_null() || v.as_array().is_some_and(Vec::is_empty);
        if !empty {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// The rules an aggregated role should hold, given every ClusterRole, or None when the selectors
/// cannot be parsed (the controller then leaves the role alone).
pub(crate) fn aggregated_rules(role: &Value, all: &[Value]) -> Option<Vec<Value>> {
    let mut sorted: Vec<&Value> = all.iter().collect();
    sorted.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    let mut rules: Vec<Value> = Vec::new();
    let mut seen: Vec<Value> = Vec::new();
    let selectors = role["aggregationRule"]["clusterRoleSelectors"].as_array();
    for sel in selectors.into_iter().flatten() {
        let sel = LabelSelector::from_label_selector_json(sel).ok()?;
        for other in &sorted {
            if name_of(other) == name_of(role) || !sel.matches(&other["metadata"]["labels"]) {
                continue;
            }
            for rule in other["rules"].as_array().into_iter().flatten() {
                let n = normalized(rule);
                if !seen.contains(&n) {
                    seen.push(n);
                    rules.push(rule.clone());
                }
            }
        }
    }
    Some(rules)
}

/// Brings every aggregated ClusterRole's rules up to date; writes only the roles that change
/// and tells whether it wrote any.
pub fn sync_all(store: &Store) -> bool {
    let mut changed = false;
    let gr = gr_clusterroles();
    let (all, _) = store.list(&gr, None);
    for role in all.iter().filter(|r| r["aggregationRule"].is_object()) {
        let Some(want) = aggregated_rules(role, &all) else {
            continue;
        };
        let have: Vec<Value> = role["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .map(normalized)
            .collect();
        if have == want.iter().map(normalized).collect::<Vec<_>>() {
            continue;
        }
        let _ = store.modify_retry(&gr, "", name_of(role), |r| {
            if !r["aggregationRule"].is_object() {
                return Ok(false);
            }
            r["rules"] = Value::Array(want.clone());
            Ok(true)
        });
        changed = true;
    }
    changed
}

/// Syncs until nothing changes (a role aggregated into another, like `edit` into `admin`, takes
/// a second pass), bounded in case of a cycle of aggregated roles selecting each other.
pub fn converge(store: &Store) {
    for _ in 0..8 {
        if !sync_all(store) {
            return;
        }
    }
}

/// Runs the controller: a resync of the aggregated roles after each batch of ClusterRole changes.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let gr = gr_clusterroles();
    super::driver::converge_on(rx, |ev| ev.gr == gr, || converge(&store)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(name: &str, labels: Value, rules: Value) -> Value {
        json!({"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": name, "labels": labels}, "rules": rules})
    }

    #[test]
    fn rules_are_gathered_by_selector_then_name_once_each() {
        let agg = json!({"metadata": {"name": "agg"}, "aggregationRule": {"clusterRoleSelectors": [
            {"matchLabels": {"a": "true"}}, {"matchLabels": {"b": "true"}}]}});
        let get = json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]});
        let list = json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]});
        let all = vec![
            role("z", json!({"a": "true"}), json!([get.clone()])),
            role(
                "b-only",
                json!({"b": "true"}),
                json!([get.clone(), list.clone()]),
            ),
            role("c", json!({"a": "true"}), json!([list.clone()])),
            role("none", json!({}), json!([{"verbs": ["*"]}])),
        ];
        let rules = aggregated_rules(&agg, &all).unwrap();
        // Selector a: c (list), z (get); selector b: b-only adds nothing new.
        assert_eq!(rules, vec![list, get]);
    }

    #[test]
    fn a_labelled_role_joins_edit_and_admin() {
        let store = Store::new();
        crate::bootstrap::create(&store, "");
        let gr = gr_clusterroles();
        let extra =
            json!({"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]});
        store
            .create(
                &gr,
                role(
                    "widgets-edit",
                    json!({"rbac.authorization.k8s.io/aggregate-to-edit": "true"}),
                    json!([extra.clone()]),
                ),
            )
            .unwrap();
        converge(&store);
        let has = |name: &str| {
            let r = store.get(&gr, "", name).unwrap();
            r["rules"].as_array().unwrap().contains(&extra)
        };
        assert!(has("edit") && has("admin") && !has("view"));
        store.remove(&gr, "", "widgets-edit").unwrap();
        converge(&store);
        assert!(!has("edit") && !has("admin"));
    }
}
