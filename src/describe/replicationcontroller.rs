//! `describe replicationcontroller` (kubectl's `describeReplicationController`).

use serde_json::Value;

use super::events::finish_with_events;
use super::replicaset::{describe_conditions, replicas};
use super::text::{arr, format_labels, i, print_labels_annotations, string_map};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{print_pods_and_template, DescribeOptions, Related};

/// Renders a ReplicationController; `pods` match its selector.
pub fn describe_replication_controller(
    rc: &Value,
    related: &Related,
    opts: &DescribeOptions,
) -> String {
    let pods = related.items("pods");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_name_namespace(w, rc);
    w.field(
        LEVEL_0,
        "Selector",
        format_labels(&string_map(rc, "spec.selector")),
    );
    print_labels_annotations(w, rc);
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            i(rc, "status.replicas"),
            replicas(rc)
        ),
    );
    print_pods_and_template(w, rc, pods, None, opts);
    describe_conditions(arr(rc, "status.conditions"), w);
    finish_with_events(w, events, opts)
}
