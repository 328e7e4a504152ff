//! kubectl's `--append-hash` suffix (kubectl `pkg/util/hash`): the SHA-256 of a small JSON
//! document (kind, name, data, and the type of a Secret), its first ten hex digits with
//! `0 1 3 a e` replaced so the suffix never spells words. Not kustomize's hasher: kubectl's
//! counts the name.

use serde_json::{Map, Value};

/// The suffix for a ConfigMap or Secret as built by `create configmap|secret`.
pub fn name_hash(obj: &Value) -> String {
    // Inserted in sorted key order (Go's json.Marshal of a map sorts), the generators'
    // empty data being `{}`.
    let mut m = Map::new();
    let data = sorted(
        obj.get("data")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
    );
    let secret = obj["kind"] == "Secret";
    if !secret {
        if let Some(b) = obj
            .get("binaryData")
            .filter(|b| b.as_object().is_some_and(|b| !b.is_empty()))
        {
            m.insert("binaryData".into(), sorted(b.clone()));
        }
    }
    m.insert("data".into(), data);
    if let Some(i) = obj.get("immutable") {
        m.insert("immutable".into(), i.clone());
    }
    m.insert("kind".into(), obj["kind"].clone());
    m.insert("name".into(), obj["metadata"]["name"].clone());
    if secret {
        // `sec.Type` is a string: unset is "".
        m.insert(
            "type".into(),
            obj.get("type")
                .cloned()
                .unwrap_or(Value::String(String::new())),
        );
    }
    // Go's json.Marshal of a map: sorted keys, HTML characters escaped.
    let encoded = kcore::patch::lastapplied::to_go_json(&Value::Object(m));
    kcore::namehash::hash_suffix(&encoded)
}

/// `v` with its keys in sorted order (whatever the map's own order).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<(String, Value)> = o.into_iter().collect();
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(keys.into_iter().collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// kubectl's own test vectors (pkg/util/hash/hash_test.go).
    #[test]
    fn matches_kubectls_vectors() {
        let cm = |data: Value| serde_json::json!({"kind": "ConfigMap", "metadata": {"name": ""}, "data": data});
        assert_eq!(name_hash(&cm(serde_json::json!({}))), "42745tchd9");
        assert_eq!(name_hash(&cm(serde_json::json!({"one": ""}))), "9g67k2htb6");
        assert_eq!(
            name_hash(&cm(
                serde_json::json!({"two": "2", "one": "", "three": "3"})
            )),
            "f5h7t85m9b"
        );
        let sec = |data: Value| serde_json::json!({"kind": "Secret", "type": "my-type", "metadata": {"name": ""}, "data": data});
        assert_eq!(name_hash(&sec(serde_json::json!({}))), "t75bgf6ctb");
        assert_eq!(
            name_hash(&sec(serde_json::json!({"one": ""}))),
            "74bd68bm66"
        );
        assert_eq!(
            name_hash(&sec(
                serde_json::json!({"two": "Mg==", "one": "", "three": "Mw=="})
            )),
            "dgcb6h9tmk"
        );
    }
}
