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
mod registry;
pub mod structural;
pub mod table;
mod validate;

use serde_json::Value;

use super::resources::ResourceInfo;
use super::store::GroupResource;

pub use names::reconcile;
pub use registry::{find, served};
pub use validate::validate_crd;

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
    structural::validate(obj, &c.schema)
}

/// Defaulting and validation of a CRD itself.
pub fn admit_crd(obj: &mut Value, old: Option<&Value>) -> Vec<crate::validation::Cause> {
    validate::default_crd(obj, old.is_none());
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
