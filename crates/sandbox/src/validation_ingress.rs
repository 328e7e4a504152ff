//! networking.k8s.io/v1 Ingress validation, with kube-apiserver's messages
//! (`pkg/apis/networking/validation/validation.go` `ValidateIngressSpec`): a default backend
//! or rules, hosts that are DNS names (wildcards as `*.example.com`, never IP addresses),
//! paths by path type, service backends (a DNS-1035 name and a port name or number), TLS
//! hosts and secret names, and the class name.

use serde_json::Value;

use crate::validation::{dns1035_label, dns1123_subdomain, invalid, required, Cause};

/// netutils `ParseIPSloppy` of a host kubectl's rules can carry: a dotted IPv4 address
/// (leading zeros allowed) or anything with a colon that parses as IPv6.
fn is_ip(host: &str) -> bool {
    if host.contains(':') {
        return host.parse::<std::net::Ipv6Addr>().is_ok();
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// A host with a `*` must be a wildcard subdomain, any other a subdomain.
fn host_errors(host: &str) -> Vec<String> {
    if host.contains('*') {
        kcore::validation::wildcard_dns1123_subdomain(host)
    } else {
        dns1123_subdomain(host)
    }
}

/// `validateIngressBackend`.
fn validate_backend(backend: &Value, path: &str, out: &mut Vec<Cause>) {
    let service = backend.get("service").filter(|s| !s.is_null());
    let resource = backend.get("resource").filter(|s| !s.is_null());
    match (service, resource) {
        (Some(_), Some(_)) => out.push(invalid(
            path,
            &Value::String(String::new()),
            "cannot set both resource and service backends",
        )),
        (None, Some(_)) => {}
        (Some(svc), None) => {
            let name = svc["name"].as_str().unwrap_or_default();
            if name.is_empty() {
                out.push(required(&format!("{path}.service.name"), ""));
            } else {
                for msg in dns1035_label(name) {
                    out.push(invalid(&format!("{path}.service.name"), &svc["name"], &msg));
                }
            }
            let port_name = svc["port"]["name"].as_str().unwrap_or_default();
            let number = svc["port"]["number"].as_i64().unwrap_or(0);
            if !port_name.is_empty() && number != 0 {
                out.push(invalid(
                    path,
                    &Value::String(String::new()),
                    "cannot set both port name & port number",
                ));
            } else if !port_name.is_empty() {
                for msg in kcore::validation::port_name(port_name) {
                    out.push(invalid(
                        &format!("{path}.service.port.name"),
                        &svc["port"]["name"],
                        msg,
                    ));
                }
            } else if number != 0 {
                if !(1..=65535).contains(&number) {
                    out.push(invalid(
                        &format!("{path}.service.port.number"),
                        &svc["port"]["number"],
                        "must be between 1 and 65535, inclusive",
                    ));
                }
            } else {
                out.push(required(path, "port name or number is required"));
            }
        }
        (None, None) => out.push(invalid(
            path,
            &Value::String(String::new()),
            "resource or service backend is required",
        )),
    }
}

/// `validateHTTPIngressPath`.
fn validate_path(p: &Value, path: &str, out: &mut Vec<Cause>) {
    let Some(path_type) = p.get("pathType").and_then(Value::as_str) else {
        out.push(required(
            &format!("{path}.pathType"),
            "pathType must be specified",
        ));
        return;
    };
    let value = p["path"].as_str().unwrap_or_default();
    let field = format!("{path}.path");
    match path_type {
        "Exact" | "Prefix" => {
            if !value.starts_with('/') {
                out.push(invalid(&field, &p["path"], "must be an absolute path"));
            }
            if !value.is_empty() {
                for seq in ["//", "/./", "/../", "%2f", "%2F"] {
                    if value.contains(seq) {
                        out.push(invalid(&field, &p["path"], &format!("must not contain '{seq}'")));
                    }
                }
                for suffix in ["/..", "/."] {
                    if value.ends_with(suffix) {
                        out.push(invalid(&field, &p["path"], &format!("cannot end with '{suffix}'")));
                    }
                }
            }
        }
        "ImplementationSpecific" => {
            if !value.is_empty() && !value.starts_with('/') {
                out.push(invalid(&field, &p["path"], "must be an absolute path"));
            }
        }
        other => out.push(Cause {
            reason: "FieldValueNotSupported".into(),
            field: format!("{path}.pathType"),
            message: format!(
                "Unsupported value: {}: supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
                kcore::gofmt::go_quote(other)
            ),
        }),
    }
    validate_backend(&p["backend"], &format!("{path}.backend"), out);
}

/// `ValidateIngressSpec` (create and update alike).
pub fn validate_ingress(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    let rules = spec["rules"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let default_backend = spec.get("defaultBackend").filter(|b| !b.is_null());
    if rules.is_empty() && default_backend.is_none() {
        out.push(invalid(
            "spec",
            &spec.get("rules").cloned().unwrap_or(Value::Null),
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(b) = default_backend {
        validate_backend(b, "spec.defaultBackend", out);
    }
    for (i, rule) in rules.iter().enumerate() {
        let host = rule["host"].as_str().unwrap_or_default();
        let field = format!("spec.rules[{i}].host");
        if !host.is_empty() {
            if is_ip(host) {
                out.push(invalid(
                    &field,
                    &rule["host"],
                    "must be a DNS name, not an IP address",
                ));
            }
            for msg in host_errors(host) {
                out.push(invalid(&field, &rule["host"], &msg));
            }
        }
        if let Some(http) = rule.get("http").filter(|h| !h.is_null()) {
            let paths = http["paths"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            if paths.is_empty() {
                out.push(required(&format!("spec.rules[{i}].http.paths"), ""));
            }
            for (j, p) in paths.iter().enumerate() {
                validate_path(p, &format!("spec.rules[{i}].http.paths[{j}]"), out);
            }
        }
    }
    for (i, tls) in spec["tls"].as_array().into_iter().flatten().enumerate() {
        for (j, host) in tls["hosts"].as_array().into_iter().flatten().enumerate() {
            for msg in host_errors(host.as_str().unwrap_or_default()) {
                out.push(invalid(&format!("spec.tls[{i}].hosts[{j}]"), host, &msg));
            }
        }
        let secret = tls["secretName"].as_str().unwrap_or_default();
        if !secret.is_empty() {
            for msg in dns1123_subdomain(secret) {
                out.push(invalid(
                    &format!("spec.tls[{i}].secretName"),
                    &tls["secretName"],
                    &msg,
                ));
            }
        }
    }
    if let Some(class) = spec["ingressClassName"].as_str().filter(|c| !c.is_empty()) {
        for msg in dns1123_subdomain(class) {
            out.push(invalid(
                "spec.ingressClassName",
                &spec["ingressClassName"],
                &msg,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ingress_rules_are_checked_as_the_server_does() {
        let ing = json!({"spec": {"rules": [{"host": "1.2.3.4", "http": {"paths": [
            {"path": "/a//b", "pathType": "Exact",
             "backend": {"service": {"name": "Svc", "port": {"number": 70000}}}}]}}]}});
        let mut out = vec![];
        validate_ingress(&ing, &mut out);
        let fields: Vec<&str> = out.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "spec.rules[0].host",
                "spec.rules[0].http.paths[0].path",
                "spec.rules[0].http.paths[0].backend.service.name",
                "spec.rules[0].http.paths[0].backend.service.port.number"
            ]
        );
        assert_eq!(
            out[0].message,
            "Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address"
        );
        let mut out = vec![];
        validate_ingress(&json!({"spec": {}}), &mut out);
        assert_eq!(
            out[0].to_string(),
            "spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"
        );
    }
}
