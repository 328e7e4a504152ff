//! `describe priorityclass` (kubectl's `describePriorityClass`).

use serde_json::Value;

use super::events::describe_events;
use super::text::{b, format_labels, i, s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};
use super::DescribeOptions;

/// Renders a PriorityClass with its events (`None` when events are off).
pub fn describe_priority_class(
    pc: &Value,
    events: Option<&[Value]>,
    opts: &DescribeOptions,
) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", s(pc, "metadata.name")));
    w.write(LEVEL_0, &format!("Value:\t{}\n", i(pc, "value")));
    w.write(
        LEVEL_0,
        &format!("GlobalDefault:\t{}\n", b(pc, "globalDefault")),
    );
    w.write(
        LEVEL_0,
        &format!("PreemptionPolicy:\t{}\n", s(pc, "preemptionPolicy")),
    );
    w.write(
        LEVEL_0,
        &format!("Description:\t{}\n", s(pc, "description")),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Annotations:\t{}\n",
            format_labels(&string_map(pc, "metadata.annotations"))
        ),
    );
    if let Some(events) = events {
        describe_events(events, &mut w, opts);
    }
    w.finish()
}
