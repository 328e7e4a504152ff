//! `describe endpoints` (kubectl's `describeEndpoints`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{arr, i, s};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};
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
            let text = ips.join(",");
            let text = if text.is_empty() {
                "<none>"
            } else {
                text.as_str()
            };
            w.write(LEVEL_1, &format!("{title}:\t{text}\n"));
        }
        let ports = arr(subset, "ports");
        if !ports.is_empty() {
            w.write(LEVEL_1, "Ports:\n");
            w.write(LEVEL_2, "Name\tPort\tProtocol\n");
            w.write(LEVEL_2, "----\t----\t--------\n");
            for p in ports {
                let name = s(p, "name");
                let name = if name.is_empty() { "<unset>" } else { name };
                w.write(
                    LEVEL_2,
                    &format!("{name}\t{}\t{}\n", i(p, "port"), s(p, "protocol")),
                );
            }
        }
        w.write(LEVEL_0, "\n");
    }
    finish_with_events(&mut w, events, opts)
}
