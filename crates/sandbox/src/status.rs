//! Kubernetes `Status` bodies for errors, worded as kube-apiserver words them.
//!
//! Field order follows the Go struct (kind, apiVersion, metadata, status, message, reason,
//! details, code), so the JSON matches the real server byte for byte once pretty-printing is
//! taken away.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::store::GroupResource;

/// The request body limit of kube-apiserver (3 MiB).
pub const MAX_REQUEST_BODY: usize = 3 * 1024 * 1024;

/// One cause of an `Invalid` (or other) error.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StatusCause {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub field: String,
}

/// `Status.details`.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct StatusDetails {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<StatusCause>,
    #[serde(rename = "retryAfterSeconds", skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u32>,
}

/// A failed API call, rendered as a `Status` object.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    /// `None` leaves `details` out; `Some(default)` gives `"details": {}`.
    pub details: Option<Box<StatusDetails>>,
}

#[derive(Serialize)]
struct StatusBody<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    metadata: Value,
    status: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a StatusDetails>,
    code: u16,
}

fn details_for(gr: &GroupResource, name: &str) -> StatusDetails {
    StatusDetails {
        name: name.to_string(),
        group: gr.group.clone(),
        kind: gr.resource.clone(),
        ..Default::default()
    }
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    /// `pods "x" not found`.
    pub fn not_found(gr: &GroupResource, name: &str) -> Self {
        ApiError {
            details: Some(Box::new(details_for(gr, name))),
            ..Self::new(404, "NotFound", format!("{gr} \"{name}\" not found"))
        }
    }

    /// The answer for a path no resource is served at.
    pub fn unknown_resource() -> Self {
        ApiError {
            details: Some(Box::default()),
            ..Self::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
        }
    }

    /// `pods "x" already exists` (409).
    pub fn already_exists(gr: &GroupResource, name: &str) -> Self {
        ApiError {
            details: Some(Box::new(details_for(gr, name))),
            ..Self::new(
                409,
                "AlreadyExists",
                format!("{gr} \"{name}\" already exists"),
            )
        }
    }

    /// `Operation cannot be fulfilled on pods "x": <why>`.
    pub fn conflict(gr: &GroupResource, name: &str, why: &str) -> Self {
        ApiError {
            details: Some(Box::new(details_for(gr, name))),
            ..Self::new(
                409,
                "Conflict",
                format!("Operation cannot be fulfilled on {gr} \"{name}\": {why}"),
            )
        }
    }

    /// The optimistic-concurrency conflict.
    pub fn modified(gr: &GroupResource, name: &str) -> Self {
        Self::conflict(
            gr,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 with one cause per field error. `kind` and `group` name the type
    /// (`DaemonSet`, `apps`).
    pub fn invalid(kind: &str, group: &str, name: &str, causes: Vec<StatusCause>) -> Self {
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let parts: Vec<String> = causes
            .iter()
            .map(|c| {
                if c.field.is_empty() {
                    c.message.clone()
                } else {
                    format!("{}: {}", c.field, c.message)
                }
            })
            .collect();
        let list = if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("[{}]", parts.join(", "))
        };
        ApiError {
            details: Some(Box::new(StatusDetails {
                name: name.to_string(),
                group: group.to_string(),
                kind: kind.to_string(),
                causes,
                ..Default::default()
            })),
            ..Self::new(
                422,
                "Invalid",
                format!("{qualified} \"{name}\" is invalid: {list}"),
            )
        }
    }

    /// 400 with the given message and no details.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 401, exactly as kube-apiserver answers unauthenticated requests.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// An HTTP method no handler answers.
    pub fn method_not_allowed() -> Self {
        ApiError {
            details: Some(Box::default()),
            ..Self::new(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
            )
        }
    }

    /// 413 for bodies over the 3 MiB limit.
    pub fn too_large() -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {MAX_REQUEST_BODY}"),
        )
    }

    /// 415 listing what the endpoint accepts.
    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 406 for an Accept header the server can't satisfy.
    pub fn not_acceptable() -> Self {
        Self::new(
            406,
            "NotAcceptable",
            "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        )
    }

    /// 410 for a watch or list from a compacted resourceVersion.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 500 `Internal error occurred: <message>`.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError {
            details: Some(Box::new(StatusDetails {
                causes: vec![StatusCause {
                    reason: String::new(),
                    message: message.into(),
                    field: String::new(),
                }],
                ..Default::default()
            })),
            ..Self::new(500, "InternalError", "Internal error occurred")
        }
        .with_internal_message()
    }

    fn with_internal_message(mut self) -> Self {
        if let Some(c) = self.details.as_deref().and_then(|d| d.causes.first()) {
            self.message = format!("Internal error occurred: {}", c.message);
        }
        self
    }

    /// The `Status` object as JSON.
    pub fn to_json(&self) -> String {
        status_json(
            "Failure",
            &self.message,
            self.reason,
            self.details.as_deref(),
            self.code,
        )
    }

    /// The `Status` as a JSON value (for watch ERROR events).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.to_json()).unwrap_or(Value::Null)
    }
}

fn status_json(
    status: &'static str,
    message: &str,
    reason: &str,
    details: Option<&StatusDetails>,
    code: u16,
) -> String {
    let body = StatusBody {
        kind: "Status",
        api_version: "v1",
        metadata: Value::Object(Default::default()),
        status,
        message,
        reason,
        details,
        code,
    };
    // Serializing plain strings and numbers can't fail.
    serde_json::to_string(&body).unwrap_or_default()
}

/// The `Status` with `status: Success` that a delete returns when the object is gone at once
/// and the kind answers with a Status.
pub fn success_json(gr: &GroupResource, name: &str, uid: &str) -> String {
    let d = StatusDetails {
        uid: uid.to_string(),
        ..details_for(gr, name)
    };
    status_json("Success", "", "", Some(&d), 200)
}

/// A bare `Status` with `status: Success` and a code (what a pod binding answers).
pub fn success_plain(code: u16) -> String {
    status_json("Success", "", "", None, code)
}

/// A JSON response with kube-apiserver's headers.
pub fn json_response(code: u16, body: String) -> Response {
    let mut resp = (StatusCode::from_u16(code).unwrap_or(StatusCode::OK), body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.code, self.to_json())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testfixtures::fixture_json as reference;

    fn same_bytes(e: &ApiError, file: &str) {
        let compact = serde_json::to_string(&reference(file)).unwrap();
        // serde_json sorts reference keys; compare values, then our field order separately.
        assert_eq!(e.to_value(), reference(file));
        assert!(e
            .to_json()
            .starts_with(r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure""#));
        assert_eq!(e.to_json().len(), compact.len());
    }

    #[test]
    fn errors_match_reference() {
        let ds = GroupResource::new("apps", "daemonsets");
        same_bytes(&ApiError::not_found(&ds, "nope"), "error-notfound.json");
        same_bytes(
            &ApiError::already_exists(&ds, "node-exporter"),
            "error-alreadyexists.json",
        );
        same_bytes(
            &ApiError::modified(&ds, "node-exporter"),
            "error-conflict.json",
        );
        same_bytes(&ApiError::unknown_resource(), "error-unknown-resource.json");
        let inv = reference("error-invalid.json");
        let causes = inv["details"]["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| StatusCause {
                reason: c["reason"].as_str().unwrap().into(),
                message: c["message"].as_str().unwrap().into(),
                field: c["field"].as_str().unwrap().into(),
            })
            .collect();
        same_bytes(
            &ApiError::invalid("DaemonSet", "apps", "Bad_Name", causes),
            "error-invalid.json",
        );
    }

    #[test]
    fn other_errors() {
        let e = ApiError::internal("boom");
        assert_eq!(
            (e.code, e.message.as_str()),
            (500, "Internal error occurred: boom")
        );
        assert_eq!(e.to_value()["details"]["causes"][0]["message"], "boom");
        assert_eq!(
            ApiError::too_large().message,
            "Request entity too large: limit is 3145728"
        );
        let m = ApiError::unsupported_media_type(&["a", "b"]).message;
        assert!(m.ends_with("accepted media types include: a, b"), "{m}");
        assert_eq!(
            ApiError::method_not_allowed().to_value()["details"],
            serde_json::json!({})
        );
        assert_eq!(ApiError::gone("old").reason, "Expired");
        assert!(success_plain(201).contains(r#""status":"Success","code":201"#));
    }

    #[test]
    fn unauthorized_is_exact() {
        assert_eq!(
            ApiError::unauthorized().to_json(),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#
        );
    }

    #[test]
    fn core_group_is_left_out_and_single_cause_has_no_brackets() {
        let e = ApiError::not_found(&GroupResource::new("", "pods"), "p");
        assert_eq!(
            e.to_value()["details"],
            serde_json::json!({"name": "p", "kind": "pods"})
        );
        let c = StatusCause {
            reason: "FieldValueRequired".into(),
            message: "Required value".into(),
            field: "spec.x".into(),
        };
        let e = ApiError::invalid("Pod", "", "p", vec![c]);
        assert_eq!(e.message, "Pod \"p\" is invalid: spec.x: Required value");
        let s: Value =
            serde_json::from_str(&success_json(&GroupResource::new("", "pods"), "p", "u")).unwrap();
        assert_eq!(s["status"], "Success");
        assert_eq!(s["details"]["uid"], "u");
    }
}
