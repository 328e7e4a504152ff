//! certificates.k8s.io/v1 CertificateSigningRequests as kube-apiserver v1.36 serves them: the
//! registry strategies (who asked is stamped into `spec` on create; the main resource, `/status`
//! and `/approval` each change only their own part) and the validation of
//! `pkg/apis/certificates/validation` (a PEM `CERTIFICATE REQUEST` with a valid signature,
//! usages from the known set, a `domain/name` signer, mutually exclusive Approved and Denied
//! conditions, no removed conditions, `status.certificate` only through `/status`).

use base64::Engine;
use serde_json::{json, Value};
use x509_parser::prelude::FromDer;

use super::reviews::Subject;
use super::validation::{duplicate, forbidden, invalid, not_supported, required, too_long, Cause};

/// Whether the storage group/resource is the CSR's.
pub fn is_csr(group: &str, resource: &str) -> bool {
    group == "certificates.k8s.io" && resource == "certificatesigningrequests"
}

/// The create strategy: the requester's identity replaces whatever the client sent, and a new
/// request can't arrive approved.
pub fn prepare_create(obj: &mut Value, subject: &Subject) {
    let mut groups = subject.groups.clone();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
        for f in ["username", "uid", "groups", "extra"] {
            spec.remove(f);
        }
        spec.insert("username".into(), json!(subject.user));
        if !subject.uid.is_empty() {
            spec.insert("uid".into(), json!(subject.uid));
        }
        spec.insert("groups".into(), json!(groups));
        let extra = subject.all_extra();
        if !extra.is_empty() {
            spec.insert("extra".into(), json!(extra));
        }
    } else {
        obj["spec"] = json!({"username": subject.user, "groups": groups});
    }
    obj["status"] = json!({});
}

/// What an update through `sub` (None = the main resource) keeps from the stored object: the
/// main resource changes only metadata, `/status` everything in status but the conditions,
/// `/approval` only the conditions.
pub fn merge_for_update(sub: Option<&str>, old: &Value, mut new: Value) -> Value {
    new["spec"] = old["spec"].clone();
    match sub {
        Some("status") => {
            let conditions = old["status"].get("conditions").cloned();
            set_or_remove(&mut new["status"], "conditions", conditions);
            if !new["status"].is_object() {
                new["status"] = json!({});
            }
        }
        Some("approval") => {
            let conditions = new["status"].get("conditions").cloned();
            let mut status = old["status"].clone();
            if !status.is_object() {
                status = json!({});
            }
            set_or_remove(&mut status, "conditions", conditions);
            new["status"] = status;
        }
        _ => new["status"] = old["status"].clone(),
    }
    if new["status"].is_null() {
        if let Some(m) = new.as_object_mut() {
            m.remove("status");
        }
    }
    new
}

fn set_or_remove(obj: &mut Value, key: &str, v: Option<Value>) {
    match (v, obj.as_object_mut()) {
        (Some(v), Some(m)) if !v.is_null() => {
            m.insert(key.into(), v);
        }
        (_, Some(m)) => {
            m.remove(key);
        }
        _ => {}
    }
}

/// The `/status` and `/approval` strategies stamp each condition: `lastUpdateTime` now when
/// unset, `lastTransitionTime` kept from the old condition of the same type and status.
pub fn populate_condition_timestamps(new: &mut Value, old: &Value, now: &str) {
    let old_conditions = old["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(conds) = new["status"]
        .get_mut("conditions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for c in conds.iter_mut().filter_map(Value::as_object_mut) {
        if is_zero(c.get("lastUpdateTime")) {
            c.insert("lastUpdateTime".into(), json!(now));
        }
        if is_zero(c.get("lastTransitionTime")) {
            let previous = old_conditions.iter().find(|o| {
                o["type"] == *c.get("type").unwrap_or(&Value::Null)
                    && o["status"] == *c.get("status").unwrap_or(&Value::Null)
                    && !is_zero(o.get("lastTransitionTime"))
            });
            let at = previous.map_or_else(|| json!(now), |o| o["lastTransitionTime"].clone());
            c.insert("lastTransitionTime".into(), at);
        }
    }
}

fn is_zero(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_none_or(str::is_empty)
}

const VALID_USAGES: &[&str] = &[
    "any",
    "cert sign",
    "client auth",
    "code signing",
    "content commitment",
    "crl sign",
    "data encipherment",
    "decipher only",
    "digital signature",
    "email protection",
    "encipher only",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "key agreement",
    "key encipherment",
    "microsoft sgc",
    "netscape sgc",
    "ocsp signing",
    "s/mime",
    "server auth",
    "signing",
    "timestamping",
];

const LEGACY_UNKNOWN_SIGNER: &str = "kubernetes.io/legacy-unknown";

/// The validation of a create (`old` None) or of an update through `sub`.
pub fn validate(obj: &Value, old: Option<&Value>, sub: Option<&str>) -> Vec<Cause> {
    let mut out = Vec::new();
    let spec = &obj["spec"];
    let request = spec["request"].as_str().unwrap_or_default();
    if let Err(e) = check_request(request) {
        out.push(invalid("spec.request", &json!(request), &e));
    }
    let usages = spec["usages"].as_array().cloned().unwrap_or_default();
    if usages.is_empty() {
        out.push(required("spec.usages", ""));
    }
    let tolerated = |f: fn(&Value) -> bool| old.is_some_and(f);
    if !tolerated(has_unknown_usage) {
        for (i, u) in usages.iter().enumerate() {
            if !VALID_USAGES.contains(&u.as_str().unwrap_or_default()) {
                out.push(not_supported(&format!("spec.usages[{i}]"), u, VALID_USAGES));
            }
        }
    }
    if !tolerated(has_duplicate_usage) {
        let mut seen = Vec::new();
        for (i, u) in usages.iter().enumerate() {
            if seen.contains(&u) {
                out.push(duplicate(&format!("spec.usages[{i}]"), u));
            }
            seen.push(u);
        }
    }
    let signer = spec["signerName"].as_str().unwrap_or_default();
    let legacy_ok = old.is_some_and(|o| o["spec"]["signerName"] == LEGACY_UNKNOWN_SIGNER);
    if signer == LEGACY_UNKNOWN_SIGNER && !legacy_ok {
        out.push(invalid(
            "spec.signerName",
            &json!(signer),
            "the legacy signerName is not allowed via this API version",
        ));
    } else {
        validate_signer_name(signer, &mut out);
    }
    if let Some(secs) = spec["expirationSeconds"].as_i64() {
        if secs < 600 {
            out.push(invalid(
                "spec.expirationSeconds",
                &json!(secs),
                "may not specify a duration less than 600 seconds (10 minutes)",
            ));
        }
    }
    validate_conditions(obj, old, &mut out);
    let cert = obj["status"]["certificate"].as_str().unwrap_or_default();
    let old_cert = old.map(|o| o["status"]["certificate"].as_str().unwrap_or_default());
    let arbitrary_ok =
        old_cert == Some(cert) || old_cert.is_some_and(|c| check_certificate(c).is_err());
    if !arbitrary_ok {
        if let Err(e) = check_certificate(cert) {
            out.push(invalid(
                "status.certificate",
                &json!("<certificate data>"),
                &e,
            ));
        }
    }
    let Some(old) = old else {
        return out;
    };
    for t in ["Approved", "Denied", "Failed"] {
        if count(obj, t) < count(old, t) {
            out.push(forbidden(
                "status.conditions",
                &format!("updates may not remove a condition of type \"{t}\""),
            ));
        }
    }
    if sub != Some("approval") {
        for t in ["Approved", "Denied"] {
            let (n, o) = (conditions_of(obj, t), conditions_of(old, t));
            if n.len() > o.len() {
                out.push(forbidden(
                    "status.conditions",
                    &format!("updates may not add a condition of type \"{t}\""),
                ));
            } else if n.len() == o.len() && n != o {
                out.push(forbidden(
                    "status.conditions",
                    &format!("updates may not modify a condition of type \"{t}\""),
                ));
            }
        }
    }
    if Some(cert) != old_cert {
        if sub != Some("status") {
            out.push(forbidden(
                "status.certificate",
                "updates may not set certificate content",
            ));
        } else if old_cert.is_some_and(|c| !c.is_empty()) {
            out.push(forbidden(
                "status.certificate",
                "updates may not modify existing certificate content",
            ));
        }
    }
    out
}

fn conditions_of(obj: &Value, t: &str) -> Vec<Value> {
    obj["status"]["conditions"]
        .as_array()
        .map(|cs| cs.iter().filter(|c| c["type"] == t).cloned().collect())
        .unwrap_or_default()
}

fn count(obj: &Value, t: &str) -> usize {
    conditions_of(obj, t).len()
}

fn has_unknown_usage(obj: &Value) -> bool {
    obj["spec"]["usages"].as_array().is_some_and(|us| {
        us.iter()
            .any(|u| !VALID_USAGES.contains(&u.as_str().unwrap_or_default()))
    })
}

fn has_duplicate_usage(obj: &Value) -> bool {
    let us = obj["spec"]["usages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    us.iter().enumerate().any(|(i, u)| us[..i].contains(u))
}

fn validate_conditions(obj: &Value, old: Option<&Value>, out: &mut Vec<Cause>) {
    let old_conds = old.map(|o| {
        o["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    });
    let old_has = |f: &dyn Fn(&[Value]) -> bool| old_conds.as_deref().is_some_and(f);
    let allow_empty = old_has(&|cs| {
        cs.iter()
            .any(|c| c["type"].as_str().is_none_or(str::is_empty))
    });
    let allow_dups = old_has(&|cs| {
        cs.iter()
            .enumerate()
            .any(|(i, c)| cs[..i].iter().any(|p| p["type"] == c["type"]))
    });
    let allow_both = old_has(&|cs| {
        cs.iter().any(|c| c["type"] == "Approved") && cs.iter().any(|c| c["type"] == "Denied")
    });
    let conds = obj["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (mut approved, mut denied) = (false, false);
    let mut seen: Vec<&Value> = Vec::new();
    for (i, c) in conds.iter().enumerate() {
        let at = format!("status.conditions[{i}]");
        let ty = c["type"].as_str().unwrap_or_default();
        if !allow_empty && ty.is_empty() {
            out.push(required(&format!("{at}.type"), ""));
        }
        let status = c["status"].as_str().unwrap_or_default();
        let allowed: &[&str] = if matches!(ty, "Approved" | "Denied" | "Failed") {
            &["True"]
        } else {
            &["False", "True", "Unknown"]
        };
        if status.is_empty() {
            out.push(required(&format!("{at}.status"), ""));
        } else if !allowed.contains(&status) {
            out.push(not_supported(
                &format!("{at}.status"),
                &c["status"],
                allowed,
            ));
        }
        if !allow_both {
            let clash = match ty {
                "Approved" => {
                    approved = true;
                    denied
                }
                "Denied" => {
                    denied = true;
                    approved
                }
                _ => false,
            };
            if clash {
                out.push(invalid(
                    &format!("{at}.type"),
                    &c["type"],
                    "Approved and Denied conditions are mutually exclusive",
                ));
            }
        }
        if !allow_dups {
            if seen.contains(&&c["type"]) {
                out.push(duplicate(&format!("{at}.type"), &c["type"]));
            }
            seen.push(&c["type"]);
        }
    }
}

/// apivalidation.ValidateSignerName: `domain/path`, the domain with at least two DNS labels.
fn validate_signer_name(signer: &str, out: &mut Vec<Cause>) {
    const FIELD: &str = "spec.signerName";
    if signer.is_empty() {
        out.push(required(FIELD, ""));
        return;
    }
    let segments: Vec<&str> = signer.split('/').collect();
    if segments.len() != 2 {
        out.push(invalid(
            FIELD,
            &json!(signer),
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ));
        return;
    }
    let domain = segments[0];
    if domain.len() > 253 {
        out.push(too_long(FIELD, 253));
    }
    // The errors of the first `sep`-separated part of `value` that has any.
    let first_bad = |value: &str, sep: char, what: &str, check: fn(&str) -> Vec<String>| {
        let Some((part, errs)) = value
            .split(sep)
            .map(|p| (p, check(p)))
            .find(|(_, errs)| !errs.is_empty())
        else {
            return Vec::new();
        };
        errs.iter()
            .map(|e| {
                let detail = format!("validating {what} {}: {e}", kcore::gofmt::go_quote(part));
                invalid(FIELD, &json!(value), &detail)
            })
            .collect()
    };
    out.extend(first_bad(
        domain,
        '.',
        "label",
        kcore::validation::dns1123_label,
    ));
    if !domain.contains('.') {
        out.push(invalid(
            FIELD,
            &json!(domain),
            "should be a domain with at least two segments separated by dots",
        ));
    }
    let path = segments[1];
    if path.len() > 253 + 63 {
        out.push(too_long(FIELD, 253 + 63));
    }
    out.extend(first_bad(
        path,
        '/',
        "component",
        kcore::validation::dns1123_subdomain,
    ));
}

/// The first PEM block of `data` (base64 of the stored bytes): its type, whether it has
/// headers, and its content.
struct PemBlock {
    kind: String,
    headers: bool,
    der: Vec<u8>,
    rest_start: usize,
}

fn pem_decode(text: &str) -> Option<PemBlock> {
    let start = text.find("-----BEGIN ")?;
    let after = &text[start + 11..];
    let type_end = after.find("-----")?;
    let kind = after[..type_end].to_string();
    let body_start = start + 11 + type_end + 5;
    let end_marker = format!("-----END {kind}-----");
    let end = text[body_start..].find(&end_marker)? + body_start;
    let body = &text[body_start..end];
    let mut headers = false;
    let mut b64 = String::new();
    for line in body.lines() {
        if line.contains(':') {
            headers = true;
            continue;
        }
        b64.extend(line.chars().filter(|c| !c.is_whitespace()));
    }
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some(PemBlock {
        kind,
        headers,
        der,
        rest_start: end + end_marker.len(),
    })
}

fn decode_stored(b64: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// certificates.ParseCSR and CheckSignature.
fn check_request(stored: &str) -> Result<(), String> {
    let text = decode_stored(stored);
    let block = pem_decode(&text)
        .filter(|b| b.kind == "CERTIFICATE REQUEST")
        .ok_or("PEM block type must be CERTIFICATE REQUEST")?;
    let (rest, csr) =
        x509_parser::certification_request::X509CertificationRequest::from_der(&block.der)
            .map_err(|_| "asn1: structure error: tags don't match".to_string())?;
    if !rest.is_empty() {
        return Err("asn1: syntax error: trailing data".into());
    }
    let oid = csr.signature_algorithm.algorithm.to_id_string();
    csr.verify_signature().map_err(|_| {
        // Go's words for each algorithm's failed check.
        if oid.starts_with("1.2.840.10045.") {
            "x509: ECDSA verification failure"
        } else if oid.starts_with("1.2.840.113549.") {
            "crypto/rsa: verification error"
        } else if oid == "1.3.101.112" {
            "x509: Ed25519 verification failure"
        } else {
            "x509: cannot verify signature: algorithm unimplemented"
        }
        .to_string()
    })
}

/// validateCertificate: empty, or CERTIFICATE blocks only, without headers.
fn check_certificate(stored: &str) -> Result<(), String> {
    if stored.is_empty() {
        return Ok(());
    }
    let text = decode_stored(stored);
    let mut rest = text.as_str();
    let mut blocks = 0;
    while let Some(b) = pem_decode(rest) {
        if b.kind != "CERTIFICATE" {
            return Err(format!(
                "only CERTIFICATE PEM blocks are allowed, found {}",
                kcore::gofmt::go_quote(&b.kind)
            ));
        }
        if b.headers {
            return Err("no PEM block headers are permitted".into());
        }
        blocks += 1;
        if x509_parser::parse_x509_certificate(&b.der).is_err() {
            return Err("x509: malformed certificate".into());
        }
        rest = &rest[b.rest_start..];
    }
    if blocks == 0 {
        return Err("must contain at least one CERTIFICATE PEM block".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn request_must_be_a_pem_csr() {
        let e = check_request(&b64("hello")).unwrap_err();
        assert_eq!(e, "PEM block type must be CERTIFICATE REQUEST");
        let e = check_request(&b64(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ))
        .unwrap_err();
        assert_eq!(e, "PEM block type must be CERTIFICATE REQUEST");
    }

    #[test]
    fn approval_keeps_spec_and_certificate_and_stamps_conditions() {
        let old =
            json!({"spec": {"request": "x", "username": "a"}, "status": {"certificate": "c"}});
        let new = json!({"spec": {"request": "y"}, "status": {"certificate": "d", "conditions": [
            {"type": "Approved", "status": "True"}]}});
        let mut m = merge_for_update(Some("approval"), &old, new);
        populate_condition_timestamps(&mut m, &old, "T");
        assert_eq!(m["spec"], old["spec"]);
        assert_eq!(m["status"]["certificate"], "c");
        assert_eq!(m["status"]["conditions"][0]["lastUpdateTime"], "T");
        assert_eq!(m["status"]["conditions"][0]["lastTransitionTime"], "T");
        let v = validate(&m, Some(&old), Some("status"));
        assert!(v.iter().any(|c| c
            .message
            .contains("may not add a condition of type \"Approved\"")));
        assert!(validate(&m, Some(&old), Some("approval"))
            .iter()
            .all(|c| c.field != "status.conditions"));
    }
}
