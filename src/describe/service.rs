//! `describe service` (kubectl's `describeService`, with v1.36's `AppProtocol:` line) and the
//! endpoint list it builds from EndpointSlices (`formatEndpointSlices`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{arr, format_labels, get, i, join_or_none, s, string_map, value_string};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Related};

/// Renders a Service; `slices` are its EndpointSlices (label `kubernetes.io/service-name`).
pub fn describe_service(svc: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let slices = related.items("endpointslices");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    let w = &mut w;
    let strings = |f: &str| -> Vec<String> { arr(svc, f).iter().map(value_string).collect() };
    super::text::print_meta_header(w, svc);
    w.field(
        LEVEL_0,
        "Selector",
        format_labels(&string_map(svc, "spec.selector")),
    );
    w.field(LEVEL_0, "Type", s(svc, "spec.type"));
    if let Some(p) = get(svc, "spec.ipFamilyPolicy") {
        w.field(LEVEL_0, "IP Family Policy", value_string(p));
    }
    let families = strings("spec.ipFamilies");
    let families = join_or_none(&families, ",");
    w.write(LEVEL_0, &format!("IP Families:\t{families}\n"));
    w.field(LEVEL_0, "IP", s(svc, "spec.clusterIP"));
    let ips = strings("spec.clusterIPs");
    let ips = join_or_none(&ips, ",");
    w.write(LEVEL_0, &format!("IPs:\t{ips}\n"));
    let external = strings("spec.externalIPs");
    if !external.is_empty() {
        w.field(LEVEL_0, "External IPs", external.join(","));
    }
    w.field_if_set(
        LEVEL_0,
        "Desired LoadBalancer IP",
        s(svc, "spec.loadBalancerIP"),
    );
    w.field_if_set(LEVEL_0, "External Name", s(svc, "spec.externalName"));
    let ingress = arr(svc, "status.loadBalancer.ingress");
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|ing| {
                let ip = s(ing, "ip");
                if ip.is_empty() {
                    s(ing, "hostname").to_string()
                } else if let Some(mode) = get(ing, "ipMode") {
                    format!("{ip} ({})", value_string(mode))
                } else {
                    ip.to_string()
                }
            })
            .collect();
        w.field(LEVEL_0, "LoadBalancer Ingress", list.join(", "));
    }
    for sp in arr(svc, "spec.ports") {
        let raw_name = s(sp, "name");
        let name = if raw_name.is_empty() {
            "<unset>"
        } else {
            raw_name
        };
        let proto = s(sp, "protocol");
        w.write(
            LEVEL_0,
            &format!("Port:\t{name}\t{}/{proto}\n", i(sp, "port")),
        );
        let target = get(sp, "targetPort")
            .map(value_string)
            .unwrap_or("0".into());
        w.write(LEVEL_0, &format!("TargetPort:\t{target}/{proto}\n"));
        if let Some(ap) = get(sp, "appProtocol") {
            w.field(LEVEL_0, "AppProtocol", value_string(ap));
        }
        if i(sp, "nodePort") != 0 {
            w.write(
                LEVEL_0,
                &format!("NodePort:\t{name}\t{}/{proto}\n", i(sp, "nodePort")),
            );
        }
        w.field(
            LEVEL_0,
            "Endpoints",
            format_endpoint_slices(slices, raw_name),
        );
    }
    w.field(LEVEL_0, "Session Affinity", s(svc, "spec.sessionAffinity"));
    w.field_if_set(
        LEVEL_0,
        "External Traffic Policy",
        s(svc, "spec.externalTrafficPolicy"),
    );
    if let Some(itp) = get(svc, "spec.internalTrafficPolicy") {
        w.field(LEVEL_0, "Internal Traffic Policy", value_string(itp));
    }
    if i(svc, "spec.healthCheckNodePort") != 0 {
        w.field(
            LEVEL_0,
            "HealthCheck NodePort",
            i(svc, "spec.healthCheckNodePort"),
        );
    }
    let ranges = strings("spec.loadBalancerSourceRanges");
    if !ranges.is_empty() {
        w.field(LEVEL_0, "LoadBalancer Source Ranges", ranges.join(","));
    }
    if let Some(td) = get(svc, "spec.trafficDistribution") {
        w.field(LEVEL_0, "Traffic Distribution", value_string(td));
    }
    finish_with_events(w, events, opts)
}

/// `formatEndpointSlices` for one service port name: ready endpoints as `ip:port`, at most
/// three, then ` + N more...`; `<none>` without slices.
pub fn format_endpoint_slices(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    let first_addr = |e: &Value| {
        arr(e, "addresses")
            .first()
            .map(value_string)
            .unwrap_or_default()
    };
    // Every ready endpoint counts; the first MAX are listed.
    let mut take = |e: &Value, shown: &dyn Fn(String) -> String| {
        if list.len() == MAX {
            more = true;
        }
        if get(e, "conditions.ready").and_then(Value::as_bool) == Some(false) {
            return;
        }
        if !more {
            list.push(shown(first_addr(e)));
        }
        count += 1;
    };
    for slice in slices {
        let ports = arr(slice, "ports");
        if ports.is_empty() {
            for e in arr(slice, "endpoints") {
                take(e, &|addr| addr);
            }
        } else {
            for port in ports {
                if s(port, "name") != port_name {
                    continue;
                }
                let port_number = i(port, "port");
                for e in arr(slice, "endpoints") {
                    take(e, &|addr| {
                        let host = if addr.contains(':') {
                            format!("[{addr}]")
                        } else {
                            addr
                        };
                        format!("{host}:{port_number}")
                    });
                }
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_are_capped_at_three() {
        let eps: Vec<Value> = (1..=5)
            .map(|n| json!({"addresses": [format!("10.0.0.{n}")], "conditions": {"ready": true}}))
            .collect();
        let slice = json!({"ports": [{"name": "http", "port": 80}], "endpoints": eps});
        assert_eq!(
            format_endpoint_slices(std::slice::from_ref(&slice), "http"),
            "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..."
        );
        assert_eq!(format_endpoint_slices(&[slice], "other"), "");
        assert_eq!(format_endpoint_slices(&[], "http"), "<none>");
    }
}
