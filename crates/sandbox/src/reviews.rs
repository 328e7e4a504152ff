//! The review kinds of authentication.k8s.io and authorization.k8s.io that a client asks
//! about itself (or, for SubjectAccessReview, about anyone): created, answered and never
//! stored, as kube-apiserver does. Access and rules reviews are answered by the authorizer that
//! guards every request (`rbac`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::rbac::{self, Attributes};
use crate::store::Store;

/// The user a request authenticated as (or impersonates), with the credential's id
/// (`X509SHA256=<hex>` of a client certificate, `JTI=<id>` of a service-account token), as
/// SelfSubjectReview reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject {
    pub user: String,
    pub groups: Vec<String>,
    pub credential_id: Option<String>,
    pub uid: String,
    /// Extra attributes other than the credential id.
    pub extra: BTreeMap<String, Vec<String>>,
}

impl Subject {
    /// `extra` with the credential id, as user.Info reports it.
    pub fn all_extra(&self) -> BTreeMap<String, Vec<String>> {
        let mut extra = self.extra.clone();
        if let Some(id) = &self.credential_id {
            extra.insert(
                "authentication.kubernetes.io/credential-id".into(),
                vec![id.clone()],
            );
        }
        extra
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The attributes an access review's spec asks about.
fn review_attributes(spec: &Value, namespace: Option<&str>) -> Attributes {
    let r = &spec["resourceAttributes"];
    if r.is_object() {
        return Attributes {
            verb: s(&r["verb"]),
            resource_request: true,
            group: s(&r["group"]),
            version: s(&r["version"]),
            namespace: namespace
                .map(str::to_string)
                .unwrap_or_else(|| s(&r["namespace"])),
            resource: s(&r["resource"]),
            subresource: s(&r["subresource"]),
            name: s(&r["name"]),
            path: String::new(),
        };
    }
    let n = &spec["nonResourceAttributes"];
    Attributes {
        verb: s(&n["verb"]),
        path: s(&n["path"]),
        ..Default::default()
    }
}

fn access_status(store: &Store, subject: &Subject, a: &Attributes) -> Value {
    let d = rbac::authorize(store, subject, a);
    let mut status = json!({"allowed": d.allowed});
    if !d.reason.is_empty() {
        status["reason"] = json!(d.reason);
    }
    status
}

/// The answer to a create of `kind` (group authentication.k8s.io or authorization.k8s.io) in
/// `namespace` by `subject`, or None when the kind is not a review.
pub fn answer(
    store: &Store,
    kind: &str,
    mut obj: Value,
    subject: &Subject,
    namespace: Option<&str>,
) -> Option<Value> {
    let status = match kind {
        "SelfSubjectAccessReview" => {
            access_status(store, subject, &review_attributes(&obj["spec"], None))
        }
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let spec = &obj["spec"];
            let mut extra = BTreeMap::new();
            for (k, v) in spec["extra"].as_object().into_iter().flatten() {
                let vals = v.as_array().into_iter().flatten().map(s).collect();
                extra.insert(k.clone(), vals);
            }
            let who = Subject {
                user: s(&spec["user"]),
                groups: spec["groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(s)
                    .collect(),
                credential_id: None,
                uid: s(&spec["uid"]),
                extra,
            };
            let ns = if kind == "LocalSubjectAccessReview" {
                namespace
            } else {
                None
            };
            access_status(store, &who, &review_attributes(spec, ns))
        }
        "SelfSubjectRulesReview" => rbac::rules_review_status(
            store,
            subject,
            obj["spec"]["namespace"].as_str().unwrap_or_default(),
        ),
        "SelfSubjectReview" => {
            let mut groups = subject.groups.clone();
            if !groups.iter().any(|g| g == rbac::AUTHENTICATED)
                && subject.user != "system:anonymous"
            {
                groups.push(rbac::AUTHENTICATED.into());
            }
            let mut info = json!({"username": subject.user});
            if !subject.uid.is_empty() {
                info["uid"] = json!(subject.uid);
            }
            info["groups"] = json!(groups);
            let extra = subject.all_extra();
            if !extra.is_empty() {
                info["extra"] = json!(extra);
            }
            json!({"userInfo": info})
        }
        _ => return None,
    };
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    obj["metadata"]["creationTimestamp"] = Value::Null;
    obj["status"] = status;
    Some(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_reviews_are_answered() {
        let me = Subject {
            user: "kubernetes-admin".into(),
            groups: vec!["system:masters".into()],
            credential_id: Some("X509SHA256=ab".into()),
            ..Default::default()
        };
        let store = Store::new();
        let r = answer(
            &store,
            "SelfSubjectReview",
            json!({"kind": "SelfSubjectReview"}),
            &me,
            None,
        )
        .unwrap();
        assert_eq!(
            r["status"]["userInfo"],
            json!({"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"],
                "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=ab"]}})
        );
        let r = answer(
            &store,
            "SelfSubjectAccessReview",
            json!({"spec": {}}),
            &me,
            None,
        )
        .unwrap();
        assert_eq!(r["status"], json!({"allowed": true}));
        assert!(answer(&store, "TokenReview", json!({}), &me, None).is_none());
    }
}
