//! The table of served resources: names, kinds, short names, verbs, categories, scope.
//!
//! Everything the HTTP layer and discovery know about a resource type comes from `RESOURCES`,
//! copied from what a v1.36 kube-apiserver advertises for the same types.

use std::sync::LazyLock;

use super::store::GroupResource;

/// A subresource as discovery lists it.
#[derive(Debug)]
pub struct Subresource {
    /// `status`, `scale`, `binding`, ...
    pub name: &'static str,
    /// Group/version/kind of the response when it differs from the parent's ("" = same group).
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

/// One served resource type.
#[derive(Debug)]
pub struct ResourceInfo {
    pub group: &'static str,
    pub version: &'static str,
    /// Plural name, as in URLs.
    pub resource: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub subresources: &'static [Subresource],
    /// `metadata.generation` is maintained (bumped when `spec` changes).
    pub has_generation: bool,
    pub storage_version_hash: &'static str,
    /// Where objects are stored, when another group/resource owns the storage
    /// (events.k8s.io events live with core events).
    pub storage: Option<(&'static str, &'static str)>,
    /// For a version of a CustomResourceDefinition: its schema, printer columns and
    /// subresource paths (see `crd`); None for the built-in kinds.
    pub custom: Option<&'static crate::crd::CustomVersion>,
}

impl ResourceInfo {
    /// The group/resource under which the store keeps these objects.
    pub fn storage_gr(&self) -> GroupResource {
        match self.storage {
            Some((g, r)) => GroupResource::new(g, r),
            None => GroupResource::new(self.group, self.resource),
        }
    }

    /// The group/resource as named in URLs and error messages.
    pub fn gr(&self) -> GroupResource {
        GroupResource::new(self.group, self.resource)
    }

    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether the resource has a `status` subresource (writes to the main resource then
    /// ignore status, and writes to /status only change status).
    pub fn has_status(&self) -> bool {
        self.subresource("status").is_some()
    }

    /// The subresource of that name, when the handlers serve it.
    pub fn subresource(&self, name: &str) -> Option<&'static Subresource> {
        if !HANDLED_SUBRESOURCES.contains(&name) {
            return None;
        }
        self.subresources.iter().find(|s| s.name == name)
    }

    /// Whether the main resource supports a verb (`deletecollection`, ...).
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }
}

/// The subresources the handlers implement; discovery lists every one the real server has,
/// requests for the others get the real server's answer to an unknown path.
const HANDLED_SUBRESOURCES: &[&str] = &[
    "status",
    "scale",
    "binding",
    "finalize",
    "eviction",
    "log",
    "exec",
    "ephemeralcontainers",
    "token",
    "approval",
    "attach",
    "portforward",
];

/// The data behind [`RESOURCES`] and [`GROUPS`]: derived from a real v1.36 kube-apiserver's
/// aggregated discovery by `data/gen_resources.py` (groups, versions and resources in the
/// server's order; storage version hashes as the apiserver computes them).
const DATA: &str = include_str!("../data/resources.json");

#[derive(serde::Deserialize)]
struct DataDoc {
    groups: Vec<DataGroup>,
}
#[derive(serde::Deserialize)]
struct DataGroup {
    group: String,
    versions: Vec<DataVersion>,
}
#[derive(serde::Deserialize)]
struct DataVersion {
    version: String,
    resources: Vec<DataResource>,
}
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataResource {
    resource: String,
    singular: String,
    kind: String,
    namespaced: bool,
    short_names: Vec<String>,
    categories: Vec<String>,
    verbs: Vec<String>,
    subresources: Vec<DataSub>,
    generation: bool,
    hash: String,
    #[serde(default)]
    storage: Option<(String, String)>,
}
#[derive(serde::Deserialize)]
struct DataSub {
    name: String,
    group: String,
    version: String,
    kind: String,
    verbs: Vec<String>,
}

/// The table lives for the whole process: its strings are leaked once so that the rest of the
/// server can hold `&'static` references to it.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}
fn leak_all(v: Vec<String>) -> &'static [&'static str] {
    Box::leak(
        v.into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

fn load() -> (Vec<ResourceInfo>, Vec<&'static str>) {
    let doc: DataDoc = serde_json::from_str(DATA).expect("data/resources.json is valid");
    let mut resources = Vec::new();
    let mut groups = Vec::new();
    for g in doc.groups {
        let group = leak(g.group);
        if !group.is_empty() {
            groups.push(group);
        }
        for v in g.versions {
            let version = leak(v.version);
            for r in v.resources {
                let subs: Vec<Subresource> = r
                    .subresources
                    .into_iter()
                    .map(|s| Subresource {
                        name: leak(s.name),
                        group: leak(s.group),
                        version: leak(s.version),
                        kind: leak(s.kind),
                        verbs: leak_all(s.verbs),
                    })
                    .collect();
                resources.push(ResourceInfo {
                    group,
                    version,
                    resource: leak(r.resource),
                    singular: leak(r.singular),
                    kind: leak(r.kind),
                    namespaced: r.namespaced,
                    short_names: leak_all(r.short_names),
                    categories: leak_all(r.categories),
                    verbs: leak_all(r.verbs),
                    subresources: Box::leak(subs.into_boxed_slice()),
                    has_generation: r.generation,
                    storage_version_hash: leak(r.hash),
                    storage: r.storage.map(|(g, r)| (leak(g), leak(r))),
                    custom: None,
                });
            }
        }
    }
    (resources, groups)
}

static TABLE: LazyLock<(Vec<ResourceInfo>, Vec<&'static str>)> = LazyLock::new(load);

/// Every served resource, core first, then groups in the order `/apis` lists them, versions
/// in preference order; within a group-version sorted by name (as discovery sorts them).
pub static RESOURCES: LazyLock<&'static [ResourceInfo]> = LazyLock::new(|| &TABLE.0);

/// The API groups served under `/apis`, in the order the real server lists them.
pub static GROUPS: LazyLock<&'static [&'static str]> = LazyLock::new(|| &TABLE.1);

/// Looks a resource up by group, version and plural name.
pub fn find(group: &str, version: &str, resource: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.resource == resource)
}

/// Looks a resource up by its storage group/resource (what watch events and the store carry).
pub fn by_gr(gr: &GroupResource) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == gr.group && r.resource == gr.resource)
}

/// The served versions of a group ("" = core).
pub fn versions(group: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = RESOURCES
        .iter()
        .filter(|r| r.group == group)
        .map(|r| r.version)
        .collect();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let d = find("apps", "v1", "deployments").unwrap();
        assert_eq!(d.kind, "Deployment");
        assert!(d.has_status() && d.subresource("scale").is_some() && d.has_generation);
        assert!(find("", "v1", "deployments").is_none());
        let ev = find("events.k8s.io", "v1", "events").unwrap();
        assert_eq!(ev.storage_gr(), GroupResource::new("", "events"));
        assert_eq!(ev.api_version(), "events.k8s.io/v1");
        assert!(!find("", "v1", "namespaces")
            .unwrap()
            .has_verb("deletecollection"));
        assert_eq!(versions("apps"), ["v1"]);
        let cj = find("batch", "v1", "cronjobs").unwrap();
        assert_eq!(
            (cj.kind, cj.short_names, cj.categories),
            ("CronJob", &["cj"][..], &["all"][..])
        );
        assert!(cj.has_status() && cj.has_generation);
        assert_eq!(
            find("batch", "v1", "jobs").unwrap().storage_version_hash,
            "mudhfqk/qZY="
        );
        for g in GROUPS.iter() {
            assert!(!versions(g).is_empty());
        }
    }

    #[test]
    fn sorted_within_group_version() {
        for g in std::iter::once(&"").chain(GROUPS.iter()) {
            let names: Vec<_> = RESOURCES
                .iter()
                .filter(|r| r.group == *g)
                .map(|r| r.resource)
                .collect();
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted, "group {g:?}");
        }
    }
}
