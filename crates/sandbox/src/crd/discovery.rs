//! Discovery of custom resources: the CRD groups after the built-in ones in `/apis` (their
//! APIServices have group priority 1000, below every built-in group), versions in
//! Kubernetes version order, and each group version's resources as apiextensions lists them.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::discovery;
use crate::resources::ResourceInfo;
use crate::store::Store;

/// `version.CompareKubeAwareVersionStrings`, as an ordering (preferred first).
pub fn kube_version_order(a: &str, b: &str) -> Ordering {
    fn parse(v: &str) -> Option<(u64, u8, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let major: u64 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        if tail.is_empty() {
            return Some((major, 2, 0));
        }
        let (level, num) = if let Some(n) = tail.strip_prefix("beta") {
            (1, n)
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (0, n)
        } else {
            return None;
        };
        Some((major, level, num.parse().ok()?))
    }
    match (parse(a), parse(b)) {
        (Some((ma, la, na)), Some((mb, lb, nb))) => lb.cmp(&la).then(mb.cmp(&ma)).then(nb.cmp(&na)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Served custom resource types by group, then version (in preference order).
fn by_group(
    store: &Store,
) -> BTreeMap<&'static str, Vec<(&'static str, Vec<&'static ResourceInfo>)>> {
    let mut groups: BTreeMap<&str, BTreeMap<&str, Vec<&ResourceInfo>>> = BTreeMap::new();
    for r in super::served(store) {
        if crate::resources::GROUPS.contains(&r.group) {
            continue;
        }
        groups
            .entry(r.group)
            .or_default()
            .entry(r.version)
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|(g, versions)| {
            let mut v: Vec<(&str, Vec<&ResourceInfo>)> = versions
                .into_iter()
                .map(|(v, mut rs)| {
                    rs.sort_by_key(|r| r.resource);
                    (v, rs)
                })
                .collect();
            v.sort_by(|a, b| kube_version_order(a.0, b.0));
            (g, v)
        })
        .collect()
}

fn group_entry(group: &str, versions: &[(&str, Vec<&ResourceInfo>)]) -> Value {
    discovery::group_entry(group, versions.iter().map(|(v, _)| *v))
}

/// Appends the CRD groups to `/apis`' APIGroupList.
pub fn extend_group_list(store: &Store, list: &mut Value) {
    if let Some(groups) = list["groups"].as_array_mut() {
        for (g, versions) in by_group(store) {
            groups.push(group_entry(g, &versions));
        }
    }
}

/// `/apis/<group>` of a CRD group.
pub fn api_group(store: &Store, group: &str) -> Option<Value> {
    let groups = by_group(store);
    let versions = groups.get(group)?;
    Some(discovery::api_group_doc(group_entry(group, versions)))
}

/// `/apis/<group>/<version>` of a CRD group version.
pub fn resource_list(store: &Store, group: &str, version: &str) -> Option<Value> {
    let groups = by_group(store);
    let (_, rs) = groups.get(group)?.iter().find(|(v, _)| *v == version)?;
    let list: Vec<Value> = rs
        .iter()
        .flat_map(|r| discovery::legacy_entries(r))
        .collect();
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": format!("{group}/{version}"),
        "resources": list,
    }))
}

/// Appends the CRD groups to the aggregated discovery of `/apis`.
pub fn extend_aggregated(store: &Store, doc: &mut Value) {
    if let Some(items) = doc["items"].as_array_mut() {
        for (g, versions) in by_group(store) {
            let vs = versions
                .into_iter()
                .map(|(v, rs)| {
                    let res = rs
                        .iter()
                        .map(|r| discovery::aggregated_resource(r, (r.group, r.version)))
                        .collect();
                    (v, res)
                })
                .collect();
            items.push(discovery::aggregated_group_doc(g, vs));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_aware_version_order() {
        let mut v = vec![
            "v1alpha1", "foo", "v1", "v2beta1", "v1beta2", "v2", "v10", "bar",
        ];
        v.sort_by(|a, b| kube_version_order(a, b));
        assert_eq!(
            v,
            ["v10", "v2", "v1", "v2beta1", "v1beta2", "v1alpha1", "bar", "foo"]
        );
    }
}
