//! Validation of the common errors with the API server's messages, and unknown-field checks.
//!
//! [`validate`] reproduces kube-apiserver's field errors for the mistakes people actually make
//! (bad names and labels, selectors that do not match the template, missing containers or
//! images, duplicate names, bad ports, volumes, restart policies, immutable selectors, negative
//! replicas), with the real reasons, field paths and wording. [`invalid_status`] turns them into
//! the whole 422 `Status` body. Call [`validate`] on the *defaulted* object, as the server does;
//! fields that defaulting fills (restartPolicy, protocol, ...) are taken at their default when
//! absent.
//!
//! [`unknown_fields`] finds fields the schema does not declare (`fieldValidation=Strict|Warn`);
//! [`duplicate_fields`] finds keys repeated in the raw JSON body. The message helpers word them
//! like the server: `strict decoding error: unknown field "spec.foo"` (error), `unknown field
//! "spec.foo"` (one `Warning` header each).

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Value};

use super::schema::{self, Ty};
use super::store::GroupResource;

/// One field error, as a `StatusCause`: reason (`FieldValueInvalid`, ...), field path
/// (`spec.template.spec.containers[0].image`) and message without the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    pub reason: String,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Cause {
    /// `field: message`, as the API server prints one error inside the aggregate message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn cause(reason: &str, field: &str, message: String) -> Cause {
    Cause {
        reason: reason.into(),
        field: field.into(),
        message,
    }
}

fn with_detail(head: String, detail: &str) -> String {
    if detail.is_empty() {
        head
    } else {
        format!("{head}: {detail}")
    }
}

/// A bad value rendered as the server renders it: strings quoted, numbers and booleans bare,
/// anything else as JSON.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => go_quote(s),
        Value::Number(_) | Value::Bool(_) => v.to_string(),
        other => go_json(other),
    }
}

fn invalid(field: &str, value: &Value, detail: &str) -> Cause {
    let msg = with_detail(format!("Invalid value: {}", render(value)), detail);
    cause("FieldValueInvalid", field, msg)
}

fn required(field: &str, detail: &str) -> Cause {
    cause(
        "FieldValueRequired",
        field,
        with_detail("Required value".into(), detail),
    )
}

fn forbidden(field: &str, detail: &str) -> Cause {
    cause(
        "FieldValueForbidden",
        field,
        with_detail("Forbidden".into(), detail),
    )
}

fn duplicate(field: &str, value: &Value) -> Cause {
    cause(
        "FieldValueDuplicate",
        field,
        format!("Duplicate value: {}", render(value)),
    )
}

fn not_found(field: &str, value: &Value) -> Cause {
    cause(
        "FieldValueNotFound",
        field,
        format!("Not found: {}", render(value)),
    )
}

fn not_supported(field: &str, value: &Value, supported: &[&str]) -> Cause {
    let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
    let detail = format!("supported values: {}", list.join(", "));
    cause(
        "FieldValueNotSupported",
        field,
        format!("Unsupported value: {}: {detail}", render(value)),
    )
}

/// Go's `%q` for the strings that occur here: JSON's escaping, which agrees for printable text.
fn go_quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// JSON as Go's `json.Marshal` writes it: compact, map keys sorted, `<`, `>` and `&` escaped.
fn go_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A `LabelSelector` as Go marshals the struct: `matchLabels` before `matchExpressions`, each
/// requirement as key, operator, values; empty fields left out.
fn selector_json(sel: &Value) -> String {
    if sel.is_null() {
        return "null".into();
    }
    let mut parts = vec![];
    if let Some(m) = sel
        .get("matchLabels")
        .filter(|m| m.as_object().is_some_and(|o| !o.is_empty()))
    {
        parts.push(format!("\"matchLabels\":{}", go_json(m)));
    }
    if let Some(exprs) = sel["matchExpressions"].as_array().filter(|a| !a.is_empty()) {
        let items: Vec<String> = exprs
            .iter()
            .map(|e| {
                let mut f = vec![
                    format!("\"key\":{}", go_json(&json!(str_of(&e["key"])))),
                    format!("\"operator\":{}", go_json(&json!(str_of(&e["operator"])))),
                ];
                if let Some(vals) = e["values"].as_array().filter(|a| !a.is_empty()) {
                    f.push(format!(
                        "\"values\":{}",
                        go_json(&Value::Array(vals.clone()))
                    ));
                }
                format!("{{{}}}", f.join(","))
            })
            .collect();
        parts.push(format!("\"matchExpressions\":[{}]", items.join(",")));
    }
    format!("{{{}}}", parts.join(","))
}

fn invalid_selector(field: &str, sel: &Value, detail: &str) -> Cause {
    let msg = with_detail(format!("Invalid value: {}", selector_json(sel)), detail);
    cause("FieldValueInvalid", field, msg)
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Name and label rules (apimachinery's util/validation), with their exact messages.

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

/// apimachinery's `RegexError`: the message, examples and the regex (note the double space
/// its loop leaves before " or ").
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut s = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{e}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

fn is_alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_alnum_lower(b[0])
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

fn matches_label_key_name(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Messages of `IsDNS1123Label`.
pub fn dns1123_label(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// Messages of `IsDNS1123Subdomain`.
pub fn dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// Messages of `IsDNS1035Label` (Service names).
pub fn dns1035_label(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let b = value.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|&c| is_alnum_lower(c) || c == b'-');
    if !ok {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

const LABEL_KEY_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// Messages of `IsQualifiedName` (label, annotation and finalizer keys).
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut errs = vec![];
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(dns1123_subdomain(prefix).into_iter().map(|m| format!("prefix part {m}")));
            }
            name
        }
        _ => {
            return vec![format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(LABEL_KEY_MSG, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
            )]
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".to_string());
    }
    if !matches_label_key_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                LABEL_KEY_MSG,
                LABEL_KEY_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// Messages of `IsValidLabelValue`.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 bytes".to_string());
    }
    if !value.is_empty() && !matches_label_key_name(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

fn validate_labels(labels: &Value, field: &str, out: &mut Vec<Cause>) {
    let Some(map) = labels.as_object() else {
        return;
    };
    for (k, v) in map {
        for m in qualified_name(k) {
            out.push(invalid(field, &json!(k), &m));
        }
        let v = str_of(v);
        for m in label_value(v) {
            out.push(invalid(field, &json!(v), &m));
        }
    }
}

fn validate_annotations(annotations: &Value, field: &str, out: &mut Vec<Cause>) {
    let Some(map) = annotations.as_object() else {
        return;
    };
    for k in map.keys() {
        // Annotation keys are qualified names, but case does not matter.
        for m in qualified_name(&k.to_lowercase()) {
            out.push(invalid(field, &json!(k), &m));
        }
    }
    let size: usize = map.iter().map(|(k, v)| k.len() + str_of(v).len()).sum();
    if size > 256 * 1024 {
        out.push(cause(
            "FieldValueTooLong",
            field,
            "Too long: may not be more than 262144 bytes".into(),
        ));
    }
}

#[derive(Clone, Copy)]
enum NameRule {
    Subdomain,
    Label,
    Dns1035,
}

fn name_errors(rule: NameRule, value: &str) -> Vec<String> {
    match rule {
        NameRule::Subdomain => dns1123_subdomain(value),
        NameRule::Label => dns1123_label(value),
        NameRule::Dns1035 => dns1035_label(value),
    }
}

/// A `generateName` is checked as a prefix: a trailing dash stands for the random suffix.
fn mask_trailing_dash(name: &str) -> String {
    match name.strip_suffix('-') {
        Some(rest) if name.len() > 1 => format!("{}a", &rest[..rest.len().saturating_sub(1)]),
        _ => name.to_string(),
    }
}

fn validate_object_meta(meta: &Value, namespaced: bool, rule: NameRule, out: &mut Vec<Cause>) {
    let name = str_of(&meta["name"]);
    let generate = str_of(&meta["generateName"]);
    if !generate.is_empty() {
        for m in name_errors(rule, &mask_trailing_dash(generate)) {
            out.push(invalid("metadata.generateName", &json!(generate), &m));
        }
    }
    if name.is_empty() {
        // The server generates the name before validating; only both missing is an error.
        if generate.is_empty() {
            out.push(required(
                "metadata.name",
                "name or generateName is required",
            ));
        }
    } else {
        for m in name_errors(rule, name) {
            out.push(invalid("metadata.name", &json!(name), &m));
        }
    }
    if namespaced {
        let ns = str_of(&meta["namespace"]);
        if !ns.is_empty() {
            for m in dns1123_label(ns) {
                out.push(invalid("metadata.namespace", &json!(ns), &m));
            }
        }
    }
    if let Some(g) = meta["generation"].as_i64().filter(|g| *g < 0) {
        out.push(invalid(
            "metadata.generation",
            &json!(g),
            "must be greater than or equal to 0",
        ));
    }
    validate_labels(&meta["labels"], "metadata.labels", out);
    validate_annotations(&meta["annotations"], "metadata.annotations", out);
    if let Some(fins) = meta["finalizers"].as_array() {
        for (i, f) in fins.iter().enumerate() {
            for m in qualified_name(str_of(f)) {
                out.push(invalid(&format!("metadata.finalizers[{i}]"), f, &m));
            }
        }
    }
}

fn validate_object_meta_update(new: &Value, old: &Value, out: &mut Vec<Cause>) {
    for f in ["name", "namespace", "uid", "creationTimestamp"] {
        let (n, o) = (&new[f], &old[f]);
        // An absent value on the new object is filled from the old one by the server.
        if !n.is_null() && !o.is_null() && n != o {
            out.push(invalid(&format!("metadata.{f}"), n, "field is immutable"));
        }
    }
    if let (Some(n), Some(o)) = (new["generation"].as_i64(), old["generation"].as_i64()) {
        if n < o {
            out.push(invalid(
                "metadata.generation",
                &json!(n),
                "must not be decremented",
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Selectors.

/// Validates a LabelSelector; returns whether it can be evaluated (all operators known).
fn validate_label_selector(sel: &Value, field: &str, out: &mut Vec<Cause>) -> bool {
    let mut ok = true;
    if let Some(exprs) = sel["matchExpressions"].as_array() {
        for (i, e) in exprs.iter().enumerate() {
            let path = format!("{field}.matchExpressions[{i}]");
            let values = e["values"].as_array().map_or(0, Vec::len);
            match str_of(&e["operator"]) {
                "In" | "NotIn" if values == 0 => out.push(required(
                    &format!("{path}.values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                )),
                "Exists" | "DoesNotExist" if values > 0 => out.push(forbidden(
                    &format!("{path}.values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )),
                "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                op => {
                    ok = false;
                    out.push(invalid(
                        &format!("{path}.operator"),
                        &json!(op),
                        "not a valid selector operator",
                    ));
                }
            }
            let key = str_of(&e["key"]);
            for m in qualified_name(key) {
                out.push(invalid(&format!("{path}.key"), &json!(key), &m));
            }
        }
    }
    validate_labels(&sel["matchLabels"], &format!("{field}.matchLabels"), out);
    ok
}

/// Whether a selector selects these labels. A missing selector selects nothing.
pub fn selector_matches(sel: &Value, labels: &Value) -> bool {
    if sel.is_null() {
        return false;
    }
    let get = |k: &str| labels.get(k).and_then(Value::as_str);
    if let Some(m) = sel["matchLabels"].as_object() {
        if m.iter().any(|(k, v)| get(k) != v.as_str()) {
            return false;
        }
    }
    if let Some(exprs) = sel["matchExpressions"].as_array() {
        for e in exprs {
            let key = str_of(&e["key"]);
            let vals: Vec<&str> = e["values"]
                .as_array()
                .map(|a| a.iter().map(str_of).collect())
                .unwrap_or_default();
            let ok = match str_of(&e["operator"]) {
                "In" => get(key).is_some_and(|v| vals.contains(&v)),
                "NotIn" => get(key).is_none_or(|v| !vals.contains(&v)),
                "Exists" => get(key).is_some(),
                "DoesNotExist" => get(key).is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

fn selector_is_empty(sel: &Value) -> bool {
    sel["matchLabels"].as_object().is_none_or(|m| m.is_empty())
        && sel["matchExpressions"]
            .as_array()
            .is_none_or(|a| a.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Pods.

fn nonnegative(v: &Value, field: &str, out: &mut Vec<Cause>) {
    if let Some(n) = v.as_i64().filter(|n| *n < 0) {
        out.push(invalid(
            field,
            &json!(n),
            "must be greater than or equal to 0",
        ));
    }
}

fn port_num(v: &Value, field: &str, out: &mut Vec<Cause>) {
    if let Some(n) = v.as_i64().filter(|n| !(1..=65535).contains(n)) {
        out.push(invalid(
            field,
            &json!(n),
            "must be between 1 and 65535, inclusive",
        ));
    }
}

fn port_name_errors(name: &str) -> Vec<&'static str> {
    let mut errs = vec![];
    if name.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if !name.bytes().all(|c| is_alnum_lower(c) || c == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}

const VOLUME_SOURCES: &[&str] = &[
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "hostPath",
    "image",
    "iscsi",
    "nfs",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "secret",
    "storageos",
    "vsphereVolume",
];

fn validate_volume_source(vol: &Value, path: &str, out: &mut Vec<Cause>) {
    let present: Vec<&str> = VOLUME_SOURCES
        .iter()
        .copied()
        .filter(|s| vol.get(*s).is_some_and(|v| !v.is_null()))
        .collect();
    match present.as_slice() {
        [] => out.push(required(path, "must specify a volume type")),
        [one] => {
            let src = &vol[*one];
            let p = |f: &str| format!("{path}.{one}.{f}");
            let need = |f: &str, out: &mut Vec<Cause>| {
                if str_of(&src[f]).is_empty() {
                    out.push(required(&p(f), ""));
                }
            };
            match *one {
                "hostPath" => {
                    need("path", out);
                    let t = str_of(&src["type"]);
                    let types = [
                        "",
                        "BlockDevice",
                        "CharDevice",
                        "Directory",
                        "DirectoryOrCreate",
                        "File",
                        "FileOrCreate",
                        "Socket",
                    ];
                    if !types.contains(&t) {
                        out.push(not_supported(&p("type"), &json!(t), &types));
                    }
                }
                "configMap" => need("name", out),
                "secret" => need("secretName", out),
                "persistentVolumeClaim" => need("claimName", out),
                "nfs" => {
                    need("server", out);
                    need("path", out);
                }
                _ => {}
            }
            if let Some(mode) = src["defaultMode"]
                .as_i64()
                .filter(|m| !(0..=0o777).contains(m))
            {
                out.push(invalid(
                    &p("defaultMode"),
                    &json!(mode),
                    "must be a number between 0 and 0777 (octal), both inclusive",
                ));
            }
        }
        [_, rest @ ..] => {
            for extra in rest {
                out.push(forbidden(
                    &format!("{path}.{extra}"),
                    "may not specify more than 1 volume type",
                ));
            }
        }
    }
}

/// Validates the volumes; returns the names of the valid ones (mounts may refer only to those).
fn validate_volumes(vols: &Value, path: &str, out: &mut Vec<Cause>) -> HashSet<String> {
    let mut names = HashSet::new();
    let Some(vols) = vols.as_array() else {
        return names;
    };
    for (i, v) in vols.iter().enumerate() {
        let idx = format!("{path}[{i}]");
        let mut errs = vec![];
        validate_volume_source(v, &idx, &mut errs);
        let name = str_of(&v["name"]);
        let name_path = format!("{idx}.name");
        if name.is_empty() {
            errs.push(required(&name_path, ""));
        } else {
            for m in dns1123_label(name) {
                errs.push(invalid(&name_path, &json!(name), &m));
            }
        }
        if names.contains(name) {
            errs.push(duplicate(&name_path, &json!(name)));
        }
        if errs.is_empty() {
            names.insert(name.to_string());
        }
        out.extend(errs);
    }
    names
}

fn validate_container(c: &Value, path: &str, volumes: &HashSet<String>, out: &mut Vec<Cause>) {
    let name = str_of(&c["name"]);
    if name.is_empty() {
        out.push(required(&format!("{path}.name"), ""));
    } else {
        for m in dns1123_label(name) {
            out.push(invalid(&format!("{path}.name"), &json!(name), &m));
        }
    }
    if str_of(&c["image"]).is_empty() {
        out.push(required(&format!("{path}.image"), ""));
    }
    let tmp = c["terminationMessagePolicy"].as_str().unwrap_or("File");
    if !["File", "FallbackToLogsOnError"].contains(&tmp) {
        let p = format!("{path}.terminationMessagePolicy");
        if tmp.is_empty() {
            out.push(required(&p, ""));
        } else {
            out.push(not_supported(
                &p,
                &json!(tmp),
                &["File", "FallbackToLogsOnError"],
            ));
        }
    }
    // Ports.
    let mut port_names = HashSet::new();
    for (i, p) in c["ports"].as_array().into_iter().flatten().enumerate() {
        let idx = format!("{path}.ports[{i}]");
        let pname = str_of(&p["name"]);
        if !pname.is_empty() {
            let errs = port_name_errors(pname);
            if !errs.is_empty() {
                for m in errs {
                    out.push(invalid(&format!("{idx}.name"), &json!(pname), m));
                }
            } else if !port_names.insert(pname) {
                out.push(duplicate(&format!("{idx}.name"), &json!(pname)));
            }
        }
        match p["containerPort"].as_i64() {
            None | Some(0) => out.push(required(&format!("{idx}.containerPort"), "")),
            Some(_) => port_num(&p["containerPort"], &format!("{idx}.containerPort"), out),
        }
        if p["hostPort"].as_i64().is_some_and(|h| h != 0) {
            port_num(&p["hostPort"], &format!("{idx}.hostPort"), out);
        }
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        if proto.is_empty() {
            out.push(required(&format!("{idx}.protocol"), ""));
        } else if !["SCTP", "TCP", "UDP"].contains(&proto) {
            out.push(not_supported(
                &format!("{idx}.protocol"),
                &json!(proto),
                &["SCTP", "TCP", "UDP"],
            ));
        }
    }
    // Environment.
    for (i, e) in c["env"].as_array().into_iter().flatten().enumerate() {
        if str_of(&e["name"]).is_empty() {
            out.push(required(&format!("{path}.env[{i}].name"), ""));
        }
    }
    // Mounts.
    let mut mount_points = HashSet::new();
    for (i, m) in c["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let idx = format!("{path}.volumeMounts[{i}]");
        let vname = str_of(&m["name"]);
        if vname.is_empty() {
            out.push(required(&format!("{idx}.name"), ""));
        }
        if !volumes.contains(vname) {
            out.push(not_found(&format!("{idx}.name"), &json!(vname)));
        }
        let mp = str_of(&m["mountPath"]);
        if mp.is_empty() {
            out.push(required(&format!("{idx}.mountPath"), ""));
        }
        if !mount_points.insert(mp) {
            out.push(invalid(
                &format!("{idx}.mountPath"),
                &json!(mp),
                "must be unique",
            ));
        }
    }
    if let Some(pp) = c["imagePullPolicy"].as_str() {
        let all = ["Always", "IfNotPresent", "Never"];
        if pp.is_empty() {
            out.push(required(&format!("{path}.imagePullPolicy"), ""));
        } else if !all.contains(&pp) {
            out.push(not_supported(
                &format!("{path}.imagePullPolicy"),
                &json!(pp),
                &all,
            ));
        }
    }
}

fn validate_containers(
    list: &Value,
    path: &str,
    volumes: &HashSet<String>,
    names: &mut HashSet<String>,
    require: bool,
    out: &mut Vec<Cause>,
) {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    if items.is_empty() {
        if require {
            out.push(required(path, ""));
        }
        return;
    }
    for (i, c) in items.iter().enumerate() {
        let idx = format!("{path}[{i}]");
        validate_container(c, &idx, volumes, out);
        let name = str_of(&c["name"]);
        if !names.insert(name.to_string()) {
            out.push(duplicate(&format!("{idx}.name"), &json!(name)));
        }
    }
}

fn validate_pod_spec(spec: &Value, path: &str, out: &mut Vec<Cause>) {
    let volumes = validate_volumes(&spec["volumes"], &format!("{path}.volumes"), out);
    let mut names = HashSet::new();
    let init = format!("{path}.initContainers");
    validate_containers(
        &spec["initContainers"],
        &init,
        &volumes,
        &mut names,
        false,
        out,
    );
    let main = format!("{path}.containers");
    validate_containers(&spec["containers"], &main, &volumes, &mut names, true, out);
    let rp = spec["restartPolicy"].as_str().unwrap_or("Always");
    let policies = ["Always", "OnFailure", "Never"];
    if rp.is_empty() {
        out.push(required(&format!("{path}.restartPolicy"), ""));
    } else if !policies.contains(&rp) {
        out.push(not_supported(
            &format!("{path}.restartPolicy"),
            &json!(rp),
            &policies,
        ));
    }
    let dns = spec["dnsPolicy"].as_str().unwrap_or("ClusterFirst");
    let dns_all = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    if dns.is_empty() {
        out.push(required(&format!("{path}.dnsPolicy"), ""));
    } else if !dns_all.contains(&dns) {
        out.push(not_supported(
            &format!("{path}.dnsPolicy"),
            &json!(dns),
            &dns_all,
        ));
    }
    validate_labels(&spec["nodeSelector"], &format!("{path}.nodeSelector"), out);
    let sa = str_of(&spec["serviceAccountName"]);
    if !sa.is_empty() {
        for m in dns1123_subdomain(sa) {
            out.push(invalid(
                &format!("{path}.serviceAccountName"),
                &json!(sa),
                &m,
            ));
        }
    }
    let node = str_of(&spec["nodeName"]);
    if !node.is_empty() {
        for m in dns1123_subdomain(node) {
            out.push(invalid(&format!("{path}.nodeName"), &json!(node), &m));
        }
    }
    if let Some(ads) = spec["activeDeadlineSeconds"].as_i64() {
        if !(1..=i64::from(i32::MAX)).contains(&ads) {
            out.push(invalid(
                &format!("{path}.activeDeadlineSeconds"),
                &json!(ads),
                "must be between 1 and 2147483647, inclusive",
            ));
        }
    }
    for f in ["hostname", "subdomain"] {
        let v = str_of(&spec[f]);
        if !v.is_empty() {
            for m in dns1123_label(v) {
                out.push(invalid(&format!("{path}.{f}"), &json!(v), &m));
            }
        }
    }
}

fn validate_pod_template(t: &Value, path: &str, out: &mut Vec<Cause>) {
    // The template's metadata is inline: its errors read `spec.template.labels`.
    validate_labels(&t["metadata"]["labels"], &format!("{path}.labels"), out);
    validate_annotations(
        &t["metadata"]["annotations"],
        &format!("{path}.annotations"),
        out,
    );
    validate_pod_spec(&t["spec"], &format!("{path}.spec"), out);
    if t["spec"]["ephemeralContainers"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        out.push(forbidden(
            &format!("{path}.spec.ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
}

/// The checks shared by ReplicaSet and Deployment templates.
fn validate_template_for_replicaset(
    spec: &Value,
    selectable: bool,
    kind: &str,
    out: &mut Vec<Cause>,
) {
    let t = &spec["template"];
    let sel = &spec["selector"];
    if selectable && !selector_matches(sel, &t["metadata"]["labels"]) {
        out.push(invalid(
            "spec.template.metadata.labels",
            &t["metadata"]["labels"],
            "`selector` does not match template `labels`",
        ));
    }
    validate_pod_template(t, "spec.template", out);
    let rp = t["spec"]["restartPolicy"].as_str().unwrap_or("Always");
    if rp != "Always" {
        out.push(not_supported(
            "spec.template.spec.restartPolicy",
            &json!(rp),
            &["Always"],
        ));
    }
    if let Some(ads) = t["spec"]
        .get("activeDeadlineSeconds")
        .filter(|v| !v.is_null())
    {
        out.push(invalid(
            "spec.template.spec.activeDeadlineSeconds",
            ads,
            &format!("activeDeadlineSeconds in {kind} is not Supported"),
        ));
    }
}

fn validate_replica_selector(spec: &Value, kind_word: &str, out: &mut Vec<Cause>) -> bool {
    let sel = &spec["selector"];
    if sel.is_null() {
        out.push(required("spec.selector", ""));
        // A missing selector still "fails to match" the template, as on the server.
        return true;
    }
    let ok = validate_label_selector(sel, "spec.selector", out);
    if selector_is_empty(sel) {
        out.push(invalid_selector(
            "spec.selector",
            sel,
            &format!("empty selector is invalid for {kind_word}"),
        ));
    }
    ok
}

fn validate_replicaset(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    nonnegative(&spec["replicas"], "spec.replicas", out);
    nonnegative(&spec["minReadySeconds"], "spec.minReadySeconds", out);
    let ok = validate_replica_selector(spec, "deployment", out);
    validate_template_for_replicaset(spec, ok, "ReplicaSet", out);
}

fn validate_deployment(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    nonnegative(&spec["replicas"], "spec.replicas", out);
    let ok = validate_replica_selector(spec, "deployment", out);
    validate_template_for_replicaset(spec, ok, "ReplicaSet", out);
    let strategy = &spec["strategy"];
    match strategy["type"].as_str().unwrap_or("RollingUpdate") {
        "Recreate" => {
            if !strategy["rollingUpdate"].is_null() {
                out.push(forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => {
            let ru = &strategy["rollingUpdate"];
            let zero = |v: &Value| v.as_i64() == Some(0) || v.as_str() == Some("0%");
            if zero(&ru["maxUnavailable"]) && zero(&ru["maxSurge"]) {
                out.push(invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    &ru["maxUnavailable"],
                    "may not be 0 when `maxSurge` is 0",
                ));
            }
        }
        "" => out.push(required("spec.strategy.type", "")),
        other => out.push(not_supported(
            "spec.strategy.type",
            &json!(other),
            &["Recreate", "RollingUpdate"],
        )),
    }
    nonnegative(&spec["minReadySeconds"], "spec.minReadySeconds", out);
    nonnegative(
        &spec["revisionHistoryLimit"],
        "spec.revisionHistoryLimit",
        out,
    );
    if let Some(pds) = spec["progressDeadlineSeconds"].as_i64() {
        nonnegative(
            &spec["progressDeadlineSeconds"],
            "spec.progressDeadlineSeconds",
            out,
        );
        if pds <= spec["minReadySeconds"].as_i64().unwrap_or(0) {
            out.push(invalid(
                "spec.progressDeadlineSeconds",
                &json!(pds),
                "must be greater than minReadySeconds",
            ));
        }
    }
}

fn validate_daemonset(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    let sel = &spec["selector"];
    let ok = sel.is_null() || validate_label_selector(sel, "spec.selector", out);
    let t = &spec["template"];
    if ok && !selector_matches(sel, &t["metadata"]["labels"]) {
        out.push(invalid(
            "spec.template.metadata.labels",
            &t["metadata"]["labels"],
            "`selector` does not match template `labels`",
        ));
    }
    if !sel.is_null() && selector_is_empty(sel) {
        out.push(invalid_selector(
            "spec.selector",
            sel,
            "empty selector is invalid for daemonset",
        ));
    }
    validate_pod_template(t, "spec.template", out);
    let rp = t["spec"]["restartPolicy"].as_str().unwrap_or("Always");
    if rp != "Always" {
        out.push(not_supported(
            "spec.template.spec.restartPolicy",
            &json!(rp),
            &["Always"],
        ));
    }
    if t["spec"]
        .get("activeDeadlineSeconds")
        .is_some_and(|v| !v.is_null())
    {
        out.push(forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            "activeDeadlineSeconds in DaemonSet is not Supported",
        ));
    }
    nonnegative(&spec["minReadySeconds"], "spec.minReadySeconds", out);
    let us = &spec["updateStrategy"];
    match us["type"].as_str().unwrap_or("RollingUpdate") {
        "RollingUpdate" | "OnDelete" => {}
        "" => out.push(required("spec.updateStrategy.type", "")),
        other => out.push(not_supported(
            "spec.updateStrategy.type",
            &json!(other),
            &["OnDelete", "RollingUpdate"],
        )),
    }
    nonnegative(
        &spec["revisionHistoryLimit"],
        "spec.revisionHistoryLimit",
        out,
    );
}

fn validate_service(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    let ty = spec["type"].as_str().unwrap_or("ClusterIP");
    let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if !types.contains(&ty) {
        out.push(not_supported("spec.type", &json!(ty), &types));
    }
    let ports = spec["ports"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if ports.is_empty() && ty != "ExternalName" && spec["clusterIP"].as_str() != Some("None") {
        out.push(required("spec.ports", ""));
    }
    let mut names = HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let idx = format!("spec.ports[{i}]");
        let name = str_of(&p["name"]);
        if ports.len() > 1 && name.is_empty() {
            out.push(required(&format!("{idx}.name"), ""));
        } else if !name.is_empty() {
            for m in dns1123_label(name) {
                out.push(invalid(&format!("{idx}.name"), &json!(name), &m));
            }
            if !names.insert(name) {
                out.push(duplicate(&format!("{idx}.name"), &json!(name)));
            }
        }
        port_num(&p["port"], &format!("{idx}.port"), out);
        if p["port"].as_i64().unwrap_or(0) == 0 {
            out.push(invalid(
                &format!("{idx}.port"),
                &json!(0),
                "must be between 1 and 65535, inclusive",
            ));
        }
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        if !["SCTP", "TCP", "UDP"].contains(&proto) {
            out.push(not_supported(
                &format!("{idx}.protocol"),
                &json!(proto),
                &["SCTP", "TCP", "UDP"],
            ));
        }
    }
    validate_labels(&spec["selector"], "spec.selector", out);
}

fn name_rule(gr: &GroupResource) -> NameRule {
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "namespaces") => NameRule::Label,
        ("", "services") => NameRule::Dns1035,
        _ => NameRule::Subdomain,
    }
}

/// Validates an object of `gr` on create (`old` None) or update, after defaulting. Returns the
/// causes in the server's order; empty when valid.
pub fn validate(gr: &GroupResource, obj: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut out = vec![];
    let namespaced = schema::served_resource(gr).is_none_or(|s| s.namespaced);
    validate_object_meta(&obj["metadata"], namespaced, name_rule(gr), &mut out);
    if let Some(old) = old {
        validate_object_meta_update(&obj["metadata"], &old["metadata"], &mut out);
    }
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => validate_pod_spec(&obj["spec"], "spec", &mut out),
        ("", "services") => validate_service(obj, &mut out),
        ("apps", "daemonsets") => validate_daemonset(obj, &mut out),
        ("apps", "deployments") => validate_deployment(obj, &mut out),
        ("apps", "replicasets") => validate_replicaset(obj, &mut out),
        _ => {}
    }
    if let Some(old) = old {
        if gr.group == "apps"
            && ["daemonsets", "deployments", "replicasets"].contains(&gr.resource.as_str())
        {
            let (n, o) = (&obj["spec"]["selector"], &old["spec"]["selector"]);
            if n != o {
                out.push(invalid_selector("spec.selector", n, "field is immutable"));
            }
        }
    }
    out
}

/// The whole 422 `Status` body for invalid causes, as kube-apiserver's `NewInvalid` builds it:
/// message `<Kind>[.<group>] "<name>" is invalid: <errors>` where one error stands alone and
/// several are joined by ", " inside brackets (identical ones once); details carry every cause.
pub fn invalid_status(kind: &str, group: &str, name: &str, causes: &[Cause]) -> Value {
    let qualified = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    let mut seen = HashSet::new();
    let errs: Vec<String> = causes
        .iter()
        .map(|c| c.to_string())
        .filter(|m| seen.insert(m.clone()))
        .collect();
    let head = format!("{qualified} {} is invalid", go_quote(name));
    let message = match errs.as_slice() {
        [] => head,
        [one] => format!("{head}: {one}"),
        many => format!("{head}: [{}]", many.join(", ")),
    };
    let causes: Vec<Value> = causes
        .iter()
        .map(|c| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("reason", &c.reason),
                ("message", &c.message),
                ("field", &c.field),
            ] {
                if !v.is_empty() {
                    m.insert(k.into(), json!(v));
                }
            }
            Value::Object(m)
        })
        .collect();
    let mut details = serde_json::Map::new();
    for (k, v) in [("name", name), ("group", group), ("kind", kind)] {
        if !v.is_empty() {
            details.insert(k.into(), json!(v));
        }
    }
    if !causes.is_empty() {
        details.insert("causes".into(), Value::Array(causes));
    }
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "Invalid",
        "details": details,
        "code": 422,
    })
}

// ---------------------------------------------------------------------------------------------
// Unknown and duplicate fields.

/// Paths (`.spec.foo`, `.spec.template.spec.containers[0].imagePullPolicyy`) of the fields of
/// `obj` that the schema of `gr` does not declare, depth first with keys in sorted order (the
/// real server reports them in request order, which a parsed object no longer has). Keys under
/// free-form maps (labels, annotations, data) are never unknown. Empty for unserved resources.
pub fn unknown_fields(gr: &GroupResource, obj: &Value) -> Vec<String> {
    let mut out = vec![];
    if let Some(s) = schema::schema_for(gr) {
        walk_schema(&s.name, obj, "", &mut out);
    }
    out
}

/// Unknown fields of `obj` against a schema by name (for kinds reached other ways, e.g. Scale).
pub fn unknown_fields_of(schema_name: &str, obj: &Value) -> Vec<String> {
    let mut out = vec![];
    walk_schema(schema_name, obj, "", &mut out);
    out
}

fn walk_schema(name: &str, v: &Value, path: &str, out: &mut Vec<String>) {
    let Some(s) = schema::get(name) else { return };
    if s.raw.is_some() {
        return;
    }
    let Some(map) = v.as_object() else { return };
    for (k, child) in map {
        let p = format!("{path}.{k}");
        match s.field(k) {
            Some(f) => walk_ty(&f.ty, child, &p, out),
            None => out.push(p),
        }
    }
}

fn walk_ty(ty: &Ty, v: &Value, path: &str, out: &mut Vec<String>) {
    match ty {
        Ty::Ref(r) => walk_schema(r, v, path, out),
        Ty::Array(t) => {
            for (i, x) in v.as_array().into_iter().flatten().enumerate() {
                walk_ty(t, x, &format!("{path}[{i}]"), out);
            }
        }
        Ty::Map(t) => {
            for (k, x) in v.as_object().into_iter().flatten() {
                walk_ty(t, x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Paths (`.spec.replicas`, `.items[0].a`) of keys that occur more than once in one object of
/// a raw JSON body, in document order. Invalid JSON yields what was found before the error.
pub fn duplicate_fields(raw: &[u8]) -> Vec<String> {
    use serde::de::DeserializeSeed;
    let dups = std::cell::RefCell::new(vec![]);
    let mut de = serde_json::Deserializer::from_slice(raw);
    let _ = DupWalker {
        path: String::new(),
        dups: &dups,
    }
    .deserialize(&mut de);
    dups.into_inner()
}

struct DupWalker<'a> {
    path: String,
    dups: &'a std::cell::RefCell<Vec<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for DupWalker<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for DupWalker<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(DupWalker {
                path: format!("{}[{i}]", self.path),
                dups: self.dups,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = format!("{}.{key}", self.path);
            if !seen.insert(key) {
                self.dups.borrow_mut().push(path.clone());
            }
            map.next_value_seed(DupWalker {
                path,
                dups: self.dups,
            })?;
        }
        Ok(())
    }
}

fn strip_dot(p: &str) -> &str {
    p.strip_prefix('.').unwrap_or(p)
}

/// The individual strict-decoding errors: `unknown field "spec.foo"` for each unknown path, then
/// `duplicate field "spec.replicas"` for each duplicate (paths as returned above).
pub fn strict_errors(unknown: &[String], duplicates: &[String]) -> Vec<String> {
    let u = unknown
        .iter()
        .map(|p| format!("unknown field {}", go_quote(strip_dot(p))));
    let d = duplicates
        .iter()
        .map(|p| format!("duplicate field {}", go_quote(strip_dot(p))));
    u.chain(d).collect()
}

/// `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`: the error text
/// for unknown fields under `fieldValidation=Strict`.
pub fn strict_error_message(paths: &[String]) -> String {
    strict_decoding_message(&strict_errors(paths, &[]))
}

/// `strict decoding error: ` followed by the errors joined with ", ".
pub fn strict_decoding_message(errors: &[String]) -> String {
    format!("strict decoding error: {}", errors.join(", "))
}

/// The `Warning` header texts for `fieldValidation=Warn`, one per error: `unknown field
/// "spec.foo"` (sent as `299 - "unknown field \"spec.foo\""`).
pub fn unknown_field_warnings(paths: &[String]) -> Vec<String> {
    strict_errors(paths, &[])
}

/// The 400 BadRequest message of a create or update whose body fails strict decoding:
/// `DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: ...`.
pub fn decode_error_message(kind: &str, version: &str, errors: &[String]) -> String {
    format!(
        "{kind} in version {} cannot be handled as a {kind}: {}",
        go_quote(version),
        strict_decoding_message(errors)
    )
}

/// The 422 Status of a patch whose result fails strict decoding. The server names the field
/// `patch` and shows as the value the patch map in Go's `%+v` form (strategic merge patch, see
/// [`go_format`]) or the patched object's JSON (merge and JSON patch); no kind and no name.
pub fn patch_strict_invalid_status(value_text: &str, errors: &[String]) -> Value {
    let c = invalid(
        "patch",
        &json!(value_text),
        &strict_decoding_message(errors),
    );
    invalid_status("", "", "", &[c])
}

/// A decoded JSON value as Go's `fmt` `%+v` prints a `map[string]interface{}`:
/// `map[spec:map[replicas:2 selector:<nil>] tags:[a b]]`.
pub fn go_format(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(go_format).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            let parts: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_format(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn ds() -> GroupResource {
        GroupResource::new("apps", "daemonsets")
    }

    fn daemonset(name: &str, sel: Value, labels: Value, containers: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "selector": sel,
                "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
            },
        })
    }

    fn good_containers() -> Value {
        json!([{"name": "c", "image": "nginx"}])
    }

    fn messages(c: &[Cause]) -> Vec<String> {
        c.iter().map(Cause::to_string).collect()
    }

    /// The reference 422 for a DaemonSet named Bad_Name whose selector misses the template
    /// labels and which has no containers, reproduced exactly.
    #[test]
    fn reproduces_the_reference_invalid_status() {
        let want: Value = serde_json::from_str(&fixture("error-invalid.json")).unwrap();
        let obj = daemonset(
            "Bad_Name",
            json!({"matchLabels": {"app": "x"}}),
            json!({"app": "y"}),
            json!([]),
        );
        let causes = validate(&ds(), &obj, None);
        assert_eq!(
            invalid_status("DaemonSet", "apps", "Bad_Name", &causes),
            want
        );
    }

    #[test]
    fn valid_objects_have_no_causes() {
        for file in [
            "node-exporter-daemonset.yaml",
            "node-exporter-daemonset-v2.yaml",
        ] {
            let mut obj: Value = serde_yaml_ng::from_str(&fixture(file)).unwrap();
            obj["metadata"]["namespace"] = json!("default");
            assert_eq!(
                messages(&validate(&ds(), &obj, None)),
                Vec::<String>::new(),
                "{file}"
            );
            assert_eq!(unknown_fields(&ds(), &obj), Vec::<String>::new(), "{file}");
        }
        let pod = rich_pod();
        assert_eq!(
            messages(&validate(&GroupResource::new("", "pods"), &pod, None)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn names_and_labels() {
        let gr = GroupResource::new("", "configmaps");
        let c = validate(&gr, &json!({"metadata": {}}), None);
        assert_eq!(
            messages(&c),
            ["metadata.name: Required value: name or generateName is required"]
        );
        assert!(validate(&gr, &json!({"metadata": {"generateName": "web-"}}), None).is_empty());
        let ns = validate(
            &GroupResource::new("", "namespaces"),
            &json!({"metadata": {"name": "a.b"}}),
            None,
        );
        assert_eq!(
            messages(&ns),
            ["metadata.name: Invalid value: \"a.b\": must not contain dots"]
        );
        let svc = validate(
            &GroupResource::new("", "services"),
            &json!({"metadata": {"name": "1web"}, "spec": {"ports": [{"port": 80}]}}),
            None,
        );
        assert_eq!(
            messages(&svc),
            ["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        );
        let bad_labels = json!({"metadata": {"name": "x", "labels": {"a b": "c", "ok": "-bad"}}});
        assert_eq!(
            messages(&validate(&gr, &bad_labels, None)),
            [
                "metadata.labels: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ]
        );
        assert_eq!(qualified_name("example.com/app"), Vec::<String>::new());
        assert_eq!(qualified_name("/x"), ["prefix part must be non-empty"]);
        assert_eq!(qualified_name("a/b/c").len(), 1);
        assert_eq!(
            label_value(&"v".repeat(64)),
            ["must be no more than 63 bytes"]
        );
        assert_eq!(
            dns1123_subdomain(&"a".repeat(254)),
            ["must be no more than 253 characters"]
        );
        assert_eq!(mask_trailing_dash("web-"), "wea");
    }

    #[test]
    fn controller_rules() {
        let dep = GroupResource::new("apps", "deployments");
        let obj = json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": -1,
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"restartPolicy": "Never", "containers": [
                        {"name": "a", "image": "x", "ports": [{"containerPort": 70000}]},
                        {"name": "a"},
                    ]},
                },
            },
        });
        assert_eq!(
            messages(&validate(&dep, &obj, None)),
            [
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`",
                "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.template.spec.containers[1].image: Required value",
                "spec.template.spec.containers[1].name: Duplicate value: \"a\"",
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            ]
        );
        let empty = daemonset("d", json!({}), json!({"app": "y"}), good_containers());
        assert_eq!(
            messages(&validate(&ds(), &empty, None)),
            ["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"]
        );
        let rs = GroupResource::new("apps", "replicasets");
        let mut r = daemonset(
            "r",
            json!({"matchLabels": {"a": "b"}}),
            json!({"a": "b"}),
            json!([{"name": "Bad"}]),
        );
        r["spec"]["template"]["spec"]["volumes"] =
            json!([{"name": "v"}, {"name": "w", "hostPath": {"path": "/x"}, "emptyDir": {}}]);
        r["spec"]["template"]["spec"]["containers"][0]["image"] = json!("i");
        r["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] =
            json!([{"name": "nope", "mountPath": "/m"}]);
        let got = messages(&validate(&rs, &r, None));
        assert_eq!(
            got,
            [
                "spec.template.spec.volumes[0]: Required value: must specify a volume type",
                "spec.template.spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type",
                "spec.template.spec.containers[0].name: Invalid value: \"Bad\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"nope\"",
            ]
        );
    }

    #[test]
    fn selector_is_immutable_on_update() {
        let old = daemonset(
            "d",
            json!({"matchLabels": {"app": "a"}}),
            json!({"app": "a"}),
            good_containers(),
        );
        let mut new = old.clone();
        new["spec"]["selector"] = json!({"matchLabels": {"app": "b"}, "matchExpressions": [{"key": "k", "operator": "Exists"}]});
        new["spec"]["template"]["metadata"]["labels"] = json!({"app": "b", "k": "1"});
        assert_eq!(
            messages(&validate(&ds(), &new, Some(&old))),
            ["spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"b\"},\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}: field is immutable"]
        );
        assert!(validate(&ds(), &old, Some(&old)).is_empty());
    }

    #[test]
    fn status_message_assembly() {
        let one = [required("spec.x", "")];
        let s = invalid_status("Pod", "", "p", &one);
        assert_eq!(s["message"], "Pod \"p\" is invalid: spec.x: Required value");
        assert!(s["details"].get("group").is_none());
        let twice = [one[0].clone(), one[0].clone(), forbidden("spec.y", "no")];
        let s = invalid_status("Pod", "", "p", &twice);
        assert_eq!(
            s["message"],
            "Pod \"p\" is invalid: [spec.x: Required value, spec.y: Forbidden: no]"
        );
        assert_eq!(s["details"]["causes"].as_array().unwrap().len(), 3);
    }

    fn rich_container() -> Value {
        let mut c = json!({
            "name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
            "command": ["nginx"], "args": ["-g", "daemon off;"], "workingDir": "/",
            "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}, {"containerPort": 9090, "hostPort": 9090, "hostIP": "0.0.0.0"}],
            "env": [
                {"name": "A", "value": "1"},
                {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k", "optional": true}}},
                {"name": "C", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP", "apiVersion": "v1"}}},
                {"name": "E", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi", "containerName": "app"}}},
            ],
            "envFrom": [{"configMapRef": {"name": "cm"}, "prefix": "CM_"}, {"secretRef": {"name": "s", "optional": true}}],
            "resources": {"requests": {"cpu": "100m", "memory": 64}, "limits": {"memory": "128Mi"}},
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "stdin": false, "tty": false,
        });
        c["livenessProbe"] = json!({"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP", "httpHeaders": [{"name": "X", "value": "y"}]}, "initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3});
        c["readinessProbe"] = json!({"tcpSocket": {"port": 80}});
        c["startupProbe"] = json!({"exec": {"command": ["true"]}, "failureThreshold": 30});
        c["lifecycle"] = json!({"preStop": {"sleep": {"seconds": 5}}, "postStart": {"exec": {"command": ["true"]}}});
        c["securityContext"] = json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}});
        c["volumeMounts"] = json!([
            {"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/etc/cfg", "readOnly": true, "subPath": "x"},
            {"name": "sec", "mountPath": "/etc/sec"}, {"name": "proj", "mountPath": "/proj"},
            {"name": "pvc", "mountPath": "/pvc", "mountPropagation": "None"}, {"name": "dapi", "mountPath": "/dapi"},
            {"name": "host", "mountPath": "/host"}, {"name": "nfs", "mountPath": "/nfs"},
        ]);
        c
    }

    fn rich_volumes() -> Value {
        json!([
            {"name": "data", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
            {"name": "cfg", "configMap": {"name": "cm", "items": [{"key": "a", "path": "a.conf", "mode": 420}], "defaultMode": 420}},
            {"name": "sec", "secret": {"secretName": "s", "optional": true}},
            {"name": "proj", "projected": {"sources": [
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600, "audience": "api"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
            ]}},
            {"name": "pvc", "persistentVolumeClaim": {"claimName": "claim", "readOnly": false}},
            {"name": "dapi", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}, {"path": "cpu", "resourceFieldRef": {"containerName": "app", "resource": "requests.cpu"}}]}},
            {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
            {"name": "nfs", "nfs": {"server": "nfs.local", "path": "/export"}},
        ])
    }

    fn rich_affinity() -> Value {
        json!({
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]},
                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n"]}]}}]},
            "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "rich"}}, "namespaceSelector": {}}}]},
            "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "zone", "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}}]},
        })
    }

    fn rich_pod() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": "rich", "namespace": "default",
                "labels": {"app": "rich", "app.kubernetes.io/name": "rich"},
                "annotations": {"example.com/anything": "{\"free\": \"form\"}"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "r", "uid": "u", "controller": true, "blockOwnerDeletion": true}],
                "finalizers": ["example.com/keep"],
            },
            "spec": {
                "serviceAccountName": "default",
                "automountServiceAccountToken": false,
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "priorityClassName": "high", "schedulerName": "default-scheduler",
                "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a"]}],
                "dnsConfig": {"nameservers": ["1.1.1.1"], "searches": ["x"], "options": [{"name": "ndots", "value": "2"}]},
                "imagePullSecrets": [{"name": "reg"}],
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}, "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]},
                "affinity": rich_affinity(),
                "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}],
                "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "rich"}}, "minDomains": 2, "nodeAffinityPolicy": "Honor"}],
                "initContainers": [{"name": "init", "image": "busybox", "command": ["sh", "-c", "true"], "restartPolicy": "Always"}],
                "containers": [rich_container()],
                "volumes": rich_volumes(),
            },
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "image": "nginx", "imageID": "x", "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]},
        })
    }

    #[test]
    fn unknown_fields_finds_typos_only() {
        let pods = GroupResource::new("", "pods");
        assert_eq!(unknown_fields(&pods, &rich_pod()), Vec::<String>::new());
        let mut obj: Value =
            serde_yaml_ng::from_str(&fixture("node-exporter-daemonset.yaml")).unwrap();
        obj["spec"]["foo"] = json!(1);
        obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = json!("Always");
        obj["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["kind"] = json!("x");
        obj["metadata"]["labels"] = json!({"anything": "goes"});
        obj["spec"]["template"]["spec"]["volumes"][0]["cephfs"] = json!({"whatever": 1});
        let got = unknown_fields(&ds(), &obj);
        assert_eq!(
            got,
            [
                ".spec.foo",
                ".spec.template.spec.containers[0].imagePullPolicyy",
                ".spec.template.spec.volumes[0].hostPath.kind",
            ]
        );
        assert_eq!(
            strict_error_message(&got[..2]),
            "strict decoding error: unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""
        );
        assert_eq!(
            unknown_field_warnings(&got[..1]),
            ["unknown field \"spec.foo\""]
        );
        assert!(unknown_fields(&GroupResource::new("x", "y"), &obj).is_empty());
        let cm = json!({"metadata": {"name": "c"}, "data": {"any key": "v"}, "extra": true});
        assert_eq!(
            unknown_fields(&GroupResource::new("", "configmaps"), &cm),
            [".extra"]
        );
        assert_eq!(
            unknown_fields_of(
                "io.k8s.api.autoscaling.v1.Scale",
                &json!({"spec": {"replica": 1}})
            ),
            [".spec.replica"]
        );
    }

    #[test]
    fn duplicate_fields_and_messages() {
        let raw = br#"{"spec": {"replicas": 1, "replicas": 2, "items": [{"a": 1, "a": 2}]}, "kind": "x", "kind": "y"}"#;
        let d = duplicate_fields(raw);
        assert_eq!(d, [".spec.replicas", ".spec.items[0].a", ".kind"]);
        assert_eq!(
            strict_decoding_message(&strict_errors(&[".spec.foo".into()], &d[..1])),
            "strict decoding error: unknown field \"spec.foo\", duplicate field \"spec.replicas\""
        );
        assert_eq!(
            decode_error_message("DaemonSet", "v1", &strict_errors(&[".spec.foo".into()], &[])),
            "DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strict decoding error: unknown field \"spec.foo\""
        );
        assert!(duplicate_fields(b"{\"a\": 1, ").is_empty());
        assert!(duplicate_fields(b"not json").is_empty());
    }

    #[test]
    fn patch_strict_errors() {
        let patch = json!({"spec": {"foo": 1, "tags": ["a", "b"], "x": null, "s": "t"}});
        let text = go_format(&patch);
        assert_eq!(text, "map[spec:map[foo:1 s:t tags:[a b] x:<nil>]]");
        let s = patch_strict_invalid_status(&text, &strict_errors(&[".spec.foo".into()], &[]));
        assert_eq!(
            s["message"],
            " \"\" is invalid: patch: Invalid value: \"map[spec:map[foo:1 s:t tags:[a b] x:<nil>]]\": strict decoding error: unknown field \"spec.foo\""
        );
        assert_eq!(s["details"]["causes"][0]["field"], "patch");
        assert!(s["details"].get("kind").is_none());
    }

    #[test]
    fn go_json_escapes_like_go() {
        assert_eq!(
            go_json(&json!({"a": "<&>"})),
            "{\"a\":\"\\u003c\\u0026\\u003e\"}"
        );
        assert_eq!(render(&json!(null)), "null");
        assert_eq!(render(&json!(true)), "true");
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["x"]}]}),
            &json!({})
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}),
            &json!({"a": "1"})
        ));
    }
}
