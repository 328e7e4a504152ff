//! `describe endpoints` (kubectl's `describeEndpoints`).

use serde_json::Value;

use super::endpointslice::print_ports_table;
use super::events::finish_with_events;
use super::text::{arr, i, or_none, s};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Events};

/// Renders an Endpoints object with its events (`None` when events are off).
pub fn describe_endpoints(ep: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_meta_header(&mut w, ep);
    w.write(LEVEL_0, "Subsets:\n");
    for subset in arr(ep, "subsets") {
        for (field, title) in [
            ("addresses", "Addresses"),
            ("notReadyAddresses", "NotReadyAddresses"),
        ] {
            let ips: Vec<&str> = arr(subset, field).iter().map(|a| s(a, "ip")).collect();
            w.field(LEVEL_1, title, or_none(&ips.join(",")));
        }
        let ports = arr(subset, "ports");
        if !ports.is_empty() {
            w.nested(LEVEL_1, |w| {
                print_ports_table(w, ports, |p| i(p, "port").to_string())
            });
        }
        w.write(LEVEL_0, "\n");
    }
    finish_with_events(&mut w, events, opts)
}
