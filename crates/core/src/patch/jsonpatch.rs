//! RFC 6902 JSON patches (`application/json-patch+json`), with the behaviour and error texts of
//! evanphx/json-patch v4, the library the API server uses: negative array indexes are accepted,
//! the whole-document pointer "" is refused, and messages match Go's wrapped errors.

use serde_json::Value;

use super::error::PatchError;

const ERR_MISSING: &str = "missing value";
const ERR_INVALID_INDEX: &str = "invalid index referenced";
const ERR_TEST_FAILED: &str = "test failed";

/// Applies a JSON patch (an array of operations) to `doc` and returns the result.
pub fn apply_json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let ops = patch.as_array().ok_or_else(|| {
        PatchError::invalid(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            json_type(patch)
        ))
    })?;
    let mut doc = doc.clone();
    for op in ops {
        let op = op.as_object().ok_or_else(|| {
            PatchError::invalid(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                json_type(op)
            ))
        })?;
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("unknown");
        let value = op.get("value").cloned().unwrap_or(Value::Null);
        let path = || {
            op.get("path").and_then(Value::as_str).ok_or_else(|| {
                PatchError::invalid(format!(
                    "{kind} operation failed to decode path: operation missing path field: {ERR_MISSING}"
                ))
            })
        };
        let from = || {
            op.get("from").and_then(Value::as_str).ok_or_else(|| {
                PatchError::invalid(format!(
                    "{kind} operation failed to decode from: operation missing from field: {ERR_MISSING}"
                ))
            })
        };
        match kind {
            "add" => {
                let path = path()?;
                let (parent, key) = find_parent(&mut doc, path).ok_or_else(|| {
                    missing(format!(
                        "add operation does not apply: doc is missing path: \"{path}\""
                    ))
                })?;
                add(parent, &key, value)
                    .map_err(|e| wrap(format!("error in add for path: '{path}'"), e))?;
            }
            "remove" => {
                let path = path()?;
                let (parent, key) = find_parent(&mut doc, path).ok_or_else(|| {
                    missing(format!(
                        "remove operation does not apply: doc is missing path: \"{path}\""
                    ))
                })?;
                remove(parent, &key)
                    .map_err(|e| wrap(format!("error in remove for path: '{path}'"), e))?;
            }
            "replace" => {
                let path = path()?;
                let (parent, key) = find_parent(&mut doc, path).ok_or_else(|| {
                    missing(format!(
                        "replace operation does not apply: doc is missing path: {path}"
                    ))
                })?;
                // evanphx/json-patch v4 (kubectl's) finds every key of an object, present or
                // not, so replacing a missing key sets it; only list indexes can be missing.
                if let Value::Object(m) = parent {
                    m.insert(key.to_string(), value);
                } else {
                    let slot = get_mut(parent, &key).map_err(|_| {
                        missing(format!(
                            "replace operation does not apply: doc is missing key: {path}"
                        ))
                    })?;
                    *slot = value;
                }
            }
            "move" => {
                let from = from()?;
                let (parent, key) = find_parent(&mut doc, from).ok_or_else(|| {
                    missing(format!(
                        "move operation does not apply: doc is missing from path: {from}"
                    ))
                })?;
                let wrap_key = |e| wrap(format!("error in move for path: '{key}'"), e);
                get_mut(parent, &key).map_err(wrap_key)?;
                let val = remove(parent, &key).map_err(wrap_key)?;
                let path = path()?;
                let (parent, key) = find_parent(&mut doc, path).ok_or_else(|| {
                    missing(format!(
                        "move operation does not apply: doc is missing destination path: {path}"
                    ))
                })?;
                add(parent, &key, val)
                    .map_err(|e| wrap(format!("error in move for path: '{path}'"), e))?;
            }
            "copy" => {
                let from = from()?;
                let (parent, key) = find_parent(&mut doc, from).ok_or_else(|| {
                    missing(format!(
                        "copy operation does not apply: doc is missing from path: {from}"
                    ))
                })?;
                let val = get_mut(parent, &key)
                    .map_err(|e| wrap(format!("error in copy for from: '{from}'"), e))?
                    .clone();
                let path = path()?;
                let (parent, key) = find_parent(&mut doc, path).ok_or_else(|| {
                    missing(format!(
                        "copy operation does not apply: doc is missing destination path: {path}"
                    ))
                })?;
                add(parent, &key, val)
                    .map_err(|e| wrap("error while adding value during copy".to_string(), e))?;
            }
            "test" => {
                let path = path()?;
                let (parent, key) = find_parent(&mut doc, path).ok_or_else(|| {
                    missing(format!(
                        "test operation does not apply: is missing path: {path}"
                    ))
                })?;
                let actual = match get_mut(parent, &key) {
                    Ok(v) => Some(v.clone()),
                    Err(e) if e.ends_with(ERR_MISSING) => None,
                    Err(e) => return Err(wrap(format!("error in test for path: '{path}'"), e)),
                };
                let ok = match actual {
                    None => value.is_null(),
                    Some(a) => super::merge::json_equal(&a, &value),
                };
                if !ok {
                    return Err(PatchError::invalid(format!(
                        "testing value {path} failed: {ERR_TEST_FAILED}"
                    )));
                }
            }
            other => return Err(PatchError::invalid(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(doc)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

fn missing(msg: String) -> PatchError {
    PatchError::invalid(format!("{msg}: {ERR_MISSING}"))
}

fn wrap(msg: String, cause: String) -> PatchError {
    PatchError::invalid(format!("{msg}: {cause}"))
}

/// RFC 6901 unescaping, in evanphx's order (`~1` first, then `~0`).
fn decode_key(k: &str) -> String {
    k.replace("~1", "/").replace("~0", "~")
}

/// Walks to the container holding the last segment of `path` (evanphx `findObject`).
fn find_parent<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let mut cur = doc;
    for part in &split[1..split.len() - 1] {
        let key = decode_key(part);
        cur = match cur {
            Value::Object(m) => m.get_mut(&key)?,
            Value::Array(a) => {
                let i = resolve_index(&key, a.len()).ok()?;
                a.get_mut(i)?
            }
            _ => return None,
        };
        if !(cur.is_object() || cur.is_array()) {
            return None;
        }
    }
    if !(cur.is_object() || cur.is_array()) {
        return None;
    }
    Some((cur, decode_key(split[split.len() - 1])))
}

/// An existing element's index; negative indexes count from the end.
fn resolve_index(key: &str, len: usize) -> Result<usize, String> {
    let idx = parse_index(key)?;
    let len = len as i64;
    if idx >= len || idx < -len {
        return Err(invalid_index(idx));
    }
    Ok(if idx < 0 { idx + len } else { idx } as usize)
}

fn parse_index(key: &str) -> Result<i64, String> {
    key.parse::<i64>().map_err(|_| {
        format!(
            "value was not a proper array index: '{key}': strconv.Atoi: parsing \"{key}\": invalid syntax"
        )
    })
}

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: {ERR_INVALID_INDEX}")
}

fn get_mut<'a>(container: &'a mut Value, key: &str) -> Result<&'a mut Value, String> {
    match container {
        Value::Object(m) => m
            .get_mut(key)
            .ok_or_else(|| format!("unable to get nonexistent key: {key}: {ERR_MISSING}")),
        Value::Array(a) => {
            let i = resolve_index(key, a.len())?;
            Ok(&mut a[i])
        }
        _ => Err(ERR_MISSING.to_string()),
    }
}

fn add(container: &mut Value, key: &str, value: Value) -> Result<(), String> {
    match container {
        Value::Object(m) => {
            m.insert(key.to_string(), value);
            Ok(())
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(value);
                return Ok(());
            }
            let idx = parse_index(key)?;
            // Insertion may target one past the end.
            let len = a.len() as i64 + 1;
            if idx >= len || idx < -len {
                return Err(invalid_index(idx));
            }
            let at = if idx < 0 { idx + len } else { idx } as usize;
            a.insert(at, value);
            Ok(())
        }
        _ => Err(ERR_MISSING.to_string()),
    }
}

fn remove(container: &mut Value, key: &str) -> Result<Value, String> {
    match container {
        Value::Object(m) => m
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: {ERR_MISSING}")),
        Value::Array(a) => {
            let i = resolve_index(key, a.len())?;
            Ok(a.remove(i))
        }
        _ => Err(ERR_MISSING.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: Value, patch: Value) -> Result<Value, String> {
        apply_json_patch(&doc, &patch).map_err(|e| e.to_string())
    }

    #[test]
    fn operations() {
        let doc = json!({"a": {"b": [1, 2, 3]}, "c~d": 1, "e/f": 2});
        let out = run(
            doc,
            json!([
                {"op": "add", "path": "/a/b/1", "value": 9},
                {"op": "add", "path": "/a/b/-", "value": 4},
                {"op": "remove", "path": "/a/b/0"},
                {"op": "replace", "path": "/c~0d", "value": "x"},
                {"op": "move", "from": "/e~1f", "path": "/g"},
                {"op": "copy", "from": "/a/b", "path": "/h"},
                {"op": "test", "path": "/g", "value": 2},
                // evanphx: -1 addresses the new last slot, so this appends.
                {"op": "add", "path": "/a/b/-1", "value": 7}
            ]),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"a": {"b": [9, 2, 3, 4, 7]}, "c~d": "x", "g": 2, "h": [9, 2, 3, 4]})
        );
    }

    #[test]
    fn replace_sets_a_missing_object_key() {
        // kubectl patch --local --type=json -p '[{"op":"replace","path":"/data/b","value":"2"}]'
        let doc = json!({"data": {"a": "1"}});
        let ops = json!([{"op": "replace", "path": "/data/b", "value": "2"}]);
        let out = apply_json_patch(&doc, &ops).unwrap();
        assert_eq!(out, json!({"data": {"a": "1", "b": "2"}}));
    }

    #[test]
    fn evanphx_error_texts() {
        let doc = json!({"a": [1]});
        let cases = [
            (json!([{"op": "add", "path": "/x/y", "value": 1}]),
             "add operation does not apply: doc is missing path: \"/x/y\": missing value"),
            (json!([{"op": "remove", "path": "/b"}]),
             "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value"),
            (json!([{"op": "replace", "path": "/x/y", "value": 1}]),
             "replace operation does not apply: doc is missing path: /x/y: missing value"),
            (json!([{"op": "add", "path": "/a/5", "value": 1}]),
             "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"),
            (json!([{"op": "test", "path": "/a", "value": [2]}]),
             "testing value /a failed: test failed"),
            (json!([{"op": "frob", "path": "/a"}]), "Unexpected kind: frob"),
            (json!([{"value": 1}]), "Unexpected kind: unknown"),
            (json!([{"op": "add", "value": 1}]),
             "add operation failed to decode path: operation missing path field: missing value"),
            (json!([{"op": "remove", "path": ""}]),
             "remove operation does not apply: doc is missing path: \"\": missing value"),
            (json!({"op": "add"}),
             "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
            (json!([{"op": "remove", "path": "/a/x"}]),
             "error in remove for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax"),
        ];
        for (patch, want) in cases {
            assert_eq!(
                run(doc.clone(), patch.clone()).unwrap_err(),
                want,
                "{patch}"
            );
        }
    }

    #[test]
    fn test_op_missing_value_matches_absent_key() {
        assert!(run(json!({}), json!([{"op": "test", "path": "/nope"}])).is_ok());
        assert!(run(json!({"a": 1}), json!([{"op": "test", "path": "/a"}])).is_err());
    }
}
