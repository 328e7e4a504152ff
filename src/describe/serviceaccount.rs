//! `describe serviceaccount` in v1.36's cleaned-up layout (only `Image pull secrets:`).

use serde_json::Value;

use super::events::describe_events;
use super::text::{arr, print_annotations_multiline, print_labels_multiline, s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};
use super::DescribeOptions;

/// Renders a ServiceAccount with its events (`None` when events are off).
pub fn describe_service_account(
    sa: &Value,
    events: Option<&[Value]>,
    opts: &DescribeOptions,
) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, sa);
    print_labels_multiline(&mut w, "Labels", &string_map(sa, "metadata.labels"));
    print_annotations_multiline(
        &mut w,
        "Annotations",
        &string_map(sa, "metadata.annotations"),
    );
    const HEADER: &str = "Image pull secrets:";
    const EMPTY_HEADER: &str = "                   ";
    let names: Vec<&str> = arr(sa, "imagePullSecrets")
        .iter()
        .map(|r| s(r, "name"))
        .collect();
    if names.is_empty() {
        w.write(LEVEL_0, &format!("{HEADER}\t<none>\n"));
    } else {
        let mut prefix = HEADER;
        for name in names {
            w.write(LEVEL_0, &format!("{prefix}\t{name}\n"));
            prefix = EMPTY_HEADER;
        }
    }
    if let Some(events) = events {
        describe_events(events, &mut w, opts);
    }
    w.finish()
}
