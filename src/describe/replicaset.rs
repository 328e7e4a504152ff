//! `describe replicaset` (kubectl's `describeReplicaSet`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{arr, controlled_by, format_label_selector, get, i, print_labels_annotations, s};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{print_pods_and_template, DescribeOptions, Related};

/// Renders a ReplicaSet; `pods` match its selector, `pods_error` is set when listing them
/// failed (kubectl prints `error in fetching pods: ...`).
pub fn describe_replicaset(rs: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let pods = related.items("pods");
    let pods_error = related.error("pods");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, rs);
    w.field(
        LEVEL_0,
        "Selector",
        format_label_selector(get(rs, "spec.selector")),
    );
    print_labels_annotations(&mut w, rs);
    if let Some(c) = controlled_by(rs) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            i(rs, "status.replicas"),
            replicas(rs)
        ),
    );
    print_pods_and_template(&mut w, rs, pods, pods_error, opts);
    describe_conditions(arr(rs, "status.conditions"), &mut w);
    finish_with_events(&mut w, events, opts)
}

/// `spec.replicas` (the API server defaults it to 1).
pub fn replicas(obj: &Value) -> i64 {
    get(obj, "spec.replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// The `Conditions:` table of ReplicaSet and Deployment (`Type Status Reason`).
pub fn describe_conditions(conditions: &[Value], w: &mut PrefixWriter) {
    if conditions.is_empty() {
        return;
    }
    w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(LEVEL_1, "----\t------\t------\n");
    for c in conditions {
        w.write(
            LEVEL_1,
            &format!(
                "{} \t{}\t{}\n",
                s(c, "type"),
                s(c, "status"),
                s(c, "reason")
            ),
        );
    }
}
