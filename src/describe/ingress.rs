//! `describe ingress` (kubectl's `describeIngressV1`) and `describe ingressclass`. Backends are
//! resolved against the namespace's Services and EndpointSlices, as kubectl's
//! `describeBackendV1` does with one request per backend.

use serde_json::Value;

use super::events::describe_events;
use super::events::finish_with_events;
use super::service::format_endpoint_slices;
use super::text::{
    arr, get, i, print_annotations_multiline, print_cluster_meta_header, print_labels_multiline,
    print_typed_reference, s, string_map, value_string,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};
use super::{DescribeOptions, Events, Related};

/// Renders an Ingress. Uses `services` and `endpointslices` (all of the namespace) for the
/// backends, and `events`.
pub fn describe_ingress(ing: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    w.field(LEVEL_0, "Name", s(ing, "metadata.name"));
    print_labels_multiline(w, "Labels", &string_map(ing, "metadata.labels"));
    w.field(LEVEL_0, "Namespace", s(ing, "metadata.namespace"));
    w.field(LEVEL_0, "Address", lb_address(ing));
    let class = get(ing, "spec.ingressClassName")
        .map(value_string)
        .unwrap_or("<none>".into());
    w.write(LEVEL_0, &format!("Ingress Class:\t{class}\n"));
    let default = match get(ing, "spec.defaultBackend") {
        Some(b) => describe_backend(b, related),
        None => "<default>".to_string(),
    };
    w.write(LEVEL_0, &format!("Default backend:\t{default}\n"));
    let tls = arr(ing, "spec.tls");
    if !tls.is_empty() {
        w.write(LEVEL_0, "TLS:\n");
        for t in tls {
            let hosts: Vec<String> = arr(t, "hosts").iter().map(value_string).collect();
            let secret = s(t, "secretName");
            if secret.is_empty() {
                w.write(LEVEL_1, &format!("SNI routes {}\n", hosts.join(",")));
            } else {
                w.write(
                    LEVEL_1,
                    &format!("{secret} terminates {}\n", hosts.join(",")),
                );
            }
        }
    }
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(LEVEL_1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in arr(ing, "spec.rules") {
        let Some(http) = get(rule, "http") else {
            continue;
        };
        count += 1;
        let host = s(rule, "host");
        let host = if host.is_empty() { "*" } else { host };
        w.write(LEVEL_1, &format!("{host}\t\n"));
        for p in arr(http, "paths") {
            let backend = get(p, "backend")
                .map(|b| describe_backend(b, related))
                .unwrap_or_default();
            w.write(LEVEL_2, &format!("\t{} \t{backend}\n", s(p, "path")));
        }
    }
    if count == 0 {
        w.write(LEVEL_1, &format!("*\t*\t{default}\n"));
    }
    print_annotations_multiline(w, "Annotations", &string_map(ing, "metadata.annotations"));
    if opts.show_events {
        describe_events(related.items("events"), w, opts);
    }
    std::mem::take(w).finish()
}

/// `ingressLoadBalancerStatusStringerV1(..., wide=true)`: unique IPs/hostnames, sorted.
fn lb_address(ing: &Value) -> String {
    let mut out: Vec<String> = Vec::new();
    for entry in arr(ing, "status.loadBalancer.ingress") {
        let v = if !s(entry, "ip").is_empty() {
            s(entry, "ip")
        } else {
            s(entry, "hostname")
        };
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out.sort();
    out.join(",")
}

/// `describeBackendV1`: `svc:port (endpoints)` or the resource reference.
fn describe_backend(backend: &Value, related: &Related) -> String {
    if let Some(svc) = get(backend, "service") {
        let name = s(svc, "name");
        let number = i(svc, "port.number");
        let port_name = s(svc, "port.name");
        let label = if number != 0 {
            format!("{name}:{number}")
        } else {
            format!("{name}:{port_name}")
        };
        if let Some(err) = related.error("endpointslices") {
            return format!("{label} (<error: {err}>)");
        }
        if let Some(err) = related.error("services") {
            return format!("{label} (<error: {err}>)");
        }
        let Some(service) = related
            .items("services")
            .iter()
            .find(|sv| s(sv, "metadata.name") == name)
        else {
            return format!("{label} (<error: services \"{name}\" not found>)");
        };
        let mut sp_name = String::new();
        for sp in arr(service, "spec.ports") {
            if (number != 0 && number == i(sp, "port"))
                || (!port_name.is_empty() && port_name == s(sp, "name"))
            {
                sp_name = s(sp, "name").to_string();
            }
        }
        let slices: Vec<Value> = related
            .items("endpointslices")
            .iter()
            .filter(|sl| {
                get(sl, "metadata.labels")
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                    .and_then(Value::as_str)
                    == Some(name)
            })
            .cloned()
            .collect();
        return format!("{label} ({})", format_endpoint_slices(&slices, &sp_name));
    }
    if let Some(r) = get(backend, "resource") {
        let group = get(r, "apiGroup")
            .map(value_string)
            .unwrap_or("<none>".into());
        return format!(
            "APIGroup: {group}, Kind: {}, Name: {}",
            s(r, "kind"),
            s(r, "name")
        );
    }
    String::new()
}

/// Renders an IngressClass with its events (`None` when events are off).
pub fn describe_ingress_class(ic: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, ic);
    w.field(LEVEL_0, "Controller", s(ic, "spec.controller"));
    if let Some(p) = get(ic, "spec.parameters") {
        print_typed_reference(&mut w, "Parameters", p);
    }
    finish_with_events(&mut w, events, opts)
}
