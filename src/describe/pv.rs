//! `describe persistentvolume` (kubectl's `describePersistentVolume`, `printVolumeNodeAffinity`).

use serde_json::Value;

use super::events::finish_with_events;
use super::quantity::Quantity;
use super::text::{
    arr, get, print_cluster_meta_header, print_finalizers, print_phase_or_terminating, print_terms,
    s, value_string,
};
use super::volumes::describe_pv_source;
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};
use super::{DescribeOptions, Events};
use kcore::volume::access_modes_string as access_modes;

/// Renders a PersistentVolume with its events (`None` when events are off).
pub fn describe_pv(pv: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    print_cluster_meta_header(w, pv);
    print_finalizers(w, pv);
    // storageutil.GetPersistentVolumeClass: the beta annotation wins over the field.
    let class = get(pv, "metadata.annotations")
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        .map(value_string)
        .unwrap_or_else(|| s(pv, "spec.storageClassName").to_string());
    w.write(LEVEL_0, &format!("StorageClass:\t{class}\n"));
    print_phase_or_terminating(w, pv, opts);
    let claim = match get(pv, "spec.claimRef") {
        Some(c) => format!("{}/{}", s(c, "namespace"), s(c, "name")),
        None => String::new(),
    };
    w.write(LEVEL_0, &format!("Claim:\t{claim}\n"));
    w.field(
        LEVEL_0,
        "Reclaim Policy",
        s(pv, "spec.persistentVolumeReclaimPolicy"),
    );
    w.field(
        LEVEL_0,
        "Access Modes",
        access_modes(arr(pv, "spec.accessModes")),
    );
    if let Some(mode) = get(pv, "spec.volumeMode") {
        w.field(LEVEL_0, "VolumeMode", value_string(mode));
    }
    let capacity = get(pv, "spec.capacity.storage")
        .map(value_string)
        .and_then(|q| Quantity::parse(&q))
        .unwrap_or_default();
    w.write(LEVEL_0, &format!("Capacity:\t{capacity}\n"));
    node_affinity(w, get(pv, "spec.nodeAffinity"));
    w.field(LEVEL_0, "Message", s(pv, "status.message"));
    w.write(LEVEL_0, "Source:\n");
    if let Some(spec) = get(pv, "spec") {
        describe_pv_source(spec, w, opts);
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
    finish_with_events(w, events, opts)
}

/// `printVolumeNodeAffinity` with `printNodeSelectorTermsMultilineWithIndent`.
fn node_affinity(w: &mut PrefixWriter, affinity: Option<&Value>) {
    w.write(LEVEL_0, "Node Affinity:\t");
    let Some(required) = affinity.and_then(|a| get(a, "required")) else {
        w.write_line("<none>");
        return;
    };
    w.write_line("");
    w.write(LEVEL_1, "Required Terms:\t");
    let terms = arr(required, "nodeSelectorTerms");
    if terms.is_empty() {
        w.write_line("<none>");
        return;
    }
    w.write_line("");
    print_terms(w, LEVEL_2, terms, "matchExpressions", |req| {
        format!("{} {}", s(req, "key"), s(req, "operator").to_lowercase())
    });
}
