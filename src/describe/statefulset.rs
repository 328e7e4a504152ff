//! `describe statefulset` (kubectl's `describeStatefulSet` and `describeVolumeClaimTemplates`).

use serde_json::Value;

use super::events::finish_with_events;
use super::replicaset::replicas;
use super::text::{
    arr, get, i, print_creation_timestamp, print_labels_annotations, print_labels_indent,
    print_selector, s, string_map, value_string,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{print_pods_and_template, DescribeOptions, Related};

/// Renders a StatefulSet; `pods` match its selector.
pub fn describe_statefulset(ss: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let pods = related.items("pods");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_name_namespace(w, ss);
    print_creation_timestamp(w, ss, opts);
    print_selector(w, ss);
    print_labels_annotations(w, ss);
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            replicas(ss),
            i(ss, "status.replicas")
        ),
    );
    w.field(
        LEVEL_0,
        "Update Strategy",
        s(ss, "spec.updateStrategy.type"),
    );
    if let Some(ru) = get(ss, "spec.updateStrategy.rollingUpdate") {
        if let Some(p) = get(ru, "partition") {
            w.field(LEVEL_1, "Partition", value_string(p));
            if let Some(m) = get(ru, "maxUnavailable") {
                w.field(LEVEL_1, "MaxUnavailable", value_string(m));
            }
        }
    }
    print_pods_and_template(w, ss, pods, None, opts);
    describe_volume_claim_templates(arr(ss, "spec.volumeClaimTemplates"), w);
    finish_with_events(w, events, opts)
}

/// `storageutil.GetPersistentVolumeClaimClass`: the beta annotation wins over the field.
pub fn claim_class(pvc: &Value) -> String {
    get(pvc, "metadata.annotations")
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        .map(value_string)
        .or_else(|| get(pvc, "spec.storageClassName").map(value_string))
        .unwrap_or_default()
}

fn describe_volume_claim_templates(templates: &[Value], w: &mut PrefixWriter) {
    if templates.is_empty() {
        w.write(LEVEL_0, "Volume Claims:\t<none>\n");
        return;
    }
    w.write(LEVEL_0, "Volume Claims:\n");
    for pvc in templates {
        w.field(LEVEL_1, "Name", s(pvc, "metadata.name"));
        w.field(LEVEL_1, "StorageClass", claim_class(pvc));
        print_labels_indent(w, "  ", "Labels", "\t", &string_map(pvc, "metadata.labels"));
        print_labels_indent(
            w,
            "  ",
            "Annotations",
            "\t",
            &string_map(pvc, "metadata.annotations"),
        );
        let capacity = get(pvc, "spec.resources.requests.storage")
            .map(value_string)
            .unwrap_or("<default>".into());
        w.write(LEVEL_1, &format!("Capacity:\t{capacity}\n"));
        let modes: Vec<String> = arr(pvc, "spec.accessModes")
            .iter()
            .map(value_string)
            .collect();
        w.write(LEVEL_1, &format!("Access Modes:\t[{}]\n", modes.join(" ")));
    }
}
