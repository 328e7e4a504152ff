//! Authentication and impersonation, as kube-apiserver's filters do them: a verified client
//! certificate (CN = user, O = groups) wins, then the sandbox's admin bearer token, then a
//! service-account token minted by TokenRequest; every authenticated user is also in
//! `system:authenticated`. `Impersonate-*` headers then replace the user when the requester
//! may `impersonate` each part of the new identity (filters/impersonation.go).

use std::collections::BTreeMap;

use axum::http::HeaderMap;

use crate::handlers::Identity;
use crate::rbac::{self, Attributes};
use crate::reviews::Subject;
use crate::status::ApiError;
use crate::store::Store;

/// The user of the sandbox's admin bearer token.
pub const ADMIN: &str = "kubernetes-admin";

/// Constant-time comparison, so that timing does not reveal the admin token.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who sent a request, or None (401) when it carries no valid credential.
pub fn authenticate(
    store: &Store,
    admin_token: &str,
    cert: Option<&Identity>,
    headers: &HeaderMap,
) -> Option<Subject> {
    let mut subject = if let Some(id) = cert {
        Subject {
            user: id.user.clone(),
            groups: id.groups.clone(),
            credential_id: id.credential_id.clone(),
            ..Default::default()
        }
    } else {
        let auth = headers
            .get(axum::http::header::AUTHORIZATION)?
            .to_str()
            .ok()?;
        let token = auth.strip_prefix("Bearer ")?.trim();
        if same_secret(token, admin_token) {
            Subject {
                user: ADMIN.into(),
                groups: vec![rbac::MASTERS.into()],
                ..Default::default()
            }
        } else {
            crate::tokenrequest::authenticate(store, token)?
        }
    };
    if !subject.groups.iter().any(|g| g == rbac::AUTHENTICATED) {
        subject.groups.push(rbac::AUTHENTICATED.into());
    }
    Some(subject)
}

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

/// The identity a request acts as: `requester`, or the one its `Impersonate-*` headers name
/// when the requester may impersonate it (403 with the server's text otherwise).
pub fn impersonate(
    store: &Store,
    requester: Subject,
    headers: &HeaderMap,
) -> Result<Subject, ApiError> {
    let users = header_values(headers, "impersonate-user");
    let groups = header_values(headers, "impersonate-group");
    let uids = header_values(headers, "impersonate-uid");
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix("impersonate-extra-") {
            let key = percent_encoding::percent_decode_str(key)
                .decode_utf8_lossy()
                .to_string();
            if let Ok(v) = value.to_str() {
                extra.entry(key).or_default().push(v.to_string());
            }
        }
    }
    let Some(user) = users.first().map(|u| u.to_string()) else {
        if groups.is_empty() && uids.is_empty() && extra.is_empty() {
            return Ok(requester);
        }
        return Err(ApiError::bad_request(
            "requested impersonation of groups, extra or uid without impersonating a user",
        ));
    };
    // Every part of the new identity must be allowed, in the filter's order.
    let mut checks = Vec::new();
    let service_account = user
        .strip_prefix("system:serviceaccount:")
        .and_then(|r| r.split_once(':'));
    // The impersonate check of one part: (namespace, group, resource, subresource, name).
    let impersonate =
        |namespace: &str, group: &str, resource: &str, sub: &str, name: &str| Attributes {
            verb: "impersonate".into(),
            resource_request: true,
            namespace: namespace.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: name.into(),
            ..Default::default()
        };
    const AUTHN: &str = "authentication.k8s.io";
    checks.push(match service_account {
        Some((ns, name)) => impersonate(ns, "", "serviceaccounts", "", name),
        None => impersonate("", "", "users", "", &user),
    });
    for g in &groups {
        checks.push(impersonate("", "", "groups", "", g));
    }
    for (key, values) in &extra {
        for v in values {
            checks.push(impersonate("", AUTHN, "userextras", key, v));
        }
    }
    for uid in &uids {
        checks.push(impersonate("", AUTHN, "uids", "", uid));
    }
    for a in &checks {
        let d = rbac::authorize(store, &requester, a);
        if !d.allowed {
            return Err(rbac::forbidden(&requester, a, &d.reason));
        }
    }
    let mut new_groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    if let Some((ns, _)) = service_account {
        if new_groups.is_empty() {
            new_groups.push("system:serviceaccounts".into());
            new_groups.push(format!("system:serviceaccounts:{ns}"));
        }
    }
    let implied = if user == "system:anonymous" {
        rbac::UNAUTHENTICATED
    } else {
        rbac::AUTHENTICATED
    };
    if !new_groups.iter().any(|g| g == implied) {
        new_groups.push(implied.into());
    }
    Ok(Subject {
        user,
        groups: new_groups,
        credential_id: None,
        uid: uids.first().map(|u| u.to_string()).unwrap_or_default(),
        extra,
    })
}
