//! The `kubectl.kubernetes.io/last-applied-configuration` annotation, and Go-compatible JSON
//! encoding: the annotation must be byte-for-byte what kubectl writes
//! (`runtime.Encode(unstructured.UnstructuredJSONScheme, obj)` = Go `json.Encoder.Encode`),
//! or every later apply of an unchanged manifest would report `configured`.

use serde_json::{Map, Value};

use super::error::PatchError;

/// The annotation key kubectl apply keeps the previous configuration under.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub use crate::gojson::to_go_json;

/// [`to_go_json`] plus the trailing newline `json.Encoder.Encode` adds.
pub fn to_go_json_line(v: &Value) -> String {
    let mut s = to_go_json(v);
    s.push('\n');
    s
}

/// The annotation value kubectl stores for `obj`: `obj` without the annotation (but with an
/// `annotations` map, empty if need be), Go-encoded, with a trailing newline.
pub fn last_applied_value(obj: &Value) -> Result<String, PatchError> {
    let mut copy = obj.clone();
    let annotations = annotations_mut(&mut copy)?;
    annotations.remove(LAST_APPLIED_ANNOTATION);
    Ok(to_go_json_line(&copy))
}

/// Sets the last-applied annotation of `obj` to its own configuration (kubectl
/// `GetModifiedConfiguration(obj, annotate=true)`); an `annotations` map is created if absent.
pub fn set_last_applied(obj: &mut Value) -> Result<(), PatchError> {
    let value = last_applied_value(obj)?;
    annotations_mut(obj)?.insert(LAST_APPLIED_ANNOTATION.to_string(), Value::String(value));
    Ok(())
}

/// The previous configuration stored on a live object, parsed; `None` when the annotation is
/// absent, empty or not a JSON object.
pub fn get_last_applied(live: &Value) -> Option<Value> {
    let text = live
        .get("metadata")?
        .get("annotations")?
        .get(LAST_APPLIED_ANNOTATION)?
        .as_str()?;
    if text.is_empty() {
        return None;
    }
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object)
}

/// The map under `key` of `parent`, made when absent or null; `err` when it is something else.
fn child_map<'a>(
    parent: &'a mut Map<String, Value>,
    key: &str,
    err: &str,
) -> Result<&'a mut Map<String, Value>, PatchError> {
    let child = parent
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    if child.is_null() {
        *child = Value::Object(Map::new());
    }
    child
        .as_object_mut()
        .ok_or_else(|| PatchError::invalid(err))
}

fn annotations_mut(obj: &mut Value) -> Result<&mut Map<String, Value>, PatchError> {
    let root = obj
        .as_object_mut()
        .ok_or_else(|| PatchError::invalid("object is not a JSON object"))?;
    let metadata = child_map(root, "metadata", ".metadata accessor error: not a map")?;
    let annotations = child_map(
        metadata,
        "annotations",
        ".metadata.annotations accessor error: not a map of strings",
    )?;
    if let Some((k, v)) = annotations.iter().find(|(_, v)| !v.is_string()) {
        return Err(PatchError::invalid(format!(
            ".metadata.annotations accessor error: contains non-string value in the map under key {k:?}: {v} is not a string"
        )));
    }
    Ok(annotations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reference(name: &str) -> Value {
        let path = format!(
            "{}/../../tests/fixtures/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn go_encoding() {
        let v = json!({"b": "<a & b>\u{2028}\n\u{1}", "a": [0.1, 1000, -3, 1e21, 1e-7, 2.5e-6]});
        assert_eq!(
            to_go_json(&v),
            r#"{"a":[0.1,1000,-3,1e+21,1e-7,0.0000025],"b":"\u003ca \u0026 b\u003e\u2028\n\u0001"}"#
        );
    }

    /// The live object's annotation is exactly what encoding its manifest gives.
    #[test]
    fn matches_recorded_annotation() {
        let live = reference("daemonset.json");
        let recorded = live["metadata"]["annotations"][LAST_APPLIED_ANNOTATION]
            .as_str()
            .unwrap()
            .to_string();
        let manifest = get_last_applied(&live).unwrap();
        assert_eq!(manifest["metadata"]["annotations"], json!({}));
        assert_eq!(last_applied_value(&manifest).unwrap(), recorded);
        let mut obj = manifest.clone();
        set_last_applied(&mut obj).unwrap();
        assert_eq!(
            obj["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
            Value::String(recorded.clone())
        );
        // Applying twice does not nest the annotation.
        set_last_applied(&mut obj).unwrap();
        assert_eq!(
            obj["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
            Value::String(recorded)
        );
    }

    #[test]
    fn creates_metadata_and_rejects_bad_annotations() {
        let mut o = json!({"kind": "ConfigMap"});
        set_last_applied(&mut o).unwrap();
        assert_eq!(
            o["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
            "{\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{}}}\n"
        );
        let mut bad = json!({"metadata": {"annotations": {"a": 1}}});
        assert!(set_last_applied(&mut bad).is_err());
        assert_eq!(get_last_applied(&json!({"metadata": {}})), None);
        assert_eq!(
            get_last_applied(&json!({"metadata": {"annotations": {LAST_APPLIED_ANNOTATION: "{"}}})),
            None
        );
    }
}
