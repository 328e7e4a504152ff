//! `describe configmap` (kubectl's `ConfigMapDescriber`): every data value in full, binary
//! data by size.

use base64::Engine;
use serde_json::Value;

use super::events::finish_with_events;
use super::text::string_map;
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};

/// Renders a ConfigMap with its events (`None` when events are off).
pub fn describe_configmap(cm: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_meta_header(&mut w, cm);
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in string_map(cm, "data") {
        w.write(LEVEL_0, &format!("{k}:\n----\n"));
        w.write(LEVEL_0, &format!("{v}\n"));
        w.write(LEVEL_0, "\n");
    }
    w.write(LEVEL_0, "\nBinaryData\n====\n");
    for (k, v) in string_map(cm, "binaryData") {
        let len = base64::engine::general_purpose::STANDARD
            .decode(v.as_bytes())
            .map(|b| b.len())
            .unwrap_or(0);
        w.write(LEVEL_0, &format!("{k}: {len} bytes\n"));
    }
    w.write(LEVEL_0, "\n");
    finish_with_events(&mut w, events, opts)
}
