//! `describe priorityclass` (kubectl's `describePriorityClass`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{b, format_labels, i, s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};

/// Renders a PriorityClass with its events (`None` when events are off).
pub fn describe_priority_class(pc: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    w.field(LEVEL_0, "Name", s(pc, "metadata.name"));
    w.field(LEVEL_0, "Value", i(pc, "value"));
    w.field(LEVEL_0, "GlobalDefault", b(pc, "globalDefault"));
    w.field(LEVEL_0, "PreemptionPolicy", s(pc, "preemptionPolicy"));
    w.field(LEVEL_0, "Description", s(pc, "description"));
    w.field(
        LEVEL_0,
        "Annotations",
        format_labels(&string_map(pc, "metadata.annotations")),
    );
    finish_with_events(&mut w, events, opts)
}
