//! Authorization as kube-apiserver does it with `--authorization-mode=Node,RBAC`: members of
//! `system:masters` may do anything (the privileged-group authorizer), everyone else gets what
//! the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings in the store grant them
//! (plugin/pkg/auth/authorizer/rbac, pkg/registry/rbac/validation/rule.go). Also: the request
//! attributes the server derives from a URL (`RequestInfoFactory`), the Forbidden Status it
//! answers with (`responsewriters.Forbidden`) and the rule lists of SelfSubjectRulesReview.
//! The bootstrap policy itself is data (`bootstrap`).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::reviews::Subject;
use crate::status::{ApiError, StatusDetails};
use crate::store::{GroupResource, Store};

pub const GROUP: &str = "rbac.authorization.k8s.io";
/// The group whose members bypass authorization.
pub const MASTERS: &str = "system:masters";
pub const AUTHENTICATED: &str = "system:authenticated";
pub const UNAUTHENTICATED: &str = "system:unauthenticated";

/// What a request asks to do (`authorizer.Attributes`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes {
    pub verb: String,
    pub resource_request: bool,
    pub group: String,
    pub version: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// The URL path of a non-resource request.
    pub path: String,
}

impl Attributes {
    /// The attributes of an HTTP request, as `RequestInfoFactory.NewRequestInfo` derives them.
    pub fn of_request(method: &str, path: &str, query: &HashMap<String, String>) -> Attributes {
        let mut a = Attributes {
            verb: method.to_ascii_lowercase(),
            path: path.to_string(),
            ..Default::default()
        };
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        if parts.len() < 3 || !matches!(parts[0], "api" | "apis") {
            return a;
        }
        let mut rest = &parts[1..];
        if parts[0] == "apis" {
            if rest.len() < 3 {
                return a;
            }
            a.group = rest[0].to_string();
            rest = &rest[1..];
        }
        a.resource_request = true;
        a.version = rest[0].to_string();
        rest = &rest[1..];
        let mut verb_from_method = true;
        if matches!(rest.first(), Some(&"watch") | Some(&"proxy")) && rest.len() >= 2 {
            a.verb = rest[0].to_string();
            rest = &rest[1..];
            verb_from_method = false;
        }
        if verb_from_method {
            a.verb = match method {
                "POST" => "create",
                "GET" | "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            }
            .to_string();
        }
        if rest.first() == Some(&"namespaces") && rest.len() > 1 {
            a.namespace = rest[1].to_string();
            if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
                rest = &rest[2..];
            }
        }
        if rest.len() >= 3 && a.verb != "proxy" {
            a.subresource = rest[2].to_string();
        }
        if rest.len() >= 2 {
            a.name = rest[1].to_string();
        }
        if let Some(r) = rest.first() {
            a.resource = r.to_string();
        }
        if a.name.is_empty() && a.verb == "get" {
            let watch = matches!(
                query.get("watch").map(String::as_str),
                Some("true") | Some("1") | Some("True")
            );
            a.verb = if watch { "watch" } else { "list" }.to_string();
            if let Some(sel) = query.get("fieldSelector") {
                if let Some(name) = exact_name(sel) {
                    a.name = name;
                }
            }
        }
        if a.name.is_empty() && a.verb == "delete" {
            a.verb = "deletecollection".to_string();
        }
        a
    }
}

/// The name a field selector requires exactly (`metadata.name=x` / `==`).
fn exact_name(sel: &str) -> Option<String> {
    sel.split(',').find_map(|term| {
        let (k, v) = term
            .split_once("==")
            .or_else(|| term.split_once('='))
            .filter(|(k, _)| !k.ends_with('!'))?;
        (k.trim() == "metadata.name" && !v.is_empty() && !v.contains('/') && v != "." && v != "..")
            .then(|| v.to_string())
    })
}

/// An authorizer's answer: allowed or not, and why.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// Whether `subject` may do what `a` asks.
pub fn authorize(store: &Store, subject: &Subject, a: &Attributes) -> Decision {
    if subject.groups.iter().any(|g| g == MASTERS) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let mut allowed_by = None;
    let errors = visit_rules(store, subject, &a.namespace, |source, rule| {
        if rule_allows(a, rule) {
            allowed_by = Some(format!("RBAC: allowed by {}", source()));
            false
        } else {
            true
        }
    });
    match allowed_by {
        Some(reason) => Decision {
            allowed: true,
            reason,
        },
        None => Decision {
            allowed: false,
            reason: rbac_reason(&errors),
        },
    }
}

/// The denial reason of the RBAC authorizer: the errors met resolving rules, if any.
fn rbac_reason(errors: &[String]) -> String {
    match errors {
        [] => String::new(),
        [one] => format!("RBAC: {one}"),
        many => format!("RBAC: [{}]", many.join(", ")),
    }
}

/// The rules `subject` has in `namespace` (cluster-wide ones included), and the errors met.
pub fn rules_for(store: &Store, subject: &Subject, namespace: &str) -> (Vec<Value>, Vec<String>) {
    let mut rules = Vec::new();
    let errors = visit_rules(store, subject, namespace, |_, rule| {
        rules.push(rule.clone());
        true
    });
    (rules, errors)
}

/// `VisitRulesFor`: every rule of every role bound to `subject` by a ClusterRoleBinding, then
/// by a RoleBinding of `namespace`, until `visit` answers false. `visit` gets a description
/// of the binding. Returns the errors (missing roles) of the bindings that apply.
fn visit_rules(
    store: &Store,
    subject: &Subject,
    namespace: &str,
    mut visit: impl FnMut(&dyn Fn() -> String, &Value) -> bool,
) -> Vec<String> {
    let mut errors = Vec::new();
    let mut bindings = store
        .list(&GroupResource::new(GROUP, "clusterrolebindings"), None)
        .0;
    if !namespace.is_empty() {
        bindings.extend(
            store
                .list(&GroupResource::new(GROUP, "rolebindings"), Some(namespace))
                .0,
        );
    }
    for b in &bindings {
        let binding_ns = b["metadata"]["namespace"].as_str().unwrap_or_default();
        let Some(who) = b["subjects"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| applies_to(subject, s, binding_ns))
        else {
            continue;
        };
        let role_kind = b["roleRef"]["kind"].as_str().unwrap_or_default();
        let role_name = b["roleRef"]["name"].as_str().unwrap_or_default();
        let role = match role_kind {
            "ClusterRole" => store.get(&GroupResource::new(GROUP, "clusterroles"), "", role_name),
            "Role" if !binding_ns.is_empty() => {
                store.get(&GroupResource::new(GROUP, "roles"), binding_ns, role_name)
            }
            _ => None,
        };
        let Some(role) = role else {
            errors.push(match role_kind {
                "Role" => format!("role.{GROUP} {role_name:?} not found"),
                "ClusterRole" => format!("clusterrole.{GROUP} {role_name:?} not found"),
                other => format!("unsupported role reference kind: {other:?}"),
            });
            continue;
        };
        let name = b["metadata"]["name"].as_str().unwrap_or_default();
        let source = || {
            if binding_ns.is_empty() {
                format!(
                    "ClusterRoleBinding {name:?} of {role_kind} {role_name:?} to {}",
                    describe_subject(who, "")
                )
            } else {
                format!(
                    "RoleBinding {:?} of {role_kind} {role_name:?} to {}",
                    format!("{name}/{binding_ns}"),
                    describe_subject(who, binding_ns)
                )
            }
        };
        for rule in role["rules"].as_array().into_iter().flatten() {
            if !visit(&source, rule) {
                return errors;
            }
        }
    }
    errors
}

fn describe_subject(s: &Value, binding_ns: &str) -> String {
    let kind = s["kind"].as_str().unwrap_or_default();
    let name = s["name"].as_str().unwrap_or_default();
    if kind == "ServiceAccount" {
        let ns = s["namespace"]
            .as_str()
            .filter(|n| !n.is_empty())
            .unwrap_or(binding_ns);
        return format!("{kind} {:?}", format!("{name}/{ns}"));
    }
    format!("{kind} {name:?}")
}

/// `appliesToUser`.
fn applies_to(subject: &Subject, s: &Value, binding_ns: &str) -> bool {
    let name = s["name"].as_str().unwrap_or_default();
    match s["kind"].as_str().unwrap_or_default() {
        "User" => subject.user == name,
        "Group" => subject.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let ns = s["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_ns);
            !ns.is_empty() && subject.user == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// `RuleAllows`.
pub fn rule_allows(a: &Attributes, rule: &Value) -> bool {
    let verb_ok = strings(&rule["verbs"]).any(|v| v == "*" || v == a.verb);
    if !verb_ok {
        return false;
    }
    if !a.resource_request {
        return strings(&rule["nonResourceURLs"]).any(|u| {
            u == "*"
                || u == a.path
                || (u.ends_with('*') && a.path.starts_with(u.trim_end_matches('*')))
        });
    }
    let combined = if a.subresource.is_empty() {
        a.resource.clone()
    } else {
        format!("{}/{}", a.resource, a.subresource)
    };
    let group_ok = strings(&rule["apiGroups"]).any(|g| g == "*" || g == a.group);
    let resource_ok = strings(&rule["resources"]).any(|r| {
        r == "*"
            || r == combined
            || (!a.subresource.is_empty()
                && r.len() == a.subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(a.subresource.as_str()))
    });
    let names: Vec<&str> = strings(&rule["resourceNames"]).collect();
    let name_ok = names.is_empty() || names.contains(&a.name.as_str());
    group_ok && resource_ok && name_ok
}

/// The 403 kube-apiserver answers a denied request with (`responsewriters.Forbidden`).
pub fn forbidden(subject: &Subject, a: &Attributes, reason: &str) -> ApiError {
    let user = &subject.user;
    let what = if !a.resource_request {
        format!("User {user:?} cannot {} path {:?}", a.verb, a.path)
    } else {
        let resource = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        let scope = if a.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace {:?}", a.namespace)
        };
        format!(
            "User {user:?} cannot {} resource {resource:?} in API group {:?} {scope}",
            a.verb, a.group
        )
    };
    let err = if reason.is_empty() {
        what
    } else {
        format!("{what}: {reason}")
    };
    let (group, resource) = if a.resource_request {
        (a.group.clone(), a.resource.clone())
    } else {
        (String::new(), String::new())
    };
    let message = if group.is_empty() && resource.is_empty() {
        format!("forbidden: {err}")
    } else {
        let qualified = GroupResource::new(&group, &resource).to_string();
        if a.name.is_empty() {
            format!("{qualified} is forbidden: {err}")
        } else {
            format!("{qualified} {:?} is forbidden: {err}", a.name)
        }
    };
    ApiError {
        code: 403,
        reason: "Forbidden",
        message,
        details: Some(Box::new(StatusDetails {
            name: a.name.clone(),
            group,
            kind: resource,
            ..Default::default()
        })),
    }
}

/// SelfSubjectRulesReview's status for `subject` in `namespace`.
pub fn rules_review_status(store: &Store, subject: &Subject, namespace: &str) -> Value {
    let (rules, errors) = rules_for(store, subject, namespace);
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for r in &rules {
        let list = |k: &str| {
            let v: Vec<&str> = strings(&r[k]).collect();
            v
        };
        if !list("resources").is_empty() {
            let mut rule = json!({"verbs": list("verbs")});
            for k in ["apiGroups", "resources", "resourceNames"] {
                if !list(k).is_empty() {
                    rule[k] = json!(list(k));
                }
            }
            resource_rules.push(rule);
        }
        if !list("nonResourceURLs").is_empty() {
            non_resource_rules
                .push(json!({"verbs": list("verbs"), "nonResourceURLs": list("nonResourceURLs")}));
        }
    }
    let mut status = json!({
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": false,
    });
    if !errors.is_empty() {
        status["evaluationError"] = json!(if errors.len() == 1 {
            errors[0].clone()
        } else {
            format!("[{}]", errors.join(", "))
        });
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(method: &str, path: &str, query: &[(&str, &str)]) -> Attributes {
        let q = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Attributes::of_request(method, path, &q)
    }

    #[test]
    fn request_attributes_are_derived_as_the_server_does() {
        let a = attrs("GET", "/api/v1/namespaces/default/pods", &[]);
        assert_eq!(
            (a.verb.as_str(), a.namespace.as_str(), a.resource.as_str()),
            ("list", "default", "pods")
        );
        let a = attrs(
            "GET",
            "/api/v1/pods",
            &[("watch", "true"), ("fieldSelector", "metadata.name=p")],
        );
        assert_eq!((a.verb.as_str(), a.name.as_str()), ("watch", "p"));
        let a = attrs("GET", "/api/v1/namespaces/ns/pods/p/log", &[]);
        assert_eq!(
            (a.verb.as_str(), a.name.as_str(), a.subresource.as_str()),
            ("get", "p", "log")
        );
        let a = attrs("GET", "/api/v1/namespaces/ns", &[]);
        assert_eq!(
            (a.resource.as_str(), a.name.as_str(), a.namespace.as_str()),
            ("namespaces", "ns", "ns")
        );
        let a = attrs("PUT", "/api/v1/namespaces/ns/finalize", &[]);
        assert_eq!(
            (a.resource.as_str(), a.subresource.as_str()),
            ("namespaces", "finalize")
        );
        let a = attrs("DELETE", "/apis/apps/v1/namespaces/ns/deployments", &[]);
        assert_eq!(
            (a.verb.as_str(), a.group.as_str()),
            ("deletecollection", "apps")
        );
        for path in ["/api/v1", "/apis/apps/v1", "/version/", "/healthz"] {
            let a = attrs("GET", path, &[]);
            assert!(!a.resource_request, "{path}");
            assert_eq!((a.verb.as_str(), a.path.as_str()), ("get", path));
        }
    }

    #[test]
    fn rules_match_verbs_groups_resources_subresources_names_and_urls() {
        let a = attrs("GET", "/api/v1/namespaces/ns/pods/p/log", &[]);
        let rule = |v: Value| rule_allows(&a, &v);
        assert!(rule(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]})
        ));
        assert!(rule(
            json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*/log"]})
        ));
        assert!(!rule(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]})
        ));
        assert!(!rule(
            json!({"verbs": ["list"], "apiGroups": [""], "resources": ["pods/log"]})
        ));
        assert!(!rule(
            json!({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["*"]})
        ));
        assert!(rule(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["*"], "resourceNames": ["p"]})
        ));
        assert!(!rule(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["*"], "resourceNames": ["q"]})
        ));
        let u = attrs("GET", "/openapi/v3", &[]);
        assert!(rule_allows(
            &u,
            &json!({"verbs": ["get"], "nonResourceURLs": ["/openapi/*"]})
        ));
        assert!(!rule_allows(
            &u,
            &json!({"verbs": ["get"], "nonResourceURLs": ["/openapi"]})
        ));
        assert!(!rule_allows(
            &u,
            &json!({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*"]})
        ));
    }

    #[test]
    fn bindings_grant_their_roles_rules_to_their_subjects() {
        let store = Store::new();
        crate::bootstrap::create(&store, "");
        let sa = Subject {
            user: "system:serviceaccount:ns:x".into(),
            groups: vec!["system:serviceaccounts".into(), AUTHENTICATED.into()],
            ..Default::default()
        };
        let list_pods = attrs("GET", "/api/v1/namespaces/ns/pods", &[]);
        assert_eq!(authorize(&store, &sa, &list_pods), Decision::default());
        assert!(authorize(&store, &sa, &attrs("GET", "/version", &[])).allowed);
        let role = json!({"metadata": {"name": "r", "namespace": "ns"},
            "rules": [{"verbs": ["list"], "apiGroups": [""], "resources": ["pods"]}]});
        store
            .create(&GroupResource::new(GROUP, "roles"), role)
            .unwrap();
        let binding = json!({"metadata": {"name": "b", "namespace": "ns"},
            "roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "x"}]});
        store
            .create(&GroupResource::new(GROUP, "rolebindings"), binding)
            .unwrap();
        let d = authorize(&store, &sa, &list_pods);
        assert_eq!(
            d.reason,
            "RBAC: allowed by RoleBinding \"b/ns\" of Role \"r\" to ServiceAccount \"x/ns\""
        );
        let other_ns = attrs("GET", "/api/v1/namespaces/other/pods", &[]);
        let d = authorize(&store, &sa, &other_ns);
        assert!(!d.allowed);
        assert_eq!(
            forbidden(&sa, &other_ns, &d.reason).message,
            "pods is forbidden: User \"system:serviceaccount:ns:x\" cannot list resource \"pods\" in API group \"\" in the namespace \"other\""
        );
        let status = rules_review_status(&store, &sa, "ns");
        assert_eq!(
            status["resourceRules"][2],
            json!({"verbs": ["list"], "apiGroups": [""], "resources": ["pods"]})
        );
        let masters = Subject {
            user: "admin".into(),
            groups: vec![MASTERS.into()],
            ..Default::default()
        };
        assert!(authorize(&store, &masters, &other_ns).allowed);
        let path = attrs("GET", "/logs", &[]);
        assert_eq!(
            forbidden(&sa, &path, "").to_json(),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:serviceaccount:ns:x\" cannot get path \"/logs\"","reason":"Forbidden","details":{},"code":403}"#
        );
    }
}
