//! Controllers that make the sandbox a living cluster: nodes (and their leases), scheduler,
//! kubelet (with pod GC and taint eviction), DaemonSet, Deployment/ReplicaSet, StatefulSet, Job, CronJob, garbage
//! collector, namespaces, endpoints/endpointslices, ClusterRole aggregation, resource quotas, disruption budgets, and the event
//! recorder they share.
//!
//! Every controller is one tokio task fed by `Store::subscribe()`: it keeps its own cache of the
//! kinds it needs, marks the keys touched by each batch of changes dirty and syncs those keys
//! once per batch. Timers exist only where the real component has them (kubelet start delay,
//! termination grace, lease renewal).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::clock::Clock;
use crate::store::{GroupResource, Store, StoreError, WatchEvent};

pub mod aggregation;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
mod driver;
pub mod endpoints;
pub mod events;
pub mod gc;
pub mod ipaddresses;
pub mod job;
pub mod kubelet;
pub mod leases;
pub mod namespaces;
pub mod nodes;
mod owned;
pub mod pods;
pub mod podview;
pub mod resourcequota;
pub mod scheduler;
pub mod statefulset;
pub mod volumes;

pub(crate) use crate::defaults::{apply_defaults, prepare_for_create};
pub(crate) use crate::selectors::LabelSelector;

/// The Kubernetes version the sandbox reports (`/version` gitVersion, node kubeletVersion).
pub const SERVER_VERSION: &str = "v1.36.2";

/// How the simulated cluster looks and behaves.
#[derive(Clone, Debug)]
pub struct ControllerOptions {
    /// Cluster name: nodes are `<name>-worker`, `<name>-worker2`, … (kind's naming).
    pub name: String,
    /// Number of worker nodes.
    pub nodes: usize,
    /// Adds a tainted `<name>-control-plane` node.
    pub control_plane: bool,
    /// Time between a pod's binding and its containers running.
    pub kubelet_delay: Duration,
    /// Kubelet version reported by the nodes.
    pub server_version: String,
    /// PEM of the cluster CA, published as ConfigMap `kube-root-ca.crt` in every namespace.
    pub ca_pem: String,
}

impl Default for ControllerOptions {
    fn default() -> Self {
        ControllerOptions {
            name: "sandbox".to_string(),
            nodes: 2,
            control_plane: false,
            kubelet_delay: Duration::from_secs(1),
            server_version: SERVER_VERSION.to_string(),
            ca_pem: String::new(),
        }
    }
}

/// Creates the cluster's initial objects (namespaces with their `default` ServiceAccount and
/// `kube-root-ca.crt` ConfigMap, nodes and their leases, the `kubernetes` Service)
/// synchronously, then starts every controller. Must be called inside a tokio runtime.
pub fn spawn(store: Arc<Store>, opts: ControllerOptions) -> Vec<tokio::task::JoinHandle<()>> {
    // Subscribe before bootstrapping so that every controller sees the initial objects too.
    let subs: Vec<_> = (0..16).map(|_| store.subscribe()).collect();
    namespaces::bootstrap(&store, &opts);
    nodes::bootstrap(&store, &opts);
    leases::bootstrap(&store, &opts);
    endpoints::bootstrap(&store, nodes::APISERVER_IP);
    crate::bootstrap::create(&store, &opts.ca_pem);
    // The `kubernetes` Service's IPAddress exists before the first request, as on a real
    // server (its allocator writes it in the Service's create): a controller writing it a
    // moment after start would change the cluster under the first command.
    ipaddresses::sync(&store);
    let mut subs = subs.into_iter();
    // (A fresh receiver would only miss the bootstrap, which every controller relists anyway.)
    let mut next = || subs.next().unwrap_or_else(|| store.subscribe());
    vec![
        tokio::spawn(namespaces::run(store.clone(), opts.clone(), next())),
        tokio::spawn(nodes::run(store.clone(), opts.clone(), next())),
        tokio::spawn(scheduler::run(store.clone(), opts.clone(), next())),
        tokio::spawn(kubelet::run(store.clone(), opts.clone(), next())),
        tokio::spawn(daemonset::run(store.clone(), next())),
        tokio::spawn(deployment::run(store.clone(), next())),
        tokio::spawn(gc::run(store.clone(), next())),
        tokio::spawn(endpoints::run(store.clone(), next())),
        tokio::spawn(job::run(store.clone(), next())),
        tokio::spawn(statefulset::run(store.clone(), next())),
        tokio::spawn(cronjob::run(store.clone(), next())),
        tokio::spawn(aggregation::run(store.clone(), next())),
        tokio::spawn(volumes::run(store.clone(), next())),
        tokio::spawn(ipaddresses::run(store.clone(), next())),
        tokio::spawn(resourcequota::run(store.clone(), next())),
        tokio::spawn(disruption::run(store.clone(), next())),
    ]
}

// ---- resource names -------------------------------------------------------------------------

/// Declares `pub(crate) fn gr_x() -> GroupResource` for each `gr_x = (group, resource);`: the
/// resources the controllers read and write, in one table.
macro_rules! group_resources {
    ($($name:ident = ($group:literal, $resource:literal);)*) => {
        $(
            pub(crate) fn $name() -> GroupResource {
                GroupResource::new($group, $resource)
            }
        )*
    };
}

group_resources! {
    gr_configmaps = ("", "configmaps");
    gr_resourcequotas = ("", "resourcequotas");
    gr_endpoints = ("", "endpoints");
    gr_events = ("", "events");
    gr_namespaces = ("", "namespaces");
    gr_nodes = ("", "nodes");
    gr_pvcs = ("", "persistentvolumeclaims");
    gr_pvs = ("", "persistentvolumes");
    gr_pods = ("", "pods");
    gr_serviceaccounts = ("", "serviceaccounts");
    gr_services = ("", "services");
    gr_controllerrevisions = ("apps", "controllerrevisions");
    gr_daemonsets = ("apps", "daemonsets");
    gr_deployments = ("apps", "deployments");
    gr_replicasets = ("apps", "replicasets");
    gr_statefulsets = ("apps", "statefulsets");
    gr_cronjobs = ("batch", "cronjobs");
    gr_jobs = ("batch", "jobs");
    gr_leases = ("coordination.k8s.io", "leases");
    gr_endpointslices = ("discovery.k8s.io", "endpointslices");
    gr_ipaddresses = ("networking.k8s.io", "ipaddresses");
    gr_clusterroles = ("rbac.authorization.k8s.io", "clusterroles");
}

// ---- watch plumbing ---------------------------------------------------------------------------

/// What a controller gets from its subscription.
pub(crate) enum Batch {
    /// Changes in order (everything that was immediately available, up to a bound).
    Events(Vec<Arc<WatchEvent>>),
    /// Changes were missed (the channel overflowed): relist everything.
    Resync,
    /// The store is gone.
    Closed,
}

/// Waits for at least one change, then drains what is already queued so that a burst is
/// handled as one batch.
pub(crate) async fn next_batch(rx: &mut crate::store::Receiver) -> Batch {
    let first = match rx.recv().await {
        Ok(ev) => ev,
        Err(broadcast::error::RecvError::Lagged(_)) => return Batch::Resync,
        Err(broadcast::error::RecvError::Closed) => return Batch::Closed,
    };
    let mut out = vec![first];
    while out.len() < 4096 {
        match rx.try_recv() {
            Ok(ev) => out.push(ev),
            Err(broadcast::error::TryRecvError::Lagged(_)) => return Batch::Resync,
            Err(_) => break,
        }
    }
    Batch::Events(out)
}

/// How long a controller lets a burst of changes pile up before syncing.
const SETTLE: Duration = Duration::from_millis(3);

/// Lets a burst of changes accumulate briefly before a controller syncs (what a work queue's
/// de-duplication gives the real controllers), so many changes to one key cost one sync.
/// Must not be raced in a `select!` (it holds received events across its sleep).
pub(crate) async fn settle(rx: &mut crate::store::Receiver, batch: Batch) -> Batch {
    let Batch::Events(mut evs) = batch else {
        return batch;
    };
    tokio::time::sleep(SETTLE).await;
    loop {
        match rx.try_recv() {
            Ok(ev) => evs.push(ev),
            Err(broadcast::error::TryRecvError::Lagged(_)) => return Batch::Resync,
            Err(_) => break,
        }
    }
    Batch::Events(evs)
}

/// Runs one sync step so that a bug tripped by an odd object costs that step, not the whole
/// controller (the panic message still goes to stderr).
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

// ---- small object helpers ---------------------------------------------------------------------

/// Writes `status` on the stored `obj` (the controller's cached copy) when it differs, unless the
/// object was replaced meanwhile (another uid) or already has it; returns the object as stored
/// then, `None` when nothing was written.
pub(crate) fn write_status(
    store: &Store,
    gr: &GroupResource,
    obj: &Value,
    status: &Value,
) -> Option<Value> {
    if obj["status"] == *status {
        return None;
    }
    let uid = uid_of(obj);
    store
        .modify_retry(gr, ns_of(obj), name_of(obj), |o| {
            if uid_of(o) != uid || o["status"] == *status {
                return Ok(false);
            }
            o["status"] = status.clone();
            Ok(true)
        })
        .ok()
}

/// A new ControllerRevision `name` of `owner` (a `kind` of apps/v1) holding `template` as a
/// `$patch: replace`, labelled with the template's labels plus `label`, numbered `revision`
/// (the DaemonSet and StatefulSet controllers' history).
pub(crate) fn revision_object(
    owner: &Value,
    kind: &str,
    name: &str,
    template: &Value,
    label: (&str, &str),
    revision: i64,
) -> Value {
    let mut data_template = template.clone();
    data_template["$patch"] = json!("replace");
    let mut labels = template["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    labels[label.0] = json!(label.1);
    json!({
        "kind": "ControllerRevision",
        "apiVersion": "apps/v1",
        "metadata": {
            "name": name,
            "namespace": ns_of(owner),
            "labels": labels,
            "ownerReferences": [owner_reference(owner, "apps/v1", kind)],
        },
        "data": {"spec": {"template": data_template}},
        "revision": revision,
    })
}

/// Gives an existing ControllerRevision the number `revision` (it became current again);
/// returns it as stored.
pub(crate) fn renumber_revision(
    store: &Store,
    ns: &str,
    name: &str,
    revision: i64,
) -> Option<Value> {
    store
        .modify_retry(&gr_controllerrevisions(), ns, name, |r| {
            r["revision"] = json!(revision);
            Ok(true)
        })
        .ok()
}

/// Sets each status counter that is above zero (the controllers omit zero counts, as Go's
/// `omitempty` does).
pub(crate) fn set_counts<N>(status: &mut Value, counts: impl IntoIterator<Item = (&'static str, N)>)
where
    N: Into<Value> + PartialOrd + Default,
{
    for (field, n) in counts {
        if n > N::default() {
            status[field] = n.into();
        }
    }
}

/// `metadata.uid` ("" when absent).
pub(crate) fn uid_of(obj: &Value) -> &str {
    obj["metadata"]["uid"].as_str().unwrap_or_default()
}

/// `metadata.name` ("" when absent).
pub(crate) fn name_of(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or_default()
}

/// `metadata.namespace` ("" when absent).
pub(crate) fn ns_of(obj: &Value) -> &str {
    obj["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// The array at `obj[key]` for in-place edits, without inserting the key when absent (IndexMut
/// on a missing key would add a `null`).
pub(crate) fn array_mut<'a>(obj: &'a mut Value, key: &str) -> Option<&'a mut Vec<Value>> {
    obj.get_mut(key).and_then(Value::as_array_mut)
}

/// Takes `finalizer` out of the object's finalizers; whether it was there (a write is due).
pub(crate) fn remove_finalizer(obj: &mut Value, finalizer: &str) -> bool {
    let Some(f) = obj
        .get_mut("metadata")
        .and_then(|m| array_mut(m, "finalizers"))
    else {
        return false;
    };
    let before = f.len();
    f.retain(|x| x != finalizer);
    f.len() != before
}

pub(crate) fn is_terminating(obj: &Value) -> bool {
    obj["metadata"]["deletionTimestamp"].is_string()
}

/// The ownerReference with `controller: true`, if any.
pub(crate) fn controller_ref(obj: &Value) -> Option<&Value> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"].as_bool() == Some(true))
}

/// Adoption (ControllerRefManager): makes `owner_ref` the controller of an orphan. None when
/// the object is gone, terminating, or got a controller meanwhile.
pub(crate) fn adopt(
    store: &Store,
    gr: &GroupResource,
    (ns, name): (&str, &str),
    owner_ref: &Value,
) -> Option<Value> {
    let res = store.modify_keep(gr, ns, name, |o| {
        if controller_ref(o).is_some() || is_terminating(o) {
            return Ok(false);
        }
        let meta = &mut o["metadata"];
        if !meta["ownerReferences"].is_array() {
            meta["ownerReferences"] = json!([]);
        }
        if let Some(refs) = array_mut(meta, "ownerReferences") {
            refs.push(owner_ref.clone());
        }
        Ok(true)
    });
    res.ok()
        .filter(|o| controller_ref(o).is_some_and(|r| r["uid"] == owner_ref["uid"]))
}

/// Release (ControllerRefManager): drops the reference to `owner_uid` from an object its
/// owner no longer selects.
pub(crate) fn release(
    store: &Store,
    gr: &GroupResource,
    (ns, name): (&str, &str),
    owner_uid: &str,
) -> Option<Value> {
    let res = store.modify_keep(gr, ns, name, |o| {
        Ok(remove_owner_refs(o, |r| r["uid"] == owner_uid))
    });
    res.ok()
}

/// Drops the ownerReferences `gone` picks, and the field once empty (Go omits an empty
/// list); whether any went (a write is due).
pub(crate) fn remove_owner_refs(obj: &mut Value, gone: impl Fn(&Value) -> bool) -> bool {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return false;
    };
    let Some(refs) = meta
        .get_mut("ownerReferences")
        .and_then(Value::as_array_mut)
    else {
        return false;
    };
    let before = refs.len();
    refs.retain(|r| !gone(r));
    let changed = refs.len() != before;
    if refs.is_empty() {
        meta.remove("ownerReferences");
    }
    changed
}

/// An ownerReference to `owner` as controllers write it.
pub(crate) fn owner_reference(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name_of(owner),
        "uid": uid_of(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Parses an RFC 3339 timestamp.
pub(crate) fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Whether a pod counts as available at `now` (Ready for `min_ready` seconds); `Err(wait)` when
/// it is Ready but becomes available only after `wait`. (`now` is not read when `min_ready` is
/// 0: callers that ask only for readiness pass any time.)
pub(crate) fn pod_availability(
    pod: &Value,
    min_ready: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Duration> {
    let ready = pod["status"]["conditions"].as_array().and_then(|c| {
        c.iter()
            .find(|c| c["type"] == "Ready" && c["status"] == "True")
    });
    ready_availability(
        ready.is_some(),
        ready.and_then(|r| r["lastTransitionTime"].as_str()),
        min_ready,
        now,
    )
}

/// `pod_availability` from the pod's Ready condition: whether it is True, and since when.
pub(crate) fn ready_availability(
    ready: bool,
    since: Option<&str>,
    min_ready: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Duration> {
    if !ready {
        return Ok(false);
    }
    if min_ready <= 0 {
        return Ok(true);
    }
    let Some(since) = since.and_then(parse_time) else {
        return Ok(false);
    };
    let at = since + chrono::Duration::seconds(min_ready);
    match (at - now).to_std() {
        Ok(wait) if !wait.is_zero() => Err(wait),
        _ => Ok(true),
    }
}

type Due<K> = std::collections::BinaryHeap<std::cmp::Reverse<(chrono::DateTime<chrono::Utc>, K)>>;

/// Keys to sync again at a later cluster time (minReadySeconds, back-off, deadlines), earliest
/// first.
pub(crate) struct Requeue<K: Ord> {
    clock: Clock,
    heap: Due<K>,
}

impl<K: Ord + Clone> Requeue<K> {
    pub(crate) fn new(clock: &Clock) -> Self {
        Requeue {
            clock: clock.clone(),
            heap: std::collections::BinaryHeap::new(),
        }
    }

    /// Syncs `key` again after `wait` of cluster time. On the wall clock a little is added, so
    /// that the time has surely passed by the sync (timestamps are read again there).
    pub(crate) fn add(&mut self, key: K, wait: Duration) {
        let slack = if self.clock.is_manual() {
            Duration::ZERO
        } else {
            Duration::from_millis(20)
        };
        let at = self.clock.after(wait + slack);
        self.heap.push(std::cmp::Reverse((at, key)));
    }

    /// Waits for the next batch of changes or the next due key, whichever comes first.
    pub(crate) async fn next(
        &mut self,
        rx: &mut crate::store::Receiver,
    ) -> (Option<Batch>, Vec<K>) {
        let clock = self.clock.clone();
        let due = |heap: &mut Due<K>| {
            let now = clock.now();
            let mut out = Vec::new();
            while heap
                .peek()
                .is_some_and(|std::cmp::Reverse((at, _))| *at <= now)
            {
                if let Some(std::cmp::Reverse((_, k))) = heap.pop() {
                    out.push(k);
                }
            }
            out
        };
        let ready = due(&mut self.heap);
        if !ready.is_empty() {
            return (None, ready);
        }
        match self.heap.peek().map(|std::cmp::Reverse((at, _))| *at) {
            None => (Some(next_batch(rx).await), Vec::new()),
            Some(at) => tokio::select! {
                b = next_batch(rx) => (Some(b), Vec::new()),
                _ = clock.sleep_until(at) => (None, due(&mut self.heap)),
            },
        }
    }
}

/// Deletes an object the way the registry does for a controller's DELETE (background
/// propagation): a pod bound to a node is marked terminating with its grace period (the kubelet
/// removes it), an object with finalizers is marked terminating, anything else is removed.
/// Returns Ok also when the object is already gone or already terminating.
pub fn delete_object(
    store: &Store,
    gr: &GroupResource,
    ns: &str,
    name: &str,
) -> Result<(), StoreError> {
    let Some(obj) = store.get(gr, ns, name) else {
        return Ok(());
    };
    if is_terminating(&obj) {
        return Ok(());
    }
    let is_bound_pod = gr.group.is_empty()
        && gr.resource == "pods"
        && !obj["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .is_empty();
    let grace = obj["spec"]["terminationGracePeriodSeconds"]
        .as_i64()
        .unwrap_or(30)
        .max(0);
    let has_finalizers = obj["metadata"]["finalizers"]
        .as_array()
        .map(|f| !f.is_empty())
        .unwrap_or(false);
    if is_bound_pod && grace > 0 {
        let at = store.clock().now() + chrono::Duration::seconds(grace);
        let res = store.modify_keep(gr, ns, name, |o| {
            if is_terminating(o) {
                return Ok(false);
            }
            o["metadata"]["deletionTimestamp"] = json!(at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            Ok(true)
        });
        return ignore_not_found(res.map(|_| ()));
    }
    if has_finalizers {
        let res = store.modify_retry(gr, ns, name, |o| {
            if is_terminating(o) {
                return Ok(false);
            }
            o["metadata"]["deletionTimestamp"] = json!(store.clock().rfc3339());
            o["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            Ok(true)
        });
        return ignore_not_found(res.map(|_| ()));
    }
    ignore_not_found(store.remove(gr, ns, name).map(|_| ()))
}

pub(crate) fn ignore_not_found(r: Result<(), StoreError>) -> Result<(), StoreError> {
    match r {
        Err(StoreError::NotFound) => Ok(()),
        other => other,
    }
}

/// kube's `rand.SafeEncodeString` of the decimal FNV-32a hash of the object's JSON: the
/// shape of `pod-template-hash` and `controller-revision-hash` values.
pub(crate) fn template_hash(template: &Value, collision_count: i64) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= *b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    feed(template.to_string().as_bytes());
    if collision_count > 0 {
        feed(&(collision_count as u32).to_le_bytes());
    }
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    h.to_string()
        .bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use std::future::Future;

    /// Options for tests: fast kubelet, kind-multinodes names like the reference.
    pub fn opts() -> ControllerOptions {
        ControllerOptions {
            name: "kind-multinodes".into(),
            kubelet_delay: Duration::from_millis(5),
            ca_pem: "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n".into(),
            ..Default::default()
        }
    }

    /// Polls `f` until it returns Some (or panics after `secs` seconds).
    pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        // Back off so that polling big lists does not starve the controllers.
        let mut pause = Duration::from_millis(5);
        loop {
            if let Some(v) = f().await {
                return v;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting for: {what}");
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    /// Marks namespace `name` deleted, as the API server's DELETE does (deletionTimestamp,
    /// phase Terminating), for the namespace controller to empty and remove.
    pub fn delete_namespace(store: &Store, name: &str) {
        store
            .modify_keep(&super::gr_namespaces(), "", name, |n| {
                n["metadata"]["deletionTimestamp"] = json!(store.clock().rfc3339());
                n["status"]["phase"] = json!("Terminating");
                Ok(true)
            })
            .expect("namespace exists");
    }

    /// Waits until `ns/name` of `gr` is gone from the store.
    pub async fn eventually_gone(store: &Store, gr: &GroupResource, ns: &str, name: &str) {
        let what = format!("{}/{name} gone", gr.resource);
        eventually(10, &what, || async {
            store.get(gr, ns, name).is_none().then_some(())
        })
        .await;
    }

    /// Waits until the garbage collector has handled every change made before the call: a
    /// ConfigMap whose only owner never existed is created and waited for until the collector
    /// deletes it (it handles changes in order). What the collector did not do by then, it does
    /// not do for those changes; so tests assert that it left something alone without sleeping.
    pub async fn gc_barrier(store: &Store) {
        let gr = GroupResource::new("", "configmaps");
        let cm = store
            .create(
                &gr,
                json!({"metadata": {"generateName": "gc-barrier-", "namespace": "default",
                    "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap",
                        "name": "never", "uid": "00000000-0000-0000-0000-000000000000"}]}}),
            )
            .expect("create barrier");
        let name = name_of(&cm).to_string();
        eventually(10, "gc barrier", || async {
            store.get(&gr, "default", &name).is_none().then_some(())
        })
        .await;
    }

    /// Waits until the store's revision stops moving (two polls, some milliseconds apart, see
    /// the same one) and returns it: the controllers have handled every change and wait for
    /// a timer. Controllers that kept rewriting each other's objects would never be quiet.
    pub async fn quiet(store: &Store) -> u64 {
        let mut last = store.current_rv();
        eventually(10, "the store to be quiet", || {
            let now = store.current_rv();
            let same = std::mem::replace(&mut last, now) == now;
            async move { same.then_some(now) }
        })
        .await
    }

    /// Creates an object as a POST would (defaults and create strategy).
    pub fn user_create(store: &Store, gr: &GroupResource, mut obj: Value) -> Value {
        apply_defaults(gr, &mut obj);
        prepare_for_create(gr, &mut obj);
        store.create(gr, obj).expect("create")
    }

    /// Changes an object as a PUT would (defaults and update strategy: generations).
    pub fn user_update(
        store: &Store,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        f: impl Fn(&mut Value),
    ) -> Value {
        store
            .modify_retry(gr, ns, name, |o| {
                let old = o.clone();
                f(o);
                apply_defaults(gr, o);
                crate::defaults::prepare_for_update(gr, &old, o);
                Ok(true)
            })
            .expect("update")
    }

    /// Paths where two JSON values differ (for readable assertion failures).
    pub fn diff(a: &Value, b: &Value) -> Vec<String> {
        let mut out = Vec::new();
        fn walk(p: String, a: &Value, b: &Value, out: &mut Vec<String>) {
            match (a, b) {
                (Value::Object(x), Value::Object(y)) => {
                    for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                        match (x.get(k), y.get(k)) {
                            (Some(u), Some(v)) => walk(format!("{p}.{k}"), u, v, out),
                            (u, v) => out.push(format!("{p}.{k}: {u:?} != {v:?}")),
                        }
                    }
                }
                (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                    for (i, (u, v)) in x.iter().zip(y).enumerate() {
                        walk(format!("{p}[{i}]"), u, v, out);
                    }
                }
                _ if a != b => out.push(format!("{p}: {a} != {b}")),
                _ => {}
            }
        }
        walk(String::new(), a, b, &mut out);
        out
    }

    pub(crate) use crate::testfixtures::fixture_json as reference;
}

#[cfg(test)]
mod cluster_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_contains_panics() {
        let mut v = json!({"metadata": "not an object"});
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = guarded(|| {
            v["metadata"]["name"] = json!("x");
        });
        std::panic::set_hook(hook);
        assert!(r.is_none());
        assert_eq!(guarded(|| 1 + 1), Some(2));
    }

    #[test]
    fn diff_finds_every_difference() {
        let a = json!({"a": 1, "b": [1, 2], "c": {"d": "x"}});
        let b = json!({"a": 1, "b": [1, 3], "c": {"d": "y"}, "e": null, "f": 0});
        assert_eq!(
            testutil::diff(&a, &b),
            vec![
                ".b[1]: 2 != 3",
                ".c.d: \"x\" != \"y\"",
                ".e: None != Some(Null)",
                ".f: None != Some(Number(0))"
            ]
        );
    }

    #[test]
    fn template_hash_is_stable_and_safe_encoded() {
        let t = json!({"metadata": {"labels": {"app": "x"}}});
        let a = template_hash(&t, 0);
        assert_eq!(a, template_hash(&t, 0));
        assert_ne!(a, template_hash(&t, 1));
        assert!(
            a.bytes()
                .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)),
            "{a}"
        );
        assert_ne!(a, template_hash(&json!({"metadata": {}}), 0));
    }

    #[test]
    fn delete_object_follows_registry_rules() {
        let s = Store::new();
        let p = gr_pods();
        s.create(
            &p,
            json!({"metadata": {"namespace": "a", "name": "bound"},
            "spec": {"nodeName": "n", "terminationGracePeriodSeconds": 5}}),
        )
        .unwrap();
        s.create(
            &p,
            json!({"metadata": {"namespace": "a", "name": "free"}, "spec": {}}),
        )
        .unwrap();
        s.create(
            &p,
            json!({"metadata": {"namespace": "a", "name": "fin", "finalizers": ["x"]},
            "spec": {}}),
        )
        .unwrap();
        delete_object(&s, &p, "a", "bound").unwrap();
        delete_object(&s, &p, "a", "free").unwrap();
        delete_object(&s, &p, "a", "fin").unwrap();
        delete_object(&s, &p, "a", "missing").unwrap();
        let bound = s.get(&p, "a", "bound").unwrap();
        assert_eq!(bound["metadata"]["deletionGracePeriodSeconds"], 5);
        assert!(s.get(&p, "a", "free").is_none());
        assert!(is_terminating(&s.get(&p, "a", "fin").unwrap()));
    }
}
