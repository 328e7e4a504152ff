//! `describe persistentvolumeclaim` (kubectl's `describePersistentVolumeClaim`) and
//! `printPersistentVolumeClaim`, which ephemeral volumes share.

use kcore::volume::access_modes_string as access_modes;
use serde_json::Value;

use super::events::finish_with_events;
use super::statefulset::claim_class;
use super::text::{
    arr, get, print_conditions, print_finalizers, print_labels_annotations,
    print_phase_or_terminating, print_typed_reference, s, value_string, LAST_TRANSITION_TIME,
};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Related};

/// Renders a PVC; `pods` are the pods of its namespace (kubectl lists them all and keeps
/// those mounting the claim or owning it).
pub fn describe_pvc(pvc: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let pods = related.items("pods");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    let w = &mut w;
    print_pvc(w, pvc, true, opts);
    let users = pods_using(pvc, pods);
    w.write(LEVEL_0, "Used By:\t");
    if users.is_empty() {
        w.write_line("<none>");
    } else {
        let mut names: Vec<&str> = users.iter().map(|p| s(p, "metadata.name")).collect();
        kcore::gosort::sort(&mut names, |a, b| a < b);
        for (n, name) in names.into_iter().enumerate() {
            if n != 0 {
                w.write(LEVEL_0, "\t");
            }
            w.write(LEVEL_0, &format!("{name}\n"));
        }
    }
    print_conditions(
        w,
        arr(pvc, "status.conditions"),
        &[
            ("LastProbeTime", "-----------------", "lastProbeTime"),
            LAST_TRANSITION_TIME,
        ],
        " \t",
        opts,
    );
    finish_with_events(w, events, opts)
}

/// kubectl's `getPodsForPVC`: pods with a volume using the claim (once per such volume), then
/// owner pods not already listed.
fn pods_using<'a>(pvc: &Value, pods: &'a [Value]) -> Vec<&'a Value> {
    let name = s(pvc, "metadata.name");
    let mut out: Vec<&Value> = Vec::new();
    for p in pods {
        for v in arr(p, "spec.volumes") {
            if get(v, "persistentVolumeClaim").is_some()
                && s(v, "persistentVolumeClaim.claimName") == name
            {
                out.push(p);
            }
        }
    }
    for owner in arr(pvc, "metadata.ownerReferences") {
        if s(owner, "kind") != "Pod" {
            continue;
        }
        let uid = s(owner, "uid");
        if let Some(p) = pods.iter().find(|p| s(p, "metadata.uid") == uid) {
            if !out.iter().any(|q| s(q, "metadata.uid") == uid) {
                out.push(p);
            }
        }
    }
    out
}

/// `printPersistentVolumeClaim`; `full` is false for an ephemeral volume's claim template.
pub fn print_pvc(w: &mut PrefixWriter, pvc: &Value, full: bool, opts: &DescribeOptions) {
    if full {
        super::text::print_name_namespace(w, pvc);
    }
    w.field(LEVEL_0, "StorageClass", claim_class(pvc));
    if full {
        print_phase_or_terminating(w, pvc, opts);
    }
    w.field(LEVEL_0, "Volume", s(pvc, "spec.volumeName"));
    print_labels_annotations(w, pvc);
    if full {
        print_finalizers(w, pvc);
    }
    let (capacity, modes) = if s(pvc, "spec.volumeName").is_empty() {
        (String::new(), String::new())
    } else {
        let cap = get(pvc, "status.capacity.storage")
            .map(value_string)
            .and_then(|q| super::quantity::Quantity::parse(&q))
            .unwrap_or_default();
        (
            cap.to_string(),
            access_modes(arr(pvc, "status.accessModes")),
        )
    };
    w.write(LEVEL_0, &format!("Capacity:\t{capacity}\n"));
    w.write(LEVEL_0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = get(pvc, "spec.volumeMode") {
        w.field(LEVEL_0, "VolumeMode", value_string(mode));
    }
    if let Some(ds) = get(pvc, "spec.dataSource") {
        print_typed_reference(w, "DataSource", ds);
    }
}
