//! `describe poddisruptionbudget` (kubectl's `describePodDisruptionBudgetV1`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{format_label_selector, get, i, value_string};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_2};
use super::{DescribeOptions, Events};

/// Renders a PodDisruptionBudget with its events (`None` when events are off).
pub fn describe_pdb(pdb: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, pdb);
    if let Some(m) = get(pdb, "spec.minAvailable") {
        w.field(LEVEL_0, "Min available", value_string(m));
    } else if let Some(m) = get(pdb, "spec.maxUnavailable") {
        w.field(LEVEL_0, "Max unavailable", value_string(m));
    }
    match get(pdb, "spec.selector") {
        Some(sel) => w.field(LEVEL_0, "Selector", format_label_selector(Some(sel))),
        None => w.write(LEVEL_0, "Selector:\t<unset>\n"),
    }
    w.write(LEVEL_0, "Status:\n");
    for (title, field) in [
        ("Allowed disruptions", "disruptionsAllowed"),
        ("Current", "currentHealthy"),
        ("Desired", "desiredHealthy"),
        ("Total", "expectedPods"),
    ] {
        w.write(
            LEVEL_2,
            &format!("{title}:\t{}\n", i(pdb, &format!("status.{field}"))),
        );
    }
    finish_with_events(&mut w, events, opts)
}
