//! `describe daemonset` (kubectl's `describeDaemonSet`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{format_labels, i, print_labels_annotations, print_selector, string_map};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{print_pods_and_template, DescribeOptions, Related};

/// Renders a DaemonSet; `pods` are the pods matching its selector, `events` its events
/// (`None` when events are off).
pub fn describe_daemonset(ds: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let pods = related.items("pods");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, ds);
    print_selector(&mut w, ds);
    w.field(
        LEVEL_0,
        "Node-Selector",
        format_labels(&string_map(ds, "spec.template.spec.nodeSelector")),
    );
    print_labels_annotations(&mut w, ds);
    for (title, field) in [
        (
            "Desired Number of Nodes Scheduled",
            "desiredNumberScheduled",
        ),
        (
            "Current Number of Nodes Scheduled",
            "currentNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Up-to-date Pods",
            "updatedNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Available Pods",
            "numberAvailable",
        ),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ] {
        w.write(
            LEVEL_0,
            &format!("{title}: {}\n", i(ds, &format!("status.{field}"))),
        );
    }
    print_pods_and_template(&mut w, ds, pods, None, opts);
    finish_with_events(&mut w, events, opts)
}
