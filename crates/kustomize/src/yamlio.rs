//! Reading YAML as kustomize's kyaml does (YAML 1.2 scalars, `---` separated documents,
//! empty documents dropped, `List` kinds expanded into their items).

use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// Parses every document of `text` as JSON values (nulls for empty documents).
pub fn parse_documents(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let v = Value::deserialize(doc).map_err(|e| e.to_string())?;
        out.push(v);
    }
    Ok(out)
}

/// kyaml's resource reading: documents that are empty are skipped, `*List` kinds with
/// `items` contribute their items, anything else must be a map with `kind`.
pub fn resources_from_bytes(text: &str) -> Result<Vec<Value>, Error> {
    let docs = parse_documents(text).map_err(Error::new)?;
    let mut out = Vec::new();
    for d in docs {
        match d {
            Value::Null => continue,
            Value::Object(ref m) if m.is_empty() => continue,
            Value::Object(ref m) => {
                let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
                if kind.ends_with("List") {
                    if let Some(Value::Array(items)) = m.get("items") {
                        for it in items {
                            if it.is_object() {
                                out.push(it.clone());
                            }
                        }
                        continue;
                    }
                }
                out.push(d);
            }
            other => {
                return Err(Error::new(format!(
                    "wrong node kind: expected MappingNode but got {}",
                    node_kind(&other)
                )))
            }
        }
    }
    Ok(out)
}

fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "SequenceNode",
        Value::Object(_) => "MappingNode",
        _ => "ScalarNode",
    }
}
