//! `describe serviceaccount` in v1.36's cleaned-up layout (only `Image pull secrets:`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{arr, s};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};

/// Renders a ServiceAccount with its events (`None` when events are off).
pub fn describe_service_account(sa: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_meta_header(&mut w, sa);
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
    finish_with_events(&mut w, events, opts)
}
