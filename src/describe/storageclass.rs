//! `describe storageclass` (kubectl's `describeStorageClass`).

use serde_json::Value;

use super::events::finish_with_events;
use super::text::{arr, format_labels, get, print_list, print_terms, s, string_map, value_string};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Events};

/// Renders a StorageClass with its events (`None` when events are off).
pub fn describe_storage_class(sc: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    let annotations = string_map(sc, "metadata.annotations");
    let is_default = annotations.iter().any(|(k, v)| {
        (k == "storageclass.kubernetes.io/is-default-class"
            || k == "storageclass.beta.kubernetes.io/is-default-class")
            && v == "true"
    });
    w.field(LEVEL_0, "Name", s(sc, "metadata.name"));
    w.field(
        LEVEL_0,
        "IsDefaultClass",
        if is_default { "Yes" } else { "No" },
    );
    // kubectl prints every annotation here, last-applied included.
    w.field(LEVEL_0, "Annotations", format_labels(&annotations));
    w.field(LEVEL_0, "Provisioner", s(sc, "provisioner"));
    w.field(
        LEVEL_0,
        "Parameters",
        format_labels(&string_map(sc, "parameters")),
    );
    let expansion = match get(sc, "allowVolumeExpansion").and_then(Value::as_bool) {
        Some(b) => super::text::print_bool(b),
        None => "<unset>",
    };
    w.write(LEVEL_0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    print_list(w, "MountOptions", arr(sc, "mountOptions"), value_string);
    for (field, title) in [
        ("reclaimPolicy", "ReclaimPolicy"),
        ("volumeBindingMode", "VolumeBindingMode"),
    ] {
        if let Some(v) = get(sc, field) {
            w.write(LEVEL_0, &format!("{title}:\t{}\n", value_string(v)));
        }
    }
    if let Some(topologies) = get(sc, "allowedTopologies").and_then(Value::as_array) {
        w.write(LEVEL_0, "AllowedTopologies:\t");
        if topologies.is_empty() {
            w.write_line("<none>");
        } else {
            w.write_line("");
            print_terms(w, LEVEL_1, topologies, "matchLabelExpressions", |req| {
                format!("{} in", s(req, "key"))
            });
        }
    }
    finish_with_events(w, events, opts)
}
