//! What client-side `kubectl apply` sends for one object (`pkg/cmd/apply/apply.go`
//! `applyOneObject`, `patcher.go`): the create body for a new object, or the patch and its
//! content type for an existing one (`None` = unchanged).

use serde_json::Value;

use super::error::PatchError;
use super::lastapplied::{
    get_last_applied, set_last_applied, to_go_json, to_go_json_line, LAST_APPLIED_ANNOTATION,
};
use super::merge::create_three_way_json_merge_patch;
use super::patchmeta::is_builtin_kind;
use super::strategic::create_three_way_merge_patch;

/// The two patch types client-side apply uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// Built-in kinds: `application/strategic-merge-patch+json`.
    StrategicMerge,
    /// Custom resources and unknown kinds: `application/merge-patch+json`.
    JsonMerge,
}

impl PatchType {
    /// The request's `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        match self {
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
            PatchType::JsonMerge => "application/merge-patch+json",
        }
    }

    /// The patch type kubectl picks for an object's kind.
    pub fn for_kind(api_version: &str, kind: &str) -> PatchType {
        if is_builtin_kind(api_version, kind) {
            PatchType::StrategicMerge
        } else {
            PatchType::JsonMerge
        }
    }
}

/// A PATCH request to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyPatch {
    /// Which patch format `body` is in.
    pub patch_type: PatchType,
    /// The patch as JSON.
    pub patch: Value,
    /// The exact request body (Go `json.Marshal`: compact, sorted, HTML-escaped, no newline).
    pub body: String,
}

/// Removes `null` map values at any depth (nulls inside lists stay), as kubectl does before a
/// create so that creating and updating from the same manifest agree (kubernetes#123304).
pub fn prune_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(prune_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// The object to POST for a manifest whose object does not exist yet: the manifest with its
/// last-applied annotation, then nulls pruned. Returns the object and the exact body
/// (Go `json.Encoder` output, with its trailing newline). The caller must already have set
/// `metadata.namespace` for namespaced kinds, as kubectl's builder does.
pub fn create_body(manifest: &Value) -> Result<(Value, String), PatchError> {
    let mut obj = manifest.clone();
    set_last_applied(&mut obj)?;
    prune_nulls(&mut obj);
    // cli-runtime `Helper.Create(ns, modify=true, obj)` clears a resourceVersion (an object
    // read back from a server) before POSTing; a client dry run prints the object as it is.
    let mut sent = obj.clone();
    if let Some(meta) = sent.get_mut("metadata").and_then(Value::as_object_mut) {
        if meta.get("resourceVersion").is_some_and(Value::is_string) {
            meta.remove("resourceVersion");
        }
    }
    let body = to_go_json_line(&sent);
    Ok((obj, body))
}

/// The stderr line kubectl prints (before patching) when the live object has no last-applied
/// annotation; `resource` is the plural resource name (`configmaps`), without group.
pub fn missing_annotation_warning(resource: &str, name: &str) -> String {
    format!(
        "Warning: resource {resource}/{name} is missing the {LAST_APPLIED_ANNOTATION} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n"
    )
}

/// `Content-Type` of a server-side apply PATCH.
pub const SERVER_SIDE_APPLY_CONTENT_TYPE: &str = "application/apply-patch+yaml";

/// The body of `kubectl apply --server-side`: the manifest as Go-encoded JSON (JSON is YAML),
/// with a trailing newline and no last-applied annotation added.
pub fn server_side_apply_body(manifest: &Value) -> String {
    to_go_json_line(manifest)
}

/// The patch for an existing object: three-way between the live object's last-applied
/// configuration, the manifest (with its own new annotation) and the live object. `None` when
/// there is nothing to change (kubectl prints `unchanged` and sends nothing). For unknown
/// kinds this is a JSON merge patch, which refuses changes of `apiVersion`, `kind` or name.
pub fn apply_patch(
    manifest: &Value,
    live: &Value,
    overwrite: bool,
) -> Result<Option<ApplyPatch>, PatchError> {
    three_way_patch(manifest, live, overwrite, true)
}

/// The patch `kubectl diff` has the server dry-run for an existing object: as
/// [`apply_patch`] with overwrite, but the manifest does not get a new last-applied
/// annotation (diff's `GetModifiedConfiguration(obj, false, …)`), so the live one stays.
pub fn diff_patch(manifest: &Value, live: &Value) -> Result<Option<ApplyPatch>, PatchError> {
    three_way_patch(manifest, live, true, false)
}

fn three_way_patch(
    manifest: &Value,
    live: &Value,
    overwrite: bool,
    annotate: bool,
) -> Result<Option<ApplyPatch>, PatchError> {
    let api_version = manifest
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = manifest.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut modified = manifest.clone();
    if annotate {
        set_last_applied(&mut modified)?;
    } else {
        // The manifest without the annotation, with an (empty) annotations map.
        modified = serde_json::from_str(&super::lastapplied::last_applied_value(manifest)?)
            .map_err(|e| PatchError::Invalid(e.to_string()))?;
    }
    let original = get_last_applied(live);
    let patch_type = PatchType::for_kind(api_version, kind);
    let patch = match patch_type {
        PatchType::StrategicMerge => create_three_way_merge_patch(
            api_version,
            kind,
            original.as_ref(),
            &modified,
            live,
            overwrite,
        )?,
        PatchType::JsonMerge => {
            create_three_way_json_merge_patch(original.as_ref(), &modified, live)?
        }
    };
    let body = to_go_json(&patch);
    if body == "{}" {
        return Ok(None);
    }
    Ok(Some(ApplyPatch {
        patch_type,
        patch,
        body,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::testutil::{fixture, recorded_body};
    use serde_json::json;

    #[test]
    fn missing_annotation_warning_text() {
        // Observed with kubectl 1.33 (`threeway/noannot` case).
        assert_eq!(
            missing_annotation_warning("configmaps", "c"),
            "Warning: resource configmaps/c is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n"
        );
    }

    #[test]
    fn nulls_are_pruned_from_maps_only() {
        let mut v = json!({"a": null, "b": {"c": null, "d": [null, {"e": null}]}});
        prune_nulls(&mut v);
        assert_eq!(v, json!({"b": {"d": [null, {}]}}));
        let (obj, body) = create_body(&json!({"kind": "ConfigMap", "data": {"x": null}})).unwrap();
        assert_eq!(obj["data"], json!({}));
        // The annotation keeps the null, as kubectl's does.
        assert!(body.contains(r#"\"data\":{\"x\":null}"#), "{body}");
        assert!(body.ends_with("}\n"));
    }

    #[test]
    fn reference_apply_configured_and_unchanged() {
        let live: Value = serde_json::from_str(&fixture("reference/daemonset.json")).unwrap();
        let mut v2: Value =
            serde_json::from_str(&fixture("apply/node-exporter-daemonset-v2.json")).unwrap();
        v2["metadata"]["namespace"] = json!("default");
        let p = apply_patch(&v2, &live, true).unwrap().unwrap();
        assert_eq!(
            p.patch_type.content_type(),
            "application/strategic-merge-patch+json"
        );
        let (visible, total) =
            recorded_body("06-apply-configured.log", "helper.go:269] \"Request Body\"");
        assert!(p.body.starts_with(&visible));
        assert_eq!(p.body.len(), total);
        // The seed manifest against the live object it created: nothing to send.
        let mut seed = crate::apply::get_last_applied(&live).unwrap();
        seed["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("annotations");
        assert_eq!(apply_patch(&seed, &live, true).unwrap(), None);
    }

    #[test]
    fn custom_resources_use_json_merge_patches() {
        let live = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "uid": "1"}, "spec": {"size": 3, "list": [1, 2]}});
        let manifest = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w"}, "spec": {"size": 4, "list": [1]}});
        let p = apply_patch(&manifest, &live, true).unwrap().unwrap();
        assert_eq!(p.patch_type, PatchType::JsonMerge);
        assert_eq!(p.patch["spec"], json!({"list": [1], "size": 4}));
        assert!(
            p.patch["metadata"]["annotations"][crate::apply::LAST_APPLIED_ANNOTATION].is_string()
        );
    }
}
