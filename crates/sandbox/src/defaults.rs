//! Defaulting as kube-apiserver does it on create and update, per served kind.
//!
//! Covers the scheme defaulters (`pkg/apis/*/v1/defaults.go` and the declarative `+default`
//! tags), the admission plugins every real cluster runs that add fields to pods
//! (ServiceAccount, DefaultTolerationSeconds, Priority), the registry's create-time fields for
//! pods and namespaces (`status.phase`, `qosClass`, `spec.finalizers`), and the zero-valued
//! fields Go always serializes (non-`omitempty` ints and structs). Every rule only fills what is
//! missing, so applying it again (on update) changes nothing.
//!
//! `prepare_for_create` / `prepare_for_update` add the registry strategies' bookkeeping:
//! `metadata.generation`, a DaemonSet's `deprecated.daemonset.template.generation` and a Job's
//! generated selector.
//!
//! Not done here: a Service's `clusterIP`/`clusterIPs` and node ports (allocation belongs to the
//! HTTP layer, which owns the allocator state).

use serde_json::{json, Map, Value};

use super::store::{new_uid, random_suffix, GroupResource};

/// Fills in what kube-apiserver v1.36 defaults for `obj` of resource `gr` (no-op for kinds
/// without defaults and for non-object input). Service `clusterIP` is left to the caller.
pub fn apply_defaults(gr: &GroupResource, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    // ControllerRevision data is raw JSON, stored as sent.
    if gr.resource != "controllerrevisions" {
        drop_zero_creation_timestamps(obj);
    }
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => default_pod(obj),
        ("", "podtemplates") => default_template(obj, "/template"),
        ("", "replicationcontrollers") => default_replication_controller(obj),
        ("", "services") => default_service(obj),
        ("", "namespaces") => default_namespace(obj),
        ("", "secrets") => set(obj, "type", json!("Opaque")),
        ("", "events") => default_event(obj),
        ("", "nodes") => default_node(obj),
        ("", "endpoints") => default_endpoints(obj),
        ("", "persistentvolumeclaims") => {
            set(child(obj, "spec"), "volumeMode", json!("Filesystem"));
            set(child(obj, "status"), "phase", json!("Pending"));
        }
        ("", "persistentvolumes") => {
            let spec = child(obj, "spec");
            set(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
            set(spec, "volumeMode", json!("Filesystem"));
            if let Some(hp) = spec.get_mut("hostPath").filter(|h| h.is_object()) {
                set(hp, "type", json!(""));
            }
            set(child(obj, "status"), "phase", json!("Pending"));
        }
        ("apps", "daemonsets") => default_daemonset(obj),
        ("apps", "deployments") => default_deployment(obj),
        ("apps", "replicasets") => {
            set(child(obj, "spec"), "replicas", json!(1));
            default_template(obj, "/spec/template");
            set(child(obj, "status"), "replicas", json!(0));
        }
        ("apps", "statefulsets") => default_statefulset(obj),
        ("batch", "jobs") => default_job(obj),
        ("batch", "cronjobs") => default_cronjob(obj),
        _ => crate::defaults_groups::apply_defaults(gr, obj),
    }
}

/// For kinds whose registry sets `metadata.generation` (1 on create, kept on update): the
/// top-level fields whose change bumps it (none for PriorityClasses); `None` for the others.
fn generation_fields(gr: &GroupResource) -> Option<&'static [&'static str]> {
    const SPEC: &[&str] = &["spec"];
    let g = gr.group.as_str();
    Some(match (g, gr.resource.as_str()) {
        ("", "pods" | "replicationcontrollers") => SPEC,
        ("", "podtemplates") => &["template"],
        ("apps", "deployments" | "daemonsets" | "replicasets" | "statefulsets") => SPEC,
        ("batch", "jobs" | "cronjobs") => SPEC,
        ("networking.k8s.io", "ingresses" | "networkpolicies" | "ingressclasses") => SPEC,
        ("policy", "poddisruptionbudgets") => SPEC,
        ("autoscaling", "horizontalpodautoscalers") => SPEC,
        // Everything but metadata, and the labels (endpointslice strategy).
        ("discovery.k8s.io", "endpointslices") => &["addressType", "endpoints", "ports", "labels"],
        (
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations" | "mutatingwebhookconfigurations",
        ) => &["webhooks"],
        ("admissionregistration.k8s.io", _) => SPEC,
        ("flowcontrol.apiserver.k8s.io", _) => SPEC,
        ("resource.k8s.io", "deviceclasses" | "devicetaintrules" | "resourceslices") => SPEC,
        ("scheduling.k8s.io", "priorityclasses") => &[],
        // Custom resources always carry a generation.
        _ if g.contains('.') && !g.ends_with(".k8s.io") => SPEC,
        _ => return None,
    })
}

const DS_TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

/// What the registry sets on create besides defaults: `metadata.generation` 1 for kinds that
/// track spec changes, a DaemonSet's template generation annotation ("1"), and a Job's
/// generated selector and pod labels (which need its uid: one is assigned here when the
/// object has none yet, and the store keeps it). Call after `apply_defaults`.
pub fn prepare_for_create(gr: &GroupResource, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    let track = generation_fields(gr).is_some();
    let ds = gr.group == "apps" && gr.resource == "daemonsets";
    let meta = child(obj, "metadata");
    if track {
        put(meta, "generation", json!(1));
    }
    if ds {
        let ann = child(meta, "annotations");
        put(ann, DS_TEMPLATE_GENERATION, json!("1"));
    }
    if gr.group == "batch" && gr.resource == "jobs" {
        generate_job_selector(obj);
    }
    crate::controllers::volumes::protect_on_create(gr, obj);
}

/// What the registry changes on an update of `old` into `new` (both defaulted): the generation
/// is carried over and bumped when the spec changed (for Deployments also when annotations
/// did), and a DaemonSet's template generation is carried over and bumped when its pod
/// template changed.
pub fn prepare_for_update(gr: &GroupResource, old: &Value, new: &mut Value) {
    if !new.is_object() {
        return;
    }
    let deployment = gr.group == "apps" && gr.resource == "deployments";
    let ds = gr.group == "apps" && gr.resource == "daemonsets";
    if let Some(fields) = generation_fields(gr) {
        let old_gen = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let field = |o: &Value, f: &str| match f {
            "labels" => o.pointer("/metadata/labels").cloned(),
            _ => o.get(f).cloned(),
        };
        let mut changed = fields.iter().any(|f| field(old, f) != field(new, f));
        if deployment {
            changed |= old.pointer("/metadata/annotations") != new.pointer("/metadata/annotations");
        }
        put(
            child(new, "metadata"),
            "generation",
            json!(old_gen.saturating_add(i64::from(changed))),
        );
    }
    if ds {
        let old_tg = old
            .pointer(&format!("/metadata/annotations/{DS_TEMPLATE_GENERATION}"))
            .and_then(Value::as_str)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        let bumped = old.pointer("/spec/template") != new.pointer("/spec/template");
        let ann = child(child(new, "metadata"), "annotations");
        put(
            ann,
            DS_TEMPLATE_GENERATION,
            json!(old_tg.saturating_add(i64::from(bumped)).to_string()),
        );
    }
}

// ---- small JSON helpers ----

/// Sets `key` when absent or null.
fn set(obj: &mut Value, key: &str, v: Value) {
    if let Some(m) = obj.as_object_mut() {
        match m.get(key) {
            None | Some(Value::Null) => {
                m.insert(key.to_string(), v);
            }
            _ => {}
        }
    }
}

/// The value at `key`, created as `{}` when absent or null. A non-object value is returned as
/// is: `set` and `put` ignore it, so malformed input is left for validation to reject.
fn child<'a>(obj: &'a mut Value, key: &str) -> &'a mut Value {
    set(obj, key, json!({}));
    match obj {
        Value::Object(m) => m.entry(key.to_string()).or_insert_with(|| json!({})),
        other => other,
    }
}

/// Sets `key` unconditionally when `obj` is an object.
fn put(obj: &mut Value, key: &str, v: Value) {
    if let Some(m) = obj.as_object_mut() {
        m.insert(key.to_string(), v);
    }
}

/// Elements of the array at `key` (nothing when absent or not an array).
fn items<'a>(obj: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    obj.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter(|v| v.is_object())
}

fn is_empty_or_missing(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        _ => false,
    }
}

// ---- pods and pod templates ----

/// The tag an image reference names, as kubelet's `parsers.ParseImageName` sees it
/// ("latest" when neither tag nor digest is given).
fn image_tag(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.rsplit_once(':') {
        Some((_, tag)) => tag.to_string(),
        None if digest.is_some() => String::new(),
        None if image.is_empty() => String::new(),
        None => "latest".to_string(),
    }
}

fn default_http_get(handler: &mut Value) {
    if let Some(h) = handler.get_mut("httpGet").filter(|h| h.is_object()) {
        if is_empty_or_missing(h.get("path")) {
            h["path"] = json!("/");
        }
        if is_empty_or_missing(h.get("scheme")) {
            h["scheme"] = json!("HTTP");
        }
    }
}

fn default_probe(probe: &mut Value) {
    if !probe.is_object() {
        return;
    }
    for (k, d) in [
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ] {
        if is_empty_or_missing(probe.get(k)) {
            probe[k] = json!(d);
        }
    }
    default_http_get(probe);
}

fn default_container(c: &mut Value) {
    if is_empty_or_missing(c.get("imagePullPolicy")) {
        let tag = image_tag(c["image"].as_str().unwrap_or_default());
        c["imagePullPolicy"] = json!(if tag == "latest" {
            "Always"
        } else {
            "IfNotPresent"
        });
    }
    if is_empty_or_missing(c.get("terminationMessagePath")) {
        c["terminationMessagePath"] = json!("/dev/termination-log");
    }
    if is_empty_or_missing(c.get("terminationMessagePolicy")) {
        c["terminationMessagePolicy"] = json!("File");
    }
    set(c, "resources", json!({}));
    for p in items(c, "ports") {
        if is_empty_or_missing(p.get("protocol")) {
            p["protocol"] = json!("TCP");
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = c.get_mut(probe) {
            default_probe(p);
        }
    }
    if let Some(lc) = c.get_mut("lifecycle").filter(|l| l.is_object()) {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = lc.get_mut(hook) {
                default_http_get(h);
            }
        }
    }
    for e in items(c, "env") {
        if let Some(fr) = e.pointer_mut("/valueFrom/fieldRef") {
            set(fr, "apiVersion", json!("v1"));
        }
    }
}

/// A downward API volume or projection: its fieldRefs default to `v1`.
fn default_downward_api(d: &mut Value) {
    for item in items(d, "items") {
        if let Some(fr) = item.get_mut("fieldRef") {
            set(fr, "apiVersion", json!("v1"));
        }
    }
}

fn default_volume(v: &mut Value) {
    let Some(m) = v.as_object() else { return };
    if !m.keys().any(|k| k != "name") {
        v["emptyDir"] = json!({});
    }
    if let Some(hp) = v.get_mut("hostPath").filter(|h| h.is_object()) {
        set(hp, "type", json!(""));
    }
    for src in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(s) = v.get_mut(src).filter(|s| s.is_object()) {
            set(s, "defaultMode", json!(420));
        }
    }
    if let Some(d) = v.get_mut("downwardAPI") {
        default_downward_api(d);
    }
    if let Some(p) = v.get_mut("projected") {
        for s in items(p, "sources") {
            if let Some(t) = s.get_mut("serviceAccountToken").filter(|t| t.is_object()) {
                set(t, "expirationSeconds", json!(3600));
            }
            if let Some(d) = s.get_mut("downwardAPI") {
                default_downward_api(d);
            }
        }
    }
    if let Some(spec) = v.pointer_mut("/ephemeral/volumeClaimTemplate/spec") {
        set(spec, "volumeMode", json!("Filesystem"));
    }
}

/// SetDefaults_PodSpec and everything nested in a pod spec (shared by pods and templates).
fn default_pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    for (k, v) in [
        ("dnsPolicy", "ClusterFirst"),
        ("restartPolicy", "Always"),
        ("schedulerName", "default-scheduler"),
    ] {
        if is_empty_or_missing(spec.get(k)) {
            put(spec, k, json!(v));
        }
    }
    set(spec, "securityContext", json!({}));
    set(spec, "terminationGracePeriodSeconds", json!(30));
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for c in items(spec, list) {
            default_container(c);
        }
    }
    for v in items(spec, "volumes") {
        default_volume(v);
    }
}

/// Defaults the pod template at `ptr` (e.g. `/spec/template`) of a workload.
fn default_template(obj: &mut Value, ptr: &str) {
    if let Some(t) = obj.pointer_mut(ptr).filter(|t| t.is_object()) {
        default_pod_spec(child(t, "spec"));
    }
}

/// Removes `creationTimestamp: null` from every object's `metadata` (templates, job
/// templates, claim templates): it decodes to the zero time, which a v1.36 server omits
/// (`omitzero`). Go clients before v1.34 send it in JSON (kubectl's `rollout undo` does), and
/// every protobuf body carries it (kubectl v1.36's `create job` and `create cronjob` do).
fn drop_zero_creation_timestamps(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
                if meta.get("creationTimestamp").is_some_and(Value::is_null) {
                    meta.remove("creationTimestamp");
                }
            }
            m.values_mut().for_each(drop_zero_creation_timestamps);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_zero_creation_timestamps),
        _ => {}
    }
}

const SA_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The ServiceAccount admission plugin: default service account and the projected API token
/// volume (`kube-api-access-xxxxx`) mounted into every container.
fn admit_service_account(spec: &mut Value) {
    let sa = spec["serviceAccountName"]
        .as_str()
        .filter(|s| !s.is_empty())
        .or_else(|| spec["serviceAccount"].as_str().filter(|s| !s.is_empty()))
        .unwrap_or("default")
        .to_string();
    spec["serviceAccountName"] = json!(sa);
    spec["serviceAccount"] = json!(sa);
    if spec["automountServiceAccountToken"] == json!(false) {
        return;
    }
    let lists = ["initContainers", "containers"];
    let already = lists.iter().any(|l| {
        spec[*l].as_array().is_some_and(|cs| {
            cs.iter().any(|c| {
                c["volumeMounts"].as_array().is_some_and(|ms| {
                    ms.iter()
                        .any(|m| m["mountPath"].as_str() == Some(SA_MOUNT_PATH))
                })
            })
        })
    });
    // A token volume from an earlier pass (apply_defaults also runs on update).
    let has_volume = spec["volumes"].as_array().is_some_and(|vs| {
        vs.iter().any(|v| {
            v["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("kube-api-access-"))
                && v.get("projected").is_some()
        })
    });
    if already || has_volume {
        return;
    }
    let name = format!("kube-api-access-{}", random_suffix(5));
    let volume = json!({
        "name": name,
        "projected": {
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace",
                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ],
            "defaultMode": 420
        }
    });
    match spec.get_mut("volumes").and_then(Value::as_array_mut) {
        Some(vs) => vs.push(volume),
        None => spec["volumes"] = json!([volume]),
    }
    let mount = json!({"name": name, "readOnly": true, "mountPath": SA_MOUNT_PATH});
    for l in lists {
        for c in items(spec, l) {
            match c.get_mut("volumeMounts").and_then(Value::as_array_mut) {
                Some(ms) => ms.push(mount.clone()),
                None => c["volumeMounts"] = json!([mount.clone()]),
            }
        }
    }
}

/// The DefaultTolerationSeconds admission plugin: tolerate not-ready and unreachable nodes for
/// 300s unless the pod already tolerates them.
fn admit_default_tolerations(spec: &mut Value) {
    let tols: Vec<Value> = spec["tolerations"].as_array().cloned().unwrap_or_default();
    let tolerates = |key: &str| {
        tols.iter().any(|t| {
            let k = t["key"].as_str().unwrap_or_default();
            let e = t["effect"].as_str().unwrap_or_default();
            (k == key || k.is_empty()) && (e == "NoExecute" || e.is_empty())
        })
    };
    let mut add = Vec::new();
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerates(key) {
            add.push(
                json!({"key": key, "operator": "Exists", "effect": "NoExecute",
                "tolerationSeconds": 300}),
            );
        }
    }
    if add.is_empty() {
        return;
    }
    match spec.get_mut("tolerations").and_then(Value::as_array_mut) {
        Some(ts) => ts.extend(add),
        None => spec["tolerations"] = Value::Array(add),
    }
}

/// The Priority admission plugin with the built-in classes only (no global default class).
fn admit_priority(spec: &mut Value) {
    let prio = match spec["priorityClassName"].as_str() {
        Some("system-node-critical") => 2_000_001_000,
        Some("system-cluster-critical") => 2_000_000_000,
        _ => 0,
    };
    set(spec, "priority", json!(prio));
    set(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
}

/// A resource quantity (`500m`, `1Gi`, `2e3`, `1.5`) as a number, for comparisons only.
fn quantity(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => kcore::quantity::parse_quantity(s.trim()),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn same_quantity(a: &Value, b: &Value) -> bool {
    match (quantity(a), quantity(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
        _ => a == b,
    }
}

/// The pod's QoS class from its containers' cpu/memory requests and limits (after requests
/// were defaulted from limits), as `qos.GetPodQOS` decides it.
fn qos_class(spec: &Value) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    let nonzero = |v: &Value| !v.is_null() && quantity(v) != Some(0.0);
    for l in ["initContainers", "containers"] {
        for c in spec[l].as_array().into_iter().flatten() {
            let req = &c["resources"]["requests"];
            let lim = &c["resources"]["limits"];
            for r in ["cpu", "memory"] {
                let (q, li) = (&req[r], &lim[r]);
                if nonzero(q) || nonzero(li) {
                    any = true;
                }
                if !nonzero(li) || !same_quantity(q, li) {
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

fn default_pod(obj: &mut Value) {
    let spec = child(obj, "spec");
    if !spec.is_object() {
        return;
    }
    default_pod_spec(spec);
    for l in ["containers", "initContainers"] {
        for c in items(spec, l) {
            let res = child(c, "resources");
            if let Some(limits) = res.get("limits").and_then(Value::as_object).cloned() {
                let reqs = child(res, "requests");
                for (k, v) in limits {
                    set(reqs, &k, v);
                }
            }
        }
    }
    set(spec, "enableServiceLinks", json!(true));
    if spec["hostNetwork"] == json!(true) {
        for l in ["containers", "initContainers"] {
            for c in items(spec, l) {
                for p in items(c, "ports") {
                    if is_empty_or_missing(p.get("hostPort")) {
                        p["hostPort"] = p["containerPort"].clone();
                    }
                }
            }
        }
    }
    admit_service_account(spec);
    admit_default_tolerations(spec);
    admit_priority(spec);
    let qos = qos_class(spec);
    let status = child(obj, "status");
    set(status, "phase", json!("Pending"));
    set(status, "qosClass", json!(qos));
}

// ---- workloads ----

fn default_daemonset(obj: &mut Value) {
    let spec = child(obj, "spec");
    let us = child(spec, "updateStrategy");
    if is_empty_or_missing(us.get("type")) {
        put(us, "type", json!("RollingUpdate"));
    }
    if us["type"] == "RollingUpdate" {
        let ru = child(us, "rollingUpdate");
        set(ru, "maxUnavailable", json!(1));
        set(ru, "maxSurge", json!(0));
    }
    set(spec, "revisionHistoryLimit", json!(10));
    default_template(obj, "/spec/template");
    let status = child(obj, "status");
    for k in [
        "currentNumberScheduled",
        "numberMisscheduled",
        "desiredNumberScheduled",
        "numberReady",
    ] {
        set(status, k, json!(0));
    }
}

fn default_deployment(obj: &mut Value) {
    let spec = child(obj, "spec");
    set(spec, "replicas", json!(1));
    let st = child(spec, "strategy");
    if is_empty_or_missing(st.get("type")) {
        put(st, "type", json!("RollingUpdate"));
    }
    if st["type"] == "RollingUpdate" {
        let ru = child(st, "rollingUpdate");
        set(ru, "maxUnavailable", json!("25%"));
        set(ru, "maxSurge", json!("25%"));
    }
    set(spec, "revisionHistoryLimit", json!(10));
    set(spec, "progressDeadlineSeconds", json!(600));
    default_template(obj, "/spec/template");
    child(obj, "status");
}

fn default_statefulset(obj: &mut Value) {
    let spec = child(obj, "spec");
    set(spec, "podManagementPolicy", json!("OrderedReady"));
    let us = child(spec, "updateStrategy");
    if is_empty_or_missing(us.get("type")) {
        put(us, "type", json!("RollingUpdate"));
        set(us, "rollingUpdate", json!({}));
    }
    if us["type"] == "RollingUpdate" {
        if let Some(ru) = us.get_mut("rollingUpdate").filter(|r| r.is_object()) {
            set(ru, "partition", json!(0));
        }
    }
    let pol = child(spec, "persistentVolumeClaimRetentionPolicy");
    set(pol, "whenDeleted", json!("Retain"));
    set(pol, "whenScaled", json!("Retain"));
    set(spec, "replicas", json!(1));
    set(spec, "revisionHistoryLimit", json!(10));
    for t in items(spec, "volumeClaimTemplates") {
        set(child(t, "spec"), "volumeMode", json!("Filesystem"));
        set(child(t, "status"), "phase", json!("Pending"));
    }
    default_template(obj, "/spec/template");
    let status = child(obj, "status");
    set(status, "replicas", json!(0));
    set(status, "availableReplicas", json!(0));
}

/// What a Job and a CronJob's job template share: the pod template's defaults and
/// `SetDefaults_PodFailurePolicyOnPodConditionsPattern` (status "True").
fn default_job_spec_parts(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    if let Some(rules) = spec
        .pointer_mut("/podFailurePolicy/rules")
        .and_then(Value::as_array_mut)
    {
        for rule in rules {
            for p in items(rule, "onPodConditions") {
                if is_empty_or_missing(p.get("status")) && p.is_object() {
                    put(p, "status", json!("True"));
                }
            }
        }
    }
    if let Some(t) = spec.get_mut("template").filter(|t| t.is_object()) {
        default_pod_spec(child(t, "spec"));
    }
}

/// `SetDefaults_Job` (only for Jobs themselves: a CronJob's job template keeps its spec as
/// written, but for the pod template).
fn default_job(obj: &mut Value) {
    let template_labels = obj.pointer("/spec/template/metadata/labels").cloned();
    let spec = child(obj, "spec");
    // A spec that is not an object is left for validation to refuse.
    if spec.get("completions").is_none_or(Value::is_null)
        && spec.get("parallelism").is_none_or(Value::is_null)
    {
        put(spec, "completions", json!(1));
        put(spec, "parallelism", json!(1));
    }
    set(spec, "parallelism", json!(1));
    let per_index = !spec["backoffLimitPerIndex"].is_null();
    set(
        spec,
        "backoffLimit",
        json!(if per_index { i32::MAX } else { 6 }),
    );
    set(spec, "completionMode", json!("NonIndexed"));
    set(spec, "suspend", json!(false));
    let policy = if spec["podFailurePolicy"].is_null() {
        "TerminatingOrFailed"
    } else {
        "Failed"
    };
    set(spec, "podReplacementPolicy", json!(policy));
    set(spec, "manualSelector", json!(false));
    default_job_spec_parts(spec);
    copy_template_labels(obj, template_labels);
    child(obj, "status");
}

/// A Job without labels takes its pod template's (`SetDefaults_Job`).
fn copy_template_labels(obj: &mut Value, template_labels: Option<Value>) {
    let Some(labels) = template_labels.filter(Value::is_object) else {
        return;
    };
    let meta = child(obj, "metadata");
    let empty = meta
        .get("labels")
        .and_then(Value::as_object)
        .is_none_or(Map::is_empty);
    if empty {
        put(meta, "labels", labels);
    }
}

const JOB_NAME_LABELS: [&str; 2] = ["job-name", "batch.kubernetes.io/job-name"];
const CONTROLLER_UID_LABELS: [&str; 2] = ["controller-uid", "batch.kubernetes.io/controller-uid"];

/// The Job strategy's `generateSelector` (unless `manualSelector`): the pod template gets the
/// job-name and controller-uid labels and the selector matches the uid. The registry has
/// assigned name and uid by then, so this fills them when the caller has not yet.
fn generate_job_selector(obj: &mut Value) {
    if obj.pointer("/spec/manualSelector") == Some(&json!(true)) {
        return;
    }
    let meta = child(obj, "metadata");
    if is_empty_or_missing(meta.get("name")) {
        if let Some(prefix) = meta
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
        {
            let name = format!("{prefix}{}", random_suffix(5));
            put(meta, "name", json!(name));
        }
    }
    if is_empty_or_missing(meta.get("uid")) {
        put(meta, "uid", json!(new_uid()));
    }
    let name = meta["name"].as_str().unwrap_or_default().to_string();
    let uid = meta["uid"].as_str().unwrap_or_default().to_string();
    let spec = child(obj, "spec");
    let labels = child(child(child(spec, "template"), "metadata"), "labels");
    for k in JOB_NAME_LABELS {
        set(labels, k, json!(name));
    }
    for k in CONTROLLER_UID_LABELS {
        set(labels, k, json!(uid));
    }
    let match_labels = child(child(spec, "selector"), "matchLabels");
    set(match_labels, CONTROLLER_UID_LABELS[1], json!(uid));
    // Reading the stored Job back defaults it again: labels still empty take the template's.
    let template_labels = obj.pointer("/spec/template/metadata/labels").cloned();
    copy_template_labels(obj, template_labels);
}

fn default_cronjob(obj: &mut Value) {
    let spec = child(obj, "spec");
    set(spec, "concurrencyPolicy", json!("Allow"));
    set(spec, "suspend", json!(false));
    set(spec, "successfulJobsHistoryLimit", json!(3));
    set(spec, "failedJobsHistoryLimit", json!(1));
    if let Some(js) = spec.pointer_mut("/jobTemplate/spec") {
        default_job_spec_parts(js);
    }
    child(obj, "status");
}

fn default_replication_controller(obj: &mut Value) {
    let labels = obj.pointer("/spec/template/metadata/labels").cloned();
    let spec = child(obj, "spec");
    set(spec, "replicas", json!(1));
    if let Some(labels) = labels.filter(|l| l.as_object().is_some_and(|m| !m.is_empty())) {
        let empty = |v: Option<&Value>| v.and_then(Value::as_object).is_none_or(Map::is_empty);
        if empty(spec.get("selector")) {
            put(spec, "selector", labels.clone());
        }
        let meta = child(obj, "metadata");
        if empty(meta.get("labels")) {
            put(meta, "labels", labels);
        }
    }
    default_template(obj, "/spec/template");
    set(child(obj, "status"), "replicas", json!(0));
}

// ---- core kinds ----

fn default_service(obj: &mut Value) {
    let spec = child(obj, "spec");
    if !spec.is_object() {
        return;
    }
    if is_empty_or_missing(spec.get("sessionAffinity")) {
        spec["sessionAffinity"] = json!("None");
    }
    if spec["sessionAffinity"] == "None" {
        if let Some(m) = spec.as_object_mut() {
            m.remove("sessionAffinityConfig");
        }
    } else if spec["sessionAffinity"] == "ClientIP"
        && spec
            .pointer("/sessionAffinityConfig/clientIP/timeoutSeconds")
            .is_none()
    {
        spec["sessionAffinityConfig"] = json!({"clientIP": {"timeoutSeconds": 10800}});
    }
    if is_empty_or_missing(spec.get("type")) {
        spec["type"] = json!("ClusterIP");
    }
    for p in items(spec, "ports") {
        if is_empty_or_missing(p.get("protocol")) {
            p["protocol"] = json!("TCP");
        }
        if is_empty_or_missing(p.get("targetPort")) {
            p["targetPort"] = p["port"].clone();
        }
    }
    let ty = spec["type"].as_str().unwrap_or_default().to_string();
    let has_external_ips = spec["externalIPs"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    let externally_accessible =
        ty == "LoadBalancer" || ty == "NodePort" || (ty == "ClusterIP" && has_external_ips);
    if externally_accessible {
        set(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if matches!(ty.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        set(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if ty == "LoadBalancer" {
        set(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    if ty != "ExternalName" {
        // The single-stack IPv4 cluster the sandbox simulates.
        set(spec, "ipFamilies", json!(["IPv4"]));
        set(spec, "ipFamilyPolicy", json!("SingleStack"));
    }
    set(child(obj, "status"), "loadBalancer", json!({}));
}

fn default_namespace(obj: &mut Value) {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !name.is_empty() {
        let labels = child(child(obj, "metadata"), "labels");
        if labels.is_object() {
            labels["kubernetes.io/metadata.name"] = json!(name);
        }
    }
    set(child(obj, "spec"), "finalizers", json!(["kubernetes"]));
    set(child(obj, "status"), "phase", json!("Active"));
}

fn default_event(obj: &mut Value) {
    set(obj, "involvedObject", json!({}));
    set(obj, "source", json!({}));
    for k in ["firstTimestamp", "lastTimestamp", "eventTime"] {
        if obj.get(k).is_none() {
            obj[k] = Value::Null;
        }
    }
    set(obj, "reportingComponent", json!(""));
    set(obj, "reportingInstance", json!(""));
}

fn default_node(obj: &mut Value) {
    child(obj, "spec");
    let status = child(obj, "status");
    if !status.is_object() {
        return;
    }
    if status["allocatable"].is_null() && status["capacity"].is_object() {
        status["allocatable"] = status["capacity"].clone();
    }
    set(
        status,
        "daemonEndpoints",
        json!({"kubeletEndpoint": {"Port": 0}}),
    );
    // NodeSystemInfo's strings without omitempty (its required fields) are written as "".
    let info = child(status, "nodeInfo");
    let system_info = super::schema::get("io.k8s.api.core.v1.NodeSystemInfo");
    for k in system_info
        .map(|s| s.required.as_slice())
        .unwrap_or_default()
    {
        set(info, k, json!(""));
    }
}

fn default_endpoints(obj: &mut Value) {
    for ss in items(obj, "subsets") {
        for p in items(ss, "ports") {
            if is_empty_or_missing(p.get("protocol")) {
                p["protocol"] = json!("TCP");
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Arbitrary JSON shaped like API objects (keys drawn from real field names), to check
    /// that nothing panics on malformed input.
    pub(crate) fn arb_object() -> impl Strategy<Value = Value> {
        let keys = vec![
            "metadata",
            "name",
            "namespace",
            "labels",
            "annotations",
            "creationTimestamp",
            "deletionTimestamp",
            "spec",
            "status",
            "template",
            "containers",
            "initContainers",
            "ports",
            "volumes",
            "hostPath",
            "secret",
            "projected",
            "sources",
            "type",
            "updateStrategy",
            "rollingUpdate",
            "strategy",
            "hostNetwork",
            "image",
            "conditions",
            "containerStatuses",
            "initContainerStatuses",
            "state",
            "waiting",
            "terminated",
            "running",
            "reason",
            "selector",
            "matchLabels",
            "matchExpressions",
            "replicas",
            "nodeInfo",
            "addresses",
            "capacity",
            "subsets",
            "tolerations",
            "resources",
            "limits",
            "livenessProbe",
            "httpGet",
            "lifecycle",
            "env",
            "valueFrom",
            "fieldRef",
            "involvedObject",
            "source",
            "series",
            "ownerReferences",
            "restartPolicy",
            "readinessGates",
            "lastState",
            "finishedAt",
            "ready",
            "phase",
            "clusterIPs",
            "externalIPs",
            "loadBalancer",
            "ingress",
            "data",
            "jobTemplate",
            "completions",
            "restartCount",
            "count",
            "generation",
            "revision",
            "signal",
            "exitCode",
            "succeeded",
        ];
        let strings = prop_oneof![
            prop::sample::select(vec![
                "",
                "Always",
                "Running",
                "True",
                "2026-11-27T19:55:28Z",
                "x:1",
                "RollingUpdate",
                "LoadBalancer"
            ])
            .prop_map(Value::from),
            "[ -~]{0,6}".prop_map(Value::from),
        ];
        crate::testfixtures::json_tree(keys, strings, 6)
    }

    /// Every resource with defaults (and one without).
    pub(crate) const RESOURCES: &[(&str, &str)] = &[
        ("", "pods"),
        ("", "podtemplates"),
        ("", "replicationcontrollers"),
        ("", "services"),
        ("", "namespaces"),
        ("", "secrets"),
        ("", "events"),
        ("", "nodes"),
        ("", "endpoints"),
        ("", "persistentvolumeclaims"),
        ("", "persistentvolumes"),
        ("", "configmaps"),
        ("", "serviceaccounts"),
        ("apps", "daemonsets"),
        ("apps", "deployments"),
        ("apps", "replicasets"),
        ("apps", "statefulsets"),
        ("apps", "controllerrevisions"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
        ("events.k8s.io", "events"),
        ("coordination.k8s.io", "leases"),
        ("example.com", "widgets"),
    ];

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(obj in arb_object(), idx in 0..RESOURCES.len()) {
            let (g, r) = RESOURCES[idx];
            let gr = GroupResource::new(g, r);
            let mut once = obj.clone();
            apply_defaults(&gr, &mut once);
            let mut twice = once.clone();
            apply_defaults(&gr, &mut twice);
            prop_assert_eq!(&twice, &once);
            prepare_for_create(&gr, &mut twice);
            let mut updated = obj.clone();
            prepare_for_update(&gr, &twice, &mut updated);
        }
    }

    use crate::testfixtures::fixture_text as fixture;

    fn gr(g: &str, r: &str) -> GroupResource {
        GroupResource::new(g, r)
    }

    /// A DaemonSet manifest of the fixtures, defaulted.
    fn defaulted_ds(manifest: &str) -> Value {
        let mut ds: Value = serde_yaml_ng::from_str(&fixture(manifest)).unwrap();
        apply_defaults(&gr("apps", "daemonsets"), &mut ds);
        ds
    }

    #[test]
    fn seed_daemonset_defaults_to_the_real_spec() {
        let ds = defaulted_ds("node-exporter-daemonset.yaml");
        let real: Value = serde_json::from_str(&fixture("daemonset.json")).unwrap();
        assert_eq!(ds["spec"], real["spec"]);
        let st = &ds["status"];
        assert_eq!(st["numberReady"], 0);
        assert_eq!(st["desiredNumberScheduled"], 0);
        // Idempotent: a second pass (as on update) changes nothing.
        let again = {
            let mut x = ds.clone();
            apply_defaults(&gr("apps", "daemonsets"), &mut x);
            x
        };
        assert_eq!(again, ds);
    }

    #[test]
    fn updated_manifest_defaults_like_the_real_update() {
        let ds = defaulted_ds("node-exporter-daemonset-v2.yaml");
        let real: Value = serde_json::from_str(&fixture("12-get-ds-json.stdout")).unwrap();
        let mut want = real["spec"].clone();
        // The real object was patched from v1, whose `:latest` image had made the policy
        // Always; patches keep it, while defaulting v2 alone picks IfNotPresent for a tag.
        assert_eq!(
            ds["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
        want["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
        assert_eq!(ds["spec"], want);
    }

    #[test]
    fn pod_from_the_real_template_matches_the_real_pod() {
        let real_pods: Value = serde_json::from_str(&fixture("pods-list.json")).unwrap();
        let real = &real_pods["items"][0];
        let ds: Value = serde_json::from_str(&fixture("daemonset.json")).unwrap();
        // What the DaemonSet controller sends: the template plus node affinity and tolerations.
        let mut spec = ds["spec"]["template"]["spec"].clone();
        spec["affinity"] = real["spec"]["affinity"].clone();
        spec["nodeName"] = real["spec"]["nodeName"].clone();
        let mut tols = real["spec"]["tolerations"].clone();
        spec["tolerations"] = tols.take();
        let mut pod = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": spec});
        apply_defaults(&gr("", "pods"), &mut pod);
        let mut got = pod["spec"].clone();
        let mut want = real["spec"].clone();
        // The token volume's name is random: compare it without the suffix.
        let name = got["volumes"][2]["name"].as_str().unwrap().to_string();
        assert!(name.starts_with("kube-api-access-") && name.len() == 21);
        let real_name = want["volumes"][2]["name"].as_str().unwrap().to_string();
        let text = serde_json::to_string(&got)
            .unwrap()
            .replace(&name, &real_name);
        got = serde_json::from_str(&text).unwrap();
        want["nodeName"] = got["nodeName"].clone();
        assert_eq!(got, want);
        assert_eq!(
            pod["status"],
            json!({"phase": "Pending", "qosClass": "BestEffort"})
        );
    }

    #[test]
    fn bare_pod_gets_admission_defaults() {
        let mut pod = json!({"metadata": {"name": "p"}, "spec": {"hostNetwork": true, "containers": [
            {"name": "a", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
             "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
             "livenessProbe": {"httpGet": {"port": 80}},
             "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]},
            {"name": "b", "image": "busybox@sha256:abc"},
            {"name": "c", "image": "registry:5000/x"}]}});
        apply_defaults(&gr("", "pods"), &mut pod);
        let s = &pod["spec"];
        assert_eq!(s["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(s["containers"][1]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(s["containers"][2]["imagePullPolicy"], "Always");
        assert_eq!(
            s["containers"][0]["ports"][0],
            json!({"containerPort": 80, "hostPort": 80, "protocol": "TCP"})
        );
        assert_eq!(
            s["containers"][0]["resources"]["requests"],
            json!({"cpu": "1", "memory": "1Gi"})
        );
        assert_eq!(
            s["containers"][0]["livenessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(
            s["containers"][0]["env"][0]["valueFrom"]["fieldRef"]["apiVersion"],
            "v1"
        );
        assert_eq!(s["tolerations"].as_array().unwrap().len(), 2);
        assert_eq!(s["tolerations"][0]["tolerationSeconds"], 300);
        assert_eq!(s["priority"], 0);
        assert_eq!(s["serviceAccountName"], "default");
        assert_eq!(s["enableServiceLinks"], true);
        assert_eq!(pod["status"]["qosClass"], "Burstable");
        // All containers get the token mount.
        for c in s["containers"].as_array().unwrap() {
            assert_eq!(c["volumeMounts"][0]["mountPath"], SA_MOUNT_PATH);
        }
        let before = pod.clone();
        apply_defaults(&gr("", "pods"), &mut pod);
        assert_eq!(pod, before);
    }

    #[test]
    fn pod_opting_out_and_guaranteed() {
        let mut pod = json!({"spec": {"automountServiceAccountToken": false, "serviceAccountName": "sa",
            "tolerations": [{"operator": "Exists"}],
            "volumes": [{"name": "e"}, {"name": "s", "secret": {"secretName": "x"}}],
            "containers": [{"name": "a", "image": "x", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}});
        apply_defaults(&gr("", "pods"), &mut pod);
        let s = &pod["spec"];
        assert_eq!(s["volumes"].as_array().unwrap().len(), 2);
        assert_eq!(s["volumes"][0]["emptyDir"], json!({}));
        assert_eq!(s["volumes"][1]["secret"]["defaultMode"], 420);
        assert_eq!(s["serviceAccount"], "sa");
        assert_eq!(s["tolerations"].as_array().unwrap().len(), 1);
        assert_eq!(pod["status"]["qosClass"], "Guaranteed");
    }

    #[test]
    fn null_template_creation_timestamps_are_dropped() {
        let mut d = json!({"spec": {"template": {"metadata": {"creationTimestamp": null, "labels": {"a": "b"}},
                                                 "spec": {"containers": [{"name": "a", "image": "x:1"}]}}}});
        apply_defaults(&gr("apps", "deployments"), &mut d);
        assert_eq!(
            d["spec"]["template"]["metadata"],
            json!({"labels": {"a": "b"}})
        );
    }

    #[test]
    fn null_creation_timestamps_are_dropped_from_every_nested_metadata() {
        let mut cj = json!({"spec": {"schedule": "* * * * *", "jobTemplate": {
            "metadata": {"creationTimestamp": null},
            "spec": {"template": {"metadata": {"creationTimestamp": null},
                                  "spec": {"containers": [{"name": "a", "image": "x:1"}]}}}}}});
        apply_defaults(&gr("batch", "cronjobs"), &mut cj);
        assert_eq!(cj["spec"]["jobTemplate"]["metadata"], json!({}));
        assert_eq!(
            cj["spec"]["jobTemplate"]["spec"]["template"]["metadata"],
            json!({})
        );
        let mut ss = json!({"spec": {"volumeClaimTemplates": [{"metadata": {"name": "w", "creationTimestamp": null}}]}});
        apply_defaults(&gr("apps", "statefulsets"), &mut ss);
        assert_eq!(
            ss["spec"]["volumeClaimTemplates"][0]["metadata"],
            json!({"name": "w"})
        );
        // ControllerRevision data is kept as sent.
        let mut cr =
            json!({"data": {"spec": {"template": {"metadata": {"creationTimestamp": null}}}}});
        apply_defaults(&gr("apps", "controllerrevisions"), &mut cr);
        assert!(cr["data"]["spec"]["template"]["metadata"]["creationTimestamp"].is_null());
        assert!(cr["data"]["spec"]["template"]["metadata"]
            .get("creationTimestamp")
            .is_some());
    }

    #[test]
    fn generation_of_kinds_whose_registry_sets_it() {
        for (g, r, field) in [
            ("scheduling.k8s.io", "priorityclasses", "description"),
            ("networking.k8s.io", "ingressclasses", "spec"),
            ("", "podtemplates", "template"),
            ("discovery.k8s.io", "endpointslices", "endpoints"),
            (
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
                "webhooks",
            ),
            ("flowcontrol.apiserver.k8s.io", "flowschemas", "spec"),
        ] {
            let gr = gr(g, r);
            let mut obj = json!({"metadata": {"name": "a"}});
            prepare_for_create(&gr, &mut obj);
            assert_eq!(obj["metadata"]["generation"], 1, "{r}");
            let mut new = obj.clone();
            new["metadata"]["annotations"] = json!({"a": "b"});
            prepare_for_update(&gr, &obj, &mut new);
            assert_eq!(new["metadata"]["generation"], 1, "{r}: metadata only");
            new[field] = json!({"x": 1});
            prepare_for_update(&gr, &obj, &mut new);
            let bumped = if r == "priorityclasses" { 1 } else { 2 };
            assert_eq!(new["metadata"]["generation"], bumped, "{r}: {field}");
        }
        // An EndpointSlice's labels count too; a ConfigMap has no generation.
        let es = gr("discovery.k8s.io", "endpointslices");
        let old = json!({"metadata": {"generation": 3}});
        let mut new = json!({"metadata": {"labels": {"a": "b"}}});
        prepare_for_update(&es, &old, &mut new);
        assert_eq!(new["metadata"]["generation"], 4);
        let mut cm = json!({"metadata": {"name": "a"}});
        prepare_for_create(&gr("", "configmaps"), &mut cm);
        assert!(cm["metadata"].get("generation").is_none());
    }

    #[test]
    fn deployments_replicasets_statefulsets_jobs() {
        let mut d = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}});
        apply_defaults(&gr("apps", "deployments"), &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
        assert_eq!(
            d["spec"]["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(d["spec"]["revisionHistoryLimit"], 10);
        assert_eq!(d["spec"]["progressDeadlineSeconds"], 600);
        assert_eq!(d["spec"]["template"]["spec"]["restartPolicy"], "Always");
        assert!(d["spec"]["template"]["spec"]
            .get("enableServiceLinks")
            .is_none());
        let mut r = json!({"spec": {"strategy": {"type": "Recreate"}}});
        apply_defaults(&gr("apps", "deployments"), &mut r);
        assert!(r["spec"]["strategy"].get("rollingUpdate").is_none());
        let mut rs = json!({"spec": {}});
        apply_defaults(&gr("apps", "replicasets"), &mut rs);
        assert_eq!(rs["spec"]["replicas"], 1);
        assert_eq!(rs["status"]["replicas"], 0);
        let mut ss = json!({"spec": {}});
        apply_defaults(&gr("apps", "statefulsets"), &mut ss);
        assert_eq!(
            ss["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        );
        assert_eq!(ss["spec"]["podManagementPolicy"], "OrderedReady");
        let mut j = json!({"spec": {"template": {"spec": {"restartPolicy": "Never"}}}});
        apply_defaults(&gr("batch", "jobs"), &mut j);
        assert_eq!(j["spec"]["completions"], 1);
        assert_eq!(j["spec"]["backoffLimit"], 6);
        assert_eq!(j["spec"]["template"]["spec"]["restartPolicy"], "Never");
        let mut cj = json!({"spec": {"jobTemplate": {"spec": {"parallelism": 2}}}});
        apply_defaults(&gr("batch", "cronjobs"), &mut cj);
        assert_eq!(cj["spec"]["successfulJobsHistoryLimit"], 3);
        assert!(cj["spec"]["jobTemplate"]["spec"]["completions"].is_null());
    }

    #[test]
    fn jobs_get_a_generated_selector_and_labels() {
        let jr = gr("batch", "jobs");
        let mut j = json!({"metadata": {"name": "pi"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "perl"}]}}}});
        apply_defaults(&jr, &mut j);
        prepare_for_create(&jr, &mut j);
        let uid = j["metadata"]["uid"].as_str().unwrap().to_string();
        assert_eq!(uid.len(), 36);
        assert_eq!(
            j["spec"]["selector"],
            json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
        );
        let want = json!({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
            "controller-uid": uid, "job-name": "pi"});
        assert_eq!(j["spec"]["template"]["metadata"]["labels"], want);
        assert_eq!(j["metadata"]["labels"], want);
        assert_eq!(j["metadata"]["generation"], 1);
        assert_eq!(j["spec"]["manualSelector"], false);
        assert_eq!(j["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
        assert_eq!(j["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");

        // Own labels stay; a given uid is used; a manual selector is left alone.
        let mut own = json!({"metadata": {"name": "o", "uid": "u-1", "labels": {"team": "a"}},
            "spec": {"template": {"metadata": {"labels": {"app": "x"}}}}});
        apply_defaults(&jr, &mut own);
        prepare_for_create(&jr, &mut own);
        assert_eq!(own["metadata"]["labels"], json!({"team": "a"}));
        assert_eq!(own["spec"]["template"]["metadata"]["labels"]["app"], "x");
        assert_eq!(
            own["spec"]["template"]["metadata"]["labels"]["controller-uid"],
            "u-1"
        );
        let mut manual = json!({"metadata": {"name": "m"}, "spec": {"manualSelector": true,
            "selector": {"matchLabels": {"app": "m"}}, "podFailurePolicy": {"rules": [
                {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]},
            "template": {"metadata": {"labels": {"app": "m"}}}}});
        apply_defaults(&jr, &mut manual);
        prepare_for_create(&jr, &mut manual);
        assert_eq!(
            manual["spec"]["selector"],
            json!({"matchLabels": {"app": "m"}})
        );
        assert_eq!(manual["metadata"]["labels"], json!({"app": "m"}));
        assert_eq!(manual["spec"]["podReplacementPolicy"], "Failed");
        assert_eq!(
            manual["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"],
            "True"
        );
        let mut gen =
            json!({"metadata": {"generateName": "g-"}, "spec": {"backoffLimitPerIndex": 1}});
        apply_defaults(&jr, &mut gen);
        prepare_for_create(&jr, &mut gen);
        let name = gen["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with("g-") && name.len() == 7, "{name}");
        assert_eq!(
            gen["spec"]["template"]["metadata"]["labels"]["job-name"],
            name
        );
        assert_eq!(gen["spec"]["backoffLimit"], i32::MAX);

        // A CronJob's job template only gets its pod template defaulted.
        let mut cj = json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}});
        apply_defaults(&gr("batch", "cronjobs"), &mut cj);
        let js = &cj["spec"]["jobTemplate"]["spec"];
        assert_eq!(
            js.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["template"]
        );
        assert_eq!(js["template"]["spec"]["schedulerName"], "default-scheduler");
        assert_eq!(cj["spec"]["concurrencyPolicy"], "Allow");
        assert_eq!(cj["spec"]["suspend"], false);
        assert_eq!(cj["spec"]["failedJobsHistoryLimit"], 1);
    }

    #[test]
    fn services() {
        let mut s = json!({"spec": {"ports": [{"port": 80}, {"port": 53, "protocol": "UDP", "targetPort": "dns"}]}});
        apply_defaults(&gr("", "services"), &mut s);
        assert_eq!(
            s["spec"],
            json!({"type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80},
                          {"port": 53, "protocol": "UDP", "targetPort": "dns"}]})
        );
        assert_eq!(s["status"], json!({"loadBalancer": {}}));
        let mut lb = json!({"spec": {"type": "LoadBalancer", "sessionAffinity": "ClientIP"}});
        apply_defaults(&gr("", "services"), &mut lb);
        assert_eq!(lb["spec"]["externalTrafficPolicy"], "Cluster");
        assert_eq!(lb["spec"]["allocateLoadBalancerNodePorts"], true);
        assert_eq!(
            lb["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"],
            10800
        );
        let mut en = json!({"spec": {"type": "ExternalName", "externalName": "x.example"}});
        apply_defaults(&gr("", "services"), &mut en);
        assert!(en["spec"].get("ipFamilies").is_none());
        assert!(en["spec"].get("internalTrafficPolicy").is_none());
    }

    #[test]
    fn namespaces_secrets_events_nodes_and_others() {
        let mut ns = json!({"metadata": {"name": "team"}});
        apply_defaults(&gr("", "namespaces"), &mut ns);
        assert_eq!(
            ns,
            json!({"metadata": {"name": "team", "labels": {"kubernetes.io/metadata.name": "team"}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        );
        let mut sec = json!({"metadata": {"name": "s"}});
        apply_defaults(&gr("", "secrets"), &mut sec);
        assert_eq!(sec["type"], "Opaque");
        let mut cm = json!({"metadata": {"name": "c"}});
        apply_defaults(&gr("", "configmaps"), &mut cm);
        assert_eq!(cm, json!({"metadata": {"name": "c"}}));
        let mut ev = json!({"metadata": {"name": "e"}, "reason": "X"});
        apply_defaults(&gr("", "events"), &mut ev);
        assert_eq!(ev["eventTime"], Value::Null);
        assert!(ev.get("eventTime").is_some());
        assert_eq!(ev["reportingInstance"], "");
        let mut node = json!({"metadata": {"name": "n"}, "status": {"capacity": {"cpu": "2"}}});
        apply_defaults(&gr("", "nodes"), &mut node);
        assert_eq!(node["status"]["allocatable"], json!({"cpu": "2"}));
        assert_eq!(node["status"]["nodeInfo"]["kubeProxyVersion"], "");
        // Every string of NodeSystemInfo, not its omitempty `swap`.
        assert_eq!(node["status"]["nodeInfo"].as_object().unwrap().len(), 10);
        assert_eq!(
            node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"],
            0
        );
        let mut rc = json!({"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}});
        apply_defaults(&gr("", "replicationcontrollers"), &mut rc);
        assert_eq!(rc["spec"]["selector"], json!({"a": "b"}));
        assert_eq!(rc["metadata"]["labels"], json!({"a": "b"}));
        let mut bad = json!("not an object");
        apply_defaults(&gr("", "pods"), &mut bad);
        assert_eq!(bad, json!("not an object"));
        let mut weird = json!({"spec": "oops"});
        apply_defaults(&gr("apps", "daemonsets"), &mut weird);
        assert_eq!(weird["spec"], "oops");
    }

    #[test]
    fn generation_on_create_and_update() {
        let dsr = gr("apps", "daemonsets");
        let mut ds = defaulted_ds("node-exporter-daemonset.yaml");
        prepare_for_create(&dsr, &mut ds);
        let real: Value = serde_json::from_str(&fixture("daemonset.json")).unwrap();
        assert_eq!(ds["metadata"]["generation"], real["metadata"]["generation"]);
        assert_eq!(
            ds["metadata"]["annotations"][DS_TEMPLATE_GENERATION],
            real["metadata"]["annotations"][DS_TEMPLATE_GENERATION]
        );
        // Applying the second manifest changes the template: both generations move to 2.
        let mut v2 = defaulted_ds("node-exporter-daemonset-v2.yaml");
        prepare_for_update(&dsr, &ds, &mut v2);
        let after: Value = serde_json::from_str(&fixture("12-get-ds-json.stdout")).unwrap();
        assert_eq!(
            v2["metadata"]["generation"],
            after["metadata"]["generation"]
        );
        assert_eq!(
            v2["metadata"]["annotations"][DS_TEMPLATE_GENERATION],
            after["metadata"]["annotations"][DS_TEMPLATE_GENERATION]
        );
        // A metadata-only change moves neither.
        let mut relabeled = v2.clone();
        relabeled["metadata"]["labels"] = json!({"x": "y"});
        prepare_for_update(&dsr, &v2, &mut relabeled);
        assert_eq!(relabeled["metadata"]["generation"], 2);
        assert_eq!(
            relabeled["metadata"]["annotations"][DS_TEMPLATE_GENERATION],
            "2"
        );
        // Kinds without a tracked spec get no generation.
        let mut cm = json!({"metadata": {"name": "c"}});
        prepare_for_create(&gr("", "configmaps"), &mut cm);
        assert!(cm["metadata"].get("generation").is_none());
        let mut cr = json!({"metadata": {"name": "w"}, "spec": {"size": 1}});
        prepare_for_create(&gr("example.com", "widgets"), &mut cr);
        assert_eq!(cr["metadata"]["generation"], 1);
        let mut dep = json!({"metadata": {"generation": 3, "annotations": {"a": "1"}}, "spec": {}});
        let old_dep = dep.clone();
        dep["metadata"]["annotations"]["a"] = json!("2");
        prepare_for_update(&gr("apps", "deployments"), &old_dep, &mut dep);
        assert_eq!(dep["metadata"]["generation"], 4);
    }

    #[test]
    fn qos_compares_quantities() {
        let pod = |req: Value, lim: Value| {
            let mut p = json!({"spec": {"containers": [{"name": "a", "image": "x",
                "resources": {"requests": req, "limits": lim}}]}});
            apply_defaults(&gr("", "pods"), &mut p);
            p["status"]["qosClass"].as_str().unwrap().to_string()
        };
        assert_eq!(
            pod(
                json!({"cpu": "1", "memory": "1Gi"}),
                json!({"cpu": "1000m", "memory": "1024Mi"})
            ),
            "Guaranteed"
        );
        assert_eq!(
            pod(
                json!({"cpu": "500m", "memory": "1Gi"}),
                json!({"cpu": "1", "memory": "1Gi"})
            ),
            "Burstable"
        );
        assert_eq!(pod(json!({"cpu": "0"}), json!({})), "BestEffort");
        assert_eq!(pod(json!({}), json!({"memory": "64Mi"})), "Burstable");
        assert_eq!(quantity(&json!("2e3")), Some(2000.0));
        assert_eq!(quantity(&json!("1.5Ki")), Some(1536.0));
        assert_eq!(quantity(&json!("abc")), None);
    }

    #[test]
    fn image_tags() {
        for (image, tag) in [
            ("nginx", "latest"),
            ("nginx:latest", "latest"),
            ("nginx:1.2", "1.2"),
            ("host:5000/nginx", "latest"),
            ("host:5000/nginx:v1", "v1"),
            ("nginx@sha256:00", ""),
            ("", ""),
        ] {
            assert_eq!(image_tag(image), tag, "{image:?}");
        }
    }
}
