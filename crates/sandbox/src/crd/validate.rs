//! The CRD's own defaulting and validation (apiextensions' `SetDefaults_*` and
//! `ValidateCustomResourceDefinition`), the rules a hand-written CRD most often breaks, with
//! the API server's messages.

use serde_json::{json, Value};

use crate::validation::Cause;

fn cause(reason: &str, field: &str, message: impl Into<String>) -> Cause {
    Cause {
        reason: reason.into(),
        field: field.into(),
        message: message.into(),
    }
}

fn quoted(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Defaults a CRD is stored with: singular and listKind from the kind, conversion None,
/// `status.storedVersions` on create.
pub fn default_crd(obj: &mut Value, creating: bool) {
    let kind = obj["spec"]["names"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let names = &mut obj["spec"]["names"];
    if names.is_object() {
        if names["singular"].as_str().unwrap_or_default().is_empty() {
            names["singular"] = json!(kind.to_lowercase());
        }
        if names["listKind"].as_str().unwrap_or_default().is_empty() && !kind.is_empty() {
            names["listKind"] = json!(format!("{kind}List"));
        }
    }
    if obj["spec"].is_object() && obj["spec"]["conversion"].is_null() {
        obj["spec"]["conversion"] = json!({"strategy": "None"});
    }
    if creating {
        let storage = obj["spec"]["versions"]
            .as_array()
            .and_then(|vs| vs.iter().find(|v| v["storage"] == true))
            .map(|v| v["name"].clone());
        obj["status"] = json!({
            "acceptedNames": {"plural": "", "kind": ""},
            "conditions": null,
            "storedVersions": storage.map(|s| vec![s]).unwrap_or_default(),
        });
    }
}

/// A new storage version joins `status.storedVersions` (objects may now be stored in it).
pub fn record_stored_version(obj: &mut Value) {
    let Some(storage) = obj["spec"]["versions"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["storage"] == true))
        .map(|v| v["name"].clone())
    else {
        return;
    };
    let mut stored = obj["status"]["storedVersions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !stored.contains(&storage) {
        stored.push(storage);
        obj["status"]["storedVersions"] = json!(stored);
    }
}

const TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// The children of a schema node with their paths.
fn children<'a>(schema: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            out.push((format!("{path}.properties[{k}]"), v));
        }
    }
    if schema["items"].is_object() {
        out.push((format!("{path}.items"), &schema["items"]));
    }
    if schema["additionalProperties"].is_object() {
        out.push((
            format!("{path}.additionalProperties"),
            &schema["additionalProperties"],
        ));
    }
    out
}

/// Structural completeness: every node names its type (first pass of the server).
fn missing_types(schema: &Value, path: &str, root: bool, out: &mut Vec<Cause>) {
    let ty = schema["type"].as_str().unwrap_or_default();
    let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true
        || schema["x-kubernetes-int-or-string"] == true;
    if ty.is_empty() && !preserve {
        let msg = if root {
            "must not be empty at the root"
        } else {
            "must not be empty for specified object fields"
        };
        out.push(cause(
            "FieldValueRequired",
            &format!("{path}.type"),
            format!("Required value: {msg}"),
        ));
    }
    if ty == "array" && !schema["items"].is_object() {
        out.push(cause(
            "FieldValueRequired",
            &format!("{path}.items"),
            "Required value: must be specified",
        ));
    }
    for (p, child) in children(schema, path) {
        missing_types(child, &p, false, out);
    }
}

/// The OpenAPI rules of the schema itself (second pass): known types, object at the root.
fn schema_rules(schema: &Value, path: &str, root: bool, out: &mut Vec<Cause>) {
    let ty = schema["type"].as_str().unwrap_or_default();
    if !ty.is_empty() && !TYPES.contains(&ty) {
        out.push(cause(
            "FieldValueNotSupported",
            &format!("{path}.type"),
            format!(
                "Unsupported value: \"{ty}\": supported values: {}",
                TYPES
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    } else if root && !ty.is_empty() && ty != "object" {
        out.push(cause(
            "FieldValueInvalid",
            &format!("{path}.type"),
            format!("Invalid value: \"{ty}\": must be object at the root"),
        ));
    }
    for (p, child) in children(schema, path) {
        schema_rules(child, &p, false, out);
    }
}

/// `ValidateCustomResourceDefinition`, the common rules.
pub fn validate_crd(obj: &Value) -> Vec<Cause> {
    let mut out = Vec::new();
    let spec = &obj["spec"];
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let group = spec["group"].as_str().unwrap_or_default();
    let names = &spec["names"];
    let plural = names["plural"].as_str().unwrap_or_default();
    if name != format!("{plural}.{group}") {
        out.push(cause(
            "FieldValueInvalid",
            "metadata.name",
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    if group.is_empty() {
        out.push(cause("FieldValueRequired", "spec.group", "Required value"));
    } else if !group.contains('.') {
        out.push(cause(
            "FieldValueInvalid",
            "spec.group",
            format!("Invalid value: \"{group}\": should be a domain with at least one dot"),
        ));
    }
    match spec["scope"].as_str().unwrap_or_default() {
        "Cluster" | "Namespaced" => {}
        "" => out.push(cause("FieldValueRequired", "spec.scope", "Required value")),
        other => out.push(cause(
            "FieldValueNotSupported",
            "spec.scope",
            format!(
                "Unsupported value: \"{other}\": supported values: \"Cluster\", \"Namespaced\""
            ),
        )),
    }
    for f in ["plural", "kind"] {
        if names[f].as_str().unwrap_or_default().is_empty() {
            out.push(cause(
                "FieldValueRequired",
                &format!("spec.names.{f}"),
                "Required value",
            ));
        }
    }
    if plural
        .chars()
        .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        out.push(cause(
            "FieldValueInvalid",
            "spec.names.plural",
            format!(
                "Invalid value: {}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                quoted(&names["plural"])
            ),
        ));
    }
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    if versions.is_empty() {
        out.push(cause(
            "FieldValueInvalid",
            "spec.versions",
            "Invalid value: null: must have exactly one version marked as storage version",
        ));
    }
    // The internal form keeps one schema in spec.validation when every version has the same.
    let schemas: Vec<&Value> = versions
        .iter()
        .map(|v| &v["schema"]["openAPIV3Schema"])
        .collect();
    let shared = schemas.iter().all(|s| s.is_object() && *s == schemas[0]);
    let mut checked: Vec<(String, &Value)> = Vec::new();
    for (i, schema) in schemas.iter().enumerate() {
        if !schema.is_object() {
            let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
            out.push(cause("FieldValueRequired", &path, "Required value"));
        } else if shared && i == 0 {
            checked.push(("spec.validation.openAPIV3Schema".into(), schema));
        } else if !shared {
            checked.push((format!("spec.versions[{i}].schema.openAPIV3Schema"), schema));
        }
    }
    for (path, schema) in &checked {
        missing_types(schema, path, true, &mut out);
    }
    for (path, schema) in &checked {
        schema_rules(schema, path, true, &mut out);
    }
    if out.is_empty() {
        for (path, schema) in &checked {
            super::rules::check_schema(schema, path, &mut out);
        }
    }
    out
}

/// Go's JSON type check of the CRD fields people write by hand (`json: cannot unmarshal bool
/// into Go struct field CustomResourceColumnDefinition.spec.versions.additionalPrinterColumns.name
/// of type string`, for a YAML `name: On`).
pub fn type_error(obj: &Value) -> Option<String> {
    let fits = |v: &Value, ty: &str| match ty {
        "string" => v.is_string() || v.is_null(),
        "bool" => v.is_boolean() || v.is_null(),
        "int32" => v.is_null() || v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        "[]string" => {
            v.is_null()
                || v.as_array()
                    .is_some_and(|a| a.iter().all(|x| x.is_string() || x.is_null()))
        }
        _ => true,
    };
    let err = |v: &Value, st: &str, path: &str, ty: &str| {
        let what = match (v, ty) {
            (Value::Number(n), "int32") => format!("number {n}"),
            (Value::Array(a), "[]string") => {
                let bad = a
                    .iter()
                    .find(|x| !x.is_string() && !x.is_null())
                    .unwrap_or(v);
                return format!(
                    "json: cannot unmarshal {} into Go struct field {st}.{path} of type string",
                    kcore::gojson::type_name(bad)
                );
            }
            _ => kcore::gojson::type_name(v).to_string(),
        };
        format!("json: cannot unmarshal {what} into Go struct field {st}.{path} of type {ty}")
    };
    let check = |v: &Value, st: &str, path: &str, fields: &[(&str, &str)]| -> Option<String> {
        for (f, ty) in fields {
            if let Some(x) = v.get(*f) {
                if !fits(x, ty) {
                    return Some(err(x, st, &format!("{path}.{f}"), ty));
                }
            }
        }
        None
    };
    let spec = &obj["spec"];
    let names = &[
        ("plural", "string"),
        ("singular", "string"),
        ("kind", "string"),
        ("listKind", "string"),
        ("shortNames", "[]string"),
        ("categories", "[]string"),
    ];
    let version = &[
        ("name", "string"),
        ("served", "bool"),
        ("storage", "bool"),
        ("deprecated", "bool"),
        ("deprecationWarning", "string"),
    ];
    let column = &[
        ("name", "string"),
        ("type", "string"),
        ("format", "string"),
        ("description", "string"),
        ("priority", "int32"),
        ("jsonPath", "string"),
    ];
    let columns = "spec.versions.additionalPrinterColumns";
    check(
        spec,
        "CustomResourceDefinitionSpec",
        "spec",
        &[("group", "string"), ("scope", "string")],
    )
    .or_else(|| {
        check(
            &spec["names"],
            "CustomResourceDefinitionNames",
            "spec.names",
            names,
        )
    })
    .or_else(|| {
        spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|v| {
                check(
                    v,
                    "CustomResourceDefinitionVersion",
                    "spec.versions",
                    version,
                )
                .or_else(|| {
                    v["additionalPrinterColumns"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find_map(|c| check(c, "CustomResourceColumnDefinition", columns, column))
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_storage_version_is_recorded() {
        let mut crd = json!({"spec": {"versions": [{"name": "v1", "storage": false}, {"name": "v2", "storage": true}]},
            "status": {"storedVersions": ["v1"]}});
        record_stored_version(&mut crd);
        record_stored_version(&mut crd);
        assert_eq!(crd["status"]["storedVersions"], json!(["v1", "v2"]));
    }

    #[test]
    fn go_type_errors() {
        let crd = json!({"spec": {"group": "g.io", "versions": [{"name": "v1", "additionalPrinterColumns": [
            {"name": true, "jsonPath": ".x"}]}]}});
        assert_eq!(
            type_error(&crd).unwrap(),
            "json: cannot unmarshal bool into Go struct field CustomResourceColumnDefinition.spec.versions.additionalPrinterColumns.name of type string"
        );
        let crd = json!({"spec": {"names": {"shortNames": "x"}}});
        assert_eq!(
            type_error(&crd).unwrap(),
            "json: cannot unmarshal string into Go struct field CustomResourceDefinitionNames.spec.names.shortNames of type []string"
        );
        assert!(
            type_error(&json!({"spec": {"versions": [{"name": "v1", "served": true}]}})).is_none()
        );
    }

    #[test]
    fn structural_errors() {
        let crd = json!({"metadata": {"name": "foos.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "foos", "kind": "Foo"},
                     "versions": [{"name": "v1", "served": true, "storage": true,
                        "schema": {"openAPIV3Schema": {"type": "object",
                            "properties": {"spec": {"properties": {"n": {"type": "int"}}}}}}}]}});
        let errs: Vec<String> = validate_crd(&crd).iter().map(ToString::to_string).collect();
        assert_eq!(errs, [
            "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
            "spec.validation.openAPIV3Schema.properties[spec].properties[n].type: Unsupported value: \"int\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"",
        ]);
    }
}
