//! `describe daemonset` (kubectl's `describeDaemonSet`).

use serde_json::Value;

use super::events::describe_events;
use super::podspec::describe_pod_template;
use super::text::{format_labels, get, i, print_labels_annotations, print_selector, s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{pod_status_counts, DescribeOptions, Related};

/// Renders a DaemonSet; `pods` are the pods matching its selector, `events` its events
/// (`None` when events are off).
pub fn describe_daemonset(ds: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let pods = related.items("pods");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    let (running, waiting, succeeded, failed) = pod_status_counts(pods, s(ds, "metadata.uid"));
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
    w.write(
        LEVEL_0,
        &format!(
            "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / \
             {failed} Failed\n"
        ),
    );
    describe_pod_template(get(ds, "spec.template"), &mut w, opts);
    if let Some(events) = events {
        describe_events(events, &mut w, opts);
    }
    w.finish()
}
