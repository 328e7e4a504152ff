//! CustomResourceDefinitions: what kube-apiextensions-server adds to the API server.
//!
//! A CRD is stored like any object (`apiextensions.k8s.io/v1 customresourcedefinitions`);
//! this module turns the stored CRDs into served resource types and keeps their status:
//! - `registry`: each served version of an established CRD becomes a [`ResourceInfo`] (with a
//!   [`CustomVersion`] holding its schema, printer columns and subresources), looked up per
//!   store, so that the handlers serve custom resources like built-in ones;
//! - `names`: the naming and establishing controllers (`status.acceptedNames`, the
//!   `NamesAccepted`/`Established` conditions, name conflicts within a group), run after
//!   every write to a CRD, and the finalizer's work: instances of a deleted CRD go away;
//! - `validate`: the CRD's own validation (the API server's messages);
//! - `structural`: pruning, defaulting and validation of custom resources by their schema;
//! - `table`: `additionalPrinterColumns`; `discovery`, `openapi`: the documents that list them.

pub mod discovery;
mod names;
pub mod openapi;
pub mod openapi_v2;
mod registry;
pub mod rules;
pub mod structural;
pub mod table;
mod validate;

use serde_json::Value;

use super::resources::ResourceInfo;
use super::store::GroupResource;

pub use names::reconcile;
pub use registry::{find, served};
pub use validate::{type_error, validate_crd};

/// The group and resource CRDs are stored under.
pub const GROUP: &str = "apiextensions.k8s.io";
pub const RESOURCE: &str = "customresourcedefinitions";

pub fn crd_gr() -> GroupResource {
    GroupResource::new(GROUP, RESOURCE)
}

/// Whether a resource type is the CustomResourceDefinition type itself.
pub fn is_crd(info: &ResourceInfo) -> bool {
    info.group == GROUP && info.resource == RESOURCE
}

/// One served version of a CRD, as the handlers need it.
#[derive(Debug)]
pub struct CustomVersion {
    /// `metadata.name` of the CRD (`foos.example.com`).
    pub crd_name: String,
    /// `ListKind` from the accepted names.
    pub list_kind: String,
    /// The version's `schema.openAPIV3Schema` (Null when absent).
    pub schema: Value,
    /// The version's `additionalPrinterColumns`, or the default Age column.
    pub columns: Vec<table::Column>,
    /// `subresources.scale`: (specReplicasPath, statusReplicasPath, labelSelectorPath).
    pub scale: Option<(String, String, Option<String>)>,
    /// Whether this version is the storage version.
    pub storage: bool,
    /// The storage version's schema: objects are converted to it (conversion None) and pruned
    /// and defaulted by it before they are stored.
    pub storage_schema: Value,
}

/// Admission of a custom resource (the storage form): status dropped on create when it is a
/// subresource, unknown fields pruned, defaults filled in, `metadata.generation` kept as the
/// registry keeps it, then the schema's validation.
pub fn admit(
    info: &ResourceInfo,
    c: &CustomVersion,
    obj: &mut Value,
    old: Option<&Value>,
) -> Vec<crate::validation::Cause> {
    if old.is_none() && info.has_status() {
        if let Some(m) = obj.as_object_mut() {
            m.remove("status");
        }
    }
    structural::prune(obj, &c.schema);
    structural::default(obj, &c.schema);
    if !c.storage {
        structural::prune(obj, &c.storage_schema);
        structural::default(obj, &c.storage_schema);
    }
    let generation = match old {
        None => 1,
        Some(o) => {
            let old_gen = o["metadata"]["generation"].as_i64().unwrap_or(1);
            let strip = |v: &Value| {
                let mut v = v.clone();
                if let Some(m) = v.as_object_mut() {
                    m.remove("metadata");
                    if info.has_status() {
                        m.remove("status");
                    }
                }
                v
            };
            old_gen + i64::from(strip(o) != strip(obj))
        }
    };
    obj["metadata"]["generation"] = serde_json::json!(generation);
    let mut causes = structural::validate(obj, &c.schema);
    if let Some((spec, _, _)) = &c.scale {
        causes.extend(replicas_error(obj, spec));
    }
    if rules::has_rules(&c.schema) {
        if causes.is_empty() {
            causes = rules::validate(obj, old, &c.schema);
        } else {
            causes.push(crate::validation::Cause {
                reason: "FieldValueInvalid".into(),
                field: "<nil>".into(),
                message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation".into(),
            });
        }
    }
    causes
}

/// Go's `%T` of a decoded JSON value.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// `ValidateScaleSpec`: the value at specReplicasPath must be a non-negative int64.
fn replicas_error(obj: &Value, path: &str) -> Option<crate::validation::Cause> {
    let v = at(obj, path);
    let invalid = |value: String, detail: String| crate::validation::Cause {
        reason: "FieldValueInvalid".into(),
        field: path.to_string(),
        message: format!("Invalid value: {value}: {detail}"),
    };
    match v {
        Value::Null => None,
        Value::Number(n) if n.is_i64() => {
            let r = n.as_i64().unwrap_or_default();
            if r < 0 {
                Some(invalid(
                    r.to_string(),
                    "should be a non-negative integer".into(),
                ))
            } else if r > i64::from(i32::MAX) {
                Some(invalid(
                    r.to_string(),
                    format!("should be less than or equal to {}", i32::MAX),
                ))
            } else {
                None
            }
        }
        other => {
            let shown = match other {
                Value::String(s) => s.clone(),
                o => kcore::gofmt::go_value(o),
            };
            Some(invalid(
                "0".into(),
                format!(
                    "{path} accessor error: {shown} is of the type {}, expected int64",
                    go_type(other)
                ),
            ))
        }
    }
}

/// Defaulting and validation of a CRD itself.
pub fn admit_crd(obj: &mut Value, old: Option<&Value>) -> Vec<crate::validation::Cause> {
    validate::default_crd(obj, old.is_none());
    if old.is_some() {
        validate::record_stored_version(obj);
    }
    let generation = match old {
        None => 1,
        Some(o) => {
            o["metadata"]["generation"].as_i64().unwrap_or(1) + i64::from(o["spec"] != obj["spec"])
        }
    };
    obj["metadata"]["generation"] = serde_json::json!(generation);
    validate_crd(obj)
}

/// The value at a simple `.a.b` path.
fn at<'a>(obj: &'a Value, path: &str) -> &'a Value {
    path.trim_start_matches('.')
        .split('.')
        .fold(obj, |v, k| if k.is_empty() { v } else { &v[k] })
}

/// The `autoscaling/v1` Scale of a custom resource with a scale subresource.
pub fn scale_of(c: &CustomVersion, obj: &Value) -> Option<Value> {
    let (spec, status, selector) = c.scale.as_ref()?;
    let m = &obj["metadata"];
    let mut st = serde_json::json!({"replicas": at(obj, status).as_i64().unwrap_or(0)});
    if let Some(sel) = selector.as_deref().and_then(|p| at(obj, p).as_str()) {
        st["selector"] = serde_json::json!(sel);
    }
    Some(serde_json::json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
            "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"],
        },
        "spec": {"replicas": at(obj, spec).as_i64().unwrap_or(0)},
        "status": st,
    }))
}

/// Writes `replicas` at the spec replicas path.
pub fn set_replicas(c: &CustomVersion, obj: &mut Value, replicas: i64) {
    let Some((spec, _, _)) = &c.scale else { return };
    let mut cur = obj;
    let keys: Vec<&str> = spec.trim_start_matches('.').split('.').collect();
    for (i, k) in keys.iter().enumerate() {
        if i + 1 == keys.len() {
            cur[*k] = serde_json::json!(replicas);
        } else {
            if !cur[*k].is_object() {
                cur[*k] = serde_json::json!({});
            }
            cur = &mut cur[*k];
        }
    }
}

/// The patch types a custom resource accepts (no strategic merge: no Go struct to take
/// patch strategies from).
pub const PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

/// Custom resources select on `metadata.name` and `metadata.namespace` only; any other field
/// is refused as the apiextensions server refuses it.
pub fn check_field_selector(selector: &str) -> Result<(), String> {
    for term in selector.split(',').filter(|t| !t.trim().is_empty()) {
        let field = term
            .split_once("!=")
            .or_else(|| term.split_once("=="))
            .or_else(|| term.split_once('='))
            .map_or(term, |(f, _)| f)
            .trim();
        if !matches!(field, "metadata.name" | "metadata.namespace") {
            return Err(format!("field label not supported: {field}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_selectors_of_custom_resources() {
        assert!(check_field_selector("metadata.name=a,metadata.namespace!=b").is_ok());
        assert!(check_field_selector("").is_ok());
        assert_eq!(
            check_field_selector("metadata.name==a,spec.image=x"),
            Err("field label not supported: spec.image".to_string())
        );
    }

    #[test]
    fn scale_replicas_are_checked_like_validate_scale_spec() {
        let msg = |v: Value| {
            replicas_error(&json!({"spec": {"replicas": v}}), ".spec.replicas")
                .map(|c| c.to_string())
        };
        assert_eq!(msg(json!(3)), None);
        assert_eq!(msg(Value::Null), None);
        assert_eq!(
            msg(json!(-1)).unwrap(),
            ".spec.replicas: Invalid value: -1: should be a non-negative integer"
        );
        assert_eq!(
            msg(json!("string")).unwrap(),
            ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: string is of the type string, expected int64"
        );
        assert_eq!(
            msg(json!(1.5)).unwrap(),
            ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: 1.5 is of the type float64, expected int64"
        );
    }
}
