//! Strategic merge patches with apimachinery `strategicpatch` semantics: applying a patch
//! (`StrategicMergePatch`) and building kubectl apply's three-way patch
//! (`CreateThreeWayMergePatch`). Kinds without compiled-in metadata (custom resources) fall
//! back to JSON merge patches, as the API server and kubectl do.
//!
//! Maps are `serde_json::Map` (sorted); where Go iterates a map in random order, the result
//! does not depend on the order, so iterating sorted changes nothing observable.

use serde_json::{Map, Value};

use super::error::PatchError;
use super::merge::{self, json_equal};
use super::patchmeta::{is_builtin_kind, Schema};
use crate::gofmt::go_value;

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_PRIMITIVE_PREFIX: &str = "$deleteFromPrimitiveList";
const SET_ORDER_PREFIX: &str = "$setElementOrder";

type Obj = Map<String, Value>;
type PResult<T> = Result<T, PatchError>;

/// Applies a strategic merge patch to `original` (the object's kind picks the patch metadata).
/// Kinds outside the built-in API groups (custom resources) are patched as RFC 7386 JSON merge
/// patches.
pub fn apply_strategic_merge_patch(
    api_version: &str,
    kind: &str,
    original: &Value,
    patch: &Value,
) -> PResult<Value> {
    if !is_builtin_kind(api_version, kind) {
        as_document(patch)?;
        as_document(original)?;
        return Ok(merge::apply_merge_patch(original, patch));
    }
    apply_strategic_merge_patch_with_schema(Schema::for_kind(api_version, kind), original, patch)
}

/// [`apply_strategic_merge_patch`] from an explicit schema position (`Schema::Unknown`: no
/// field metadata, so maps merge and lists are replaced).
pub fn apply_strategic_merge_patch_with_schema(
    schema: Schema,
    original: &Value,
    patch: &Value,
) -> PResult<Value> {
    let patch_map = as_document(patch)?;
    let original_map = as_document(original)?;
    let opts = MergeOptions {
        merge_parallel_list: true,
        ignore_unmatched_nulls: true,
    };
    merge_map(original_map, patch_map, schema, opts).map(Value::Object)
}

/// Builds the patch `kubectl apply` sends: additions and changes from `current` (live) to
/// `modified` (new manifest with its last-applied annotation), plus deletions from `original`
/// (the previous last-applied configuration) to `modified`. With `overwrite == false`, fails
/// with [`PatchError::Conflict`] when the patch collides with changes made from `original` to
/// `current`. Custom resources get a three-way JSON merge patch (with kubectl's preconditions).
pub fn create_three_way_merge_patch(
    api_version: &str,
    kind: &str,
    original: Option<&Value>,
    modified: &Value,
    current: &Value,
    overwrite: bool,
) -> PResult<Value> {
    let schema = Schema::for_kind(api_version, kind);
    if !is_builtin_kind(api_version, kind) {
        return merge::create_three_way_json_merge_patch(original, modified, current);
    }
    let original = match original {
        Some(v) => as_document(v)?,
        None => Obj::new(),
    };
    let modified = as_document(modified)?;
    let current = as_document(current)?;

    let delta_opts = DiffOptions {
        ignore_deletions: true,
        set_element_order: true,
        ..DiffOptions::default()
    };
    let delta = diff_maps(&current, &modified, schema, delta_opts)?;
    let deletion_opts = DiffOptions {
        ignore_changes_and_additions: true,
        set_element_order: true,
        ..DiffOptions::default()
    };
    let deletions = diff_maps(&original, &modified, schema, deletion_opts)?;
    let patch = merge_map(deletions, delta, schema, MergeOptions::default())?;

    if !overwrite {
        let changed = diff_maps(&original, &current, schema, DiffOptions::default())?;
        let (p, c) = (Value::Object(patch.clone()), Value::Object(changed));
        if fields_conflict(&p, &c, schema, "", "")? {
            return Err(PatchError::conflict(&p, &c));
        }
    }
    Ok(Value::Object(patch))
}

/// Two-way strategic merge patch from `original` to `modified` (`CreateTwoWayMergePatch`).
pub fn create_two_way_merge_patch(
    api_version: &str,
    kind: &str,
    original: &Value,
    modified: &Value,
) -> PResult<Value> {
    let schema = Schema::for_kind(api_version, kind);
    if !is_builtin_kind(api_version, kind) {
        return Ok(merge::create_merge_patch(original, modified));
    }
    let opts = DiffOptions {
        set_element_order: true,
        ..DiffOptions::default()
    };
    diff_maps(
        &as_document(original)?,
        &as_document(modified)?,
        schema,
        opts,
    )
    .map(Value::Object)
}

fn as_document(v: &Value) -> PResult<Obj> {
    match v {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Obj::new()),
        other => Err(PatchError::invalid(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            go_json_type(other)
        ))),
    }
}

fn go_json_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

/// Go's reflect type of a decoded JSON value, which several checks compare.
fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn bad_patch_type(directive: &Value, m: &Obj) -> PatchError {
    PatchError::invalid(format!(
        "unknown patch type: {} in map: {}",
        go_value(directive),
        go_value(&Value::Object(m.clone()))
    ))
}

fn no_merge_key(m: &Obj, key: &str) -> PatchError {
    PatchError::invalid(format!(
        "map: {} does not contain declared merge key: {key}",
        go_value(&Value::Object(m.clone()))
    ))
}

fn bad_arg_type(expected: &str, actual: &Value) -> PatchError {
    PatchError::invalid(format!(
        "expected a {expected}, but received a {}: {}",
        go_kind(actual),
        go_value(actual)
    ))
}

fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "slice",
        Value::String(_) => "string",
        Value::Number(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Object(_) => "map",
        Value::Null => "invalid",
    }
}

/// Splits `$prefix/field` into `field`.
fn strip_directive_prefix<'a>(key: &'a str, prefix: &str) -> Option<&'a str> {
    key.strip_prefix(prefix)?.strip_prefix('/')
}

// ---------------------------------------------------------------------------------------------
// Applying (mergeMap and friends)

#[derive(Clone, Copy, Default)]
struct MergeOptions {
    /// Process `$deleteFromPrimitiveList`/`$setElementOrder`/`$retainKeys` (true when applying
    /// to an object; false when merging two patches into one).
    merge_parallel_list: bool,
    /// Drop nulls that delete nothing (true when applying to an object).
    ignore_unmatched_nulls: bool,
}

fn merge_map(
    mut original: Obj,
    mut patch: Obj,
    schema: Schema,
    opts: MergeOptions,
) -> PResult<Obj> {
    if let Some(directive) = patch.get(DIRECTIVE) {
        return match directive.as_str() {
            Some("replace") => {
                patch.remove(DIRECTIVE);
                Ok(patch)
            }
            Some("delete") => Ok(Obj::new()),
            _ => Err(bad_patch_type(directive, &patch)),
        };
    }
    apply_retain_keys(&mut original, &mut patch, opts)?;
    merge_patch_into_original(&mut original, &mut patch, schema, opts)?;

    for (k, mut pv) in patch {
        let mut key = k.clone();
        let mut is_delete_list = false;
        if k.starts_with(DELETE_PRIMITIVE_PREFIX) {
            if !opts.merge_parallel_list {
                original.insert(k, pv);
                continue;
            }
            key = strip_directive_prefix(&k, DELETE_PRIMITIVE_PREFIX)
                .ok_or_else(|| PatchError::invalid("invalid patch format of primitive list"))?
                .to_string();
            is_delete_list = true;
        }
        if pv.is_null() {
            original.remove(&key);
            if opts.ignore_unmatched_nulls {
                continue;
            }
        }
        let Some(ov) = original.remove(&key) else {
            if !is_delete_list {
                if opts.ignore_unmatched_nulls {
                    discard_nulls(&mut pv);
                }
                if let Some(v) = remove_directives(pv) {
                    original.insert(key, v);
                }
            }
            continue;
        };
        if !same_type(&ov, &pv) {
            if is_delete_list {
                original.insert(key, ov);
            } else {
                if opts.ignore_unmatched_nulls {
                    discard_nulls(&mut pv);
                }
                if let Some(v) = remove_directives(pv) {
                    original.insert(key, v);
                }
            }
            continue;
        }
        let merged = match (ov, pv) {
            (Value::Object(om), Value::Object(pm)) => {
                let (sub, meta) = schema.field(&key);
                if meta.main_strategy() == "replace" {
                    Value::Object(pm)
                } else {
                    Value::Object(merge_map(om, pm, sub, opts)?)
                }
            }
            (Value::Array(ol), Value::Array(pl)) => {
                let (sub, meta) = schema.field(&key);
                Value::Array(merge_slice_handler(
                    ol,
                    pl,
                    sub,
                    meta.main_strategy(),
                    meta.merge_key,
                    is_delete_list,
                    opts,
                )?)
            }
            (_, pv) => match remove_directives(pv) {
                Some(v) => v,
                None => continue,
            },
        };
        original.insert(key, merged);
    }
    Ok(original)
}

fn discard_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(discard_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

fn apply_retain_keys(original: &mut Obj, patch: &mut Obj, opts: MergeOptions) -> PResult<()> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    if !opts.merge_parallel_list {
        match original.get(RETAIN_KEYS) {
            Some(existing) if !json_equal(existing, &retain) => {
                return Err(PatchError::invalid(format!(
                    "{} and {} are not deep equal: this may happen when calculating the 3-way diff patch",
                    go_value(existing),
                    go_value(&retain)
                )));
            }
            Some(_) => {}
            None => {
                original.insert(RETAIN_KEYS.to_string(), retain);
            }
        }
        return Ok(());
    }
    let bad = || PatchError::invalid("invalid patch format of retainKeys");
    let list = retain.as_array().ok_or_else(bad)?;
    let keep: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    for (k, v) in patch.iter() {
        if v.is_null() || k.starts_with(DELETE_PRIMITIVE_PREFIX) || k.starts_with(SET_ORDER_PREFIX)
        {
            continue;
        }
        if !keep.contains(&k.as_str()) {
            return Err(bad());
        }
    }
    original.retain(|k, _| keep.contains(&k.as_str()));
    Ok(())
}

/// Handles every `$setElementOrder/<field>` of `patch`: merges that list and orders it.
fn merge_patch_into_original(
    original: &mut Obj,
    patch: &mut Obj,
    schema: Schema,
    opts: MergeOptions,
) -> PResult<()> {
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER_PREFIX))
        .cloned()
        .collect();
    for key in order_keys {
        let Some(order) = patch.remove(&key) else {
            continue;
        };
        if !opts.merge_parallel_list {
            match original.get(&key) {
                Some(existing) if !json_equal(existing, &order) => {
                    return Err(PatchError::invalid(
                        "invalid patch format of setElementOrder list",
                    ));
                }
                Some(_) => {}
                None => {
                    original.insert(key.clone(), order.clone());
                }
            }
        }
        let Value::Array(order_list) = order else {
            return Err(bad_arg_type("slice", &order));
        };
        let field = strip_directive_prefix(&key, SET_ORDER_PREFIX)
            .ok_or_else(|| PatchError::invalid("invalid patch format of setElementOrder list"))?
            .to_string();
        let original_list = match original.get(&field) {
            None => None,
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg_type("slice", other)),
        };
        let patch_list = match patch.get(&field) {
            None => None,
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg_type("slice", other)),
        };
        let (sub, meta) = schema.field(&field);
        let merge_key = meta.merge_key;
        validate_patch_with_set_order_list(
            patch_list.as_deref().unwrap_or(&[]),
            &order_list,
            merge_key,
        )?;
        let merged = match (&original_list, &patch_list) {
            (Some(o), None) => o.clone(),
            (None, Some(p)) => match remove_directives(Value::Array(p.clone())) {
                Some(Value::Array(a)) => a,
                _ => continue,
            },
            (Some(o), Some(p)) => merge_slice_handler(
                o.clone(),
                p.clone(),
                sub,
                meta.main_strategy(),
                merge_key,
                false,
                opts,
            )?,
            (None, None) => continue,
        };
        let (patch_items, server_only) = if merge_key.is_empty() {
            partition_primitives(merged, &order_list)
        } else {
            partition_maps(merged, &order_list, merge_key)?
        };
        let original_vals = original_list.unwrap_or_default();
        let kind = slice_element_kind(&[&original_vals, patch_list.as_deref().unwrap_or(&[])])?;
        let ordered = normalize_element_order(
            patch_items,
            server_only,
            &order_list,
            &original_vals,
            merge_key,
            kind,
        )?;
        original.insert(field.clone(), Value::Array(ordered));
        patch.remove(&field);
    }
    Ok(())
}

/// Removes maps carrying `$patch` from a value added wholesale (`removeDirectives`).
fn remove_directives(v: Value) -> Option<Value> {
    match v {
        Value::Object(m) => {
            if m.contains_key(DIRECTIVE) {
                return None;
            }
            let out = m
                .into_iter()
                .filter_map(|(k, v)| remove_directives(v).map(|v| (k, v)))
                .collect();
            Some(Value::Object(out))
        }
        Value::Array(a) => Some(Value::Array(
            a.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

fn validate_patch_with_set_order_list(
    patch_list: &[Value],
    order: &[Value],
    merge_key: &str,
) -> PResult<()> {
    if order.is_empty() || patch_list.is_empty() {
        return Ok(());
    }
    let non_delete: Vec<&Value> = if merge_key.is_empty() {
        patch_list.iter().collect()
    } else {
        patch_list
            .iter()
            .filter(|v| !is_delete_directive(v))
            .collect()
    };
    let (mut pi, mut oi) = (0, 0);
    while pi < non_delete.len() && oi < order.len() {
        if non_delete[pi].get(DIRECTIVE).is_some() {
            pi += 1;
            continue;
        }
        if merge_key_value_equal(non_delete[pi], &order[oi], merge_key)? {
            pi += 1;
        }
        oi += 1;
    }
    if pi < non_delete.len() && oi >= order.len() {
        return Err(PatchError::invalid(format!(
            "the order in patch list:\n{}\n doesn't match {SET_ORDER_PREFIX} list:\n{}",
            go_value(&Value::Array(patch_list.to_vec())),
            go_value(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

fn merge_key_value_equal(left: &Value, right: &Value, merge_key: &str) -> PResult<bool> {
    if merge_key.is_empty() {
        return Ok(json_equal(left, right));
    }
    let l = left.as_object().ok_or_else(|| bad_arg_type("map", left))?;
    let r = right
        .as_object()
        .ok_or_else(|| bad_arg_type("map", right))?;
    let lv = l.get(merge_key).ok_or_else(|| no_merge_key(l, merge_key))?;
    let rv = r.get(merge_key).ok_or_else(|| no_merge_key(r, merge_key))?;
    Ok(json_equal(lv, rv))
}

fn is_delete_directive(v: &Value) -> bool {
    v.get(DIRECTIVE).and_then(Value::as_str) == Some("delete")
}

fn merge_slice_handler(
    original: Vec<Value>,
    patch: Vec<Value>,
    schema: Schema,
    strategy: &str,
    merge_key: &str,
    is_delete_list: bool,
    opts: MergeOptions,
) -> PResult<Vec<Value>> {
    if strategy == "merge" {
        merge_slice(original, patch, schema, merge_key, opts, is_delete_list)
    } else {
        Ok(patch)
    }
}

/// Element kind of one or more lists: maps or scalars (lists of lists are refused).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ElemKind {
    Map,
    Scalar,
}

fn slice_element_kind(slices: &[&[Value]]) -> PResult<ElemKind> {
    let mut prev: Option<&Value> = None;
    for s in slices {
        for v in s.iter() {
            match prev {
                None => {
                    if v.is_array() {
                        return Err(PatchError::invalid("lists of lists are not supported"));
                    }
                    prev = Some(v);
                }
                Some(p) if !same_type(p, v) => {
                    let all: Vec<String> = slices
                        .iter()
                        .map(|s| go_value(&Value::Array(s.to_vec())))
                        .collect();
                    return Err(PatchError::invalid(format!(
                        "list element types are not identical: [{}]",
                        all.join(" ")
                    )));
                }
                Some(_) => {}
            }
        }
    }
    match prev {
        None => Err(PatchError::invalid(
            "no elements in any of the given slices",
        )),
        Some(Value::Object(_)) => Ok(ElemKind::Map),
        Some(_) => Ok(ElemKind::Scalar),
    }
}

fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    schema: Schema,
    merge_key: &str,
    opts: MergeOptions,
    is_delete_list: bool,
) -> PResult<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = slice_element_kind(&[&original, &patch])?;
    let (merged, original, patch) = if kind == ElemKind::Scalar {
        if opts.merge_parallel_list && is_delete_list {
            return Ok(original
                .into_iter()
                .filter(|v| !patch.iter().any(|d| json_equal(d, v)))
                .collect());
        }
        let mut both = original.clone();
        both.extend(patch.iter().cloned());
        (dedup_scalars(both), original, patch)
    } else {
        if merge_key.is_empty() {
            return Err(PatchError::invalid(format!(
                "cannot merge lists without merge key for {}",
                schema.name()
            )));
        }
        let (original, patch) = merge_slice_with_special_elements(original, patch, merge_key)?;
        let merged = merge_slice_without_special_elements(
            original.clone(),
            &patch,
            merge_key,
            schema,
            opts,
        )?;
        (merged, original, patch)
    };
    let (patch_items, server_only) = if merge_key.is_empty() || kind == ElemKind::Scalar {
        partition_primitives(merged, &patch)
    } else {
        partition_maps(merged, &patch, merge_key)?
    };
    normalize_element_order(patch_items, server_only, &patch, &original, merge_key, kind)
}

/// Go's `deduplicateScalars`: a duplicate is overwritten by the last element, so the order
/// of what remains can change (callers reorder afterwards).
fn dedup_scalars(mut s: Vec<Value>) -> Vec<Value> {
    let mut i = 0;
    while i + 1 < s.len() {
        let mut j = i + 1;
        while j < s.len() {
            if json_equal(&s[i], &s[j]) {
                let last = s.len() - 1;
                s.swap(j, last);
                s.truncate(last);
            } else {
                j += 1;
            }
        }
        i += 1;
    }
    s
}

/// Handles `$patch: delete|replace|merge` elements of a patch list; returns the new original
/// and the patch without them.
fn merge_slice_with_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
) -> PResult<(Vec<Value>, Vec<Value>)> {
    let mut plain = Vec::new();
    let mut replace = false;
    for v in patch {
        let Value::Object(m) = &v else {
            return Err(bad_arg_type("map", &v));
        };
        match m.get(DIRECTIVE) {
            None => plain.push(v),
            Some(d) => match d.as_str() {
                Some("delete") => {
                    let value = m.get(merge_key).ok_or_else(|| no_merge_key(m, merge_key))?;
                    original = delete_matching_entries(original, merge_key, value)?;
                }
                Some("replace") => replace = true,
                Some("merge") => {
                    return Err(PatchError::invalid(
                        "merging lists cannot yet be specified in the patch",
                    ))
                }
                _ => return Err(bad_patch_type(d, m)),
            },
        }
    }
    if replace {
        Ok((plain, Vec::new()))
    } else {
        Ok((original, plain))
    }
}

fn find_by_key(list: &[Value], key: &str, value: &Value) -> PResult<Option<usize>> {
    for (i, v) in list.iter().enumerate() {
        let m = v
            .as_object()
            .ok_or_else(|| PatchError::invalid(format!("value for key {i} is not a map.")))?;
        if m.get(key).is_some_and(|x| json_equal(x, value)) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn delete_matching_entries(
    mut original: Vec<Value>,
    key: &str,
    value: &Value,
) -> PResult<Vec<Value>> {
    while let Some(i) = find_by_key(&original, key, value)? {
        original.remove(i);
    }
    Ok(original)
}

fn merge_slice_without_special_elements(
    mut original: Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    schema: Schema,
    opts: MergeOptions,
) -> PResult<Vec<Value>> {
    for v in patch {
        let Value::Object(pm) = v else {
            return Err(bad_arg_type("map", v));
        };
        let value = pm
            .get(merge_key)
            .ok_or_else(|| no_merge_key(pm, merge_key))?;
        match find_by_key(&original, merge_key, value)? {
            Some(i) => {
                let om = match std::mem::take(&mut original[i]) {
                    Value::Object(om) => om,
                    other => return Err(bad_arg_type("map", &other)),
                };
                original[i] = Value::Object(merge_map(om, pm.clone(), schema, opts)?);
            }
            None => original.push(v.clone()),
        }
    }
    Ok(original)
}

fn partition_primitives(list: Vec<Value>, by: &[Value]) -> (Vec<Value>, Vec<Value>) {
    list.into_iter()
        .partition(|v| by.iter().any(|b| json_equal(b, v)))
}

fn partition_maps(
    list: Vec<Value>,
    by: &[Value],
    merge_key: &str,
) -> PResult<(Vec<Value>, Vec<Value>)> {
    let (mut inside, mut outside) = (Vec::new(), Vec::new());
    for v in list {
        let m = v.as_object().ok_or_else(|| bad_arg_type("map", &v))?;
        let value = m.get(merge_key).ok_or_else(|| no_merge_key(m, merge_key))?;
        if find_by_key(by, merge_key, value)?.is_some() {
            inside.push(v);
        } else {
            outside.push(v);
        }
    }
    Ok((inside, outside))
}

/// The value items are matched by: the merge key's value for maps, the item for scalars.
fn match_value<'a>(item: &'a Value, merge_key: &str, kind: ElemKind) -> Option<&'a Value> {
    match kind {
        ElemKind::Map => item.as_object().and_then(|m| m.get(merge_key)),
        ElemKind::Scalar => Some(item),
    }
}

/// Position of `item` in `list` (Go `index`; -1 when absent). Missing merge keys match each
/// other, as Go's nil == nil does.
fn index_of(list: &[Value], item: &Value, merge_key: &str, kind: ElemKind) -> isize {
    let want = match_value(item, merge_key, kind);
    for (i, v) in list.iter().enumerate() {
        let got = match_value(v, merge_key, kind);
        let eq = match (want, got) {
            (None, None) => true,
            (Some(a), Some(b)) => json_equal(a, b),
            _ => false,
        };
        if eq {
            return i as isize;
        }
    }
    -1
}

fn normalize_element_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> PResult<Vec<Value>> {
    let patch = normalize_slice_order(patch, patch_order, merge_key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, merge_key, kind)?;
    Ok(merge_sorted_slice(
        server_only,
        patch,
        server_order,
        merge_key,
        kind,
    ))
}

fn normalize_slice_order(
    mut to_sort: Vec<Value>,
    order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> PResult<Vec<Value>> {
    let mut to_delete: Vec<Value> = Vec::new();
    if kind == ElemKind::Map {
        for v in to_sort.iter().chain(order.iter()) {
            let m = v.as_object().ok_or_else(|| bad_arg_type("map", v))?;
            if !m.contains_key(merge_key) {
                return Err(no_merge_key(m, merge_key));
            }
        }
        let (keep, delete): (Vec<Value>, Vec<Value>) =
            to_sort.into_iter().partition(|v| !is_delete_directive(v));
        to_sort = keep;
        to_delete = delete;
    }
    // Go's comparator: "less" unless both items are in `order` and in that order already.
    let less = |a: &Value, b: &Value| {
        let ia = index_of(order, a, merge_key, kind);
        let ib = index_of(order, b, merge_key, kind);
        if ia >= 0 && ib >= 0 {
            ia < ib
        } else {
            true
        }
    };
    // That comparator is not a strict order, so the result depends on the algorithm: Go's
    // sort.SliceStable is an insertion sort for lists of up to 20 elements.
    for i in 1..to_sort.len() {
        let mut j = i;
        while j > 0 && less(&to_sort[j], &to_sort[j - 1]) {
            to_sort.swap(j, j - 1);
            j -= 1;
        }
    }
    to_sort.extend(to_delete);
    Ok(to_sort)
}

fn merge_sorted_slice(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (None, Some(_)) => out.extend(right.next()),
            (Some(_), None) => out.extend(left.next()),
            (Some(l), Some(r)) => {
                let li = index_of(server_order, l, merge_key, kind);
                let ri = index_of(server_order, r, merge_key, kind);
                if li >= 0 && ri >= 0 && li < ri {
                    out.extend(left.next());
                } else {
                    out.extend(right.next());
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Diffing (diffMaps and friends)

#[derive(Clone, Copy, Default)]
struct DiffOptions {
    ignore_changes_and_additions: bool,
    ignore_deletions: bool,
    set_element_order: bool,
    build_retain_keys_directive: bool,
}

fn diff_maps(original: &Obj, modified: &Obj, schema: Schema, opts: DiffOptions) -> PResult<Obj> {
    let mut patch = Obj::new();
    let mut retain_keys: Vec<Value> = Vec::new();
    for (key, mv) in modified {
        if opts.build_retain_keys_directive && !mv.is_null() {
            retain_keys.push(Value::String(key.clone()));
        }
        let Some(ov) = original.get(key) else {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), mv.clone());
            }
            continue;
        };
        if key == DIRECTIVE {
            let (Some(os), Some(ms)) = (ov.as_str(), mv.as_str()) else {
                return Err(PatchError::invalid(format!(
                    "invalid value for special key: {DIRECTIVE}"
                )));
            };
            if os != ms {
                patch.insert(key.clone(), mv.clone());
            }
            continue;
        }
        if !same_type(ov, mv) {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), mv.clone());
            }
            continue;
        }
        match (ov, mv) {
            (Value::Object(om), Value::Object(mm)) => {
                let (sub, meta) = schema.field(key);
                let mut sub_opts = opts;
                sub_opts.build_retain_keys_directive = meta.retain_keys();
                if meta.main_strategy() == "replace" {
                    if !opts.ignore_changes_and_additions {
                        patch.insert(key.clone(), mv.clone());
                    }
                } else {
                    let p = diff_maps(om, mm, sub, sub_opts)?;
                    if !p.is_empty() {
                        patch.insert(key.clone(), Value::Object(p));
                    }
                }
            }
            (Value::Array(ol), Value::Array(ml)) => {
                let (sub, meta) = schema.field(key);
                if meta.main_strategy() == "merge" {
                    let mut sub_opts = opts;
                    sub_opts.build_retain_keys_directive = meta.retain_keys();
                    let (add, del, order) = diff_lists(ol, ml, sub, meta.merge_key, sub_opts)?;
                    if !add.is_empty() {
                        patch.insert(key.clone(), Value::Array(add));
                    }
                    if !del.is_empty() {
                        patch.insert(
                            format!("{DELETE_PRIMITIVE_PREFIX}/{key}"),
                            Value::Array(del),
                        );
                    }
                    if !order.is_empty() {
                        patch.insert(format!("{SET_ORDER_PREFIX}/{key}"), Value::Array(order));
                    }
                } else {
                    replace_if_not_equal(key, ov, mv, &mut patch, opts);
                }
            }
            _ => replace_if_not_equal(key, ov, mv, &mut patch, opts),
        }
    }
    if !opts.ignore_deletions {
        for key in original.keys() {
            if !modified.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    let has_additional_field = original
        .iter()
        .any(|(k, v)| !v.is_null() && !modified.contains_key(k));
    if !retain_keys.is_empty() && (!patch.is_empty() || has_additional_field) {
        sort_scalars(&mut retain_keys);
        patch.insert(RETAIN_KEYS.to_string(), Value::Array(retain_keys));
    }
    Ok(patch)
}

fn replace_if_not_equal(key: &str, ov: &Value, mv: &Value, patch: &mut Obj, opts: DiffOptions) {
    if opts.ignore_changes_and_additions || json_equal(ov, mv) {
        return;
    }
    patch.insert(key.to_string(), mv.clone());
}

/// Sorts scalars by their Go `%v` text, as `sortScalars` does.
fn sort_scalars(list: &mut [Value]) {
    list.sort_by_cached_key(go_value);
}

/// Returns (patch list, `$deleteFromPrimitiveList` list, `$setElementOrder` list).
fn diff_lists(
    original: &[Value],
    modified: &[Value],
    schema: Schema,
    merge_key: &str,
    opts: DiffOptions,
) -> PResult<(Vec<Value>, Vec<Value>, Vec<Value>)> {
    if original.is_empty() {
        if modified.is_empty() || opts.ignore_changes_and_additions {
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        }
        return Ok((modified.to_vec(), Vec::new(), Vec::new()));
    }
    let kind = slice_element_kind(&[original, modified])?;
    match kind {
        ElemKind::Map => {
            let (patch, deletions) =
                diff_lists_of_maps(original, modified, schema, merge_key, opts)?;
            let mut patch = normalize_slice_order(patch, modified, merge_key, kind)?;
            let order_same = is_order_same(original, modified, merge_key)?;
            patch.extend(deletions);
            let mut order = Vec::new();
            if opts.set_element_order
                && ((!opts.ignore_changes_and_additions && (!patch.is_empty() || !order_same))
                    || (!opts.ignore_deletions && !patch.is_empty()))
            {
                for v in modified {
                    let m = v.as_object().ok_or_else(|| bad_arg_type("map", v))?;
                    let mut entry = Obj::new();
                    entry.insert(
                        merge_key.to_string(),
                        m.get(merge_key).cloned().unwrap_or(Value::Null),
                    );
                    order.push(Value::Object(entry));
                }
            }
            Ok((patch, Vec::new(), order))
        }
        ElemKind::Scalar => {
            let (add, del) = diff_lists_of_scalars(original, modified, opts);
            let add = normalize_slice_order(add, modified, merge_key, kind)?;
            let mut order = Vec::new();
            let equal = original.len() == modified.len()
                && original.iter().zip(modified).all(|(a, b)| json_equal(a, b));
            if opts.set_element_order
                && ((!opts.ignore_deletions && !del.is_empty())
                    || (!opts.ignore_changes_and_additions && !equal))
            {
                order = modified.to_vec();
            }
            Ok((add, del, order))
        }
    }
}

fn is_order_same(original: &[Value], modified: &[Value], merge_key: &str) -> PResult<bool> {
    if original.len() != modified.len() {
        return Ok(false);
    }
    for (a, b) in original.iter().zip(modified) {
        if !merge_key_value_equal(a, b, merge_key)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn diff_lists_of_scalars(
    original: &[Value],
    modified: &[Value],
    opts: DiffOptions,
) -> (Vec<Value>, Vec<Value>) {
    let mut o = original.to_vec();
    let mut m = modified.to_vec();
    sort_scalars(&mut o);
    sort_scalars(&mut m);
    let (os, ms): (Vec<String>, Vec<String>) = (
        o.iter().map(go_value).collect(),
        m.iter().map(go_value).collect(),
    );
    let (mut add, mut del) = (Vec::new(), Vec::new());
    for step in walk_sorted(&os, &ms) {
        match step {
            Step::Both(..) => {}
            Step::Added(mi) if !opts.ignore_changes_and_additions => add.push(m[mi].clone()),
            Step::Deleted(oi) if !opts.ignore_deletions => del.push(o[oi].clone()),
            Step::Added(_) | Step::Deleted(_) => {}
        }
    }
    (add, dedup_scalars(del))
}

/// Where a walk over two lists sorted by key stands: at a key both have (original, modified
/// index), one only the modified list has, or one only the original has.
enum Step {
    Both(usize, usize),
    Added(usize),
    Deleted(usize),
}

/// The steps of walking `original` and `modified` (each sorted) side by side, as
/// `diffListsOfScalars` and `diffListsOfMaps` do.
fn walk_sorted<K: Ord>(original: &[K], modified: &[K]) -> Vec<Step> {
    let (mut oi, mut mi) = (0, 0);
    let mut steps = Vec::new();
    loop {
        let (o_in, m_in) = (oi < original.len(), mi < modified.len());
        if !o_in && !m_in {
            return steps;
        }
        if o_in && m_in && original[oi] == modified[mi] {
            steps.push(Step::Both(oi, mi));
            oi += 1;
            mi += 1;
        } else if !o_in || (m_in && original[oi] > modified[mi]) {
            steps.push(Step::Added(mi));
            mi += 1;
        } else {
            steps.push(Step::Deleted(oi));
            oi += 1;
        }
    }
}

fn merge_key_string(v: &Value, merge_key: &str) -> PResult<(Obj, Value, String)> {
    let m = v.as_object().ok_or_else(|| bad_arg_type("map", v))?;
    let value = m.get(merge_key).ok_or_else(|| no_merge_key(m, merge_key))?;
    Ok((m.clone(), value.clone(), go_value(value)))
}

fn diff_lists_of_maps(
    original: &[Value],
    modified: &[Value],
    schema: Schema,
    merge_key: &str,
    opts: DiffOptions,
) -> PResult<(Vec<Value>, Vec<Value>)> {
    let sorted = |list: &[Value]| -> PResult<Vec<(Obj, Value, String)>> {
        let mut out = list
            .iter()
            .map(|v| merge_key_string(v, merge_key))
            .collect::<PResult<Vec<_>>>()?;
        out.sort_by(|a, b| a.2.cmp(&b.2));
        Ok(out)
    };
    let (o, m) = (sorted(original)?, sorted(modified)?);
    let keys = |l: &[(Obj, Value, String)]| l.iter().map(|x| x.2.clone()).collect::<Vec<_>>();
    let (mut patch, mut deletions) = (Vec::new(), Vec::new());
    for step in walk_sorted(&keys(&o), &keys(&m)) {
        match step {
            Step::Both(oi, mi) => {
                let mut p = diff_maps(&o[oi].0, &m[mi].0, schema, opts)?;
                if !p.is_empty() {
                    p.insert(merge_key.to_string(), m[mi].1.clone());
                    patch.push(Value::Object(p));
                }
            }
            Step::Added(mi) if !opts.ignore_changes_and_additions => {
                patch.push(Value::Object(m[mi].0.clone()));
            }
            Step::Deleted(oi) if !opts.ignore_deletions => {
                let mut d = Obj::new();
                d.insert(DIRECTIVE.to_string(), Value::String("delete".to_string()));
                d.insert(merge_key.to_string(), o[oi].1.clone());
                deletions.push(Value::Object(d));
            }
            Step::Added(_) | Step::Deleted(_) => {}
        }
    }
    Ok((patch, deletions))
}

// ---------------------------------------------------------------------------------------------
// Conflict detection (MergingMapsHaveConflicts)

fn fields_conflict(
    left: &Value,
    right: &Value,
    schema: Schema,
    strategy: &str,
    merge_key: &str,
) -> PResult<bool> {
    match left {
        Value::Object(l) => {
            let Value::Object(r) = right else {
                return Ok(true);
            };
            let (lm, rm) = (l.get(DIRECTIVE), r.get(DIRECTIVE));
            if (lm.is_some() || rm.is_some()) && lm != rm {
                return Ok(true);
            }
            if strategy == "replace" {
                return Ok(false);
            }
            for (key, lv) in l {
                if key == DIRECTIVE || key == RETAIN_KEYS {
                    continue;
                }
                let Some(rv) = r.get(key) else { continue };
                let (sub, meta) = match lv {
                    Value::Array(_) | Value::Object(_) => schema.field(key),
                    _ => (Schema::Unknown, Default::default()),
                };
                if fields_conflict(lv, rv, sub, meta.main_strategy(), meta.merge_key)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Array(l) => {
            let Value::Array(r) = right else {
                return Ok(true);
            };
            let kind = slice_element_kind(&[l, r])?;
            if strategy == "merge" {
                if kind != ElemKind::Map {
                    return Ok(false);
                }
                let by_key = |list: &[Value]| -> PResult<Vec<(String, Value)>> {
                    list.iter()
                        .map(|v| {
                            let m = v.as_object().ok_or_else(|| {
                                PatchError::invalid(format!(
                                    "invalid element type in merging list:{}",
                                    go_value(&Value::Array(list.to_vec()))
                                ))
                            })?;
                            let k = m.get(merge_key).ok_or_else(|| {
                                PatchError::invalid(format!(
                                    "cannot find merge key `{merge_key}` in merging list element:{}",
                                    go_value(v)
                                ))
                            })?;
                            Ok((go_value(k), v.clone()))
                        })
                        .collect()
                };
                let (lk, rk) = (by_key(l)?, by_key(r)?);
                for (k, lv) in &lk {
                    if let Some((_, rv)) = rk.iter().find(|(rk, _)| rk == k) {
                        if fields_conflict(lv, rv, schema, "", "")? {
                            return Ok(true);
                        }
                    }
                }
                return Ok(false);
            }
            if l.len() != r.len() {
                return Ok(true);
            }
            let (mut l, mut r) = (l.clone(), r.clone());
            if kind != ElemKind::Map {
                l = dedup_scalars(l);
                r = dedup_scalars(r);
                sort_scalars(&mut l);
                sort_scalars(&mut r);
            }
            for (a, b) in l.iter().zip(r.iter()) {
                if fields_conflict(a, b, schema, "", "")? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Ok(!json_equal(left, right)),
    }
}

#[cfg(test)]
mod tests;
