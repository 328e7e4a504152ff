//! What kube-apiserver's decoding does to a request body beyond parsing it: Go's JSON type
//! checks (a string where an int32 belongs is a 400 with the decoder's message), and the
//! conversions of the versioned form into the stored one (a Secret's `stringData` merged into
//! `data`).

use base64::Engine as _;
use kcore::gojson::type_name;
use serde_json::{json, Map, Value};

use crate::schema::{self, Ty};
use crate::store::GroupResource;

/// The first type mismatch of `obj` against its kind's schema, as Go's `encoding/json` (the
/// fork in sigs.k8s.io/json that kube-apiserver uses) reports it:
/// `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
/// The struct is the innermost Go struct holding the field; the path lists the JSON field
/// names from the root, without list indexes or map keys. None when every value fits (or the
/// kind has no schema).
pub fn type_error(gr: &GroupResource, obj: &Value) -> Option<String> {
    let root = schema::schema_for(gr)?;
    let mut path = Vec::new();
    check_struct(root, obj, &mut path)
}

fn go_name(schema_name: &str) -> String {
    // io.k8s.api.apps.v1.DeploymentSpec -> v1.DeploymentSpec
    let mut parts = schema_name.rsplit('.');
    let ty = parts.next().unwrap_or_default();
    match parts.next() {
        Some(pkg) => format!("{pkg}.{ty}"),
        None => ty.to_string(),
    }
}

fn go_type(ty: &Ty) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::Bytes => "[]uint8".into(),
        Ty::Int32 => "int32".into(),
        Ty::Int64 => "int64".into(),
        Ty::Bool => "bool".into(),
        Ty::Any => "interface {}".into(),
        Ty::Ref(r) => go_name(r),
        Ty::Array(t) => format!("[]{}", go_type(t)),
        Ty::Map(t) => format!("map[string]{}", go_type(t)),
    }
}

fn check_struct(s: &'static schema::Schema, obj: &Value, path: &mut Vec<String>) -> Option<String> {
    let Value::Object(map) = obj else {
        return None;
    };
    let struct_name = s.name.rsplit('.').next().unwrap_or_default();
    for (k, v) in map {
        let Some(f) = s.field(k) else { continue };
        path.push(k.clone());
        let e = check_value(&f.ty, v, struct_name, path);
        path.pop();
        if e.is_some() {
            return e;
        }
    }
    None
}

fn mismatch(value: String, struct_name: &str, path: &[String], ty: &Ty) -> Option<String> {
    Some(format!(
        "json: cannot unmarshal {value} into Go struct field {struct_name}.{} of type {}",
        path.join("."),
        go_type(ty)
    ))
}

/// `v` decoded into a field of type `ty` of the struct `struct_name` at `path`.
fn check_value(ty: &Ty, v: &Value, struct_name: &str, path: &mut Vec<String>) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let bad = |value: String| mismatch(value, struct_name, path, ty);
    match ty {
        Ty::Any => None,
        Ty::Str | Ty::Bytes => match v {
            Value::String(s) if matches!(ty, Ty::Bytes) => {
                if base64::engine::general_purpose::STANDARD.decode(s).is_err() {
                    // Go reports a bad base64 string through the base64 package's error.
                    return Some(format!(
                        "illegal base64 data at input byte {}",
                        bad_base64_offset(s)
                    ));
                }
                None
            }
            Value::String(_) => None,
            other => bad(type_name(other).into()),
        },
        Ty::Int32 | Ty::Int64 => match v {
            Value::Number(n) => {
                let fits = match (n.as_i64(), ty) {
                    (Some(i), Ty::Int32) => i32::try_from(i).is_ok(),
                    (Some(_), _) => true,
                    (None, _) => false,
                };
                if fits {
                    None
                } else {
                    bad(format!("number {n}"))
                }
            }
            other => bad(type_name(other).into()),
        },
        Ty::Bool => match v {
            Value::Bool(_) => None,
            other => bad(type_name(other).into()),
        },
        Ty::Ref(r) => match schema::get(r) {
            Some(s) if s.raw.is_none() => match v {
                Value::Object(_) => check_struct(s, v, path),
                other => bad(type_name(other).into()),
            },
            // Time, Quantity, IntOrString, ...: their own unmarshalers.
            _ => None,
        },
        Ty::Array(item) => match v {
            Value::Array(items) => items
                .iter()
                .find_map(|x| check_value(item, x, struct_name, path)),
            other => bad(type_name(other).into()),
        },
        Ty::Map(val) => match v {
            Value::Object(m) => m
                .values()
                .find_map(|x| check_value(val, x, struct_name, path)),
            other => bad(type_name(other).into()),
        },
    }
}

/// The first value of `obj` that apimachinery's unstructured converter cannot put into its
/// kind's Go type, with the converter's message (`unrecognized type: int32`, `cannot convert
/// int64 to string`, `cannot restore slice from string`): what a strategic merge patch's
/// result fails with. Types with their own unmarshalers (Quantity, IntOrString, Time) pass.
pub fn convert_error(gr: &GroupResource, obj: &Value) -> Option<String> {
    convert_struct(schema::schema_for(gr)?, obj)
}

fn convert_struct(s: &'static schema::Schema, obj: &Value) -> Option<String> {
    let Value::Object(map) = obj else {
        return Some(format!("cannot restore struct from: {}", go_kind(obj)));
    };
    map.iter()
        .filter_map(|(k, v)| Some((&s.field(k)?.ty, v)))
        .find_map(|(ty, v)| convert_value(ty, v))
}

/// reflect's Kind of a value decoded from JSON (numbers as int64 or float64).
fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

fn convert_value(ty: &Ty, v: &Value) -> Option<String> {
    let unrecognized = |t: &str| Some(format!("unrecognized type: {t}"));
    match (ty, v) {
        (_, Value::Null) | (Ty::Any, _) | (Ty::Str, Value::String(_)) => None,
        (Ty::Bool, Value::Bool(_)) => None,
        // Go converts between integer kinds, and from a float without a fraction.
        (Ty::Int32 | Ty::Int64, Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() != 0.0 => {
                Some(format!("cannot convert float64 to {}", go_type(ty)))
            }
            _ => None,
        },
        (Ty::Str, Value::Number(n)) if !n.is_f64() => {
            Some("cannot convert int64 to string".to_string())
        }
        (Ty::Str | Ty::Int32 | Ty::Int64 | Ty::Bool, _) => unrecognized(&go_type(ty)),
        (Ty::Bytes, Value::String(s)) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .err()
            .map(|_| format!("illegal base64 data at input byte {}", bad_base64_offset(s))),
        (Ty::Ref(r), _) => match schema::get(r) {
            Some(s) if s.raw.is_none() => convert_struct(s, v),
            _ => None,
        },
        (Ty::Array(item), Value::Array(items)) => items.iter().find_map(|x| convert_value(item, x)),
        (Ty::Bytes | Ty::Array(_), _) => Some(format!("cannot restore slice from {}", go_kind(v))),
        (Ty::Map(val), Value::Object(m)) => m.values().find_map(|x| convert_value(val, x)),
        (Ty::Map(_), _) => Some(format!("cannot restore map from {}", go_kind(v))),
    }
}

/// The byte offset Go's base64 decoder names for the first invalid input.
fn bad_base64_offset(s: &str) -> usize {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'=' {
            return i;
        }
        if !ALPHABET.contains(c) && *c != b'\r' && *c != b'\n' {
            return i;
        }
    }
    // Right alphabet, wrong length: Go names the end of the last whole quantum.
    b.len() / 4 * 4
}

/// The conversion of a written object into its stored form: a Secret's `stringData` values
/// are base64-encoded into `data` (overriding keys present in both) and never stored.
pub fn to_internal(gr: &GroupResource, obj: &mut Value) {
    if !(gr.group.is_empty() && gr.resource == "secrets") {
        return;
    }
    let Some(Value::Object(string_data)) = obj.as_object_mut().and_then(|o| o.remove("stringData"))
    else {
        return;
    };
    if !obj["data"].is_object() {
        obj["data"] = Value::Object(Map::new());
    }
    for (k, v) in string_data {
        let text = v.as_str().unwrap_or_default();
        obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gr(g: &str, r: &str) -> GroupResource {
        GroupResource::new(g, r)
    }

    #[test]
    fn go_decoder_messages() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"replicas": "x"}});
        assert_eq!(
            type_error(&gr("apps", "deployments"), &d).unwrap(),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        let cm = json!({"metadata": {"name": "x"}, "data": {"a": 1}});
        assert_eq!(
            type_error(&gr("", "configmaps"), &cm).unwrap(),
            "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
        );
        let pod =
            json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 1.5}]}]}});
        assert_eq!(
            type_error(&gr("", "pods"), &pod).unwrap(),
            "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
        );
        let pod = json!({"spec": {"containers": "c"}});
        assert_eq!(
            type_error(&gr("", "pods"), &pod).unwrap(),
            "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"
        );
        let d = json!({"spec": {"template": {"metadata": {"labels": {"a": true}}}}});
        assert_eq!(
            type_error(&gr("apps", "deployments"), &d).unwrap(),
            "json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels of type string"
        );
        let ok = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"name": "c", "resources": {"limits": {"cpu": 1}}}]}}}});
        assert_eq!(type_error(&gr("apps", "deployments"), &ok), None);
        assert_eq!(
            type_error(&gr("", "configmaps"), &json!({"data": null})),
            None
        );
    }

    #[test]
    fn unstructured_converter_messages() {
        let d = |spec: Value| json!({"metadata": {"name": "x"}, "spec": spec});
        let deploy = gr("apps", "deployments");
        let cases = [
            (json!({"replicas": "x"}), Some("unrecognized type: int32")),
            (
                json!({"replicas": 1.5}),
                Some("cannot convert float64 to int32"),
            ),
            (json!({"replicas": 2.0}), None),
            (json!({"paused": 1}), Some("unrecognized type: bool")),
            (
                json!({"selector": [1]}),
                Some("cannot restore struct from: slice"),
            ),
            (
                json!({"template": {"spec": {"containers": "x"}}}),
                Some("cannot restore slice from string"),
            ),
            (
                json!({"template": {"metadata": {"labels": "x"}}}),
                Some("cannot restore map from string"),
            ),
            (
                json!({"template": {"metadata": {"labels": {"a": 1}}}}),
                Some("cannot convert int64 to string"),
            ),
            (
                json!({"template": {"metadata": {"labels": {"a": 1.5}}}}),
                Some("unrecognized type: string"),
            ),
            (
                json!({"strategy": {"rollingUpdate": {"maxSurge": true}}}),
                None,
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(
                convert_error(&deploy, &d(spec.clone())).as_deref(),
                want,
                "{spec}"
            );
        }
    }

    #[test]
    fn string_data_is_merged_into_data() {
        let mut s =
            json!({"data": {"a": "eA==", "b": "eQ=="}, "stringData": {"b": "secret", "c": ""}});
        to_internal(&gr("", "secrets"), &mut s);
        assert_eq!(s, json!({"data": {"a": "eA==", "b": "c2VjcmV0", "c": ""}}));
        let mut s = json!({"stringData": {"k": "v"}});
        to_internal(&gr("", "secrets"), &mut s);
        assert_eq!(s, json!({"data": {"k": "dg=="}}));
        let mut cm = json!({"stringData": {"k": "v"}});
        to_internal(&gr("", "configmaps"), &mut cm);
        assert_eq!(cm, json!({"stringData": {"k": "v"}}));
    }
}
