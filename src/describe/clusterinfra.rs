//! Small cluster-scoped describers: `csinode`, `volumeattributesclass`, `servicecidr` and
//! `ipaddress` (kubectl's `describeCSINode`, `describeVolumeAttributesClass`,
//! `describeServiceCIDRV1`, `describeIPAddressV1`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{
    arr, format_labels, get, print_cluster_meta_header, print_conditions, print_creation_timestamp,
    s, string_map, value_string, LAST_TRANSITION_TIME,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::{DescribeOptions, Events};

/// Renders a CSINode.
pub fn describe_csi_node(csi: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, csi);
    print_creation_timestamp(&mut w, csi, opts);
    w.write(LEVEL_0, "Spec:\n");
    if let Some(drivers) = get(csi, "spec.drivers").and_then(Value::as_array) {
        w.write(LEVEL_1, "Drivers:\n");
        for d in drivers {
            w.write(LEVEL_2, &format!("{}:\n", s(d, "name")));
            w.field(LEVEL_3, "Node ID", s(d, "nodeID"));
            if let Some(count) = get(d, "allocatable.count") {
                w.write(LEVEL_3, "Allocatables:\n");
                w.field(LEVEL_3 + 1, "Count", value_string(count));
            }
            if get(d, "topologyKeys").is_some() {
                let keys: Vec<String> = arr(d, "topologyKeys").iter().map(value_string).collect();
                w.write(LEVEL_3, &format!("Topology Keys:\t[{}]\n", keys.join(" ")));
            }
        }
    }
    finish_with_events(&mut w, events, opts)
}

/// Renders a VolumeAttributesClass.
pub fn describe_volume_attributes_class(
    vac: &Value,
    events: Events<'_>,
    opts: &DescribeOptions,
) -> String {
    let mut w = PrefixWriter::new();
    w.field(LEVEL_0, "Name", s(vac, "metadata.name"));
    w.field(
        LEVEL_0,
        "Annotations",
        format_labels(&string_map(vac, "metadata.annotations")),
    );
    w.field(LEVEL_0, "DriverName", s(vac, "driverName"));
    w.field(
        LEVEL_0,
        "Parameters",
        format_labels(&string_map(vac, "parameters")),
    );
    finish_with_events(&mut w, events, opts)
}

/// Renders a ServiceCIDR.
pub fn describe_service_cidr(sc: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, sc);
    let cidrs: Vec<String> = arr(sc, "spec.cidrs").iter().map(value_string).collect();
    w.field(LEVEL_0, "CIDRs", cidrs.join(", "));
    let conditions = arr(sc, "status.conditions");
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Status:\n");
        print_conditions(&mut w, conditions, &[LAST_TRANSITION_TIME], "\t", opts);
    }
    finish_with_events(&mut w, events, opts)
}

/// Renders an IPAddress.
pub fn describe_ip_address(ip: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, ip);
    if let Some(p) = get(ip, "spec.parentRef") {
        w.write(LEVEL_0, "Parent Reference:\n");
        for (title, field) in [
            ("Group", "group"),
            ("Resource", "resource"),
            ("Namespace", "namespace"),
            ("Name", "name"),
        ] {
            w.write(LEVEL_1, &format!("{title}:\t{}\n", s(p, field)));
        }
    }
    finish_with_events(&mut w, events, opts)
}
