//! The event recorder: writes core/v1 Events as client-go's recorder does (name
//! `<object>.<hex nanos>`, `involvedObject`, `source`, `reportingComponent`/`reportingInstance`,
//! first/last timestamps and `count`), de-duplicating repeats of the same event into `count`
//! increments; plus the events.k8s.io-style events the scheduler writes (`eventTime`,
//! `action`, no count).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::{gr_events, name_of, ns_of, uid_of};
use crate::store::{GroupResource, Store, StoreError};

/// `Normal` or `Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// apiVersion and kind for the types controllers report on (stored objects may lack them).
pub(crate) fn type_meta(gr: &GroupResource) -> (&'static str, &'static str) {
    match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => ("v1", "Pod"),
        ("", "nodes") => ("v1", "Node"),
        ("", "namespaces") => ("v1", "Namespace"),
        ("apps", "daemonsets") => ("apps/v1", "DaemonSet"),
        ("apps", "deployments") => ("apps/v1", "Deployment"),
        ("apps", "replicasets") => ("apps/v1", "ReplicaSet"),
        _ => ("v1", ""),
    }
}

/// An ObjectReference to a stored object, as `reference.GetReference` builds it.
pub fn object_reference(gr: &GroupResource, obj: &Value) -> Value {
    let (api_version, kind) = type_meta(gr);
    let mut r = json!({
        "kind": obj["kind"].as_str().unwrap_or(kind),
        "name": name_of(obj),
        "uid": uid_of(obj),
        "apiVersion": obj["apiVersion"].as_str().unwrap_or(api_version),
        "resourceVersion": obj["metadata"]["resourceVersion"].as_str().unwrap_or_default(),
    });
    if !ns_of(obj).is_empty() {
        r["namespace"] = json!(ns_of(obj));
    }
    r
}

/// The identity of an event for de-duplication (client-go's aggregation key minus
/// timestamps: object, fieldPath, reason, message, type), kept as a 128-bit digest: a kubelet
/// remembers the few events of each of its pods, whose texts cost ~1 KB a pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct DedupKey(u128);

impl DedupKey {
    fn new(object: &str, field_path: &str, reason: &str, message: &str, kind: EventType) -> Self {
        use std::hash::{Hash, Hasher};
        // Two SipHash digests of the key, salted apart.
        let half = |salt: u8| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (salt, object, field_path, reason, message, kind).hash(&mut h);
            h.finish()
        };
        DedupKey((u128::from(half(0)) << 64) | u128::from(half(1)))
    }
}

/// Records events for one component (e.g. `daemonset-controller`, or `kubelet` on a host).
pub struct Recorder {
    store: Arc<Store>,
    component: String,
    /// `source.host` and `reportingInstance` (kubelets); empty for controllers.
    host: String,
    seen: Mutex<HashMap<DedupKey, (String, String)>>,
}

/// The unique name client-go gives an event: `<object name>.<unix nanos as hex>`, the nanos
/// read from the cluster clock. A manual clock stands still, so the nanos are made strictly
/// increasing across the process (on the wall clock this changes nothing but the rare tie).
fn event_name(clock: &crate::clock::Clock, object: &str) -> String {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = clock.now().timestamp_nanos_opt().unwrap_or_default();
    let prev = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(now.max(last + 1))
        })
        .unwrap_or(now);
    let nanos = now.max(prev + 1);
    format!("{object}.{nanos:x}")
}

impl Recorder {
    /// A recorder for `component`; `host` is the node name for node-local components.
    pub fn new(store: Arc<Store>, component: &str, host: &str) -> Self {
        Recorder {
            store,
            component: component.to_string(),
            host: host.to_string(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records an event about `obj` (of type `gr`).
    pub fn event(&self, gr: &GroupResource, obj: &Value, kind: EventType, reason: &str, msg: &str) {
        self.record(object_reference(gr, obj), None, kind, reason, msg);
    }

    /// Records an event about a container of a pod (`fieldPath` like `spec.containers{name}`).
    pub fn container_event(
        &self,
        pod: &Value,
        field_path: &str,
        kind: EventType,
        reason: &str,
        msg: &str,
    ) {
        let mut r = object_reference(&super::gr_pods(), pod);
        r["fieldPath"] = json!(field_path);
        self.record(r, Some(field_path), kind, reason, msg);
    }

    /// Records an event about an already built ObjectReference (nodes use their name as uid).
    pub fn record(
        &self,
        involved: Value,
        field_path: Option<&str>,
        kind: EventType,
        reason: &str,
        msg: &str,
    ) {
        let ns = match involved["namespace"].as_str() {
            Some(ns) if !ns.is_empty() => ns.to_string(),
            _ => "default".to_string(),
        };
        let object = format!(
            "{}/{}/{}/{}",
            involved["kind"].as_str().unwrap_or_default(),
            ns,
            involved["name"].as_str().unwrap_or_default(),
            involved["uid"].as_str().unwrap_or_default()
        );
        let key = DedupKey::new(&object, field_path.unwrap_or_default(), reason, msg, kind);
        let now = self.store.clock().rfc3339();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((ens, ename)) = seen.get(&key).cloned() {
            let res = self.store.modify_retry(&gr_events(), &ens, &ename, |e| {
                let count = e["count"].as_i64().unwrap_or(1) + 1;
                e["count"] = json!(count);
                e["lastTimestamp"] = json!(now);
                e["involvedObject"] = involved.clone();
                Ok(true)
            });
            if res.is_ok() {
                return;
            }
            // The event was deleted meanwhile: write a new one.
            seen.remove(&key);
        }
        let object_name = involved["name"].as_str().unwrap_or_default().to_string();
        let mut source = json!({"component": self.component});
        if !self.host.is_empty() {
            source["host"] = json!(self.host);
        }
        let mut ev = event(
            &ns,
            involved,
            kind,
            reason,
            msg,
            json!({
                "source": source,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
                "eventTime": null,
                "reportingComponent": self.component,
                "reportingInstance": self.host,
            }),
        );
        if let Some(name) = create_unique(&self.store, &mut ev, &object_name) {
            // Bound the cache: a long-running sandbox forgets old keys (as client-go's LRU).
            if seen.len() > 50_000 {
                seen.clear();
            }
            seen.insert(key, (ns, name));
        }
    }
}

/// A core/v1 Event about `involved`, with the fields that differ between recorders (`rest`).
fn event(
    ns: &str,
    involved: Value,
    kind: EventType,
    reason: &str,
    msg: &str,
    rest: Value,
) -> Value {
    let mut ev = json!({
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": {"namespace": ns},
        "involvedObject": involved,
        "reason": reason,
        "message": msg,
        "type": kind.as_str(),
    });
    if let (Some(ev), Value::Object(rest)) = (ev.as_object_mut(), rest) {
        ev.extend(rest);
    }
    ev
}

/// Creates the event under a fresh `<object>.<hex>` name; None when the store refused it.
fn create_unique(store: &Store, ev: &mut Value, object_name: &str) -> Option<String> {
    for _ in 0..8 {
        let name = event_name(store.clock(), object_name);
        ev["metadata"]["name"] = json!(name);
        match store.create(&gr_events(), ev.clone()) {
            Ok(_) => return Some(name),
            Err(StoreError::AlreadyExists) => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Writes an events.k8s.io-style event (as the scheduler does), seen through core/v1: no
/// `source`, `eventTime` set, timestamps null, `action`, `reportingController`/`Instance`.
#[allow(clippy::too_many_arguments)]
pub fn record_new_style(
    store: &Store,
    gr: &GroupResource,
    obj: &Value,
    kind: EventType,
    reason: &str,
    action: &str,
    msg: &str,
    controller: &str,
    instance: &str,
) {
    let involved = object_reference(gr, obj);
    let ns = match ns_of(obj) {
        "" => "default",
        ns => ns,
    };
    let mut ev = event(
        ns,
        involved,
        kind,
        reason,
        msg,
        json!({
            "source": {},
            "firstTimestamp": null,
            "lastTimestamp": null,
            "eventTime": store.clock().micro(),
            "action": action,
            "reportingComponent": controller,
            "reportingInstance": instance,
        }),
    );
    create_unique(store, &mut ev, name_of(obj));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds() -> Value {
        json!({"metadata": {"name": "node-exporter", "namespace": "default", "uid": "u1",
            "resourceVersion": "743"}})
    }

    #[test]
    fn event_shape_matches_reference() {
        let store = Arc::new(Store::new());
        let r = Recorder::new(store.clone(), "daemonset-controller", "");
        let gr = super::super::gr_daemonsets();
        r.event(
            &gr,
            &ds(),
            EventType::Normal,
            "SuccessfulCreate",
            "Created pod: node-exporter-x",
        );
        let (evs, _) = store.list(&gr_events(), Some("default"));
        assert_eq!(evs.len(), 1);
        let mut got = evs[0].clone();
        let reference = crate::controllers::testutil::reference("events-for-daemonset.json");
        let mut want = reference["items"][0].clone();
        // Identity and times differ; every other field must be exactly the reference's.
        for v in [&mut got, &mut want] {
            v["metadata"] = json!({});
            for f in ["firstTimestamp", "lastTimestamp", "message"] {
                v[f] = json!(null);
            }
            v["involvedObject"]["uid"] = json!(null);
            v["involvedObject"]["resourceVersion"] = json!(null);
            v.as_object_mut().unwrap().remove("kind");
            v.as_object_mut().unwrap().remove("apiVersion");
        }
        assert_eq!(got, want);
        let name = evs[0]["metadata"]["name"].as_str().unwrap();
        let (obj, hex) = name.split_once('.').unwrap();
        assert_eq!(obj, "node-exporter");
        assert!(u64::from_str_radix(hex, 16).is_ok(), "{name}");
    }

    #[test]
    fn repeats_are_counted() {
        let store = Arc::new(Store::new());
        let r = Recorder::new(store.clone(), "kubelet", "node-a");
        let pod = json!({"metadata": {"name": "p", "namespace": "ns", "uid": "u"}});
        for _ in 0..3 {
            r.container_event(&pod, "spec.containers{c}", EventType::Normal, "Pulled", "m");
        }
        r.container_event(
            &pod,
            "spec.containers{c}",
            EventType::Normal,
            "Pulled",
            "other",
        );
        let (evs, _) = store.list(&gr_events(), Some("ns"));
        assert_eq!(evs.len(), 2);
        let counted = evs.iter().find(|e| e["message"] == "m").unwrap();
        assert_eq!(counted["count"], 3);
        assert_eq!(
            counted["source"],
            json!({"component": "kubelet", "host": "node-a"})
        );
        assert_eq!(counted["reportingInstance"], "node-a");
        assert_eq!(counted["involvedObject"]["fieldPath"], "spec.containers{c}");
    }

    #[test]
    fn new_style_events_have_event_time_and_no_count() {
        let store = Store::new();
        let pod = json!({"metadata": {"name": "p", "namespace": "ns", "uid": "u"}});
        record_new_style(
            &store,
            &super::super::gr_pods(),
            &pod,
            EventType::Normal,
            "Scheduled",
            "Binding",
            "Successfully assigned ns/p to n",
            "default-scheduler",
            "default-scheduler-x",
        );
        let (evs, _) = store.list(&gr_events(), Some("ns"));
        assert!(evs[0]["eventTime"].as_str().unwrap().contains('.'));
        assert!(evs[0].get("count").is_none());
        assert_eq!(evs[0]["source"], json!({}));
        assert_eq!(evs[0]["involvedObject"]["kind"], "Pod");
    }
}
