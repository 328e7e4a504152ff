//! `describe endpointslice` (kubectl's `describeEndpointSliceV1`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{arr, get, join_or_none, s, value_string};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::{DescribeOptions, Events};

/// Renders an EndpointSlice with its events (`None` when events are off).
pub fn describe_endpoint_slice(eps: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_meta_header(w, eps);
    w.field(LEVEL_0, "AddressType", s(eps, "addressType"));
    let ports = arr(eps, "ports");
    if ports.is_empty() {
        w.write(LEVEL_0, "Ports: <unset>\n");
    } else {
        print_ports_table(w, ports, |p| {
            get(p, "port").map(value_string).unwrap_or("<unset>".into())
        });
    }
    let endpoints = arr(eps, "endpoints");
    if endpoints.is_empty() {
        w.write(LEVEL_0, "Endpoints: <none>\n");
    } else {
        w.write(LEVEL_0, "Endpoints:\n");
        let or_unset = |v: Option<&Value>| v.map(value_string).unwrap_or("<unset>".into());
        for e in endpoints {
            let addrs: Vec<String> = arr(e, "addresses").iter().map(value_string).collect();
            let addrs = join_or_none(&addrs, ", ");
            w.write(LEVEL_1, &format!("- Addresses:\t{addrs}\n"));
            w.write(LEVEL_2, "Conditions:\n");
            w.field(LEVEL_3, "Ready", or_unset(get(e, "conditions.ready")));
            w.field(LEVEL_2, "Hostname", or_unset(get(e, "hostname")));
            if let Some(t) = get(e, "targetRef") {
                w.write(
                    LEVEL_2,
                    &format!("TargetRef:\t{}/{}\n", s(t, "kind"), s(t, "name")),
                );
            }
            w.field(LEVEL_2, "NodeName", or_unset(get(e, "nodeName")));
            w.field(LEVEL_2, "Zone", or_unset(get(e, "zone")));
        }
    }
    finish_with_events(w, events, opts)
}

/// `Ports:` and its `Name Port Protocol` table (a missing name is `<unset>`).
pub fn print_ports_table(w: &mut PrefixWriter, ports: &[Value], port: impl Fn(&Value) -> String) {
    w.write(LEVEL_0, "Ports:\n");
    w.write(LEVEL_1, "Name\tPort\tProtocol\n");
    w.write(LEVEL_1, "----\t----\t--------\n");
    for p in ports {
        let name = s(p, "name");
        let name = if name.is_empty() { "<unset>" } else { name };
        w.write(
            LEVEL_1,
            &format!("{name}\t{}\t{}\n", port(p), s(p, "protocol")),
        );
    }
}
