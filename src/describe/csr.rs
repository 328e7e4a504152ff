//! `describe certificatesigningrequest` (kubectl's `describeCertificateSigningRequest`): the
//! request's subject and subject alternative names, parsed from `spec.request`.

use std::net::IpAddr;

use base64::Engine;
use serde_json::Value;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::events::finish_with_events;
use super::text::{
    arr, format_labels, get, human_duration, print_creation_timestamp, s, string_map,
};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};

/// What kubectl shows of a parsed certificate request.
#[derive(Default)]
struct Request {
    common_name: String,
    serial_number: String,
    organization: Vec<String>,
    organizational_unit: Vec<String>,
    country: Vec<String>,
    locality: Vec<String>,
    province: Vec<String>,
    street_address: Vec<String>,
    postal_code: Vec<String>,
    dns_names: Vec<String>,
    emails: Vec<String>,
    uris: Vec<String>,
    ips: Vec<String>,
}

/// kubectl's `certificate.ParseCSR` (a PEM `CERTIFICATE REQUEST` block) plus Go's
/// `pkix.Name` mapping of the subject; `Err` carries kubectl's error text.
fn parse_request(b64: &str) -> Result<Request, String> {
    let pem_bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .unwrap_or_default();
    let pem = match x509_parser::pem::parse_x509_pem(&pem_bytes) {
        Ok((_, pem)) if pem.label == "CERTIFICATE REQUEST" => pem,
        _ => return Err("PEM block type must be CERTIFICATE REQUEST".to_string()),
    };
    let (_, csr) = X509CertificationRequest::from_der(&pem.contents)
        .map_err(|_| "x509: malformed certificate request".to_string())?;
    let subject = &csr.certification_request_info.subject;
    let mut r = Request::default();
    fill_name(subject, &mut r);
    if let Some(exts) = csr.requested_extensions() {
        for ext in exts {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                for name in &san.general_names {
                    match name {
                        GeneralName::DNSName(d) => r.dns_names.push(d.to_string()),
                        GeneralName::RFC822Name(e) => r.emails.push(e.to_string()),
                        GeneralName::URI(u) => r.uris.push(u.to_string()),
                        GeneralName::IPAddress(bytes) => {
                            if let Some(ip) = ip_from_bytes(bytes) {
                                r.ips.push(ip);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(r)
}

/// Go's `net.IP.String()`: IPv4-mapped addresses print as IPv4.
fn ip_from_bytes(bytes: &[u8]) -> Option<String> {
    let ip = match bytes.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
        16 => {
            let v6 = std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?);
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            }
        }
        _ => return None,
    };
    Some(ip.to_string())
}

/// `pkix.Name.FillFromRDNSequence`: the last CN and serial number win, the rest accumulate.
fn fill_name(name: &X509Name<'_>, r: &mut Request) {
    for attr in name.iter_attributes() {
        let Ok(value) = attr.as_str() else {
            continue;
        };
        let value = value.to_string();
        match attr.attr_type().to_id_string().as_str() {
            "2.5.4.3" => r.common_name = value,
            "2.5.4.5" => r.serial_number = value,
            "2.5.4.6" => r.country.push(value),
            "2.5.4.7" => r.locality.push(value),
            "2.5.4.8" => r.province.push(value),
            "2.5.4.9" => r.street_address.push(value),
            "2.5.4.10" => r.organization.push(value),
            "2.5.4.11" => r.organizational_unit.push(value),
            "2.5.4.17" => r.postal_code.push(value),
            _ => {}
        }
    }
}

/// `extractCSRStatus`: Denied/Approved/Pending, then `,Failed` and `,Issued`.
fn csr_status(csr: &Value) -> String {
    let types: Vec<&str> = arr(csr, "status.conditions")
        .iter()
        .map(|c| s(c, "type"))
        .collect();
    let has = |t: &str| types.contains(&t);
    let mut status = if has("Denied") {
        "Denied".to_string()
    } else if has("Approved") {
        "Approved".to_string()
    } else {
        "Pending".to_string()
    };
    if has("Failed") {
        status.push_str(",Failed");
    }
    if !s(csr, "status.certificate").is_empty() {
        status.push_str(",Issued");
    }
    status
}

/// Renders a CertificateSigningRequest; `Err` is kubectl's `Error parsing CSR: ...`.
pub fn describe_csr(
    csr: &Value,
    events: Events<'_>,
    opts: &DescribeOptions,
) -> Result<String, String> {
    let req =
        parse_request(s(csr, "spec.request")).map_err(|e| format!("Error parsing CSR: {e}"))?;
    let mut w = PrefixWriter::new();
    let w = &mut w;
    w.field(LEVEL_0, "Name", s(csr, "metadata.name"));
    w.field(
        LEVEL_0,
        "Labels",
        format_labels(&string_map(csr, "metadata.labels")),
    );
    w.field(
        LEVEL_0,
        "Annotations",
        format_labels(&string_map(csr, "metadata.annotations")),
    );
    print_creation_timestamp(w, csr, opts);
    w.field(LEVEL_0, "Requesting User", s(csr, "spec.username"));
    w.field_if_set(LEVEL_0, "Signer", s(csr, "spec.signerName"));
    if let Some(secs) = get(csr, "spec.expirationSeconds").and_then(Value::as_i64) {
        w.field(
            LEVEL_0,
            "Requested Duration",
            human_duration(chrono::TimeDelta::seconds(secs)),
        );
    }
    w.field(LEVEL_0, "Status", csr_status(csr));
    w.write(LEVEL_0, "Subject:\n");
    w.write(LEVEL_0, &format!("\tCommon Name:\t{}\n", req.common_name));
    w.write(
        LEVEL_0,
        &format!("\tSerial Number:\t{}\n", req.serial_number),
    );
    let list = |w: &mut PrefixWriter, name: &str, values: &[String]| {
        if values.is_empty() {
            return;
        }
        w.write(LEVEL_0, &format!("\t{name}:\t"));
        w.write(LEVEL_0, &values.join("\n\t\t"));
        w.write(LEVEL_0, "\n");
    };
    list(w, "Organization", &req.organization);
    list(w, "Organizational Unit", &req.organizational_unit);
    list(w, "Country", &req.country);
    list(w, "Locality", &req.locality);
    list(w, "Province", &req.province);
    list(w, "StreetAddress", &req.street_address);
    list(w, "PostalCode", &req.postal_code);
    if req.dns_names.len() + req.emails.len() + req.ips.len() + req.uris.len() > 0 {
        w.write(LEVEL_0, "Subject Alternative Names:\n");
        list(w, "DNS Names", &req.dns_names);
        list(w, "Email Addresses", &req.emails);
        list(w, "URIs", &req.uris);
        list(w, "IP Addresses", &req.ips);
    }
    Ok(finish_with_events(w, events, opts))
}
