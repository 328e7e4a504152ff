//! What discovery knows: API groups (preferred version first) and resources, parsed from the
//! aggregated v2 documents (`APIGroupDiscoveryList`) or the legacy ones (`APIVersions`,
//! `APIGroupList`, `APIResourceList`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One resource of one group version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiResource {
    /// API group ("" for core).
    pub group: String,
    /// Version (`v1`).
    pub version: String,
    /// Plural name (`daemonsets`).
    pub resource: String,
    /// Kind (`DaemonSet`).
    pub kind: String,
    /// Singular name (`daemonset`).
    pub singular: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs (`get`, `list`, …).
    pub verbs: Vec<String>,
    /// Short names (`ds`).
    pub short_names: Vec<String>,
    /// Categories (`all`).
    pub categories: Vec<String>,
    /// Subresources (`status`, `scale`).
    pub subresources: Vec<String>,
}

impl ApiResource {
    /// `apps/v1`, or `v1` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `daemonsets.apps`, or `pods` for core (kubectl's `-o name` prefix uses the kind instead).
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    /// The request path for this resource: `namespace` is used only when the resource is
    /// namespaced (None lists across all namespaces); `name` selects one object. An invalid
    /// namespace or name (empty, `.`, `..`, `/`, `%`) is client-go's error, never another path.
    pub fn path(
        &self,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<crate::client::ApiPath, crate::client::PathError> {
        self.subresource_path(namespace, name, None)
            .map(|p| p.with_kind(&self.kind))
    }

    /// The request path for this resource, on `subresource` when given; `namespace` and
    /// `name` as in [`ApiResource::path`].
    pub fn subresource_path(
        &self,
        namespace: Option<&str>,
        name: Option<&str>,
        subresource: Option<&str>,
    ) -> Result<crate::client::ApiPath, crate::client::PathError> {
        crate::client::ResourcePath {
            group: &self.group,
            version: &self.version,
            resource: &self.resource,
            namespace: if self.namespaced { namespace } else { None },
            name,
            subresource,
        }
        .build()
    }

    /// True when the resource supports `verb`.
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// One API group and its versions, preferred first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGroup {
    /// Group name ("" for core).
    pub name: String,
    /// Versions, preferred first.
    pub versions: Vec<String>,
}

/// Everything discovery returned, in priority order (core first, then `/apis` order; within a
/// group, the preferred version first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveryData {
    /// Groups in priority order.
    pub groups: Vec<ApiGroup>,
    /// Resources in priority order.
    pub resources: Vec<ApiResource>,
    /// Group versions whose discovery failed, with the error (`unable to retrieve the complete
    /// list of server APIs`).
    #[serde(default)]
    pub failed: Vec<(String, String)>,
}

impl DiscoveryData {
    /// Every `group/version` (`v1` for core), sorted, as `api-versions` prints them.
    pub fn group_versions(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .groups
            .iter()
            .flat_map(|g| {
                g.versions.iter().map(move |v| {
                    if g.name.is_empty() {
                        v.clone()
                    } else {
                        format!("{}/{v}", g.name)
                    }
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The preferred version of `group`.
    pub fn preferred_version(&self, group: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.name == group)
            .and_then(|g| g.versions.first())
            .map(String::as_str)
    }

    /// Resources of each group's preferred version (client-go `ServerPreferredResources`).
    pub fn preferred_resources(&self) -> impl Iterator<Item = &ApiResource> {
        self.resources
            .iter()
            .filter(|r| self.preferred_version(&r.group) == Some(r.version.as_str()))
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The elements of the array at `k` (none when it is missing or not an array).
fn each<'a>(v: &'a Value, k: &str) -> impl Iterator<Item = &'a Value> {
    v.get(k).and_then(Value::as_array).into_iter().flatten()
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// True when `content_type` is an aggregated discovery document.
pub fn is_aggregated(content_type: &str, body: &Value) -> bool {
    content_type.contains("as=APIGroupDiscoveryList")
        || body.get("kind").and_then(Value::as_str) == Some("APIGroupDiscoveryList")
}

/// Adds the groups and resources of an `APIGroupDiscoveryList` to `out`.
pub fn parse_aggregated(list: &Value, out: &mut DiscoveryData) -> Result<(), String> {
    let items = list
        .get("items")
        .and_then(Value::as_array)
        .ok_or("aggregated discovery document without items")?;
    for item in items {
        let group = item
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut versions = Vec::new();
        for ver in each(item, "versions") {
            let version = s(ver, "version");
            if version.is_empty() {
                continue;
            }
            for r in each(ver, "resources") {
                let resource = s(r, "resource");
                if resource.is_empty() {
                    continue;
                }
                let subresources = r
                    .get("subresources")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|x| s(x, "subresource")).collect())
                    .unwrap_or_default();
                out.resources.push(ApiResource {
                    group: group.clone(),
                    version: version.clone(),
                    kind: r
                        .pointer("/responseKind/kind")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    singular: s(r, "singularResource"),
                    namespaced: s(r, "scope") == "Namespaced",
                    verbs: strings(r.get("verbs")),
                    short_names: strings(r.get("shortNames")),
                    categories: strings(r.get("categories")),
                    subresources,
                    resource,
                });
            }
            versions.push(version);
        }
        out.groups.push(ApiGroup {
            name: group,
            versions,
        });
    }
    Ok(())
}

/// The group versions to fetch after legacy `/api` (`APIVersions`) and `/apis`
/// (`APIGroupList`): (group, versions preferred first).
pub fn parse_legacy_groups(api: &Value, apis: &Value) -> Vec<ApiGroup> {
    let mut out = Vec::new();
    let core = strings(api.get("versions"));
    if !core.is_empty() {
        out.push(ApiGroup {
            name: String::new(),
            versions: core,
        });
    }
    for g in each(apis, "groups") {
        let name = s(g, "name");
        let preferred = g
            .pointer("/preferredVersion/version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut versions: Vec<String> = each(g, "versions")
            .map(|v| s(v, "version"))
            .filter(|v| !v.is_empty())
            .collect();
        if let Some(i) = versions.iter().position(|v| *v == preferred) {
            let p = versions.remove(i);
            versions.insert(0, p);
        }
        out.push(ApiGroup { name, versions });
    }
    out
}

/// Resources of one legacy `APIResourceList` (subresources folded into their parents).
pub fn parse_resource_list(group: &str, version: &str, list: &Value) -> Vec<ApiResource> {
    let mut out: Vec<ApiResource> = Vec::new();
    let items = list
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for r in &items {
        let name = s(r, "name");
        if name.contains('/') {
            continue;
        }
        out.push(ApiResource {
            group: group.into(),
            version: version.into(),
            kind: s(r, "kind"),
            singular: s(r, "singularName"),
            namespaced: r
                .get("namespaced")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            verbs: strings(r.get("verbs")),
            short_names: strings(r.get("shortNames")),
            categories: strings(r.get("categories")),
            subresources: Vec::new(),
            resource: name,
        });
    }
    for r in &items {
        let name = s(r, "name");
        if let Some((parent, sub)) = name.split_once('/') {
            if let Some(p) = out.iter_mut().find(|x| x.resource == parent) {
                p.subresources.push(sub.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let p = format!(
            "{}/tests/fixtures/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn aggregated_reference_documents() {
        let mut d = DiscoveryData::default();
        parse_aggregated(&fixture("discovery-api-aggregated.json"), &mut d).unwrap();
        parse_aggregated(&fixture("discovery-apis-aggregated.json"), &mut d).unwrap();
        assert_eq!(d.groups[0].name, "");
        assert_eq!(d.groups[1].name, "apiregistration.k8s.io");
        let ds = d
            .resources
            .iter()
            .find(|r| r.resource == "daemonsets")
            .unwrap();
        assert_eq!(ds.group, "apps");
        assert_eq!(ds.kind, "DaemonSet");
        assert_eq!(ds.singular, "daemonset");
        assert!(ds.namespaced);
        assert_eq!(ds.short_names, ["ds"]);
        assert_eq!(ds.categories, ["all"]);
        assert!(ds.subresources.contains(&"status".to_string()));
        let nodes = d.resources.iter().find(|r| r.resource == "nodes").unwrap();
        assert!(!nodes.namespaced);
        assert_eq!(d.preferred_version("autoscaling"), Some("v2"));
        let gvs = d.group_versions();
        assert_eq!(gvs[0], "admissionregistration.k8s.io/v1");
        assert!(gvs.contains(&"v1".to_string()));
        assert!(gvs.contains(&"autoscaling/v1".to_string()));
        // Only preferred versions: no autoscaling/v1 resources.
        assert!(!d
            .preferred_resources()
            .any(|r| r.group == "autoscaling" && r.version == "v1"));
    }

    #[test]
    fn legacy_reference_documents() {
        let groups = parse_legacy_groups(
            &fixture("discovery-api.json"),
            &fixture("discovery-apis.json"),
        );
        assert_eq!(groups[0].name, "");
        assert_eq!(groups[0].versions, ["v1"]);
        let auto = groups.iter().find(|g| g.name == "autoscaling").unwrap();
        assert_eq!(auto.versions[0], "v2");
        let apps = parse_resource_list("apps", "v1", &fixture("discovery-apps-v1-resources.json"));
        let ds = apps.iter().find(|r| r.resource == "daemonsets").unwrap();
        assert_eq!(ds.short_names, ["ds"]);
        assert!(ds.subresources.contains(&"status".to_string()));
        assert!(!apps.iter().any(|r| r.resource.contains('/')));
        let core = parse_resource_list("", "v1", &fixture("discovery-v1-resources.json"));
        let pods = core.iter().find(|r| r.resource == "pods").unwrap();
        assert_eq!(pods.short_names, ["po"]);
        assert_eq!(pods.api_version(), "v1");
        assert_eq!(ds.api_version(), "apps/v1");
        assert_eq!(ds.group_resource(), "daemonsets.apps");
        assert_eq!(
            ds.path(Some("default"), Some("x")).unwrap(),
            "/apis/apps/v1/namespaces/default/daemonsets/x"
        );
        assert_eq!(ds.path(None, None).unwrap(), "/apis/apps/v1/daemonsets");
        let nodes = core.iter().find(|r| r.resource == "nodes").unwrap();
        assert_eq!(
            nodes.path(Some("default"), Some("n1")).unwrap(),
            "/api/v1/nodes/n1"
        );
        assert_eq!(
            ds.path(Some("default"), Some("")).unwrap_err().to_string(),
            "resource name may not be empty"
        );
        // The namespace of a cluster-scoped resource is not part of its path, so not checked.
        assert!(nodes.path(Some(".."), Some("n1")).is_ok());
    }
}
