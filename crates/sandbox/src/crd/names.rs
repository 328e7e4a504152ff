//! The apiextensions controllers that run after a write to a CRD, synchronously (so that a
//! client that created a CRD can use it at once, as it can a moment later on a real server):
//! - naming (`NamingConditionController`): accepts the requested names unless another CRD of
//!   the group has them, setting `NamesAccepted` (`NoConflicts`, or `KindConflict`, ... with
//!   `"x" is already in use`) and `Established` (`NotAccepted` / `Installing`);
//! - establishing: `Established` becomes `InitialNamesAccepted`;
//! - finalizing: instances whose CRD is gone are deleted.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::registry::condition_true;
use crate::resources;
use crate::store::{ns_name, GroupResource, Store};

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// `equalToAcceptedOrFresh`.
fn fresh(requested: &str, accepted: &str, used: &BTreeSet<String>) -> Result<(), String> {
    if requested == accepted || !used.contains(requested) {
        Ok(())
    } else {
        Err(format!("\"{requested}\" is already in use"))
    }
}

/// The accepted names and the two conditions for `crd`, given the other CRDs.
fn calculate(crd: &Value, others: &[Value], now: &str) -> (Value, Value, Value) {
    let group = &crd["spec"]["group"];
    let (mut resources_used, mut kinds_used) = (BTreeSet::new(), BTreeSet::new());
    for o in others.iter().filter(|o| {
        &o["spec"]["group"] == group && o["metadata"]["name"] != crd["metadata"]["name"]
    }) {
        let a = &o["status"]["acceptedNames"];
        resources_used.insert(s(&a["plural"]));
        resources_used.insert(s(&a["singular"]));
        resources_used.extend(strs(&a["shortNames"]));
        kinds_used.insert(s(&a["kind"]));
        kinds_used.insert(s(&a["listKind"]));
    }
    resources_used.remove("");
    kinds_used.remove("");
    let req = &crd["spec"]["names"];
    let acc = &crd["status"]["acceptedNames"];
    let mut new = json!({
        "plural": s(&acc["plural"]),
        "kind": s(&acc["kind"]),
    });
    for k in ["singular", "listKind"] {
        if !s(&acc[k]).is_empty() {
            new[k] = acc[k].clone();
        }
    }
    if acc["shortNames"].is_array() {
        new["shortNames"] = acc["shortNames"].clone();
    }
    let mut failure: Option<(&str, String)> = None;
    let mut check = |field: &str, used: &BTreeSet<String>, reason: &'static str| match fresh(
        &s(&req[field]),
        &s(&acc[field]),
        used,
    ) {
        Ok(()) => {
            if !s(&req[field]).is_empty() {
                new[field] = req[field].clone();
            }
        }
        Err(e) => failure = Some((reason, e)),
    };
    check("plural", &resources_used, "PluralConflict");
    check("singular", &resources_used, "SingularConflict");
    let requested_short = strs(&req["shortNames"]);
    if requested_short != strs(&acc["shortNames"]) {
        let mine: BTreeSet<String> = strs(&acc["shortNames"]).into_iter().collect();
        let errs: Vec<String> = requested_short
            .iter()
            .filter(|n| !mine.contains(*n))
            .filter_map(|n| fresh(n, "", &resources_used).err())
            .collect();
        match errs.len() {
            0 => {
                if req["shortNames"].is_array() {
                    new["shortNames"] = req["shortNames"].clone();
                } else if let Some(m) = new.as_object_mut() {
                    m.remove("shortNames");
                }
            }
            1 => failure = Some(("ShortNamesConflict", errs[0].clone())),
            _ => failure = Some(("ShortNamesConflict", format!("[{}]", errs.join(", ")))),
        }
    }
    let mut check = |field: &str, reason: &'static str| match fresh(
        &s(&req[field]),
        &s(&acc[field]),
        &kinds_used,
    ) {
        Ok(()) => {
            if !s(&req[field]).is_empty() {
                new[field] = req[field].clone();
            }
        }
        Err(e) => failure = Some((reason, e)),
    };
    check("kind", "KindConflict");
    check("listKind", "ListKindConflict");
    match req["categories"].as_array() {
        Some(c) if !c.is_empty() => new["categories"] = json!(c),
        _ => {
            if let Some(m) = new.as_object_mut() {
                m.remove("categories");
            }
        }
    }
    let condition = |ty: &str, status: &str, reason: &str, message: &str| json!({"type": ty, "status": status, "lastTransitionTime": now, "reason": reason, "message": message});
    let accepted = match &failure {
        None => condition("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
        Some((reason, msg)) => condition("NamesAccepted", "False", reason, msg),
    };
    let old_established = crd["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Established").cloned());
    let mut established = old_established.unwrap_or_else(|| {
        condition(
            "Established",
            "False",
            "NotAccepted",
            "not all names are accepted",
        )
    });
    if established["status"] != "True" && failure.is_none() {
        // The establishing controller follows at once.
        established = condition(
            "Established",
            "True",
            "InitialNamesAccepted",
            "the initial names have been accepted",
        );
    }
    (new, accepted, established)
}

/// Sets a condition, keeping its lastTransitionTime when the status does not change
/// (`SetCRDCondition`).
fn set_condition(conditions: &mut Vec<Value>, mut c: Value) {
    match conditions.iter_mut().find(|x| x["type"] == c["type"]) {
        Some(old) => {
            if old["status"] == c["status"] {
                c["lastTransitionTime"] = old["lastTransitionTime"].clone();
            }
            *old = c;
        }
        None => conditions.push(c),
    }
}

/// Brings every CRD's status up to date and deletes the instances of CRDs that are gone.
pub fn reconcile(store: &Store) {
    let gr = super::crd_gr();
    let now = store.clock().rfc3339();
    let (crds, _) = store.list(&gr, None);
    for crd in &crds {
        let name = s(&crd["metadata"]["name"]);
        let (all, _) = store.list(&gr, None);
        let _ = store.modify(&gr, "", &name, |obj| {
            let (names, accepted, established) = calculate(obj, &all, &now);
            let mut conditions: Vec<Value> = obj["status"]["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            set_condition(&mut conditions, accepted);
            set_condition(&mut conditions, established);
            let before = obj["status"].clone();
            obj["status"]["acceptedNames"] = names;
            obj["status"]["conditions"] = json!(conditions);
            Ok(obj["status"] != before)
        });
    }
    remove_orphans(store);
}

/// Deletes the objects stored under a group/resource that is neither built in nor defined
/// by an established CRD (the CRD finalizer's cleanup, done at once).
fn remove_orphans(store: &Store) {
    let (crds, _) = store.list(&super::crd_gr(), None);
    let defined: BTreeSet<(String, String)> = crds
        .iter()
        .filter(|c| condition_true(c, "Established"))
        .map(|c| {
            (
                s(&c["spec"]["group"]),
                s(&c["status"]["acceptedNames"]["plural"]),
            )
        })
        .collect();
    for gr in store.resources() {
        if !gr.group.contains('.')
            || resources::by_gr(&gr).is_some()
            || defined.contains(&(gr.group.clone(), gr.resource.clone()))
            || gr.group == super::super::metrics::GROUP
        {
            continue;
        }
        let (items, _) = store.list(&GroupResource::new(&gr.group, &gr.resource), None);
        for o in items {
            let (ns, name) = ns_name(&o);
            let _ = store.remove(&gr, &ns, &name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(name: &str, kind: &str, short: &[&str]) -> Value {
        json!({"metadata": {"name": format!("{name}.example.com")},
               "spec": {"group": "example.com",
                        "names": {"plural": name, "singular": name.trim_end_matches('s'),
                                  "kind": kind, "listKind": format!("{kind}List"), "shortNames": short}}})
    }

    #[test]
    fn conflicts_are_reported_like_the_naming_controller() {
        let (names, accepted, established) = calculate(&crd("foos", "Foo", &["f"]), &[], "t");
        assert_eq!(accepted["reason"], "NoConflicts");
        assert_eq!(established["reason"], "InitialNamesAccepted");
        assert_eq!(names["shortNames"], json!(["f"]));
        let mut first = crd("foos", "Foo", &["f"]);
        first["status"]["acceptedNames"] = names;
        let (names, accepted, established) =
            calculate(&crd("bars", "Foo", &[]), &[first.clone()], "t");
        // The last conflict found wins: the list kind is checked after the kind.
        assert_eq!(accepted["reason"], "ListKindConflict");
        assert_eq!(accepted["message"], "\"FooList\" is already in use");
        assert_eq!(established["status"], "False");
        assert_eq!(established["reason"], "NotAccepted");
        assert_eq!(names["kind"], "");
        let (_, accepted, _) = calculate(&crd("bars", "Bar", &["f", "foos"]), &[first], "t");
        assert_eq!(accepted["reason"], "ShortNamesConflict");
        assert_eq!(
            accepted["message"],
            "[\"f\" is already in use, \"foos\" is already in use]"
        );
    }
}
