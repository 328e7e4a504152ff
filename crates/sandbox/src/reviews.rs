//! The review kinds of authentication.k8s.io and authorization.k8s.io that a client asks
//! about itself: created, answered and never stored, as kube-apiserver does. Every identity
//! the sandbox authenticates is a cluster administrator (`system:masters`), so access reviews
//! are allowed and the rules review lists everything.

use serde_json::{json, Value};

/// The user a request authenticated as, with the credential's id (`X509SHA256=<hex>` of a
/// client certificate), as SelfSubjectReview reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Subject {
    pub user: String,
    pub groups: Vec<String>,
    pub credential_id: Option<String>,
}

/// The answer to a create of `kind` (group authentication.k8s.io or authorization.k8s.io),
/// or None when the kind is not a self review.
pub fn answer(kind: &str, mut obj: Value, subject: &Subject) -> Option<Value> {
    let status = match kind {
        "SelfSubjectAccessReview" => json!({"allowed": true}),
        "SelfSubjectRulesReview" => json!({
            "resourceRules": [
                {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
                {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]},
                {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
            ],
            // cluster-admin, system:discovery, system:public-info-viewer, as bound by
            // default to system:masters and system:authenticated.
            "nonResourceRules": [
                {"verbs": ["*"], "nonResourceURLs": ["*"]},
                {"verbs": ["get"], "nonResourceURLs": ["/.well-known", "/.well-known/*", "/api", "/api/*",
                    "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
                    "/version", "/version/"]},
                {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]},
            ],
            "incomplete": false,
        }),
        "SelfSubjectReview" => {
            let mut groups = subject.groups.clone();
            if !groups.iter().any(|g| g == "system:authenticated") {
                groups.push("system:authenticated".into());
            }
            let mut info = json!({"username": subject.user, "groups": groups});
            if let Some(id) = &subject.credential_id {
                info["extra"] = json!({"authentication.kubernetes.io/credential-id": [id]});
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
        };
        let r = answer(
            "SelfSubjectReview",
            json!({"kind": "SelfSubjectReview"}),
            &me,
        )
        .unwrap();
        assert_eq!(
            r["status"]["userInfo"],
            json!({"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"],
                "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=ab"]}})
        );
        let r = answer("SelfSubjectAccessReview", json!({"spec": {}}), &me).unwrap();
        assert_eq!(r["status"], json!({"allowed": true}));
        assert!(answer("TokenReview", json!({}), &me).is_none());
    }
}
