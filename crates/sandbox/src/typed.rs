//! The typed conversion structured-merge-diff makes of a server-side apply's body before it
//! merges anything (`ObjectToTyped`, `typed/validate.go`): a field the schema does not declare
//! or a value of the wrong type fails the apply with a 500, whatever `fieldValidation` says.
//!
//! Its walker visits a map's keys in Go map order and stops at a map's first undeclared key;
//! the sandbox visits them in name order, the order one of the real server's runs shows.

use super::schema::{self, Field, Schema, Ty};
use super::status::ApiError;
use super::store::GroupResource;
use serde_json::Value;

/// One error of the conversion: where (smd's path) and what.
struct Problem {
    path: String,
    message: String,
}

/// The errors of `obj` against the schema of `gr`, rendered as smd renders them; None when it
/// converts (or the resource has no schema).
pub fn errors(gr: &GroupResource, obj: &Value) -> Option<String> {
    let root = schema::schema_for(gr)?;
    let mut out = Vec::new();
    walk_struct(root, obj, "", &mut out);
    let line = |p: &Problem| {
        if p.path.is_empty() {
            p.message.clone()
        } else {
            format!("{}: {}", p.path, p.message)
        }
    };
    match out.as_slice() {
        [] => None,
        [one] => Some(line(one)),
        many => Some(
            std::iter::once("errors:".to_string())
                .chain(many.iter().map(|p| format!("  {}", line(p))))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    }
}

/// The 500 (no reason) kube-apiserver answers when the body does not convert:
/// `failed to create typed patch object (NS/NAME; GROUP/VERSION, Kind=KIND): ...`.
pub fn apply_error(obj: &Value, errors: &str) -> ApiError {
    let m = &obj["metadata"];
    let (group, version) = match obj["apiVersion"].as_str().unwrap_or_default() {
        av if av.contains('/') => av.split_once('/').unwrap_or_default(),
        av => ("", av),
    };
    ApiError {
        code: 500,
        reason: "",
        message: format!(
            "failed to create typed patch object ({}/{}; {group}/{version}, Kind={}): {errors}",
            m["namespace"].as_str().unwrap_or_default(),
            m["name"].as_str().unwrap_or_default(),
            obj["kind"].as_str().unwrap_or_default(),
        ),
        details: None,
    }
}

fn problem(out: &mut Vec<Problem>, path: &str, message: String) {
    out.push(Problem {
        path: path.to_string(),
        message,
    });
}

/// An object with declared fields (smd's map with fields and no element type).
fn walk_struct(s: &'static Schema, v: &Value, path: &str, out: &mut Vec<Problem>) {
    let Some(map) = as_map(v, path, out) else {
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for k in keys {
        let p = format!("{path}.{k}");
        match s.field(k) {
            Some(f) => walk_field(f, &f.ty, &map[k.as_str()], &p, out),
            None => {
                problem(out, &p, "field not declared in schema".into());
                return;
            }
        }
    }
}

/// The map of a map-typed node; null is an empty map, anything else an error.
fn as_map<'a>(
    v: &'a Value,
    path: &str,
    out: &mut Vec<Problem>,
) -> Option<&'a serde_json::Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        Value::Null => None,
        other => {
            problem(out, path, format!("expected map, got {}", go_v(other)));
            None
        }
    }
}

/// A value of type `ty`, declared by `field` (whose list metadata a list needs).
fn walk_field(field: &Field, ty: &'static Ty, v: &Value, path: &str, out: &mut Vec<Problem>) {
    match ty {
        Ty::Str | Ty::Bytes => scalar_string(v, path, out),
        Ty::Int32 | Ty::Int64 => {
            if !(v.is_number() || v.is_null()) {
                problem(
                    out,
                    path,
                    format!("expected numeric (int or float), got {}", go_type(v)),
                );
            }
        }
        Ty::Bool => {
            if !(v.is_boolean() || v.is_null()) {
                problem(out, path, format!("expected boolean, got {}", go_v(v)));
            }
        }
        Ty::Any => {}
        Ty::Ref(name) => match schema::get(name) {
            Some(s) if s.raw.is_none() => walk_struct(s, v, path, out),
            Some(s) => walk_raw(s.raw.as_ref(), v, path, out),
            None => {}
        },
        Ty::Map(elem) => {
            if let Some(m) = as_map(v, path, out) {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for k in keys {
                    walk_field(field, elem, &m[k.as_str()], &format!("{path}.{k}"), out);
                }
            }
        }
        Ty::Array(elem) => walk_list(field, elem, v, path, out),
    }
}

/// Types without properties: date-times are strings, quantities and int-or-strings any
/// scalar, free-form objects anything.
fn walk_raw(raw: Option<&Value>, v: &Value, path: &str, out: &mut Vec<Problem>) {
    let Some(raw) = raw else { return };
    if raw["type"] == "string" {
        scalar_string(v, path, out);
    } else if raw.get("oneOf").is_some() && (v.is_object() || v.is_array()) {
        problem(out, path, format!("expected any scalar, got {}", go_v(v)));
    }
}

fn scalar_string(v: &Value, path: &str, out: &mut Vec<Problem>) {
    if !(v.is_string() || v.is_null()) {
        problem(out, path, format!("expected string, got {}", go_sharp_v(v)));
    }
}

/// A list: atomic lists' items are named by index, sets' by value, maps' by their keys (a
/// missing key takes the schema's default); an item that cannot be named ends the list.
fn walk_list(field: &Field, elem: &'static Ty, v: &Value, path: &str, out: &mut Vec<Problem>) {
    let items = match v {
        Value::Array(items) => items,
        Value::Null => return,
        other => {
            problem(out, path, format!("expected list, got {}", go_v(other)));
            return;
        }
    };
    let elem_schema = match elem {
        Ty::Ref(name) => schema::get(name).filter(|s| s.raw.is_none()),
        _ => None,
    };
    for (i, item) in items.iter().enumerate() {
        let element = match field.list_type.as_deref() {
            Some("map") => map_key(field, elem_schema, item),
            Some("set") => set_key(item),
            _ => Ok(format!("[{i}]")),
        };
        match element {
            Ok(pe) => walk_field(field, elem, item, &format!("{path}{pe}"), out),
            Err(e) => {
                problem(out, path, format!("element {i}: {e}"));
                return;
            }
        }
    }
}

fn map_key(field: &Field, elem: Option<&Schema>, item: &Value) -> Result<String, String> {
    let m = match item {
        Value::Null => return Err("associative list with keys may not have a null element".into()),
        Value::Object(m) => m,
        _ => return Err("associative list with keys may not have non-map elements".into()),
    };
    let mut keys: Vec<(&str, Value)> = Vec::new();
    for k in &field.list_map_keys {
        if let Some(v) = m.get(k) {
            keys.push((k, v.clone()));
        } else if let Some(d) = elem
            .and_then(|s| s.field(k))
            .and_then(|f| f.default.clone())
        {
            keys.push((k, d));
        }
    }
    if keys.is_empty() {
        let quoted: Vec<String> = field
            .list_map_keys
            .iter()
            .map(|k| format!("{k:?}"))
            .collect();
        return Err(format!(
            "associative list with keys has an element that omits all key fields [{}] (and doesn't have default values for any key fields)",
            quoted.join(" ")
        ));
    }
    keys.sort_by(|a, b| a.0.cmp(b.0));
    let parts: Vec<String> = keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(format!("[{}]", parts.join(",")))
}

fn set_key(item: &Value) -> Result<String, String> {
    match item {
        Value::Object(_) => {
            Err("associative list without keys has an element that's a map type".into())
        }
        Value::Array(_) => Err("not supported: associative list with lists as elements".into()),
        Value::Null => {
            Err("associative list without keys has an element that's an explicit null".into())
        }
        v => Ok(format!("[={v}]")),
    }
}

/// Go's `%T` of the decoded value.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::Object(_) => "map[string]interface {}",
        Value::Array(_) => "[]interface {}",
        Value::Null => "<nil>",
    }
}

/// Go's `%v` of an smd value (a pointer to a struct holding the decoded value): `&{...}`.
fn go_v(v: &Value) -> String {
    format!("&{{{}}}", go_plain(v))
}

/// Go's `%#v` of an smd value: `&value.valueUnstructured{Value:...}`.
fn go_sharp_v(v: &Value) -> String {
    format!("&value.valueUnstructured{{Value:{}}}", go_sharp(v))
}

fn go_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
        Some(f) => f.to_string(),
        None => n.to_string(),
    }
}

/// `%v` of a decoded JSON value (maps with sorted keys, as fmt prints them).
fn go_plain(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_plain).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", go_plain(&m[k.as_str()])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// `%#v` of a decoded JSON value held in an `interface{}`.
fn go_sharp(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!(
            "[]interface {{}}{{{}}}",
            a.iter().map(go_sharp).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k:?}:{}", go_sharp(&m[k.as_str()])))
                .collect();
            format!("map[string]interface {{}}{{{}}}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gr(group: &str, resource: &str) -> GroupResource {
        GroupResource {
            group: group.into(),
            resource: resource.into(),
        }
    }

    /// Texts recorded from a v1.36.2 kube-apiserver.
    #[test]
    fn errors_read_as_structured_merge_diff_words_them() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d1", "namespace": "fid4-a"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d1"}},
                "template": {"metadata": {"labels": {"app": "d1"}}, "spec": {
                    "containers": [{"name": "c", "image": "nginx", "imagePullPolicyy": "Always"}],
                    "foo": "bar"}}}});
        assert_eq!(
            errors(&gr("apps", "deployments"), &d).unwrap(),
            "errors:\n  .spec.template.spec.containers[name=\"c\"].imagePullPolicyy: field not declared in schema\n  .spec.template.spec.foo: field not declared in schema"
        );
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm1", "labelz": {}}, "data": {"k": 1}, "foo": 1});
        assert_eq!(
            errors(&gr("", "configmaps"), &cm).unwrap(),
            "errors:\n  .data.k: expected string, got &value.valueUnstructured{Value:1}\n  .foo: field not declared in schema"
        );
        let ok = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
        assert_eq!(errors(&gr("", "configmaps"), &ok), None);
    }

    #[test]
    fn list_items_are_named_by_their_keys_with_defaults() {
        let pod = json!({"spec": {"containers": [{"name": "c",
            "ports": [{"containerPort": 80, "x": 1}]}]}});
        assert_eq!(
            errors(&gr("", "pods"), &pod).unwrap(),
            ".spec.containers[name=\"c\"].ports[containerPort=80,protocol=\"TCP\"].x: field not declared in schema"
        );
        let bad = json!({"spec": {"containers": ["c", {"image": 1}], "replicas": 1}});
        assert_eq!(
            errors(&gr("", "pods"), &bad).unwrap(),
            "errors:\n  .spec.containers: element 0: associative list with keys may not have non-map elements\n  .spec.replicas: field not declared in schema"
        );
    }
}
