//! The review kinds of authentication.k8s.io and authorization.k8s.io that a client asks
//! about itself (or, for SubjectAccessReview, about anyone): created, answered and never
//! stored, as kube-apiserver does. Access and rules reviews are answered by the authorizer that
//! guards every request (`rbac`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::rbac::{self, Attributes};
use crate::status::ApiError;
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

/// TokenReview's status for `spec` (tokenreview/storage.go): the token is checked for the
/// requested audiences (the API server's own when none are asked for); an unknown token is
/// reported as not authenticated, with an empty user and the authenticator's error.
fn token_review_status(store: &Store, spec: &Value) -> Result<Value, ApiError> {
    let token = spec["token"].as_str().unwrap_or_default();
    if token.is_empty() {
        return Err(ApiError::bad_request(
            "token is required for TokenReview in authentication",
        ));
    }
    let mut audiences: Vec<String> = spec["audiences"]
        .as_array()
        .into_iter()
        .flatten()
        .map(s)
        .collect();
    if audiences.is_empty() {
        audiences.push(crate::tokenrequest::ISSUER.to_string());
    }
    let Some((who, shared)) = crate::tokenrequest::authenticate_for(store, token, &audiences)
    else {
        // The union authenticator's error: a token of ours for other audiences says which.
        let token_auds: Vec<String> = crate::tokenrequest::verified_claims(token)
            .map(|c| c["aud"].as_array().into_iter().flatten().map(s).collect())
            .unwrap_or_default();
        let shares = token_auds.iter().any(|a| audiences.contains(a));
        let error = if token_auds.is_empty() || shares {
            "invalid bearer token".to_string()
        } else {
            let quoted = |l: &[String]| {
                let q: Vec<String> = l.iter().map(|a| kcore::gofmt::go_quote(a)).collect();
                format!("[{}]", q.join(" "))
            };
            format!(
                "[invalid bearer token, token audiences {} is invalid for the target audiences {}]",
                quoted(&token_auds),
                quoted(&audiences)
            )
        };
        return Ok(json!({"error": error, "user": {}}));
    };
    let mut user = json!({"username": who.user});
    if !who.uid.is_empty() {
        user["uid"] = json!(who.uid);
    }
    user["groups"] = json!(who.groups);
    user["extra"] = json!(who.all_extra());
    Ok(json!({"authenticated": true, "user": user, "audiences": shared}))
}

/// `Invalid value: V: why` for `field`.
fn invalid(field: &str, value: String, why: &str) -> crate::status::StatusCause {
    crate::status::StatusCause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: {value}: {why}"),
        field: field.into(),
    }
}

/// How the validation prints `nonResourceAttributes`: the internal struct through encoding/json
/// (no JSON tags, so Go's field names).
fn non_resource_value(n: &Value) -> String {
    if !n.is_object() {
        return "null".into();
    }
    let q = |k: &str| serde_json::to_string(&s(&n[k])).unwrap_or_default();
    format!("{{\"Path\":{},\"Verb\":{}}}", q("path"), q("verb"))
}

/// ValidateSubjectAccessReviewSpec, and for a LocalSubjectAccessReview the checks against its
/// namespace (`namespace`: the request's, which the object's metadata takes), answered as
/// the REST storage does: 422 `.authorization.k8s.io "" is invalid` (the decoded internal
/// object has no kind).
fn validate_access_review(
    kind: &str,
    obj: &Value,
    namespace: Option<&str>,
) -> Result<(), ApiError> {
    let spec = &obj["spec"];
    let (res, non) = (&spec["resourceAttributes"], &spec["nonResourceAttributes"]);
    let mut causes = Vec::new();
    if res.is_object() && non.is_object() {
        causes.push(invalid(
            "spec.nonResourceAttributes",
            non_resource_value(non),
            "cannot be specified in combination with resourceAttributes",
        ));
    }
    if !res.is_object() && !non.is_object() {
        causes.push(invalid(
            "spec.resourceAttributes",
            "null".into(),
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        ));
    }
    let no_groups = spec["groups"].as_array().is_none_or(Vec::is_empty);
    if s(&spec["user"]).is_empty() && no_groups {
        causes.push(invalid(
            "spec.user",
            format!("{:?}", s(&spec["user"])),
            "at least one of user or group must be specified",
        ));
    }
    if kind == "LocalSubjectAccessReview" {
        let ns = namespace
            .map(str::to_string)
            .unwrap_or_else(|| s(&obj["metadata"]["namespace"]));
        if res.is_object() && s(&res["namespace"]) != ns {
            causes.push(invalid(
                "spec.resourceAttributes.namespace",
                kcore::gofmt::go_quote(&s(&res["namespace"])),
                "must match metadata.namespace",
            ));
        }
        if non.is_object() {
            causes.push(invalid(
                "spec.nonResourceAttributes",
                non_resource_value(non),
                "disallowed on this kind of request",
            ));
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid("", "authorization.k8s.io", "", causes))
    }
}

/// The answer to a create of `kind` (group authentication.k8s.io or authorization.k8s.io) in
/// `namespace` by `subject`, or None when the kind is not a review.
pub fn answer(
    store: &Store,
    kind: &str,
    mut obj: Value,
    subject: &Subject,
    namespace: Option<&str>,
) -> Option<Result<Value, ApiError>> {
    let status = match kind {
        "TokenReview" => match token_review_status(store, &obj["spec"]) {
            Ok(status) => status,
            Err(e) => return Some(Err(e)),
        },
        "SelfSubjectAccessReview" => {
            access_status(store, subject, &review_attributes(&obj["spec"], None))
        }
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            if let Err(e) = validate_access_review(kind, &obj, namespace) {
                return Some(Err(e));
            }
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
    // Reviews are not stored: their zero creationTimestamp is omitted (`omitzero`), but a
    // SelfSubjectReview is answered with the time of the request.
    if kind == "SelfSubjectReview" {
        obj["metadata"]["creationTimestamp"] = json!(store.clock().rfc3339());
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("creationTimestamp");
    }
    obj["status"] = status;
    Some(Ok(obj))
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
        .unwrap()
        .unwrap();
        assert!(r["metadata"]["creationTimestamp"].is_string());
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
        .unwrap()
        .unwrap();
        assert_eq!(r["status"], json!({"allowed": true}));
        assert_eq!(r["metadata"], json!({}));
        assert!(answer(&store, "Pod", json!({}), &me, None).is_none());
    }

    #[test]
    fn access_reviews_are_validated_as_the_server_does() {
        let store = Store::new();
        let me = Subject::default();
        let err = |kind: &str, obj: Value, ns: Option<&str>| {
            answer(&store, kind, obj, &me, ns)
                .unwrap()
                .unwrap_err()
                .to_value()["message"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            err(
                "SubjectAccessReview",
                json!({"spec": {"resourceAttributes": {"verb": "get"}}}),
                None
            ),
            r#".authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified"#
        );
        assert_eq!(
            err(
                "SubjectAccessReview",
                json!({"spec": {"user": "bob", "resourceAttributes": {},
                "nonResourceAttributes": {"verb": "get", "path": "/x"}}}),
                None
            ),
            r#".authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: {"Path":"/x","Verb":"get"}: cannot be specified in combination with resourceAttributes"#
        );
        assert_eq!(
            err(
                "SubjectAccessReview",
                json!({"spec": {"user": "bob"}}),
                None
            ),
            r#".authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified"#
        );
        assert_eq!(
            err(
                "LocalSubjectAccessReview",
                json!({"spec": {"user": "bob",
                "resourceAttributes": {"verb": "get", "namespace": "other"}}}),
                Some("default")
            ),
            r#".authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace"#
        );
        let ok = answer(
            &store,
            "LocalSubjectAccessReview",
            json!({"spec": {"user": "bob",
            "resourceAttributes": {"verb": "get", "namespace": "default"}}}),
            &me,
            Some("default"),
        );
        assert_eq!(ok.unwrap().unwrap()["status"]["allowed"], json!(false));
    }

    #[test]
    fn token_reviews_authenticate_service_account_tokens() {
        let store = Store::new();
        let me = Subject::default();
        let review =
            |spec: Value| answer(&store, "TokenReview", json!({"spec": spec}), &me, None).unwrap();
        let err = review(json!({})).unwrap_err();
        assert_eq!(err.code, 400);
        let r = review(json!({"token": "not-a-token"})).unwrap();
        assert_eq!(
            r["status"],
            json!({"error": "invalid bearer token", "user": {}})
        );
        let sa = store
            .create(
                &crate::store::GroupResource::new("", "serviceaccounts"),
                json!({"metadata": {"name": "bot", "namespace": "ns"}}),
            )
            .unwrap();
        let tr = crate::tokenrequest::create(&store, "ns", "bot", &json!({"spec": {}})).unwrap();
        let token = tr["status"]["token"].as_str().unwrap();
        let r = review(json!({"token": token})).unwrap();
        let st = &r["status"];
        assert_eq!(st["authenticated"], json!(true));
        assert_eq!(st["user"]["username"], "system:serviceaccount:ns:bot");
        assert_eq!(st["user"]["uid"], sa["metadata"]["uid"]);
        assert_eq!(
            st["user"]["groups"],
            json!([
                "system:serviceaccounts",
                "system:serviceaccounts:ns",
                "system:authenticated"
            ])
        );
        assert_eq!(st["audiences"], json!([crate::tokenrequest::ISSUER]));
        // A token for other audiences than the ones asked about does not authenticate.
        let r = review(json!({"token": token, "audiences": ["vault"]})).unwrap();
        assert_eq!(
            r["status"],
            json!({"error": "[invalid bearer token, token audiences [\"https://kubernetes.default.svc.cluster.local\"] is invalid for the target audiences [\"vault\"]]", "user": {}})
        );
    }
}
