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
//! For `fieldValidation=Strict|Warn`, [`unknown_fields`] finds the fields a parsed object's
//! type does not declare and [`duplicate_fields`] the keys a raw JSON body repeats. The
//! message helpers word them like the server: `strict decoding error:
//! unknown field "spec.foo"` (error), `unknown field "spec.foo"` (one `Warning` header each).

use std::collections::HashSet;

use serde_json::{json, Value};

use super::schema::{self, Node};
use super::store::GroupResource;

/// One field error, as a `StatusCause`: reason (`FieldValueInvalid`, ...), field path
/// (`spec.template.spec.containers[0].image`) and message without the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, ...
    pub reason: String,
    /// The field path, as the server writes it (`spec.template.spec.containers[0].name`).
    pub field: String,
    /// The error without the field (`Required value`, `Invalid value: "x": ...`).
    pub message: String,
}

impl std::fmt::Display for Cause {
    /// `field: message`, as the API server prints one error inside the aggregate message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

pub(crate) fn cause(reason: &str, field: &str, message: String) -> Cause {
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

pub(crate) fn invalid(field: &str, value: &Value, detail: &str) -> Cause {
    let msg = with_detail(format!("Invalid value: {}", render(value)), detail);
    cause("FieldValueInvalid", field, msg)
}

pub(crate) fn required(field: &str, detail: &str) -> Cause {
    cause(
        "FieldValueRequired",
        field,
        with_detail("Required value".into(), detail),
    )
}

pub(crate) fn forbidden(field: &str, detail: &str) -> Cause {
    cause(
        "FieldValueForbidden",
        field,
        with_detail("Forbidden".into(), detail),
    )
}

pub(crate) fn duplicate(field: &str, value: &Value) -> Cause {
    cause(
        "FieldValueDuplicate",
        field,
        format!("Duplicate value: {}", render(value)),
    )
}

/// A required enum: Required when empty, NotSupported when not one of `allowed`.
fn required_one_of(value: &str, field: &str, allowed: &[&str], out: &mut Vec<Cause>) {
    if value.is_empty() {
        out.push(required(field, ""));
    } else if !allowed.contains(&value) {
        out.push(not_supported(field, &json!(value), allowed));
    }
}

/// `field.TooLong` (no value shown).
pub(crate) fn too_long(field: &str, max: usize) -> Cause {
    cause(
        "FieldValueTooLong",
        field,
        format!("Too long: may not be more than {max} bytes"),
    )
}

fn not_found(field: &str, value: &Value) -> Cause {
    cause(
        "FieldValueNotFound",
        field,
        format!("Not found: {}", render(value)),
    )
}

/// NotSupported for a value already rendered (structs, in Go's field order).
fn not_supported_raw(field: &str, rendered: &str, supported: &[&str]) -> Cause {
    let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
    let detail = format!("supported values: {}", list.join(", "));
    cause(
        "FieldValueNotSupported",
        field,
        format!("Unsupported value: {rendered}: {detail}"),
    )
}

pub(crate) fn not_supported(field: &str, value: &Value, supported: &[&str]) -> Cause {
    not_supported_raw(field, &render(value), supported)
}

use kcore::gofmt::go_quote;

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

// Name and label rules (apimachinery's util/validation) live in the core crate: the CLI
// validates label values and selectors with the same messages.
use kcore::validation::regex_error;
pub use kcore::validation::{
    config_map_key, dns1035_label, dns1123_label, dns1123_subdomain, label_value, qualified_name,
};

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
        out.push(too_long(field, 256 * 1024));
    }
}

#[derive(Clone, Copy)]
enum NameRule {
    Subdomain,
    Label,
}

fn name_errors(rule: NameRule, value: &str) -> Vec<String> {
    match rule {
        NameRule::Subdomain => dns1123_subdomain(value),
        NameRule::Label => dns1123_label(value),
    }
}

/// A `generateName` is checked as a prefix: a trailing dash stands for the random suffix.
fn mask_trailing_dash(name: &str) -> String {
    match name.strip_suffix('-') {
        // Go replaces the last two bytes; a non-ASCII name is invalid either way.
        Some(rest) if name.len() > 1 && rest.is_char_boundary(rest.len() - 1) => {
            format!("{}a", &rest[..rest.len() - 1])
        }
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
pub(crate) fn validate_label_selector(sel: &Value, field: &str, out: &mut Vec<Cause>) -> bool {
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
    kcore::validation::port_name(name)
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
        let field = format!("{idx}.protocol");
        required_one_of(proto, &field, &["SCTP", "TCP", "UDP"], out);
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
        let field = format!("{path}.imagePullPolicy");
        required_one_of(pp, &field, &["Always", "IfNotPresent", "Never"], out);
    }
    validate_resources(&c["resources"], &format!("{path}.resources"), out);
}

// ---------------------------------------------------------------------------------------------
// Resource quantities, for the requests/limits checks (apimachinery's resource.Quantity).

/// How a quantity was written, which decides how it prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QuantityFormat {
    /// `Ki`, `Mi`, ... suffixes.
    BinarySI,
    /// `m`, `k`, `M`, ... suffixes, or none.
    DecimalSI,
    /// `e3`, `E-2`.
    DecimalExponent,
}

/// A quantity as an exact count of nano-units (values below 1n round up, as on the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quantity {
    pub(crate) nanos: i128,
    pub(crate) format: QuantityFormat,
}

fn pow_i128(base: i128, exp: u32) -> Option<i128> {
    base.checked_pow(exp)
}

/// A quantity's value in nano-units (what controllers compare sizes by).
pub(crate) fn quantity_nanos(v: &Value) -> Option<i128> {
    parse_quantity(v).map(|q| q.nanos)
}

/// Parses `1.5Gi`, `500m`, `2`, `1e3`; None for what the server would refuse to decode.
pub(crate) fn parse_quantity(v: &Value) -> Option<Quantity> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text.as_str()),
    };
    let split = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(split);
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty() && frac_part.is_empty() || int_part.len() + frac_part.len() > 30 {
        return None;
    }
    let digits: i128 = format!("{int_part}{frac_part}").parse().ok()?;
    let scale = frac_part.len() as i32;
    // value = digits * 10^-scale * multiplier
    let (format, binary_pow, dec_exp): (QuantityFormat, u32, i32) = match suffix {
        "Ki" => (QuantityFormat::BinarySI, 1, 0),
        "Mi" => (QuantityFormat::BinarySI, 2, 0),
        "Gi" => (QuantityFormat::BinarySI, 3, 0),
        "Ti" => (QuantityFormat::BinarySI, 4, 0),
        "Pi" => (QuantityFormat::BinarySI, 5, 0),
        "Ei" => (QuantityFormat::BinarySI, 6, 0),
        "n" => (QuantityFormat::DecimalSI, 0, -9),
        "u" => (QuantityFormat::DecimalSI, 0, -6),
        "m" => (QuantityFormat::DecimalSI, 0, -3),
        "" => (QuantityFormat::DecimalSI, 0, 0),
        "k" => (QuantityFormat::DecimalSI, 0, 3),
        "M" => (QuantityFormat::DecimalSI, 0, 6),
        "G" => (QuantityFormat::DecimalSI, 0, 9),
        "T" => (QuantityFormat::DecimalSI, 0, 12),
        "P" => (QuantityFormat::DecimalSI, 0, 15),
        "E" => (QuantityFormat::DecimalSI, 0, 18),
        s if s.starts_with(['e', 'E']) => {
            let e: i32 = s[1..].parse().ok().filter(|e: &i32| e.abs() <= 30)?;
            (QuantityFormat::DecimalExponent, 0, e)
        }
        _ => return None,
    };
    let value = digits.checked_mul(pow_i128(1024, binary_pow)?)?;
    let exp10 = dec_exp + 9 - scale;
    let nanos = if exp10 >= 0 {
        value.checked_mul(pow_i128(10, exp10 as u32)?)?
    } else {
        let d = pow_i128(10, (-exp10) as u32)?;
        // Rounds up, away from zero, like the server's parser.
        (value + d - 1) / d
    };
    Some(Quantity {
        nanos: if negative { -nanos } else { nanos },
        format,
    })
}

/// The canonical text of a quantity, as `Quantity.String()` prints it (`1024Mi` → `1Gi`,
/// `0.5` → `500m`, `2000m` → `2`).
pub(crate) fn quantity_string(q: Quantity) -> String {
    if q.nanos == 0 {
        return "0".into();
    }
    const NANO: i128 = 1_000_000_000;
    let mut format = q.format;
    if format == QuantityFormat::BinarySI && (q.nanos.abs() < 1024 * NANO || q.nanos % NANO != 0) {
        format = QuantityFormat::DecimalSI;
    }
    if format == QuantityFormat::BinarySI {
        let mut amount = q.nanos / NANO;
        let mut pow = 0;
        while amount % 1024 == 0 && pow < 6 {
            amount /= 1024;
            pow += 1;
        }
        let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][pow];
        return format!("{amount}{suffix}");
    }
    let (mut amount, mut exp) = (q.nanos, -9i32);
    while amount % 10 == 0 {
        amount /= 10;
        exp += 1;
    }
    // Down to a multiple of three, so that an SI suffix fits.
    let r = exp.rem_euclid(3);
    amount *= 10i128.pow(r as u32);
    exp -= r;
    let suffix = match (format, exp) {
        (QuantityFormat::DecimalSI, -9) => "n".to_string(),
        (QuantityFormat::DecimalSI, -6) => "u".to_string(),
        (QuantityFormat::DecimalSI, -3) => "m".to_string(),
        (_, 0) => String::new(),
        (QuantityFormat::DecimalSI, 3) => "k".to_string(),
        (QuantityFormat::DecimalSI, 6) => "M".to_string(),
        (QuantityFormat::DecimalSI, 9) => "G".to_string(),
        (QuantityFormat::DecimalSI, 12) => "T".to_string(),
        (QuantityFormat::DecimalSI, 15) => "P".to_string(),
        (QuantityFormat::DecimalSI, 18) => "E".to_string(),
        (_, e) => format!("e{e}"),
    };
    format!("{amount}{suffix}")
}

/// Resources whose requests may be below their limits (not hugepages, not extended ones).
fn overcommit_allowed(name: &str) -> bool {
    let native = !name.contains('/') || name.contains("kubernetes.io/");
    native && !name.starts_with("hugepages-")
}

fn validate_resource_name(name: &str, path: &str, out: &mut Vec<Cause>) {
    for m in qualified_name(name) {
        out.push(invalid(path, &json!(name), &m));
    }
    if !name.contains('/') {
        let standard = ["cpu", "memory", "ephemeral-storage"].contains(&name)
            || name.starts_with("hugepages-");
        if !standard {
            out.push(invalid(
                path,
                &json!(name),
                "must be a standard resource for containers",
            ));
        }
    }
}

/// `ValidateContainerResourceRequirements`: names, non-negative amounts, requests within limits.
fn validate_resources(res: &Value, path: &str, out: &mut Vec<Cause>) {
    let limits = res["limits"].as_object();
    for (kind, list) in [
        ("limits", limits),
        ("requests", res["requests"].as_object()),
    ] {
        for (name, v) in list.into_iter().flatten() {
            let key_path = format!("{path}.{kind}[{name}]");
            validate_resource_name(name, &key_path, out);
            let Some(q) = parse_quantity(v) else { continue };
            if q.nanos < 0 {
                let text = json!(quantity_string(q));
                out.push(invalid(
                    &key_path,
                    &text,
                    "must be greater than or equal to 0",
                ));
            }
            if kind != "requests" {
                continue;
            }
            let req_path = format!("{path}.requests");
            match limits.and_then(|l| l.get(name)).and_then(parse_quantity) {
                Some(limit) => {
                    let (req, lim) = (quantity_string(q), quantity_string(limit));
                    if q.nanos != limit.nanos && !overcommit_allowed(name) {
                        let msg = format!("must be equal to {name} limit of {lim}");
                        out.push(invalid(&req_path, &json!(req), &msg));
                    } else if q.nanos > limit.nanos {
                        let msg = format!("must be less than or equal to {name} limit of {lim}");
                        out.push(invalid(&req_path, &json!(req), &msg));
                    }
                }
                None if !overcommit_allowed(name) => out.push(required(
                    &format!("{path}.limits"),
                    "Limit must be set for non overcommitable resources",
                )),
                None => {}
            }
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
        // Lifecycle and probes belong to regular (and restartable init) containers.
        if require || c["restartPolicy"].as_str() == Some("Always") {
            validate_lifecycle(&c["lifecycle"], &format!("{idx}.lifecycle"), out);
            for (probe, must_be_one) in [
                ("livenessProbe", true),
                ("readinessProbe", false),
                ("startupProbe", true),
            ] {
                validate_probe(&c[probe], &format!("{idx}.{probe}"), must_be_one, out);
            }
        }
    }
}

/// `validateHandler`: exactly one action; probes may also use gRPC, hooks may sleep.
fn validate_handler(h: &Value, path: &str, kinds: &[&str], out: &mut Vec<Cause>) {
    let mut found = 0;
    for k in kinds {
        let Some(action) = h.get(*k).filter(|v| !v.is_null()) else {
            continue;
        };
        let p = format!("{path}.{k}");
        if found > 0 {
            out.push(forbidden(&p, "may not specify more than 1 handler type"));
            continue;
        }
        found += 1;
        match *k {
            "exec" if action["command"].as_array().is_none_or(|c| c.is_empty()) => {
                out.push(required(&format!("{p}.command"), ""));
            }
            "httpGet" | "tcpSocket" => {
                validate_port_num_or_name(&action["port"], &format!("{p}.port"), out);
                if *k == "httpGet" {
                    let scheme = action["scheme"].as_str().unwrap_or("HTTP");
                    if !["HTTP", "HTTPS"].contains(&scheme) {
                        let sp = format!("{p}.scheme");
                        out.push(not_supported(&sp, &json!(scheme), &["HTTP", "HTTPS"]));
                    }
                }
            }
            "grpc" => port_num(&action["port"], &format!("{p}.port"), out),
            "sleep" => {
                if let Some(n) = action["seconds"].as_i64().filter(|n| *n < 0) {
                    let msg = "must be greater than or equal to 0";
                    out.push(invalid(&format!("{p}.seconds"), &json!(n), msg));
                }
            }
            _ => {}
        }
    }
    if found == 0 {
        out.push(required(path, "must specify a handler type"));
    }
}

/// `ValidatePortNumOrName`: a port number, or a valid port name.
fn validate_port_num_or_name(v: &Value, path: &str, out: &mut Vec<Cause>) {
    match v {
        Value::Number(_) => port_num(v, path, out),
        Value::String(s) => {
            for m in port_name_errors(s) {
                out.push(invalid(path, v, m));
            }
        }
        _ => {}
    }
}

fn validate_lifecycle(l: &Value, path: &str, out: &mut Vec<Cause>) {
    for hook in ["postStart", "preStop"] {
        let h = &l[hook];
        if !h.is_null() {
            let kinds = ["exec", "httpGet", "tcpSocket", "sleep"];
            validate_handler(h, &format!("{path}.{hook}"), &kinds, out);
        }
    }
}

fn validate_probe(p: &Value, path: &str, success_must_be_one: bool, out: &mut Vec<Cause>) {
    if !p.is_object() {
        return;
    }
    validate_handler(p, path, &["exec", "httpGet", "tcpSocket", "grpc"], out);
    for f in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        nonnegative(&p[f], &format!("{path}.{f}"), out);
    }
    if success_must_be_one {
        if let Some(n) = p["successThreshold"].as_i64().filter(|n| *n != 1) {
            out.push(invalid(
                &format!("{path}.successThreshold"),
                &json!(n),
                "must be 1",
            ));
        }
    }
}

fn validate_tolerations(list: &Value, path: &str, out: &mut Vec<Cause>) {
    for (i, t) in list.as_array().into_iter().flatten().enumerate() {
        let idx = format!("{path}[{i}]");
        let key = str_of(&t["key"]);
        if !key.is_empty() {
            for m in qualified_name(key) {
                out.push(invalid(&format!("{idx}.key"), &json!(key), &m));
            }
        }
        let op = str_of(&t["operator"]);
        if key.is_empty() && op != "Exists" {
            out.push(invalid(
                &format!("{idx}.operator"),
                &json!(op),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        let effect = str_of(&t["effect"]);
        if !t["tolerationSeconds"].is_null() && effect != "NoExecute" {
            out.push(invalid(
                &format!("{idx}.effect"),
                &json!(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        if matches!(op, "" | "Equal") {
            let value = str_of(&t["value"]);
            for m in label_value(value) {
                out.push(invalid(&format!("{idx}.operator"), &json!(value), &m));
            }
        }
        let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
        if !effect.is_empty() && !effects.contains(&effect) {
            out.push(not_supported(
                &format!("{idx}.effect"),
                &json!(effect),
                &effects,
            ));
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
    validate_ephemeral_containers(spec, path, &volumes, out);
    let rp = spec["restartPolicy"].as_str().unwrap_or("Always");
    let field = format!("{path}.restartPolicy");
    required_one_of(rp, &field, &["Always", "OnFailure", "Never"], out);
    let dns = spec["dnsPolicy"].as_str().unwrap_or("ClusterFirst");
    let dns_all = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    required_one_of(dns, &format!("{path}.dnsPolicy"), &dns_all, out);
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
    validate_tolerations(&spec["tolerations"], &format!("{path}.tolerations"), out);
}

/// The fields an ephemeral container may set (apiserver's `allowedEphemeralContainerFields`);
/// every other container field must stay at its zero value.
const EPHEMERAL_FORBIDDEN: &[&str] = &[
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
];

/// `validateEphemeralContainers`: each one a valid container, named uniquely across all
/// containers, targeting a regular or init container, without the fields reserved for
/// workload containers and without subPath mounts.
fn validate_ephemeral_containers(
    spec: &Value,
    path: &str,
    volumes: &HashSet<String>,
    out: &mut Vec<Cause>,
) {
    let Some(list) = spec["ephemeralContainers"]
        .as_array()
        .filter(|l| !l.is_empty())
    else {
        return;
    };
    let mut others = HashSet::new();
    for l in ["containers", "initContainers"] {
        for c in spec[l].as_array().into_iter().flatten() {
            others.insert(str_of(&c["name"]).to_string());
        }
    }
    let mut all = others.clone();
    for (i, ec) in list.iter().enumerate() {
        let idx = format!("{path}.ephemeralContainers[{i}]");
        validate_container(ec, &idx, volumes, out);
        let name = str_of(&ec["name"]);
        if !all.insert(name.to_string()) {
            out.push(duplicate(&format!("{idx}.name"), &json!(name)));
        }
        let target = str_of(&ec["targetContainerName"]);
        if !target.is_empty() && !others.contains(target) {
            out.push(not_found(
                &format!("{idx}.targetContainerName"),
                &json!(target),
            ));
        }
        for f in EPHEMERAL_FORBIDDEN {
            let zero = match ec.get(*f) {
                None | Some(Value::Null) => true,
                Some(Value::Object(m)) => *f == "resources" && m.values().all(is_zero_json),
                Some(Value::Array(a)) => a.is_empty(),
                Some(Value::String(s)) => s.is_empty(),
                _ => false,
            };
            if !zero {
                let msg = "cannot be set for an Ephemeral Container";
                out.push(forbidden(&format!("{idx}.{f}"), msg));
            }
        }
        for (j, vm) in ec["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            for f in ["subPath", "subPathExpr"] {
                if !str_of(&vm[f]).is_empty() {
                    let p = format!("{idx}.volumeMounts[{j}].{f}");
                    out.push(forbidden(&p, "cannot be set for an Ephemeral Container"));
                }
            }
        }
    }
}

fn is_zero_json(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(is_zero_json),
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

/// The `pods/ephemeralcontainers` write as kube-apiserver's strategy makes it: the stored pod
/// with only `spec.ephemeralContainers` (and the resourceVersion precondition) taken from
/// the request.
pub fn ephemeral_containers_update(old: &Value, new: &Value) -> Value {
    let mut out = old.clone();
    match new["spec"].get("ephemeralContainers") {
        Some(list) if !list.is_null() => out["spec"]["ephemeralContainers"] = list.clone(),
        _ => {
            if let Some(m) = out["spec"].as_object_mut() {
                m.remove("ephemeralContainers");
            }
        }
    }
    match new["metadata"].get("resourceVersion") {
        Some(rv) => out["metadata"]["resourceVersion"] = rv.clone(),
        None => {
            if let Some(m) = out["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
        }
    }
    out
}

/// Part 2 of `ValidatePodEphemeralContainersUpdate`: static pods take none, and existing
/// ephemeral containers may be neither removed nor changed (checked by name, since a patch
/// may reorder them).
pub fn validate_ephemeral_containers_update(new: &Value, old: &Value) -> Vec<Cause> {
    if !old["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_null() {
        return vec![forbidden(
            "",
            "static pods do not support ephemeral containers",
        )];
    }
    let path = "spec.ephemeralContainers";
    let empty = Vec::new();
    let new_list = new["spec"]["ephemeralContainers"]
        .as_array()
        .unwrap_or(&empty);
    let mut out = Vec::new();
    for o in old["spec"]["ephemeralContainers"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = str_of(&o["name"]);
        match new_list.iter().find(|n| str_of(&n["name"]) == name) {
            None => out.push(forbidden(
                path,
                &format!(
                    "existing ephemeral containers {} may not be removed\n",
                    go_quote(name)
                ),
            )),
            Some(n) if n != o => out.push(forbidden(
                &format!("{path}[{}]", go_quote(name)),
                &format!(
                    "existing ephemeral containers {} may not be changed\n{}",
                    go_quote(name),
                    struct_diff(o, n)
                ),
            )),
            Some(_) => {}
        }
    }
    out
}

/// A readable diff of two containers, in the spirit of go-cmp's `cmp.Diff` (whose exact
/// output is deliberately unstable): changed fields as `-` old and `+` new lines.
fn struct_diff(old: &Value, new: &Value) -> String {
    let mut keys: Vec<&String> = old.as_object().into_iter().flat_map(|m| m.keys()).collect();
    for k in new.as_object().into_iter().flat_map(|m| m.keys()) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = String::from("  core.EphemeralContainer{\n");
    for k in keys {
        let (a, b) = (&old[k.as_str()], &new[k.as_str()]);
        if a != b {
            if !a.is_null() {
                out.push_str(&format!("- \t{k}: {},\n", go_json(a)));
            }
            if !b.is_null() {
                out.push_str(&format!("+ \t{k}: {},\n", go_json(b)));
            }
        }
    }
    out.push_str("  }\n");
    out
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
    if selectable {
        selector_matches_template(spec, out);
    }
    validate_always_running_template(&spec["template"], kind, out);
}

/// The template's labels must match `spec.selector` (a valid one).
fn selector_matches_template(spec: &Value, out: &mut Vec<Cause>) {
    let labels = &spec["template"]["metadata"]["labels"];
    if !selector_matches(&spec["selector"], labels) {
        out.push(invalid(
            "spec.template.metadata.labels",
            labels,
            "`selector` does not match template `labels`",
        ));
    }
}

/// A pod template of a controller that keeps its pods running (ReplicaSet, DaemonSet): restart
/// policy Always and no active deadline.
fn validate_always_running_template(t: &Value, kind: &str, out: &mut Vec<Cause>) {
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
            &format!("activeDeadlineSeconds in {kind} is not Supported"),
        ));
    }
}

const PERCENT_MSG: &str =
    "a valid percent string must be a numeric string followed by an ending '%'";

/// The value of an int-or-percent (`3` or `"25%"`); None for anything else.
fn int_or_percent(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.strip_suffix('%').and_then(|n| n.parse().ok()),
        _ => None,
    }
}

pub(crate) fn positive_int_or_percent(v: &Value, field: &str, out: &mut Vec<Cause>) {
    match v {
        Value::String(s) => {
            let digits = s.strip_suffix('%').filter(|d| !d.is_empty());
            if !digits.is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit())) {
                let msg = regex_error(PERCENT_MSG, "[0-9]+%", &["1%", "93%"]);
                out.push(invalid(field, v, &msg));
            }
        }
        Value::Number(_) => nonnegative(v, field, out),
        _ => {}
    }
}

pub(crate) fn not_more_than_100_percent(v: &Value, field: &str, out: &mut Vec<Cause>) {
    if v.is_string() && int_or_percent(v).is_some_and(|p| p > 100) {
        out.push(invalid(field, v, "must not be greater than 100%"));
    }
}

/// An update strategy as Go marshals the struct: `type` first, then `rollingUpdate`.
fn strategy_json(s: &Value) -> String {
    let mut parts = vec![format!("\"type\":{}", go_json(&json!(str_of(&s["type"]))))];
    let ru = &s["rollingUpdate"];
    if ru.is_object() {
        let mut f = vec![];
        for k in ["maxUnavailable", "maxSurge"] {
            if let Some(v) = ru.get(k).filter(|v| !v.is_null()) {
                f.push(format!("\"{k}\":{}", go_json(v)));
            }
        }
        parts.push(format!("\"rollingUpdate\":{{{}}}", f.join(",")));
    }
    format!("{{{}}}", parts.join(","))
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
            let path = "spec.strategy.rollingUpdate";
            let ru = &strategy["rollingUpdate"];
            // Absent values are the defaults (25%), as defaulting leaves them.
            let unavailable = ru.get("maxUnavailable").unwrap_or(&Value::Null);
            let surge = ru.get("maxSurge").unwrap_or(&Value::Null);
            let mu = format!("{path}.maxUnavailable");
            positive_int_or_percent(unavailable, &mu, out);
            positive_int_or_percent(surge, &format!("{path}.maxSurge"), out);
            if int_or_percent(unavailable) == Some(0) && int_or_percent(surge) == Some(0) {
                out.push(invalid(
                    &mu,
                    unavailable,
                    "may not be 0 when `maxSurge` is 0",
                ));
            }
            not_more_than_100_percent(unavailable, &mu, out);
        }
        _ => out.push(not_supported_raw(
            "spec.strategy",
            &strategy_json(strategy),
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
    if sel.is_null() || validate_label_selector(sel, "spec.selector", out) {
        selector_matches_template(spec, out);
    }
    if !sel.is_null() && selector_is_empty(sel) {
        out.push(invalid_selector(
            "spec.selector",
            sel,
            "empty selector is invalid for daemonset",
        ));
    }
    validate_always_running_template(&spec["template"], "DaemonSet", out);
    nonnegative(&spec["minReadySeconds"], "spec.minReadySeconds", out);
    let us = &spec["updateStrategy"];
    match us["type"].as_str().unwrap_or("RollingUpdate") {
        "OnDelete" => {}
        "RollingUpdate" => {
            let path = "spec.updateStrategy.rollingUpdate";
            let ru = &us["rollingUpdate"];
            // Absent values are the defaults (maxUnavailable 1, maxSurge 0).
            let unavailable = ru.get("maxUnavailable").cloned().unwrap_or(json!(1));
            let surge = ru.get("maxSurge").cloned().unwrap_or(json!(0));
            let (mu, ms) = (format!("{path}.maxUnavailable"), format!("{path}.maxSurge"));
            positive_int_or_percent(&unavailable, &mu, out);
            positive_int_or_percent(&surge, &ms, out);
            not_more_than_100_percent(&unavailable, &mu, out);
            not_more_than_100_percent(&surge, &ms, out);
            let has_unavailable = int_or_percent(&unavailable).unwrap_or(0) != 0;
            let has_surge = int_or_percent(&surge).unwrap_or(0) != 0;
            if has_unavailable && has_surge {
                out.push(invalid(
                    &ms,
                    &surge,
                    "may not be set when maxUnavailable is non-zero",
                ));
            } else if !has_unavailable && !has_surge {
                out.push(required(&mu, "cannot be 0 when maxSurge is 0"));
            }
        }
        _ => out.push(not_supported_raw(
            "spec.updateStrategy",
            &strategy_json(us),
            &["RollingUpdate", "OnDelete"],
        )),
    }
    nonnegative(
        &spec["revisionHistoryLimit"],
        "spec.revisionHistoryLimit",
        out,
    );
}

// ---------------------------------------------------------------------------------------------
// Jobs and CronJobs (pkg/apis/batch/validation).

/// `validateJobSpec`: counters, completion mode, the pod template and its restart policy
/// (which defaulting made `Always` when the manifest left it out).
fn validate_job_spec(spec: &Value, path: &str, out: &mut Vec<Cause>) {
    for f in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ] {
        nonnegative(&spec[f], &format!("{path}.{f}"), out);
    }
    if !spec["maxFailedIndexes"].is_null() && spec["backoffLimitPerIndex"].is_null() {
        out.push(required(
            &format!("{path}.backoffLimitPerIndex"),
            "when maxFailedIndexes is specified",
        ));
    }
    let mode = spec["completionMode"].as_str();
    match mode {
        None | Some("NonIndexed") => {
            for f in ["backoffLimitPerIndex", "maxFailedIndexes"] {
                if !spec[f].is_null() {
                    out.push(invalid(
                        &format!("{path}.{f}"),
                        &spec[f],
                        "requires indexed completion mode",
                    ));
                }
            }
        }
        Some("Indexed") => {
            if spec["completions"].is_null() {
                out.push(required(
                    &format!("{path}.completions"),
                    "when completion mode is Indexed",
                ));
            }
        }
        Some(_) => out.push(not_supported(
            &format!("{path}.completionMode"),
            &spec["completionMode"],
            &["NonIndexed", "Indexed"],
        )),
    }
    if let Some(p) = spec["podReplacementPolicy"].as_str() {
        if !matches!(p, "Failed" | "TerminatingOrFailed") {
            out.push(not_supported(
                &format!("{path}.podReplacementPolicy"),
                &spec["podReplacementPolicy"],
                &["Failed", "TerminatingOrFailed"],
            ));
        } else if !spec["podFailurePolicy"].is_null() && p != "Failed" {
            out.push(not_supported(
                &format!("{path}.podReplacementPolicy"),
                &spec["podReplacementPolicy"],
                &["Failed"],
            ));
        }
    }
    let t = &spec["template"];
    validate_pod_template(t, &format!("{path}.template"), out);
    let rp_path = format!("{path}.template.spec.restartPolicy");
    match t["spec"]["restartPolicy"].as_str().unwrap_or_default() {
        "" | "Always" => out.push(required(&rp_path, r#"valid values: "OnFailure", "Never""#)),
        "OnFailure" if !spec["podFailurePolicy"].is_null() => out.push(invalid(
            &rp_path,
            &json!("OnFailure"),
            r#"only "Never" is supported when podFailurePolicy is specified"#,
        )),
        "OnFailure" | "Never" => {}
        other => out.push(not_supported(
            &rp_path,
            &json!(other),
            &["OnFailure", "Never"],
        )),
    }
}

/// `ValidateJob`: the generated selector, the spec, and a selector that selects the template.
fn validate_job(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    let sel = &spec["selector"];
    // `validateGeneratedSelector`: unless manual, the selector must select what the generated
    // labels mark (a user's extra matchLabels make it select nothing of this Job's).
    if spec["manualSelector"] != json!(true) && sel.is_object() {
        let (name, uid) = (&obj["metadata"]["name"], &obj["metadata"]["uid"]);
        let expected = json!({"batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name});
        if !selector_matches(sel, &expected) {
            out.push(invalid_selector(
                "spec.selector",
                sel,
                "`selector` not auto-generated",
            ));
        }
    }
    validate_job_spec(spec, "spec", out);
    if sel.is_null() {
        out.push(required("spec.selector", ""));
        return;
    }
    if validate_label_selector(sel, "spec.selector", out) {
        selector_matches_template(spec, out);
    }
}

/// Whether the host's tz database (where Go's `time.LoadLocation` looks first) has the zone;
/// without a database every well-formed name passes.
fn known_time_zone(tz: &str) -> bool {
    let db = std::path::Path::new("/usr/share/zoneinfo");
    tz == "UTC" || !db.is_dir() || db.join(tz).is_file()
}

/// `validateCronJobSpec`: schedule, time zone, policies, limits and the job template.
fn validate_cronjob(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    match spec["schedule"].as_str().unwrap_or_default() {
        "" => out.push(required("spec.schedule", "")),
        sched => {
            if sched.contains("TZ=") || sched.contains("CRON_TZ=") {
                out.push(invalid(
                    "spec.schedule",
                    &spec["schedule"],
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                ));
            } else if let Err(e) = super::controllers::cronjob::Schedule::parse(sched) {
                out.push(invalid("spec.schedule", &spec["schedule"], &e));
            }
        }
    }
    if let Some(tz) = spec["timeZone"].as_str() {
        // No tz database here: names must at least look like IANA ones (`Area/City`).
        let well_formed = tz
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
        if tz.eq_ignore_ascii_case("local") {
            out.push(invalid(
                "spec.timeZone",
                &spec["timeZone"],
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            ));
        } else if tz.is_empty()
            || !well_formed
            || tz.starts_with('/')
            || tz.ends_with('/')
            || !known_time_zone(tz)
        {
            out.push(invalid(
                "spec.timeZone",
                &spec["timeZone"],
                &format!("unknown time zone {tz}"),
            ));
        }
    }
    nonnegative(
        &spec["startingDeadlineSeconds"],
        "spec.startingDeadlineSeconds",
        out,
    );
    if let Some(p) = spec["concurrencyPolicy"].as_str() {
        if !matches!(p, "Allow" | "Forbid" | "Replace") {
            out.push(not_supported(
                "spec.concurrencyPolicy",
                &spec["concurrencyPolicy"],
                &["Allow", "Forbid", "Replace"],
            ));
        }
    }
    for f in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        nonnegative(&spec[f], &format!("spec.{f}"), out);
    }
    let jt = &spec["jobTemplate"];
    validate_labels(
        &jt["metadata"]["labels"],
        "spec.jobTemplate.metadata.labels",
        out,
    );
    validate_annotations(
        &jt["metadata"]["annotations"],
        "spec.jobTemplate.metadata.annotations",
        out,
    );
    validate_job_spec(&jt["spec"], "spec.jobTemplate.spec", out);
}

fn validate_service(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    let ty = spec["type"].as_str().unwrap_or("ClusterIP");
    let ports = spec["ports"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let headless = spec["clusterIP"].as_str() == Some("None");
    if ports.is_empty() && ty != "ExternalName" && !headless {
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
        // An absent port decodes as 0, which is out of range too.
        port_num(
            &json!(p["port"].as_i64().unwrap_or(0)),
            &format!("{idx}.port"),
            out,
        );
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        let protocols = ["SCTP", "TCP", "UDP"];
        if !protocols.contains(&proto) {
            out.push(not_supported(
                &format!("{idx}.protocol"),
                &json!(proto),
                &protocols,
            ));
        }
        // Defaulted to the port, so an invalid port is reported here too.
        validate_port_num_or_name(&p["targetPort"], &format!("{idx}.targetPort"), out);
    }
    validate_labels(&spec["selector"], "spec.selector", out);
    let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if !types.contains(&ty) {
        out.push(not_supported("spec.type", &json!(ty), &types));
    }
}

fn name_rule(gr: &GroupResource) -> NameRule {
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "namespaces") => NameRule::Label,
        // v1.36 relaxes Service names to DNS labels (RelaxedServiceNameValidation, on).
        ("", "services") => NameRule::Label,
        _ => NameRule::Subdomain,
    }
}

/// Checks that the server repeats on update for every kind (`ValidateObjectMetaUpdate`):
/// immutable identity fields, then labels, annotations and finalizers again.
fn validate_meta_update(new: &Value, old: &Value, out: &mut Vec<Cause>) {
    validate_object_meta_update(new, old, out);
    validate_labels(&new["labels"], "metadata.labels", out);
    validate_annotations(&new["annotations"], "metadata.annotations", out);
}

fn validate_data_keys(obj: &Value, fields: &[&str], out: &mut Vec<Cause>) {
    for f in fields {
        for k in obj[*f].as_object().into_iter().flat_map(|m| m.keys()) {
            for m in config_map_key(k) {
                out.push(invalid(&format!("{f}[{k}]"), &json!(k), &m));
            }
        }
    }
}

fn validate_config_map(obj: &Value, out: &mut Vec<Cause>) {
    validate_data_keys(obj, &["data", "binaryData"], out);
    let bin = obj["binaryData"].as_object();
    for k in obj["data"].as_object().into_iter().flat_map(|m| m.keys()) {
        if bin.is_some_and(|b| b.contains_key(k)) {
            out.push(invalid(
                &format!("data[{k}]"),
                &json!(k),
                "duplicate of key present in binaryData",
            ));
        }
    }
}

fn validate_secret(obj: &Value, out: &mut Vec<Cause>) {
    validate_data_keys(obj, &["data", "stringData"], out);
    let has = |k: &str| obj["data"].get(k).is_some() || obj["stringData"].get(k).is_some();
    let need: &[&str] = match str_of(&obj["type"]) {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        _ => &[],
    };
    for k in need.iter().filter(|k| !has(k)) {
        out.push(required(&format!("data[{k}]"), ""));
    }
}

/// ConfigMap and Secret contents cannot change once `immutable` was set.
fn validate_immutable_data(new: &Value, old: &Value, fields: &[&str], out: &mut Vec<Cause>) {
    if old["immutable"] != json!(true) {
        return;
    }
    const MSG: &str = "field is immutable when `immutable` is set";
    if new["immutable"] != json!(true) {
        out.push(forbidden("immutable", MSG));
    }
    for f in fields {
        if new[*f] != old[*f] {
            out.push(forbidden(f, MSG));
        }
    }
}

fn immutable_selector(new: &Value, old: &Value, out: &mut Vec<Cause>) {
    let (n, o) = (&new["spec"]["selector"], &old["spec"]["selector"]);
    if n != o {
        out.push(invalid_selector("spec.selector", n, "field is immutable"));
    }
}

/// `ValidateJobSpecUpdate`: what a Job keeps for life. The pod template is compared whole
/// (the real server lets a suspended, never-started Job change its scheduling directives;
/// here no change is allowed) and rendered as JSON, not as Go's internal struct.
fn immutable_job_fields(new: &Value, old: &Value, out: &mut Vec<Cause>) {
    let (n, o) = (&new["spec"], &old["spec"]);
    let elastic = n["completionMode"] == "Indexed" && o["completionMode"] == "Indexed";
    if n["completions"] != o["completions"] && !elastic {
        out.push(invalid(
            "spec.completions",
            &n["completions"],
            "field is immutable",
        ));
    }
    if n["selector"] != o["selector"] {
        out.push(invalid_selector(
            "spec.selector",
            &n["selector"],
            "field is immutable",
        ));
    }
    if n["template"] != o["template"] {
        out.push(invalid(
            "spec.template",
            &n["template"],
            "field is immutable",
        ));
    }
    for f in [
        "completionMode",
        "podFailurePolicy",
        "backoffLimitPerIndex",
        "managedBy",
        "successPolicy",
    ] {
        if n[f] != o[f] {
            out.push(invalid(&format!("spec.{f}"), &n[f], "field is immutable"));
        }
    }
}

/// Validates an object of `gr` on create (`old` None) or update, after defaulting, as the
/// kind's registry strategy does. Returns the causes in the server's order (on update of
/// DaemonSets and ReplicaSets the server validates the spec twice, so its causes repeat;
/// [`invalid_status`] prints each message once). Empty when valid.
pub fn validate(gr: &GroupResource, obj: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut out = vec![];
    let namespaced = schema::served_resource(gr).is_none_or(|s| s.namespaced);
    let meta = &obj["metadata"];
    let create_meta =
        |out: &mut Vec<Cause>| validate_object_meta(meta, namespaced, name_rule(gr), out);
    let kind_checks = |out: &mut Vec<Cause>| match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => validate_pod_spec(&obj["spec"], "spec", out),
        ("", "services") => validate_service(obj, out),
        ("", "configmaps") => validate_config_map(obj, out),
        ("", "secrets") => validate_secret(obj, out),
        ("apps", "daemonsets") => validate_daemonset(obj, out),
        ("apps", "deployments") => validate_deployment(obj, out),
        ("apps", "replicasets") => validate_replicaset(obj, out),
        ("batch", "jobs") => validate_job(obj, out),
        ("batch", "cronjobs") => validate_cronjob(obj, out),
        ("autoscaling", "horizontalpodautoscalers") => crate::autoscaling::validate(obj, out),
        ("policy", "poddisruptionbudgets") => crate::policy::validate_pdb(obj, out),
        ("", "resourcequotas") => crate::quota::validate(obj, out),
        ("scheduling.k8s.io", "priorityclasses") => {
            crate::policy::validate_priority_class(obj, out)
        }
        ("networking.k8s.io", "ingresses") => crate::validation_ingress::validate_ingress(obj, out),
        _ => {}
    };
    let Some(old) = old else {
        create_meta(&mut out);
        kind_checks(&mut out);
        let ephemeral = obj["spec"]["ephemeralContainers"].as_array();
        if gr.group.is_empty() && gr.resource == "pods" && ephemeral.is_some_and(|l| !l.is_empty())
        {
            out.push(forbidden(
                "spec.ephemeralContainers",
                "cannot be set on create",
            ));
        }
        return out;
    };
    let old_meta = &old["metadata"];
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("apps", "daemonsets") | ("apps", "replicasets") => {
            create_meta(&mut out);
            kind_checks(&mut out);
            validate_meta_update(meta, old_meta, &mut out);
            kind_checks(&mut out);
            immutable_selector(obj, old, &mut out);
        }
        ("apps", "deployments") => {
            validate_meta_update(meta, old_meta, &mut out);
            kind_checks(&mut out);
            immutable_selector(obj, old, &mut out);
        }
        ("batch", "jobs") => {
            validate_meta_update(meta, old_meta, &mut out);
            kind_checks(&mut out);
            immutable_job_fields(obj, old, &mut out);
        }
        ("", "configmaps") => {
            validate_meta_update(meta, old_meta, &mut out);
            validate_immutable_data(obj, old, &["data", "binaryData"], &mut out);
            create_meta(&mut out);
            kind_checks(&mut out);
        }
        ("", "secrets") => {
            validate_meta_update(meta, old_meta, &mut out);
            if obj["type"] != old["type"] && !obj["type"].is_null() {
                out.push(invalid("type", &obj["type"], "field is immutable"));
            }
            validate_immutable_data(obj, old, &["data"], &mut out);
            create_meta(&mut out);
            kind_checks(&mut out);
        }
        ("scheduling.k8s.io", "priorityclasses") => {
            validate_meta_update(meta, old_meta, &mut out);
            kind_checks(&mut out);
            crate::policy::validate_priority_class_update(obj, old, &mut out);
        }
        _ => {
            validate_meta_update(meta, old_meta, &mut out);
            kind_checks(&mut out);
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
    if let Some(root) = Node::root(gr) {
        walk_unknown(root, obj, "", &mut out);
    }
    out
}

/// Removes from `obj` the fields [`unknown_fields`] reports.
pub fn prune_unknown_fields(gr: &GroupResource, obj: &mut Value) {
    if let Some(root) = Node::root(gr) {
        prune_unknown(root, obj);
    }
}

fn prune_unknown(node: Node, v: &mut Value) {
    match (node, v) {
        (Node::Object(_) | Node::Map(_), Value::Object(map)) => {
            map.retain(|k, _| node.child(k).is_some());
            for (k, child) in map.iter_mut() {
                if let Some(n) = node.child(k) {
                    prune_unknown(n, child);
                }
            }
        }
        (Node::Array(_), Value::Array(items)) => {
            let item = node.item().unwrap_or(Node::Leaf);
            items.iter_mut().for_each(|x| prune_unknown(item, x));
        }
        _ => {}
    }
}

/// Unknown fields of `obj` against a schema by name (for kinds reached other ways, e.g. Scale).
pub fn unknown_fields_of(schema_name: &str, obj: &Value) -> Vec<String> {
    let mut out = vec![];
    if let Some(s) = schema::get(schema_name).filter(|s| s.raw.is_none()) {
        walk_unknown(Node::Object(s), obj, "", &mut out);
    }
    out
}

fn walk_unknown(node: Node, v: &Value, path: &str, out: &mut Vec<String>) {
    match (node, v) {
        (Node::Object(_) | Node::Map(_), Value::Object(map)) => {
            for (k, child) in map {
                let p = format!("{path}.{k}");
                match node.child(k) {
                    Some(n) => walk_unknown(n, child, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Node::Array(_), Value::Array(items)) => {
            let item = node.item().unwrap_or(Node::Leaf);
            for (i, x) in items.iter().enumerate() {
                walk_unknown(item, x, &format!("{path}[{i}]"), out);
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

/// The 422 Status of a patch whose result fails strict decoding (the server echoes the patch:
/// for Secrets, pass a text with the data values masked, as this project never puts secrets
/// in error messages). The server names the field
/// `patch` and shows as the value the patch map in Go's `%+v` form (strategic merge patch, see
/// [`kcore::gofmt::go_value`]) or the patched object's JSON (merge and JSON patch); no kind and no name.
pub fn patch_strict_invalid_status(value_text: &str, errors: &[String]) -> Value {
    let c = invalid(
        "patch",
        &json!(value_text),
        &strict_decoding_message(errors),
    );
    invalid_status("", "", "", &[c])
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testfixtures::fixture_text as fixture;

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

    /// Jobs and CronJobs as the API server sees them: defaulted and prepared for create.
    fn admitted(resource: &str, mut obj: Value) -> Vec<String> {
        let gr = GroupResource::new("batch", resource);
        crate::defaults::apply_defaults(&gr, &mut obj);
        crate::defaults::prepare_for_create(&gr, &mut obj);
        messages(&validate(&gr, &obj, None))
    }

    #[test]
    fn jobs_and_cronjobs() {
        let job =
            |spec: Value| json!({"metadata": {"name": "j", "namespace": "default"}, "spec": spec});
        let tmpl = |rp: Value| json!({"spec": {"restartPolicy": rp, "containers": [{"name": "c", "image": "busybox"}]}});
        assert_eq!(
            admitted("jobs", job(json!({"template": tmpl(json!("Never"))}))),
            Vec::<String>::new()
        );
        let own_selector = job(json!({"selector": {"matchLabels": {"app": "x"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": tmpl(json!("Never"))["spec"]}}));
        let m = admitted("jobs", own_selector);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("spec.selector: Invalid value: ")
                && m[0].ends_with(": `selector` not auto-generated"),
            "{m:?}"
        );
        assert_eq!(
            admitted("jobs", job(json!({"template": tmpl(Value::Null)}))),
            [
                r#"spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#
            ]
        );
        assert_eq!(
            admitted(
                "jobs",
                job(
                    json!({"template": tmpl(json!("OnFailure")), "completions": -1,
                "completionMode": "Indexed", "podFailurePolicy": {"rules": []}})
                )
            ),
            [
                "spec.completions: Invalid value: -1: must be greater than or equal to 0",
                r#"spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified"#,
            ]
        );
        let manual = job(
            json!({"manualSelector": true, "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "c"}}, "spec": tmpl(json!("Never"))["spec"]}}),
        );
        assert_eq!(
            admitted("jobs", manual),
            [
                r#"spec.template.metadata.labels: Invalid value: {"a":"c"}: `selector` does not match template `labels`"#
            ]
        );
        let jr = GroupResource::new("batch", "jobs");
        let mut old = job(json!({"completions": 2, "template": tmpl(json!("Never"))}));
        crate::defaults::apply_defaults(&jr, &mut old);
        crate::defaults::prepare_for_create(&jr, &mut old);
        let mut same = old.clone();
        same["metadata"]["labels"]["extra"] = json!("ok");
        assert_eq!(
            messages(&validate(&jr, &same, Some(&old))),
            Vec::<String>::new()
        );
        let mut changed = old.clone();
        changed["spec"]["completions"] = json!(3);
        changed["spec"]["parallelism"] = json!(2);
        assert_eq!(
            messages(&validate(&jr, &changed, Some(&old))),
            ["spec.completions: Invalid value: 3: field is immutable"]
        );
        changed["spec"]["template"]["spec"]["containers"][0]["image"] = json!("busybox:2");
        let m = messages(&validate(&jr, &changed, Some(&old)));
        assert_eq!(m.len(), 2);
        assert!(
            m[1].starts_with("spec.template: Invalid value: {")
                && m[1].ends_with("}: field is immutable"),
            "{m:?}"
        );
        let cj = |schedule: &str, rp: &str| {
            json!({"metadata": {"name": "c", "namespace": "default"},
            "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": tmpl(json!(rp))}}}})
        };
        assert_eq!(
            admitted("cronjobs", cj("*/5 * * * *", "OnFailure")),
            Vec::<String>::new()
        );
        assert_eq!(
            admitted("cronjobs", cj("", "Always")),
            [
                "spec.schedule: Required value",
                r#"spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#,
            ]
        );
        assert_eq!(
            admitted("cronjobs", cj("bad", "Never")),
            [r#"spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: bad"#]
        );
        let mut known = cj("@daily", "Never");
        known["spec"]["timeZone"] = json!("Etc/UTC");
        assert_eq!(admitted("cronjobs", known), Vec::<String>::new());
        if std::path::Path::new("/usr/share/zoneinfo/Europe/Paris").is_file() {
            let mut unknown = cj("@daily", "Never");
            unknown["spec"]["timeZone"] = json!("Mars/Olympus_Mons");
            assert_eq!(
                admitted("cronjobs", unknown),
                [
                    r#"spec.timeZone: Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons"#
                ]
            );
        }
        let mut tz = cj("@daily", "Never");
        tz["spec"]["timeZone"] = json!("TZ=UTC");
        tz["spec"]["concurrencyPolicy"] = json!("Sometimes");
        assert_eq!(
            admitted("cronjobs", tz),
            [
                r#"spec.timeZone: Invalid value: "TZ=UTC": unknown time zone TZ=UTC"#,
                r#"spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace""#,
            ]
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

    /// Objects as the real server stores and returns them (every defaulted and status field)
    /// have no unknown field: the schemas cover what the server writes.
    #[test]
    fn real_server_objects_have_no_unknown_fields() {
        let cases = [
            ("daemonset.json", "apps", "daemonsets", false),
            ("daemonsets-list.json", "apps", "daemonsets", true),
            ("pods-list.json", "", "pods", true),
            ("nodes-list.json", "", "nodes", true),
            (
                "controllerrevisions.json",
                "apps",
                "controllerrevisions",
                true,
            ),
            ("events-for-daemonset.json", "", "events", true),
        ];
        let mut objects = 0;
        for (file, group, resource, list) in cases {
            let doc: Value = serde_json::from_str(&fixture(file)).unwrap();
            let gr = GroupResource::new(group, resource);
            let items = if list {
                doc["items"].as_array().unwrap().clone()
            } else {
                vec![doc.clone()]
            };
            for item in items {
                assert_eq!(unknown_fields(&gr, &item), Vec::<String>::new(), "{file}");
                objects += 1;
            }
            // The list kinds are declared too.
            let list_schema = format!("{}List", schema::schema_for(&gr).unwrap().name);
            if list {
                assert_eq!(
                    unknown_fields_of(&list_schema, &doc),
                    Vec::<String>::new(),
                    "{file}"
                );
            }
        }
        assert!(objects >= 8, "{objects}");
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
            &json!({"metadata": {"name": "Web"}, "spec": {"ports": [{"port": 80, "targetPort": 80}]}}),
            None,
        );
        assert_eq!(
            messages(&svc),
            ["metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        );
        let svc = validate(
            &GroupResource::new("", "services"),
            &json!({"metadata": {"name": "1web"}, "spec": {"ports": [{"name": "a", "port": 700000, "targetPort": 700000},
                                                                {"name": "b", "port": 80, "targetPort": "Bad_Port"}]}}),
            None,
        );
        assert_eq!(
            messages(&svc),
            [
                "spec.ports[0].port: Invalid value: 700000: must be between 1 and 65535, inclusive",
                "spec.ports[0].targetPort: Invalid value: 700000: must be between 1 and 65535, inclusive",
                "spec.ports[1].targetPort: Invalid value: \"Bad_Port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            ]
        );
        let bad_labels = json!({"metadata": {"name": "x", "labels": {"a b": "c", "ok": "-bad"}}});
        assert_eq!(
            messages(&validate(&gr, &bad_labels, None)),
            [
                "metadata.labels: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ]
        );
        assert_eq!(mask_trailing_dash("web-"), "wea");
        assert_eq!(mask_trailing_dash("a-"), "a");
        assert_eq!(mask_trailing_dash("é-"), "é-");
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
    fn quantities_print_canonically() {
        let q = |s: &str| quantity_string(parse_quantity(&json!(s)).unwrap());
        for (input, want) in [
            ("2", "2"),
            ("2000m", "2"),
            ("0.5", "500m"),
            ("1500", "1500"),
            ("1000", "1k"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("512", "512"),
            ("0.5Gi", "512Mi"),
            ("100Ki", "100Ki"),
            ("1e3", "1e3"),
            ("1.5e3", "1500"),
            ("-1", "-1"),
            ("0", "0"),
            ("0.1m", "100u"),
        ] {
            assert_eq!(q(input), want, "{input}");
        }
        assert_eq!(quantity_string(parse_quantity(&json!(64)).unwrap()), "64");
        for bad in ["", "abc", "1Qi", "1..2", "-", "1e99"] {
            assert!(parse_quantity(&json!(bad)).is_none(), "{bad}");
        }
    }

    #[test]
    fn resource_requirements() {
        let pods = GroupResource::new("", "pods");
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i",
        "resources": {
            "limits": {"cpu": "1", "memory": "1Gi", "example.com/gpu": "1", "cpuu": "1"},
            "requests": {"cpu": "2000m", "memory": "-1", "example.com/gpu": "2", "hugepages-2Mi": "2Mi"},
        }}]}});
        assert_eq!(
            messages(&validate(&pods, &pod, None)),
            [
                "spec.containers[0].resources.limits[cpuu]: Invalid value: \"cpuu\": must be a standard resource for containers",
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be equal to example.com/gpu limit of 1",
                "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources",
                "spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be greater than or equal to 0",
            ]
        );
    }

    #[test]
    fn probes_and_tolerations() {
        let pods = GroupResource::new("", "pods");
        let pod = json!({"metadata": {"name": "p"}, "spec": {
            "containers": [{"name": "c", "image": "i",
                "livenessProbe": {"periodSeconds": -1, "successThreshold": 2},
                "readinessProbe": {"exec": {"command": ["x"]}, "httpGet": {"port": "Bad_Port"}},
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}],
            "tolerations": [{"operator": "Equal", "value": "v", "effect": "NoSchedule", "tolerationSeconds": 5}],
        }});
        assert_eq!(
            messages(&validate(&pods, &pod, None)),
            [
                "spec.containers[0].livenessProbe: Required value: must specify a handler type",
                "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
                "spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type",
                "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
                "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
            ]
        );
    }

    #[test]
    fn services() {
        let svc = GroupResource::new("", "services");
        let obj = json!({"metadata": {"name": "web"}, "spec": {"type": "Bogus", "ports": [
            {"name": "http", "port": 0}, {"name": "http", "port": 80, "protocol": "HTTP"}, {"port": 81},
        ]}});
        assert_eq!(
            messages(&validate(&svc, &obj, None)),
            [
                "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[1].name: Duplicate value: \"http\"",
                "spec.ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                "spec.ports[2].name: Required value",
                "spec.type: Unsupported value: \"Bogus\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
            ]
        );
        let headless = json!({"metadata": {"name": "h"}, "spec": {"clusterIP": "None"}});
        assert!(validate(&svc, &headless, None).is_empty());
        let none = json!({"metadata": {"name": "h"}, "spec": {}});
        assert_eq!(
            messages(&validate(&svc, &none, None)),
            ["spec.ports: Required value"]
        );
    }

    #[test]
    fn update_strategies() {
        let mut d = daemonset(
            "d",
            json!({"matchLabels": {"a": "b"}}),
            json!({"a": "b"}),
            good_containers(),
        );
        d["spec"]["updateStrategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "150%"}});
        assert_eq!(
            messages(&validate(&ds(), &d, None)),
            ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: \"150%\": must not be greater than 100%"]
        );
        d["spec"]["updateStrategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}});
        assert_eq!(
            messages(&validate(&ds(), &d, None)),
            ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]
        );
        d["spec"]["updateStrategy"] = json!({"type": "Sometimes"});
        assert_eq!(
            messages(&validate(&ds(), &d, None)),
            ["spec.updateStrategy: Unsupported value: {\"type\":\"Sometimes\"}: supported values: \"RollingUpdate\", \"OnDelete\""]
        );
        let dep = GroupResource::new("apps", "deployments");
        let mut d = daemonset(
            "d",
            json!({"matchLabels": {"a": "b"}}),
            json!({"a": "b"}),
            good_containers(),
        );
        d["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "x%", "maxSurge": 0}});
        assert_eq!(
            messages(&validate(&dep, &d, None)),
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"x%\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]
        );
        d["spec"]["strategy"] = json!({"type": "Recreate", "rollingUpdate": {}});
        d["spec"]["template"]["spec"]["activeDeadlineSeconds"] = json!(5);
        assert_eq!(
            messages(&validate(&dep, &d, None)),
            [
                "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
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
        // The server validates a DaemonSet's spec twice on update: causes repeat, the message
        // does not.
        let mut bad = old.clone();
        bad["spec"]["template"]["spec"]["containers"] = json!([]);
        let c = validate(&ds(), &bad, Some(&old));
        assert_eq!(
            messages(&c),
            ["spec.template.spec.containers: Required value"; 2]
        );
        let s = invalid_status("DaemonSet", "apps", "d", &c);
        assert_eq!(
            s["message"],
            "DaemonSet.apps \"d\" is invalid: spec.template.spec.containers: Required value"
        );
        let dep = GroupResource::new("apps", "deployments");
        assert_eq!(validate(&dep, &bad, Some(&old)).len(), 1);
    }

    #[test]
    fn config_maps_and_secrets() {
        let cm = GroupResource::new("", "configmaps");
        let obj = json!({"metadata": {"name": "c"}, "data": {"ok.key": "", "bad key": "", "..x": ""}, "binaryData": {"ok.key": ""}});
        assert_eq!(
            messages(&validate(&cm, &obj, None)),
            [
                "data[..x]: Invalid value: \"..x\": must not start with '..'",
                "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[ok.key]: Invalid value: \"ok.key\": duplicate of key present in binaryData",
            ]
        );
        let old = json!({"metadata": {"name": "c"}, "immutable": true, "data": {"a": "1"}});
        let new = json!({"metadata": {"name": "c"}, "data": {"a": "2"}});
        assert_eq!(
            messages(&validate(&cm, &new, Some(&old))),
            [
                "immutable: Forbidden: field is immutable when `immutable` is set",
                "data: Forbidden: field is immutable when `immutable` is set",
            ]
        );
        let sec = GroupResource::new("", "secrets");
        let tls = json!({"metadata": {"name": "t"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "eA=="}});
        assert_eq!(
            messages(&validate(&sec, &tls, None)),
            ["data[tls.key]: Required value"]
        );
        let mut changed = tls.clone();
        changed["type"] = json!("Opaque");
        assert_eq!(
            messages(&validate(&sec, &changed, Some(&tls))),
            ["type: Invalid value: \"Opaque\": field is immutable"]
        );
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
        let text = kcore::gofmt::go_value(&patch);
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

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let names = vec![
            "metadata",
            "spec",
            "name",
            "labels",
            "template",
            "containers",
            "selector",
            "matchLabels",
            "matchExpressions",
            "ports",
            "volumes",
            "hostPath",
            "strategy",
            "rollingUpdate",
            "maxSurge",
            "data",
            "type",
            "image",
            "é-",
            "x",
            "resources",
            "limits",
            "requests",
            "cpu",
            "livenessProbe",
            "httpGet",
            "port",
            "tolerations",
            "generateName",
        ];
        let strings = "[a-zA-Z0-9 ._%/é+-]{0,12}".prop_map(Value::String);
        crate::testfixtures::json_tree(names, strings, 5)
    }

    proptest::proptest! {
        /// A quantity's canonical text reads back as the same amount.
        #[test]
        fn canonical_quantities_round_trip(s in "[+-]?[0-9]{0,6}(\\.[0-9]{0,4})?(Ki|Mi|Gi|m|k|M|u|n|e[0-9]|E-[0-9])?") {
            if let Some(q) = parse_quantity(&json!(s)) {
                let text = quantity_string(q);
                let back = parse_quantity(&json!(text)).unwrap();
                proptest::prop_assert_eq!(back.nanos, q.nanos, "{} -> {}", s, text);
            }
        }

        /// Whatever the input, validation answers with causes, never a panic.
        #[test]
        fn never_panics(obj in any_json(), old in any_json()) {
            for s in schema::SERVED {
                let gr = GroupResource::new(s.group, s.resource);
                let _ = validate(&gr, &obj, None);
                let _ = validate(&gr, &obj, Some(&old));
                let _ = unknown_fields(&gr, &obj);
            }
            let _ = duplicate_fields(obj.to_string().as_bytes());
            let _ = kcore::gofmt::go_value(&obj);
        }
    }
}
