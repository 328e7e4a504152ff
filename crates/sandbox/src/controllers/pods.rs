//! Pod helpers: creating a pod as a POST would (defaults, admission, create strategy), and
//! what the kubelet reports about pods (QoS class, image names and IDs as containerd does).

use serde_json::{json, Value};

use super::events::{EventType, Recorder};
use super::{apply_defaults, gr_pods, prepare_for_create};
use crate::store::{GroupResource, Store, StoreError};

/// The pod's QoS class from its containers' requests and limits.
pub fn qos_class(pod: &Value) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for list in ["initContainers", "containers"] {
        for c in pod["spec"][list].as_array().into_iter().flatten() {
            let req = &c["resources"]["requests"];
            let lim = &c["resources"]["limits"];
            let non_empty = |v: &Value| v.as_object().is_some_and(|o| !o.is_empty());
            if non_empty(req) || non_empty(lim) {
                any = true;
            }
            for r in ["cpu", "memory"] {
                let l = &lim[r];
                let q = if req[r].is_null() { l } else { &req[r] };
                if l.is_null() || q != l {
                    guaranteed = false;
                }
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
}

/// A pod of `owner` (a `kind` of `api_version`) from `template`: named `<owner>-<random>`,
/// with the template's labels, annotations and spec and the controller reference.
pub(crate) fn pod_from_template(
    owner: &Value,
    api_version: &str,
    kind: &str,
    template: &Value,
) -> Value {
    let mut meta = json!({
        "generateName": format!("{}-", super::name_of(owner)),
        "namespace": super::ns_of(owner),
        "labels": template["metadata"]["labels"],
        "ownerReferences": [super::owner_reference(owner, api_version, kind)],
    });
    if template["metadata"]["annotations"].is_object() {
        meta["annotations"] = template["metadata"]["annotations"].clone();
    }
    json!({"metadata": meta, "spec": template["spec"]})
}

/// Defaults (with the pod admission plugins) and the create strategy, then stores the pod
/// (like a POST of it).
pub fn create_pod(store: &Store, mut pod: Value) -> Result<Value, StoreError> {
    // The API server would refuse these; controllers report the refusal as FailedCreate.
    if !pod["spec"].is_object() {
        return Err(StoreError::Invalid("spec: Required value".into()));
    }
    let has_containers = pod["spec"]["containers"]
        .as_array()
        .is_some_and(|c| !c.is_empty() && c.iter().all(|c| c.is_object() && c["name"].is_string()));
    if !has_containers {
        return Err(StoreError::Invalid(
            "spec.containers: Required value".into(),
        ));
    }
    pod["kind"] = json!("Pod");
    pod["apiVersion"] = json!("v1");
    apply_defaults(&gr_pods(), &mut pod);
    prepare_for_create(&gr_pods(), &mut pod);
    store.create(&gr_pods(), pod)
}

/// `RealPodControl.CreatePods`: creates `pod` for `owner` (of `owner_gr`) and records on the
/// owner what the controllers record: SuccessfulCreate "Created pod: NAME", or FailedCreate
/// "Error creating: ERROR". The pod as stored, when created.
pub(crate) fn create_owned_pod(
    store: &Store,
    recorder: &Recorder,
    owner_gr: &GroupResource,
    owner: &Value,
    pod: Value,
) -> Option<Value> {
    match create_pod(store, pod) {
        Ok(p) => {
            let msg = format!("Created pod: {}", super::name_of(&p));
            recorder.event(owner_gr, owner, EventType::Normal, "SuccessfulCreate", &msg);
            Some(p)
        }
        Err(e) => {
            let msg = format!("Error creating: {e}");
            recorder.event(owner_gr, owner, EventType::Warning, "FailedCreate", &msg);
            None
        }
    }
}

/// `RealPodControl.DeletePod`: deletes the pod `ns/name` of `owner` and, when it did, records
/// SuccessfulDelete "Deleted pod: NAME" on the owner.
pub(crate) fn delete_owned_pod(
    store: &Store,
    recorder: &Recorder,
    owner_gr: &GroupResource,
    owner: &Value,
    (ns, name): (&str, &str),
) -> bool {
    let deleted = super::delete_object(store, &gr_pods(), ns, name).is_ok();
    if deleted {
        let msg = format!("Deleted pod: {name}");
        recorder.event(owner_gr, owner, EventType::Normal, "SuccessfulDelete", &msg);
    }
    deleted
}

/// An image reference as the runtime reports it: `docker.io/library/nginx:latest`.
pub fn normalize_image(image: &str) -> String {
    let (first, _) = image.split_once('/').unwrap_or(("", image));
    let has_domain = first.contains('.') || first.contains(':') || first == "localhost";
    let mut full = if has_domain {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    };
    let last = full.rsplit('/').next().unwrap_or_default();
    if !last.contains(':') && !last.contains('@') {
        full.push_str(":latest");
    }
    full
}

fn fnv64(seed: u64, s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A stable 64-hex digest for an image (the same image always has the same ID).
pub fn image_digest(image: &str) -> String {
    (0..4u64)
        .map(|i| format!("{:016x}", fnv64(i.wrapping_mul(0x9e37_79b9), image)))
        .collect()
}

/// `repo@sha256:<digest>` as containerd reports the imageID.
pub fn image_id(image: &str) -> String {
    let full = normalize_image(image);
    let repo = match full.rsplit_once('/') {
        Some((dir, last)) => {
            let name = last.split(['@', ':']).next().unwrap_or(last);
            format!("{dir}/{name}")
        }
        None => full.clone(),
    };
    format!("{repo}@sha256:{}", image_digest(&full))
}

/// A plausible, stable image size in bytes.
pub fn image_size(image: &str) -> u64 {
    8_000_000 + fnv64(7, image) % 60_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        for (image, want) in [
            (
                "prom/node-exporter:latest",
                "docker.io/prom/node-exporter:latest",
            ),
            ("nginx", "docker.io/library/nginx:latest"),
            ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
        ] {
            assert_eq!(normalize_image(image), want);
        }
        let id = image_id("prom/node-exporter:latest");
        assert!(
            id.starts_with("docker.io/prom/node-exporter@sha256:"),
            "{id}"
        );
        assert_eq!(id.len(), "docker.io/prom/node-exporter@sha256:".len() + 64);
        assert_eq!(id, image_id("prom/node-exporter:latest"));
    }

    #[test]
    fn qos_classes() {
        let p = |res: Value| json!({"spec": {"containers": [{"name": "c", "resources": res}]}});
        assert_eq!(qos_class(&p(json!({}))), "BestEffort");
        assert_eq!(
            qos_class(&p(json!({"limits": {"memory": "64Mi"},
            "requests": {"memory": "64Mi"}}))),
            "Burstable"
        );
        assert_eq!(
            qos_class(&p(json!({"limits": {"memory": "64Mi", "cpu": "1"}}))),
            "Guaranteed"
        );
    }

    #[test]
    fn created_pod_matches_reference_shape() {
        let store = Store::new();
        let reference = crate::controllers::testutil::reference("pods-list.json");
        let want = &reference["items"][0];
        let mut pod = want.clone();
        // What the DaemonSet controller sends: no admission results, no status.
        pod["metadata"] = json!({"generateName": "node-exporter-", "namespace": "default",
            "labels": want["metadata"]["labels"]});
        pod["status"] = json!(null);
        for f in [
            "serviceAccountName",
            "serviceAccount",
            "priority",
            "enableServiceLinks",
            "preemptionPolicy",
            "nodeName",
        ] {
            pod["spec"].as_object_mut().unwrap().remove(f);
        }
        pod["spec"]["volumes"].as_array_mut().unwrap().pop();
        pod["spec"]["containers"][0]["volumeMounts"]
            .as_array_mut()
            .unwrap()
            .pop();
        let got = create_pod(&store, pod).unwrap();
        let vol = got["spec"]["volumes"][2]["name"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(vol.starts_with("kube-api-access-") && vol.len() == 21);
        let mut want_spec = want["spec"].clone();
        want_spec.as_object_mut().unwrap().remove("nodeName");
        want_spec["volumes"][2]["name"] = json!(vol);
        want_spec["containers"][0]["volumeMounts"][2]["name"] = json!(vol);
        let d = crate::controllers::testutil::diff(&got["spec"], &want_spec);
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(
            got["status"],
            json!({"phase": "Pending", "qosClass": "BestEffort"})
        );
        assert_eq!(got["metadata"]["generation"], 1);
    }
}
