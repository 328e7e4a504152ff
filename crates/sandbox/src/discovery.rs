//! Discovery documents: legacy (/api, /apis, group versions) and aggregated v2.
//!
//! All of them are derived from `resources::RESOURCES`, so discovery can't disagree with what
//! the handlers serve.

use serde_json::{json, Value};

use super::resources::{self, ResourceInfo, RESOURCES};

/// The media type of an aggregated discovery response.
pub const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether an Accept header asks for aggregated discovery (v2 or v2beta1). kubectl sends a
/// list of alternatives in preference order; the first one we can serve wins.
pub fn wants_aggregated(accept: &str) -> bool {
    for alt in accept.split(',') {
        let params: Vec<String> = alt
            .split(';')
            .map(|p| p.trim().to_ascii_lowercase().replace(' ', ""))
            .collect();
        let Some(mt) = params.first() else { continue };
        let has = |p: &str| params.iter().any(|x| x == p);
        if mt == "application/json"
            && has("g=apidiscovery.k8s.io")
            && has("as=apigroupdiscoverylist")
            && (has("v=v2") || has("v=v2beta1"))
        {
            return true;
        }
        if mt == "application/json" || mt == "*/*" || mt == "application/*" {
            return false;
        }
    }
    false
}

/// `/api`: the core API versions.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": resources::versions(""),
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

/// One group of `/apis`' `APIGroupList`: its versions, the first one preferred.
pub(crate) fn group_entry<'a>(group: &str, versions: impl IntoIterator<Item = &'a str>) -> Value {
    let versions: Vec<Value> = versions
        .into_iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": versions,
        "preferredVersion": versions.first().cloned().unwrap_or(Value::Null),
    })
}

/// The `/apis/<group>` document of a group entry.
pub(crate) fn api_group_doc(mut entry: Value) -> Value {
    entry["kind"] = json!("APIGroup");
    entry["apiVersion"] = json!("v1");
    entry
}

/// `/apis`: the named groups.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = resources::GROUPS
        .iter()
        .map(|g| group_entry(g, resources::versions(g)))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/<group>`.
pub fn api_group(group: &str) -> Option<Value> {
    if !resources::GROUPS.contains(&group) {
        return None;
    }
    Some(api_group_doc(group_entry(
        group,
        resources::versions(group),
    )))
}

/// `shortNames` and `categories`, each when the type has any (both discovery formats).
fn names_and_categories(entry: &mut Value, r: &ResourceInfo) {
    if !r.short_names.is_empty() {
        entry["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        entry["categories"] = json!(r.categories);
    }
}

/// A resource type's entries in a legacy `APIResourceList`: the type, then its subresources.
pub(crate) fn legacy_entries(r: &ResourceInfo) -> Vec<Value> {
    let mut main = json!({
        "name": r.resource,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": r.verbs,
    });
    if !r.storage_version_hash.is_empty() {
        main["storageVersionHash"] = json!(r.storage_version_hash);
    }
    names_and_categories(&mut main, r);
    let mut out = vec![main];
    for s in r.subresources {
        let mut e = json!({
            "name": format!("{}/{}", r.resource, s.name),
            "singularName": "",
            "namespaced": r.namespaced,
            "kind": s.kind,
            "verbs": s.verbs,
        });
        if !s.group.is_empty() {
            e["group"] = json!(s.group);
            e["version"] = json!(s.version);
        }
        out.push(e);
    }
    out
}

/// `/api/v1` or `/apis/<group>/<version>`: the legacy `APIResourceList`.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let list: Vec<Value> = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .flat_map(legacy_entries)
        .collect();
    if list.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let mut doc = json!({"kind": "APIResourceList", "groupVersion": gv, "resources": list});
    if !group.is_empty() {
        doc["apiVersion"] = json!("v1");
    }
    Some(doc)
}

/// A resource type in aggregated discovery. Built-in types name no group or version in their
/// response kinds (`kind_gv` is empty); custom resources name their own (`kind_gv` is theirs).
/// A subresource served in another group version (`scale`) always names it.
pub(crate) fn aggregated_resource(r: &ResourceInfo, kind_gv: (&str, &str)) -> Value {
    let mut e = json!({
        "resource": r.resource,
        "responseKind": {"group": kind_gv.0, "version": kind_gv.1, "kind": r.kind},
        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular,
        "verbs": r.verbs,
    });
    names_and_categories(&mut e, r);
    if !r.subresources.is_empty() {
        let subs: Vec<Value> = r
            .subresources
            .iter()
            .map(|s| {
                let (g, v) = if s.group.is_empty() {
                    kind_gv
                } else {
                    (s.group, s.version)
                };
                json!({
                    "subresource": s.name,
                    "responseKind": {"group": g, "version": v, "kind": s.kind},
                    "verbs": s.verbs,
                })
            })
            .collect();
        e["subresources"] = json!(subs);
    }
    e
}

/// One group of an `APIGroupDiscoveryList`: `versions` in preference order, each with the
/// aggregated entries of its resource types.
pub(crate) fn aggregated_group_doc(group: &str, versions: Vec<(&str, Vec<Value>)>) -> Value {
    let versions: Vec<Value> = versions
        .into_iter()
        .map(|(v, res)| json!({"version": v, "resources": res, "freshness": "Current"}))
        .collect();
    let metadata = if group.is_empty() {
        json!({})
    } else {
        json!({"name": group})
    };
    json!({"metadata": metadata, "versions": versions})
}

fn aggregated_group(group: &str) -> Value {
    let versions = resources::versions(group)
        .into_iter()
        .map(|v| {
            let res: Vec<Value> = RESOURCES
                .iter()
                .filter(|r| r.group == group && r.version == v)
                .map(|r| aggregated_resource(r, ("", "")))
                .collect();
            (v, res)
        })
        .collect();
    aggregated_group_doc(group, versions)
}

/// Aggregated discovery (`APIGroupDiscoveryList`) for `/api` (`core = true`) or `/apis`.
pub fn aggregated(core: bool) -> Value {
    let items: Vec<Value> = if core {
        vec![aggregated_group("")]
    } else {
        resources::GROUPS
            .iter()
            .map(|g| aggregated_group(g))
            .collect()
    };
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testfixtures::fixture_json as reference;

    /// Discovery is the real server's, document for document.
    #[test]
    fn legacy_matches_reference() {
        assert_eq!(
            resource_list("", "v1").unwrap(),
            reference("discovery-v1-resources.json")
        );
        assert_eq!(
            resource_list("apps", "v1").unwrap(),
            reference("discovery-apps-v1-resources.json")
        );
        assert!(resource_list("apps", "v2").is_none());
        assert_eq!(
            api_versions("1.2.3.4:5")["versions"],
            reference("discovery-api.json")["versions"]
        );
        assert_eq!(api_group_list(), reference("discovery-apis.json"));
        assert_eq!(api_group("apps").unwrap()["kind"], "APIGroup");
        assert_eq!(
            api_group("autoscaling").unwrap()["preferredVersion"]["version"],
            "v2"
        );
        assert!(api_group("nope").is_none());
    }

    #[test]
    fn aggregated_matches_reference() {
        assert_eq!(aggregated(true), reference("discovery-api-aggregated.json"));
        assert_eq!(
            aggregated(false),
            reference("discovery-apis-aggregated.json")
        );
    }

    #[test]
    fn accept_negotiation() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert!(wants_aggregated(kubectl));
        assert!(!wants_aggregated("application/json"));
        assert!(!wants_aggregated("application/json, */*"));
        assert!(!wants_aggregated(""));
        assert!(wants_aggregated(
            "application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList"
        ));
    }
}
