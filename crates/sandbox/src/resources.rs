//! The table of served resources: names, kinds, short names, verbs, categories, scope.
//!
//! Everything the HTTP layer and discovery know about a resource type comes from `RESOURCES`,
//! copied from what a v1.36 kube-apiserver advertises for the same types.

use super::store::GroupResource;

/// The verbs of a normal top-level resource, in discovery's order.
const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
/// Namespaces have no deletecollection.
const NS_VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const STATUS_VERBS: &[&str] = &["get", "patch", "update"];

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

    /// The served subresource of that name.
    pub fn subresource(&self, name: &str) -> Option<&'static Subresource> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// Whether the main resource supports a verb (`deletecollection`, ...).
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }
}

const fn status(kind: &'static str) -> Subresource {
    Subresource {
        name: "status",
        group: "",
        version: "",
        kind,
        verbs: STATUS_VERBS,
    }
}

const fn scale() -> Subresource {
    Subresource {
        name: "scale",
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: STATUS_VERBS,
    }
}

#[allow(clippy::too_many_arguments)]
const fn res(
    group: &'static str,
    resource: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    categories: &'static [&'static str],
    subresources: &'static [Subresource],
    has_generation: bool,
    storage_version_hash: &'static str,
) -> ResourceInfo {
    ResourceInfo {
        group,
        version: "v1",
        resource,
        singular,
        kind,
        namespaced,
        short_names,
        categories,
        verbs: ALL_VERBS,
        subresources,
        has_generation,
        storage_version_hash,
        storage: None,
    }
}

/// Every served resource, core first, then groups in the order `/apis` lists them; within a
/// group-version sorted by name (as discovery sorts them).
pub static RESOURCES: &[ResourceInfo] = &[
    res(
        "",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        &[],
        &[],
        false,
        "qFsyl6wFWjQ=",
    ),
    res(
        "",
        "endpoints",
        "endpoints",
        "Endpoints",
        true,
        &["ep"],
        &[],
        &[],
        false,
        "fWeeMqaN/OA=",
    ),
    res(
        "",
        "events",
        "event",
        "Event",
        true,
        &["ev"],
        &[],
        &[],
        false,
        "r2yiGXH7wu8=",
    ),
    res(
        "",
        "limitranges",
        "limitrange",
        "LimitRange",
        true,
        &["limits"],
        &[],
        &[],
        false,
        "EBKMFVe6cwo=",
    ),
    ResourceInfo {
        verbs: NS_VERBS,
        ..res(
            "",
            "namespaces",
            "namespace",
            "Namespace",
            false,
            &["ns"],
            &[],
            &[
                Subresource {
                    name: "finalize",
                    group: "",
                    version: "",
                    kind: "Namespace",
                    verbs: &["update"],
                },
                status("Namespace"),
            ],
            false,
            "Q3oi5N2YM8M=",
        )
    },
    res(
        "",
        "nodes",
        "node",
        "Node",
        false,
        &["no"],
        &[],
        &[status("Node")],
        false,
        "XwShjMxG9Fs=",
    ),
    res(
        "",
        "pods",
        "pod",
        "Pod",
        true,
        &["po"],
        &["all"],
        &[
            Subresource {
                name: "binding",
                group: "",
                version: "",
                kind: "Binding",
                verbs: &["create"],
            },
            Subresource {
                name: "log",
                group: "",
                version: "",
                kind: "Pod",
                verbs: &["get"],
            },
            status("Pod"),
        ],
        false,
        "xPOwRZ+Yhw8=",
    ),
    res(
        "",
        "resourcequotas",
        "resourcequota",
        "ResourceQuota",
        true,
        &["quota"],
        &[],
        &[status("ResourceQuota")],
        false,
        "8uhSgffRX6w=",
    ),
    res(
        "",
        "secrets",
        "secret",
        "Secret",
        true,
        &[],
        &[],
        &[],
        false,
        "S6u1pOWzb84=",
    ),
    res(
        "",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
        &[],
        &[],
        false,
        "pbx9ZvyFpBE=",
    ),
    res(
        "",
        "services",
        "service",
        "Service",
        true,
        &["svc"],
        &["all"],
        &[status("Service")],
        false,
        "0/CO1lhkEBI=",
    ),
    res(
        "apps",
        "controllerrevisions",
        "controllerrevision",
        "ControllerRevision",
        true,
        &[],
        &[],
        &[],
        false,
        "85nkx63pcBU=",
    ),
    res(
        "apps",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        &["ds"],
        &["all"],
        &[status("DaemonSet")],
        true,
        "dd7pWHUlMKQ=",
    ),
    res(
        "apps",
        "deployments",
        "deployment",
        "Deployment",
        true,
        &["deploy"],
        &["all"],
        &[scale(), status("Deployment")],
        true,
        "8aSe+NMegvE=",
    ),
    res(
        "apps",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        &["rs"],
        &["all"],
        &[scale(), status("ReplicaSet")],
        true,
        "P1RzHs8/mWQ=",
    ),
    res(
        "apps",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        &["sts"],
        &["all"],
        &[scale(), status("StatefulSet")],
        true,
        "H+vl74LkKdo=",
    ),
    ResourceInfo {
        storage: Some(("", "events")),
        ..res(
            "events.k8s.io",
            "events",
            "event",
            "Event",
            true,
            &["ev"],
            &[],
            &[],
            false,
            "r2yiGXH7wu8=",
        )
    },
    res(
        "batch",
        "cronjobs",
        "cronjob",
        "CronJob",
        true,
        &["cj"],
        &["all"],
        &[status("CronJob")],
        true,
        "sd5LIXh4Fjs=",
    ),
    res(
        "batch",
        "jobs",
        "job",
        "Job",
        true,
        &[],
        &["all"],
        &[status("Job")],
        true,
        "mudhfqk/qZY=",
    ),
    res(
        "coordination.k8s.io",
        "leases",
        "lease",
        "Lease",
        true,
        &[],
        &[],
        &[],
        false,
        "gqkMMb/YqFM=",
    ),
    res(
        "discovery.k8s.io",
        "endpointslices",
        "endpointslice",
        "EndpointSlice",
        true,
        &[],
        &[],
        &[],
        false,
        "qgS0xkrxYAI=",
    ),
];

/// The API groups served under `/apis`, in the order the real server lists them.
pub const GROUPS: &[&str] = &[
    "apps",
    "events.k8s.io",
    "batch",
    "coordination.k8s.io",
    "discovery.k8s.io",
];

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
        for g in GROUPS {
            assert!(!versions(g).is_empty());
        }
    }

    #[test]
    fn sorted_within_group_version() {
        for g in std::iter::once(&"").chain(GROUPS) {
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
