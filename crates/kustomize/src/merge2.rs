//! Strategic-merge patches as kustomize applies them: kyaml's `merge2.Merge` (a walk over the
//! resource and the patch, `walk.Walker` with the `Merger` visitor), with list items from the
//! patch prepended (`MergeOptionsListPrepend`), which is not apimachinery's `strategicpatch`.
//!
//! - Maps merge field by field; `$patch: delete|replace|merge` on a map or as a list element
//!   applies, any other value is "unknown patch strategy"; a `null` in the patch clears the field.
//! - A list merges by element only when its schema declares the `merge` patch strategy
//!   (merge keys from `x-kubernetes-list-map-keys`, else `x-kubernetes-patch-merge-key`, else a
//!   list of scalars); every other list is replaced by the patch's.
//! - Merged lists hold the patch's elements first, then the resource's others (for several
//!   merge keys, the resource's elements move after the patch's new ones).
//!
//! kyaml mutates the resource's nodes in place; here a walk returns the merged value and
//! whether it is the resource's own (mutated) node, which decides what a list keeps.

use serde_json::{Map, Value};

use crate::openapi::Sch;
use crate::resource::scalar_string;
use crate::Error;

const DIRECTIVE: &str = "$patch";

struct Out {
    v: Option<Value>,
    /// The value is the destination's node (merged in place), not the patch's.
    is_dest: bool,
    /// A null kept from the destination (`MakePersistentNullNode`).
    keep_null: bool,
}

impl Out {
    fn new(v: Option<Value>, is_dest: bool) -> Out {
        Out {
            v,
            is_dest,
            keep_null: false,
        }
    }
}

fn missing_or_null(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// Applies `patch` to `dest` (`merge2.Merge(patch, dest, prepend)`): `None` when the result
/// is cleared.
pub fn merge(patch: &Value, dest: &Value) -> Result<Option<Value>, Error> {
    let out = walk(Some(dest), Some(patch), None, &[])?;
    Ok(out.v)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    None,
    Map,
    Seq,
    Scalar,
}

fn kind_of(v: &Value) -> Kind {
    match v {
        Value::Object(_) => Kind::Map,
        Value::Array(_) => Kind::Seq,
        Value::Null => Kind::None,
        _ => Kind::Scalar,
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Map => "MappingNode",
        Kind::Seq => "SequenceNode",
        Kind::Scalar => "ScalarNode",
        Kind::None => "",
    }
}

fn get_schema(schema: Option<Sch>, sources: [Option<&Value>; 2]) -> Option<Sch> {
    if schema.is_some() {
        return schema;
    }
    for v in sources.into_iter().flatten() {
        let s = |k: &str| v.get(k).map(scalar_string).unwrap_or_default();
        let (kind, av) = (s("kind"), s("apiVersion"));
        if kind.is_empty() || av.is_empty() {
            continue;
        }
        if let Some(sch) = Sch::for_type(&av, &kind) {
            return Some(sch);
        }
    }
    None
}

fn walk(
    dest: Option<&Value>,
    origin: Option<&Value>,
    schema: Option<Sch>,
    path: &[String],
) -> Result<Out, Error> {
    let schema = get_schema(schema, [dest, origin]);
    let kind = [dest, origin]
        .into_iter()
        .flatten()
        .map(kind_of)
        .find(|k| *k != Kind::None)
        .unwrap_or(Kind::None);
    for v in [dest, origin].into_iter().flatten() {
        let k = kind_of(v);
        if kind != Kind::None && k != Kind::None && k != kind {
            return Err(Error::new(format!(
                "wrong node kind: expected {} but got {}: node contents:\n{}",
                kind_name(kind),
                kind_name(k),
                serde_yaml_ng::to_string(v).unwrap_or_default()
            )));
        }
    }
    match kind {
        Kind::Map | Kind::None => walk_map(dest, origin, schema, path),
        Kind::Seq => walk_seq(dest, origin, schema, path),
        Kind::Scalar => Ok(match origin {
            Some(o) => Out::new(Some(o.clone()), false),
            None => Out::new(dest.cloned(), true),
        }),
    }
}

#[derive(PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

fn directive_of(v: &str) -> Result<Directive, Error> {
    match v {
        "delete" => Ok(Directive::Delete),
        "replace" => Ok(Directive::Replace),
        "merge" => Ok(Directive::Merge),
        _ => Err(Error::new(format!("unknown patch strategy '{v}'"))),
    }
}

/// `determineSmpDirective` on a map: the directive, and the patch without it.
/// A patch's `$patch` directive and the patch without it.
type Parsed = (Result<Directive, Error>, Option<Value>);

fn map_directive(origin: Option<&Value>) -> Parsed {
    let Some(o) = origin else {
        return (Ok(Directive::Merge), None);
    };
    let Value::Object(m) = o else {
        return (
            Err(Error::new(format!(
                "no implemented strategic merge patch strategy for '{}' ('{}')",
                short_tag(o),
                scalar_string(o)
            ))),
            Some(o.clone()),
        );
    };
    let Some(p) = m.get(DIRECTIVE).filter(|p| !p.is_null()) else {
        return (Ok(Directive::Merge), Some(o.clone()));
    };
    let d = directive_of(&scalar_string(p));
    if d.is_err() {
        return (d, Some(o.clone()));
    }
    let mut m = m.clone();
    m.remove(DIRECTIVE);
    (d, Some(Value::Object(m)))
}

fn short_tag(v: &Value) -> &'static str {
    match v {
        Value::Null => "!!null",
        Value::Bool(_) => "!!bool",
        Value::Number(n) if n.is_f64() => "!!float",
        Value::Number(_) => "!!int",
        Value::String(_) => "!!str",
        Value::Array(_) => "!!seq",
        Value::Object(_) => "!!map",
    }
}

/// `determineSequenceNodePatchStrategy`: a `{$patch: X}` element of the patch list.
fn seq_directive(origin: Option<&Value>) -> Parsed {
    let Some(Value::Array(items)) = origin else {
        return (Ok(Directive::Merge), origin.cloned());
    };
    let el = items
        .iter()
        .find(|e| e.as_object().is_some_and(|m| m.contains_key(DIRECTIVE)));
    let Some(Value::Object(el)) = el else {
        return (Ok(Directive::Merge), origin.cloned());
    };
    if el.len() > 1 {
        return (Ok(Directive::Merge), origin.cloned());
    }
    let v = match el.get(DIRECTIVE) {
        Some(v) if !v.is_null() => scalar_string(v),
        _ => return (Ok(Directive::Merge), origin.cloned()),
    };
    let d = directive_of(&v);
    if d.is_err() {
        return (d, origin.cloned());
    }
    let mut list = items.clone();
    element_set(
        &mut list,
        None,
        &[DIRECTIVE.to_string()],
        std::slice::from_ref(&v),
    );
    (d, Some(Value::Array(list)))
}

/// A present destination meeting the patch: None when the patch deletes it (an explicit null
/// or `$patch: delete`), else the value to walk, the patch to walk it with, and whether that
/// value is the destination's.
fn meet_dest(
    dest: Option<&Value>,
    origin: Option<&Value>,
    directive: fn(Option<&Value>) -> Parsed,
) -> Result<Option<(Value, Option<Value>, bool)>, Error> {
    if origin == Some(&Value::Null) {
        return Ok(None);
    }
    let (ps, elided) = directive(origin);
    Ok(match ps? {
        Directive::Delete => None,
        Directive::Replace => {
            let o = elided.unwrap_or(Value::Null);
            Some((o.clone(), Some(o), false))
        }
        Directive::Merge => Some((dest.cloned().unwrap_or(Value::Null), elided, true)),
    })
}

fn walk_map(
    dest: Option<&Value>,
    origin: Option<&Value>,
    schema: Option<Sch>,
    path: &[String],
) -> Result<Out, Error> {
    let (d, origin, is_dest): (Value, Option<Value>, bool) = if missing_or_null(dest) {
        let (ps, elided) = map_directive(origin);
        if matches!(ps, Ok(Directive::Delete)) {
            return Ok(Out::new(None, false));
        }
        let Some(o) = elided else {
            // The destination's explicit null, untouched by the patch.
            return Ok(Out {
                v: dest.cloned(),
                is_dest: true,
                keep_null: dest.is_some(),
            });
        };
        (o.clone(), Some(o), false)
    } else {
        let Some(start) = meet_dest(dest, origin, map_directive)? else {
            return Ok(Out::new(None, false));
        };
        start
    };
    let Value::Object(dm) = &d else {
        return Ok(Out::new(Some(d), is_dest));
    };
    let mut names: Vec<String> = dm.keys().cloned().collect();
    if let Some(Value::Object(om)) = &origin {
        names.extend(om.keys().cloned());
    }
    names.sort();
    names.dedup();
    let mut result = Map::new();
    for key in names {
        let fs = schema.as_ref().and_then(|s| s.field(&key));
        let mut p = path.to_vec();
        p.push(key.clone());
        let out = walk(
            dm.get(&key),
            origin.as_ref().and_then(|o| o.get(&key)),
            fs,
            &p,
        )?;
        match out.v {
            None => {}
            Some(Value::Null) if !out.keep_null => {}
            Some(v) => {
                result.insert(key, v);
            }
        }
    }
    Ok(Out::new(Some(Value::Object(result)), is_dest))
}

fn walk_seq(
    dest: Option<&Value>,
    origin: Option<&Value>,
    schema: Option<Sch>,
    path: &[String],
) -> Result<Out, Error> {
    let Some(schema) = schema.filter(|s| s.merges()) else {
        return Ok(match origin {
            Some(o) => Out::new(Some(o.clone()), false),
            None => Out::new(dest.cloned(), true),
        });
    };
    let (d, origin, is_dest): (Value, Option<Value>, bool) = if missing_or_null(dest) {
        let o = origin.cloned().unwrap_or(Value::Null);
        (o.clone(), Some(o), false)
    } else {
        let Some(start) = meet_dest(dest, origin, seq_directive)? else {
            return Ok(Out::new(None, false));
        };
        start
    };
    let Value::Array(mut list) = d else {
        return Ok(Out::new(Some(d), is_dest));
    };
    let origin_list: Vec<Value> = match &origin {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let (strategy, mut keys) = schema.strategy_and_keys();
    if strategy.is_empty() && keys.is_empty() {
        return Err(Error::new(format!(
            "no merge key found for field {}",
            path.join(".")
        )));
    }
    let elem_schema = schema.elements();
    let values = element_values(&keys, [&origin_list, &list]);
    if values.is_empty() && keys.is_empty() {
        keys = vec![String::new()];
        let prims = primitive_values([&origin_list, &list]);
        set_elements(prims, &keys, &mut list, &origin_list, elem_schema, path)?;
    } else {
        set_elements(values, &keys, &mut list, &origin_list, elem_schema, path)?;
    }
    Ok(Out::new(Some(Value::Array(list)), is_dest))
}

/// The text of a field of a list element (`ElementValuesList`): "" when missing or empty.
fn field_text(e: &Value, key: &str) -> String {
    match e.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::Object(_) | Value::Array(_)) => String::new(),
        Some(v) => scalar_string(v),
    }
}

fn element_values(keys: &[String], sources: [&Vec<Value>; 2]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for src in sources {
        for e in src {
            let vals: Vec<String> = keys.iter().map(|k| field_text(e, k)).collect();
            if vals.is_empty() || out.contains(&vals) {
                continue;
            }
            out.push(vals);
        }
    }
    out
}

fn item_text(e: &Value) -> String {
    match e {
        Value::Object(_) | Value::Array(_) | Value::Null => String::new(),
        v => scalar_string(v),
    }
}

fn primitive_values(sources: [&Vec<Value>; 2]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for src in sources {
        for e in src {
            let v = vec![item_text(e)];
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// `validateKeys`: the keys some element has a value for (all keys when none has any).
fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut valid = std::collections::BTreeSet::new();
    for vs in values_list {
        for (i, v) in vs.iter().enumerate() {
            if !v.is_empty() {
                valid.insert(keys[i].clone());
            }
        }
    }
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk: Vec<String> = keys
        .iter()
        .filter(|k| valid.contains(*k))
        .cloned()
        .collect();
    let vv: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || valid.contains(&keys[*i]))
        .map(|(_, v)| v.clone())
        .collect();
    (vk, vv)
}

/// `mergeValues`: key tuples equal but for empty values are the same element.
fn merge_values(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        for j in 0..list.len() {
            if let Some(m) = match_values(&list[i], &list[j]) {
                list[i] = m.clone();
                list[j] = m;
            }
        }
    }
}

fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut res = Vec::new();
    for i in 0..a.len() {
        if a[i] == b[i] {
            common = true;
            res.push(a[i].clone());
            continue;
        }
        if !a[i].is_empty() && !b[i].is_empty() {
            return None;
        }
        res.push(if a[i].is_empty() {
            b[i].clone()
        } else {
            a[i].clone()
        });
    }
    common.then_some(res)
}

/// `FieldMatcher` on a list element: `name` holds `value` (any value when `value` is empty);
/// an empty `name` compares a scalar element itself.
fn field_matches(e: &Value, name: &str, value: &str) -> bool {
    if e.is_null() {
        return false;
    }
    if name.is_empty() {
        return !e.is_object() && !e.is_array() && scalar_string(e) == value;
    }
    match e.get(name) {
        None => false,
        Some(_) if value.is_empty() => true,
        Some(f) => item_text(f) == value,
    }
}

/// `MatchElementList`: the index of the first element matching every key.
fn element_index(list: &[Value], keys: &[String], values: &[String]) -> Option<usize> {
    if keys.is_empty() || keys[0].is_empty() {
        let want = values.first().cloned().unwrap_or_default();
        return list
            .iter()
            .position(|e| item_text(e) == want && !e.is_object());
    }
    list.iter()
        .position(|e| e.is_object() && keys.iter().zip(values).all(|(k, v)| field_matches(e, k, v)))
}

fn empty_map(v: &Value) -> bool {
    v.as_object().is_some_and(|m| m.is_empty())
}

/// `ElementSetter`: replaces the elements matching `keys`/`values` with `elem` (removes them
/// when `elem` is `None`), appending `elem` when none matched; drops null and empty elements.
fn element_set(list: &mut Vec<Value>, elem: Option<Value>, keys: &[String], values: &[String]) {
    let keys: Vec<String> = if keys.is_empty() {
        vec![String::new()]
    } else {
        keys.to_vec()
    };
    let mapping = !keys[0].is_empty();
    let mut out = Vec::new();
    let mut found_any = false;
    for e in list.drain(..) {
        if e.is_null() || empty_map(&e) {
            continue;
        }
        if mapping && !e.is_object() {
            out.push(e);
            continue;
        }
        let mut matched: Option<bool> = None;
        let mut found = true;
        for (j, k) in keys.iter().enumerate() {
            if j < values.len() {
                matched = Some(field_matches(&e, k, &values[j]));
            }
            if matched != Some(true) {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(e);
            }
            continue;
        }
        found_any = true;
        if let Some(x) = &elem {
            out.push(x.clone());
        }
    }
    *list = out;
    match elem {
        None | Some(Value::Null) => {}
        Some(x) if !found_any => list.push(x),
        Some(_) => {}
    }
}

/// `setAssociativeSequenceElements` with the patch's items prepended.
fn set_elements(
    mut values_list: Vec<Vec<String>>,
    keys: &[String],
    dest: &mut Vec<Value>,
    origin: &[Value],
    elem_schema: Option<Sch>,
    path: &[String],
) -> Result<(), Error> {
    let mut items: Vec<Value> = Vec::new();
    if keys.len() > 1 {
        merge_values(&mut values_list);
    }
    let mut valid_keys: Vec<String> = Vec::new();
    for values in &values_list {
        if values.is_empty() {
            continue;
        }
        let (vk, vv) = validate_keys(&values_list, values, keys);
        let (ek, ev) = validate_keys(std::slice::from_ref(&vv), &vv, &vk);
        let di = element_index(dest, &ek, &ev);
        let oi = element_index(origin, &ek, &ev);
        let out = walk(
            di.map(|i| &dest[i]),
            oi.map(|i| &origin[i]),
            elem_schema.clone(),
            path,
        )?;
        let mut val = out.v;
        valid_keys = vk.clone();
        if val.as_ref().is_none_or(|v| v.is_null() || empty_map(v)) {
            if let (Some(i), true) = (di, out.is_dest) {
                dest[i] = val.clone().unwrap_or(Value::Null);
            }
            element_set(dest, None, &vk, &vv);
            continue;
        }
        if let Some(Value::Object(m)) = &mut val {
            for (i, k) in vk.iter().enumerate() {
                if !m.contains_key(k) && vv.get(i).is_some_and(|v| !v.is_empty()) {
                    m.insert(k.clone(), untagged_scalar(&vv[i]));
                }
            }
        }
        if let (Some(i), true) = (di, out.is_dest) {
            dest[i] = val.clone().unwrap_or(Value::Null);
        }
        element_set(&mut items, val, &vk, &vv);
    }
    if !values_list.is_empty() {
        let src = std::mem::take(dest);
        append_list(&mut items, src, &valid_keys);
        *dest = items;
    }
    Ok(())
}

/// A scalar written without a tag (`NewScalarRNode`): YAML resolves its type from its text.
fn untagged_scalar(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return Value::from(i);
    }
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(s.to_string()),
    }
}

/// `appendListNode(dst, src, keys)`.
fn append_list(dst: &mut Vec<Value>, src: Vec<Value>, keys: &[String]) {
    for e in src {
        if keys.is_empty() || keys[0].is_empty() {
            let t = item_text(&e);
            element_set(dst, Some(e), &[String::new()], &[t]);
            continue;
        }
        let mut v: Vec<String> = Vec::new();
        for k in keys {
            match e.get(k) {
                None => dst.push(e.clone()),
                Some(x) => v.push(item_text(x)),
            }
        }
        if keys.len() > 1 {
            element_set(dst, None, keys, &v);
        }
        element_set(dst, Some(e), keys, &v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Patch elements come first, then the resource's others (kyaml prepends), unlike
    /// apimachinery's strategic merge which keeps the resource's order.
    #[test]
    fn merged_lists_put_the_patch_elements_first() {
        crate::openapi::reset();
        let dest = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a", "image": "a"}, {"name": "b", "image": "b"}]}});
        let patch = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "b", "image": "b2"}, {"name": "c", "image": "c"}]}});
        let out = merge(&patch, &dest).unwrap().unwrap();
        let names: Vec<&str> = out["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["image"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["b2", "c", "a"]);
    }

    /// Lists without a merge strategy in the schema are replaced; `null` clears a field.
    #[test]
    fn lists_without_strategy_are_replaced_and_null_clears() {
        crate::openapi::reset();
        let dest =
            json!({"apiVersion": "example.com/v1", "kind": "W", "spec": {"l": [1, 2], "x": 1}});
        let patch =
            json!({"apiVersion": "example.com/v1", "kind": "W", "spec": {"l": [3], "x": null}});
        let out = merge(&patch, &dest).unwrap().unwrap();
        assert_eq!(out["spec"], json!({"l": [3]}));
    }
}
