//! Resolving what the user typed to API resources (cli-runtime `builder.go` `mappingFor`,
//! client-go `restmapper/shortcut.go`) and splitting `TYPE NAME…` / `TYPE/NAME` arguments.

use super::model::{ApiResource, DiscoveryData};

/// Errors of name resolution and argument parsing, in kubectl's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// `the server doesn't have a resource type "foo"`.
    #[error("the server doesn't have a resource type {0:?}")]
    UnknownType(String),
    /// A malformed argument list.
    #[error("{0}")]
    BadArgs(String),
}

/// One resource type with the names given for it (empty: all objects of the type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeArg {
    /// The type as typed (`ds`, `daemonsets.apps`, `all`).
    pub type_name: String,
    /// Object names.
    pub names: Vec<String>,
}

/// Splits command arguments as kubectl's builder does: `TYPE[,TYPE…] [NAME…]` or
/// `TYPE/NAME…`. `cmd` is the program name used in the error text.
pub fn parse_type_args(args: &[String], cmd: &str) -> Result<Vec<TypeArg>, ResolveError> {
    if args.is_empty() {
        return Ok(Vec::new());
    }
    if args.iter().any(|a| a.contains('/')) {
        let mut out = Vec::new();
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err(ResolveError::BadArgs(format!(
                    "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. '{cmd} get resource/<resource_name>' instead of '{cmd} get resource resource/<resource_name>'"
                )));
            };
            if n.contains('/') {
                return Err(ResolveError::BadArgs(
                    "arguments in resource/name form may not have more than one slash".into(),
                ));
            }
            if t.is_empty() || n.is_empty() {
                return Err(ResolveError::BadArgs(
                    "arguments in resource/name form must have a single resource and name".into(),
                ));
            }
            for t in t.split(',') {
                out.push(TypeArg {
                    type_name: t.to_string(),
                    names: vec![n.to_string()],
                });
            }
        }
        return Ok(out);
    }
    let names: Vec<String> = args[1..].to_vec();
    Ok(args[0]
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| TypeArg {
            type_name: t.to_string(),
            names: names.clone(),
        })
        .collect())
}

fn matches_name(r: &ApiResource, name: &str) -> bool {
    r.resource == name || r.singular == name || r.kind.to_lowercase() == name
}

impl DiscoveryData {
    /// Resolves one type argument to resources: a single resource (preferred version unless
    /// one was given), or every member of a category such as `all`.
    pub fn resolve(&self, arg: &str) -> Result<Vec<ApiResource>, ResolveError> {
        let lower = arg.to_lowercase();
        if let Some(r) = self.resolve_one(&lower) {
            return Ok(vec![r]);
        }
        let members: Vec<ApiResource> = self
            .preferred_resources()
            .filter(|r| r.categories.contains(&lower))
            .cloned()
            .collect();
        if !members.is_empty() {
            return Ok(members);
        }
        let resource = lower.split('.').next().unwrap_or(&lower);
        Err(ResolveError::UnknownType(resource.to_string()))
    }

    fn find(&self, pred: impl Fn(&ApiResource) -> bool) -> Option<ApiResource> {
        // Preferred versions first, then the rest, each in group priority order.
        self.preferred_resources()
            .find(|r| pred(r))
            .or_else(|| self.resources.iter().find(|r| pred(r)))
            .cloned()
    }

    /// client-go's shortcut-expander warnings for `arg`: when a short name matches resources
    /// in several groups, the first wins and each other one is named
    /// (`short name "ev" could also match lower priority resource events.events.k8s.io`).
    pub fn short_name_warnings(&self, arg: &str) -> Vec<String> {
        let lower = arg.to_lowercase();
        if self.resources.iter().any(|r| matches_name(r, &lower)) {
            return Vec::new();
        }
        let mut seen: Vec<String> = Vec::new();
        for r in self
            .preferred_resources()
            .filter(|r| r.short_names.contains(&lower))
        {
            let gr = r.group_resource();
            if !seen.contains(&gr) {
                seen.push(gr);
            }
        }
        seen.iter()
            .skip(1)
            .map(|gr| format!("short name {lower:?} could also match lower priority resource {gr}"))
            .collect()
    }

    fn resolve_one(&self, arg: &str) -> Option<ApiResource> {
        // Exact plural/singular/kind in any group, highest priority first.
        if let Some(r) = self.find(|r| matches_name(r, arg)) {
            return Some(r);
        }
        if let Some(r) = self.find(|r| r.short_names.iter().any(|s| s == arg)) {
            return Some(r);
        }
        let parts: Vec<&str> = arg.split('.').collect();
        if parts.len() >= 3 {
            // resource.version.group
            let (res, ver, group) = (parts[0], parts[1], parts[2..].join("."));
            if let Some(r) = self.resources.iter().find(|r| {
                r.group == group
                    && r.version == ver
                    && (matches_name(r, res) || r.short_names.iter().any(|s| s == res))
            }) {
                return Some(r.clone());
            }
        }
        if parts.len() >= 2 {
            // resource.group; without an exact match, any group the given text is a prefix
            // of (apimachinery's RESTMapper and client-go's shortcut expander use a plain
            // string prefix: `hpa.autoscal`, `storageclass.storage`).
            let (res, group) = (parts[0], parts[1..].join("."));
            let exact = self.find(|r| r.group == group && matches_name(r, res));
            if exact.is_some() {
                return exact;
            }
            return self.find(|r| {
                r.group.starts_with(&group)
                    && (matches_name(r, res) || r.short_names.iter().any(|s| s == res))
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::reference_discovery as data;
    use crate::testutil::strings as args;

    fn one(d: &DiscoveryData, arg: &str) -> (String, String, String) {
        let r = d.resolve(arg).unwrap();
        assert_eq!(r.len(), 1, "{arg}");
        (
            r[0].group.clone(),
            r[0].version.clone(),
            r[0].resource.clone(),
        )
    }

    #[test]
    fn names_short_names_kinds_and_groups() {
        let d = data();
        let ds = (
            "apps".to_string(),
            "v1".to_string(),
            "daemonsets".to_string(),
        );
        for arg in [
            "ds",
            "daemonsets",
            "daemonset",
            "DaemonSet",
            "DAEMONSETS",
            "daemonsets.apps",
            "ds.apps",
            "daemonsets.v1.apps",
            "DaemonSet.apps",
        ] {
            assert_eq!(one(&d, arg), ds, "{arg}");
        }
        assert_eq!(one(&d, "po").2, "pods");
        assert_eq!(one(&d, "no").2, "nodes");
        assert_eq!(one(&d, "deploy").0, "apps");
        // Core wins over events.k8s.io; the group form picks the other one.
        assert_eq!(one(&d, "events").0, "");
        assert_eq!(one(&d, "ev").0, "");
        assert_eq!(one(&d, "events.events.k8s.io").0, "events.k8s.io");
        // A group given by any prefix of its name.
        assert_eq!(one(&d, "hpa.autoscal").2, "horizontalpodautoscalers");
        assert_eq!(one(&d, "deployments.app").0, "apps");
        assert_eq!(one(&d, "deploy.a").0, "apps");
        assert_eq!(one(&d, "storageclass.storage").0, "storage.k8s.io");
        assert!(d.resolve("deployments.v1.app").is_err());
        // Preferred version unless one is given.
        assert_eq!(one(&d, "hpa").1, "v2");
        assert_eq!(one(&d, "horizontalpodautoscalers.v1.autoscaling").1, "v1");
    }

    #[test]
    fn ambiguous_short_names_warn() {
        let d = data();
        assert_eq!(
            d.short_name_warnings("ev"),
            ["short name \"ev\" could also match lower priority resource events.events.k8s.io"]
        );
        assert!(d.short_name_warnings("events").is_empty());
        assert!(d.short_name_warnings("ds").is_empty());
    }

    #[test]
    fn categories_and_unknown() {
        let d = data();
        let all = d.resolve("all").unwrap();
        let names: Vec<String> = all.iter().map(|r| r.group_resource()).collect();
        assert_eq!(
            names,
            [
                "pods",
                "replicationcontrollers",
                "services",
                "daemonsets.apps",
                "deployments.apps",
                "replicasets.apps",
                "statefulsets.apps",
                "horizontalpodautoscalers.autoscaling",
                "cronjobs.batch",
                "jobs.batch"
            ]
        );
        assert_eq!(
            d.resolve("foo").unwrap_err().to_string(),
            "the server doesn't have a resource type \"foo\""
        );
        assert_eq!(
            d.resolve("foo.bar").unwrap_err().to_string(),
            "the server doesn't have a resource type \"foo\""
        );
        assert!(
            d.resolve("daemonsets.v2.apps").is_err() || one(&d, "daemonsets.v2.apps").1 == "v1"
        );
    }

    #[test]
    fn argument_forms() {
        let t = parse_type_args(&args(&["ds,po", "a", "b"]), "kubectl").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].type_name, "po");
        assert_eq!(t[1].names, ["a", "b"]);
        let t = parse_type_args(&args(&["ds/a", "po/b"]), "kubectl").unwrap();
        assert_eq!(t[0].names, ["a"]);
        assert_eq!(t[1].type_name, "po");
        assert!(parse_type_args(&[], "kubectl").unwrap().is_empty());
        let e = |a: &[&str]| {
            parse_type_args(&args(a), "kubectl-rs")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            e(&["ds/"]),
            "arguments in resource/name form must have a single resource and name"
        );
        assert_eq!(
            e(&["ds/x/y"]),
            "arguments in resource/name form may not have more than one slash"
        );
        assert!(e(&["ds", "ds/x"]).starts_with("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl-rs get resource/<resource_name>'"));
    }

    proptest::proptest! {
        #[test]
        fn resolution_never_panics(args in proptest::collection::vec("[a-zA-Z./,]{0,12}", 0..4)) {
            let d = data();
            if let Ok(types) = parse_type_args(&args, "kubectl-rs") {
                for t in types {
                    let _ = d.resolve(&t.type_name);
                    let _ = d.short_name_warnings(&t.type_name);
                }
            }
        }
    }
}
