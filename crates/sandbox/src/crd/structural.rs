//! Custom resources against their structural schema: unknown fields (reported, then
//! pruned unless `x-kubernetes-preserve-unknown-fields`), defaulting (`default`), and the
//! OpenAPI validation with kube-openapi's messages
//! (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`).

use serde_json::Value;

use crate::validation::{cause, required, too_long, Cause};

/// The schema of `obj`'s root: what the server adds to every CRD schema (apiVersion, kind
/// and metadata are always known).
fn is_root_meta(key: &str) -> bool {
    matches!(key, "apiVersion" | "kind" | "metadata")
}

fn preserves(schema: &Value) -> bool {
    schema["x-kubernetes-preserve-unknown-fields"] == true
}

/// The schema of property `k`: its own, else `additionalProperties` when that is a schema.
fn property_schema<'a>(schema: &'a Value, k: &str) -> Option<&'a Value> {
    let additional = &schema["additionalProperties"];
    schema["properties"]
        .get(k)
        .or(Some(additional).filter(|a| a.is_object()))
}

/// `spec.replicas`: the path of field `k` below `path` ("" at the root).
fn field_path(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

fn walk_unknown(v: &Value, schema: &Value, path: &str, root: bool, out: &mut Vec<String>) {
    if schema.is_null() {
        return;
    }
    match v {
        Value::Object(m) => {
            let additional = &schema["additionalProperties"];
            for (k, child) in m {
                if root && is_root_meta(k) {
                    continue;
                }
                let p = field_path(path, k);
                match property_schema(schema, k) {
                    Some(s) => walk_unknown(child, s, &p, false, out),
                    None if additional == &Value::Bool(true) || preserves(schema) => {}
                    None => out.push(p),
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, item) in items.iter().enumerate() {
                walk_unknown(item, &schema["items"], &format!("{path}[{i}]"), false, out);
            }
        }
        _ => {}
    }
}

/// The paths of fields the schema does not know (`spec.bogus`), as the strict decoder lists
/// them.
pub fn unknown_fields(obj: &Value, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_unknown(obj, schema, "", true, &mut out);
    out
}

/// Removes the fields the schema does not know.
pub fn prune(obj: &mut Value, schema: &Value) {
    prune_at(obj, schema, true);
}

fn prune_at(v: &mut Value, schema: &Value, root: bool) {
    if schema.is_null() {
        return;
    }
    match v {
        Value::Object(m) => {
            let props = schema["properties"].as_object();
            let additional = &schema["additionalProperties"];
            let keep_unknown = preserves(schema) || additional == &Value::Bool(true);
            m.retain(|k, child| {
                if root && is_root_meta(k) {
                    return true;
                }
                match props.and_then(|p| p.get(k)) {
                    // A null where the schema does not allow one is dropped (and defaulted).
                    Some(s) if child.is_null() => s["nullable"] == true,
                    Some(s) => {
                        prune_at(child, s, false);
                        true
                    }
                    None if additional.is_object() => {
                        prune_at(child, additional, false);
                        true
                    }
                    None => keep_unknown,
                }
            });
        }
        Value::Array(items) if schema["items"].is_object() => {
            for item in items {
                prune_at(item, &schema["items"], false);
            }
        }
        _ => {}
    }
}

/// Fills in `default`s of absent properties, top down (a defaulted object gets its own
/// properties' defaults too).
pub fn default(v: &mut Value, schema: &Value) {
    match v {
        Value::Object(m) => {
            if let Some(props) = schema["properties"].as_object() {
                for (k, s) in props {
                    if !m.contains_key(k) {
                        if let Some(d) = s.get("default") {
                            m.insert(k.clone(), d.clone());
                        }
                    }
                }
                for (k, s) in props {
                    if let Some(child) = m.get_mut(k) {
                        default(child, s);
                    }
                }
            } else if schema["additionalProperties"].is_object() {
                for child in m.values_mut() {
                    default(child, &schema["additionalProperties"]);
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for item in items {
                default(item, &schema["items"]);
            }
        }
        _ => {}
    }
}

/// The JSON type name kube-openapi reports for a value.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "" => true,
        "number" => v.is_number(),
        other => type_name(v) == other,
    }
}

/// A value as `field.Invalid` prints it: strings quoted, numbers and booleans bare.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn invalid(path: &str, value: &str, detail: String) -> Cause {
    cause(
        "FieldValueInvalid",
        path,
        format!("Invalid value: {value}: {detail}"),
    )
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// kube-openapi's number formatting in messages (`1`, `1.5`).
fn fmt_num(v: &Value) -> String {
    v.to_string()
}

fn validate_at(v: &Value, schema: &Value, path: &str, out: &mut Vec<Cause>) {
    if schema.is_null() {
        return;
    }
    let ty = schema["type"].as_str().unwrap_or_default();
    let int_or_string = schema["x-kubernetes-int-or-string"] == true;
    if v.is_null() && schema["nullable"] == true {
        return;
    }
    if int_or_string {
        if !(v.is_string() || type_name(v) == "integer") {
            out.push(invalid(
                path,
                &format!("\"{}\"", type_name(v)),
                format!(
                    "{path} in body must be of type integer,string: \"{}\"",
                    type_name(v)
                ),
            ));
            return;
        }
    } else if !type_ok(ty, v) {
        let t = type_name(v);
        let mut c = invalid(
            path,
            &format!("\"{t}\""),
            format!("{path} in body must be of type {ty}: \"{t}\""),
        );
        c.reason = "FieldValueTypeInvalid".into();
        out.push(c);
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(v) {
            let list: Vec<String> = allowed.iter().map(shown).collect();
            let message = format!(
                "Unsupported value: {}: supported values: {}",
                shown(v),
                list.join(", ")
            );
            out.push(cause("FieldValueNotSupported", path, message));
        }
    }
    match v {
        Value::Number(_) => {
            let x = num(v).unwrap_or_default();
            if let Some(min) = num(&schema["minimum"]) {
                let excl = schema["exclusiveMinimum"] == true;
                if x < min || (excl && x == min) {
                    let rel = if excl {
                        "greater than"
                    } else {
                        "greater than or equal to"
                    };
                    out.push(invalid(
                        path,
                        &shown(v),
                        format!(
                            "{path} in body should be {rel} {}",
                            fmt_num(&schema["minimum"])
                        ),
                    ));
                }
            }
            if let Some(max) = num(&schema["maximum"]) {
                let excl = schema["exclusiveMaximum"] == true;
                if x > max || (excl && x == max) {
                    let rel = if excl {
                        "less than"
                    } else {
                        "less than or equal to"
                    };
                    out.push(invalid(
                        path,
                        &shown(v),
                        format!(
                            "{path} in body should be {rel} {}",
                            fmt_num(&schema["maximum"])
                        ),
                    ));
                }
            }
        }
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if let Some(min) = schema["minLength"].as_u64().filter(|m| len < *m) {
                out.push(invalid(
                    path,
                    &shown(v),
                    format!("{path} in body should be at least {min} chars long"),
                ));
            }
            if let Some(max) = schema["maxLength"].as_u64().filter(|m| len > *m) {
                out.push(too_long(path, max as usize));
            }
        }
        Value::Array(items) => {
            let n = items.len() as u64;
            if let Some(min) = schema["minItems"].as_u64().filter(|m| n < *m) {
                out.push(invalid(
                    path,
                    &n.to_string(),
                    format!("{path} in body should have at least {min} items"),
                ));
            }
            if let Some(max) = schema["maxItems"].as_u64().filter(|m| n > *m) {
                let message = format!("Too many: {n}: must have at most {max} items");
                out.push(cause("FieldValueTooMany", path, message));
            }
            if schema["items"].is_object() {
                for (i, item) in items.iter().enumerate() {
                    validate_at(item, &schema["items"], &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::Object(m) => {
            if let Some(req) = schema["required"].as_array() {
                for r in req.iter().filter_map(Value::as_str) {
                    if !m.contains_key(r) {
                        out.push(required(&field_path(path, r), ""));
                    }
                }
            }
            for (k, child) in m {
                if path.is_empty() && is_root_meta(k) {
                    continue;
                }
                if let Some(s) = property_schema(schema, k) {
                    validate_at(child, s, &field_path(path, k), out);
                }
            }
        }
        _ => {}
    }
}

/// The schema's errors for `obj` (an object already pruned and defaulted).
pub fn validate(obj: &Value, schema: &Value) -> Vec<Cause> {
    let mut out = Vec::new();
    validate_at(obj, schema, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "spec": {"type": "object", "required": ["size"], "properties": {
                "replicas": {"type": "integer", "minimum": 1, "default": 1},
                "size": {"type": "string", "enum": ["S", "M"]},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}})
    }

    #[test]
    fn prune_default_validate() {
        let mut obj = json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "x"},
            "spec": {"bogus": 1, "free": {"any": {"thing": 1}}, "labels": {"a": "b"}, "replicas": null},
            "top": 1});
        assert_eq!(unknown_fields(&obj, &schema()), ["spec.bogus", "top"]);
        prune(&mut obj, &schema());
        default(&mut obj, &schema());
        assert_eq!(
            obj["spec"],
            json!({"free": {"any": {"thing": 1}}, "labels": {"a": "b"}, "replicas": 1})
        );
        assert!(obj.get("top").is_none() && obj["metadata"]["name"] == "x");
        let errs: Vec<String> = validate(&obj, &schema())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errs, ["spec.size: Required value"]);
        obj["spec"]["replicas"] = json!("two");
        obj["spec"]["size"] = json!("L");
        let errs: Vec<String> = validate(&obj, &schema())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errs, [
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
            "spec.size: Unsupported value: \"L\": supported values: \"S\", \"M\"",
        ]);
        obj["spec"]["replicas"] = json!(0);
        obj["spec"]["size"] = json!("S");
        let errs: Vec<String> = validate(&obj, &schema())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errs, ["spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"]);
    }
}
