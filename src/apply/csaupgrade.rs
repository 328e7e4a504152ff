//! client-go `util/csaupgrade`, as `kubectl apply --server-side` uses it to migrate an object
//! from client-side to server-side apply: the fields the client-side apply managers (`Update`
//! entries that own the last-applied annotation) own are merged into the server-side apply
//! manager's `Apply` entry and those `Update` entries dropped, so that fields left out of the
//! next server-side apply are removed instead of staying with the old manager.
//!
//! Managed fields are handled as their `fieldsV1` tries (structured-merge-diff's serialized
//! `fieldpath.Set`): a key is a path element, `{}` a leaf, `"."` marks a node that is a member
//! itself.

use serde_json::{json, Map, Value};

use crate::apply::LAST_APPLIED_ANNOTATION;

/// Whether the `fieldsV1` trie `fields` holds the path `metadata.annotations[last-applied]`
/// (`lastAppliedAnnotationFieldPath`).
fn owns_last_applied(fields: &Value) -> bool {
    let annotation = format!("f:{LAST_APPLIED_ANNOTATION}");
    match fields
        .get("f:metadata")
        .and_then(|m| m.get("f:annotations"))
        .and_then(|a| a.get(&annotation))
        .and_then(Value::as_object)
    {
        Some(node) => node.is_empty() || node.contains_key("."),
        None => false,
    }
}

/// `FindFieldsOwners(managedFields, operation, lastAppliedAnnotationFieldPath)`: the managers
/// of `operation` entries owning the last-applied annotation.
pub fn last_applied_owners(obj: &Value, operation: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in managed_fields(obj) {
        if e["operation"] == operation && owns_last_applied(&e["fieldsV1"]) {
            let m = e["manager"].as_str().unwrap_or("").to_string();
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

fn managed_fields(obj: &Value) -> Vec<Value> {
    obj["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn subresource(e: &Value) -> &str {
    e["subresource"].as_str().unwrap_or("")
}

/// `UpgradeManagedFieldsPatch(obj, csaManagers, ssaManager)`: the JSON patch that replaces
/// the managed fields with their migrated form (and the resourceVersion, so a concurrent
/// change conflicts), or None when there is nothing to migrate.
pub fn upgrade_patch(obj: &Value, csa_managers: &[String], ssa_manager: &str) -> Option<Value> {
    let original = managed_fields(obj);
    if obj["metadata"]["managedFields"].is_null() {
        return None;
    }
    let mut entries = original.clone();
    for csa in csa_managers {
        entries = upgraded(entries, csa, ssa_manager);
    }
    if entries == original {
        return None;
    }
    let value = if entries.is_empty() {
        Value::Null
    } else {
        Value::Array(entries)
    };
    Some(json!([
        {"op": "replace", "path": "/metadata/managedFields", "value": value},
        {"op": "replace", "path": "/metadata/resourceVersion",
         "value": obj["metadata"]["resourceVersion"].as_str().unwrap_or("")},
    ]))
}

/// `upgradedManagedFields`: one client-side manager merged into the server-side one.
fn upgraded(mut entries: Vec<Value>, csa: &str, ssa: &str) -> Vec<Value> {
    let is_csa =
        |e: &Value| e["manager"] == csa && e["operation"] == "Update" && subresource(e).is_empty();
    let target = match entries
        .iter()
        .position(|e| e["manager"] == ssa && e["operation"] == "Apply" && subresource(e).is_empty())
    {
        Some(i) => i,
        None => {
            // No server-side entry yet: the most recent client-side one becomes it.
            let Some(i) = entries.iter().position(is_csa) else {
                return entries;
            };
            entries[i]["operation"] = json!("Apply");
            entries[i]["manager"] = json!(ssa);
            i
        }
    };
    // `unionManagerIntoIndex`: the client-side entry of the same API version is merged in.
    let api_version = entries[target]["apiVersion"].clone();
    if let Some(csa_fields) = entries
        .iter()
        .find(|e| is_csa(e) && e["apiVersion"] == api_version)
        .map(|e| e["fieldsV1"].clone())
    {
        let merged = union(&entries[target]["fieldsV1"], &csa_fields);
        entries[target]["fieldsV1"] = merged;
    }
    entries.into_iter().filter(|e| !is_csa(e)).collect()
}

/// The union of two `fieldsV1` tries, serialized as structured-merge-diff writes a set: `"."`
/// first, then field names, map keys, values and list indexes, each in order.
fn union(a: &Value, b: &Value) -> Value {
    let mut merged: Map<String, Value> = Map::new();
    for side in [a, b] {
        if let Some(m) = side.as_object() {
            for (k, v) in m {
                let joined = match merged.get(k) {
                    Some(prev) => union(prev, v),
                    None => union(v, &Value::Null),
                };
                merged.insert(k.clone(), joined);
            }
        }
    }
    let mut keys: Vec<String> = merged.keys().cloned().collect();
    keys.sort_by(|x, y| rank(x).cmp(&rank(y)).then_with(|| x.cmp(y)));
    let mut out = Map::new();
    for k in keys {
        if let Some(v) = merged.remove(&k) {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

/// The order of path element kinds in a serialized set.
fn rank(key: &str) -> u8 {
    match key.split_once(':').map(|(p, _)| p) {
        _ if key == "." => 0,
        Some("f") => 1,
        Some("k") => 2,
        Some("v") => 3,
        Some("i") => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm_after_ssa() -> Value {
        json!({"metadata": {"name": "test", "resourceVersion": "7", "managedFields": [
            {"manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
             "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {"f:key": {}}}},
            {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
             "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {".": {}, "f:legacy": {}, "f:key": {}},
                          "f:metadata": {"f:annotations": {".": {},
                              "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}},
            {"manager": "other", "operation": "Update", "apiVersion": "v1",
             "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {"f:x": {}}}}
        ]}})
    }

    #[test]
    fn client_side_fields_move_to_the_apply_manager() {
        let obj = cm_after_ssa();
        let owners = last_applied_owners(&obj, "Update");
        assert_eq!(owners, vec!["kubectl-client-side-apply".to_string()]);
        let patch = upgrade_patch(&obj, &owners, "kubectl").unwrap();
        assert_eq!(
            patch[1],
            json!({"op": "replace", "path": "/metadata/resourceVersion", "value": "7"})
        );
        let entries = patch[0]["value"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["manager"], "kubectl");
        assert_eq!(
            serde_json::to_string(&entries[0]["fieldsV1"]).unwrap(),
            r#"{"f:data":{".":{},"f:key":{},"f:legacy":{}},"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}"#
        );
        assert_eq!(entries[1]["manager"], "other");
    }

    #[test]
    fn without_an_apply_entry_the_client_side_one_becomes_it() {
        let mut obj = cm_after_ssa();
        obj["metadata"]["managedFields"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        let patch = upgrade_patch(&obj, &["kubectl-client-side-apply".into()], "kubectl").unwrap();
        let entries = patch[0]["value"].as_array().unwrap();
        assert_eq!(entries[0]["manager"], "kubectl");
        assert_eq!(entries[0]["operation"], "Apply");
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn nothing_to_migrate_is_no_patch() {
        let mut obj = cm_after_ssa();
        obj["metadata"]["managedFields"]
            .as_array_mut()
            .unwrap()
            .remove(1);
        assert!(last_applied_owners(&obj, "Update").is_empty());
        assert_eq!(upgrade_patch(&obj, &[], "kubectl"), None);
    }
}
