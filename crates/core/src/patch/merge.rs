//! RFC 7386 JSON merge patches: apply, create (two-way diff), and the three-way variant kubectl
//! uses for kinds without strategic-merge metadata (apimachinery `jsonmergepatch`).

use serde_json::{Map, Value};

use super::error::PatchError;

/// Applies an RFC 7386 merge patch to `target` and returns the result.
/// `null` in the patch deletes; objects merge recursively; anything else replaces.
pub fn apply_merge_patch(target: &Value, patch: &Value) -> Value {
    let Value::Object(patch_map) = patch else {
        return patch.clone();
    };
    let mut out = match target {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    for (k, pv) in patch_map {
        if pv.is_null() {
            out.remove(k);
        } else {
            let merged = apply_merge_patch(out.get(k).unwrap_or(&Value::Null), pv);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

/// Creates the merge patch that turns `original` into `modified` (evanphx `CreateMergePatch`
/// for objects: removed keys become `null`, changed non-objects are replaced whole).
pub fn create_merge_patch(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(o), Value::Object(m)) => Value::Object(diff_objects(o, m)),
        _ => modified.clone(),
    }
}

fn diff_objects(
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (k, mv) in modified {
        match original.get(k) {
            None => {
                patch.insert(k.clone(), mv.clone());
            }
            Some(ov) => match (ov, mv) {
                (Value::Object(oo), Value::Object(mo)) => {
                    let sub = diff_objects(oo, mo);
                    if !sub.is_empty() {
                        patch.insert(k.clone(), Value::Object(sub));
                    }
                }
                _ if json_equal(ov, mv) => {}
                _ => {
                    patch.insert(k.clone(), mv.clone());
                }
            },
        }
    }
    for k in original.keys() {
        if !modified.contains_key(k) {
            patch.insert(k.clone(), Value::Null);
        }
    }
    patch
}

/// Deep equality with JSON numbers compared by value (Go decodes them all to float64).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x == y {
                return true;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(p), Some(q)) => p == q,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Keeps only the `null`s of a merge patch (`keep_null`) or only its non-null parts
/// (apimachinery `keepOrDeleteNullInObj`). Explicit empty objects count as values.
fn keep_or_delete_null(m: &Map<String, Value>, keep_null: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in m {
        match v {
            Value::Null if keep_null => {
                out.insert(k.clone(), Value::Null);
            }
            Value::Null => {}
            Value::Object(sub) if sub.is_empty() => {
                if !keep_null {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(sub) => {
                let f = keep_or_delete_null(sub, keep_null);
                if !f.is_empty() {
                    out.insert(k.clone(), Value::Object(f));
                }
            }
            _ => {
                if !keep_null {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    out
}

/// mergepatch `HasConflicts`: whether two patches set a common key to different values.
pub(crate) fn has_conflicts(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => l
            .iter()
            .any(|(k, lv)| r.get(k).is_some_and(|rv| has_conflicts(lv, rv))),
        (Value::Object(_), _) => true,
        (Value::Array(l), Value::Array(r)) => {
            l.len() != r.len() || l.iter().zip(r).any(|(a, b)| has_conflicts(a, b))
        }
        (Value::Array(_), _) => true,
        _ => !json_equal(left, right),
    }
}

/// Three-way JSON merge patch, as kubectl builds it for custom resources
/// (`jsonmergepatch.CreateThreeWayJSONMergePatch` with kubectl's preconditions): additions and
/// changes from `current` to `modified`, plus deletions from `original` (last applied) to
/// `modified`. Fails with `PreconditionFailed` if the patch would touch `apiVersion`, `kind` or
/// `metadata.name`.
pub fn create_three_way_json_merge_patch(
    original: Option<&Value>,
    modified: &Value,
    current: &Value,
) -> Result<Value, PatchError> {
    let empty = Value::Object(Map::new());
    let original = original.unwrap_or(&empty);
    let as_obj = |v: &Value| match create_merge_patch_checked(v) {
        Some(m) => Ok(m),
        None => Err(PatchError::invalid("Invalid JSON document")),
    };
    let (o, m, c) = (as_obj(original)?, as_obj(modified)?, as_obj(current)?);
    let add_and_change = keep_or_delete_null(&diff_objects(&c, &m), false);
    let deletions = keep_or_delete_null(&diff_objects(&o, &m), true);
    let (add_v, del_v) = (Value::Object(add_and_change), Value::Object(deletions));
    if has_conflicts(&add_v, &del_v) {
        return Err(PatchError::conflict(&add_v, &del_v));
    }
    let patch = merge_patches(&del_v, &add_v);
    check_preconditions(&patch)?;
    Ok(patch)
}

fn create_merge_patch_checked(v: &Value) -> Option<Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m.clone()),
        Value::Null => Some(Map::new()),
        _ => None,
    }
}

/// Merges two merge patches into one (evanphx `MergeMergePatches` semantics: `null`s survive).
fn merge_patches(first: &Value, second: &Value) -> Value {
    match (first, second) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = a.clone();
            for (k, bv) in b {
                let merged = match out.get(k) {
                    Some(av) if av.is_object() && bv.is_object() => merge_patches(av, bv),
                    _ => bv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => second.clone(),
    }
}

/// kubectl's preconditions: `apiVersion`, `kind` and `metadata.name` must not be patched.
pub(crate) fn check_preconditions(patch: &Value) -> Result<(), PatchError> {
    let touches = patch.get("apiVersion").is_some()
        || patch.get("kind").is_some()
        || patch
            .get("metadata")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key("name"));
    if touches {
        Err(PatchError::PreconditionFailed)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The examples of RFC 7386 appendix A.
    #[test]
    fn rfc7386_examples() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ];
        for (target, patch, want) in cases {
            assert_eq!(
                apply_merge_patch(&target, &patch),
                want,
                "{target} + {patch}"
            );
        }
    }

    #[test]
    fn create_two_way() {
        let o = json!({"a": 1, "b": {"c": 1, "d": 2}, "e": [1]});
        let m = json!({"a": 1.0, "b": {"c": 3}, "e": [1, 2], "f": "x"});
        assert_eq!(
            create_merge_patch(&o, &m),
            json!({"b": {"c": 3, "d": null}, "e": [1, 2], "f": "x"})
        );
        assert_eq!(create_merge_patch(&o, &o), json!({}));
    }

    #[test]
    fn three_way_keeps_server_fields() {
        let original = json!({"kind": "W", "spec": {"a": 1, "b": 2}});
        let modified = json!({"kind": "W", "spec": {"a": 5}});
        let current = json!({"kind": "W", "spec": {"a": 1, "b": 2, "server": true}, "status": {}});
        let p = create_three_way_json_merge_patch(Some(&original), &modified, &current).unwrap();
        assert_eq!(p, json!({"spec": {"a": 5, "b": null}}));
        let renamed = json!({"kind": "W", "metadata": {"name": "y"}});
        assert_eq!(
            create_three_way_json_merge_patch(None, &renamed, &current),
            Err(PatchError::PreconditionFailed)
        );
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::from),
            (-50i64..50).prop_map(Value::from),
            "[a-c]{0,2}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                prop::collection::btree_map("[a-d]", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn arb_object() -> impl Strategy<Value = Value> {
        prop::collection::btree_map("[a-e]", arb_json(), 0..5)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn merge_patch_round_trip(o in arb_object(), m in arb_object()) {
            let patch = create_merge_patch(&o, &m);
            prop_assert_eq!(apply_merge_patch(&o, &patch), m);
        }

        #[test]
        fn three_way_round_trip(o in arb_object(), m in arb_object()) {
            // With current == original, the three-way patch turns current into modified.
            let patch = create_three_way_json_merge_patch(Some(&o), &m, &o).unwrap();
            prop_assert_eq!(apply_merge_patch(&o, &patch), m);
        }
    }
}
