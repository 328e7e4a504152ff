//! Patch formats the API server applies itself: JSON merge patch (RFC 7386) and JSON patch
//! (RFC 6902). Errors are worded like kube-apiserver's (they end up in 4xx Status messages).

use serde_json::{Map, Value};

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// Splits a JSON pointer (RFC 6901) into unescaped tokens.
fn pointer_tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\""
        ));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn parent_mut<'a>(
    doc: &'a mut Value,
    tokens: &[String],
    path: &str,
) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in &tokens[..tokens.len().saturating_sub(1)] {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(move |i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("doc is missing path: \"{path}\": missing value"))?;
    }
    Ok(cur)
}

fn op_add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let tokens = pointer_tokens(path)?;
    let Some(last) = tokens.last().cloned() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, &tokens, path)? {
        Value::Object(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Array(a) => {
            let idx = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>().map_err(|_| {
                    format!("add operation does not apply: doc is missing path: \"{path}\"")
                })?
            };
            if idx > a.len() {
                return Err(format!(
                    "add operation does not apply: doc is missing path: \"{path}\""
                ));
            }
            a.insert(idx, value);
            Ok(())
        }
        _ => Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\""
        )),
    }
}

fn op_remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let tokens = pointer_tokens(path)?;
    let missing = || format!("remove operation does not apply: doc is missing path: \"{path}\"");
    let Some(last) = tokens.last().cloned() else {
        return Err(missing());
    };
    match parent_mut(doc, &tokens, path).map_err(|_| missing())? {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let idx = last.parse::<usize>().map_err(|_| missing())?;
            if idx >= a.len() {
                return Err(missing());
            }
            Ok(a.remove(idx))
        }
        _ => Err(missing()),
    }
}

fn get_ptr<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(doc);
    }
    doc.pointer(path)
}

/// RFC 6902 on `doc`. On error `doc` may be partly changed; callers work on a copy.
pub fn json_patch(doc: &mut Value, patch: &Value) -> Result<(), String> {
    let ops = patch.as_array().ok_or_else(|| {
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch".to_string()
    })?;
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default();
        let path = op["path"]
            .as_str()
            .ok_or_else(|| format!("missing path in operation {op}"))?;
        match kind {
            "add" => op_add(doc, path, op.get("value").cloned().unwrap_or(Value::Null))?,
            "remove" => {
                op_remove(doc, path)?;
            }
            "replace" => {
                if get_ptr(doc, path).is_none() {
                    return Err(format!(
                        "replace operation does not apply: doc is missing key: {path}: missing value"
                    ));
                }
                let tokens = pointer_tokens(path)?;
                if tokens.is_empty() {
                    *doc = op.get("value").cloned().unwrap_or(Value::Null);
                } else if let Some(slot) = doc.pointer_mut(path) {
                    *slot = op.get("value").cloned().unwrap_or(Value::Null);
                }
            }
            "move" | "copy" => {
                let from = op["from"]
                    .as_str()
                    .ok_or_else(|| format!("missing from in operation {op}"))?;
                let v = if kind == "move" {
                    op_remove(doc, from).map_err(|_| {
                        format!("move operation does not apply: doc is missing from path: {from}")
                    })?
                } else {
                    get_ptr(doc, from).cloned().ok_or_else(|| {
                        format!("copy operation does not apply: doc is missing from path: {from}")
                    })?
                };
                op_add(doc, path, v)?;
            }
            "test" => {
                let expected = op.get("value").cloned().unwrap_or(Value::Null);
                if get_ptr(doc, path) != Some(&expected) {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1, 2]});
        merge_patch(&mut t, &json!({"a": [3], "b": {"x": null, "y": 1}}));
        assert_eq!(t, json!({"a": [3], "b": {"y": 1}}));
        let mut t = json!("x");
        merge_patch(&mut t, &json!({"a": 1}));
        assert_eq!(t, json!({"a": 1}));
    }

    #[test]
    fn rfc6902_operations() {
        let mut d = json!({"spec": {"list": [1, 2, 3], "a/b": 1}});
        let p = json!([
            {"op": "add", "path": "/spec/list/1", "value": 9},
            {"op": "remove", "path": "/spec/list/0"},
            {"op": "replace", "path": "/spec/a~1b", "value": 2},
            {"op": "copy", "from": "/spec/a~1b", "path": "/spec/c"},
            {"op": "move", "from": "/spec/c", "path": "/spec/d"},
            {"op": "add", "path": "/spec/list/-", "value": 4},
            {"op": "test", "path": "/spec/d", "value": 2},
        ]);
        json_patch(&mut d, &p).unwrap();
        assert_eq!(d, json!({"spec": {"list": [9, 2, 3, 4], "a/b": 2, "d": 2}}));
        assert!(json_patch(
            &mut d,
            &json!([{"op": "test", "path": "/spec/d", "value": 3}])
        )
        .is_err());
        assert!(json_patch(&mut d, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(json_patch(
            &mut d,
            &json!([{"op": "replace", "path": "/nope", "value": 1}])
        )
        .is_err());
        assert!(json_patch(&mut d, &json!([{"op": "bogus", "path": "/a"}])).is_err());
        assert!(json_patch(&mut d, &json!({"op": "add"})).is_err());
        assert!(json_patch(
            &mut d,
            &json!([{"op": "add", "path": "/spec/list/99", "value": 1}])
        )
        .is_err());
    }
}
