//! The PersistentVolume controller (kube-controller-manager's `persistentvolume-binder`) for
//! statically provisioned volumes, and the storage-object-in-use protection admission.
//!
//! - A new PersistentVolume becomes `Available` (the registry creates it `Pending`).
//! - A `Pending` claim is bound to the smallest Available volume that fits it: same storage
//!   class (none on both sides when the claim names none), same volume mode, every access mode
//!   the claim asks for, at least the requested storage, the claim's label selector; or to the
//!   volume it names in `spec.volumeName`. The volume gets the `claimRef` and
//!   `pv.kubernetes.io/bound-by-controller`, then phase `Bound`; the claim gets `volumeName`,
//!   `pv.kubernetes.io/bind-completed` (and `bound-by-controller` when the controller chose the
//!   volume), then phase `Bound` with the volume's capacity and access modes.
//! - A claim no volume fits, with no storage class, gets the `FailedBinding` event.
//! - When a bound claim is deleted, a volume with reclaim policy `Retain` becomes `Released`
//!   (the claimRef stays, as on the real controller).
//! - The pvc-protection and pv-protection controllers: a deleted claim keeps its finalizer
//!   while a pod that is not finished uses it; a deleted volume while it is `Bound`.
//!
//! Dynamic provisioning (claims whose class has a provisioner) is not simulated: such claims
//! stay `Pending`.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::events::{EventType, Recorder};
use super::{is_terminating, name_of, ns_of, uid_of, LabelSelector};
use crate::store::{GroupResource, Store, WatchEvent};

const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";

use super::{gr_pvcs, gr_pvs};

/// The StorageObjectInUseProtection admission plugin: new volumes and claims carry the
/// protection finalizer, so that one in use is not removed under its user.
pub fn protect_on_create(gr: &GroupResource, obj: &mut Value) {
    let finalizer = match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "persistentvolumes") => "kubernetes.io/pv-protection",
        ("", "persistentvolumeclaims") => "kubernetes.io/pvc-protection",
        _ => return,
    };
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let list = meta.entry("finalizers").or_insert_with(|| json!([]));
    if let Some(list) = list.as_array_mut() {
        if !list.iter().any(|f| f == finalizer) {
            list.push(json!(finalizer));
        }
    }
}

/// Runs the controller: a sync after each batch of volume or claim changes.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let recorder = Recorder::new(store.clone(), "persistentvolume-controller", "");
    let mut reported = HashSet::new();
    let (pvs, pvcs) = (gr_pvs(), gr_pvcs());
    // Pods matter once they are gone or finished (a deleted claim's protection).
    let matters = |ev: &WatchEvent| {
        ev.gr == pvs
            || ev.gr == pvcs
            || (ev.gr == super::gr_pods()
                && (ev.kind == crate::store::EventType::Deleted
                    || matches!(phase_of(&ev.object), "Succeeded" | "Failed")))
    };
    super::driver::converge_on(rx, matters, || sync(&store, &recorder, &mut reported)).await
}

fn storage(v: &Value) -> Option<i128> {
    crate::validation::quantity_nanos(&v["storage"])
}

fn class_of(obj: &Value) -> &str {
    obj["spec"]["storageClassName"].as_str().unwrap_or_default()
}

fn mode_of(obj: &Value) -> &str {
    obj["spec"]["volumeMode"].as_str().unwrap_or("Filesystem")
}

fn phase_of(obj: &Value) -> &str {
    obj["status"]["phase"].as_str().unwrap_or_default()
}

/// Whether `pv` can serve `claim` (ignoring whether it is free).
fn fits(pv: &Value, claim: &Value) -> bool {
    if class_of(pv) != class_of(claim) || mode_of(pv) != mode_of(claim) || is_terminating(pv) {
        return false;
    }
    let modes = pv["spec"]["accessModes"].as_array();
    let has = |m: &Value| modes.is_some_and(|ms| ms.contains(m));
    if !claim["spec"]["accessModes"]
        .as_array()
        .into_iter()
        .flatten()
        .all(has)
    {
        return false;
    }
    let want = storage(&claim["spec"]["resources"]["requests"]).unwrap_or(0);
    if storage(&pv["spec"]["capacity"]).is_none_or(|have| have < want) {
        return false;
    }
    match claim["spec"].get("selector").filter(|s| s.is_object()) {
        Some(sel) => LabelSelector::from_label_selector_json(sel)
            .is_ok_and(|s| s.matches(&pv["metadata"]["labels"])),
        None => true,
    }
}

/// Whether `pv`'s claimRef names `claim` (by uid when the reference has one).
fn refers_to(pv: &Value, claim: &Value) -> bool {
    let r = &pv["spec"]["claimRef"];
    r["name"] == claim["metadata"]["name"]
        && r["namespace"] == claim["metadata"]["namespace"]
        && (r["uid"].as_str().is_none_or(str::is_empty) || r["uid"] == claim["metadata"]["uid"])
}

/// One pass over every volume and claim.
pub fn sync(store: &Store, recorder: &Recorder, reported: &mut HashSet<String>) {
    let (pvs, pvcs) = (gr_pvs(), gr_pvcs());
    let now = store.clock().rfc3339();
    let (claims, _) = store.list(&pvcs, None);
    let (volumes, _) = store.list(&pvs, None);
    // Volumes: new ones become Available, those whose claim is gone Released.
    for pv in &volumes {
        let claim_ref = &pv["spec"]["claimRef"];
        let want = if !claim_ref.is_object() {
            "Available"
        } else if claim_ref["uid"].as_str().is_none_or(str::is_empty) {
            // Pre-bound by its author to a claim that does not exist (yet).
            "Available"
        } else if claims.iter().any(|c| uid_of(c) == claim_ref["uid"]) {
            continue;
        } else if pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain" {
            "Released"
        } else {
            continue;
        };
        if phase_of(pv) != want && !(want == "Available" && phase_of(pv) == "Bound") {
            set_phase(store, &pvs, "", name_of(pv), want, &now);
        }
    }
    unprotect(store, &claims, &volumes);
    // Claims: bind each Pending one to the best free volume.
    let (mut volumes, _) = store.list(&pvs, None);
    for claim in claims.iter().filter(|c| !is_terminating(c)) {
        if phase_of(claim) == "Bound" || phase_of(claim) == "Lost" {
            continue;
        }
        let named = claim["spec"]["volumeName"].as_str().unwrap_or_default();
        let free = |pv: &&Value| {
            let r = &pv["spec"]["claimRef"];
            (!r.is_object() || refers_to(pv, claim)) && phase_of(pv) != "Released"
        };
        let chosen = if named.is_empty() {
            // A volume pre-bound to this claim first, then the smallest that fits.
            volumes
                .iter()
                .filter(free)
                .filter(|pv| fits(pv, claim))
                .min_by_key(|pv| {
                    (
                        !refers_to(pv, claim),
                        storage(&pv["spec"]["capacity"]).unwrap_or(0),
                        name_of(pv).to_string(),
                    )
                })
        } else {
            volumes.iter().filter(free).find(|pv| name_of(pv) == named)
        };
        let Some(pv) = chosen.cloned() else {
            if named.is_empty()
                && class_of(claim).is_empty()
                && reported.insert(uid_of(claim).into())
            {
                recorder.event(
                    &pvcs,
                    claim,
                    EventType::Normal,
                    "FailedBinding",
                    "no persistent volumes available for this claim and no storage class is set",
                );
            }
            continue;
        };
        bind(store, &pv, claim, named.is_empty(), &now);
        volumes = store.list(&pvs, None).0;
    }
}

/// Drops the protection finalizer of deleted claims no running pod uses and of deleted
/// volumes that are not bound.
fn unprotect(store: &Store, claims: &[Value], volumes: &[Value]) {
    let drop_finalizer = |gr: &GroupResource, obj: &Value, finalizer: &str| {
        let _ = store.modify_retry(gr, ns_of(obj), name_of(obj), |o| {
            let Some(list) = o["metadata"]
                .get_mut("finalizers")
                .and_then(Value::as_array_mut)
            else {
                return Ok(false);
            };
            let before = list.len();
            list.retain(|f| f != finalizer);
            Ok(list.len() != before)
        });
    };
    let has = |obj: &Value, f: &str| {
        obj["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| x == f))
    };
    let deleted_claims: Vec<&Value> = claims
        .iter()
        .filter(|c| is_terminating(c) && has(c, "kubernetes.io/pvc-protection"))
        .collect();
    if !deleted_claims.is_empty() {
        let pods = super::gr_pods();
        for claim in deleted_claims {
            let (in_ns, _) = store.list(&pods, Some(ns_of(claim)));
            let used = in_ns.iter().any(|p| {
                !matches!(phase_of(p), "Succeeded" | "Failed")
                    && p["spec"]["volumes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|v| {
                            v["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
                        })
            });
            if !used {
                drop_finalizer(&gr_pvcs(), claim, "kubernetes.io/pvc-protection");
            }
        }
    }
    for pv in volumes {
        if is_terminating(pv) && phase_of(pv) != "Bound" && has(pv, "kubernetes.io/pv-protection") {
            drop_finalizer(&gr_pvs(), pv, "kubernetes.io/pv-protection");
        }
    }
}

fn set_phase(store: &Store, gr: &GroupResource, ns: &str, name: &str, phase: &str, now: &str) {
    let _ = store.modify_retry(gr, ns, name, |o| {
        if phase_of(o) == phase {
            return Ok(false);
        }
        o["status"]["phase"] = json!(phase);
        if gr.resource == "persistentvolumes" {
            o["status"]["lastPhaseTransitionTime"] = json!(now);
        }
        Ok(true)
    });
}

fn annotate(obj: &mut Value, key: &str) {
    if !obj["metadata"]["annotations"].is_object() {
        obj["metadata"]["annotations"] = json!({});
    }
    obj["metadata"]["annotations"][key] = json!("yes");
}

/// Binds `pv` and `claim`: the volume side first, then the claim, as the controller does.
fn bind(store: &Store, pv: &Value, claim: &Value, by_controller: bool, now: &str) {
    let (pvs, pvcs) = (gr_pvs(), gr_pvcs());
    let claim_ref = json!({
        "kind": "PersistentVolumeClaim",
        "namespace": ns_of(claim),
        "name": name_of(claim),
        "uid": uid_of(claim),
        "apiVersion": "v1",
        "resourceVersion": claim["metadata"]["resourceVersion"],
    });
    let bound = store.modify_retry(&pvs, "", name_of(pv), |o| {
        if o["spec"]["claimRef"].is_object() && !refers_to(o, claim) {
            return Ok(false);
        }
        if o["spec"]["claimRef"] != claim_ref {
            o["spec"]["claimRef"] = claim_ref.clone();
            if by_controller || !pv["spec"]["claimRef"].is_object() {
                annotate(o, BOUND_BY_CONTROLLER);
            }
        }
        o["status"]["phase"] = json!("Bound");
        o["status"]["lastPhaseTransitionTime"] = json!(now);
        Ok(true)
    });
    let Ok(pv) = bound else { return };
    if !refers_to(&pv, claim) {
        return;
    }
    let _ = store.modify_retry(&pvcs, ns_of(claim), name_of(claim), |o| {
        if uid_of(o) != uid_of(claim) {
            return Ok(false);
        }
        o["spec"]["volumeName"] = json!(name_of(&pv));
        annotate(o, BIND_COMPLETED);
        if by_controller {
            annotate(o, BOUND_BY_CONTROLLER);
        }
        o["status"]["phase"] = json!("Bound");
        o["status"]["accessModes"] = pv["spec"]["accessModes"].clone();
        o["status"]["capacity"] = pv["spec"]["capacity"].clone();
        Ok(true)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::{apply_defaults, prepare_for_create};

    fn create(store: &Store, gr: &GroupResource, mut obj: Value) {
        apply_defaults(gr, &mut obj);
        prepare_for_create(gr, &mut obj);
        store.create(gr, obj).unwrap();
    }

    fn pv(name: &str, size: &str, class: Option<&str>) -> Value {
        let mut v = json!({"metadata": {"name": name},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                "hostPath": {"path": "/tmp/x"}}});
        if let Some(c) = class {
            v["spec"]["storageClassName"] = json!(c);
        }
        v
    }

    fn pvc(name: &str, size: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": size}}}})
    }

    fn phase(store: &Store, gr: &GroupResource, ns: &str, name: &str) -> String {
        phase_of(&store.get(gr, ns, name).unwrap()).to_string()
    }

    #[test]
    fn claims_bind_to_the_smallest_fitting_volume_and_release_it() {
        let store = Arc::new(Store::new());
        let rec = Recorder::new(store.clone(), "persistentvolume-controller", "");
        let mut seen = HashSet::new();
        let (pvs, pvcs) = (gr_pvs(), gr_pvcs());
        create(&store, &pvs, pv("big", "5Gi", Some("")));
        create(&store, &pvs, pv("small", "1Gi", None));
        create(&store, &pvs, pv("fast", "1Gi", Some("fast")));
        assert_eq!(phase(&store, &pvs, "", "small"), "Pending");
        sync(&store, &rec, &mut seen);
        assert_eq!(phase(&store, &pvs, "", "small"), "Available");
        let small = store.get(&pvs, "", "small").unwrap();
        assert_eq!(
            small["metadata"]["finalizers"],
            json!(["kubernetes.io/pv-protection"])
        );

        create(&store, &pvcs, pvc("claim", "500Mi"));
        create(&store, &pvcs, pvc("huge", "10Gi"));
        sync(&store, &rec, &mut seen);
        let pv = store.get(&pvs, "", "small").unwrap();
        let claim = store.get(&pvcs, "default", "claim").unwrap();
        assert_eq!(phase_of(&pv), "Bound");
        assert_eq!(pv["spec"]["claimRef"]["uid"], claim["metadata"]["uid"]);
        assert_eq!(pv["metadata"]["annotations"][BOUND_BY_CONTROLLER], "yes");
        assert_eq!(phase_of(&claim), "Bound");
        assert_eq!(claim["spec"]["volumeName"], "small");
        assert_eq!(claim["status"]["capacity"], json!({"storage": "1Gi"}));
        assert_eq!(claim["metadata"]["annotations"][BIND_COMPLETED], "yes");
        assert_eq!(
            claim["metadata"]["finalizers"],
            json!(["kubernetes.io/pvc-protection"])
        );
        assert_eq!(phase(&store, &pvcs, "default", "huge"), "Pending");
        assert_eq!(phase(&store, &pvs, "", "big"), "Available");
        assert_eq!(phase(&store, &pvs, "", "fast"), "Available");
        let (events, _) = store.list(&GroupResource::new("", "events"), Some("default"));
        assert!(events
            .iter()
            .any(|e| e["reason"] == "FailedBinding" && e["involvedObject"]["name"] == "huge"));

        // Deleted (marked, the finalizer holds it), then removed by the protection controller.
        crate::controllers::delete_object(&store, &pvcs, "default", "claim").unwrap();
        assert!(store.get(&pvcs, "default", "claim").is_some());
        sync(&store, &rec, &mut seen);
        assert!(store.get(&pvcs, "default", "claim").is_none());
        sync(&store, &rec, &mut seen);
        assert_eq!(phase(&store, &pvs, "", "small"), "Released");
        crate::controllers::delete_object(&store, &pvs, "", "small").unwrap();
        sync(&store, &rec, &mut seen);
        assert!(store.get(&pvs, "", "small").is_none());
    }
}
